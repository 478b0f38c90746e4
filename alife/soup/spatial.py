"""Spatial (2-D) soups: allowed-partner lists (soup.md, "Spatial soups").

A partner structure is CSR: ``offsets`` int64[N+1] and ``partners`` int64[M]; program i may pair
with ``partners[offsets[i]:offsets[i+1]]`` in that order.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from alife.errors import AlifeError

RADIUS = 2


def grid_partners(width: int, height: int,
                  radius: int = RADIUS) -> tuple[np.ndarray, np.ndarray]:
    """Row-major ``height x width`` grid; partners: cells within Chebyshev ``radius``, no wrap."""
    if width < 1 or height < 1:
        raise AlifeError(f"grid must be [W, H] with W, H >= 1, got [{width}, {height}]")
    offsets = [0]
    partners: list[int] = []
    for y in range(height):
        for x in range(width):
            for yy in range(max(0, y - radius), min(height, y + radius + 1)):
                for xx in range(max(0, x - radius), min(width, x + radius + 1)):
                    if (xx, yy) != (x, y):
                        partners.append(yy * width + xx)
            offsets.append(len(partners))
    return np.array(offsets, dtype=np.int64), np.array(partners, dtype=np.int64)


def partner_lists(world: object) -> tuple[np.ndarray, np.ndarray]:
    """The CSR partner lists of a world: its ``grid``, its ``pattern`` file, or empty arrays
    (a well-mixed soup)."""
    if getattr(world, "grid", None) is not None:
        return grid_partners(*world.grid)
    if getattr(world, "pattern", None) is not None:
        return read_pattern(world.pattern, world.num_programs)
    empty = np.empty(0, dtype=np.int64)
    return empty, empty


def read_pattern(path: str | os.PathLike, num_programs: int) -> tuple[np.ndarray, np.ndarray]:
    """Partner lists from a file of ``a b`` lines (program, allowed partner), kept in file order."""
    p = Path(path)
    if p.is_dir():
        raise AlifeError(f"pattern file {str(p)!r} is a directory; accepted: a text file of "
                         "'a b' lines")
    try:
        lines = p.read_bytes().decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise AlifeError(f"pattern file {str(p)!r} is not UTF-8 text (byte {exc.start}); "
                         "accepted: a text file of 'a b' lines") from None
    except OSError as exc:
        raise AlifeError(f"cannot read pattern file {str(p)!r}: {exc.strerror or exc}") from None
    lists: list[list[int]] = [[] for _ in range(num_programs)]
    for lineno, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        try:
            if len(fields) != 2:
                raise ValueError
            a, b = int(fields[0]), int(fields[1])
        except ValueError:
            raise AlifeError(f"pattern file {str(p)!r}, line {lineno}: expected two program "
                             "indices 'a b' (whole numbers)") from None
        if not (0 <= a < num_programs and 0 <= b < num_programs) or a == b:
            raise AlifeError(f"pattern file {str(p)!r}, line {lineno}: pair ({a}, {b}) is not "
                             f"two distinct program indices in [0, {num_programs})")
        lists[a].append(b)
    if not any(lists):
        raise AlifeError(f"pattern file {str(p)!r} holds no pairs, so no program would ever "
                         "interact; accepted: 'a b' lines (program, allowed partner)")
    offsets = np.zeros(num_programs + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(x) for x in lists])
    partners = np.array([b for x in lists for b in x], dtype=np.int64)
    return offsets, partners
