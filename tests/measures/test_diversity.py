"""Population diversity (analysis.md): indices by hand, species keys, Hamming clusters, MODES."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alife import Soup
from alife.errors import AlifeError
from alife.languages import names
from alife.measures.diversity import (
    diversity,
    hamming_clusters,
    hill_number,
    hill_profile,
    instruction_mask,
    skeletons,
    soup_diversity,
    species_labels,
)
from alife.measures.modes import ModesTracker, instruction_counts, modes_inputs
from alife.measures.species import row_hashes, species_counts

# ---------------------------------------------------------------- indices by hand


def test_indices_of_2_1_1_by_hand():
    # p = (1/2, 1/4, 1/4)
    d = diversity([2, 1, 1])
    h = 0.5 * 1 + 0.25 * 2 + 0.25 * 2  # -sum p log2 p = 1.5 bits
    simpson = 0.25 + 0.0625 + 0.0625  # sum p^2 = 0.375
    assert d["richness"] == 3 and d["hill_0"] == 3
    assert d["shannon_bits"] == pytest.approx(1.5) and h == 1.5
    assert d["gini_simpson"] == pytest.approx(1 - simpson) == 0.625
    assert d["hill_1"] == pytest.approx(2**1.5)
    assert d["hill_2"] == pytest.approx(1 / simpson) == pytest.approx(8 / 3)
    assert d["berger_parker"] == 0.5
    assert d["evenness"] == pytest.approx(1.5 / math.log2(3))


def test_zero_counts_are_absent_species():
    assert diversity([2, 0, 1, 1, 0]) == diversity([2, 1, 1])


def test_one_species_has_evenness_one_and_no_diversity():
    d = diversity([7])
    assert d["richness"] == 1 and d["shannon_bits"] == 0 and d["gini_simpson"] == 0
    assert d["hill_1"] == 1 and d["hill_2"] == 1 and d["berger_parker"] == 1
    assert d["evenness"] == 1.0  # the documented choice for S = 1 (not NaN)


def test_equal_counts_are_perfectly_even():
    d = diversity([5] * 8)
    assert d["shannon_bits"] == pytest.approx(3) and d["evenness"] == pytest.approx(1)
    assert np.allclose(hill_profile([5] * 8, [0, 0.5, 1, 2, 7, np.inf]), 8)


def test_hill_numbers_by_hand():
    p = np.array([0.5, 0.25, 0.25])
    assert hill_number([2, 1, 1], 0) == pytest.approx(3)
    assert hill_number([2, 1, 1], 0.5) == pytest.approx(np.sqrt(p).sum() ** 2)  # 2.9142...
    assert hill_number([2, 1, 1], 3) == pytest.approx((p**3).sum() ** -0.5)
    assert hill_number([2, 1, 1], np.inf) == pytest.approx(2)  # 1 / max p
    assert hill_number([2, 1, 1], -1) == pytest.approx(1 / (1 / p).sum() ** -0.5) \
        == pytest.approx(np.sqrt(10))


def test_hill_profile_is_non_increasing_with_the_right_limits():
    rng = np.random.default_rng(3)
    qs = np.r_[-2, 0, np.linspace(0.1, 0.9, 9), 1 - 1e-7, 1, 1 + 1e-7, np.linspace(1.1, 40, 30)]
    for _ in range(20):
        counts = rng.integers(0, 50, rng.integers(1, 40))
        counts[0] = 1 + counts[0]
        prof = hill_profile(counts, qs)
        assert np.all(np.diff(prof) <= 1e-9 * prof[:-1])
        d = diversity(counts)
        assert prof[1] == pytest.approx(d["richness"])
        assert prof[12] == pytest.approx(d["hill_1"], rel=1e-12)  # q = 1 exactly: 2^H
        assert prof[11] == pytest.approx(d["hill_1"], rel=1e-5)  # the limit from both sides
        assert prof[13] == pytest.approx(d["hill_1"], rel=1e-5)
        assert hill_number(counts, 2) == pytest.approx(d["hill_2"])
        assert hill_number(counts, 1e6) == pytest.approx(1 / d["berger_parker"], rel=1e-4)


@pytest.mark.parametrize("bad", [[], [0, 0], [-1, 2], [[1, 2]], [1, np.nan]])
def test_bad_counts_are_refused(bad):
    with pytest.raises(AlifeError, match="species counts"):
        diversity(bad)


# ---------------------------------------------------------------- species keys


def _program(text: bytes, fill: int = ord("x")) -> np.ndarray:
    return np.frombuffer(text.ljust(64, bytes([fill])), dtype=np.uint8)


def test_instruction_bytes_per_language():
    bff = instruction_mask("bff_noheads")
    assert set(np.flatnonzero(bff)) == set(b"<>{}+-.,[]")  # the loop-zero byte 0 is data
    forth = instruction_mask("forth")
    assert forth[0] and forth[0x0B] and not forth[0x0C] and forth[0x40] and forth[0xFF]
    assert instruction_mask("forthtrivial")[0x0C]  # copy0 exists only in the trivial variants
    assert instruction_mask("subleq").all() and instruction_mask("rsubleq4").all()
    for name in names():
        assert instruction_mask(name).shape == (256,)


def test_programs_differing_only_in_no_ops_share_a_skeleton():
    a = _program(b"ab[c<.d>]")
    b = _program(b"[<\x00\x00.>]zz", fill=0)
    c = _program(b"[<.>+]")  # one more command
    d = _program(b"]>.<[")  # same commands, other order
    programs = np.stack([a, b, c, d, a])
    labels, counts = species_labels(programs, "skeleton", "bff_noheads")
    assert labels.tolist() == [0, 0, 1, 2, 0] and counts.tolist() == [3, 1, 1]
    sk, length = skeletons(programs, "bff_noheads")
    assert bytes(sk[0, : length[0]]) == b"[<.>]" and length.tolist() == [5, 5, 6, 5, 5]
    exact, _ = species_labels(programs, "exact")
    assert exact.tolist() == [0, 1, 2, 3, 0]


def test_skeletons_of_different_lengths_never_merge():
    # forth: 0x00 (read0) is an instruction and 0x0C a no-op; a skeleton [0x00] must differ
    # from the empty skeleton even though both are zero when padded
    empty = np.full(64, 0x0C, dtype=np.uint8)
    one = empty.copy()
    one[10] = 0x00
    labels, counts = species_labels(np.stack([empty, one, one]), "skeleton", "forth")
    assert labels.tolist() == [0, 1, 1] and counts.tolist() == [1, 2]
    # in forthtrivial 0x0C is copy0, so both programs are all instructions and differ
    assert species_labels(np.stack([empty, one]), "skeleton", "forthtrivial")[1].tolist() == [1, 1]


def test_subleq_skeleton_is_the_whole_program():
    rng = np.random.default_rng(0)
    programs = rng.integers(0, 4, (300, 64), dtype=np.uint8)
    programs[1::2, 5:] = programs[0, 5:]
    for language in ("subleq", "rsubleq4"):
        sk_labels, _ = species_labels(programs, "skeleton", language)
        ex_labels, _ = species_labels(programs, "exact")
        assert np.array_equal(sk_labels, ex_labels)


def test_exact_labels_match_species_counts_in_order_of_first_appearance():
    rng = np.random.default_rng(1)
    programs = rng.integers(0, 256, (3000, 64), dtype=np.uint8)
    programs[rng.integers(0, 3000, 1500)] = programs[rng.integers(0, 30, 1500)]
    labels, counts = species_labels(programs, "exact")
    first, ref_counts = species_counts(programs)
    assert np.array_equal(counts, ref_counts)
    assert np.array_equal(labels[first], np.arange(len(first)))
    assert np.array_equal(programs, programs[first][labels])


def test_unknown_key_and_bad_radius_are_refused():
    programs = np.zeros((4, 64), dtype=np.uint8)
    with pytest.raises(AlifeError, match="exact, skeleton, hamming"):
        species_labels(programs, "lineage")
    with pytest.raises(AlifeError, match="radius"):
        species_labels(programs, "hamming", radius=64)
    with pytest.raises(AlifeError, match="P a multiple of 8"):
        species_labels(np.zeros((4, 12), dtype=np.uint8))
    with pytest.raises(AlifeError, match="unknown language"):
        species_labels(programs, "skeleton", "bf")


# ---------------------------------------------------------------- Hamming clusters


def _mutant(base: np.ndarray, positions: list[int]) -> np.ndarray:
    out = base.copy()
    out[positions] ^= 0xFF
    return out


def test_distance_exactly_the_radius_joins_and_one_more_does_not():
    base = np.arange(64, dtype=np.uint8)
    near = _mutant(base, [0, 63])  # distance 2
    far = _mutant(base, [1, 30, 62])  # distance 3 from base, 5 from near
    programs = np.stack([base, base, near, far])
    labels, counts = species_labels(programs, "hamming", radius=2)
    assert labels.tolist() == [0, 0, 0, 1] and counts.tolist() == [3, 1]
    labels, counts = species_labels(programs, "hamming", radius=3)
    assert labels.tolist() == [0, 0, 0, 0] and counts.tolist() == [4]
    labels, _ = species_labels(programs, "hamming", radius=0)
    assert labels.tolist() == [0, 0, 1, 2]


def test_greedy_order_is_by_count_then_first_in_soup():
    base = np.zeros(64, dtype=np.uint8)
    a = base
    b = _mutant(base, [0, 1])  # d(a, b) = 2
    c = _mutant(base, [0, 1, 2, 3])  # d(b, c) = 2, d(a, c) = 4
    # a and b tie at 2 copies; a is first in the soup, so a leads, b joins a and c is alone
    labels, counts = species_labels(np.stack([a, b, c, b, a]), "hamming", radius=2)
    assert labels.tolist() == [0, 0, 1, 0, 0] and counts.tolist() == [4, 1]
    # with b the most common, b leads and takes both a and c
    labels, counts = species_labels(np.stack([a, b, c, b, a, b]), "hamming", radius=2)
    assert labels.tolist() == [0] * 6 and counts.tolist() == [6]


def test_a_species_joins_the_first_created_leader_within_the_radius():
    base = np.zeros(64, dtype=np.uint8)
    lead1 = _mutant(base, [10, 11])  # d(lead1, lead2) = 4: two clusters
    lead2 = _mutant(base, [20, 21])
    z = base  # within 2 of both leaders
    programs = np.stack([z] + [lead2] * 4 + [lead1] * 5)
    reps, counts = programs[[0, 1, 5]], np.array([1, 4, 5])
    cluster = hamming_clusters(reps, counts, 2)
    assert cluster.tolist() == [0, 1, 0]  # z joins lead1, created before lead2
    labels, counts = species_labels(programs, "hamming", radius=2)
    assert labels.tolist() == [0] + [1] * 4 + [0] * 5 and counts.tolist() == [6, 4]


def _brute_force_hamming(programs: np.ndarray, radius: int) -> np.ndarray:
    """All-pairs greedy clustering, written independently of the module."""
    first_of: dict[bytes, int] = {}
    count: dict[bytes, int] = {}
    for i, p in enumerate(programs):
        first_of.setdefault(p.tobytes(), i)
        count[p.tobytes()] = count.get(p.tobytes(), 0) + 1
    species = sorted(first_of, key=lambda k: (-count[k], first_of[k]))
    leaders: list[bytes] = []
    leader_of: dict[bytes, int] = {}
    for k in species:
        for n, lead in enumerate(leaders):
            if sum(x != y for x, y in zip(k, lead, strict=True)) <= radius:
                leader_of[k] = n
                break
        else:
            leader_of[k] = len(leaders)
            leaders.append(k)
    raw = [leader_of[p.tobytes()] for p in programs]
    relabel: dict[int, int] = {}
    return np.array([relabel.setdefault(c, len(relabel)) for c in raw])


@pytest.mark.parametrize("radius", [0, 1, 2, 3, 5, 9])
def test_hamming_clusters_equal_the_all_pairs_greedy_reference(radius):
    rng = np.random.default_rng(radius)
    parents = rng.integers(0, 4, (8, 64), dtype=np.uint8)
    programs = parents[rng.integers(0, 8, 400)]
    for i in range(len(programs)):
        k = rng.integers(0, 2 * radius + 3)
        programs[i, rng.choice(64, k, replace=False)] = rng.integers(0, 4, k)
    labels, counts = species_labels(programs, "hamming", radius=radius)
    expected = _brute_force_hamming(programs, radius)
    assert np.array_equal(labels, expected)
    assert np.array_equal(counts, np.bincount(expected))
    assert 1 < len(counts) < len(np.unique(programs, axis=0)) or radius == 0


def test_soup_diversity_records_its_key():
    programs = Soup(language="bff_noheads", num_programs=512, seed=0).programs.copy()
    programs[:100] = programs[0]
    exact = soup_diversity(programs, "bff_noheads", "exact")
    assert exact == {f"exact_{k}": v for k, v in
                     diversity(species_labels(programs, "exact")[1]).items()}
    assert exact["exact_richness"] == 512 - 99
    ham = soup_diversity(programs, "bff_noheads", "hamming", radius=3)
    assert set(ham) == {f"hamming3_{k}" for k in diversity([1])}
    skel = soup_diversity(programs, "bff_noheads", "skeleton")
    assert skel["skeleton_richness"] < exact["exact_richness"]


# ---------------------------------------------------------------- MODES


def test_instruction_counts_by_hand():
    programs = np.stack([_program(b"[<.>]", fill=0), _program(b"ab+-q", fill=ord(",")),
                         np.zeros(64, dtype=np.uint8)])
    assert instruction_counts(programs, "bff_noheads").tolist() == [5, 61, 0]
    assert instruction_counts(programs, "subleq").tolist() == [64, 64, 64]
    forth = np.full((1, 64), 0x0C, dtype=np.uint8)
    forth[0, :3] = [0x00, 0x45, 0x81]  # read0, push 5, jump
    assert instruction_counts(forth, "forth").tolist() == [3]
    assert instruction_counts(forth, "forthtrivial").tolist() == [64]


A, B, C, D = (np.uint64(x) for x in (11, 22, 33, 44))
COMPLEXITY = {A: 5, B: 2, C: 7, D: 9}


def _observe(tracker: ModesTracker, epoch: int, present: dict) -> dict:
    hashes = np.array(list(present), dtype=np.uint64)
    return tracker.update(epoch, hashes, np.array(list(present.values())),
                          np.array([COMPLEXITY[h] for h in present]))


def test_modes_on_a_hand_made_sequence():
    t = ModesTracker(persistence=2)
    r = _observe(t, 0, {A: 3, B: 1})
    assert all(math.isnan(v) for v in r.values())  # nothing at or before epoch -2
    r = _observe(t, 1, {A: 2, C: 2})
    assert all(math.isnan(v) for v in r.values())
    # epoch 2 looks back to epoch 0 {A, B}: A and B persist; both are change and novelty
    r = _observe(t, 2, {A: 1, B: 1, C: 2})
    assert r == {"modes_change": 2, "modes_novelty": 2, "modes_ecology": 1.0,
                 "modes_complexity": 5, "modes_persistent": 2}
    # epoch 4 looks back to epoch 2 {A, B, C}: B, C persist; C is new to the persistent set
    r = _observe(t, 4, {C: 3, B: 1})
    h = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))  # 0.8113 bits
    assert r == pytest.approx({"modes_change": 1, "modes_novelty": 1, "modes_ecology": h,
                               "modes_complexity": 7, "modes_persistent": 2})
    # epoch 5 looks back to epoch 2 (the latest at or before 3): A and B persist; A is change
    # (not persistent at epoch 4) but not novelty (persistent at epoch 2)
    r = _observe(t, 5, {A: 2, B: 2})
    assert r == {"modes_change": 1, "modes_novelty": 0, "modes_ecology": 1.0,
                 "modes_complexity": 5, "modes_persistent": 2}
    # epoch 9 looks back to epoch 5 {A, B}: D alone is present, so nothing persists
    r = _observe(t, 9, {D: 4})
    assert r == {"modes_change": 0, "modes_novelty": 0, "modes_ecology": 0.0,
                 "modes_complexity": 0, "modes_persistent": 0}
    assert t.held_epochs == [5, 9]  # older observations are dropped


def test_modes_equals_the_definition_on_random_observations():
    rng = np.random.default_rng(7)
    persistence = 5
    tracker = ModesTracker(persistence)
    history: list[tuple[int, set]] = []
    previous: set = set()
    ever: set = set()
    epoch = 0
    for _ in range(60):
        epoch += int(rng.integers(1, 4))
        present = {int(x): int(rng.integers(1, 9)) for x in rng.choice(40, 15, replace=False)}
        cx = {k: k % 13 for k in present}
        r = tracker.update(epoch, np.array(list(present), dtype=np.uint64),
                           np.array(list(present.values())), np.array(list(cx.values())))
        past = [s for e, s in history if e <= epoch - persistence]
        history.append((epoch, set(present)))
        if not past:
            assert math.isnan(r["modes_change"])
            continue
        persistent = set(present) & past[-1]
        n = sum(present[k] for k in persistent)
        h = -sum(present[k] / n * math.log2(present[k] / n) for k in persistent)
        assert r == pytest.approx({
            "modes_change": len(persistent - previous), "modes_novelty": len(persistent - ever),
            "modes_ecology": h, "modes_complexity": max((cx[k] for k in persistent), default=0),
            "modes_persistent": len(persistent)})
        previous, ever = persistent, ever | persistent
        assert len(tracker.held_epochs) <= persistence + 1


def test_modes_merges_repeated_hashes_and_refuses_time_travel():
    t = ModesTracker(0)
    r = t.update(0, np.array([A, A, B], dtype=np.uint64), [1, 2, 1], [5, 6, 2])
    assert r["modes_persistent"] == 2 and r["modes_complexity"] == 6
    assert r["modes_ecology"] == pytest.approx(-(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)))
    with pytest.raises(AlifeError, match="increasing epochs"):
        t.update(0, np.array([A], dtype=np.uint64), [1], [1])
    with pytest.raises(AlifeError, match="persistence"):
        ModesTracker(-1)


def test_modes_inputs_of_a_soup():
    programs = Soup(language="bff_noheads", num_programs=256, seed=2).programs.copy()
    programs[10:20] = programs[3]
    hashes, counts, cx = modes_inputs(programs, "bff_noheads")
    first, ref_counts = species_counts(programs)
    assert np.array_equal(counts, ref_counts) and counts.sum() == 256
    assert np.array_equal(hashes, row_hashes(np.ascontiguousarray(programs[first])))
    assert np.array_equal(cx, instruction_counts(programs[first], "bff_noheads"))
