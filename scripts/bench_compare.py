"""Speed of this checkout against another one (e.g. an older commit), measured side by side.

Runs ``alife bench --json`` from each checkout in turn, alternating, ``--repeats`` times, on the
same machine and thread count, and prints each phase's median epochs/s and the median of the
per-round ratios (this checkout / the other). Alternating rounds cancel most of the drift of a
shared, noisy machine.

    git worktree add /tmp/base 828685a
    python scripts/bench_compare.py /tmp/base --threads 2 --repeats 3

``--whole`` times whole ``alife run`` processes instead (start to exit, ``--no-history``):
``--epochs 1`` (start-up), 129 epochs of each random soup and 64 epochs from the emerged soup;
it prints seconds and base/this (a speed-up above 1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(checkout: Path, args: argparse.Namespace) -> dict[str, float]:
    """epochs/s by phase of one ``alife bench`` run of ``checkout``'s package."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, "-m", "alife.cli", "bench", "--threads", str(args.threads),
           "--epochs", str(args.epochs), "--emerged-epochs", str(args.emerged_epochs),
           "--conformance", str(args.conformance), "--json"]
    done = subprocess.run(cmd, env=env, cwd=checkout, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench_compare: error: {checkout}: {done.stderr.strip()}")
    return {r["phase"]: r["epochs_per_s"] for r in json.loads(done.stdout)["results"]}


def whole(checkout: Path, args: argparse.Namespace) -> dict[str, float]:
    """Seconds of whole ``alife run`` processes of ``checkout``'s package, by phase."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    emerged = args.conformance / "emerged" / "bff_noheads_seed0_epoch3072.dat.gz"
    phases = {
        "run --epochs 1": ["--epochs", "1"],
        f"bff_noheads {args.epochs + 1}": ["--epochs", str(args.epochs + 1)],
        f"bff {args.epochs + 1}": ["--set", "language=bff", "--epochs", str(args.epochs + 1)],
        f"emerged {args.emerged_epochs}": ["--from", str(emerged), "--set",
                                           "language=bff_noheads",
                                           "--epochs", str(3073 + args.emerged_epochs)],
    }
    if args.emerged_epochs == 0:  # --emerged-epochs 0: the random soups only
        phases.popitem()
    out = {}
    for phase, extra in phases.items():
        cmd = [sys.executable, "-m", "alife.cli", "run", *extra, "--until", "", "--no-history",
               "--quiet", "--threads", str(args.threads)]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=checkout, capture_output=True, text=True,
                              check=False)
        out[phase] = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(f"bench_compare: error: {checkout}: {done.stderr.strip()}")
    return out


def main() -> int:
    """Alternate the two checkouts and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="the other checkout (its repository root)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="alternating rounds")
    parser.add_argument("--epochs", type=int, default=128, help="epochs per random-soup phase")
    parser.add_argument("--emerged-epochs", type=int, default=64)
    parser.add_argument("--conformance", type=Path,
                        default=ROOT / "tests" / "data" / "conformance",
                        help="conformance data holding the emerged soup")
    parser.add_argument("--whole", action="store_true",
                        help="time whole `alife run` processes (seconds) instead")
    args = parser.parse_args()
    if not (args.base / "alife").is_dir():
        raise SystemExit(f"bench_compare: error: {args.base} holds no alife package")
    if args.whole:
        return _alternate(args, whole, "whole processes", "s", base_over_this=True)
    return _alternate(args, bench, "epochs/s", "", base_over_this=False)


def _alternate(args: argparse.Namespace, measure, what: str, unit: str,
               base_over_this: bool) -> int:
    """Warm both checkouts, alternate ``measure`` over ``--repeats`` rounds, print medians and
    the median per-round ratio (this/base, or base/this for seconds: a speed-up above 1)."""
    measure(ROOT, args)  # warm both numba caches before timing
    measure(args.base, args)
    rounds: list[tuple[dict[str, float], dict[str, float]]] = []
    for i in range(args.repeats):
        pair = (measure(ROOT, args), measure(args.base, args)) if i % 2 == 0 else \
            tuple(reversed((measure(args.base, args), measure(ROOT, args))))
        rounds.append(pair)  # type: ignore[arg-type]
        print(f"round {i + 1}: " + "  ".join(f"{k} {pair[0][k]:.2f}/{pair[1][k]:.2f}"
                                             for k in pair[0]), flush=True)
    label = "speed-up" if base_over_this else "ratio"
    print(f"\n{'phase':<22} {'this ' + unit:>9} {'base ' + unit:>9} {label:>8}   ({what}, "
          f"medians of {args.repeats} alternating rounds, {args.threads} threads)")
    for phase in rounds[0][0]:
        mine = statistics.median(r[0][phase] for r in rounds)
        base = statistics.median(r[1][phase] for r in rounds)
        ratio = statistics.median((r[1][phase] / r[0][phase]) if base_over_this
                                  else (r[0][phase] / r[1][phase]) for r in rounds)
        print(f"{phase:<22} {mine:>9.2f} {base:>9.2f} {ratio:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
