"""experiments/zff_reproduction.py: its copier detectors on the spec's cells, and a sweep of two
seeds at a tiny budget through analysis and figures (the 16,000-batch runs use the same code)."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def zr():
    if str(ROOT / "experiments") not in sys.path:
        sys.path.insert(0, str(ROOT / "experiments"))
    spec = importlib.util.spec_from_file_location("zff_reproduction",
                                                  ROOT / "experiments" / "zff_reproduction.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["zff_reproduction"] = module
    spec.loader.exec_module(module)
    return module


def _cells(*hexes: str) -> np.ndarray:
    return np.array([list(bytes.fromhex(h)) for h in hexes], dtype=np.uint8)


def test_the_detectors_find_the_specs_copiers_and_few_random_cells(zr):
    cells = _cells("11D5" * 8,  # LD DE,$D511; PUSH DE (seed 6, from ~1250)
                   "21E5" * 8,  # LD HL,$E521; PUSH HL
                   "35E321E321C935C9" * 2,  # seed 7's exchange copier
                   "00" * 6 + "EDB8" + "00" * 8,  # LDDR
                   "B0" + "00" * 14 + "ED",  # LDIR across the cell's end (read cyclically)
                   "0041" * 8)  # the sterile flood
    found = zr.detect(cells, "z80")
    assert found["stack_copier"].tolist() == [True, True, False, False, False, False]
    assert found["exchange_copier"].tolist() == [False, False, True, False, False, False]
    assert found["block_copier"].tolist() == [False, False, False, True, True, False]
    assert not zr.detect(cells, "i8080")["block_copier"].any()  # no LDIR on the 8080
    random = np.random.default_rng(0).integers(0, 256, (40000, 16), dtype=np.uint8)
    for name, hits in zr.detect(random, "z80").items():
        assert hits.mean() < zr.SPREAD_SHARE / 4, name  # far below the spread threshold


def test_summary_takes_the_first_spread_and_the_peak(zr):
    rows = [{"epoch": 0, "higher_entropy": None, "stack_copier_share": 0.5,
             "block_copier_share": 0.0, "exchange_copier_share": 0.0},
            {"epoch": 1, "higher_entropy": 0.2, "stack_copier_share": 0.001,
             "block_copier_share": 0.0, "exchange_copier_share": 0.0},
            {"epoch": 251, "higher_entropy": 3.5, "stack_copier_share": 0.02,
             "block_copier_share": 0.011, "exchange_copier_share": 0.0},
            {"epoch": 501, "higher_entropy": 2.5, "stack_copier_share": 0.3,
             "block_copier_share": 0.001, "exchange_copier_share": 0.0}]
    s = zr.summarise(6, rows)
    assert s["stack_copier_spread_epoch"] == 251 and s["stack_copier_peak_share"] == 0.3
    assert s["stack_copier_peak_epoch"] == 501  # the random initial soup is left out
    assert s["block_copier_spread_epoch"] == 251 and s["exchange_copier_spread_epoch"] is None
    assert s["max_higher_entropy"] == 3.5 and s["first_entropy_above_3"] == 251


def test_a_tiny_sweep_gives_series_summary_and_figures(zr, tmp_path, capsys):
    folders = ["--results", str(tmp_path / "res"), "--runs", str(tmp_path / "runs"),
               "--figures", str(tmp_path / "fig")]
    assert zr.main(["run", "z80", "--seeds", "6:8", "--workers", "1", "--batches", "30",
                    *folders]) == 0
    with open(tmp_path / "res" / "summary.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["seed"] for r in rows] == ["6", "7"] and rows[0]["batches"] == "30"
    meta = json.loads((tmp_path / "res" / "chunks" / "seeds_6-8.json").read_text())
    assert meta["seeds"] == [6, 7] and meta["batches"] == 30 and meta["wall_s"] > 0
    with open(tmp_path / "res" / "series" / "seed_6.csv", newline="") as fh:
        series = list(csv.DictReader(fh))
    assert [r["epoch"] for r in series] == ["0", "1", "30"]
    assert series[-1]["top_text"].startswith("NOP")  # the sterile flood of 00 41 cells
    capsys.readouterr()
    assert zr.main(["figure", "z80", *folders]) == 0
    made = capsys.readouterr().out.split()
    assert any(p.endswith("zff_z80.png") for p in made)
    assert any(p.endswith("zff_z80_seed6_30.png") for p in made)
    assert all(Path(p).stat().st_size > 1000 for p in made)
