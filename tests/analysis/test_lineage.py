"""Lineages and phylogenies from tracer tokens, checked against replays and phylotrackpy."""

from __future__ import annotations

import csv

import numpy as np
import phylotrackpy.systematics as systematics
import pytest

from alife.analysis.lineage import (
    Pairings,
    Phylogeny,
    ancestry,
    phylogeny,
    phylogeny_metrics,
)
from alife.analysis.provenance import first_entry, locate_replicator, rebuild_registry
from alife.errors import AlifeError
from alife.history import History
from alife.run.lineage import lineage_rows, soup_at, species_observations, write_phylogeny_csv
from alife.run.session import start_run
from alife.soup import Soup
from alife.soup.pairing import shuffle_order
from alife.soup.tracer import token_origin
from alife.world import load_world, make_world


@pytest.fixture(scope="module")
def seeded_run(tmp_path_factory):
    """A small soup seeded with a replicator, run with tracer tokens and lineage."""
    world = load_world("worlds/bff_noheads_seeded.toml", {
        "num_programs": 4096, "epochs": 240, "until": "", "report_every": 16,
        "snapshot_every": 64, "tracer_tokens": True, "lineage": True, "score_sample": 0})
    path = tmp_path_factory.mktemp("lineage") / "seeded.h5"
    start_run(world, path, alife_version="test")
    return path


def test_pairings_match_the_kernel_shuffle() -> None:
    world = make_world({"num_programs": 64, "seed": 9})
    order = np.empty(64, dtype=np.int64)
    shuffle_order(64, np.uint64(9), 5, order, np.empty(64, dtype=np.int64))
    partner = Pairings(world).partner(5)
    for k in range(32):
        a, b = order[2 * k], order[2 * k + 1]
        assert partner[a] == b and partner[b] == a


def test_spatial_partners_are_grid_neighbours() -> None:
    world = make_world({"num_programs": 16 * 8, "grid": [16, 8], "seed": 1})
    partner = Pairings(world).partner(3)
    assert np.array_equal(partner[partner], np.arange(128))
    # executed pairs sit within Chebyshev distance 2; dummy pairs may not, so count the close
    x, y = np.arange(128) % 16, np.arange(128) // 16
    close = np.maximum(abs(x - x[partner]), abs(y - y[partner])) <= 2
    assert close.mean() > 0.5


@pytest.mark.slow
def test_lineage_bits_follow_majority_provenance(seeded_run) -> None:
    """For every birth in a few epochs, the child's bytes mostly carry tokens the parent held
    before the epoch; for the others, most carry the program's own earlier tokens."""
    with History(seeded_run) as h:
        pairings = Pairings(h.world)
        for e in (40, 41, 120):
            before = soup_at(h, e)
            after = soup_at(h, e + 1)
            bits = h.lineage(e, e + 1)[0]
            partner = pairings.partner(e)
            births = np.flatnonzero(bits)
            assert len(births) > 0
            for p in births[:50]:
                q = partner[p]
                child = token_origin(after.tokens[p])
                from_parent = np.isin(child, token_origin(before.tokens[q])).sum()
                from_self = np.isin(child, token_origin(before.tokens[p])).sum()
                assert from_parent > from_self
            for p in np.flatnonzero(bits == 0)[:200]:
                q = partner[p]
                child = token_origin(after.tokens[p])
                assert np.isin(child, token_origin(before.tokens[p])).sum() >= \
                    np.isin(child, token_origin(before.tokens[q])).sum()


@pytest.mark.slow
def test_ancestry_walks_back_through_births(seeded_run) -> None:
    with History(seeded_run) as h:
        last = h.lineage_range()[1]
        anc = ancestry(h.world, lineage_rows(h), 100, last)
        assert anc.position[-1] == 100 and len(anc.position) == last + 1
        pairings = Pairings(h.world)
        for e, parent, child in anc.births:
            assert pairings.partner(e)[child] == parent
            assert anc.position[e - anc.start] == parent
            assert anc.position[e + 1 - anc.start] == child
        # between births the lineage stays put
        moves = np.flatnonzero(np.diff(anc.position))
        assert len(moves) == len(anc.births)


