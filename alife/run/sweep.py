"""Sweeps: one world over many seeds, on a local spawn-based process pool or a Dask cluster.

Every run writes its own history (``DIR/<world>__seed<S>.h5``); a run already finished is read,
not re-run, and one that was stopped or killed is resumed, so re-running a sweep completes it.
The summary table ``DIR/sweep.csv`` has one row per seed (Mesa's ``batch_run``, for soups): the
run's status and the last report of every metric the registry (:mod:`alife.metrics`) marks as a
table column for the soup's kind. A directory belongs to one world: a sweep of another world
into it is refused before anything runs (its table is never replaced), and a sweep of the same
world over more seeds adds its rows to the table, keeping the earlier ones.

Stopping. Ctrl-C (to the whole process group, as a terminal sends it) or SIGTERM to the sweep's
process stops every run at its next epoch boundary, each history closed as stopped and
resumable; runs not yet started are not started, and :func:`sweep` raises
:class:`SweepInterrupted` with the rows so far. Pool workers start with the stop signals blocked
and ignore them outside a run, so none of them prints a traceback, and each one watches its
parent: when the sweep's process dies (SIGKILL, out of memory) its workers stop their runs at
the next epoch boundary and exit.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import json
import multiprocessing
import os
import re
import signal
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from alife.errors import AlifeError
from alife.metrics import MetricSpec, metrics_for
from alife.run.runner import MAX_CHUNK, STOP_SIGNALS, take_stop_request
from alife.world import World, make_world

#: Columns of ``sweep.csv`` before the metrics (:func:`columns`) and after them.
RUN_COLUMNS = ("seed", "status", "stopped_by", "transitioned", "transition_epoch", "epochs",
               "wall_s")
#: Keys that may differ between a stored run and the sweep asking for it (a resume changes them).
_STOP_KEYS = ("epochs", "until", "name")
_RUN_LOCK = threading.Lock()  # one soup at a time per process (numba's thread pool is shared)
#: The most seeds one sweep runs (a larger one goes in parts into the same --out).
MAX_SEEDS = 100_000
#: How long a worker whose sweep died waits for its run to reach an epoch boundary, in seconds.
ORPHAN_GRACE_S = 120.0
_PARENT_POLL_S = 0.2


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C or SIGTERM: every run stopped at an epoch boundary (resumable by
    re-running the sweep). ``rows`` are this sweep's rows so far (finished and stopped runs),
    ``signal`` the signal's name, ``not_started`` the seeds never started."""

    def __init__(self, rows: list[dict[str, Any]], signal_name: str, not_started: list[int]):
        super().__init__(signal_name)
        self.rows, self.signal, self.not_started = rows, signal_name, not_started


