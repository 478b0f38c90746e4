"""Long emergence sweeps on a small machine, in chunks of seeds whose tables are committed
(Agüera y Arcas et al. 2024, sec. 2.2 and Figs. 5-7: how often, and when, replicators arise).

    python experiments/emergence_chunks.py list
    python experiments/emergence_chunks.py run bff_noheads_16k --seeds 0:24
    python experiments/emergence_chunks.py merge bff_noheads_16k
    python experiments/emergence_chunks.py summary bff_noheads_16k

``run`` sweeps the seeds A..B-1 of a named experiment into ``runs/chunks/<experiment>/`` (the
histories: large, never committed; a stopped chunk resumes where it stopped), then writes
``docs/results/<experiment>/chunks/seeds_A-B.csv`` (this chunk's rows) with its ``.json``
(seeds, workers, threads, machine, date, this call's wall seconds and the runs' own),
``world.toml`` (the experiment's world) and the merged ``sweep.csv`` of every chunk so far.
Before it starts it estimates the chunk's hours from the chunks already done and refuses more
than ``--max-hours`` (default 2). ``merge`` rebuilds ``sweep.csv`` from the chunk tables;
``summary`` reads ``sweep.csv`` alone and gives
the fraction transitioned (Wilson 95 % interval), the Kaplan-Meier median and the CPU-hours,
into ``summary.json``. ``--set KEY=VALUE`` changes the experiment's world (a changed world is a
different experiment: it needs its own ``--results`` folder).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import platform
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from emergence_catalogue import EXPERIMENTS, SHORT_CAP
from emergence_derived import DERIVED, derived_columns, write_series, write_soup_image

from alife.analysis.emergence import (
    REPLICATOR_SHARE,
    fraction_by,
    summarise_sweep,
    wilson_interval,
)
from alife.errors import AlifeError
from alife.run.sweep import SweepInterrupted, columns, parse_seeds, sweep
from alife.world import World, make_world, parse_override

ROOT = Path(__file__).resolve().parents[1]


def experiment_world(name: str, sets: list[str] | None = None) -> World:
    """The world of experiment ``name``, with ``sets`` (``KEY=VALUE``) applied."""
    if name not in EXPERIMENTS:
        raise AlifeError(f"experiment {name!r}: unknown; accepted: {', '.join(EXPERIMENTS)}")
    keys = dict(EXPERIMENTS[name].keys)
    keys.update(parse_override(item) for item in sets or [])
    keys["name"] = name
    return make_world(keys)


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a new file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _check_world(results: Path, world: World) -> None:
    """Refuse a results folder that holds another world's chunks."""
    stored = results / "world.toml"
    if stored.is_file():
        old = make_world(tomllib.loads(stored.read_text()))
        if old != world:
            raise AlifeError(f"{stored} holds another world than this experiment's (changed "
                             "with --set?); accepted: the same world, or another --results")


def _chunk_rows(results: Path) -> list[tuple[Path, list[dict[str, str]]]]:
    out = []
    for path in sorted((results / "chunks").glob("seeds_*.csv")):
        with open(path, newline="") as fh:
            out.append((path, list(csv.DictReader(fh))))
    return out


def table_columns(kind: str) -> tuple[str, ...]:
    """The columns of a chunk table and of ``sweep.csv``: the sweep's, then the derived ones."""
    base = columns(kind)
    return (*base[:-1], *DERIVED, base[-1])


def _write_table(path: Path, rows: list[dict[str, Any]], kind: str) -> None:
    names = table_columns(kind)
    lines = [",".join(names)] + [
        ",".join(_csv_field("" if r.get(k) is None else str(r[k])) for k in names)
        for r in rows]
    _write_new(path, "\n".join(lines) + "\n")


def merge(results: Path, kind: str = "program") -> list[dict[str, str]]:
    """Rebuild ``sweep.csv`` from the chunk tables (each seed once); return its rows."""
    seen: dict[str, Path] = {}
    rows: list[dict[str, str]] = []
    for path, chunk in _chunk_rows(results):
        for row in chunk:
            if row["seed"] in seen:
                raise AlifeError(f"seed {row['seed']} is in both {seen[row['seed']].name} and "
                                 f"{path.name}; accepted: chunks of disjoint seeds")
            seen[row["seed"]] = path
            rows.append(row)
    if not rows:
        raise AlifeError(f"{results}: no chunk tables under chunks/; run a chunk first")
    rows.sort(key=lambda r: int(r["seed"]))
    _write_table(results / "sweep.csv", rows, kind)
    return rows


def _csv_field(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',"\n') else value