@pytest.mark.slow
def test_first_replicator_is_made_of_the_seeded_bytes(seeded_run) -> None:
    """The seeded replicator spreads; the first registered copy's tokens come from the seeded
    programs (0-7) of the initial soup, and its line of descent leads back to one of them."""
    with History(seeded_run) as h:
        entry = first_entry(h.registry(), min_score=48)
        assert entry is not None
        soup = soup_at(h, int(entry["first_epoch"]))
        first = locate_replicator(entry, soup.programs, soup.tokens)
        assert first.score >= 48
        s = first.summary()
        assert s["bytes_from_initial_soup"] >= 60
        assert (first.origin_programs < 8).mean() > 0.9
        anc = ancestry(h.world, lineage_rows(h, 0, first.epoch), first.index, first.epoch)
        assert anc.founder < 8


@pytest.mark.slow
def test_registry_rebuilt_at_the_stored_share_is_the_stored_registry(seeded_run) -> None:
    """The registry is a function of the stored species observations: rebuilt at the world's
    share it equals the stored one, and a higher share keeps a subset of its programs."""
    with History(seeded_run) as h:
        stored = h.registry()
        observations = species_observations(h)
        same = rebuild_registry(h.world, observations, h.world.registry_share)
        higher = rebuild_registry(h.world, observations, 2 * h.world.registry_share)
    assert len(stored) > 0 and np.array_equal(same, stored)
    assert {bytes(p) for p in higher["program"]} <= {bytes(p) for p in stored["program"]}


def test_lineage_rows_must_cover_the_walk() -> None:
    """Rows that skip an epoch or stop short are an error, not a shorter lineage."""
    world = make_world({"num_programs": 64, "seed": 9})
    zero = np.zeros(64, dtype=np.uint8)
    with pytest.raises(AlifeError, match="out of order"):
        ancestry(world, [(9, zero), (7, zero)], 0, 10)
    with pytest.raises(AlifeError, match="end before epoch 0"):
        phylogeny(world, [(9, zero), (8, zero)], np.arange(4), 10)


@pytest.mark.slow
def test_phylogeny_csv_loads_in_phylotrackpy(seeded_run, tmp_path) -> None:
    """The exported tree is valid ALife Data Standards CSV: every ancestor exists, and
    phylotrackpy (a standard reader) finds the same taxa and metrics."""
    with History(seeded_run) as h:
        end = h.lineage_range()[1]
        tree = phylogeny(h.world, lineage_rows(h), np.arange(0, 4096, 32), end)
    path = write_phylogeny_csv(tree, tmp_path / "p.csv")
    rows = list(csv.DictReader(open(path)))
    ids = {r["id"] for r in rows}
    for r in rows:
        a = r["ancestor_list"].strip("[]")
        assert a == "NONE" or a in ids
    assert sum(r["sampled"] == "True" for r in rows) == 128
    assert all(r["extant"] == "True" for r in rows if r["sampled"] == "True")
    assert all((r["destruction_time"] == "inf") == (r["extant"] == "True") for r in rows)
    _compare_with_phylotrackpy(tree, path)


def _compare_with_phylotrackpy(tree: Phylogeny, path) -> None:
    sy = systematics.Systematics(lambda x: x)
    sy.load_from_file(str(path), "program", False)
    m = phylogeny_metrics(tree)
    assert sy.get_num_taxa() == len(tree)
    assert sy.get_num_active() == m["leaves"]
    assert sy.mrca_depth() == (-1 if m["mrca_depth"] is None else m["mrca_depth"])
    assert sy.get_phylogenetic_diversity() == m["pd_edges"]
    if m["leaves"] > 1 and np.isfinite(m["pairwise_mean"]):
        assert sy.get_mean_pairwise_distance(False) == pytest.approx(m["pairwise_mean"])
    if np.isfinite(m["pairwise_var"]):
        assert sy.get_variance_pairwise_distance(False) == pytest.approx(m["pairwise_var"])


