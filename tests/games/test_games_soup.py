"""Empirical games between soup species: the compiled kernel, its antisymmetry, and the paper's
emerged bff_noheads soup (seed 0), whose replicators play a null game."""

from __future__ import annotations

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.games import (
    first_mover_advantage,
    game_from_outcomes,
    game_summary,
    interaction_outcomes,
    outcomes_from_function,
    soup_species_game,
    species_frequencies,
    species_game,
)
from alife.languages import get
from alife.languages.text import parse
from alife.soup.checkpoint import read_dat

EMERGED = "emerged/bff_noheads_seed0_epoch3072.dat.gz"


def _reference_outcome(lang, gi, gj, match):
    """i's score minus j's for the run gi|gj, with the pure loop of the docstring."""
    tape = get(lang).run(np.r_[gi, gj]).tape
    total = 0.0
    for h in (tape[:64], tape[64:]):
        si, sj = int((h == gi).sum()), int((h == gj).sum())
        if match == "bytes":
            total += (si - sj) / 64
        elif match == "mirror":
            total += (si == 64 or bytes(h) == bytes(gi[::-1])) - \
                (sj == 64 or bytes(h) == bytes(gj[::-1]))
        else:
            total += (si == 64) - (sj == 64)
    return total


def _programs(seed, k):
    """Random programs plus a known bff replicator and its partner, so copies happen."""
    rng = np.random.default_rng(seed)
    progs = rng.integers(0, 256, (k, 64), dtype=np.uint8)
    rep = np.frombuffer(parse("bff", "[[{.>]-]                                                ]]")
                        [:64].ljust(64, b"\0"), dtype=np.uint8)
    progs[0] = rep
    return progs


@pytest.mark.parametrize("match", ["exact", "bytes", "mirror"])
@pytest.mark.parametrize("lang", ["bff", "bff_noheads"])
def test_kernel_matches_a_python_loop_over_pairs(match, lang):
    progs = _programs(1, 5)
    out = interaction_outcomes(progs, lang, match=match)
    for i in range(5):
        for j in range(5):
            if i != j:
                assert out[i, j, 0, 0] == pytest.approx(
                    _reference_outcome(lang, progs[i], progs[j], match))
                assert out[i, j, 0, 1] == pytest.approx(
                    -_reference_outcome(lang, progs[j], progs[i], match))


def test_payoffs_are_antisymmetric_and_mutation_samples_are_deterministic(threads):
    progs = _programs(2, 6)
    threads(1)
    one = species_game(progs, "bff", mutation_prob=0.05, samples=8, seed=3, match="bytes")
    threads(2)
    two = species_game(progs, "bff", mutation_prob=0.05, samples=8, seed=3, match="bytes")
    assert np.array_equal(one.payoff, two.payoff)
    assert np.array_equal(one.payoff, -one.payoff.T)
    assert one.counts[0, 1] == 8 and one.counts[0, 0] == 0
    assert one.stderr.max() > 0  # mutation makes samples differ
    other = species_game(progs, "bff", mutation_prob=0.05, samples=8, seed=4, match="bytes")
    assert not np.array_equal(one.payoff, other.payoff)
    clean = species_game(progs, "bff", match="bytes")
    assert clean.stderr.max() == 0 and np.all(np.abs(clean.payoff) <= 2)


def test_a_generic_outcome_function_builds_the_same_game():
    progs = _programs(3, 4)
    direct = interaction_outcomes(progs, "bff", match="bytes")
    generic = outcomes_from_function(
        lambda i, j, s: _reference_outcome("bff", progs[i], progs[j], "bytes"), 4)
    assert np.allclose(direct, generic)
    assert np.allclose(game_from_outcomes(generic).payoff, species_game(
        progs, "bff", match="bytes").payoff)


def test_species_frequencies_count_exact_copies():
    progs = _programs(4, 3)
    soup = progs[[0, 1, 1, 2, 2, 2, 0]]
    absent = np.full((1, 64), 7, dtype=np.uint8)
    assert species_frequencies(soup, np.r_[progs, absent]).tolist() == [2, 2, 3, 0]


def test_emerged_soup_replicators_play_a_null_game(conformance):
    """In the emerged soup whoever runs first copies itself (mirrored) over its partner, so in
    every pair of the top species each side wins its own order: the exact game is 0."""
    soup = read_dat(conformance / EMERGED).programs
    game, keys, counts = soup_species_game(soup, 8)
    assert counts.tolist()[:3] == [135, 135, 102]
    assert np.array_equal(keys[1], keys[0][::-1])  # the top two are each other's mirror
    assert np.all(game.payoff == 0)
    out = interaction_outcomes(keys)
    assert out[0, 2, 0, 0] == 1 and out[0, 2, 0, 1] == -1  # first mover: itself + its mirror
    assert out[0, 1, 0, 0] == 0  # 0 first writes 1: one copy each
    assert first_mover_advantage(out) > 0.8 and first_mover_advantage(out[:1, :1]) == 0
    mirror = interaction_outcomes(keys, match="mirror")
    assert np.all(mirror[..., 0].sum(axis=(1, 2)) > 0) and np.all(mirror.mean(axis=3) == 0)
    graded = species_game(keys, match="bytes")
    s = game_summary(graded)
    assert s["cyclic_fraction"] < 0.05 and s["three_cycles"] == 0  # near-copies: transitive


def test_bad_species_game_input_is_refused():
    with pytest.raises(AlifeError, match="program_size': 10 does not run in bff_noheads"):
        species_game(np.zeros((3, 10), dtype=np.uint8))
    with pytest.raises(AlifeError, match="k x P"):
        species_game(np.zeros(10, dtype=np.uint8))
    with pytest.raises(AlifeError, match="match"):
        species_game(np.zeros((2, 64), dtype=np.uint8), match="fuzzy")
    with pytest.raises(AlifeError, match="language"):
        species_game(np.zeros((2, 64), dtype=np.uint8), "cobol")
    with pytest.raises(AlifeError, match="samples"):
        species_game(np.zeros((2, 64), dtype=np.uint8), samples=0)
