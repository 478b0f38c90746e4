"""Both soup kinds implement the one soup protocol, structurally and in behaviour."""

from types import SimpleNamespace

import numpy as np
import pytest

from alife import AlifeError, Soup, make_world, new_soup
from alife.particles.soup import ParticleSoup
from alife.run.protocol import SoupProtocol

WORLDS = {
    "program": {"language": "bff_noheads", "num_programs": 64, "seed": 5},
    "neural": {"kind": "neural", "num_programs": 64, "seed": 5, "train_steps": 2},
}
CLASSES = {"program": Soup, "neural": ParticleSoup}


@pytest.fixture(params=list(WORLDS))
def kind(request):
    return request.param


def test_both_soup_classes_satisfy_the_protocol(kind):
    soup = new_soup(make_world(WORLDS[kind]))
    assert type(soup) is CLASSES[kind]
    assert isinstance(soup, SoupProtocol)
    assert not isinstance(SimpleNamespace(world=None, epoch=0), SoupProtocol)


def test_particle_soups_keep_no_program_soup_fields():
    soup = ParticleSoup(num_programs=8)
    for dummy in ("tokens", "pending_lineage", "reset_index", "programs"):
        assert not hasattr(soup, dummy)


def test_run_advances_and_rows_are_the_state(kind):
    soup = new_soup(make_world(WORLDS[kind]))
    before = soup.rows.copy()
    assert soup.run(2) is soup and soup.epoch == 2
    assert soup.rows.dtype == np.uint8 and soup.rows.shape == (64, 64)
    assert not np.array_equal(before, soup.rows)
    assert soup.metrics()["epoch"] == 2 and all(isinstance(v, str) for v in
                                                soup.status_fields(soup.metrics()).values())


def test_saved_state_restores_to_the_same_continuation(kind):
    world = make_world(WORLDS[kind])
    whole = new_soup(world).run(4)
    half = new_soup(world).run(2)
    state = SimpleNamespace(**{k: v.copy() if isinstance(v, np.ndarray) else v
                               for k, v in half.saved().items()})
    resumed = new_soup(world)
    resumed.restore(state)
    assert resumed.epoch == 2 and resumed.total_ops == half.total_ops
    resumed.run(2)
    assert np.array_equal(resumed.rows, whole.rows) and resumed.total_ops == whole.total_ops


def test_restore_refuses_another_size(kind):
    small = new_soup(make_world({**WORLDS[kind], "num_programs": 32}))
    with pytest.raises(AlifeError, match="holds 32 .* but the world has num_programs = 64"):
        new_soup(make_world(WORLDS[kind])).restore(SimpleNamespace(**small.saved()))


def test_species_and_summaries(kind):
    soup = new_soup(make_world(WORLDS[kind])).run(2)
    first, counts = soup.species()
    assert counts.sum() == 64 and len(first) == len(counts)
    top = soup.top_rows(3)
    assert top[0]["count"] == counts.max() and len(soup.top_lines(top)) == len(top) + 1
    lines = soup.summary_lines(soup.metrics(), 10.0, None)
    assert lines and all(line.startswith("  ") for line in lines)
    assert "64" in soup.describe()
    # program soups count exact programs; particle soups count fixpoint classes (<= 5)
    assert soup.exact_species == (kind == "program")
    if not soup.exact_species:
        assert len(counts) <= 5
