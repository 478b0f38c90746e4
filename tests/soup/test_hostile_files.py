"""Hostile reference checkpoints and pattern files: one clear error, nothing overwritten, no
content of the offending file echoed back."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.soup.checkpoint import HEADER, read_dat, write_dat, write_raw
from alife.soup.spatial import read_pattern


def alife(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def _dat(path: Path, epochs: int, reset: int = 1, n: int = 4) -> Path:
    path.write_bytes(struct.pack("<QQQ", reset, n, epochs) + bytes(64 * n))
    return path


@pytest.mark.parametrize(("epochs", "reset"), [(2**64 - 1, 1), (3, 2**64 - 1), (2**40 + 1, 0)])
def test_a_counter_past_its_bound_is_not_a_soup_checkpoint(tmp_path, epochs, reset) -> None:
    with pytest.raises(AlifeError, match="is not a soup checkpoint"):
        read_dat(_dat(tmp_path / "x.dat", epochs, reset))


def test_import_of_an_absurd_epoch_writes_no_history(tmp_path) -> None:
    """Through the real command: one line, exit 2, and no `running` history left behind that a
    resume would continue from a fresh random soup."""
    dat = _dat(tmp_path / "x.dat", 2**64 - 1)
    proc = alife("import", str(dat), "-o", "y.h5", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "is not a soup checkpoint" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.dat"]


def test_a_directory_is_not_a_checkpoint(tmp_path) -> None:
    with pytest.raises(AlifeError, match="is a directory"):
        read_dat(tmp_path)


def test_write_dat_never_overwrites_a_different_file(tmp_path) -> None:
    programs = np.arange(4 * 64, dtype=np.uint8).reshape(4, 64)
    path = write_dat(tmp_path / "a.dat", programs, 7)
    good = path.read_bytes()
    assert good[: HEADER.size] == struct.pack("<QQQ", 1, 4, 7)
    assert write_dat(path, programs, 7) == path  # the same bytes again: left as it is
    with pytest.raises(AlifeError, match="already exists and differs"):
        write_dat(path, programs, 8)
    assert path.read_bytes() == good


def test_write_dat_does_not_write_through_a_symlink(tmp_path) -> None:
    """A link at the old temporary name (or at the name itself) never redirects the write."""
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (tmp_path / "y.dat.tmp").symlink_to(target)
    write_dat(tmp_path / "y.dat", np.zeros((2, 64), np.uint8), 1)
    (tmp_path / "z.dat").symlink_to(target)
    with pytest.raises(AlifeError, match="already exists"):
        write_dat(tmp_path / "z.dat", np.zeros((2, 64), np.uint8), 1)
    with pytest.raises(AlifeError, match="already exists"):
        write_raw(tmp_path / "z.dat", np.zeros((2, 64), np.uint8))
    assert target.read_text() == "keep me"
    assert read_dat(tmp_path / "y.dat").epochs == 1


def test_write_dat_into_a_missing_folder_is_one_line(tmp_path) -> None:
    with pytest.raises(AlifeError, match="its folder does not exist"):
        write_dat(tmp_path / "nope" / "a.dat", np.zeros((2, 64), np.uint8), 1)


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe\x00binary", "is not UTF-8 text"),
    (b"", "holds no pairs"),
    (b"# only a comment\n\n", "holds no pairs"),
    (b"root:x:0:0:root:/root:/bin/bash\n", "expected two program indices"),
])
def test_bad_pattern_files(tmp_path, content, message) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes(content)
    with pytest.raises(AlifeError, match=message) as info:
        read_pattern(path, 8)
    assert "root:x" not in str(info.value)  # the file's content is never echoed


def test_a_pattern_directory_is_refused(tmp_path) -> None:
    with pytest.raises(AlifeError, match="is a directory"):
        read_pattern(tmp_path, 8)
