"""Spinning-top profiles of real game tables and fixed-memory fictitious play with capped
populations (Czarnecki et al. 2020, "Real world games look like spinning tops").

    python experiments/spinning_top.py [--games blotto-3-10,blotto-3-20,blotto-5-5,kuhn-512]
                                       [--memories 1,2,4,8,16,32,64] [--seeds 10]
                                       [--steps 100] [--out docs/results/spinning_top]
                                       [--figures docs/figures]

Games: ``blotto-F-C`` is Colonel Blotto with F fields and C coins over every pure strategy;
``kuhn-N`` is N pure strategies of Kuhn poker played once in each seat, drawn without
replacement (seed 0) from its 4096; ``layers-W1-W2-...`` is a game built with known layers (odd
widths, top first), the check that the clustering finds them. For each game the script writes
its Nash clusters (size and mean payoff against every strategy) to ``profiles.csv``, then runs
fixed-memory fictitious play (best responses to the Nash of the last ``memory`` responses) from a
seeded member of the weakest cluster for every memory and seed, and writes the best cluster
the final population reaches and its exploitability to ``memory.csv``. Figures:
``spinning_top_profiles`` (cluster size against transitive strength, one panel per game) and
``spinning_top_memory`` (cluster reached against population size).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from alife.cli.script import run_script
from alife.errors import AlifeError
from alife.games import (
    blotto_table,
    fixed_memory_fictitious_play,
    kuhn_table,
    layered_cycle_game,
    spinning_top_profile,
)
from alife.viz.figures import caption, save_figure

DEFAULT_GAMES = "layers-1-3-5-3-1,blotto-3-10,blotto-3-20,blotto-5-5,kuhn-512"


def game_table(name: str) -> np.ndarray:
    """The payoff table a game name stands for (see the module docstring)."""
    kind, _, rest = name.partition("-")
    try:
        sizes = [int(x) for x in rest.split("-")] if rest else []
    except ValueError:
        sizes = []
    if kind == "blotto" and len(sizes) == 2:
        return blotto_table(*sizes)[0]
    if kind == "kuhn" and len(sizes) == 1 and 2 <= sizes[0] <= 4096:
        keep = np.sort(np.random.default_rng(0).choice(4096, sizes[0], replace=False))
        return kuhn_table()[0][np.ix_(keep, keep)]
    if kind == "layers" and sizes:
        return layered_cycle_game(sizes)
    raise AlifeError(f"unknown game {name!r}; expected blotto-F-C (fields, coins), kuhn-N "
                     "(2 <= N <= 4096 sampled strategies) or layers-W1-W2-... (odd widths)")


def _ints(text: str, what: str) -> list[int]:
    try:
        out = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        out = []
    if not out or min(out) < 1:
        raise AlifeError(f"--{what} must be a comma-separated list of positive integers, got "
                         f"{text!r}")
    return out


def _write_csv(path: Path, rows: list[dict]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


def profile_figure(profiles: dict[str, object], out: Path) -> list[Path]:
    """Cluster size (horizontal, drawn about the axis like a top) against transitive strength."""
    fig, axes = plt.subplots(1, len(profiles), figsize=(3.2 * len(profiles), 3.6), squeeze=False)
    for ax, (name, prof) in zip(axes[0], profiles.items(), strict=True):
        ax.barh(prof.strength, prof.sizes, left=-prof.sizes / 2,
                height=0.8 * _spacing(prof.strength), color="tab:blue")
        ax.set_title(f"{name}\n{len(prof.sizes)} clusters, widest {prof.widest}", fontsize=9)
        ax.set_xlabel("Nash cluster size (strategies)")
        ax.axvline(0, color="grey", lw=0.5)
    axes[0][0].set_ylabel("transitive strength:\nmean payoff against all strategies")
    caption(fig, "Each bar is a Nash cluster (Czarnecki et al. 2020): the Nash support of the "
            "strategies left after removing the clusters above it; its height is the mean "
            "payoff of its members against every strategy of the table, its width its size.")
    paths = save_figure(fig, out, "spinning_top_profiles", {"games": "+".join(profiles)})
    plt.close(fig)
    return paths


def _spacing(y: np.ndarray) -> float:
    d = np.diff(np.sort(y))
    d = d[d > 0]
    return float(d.min()) if len(d) else 0.1


def memory_figure(rows: list[dict], widest: dict[str, int], out: Path) -> list[Path]:
    """The best cluster the final population reaches, and its exploitability, against its size."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.0))
    for k, game in enumerate(widest):
        mine = [r for r in rows if r["game"] == game]
        mem = sorted({r["memory"] for r in mine})
        colour = f"C{k}"
        for ax, key in zip(axes, ("best_cluster", "exploitability"), strict=True):
            vals = [[r[key] for r in mine if r["memory"] == m] for m in mem]
            ax.plot(mem, [np.mean(x) for x in vals], "o-", color=colour,
                    label=f"{game} (widest cluster {widest[game]})")
            ax.fill_between(mem, [min(x) for x in vals], [max(x) for x in vals], color=colour,
                            alpha=0.15)
            ax.axvline(widest[game], color=colour, ls=":", lw=1)
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xlabel("population size (the last best responses kept)")
    axes[0].set_ylabel("best Nash cluster in the final population\n(0 = the top, Nash support)")
    axes[1].set_ylabel("exploitability of the final population's Nash\n(payoff units)")
    axes[0].legend(fontsize=7)
    caption(fig, "Fixed-memory fictitious play from the weakest cluster: mean over seeds, band "
            "from best to worst seed; dotted lines mark each game's widest Nash cluster.")
    paths = save_figure(fig, out, "spinning_top_memory", {"games": "+".join(widest)})
    plt.close(fig)
    return paths


