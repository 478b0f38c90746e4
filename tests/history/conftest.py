"""Fixtures for the history tests: small tmpfs file systems (a full disk, a read-only folder)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def _umount(d: Path) -> None:
    if subprocess.run(["umount", str(d)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``tmpfs(size="2m", name="fs")``: a fresh tmpfs of ``size`` mounted at tmp_path/name,
    unmounted when the test ends. Skips (with why) only where mounting is not permitted;
    CI runs as root, where it is."""
    mounted: list[Path] = []

    def mount(size: str = "2m", name: str = "fs") -> Path:
        if shutil.which("mount") is None:
            pytest.skip("no `mount` command here: the full-disk tests mount a small tmpfs")
        d = tmp_path / name
        d.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                            str(d)], capture_output=True, text=True)
        if r.returncode:
            pytest.skip(f"mounting a tmpfs is not permitted here ({r.stderr.strip()}); the "
                        "full-disk tests need root (or CAP_SYS_ADMIN)")
        mounted.append(d)
        return d

    try:
        yield mount
    finally:
        for d in reversed(mounted):
            _umount(d)


def remount_read_only(d: Path) -> None:
    """Make the tmpfs at ``d`` read-only (root writes through chmod, not through this)."""
    subprocess.run(["mount", "-o", "remount,ro", str(d)], check=True, capture_output=True)


@pytest.fixture
def grow() -> Callable[[Path, str], None]:
    """``grow(d, size)``: give the tmpfs at ``d`` a new size (room again after a full disk)."""
    def remount(d: Path, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(d)], check=True,
                       capture_output=True)
    return remount


@pytest.fixture
def read_only() -> Callable[[Path], None]:
    """``read_only(d)``: remount the tmpfs at ``d`` read-only."""
    return remount_read_only
