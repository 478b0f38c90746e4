"""Speed of this checkout against another one (e.g. an older commit), measured side by side.

Runs ``alife bench --json`` from each checkout in turn, alternating, ``--repeats`` times, on the
same machine and thread count, and prints each phase's median epochs/s and the median of the
per-round ratios (this checkout / the other). Alternating rounds cancel most of the drift of a
shared, noisy machine.

    git worktree add /tmp/base 828685a
    python scripts/bench_compare.py /tmp/base --threads 2 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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
    args = parser.parse_args()
    if not (args.base / "alife").is_dir():
        raise SystemExit(f"bench_compare: error: {args.base} holds no alife package")
    bench(ROOT, args)  # warm both numba caches before timing
    bench(args.base, args)
    rounds: list[tuple[dict[str, float], dict[str, float]]] = []
    for i in range(args.repeats):
        pair = (bench(ROOT, args), bench(args.base, args)) if i % 2 == 0 else \
            tuple(reversed((bench(args.base, args), bench(ROOT, args))))
        rounds.append(pair)  # type: ignore[arg-type]
        print(f"round {i + 1}: " + "  ".join(f"{k} {pair[0][k]:.2f}/{pair[1][k]:.2f}"
                                             for k in pair[0]), flush=True)
    print(f"\n{'phase':<22} {'this':>9} {'base':>9} {'ratio':>7}   (epochs/s, medians of "
          f"{args.repeats} alternating rounds, {args.threads} threads)")
    for phase in rounds[0][0]:
        mine = statistics.median(r[0][phase] for r in rounds)
        base = statistics.median(r[1][phase] for r in rounds)
        ratio = statistics.median(r[0][phase] / r[1][phase] for r in rounds)
        print(f"{phase:<22} {mine:>9.2f} {base:>9.2f} {ratio:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