def parse_seeds(text: str) -> list[int]:
    """``"0:100"`` (end excluded), ``"0:100:2"``, ``"3,7,9"`` or a mix like ``"0:4,10"``; at most
    :data:`MAX_SEEDS` distinct seeds in [0, 2^64)."""
    accepted = "accepted START:STOP[:STEP] (stop excluded) or a comma-separated list of distinct " \
        "integers >= 0, e.g. 0:100 or 1,5,9"
    ranges: list[range] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if ":" in part:
                ranges.append(range(*[int(x) for x in part.split(":")]))
            elif part:
                ranges.append(range(int(part), int(part) + 1))
    except (ValueError, TypeError):
        raise AlifeError(f"--seeds {text!r}: {accepted}") from None
    count = sum(max(0, -(-(r.stop - r.start) // r.step)) for r in ranges)  # len() without limits
    if count > MAX_SEEDS:
        raise AlifeError(f"--seeds {text!r}: {count} seeds; accepted: at most {MAX_SEEDS} per "
                         f"sweep (run more in parts into the same --out, e.g. --seeds "
                         f"0:{MAX_SEEDS} then --seeds {MAX_SEEDS}:{2 * MAX_SEEDS})")
    seeds = [s for r in ranges for s in r]
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise AlifeError(f"--seeds {text!r}: {accepted}")
    if max(seeds) >= 2**64:
        raise AlifeError(f"--seeds {text!r}: seed {max(seeds)} does not fit 64 bits; accepted: "
                         "seeds in [0, 2^64)")
    return seeds


#: A Dask address: SCHEME://HOST:PORT (HOST a name, an IPv4 address or [an IPv6 address]).
_ADDRESS = re.compile(r"(?:(tcp|tls|ws|wss|ucx)://)?"
                      r"([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})")


def parse_scheduler(text: str) -> dict[str, str]:
    """The Dask ``Client`` argument for ``--scheduler``: ``{"address": ...}`` for
    ``tcp://HOST:PORT`` (or tls://, ws://, wss://, ucx://; HOST:PORT means tcp), or
    ``{"scheduler_file": ...}`` for a JSON scheduler file (``dask scheduler --scheduler-file``);
    checked before any connection is tried."""
    accepted = "accepted: the address `dask scheduler` prints, tcp://HOST:PORT (e.g. " \
        "tcp://10.0.0.5:8786), or a scheduler file it wrote (--scheduler-file)"
    m = _ADDRESS.fullmatch(text.strip())
    if m is not None:
        if not 1 <= int(m.group(3)) <= 65535:
            raise AlifeError(f"--scheduler {text!r}: port {int(m.group(3))} is out of range; "
                             f"{accepted}")
        return {"address": text.strip() if m.group(1) else f"tcp://{text.strip()}"}
    p = Path(text)
    if "://" not in text and p.is_file():
        try:
            address = json.loads(p.read_text(encoding="utf-8")).get("address")
        except (OSError, UnicodeDecodeError, ValueError, AttributeError):
            address = None
        if not isinstance(address, str) or _ADDRESS.fullmatch(address) is None:
            raise AlifeError(f"--scheduler {text!r} is not a Dask scheduler file (JSON with an "
                             f"\"address\" such as tcp://HOST:PORT); {accepted}")
        return {"scheduler_file": str(p)}
    raise AlifeError(f"--scheduler {text!r} is neither a scheduler address nor an existing "
                     f"scheduler file; {accepted}")


def table_metrics(kind: str) -> tuple[MetricSpec, ...]:
    """The registry's metrics that are ``sweep.csv`` columns for soups of ``kind``."""
    return tuple(s for s in metrics_for(kind) if s.table)


def columns(kind: str) -> tuple[str, ...]:
    """The columns of ``sweep.csv`` for soups of ``kind``."""
    return (*RUN_COLUMNS, *(s.name for s in table_metrics(kind)), "history")


def run_path(out_dir: Path, world: World) -> Path:
    """Where the sweep keeps the history of ``world`` (one seed)."""
    return out_dir / f"{world.label}__seed{world.seed}.h5"


def world_difference(stored: World, wanted: World, ignore: Iterable[str] = _STOP_KEYS
                     ) -> str | None:
    """The first key (outside ``ignore``) where two worlds differ, as "key = a there, b here"."""
    a, b = stored.to_dict(), wanted.to_dict()
    skip = set(ignore)
    for key in sorted(set(a) | set(b)):
        if key not in skip and a.get(key) != b.get(key):
            return f"{key} = {a.get(key)!r} there, {b.get(key)!r} here"
    return None


def _another_out(out_dir: Path, world: World) -> Path:
    """A directory to suggest for a sweep of ``world`` that ``out_dir`` cannot take."""
    default = Path("runs") / f"sweep-{world.label}"
    if default.resolve() != out_dir.resolve() and not default.exists():
        return default
    return out_dir.with_name(f"{out_dir.name}-{world.label}")


def _refuse_other_world(path: Path, stored: World, wanted: World, diff: str,
                        out_dir: Path) -> AlifeError:
    table = out_dir / "sweep.csv"
    kept = f"its table {table} is kept; " if table.exists() else ""
    return AlifeError(f"{str(path)!r} holds a run of another world ({diff}), a "
                      f"{stored.label} sweep; {kept}give this {wanted.label} sweep another "
                      f"--out, e.g. --out {_another_out(out_dir, wanted)}")


def earlier_rows(out_dir: Path, world: World) -> list[dict[str, Any]]:
    """The rows of ``DIR/sweep.csv`` written by earlier sweeps, after checking that ``DIR``
    holds runs of ``world`` only (any seed); an error names another world's run."""
    from alife.history import History

    for path in sorted(out_dir.glob("*.h5")):
        try:
            with History(path) as h:
                stored = h.world
        except AlifeError:
            continue  # not a history (or a damaged one): the run that needs it reports it
        diff = world_difference(stored, world, (*_STOP_KEYS, "seed"))
        if diff is None and run_path(out_dir, world.replace(seed=stored.seed)).name != path.name:
            diff = f"name = {stored.label!r} there, {world.label!r} here"
        if diff is not None:
            raise _refuse_other_world(path, stored, world, diff, out_dir)
    table = out_dir / "sweep.csv"
    if not table.exists():
        return []
    try:
        with open(table, newline="") as fh:
            rows = [dict(r) for r in csv.DictReader(fh)]
        for r in rows:
            r["seed"] = int(r["seed"])
    except (KeyError, TypeError, ValueError, csv.Error, UnicodeDecodeError):
        raise AlifeError(f"{str(table)!r} is not a sweep table (a header with a seed column, "
                         "one row per seed); move it away or give this sweep another --out") \
            from None
    for r in rows:  # a row whose history is gone still names the world it came from
        name = Path(str(r.get("history") or "")).name
        want = run_path(out_dir, world.replace(seed=r["seed"])).name
        if name and name != want:
            raise AlifeError(f"{str(table)!r} holds the table of another sweep (its seed "
                             f"{r['seed']} row is {name}, this sweep writes {want}); give this "
                             f"{world.label} sweep another --out, e.g. --out "
                             f"{_another_out(out_dir, world)}")
    return rows


def _is_done(history: Any, world: World) -> bool:
    if history.status != "finished":
        return False
    cp = history.checkpoint()
    done = cp.epoch if cp is not None else 0
    if done >= world.epochs:
        return True
    return history.stopped_by == "until" and history.world.until == world.until


def summary_row(path: str | os.PathLike) -> dict[str, Any]:
    """One ``sweep.csv`` row read back from a run's history."""
    from alife.history import History

    with History(path) as h:
        last = h.last_metrics()
        cp = h.checkpoint()
        t = h.transition_epoch()
        row: dict[str, Any] = {
            "seed": h.world.seed, "status": h.status, "stopped_by": h.stopped_by,
            "transitioned": t is not None, "transition_epoch": t,
            "epochs": cp.epoch if cp is not None else 0,
            "wall_s": round(float(last.get("wall_time", 0.0)), 3)}
    for spec in table_metrics(h.world.kind):
        v = last.get(spec.name)
        row[spec.name] = None if v is None or v != v else int(v) if spec.dtype == "int64" else v
    row["history"] = str(path)
    return row


# A pool worker's view of its sweep (set by _init_worker; a Dask worker leaves them as they are).
_STOP_FLAG: Any = None  # shared with the sweep's process: True once the sweep is stopping
_ORPHANED = threading.Event()  # the sweep's process died
_IDLE = threading.Event()  # no run in progress in this worker
_IDLE.set()


def _stopping() -> bool:
    return _ORPHANED.is_set() or bool(_STOP_FLAG is not None and _STOP_FLAG.value)


class _SweepWatcher:
    """Stops a worker's run at its next epoch boundary once the sweep stops or its process dies
    (the run loop's gate; the soup's bytes never depend on it)."""

    def gate(self, soup: Any) -> int:
        if _stopping():
            raise KeyboardInterrupt  # the run loop stops here, between two compiled calls
        return MAX_CHUNK

    def chunk(self, soup: Any, epochs: int) -> None:
        pass

    def report(self, soup: Any, metrics: dict[str, Any]) -> None:
        pass


def _init_worker(stop_flag: Any, parent_pid: int) -> None:
    """A local pool worker's start: the sweep's stop flag; the stop signals ignored outside a run
    (a run turns them into a stop at an epoch boundary) and then unblocked (the sweep starts its
    workers with them blocked, so a Ctrl-C during their start-up prints nothing); a thread that
    ends this process soon after the sweep's process dies."""
    global _STOP_FLAG
    _STOP_FLAG = stop_flag
    for s in STOP_SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="alife-sweep-parent",
                     daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    """Poll the parent process; once it is gone, stop the run in progress at its next epoch
    boundary (its history closed as stopped) and end this worker."""
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_S)
    _ORPHANED.set()
    _IDLE.wait(ORPHAN_GRACE_S)
    os._exit(1)


def run_task(world_toml: str, path: str, threads: int) -> dict[str, Any] | None:
    """Run, resume or read back one seed of a sweep (a task for a pool or a Dask worker); None
    when the sweep was stopping before this run started."""
    import numba

    import alife
    from alife.history import History
    from alife.run.session import resume_run, start_run
    from alife.soup import set_threads

    world = make_world(tomllib.loads(world_toml))
    with _RUN_LOCK:
        if _stopping():
            return None
        _IDLE.clear()
        try:
            set_threads(min(max(threads, 1), numba.config.NUMBA_NUM_THREADS))
            p = Path(path)
            watcher = _SweepWatcher()
            if p.exists():
                with History(p) as h:
                    done = _is_done(h, world)
                if not done:
                    resume_run(p, alife_version=alife.__version__, epochs=world.epochs,
                               until=world.until, watcher=watcher)
            else:
                start_run(world, p, alife_version=alife.__version__, watcher=watcher)
        finally:
            _IDLE.set()
        if _ORPHANED.is_set():
            os._exit(1)  # nobody is left to read the row; the history is closed
    return summary_row(p)


def plan(world: World, seeds: Iterable[int], out_dir: Path) -> list[tuple[World, Path]]:
    """(world, history path) per seed; a stored run of another world is an error."""
    from alife.history import History

    tasks = []
    for seed in seeds:
        w = world.replace(seed=seed)
        p = run_path(out_dir, w)
        if p.exists():
            with History(p) as h:
                diff = world_difference(h.world, w)
            if diff:
                raise _refuse_other_world(p, h.world, w, diff, out_dir)
        tasks.append((w, p))
    return tasks


def write_csv(path: Path, rows: list[dict[str, Any]], kind: str = "program") -> None:
    """Write ``sweep.csv`` (rows sorted by seed) of soups of ``kind`` atomically."""
    names = columns(kind)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r["seed"]):
            writer.writerow({k: "" if row.get(k) is None else row[k] for k in names})
    os.replace(tmp, path)


def sweep(world: World, seeds: Iterable[int], out_dir: str | os.PathLike, *,
          workers: int | None = None, threads_per_run: int | None = None,
          scheduler: str | None = None,
          on_start: Callable[[int], None] | None = None,
          on_result: Callable[[dict[str, Any]], None] | None = None,
          device: str = "cpu", batch: int = 32) -> list[dict[str, Any]]:
    """Run ``world`` for every seed; return the summary rows (also written to sweep.csv).

    Locally: a pool of ``workers`` spawned processes (default: one per core), each soup on
    ``threads_per_run`` numba threads (default: cores // workers). With ``scheduler`` (a Dask
    address such as ``tcp://host:8786``, or a scheduler file) the runs go to that cluster
    instead; its workers must see ``out_dir`` (a shared filesystem) and have alife installed.
    ``on_start(n)`` runs once the n runs are planned (the input checked); ``on_result(row)`` as
    each run ends. A directory holding another world's runs is refused before anything runs;
    rows of ``sweep.csv`` for seeds outside ``seeds`` (earlier sweeps of this world into
    ``out_dir``) stay in the table. The rows returned are this sweep's. Ctrl-C or SIGTERM during
    a local sweep stops every run at an epoch boundary and raises :class:`SweepInterrupted`
    (sweep.csv holds the rows so far; the same call again finishes the runs).

    ``device = "cuda"`` runs the seeds on the GPU, ``batch`` soups at a time advanced by one
    launch per compiled call (:class:`alife.soup.gpu.Batch`), each with its own history and
    row as on the CPU (the same bytes).
    """
    out = Path(out_dir)
    if workers is not None and workers < 1:
        raise AlifeError(f"--workers {workers}: accepted an integer >= 1")
    if threads_per_run is not None and threads_per_run < 1:
        raise AlifeError(f"--threads-per-run {threads_per_run}: accepted an integer >= 1")
    client_args = parse_scheduler(scheduler) if scheduler is not None else None
    if device != "cpu":
        from alife.soup.gpu import check_device

        check_device(device, world)
        if scheduler is not None:
            raise AlifeError("--device cuda runs the sweep on this machine's GPU; a --scheduler "
                             "sweep runs on the cluster's CPUs (accepted: one of them)")
        if batch < 1:
            raise AlifeError(f"--batch {batch}: accepted an integer >= 1 (soups per launch)")
    check_out_dir(out)
    seeds = list(seeds)
    tasks = plan(world, seeds, out)
    wanted = set(seeds)
    earlier = [r for r in earlier_rows(out, world) if r["seed"] not in wanted] \
        if out.is_dir() else []
    client = _connect(scheduler or "", client_args) if client_args is not None else None
    out.mkdir(parents=True, exist_ok=True)
    if on_start is not None:
        on_start(len(tasks))
    cores = os.cpu_count() or 1
    rows: list[dict[str, Any]] = []
    written = [0.0, 0]  # when sweep.csv was last written, with how many of this sweep's rows

    def write_table() -> None:
        write_csv(out / "sweep.csv", [*earlier, *rows], world.kind)
        written[:] = [time.monotonic(), len(rows)]

    def collect(row: dict[str, Any]) -> None:
        rows.append(row)
        if time.monotonic() - written[0] >= 1.0:  # at most once a second while runs end
            write_table()
        if on_result is not None:
            on_result(row)

    try:
        if client is not None:
            _sweep_dask(client, tasks, threads_per_run or 1, collect)
            stopped_by = None
        elif device == "cuda":
            stopped_by = _sweep_gpu(tasks, batch, collect)
        else:
            workers = workers or min(cores, len(tasks))
            threads = threads_per_run or max(1, cores // workers)
            stopped_by = _sweep_local(tasks, workers, threads, collect, out)
    finally:
        if rows and written[1] != len(rows):
            write_table()
    rows.sort(key=lambda r: r["seed"])
    if stopped_by is not None:
        ran = {r["seed"] for r in rows}
        raise SweepInterrupted(rows, stopped_by, [w.seed for w, _ in tasks if w.seed not in ran])
    return rows


def check_out_dir(out: Path) -> None:
    """A sweep's --out must be a folder or a path that can become one (no file in the way)."""
    accepted = "accepted: a directory (new, or holding this world's sweep)"
    if out.exists() and not out.is_dir():
        raise AlifeError(f"--out {str(out)!r} is a file; {accepted}")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise AlifeError(f"--out {str(out)!r}: {str(parent)!r} is a file, not a folder; "
                                 f"{accepted}")
            if not out.exists() and not os.access(parent, os.W_OK | os.X_OK):
                raise AlifeError(f"--out {str(out)!r}: cannot create it in {str(parent)!r} "
                                 f"(not writable); {accepted} in a writable folder")
            break


class _ParentSignals:
    """In the sweep's own process (main thread only): SIGINT and SIGTERM noted, not raised, so
    the sweep stops its runs at an epoch boundary and collects their rows."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _ParentSignals:
        if threading.current_thread() is threading.main_thread():
            for s in STOP_SIGNALS:
                self._previous[s] = signal.signal(s, self._note)
            self.signum = take_stop_request()  # one that came while the sweep was planned
        return self

    def _note(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)


@contextlib.contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """The stop signals blocked in this thread (so processes started here inherit the mask); one
    that arrives meanwhile is handled once they are unblocked."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _sweep_local(tasks: list[tuple[World, Path]], workers: int, threads: int,
                 collect: Callable[[dict[str, Any]], None], out: Path) -> str | None:
    """Run ``tasks`` on a spawned pool; the name of the signal that stopped it, or None."""
    ctx = multiprocessing.get_context("spawn")
    stop_flag = ctx.RawValue(ctypes.c_bool, False)
    failure: BaseException | None = None
    with _ParentSignals() as signals:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                   initializer=_init_worker, initargs=(stop_flag, os.getpid()))
        with pool:
            with _stop_signals_blocked():  # the workers are started by submit
                pending = {pool.submit(run_task, w.to_toml(), str(p), threads)
                           for w, p in tasks}
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut.cancelled():
                        continue
                    try:
                        row = fut.result()
                    except BaseException as exc:  # a run's error: stop the others, then raise
                        failure = failure or exc
                        continue
                    if row is not None:
                        collect(row)
                if (signals.signum is not None or failure is not None) and not stop_flag.value:
                    stop_flag.value = True  # running runs stop at their next epoch boundary
                    for fut in pending:
                        fut.cancel()
    if isinstance(failure, BrokenProcessPool):
        raise AlifeError(f"a worker process of the sweep into {str(out)!r} ended abruptly "
                         "(killed, or out of memory); its finished runs are in sweep.csv and "
                         "running the same command again resumes the others") from None
    if failure is not None:
        raise failure
    return None if signals.signum is None else signal.Signals(signals.signum).name


