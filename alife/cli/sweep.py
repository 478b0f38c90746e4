"""``alife sweep``: one world over many seeds, with a progress bar over runs and sweep.csv."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alife.run.sweep import SweepInterrupted


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every seed of a world; print and write the summary table."""
    from tqdm import tqdm

    from alife.cli.run import world_from_args
    from alife.run.sweep import SweepInterrupted, parse_scheduler, parse_seeds, sweep

    world = world_from_args(args.world, args.set, args.max_epochs, args.until)
    seeds = parse_seeds(args.seeds)
    if args.scheduler is not None:
        parse_scheduler(args.scheduler)  # its form, before anything is planned or connected
    out = Path(args.out) if args.out else Path("runs") / f"sweep-{world.label}"
    quiet = args.quiet or args.json
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else \
        f"{args.workers or 'one per core'} local workers"
    bars = []

    def start(n: int) -> None:
        if not quiet:
            print(f"alife sweep: {world.label}, {n} seeds, up to "
                  f"{world.epochs} epochs, until {world.until or 'none'}, on {where} -> {out}/",
                  file=sys.stderr)
        bars.append(tqdm(total=n, unit="run", disable=quiet, dynamic_ncols=True))

    def done(row: dict) -> None:
        bars[0].update(1)
        bars[0].set_postfix({"seed": row["seed"], "transition": row["transition_epoch"]},
                            refresh=False)

    stopped: SweepInterrupted | None = None
    try:
        rows = sweep(world, seeds, out, workers=args.workers, threads_per_run=args.threads_per_run,
                     scheduler=args.scheduler, on_start=start, on_result=done,
                     device=args.device, batch=args.batch)
    except SweepInterrupted as exc:
        stopped, rows = exc, exc.rows
    finally:
        for bar in bars:
            bar.close()
    if args.json:
        print(json.dumps(rows, indent=2, default=float))
    elif rows:
        (_neural_table if world.kind == "neural" else _program_table)(rows, out)
    if stopped is None:
        return 0
    print(stopped_line(stopped, out), file=sys.stderr)
    return 128 + int(signal.Signals[stopped.signal])


def stopped_line(stopped: SweepInterrupted, out: Path) -> str:
    """The one line that ends a sweep stopped by a signal: what became of its runs, and how to
    finish them."""
    how = {"SIGINT": "Ctrl-C", "SIGTERM": "SIGTERM"}.get(stopped.signal, stopped.signal)
    finished = sum(r["status"] == "finished" for r in stopped.rows)
    paused = len(stopped.rows) - finished
    return (f"alife sweep: interrupted ({how}): {finished} runs finished, {paused} stopped at an "
            f"epoch boundary (resumable), {len(stopped.not_started)} not started; the same "
            f"command again finishes them (rows so far in {out / 'sweep.csv'})")


def _program_table(rows: list[dict], out: Path) -> int:
    """The sweep summary of a program soup: transition, epochs and final metrics per seed."""
    from alife.run.session import fixed

    hit = [r for r in rows if r["transitioned"]]
    print(f"\nSweep summary: {len(rows)} runs, {len(hit)} crossed high-order entropy 3.0")
    print(f"  {'seed':>6}  {'status':8}  {'transition':>10}  {'epochs':>7}  {'wall s':>8}  "
          f"{'H':>6}  {'replicators':>11}")
    for r in rows:
        t = "-" if r["transition_epoch"] is None else r["transition_epoch"]
        frac, h = r["replicator_fraction"], r["higher_entropy"]
        print(f"  {r['seed']:>6}  {r['status']:8}  {t:>10}  {r['epochs']:>7}  "
              f"{r['wall_s']:>8.1f}  {'-' if h is None else fixed(h):>6}  "
              f"{'-' if frac is None else f'{frac:.2f}':>11}")
    print(table_line(out, len(rows)))
    return 0


def table_line(out: Path, this: int) -> str:
    """Where the table is, and how many of its rows earlier sweeps of this world left there."""
    import csv

    path = out / "sweep.csv"
    with open(path, newline="") as fh:
        total = sum(1 for _ in csv.DictReader(fh))
    kept = f" ({total} rows: {this} from this sweep, {total - this} kept from earlier sweeps)" \
        if total > this else ""
    return f"  table: {path}{kept}"


def _neural_table(rows: list[dict], out: Path) -> int:
    """The sweep summary of a neural soup: the final census of every seed."""
    print(f"\nSweep summary: {len(rows)} neural-soup runs (final census per seed)")
    names = ("fixpoint", "second_order", "other", "zero", "divergent")
    print(f"  {'seed':>6}  {'status':8}  {'gens':>6}  {'wall s':>8}  "
          + "  ".join(f"{n:>12}" for n in names))
    for r in rows:
        counts = "  ".join(f"{'-' if r[f'census_{n}'] is None else r[f'census_{n}']:>12}"
                           for n in names)
        print(f"  {r['seed']:>6}  {r['status']:8}  {r['epochs']:>6}  {r['wall_s']:>8.1f}  "
              f"{counts}")
    print(table_line(out, len(rows)))
    return 0
