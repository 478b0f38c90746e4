"""One resume of a history at a time, robust to killed resumes; resuming through a symbolic link
continues the file it points to and keeps the link."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

WORLD = ["--set", "num_programs=256", "--set", "report_every=4", "--set", "until=", "--quiet"]

# Imports alife, says it is ready (SYNC/ready-<pid>), waits for SYNC/go, then runs the command:
# the resumes start within milliseconds of each other, after their slow imports.
_AT_THE_SIGNAL = """
import os, pathlib, sys, time
import alife.cli, alife.history, alife.soup
sync = pathlib.Path(sys.argv[1])
(sync / f"ready-{os.getpid()}").touch()
while not (sync / "go").exists():
    time.sleep(0.002)
sys.exit(alife.cli.main(sys.argv[2:]))
"""


def alife(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def checkpoint(path: Path) -> tuple[int, np.ndarray]:
    with h5py.File(path, "r", swmr=True) as f:
        slot = int(f["checkpoint/active"][0])
        return int(f["checkpoint/epoch"][slot]), f["checkpoint/soup"][slot]


def stopped_run(tmp_path: Path, epochs: int = 8) -> Path:
    out = tmp_path / "run.h5"
    r = alife("run", *WORLD, "--epochs", epochs, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.slow
def test_concurrent_resumes_of_one_history_let_one_proceed_and_refuse_the_others(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    out = stopped_run(folder)
    sync = tmp_path / "sync"
    sync.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", _AT_THE_SIGNAL, str(sync), "resume",
                               str(out), "--epochs", "400", "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(sync.glob("ready-*"))) < len(procs):
            time.sleep(0.05)
        (sync / "go").touch()
        results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert sorted(rc for rc, _ in results) == [0] + [2] * 5, results
    pids = {p.pid for p in procs}
    for rc, err in results:
        if rc == 0:
            continue
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        m = re.fullmatch(r"alife: error: '.*run\.h5' is being resumed by process (\d+); wait "
                         r"for it to end \(or stop it\) before resuming it again", lines[0])
        assert m and int(m.group(1)) in pids, lines[0]
    assert checkpoint(out)[0] == 400
    assert sorted(os.listdir(folder)) == ["run.h5"]  # no lock, no temporary copy
    whole = tmp_path / "whole.h5"
    assert alife("run", *WORLD, "--epochs", 400, "--out", whole).returncode == 0
    assert np.array_equal(checkpoint(out)[1], checkpoint(whole)[1])


def test_a_lock_left_by_a_killed_resume_and_its_leftovers_do_not_block_the_next(tmp_path):
    out = stopped_run(tmp_path)
    # what a resume killed with SIGKILL leaves: its lock file (no longer locked: the kernel
    # released it with the process) and its half-written continuation
    (tmp_path / ".run.h5.lock").write_text("999999\n")
    (tmp_path / ".run.h5.resume-999999").write_bytes(b"half")
    (tmp_path / "run.h5.resume-tmp").write_bytes(b"")  # the name older versions used
    r = alife("resume", out, "--epochs", 20)
    assert r.returncode == 0, r.stderr
    assert checkpoint(out)[0] == 20
    assert sorted(os.listdir(tmp_path)) == ["run.h5"]


def test_a_lock_held_by_a_live_process_refuses_with_its_pid(tmp_path):
    out = stopped_run(tmp_path)
    lock = tmp_path / ".run.h5.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())
        r = alife("resume", out, "--epochs", 20)
    finally:
        os.close(fd)
    assert r.returncode == 2 and r.stderr.strip() == (
        f"alife: error: {str(out)!r} is being resumed by process {os.getpid()}; wait for it to "
        "end (or stop it) before resuming it again")
    assert checkpoint(out)[0] == 8


def test_resuming_through_a_symbolic_link_continues_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "store"
    real.mkdir()
    out = stopped_run(real)
    links = tmp_path / "links"
    links.mkdir()
    link = links / "run.h5"
    link.symlink_to(os.path.relpath(out, links))
    r = alife("resume", link, "--epochs", 20)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and link.resolve() == out.resolve()
    assert sorted(os.listdir(links)) == ["run.h5"] and sorted(os.listdir(real)) == ["run.h5"]
    assert checkpoint(out)[0] == 20
    whole = tmp_path / "whole.h5"
    assert alife("run", *WORLD, "--epochs", 20, "--out", whole).returncode == 0
    assert np.array_equal(checkpoint(out)[1], checkpoint(whole)[1])


def test_a_dangling_link_is_one_line(tmp_path):
    link = tmp_path / "run.h5"
    link.symlink_to(tmp_path / "gone.h5")
    r = alife("resume", link)
    assert r.returncode == 2 and r.stderr.strip() == (
        f"alife: error: history {str(link)!r} is a symbolic link to "
        f"{str(tmp_path / 'gone.h5')!r}, which does not exist")
    assert link.is_symlink() and sorted(os.listdir(tmp_path)) == ["run.h5"]
