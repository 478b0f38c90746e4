"""Every bundled world loads and runs (Mesa-style smoke test with a tiny budget)."""

from pathlib import Path

import pytest

from alife import Soup, load_world

WORLDS = sorted((Path(__file__).resolve().parents[1] / "worlds").glob("*.toml"))


def test_worlds_exist():
    assert {p.stem for p in WORLDS} >= {"bff_noheads", "small", "forth_2d"}


@pytest.mark.parametrize("path", WORLDS, ids=lambda p: p.stem)
def test_world_runs(path):
    world = load_world(path)
    assert world.name == path.stem
    if world.grid is None:
        world = world.replace(num_programs=512)
    else:
        world = world.replace(num_programs=256, grid=[16, 16])
    soup = Soup(world).run(3)
    assert soup.epoch == 3 and soup.metrics()["epoch"] == 3


def test_paper_default_world_is_the_default():
    assert load_world(WORLDS[[p.stem for p in WORLDS].index("bff_noheads")]).replace(
        name="") == load_world(None).replace(name="")