def run(games: list[str], memories: list[int], seeds: int, steps: int, out: Path,
        figures: Path) -> tuple[list[dict], list[dict]]:
    """Profiles and fixed-memory fictitious play for every game; writes both tables."""
    out.mkdir(parents=True, exist_ok=True)
    prof_rows: list[dict] = []
    mem_rows: list[dict] = []
    profiles = {}
    for game in games:
        t0 = time.perf_counter()
        a = game_table(game)
        prof = spinning_top_profile(a)
        profiles[game] = prof
        for k, (size, strength) in enumerate(zip(prof.sizes, prof.strength, strict=True)):
            prof_rows.append({"game": game, "strategies": a.shape[0], "cluster": k,
                              "size": int(size), "strength": round(float(strength), 6)})
        bottom = prof.clusters[-1]
        for memory in memories:
            for seed in range(seeds):
                start = int(bottom[np.random.default_rng(seed).integers(len(bottom))])
                fp = fixed_memory_fictitious_play(a, memory, steps, start, seed=seed)
                mem_rows.append({"game": game, "memory": memory, "seed": seed, "start": start,
                                 "start_cluster": int(prof.layer_of[start]),
                                 "best_cluster": int(prof.layer_of[fp.population].min()),
                                 "exploitability": round(fp.exploitability, 6)})
        print(f"{game}: {a.shape[0]} strategies, {len(prof.sizes)} clusters (widest "
              f"{prof.widest}: sizes {prof.sizes.tolist()}), {time.perf_counter() - t0:.0f} s")
        for memory in memories:
            got = [r for r in mem_rows if r["game"] == game and r["memory"] == memory]
            top = sum(r["best_cluster"] == 0 for r in got)
            print(f"  population {memory:>3}: reached the top cluster in {top}/{len(got)} "
                  f"seeds; mean best cluster "
                  f"{np.mean([r['best_cluster'] for r in got]):.2f}, mean exploitability "
                  f"{np.mean([r['exploitability'] for r in got]):.3f}")
    _write_csv(out / "profiles.csv", prof_rows)
    _write_csv(out / "memory.csv", mem_rows)
    profile_figure(profiles, figures)
    memory_figure(mem_rows, {g: p.widest for g, p in profiles.items()}, figures)
    return prof_rows, mem_rows


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run every game."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", default=DEFAULT_GAMES)
    ap.add_argument("--memories", default="1,2,4,8,16,32,64")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--out", type=Path, default=Path("docs/results/spinning_top"))
    ap.add_argument("--figures", type=Path, default=Path("docs/figures"))
    args = ap.parse_args(argv)
    games = [g.strip() for g in args.games.split(",") if g.strip()]
    if not games:
        raise AlifeError("--games must name at least one game")
    if args.seeds < 1 or args.steps < 1:
        raise AlifeError(f"--seeds and --steps must be >= 1, got {args.seeds} and {args.steps}")
    t0 = time.perf_counter()
    run(games, _ints(args.memories, "memories"), args.seeds, args.steps, args.out, args.figures)
    print(f"spinning_top: wrote {args.out / 'profiles.csv'} and {args.out / 'memory.csv'} in "
          f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(run_script("spinning_top.py", main))
