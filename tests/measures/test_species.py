"""Species counts (identical programs) are exact, hash collisions included."""

from __future__ import annotations

import numpy as np

import alife.measures.species as species
from alife import Soup


def _exact(programs):
    rows = np.ascontiguousarray(programs).view(np.dtype((np.void, 64))).ravel()
    _, first, counts = np.unique(rows, return_index=True, return_counts=True)
    order = np.argsort(first)
    return first[order], counts[order]


def _soup_with_repeats(seed):
    rng = np.random.default_rng(seed)
    programs = rng.integers(0, 256, (2000, 64), dtype=np.uint8)
    programs[rng.integers(0, 2000, 900)] = programs[rng.integers(0, 40, 900)]
    return programs


def test_counts_equal_an_exact_sort_of_the_rows():
    for seed in range(3):
        programs = _soup_with_repeats(seed)
        first, counts = species.species_counts(programs)
        ref_first, ref_counts = _exact(programs)
        assert np.array_equal(first, ref_first) and np.array_equal(counts, ref_counts)
        assert species.richness(programs) == len(ref_counts)


def test_a_hash_collision_falls_back_to_exact_grouping(monkeypatch):
    programs = _soup_with_repeats(5)
    monkeypatch.setattr(species, "row_hashes", lambda p: np.zeros(len(p), dtype=np.uint64))
    first, counts = species.species_counts(programs)
    ref_first, ref_counts = _exact(programs)
    assert np.array_equal(first, ref_first) and np.array_equal(counts, ref_counts)


def test_top_species_and_metrics_agree(conformance):
    soup = Soup.from_checkpoint(conformance / "emerged/bff_noheads_seed0_epoch3072.dat.gz",
                                language="bff_noheads", seed=0)
    keys, counts = species.top_species(soup.programs, 3)
    assert counts.tolist() == [135, 135, 102]
    assert [bytes(k) for k in keys] == [p for p, _ in soup.most_common(3)]
    m = soup.metrics(score_sample=0)
    _, all_counts = _exact(soup.programs)
    share = all_counts / all_counts.sum()
    assert m["richness"] == len(all_counts)
    assert abs(m["shannon_bits"] - float(-(share * np.log2(share)).sum())) < 1e-9
