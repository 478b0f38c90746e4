"""Tracer tokens and lineage in zff soups (Z80 and 8080): the bytes are the untraced engine's,
tokens follow the twin's provenance, pairings are redrawn from the seed, and a traced run
resumes bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from alife.analysis.lineage import Pairings, ancestry
from alife.history import History
from alife.languages import CREATED
from alife.languages.pure import run_py_traced
from alife.run.lineage import lineage_rows
from alife.run.session import resume_run, start_run
from alife.soup import Soup
from alife.soup.tracer import init_tokens, make_token, token_epoch, token_value, with_value
from alife.soup.zff import CELLS, BatchPairs
from alife.world import load_world

WORLDS = {"z80": "worlds/z80_2d.toml", "i8080": "worlds/i8080_2d.toml"}


def _world(cpu: str, **keys):
    return load_world(WORLDS[cpu], {"tracer_tokens": True, "lineage": True, **keys})


@pytest.mark.parametrize("randomness", ["zff", "hash"])
@pytest.mark.parametrize("cpu", ["z80", "i8080"])
def test_tokens_change_no_byte_and_ride_on_their_bytes(cpu, randomness):
    plain = Soup(load_world(WORLDS[cpu], {"randomness": randomness})).run(4)
    traced = Soup(_world(cpu, randomness=randomness)).run(2).run(2)
    assert np.array_equal(plain.programs, traced.programs)
    assert plain.total_ops == traced.total_ops and plain.reset_index == traced.reset_index
    assert np.array_equal(token_value(traced.tokens), traced.programs)
    made = np.bincount(token_epoch(traced.tokens).ravel(), minlength=5)
    assert made[0] > 0 and all(made[1:5] > 0)  # noise and the CPUs make bytes every batch


@pytest.mark.parametrize("cpu", ["z80", "i8080"])
def test_tokens_of_a_batch_are_the_twins_provenance(cpu):
    """With no noise, every pair's tokens after one batch are what the pure-Python CPU twin's
    provenance gives (checked on the first 40 pairs drawn)."""
    world = _world(cpu, noise=0.0)
    soup = Soup(world)
    before = soup.programs.reshape(-1).copy()
    tokens0 = soup.tokens.reshape(-1).copy()
    soup.run(1)
    after = soup.tokens.reshape(-1)
    for i, j in BatchPairs(world.seed, "zff", 0.0).pairs(0)[:40]:
        at = np.concatenate([np.arange(16) + 16 * i, np.arange(16) + 16 * j])
        tape, _, src = run_py_traced(cpu, before[at].tobytes(), 128)
        for t, s in enumerate(src):
            want = make_token(1, at[t], tape[t]) if s == CREATED \
                else with_value(tokens0[at[s]], tape[t])
            assert after[at[t]] == want, (i, j, t)


@pytest.mark.parametrize("randomness", ["zff", "hash"])
def test_pairings_are_redrawn_from_the_seed(randomness):
    """The pairs a lineage walk redraws are the ones each batch ran, in either randomness."""
    world = _world("z80", randomness=randomness, seed=7)
    soup = Soup(world)
    redrawn = BatchPairs(world.seed, randomness, world.soup.zff_noise)
    for batch in range(3):
        soup.run(1)
        ran = soup._zff_traced_work.pairs[: soup.last_interactions]
        assert np.array_equal(redrawn.pairs(batch), ran)
    assert np.array_equal(BatchPairs(world.seed, randomness, 1 / 16).pairs(2), redrawn.pairs(2))


def test_lineage_bits_mark_only_paired_cells_and_walk_back():
    world = _world("z80")
    soup = Soup(world).run(3)
    packed = np.concatenate(soup.pending_lineage)  # one row per batch
    rows = list(np.unpackbits(packed, axis=1, bitorder="little")[:, :CELLS])
    pairings = Pairings(world)
    for batch, bits in enumerate(rows):
        partner = pairings.partner(batch)
        born = np.flatnonzero(bits)
        assert len(born) > 20 and np.all(partner[born] != born)  # births only across a pair
    p = int(np.flatnonzero(rows[2])[0])
    walk = ancestry(world, [(2, rows[2]), (1, rows[1]), (0, rows[0])], p, 3)
    assert walk.births[-1] == (2, int(pairings.partner(2)[p]), p)


def test_a_traced_zff_run_resumes_bit_for_bit(tmp_path):
    world = _world("i8080", epochs=6, until="", report_every=2, snapshot_every=3,
                   score_sample=0, seed=3)
    whole, _ = start_run(world, tmp_path / "whole.h5", alife_version="test")
    start_run(world.replace(epochs=3), tmp_path / "part.h5", alife_version="test")
    resumed, _ = resume_run(tmp_path / "part.h5", alife_version="test", epochs=6)
    assert np.array_equal(whole.programs, resumed.programs)
    assert np.array_equal(whole.tokens, resumed.tokens)
    with History(tmp_path / "whole.h5") as a, History(tmp_path / "part.h5") as b:
        assert np.array_equal(a.lineage(0, 6), b.lineage(0, 6))
        assert sum(int(bits.sum()) for _, bits in lineage_rows(a)) > 0


def test_initial_tokens_name_their_cell_byte():
    soup = Soup(_world("z80"))
    expected = np.empty_like(soup.tokens)
    init_tokens(soup.programs, expected, 0)
    assert np.array_equal(soup.tokens, expected)
