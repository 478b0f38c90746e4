"""Sweeps: one world over many seeds, on a local spawn-based process pool or a Dask cluster.

Every run writes its own history (``DIR/<world>__seed<S>.h5``); a run already finished is read,
not re-run, and one that was stopped or killed is resumed, so re-running a sweep completes it.
The summary table ``DIR/sweep.csv`` has one row per seed (Mesa's ``batch_run``, for soups): the
run's status and the last report of every metric the registry (:mod:`alife.metrics`) marks as a
table column for the soup's kind. A directory belongs to one world: a sweep of another world
into it is refused before anything runs (its table is never replaced), and a sweep of the same
world over more seeds adds its rows to the table, keeping the earlier ones.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import threading
import tomllib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from alife.errors import AlifeError
from alife.metrics import MetricSpec, metrics_for
from alife.world import World, make_world

#: Columns of ``sweep.csv`` before the metrics (:func:`columns`) and after them.
RUN_COLUMNS = ("seed", "status", "stopped_by", "transitioned", "transition_epoch", "epochs",
               "wall_s")
#: Keys that may differ between a stored run and the sweep asking for it (a resume changes them).
_STOP_KEYS = ("epochs", "until", "name")
_RUN_LOCK = threading.Lock()  # one soup at a time per process (numba's thread pool is shared)


def parse_seeds(text: str) -> list[int]:
    """``"0:100"`` (end excluded), ``"0:100:2"``, ``"3,7,9"`` or a mix like ``"0:4,10"``."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if ":" in part:
                seeds.extend(range(*[int(x) for x in part.split(":")]))
            elif part:
                seeds.append(int(part))
    except (ValueError, TypeError):
        seeds = []
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise AlifeError(f"--seeds {text!r}: accepted START:STOP[:STEP] (stop excluded) or a "
                         "comma-separated list of distinct integers >= 0, e.g. 0:100 or 1,5,9")
    return seeds


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


def run_task(world_toml: str, path: str, threads: int) -> dict[str, Any]:
    """Run, resume or read back one seed of a sweep (a task for a pool or a Dask worker)."""
    import numba

    import alife
    from alife.history import History
    from alife.run.session import resume_run, start_run
    from alife.soup import set_threads

    world = make_world(tomllib.loads(world_toml))
    with _RUN_LOCK:
        set_threads(min(max(threads, 1), numba.config.NUMBA_NUM_THREADS))
        p = Path(path)
        if p.exists():
            with History(p) as h:
                done = _is_done(h, world)
            if not done:
                resume_run(p, alife_version=alife.__version__, epochs=world.epochs,
                           until=world.until)
        else:
            start_run(world, p, alife_version=alife.__version__)
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
          on_result: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Run ``world`` for every seed; return the summary rows (also written to sweep.csv).

    Locally: a pool of ``workers`` spawned processes (default: one per core), each soup on
    ``threads_per_run`` numba threads (default: cores // workers). With ``scheduler`` (a Dask
    address such as ``tcp://host:8786``) the runs go to that cluster instead; its workers must
    see ``out_dir`` (a shared filesystem) and have alife installed. ``on_start(n)`` runs once
    the n runs are planned (the input checked); ``on_result(row)`` as each run ends. A
    directory holding another world's runs is refused before anything runs; rows of
    ``sweep.csv`` for seeds outside ``seeds`` (earlier sweeps of this world into ``out_dir``)
    stay in the table. The rows returned are this sweep's.
    """
    out = Path(out_dir)
    if workers is not None and workers < 1:
        raise AlifeError(f"--workers {workers}: accepted an integer >= 1")
    if out.exists() and not out.is_dir():
        raise AlifeError(f"--out {str(out)!r} is a file; accepted: a directory (new, or holding "
                         "this world's sweep)")
    seeds = list(seeds)
    tasks = plan(world, seeds, out)
    earlier = [r for r in earlier_rows(out, world) if r["seed"] not in set(seeds)] \
        if out.is_dir() else []
    out.mkdir(parents=True, exist_ok=True)
    if on_start is not None:
        on_start(len(tasks))
    cores = os.cpu_count() or 1
    rows: list[dict[str, Any]] = []

    def collect(row: dict[str, Any]) -> None:
        rows.append(row)
        write_csv(out / "sweep.csv", [*earlier, *rows], world.kind)
        if on_result is not None:
            on_result(row)

    if scheduler is not None:
        _sweep_dask(tasks, scheduler, threads_per_run or 1, collect)
    else:
        workers = workers or min(cores, len(tasks))
        threads = threads_per_run or max(1, cores // workers)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(run_task, w.to_toml(), str(p), threads) for w, p in tasks]
            try:
                for fut in as_completed(futures):
                    collect(fut.result())
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    return sorted(rows, key=lambda r: r["seed"])


def _sweep_dask(tasks: list[tuple[World, Path]], scheduler: str, threads: int,
                collect: Callable[[dict[str, Any]], None]) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise AlifeError("--scheduler needs Dask: pip install 'alife[cluster]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise AlifeError(f"--scheduler {scheduler!r}: no Dask scheduler answered ({exc}); "
                         "accepted: the address `dask scheduler` prints, e.g. "
                         "tcp://host:8786") from None
    with client:
        futures = [client.submit(run_task, w.to_toml(), str(p.resolve()), threads, pure=False,
                                 key=f"alife-{p.stem}") for w, p in tasks]
        for fut in dask_completed(futures):
            collect(fut.result())
