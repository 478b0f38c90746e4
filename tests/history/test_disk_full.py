"""A full disk, a read-only folder: one line, a history left valid at its last checkpoint, and a
resume (once there is room) that arrives at the uninterrupted run's bytes and metrics."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

# Tiny soups, a snapshot after every epoch: 2 MB fill up after a few dozen epochs.
WORLD = ["--set", "num_programs=256", "--set", "report_every=4", "--set", "snapshot_every=1",
         "--set", "until=", "--quiet"]
EPOCHS = 300


def alife(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def one_error_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("alife: error: "), \
        r.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill(d: Path, leave_kb: int = 0) -> Path:
    """Fill the file system of ``d`` up to ``leave_kb`` KiB of free space."""
    filler = d / "filler"
    with open(filler, "wb") as fh:
        try:
            while os.statvfs(d).f_bavail * os.statvfs(d).f_frsize > leave_kb * 1024:
                fh.write(b"\0" * 4096)
                fh.flush()
        except OSError:  # full
            pass
    return filler


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole") / "whole.h5"
    r = alife("run", *WORLD, "--epochs", EPOCHS, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def _same_run(a: Path, b: Path) -> None:
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        ma, mb = fa["metrics"], fb["metrics"]
        assert sorted(ma) == sorted(mb)
        for k in mb:
            if k != "wall_time":
                assert np.array_equal(ma[k][:], mb[k][:], equal_nan=True), k
        # MODES is measured once the run is past its persistence window (256 epochs): the
        # resumed tracker must give the same values there
        assert not np.isnan(ma["modes_novelty"][-1]) and not np.isnan(ma["modes_change"][-1])
        ca, cb = fa["checkpoint"], fb["checkpoint"]
        sa, sb = int(ca["active"][0]), int(cb["active"][0])
        assert ca["epoch"][sa] == cb["epoch"][sb] == EPOCHS
        assert np.array_equal(ca["soup"][sa], cb["soup"][sb])
        assert np.array_equal(fa["snapshots/epoch"][:], fb["snapshots/epoch"][:])
        assert np.array_equal(fa["snapshots/soup"][:], fb["snapshots/soup"][:])
        assert np.array_equal(fa["species/count"][:], fb["species/count"][:])


@pytest.mark.slow
@pytest.mark.parametrize("leave_kb", [None, 1200, 600])
def test_a_run_that_fills_the_disk_stops_in_one_line_and_resumes_to_the_same_bytes(
        tmpfs, grow, uninterrupted, leave_kb):
    d = tmpfs("2m")
    filler = fill(d, leave_kb) if leave_kb is not None else None
    out = d / "run.h5"
    r = alife("run", *WORLD, "--epochs", EPOCHS, "--out", out)
    line = one_error_line(r)  # no traceback, no segfault
    assert f"cannot write history {str(out)!r}: No space left on device" in line
    assert f"alife resume {out}" in line
    assert sorted(os.listdir(d)) == sorted(["run.h5"] + (["filler"] if filler else []))

    i = alife("inspect", out, "--json")  # a valid history, at its last checkpoint
    assert i.returncode == 0, i.stderr
    grow(d, "32m")  # room again
    r = alife("resume", out, "--quiet")
    assert r.returncode == 0, r.stderr
    _same_run(out, uninterrupted)
    assert sorted(os.listdir(d)) == sorted(["run.h5"] + (["filler"] if filler else []))


def test_resume_on_a_full_disk_is_refused_in_one_line_and_the_history_stays_as_it_was(tmpfs):
    d = tmpfs("2m")
    out = d / "run.h5"
    assert alife("run", *WORLD, "--epochs", 8, "--out", out).returncode == 0
    before = digest(out)
    fill(d)
    line = one_error_line(alife("resume", out, "--epochs", 200))
    assert f"cannot resume {str(out)!r}" in line and "No space left on device" in line
    assert digest(out) == before
    assert sorted(os.listdir(d)) == ["filler", "run.h5"]  # no temporary copy, no lock file


def test_resume_in_a_read_only_folder_is_refused_in_one_line(tmpfs, read_only):
    d = tmpfs("4m")
    out = d / "run.h5"
    assert alife("run", *WORLD, "--epochs", 8, "--out", out).returncode == 0
    before = digest(out)
    read_only(d)  # as root, chmod 555 would not stop the writes; a read-only mount does
    line = one_error_line(alife("resume", out, "--epochs", 40))
    assert f"cannot resume {str(out)!r}" in line and "Read-only file system" in line
    assert "writable folder" in line
    assert digest(out) == before and sorted(os.listdir(d)) == ["run.h5"]
    i = alife("inspect", out)  # reading still works
    assert i.returncode == 0, i.stderr
