"""analyses/soup_game.py and experiments/selfplay.py, run as a user runs them, on tiny budgets."""

from __future__ import annotations

import csv
import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alife.cli import main

ROOT = Path(__file__).resolve().parents[2]
EMERGED = "emerged/bff_noheads_seed0_epoch3072.dat.gz"


def folder(name: str) -> Path:
    """The folder holding script ``name``: analyses/ or experiments/."""
    return ROOT / ("experiments" if name.startswith("selfplay") else "analyses")


def script(name: str, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(folder(name) / name), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_soup_game_over_a_history(tmp_path, capsys):
    run = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=512", "--set", "snapshot_every=10",
                 "--set", "language=bff", "--epochs", "40", "--until", "", "--quiet",
                 "--out", str(run)]) == 0
    capsys.readouterr()
    out = script("soup_game.py", run, "--k", "4", "--match", "bytes", "--samples", "3",
                 "--out", tmp_path / "figs")
    assert out.returncode == 0, out.stderr
    assert "kappa" in out.stdout and "payoff A" in out.stdout
    stem = "lang-bff_N-512_seed-0_k-4_match-bytes_samples-3"
    for kind in ("payoff", "metrics"):
        assert (tmp_path / "figs" / f"soup_game_{kind}_{stem}.png").stat().st_size > 1000
    rows = list(csv.DictReader(open(tmp_path / "figs" / f"soup_game_{stem}.csv")))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 11, 21, 31, 40]
    assert all(0 < float(r["share"]) <= 1 for r in rows)


@pytest.mark.slow
def test_soup_game_of_the_emerged_reference_soup(conformance, tmp_path):
    out = script("soup_game.py", conformance / EMERGED, "--k", "6", "--json",
                 "--out", tmp_path)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    rec = info["records"][0]
    assert rec["epoch"] == 3073 and rec["counts"][:2] == [135, 135]
    assert np.all(np.array(rec["payoff"]) == 0)  # the null game: first mover copies itself
    assert rec["cyclic_fraction"] is None  # κ is undefined (JSON null), not 0
    assert rec["nash"] == pytest.approx([1 / 6] * 6)
    # ... and the first mover copies itself: +1 against 24 of the 30 ordered pairs, 0 against
    # its own mirror image (3 mirror pairs)
    assert rec["first_mover"] == pytest.approx(24 / 30)
    assert info["last_replication_scores"] == [64] * 6


def load_script(name: str):
    """Import an analysis script as a module (for its error paths, without a subprocess)."""
    sys.path.insert(0, str(folder(name)))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder(name)))


def test_soup_game_refuses_bad_input(tmp_path, capsys):
    sg = load_script("soup_game")
    assert sg.run_script("soup_game.py", lambda: sg.main([str(tmp_path / "missing.h5")])) == 2
    assert capsys.readouterr().err.startswith("soup_game.py: error:")
    assert sg.run_script("soup_game.py", lambda: sg.main([str(tmp_path / "x.dat"), "--k",
                                                          "1"])) == 2
    assert "--k must be >= 2" in capsys.readouterr().err


@pytest.mark.slow
def test_selfplay_script_smoke(tmp_path):
    out = script("selfplay.py", "--games", "rps,disc", "--solvers", "vanilla,psro_rn",
                 "--generations", "2", "--seeds", "1", "--oracle-steps", "10",
                 "--show", "disc:psro_rn", "--out", tmp_path, "--logs", tmp_path / "logs")
    assert out.returncode == 0, out.stderr
    assert "psro_rn" in out.stdout
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert [n.split("_")[1] for n in names] == ["alpharank", "effective", "exploitability",
                                                "gamescape", "payoff"]
    assert len(list((tmp_path / "logs").glob("*.h5"))) == 4


def test_selfplay_script_refuses_bad_input(capsys):
    sp = load_script("selfplay")
    for argv, message in ((["--games", "go"], "unknown game"),
                          (["--solvers", "elo"], "unknown solver"),
                          (["--games", "rps", "--show", "disc:psro_rn"], "--show")):
        assert sp.run_script("selfplay.py", lambda a=argv: sp.main(a)) == 2
        assert message in capsys.readouterr().err
