"""Writing histories: create one, append observations with a flush each, reopen one to resume.

Every dataset exists before SWMR mode is switched on, and every append is flushed, so readers
(``h5py.File(path, "r", swmr=True)``, the live viewer, a notebook) see each observation as it
lands and a run killed with SIGKILL leaves a readable file. The checkpoint has two slots: a new
state goes into the idle slot and only then does ``/checkpoint/active`` point at it.

A killed SWMR file cannot be reopened for writing in place (HDF5 keeps its "open for write"
flag), so :meth:`HistoryWriter.reopen` writes a fresh copy truncated at the last checkpoint under
a temporary name (every chunk it copies verified first) and renames it over the original: the
original stays intact until the copy is complete, and a copy that fails is removed.

A write that fails (a full disk, an I/O error) ends the writer: HDF5 is cut off from the file at
once (:meth:`HistoryWriter.abandon`), so the file stays as it was before that write, like a run
killed at that moment: a valid history at its last complete checkpoint, which ``alife resume``
continues once the cause is fixed. The failure is one :class:`AlifeError` naming the file and
the cause. :func:`resume_lock` keeps a second process from resuming a history at the same time.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import functools
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import h5py
import numpy as np

from alife.errors import AlifeError
from alife.history.format import CHECKPOINT_SCALARS, FORMAT, FORMAT_VERSION, create_layout
from alife.history.reader import History, SoupState
from alife.world import World

T = TypeVar("T")
#: What h5py raises when the file system refuses a write (ENOSPC, EIO, ...).
_WRITE_ERRORS = (OSError, RuntimeError)


def _writer_attrs() -> dict[str, Any]:
    return {"status": "running", "stopped_by": "", "writer_pid": os.getpid(),
            "writer_host": socket.gethostname()}


def failure_cause(exc: BaseException) -> str:
    """The operating system's words for why a write failed ("No space left on device"), else
    the first line of the error."""
    text = str(exc)
    m = re.search(r"errno = (\d+)", text)
    if m:
        return os.strerror(int(m.group(1)))
    if isinstance(exc, OSError) and exc.errno:
        return exc.strerror or os.strerror(exc.errno)
    return (text.splitlines() or [type(exc).__name__])[0][:200]


def _writes(method: Callable[..., T]) -> Callable[..., T]:
    """A write to the file: a failure abandons the file (:meth:`HistoryWriter.abandon`) and
    becomes one AlifeError; after one, every write is refused with the same message."""

    @functools.wraps(method)
    def wrapper(self: HistoryWriter, *args: Any, **kwargs: Any) -> T:
        if self.failure is not None:
            raise AlifeError(self.failure)
        try:
            return method(self, *args, **kwargs)
        except AlifeError:
            raise
        except _WRITE_ERRORS as exc:
            self.failure = self._failure_message(exc)
            self.abandon()
            raise AlifeError(self.failure) from None

    return wrapper


class HistoryWriter:
    """Append-only writer of one run's history file (use :meth:`create` or :meth:`reopen`)."""

    def __init__(self, file: h5py.File, path: Path, checkpoint_epoch: int | None = None) -> None:
        self.file: h5py.File | None = file
        self.path = path
        #: epochs completed at the last checkpoint written whole (None: none yet)
        self.checkpoint_epoch = checkpoint_epoch
        #: why writing stopped (a write failed), else None
        self.failure: str | None = None
        #: every group and dataset, held open for the writer's life (create_layout)
        self._held: list[Any] = []

    @property
    def failed(self) -> bool:
        """Whether a write failed (the file is then left as it was before that write)."""
        return self.failure is not None

    def _failure_message(self, exc: BaseException) -> str:
        e = self.checkpoint_epoch
        kept = f"its last checkpoint, after {e} epochs" if e is not None else \
            "no checkpoint yet, so resuming starts it again from its initial soup"
        return (f"cannot write history {str(self.path)!r}: {failure_cause(exc)}; the run stops "
                f"here and the file keeps {kept}: `alife resume {self.path}` continues it once "
                "that is fixed")

    def abandon(self) -> None:
        """Cut HDF5 off from the file and close it: whatever HDF5 still holds in memory goes to
        an anonymous buffer, never to the file, which stays as it was (valid, like a run killed
        here). After a failed write, the file handle's state cannot be trusted."""
        f, self.file = self.file, None
        if f is None:
            return
        _detach(f)
        with contextlib.suppress(Exception):
            f.close()
        self._held.clear()

    @classmethod
    def create(cls, path: str | os.PathLike, world: World, alife_version: str,
               pattern: bytes | None = None) -> HistoryWriter:
        """A new history for ``world`` (``pattern``: its pattern file's contents, stored); an
        existing file at ``path`` is never overwritten."""
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
            f = _create_new(tmp)
        except OSError as exc:
            raise AlifeError(f"cannot create history {str(p)!r}: {failure_cause(exc)}; nothing "
                             "was written") from None
        writer = cls(f, p)
        try:
            f.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION,
                            "world": world.to_toml(), "seed": world.seed,
                            "language": world.language if world.kind == "program" else "neural",
                            "alife_version": alife_version,
                            "created": _dt.datetime.now(_dt.UTC).isoformat(), "resumes": 0,
                            **_writer_attrs()})
            create_layout(f, world, pattern, made=writer._held)
            f.swmr_mode = True
            _publish(tmp, p)
        except BaseException as exc:
            writer.abandon()
            tmp.unlink(missing_ok=True)
            if isinstance(exc, _WRITE_ERRORS):
                raise AlifeError(f"cannot create history {str(p)!r}: {failure_cause(exc)}; "
                                 "nothing was written") from None
            raise
        return writer

    @classmethod
    def reopen(cls, history: History, world: World, alife_version: str
               ) -> tuple[HistoryWriter, SoupState | None]:
        """Continue ``history`` (closed here): keep what precedes its checkpoint, store ``world``.

        The continuation is written whole under a temporary name beside the history, every
        chunk it copies checked against its checksum, then renamed over the history (its real
        file, not a link to it). On any failure the history is left untouched and the temporary
        copy removed. Returns the writer and the checkpointed state (None: restart from the
        initial soup). Hold :func:`resume_lock` around it (and around the run that follows).
        """
        path = history.path
        try:
            state = history.checkpoint()
            keep = state.epoch if state is not None else 0
            pattern = history.pattern()
            src = history.file
            _check_increasing(history, src["metrics/epoch"], "/metrics/epoch")
            _check_increasing(history, src["snapshots/epoch"], "/snapshots/epoch")
        except BaseException:
            history.close()
            raise
        tmp = path.with_name(f".{path.name}.resume-{os.getpid()}")
        try:
            f = _create_new(tmp)
        except OSError as exc:
            history.close()
            raise AlifeError(f"cannot resume {str(path)!r}: cannot create its continuation "
                             f"{str(tmp)!r} beside it: {failure_cause(exc)}; the history is "
                             "unchanged") from None
        writer = cls(f, path, checkpoint_epoch=state.epoch if state is not None else None)
        try:
            f.attrs.update(history.attrs)
            f.attrs.update({"format_version": FORMAT_VERSION, "world": world.to_toml(),
                            "resumes": int(f.attrs.get("resumes", 0))
                            + 1, "resumed_by": alife_version, **_writer_attrs()})
            create_layout(f, world, pattern, made=writer._held)
            _copy_rows(history, src["metrics"], f["metrics"], keep)
            _copy_rows(history, src["species"], f["species"], keep)
            _copy_snapshots(history, src["snapshots"], f["snapshots"], keep)
            if "lineage" in f and "lineage" in src:
                _copy_lineage(history, src["lineage/crossed"], f["lineage/crossed"], keep)
            if state is not None:
                _write_slot(f["checkpoint"], 0, state)
                f["checkpoint/active"][0] = 0
            f.swmr_mode = True  # flushes the whole copy
            os.fsync(f.id.get_vfd_handle())
            history.close()
            os.replace(tmp, path)
        except BaseException as exc:
            history.close()
            writer.abandon()
            tmp.unlink(missing_ok=True)
            if isinstance(exc, _WRITE_ERRORS):
                raise AlifeError(f"cannot resume {str(path)!r}: writing its continuation "
                                 f"failed: {failure_cause(exc)}; the history is unchanged and "
                                 "nothing was left beside it") from None
            raise
        return writer, state

    # --- appends -------------------------------------------------------------------------------

    @_writes
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

    @_writes
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

    @_writes
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

    @_writes
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

    @_writes
    def write_registry(self, entries: np.ndarray) -> None:
        """Store the replicator registry (all entries; they only grow or raise their peaks)."""
        d = self.file["registry/entries"]
        d.resize((len(entries),))
        d[:] = entries
        d.flush()

    @_writes
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

    @_writes
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
        self.checkpoint_epoch = state.epoch

    def close(self, status: str, stopped_by: str) -> None:
        """Record ``status`` ("finished"/"stopped") and why it ended, then close the file.

        The attributes are rewritten while the file is still open in SWMR mode, so readers that
        hold it open (a notebook, the viewer's ``--follow``) never block the writer: reopening it
        for writing after closing would fail on their locks.
        """
        if self.failure is not None or self.file is None:  # abandoned: nothing more to write
            return
        self._close(status, stopped_by)

    @_writes
    def _close(self, status: str, stopped_by: str) -> None:
        self.file.attrs["status"] = status
        self.file.attrs["stopped_by"] = stopped_by
        self.file.flush()
        f, self.file = self.file, None
        f.close()
        self._held.clear()


