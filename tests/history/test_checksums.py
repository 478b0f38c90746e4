"""Fletcher-32 over the soup datasets (format version 3): a flipped byte on disk is one line
naming the dataset and the epoch, on export, inspect and resume, and nothing is written."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import alife
from alife.history import FORMAT_VERSION, History
from alife.run.session import resume_run, start_run
from alife.world import make_world

WORLD = ["--set", "num_programs=256", "--set", "report_every=4", "--set", "snapshot_every=2",
         "--set", "until=", "--quiet"]


def alife_cmd(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def one_error_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("alife: error: "), \
        r.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_byte_in_chunk(path: Path, dataset: str, chunk: tuple[int, ...]) -> None:
    """Invert one byte in the middle of ``dataset``'s stored chunk at ``chunk``, on disk."""
    with h5py.File(path, "r") as f:
        info = f[dataset].id.get_chunk_info_by_coord(chunk)
    with open(path, "r+b") as fh:
        fh.seek(info.byte_offset + info.size // 2)
        b = fh.read(1)
        fh.seek(info.byte_offset + info.size // 2)
        fh.write(bytes([b[0] ^ 0xFF]))


@pytest.fixture
def run8(tmp_path: Path) -> Path:
    out = tmp_path / "run.h5"
    r = alife_cmd("run", *WORLD, "--epochs", 8, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_the_soup_datasets_of_a_new_history_carry_checksums(tmp_path):
    world = make_world({"num_programs": 64, "epochs": 4, "report_every": 2, "until": "",
                        "tracer_tokens": True, "lineage": True})
    start_run(world, tmp_path / "run.h5", alife_version=alife.__version__)
    with h5py.File(tmp_path / "run.h5", "r") as f:
        assert f.attrs["format_version"] == FORMAT_VERSION == 3
        for name in ("checkpoint/soup", "checkpoint/tokens", "checkpoint/modes",
                     "snapshots/soup", "snapshots/tokens", "species/key", "lineage/crossed"):
            assert f[name].fletcher32, name


def test_a_flipped_byte_in_the_checkpoint_soup_is_refused_by_export_inspect_and_resume(run8):
    with h5py.File(run8, "r") as f:
        slot = int(f["checkpoint/active"][0])
    flip_byte_in_chunk(run8, "checkpoint/soup", (slot, 0, 0))
    before, folder = digest(run8), sorted(os.listdir(run8.parent))
    out = run8.parent / "soup.dat"
    for args in (("export", run8, "-o", out), ("export", run8, "--raw", "-o", out),
                 ("inspect", run8), ("resume", run8, "--epochs", 40)):
        line = one_error_line(alife_cmd(*args))
        assert "/checkpoint/soup (the checkpoint after 8 epochs) is corrupt (checksum " \
               "mismatch)" in line, args
        assert digest(run8) == before and sorted(os.listdir(run8.parent)) == folder, args
    # the rest of the file still reads
    with History(run8) as h:
        assert h.metrics()["epoch"].tolist() == [1, 5, 8]


def test_resume_never_copies_a_corrupt_snapshot_chunk_forward(run8):
    with History(run8) as h:
        assert h.snapshot_epochs().tolist() == [0, 1, 3, 5, 7, 8]
    flip_byte_in_chunk(run8, "snapshots/soup", (2, 0, 0))  # the snapshot after 3 epochs
    before, folder = digest(run8), sorted(os.listdir(run8.parent))
    line = one_error_line(alife_cmd("resume", run8, "--epochs", 40))
    assert "/snapshots/soup (the snapshot after 3 epochs) is corrupt (checksum mismatch)" in line
    assert digest(run8) == before and sorted(os.listdir(run8.parent)) == folder
    line = one_error_line(alife_cmd("export", run8, "--epoch", 3, "-o", run8.parent / "s.dat"))
    assert "the snapshot after 3 epochs) is corrupt (checksum mismatch)" in line
    assert not (run8.parent / "s.dat").exists()
    # the other snapshots and the checkpoint are intact and still export
    r = alife_cmd("export", run8, "--epoch", 5, "-o", run8.parent / "s5.dat")
    assert r.returncode == 0, r.stderr


def test_a_version_2_history_without_checksums_resumes_into_version_3(tmp_path):
    """Histories written before the checksums: read, and resumed with them (chunks re-filtered)."""
    path = tmp_path / "run.h5"
    world = make_world({"num_programs": 64, "epochs": 9, "report_every": 4, "until": "",
                        "snapshot_every": 2})
    start_run(world, path, alife_version=alife.__version__)
    v2 = tmp_path / "v2.h5"
    with h5py.File(path, "r") as src, h5py.File(v2, "w", libver="latest") as dst:
        for k, v in src.attrs.items():
            dst.attrs[k] = v
        dst.attrs["format_version"] = 2

        def copy(name: str, obj: object) -> None:
            if isinstance(obj, h5py.Dataset):
                kw = {"compression": obj.compression, "compression_opts": obj.compression_opts}\
                    if obj.compression else {}
                d = dst.create_dataset(name, data=obj[()], maxshape=obj.maxshape,
                                       chunks=obj.chunks, **kw)
                assert not d.fletcher32
                d.attrs.update(dict(obj.attrs.items()))
            else:
                dst.require_group(name)
        src.visititems(copy)
    resume_run(v2, alife_version=alife.__version__, epochs=17)
    whole = tmp_path / "whole.h5"
    start_run(world.replace(epochs=17), whole, alife_version=alife.__version__)
    with History(v2) as a, History(whole) as b:
        assert a.attrs["format_version"] == 3 and a.file["snapshots/soup"].fletcher32
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        for e in b.snapshot_epochs():
            assert np.array_equal(a.snapshot(e).programs, b.snapshot(e).programs)
