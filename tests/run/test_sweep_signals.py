"""A sweep stopped by Ctrl-C (to its whole process group, as a terminal sends it) or by SIGTERM
to its process: every run stops at an epoch boundary with its history closed as stopped, the
command prints one line and exits 128 + the signal, no pool worker prints a traceback, and the
same command again finishes the runs with an uninterrupted sweep's bytes. A sweep whose process
is killed takes its workers with it."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from alife import Soup
from alife.history import History
from alife.world import load_world

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "worlds" / "small.toml"
EPOCHS = 160
SEEDS = range(3)
SETS = ["--set", "num_programs=256", "--set", "report_every=4"]
ARGS = [*SETS, "--max-epochs", str(EPOCHS), "--seeds", f"0:{len(SEEDS)}", "--workers", "2",
        "--threads-per-run", "1", "--quiet"]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds processes through /proc (Linux)")


def _sweep(out: Path, *args: str) -> subprocess.Popen:
    """`alife sweep` in a session of its own (its process group is the sweep and its pool)."""
    return subprocess.Popen([sys.executable, "-m", "alife.cli", "sweep", str(SMALL), *args,
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _world(seed: int, epochs: int = EPOCHS):
    return load_world(SMALL, ["num_programs=256", "report_every=4", f"epochs={epochs}",
                              f"seed={seed}"])


def _reports(path: Path) -> int:
    try:
        with h5py.File(path, "r", swmr=True, libver="latest") as f:
            return len(f["metrics/epoch"])
    except (OSError, KeyError):  # not there yet, or still being laid out
        return 0


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc/*/stat)."""
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(d.name))
    return kids


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's reaping is left


def _wait_for(what, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    """The same sweep, never interrupted."""
    out = tmp_path_factory.mktemp("whole") / "sweep"
    proc = _sweep(out, *ARGS)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


def _check_stopped_cleanly(out: Path) -> dict[int, str]:
    """Every history in ``out``: stopped at an epoch boundary (its checkpoint, or the initial
    soup when it stopped before its first epoch, equals a plain run's soup, at most one report
    interval after its last report) or finished; the statuses by seed."""
    statuses = {}
    for path in sorted(out.glob("*.h5")):
        with History(path) as h:
            seed, cp = h.world.seed, h.checkpoint()
            statuses[seed] = h.status
            assert h.status in ("stopped", "finished"), (path, h.status)
            if h.status == "stopped":
                assert h.stopped_by == "interrupt"
                rows = h.metrics()["epoch"]
                if cp is None:  # stopped while its kernels compiled: nothing ran
                    assert len(rows) == 0, path
                    continue
                assert rows[-1] <= cp.epoch < rows[-1] + 4, (path, rows[-1], cp.epoch)
                plain = Soup(_world(seed)).run(cp.epoch)
                assert np.array_equal(cp.programs, plain.programs)
                assert cp.total_ops == plain.total_ops
    return statuses


MOMENTS = {
    # Ctrl-C to the group while the pool's workers are still starting (importing alife)
    "ctrl_c_while_workers_start": (signal.SIGINT, True, "workers"),
    # Ctrl-C to the group while runs are under way
    "ctrl_c_mid_run": (signal.SIGINT, True, "reports"),
    # SIGTERM (a batch scheduler's) to the sweep's process alone, while runs are under way
    "sigterm_to_the_sweep_mid_run": (signal.SIGTERM, False, "reports"),
}


@pytest.mark.slow
@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_a_stopped_sweep_stops_every_run_cleanly_and_the_same_command_finishes_it(
        moment, tmp_path, uninterrupted):
    signum, to_group, when = MOMENTS[moment]
    out = tmp_path / "sweep"
    proc = _sweep(out, *ARGS)
    try:
        if when == "workers":
            _wait_for(lambda: len([p for p in _children(proc.pid) if _alive(p)]) >= 2)
        else:
            _wait_for(lambda: any(_reports(p) >= 3 for p in out.glob("*.h5")))
        assert proc.poll() is None, proc.stderr.read()
        (os.killpg if to_group else os.kill)(proc.pid, signum)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = stderr.strip().splitlines()
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert len(lines) == 1 and lines[0].startswith(f"alife sweep: interrupted ({how}): "), stderr
    assert "the same command again finishes them" in lines[0]

    statuses = _check_stopped_cleanly(out)
    assert "stopped" in statuses.values() or when == "workers"
    if (out / "sweep.csv").exists():
        with open(out / "sweep.csv") as fh:
            assert {int(r["seed"]): r["status"] for r in csv.DictReader(fh)} == statuses

    again = _sweep(out, *ARGS)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    for seed in SEEDS:
        name = f"small__seed{seed}.h5"
        with History(out / name) as a, History(uninterrupted / name) as b:
            assert a.status == b.status == "finished"
            ca, cb = a.checkpoint(), b.checkpoint()
            assert ca.epoch == cb.epoch == EPOCHS
            assert np.array_equal(ca.programs, cb.programs) and ca.total_ops == cb.total_ops
            for e in np.intersect1d(a.snapshot_epochs(), b.snapshot_epochs()):
                assert np.array_equal(a.snapshot(e).programs, b.snapshot(e).programs)


@pytest.mark.slow
def test_the_workers_of_a_killed_sweep_stop_their_runs_and_end(tmp_path):
    out = tmp_path / "sweep"
    proc = _sweep(out, *SETS, "--max-epochs", "100000", "--seeds", "0:2", "--workers", "2",
                  "--threads-per-run", "1", "--quiet")
    family: list[int] = []
    try:
        _wait_for(lambda: sum(_reports(p) >= 3 for p in out.glob("*.h5")) == 2)
        family = _descendants(proc.pid)  # the pool's workers and multiprocessing's helper
        assert len(family) >= 2
        proc.kill()  # SIGKILL: the sweep's process can do nothing about it
        proc.wait()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in family if _alive(p)], "workers outlived their sweep"
    finally:
        for p in family:
            if _alive(p):
                os.kill(p, signal.SIGKILL)
    for path in sorted(out.glob("*.h5")):  # each run stopped at an epoch boundary, resumable
        with History(path) as h:
            assert (h.status, h.stopped_by) == ("stopped", "interrupt")
            cp = h.checkpoint()
            assert np.array_equal(cp.programs, Soup(_world(h.world.seed, 100000))
                                  .run(cp.epoch).programs)
