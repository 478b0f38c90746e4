"""The cost of recording a history (``alife bench --history``), at the world's default cadence.

Three timings of the same soup over the same epochs: the bare kernel; the run loop with its
reports (metrics and replication sampling, which every run computes); and the run loop recording
into an HDF5 history (metrics, top species, checkpoint at every report, snapshots every
``snapshot_every`` epochs). History overhead = (recorded - reported) / reported.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from alife.errors import AlifeError
from alife.run.runner import run_soup
from alife.run.session import start_run
from alife.soup import Soup, set_threads
from alife.world import make_world


def measure(num_programs: int, epochs: int, threads: int, workdir: Path) -> dict[str, Any]:
    """Seconds for ``epochs`` epochs: bare, with reports, with reports and a history."""
    if epochs < 1 or num_programs < 2:
        raise AlifeError("--epochs and --num-programs: accepted positive integers")
    set_threads(threads)
    world = make_world({"num_programs": num_programs, "epochs": epochs, "until": ""})
    Soup(world.replace(num_programs=256)).run(2).metrics()  # compile outside the timings
    soup = Soup(world)
    t0 = time.perf_counter()
    for _ in range(0, epochs, 16):
        soup.run(min(16, epochs - soup.epoch))
    bare = time.perf_counter() - t0
    soup = Soup(world)
    t0 = time.perf_counter()
    run_soup(soup, epochs, None, world.report_every)
    reported = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, outcome = start_run(world, workdir / "bench.h5", alife_version="bench")
    recorded = time.perf_counter() - t0
    size = (workdir / "bench.h5").stat().st_size
    return {"num_programs": num_programs, "epochs": epochs, "threads": threads,
            "report_every": world.report_every, "snapshot_every": world.snapshot_every,
            "species_top": world.species_top, "bare_s": bare, "reported_s": reported,
            "recorded_s": recorded, "epochs_per_s_recorded": epochs / recorded,
            "report_overhead": (reported - bare) / bare,
            "history_overhead": (recorded - reported) / reported, "history_bytes": size}


def main(args: argparse.Namespace) -> int:
    """Print the three timings and the history overhead (or JSON)."""
    threads = int(str(args.threads).split(",")[-1])
    with tempfile.TemporaryDirectory() as tmp:
        r = measure(args.num_programs, args.epochs, threads, Path(tmp))
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"alife bench --history: N = {r['num_programs']}, {r['epochs']} epochs, "
          f"{r['threads']} threads; cadence: report every {r['report_every']}, snapshot every "
          f"{r['snapshot_every']}, top {r['species_top']} species")
    print(f"  kernel only                {r['bare_s']:8.2f} s")
    print(f"  + reports (metrics)        {r['reported_s']:8.2f} s   "
          f"(+{100 * r['report_overhead']:.1f} %)")
    print(f"  + HDF5 history             {r['recorded_s']:8.2f} s   "
          f"(+{100 * r['history_overhead']:.1f} % over reports; "
          f"{r['epochs_per_s_recorded']:.1f} epochs/s)")
    print(f"  history file               {r['history_bytes'] / 2**20:8.1f} MiB")
    return 0
