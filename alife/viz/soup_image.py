"""Pictures of whole soups: every program an 8x8 tile of byte colours (Agüera y Arcas et al. 2024,
"Computational Life", fig. 1).

Byte ``j`` of a program sits at row ``j // 8``, column ``j % 8`` of its tile; tiles are laid out
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


def default_columns(num_programs: int, grid: tuple[int, int] | None = None) -> int:
    """Tiles per row: the grid's width for a 2-D soup, else near-square (2^17 -> 512 x 256)."""
    if grid is not None:
        return int(grid[0])
    c = max(1, math.ceil(math.sqrt(num_programs)))
    power = 1 << (c - 1).bit_length()  # the power of two >= c: 2^k soups get exact rows
    return power if num_programs % power == 0 else c


def soup_image(programs: np.ndarray, language: str, columns: int | None = None,
               grid: tuple[int, int] | None = None) -> np.ndarray:
    """RGB picture of ``programs`` (uint8[N, 64]): uint8[rows * 8, columns * 8, 3]."""
    p = np.asarray(programs)
    if p.ndim != 2 or p.shape[1] != TILE * TILE:
        raise AlifeError(f"programs must be an array of shape [N, {TILE * TILE}], got "
                         f"{list(p.shape)}")
    if p.dtype != np.uint8:
        raise AlifeError(f"programs must be uint8 bytes, got dtype {p.dtype}")
    n = len(p)
    if columns is None:
        columns = default_columns(n, grid)
    if columns < 1:
        raise AlifeError(f"columns must be >= 1, got {columns}")
    rows = max(1, -(-n // columns))
    tiles = np.empty((rows * columns, TILE, TILE, 3), dtype=np.uint8)
    tiles[:n] = byte_colours(language)[p].reshape(n, TILE, TILE, 3)
    tiles[n:] = BACKGROUND
    return (tiles.reshape(rows, columns, TILE, TILE, 3)
            .transpose(0, 2, 1, 3, 4)
            .reshape(rows * TILE, columns * TILE, 3))
