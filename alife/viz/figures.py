"""Saving analysis figures: PNG and SVG side by side, the parameters in the file name."""

from __future__ import annotations

import math
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # figures are files; no display is needed or assumed

#: What the cyclic fraction κ of a payoff matrix is (:func:`alife.games.cyclic_fraction`), for the
#: captions of the figures that show it.
KAPPA_DEFINITION = ("κ = ‖C‖²/‖A‖², the cyclic fraction of the payoff matrix A: A = T + C "
                    "(Hodge decomposition), T = r1ᵀ − 1rᵀ its transitive part from the ratings "
                    "r = A1/n, C = A − T its cyclic part; κ = 0: transitive, κ = 1: purely "
                    "cyclic, undefined for A = 0.")


def kappa_text(kappa: float) -> str:
    """``κ = 0.123``, or why κ has no value (a null game, A = 0)."""
    return f"κ = {kappa:.3f}" if math.isfinite(kappa) else "κ undefined (A = 0)"


def caption(fig: Any, text: str, fontsize: float = 8) -> Any:
    """``text`` under everything the figure draws (tick labels and axis labels included),
    wrapped to about the drawing's width; returns the Text. Call it last."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    width = max(40, int(max(box.width, fig.get_figwidth()) * 72 / (0.55 * fontsize)))
    x = (box.x0 + box.x1) / 2 / fig.get_figwidth()
    y = (box.y0 - 0.05) / fig.get_figheight()
    return fig.text(x, y, textwrap.fill(text, width), ha="center", va="top", fontsize=fontsize,
                    color="dimgrey")


def figure_stem(name: str, params: dict[str, Any]) -> str:
    """``name`` followed by ``key-value`` parts, safe as a file name (``entropy_seed-0_N-4096``)."""
    parts = [name]
    for key, value in params.items():
        text = re.sub(r"[^A-Za-z0-9.+-]+", "-", str(value)).strip("-")
        parts.append(f"{key}-{text}")
    return "_".join(parts)


def save_figure(fig: Any, out_dir: str | os.PathLike, name: str, params: dict[str, Any],
                dpi: int = 110) -> list[Path]:
    """Write ``fig`` as PNG and SVG under ``out_dir``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = figure_stem(name, params)
    paths = [out / f"{stem}.png", out / f"{stem}.svg"]
    fig.savefig(paths[0], dpi=dpi, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    return paths
