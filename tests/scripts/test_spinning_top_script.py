"""experiments/spinning_top.py, run as a user runs it, on a tiny budget."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "spinning_top.py"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args, "--out", str(tmp_path),
                           "--figures", str(tmp_path)], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_spinning_top_script_writes_profiles_memory_runs_and_figures(tmp_path):
    out = run(tmp_path, "--games", "layers-3-1,blotto-3-4,kuhn-40", "--memories", "1,3",
              "--seeds", "2", "--steps", "15")
    assert out.returncode == 0, out.stderr
    prof = list(csv.DictReader(open(tmp_path / "profiles.csv")))
    assert [(r["cluster"], r["size"]) for r in prof if r["game"] == "layers-3-1"] == [
        ("0", "3"), ("1", "1")]
    assert {r["strategies"] for r in prof if r["game"] == "blotto-3-4"} == {"15"}
    mem = list(csv.DictReader(open(tmp_path / "memory.csv")))
    assert len(mem) == 3 * 2 * 2
    layered = {r["memory"]: r["best_cluster"] for r in mem if r["game"] == "layers-3-1"}
    assert layered == {"1": "0", "3": "0"}  # one step up from the single bottom strategy
    assert len(list(tmp_path.glob("spinning_top_*.png"))) == 2


def test_spinning_top_script_refuses_bad_input(tmp_path):
    for args, word in ((("--games", "chess"), "unknown game"), (("--memories", "0"), "--memories"),
                       (("--games", "layers-2"), "odd")):
        out = run(tmp_path, *args)
        assert out.returncode == 2 and word in out.stderr and "Traceback" not in out.stderr
