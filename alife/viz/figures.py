"""Saving analysis figures: PNG and SVG side by side, the parameters in the file name."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # figures are files; no display is needed or assumed


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
