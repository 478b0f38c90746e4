"""The reference's checkpoint format (soup.md, "Checkpoint file"): interchange with cubff.

``DIR/%010d.dat``: three little-endian u64 (reset counter, N, epochs completed), then the soup,
N*64 bytes, program-major. Gzip-compressed files (``.dat.gz``) are read transparently.
"""

from __future__ import annotations

import gzip
import os
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alife.errors import AlifeError

L = 64
HEADER = struct.Struct("<QQQ")


@dataclass(frozen=True)
class Checkpoint:
    """A soup as the reference stores it."""

    reset_index: int
    epochs: int
    programs: np.ndarray  # uint8[N, 64]


def checkpoint_name(epoch_index: int) -> str:
    """File name the reference gives the checkpoint written after 0-based epoch ``epoch_index``."""
    return f"{epoch_index:010d}.dat"


#: The largest epoch count and reset counter a checkpoint may hold (the worlds' epoch bound).
MAX_DAT_COUNTER = 2**40


def read_dat(path: str | os.PathLike) -> Checkpoint:
    """Read a reference checkpoint; a truncated or inconsistent file raises :class:`AlifeError`."""
    p = Path(path)
    if p.is_dir():
        raise AlifeError(f"checkpoint {str(p)!r} is a directory; accepted: a .dat or .dat.gz "
                         "file")
    try:
        raw = p.read_bytes()
        if p.suffix == ".gz":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise AlifeError(f"checkpoint {str(p)!r} does not exist") from None
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise AlifeError(f"cannot read checkpoint {str(p)!r}: {exc}") from None
    if len(raw) < HEADER.size:
        raise AlifeError(f"checkpoint {str(p)!r} is truncated: {len(raw)} bytes, shorter than "
                         f"its {HEADER.size}-byte header (reset counter, N, epochs as u64)")
    reset_index, n, epochs = HEADER.unpack_from(raw)
    for field_name, value in (("epochs", epochs), ("reset counter", reset_index)):
        if value > MAX_DAT_COUNTER:
            raise AlifeError(f"checkpoint {str(p)!r} is not a soup checkpoint: its {field_name} "
                             f"field is {value}; accepted: at most 2^40 (a file of another "
                             "program's format, or corrupt)")
    body = len(raw) - HEADER.size
    if n == 0 or n % 2 or n * L != body:
        raise AlifeError(
            f"checkpoint {str(p)!r} is inconsistent: its header says N = {n} programs "
            f"({n * L} soup bytes) but the file holds {body} soup bytes; a valid file holds "
            f"an even N > 0 and exactly N*64 bytes after the header")
    programs = np.frombuffer(raw, dtype=np.uint8, offset=HEADER.size).reshape(n, L).copy()
    return Checkpoint(int(reset_index), int(epochs), programs)


def check_dat_size(program_size: int) -> None:
    """Refuse programs of another size than 64 bytes: the ``.dat`` format cannot say so."""
    if program_size != L:
        raise AlifeError(f"the reference's .dat format holds {L}-byte programs and has no "
                         f"program-size field, so a soup of {program_size}-byte programs cannot "
                         "be read or written as .dat; accepted: program_size = 64 (export other "
                         "sizes with `alife export RUN.h5 --raw -o soup.bin`)")


def write_raw(path: str | os.PathLike, programs: np.ndarray) -> Path:
    """Write a soup's bytes alone (program-major, no header), atomically, never over a file."""
    p = Path(path)
    _write_new(p, np.ascontiguousarray(programs, dtype=np.uint8).tobytes())
    return p


def write_dat(path: str | os.PathLike, programs: np.ndarray, epochs: int,
              reset_index: int = 1) -> Path:
    """Write a reference checkpoint atomically, never over another file.

    The bytes go to a new temporary file that is then linked to ``path``. An existing file at
    ``path`` with exactly these bytes is left as it is (a resumed run writes the same
    checkpoints again); any other existing file is an error, never overwritten.
    """
    p = Path(path)
    progs = np.ascontiguousarray(programs, dtype=np.uint8)
    if progs.ndim != 2:
        raise AlifeError(f"programs must be an N x {L} uint8 array, got shape {progs.shape}")
    check_dat_size(progs.shape[1])
    data = HEADER.pack(reset_index, progs.shape[0], epochs) + progs.tobytes()
    if p.is_symlink() or p.exists():
        if p.is_file() and not p.is_symlink() and p.stat().st_size == len(data) \
                and p.read_bytes() == data:
            return p
        raise AlifeError(f"checkpoint {str(p)!r} already exists and differs; it is never "
                         "overwritten: choose another folder (--dat-dir) or file (-o)")
    _write_new(p, data)
    return p


def _write_new(p: Path, data: bytes) -> None:
    """``data`` into the new file ``p``: a fresh temporary file, then a link; never over a file."""
    try:
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    except FileNotFoundError:
        raise AlifeError(f"cannot write {str(p)!r}: its folder does not exist") from None
    except OSError as exc:
        raise AlifeError(f"cannot write {str(p)!r}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.link(tmp, p)  # fails if p exists: nothing is overwritten
    except FileExistsError:
        raise AlifeError(f"{str(p)!r} already exists; it is never overwritten") from None
    except OSError as exc:
        raise AlifeError(f"cannot write {str(p)!r}: {exc.strerror or exc}") from None
    finally:
        os.unlink(tmp)
