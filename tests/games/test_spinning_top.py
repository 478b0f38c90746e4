"""Game tables, spinning-top profiles and fixed-memory fictitious play (Czarnecki et al. 2020)."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.games import (
    blotto_allocations,
    blotto_table,
    fixed_memory_fictitious_play,
    kuhn_table,
    layered_cycle_game,
    relative_population_performance,
    spinning_top_profile,
)
from alife.games.tables import _kuhn_seat_payoffs


def test_blotto_enumerates_every_allocation_and_scores_fields_won():
    x = blotto_allocations(3, 20)
    assert x.shape == (comb(22, 2), 3)
    assert (x.sum(axis=1) == 20).all() and len({tuple(r) for r in x}) == len(x)
    a, labels = blotto_table(3, 4)
    i, j, k = labels.index("2-2-0"), labels.index("0-1-3"), labels.index("1-2-1")
    assert a[i, j] == 1.0  # wins fields 1 and 2, loses field 3
    assert a[j, i] == -1.0
    assert a[i, k] == 0.0  # wins field 1, ties field 2, loses field 3
    assert np.array_equal(a, -a.T)
    with pytest.raises(AlifeError, match="fields >= 2"):
        blotto_allocations(1, 3)


def test_kuhn_poker_has_its_known_value_and_a_symmetric_table():
    """Kuhn poker's first seat loses 1/18 chip per hand at equilibrium (Kuhn 1950)."""
    u = _kuhn_seat_payoffs()
    assert relative_population_performance(u) == pytest.approx(-1 / 18, abs=1e-9)
    # always bet against always fold: the first seat wins the ante on every deal
    assert u[0b000111, 0b000000] == pytest.approx(1.0)
    a, labels = kuhn_table()
    assert a.shape == (4096, 4096) and np.array_equal(a, -a.T)
    assert labels[0] == "kkkfff/kkkfff" and labels[-1] == "bbbccc/bbbccc"
    # in both seats at once the symmetrised payoff of (p, q) against (p', q') averages the seats
    p, q, p2, q2 = 7, 0, 0, 63
    assert a[p * 64 + q, p2 * 64 + q2] == pytest.approx(0.5 * (u[p, q2] - u[p2, q]))


def test_the_profile_of_a_layered_game_finds_its_layers_top_first():
    widths = [1, 3, 5, 3, 1]
    prof = spinning_top_profile(layered_cycle_game(widths))
    assert prof.sizes.tolist() == widths and prof.widest == 5
    bounds = np.cumsum([0, *widths])
    for k, c in enumerate(prof.clusters):
        assert c.tolist() == list(range(bounds[k], bounds[k + 1]))
    assert np.all(np.diff(prof.strength) < 0)  # the top cluster is the strongest
    assert prof.layer_of.tolist() == [k for k, w in enumerate(widths) for _ in range(w)]
    with pytest.raises(AlifeError, match="odd"):
        layered_cycle_game([2])


def test_a_population_smaller_than_the_widest_cluster_stalls_and_a_wide_enough_one_climbs():
    """Layers 1, 3, 5, 3, 1: started in the lower 3-cycle, populations of 1 or 2 never leave it;
    started in the 5-cycle, 3 or 4 never leave it; 5 or more (the widest cluster) climb from
    there to the top from every seed (Czarnecki et al. 2020)."""
    a = layered_cycle_game([1, 3, 5, 3, 1])
    layer = spinning_top_profile(a).layer_of

    def best(memory: int, start: int) -> list[int]:
        return [int(layer[fixed_memory_fictitious_play(a, memory, 60, start, seed=s)
                          .population].min()) for s in range(8)]

    assert layer[9] == 3 and layer[4] == 2
    for memory in (1, 2):
        assert best(memory, 9) == [3] * 8
    for memory in (3, 4):
        assert best(memory, 4) == [2] * 8
        assert best(memory, 9) != [3] * 8  # wide enough for the 3-cycle
    for memory in (5, 7):
        assert best(memory, 4) == [0] * 8
    run = fixed_memory_fictitious_play(a, 5, 60, 12, seed=0)
    assert run.exploitability == pytest.approx(0.0, abs=1e-9)  # the top strategy alone
    assert run.responses[0] == 12 and len(run.responses) == 61


def test_fixed_memory_fictitious_play_is_seeded_and_checks_its_arguments():
    a, _ = blotto_table(3, 6)
    one = fixed_memory_fictitious_play(a, 4, 30, 0, seed=3)
    two = fixed_memory_fictitious_play(a, 4, 30, 0, seed=3)
    assert np.array_equal(one.responses, two.responses)
    uniform = fixed_memory_fictitious_play(a, 4, 30, 0, seed=3, meta="uniform")
    assert len(uniform.population) == 4
    with pytest.raises(AlifeError, match="memory >= 1"):
        fixed_memory_fictitious_play(a, 0, 3, 0)
    with pytest.raises(AlifeError, match="meta-mixture"):
        fixed_memory_fictitious_play(a, 2, 3, 0, meta="best")
