"""The clone stands alone: a git clone in an empty folder runs part of the fast tier."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# One language's conformance tests: they read the carried cubff data (tests/data/conformance).
SUBSET = ["tests/soup/test_conformance.py::test_basic_soups[bff_noheads]",
          "tests/soup/test_conformance.py::test_default_soups[bff_noheads]"]


@pytest.mark.slow
def test_a_clone_needs_nothing_beside_it(tmp_path: Path) -> None:
    """Clone the repository (its committed HEAD) alone into an empty folder and run one
    language's conformance tests there with this interpreter and the clone's own package."""
    alone = tmp_path / "alone"
    alone.mkdir()
    clone = alone / "alife"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(clone)], check=True,
                   capture_output=True)
    assert sorted(p.name for p in alone.iterdir()) == ["alife"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NUMBA_CACHE"))}
    env["PYTHONPATH"] = str(clone)
    where = subprocess.run([sys.executable, "-c", "import alife; print(alife.__file__)"],
                           cwd=clone, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).resolve().is_relative_to(clone.resolve())
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", *SUBSET], cwd=clone, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"{len(SUBSET)} passed" in run.stdout and "skipped" not in run.stdout
