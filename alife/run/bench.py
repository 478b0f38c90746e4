"""Soup throughput vs. the reference figures of Computational Life (Agüera y Arcas et al. 2024)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numba

from alife.errors import AlifeError
from alife.run import bench_reference
from alife.soup import Soup, set_threads
from alife.soup.checkpoint import Checkpoint, read_dat

#: The emerged soup the third phase continues (relative to the conformance directory).
EMERGED = Path("emerged") / "bff_noheads_seed0_epoch3072.dat.gz"

#: Stored reference epochs/s by phase and thread count (conformance README, "Reference
#: throughput"): measured once on another machine, never in the same run as ours; ratios against
#: them are labelled as stored. ``alife bench --reference PATH`` measures the reference instead.
REFERENCE: dict[str, dict[int, float]] = {
    "bff_noheads": {1: 10.2, 2: 19.6},
    "bff": {1: 8.9, 2: 16.2},
    "bff_noheads_emerged": {1: 1.39, 2: 2.76},
}

REFERENCE_N = 131072  #: soup size of the reference figures
#: Where and when the stored reference figures were measured.
REFERENCE_SOURCE = ("the reference's CPU build (OpenMP), whole process, on a 2-core development "
                    "machine, 2026-11-22 (tests/data/conformance/README.md)")

LANGUAGES = ("bff_noheads", "bff")


@dataclass
class Result:
    """Throughput of one phase at one thread count."""

    phase: str
    threads: int
    epochs: int
    seconds: float
    epochs_per_s: float
    interactions_per_s: float
    ops_per_s: float
    ops_per_interaction: float
    reference_epochs_per_s: float | None
    ratio: float | None


def default_conformance() -> Path:
    """The project's copy of the conformance data, ``tests/data/conformance`` in a checkout."""
    return Path(__file__).resolve().parents[2] / "tests" / "data" / "conformance"


def parse_threads(text: str) -> list[int]:
    """Thread counts from ``"1,2"``; each a positive integer up to numba's maximum."""
    limit = numba.config.NUMBA_NUM_THREADS
    counts: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            t = int(part)
        except ValueError:
            t = 0
        if not 1 <= t <= limit:
            raise AlifeError(f"--threads {text!r}: {part!r} is not a thread count; accepted "
                             f"comma-separated integers 1..{limit}")
        if t not in counts:
            counts.append(t)
    return counts


def _check_positive(name: str, value: int) -> None:
    if value < 1:
        raise AlifeError(f"{name} {value}: accepted an integer >= 1")


def _time(soup: Soup, epochs: int, phase: str, threads: int) -> Result:
    """Run ``epochs`` epochs of ``soup`` on ``threads`` threads; time ``soup.run`` only."""
    set_threads(threads)
    ops0 = soup.total_ops
    t0 = time.perf_counter()
    soup.run(epochs)
    dt = max(time.perf_counter() - t0, 1e-9)
    ops = soup.total_ops - ops0
    interactions = epochs * (soup.world.num_programs // 2)
    eps = epochs / dt
    ref = REFERENCE[phase].get(threads)
    return Result(phase=phase, threads=threads, epochs=epochs, seconds=dt, epochs_per_s=eps,
                  interactions_per_s=interactions / dt, ops_per_s=ops / dt,
                  ops_per_interaction=ops / interactions if interactions else 0.0,
                  reference_epochs_per_s=ref, ratio=None if ref is None else eps / ref)


def _warm_up(threads: list[int]) -> float:
    """Compile (or load from cache) the epoch kernel for each language and start the thread
    pool at each thread count; return the seconds."""
    t0 = time.perf_counter()
    for t in threads:
        set_threads(t)
        for language in LANGUAGES:
            Soup(language=language, num_programs=256, seed=0).run(2)
    return time.perf_counter() - t0


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def _print_table(results: list[Result], n: int, compile_s: float, notes: list[str]) -> None:
    print(f"alife bench: N = {n} programs, {os.cpu_count()} CPUs, numba max threads "
          f"{numba.config.NUMBA_NUM_THREADS}, compile/warm-up {compile_s:.2f} s (excluded)")
    print(f"stored reference figures: {REFERENCE_SOURCE}; not measured here, so 'ratio' is "
          "ours over a stored figure (measure both: --reference PATH)")
    head = (f"{'phase':<21} {'threads':>7} {'epochs':>6} {'epochs/s':>9} {'stored ref':>10} "
            f"{'ratio':>6} {'interactions/s':>14} {'Mops/s':>9} {'ops/interaction':>15}")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r.phase:<21} {r.threads:>7} {r.epochs:>6} {r.epochs_per_s:>9.2f} "
              f"{_fmt(r.reference_epochs_per_s, '.2f'):>10} {_fmt(r.ratio, '.2f'):>6} "
              f"{r.interactions_per_s:>14.4g} {r.ops_per_s / 1e6:>9.1f} "
              f"{r.ops_per_interaction:>15.1f}")
    for note in notes:
        print(f"note: {note}")


