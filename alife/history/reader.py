"""Reading histories: format checks with clear messages, metrics, species, snapshots, checkpoint.

Files are opened in SWMR read mode, so a run that is still being written (or was killed) can be
read; call :meth:`History.refresh` to see observations appended since opening. Nothing is
unpickled: every value is a plain array or attribute.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import h5py
import numpy as np

from alife.errors import AlifeError
from alife.history.format import FORMAT, FORMAT_VERSION, READABLE_VERSIONS
from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.measures.replicators import ENTRY_DTYPE
from alife.world import World, make_world

T = TypeVar("T")
_REQUIRED = ("metrics/epoch", "species/epoch", "snapshots/epoch", "snapshots/soup",
             "checkpoint/active", "checkpoint/soup")


@dataclass(frozen=True)
class SoupState:
    """Everything needed to continue a soup bit-exactly: its bytes and counters."""

    epoch: int
    reset_index: int
    programs: np.ndarray  # uint8[N, P]
    total_ops: int = 0
    wall_time: float = 0.0
    tokens: np.ndarray | None = None  # uint64[N, P] tracer tokens (tracer_tokens worlds)
    modes: np.ndarray | None = None  # the MODES tracker's state (alife.measures.modes)


_DAMAGE = (OSError, RuntimeError, KeyError, ValueError, TypeError)


def _guard(method: Callable[..., T]) -> Callable[..., T]:
    """Turn h5py's errors on a damaged file into one :class:`AlifeError` naming the file."""

    @functools.wraps(method)
    def wrapper(self: History, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except AlifeError:
            raise
        except _DAMAGE as exc:
            raise AlifeError(_damaged(self.path, exc)) from None

    return wrapper


class History:
    """A read-only view of one run's history file."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.file = _open_checked(self.path)
        try:
            self.world = _world_from_attr(self.path, self.file.attrs.get("world"))
            self._probe()
        except BaseException:
            self.file.close()
            raise

    @_guard
    def _probe(self) -> None:
        """Read the attributes, the latest observation and the checkpoint once."""
        self.attrs  # noqa: B018
        self.last_metrics()
        self.species()
        self.checkpoint()

    # --- attributes ----------------------------------------------------------------------------

    @property
    @_guard
    def attrs(self) -> dict[str, Any]:
        """The root attributes (provenance, status) as plain Python values."""
        return {k: (v.item() if isinstance(v, np.generic) else v)
                for k, v in self.file.attrs.items()}

    @property
    @_guard
    def status(self) -> str:
        """"running" (being written, or killed), "finished" or "stopped"."""
        return str(self.file.attrs.get("status", "running"))

    @property
    @_guard
    def stopped_by(self) -> str:
        """Why a closed run ended: "epochs", "until", "interrupt", "import" ("" while running)."""
        return str(self.file.attrs.get("stopped_by", ""))

    @_guard
    def refresh(self) -> History:
        """See observations appended by a writer since the file was opened (SWMR)."""
        if not self.file.swmr_mode:  # a closed run: nothing more will come
            return self
        for group in ("metrics", "species", "snapshots", "checkpoint", "lineage", "registry"):
            for d in self.file[group].values() if group in self.file else ():
                d.refresh()
        return self

    # --- series --------------------------------------------------------------------------------

    @_guard
    def metrics(self) -> dict[str, np.ndarray]:
        """All metric series keyed by name (``epoch`` included)."""
        g = self.file["metrics"]
        n = self._complete_rows(g)
        return {k: g[k][:n] for k in g}

    @_guard
    def last_metrics(self) -> dict[str, float]:
        """The latest observation (empty before the first)."""
        g = self.file["metrics"]
        n = self._complete_rows(g)
        return {} if n == 0 else {k: g[k][n - 1].item() for k in g}

    @staticmethod
    def _complete_rows(group: h5py.Group) -> int:
        """Rows present in every series (a writer killed mid-append leaves one row short)."""
        return min(d.shape[0] for d in group.values())

    @_guard
    def transition_epoch(self, threshold: float = TRANSITION_THRESHOLD) -> int | None:
        """Epochs completed at the first observation with high-order entropy > ``threshold``
        (None: not yet, or a soup kind that does not record it)."""
        m = self.metrics()
        if "higher_entropy" not in m:
            return None
        hit = np.flatnonzero(m["higher_entropy"] > threshold)
        return int(m["epoch"][hit[0]]) if len(hit) else None

    @_guard
    def species(self, index: int = -1) -> tuple[int, list[tuple[bytes, int]]]:
        """(epoch, [(program, count), ...]) of the top species at observation ``index``."""
        g = self.file["species"]
        n = self._complete_rows(g)
        if n == 0:
            return 0, []
        i = index % n
        keys, counts = g["key"][i], g["count"][i]
        return int(g["epoch"][i]), [(keys[j].tobytes(), int(c))
                                    for j, c in enumerate(counts) if c > 0]

    # --- soups ---------------------------------------------------------------------------------

    @_guard
    def snapshot_epochs(self) -> np.ndarray:
        """Epochs completed at each stored snapshot."""
        s = self.file["snapshots"]
        return s["epoch"][: self._complete_rows(s)]

    @_guard
    def snapshot(self, epoch: int) -> SoupState:
        """The soup after ``epoch`` completed epochs, from the snapshots."""
        epochs = self.snapshot_epochs()
        hit = np.flatnonzero(epochs == epoch)
        if not len(hit):
            shown = ", ".join(str(e) for e in epochs[:20]) + (" ..." if len(epochs) > 20 else "")
            raise AlifeError(f"{str(self.path)!r} has no snapshot after {epoch} epochs; "
                             f"snapshots exist after: {shown or 'none'}")
        i = int(hit[-1])
        s = self.file["snapshots"]
        tokens = s["tokens"][i] if "tokens" in s and s["tokens"].shape[0] > i else None
        return SoupState(epoch=epoch, reset_index=int(s["reset_index"][i]),
                         programs=s["soup"][i], tokens=tokens)

    @_guard
    def checkpoint(self) -> SoupState | None:
        """The latest resumable state (None when the run was killed before its first report)."""
        c = self.file["checkpoint"]
        slot = int(c["active"][0])
        if slot < 0:
            return None
        return SoupState(epoch=int(c["epoch"][slot]), reset_index=int(c["reset_index"][slot]),
                         programs=c["soup"][slot], total_ops=int(c["total_ops"][slot]),
                         wall_time=float(c["wall_time"][slot]),
                         tokens=c["tokens"][slot] if "tokens" in c else None,
                         modes=c["modes"][slot, : int(c["modes_len"][slot])]
                         if "modes" in c else None)

    @_guard
    def registry(self) -> np.ndarray:
        """Species first seen at >= the world's registry share (structured array; see
        :data:`alife.history.format.ENTRY_DTYPE`), in order of first sighting."""
        if "registry" not in self.file:
            return np.zeros(0, dtype=ENTRY_DTYPE)
        d = self.file["registry/entries"]
        return d[:]

    @_guard
    def lineage_range(self) -> tuple[int, int]:
        """(first, end): lineage bits are stored for epochs first..end-1 ((0, 0) for none)."""
        if "lineage" not in self.file:
            return 0, 0
        d = self.file["lineage/crossed"]
        first = int(self.file["lineage/first_epoch"][0])
        return first, first + int(d.shape[0])

    @_guard
    def lineage(self, start: int, stop: int) -> np.ndarray:
        """Lineage bits of epochs ``start..stop-1`` as uint8[epochs, N] (1: parent = partner)."""
        first, end = self.lineage_range()
        if "lineage" not in self.file:
            raise AlifeError(f"{str(self.path)!r} records no lineage; run a world with "
                             "tracer_tokens = true and lineage = true")
        if not first <= start <= stop <= end:
            raise AlifeError(f"{str(self.path)!r} holds lineage for epochs {first}..{end - 1}; "
                             f"asked for {start}..{stop - 1}")
        packed = self.file["lineage/crossed"][start - first:stop - first]
        n = self.world.num_programs
        return np.unpackbits(packed, axis=1, count=n, bitorder="little")

    def close(self) -> None:
        """Close the file."""
        self.file.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _damaged(p: Path, exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    detail = text[text.find("(") + 1: text.rfind(")")] if text.startswith("Unable to") else text
    return (f"{str(p)!r} is not a readable history (truncated or corrupt: {detail}); accepted: "
            "an HDF5 history written by alife")


def _open_checked(p: Path) -> h5py.File:
    if not p.exists():
        raise AlifeError(f"history {str(p)!r} does not exist")
    try:
        # A closed file opens normally (and a truncated one fails at once); one that a writer
        # holds, or held when it was killed, needs SWMR read mode.
        f = h5py.File(p, "r", libver="latest")
    except OSError as exc:
        if "already open for write" not in str(exc):
            raise AlifeError(_damaged(p, exc)) from None
        try:
            f = h5py.File(p, "r", swmr=True, libver="latest")
        except OSError as exc2:
            raise AlifeError(_damaged(p, exc2)) from None
    try:
        fmt, version = f.attrs.get("format"), f.attrs.get("format_version")
    except _DAMAGE as exc:
        f.close()
        raise AlifeError(_damaged(p, exc)) from None
    problem = None
    if fmt != FORMAT:
        problem = (f"{str(p)!r} is an HDF5 file but not an alife history (attribute format is "
                   f"{fmt!r}, expected {FORMAT!r})")
    elif version not in READABLE_VERSIONS:
        writer = f.attrs.get("alife_version", "?")
        problem = (f"{str(p)!r} has history format version {version} (written by alife "
                   f"{writer}); this alife reads versions "
                   f"{', '.join(map(str, READABLE_VERSIONS))} (writes {FORMAT_VERSION}): "
                   "upgrade alife")
    else:
        missing = [name for name in _REQUIRED if name not in f]
        if missing:
            problem = f"{str(p)!r} is an incomplete alife history (missing {', '.join(missing)})"
    if problem:
        f.close()
        raise AlifeError(problem)
    return f


def _world_from_attr(p: Path, text: Any) -> World:
    try:
        values = tomllib.loads(str(text))
    except tomllib.TOMLDecodeError as exc:
        raise AlifeError(f"{str(p)!r}: its world attribute is not valid TOML ({exc})") from None
    try:
        return make_world(values)
    except AlifeError as exc:
        raise AlifeError(f"{str(p)!r}: its world is not valid here: {exc}") from None


def open_history(path: str | os.PathLike) -> History:
    """Open a history for reading (a running or killed run's too)."""
    return History(path)


def read_metrics(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All metric series of a history as arrays keyed by name (``epoch`` included)."""
    with History(path) as h:
        return h.metrics()
