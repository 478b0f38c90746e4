"""Reading histories: format checks with clear messages, metrics, species, snapshots, checkpoint.

Files are opened in SWMR read mode, so a run that is still being written (or was killed) can be
read; call :meth:`History.refresh` to see observations appended since opening. Nothing is
unpickled: every value is a plain array or attribute, and nothing a history names (its world's
``pattern`` path) is opened: a history holds all it needs.

A damaged or tampered file gives one :class:`AlifeError` naming the file and what is wrong: a
chunk that fails its checksum ("... is corrupt (checksum mismatch) ..."), a checkpoint that no
report of the file leads to, a soup whose shape is not its world's.
"""

from __future__ import annotations

import dataclasses
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
from alife.history.format import (
    FORMAT,
    FORMAT_VERSION,
    READABLE_VERSIONS,
    pattern_digest,
    row_bytes,
)
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
    #: a pattern world's partner-list file as the run read it (the history's copy), else None
    pattern: bytes | None = None


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
        self._pattern: bytes | None = None
        try:
            #: the world as the run stored it (its ``pattern``, if any, is where the file was read
            #: when the run started; soups of this history pair from the stored copy instead)
            self.world = _world_from_attr(self.path, self.file.attrs.get("world"))
            self._probe()
        except BaseException:
            self.file.close()
            raise

    @property
    def version(self) -> int:
        """The file's format version (one of READABLE_VERSIONS)."""
        return int(self.file.attrs["format_version"])

    @_guard
    def _probe(self) -> None:
        """Read the attributes, the latest observation and the checkpoint once, and check that
        the soup datasets have the world's shape."""
        self.attrs  # noqa: B018
        n, w = self.world.num_programs, row_bytes(self.world)
        for name, first in (("checkpoint/soup", 2), ("snapshots/soup", None),
                            ("checkpoint/tokens", 2), ("snapshots/tokens", None)):
            if name not in self.file:
                continue
            shape = self.file[name].shape
            if len(shape) != 3 or shape[1:] != (n, w) or (first and shape[0] != first):
                raise AlifeError(f"{str(self.path)!r} is corrupt: /{name} has shape "
                                 f"{list(shape)} but its world has num_programs = {n} of {w} "
                                 f"bytes (expected [{first or 'snapshots'}, {n}, {w}])")
        if self.world.tracer_tokens and "checkpoint/tokens" not in self.file:
            raise AlifeError(f"{str(self.path)!r} is an incomplete alife history (missing "
                             "checkpoint/tokens, which its world's tracer_tokens = true needs)")
        self.last_metrics()
        self.species()
        self._checkpoint(read_soup=False)  # its soup is read (and its checksum checked) on use

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
        keys, counts = self.read_checked(g["key"], i, "species keys"), g["count"][i]
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
        what = f"the snapshot after {_epochs(epoch)}"
        tokens = self.read_checked(s["tokens"], i, what) \
            if "tokens" in s and s["tokens"].shape[0] > i else None
        return SoupState(epoch=epoch, reset_index=int(s["reset_index"][i]),
                         programs=self.read_checked(s["soup"], i, what), tokens=tokens,
                         pattern=self.pattern())

    @_guard
    def checkpoint(self) -> SoupState | None:
        """The latest resumable state (None when the run was killed before its first report).

        Checked against the file: its epoch must be one of the reports' (the checkpoint follows
        its report) or, in a stopped or running file, within one report interval after the last
        (a stop between reports; a report being written), its counters non-negative, its soup
        intact. A pattern world's state carries the stored pattern file (:meth:`pattern`).
        """
        state = self._checkpoint()
        if state is None or self.world.pattern is None:
            return state
        return dataclasses.replace(state, pattern=self.pattern())

    def _checkpoint(self, read_soup: bool = True) -> SoupState | None:
        c = self.file["checkpoint"]
        slot = _scalar(c["active"][0])
        if slot not in (-1, 0, 1):
            raise self._corrupt(f"/checkpoint/active is {slot!r}; accepted: -1 (no checkpoint "
                                "yet), 0 or 1 (the slot in use)")
        if slot < 0:
            return None
        epoch = _scalar(c["epoch"][slot])
        g = self.file["metrics"]
        reports = g["epoch"][: self._complete_rows(g)]
        if isinstance(epoch, int) and epoch not in set(reports.tolist()) \
                and self.file.swmr_mode:  # a live file: the report may have landed since
            for d in g.values():
                d.refresh()
            reports = g["epoch"][: self._complete_rows(g)]
        if isinstance(epoch, int) and epoch not in set(reports.tolist()) and len(reports) \
                and self.status in ("running", "stopped") \
                and 0 < epoch - int(reports[-1]) <= self.world.report_every:
            # running: the writer is between checkpoint and report; stopped: a stop between
            # reports checkpointed the soup without a row (alife.run.runner.run_soup)
            reports = np.append(reports, epoch)
        if not isinstance(epoch, int) or epoch < 0 or epoch not in set(reports.tolist()):
            last = int(reports[-1]) if len(reports) else None
            raise self._corrupt(f"its checkpoint says {epoch!r} epochs were completed, which no "
                                f"report of the file leads to (reports after {_shown(reports)}"
                                f"{'' if last is None else f'; the last after {last}'})")
        counters = {k: _scalar(c[k][slot]) for k in ("reset_index", "total_ops")}
        wall = _scalar(c["wall_time"][slot])
        for k, v in counters.items():
            if not isinstance(v, int) or v < 0:
                raise self._corrupt(f"its checkpoint's {k} is {v!r}; accepted: an integer >= 0")
        if not isinstance(wall, float) or not 0 <= wall < float("inf"):
            raise self._corrupt(f"its checkpoint's wall_time is {wall!r}; accepted: seconds >= 0")
        modes = None
        if "modes" in c:
            length = _scalar(c["modes_len"][slot])
            if isinstance(length, int) and length > c["modes"].shape[1] and self.file.swmr_mode:
                c["modes"].refresh()  # a live file: the writer grew it since our last refresh
            if not isinstance(length, int) or not 0 <= length <= c["modes"].shape[1]:
                raise self._corrupt(f"its checkpoint's modes_len is {length!r}; accepted: 0.."
                                    f"{c['modes'].shape[1]}")
            modes = self.read_checked(c["modes"], (slot, slice(0, length)),
                                      f"the checkpoint after {_epochs(epoch)}") if read_soup \
                else None
        if not read_soup:
            return None
        what = f"the checkpoint after {_epochs(epoch)}"
        return SoupState(epoch=epoch, reset_index=counters["reset_index"],
                         programs=self.read_checked(c["soup"], slot, what),
                         total_ops=counters["total_ops"], wall_time=wall,
                         tokens=self.read_checked(c["tokens"], slot, what)
                         if "tokens" in c else None, modes=modes)

    @_guard
    def pattern(self) -> bytes | None:
        """The partner-list file the run read (a world with ``pattern``), as the history stores
        it, checked against its SHA-256; None for other worlds.

        Histories of format version 1 and 2 stored no copy: their soups cannot be rebuilt, as
        the file a history names is never opened.
        """
        if self.world.pattern is None:
            return None
        if self._pattern is None:
            if "pattern" not in self.file:
                if self.version < 3:
                    raise AlifeError(
                        f"{str(self.path)!r} (history format version {self.version}) names the "
                        f"pattern file {self.world.pattern!r} but stores no copy of it, and a "
                        "history's soups pair only from what the history stores, never from a "
                        "path written in it; histories of format version 3 store the file")
                raise AlifeError(f"{str(self.path)!r} is an incomplete alife history (missing "
                                 "pattern, which its world's pattern key needs)")
            d = self.file["pattern"]
            data = self.read_checked(d, slice(None), "the pattern file's copy").tobytes()
            if pattern_digest(data) != str(d.attrs.get("sha256", "")):
                raise AlifeError(f"{str(self.path)!r}: /pattern (the pattern file's copy) is "
                                 "corrupt (checksum mismatch: its bytes do not match their "
                                 "SHA-256); nothing is resumed or shown from a damaged dataset")
            self._pattern = data
        return self._pattern

    def soup_world(self) -> World:
        """The world that soups of this history are built from: :attr:`world`, with a
        ``pattern`` pointing at a copy of the stored contents (never at the stored path)."""
        from alife.history.patterns import pattern_world

        return pattern_world(self.world, self.pattern())

    def read_checked(self, d: h5py.Dataset, index: Any, what: str) -> np.ndarray:
        """``d[index]``, a failed checksum (or undecodable chunk) as one corrupt-file error."""
        try:
            return d[index]
        except OSError as exc:
            if "filter returned failure" not in str(exc) and "checksum" not in str(exc).lower():
                raise
            why = "checksum mismatch" if d.fletcher32 else "its compressed data does not decode"
            raise AlifeError(f"{str(self.path)!r}: {d.name} ({what}) is corrupt ({why}); "
                             "nothing is resumed, exported or shown from a damaged dataset "
                             "(restore the file from a copy)") from None

    def _corrupt(self, problem: str) -> AlifeError:
        return AlifeError(f"{str(self.path)!r} is corrupt: {problem}; nothing is resumed, "
                          "exported or shown from a damaged history (restore it from a copy)")

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
        packed = self.read_checked(self.file["lineage/crossed"], slice(start - first, stop - first),
                            f"lineage bits of epochs {start}..{stop - 1}")
        n = self.world.num_programs
        return np.unpackbits(packed, axis=1, count=n, bitorder="little")

    def close(self) -> None:
        """Close the file (again: nothing)."""
        self.file.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scalar(value: Any) -> Any:
    """A stored number as a plain int or float (other values as they are)."""
    if isinstance(value, (np.integer, int)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def _epochs(n: int) -> str:
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def _shown(values: np.ndarray, most: int = 8) -> str:
    shown = ", ".join(str(int(v)) for v in values[:most])
    return (shown + (" ..." if len(values) > most else "")) or "none"


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
    if isinstance(fmt, bytes):
        fmt = fmt.decode("utf-8", "replace")
    version = _scalar(version)
    if not isinstance(fmt, str) or fmt != FORMAT:
        problem = (f"{str(p)!r} is an HDF5 file but not an alife history (attribute format is "
                   f"{_short(fmt)}, expected {FORMAT!r})")
    elif not isinstance(version, int):
        problem = (f"{str(p)!r} is corrupt: its format_version attribute is {_short(version)}; "
                   f"accepted: an integer (this alife reads versions "
                   f"{', '.join(map(str, READABLE_VERSIONS))})")
    elif version not in READABLE_VERSIONS:
        writer = f.attrs.get("alife_version", "?")
        problem = (f"{str(p)!r} has history format version {_short(version)} (written by "
                   f"alife {_short(writer)}); this alife reads versions "
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


def _short(value: Any, most: int = 60) -> str:
    """``repr`` of a stored value, cut to ``most`` characters (a hostile value stays short)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    text = repr(value)
    return text if len(text) <= most else text[: most - 3] + "..."


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
