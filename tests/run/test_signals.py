"""SIGTERM (what batch schedulers send) and Ctrl-C stop a run at an epoch boundary: the history is
closed as stopped, the summary is printed, and `alife resume` ends with an uninterrupted run's
bytes. A signal can never leave the soup and its epoch count out of step."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from alife import Soup
from alife.cli import main
from alife.history import History
from alife.run.runner import run_soup
from alife.world import make_world

# One report (metrics, species, checkpoint) after every epoch: slow enough to be signalled mid-run.
WORLD = ["--set", "num_programs=1024", "--set", "report_every=1", "--set", "score_sample=16",
         "--set", "snapshot_every=32", "--set", "seed=5", "--until", ""]


def _reports(path) -> int:
    try:
        with h5py.File(path, "r", swmr=True, libver="latest") as f:
            return len(f["metrics/epoch"])
    except (OSError, KeyError):  # not created yet, or the writer is still laying it out
        return 0


@pytest.mark.slow
def test_sigterm_stops_cleanly_and_resume_gives_the_uninterrupted_bytes(tmp_path):
    path = tmp_path / "run.h5"
    proc = subprocess.Popen([sys.executable, "-m", "alife.cli", "run", *WORLD, "--epochs",
                             "100000", "--quiet", "--threads", "1", "--out", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and _reports(path) < 4:
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before the signal: {proc.stderr.read()}"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Summary" in out and "interrupted (SIGTERM) after" in out, out
    assert f"`alife resume {path}` continues it" in out and "Traceback" not in err
    with History(path) as h:
        assert (h.status, h.stopped_by) == ("stopped", "interrupt")
        stop = h.checkpoint().epoch
        assert 4 <= stop < 100000
        assert h.metrics()["epoch"][-1] == stop  # the stop's own report
        assert h.snapshot_epochs()[-1] == stop
        assert np.array_equal(h.snapshot(stop).programs, h.checkpoint().programs)

    total = stop + 40
    assert main(["resume", str(path), "--epochs", str(total), "--quiet"]) == 0
    whole = tmp_path / "whole.h5"
    assert main(["run", *WORLD, "--epochs", str(total), "--quiet", "--out", str(whole)]) == 0
    with History(path) as a, History(whole) as b:
        assert a.status == b.status == "finished" and a.attrs["resumes"] == 1
        assert a.checkpoint().epoch == b.checkpoint().epoch == total
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        assert a.checkpoint().total_ops == b.checkpoint().total_ops
        common = np.intersect1d(a.snapshot_epochs(), b.snapshot_epochs())
        assert len(common) >= 2
        for e in common:
            assert np.array_equal(a.snapshot(e).programs, b.snapshot(e).programs)


def _soup_signalled_inside_run(at_epoch: int, signals: int) -> Soup:
    """A small soup whose ``run`` receives ``signals`` SIGINTs between changing its bytes and
    counting the epochs (where an exception would leave them out of step)."""
    soup = Soup(make_world({"num_programs": 256, "until": "", "score_sample": 0}))
    real = soup.run

    def run(epochs: int = 1, threads: int | None = None) -> Soup:
        before = soup.epoch
        real(epochs)  # the kernel changes the bytes ...
        soup.epoch = before  # ... and, for this instant, the count still says `before`
        if before + epochs >= at_epoch:
            for _ in range(signals):
                os.kill(os.getpid(), signal.SIGINT)
        soup.epoch = before + epochs
        return soup

    soup.run = run
    return soup


@pytest.mark.parametrize("signals", [1, 2])
def test_a_signal_inside_a_compiled_call_never_splits_soup_and_epoch(signals):
    soup = _soup_signalled_inside_run(at_epoch=5, signals=signals)
    summary = run_soup(soup, 200, report_every=4)
    assert (summary.stopped_by, summary.signal) == ("interrupt", "SIGINT")
    assert 5 <= soup.epoch < 200
    assert summary.reports[-1]["epoch"] == soup.epoch  # the soup as it is at the stop
    world = make_world({"num_programs": 256, "until": "", "score_sample": 0})
    assert np.array_equal(soup.programs, Soup(world).run(soup.epoch).programs)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
