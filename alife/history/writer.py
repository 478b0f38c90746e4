"""Writing histories: create one, append observations with a flush each, reopen one to resume.

Every dataset exists before SWMR mode is switched on, and every append is flushed, so readers
(``h5py.File(path, "r", swmr=True)``, the live viewer, a notebook) see each observation as it
lands and a run killed with SIGKILL leaves a readable file. The checkpoint has two slots: a new
state goes into the idle slot and only then does ``/checkpoint/active`` point at it.

A killed SWMR file cannot be reopened for writing in place (HDF5 keeps its "open for write"
flag), so :meth:`HistoryWriter.reopen` writes a fresh copy truncated at the last checkpoint and
atomically swaps it in: the original stays intact until the copy is complete.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import socket
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from alife.errors import AlifeError
from alife.history.format import CHECKPOINT_SCALARS, FORMAT, FORMAT_VERSION, create_layout
from alife.history.reader import History, SoupState
from alife.world import World


def _writer_attrs() -> dict[str, Any]:
    return {"status": "running", "stopped_by": "", "writer_pid": os.getpid(),
            "writer_host": socket.gethostname()}


class HistoryWriter:
    """Append-only writer of one run's history file (use :meth:`create` or :meth:`reopen`)."""

    def __init__(self, file: h5py.File, path: Path) -> None:
        self.file = file
        self.path = path

    @classmethod
    def create(cls, path: str | os.PathLike, world: World, alife_version: str) -> HistoryWriter:
        """A new history for ``world``; an existing file at ``path`` is never overwritten."""
        p = Path(path)
        if p.exists() or p.is_symlink():
            raise AlifeError(f"output {str(p)!r} already exists; choose another --out (an "
                             "existing history is never overwritten; `alife resume` continues "
                             "one)")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AlifeError(f"cannot create the folder of history {str(p)!r}: "
                             f"{exc.strerror or exc}") from None
        # Made complete under a temporary name, then linked to its name: a history is valid
        # from the moment its file exists, whenever the process is killed.
        tmp = p.with_name(f".{p.name}.creating-{os.getpid()}")
        try:
            f = h5py.File(tmp, "x", libver="latest")
        except OSError as exc:
            raise AlifeError(f"cannot create history {str(p)!r}: {exc}") from None
        try:
            f.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION,
                            "world": world.to_toml(), "seed": world.seed,
                            "language": world.language if world.kind == "program" else "neural",
                            "alife_version": alife_version,
                            "created": _dt.datetime.now(_dt.UTC).isoformat(), "resumes": 0,
                            **_writer_attrs()})
            create_layout(f, world)
            f.swmr_mode = True
            _publish(tmp, p)
        except BaseException:
            f.close()
            tmp.unlink(missing_ok=True)
            raise
        return cls(f, p)

    @classmethod
    def reopen(cls, history: History, world: World,
               alife_version: str) -> tuple[HistoryWriter, SoupState | None]:
        """Continue ``history`` (closed here): keep what precedes its checkpoint, store ``world``.

        Returns the writer and the checkpointed state (None: restart from the initial soup).
        """
        path = history.path
        state = history.checkpoint()
        keep = state.epoch if state is not None else 0
        tmp = path.with_name(path.name + ".resume-tmp")
        tmp.unlink(missing_ok=True)
        with h5py.File(tmp, "w", libver="latest") as f:
            f.attrs.update(history.attrs)
            f.attrs.update({"format_version": FORMAT_VERSION, "world": world.to_toml(),
                            "resumes": int(f.attrs.get("resumes", 0))
                            + 1, "resumed_by": alife_version, **_writer_attrs()})
            create_layout(f, world)
            _copy_rows(history.file["metrics"], f["metrics"], keep)
            _copy_rows(history.file["species"], f["species"], keep)
            _copy_snapshots(history.file["snapshots"], f["snapshots"], keep)
            if "lineage" in f and "lineage" in history.file:
                _copy_lineage(history.file["lineage/crossed"], f["lineage/crossed"], keep)
            if state is not None:
                _write_slot(f["checkpoint"], 0, state)
                f["checkpoint/active"][0] = 0
        history.close()
        os.replace(tmp, path)
        f = h5py.File(path, "r+", libver="latest")
        f.swmr_mode = True
        return cls(f, path), state

    # --- appends -------------------------------------------------------------------------------

    def append_metrics(self, metrics: dict[str, Any]) -> None:
        """Append one observation and flush it (``epoch`` last: its length counts whole rows).

        Every name must be a series of this history (a metric the registry, alife.metrics, holds
        for the soup's kind); a float series the report lacks gets NaN, an integer one is an
        error.
        """
        m = self.file["metrics"]
        unknown = sorted(set(metrics) - set(m))
        if unknown:
            raise AlifeError(f"metric(s) {', '.join(map(repr, unknown))} are not series of "
                             f"{str(self.path)!r}: register them for the soup's kind "
                             f"(alife.metrics.register_metric and register_reporter) before the "
                             f"history is created; recorded: {', '.join(m)}")
        names = [k for k in m if k != "epoch"]
        missing = [k for k in (*names, "epoch") if k not in metrics and m[k].dtype.kind != "f"]
        if missing:
            raise AlifeError(f"the report lacks integer metric(s) {', '.join(missing)} of "
                             f"{str(self.path)!r}")
        i = m["epoch"].shape[0]
        for name in (*names, "epoch"):
            d = m[name]
            d.resize((i + 1,))
            d[i] = metrics.get(name, np.nan)
            d.flush()

    def append_species(self, epoch: int, keys: np.ndarray, counts: np.ndarray) -> None:
        """Append the top species of one observation (rows beyond ``len(counts)`` count 0)."""
        s = self.file["species"]
        i = s["epoch"].shape[0]
        k = s["count"].shape[1]
        key_row = np.zeros((k, s["key"].shape[2]), dtype=np.uint8)
        count_row = np.zeros(k, dtype=np.int64)
        key_row[: len(keys)] = keys[:k]
        count_row[: len(counts)] = counts[:k]
        for name, value in (("key", key_row), ("count", count_row), ("epoch", epoch)):
            d = s[name]
            d.resize(i + 1, axis=0)
            d[i] = value
            d.flush()

    def append_snapshot(self, epoch: int, reset_index: int, programs: np.ndarray,
                        tokens: np.ndarray | None = None) -> None:
        """Append a compressed copy of the soup (and its tracer tokens) after ``epoch`` epochs."""
        s = self.file["snapshots"]
        i = s["epoch"].shape[0]
        if i and s["epoch"][i - 1] == epoch:
            return
        values = [("soup", programs), ("reset_index", reset_index), ("epoch", epoch)]
        if "tokens" in s:
            values.insert(0, ("tokens", tokens))
        for name, value in values:
            d = s[name]
            d.resize(i + 1, axis=0)
            d[i] = value
            d.flush()

    def append_lineage(self, packed: np.ndarray) -> None:
        """Append packed lineage bits, one row per epoch (rows continue the stored epochs)."""
        d = self.file["lineage/crossed"]
        i = d.shape[0]
        d.resize(i + len(packed), axis=0)
        d[i:] = packed
        d.flush()

    def species_rows(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Every stored (epoch, top keys, counts) observation (to rebuild the registry)."""
        g = self.file["species"]
        n = min(d.shape[0] for d in g.values())
        epochs, keys, counts = g["epoch"][:n], g["key"][:n], g["count"][:n]
        return [(int(epochs[i]), keys[i][counts[i] > 0], counts[i][counts[i] > 0])
                for i in range(n)]

    def write_registry(self, entries: np.ndarray) -> None:
        """Store the replicator registry (all entries; they only grow or raise their peaks)."""
        d = self.file["registry/entries"]
        d.resize((len(entries),))
        d[:] = entries
        d.flush()

    def start_lineage(self, epoch: int) -> None:
        """Lineage bits will start at ``epoch`` (a run imported from a checkpoint)."""
        d = self.file["lineage/first_epoch"]
        d[0] = epoch
        d.flush()

    def lineage_rows(self) -> int:
        """Epochs of lineage bits stored so far."""
        return int(self.file["lineage/crossed"].shape[0])

    def last_snapshot_epoch(self) -> int | None:
        """Epochs completed at the latest snapshot (None before the first)."""
        e = self.file["snapshots/epoch"]
        return int(e[e.shape[0] - 1]) if e.shape[0] else None

    def write_checkpoint(self, state: SoupState) -> None:
        """Store the resumable state in the idle slot, then make it the active one."""
        c = self.file["checkpoint"]
        active = int(c["active"][0])
        slot = 1 - active if active >= 0 else 0
        _write_slot(c, slot, state)
        extra = tuple(x for x in ("tokens", "modes", "modes_len") if x in c)
        for name in ("soup", *CHECKPOINT_SCALARS, *extra):
            c[name].flush()
        c["active"][0] = slot
        c["active"].flush()

    def close(self, status: str, stopped_by: str) -> None:
        """Record ``status`` ("finished"/"stopped") and why it ended, then close the file.

        The attributes are rewritten while the file is still open in SWMR mode, so readers that
        hold it open (a notebook, the viewer's ``--follow``) never block the writer: reopening it
        for writing after closing would fail on their locks.
        """
        self.file.attrs["status"] = status
        self.file.attrs["stopped_by"] = stopped_by
        self.file.flush()
        self.file.close()


def _publish(tmp: Path, path: Path) -> None:
    """Give the complete file ``tmp`` the name ``path`` without ever replacing a file there."""
    try:
        os.link(tmp, path)  # fails if path exists: no window in which a file is replaced
    except FileExistsError:
        raise AlifeError(f"output {str(path)!r} already exists (it appeared while this history "
                         "was being created); choose another --out") from None
    except OSError as exc:
        if path.exists():
            raise AlifeError(f"output {str(path)!r} already exists; choose another --out") \
                from None
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise AlifeError(f"cannot create history {str(path)!r}: "
                             f"{exc.strerror or exc}") from None
        os.rename(tmp, path)  # a filesystem without hard links
        return
    tmp.unlink()


def _write_slot(c: h5py.Group, slot: int, state: SoupState) -> None:
    c["soup"][slot] = state.programs
    c["epoch"][slot] = state.epoch
    c["reset_index"][slot] = state.reset_index
    c["total_ops"][slot] = state.total_ops
    c["wall_time"][slot] = state.wall_time
    if "tokens" in c:
        c["tokens"][slot] = state.tokens
    if "modes" in c:
        modes = np.zeros(0, dtype=np.uint64) if state.modes is None else state.modes
        if c["modes"].shape[1] < len(modes):
            c["modes"].resize(len(modes), axis=1)
        c["modes"][slot, : len(modes)] = modes
        c["modes_len"][slot] = len(modes)


def _copy_rows(src: h5py.Group, dst: h5py.Group, keep: int) -> None:
    """Copy the rows observed after at most ``keep`` epochs (the epoch series is increasing)."""
    rows = min(d.shape[0] for d in src.values())  # whole rows only
    n = int(np.searchsorted(src["epoch"][:rows], keep, side="right"))
    for name, d in dst.items():
        if n:
            d.resize(n, axis=0)
            if name in src:
                d[:n] = src[name][:n]
            elif d.dtype.kind == "f":  # a series newer than the file
                d[:n] = np.nan
            else:
                raise AlifeError(f"cannot continue this history: it lacks the integer series "
                                 f"{name!r} that this alife records")


def _copy_snapshots(src: h5py.Group, dst: h5py.Group, keep: int) -> None:
    """Copy snapshots up to ``keep`` epochs, moving compressed chunks without recompressing."""
    rows = min(d.shape[0] for d in src.values())
    n = int(np.searchsorted(src["epoch"][:rows], keep, side="right"))
    if not n:
        return
    for name in ("epoch", "reset_index"):
        dst[name].resize(n, axis=0)
        dst[name][:n] = src[name][:n]
    for name in ("soup", "tokens"):
        if name not in dst:
            continue
        dst[name].resize(n, axis=0)
        for i in range(n):
            mask, chunk = src[name].id.read_direct_chunk((i, 0, 0))
            dst[name].id.write_direct_chunk((i, 0, 0), chunk, mask)


def _copy_lineage(src: h5py.Dataset, dst: h5py.Dataset, keep: int) -> None:
    """Copy the lineage bits of the epochs before ``keep``."""
    first = int(src.parent["first_epoch"][0]) if "first_epoch" in src.parent else 0
    dst.parent["first_epoch"][0] = first
    n = max(0, min(keep - first, src.shape[0]))
    dst.resize(n, axis=0)
    for start in range(0, n, 4096):
        dst[start:min(n, start + 4096)] = src[start:min(n, start + 4096)]
