"""What the committed tables keep of each run's history (Agüera y Arcas et al. 2024, sec. 2-5):
the columns beyond ``alife sweep``'s own, and the per-report series the figures are drawn from.

Histories are large and never committed, so everything a figure or a summary needs is taken
from them when a chunk is written: the epoch of the reference's replicator criterion, the reset
windows of the short-run control, and a small CSV of each run's reports.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from alife.analysis.emergence import REPLICATOR_SHARE, replicator_onset, window_crossings
from alife.errors import AlifeError
from alife.history import History
from alife.measures.entropy import TRANSITION_THRESHOLD

#: Columns added to every chunk table (beyond ``alife sweep``'s).
DERIVED = ("replicator_epoch", "max_higher_entropy", "windows", "windows_crossed",
           "windows_replicators", "first_crossing")
#: The per-report metrics kept in ``series/seed_<n>.csv`` (those the history recorded).
SERIES = ("epoch", "higher_entropy", "replicator_fraction", "richness", "skeleton_richness",
          "hamming_richness", "ops_per_interaction")


def _metrics(path: Path) -> tuple[dict[str, np.ndarray], int]:
    if not path.is_file():
        raise AlifeError(f"{path}: the run's history is missing; the derived columns are made "
                         "from histories, so run (or resume) the chunk on this machine")
    with History(path) as h:
        return h.metrics(), h.world.reset_interval


def derived_columns(path: Path) -> dict[str, Any]:
    """The derived columns of the run whose history is ``path``."""
    m, reset = _metrics(path)
    epochs, h = m["epoch"], m["higher_entropy"]
    frac = m.get("replicator_fraction", np.zeros(len(epochs)))
    out: dict[str, Any] = {k: "" for k in DERIVED}
    onset = replicator_onset(epochs, frac, REPLICATOR_SHARE)
    out["replicator_epoch"] = "" if onset is None else onset
    out["max_higher_entropy"] = float(np.max(h)) if len(h) else ""
    if reset > 0:
        crossed = window_crossings(epochs, h, reset, TRANSITION_THRESHOLD)
        reps = window_crossings(epochs, frac, reset, math.nextafter(REPLICATOR_SHARE, 0.0))
        out.update(windows=crossed.windows, windows_crossed=crossed.crossed,
                   windows_replicators=reps.crossed,
                   first_crossing="" if crossed.first is None else crossed.first)
    return out


def write_series(path: Path, out: Path) -> Path:
    """Write the per-report series of the history ``path`` to the CSV ``out`` (new, renamed)."""
    m, _ = _metrics(path)
    names = [k for k in SERIES if k in m]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for i in range(len(m["epoch"])):
            w.writerow([_cell(m[k][i]) for k in names])
    os.replace(tmp, out)
    return out


def write_soup_image(path: Path, out: Path, epoch: int) -> Path:
    """Write the picture of the history's soup after ``epoch`` epochs (replayed from the
    snapshot before it; one pixel per byte, 8 x 8 tiles in the world's grid) to the PNG ``out``
    (new, renamed); Agüera y Arcas et al. 2024, Fig. 1."""
    import matplotlib.pyplot as plt

    from alife.run.lineage import soup_at
    from alife.viz.soup_image import soup_image

    with History(path) as h:
        world = h.world
        soup = soup_at(h, epoch)
    columns = world.grid[0] if world.grid is not None else None
    image = soup_image(np.asarray(soup.programs), world.language, columns)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp.png")
    plt.imsave(tmp, image)
    os.replace(tmp, out)
    return out


def _cell(x: Any) -> str:
    v = x.item() if hasattr(x, "item") else x
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def read_series(path: Path) -> dict[str, np.ndarray]:
    """A series CSV written by :func:`write_series`, as float arrays by column."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise AlifeError(f"{path}: empty series file")
    head, body = rows[0], rows[1:]
    data = np.array(body, dtype=np.float64).reshape(len(body), len(head))
    return {k: data[:, i] for i, k in enumerate(head)}
