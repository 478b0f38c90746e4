"""Replicator emergence (analysis.md): transition epochs, sweep statistics worked by hand, and the
registry of species first seen above a share threshold."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from alife import load_world, replication_score
from alife.analysis.emergence import (
    ENTRY_DTYPE,
    ReplicatorRegistry,
    exponential_rate,
    kaplan_meier,
    summarise_sweep,
    transition_epoch,
    wilson_interval,
)
from alife.errors import AlifeError
from alife.measures import replicators

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- transition epoch


def test_transition_is_the_first_observation_strictly_above_the_threshold():
    epochs = [0, 64, 128, 192, 256]
    h = [0.1, 2.9, 3.0, 3.5, 2.0]
    assert transition_epoch(epochs, h) == 192  # 3.0 is not above 3.0
    assert transition_epoch(epochs, h, threshold=2.5) == 64
    assert transition_epoch(epochs, h, threshold=4.0) is None
    assert transition_epoch(epochs, [np.nan, 0, 0, 3.1, 0]) == 192
    with pytest.raises(AlifeError, match="same length"):
        transition_epoch(epochs, h[:3])


# ---------------------------------------------------------------- Wilson interval


def test_wilson_interval_known_values():
    assert wilson_interval(10, 20) == pytest.approx((0.2993, 0.7007), abs=5e-5)
    # k = 0: low is 0 and high is (z^2/n) / (1 + z^2/n)
    z2n = 1.959963984540054**2 / 10
    assert wilson_interval(0, 10) == pytest.approx((0.0, z2n / (1 + z2n)))  # (0, 0.2775)
    assert wilson_interval(10, 10) == pytest.approx((1 / (1 + z2n), 1.0))
    low, high = wilson_interval(3, 40, z=1.0)
    low95, high95 = wilson_interval(3, 40)
    assert low95 < low < 3 / 40 < high < high95  # a narrower interval for z = 1
    for k, n in [(0, 0), (5, 4), (-1, 3)]:
        with pytest.raises(AlifeError, match="Wilson"):
            wilson_interval(k, n)


# ---------------------------------------------------------------- Kaplan–Meier by hand

# times 2, 3, 3+, 5, 7+, 8 (+ = censored)
TIMES = [2, 3, 3, 5, 7, 8]
OBSERVED = [True, True, False, True, False, True]


def test_kaplan_meier_of_a_censored_example_by_hand():
    km = kaplan_meier(TIMES, OBSERVED)
    # at risk: t=2: all 6; t=3: 5 (the run censored at 3 is still at risk); t=5: 3; t=8: 1
    s2 = 1 - 1 / 6  # 5/6
    s3 = s2 * (1 - 1 / 5)  # 2/3
    s5 = s3 * (1 - 1 / 3)  # 4/9
    s8 = s5 * (1 - 1 / 1)  # 0
    assert km.times.tolist() == [2, 3, 5, 8]
    assert km.at_risk.tolist() == [6, 5, 3, 1] and km.events.tolist() == [1, 1, 1, 1]
    assert km.survival == pytest.approx([s2, s3, s5, s8])
    assert km.cap == 8
    assert km.survival_at(0) == 1 and km.survival_at(1.99) == 1
    assert km.survival_at(2) == pytest.approx(s2) and km.survival_at(4) == pytest.approx(s3)
    assert km.survival_at(7.9) == pytest.approx(s5) and km.survival_at(8) == 0
    assert km.survival_at(np.array([0, 3, 6])) == pytest.approx([1, s3, s5])
    assert km.median == 5  # S(3) = 2/3 > 1/2 >= S(5) = 4/9


def test_mean_residual_life_by_hand():
    km = kaplan_meier(TIMES, OBSERVED)
    # integral of S over [0, 8]: 2 * 1 + 1 * 5/6 + 2 * 2/3 + 3 * 4/9 = 5.5
    assert km.mean_residual_life(0) == pytest.approx(2 + 5 / 6 + 4 / 3 + 4 / 3)
    # from t = 4: (1 * 2/3 + 3 * 4/9) / S(4) = 2 / (2/3) = 3
    assert km.mean_residual_life(4) == pytest.approx(3)
    # from t = 2: (5/6 + 4/3 + 4/3) / (5/6) = 4.2
    assert km.mean_residual_life(2) == pytest.approx(4.2)
    assert math.isnan(km.mean_residual_life(8)) and math.isnan(km.mean_residual_life(9))


def test_exponential_rate_by_hand():
    # 4 events over 2 + 3 + 3 + 5 + 7 + 8 = 28 exposure epochs
    assert exponential_rate(TIMES, OBSERVED) == pytest.approx(4 / 28)
    assert exponential_rate([10, 10], [False, False]) == 0


def test_ties_and_no_events():
    km = kaplan_meier([3, 3, 3, 5], [True] * 4)
    assert km.survival == pytest.approx([1 / 4, 0]) and km.median == 3
    none = kaplan_meier([100, 100, 60], [False] * 3)
    assert len(none.times) == 0 and none.median is None and none.survival_at(99) == 1
    assert none.mean_residual_life(40) == pytest.approx(60)  # restricted to the cap of 100
    with pytest.raises(AlifeError, match="one finite non-negative time"):
        kaplan_meier([1, 2], [True])


def test_flat_mean_residual_life_means_memoryless_emergence():
    rng = np.random.default_rng(0)
    cap = 3000
    expo = rng.exponential(500, 4000)
    km = kaplan_meier(np.minimum(expo, cap), expo <= cap)
    assert exponential_rate(np.minimum(expo, cap), expo <= cap) == pytest.approx(1 / 500, rel=0.05)
    flat = [km.mean_residual_life(t) for t in (0, 250, 500, 1000)]
    assert max(flat) / min(flat) < 1.1
    aging = rng.uniform(400, 600, 4000)  # a clock, not a chance: residual life runs down
    km = kaplan_meier(aging, np.ones(4000, dtype=bool))
    assert km.mean_residual_life(0) == pytest.approx(500, rel=0.02)
    assert km.mean_residual_life(450) < 0.2 * km.mean_residual_life(0)


# ---------------------------------------------------------------- sweep summary


def test_summarise_a_sweep_by_hand():
    s = summarise_sweep([100, None, 300, None], 1000)
    assert (s.n, s.transitioned, s.fraction) == (4, 2, 0.5)
    assert (s.wilson_low, s.wilson_high) == pytest.approx(wilson_interval(2, 4))
    # KM: t=100: 4 at risk -> 3/4; t=300: 3 at risk -> 1/2; censored at 1000
    assert s.km.survival == pytest.approx([0.75, 0.5]) and s.median == 300
    assert s.rate == pytest.approx(2 / 2400) and s.mean_epochs == pytest.approx(1200)
    # MRL at 0: 100 * 1 + 200 * 3/4 + 700 * 1/2 = 600; at 500: 500 * 1/2 / (1/2) = 500
    assert dict(s.mrl) == pytest.approx({0: 600, 250: (50 * 0.75 + 700 * 0.5) / 0.75,
                                         500: 500, 750: 250})
    rec = s.record()
    assert rec["n"] == 4 and rec["median"] == 300 and rec["mrl_500"] == pytest.approx(500)


def test_summaries_with_per_run_caps_and_bad_input():
    s = summarise_sweep([None, 50, None], [200, 400, 100], mrl_times=[10])
    assert s.km.at_risk.tolist() == [3] and s.rate == pytest.approx(1 / 350)
    assert s.median is None and s.fraction == pytest.approx(1 / 3)
    with pytest.raises(AlifeError, match="outside"):
        summarise_sweep([500], [400])
    with pytest.raises(AlifeError, match="one cap per run"):
        summarise_sweep([1, 2], [400])


# ---------------------------------------------------------------- replicator registry


@pytest.fixture(scope="module")
def replicator() -> tuple[bytes, int]:
    """The emerged bff_noheads replicator of worlds/bff_noheads_seeded.toml, and its seed."""
    world = load_world(ROOT / "worlds" / "bff_noheads_seeded.toml")
    return world.program_bytes()[:64], world.seed


def _keys(*programs: bytes) -> np.ndarray:
    return np.stack([np.frombuffer(p, dtype=np.uint8) for p in programs])


def test_registry_records_first_sighting_peak_and_score(replicator):
    rep, seed = replicator
    rng = np.random.default_rng(4)
    noise = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
    rare = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
    reg = ReplicatorRegistry(share=0.01, min_score=5, language="bff_noheads", seed=seed)
    assert reg.update(0, _keys(rep, noise, rare), [50, 10, 9], 1000) == 2  # rare: 0.9 %
    assert [e.program for e in reg.entries()] == [rep, noise]
    first = reg.entries()[0]
    assert (first.first_epoch, first.first_share, first.score) == (0, 0.05, 64)
    assert reg.entries()[1].score == replication_score(noise, "bff_noheads", 0, seed)
    assert reg.entries()[1].score < 5 and reg.entries()[1].first_share == 0.01  # >= threshold
    reg.update(64, _keys(rep, noise), [300, 5], 1000)  # noise below the threshold: ignored
    reg.update(128, _keys(rep), [100], 1000)  # lower than the peak
    reg.update(192, _keys(rare, rep), [20, 300], 1000)  # a tie with the peak keeps the first
    rep_entry, noise_entry, rare_entry = reg.entries()
    assert (rep_entry.peak_share, rep_entry.peak_epoch, rep_entry.first_epoch) == (0.3, 64, 0)
    assert (noise_entry.peak_share, noise_entry.peak_epoch) == (0.01, 0)
    assert (rare_entry.first_epoch, rare_entry.first_share) == (192, 0.02)
    assert [e.program for e in reg.replicators()] == [rep]


def test_registry_round_trips_through_a_structured_array(replicator):
    rep, seed = replicator
    other = bytes(range(64))
    reg = ReplicatorRegistry(share=0.1, seed=seed)
    reg.update(8, _keys(rep, other, rep), [40, 30, 40], 100)  # a repeated key counts once
    assert len(reg.entries()) == 2
    table = reg.to_array()
    assert table.dtype == ENTRY_DTYPE and table["first_epoch"].tolist() == [8, 8]
    assert bytes(table["program"][0]) == rep and table["score"][0] == 64
    again = ReplicatorRegistry(share=0.1, seed=seed)
    again.load_array(table)
    assert again.entries() == reg.entries()


def test_registry_refuses_bad_input():
    with pytest.raises(AlifeError, match="share threshold"):
        ReplicatorRegistry(share=0)
    with pytest.raises(AlifeError, match="unknown language"):
        ReplicatorRegistry(language="bf")
    reg = ReplicatorRegistry()
    with pytest.raises(AlifeError, match="positive total"):
        reg.update(0, np.zeros((2, 64), dtype=np.uint8), [1], 10)
    with pytest.raises(AlifeError, match="positive total"):
        reg.update(0, np.zeros((1, 64), dtype=np.uint8), [1], 0)


def test_registry_scores_as_a_one_program_soup_at_the_first_sighting(monkeypatch):

    calls = []

    def spy(programs, language, epoch, seed, indices=None, num_programs=None, step_limit=0):
        calls.append((len(programs), language, epoch, seed, indices.tolist(), num_programs,
                      step_limit))
        return np.zeros(len(programs), dtype=np.int64)

    monkeypatch.setattr(replicators, "replication_scores", spy)
    reg = ReplicatorRegistry(share=0.1, language="forth", seed=7, step_limit=99)
    reg.update(320, _keys(bytes(64), bytes(range(64))), [20, 30], 100)
    reg.update(384, _keys(bytes(64), bytes(range(64))), [20, 30], 100)  # nothing new
    assert calls == [(2, "forth", 320, 7, [0, 0], 1, 99)]


def test_replicator_onset_is_the_first_report_at_the_share():
    from alife.analysis.emergence import replicator_onset

    epochs = [1, 65, 129, 193]
    assert replicator_onset(epochs, [0.0, 0.05, 0.1, 0.9]) == 129
    assert replicator_onset(epochs, [0.0, 0.2, 0.0, 0.0], share=0.2) == 65
    assert replicator_onset(epochs, [0.0] * 4) is None
    with pytest.raises(AlifeError, match="same length"):
        replicator_onset(epochs, [0.0])
    with pytest.raises(AlifeError, match="share"):
        replicator_onset(epochs, [0.0] * 4, share=0)


def test_window_crossings_count_each_reset_window_once():
    from alife.analysis.emergence import window_crossings

    # reports after 1, 33, 65, 97 epochs see window 0; 129.. window 1; 257.. window 2
    epochs = np.arange(1, 385, 32)
    values = np.zeros(len(epochs))
    values[[2, 3]] = 4.0  # twice in window 0
    values[10] = 3.5  # once in window 2
    w = window_crossings(epochs, values, 128, 3.0)
    assert (w.windows, w.crossed, w.first) == (3, 2, 65)
    assert window_crossings(epochs, np.zeros(len(epochs)), 128, 3.0).crossed == 0
    # the report after 128 epochs is window 0's last; after 129, window 1's fresh soup
    assert window_crossings([128, 129], [4.0, 0.0], 128, 3.0).crossed == 1
    assert window_crossings([129], [4.0], 128, 3.0).first == 129
    with pytest.raises(AlifeError, match="positive"):
        window_crossings(epochs, values, 0, 3.0)


def test_fraction_by_compares_sweeps_at_a_common_epoch():
    from alife.analysis.emergence import fraction_by

    times = [100, 5000, None, None]
    caps = [16384, 16384, 16384, 2000]
    k, n, low, high = fraction_by(times, caps, 4096)
    assert (k, n) == (1, 3) and 0 < low < 1 / 3 < high < 1  # the 2000-epoch run is not followed
    assert fraction_by([None], [100], 4096) is None
    assert fraction_by([50], [100], 4096)[:2] == (1, 1)
