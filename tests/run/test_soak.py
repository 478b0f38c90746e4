"""Soak: twenty runs of a tiny world, each interrupted at a random moment by SIGINT, SIGTERM or
SIGKILL and then resumed with `alife resume` to its world's epoch limit, end byte-identical to
their uninterrupted twins: final soup, total ops and every metric row (DESIGN.md, Determinism
and History). A run killed before its history existed leaves no file under the history's name
(never a partial one) and is started again with the same command."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pytest

from alife.cli import main
from alife.history import History

ROOT = Path(__file__).resolve().parents[2]
EPOCHS = 120
REPORT_EVERY = 4
WORLD = [str(ROOT / "worlds" / "small.toml"), "--set", "num_programs=256", "--set",
         f"report_every={REPORT_EVERY}", "--set", f"epochs={EPOCHS}", "--set", "score_sample=16",
         "--set", "snapshot_every=32"]
RUNS, SEEDS = 20, 5
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
# When the signal comes: up to 1.5 s after the command starts (Python loading the package, the
# command's start-up, the kernel's load), or up to 2 s after the history's first report (in the
# run loop), so both are hit however fast the machine is.
PHASES = {"start": 1.5, "run": 2.0}
VARYING = ("wall_time",)  # the one metric that is a clock, not the soup


def _alife(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "alife.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _run_args(seed: int, out: Path) -> list[str]:
    return ["run", *WORLD, "--set", f"seed={seed}", "--quiet", "--threads", "1", "--out",
            str(out)]


def _reports(path: Path) -> int:
    try:
        with h5py.File(path, "r", swmr=True, libver="latest") as f:
            return len(f["metrics/epoch"])
    except (OSError, KeyError):  # not there yet (a history appears whole, under its name)
        return 0


def _interrupted_then_resumed(i: int, seed: int, signum: int, phase: str, delay: float,
                              tmp: Path) -> dict:
    """Run, signal ``delay`` s into ``phase``, then finish: resume the history, or start again
    when the signal came before the history existed. What happened, for the assertions."""
    out = tmp / f"run{i}.h5"
    proc = _alife(*_run_args(seed, out))
    if phase == "run":
        deadline = time.monotonic() + 120
        while proc.poll() is None and _reports(out) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    time.sleep(delay)
    signalled = proc.poll() is None
    if signalled:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=300)
    seen = {"status": proc.returncode, "stderr": err, "signalled": signalled,
            "history": out.exists()}
    if out.exists():  # never a partial file under the history's name
        with History(out) as h:
            seen["state"] = h.status
            cp = h.checkpoint()
            seen["checkpoint"] = None if cp is None else cp.epoch
    if not out.exists():
        again = _alife(*_run_args(seed, out))
    elif seen["state"] != "finished":
        again = _alife("resume", str(out), "--quiet", "--threads", "1")
    else:
        return seen
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    return seen


def _metric_rows(h: History) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    m = h.metrics()
    return m["epoch"], {k: v for k, v in m.items() if k not in VARYING}


@pytest.mark.slow
def test_runs_interrupted_at_random_moments_resume_to_their_twins_bytes(tmp_path):
    rng = random.Random(20261201)
    cases = []
    for i in range(RUNS):
        phase = rng.choice(sorted(PHASES))
        cases.append((i, i % SEEDS, rng.choice(SIGNALS), phase, rng.uniform(0.0, PHASES[phase])))
    with ThreadPoolExecutor(max_workers=2) as pool:  # two runs at a time, the twins meanwhile
        futures = [pool.submit(_interrupted_then_resumed, *c, tmp_path) for c in cases]
        for seed in range(SEEDS):
            assert main(["run", *WORLD, "--set", f"seed={seed}", "--quiet", "--threads", "1",
                         "--out", str(tmp_path / f"twin{seed}.h5")]) == 0
        seen = [f.result() for f in futures]

    for (i, seed, signum, phase, delay), s in zip(cases, seen, strict=True):
        what = f"run {i}: {signal.Signals(signum).name} {delay:.2f} s into its {phase}: {s}"
        if s["signalled"] and s["status"] == 0:
            # the signal reached a process that had finished its run and was exiting (a tiny
            # run can end at any of the random moments): nothing to stop, a finished history
            assert s.get("state") == "finished" and s.get("checkpoint") == EPOCHS, what
        elif s["signalled"] and signum != signal.SIGKILL:
            # 128 + signal: the command stopped (or, after its run, noted) it. The signal's own
            # default action (status -signal) only before the command took the signals over
            # (Python still loading the package: no history) or after it gave them back (the
            # run complete, the process ending).
            assert s["status"] in (128 + signum, -signum), what
            if s["status"] == 128 + signum:
                assert "Traceback" not in s["stderr"], what
                assert s.get("state") in (None, "stopped", "finished"), what
            else:
                assert s.get("state") in (None, "finished"), what
                # once the command had the signal, it ends by its own exit status; a traceback
                # can only be Python's, from before the command's first module
                assert "alife: interrupted" not in s["stderr"], what
                assert "alife/cli" not in s["stderr"], what
        if not s["signalled"]:
            assert s["status"] == 0 and s["state"] == "finished", what
        with History(tmp_path / f"run{i}.h5") as a, History(tmp_path / f"twin{seed}.h5") as b:
            assert a.status == b.status == "finished", what
            ca, cb = a.checkpoint(), b.checkpoint()
            assert ca.epoch == cb.epoch == EPOCHS, what
            assert np.array_equal(ca.programs, cb.programs), what
            assert ca.total_ops == cb.total_ops, what
            epochs_a, rows_a = _metric_rows(a)
            epochs_b, rows_b = _metric_rows(b)
            assert np.array_equal(epochs_a, epochs_b), what
            for name, column in rows_b.items():
                assert np.array_equal(rows_a[name], column, equal_nan=True), (what, name)
            for e in b.snapshot_epochs():
                assert np.array_equal(a.snapshot(e).programs, b.snapshot(e).programs), what
    # every signal stopped some run inside its loop (and was resumed from there)
    stopped_mid_run = {signal.Signals(c[2]).name for c, s in zip(cases, seen, strict=True)
                       if s["signalled"] and s.get("checkpoint") not in (None, EPOCHS)}
    assert stopped_mid_run == {"SIGINT", "SIGTERM", "SIGKILL"}, seen
