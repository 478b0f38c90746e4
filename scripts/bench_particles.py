#!/usr/bin/env python3
"""Throughput of the neural soup (Gabor, Illium et al. 2019 particles run by the soup machinery).

Runs ``worlds/neural_soup.toml`` (100,000 weightwise particles, attack 0.1, 20 self-training
steps per generation) after a compile warm-up, with each thread count, and prints generations/s,
particle-generations/s (interactions/s), SGD steps/s and network applications (attacks) per s.
There is no reference figure: the authors ran soups of 10-20 particles in Keras.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--num-programs", type=int, default=100_000)
    p.add_argument("--generations", type=int, default=50)
    p.add_argument("--threads", type=int, nargs="+", default=None,
                   help="thread counts to time (default: 1 and all cores)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    import numba

    from alife.particles.soup import ParticleSoup
    from alife.world import load_world

    world = load_world(ROOT / "worlds" / "neural_soup.toml",
                       [f"num_programs={args.num_programs}"])
    ParticleSoup(world.replace(num_programs=1000)).run(2)  # compile outside the timings
    threads = args.threads or sorted({1, numba.config.NUMBA_NUM_THREADS})
    rows = []
    for t in threads:
        soup = ParticleSoup(world)
        soup.run(1, threads=t)
        start_ops, t0 = soup.total_ops, time.perf_counter()
        soup.run(args.generations, threads=t)
        dt = time.perf_counter() - t0
        rows.append({"threads": t, "particles": args.num_programs, "generations": args.generations,
                     "seconds": dt, "generations_per_s": args.generations / dt,
                     "particle_generations_per_s": args.num_programs * args.generations / dt,
                     "sgd_steps_and_attacks_per_s": (soup.total_ops - start_ops) / dt})
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"neural soup, {args.num_programs:,} weightwise particles, {args.generations} "
          f"generations (attack {world.attack_rate:g}, {world.train_steps} SGD steps each)")
    print(f"  {'threads':>7}  {'gen/s':>8}  {'particle-gen/s':>15}  {'SGD steps+attacks/s':>20}")
    for r in rows:
        print(f"  {r['threads']:>7}  {r['generations_per_s']:>8.2f}  "
              f"{r['particle_generations_per_s']:>15,.0f}  "
              f"{r['sgd_steps_and_attacks_per_s']:>20,.0f}")
    print("  reference: none (Gabor et al. ran 10-20 particles in Keras; the target here is "
          "several generations/s at 100,000 particles on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
