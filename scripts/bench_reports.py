"""Reports in the background against reports inline, one lever on its own: whole runs of a world
through ``start_run`` (no history file), alternating, in one process.

    python scripts/bench_reports.py --epochs 129 --repeats 5

Prints each round's seconds and the medians; the soups and reports of both are the same
(tests/run/test_background_reports.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import alife.run.session as session
from alife import __version__
from alife.soup import set_threads
from alife.world import make_world


def timed(world, background: bool) -> float:
    """Seconds of one run of ``world`` with reports in the background or inline."""
    inner = session.run_soup

    def run_soup(*args, **kwargs):
        kwargs["background"] = background
        return inner(*args, **kwargs)

    session.run_soup = run_soup
    try:
        t0 = time.perf_counter()
        session.start_run(world, None, alife_version=__version__)
        return time.perf_counter() - t0
    finally:
        session.run_soup = inner


def main() -> int:
    """Alternate background and inline runs; print the medians."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--language", default="bff_noheads")
    p.add_argument("--epochs", type=int, default=129)
    p.add_argument("--num-programs", type=int, default=131072)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    set_threads(args.threads)
    world = make_world({"language": args.language, "num_programs": args.num_programs,
                        "epochs": args.epochs, "until": ""})
    timed(world.replace(epochs=2), True)  # load the kernels and reporters
    timed(world.replace(epochs=2), False)
    rows = []
    for i in range(args.repeats):
        order = (True, False) if i % 2 == 0 else (False, True)
        got = {b: timed(world, b) for b in order}
        rows.append(got)
        print(f"round {i + 1}: background {got[True]:.3f} s, inline {got[False]:.3f} s",
              flush=True)
    bg = statistics.median(r[True] for r in rows)
    inline = statistics.median(r[False] for r in rows)
    ratio = statistics.median(r[False] / r[True] for r in rows)
    print(f"{args.language}, {args.epochs} epochs, N = {args.num_programs}, {args.threads} "
          f"threads: background {bg:.3f} s, inline {inline:.3f} s, speed-up {ratio:.3f} "
          f"(medians of {args.repeats} alternating rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