class _GpuWatcher:
    """Stops a GPU sweep's runs at their next epoch boundary once ``stop`` is set."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def gate(self, soup: Any) -> int:
        if self.stop.is_set():
            raise KeyboardInterrupt
        return MAX_CHUNK

    def chunk(self, soup: Any, epochs: int) -> None:
        pass

    def report(self, soup: Any, metrics: dict[str, Any]) -> None:
        pass


def _run_gpu_task(world: World, path: Path, batch: Any, stop: threading.Event,
                  queued: list[int], lock: threading.Lock) -> dict[str, Any] | None:
    """One seed of a GPU sweep, in a thread of this process: run or resume it as a member of
    ``batch`` (its soup advances with the others), then its row. It was announced to the batch
    before it started (``Batch.expect``); as it ends it announces the next queued seed, if
    any (``queued[0]`` counts them), so the batch waits for it instead of launching without
    it."""
    import alife
    from alife.history import History
    from alife.run.session import resume_run, start_run

    members: list[Any] = []

    def joined(soup: Any) -> None:
        batch.join(soup)
        members.append(soup)

    def hand_over() -> None:
        with lock:
            if queued[0] > 0 and not stop.is_set():
                queued[0] -= 1
                batch.expect(1)

    if stop.is_set():
        batch.arrived()
        return None
    watcher = _GpuWatcher(stop)
    try:
        if path.exists():
            with History(path) as h:
                done = _is_done(h, world)
            if not done:
                resume_run(path, alife_version=alife.__version__, epochs=world.epochs,
                           until=world.until, watcher=watcher, on_start=joined, device="cuda")
        else:
            start_run(world, path, alife_version=alife.__version__, watcher=watcher,
                      on_start=joined, device="cuda")
    finally:
        hand_over()  # before leaving: the next seed is waited for
        if members:
            for soup in members:
                batch.leave(soup)
        else:
            batch.arrived()
    return summary_row(path)


def _sweep_gpu(tasks: list[tuple[World, Path]], size: int,
               collect: Callable[[dict[str, Any]], None]) -> str | None:
    """Run ``tasks`` on the GPU, ``size`` soups at a time; the stopping signal's name or None."""
    from concurrent.futures import ThreadPoolExecutor

    from alife.soup.gpu import Batch

    batch, stop, lock = Batch(), threading.Event(), threading.Lock()
    first = min(size, len(tasks))
    batch.expect(first)  # the first wave; each run that ends announces the next
    queued = [len(tasks) - first]
    failure: BaseException | None = None
    stopped: str | None = None
    with ThreadPoolExecutor(max_workers=first or 1, thread_name_prefix="alife-gpu") as pool:
        pending = {pool.submit(_run_gpu_task, w, p, batch, stop, queued, lock)
                   for w, p in tasks}
        while pending:
            try:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                stopped = stopped or "SIGINT"
                stop.set()
                continue
            for fut in done:
                try:
                    row = fut.result()
                except BaseException as exc:  # a run's error: stop the others, then raise
                    failure = failure or exc
                    stop.set()
                    continue
                if row is not None:
                    collect(row)
    if failure is not None:
        raise failure
    return stopped


def _connect(scheduler: str, client_args: dict[str, str]) -> Any:
    """A Dask client of the scheduler (checked by :func:`parse_scheduler`), or one line saying
    why none answered."""
    try:
        from distributed import Client
    except ImportError:
        raise AlifeError("--scheduler needs Dask: pip install 'alife[cluster]'") from None
    try:
        return Client(**client_args, timeout="20s")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is one line
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise AlifeError(f"--scheduler {scheduler!r}: no Dask scheduler answered ({reason}); "
                         "accepted: the address `dask scheduler` prints, e.g. "
                         "tcp://host:8786, of a scheduler that is running") from None


def _sweep_dask(client: Any, tasks: list[tuple[World, Path]], threads: int,
                collect: Callable[[dict[str, Any]], None]) -> None:
    from distributed import as_completed as dask_completed

    with client:
        futures = [client.submit(run_task, w.to_toml(), str(p.resolve()), threads, pure=False,
                                 key=f"alife-{p.stem}") for w, p in tasks]
        for fut in dask_completed(futures):
            row = fut.result()
            if row is not None:
                collect(row)
