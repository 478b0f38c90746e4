"""HDF5 run histories (shared/spec/history.md): metrics per report, soup snapshots, a checkpoint.

The writer creates every dataset first, then switches SWMR on, so ``h5py.File(path, "r",
swmr=True)`` readers see each report as soon as it is flushed. The checkpoint has two slots; a
new state goes into the idle slot and only then does ``/checkpoint/active`` point at it, so the
file always holds one complete checkpoint. Nothing is pickled.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from alife.errors import AlifeError
from alife.world import World

FORMAT = "alife-history"
FORMAT_VERSION = 1
#: Metric series every history holds (float64, NaN where not measured).
METRICS = ("h0", "brotli_size", "bpb", "higher_entropy", "ops", "ops_per_interaction",
           "total_ops", "score_sample", "score_mean", "score_max", "replicators", "confirmed",
           "replicator_fraction", "wall_time")


class HistoryWriter:
    """Append-only writer of one run's history file."""

    def __init__(self, path: str | os.PathLike, world: World, alife_version: str,
                 overwrite: bool = False) -> None:
        self.path = Path(path)
        if self.path.exists() and not overwrite:
            raise AlifeError(f"history {str(self.path)!r} already exists; choose another --out "
                             "(an existing history is never overwritten)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        n = world.num_programs
        f = h5py.File(self.path, "w", libver="latest")
        f.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION,
                        "world": world.to_toml(), "seed": world.seed,
                        "language": world.language, "alife_version": alife_version,
                        "created": _dt.datetime.now(_dt.UTC).isoformat(),
                        "status": "running"})
        m = f.create_group("metrics")
        ep = m.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
        ep.make_scale("epoch")
        for name in METRICS:
            d = m.create_dataset(name, (0,), maxshape=(None,), dtype="f8", chunks=(256,))
            d.dims[0].attach_scale(ep)
        s = f.create_group("snapshots")
        s.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
        s.create_dataset("soup", (0, n, 64), maxshape=(None, n, 64), dtype="u1",
                         chunks=(1, n, 64), compression="gzip", compression_opts=1)
        c = f.create_group("checkpoint")
        c.create_dataset("active", (1,), dtype="i8", data=[-1])
        c.create_dataset("epoch", (2,), dtype="i8")
        c.create_dataset("reset_index", (2,), dtype="i8")
        c.create_dataset("soup", (2, n, 64), dtype="u1", chunks=(1, n, 64))
        f.swmr_mode = True
        self.file = f

    def append_metrics(self, metrics: dict[str, Any]) -> None:
        """Append one report and flush it."""
        m = self.file["metrics"]
        i = m["epoch"].shape[0]
        for name in ("epoch", *METRICS):
            d = m[name]
            d.resize((i + 1,))
            d[i] = metrics.get(name, np.nan)
            d.flush()

    def append_snapshot(self, epoch: int, programs: np.ndarray) -> None:
        """Append a compressed copy of the soup after ``epoch`` completed epochs."""
        s = self.file["snapshots"]
        i = s["epoch"].shape[0]
        s["soup"].resize((i + 1, *programs.shape))
        s["soup"][i] = programs
        s["epoch"].resize((i + 1,))
        s["epoch"][i] = epoch
        s["soup"].flush()
        s["epoch"].flush()

    def write_checkpoint(self, epoch: int, reset_index: int, programs: np.ndarray) -> None:
        """Store the resumable state in the idle slot, then make it the active one."""
        c = self.file["checkpoint"]
        slot = 1 - int(c["active"][0]) if c["active"][0] >= 0 else 0
        c["soup"][slot] = programs
        c["epoch"][slot] = epoch
        c["reset_index"][slot] = reset_index
        for name in ("soup", "epoch", "reset_index"):
            c[name].flush()
        c["active"][0] = slot
        c["active"].flush()

    def close(self, status: str) -> None:
        """Close the file and record the final ``status`` ("finished" or "stopped")."""
        self.file.close()
        with h5py.File(self.path, "r+") as f:
            f.attrs["status"] = status


def open_history(path: str | os.PathLike) -> h5py.File:
    """Open a history for reading (SWMR, so a running history can be read too)."""
    p = Path(path)
    try:
        f = h5py.File(p, "r", swmr=True, libver="latest")
    except FileNotFoundError:
        raise AlifeError(f"history {str(p)!r} does not exist") from None
    except OSError as exc:
        raise AlifeError(f"{str(p)!r} is not a readable HDF5 history: {exc}") from None
    if f.attrs.get("format") != FORMAT or f.attrs.get("format_version") != FORMAT_VERSION:
        f.close()
        raise AlifeError(f"{str(p)!r} is not an alife history of format version "
                         f"{FORMAT_VERSION} (attrs format/format_version differ)")
    return f


def read_metrics(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All metric series of a history as arrays keyed by name (``epoch`` included)."""
    with open_history(path) as f:
        return {k: f["metrics"][k][()] for k in f["metrics"]}