def _estimate_hours(results: Path, seeds: int, workers: int) -> float | None:
    """Hours a chunk of ``seeds`` may take, from the chunks already done (None: none yet)."""
    walls = [float(r["wall_s"]) for _, chunk in _chunk_rows(results) for r in chunk
             if r.get("wall_s")]
    if not walls:
        return None
    return max(walls) * -(-seeds // workers) / 3600


def _derive(rows: list[dict[str, Any]], results: Path, images: int = 0) -> None:
    """Add the derived columns to ``rows`` and write each run's series, from the histories;
    keep a soup picture at the transition of up to ``images`` transitioned seeds."""
    pictures = results / "images"
    for row in rows:
        history = Path(row["history"])
        row.update(derived_columns(history))
        write_series(history, results / "series" / f"seed_{row['seed']}.csv")
        kept = len(list(pictures.glob("seed_*.png"))) if pictures.is_dir() else 0
        if str(row.get("transitioned")) == "True" and kept < images:
            write_soup_image(history, pictures / f"seed_{row['seed']}.png",
                             int(row["transition_epoch"]))


def run_chunk(name: str, seeds: range, results: Path, runs: Path, *, sets: list[str],
              workers: int | None, threads_per_run: int | None, max_hours: float) -> Path:
    """Run one chunk of seeds; write its table, the world and the merged sweep.csv."""
    world = experiment_world(name, sets)
    _check_world(results, world)
    cores = os.cpu_count() or 1
    w = workers or min(cores, len(seeds))
    t = threads_per_run or max(1, cores // w)
    hours = _estimate_hours(results, len(seeds), w)
    if hours is not None and hours > max_hours:
        raise AlifeError(f"--seeds {seeds.start}:{seeds.stop}: about {hours:.1f} h by the "
                         f"slowest seed so far, over --max-hours {max_hours:g}; accepted: "
                         "fewer seeds per chunk")
    chunk = results / "chunks" / f"seeds_{seeds.start}-{seeds.stop}.csv"
    t0 = time.perf_counter()
    rows = sweep(world, seeds, runs / name, workers=w, threads_per_run=t)
    wall = time.perf_counter() - t0
    _derive(rows, results, EXPERIMENTS[name].images)
    _write_table(chunk, rows, world.kind)
    meta = {"seeds": [seeds.start, seeds.stop], "workers": w, "threads_per_run": t,
            "cpus": cores, "machine": platform.processor() or platform.machine(),
            "date": datetime.date.today().isoformat(), "wall_s": round(wall, 1),
            "run_wall_s": round(sum(float(r.get("wall_s") or 0) for r in rows), 1)}
    _write_new(chunk.with_suffix(".json"), json.dumps(meta, indent=2) + "\n")
    _write_new(results / "world.toml", world.to_toml())
    merge(results, world.kind)
    return chunk


def annotate(name: str, results: Path) -> int:
    """Recompute the derived columns and series of every chunk from the histories its rows
    name (for chunks written before a column existed); return the runs annotated."""
    world = _stored_world(results)
    count = 0
    for path, chunk in _chunk_rows(results):
        _derive(chunk, results, EXPERIMENTS[name].images if name in EXPERIMENTS else 0)
        _write_table(path, chunk, world.kind)
        count += len(chunk)
    merge(results, world.kind)
    return count


def _stored_world(results: Path) -> World:
    stored = results / "world.toml"
    if not stored.is_file():
        raise AlifeError(f"{stored}: missing; run a chunk of the experiment first")
    return make_world(tomllib.loads(stored.read_text()))


def _epoch(cell: str) -> int | None:
    return int(cell) if cell.strip() else None


def _interval(k: int, n: int) -> dict[str, float]:
    low, high = wilson_interval(k, n)
    return {"k": k, "n": n, "fraction": k / n, "wilson_low": low, "wilson_high": high}


def summary(name: str, results: Path) -> dict[str, Any]:
    """Fraction transitioned, Wilson interval, Kaplan-Meier median, the replicator criterion,
    the fraction by epoch 4096, reset windows and CPU-hours of the merged table; written to
    ``summary.json``."""
    path = results / "sweep.csv"
    if not path.is_file():
        raise AlifeError(f"{path}: no merged table; run a chunk (or merge) first")
    world = _stored_world(results)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    done = [r for r in rows if r["status"] == "finished"]
    if not done:
        raise AlifeError(f"{path}: no finished run yet")
    times = [_epoch(r["transition_epoch"]) if r["transitioned"] == "True" else None
             for r in done]
    caps = [int(r["epochs"]) if t is None else world.epochs
            for r, t in zip(done, times, strict=True)]
    s = summarise_sweep(times, [world.epochs] * len(done))
    cpu_s = 0.0  # each run's own wall time (every session of it) times its threads
    for table, chunk in _chunk_rows(results):
        threads = json.loads(table.with_suffix(".json").read_text())["threads_per_run"]
        cpu_s += threads * sum(float(r["wall_s"] or 0) for r in chunk)
    e = EXPERIMENTS.get(name)
    out: dict[str, Any] = {
        "experiment": name, "paper": e.paper if e else "", "cut": e.cut if e else "",
        "measure": e.measure if e else "transition", "language": world.language,
        "num_programs": world.num_programs, "grid": world.grid,
        "mutation_prob": world.mutation_prob, "pairing": world.pairing,
        "reset_interval": world.reset_interval, "cap": world.epochs, "until": world.until,
        "seeds": len(done), "seed_list": [int(r["seed"]) for r in done],
        "unfinished": len(rows) - len(done), **s.record(),
        "transition_epochs": sorted(t for t in times if t is not None),
        "cpu_hours": round(cpu_s / 3600, 2)}
    by = fraction_by(times, caps, SHORT_CAP)
    if by is not None:
        out[f"by_{SHORT_CAP}"] = _interval(by[0], by[1])
    if done and "replicator_epoch" in done[0]:
        onsets = [_epoch(r.get("replicator_epoch") or "") for r in done]
        out["replicator_criterion"] = {
            "definition": f"a report with >= {REPLICATOR_SHARE:.0%} of the sampled programs "
                          "scoring >= 5 (the reference's replication score)",
            **_interval(sum(o is not None for o in onsets), len(done)),
            "epochs": sorted(o for o in onsets if o is not None)}
    if world.reset_interval > 0 and done and done[0].get("windows"):
        windows = sum(int(r["windows"]) for r in done)
        out["windows"] = {"interval": world.reset_interval,
                          "crossed": _interval(sum(int(r["windows_crossed"]) for r in done),
                                               windows),
                          "with_replicators": _interval(
                              sum(int(r["windows_replicators"]) for r in done), windows)}
    out = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
           for k, v in out.items()}
    _write_new(results / "summary.json", json.dumps(out, indent=2, default=str) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    sub.add_parser("list", help="the named experiments")
    for what in ("run", "merge", "summary", "annotate"):
        q = sub.add_parser(what)
        q.add_argument("experiment")
        q.add_argument("--results", type=Path, default=None,
                       help="folder of the committed tables (default docs/results/<experiment>)")
        if what == "run":
            q.add_argument("--seeds", required=True, help="A:B, seeds A..B-1")
            q.add_argument("--runs", type=Path, default=Path("runs") / "chunks",
                           help="folder of the histories (not committed)")
            q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
            q.add_argument("--workers", type=int, default=None)
            q.add_argument("--threads-per-run", type=int, default=None)
            q.add_argument("--max-hours", type=float, default=2.0)
    args = p.parse_args(argv)
    try:
        if args.what == "list":
            for e in EXPERIMENTS.values():
                print(f"{e.name:<24} {e.group:<9} {e.keys['language']:<17} {e.seeds:>3} seeds  "
                      f"cap {e.keys['epochs']:<6} {e.paper}")
            return 0
        results = args.results or ROOT / "docs" / "results" / args.experiment
        if args.what == "run":
            seeds = parse_seeds(args.seeds)
            if seeds != list(range(seeds[0], seeds[-1] + 1)):
                raise AlifeError(f"--seeds {args.seeds!r}: accepted one range A:B of "
                                 "consecutive seeds (a chunk's file is named by it)")
            chunk = run_chunk(args.experiment, range(seeds[0], seeds[-1] + 1), results, args.runs,
                              sets=args.set, workers=args.workers,
                              threads_per_run=args.threads_per_run, max_hours=args.max_hours)
            print(f"emergence_chunks: wrote {chunk} and {results / 'sweep.csv'}")
        elif args.what == "merge":
            print(f"emergence_chunks: {len(merge(results))} seeds in {results / 'sweep.csv'}")
        elif args.what == "annotate":
            count = annotate(args.experiment, results)
            print(f"emergence_chunks: {count} runs annotated in {results}")
        else:
            print(json.dumps(summary(args.experiment, results), indent=2, default=str))
    except AlifeError as e:
        print(f"emergence_chunks: error: {e}", file=sys.stderr)
        return 2
    except SweepInterrupted as stop:
        done = sum(r.get("status") == "finished" for r in stop.rows)
        print(f"emergence_chunks: stopped by {stop.signal}: {done} runs of the chunk finished, "
              "the others stopped at an epoch boundary; the same command goes on (no chunk "
              "table is written until every seed of it has finished)", file=sys.stderr)
        return 130 if stop.signal == "SIGINT" else 143
    return 0


if __name__ == "__main__":
    sys.exit(main())
