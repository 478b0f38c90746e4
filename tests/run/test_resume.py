"""Resume: a run killed with SIGKILL (or stopped, or finished) continues to the same bytes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from alife.cli import main
from alife.history import History

# Slow enough to be killed mid-run: one report (metrics, species, checkpoint) after every epoch.
WORLD = ["--set", "num_programs=2048", "--set", "report_every=1", "--set", "score_sample=16",
         "--set", "snapshot_every=64", "--set", "seed=7", "--until", "", "--epochs", "800"]


def _comparable(metrics):
    return {k: v for k, v in metrics.items() if k != "wall_time"}


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_gives_the_uninterrupted_bytes(tmp_path):
    killed = tmp_path / "killed.h5"
    proc = subprocess.Popen([sys.executable, "-m", "alife.cli", "run", *WORLD, "--quiet",
                             "--threads", "1", "--out", str(killed)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = np.empty(0)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if killed.exists():
                try:
                    with h5py.File(killed, "r", swmr=True, libver="latest") as f:
                        seen = f["metrics/epoch"][:]
                except (OSError, KeyError):  # the writer is still creating the layout
                    pass
                if len(seen) >= 20:
                    break
            time.sleep(0.01)
        assert proc.poll() is None, f"the run ended before the kill: {proc.stderr.read()}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with History(killed) as h:  # still opens, and holds every observation flushed before
        assert h.status == "running"
        epochs = h.metrics()["epoch"]
        assert len(epochs) >= len(seen) and np.array_equal(epochs[: len(seen)], seen)
        cut = h.checkpoint().epoch  # the checkpoint follows its report's metrics
        assert seen[-2] <= cut < 800

    assert main(["resume", str(killed), "--quiet", "--threads", "2"]) == 0
    whole = tmp_path / "whole.h5"
    assert main(["run", *WORLD, "--quiet", "--out", str(whole)]) == 0

    with History(killed) as a, History(whole) as b:
        assert a.status == b.status == "finished" and a.attrs["resumes"] == 1
        assert a.checkpoint().epoch == b.checkpoint().epoch == 800
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        assert a.checkpoint().total_ops == b.checkpoint().total_ops
        ma, mb = _comparable(a.metrics()), _comparable(b.metrics())
        assert ma.keys() == mb.keys()
        for k in ma:
            assert np.array_equal(ma[k], mb[k], equal_nan=True), k
        assert np.array_equal(a.snapshot_epochs(), b.snapshot_epochs())
        for e in a.snapshot_epochs():
            assert np.array_equal(a.snapshot(e).programs, b.snapshot(e).programs)
        assert np.array_equal(a.file["species/count"][:], b.file["species/count"][:])


@pytest.mark.slow
def test_resume_with_epochs_extends_a_finished_run(tmp_path, capsys):
    short, long = tmp_path / "short.h5", tmp_path / "long.h5"
    base = ["--set", "num_programs=1024", "--set", "seed=2", "--until", "", "--quiet"]
    assert main(["run", *base, "--epochs", "40", "--out", str(short)]) == 0
    capsys.readouterr()
    assert main(["resume", str(short), "--epochs", "90", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["epochs_completed"] == 90 and summary["epochs_run"] == 50
    assert main(["run", *base, "--epochs", "90", "--out", str(long)]) == 0
    with History(short) as a, History(long) as b:
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        assert a.world.epochs == 90 and a.world.until == ""


@pytest.mark.slow
def test_resume_with_a_new_until_condition(tmp_path):
    path = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=1024", "--until", "epoch>=10", "--epochs", "1000",
                 "--quiet", "--out", str(path)]) == 0
    with History(path) as h:  # conditions are checked at reports: after 1, 65, 129, ...
        assert h.stopped_by == "until" and h.metrics()["epoch"].tolist() == [1, 65]
    assert main(["resume", str(path), "--until", "epoch>=100", "--quiet"]) == 0
    with History(path) as h:
        assert h.stopped_by == "until" and h.world.until == "epoch>=100"
        assert h.metrics()["epoch"].tolist() == [1, 65, 129]


@pytest.mark.parametrize("first,again,match", [
    (["--epochs", "10", "--until", ""], [], "completed 10 epochs, its world's limit"),
    (["--epochs", "10", "--until", "epoch>=5"], [], "stop condition 'epoch>=5' held"),
    (["--epochs", "10", "--until", ""], ["--epochs", "10"], "accepted: an integer > 10"),
])
def test_resuming_a_finished_run_past_its_limit_is_refused(tmp_path, capsys, first, again,
                                                           match):
    path = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=256", *first, "--quiet", "--out", str(path)]) == 0
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["resume", str(path), *again, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alife: error:") and match in err and err.count("\n") == 1
    assert path.read_bytes() == before


def test_a_history_its_writer_still_holds_is_not_resumed(tmp_path, capsys):
    path = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=256", "--epochs", "3", "--quiet", "--out",
                 str(path)]) == 0
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with h5py.File(path, "r+") as f:
            f.attrs["status"] = "running"
            f.attrs["writer_pid"] = holder.pid
        assert main(["resume", str(path), "--epochs", "5", "--quiet"]) == 2
        assert f"still being written by process {holder.pid}" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert main(["resume", str(path), "--epochs", "5", "--quiet"]) == 0  # the writer is gone
