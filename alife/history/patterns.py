"""A pattern world's partner lists as a history keeps them: the file's bytes, read once.

A world's ``pattern`` names a file of ``a b`` lines (alife.soup.spatial). A run reads it once
when it starts and its history stores the bytes (``/pattern``, with their SHA-256); every soup
built from the history (resume, inspect, replays, lineage) pairs from those bytes, through a
copy named by its digest in the kernel cache folder, so a history neither depends on the folder
it is opened from nor follows a file that changed, and the path written in it is never opened.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from alife.errors import AlifeError
from alife.history.format import pattern_digest
from alife.world import World


def read_pattern_file(path: str | os.PathLike) -> bytes:
    """The bytes of a world's pattern file (a regular file), read once as a run starts."""
    p = Path(path)
    try:
        if not p.is_file():
            what = "is a directory" if p.is_dir() else "does not exist" if not p.exists() \
                else "is not a regular file"
            raise AlifeError(f"pattern file {str(p)!r} {what}; accepted: a text file of 'a b' "
                             "lines (program, allowed partner)")
        return p.read_bytes()
    except OSError as exc:
        raise AlifeError(f"cannot read pattern file {str(p)!r}: {exc.strerror or exc}") from None


def pattern_folder() -> Path:
    """Where copies of stored pattern files are kept: ``patterns/`` in the kernel cache folder
    ($ALIFE_KERNEL_CACHE, else $XDG_CACHE_HOME/alife/kernels or ~/.cache/alife/kernels)."""
    from alife.languages.dispatch import CACHE_VARIABLE

    base = os.environ.get(CACHE_VARIABLE)
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = str((Path(xdg) if xdg else Path.home() / ".cache") / "alife" / "kernels")
    return Path(base) / "patterns"


def pattern_copy(contents: bytes) -> Path:
    """A file holding ``contents``, named by their SHA-256 (written once, create-then-rename;
    a copy whose bytes no longer match its name is written again)."""
    from alife.languages.dispatch import CACHE_VARIABLE

    digest = pattern_digest(contents)
    folder = pattern_folder()
    path = folder / f"{digest}.txt"
    try:
        if path.is_file() and pattern_digest(path.read_bytes()) == digest:
            return path
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{digest}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(contents)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AlifeError(f"cannot keep the run's pattern file in {str(folder)!r}: "
                         f"{exc.strerror or exc}; set {CACHE_VARIABLE} to a writable folder"
                         ) from None
    return path


def pattern_world(world: World, contents: bytes | None) -> World:
    """``world`` with its ``pattern`` pointing at a copy of ``contents`` (the bytes a history
    stores); ``world`` itself when it has no pattern or no contents are given."""
    if world.pattern is None or contents is None:
        return world
    return world.replace(pattern=str(pattern_copy(contents)))