def test_phylogeny_metrics_match_phylotrackpy_on_random_trees(tmp_path) -> None:
    rng = np.random.default_rng(7)
    for trial in range(60):
        n = int(rng.integers(2, 40))
        roots = 1 if trial % 3 else 2
        anc = np.full(n, -1)
        orig = np.zeros(n, dtype=np.int64)
        for i in range(roots, n):
            anc[i] = rng.integers(0, i)
            orig[i] = orig[anc[i]] + rng.integers(1, 5)
        has_child = np.zeros(n, dtype=bool)
        has_child[anc[anc >= 0]] = True
        extant = ~has_child | (rng.random(n) < 0.1)  # some ancestors still alive too
        keep = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(extant):
            a = i
            while a >= 0 and not keep[a]:
                keep[a] = True
                a = anc[a]
        idx = np.flatnonzero(keep)
        remap = np.full(n, -1)
        remap[idx] = np.arange(len(idx))
        tree = Phylogeny(0, 100, np.where(anc[idx] >= 0, remap[np.maximum(anc[idx], 0)], -1),
                         orig[idx], np.where(extant[idx], -1, 60), idx, extant[idx])
        path = write_phylogeny_csv(tree, tmp_path / f"t{trial}.csv")
        _compare_with_phylotrackpy(tree, path)


def test_hand_tree_metrics() -> None:
    """0 -> 1 -> {3, 4}, 0 -> 2; leaves 2, 3, 4 extant: distances 3, 3, 2."""
    tree = Phylogeny(0, 10, np.array([-1, 0, 0, 1, 1]), np.array([0, 2, 3, 5, 6]),
                     np.array([4, 7, -1, -1, -1]), np.arange(5),
                     np.array([False, False, True, True, True]))
    m = phylogeny_metrics(tree)
    assert m["mrca_depth"] == 0 and m["mrca_time"] == 0
    assert m["pd_edges"] == 4
    assert m["pd_epochs"] == 2 + 3 + 3 + 4  # branch lengths 0-1, 0-2, 1-3, 1-4
    assert m["pairwise_mean"] == pytest.approx(8 / 3)
    assert m["pairwise_var"] == pytest.approx(1 / 3)  # sample variance of (3, 3, 2)


@pytest.mark.slow
def test_soup_at_replays_exactly(seeded_run) -> None:
    with History(seeded_run) as h:
        replayed = soup_at(h, 100)
        direct = Soup(h.world).run(100)
        assert np.array_equal(replayed.programs, direct.programs)
        assert np.array_equal(replayed.tokens, direct.tokens)


@pytest.mark.parametrize("epoch", [4, 5])
def test_pairings_follow_the_ring_mode(epoch):
    """Lineage walks re-derive the pairs of a ``ring`` soup as the kernel forms them."""
    world = make_world({"num_programs": 8, "pairing": "ring"})
    partner = Pairings(world).partner(epoch)
    if epoch % 2:
        assert partner.tolist() == [1, 0, 3, 2, 5, 4, 7, 6]
    else:  # (7, 0), (1, 2), (3, 4), (5, 6)
        assert partner.tolist() == [7, 2, 1, 4, 3, 6, 5, 0]


def test_first_entry_keeps_the_registrys_program_size():
    """A 16-byte registry (Z80, 8080 worlds) is read as such, not as 64-byte entries."""
    from alife.measures.replicators import entry_dtype

    entries = np.zeros(3, dtype=entry_dtype(16))
    entries["program"][1] = 0x11
    entries["score"] = [4, 13, 16]
    entries["first_epoch"] = [5, 9, 7]
    best = first_entry(entries, 12)
    assert best["program"].tobytes() == bytes(16) and best["first_epoch"] == 7
    assert first_entry(entries, 17) is None
