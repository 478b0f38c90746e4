"""Tampered or foreign histories: `alife resume`, `inspect` and `export` answer in one line, exit
2, and leave the file and its folder exactly as they were (no temporary copy, no lock)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

WORLD = ["--set", "num_programs=256", "--set", "report_every=4", "--set", "until=", "--quiet"]


def alife(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run8(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a run stopped after 8 epochs (reports after 1, 5 and 8)."""
    out = tmp_path_factory.mktemp("base") / "run.h5"
    r = alife("run", *WORLD, "--epochs", 8, "--out", out)
    assert r.returncode == 0, r.stderr
    return out.read_bytes()


def _attr(key: str, value: object) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        f.attrs[key] = value
    return edit


def _world(old: str, new: str) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        f.attrs["world"] = str(f.attrs["world"]).replace(old, new)
    return edit


def _checkpoint(name: str, value: int) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        f[f"checkpoint/{name}"][int(f["checkpoint/active"][0])] = value
    return edit


def _active(value: int) -> Callable[[h5py.File], None]:
    def edit(f: h5py.File) -> None:
        f["checkpoint/active"][0] = value
    return edit


TAMPERED = {
    "format_version an array": (_attr("format_version", np.array([2, 3])),
                                "its format_version attribute is [2, 3]; accepted: an integer"),
    "format_version a string": (_attr("format_version", "3"),
                                "its format_version attribute is '3'; accepted: an integer"),
    "checkpoint/active = 7": (_active(7), "/checkpoint/active is 7; accepted: -1 (no checkpoint "
                              "yet), 0 or 1"),
    "num_programs not the soup's": (_world("num_programs = 256", "num_programs = 128"),
                                    "/checkpoint/soup has shape [2, 256, 64] but its world has "
                                    "num_programs = 128"),
    "checkpoint epoch -5": (_checkpoint("epoch", -5), "its checkpoint says -5 epochs were "
                            "completed, which no report of the file leads to"),
    "checkpoint epoch beyond the metrics": (_checkpoint("epoch", 30), "its checkpoint says 30 "
                                            "epochs were completed, which no report"),
    "checkpoint epoch beyond the world's limit": (_checkpoint("epoch", 10**12), "its checkpoint "
                                                  "says 1000000000000 epochs"),
    "checkpoint epoch between reports": (_checkpoint("epoch", 3), "its checkpoint says 3 "
                                         "epochs"),
    "negative reset counter": (_checkpoint("reset_index", -1), "its checkpoint's reset_index "
                               "is -1; accepted: an integer >= 0"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_history_is_one_line_and_stays_as_it_was(tmp_path, run8, case):
    edit, expected = TAMPERED[case]
    path = tmp_path / "run.h5"
    path.write_bytes(run8)
    with h5py.File(path, "r+") as f:
        edit(f)
    before = digest(path)
    for args in (("resume", path, "--epochs", 40), ("inspect", path),
                 ("export", path, "-o", tmp_path / "soup.dat")):
        r = alife(*args)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1, (args, r.stderr)
        assert lines[0].startswith(f"alife: error: {str(path)!r}") and expected in lines[0], \
            (args, lines[0])
        assert digest(path) == before and sorted(os.listdir(tmp_path)) == ["run.h5"], args


def test_a_file_that_is_not_hdf5_is_one_line(tmp_path):
    path = tmp_path / "run.h5"
    path.write_text("not a history\n")
    for args in (("resume", path), ("export", path, "-o", tmp_path / "s.dat")):
        r = alife(*args)
        assert r.returncode == 2 and r.stderr.strip() == (
            f"alife: error: {str(path)!r} is not a readable history (truncated or corrupt: file "
            "signature not found); accepted: an HDF5 history written by alife"), args
        assert sorted(os.listdir(tmp_path)) == ["run.h5"]


@pytest.mark.parametrize("attrs", [{}, {"format": "netcdf"}, {"format": np.array([1, 2])},
                                   {"format": "alife-history", "format_version": 3}])
def test_hdf5_of_another_program_is_one_line(tmp_path, attrs):
    path = tmp_path / "run.h5"
    with h5py.File(path, "w") as f:
        f["temperature"] = np.arange(10.0)
        f.attrs.update(attrs)
    before = digest(path)
    for args in (("resume", path), ("inspect", path), ("export", path, "-o", tmp_path / "s.dat")):
        r = alife(*args)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert "not an alife history" in lines[0] or "incomplete alife history" in lines[0], \
            lines[0]
        assert digest(path) == before and sorted(os.listdir(tmp_path)) == ["run.h5"]
