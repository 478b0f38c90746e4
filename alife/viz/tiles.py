"""The soup as a grid of tiles, seen through a zoomable viewport (plain numpy, no pygame).

Each member of a soup is one square tile of cells: a 64-byte program is an 8x8 tile in the
palette of :mod:`alife.viz.palette`, byte ``j`` at row ``j // 8``, column ``j % 8`` (other
program sizes: :func:`alife.viz.soup_image.tile_side` cells a side, the rest white), tiles
laid out as :func:`alife.viz.soup_image.soup_image` lays them (2-D worlds on their grid;
Agüera y Arcas et al. 2024, fig. 1). A world kind plugs in its own :class:`TileRenderer`
(:func:`register_tile_renderer`); neural soups (:class:`NeuralTiles`) draw each particle as a 4x4
tile of its 16 float32 slots, coloured by the particle's fixpoint class (Gabor et al. 2019).

The viewport maps every screen pixel to one (tile, cell) with ``zoom`` pixels per cell: zoomed
out (zoom < 1) it samples one cell in every ``1 / zoom``, so a frame costs one gather per pixel
of the pane, whatever the soup's size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numba import njit, prange

from alife.viz.palette import BACKGROUND, byte_colours
from alife.viz.soup_image import TILE, default_columns, tile_side
from alife.world import World

#: Zoom levels: screen pixels per cell (a cell is one byte of a program).
ZOOMS = (0.125, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


class TileRenderer(Protocol):
    """Colours of a soup's tiles: one square tile of ``tile`` x ``tile`` cells per member.

    Cells are numbered through the whole soup: cell ``c`` of member ``m`` is number
    ``m * tile**2 + c``. ``cell_values`` gives each cell's index into ``palette``.
    """

    tile: int
    palette: np.ndarray  # uint8[K, 3] RGB

    def cell_values(self, state: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Palette indices (any int dtype, same shape as ``cells``) of the numbered cells."""


