"""Pictures of whole soups: every program a square tile of byte colours (Agüera y Arcas et al.
2024, "Computational Life", fig. 1): 8x8 for the reference's 64-byte programs.

A tile has ``s = ceil(sqrt(P))`` cells a side for P-byte programs; byte ``j`` sits at row
``j // s``, column ``j % s`` (cells past the program are white); tiles are laid out
row-major, ``columns`` per row, so program ``i`` is tile (``i // columns``, ``i % columns``). A 2-D
soup (``world.grid = (W, H)``, row-major ``H x W``) is drawn on its own grid. Unused tiles that
fill out the last row are white. Colours come from :mod:`alife.viz.palette`.
"""

from __future__ import annotations

import math

import numpy as np

from alife.errors import AlifeError
from alife.viz.palette import BACKGROUND, byte_colours

TILE = 8  # a tile is TILE x TILE bytes: one 64-byte program


def tile_side(program_size: int) -> int:
    """Cells a side of one program's square tile: ceil(sqrt(program_size))."""
    return math.isqrt(program_size - 1) + 1


def default_columns(num_programs: int, grid: tuple[int, int] | None = None) -> int:
    """Tiles per row: the grid's width for a 2-D soup, else near-square (2^17 -> 512 x 256)."""
    if grid is not None:
        return int(grid[0])
    c = max(1, math.ceil(math.sqrt(num_programs)))
    power = 1 << (c - 1).bit_length()  # the power of two >= c: 2^k soups get exact rows
    return power if num_programs % power == 0 else c


def soup_image(programs: np.ndarray, language: str, columns: int | None = None,
               grid: tuple[int, int] | None = None) -> np.ndarray:
    """RGB picture of ``programs`` (uint8[N, P]): uint8[rows * s, columns * s, 3], s the tile
    side (8 for 64-byte programs)."""
    p = np.asarray(programs)
    if p.ndim != 2 or p.shape[1] < 1:
        raise AlifeError(f"programs must be an array of shape [N, P], got {list(p.shape)}")
    if p.dtype != np.uint8:
        raise AlifeError(f"programs must be uint8 bytes, got dtype {p.dtype}")
    n = len(p)
    if columns is None:
        columns = default_columns(n, grid)
    if columns < 1:
        raise AlifeError(f"columns must be >= 1, got {columns}")
    rows = max(1, -(-n // columns))
    side = tile_side(p.shape[1])
    tiles = np.empty((rows * columns, side * side, 3), dtype=np.uint8)
    tiles[:] = BACKGROUND
    tiles[:n, : p.shape[1]] = byte_colours(language)[p]
    return (tiles.reshape(rows, columns, side, side, 3)
            .transpose(0, 2, 1, 3, 4)
            .reshape(rows * side, columns * side, 3))
