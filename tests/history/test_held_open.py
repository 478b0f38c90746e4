"""A reader holding the history open (a notebook, `alife view --follow`) while the run ends."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from alife.history import History

ROOT = Path(__file__).resolve().parents[2]


def test_the_run_finishes_while_a_reader_holds_its_history(tmp_path: Path) -> None:
    """The writer records its status without reopening the file, so the reader's lock does not
    make it fail: exit 0, no traceback, status "finished" for the reader and afterwards."""
    out = tmp_path / "held.h5"
    run = subprocess.Popen(
        [sys.executable, "-m", "alife.cli", "run", str(ROOT / "worlds/small.toml"),
         "--set", "num_programs=512", "--set", "report_every=16", "--epochs", "800",
         "--threads", "1", "--quiet", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = None
    deadline = time.monotonic() + 120
    while reader is None and time.monotonic() < deadline and run.poll() is None:
        try:
            reader = History(out)
        except Exception:  # not there yet, or SWMR not switched on yet
            time.sleep(0.02)
    assert reader is not None, "the history never became readable while the run went on"
    try:
        assert reader.status == "running"
        stdout, stderr = run.communicate(timeout=300)
    finally:
        reader.close()
    assert run.returncode == 0, stderr
    assert "Traceback" not in stderr
    with History(out) as h:
        assert h.status == "finished"
        assert int(h.metrics()["epoch"][-1]) == 800
