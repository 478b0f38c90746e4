"""The clone stands alone: a git clone in an empty folder passes the checks there that read the
project's own files (lint, import layers, the docs site, conformance data, docs snippets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_clone_needs_nothing_beside_it(tmp_path: Path) -> None:
    """Clone the repository (its committed HEAD) alone into an empty folder and run there
    `scripts/test --fast` (ruff, import layers, the docs site) on the tests that read files of
    the checkout: the reference's conformance data (tests/data) and the documentation's
    snippets, notebooks and links; with this interpreter's packages and the clone's own code.
    (CI runs the whole suite on a fresh clone; this is the same check on a developer's
    machine, kept to the parts a missing file would break, so CI does not run the fast tier
    twice.)"""
    alone = tmp_path / "alone"
    alone.mkdir()
    clone = alone / "alife"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(clone)], check=True,
                   capture_output=True)
    assert sorted(p.name for p in alone.iterdir()) == ["alife"]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "NUMBA_CACHE", "PYTHONPATH"))}
    env["ALIFE_PYTHON"] = sys.executable  # scripts/_venv.sh: this interpreter, the clone first
    where = subprocess.run([sys.executable, "-c", "import alife; print(alife.__file__)"],
                           cwd=clone, env={**env, "PYTHONPATH": str(clone)},
                           capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).resolve().is_relative_to(clone.resolve())
    run = subprocess.run(["bash", "scripts/test", "--fast", "-q", "-p", "no:cacheprovider",
                          "tests/soup/test_conformance.py", "tests/docs"],
                         cwd=clone, env=env, capture_output=True, text=True, timeout=1500)
    tail = run.stdout[-3000:] + run.stderr[-3000:]
    assert run.returncode == 0, tail
    assert " passed" in run.stdout and " failed" not in run.stdout, tail
    assert not (clone / ".venv").exists()  # it used this interpreter, as asked
