"""scripts/cpu_differential.py (the full kosarev run of the Z80 and 8080 cores) at a tiny
budget: it compares steps, counts the allowed quirks, and refuses a bad tape count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cpu_differential.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("cpu, machine", [("z80", "Z80Machine"), ("i8080", "I8080Machine")])
def test_a_small_run_compares_every_step(cpu, machine):
    r = _run(cpu, "--tapes", "40", "--seed", "7")
    assert r.returncode == 0, r.stdout + r.stderr
    head = r.stdout.splitlines()[0]
    assert head.startswith(f"{cpu}: 40 tapes, ") and machine in head
    steps = int(head.split(", ")[1].split()[0])
    assert steps > 40 * 20  # random tapes run tens of steps before a HALT
    assert "no unexplained difference" in r.stdout


def test_a_bad_tape_count_is_one_line():
    r = _run("z80", "--tapes", "0")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0
    assert "--tapes 0: accepted an integer >= 1" in r.stderr
