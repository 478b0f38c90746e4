"""Where a command writes: output files and folders checked before anything runs, so that a file
in the way, a missing folder or a read-only one is one line naming the path and what is accepted
(and never a traceback from deep inside a run)."""

from __future__ import annotations

import os
from pathlib import Path

from alife.errors import AlifeError


def _nearest_existing(path: Path) -> Path:
    """``path`` itself, or the nearest of its parents that exists."""
    for p in (path, *path.parents):
        if p.exists() or p.is_symlink():
            return p
    return Path(".")


def check_folder(path: str | os.PathLike, flag: str, *, made: bool = True) -> Path:
    """A folder to write into (``--dat-dir``, ``--frames``, ...): an existing folder, or a path
    whose nearest existing part is a writable folder (``made``: the command creates the rest)."""
    p = Path(path)
    accepted = "accepted: a folder, or a path where one can be made"
    base = _nearest_existing(p)
    if base == p and not p.is_dir():
        raise AlifeError(f"{flag} {str(p)!r} is a file, not a folder; {accepted}")
    if base != p and not base.is_dir():
        raise AlifeError(f"{flag} {str(p)!r}: {str(base)!r} is a file, not a folder; {accepted}")
    if base != p and not made:
        raise AlifeError(f"{flag} {str(p)!r} does not exist; accepted: an existing folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise AlifeError(f"{flag} {str(p)!r}: folder {str(base)!r} is not writable; {accepted} "
                         "in a writable folder")
    return p


def check_new_file(path: str | os.PathLike, flag: str, *, folders_made: bool = False) -> Path:
    """An output file (``--out``, ``-o``) that does not exist yet, in a writable folder: an
    existing one, or (``folders_made``) one the command creates under a writable folder."""
    p = Path(path)
    if p.is_dir():
        raise AlifeError(f"{flag} {str(p)!r} is a folder; accepted: the name of a new file")
    if p.exists() or p.is_symlink():
        raise AlifeError(f"{flag} {str(p)!r} already exists; choose another name (nothing is "
                         "overwritten)")
    parent = p.parent
    base = _nearest_existing(parent)
    if not base.is_dir():
        raise AlifeError(f"{flag} {str(p)!r}: {str(base)!r} is a file, not a folder; accepted: "
                         "a new file in a folder")
    if base != parent and not folders_made:
        raise AlifeError(f"{flag} {str(p)!r}: folder {str(parent)!r} does not exist; accepted: "
                         "a new file in an existing folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise AlifeError(f"{flag} {str(p)!r}: folder {str(base)!r} is not writable; accepted: a "
                         "new file in a writable folder")
    return p


def next_free(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``, ... : the first of them that does not exist."""
    out, i = path, 2
    while out.exists() or out.is_symlink():
        out, i = path.with_name(f"{path.name}-{i}"), i + 1
    return out


def check_history_arg(path: str | os.PathLike) -> Path:
    """A history given as input: a file (an existing folder is named as such)."""
    p = Path(path)
    if p.is_dir():
        raise AlifeError(f"{str(p)!r} is a directory; accepted: a run's history file (.h5)")
    return p