def main(args: argparse.Namespace) -> int:
    """Time the three reference phases for every thread count; print a table or JSON."""
    threads = parse_threads(args.threads)
    if getattr(args, "reference", None):
        return _main_reference(args, threads[-1])
    if args.epochs is None:
        args.epochs = 128
    _check_positive("--epochs", args.epochs)
    _check_positive("--emerged-epochs", args.emerged_epochs)
    n = args.num_programs
    if n < 2 or n % 2:
        raise AlifeError(f"--num-programs {n}: accepted an even integer >= 2")

    notes: list[str] = []
    if n != REFERENCE_N:
        notes.append(f"the reference figures are for N = {REFERENCE_N}; ratios at N = {n} are "
                     "not comparable")
    conformance = Path(args.conformance) if args.conformance else default_conformance()
    emerged_path = conformance / EMERGED
    emerged: Checkpoint | None = None
    if emerged_path.is_file():
        cp = read_dat(emerged_path)
        if n > len(cp.programs):
            raise AlifeError(f"--num-programs {n}: the emerged checkpoint {emerged_path} holds "
                             f"{len(cp.programs)} programs; accepted at most that many")
        emerged = Checkpoint(cp.reset_index, cp.epochs, cp.programs[:n].copy())
    else:
        notes.append(f"{emerged_path} not found: skipped the emerged-soup phase")

    previous = numba.get_num_threads()
    try:
        compile_s = _warm_up(threads)
        results: list[Result] = []
        for language in LANGUAGES:
            for t in threads:
                soup = Soup(language=language, num_programs=n, seed=0)
                results.append(_time(soup, args.epochs, language, t))
        if emerged is not None:
            for t in threads:
                soup = Soup.from_checkpoint(
                    Checkpoint(emerged.reset_index, emerged.epochs, emerged.programs.copy()),
                    None, language="bff_noheads", seed=0)
                results.append(_time(soup, args.emerged_epochs, "bff_noheads_emerged", t))
    finally:
        numba.set_num_threads(previous)

    if args.json:
        for note in notes:
            print(f"alife bench: {note}", file=sys.stderr)
        out = {"num_programs": n, "cpu_count": os.cpu_count(), "compile_s": compile_s,
               "reference_source": f"stored: {REFERENCE_SOURCE}",
               "results": [asdict(r) for r in results]}
        print(json.dumps(out, indent=2))
    else:
        _print_table(results, n, compile_s, notes)
    return 0


def _main_reference(args: argparse.Namespace, threads: int) -> int:
    """``--reference PATH``: the reference and ``alife run`` timed side by side."""
    epochs = 129 if args.epochs is None else args.epochs
    n = args.num_programs
    if n < 2 or n % 2:
        raise AlifeError(f"--num-programs {n}: accepted an even integer >= 2")
    conformance = Path(args.conformance) if args.conformance else default_conformance()
    emerged = conformance / EMERGED
    gz = emerged if emerged.is_file() and n == REFERENCE_N else None
    quiet = args.json
    results = bench_reference.compare(
        args.reference, threads=threads, repeats=args.repeats, epochs=epochs,
        emerged_epochs=args.emerged_epochs, num_programs=n, emerged_gz=gz,
        progress=(lambda line: None) if quiet else
        (lambda line: print(line, file=sys.stderr, flush=True)))
    if args.json:
        print(json.dumps({
            "num_programs": n, "threads": threads, "cpu_count": os.cpu_count(),
            "reference": str(args.reference), "repeats": args.repeats,
            "results": [{"phase": r.phase, "epochs": r.epochs,
                         "reference": [asdict(t) for t in r.reference],
                         "ours": [asdict(t) for t in r.ours], "whole_ratio": r.whole_ratio,
                         "loop_ratio": r.loop_ratio, "kernel_ratio": r.kernel_ratio}
                        for r in results]}, indent=2))
    else:
        bench_reference.print_table(results, threads, n, str(args.reference))
        if gz is None:
            print(f"note: emerged phase skipped ({emerged} not found, or N != {REFERENCE_N})")
    return 0
