"""experiments/zff_origins.py: its copier detector, its attribution of new bytes to the
instructions that made them (against the numba engine's tokens), and a run at a tiny budget."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from alife.soup import Soup
from alife.soup.tracer import token_epoch, token_position
from alife.soup.zff import BatchPairs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def zo():
    spec = importlib.util.spec_from_file_location("zff_origins",
                                                  ROOT / "experiments" / "zff_origins.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["zff_origins"] = module
    spec.loader.exec_module(module)
    return module


def test_the_copier_detectors(zo):
    cells = np.array([list(bytes.fromhex(h)) for h in
                      ("11D5" * 8, "D5" + "00" * 2 + "11" * 13, "E1E3" * 8, "E3" + "00" * 14 + "E1",
                       "0041" * 8)], dtype=np.uint8)
    assert list(zo.copier_cells(cells, "z80")) == [True, True, False, False, False]
    assert list(zo.copier_cells(cells, "i8080")) == [False, False, True, True, False]


@pytest.mark.parametrize("language", ["z80", "i8080"])
def test_made_bytes_are_the_ones_the_engine_stamped_new(zo, language):
    """In batch 0, the bytes the twin says an instruction made are exactly those whose engine
    token is new (stamped 1, made at that byte), on the first 30 pairs drawn."""
    world = zo.world_of(language, 6)
    soup = Soup(world).run(1)
    checked = 0
    for i, _ in BatchPairs(6, "zff", world.soup.zff_noise).pairs(0)[:30]:
        made = np.array(zo.makers(world, int(i), 0)) != "noise"
        tokens = soup.tokens[i]
        new = (token_epoch(tokens) == 1) & (token_position(tokens) == 16 * i + np.arange(16))
        assert np.array_equal(made, new), (i, zo.makers(world, int(i), 0))
        checked += int(new.sum())
    assert checked > 0


def test_a_run_that_finds_no_copier_says_never(zo, tmp_path, capsys):
    assert zo.main(["run", "i8080", "--seeds", "3:4", "--max-batches", "50",
                    "--results", str(tmp_path)]) == 0
    row = (tmp_path / "i8080.csv").read_text().splitlines()[1]
    assert row.startswith("3,stack walker") and ",never," in row
    assert zo.main(["table", "z80", "--results", str(tmp_path)]) == 2
    assert "no rows for z80 yet" in capsys.readouterr().err