def _create_new(path: Path) -> h5py.File:
    """A new HDF5 file at ``path`` (which must not exist); one that HDF5 could not finish
    creating (a full disk) is removed."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    try:
        return h5py.File(path, "x", libver="latest")
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _detach(f: h5py.File) -> None:
    """Point the file descriptor HDF5 writes through at an anonymous in-memory file (or
    /dev/null), so nothing HDF5 flushes from now on reaches the file on disk."""
    try:
        fd = f.id.get_vfd_handle()
    except Exception:  # noqa: BLE001 - not a POSIX file driver: nothing to cut off
        return
    if not isinstance(fd, int) or fd < 0:
        return
    try:
        sink = os.memfd_create("alife-abandoned-history") if hasattr(os, "memfd_create") \
            else os.open(os.devnull, os.O_RDWR)
    except OSError:
        sink = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(sink, fd)
    finally:
        os.close(sink)


@contextlib.contextmanager
def resume_lock(path: Path) -> Iterator[None]:
    """Hold the right to resume ``path`` (its real file) while the block runs.

    An OS lock (``flock``) on ``.<name>.lock`` beside it, which the kernel releases when the
    holder exits however it exits, so a killed resume never blocks the next. A second process
    is refused at once with the holder's pid. The lock file is removed when the block ends.
    Left-over continuations of killed resumes (``.<name>.resume-<pid>``) are removed under it.
    """
    lock = path.with_name(f".{path.name}.lock")
    fd = -1
    for _ in range(10):  # the file may be removed by a finishing holder between open and lock
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise AlifeError(f"cannot resume {str(path)!r}: its folder does not take new files "
                             f"({exc.strerror or exc}); resuming writes the continuation beside "
                             "the history and renames it into place; accepted: a history in a "
                             "writable folder (copy it to one)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            for _ in range(50):  # the holder writes its pid just after locking: wait for it
                if holder or exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    break
                time.sleep(0.01)
                holder = _read_pid(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AlifeError(f"cannot resume {str(path)!r}: cannot lock {str(lock)!r}: "
                                 f"{exc.strerror or exc}") from None
            who = f"process {holder}" if holder else "another process"
            raise AlifeError(f"{str(path)!r} is being resumed by {who}; wait for it to end "
                             "(or stop it) before resuming it again") from None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
        fd = -1
    if fd < 0:
        raise AlifeError(f"cannot resume {str(path)!r}: its lock {str(lock)!r} keeps changing")
    try:
        with contextlib.suppress(OSError):  # the pid only names the holder (a full disk: none)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        for stale in [*path.parent.glob(f".{glob_escape(path.name)}.resume-*"),
                      path.with_name(path.name + ".resume-tmp")]:
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


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


def _check_increasing(history: History, d: h5py.Dataset, name: str) -> None:
    """An epoch series must not decrease (rows are kept up to the checkpoint by its order)."""
    values = d[:]
    if len(values) > 1 and np.any(np.diff(values) < 0):
        raise AlifeError(f"{str(history.path)!r} is corrupt: {name} decreases (after "
                         f"{int(values[np.flatnonzero(np.diff(values) < 0)[0] + 1])} epochs); "
                         "nothing is resumed from a damaged history (restore it from a copy)")


def _copy_rows(history: History, src: h5py.Group, dst: h5py.Group, keep: int) -> None:
    """Copy the rows observed after at most ``keep`` epochs (the epoch series is increasing)."""
    rows = min(d.shape[0] for d in src.values())  # whole rows only
    n = int(np.searchsorted(src["epoch"][:rows], keep, side="right"))
    for name, d in dst.items():
        if n:
            d.resize(n, axis=0)
            if name in src:
                d[:n] = history.read_checked(src[name], slice(0, n),
                                             f"its rows up to {keep} epochs")
            elif d.dtype.kind == "f":  # a series newer than the file
                d[:n] = np.nan
            else:
                raise AlifeError(f"cannot continue this history: it lacks the integer series "
                                 f"{name!r} that this alife records")


def _copy_snapshots(history: History, src: h5py.Group, dst: h5py.Group, keep: int) -> None:
    """Copy snapshots up to ``keep`` epochs. Each is decoded first, which checks its checksum
    (a damaged chunk is never copied forward); then, when both files filter alike, its stored
    chunk moves as it is, without recompressing."""
    rows = min(d.shape[0] for d in src.values())
    epochs = src["epoch"][:rows]
    n = int(np.searchsorted(epochs, keep, side="right"))
    if not n:
        return
    for name in ("epoch", "reset_index"):
        dst[name].resize(n, axis=0)
        dst[name][:n] = src[name][:n]
    for name in ("soup", "tokens"):
        if name not in dst:
            continue
        s, d = src[name], dst[name]
        if s.shape[0] < n:
            raise AlifeError(f"{str(history.path)!r} is an incomplete alife history: "
                             f"/snapshots/{name} holds {s.shape[0]} of its {n} snapshots")
        raw = _filters(s) == _filters(d)
        d.resize(n, axis=0)
        for i in range(n):
            e = int(epochs[i])
            data = history.read_checked(s, i, f"the snapshot after {e} epoch{'s' * (e != 1)}")
            if raw:
                mask, chunk = s.id.read_direct_chunk((i, 0, 0))
                d.id.write_direct_chunk((i, 0, 0), chunk, mask)
            else:  # an older file without checksums: store it with this version's filters
                d[i] = data


def _filters(d: h5py.Dataset) -> tuple[Any, ...]:
    return (d.dtype, d.chunks, d.compression, d.compression_opts, d.shuffle, d.fletcher32,
            d.scaleoffset)


def _copy_lineage(history: History, src: h5py.Dataset, dst: h5py.Dataset, keep: int) -> None:
    """Copy the lineage bits of the epochs before ``keep``."""
    first = int(src.parent["first_epoch"][0]) if "first_epoch" in src.parent else 0
    dst.parent["first_epoch"][0] = first
    n = max(0, min(keep - first, src.shape[0]))
    dst.resize(n, axis=0)
    for start in range(0, n, 4096):
        stop = min(n, start + 4096)
        dst[start:stop] = history.read_checked(
            src, slice(start, stop), f"lineage bits of epochs {first + start}..{first + stop - 1}")
