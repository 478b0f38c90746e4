"""A pattern world's partner file is read once, stored in the history, and every soup rebuilt from
the history pairs from that copy: resume neither depends on the working folder nor follows an
edited file, and no reader opens the path a history names."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from alife.history import History

WORLD = ["--set", "num_programs=256", "--set", "report_every=4", "--set", "until=", "--quiet"]


def alife(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def ring(n: int, reach: int) -> str:
    """Pattern lines: program i may pair with i +- reach (mod n)."""
    return "".join(f"{i} {(i + s) % n}\n" for i in range(n) for s in (reach, n - reach))


def soup_after(path: Path) -> tuple[int, np.ndarray]:
    with h5py.File(path, "r") as f:
        slot = int(f["checkpoint/active"][0])
        return int(f["checkpoint/epoch"][slot]), f["checkpoint/soup"][slot]


@pytest.fixture
def spatial(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(world file naming pat.txt relatively, the pattern file, a run of it stopped at 8)."""
    w = tmp_path / "world"
    w.mkdir()
    (w / "pat.txt").write_text(ring(256, 1))
    (w / "spatial.toml").write_text('pattern = "pat.txt"\n')
    out = tmp_path / "run.h5"
    r = alife("run", w / "spatial.toml", *WORLD, "--epochs", 8, "--out", out)
    assert r.returncode == 0, r.stderr
    return w / "spatial.toml", w / "pat.txt", out


def test_the_history_stores_the_pattern_file_and_its_digest(spatial):
    _, pattern, out = spatial
    data = pattern.read_bytes()
    with h5py.File(out, "r") as f:
        d = f["pattern"]
        assert d[:].tobytes() == data and d.fletcher32
        assert d.attrs["sha256"] == hashlib.sha256(data).hexdigest()
        assert d.attrs["path"] == str(pattern)


def test_resume_pairs_from_the_stored_pattern_whatever_became_of_the_file(spatial, tmp_path):
    world, pattern, out = spatial
    whole = tmp_path / "whole.h5"
    assert alife("run", world, *WORLD, "--epochs", 40, "--out", whole).returncode == 0
    pattern.write_text(ring(256, 3))  # edited after the run started
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = tmp_path / "copy.h5"
    copy.write_bytes(out.read_bytes())
    r = alife("resume", out, "--epochs", 40, cwd=elsewhere)  # another working folder
    assert r.returncode == 0, r.stderr
    pattern.unlink()  # and gone
    r = alife("resume", copy, "--epochs", 40, cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    for path in (out, copy):
        epoch, soup = soup_after(path)
        assert epoch == 40 and np.array_equal(soup, soup_after(whole)[1])
        with h5py.File(path, "r") as f:  # the resumed history keeps the original copy
            assert f["pattern"][:].tobytes() == ring(256, 1).encode()
    # the edited file does make another soup: the test above would have seen a divergence
    other = tmp_path / "other.h5"
    (world.parent / "pat.txt").write_text(ring(256, 3))
    assert alife("run", world, *WORLD, "--epochs", 40, "--out", other).returncode == 0
    assert not np.array_equal(soup_after(other)[1], soup_after(whole)[1])


def test_no_reader_opens_the_pattern_path_a_history_names(spatial, tmp_path):
    _, pattern, out = spatial
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET first line\n")
    with h5py.File(out, "r+") as f:  # a hostile history: its world names another file
        f.attrs["world"] = str(f.attrs["world"]).replace(str(pattern), str(secret))
    pattern.unlink()
    r = alife("inspect", out)
    assert r.returncode == 0, r.stderr
    assert "TOP-SECRET" not in r.stdout + r.stderr
    r = alife("export", out, "-o", tmp_path / "soup.dat")
    assert r.returncode == 0, r.stderr
    r = alife("resume", out, "--epochs", 20)
    assert r.returncode == 0 and "TOP-SECRET" not in r.stdout + r.stderr, r.stderr
    with History(out) as h:
        w = h.soup_world()
        assert w.pattern != str(secret) and Path(w.pattern).read_bytes() == ring(256, 1).encode()
        assert h.world.pattern == str(secret)  # the stored world is reported as it is


def test_a_damaged_pattern_copy_or_a_missing_one_is_one_line(spatial, tmp_path):
    _, _, out = spatial
    damaged = tmp_path / "damaged.h5"
    damaged.write_bytes(out.read_bytes())
    with h5py.File(damaged, "r+") as f:
        f["pattern"].attrs["sha256"] = "0" * 64
    r = alife("resume", damaged, "--epochs", 20)
    assert r.returncode == 2 and r.stderr.strip() == (
        f"alife: error: {str(damaged)!r}: /pattern (the pattern file's copy) is corrupt "
        "(checksum mismatch: its bytes do not match their SHA-256); nothing is resumed or "
        "shown from a damaged dataset")
    missing = tmp_path / "missing.h5"
    missing.write_bytes(out.read_bytes())
    with h5py.File(missing, "r+") as f:
        del f["pattern"]
    for args in (("resume", missing, "--epochs", 20), ("inspect", missing)):
        r = alife(*args)
        assert r.returncode == 2 and r.stderr.strip() == (
            f"alife: error: {str(missing)!r} is an incomplete alife history (missing pattern, "
            "which its world's pattern key needs)"), r.stderr
    assert sorted(os.listdir(tmp_path)) == sorted(["world", "run.h5", "damaged.h5",
                                                   "missing.h5"])
