"""The example notebooks (docs/notebooks/*.py, jupytext percent format) execute end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.py"))


def test_there_are_notebooks() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {"live_history", "small_sweep"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every cell in a fresh kernel, in an empty folder that sees the project's worlds;
    the notebook's outputs land under its runs/ and nowhere else."""
    jupytext = pytest.importorskip("jupytext", reason="the docs extra (pip install -e .[docs])")
    from nbclient import NotebookClient

    (tmp_path / "worlds").symlink_to(ROOT / "worlds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT),
                                                                   os.environ.get("PYTHONPATH")])))
    notebook = jupytext.read(path)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "worlds"]
    assert any((tmp_path / "runs").rglob("*.h5"))