@dataclass(frozen=True)
class ProgramTiles:
    """Program soups: a square tile of byte colours per program (``state``: uint8[N, P]), 8x8
    for 64-byte programs.

    Each byte's palette index is its value; cells past the program (when P is not a square)
    take index 256, the background.
    """

    language: str
    program_size: int = TILE * TILE

    @property
    def tile(self) -> int:
        """Cells a side of a tile."""
        return tile_side(self.program_size)

    @property
    def palette(self) -> np.ndarray:
        """The language's 256 byte colours, then the background."""
        return np.vstack([byte_colours(self.language), np.array([BACKGROUND], np.uint8)])

    def cell_values(self, state: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """The bytes themselves (background past a program's last byte)."""
        area = self.tile * self.tile
        if area == self.program_size:  # cell numbers are byte offsets into the soup
            return np.take(state.reshape(-1), cells)
        member, cell = np.divmod(cells, area)
        inside = cell < self.program_size
        values = np.full(cells.shape, 256, dtype=np.int32)
        values[inside] = state[member[inside], cell[inside]]
        return values


#: Fixpoint-class colours of neural particles (alife.particles.kernel.CLASS_NAMES order).
CLASS_COLOURS = ((225, 60, 60), (110, 110, 122), (70, 205, 120), (80, 150, 245), (240, 185, 55))
#: Brightness of a weight cell by |w|: < 0.1, < 0.5, < 1, >= 1 (NaN/inf: brightest).
MAGNITUDE_EDGES = (np.float32(0.1), np.float32(0.5), np.float32(1.0))
_LEVELS = (0.42, 0.62, 0.82, 1.0)
UNUSED = (40, 40, 48)  # slots 14 and 15 of a particle row hold no weight


@njit(parallel=True, cache=True, nogil=True)
def _neural_cell_values(weights: np.ndarray, classes: np.ndarray, cells: np.ndarray,
                        out: np.ndarray) -> None:
    """out = class * 4 + |w| level of every numbered cell (weights: float32[N * 16] flat)."""
    flat_cells = cells.reshape(-1)
    flat_out = out.reshape(-1)
    unused = 4 * len(CLASS_COLOURS)
    for i in prange(flat_cells.shape[0]):
        c = flat_cells[i]
        slot = c % 16
        if slot >= 14:
            flat_out[i] = unused
            continue
        x = abs(weights[c])
        level = 3
        if x < MAGNITUDE_EDGES[0]:
            level = 0
        elif x < MAGNITUDE_EDGES[1]:
            level = 1
        elif x < MAGNITUDE_EDGES[2]:
            level = 2
        flat_out[i] = classes[c // 16] * 4 + level


@dataclass(frozen=True)
class NeuralTiles:
    """Neural soups: a 4x4 tile per particle (``state``: uint8[N, 64] rows of 16 float32 slots).

    Every weight cell has its particle's class colour, brighter for larger ``|w|`` (NaN counts
    as large); the last two cells (unused slots) are dark. The classes of the last state drawn
    are cached, so a frame classifies the soup once.
    """

    epsilon: float = 1e-5
    tile: int = 4
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def palette(self) -> np.ndarray:
        """5 classes x 4 brightness levels, then the unused-slot colour."""
        rows = [[round(c * level) for c in rgb] for rgb in CLASS_COLOURS for level in _LEVELS]
        return np.array([*rows, UNUSED], dtype=np.uint8)

    @property
    def legend(self) -> list[tuple[str, tuple[int, int, int]]]:
        """(class name, colour) of every fixpoint class."""
        from alife.particles.kernel import CLASS_NAMES

        return [(name.replace("_", " "), rgb) for name, rgb in zip(CLASS_NAMES, CLASS_COLOURS,
                                                                     strict=True)]

    def classes(self, state: np.ndarray) -> np.ndarray:
        """Fixpoint class of every particle row (cached for the last state object)."""
        from alife.particles.soup import classify_rows

        hit = self._cache.get("classes")
        if hit is not None and hit[0] is state:
            return hit[1]
        out = np.empty(len(state), dtype=np.int8)
        classify_rows(np.ascontiguousarray(state).view(np.float32), self.epsilon, out)
        self._cache["classes"] = (state, out)
        return out

    def cell_values(self, state: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Class * 4 + magnitude level of each weight cell; the unused-slot index for slots
        14 and 15."""
        weights = np.ascontiguousarray(state).view(np.float32).reshape(-1)
        out = np.empty(cells.shape, dtype=np.int32)
        _neural_cell_values(weights, self.classes(state), np.ascontiguousarray(cells), out)
        return out


_RENDERERS: dict[str, Callable[[World], TileRenderer]] = {
    "program": lambda world: ProgramTiles(world.language, world.program_size),
    "neural": lambda world: NeuralTiles(world.epsilon),
}


def register_tile_renderer(kind: str, factory: Callable[[World], TileRenderer]) -> None:
    """Let worlds of ``kind`` (``world.kind``) draw their own tiles (e.g. neural particles)."""
    _RENDERERS[kind] = factory


def tile_renderer(world: World) -> TileRenderer:
    """The tile renderer of ``world``'s kind (program soups unless the world says otherwise)."""
    return _RENDERERS[str(getattr(world, "kind", "program"))](world)


@dataclass
class Viewport:
    """Which part of a soup a pane of ``width`` x ``height`` pixels shows, and how large."""

    num_members: int
    columns: int  # tiles per row
    width: int
    height: int
    tile: int = TILE
    zoom: float = 1.0  # screen pixels per cell
    x0: float = 0.0  # the cell at the pane's left edge
    y0: float = 0.0  # the cell at the pane's top edge

    @classmethod
    def for_world(cls, world: World, width: int, height: int,
                  tile: int | None = None) -> Viewport:
        """A viewport on ``world``'s soup (its grid for 2-D worlds), zoomed to fit the pane;
        ``tile`` defaults to the side of the world kind's tiles."""
        cols = default_columns(world.num_programs, world.grid)
        if tile is None:
            tile = tile_renderer(world).tile
        v = cls(world.num_programs, cols, width, height, tile)
        v.fit()
        return v

    @property
    def rows(self) -> int:
        """Rows of tiles."""
        return -(-self.num_members // self.columns)

    @property
    def cells(self) -> tuple[int, int]:
        """(width, height) of the whole soup in cells."""
        return self.columns * self.tile, self.rows * self.tile

    def fit(self) -> None:
        """The largest zoom level that shows the whole soup, at the top left."""
        cw, ch = self.cells
        fitting = [z for z in ZOOMS if cw * z <= self.width and ch * z <= self.height]
        self.zoom = fitting[-1] if fitting else ZOOMS[0]
        self.x0 = self.y0 = 0.0
        self._clamp()

    def zoom_at(self, px: int, py: int, zoom_in: bool) -> None:
        """Zoom one level in or out, keeping the cell under pixel (px, py) in place."""
        i = ZOOMS.index(self.zoom) if self.zoom in ZOOMS else 3
        new = ZOOMS[min(i + 1, len(ZOOMS) - 1) if zoom_in else max(i - 1, 0)]
        cx, cy = self.x0 + px / self.zoom, self.y0 + py / self.zoom
        self.zoom = new
        self.x0, self.y0 = cx - px / new, cy - py / new
        self._clamp()

    def pan(self, dx_pixels: float, dy_pixels: float) -> None:
        """Move the view by a drag of (dx, dy) screen pixels."""
        self.x0 -= dx_pixels / self.zoom
        self.y0 -= dy_pixels / self.zoom
        self._clamp()

    def _clamp(self) -> None:
        cw, ch = self.cells
        self.x0 = float(min(max(self.x0, 0.0), max(cw - self.width / self.zoom, 0.0)))
        self.y0 = float(min(max(self.y0, 0.0), max(ch - self.height / self.zoom, 0.0)))

    def key(self) -> tuple:
        """What the pixel map depends on."""
        return (self.num_members, self.columns, self.width, self.height, self.tile, self.zoom,
                int(self.x0), int(self.y0))

    def cell_at(self, px: int, py: int) -> tuple[int, int]:
        """(x, y) soup cell under pane pixel (px, py)."""
        return int(self.x0 + px / self.zoom), int(self.y0 + py / self.zoom)

    def member_at(self, px: int, py: int) -> int | None:
        """The member whose tile is under pane pixel (px, py) (None: outside the soup)."""
        if not (0 <= px < self.width and 0 <= py < self.height):
            return None
        cx, cy = self.cell_at(px, py)
        col, row = cx // self.tile, cy // self.tile
        if col >= self.columns:
            return None
        m = row * self.columns + col
        return m if m < self.num_members else None

    def tile_rect(self, member: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) in pane pixels of ``member``'s tile (may lie outside the pane)."""
        row, col = divmod(member, self.columns)
        x = (col * self.tile - self.x0) * self.zoom
        y = (row * self.tile - self.y0) * self.zoom
        size = self.tile * self.zoom
        return int(round(x)), int(round(y)), max(1, int(round(size))), max(1, int(round(size)))

    def pixel_map(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(member int64[w, h], cell int64[w, h], valid bool[w, h]) of every pane pixel, in
        pygame's surfarray order (x first)."""
        xs = (self.x0 + np.arange(self.width) / self.zoom).astype(np.int64)
        ys = (self.y0 + np.arange(self.height) / self.zoom).astype(np.int64)
        t = self.tile
        col, cx = np.divmod(xs, t)
        row, cy = np.divmod(ys, t)
        member = row[None, :] * self.columns + col[:, None]
        cell = cy[None, :] * t + cx[:, None]
        valid = (col[:, None] < self.columns) & (member < self.num_members)
        return np.where(valid, member, 0), cell, valid


class SoupPainter:
    """Turns a soup state into the pane's pixels, caching the pixel map between frames."""

    def __init__(self, renderer: TileRenderer) -> None:
        self.renderer = renderer
        self._key: tuple | None = None
        self._cells = np.zeros((0, 0), dtype=np.int64)
        self._outside = np.zeros(0, dtype=np.int64)

    def _update(self, view: Viewport) -> None:
        if self._key != view.key():
            member, cell, valid = view.pixel_map()
            self._key = view.key()
            # row-major (y first) in memory: the gathers stream and the blit copies rows
            self._cells = np.ascontiguousarray((member * (view.tile * view.tile) + cell).T)
            self._outside = np.flatnonzero(~valid.T)

    def values(self, state: np.ndarray, view: Viewport) -> np.ndarray:
        """int[h, w]: each pane pixel's palette index (``len(palette)``: outside the soup),
        y first (``.T`` gives pygame's x-first order without a copy)."""
        self._update(view)
        out = self.renderer.cell_values(state, self._cells)
        if len(self._outside):
            out = out.astype(np.int32)
            out.reshape(-1)[self._outside] = len(self.renderer.palette)
        return out

    def lut(self) -> np.ndarray:
        """uint8[K + 1, 3]: the palette and the background colour after it."""
        return np.concatenate([self.renderer.palette, np.array([BACKGROUND], dtype=np.uint8)])

    def pixels(self, state: np.ndarray, view: Viewport) -> np.ndarray:
        """uint8[w, h, 3]: the pane's pixels (x first, as ``pygame.surfarray`` wants them)."""
        return self.lut()[self.values(state, view).T]
