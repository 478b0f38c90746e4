"""Picture of a soup snapshot: every program an 8x8 tile of byte colours (Agüera y Arcas et al.
2024, "Computational Life", fig. 1).

    python analyses/soup_image.py RUN.h5 [--epoch E|last] [--out DIR] [--columns C] [--crop K]

Writes the raw image at full resolution (one pixel per byte, ``soup_raw_*.png``) and a figure
with a title and a legend of the palette (``soup_*.png`` and ``.svg``); the file names carry the
language, number of programs, seed and epoch. The default folder is ``runs/figures/<history
name>/`` under the current directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from _common import history_parser, out_dir, run_script, snapshot_epoch
from matplotlib.patches import Patch

from alife.errors import AlifeError
from alife.history import History
from alife.viz.figures import figure_stem, save_figure
from alife.viz.palette import palette_legend
from alife.viz.soup_image import default_columns, soup_image


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: history, --epoch, --out, --columns, --crop."""
    parser = history_parser(__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--epoch", default="last",
                        help="snapshot to draw, in epochs completed (default: last)")
    parser.add_argument("--columns", type=int, default=None,
                        help="tiles per row (default: the world's grid width, else near-square)")
    parser.add_argument("--crop", type=int, default=None, metavar="K",
                        help="draw only the first K programs (for big soups)")
    return parser.parse_args(argv)


def draw(image: np.ndarray, language: str, title: str, caption: str) -> plt.Figure:
    """A figure of ``image`` with ``title``, ``caption`` under it and the palette's legend."""
    h, w = image.shape[:2]
    width = 7.0
    height = min(max(width * h / w, 2.5), 12.0)
    fig, ax = plt.subplots(figsize=(width + 3.6, height + 0.9))
    ax.imshow(image, interpolation="nearest")
    if h <= 8 * 32 and w <= 8 * 32:  # few enough tiles to outline each program
        for x in range(8, w, 8):
            ax.axvline(x - 0.5, color="white", linewidth=0.4)
        for y in range(8, h, 8):
            ax.axhline(y - 0.5, color="white", linewidth=0.4)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(caption, fontsize=8)
    handles = [Patch(facecolor=np.array(rgb) / 255, edgecolor="black", linewidth=0.4, label=label)
               for label, rgb in palette_legend(language)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
              title="byte colours", title_fontsize=9, frameon=False)
    return fig


def main(argv: list[str] | None = None) -> int:
    """Draw the snapshot; print the files written."""
    args = parse_args(argv)
    if args.crop is not None and args.crop < 1:
        raise AlifeError(f"--crop must be >= 1, got {args.crop}")
    if args.columns is not None and args.columns < 1:
        raise AlifeError(f"--columns must be >= 1, got {args.columns}")
    with History(args.history) as h:
        world = h.world
        epoch = snapshot_epoch(h, args.epoch)
        programs = np.asarray(h.snapshot(epoch).programs)
    n = len(programs)
    if args.crop is not None:
        programs = programs[: args.crop]
    grid = world.grid if world.grid is not None and len(programs) % world.grid[0] == 0 else None
    columns = args.columns or default_columns(len(programs), grid)
    image = soup_image(programs, world.language, columns)

    params = {"language": world.language, "N": n, "seed": world.seed, "epoch": epoch}
    if args.crop is not None:
        params["crop"] = len(programs)
    if args.columns is not None:
        params["columns"] = columns
    out = out_dir(args)
    out.mkdir(parents=True, exist_ok=True)
    raw = out / f"{figure_stem('soup_raw', params)}.png"
    plt.imsave(raw, image)

    shown = f", first {len(programs)} shown" if len(programs) < n else ""
    title = (f"{world.language} soup after {epoch} epochs\n"
             f"N = {n} programs, seed {world.seed}{shown}")
    rows = image.shape[0] // 8
    caption = (f"each 8x8 tile is one 64-byte program (byte j at row j // 8, column j % 8);\n"
               f"programs in order, {columns} per row, {rows} rows"
               + (f" (the world's {grid[0]} x {grid[1]} grid)" if grid and columns == grid[0]
                  and len(programs) == n else ""))
    fig = draw(image, world.language, title, caption)
    paths = save_figure(fig, out, "soup", params)
    plt.close(fig)
    for p in (raw, *paths):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(run_script(Path(__file__).stem, main))
