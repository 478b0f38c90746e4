"""Reproduce the particle figures of Gabor, Illium et al. (2019, "Self-Replication in Neural
Networks"): self-training, self-application, noise robustness, small soups, and the same soup at
100,000 particles.

    python experiments/particle_reproduction.py [--seeds 10] [--big 100000] [--out DIR]

Rows (paper figure beside ours):

1. 1000 self-training steps of 100 random weightwise particles (lr 0.04, momentum 0.9): share
   of non-zero fixpoints, per seed (paper: ~100 %). Also for aggregating particles.
2. 100 repeated self-applications of 100 random particles: outcome census (paper: zero or
   divergent).
3. Noise robustness: trained fixpoints plus Gaussian noise of std 10^-k; self-applications
   (up to 100) they stay fixpoints, and until they reach zero or diverge.
4. A 20-particle soup (attack rate 0.1, 20 self-training steps per generation, dead particles
   replaced), census after 100 generations, over seeds (paper: mostly non-zero fixpoints); also
   with learn-from (rate 0.1) and with 30 training steps.
5. The same soup at ``--big`` particles for ``--big-generations`` generations: census over
   time and throughput (generations/s and particle-generations/s, compiled, after a warm-up);
   then what its "other" particles do to the particles they attack.

A weightwise particle is linear, so every fixpoint found here is the identity on the value
channel (``v = W1 W2 W3 = (1, 0, 0, 0)``): real self-replication, of the most trivial kind.

Writes ``particles_table.md``, ``particles.json`` and the figures ``particles_*`` to ``--out``
(default ``runs/particle_reproduction`` under the current directory). The committed files in
``docs/figures`` were made with the defaults and ``--out docs/figures``; only that explicit
``--out`` rewrites them.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numba
import numpy as np

from alife.cli.script import run_script
from alife.errors import AlifeError
from alife.particles import kernel as P
from alife.particles.soup import ParticleSoup
from alife.viz.figures import save_figure

NOISE_LEVELS = (0.0, *(10.0**-k for k in range(1, 10)))  # std 0 (control), 10^-1 .. 10^-9


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--seeds", type=int, default=10, help="seeds per experiment")
    parser.add_argument("--particles", type=int, default=100, help="particles per experiment")
    parser.add_argument("--train-steps", type=int, default=1000)
    parser.add_argument("--applications", type=int, default=100)
    parser.add_argument("--soup-size", type=int, default=20)
    parser.add_argument("--generations", type=int, default=100)
    parser.add_argument("--big", type=int, default=100_000, help="particles of the large soup")
    parser.add_argument("--big-generations", type=int, default=400)
    parser.add_argument("--threads", type=int, default=None, help="numba threads (all cores)")
    parser.add_argument("--out", type=Path, default=Path("runs") / "particle_reproduction",
                        help="folder for the table, JSON and figures (default: "
                        "runs/particle_reproduction; --out docs/figures rewrites the committed "
                        "ones)")
    args = parser.parse_args(argv)
    for name in ("seeds", "particles", "soup_size", "generations", "big", "big_generations"):
        if getattr(args, name) < 1:
            raise AlifeError(f"--{name.replace('_', '-')} {getattr(args, name)}: accepted an "
                             "integer >= 1")
    if args.soup_size % 2 or args.big % 2:
        raise AlifeError("--soup-size and --big must be even (particles meet in pairs)")
    return args


def self_training(args: argparse.Namespace, kind: str) -> dict:
    """Row 1: shares of each class after ``train_steps`` self-training steps, and the curve."""
    checkpoints = sorted(c for c in {0, 10, 30, 100, 300, args.train_steps}
                         if c <= args.train_steps)
    curve = np.zeros((args.seeds, len(checkpoints)))
    final = []
    for seed in range(args.seeds):
        w = P.random_particles(args.particles, seed=seed, kind=kind)
        done = 0
        for j, c in enumerate(checkpoints):
            w, _ = P.self_train(w, c - done, kind=kind)
            done = c
            curve[seed, j] = (P.classify(w, kind=kind) == P.FIXPOINT).mean()
        final.append(P.census(P.classify(w, kind=kind)))
    share = curve[:, -1]
    extra = {}
    if kind == "aggregating":  # the authors' weaker test: aggregates come back
        kept = [P.aggregate_fixpoint(P.self_train(P.random_particles(args.particles, seed=s,
                                                                      kind=kind),
                                                  args.train_steps, kind=kind)[0]).mean()
                for s in range(args.seeds)]
        extra = {"aggregate_fixpoint_mean": float(np.mean(kept)),
                 "aggregate_fixpoint_min": float(np.min(kept))}
    return {**extra, "kind": kind, "steps": args.train_steps, "checkpoints": checkpoints,
            "fixpoint_share_curve": curve.mean(axis=0).tolist(),
            "fixpoint_share_mean": float(share.mean()), "fixpoint_share_min": float(share.min()),
            "census_per_seed": final}


def self_application(args: argparse.Namespace) -> dict:
    """Row 2: census after each of ``applications`` self-applications, summed over seeds."""
    n = args.applications
    counts = np.zeros((n + 1, len(P.CLASS_NAMES)), dtype=np.int64)
    for seed in range(args.seeds):
        w = P.random_particles(args.particles, seed=seed)
        for t in range(n + 1):
            counts[t] += np.bincount(P.classify(w), minlength=len(P.CLASS_NAMES))
            if t < n:
                with np.errstate(all="ignore"):
                    w = P.self_apply(w)
    total = args.seeds * args.particles
    return {"applications": n, "census_final": dict(zip(P.CLASS_NAMES,
                                                         counts[-1].tolist(), strict=True)),
            "share_curve": (counts / total).tolist(), "total": total}


def _noise_levels(fixpoints: np.ndarray, cap: int, stream: int) -> list[dict]:
    """Every noise level on ``fixpoints``: self-applications as a fixpoint and to vergence."""
    rows = []
    for k, std in enumerate(NOISE_LEVELS):
        w = P.add_noise(fixpoints, std, seed=stream + k, generation=0)
        as_fixpoint = np.full(len(w), cap)
        to_vergence = np.full(len(w), cap)
        still_fix = np.ones(len(w), dtype=bool)
        alive = np.ones(len(w), dtype=bool)
        for t in range(cap + 1):
            classes = P.classify(w)
            left = still_fix & (classes != P.FIXPOINT)
            as_fixpoint[left] = t
            still_fix &= ~left
            dead = alive & ((classes == P.ZERO) | (classes == P.DIVERGENT))
            to_vergence[dead] = t
            alive &= ~dead
            if t < cap:
                with np.errstate(all="ignore"):
                    w = P.self_apply(w)
        final = P.census(P.classify(w))
        rows.append({"noise": std, "fixpoint_after_noise": float((as_fixpoint > 0).mean()),
                     "median_as_fixpoint": float(np.median(as_fixpoint)),
                     "median_to_vergence": float(np.median(to_vergence)),
                     "reached_vergence": float((to_vergence < cap).mean()),
                     "census_after": final})
    return rows


def robustness(args: argparse.Namespace) -> dict:
    """Row 3: trained fixpoints plus noise 10^-k; self-applications as a fixpoint / to vergence.
    The same protocol on as many copies of the exact hand-built fixpoint (the paper's)."""
    fix = []
    for seed in range(args.seeds):
        w, _ = P.self_train(P.random_particles(args.particles, seed=seed), args.train_steps)
        fix.append(w[P.classify(w) == P.FIXPOINT])
    fixpoints = np.concatenate(fix)
    exact = np.tile(P.identity_fixpoint(1.0), (len(fixpoints), 1))
    cap = args.applications
    return {"fixpoints": len(fixpoints), "cap": cap,
            "levels": _noise_levels(fixpoints, cap, 0),
            "exact_levels": _noise_levels(exact, cap, 1000)}


def small_soups(args: argparse.Namespace) -> list[dict]:
    """Row 4: census after ``generations`` of a small soup, three settings, over seeds."""
    settings = [("attack 0.1, train 20", dict(attack_rate=0.1, train_steps=20)),
                ("attack 0.1, train 30", dict(attack_rate=0.1, train_steps=30)),
                ("attack 0.1, learn-from 0.1, train 20",
                 dict(attack_rate=0.1, learn_rate=0.1, train_steps=20)),
                ("attack 0.1, train 20, no replacement",
                 dict(attack_rate=0.1, train_steps=20, replace_dead=False))]
    out = []
    for label, keys in settings:
        census = []
        for seed in range(args.seeds):
            soup = ParticleSoup(num_programs=args.soup_size, seed=seed, **keys)
            census.append(soup.run(args.generations).census())
        shares = np.array([c["fixpoint"] for c in census]) / args.soup_size
        mean = {name: float(np.mean([c[name] for c in census])) for name in P.CLASS_NAMES}
        out.append({"setting": label, "keys": keys, "mean_census": mean,
                    "fixpoint_share_mean": float(shares.mean()),
                    "fixpoint_share_min": float(shares.min()),
                    "all_fixpoint_soups": int((shares == 1.0).sum())})
    return out


def big_soup(args: argparse.Namespace) -> dict:
    """Row 5: the 20-particle soup's rules at ``--big`` particles: census over time, speed."""
    ParticleSoup(num_programs=1000, seed=0).run(2)  # compile outside the timings
    soup = ParticleSoup(num_programs=args.big, seed=0, attack_rate=0.1, train_steps=20)
    every = max(1, args.big_generations // 20)
    gens, shares, census = [0], [soup.census()["fixpoint"] / args.big], [soup.census()]
    run_s = 0.0
    while soup.epoch < args.big_generations:
        step = min(every, args.big_generations - soup.epoch)
        t0 = time.perf_counter()
        soup.run(step)
        run_s += time.perf_counter() - t0
        gens.append(soup.epoch)
        census.append(soup.census())
        shares.append(census[-1]["fixpoint"] / args.big)
    return {**infection(soup), "particles": args.big, "generations": args.big_generations,
            "threads": numba.get_num_threads(), "kernel_s": run_s,
            "generations_per_s": args.big_generations / run_s,
            "particle_generations_per_s": args.big * args.big_generations / run_s,
            "sgd_steps_per_s": args.big * 20 * args.big_generations / run_s,
            "census_final": census[-1], "curve_generations": gens, "curve_fixpoint": shares,
            "curve_census": census}


def infection(soup: ParticleSoup, k: int = 500, steps: int = 200) -> dict:
    """What the big soup's "other" particles do to those they attack: the victims' v against
    the attacker's (correlation per component), and how many victims vs fresh random particles
    are fixpoints after ``steps`` self-training steps (10 generations' worth)."""
    other = np.flatnonzero(soup.classes() == P.OTHER)[:k]
    if len(other) < 10:
        return {"infection": None}
    attackers = soup.weights[other, :14].astype(np.float64)
    fresh = P.random_particles(len(other), seed=12345)
    victims = P.apply(attackers, fresh)
    va, vv = P.end_vectors(attackers), P.end_vectors(victims)
    corr = [float(np.corrcoef(va[:, j], vv[:, j])[0, 1]) for j in range(4)]

    def fixed(w: np.ndarray) -> float:
        return float((P.classify(P.self_train(w, steps)[0]) == P.FIXPOINT).mean())

    return {"infection": {"attackers": len(other), "v_median": np.median(va, axis=0).tolist(),
                          "v_correlation": corr, "steps": steps,
                          "victims_fixpoint_after": fixed(victims),
                          "random_fixpoint_after": fixed(fresh),
                          "attackers_fixpoint_after": fixed(attackers)}}


def table(r: dict, args: argparse.Namespace) -> str:
    """The reproduction table (markdown): paper figure beside ours."""
    st, ag, sa, rb = r["self_training"], r["aggregating"], r["self_application"], r["robustness"]
    sa_c = sa["census_final"]
    lines = ["| experiment | paper | ours |", "|---|---|---|",
             f"| {args.train_steps} self-training steps, {args.particles} weightwise particles "
             f"x {args.seeds} seeds | ~100 % non-zero fixpoints | "
             f"{st['fixpoint_share_mean']:.1%} (lowest seed {st['fixpoint_share_min']:.0%}) |",
             f"| same, aggregating particles | (no figure in the spec) | "
             f"{ag['fixpoint_share_mean']:.1%} strict fixpoints; aggregates kept within eps "
             f"(the authors' \"fixpoint after aggregation\"): "
             f"{ag['aggregate_fixpoint_mean']:.1%} |",
             f"| {sa['applications']} self-applications of {sa['total']} random particles | zero "
             f"fixpoint or divergence | {sa_c['zero']} zero, {sa_c['divergent']} divergent, "
             f"{sa_c['fixpoint']} fixpoint, {sa_c['other']} other |"]
    for row in rb["levels"]:
        if row["noise"] in (0.0, 1e-1, 1e-3, 1e-5, 1e-7, 1e-9):
            noise = "no noise" if row["noise"] == 0 else f"noise {row['noise']:.0e}"
            lines.append(
                f"| {noise} on {rb['fixpoints']} trained fixpoints, then self-application | "
                f"(a plot; no figure in the spec) | still a fixpoint: "
                f"{row['fixpoint_after_noise']:.0%}; median self-applications as fixpoint "
                f"{row['median_as_fixpoint']:.0f}, to zero/divergence "
                f"{row['median_to_vergence']:.0f} (cap {rb['cap']}) |")
    for row in rb.get("exact_levels", []):
        if row["noise"] in (0.0, 1e-1, 1e-3, 1e-5, 1e-7, 1e-9):
            noise = "no noise" if row["noise"] == 0 else f"noise {row['noise']:.0e}"
            lines.append(
                f"| {noise} on {rb['fixpoints']} copies of the exact hand-built fixpoint "
                f"(v = (1, 0, 0, 0)), then self-application | (a plot; the paper's protocol) | "
                f"still a fixpoint: {row['fixpoint_after_noise']:.0%}; median "
                f"self-applications as fixpoint {row['median_as_fixpoint']:.0f}, to "
                f"zero/divergence {row['median_to_vergence']:.0f} (cap {rb['cap']}) |")
    for s in r["small_soups"]:
        c = s["mean_census"]
        paper = "-" if "no replacement" in s["setting"] else "mostly non-zero fixpoints"
        lines.append(f"| {args.soup_size}-particle soup, {s['setting']}, {args.generations} "
                     f"generations x {args.seeds} seeds | {paper} | "
                     f"{s['fixpoint_share_mean']:.0%} fixpoints (mean census: "
                     f"{c['fixpoint']:.1f} fixpoint, {c['other']:.1f} other, {c['zero']:.1f} "
                     f"zero, {c['divergent']:.1f} divergent); {s['all_fixpoint_soups']} of "
                     f"{args.seeds} soups all fixpoints |")
    b = r["big_soup"]
    c = b["census_final"]
    lines.append(f"| the same soup at {b['particles']:,} particles, {b['generations']} "
                 f"generations | (not run: soups of 10-20) | {c['fixpoint'] / b['particles']:.1%} "
                 f"fixpoints, {c['other']:,} other, {c['zero']} zero, {c['divergent']} "
                 f"divergent; {b['generations_per_s']:.2f} generations/s = "
                 f"{b['particle_generations_per_s']:,.0f} particle-generations/s "
                 f"({b['threads']} threads) |")
    inf = b.get("infection")
    if inf:
        corr = ", ".join(f"{x:.2f}" for x in inf["v_correlation"])
        lines.append(f"| its \"other\" particles attacking {inf['attackers']} fresh random ones "
                     f"| - | victims' v = W1 W2 W3 correlates with the attacker's (r = {corr}); "
                     f"fixpoints after {inf['steps']} self-training steps: victims "
                     f"{inf['victims_fixpoint_after']:.0%}, fresh random particles "
                     f"{inf['random_fixpoint_after']:.0%}, the attackers "
                     f"{inf['attackers_fixpoint_after']:.0%} |")
    return "\n".join(lines) + "\n"


def figures(r: dict, out: Path, args: argparse.Namespace) -> None:
    """Self-training and self-application curves, robustness, and the big soup's census."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    ax = axes[0]
    for key, label in (("self_training", "weightwise"), ("aggregating", "aggregating")):
        ax.plot(r[key]["checkpoints"], r[key]["fixpoint_share_curve"], "o-", label=label)
    ax.set_xscale("symlog", linthresh=10)
    ax.set(xlabel="self-training steps", ylabel="share of non-zero fixpoints",
           title="self-training (lr 0.04, momentum 0.9)")
    ax.legend()
    ax = axes[1]
    curve = np.array(r["self_application"]["share_curve"])
    for j, name in enumerate(P.CLASS_NAMES):
        ax.plot(curve[:, j], label=name)
    ax.set(xlabel="self-applications", ylabel="share of particles",
           title="repeated self-application")
    ax.legend(fontsize=8)
    ax = axes[2]
    for key, who, colour in (("levels", "trained", "C0"), ("exact_levels", "exact", "C3")):
        levels = [row for row in r["robustness"].get(key, []) if row["noise"] > 0]
        x = [row["noise"] for row in levels]
        ax.plot(x, [row["median_as_fixpoint"] for row in levels], "o-", color=colour,
                label=f"{who}: as fixpoint")
        ax.plot(x, [row["median_to_vergence"] for row in levels], "s--", color=colour,
                label=f"{who}: to zero/divergence")
    ax.set_xscale("log")
    ax.set(xlabel="noise std", ylabel="median self-applications",
           title=f"robustness: {r['robustness']['fixpoints']} trained fixpoints\n"
                 "and as many noisy copies of the exact one")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out, "particles_single", {"n": args.particles, "seeds": args.seeds})
    plt.close(fig)
    b = r["big_soup"]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    gens = b["curve_generations"]
    for name in P.CLASS_NAMES:
        ax.plot(gens, [c[name] / b["particles"] for c in b["curve_census"]], label=name)
    ax.set(xlabel="generation", ylabel="share of particles",
           title=f"soup of {b['particles']:,} particles (attack 0.1, train 20)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out, "particles_soup", {"N": b["particles"], "gens": b["generations"]})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Run every experiment, print the table, write the files."""
    args = parse_args(argv)
    if args.threads is not None:
        numba.set_num_threads(args.threads)
    t0 = time.perf_counter()
    r: dict = {"args": {k: str(v) for k, v in vars(args).items()},
               "machine": platform.platform(), "threads": numba.get_num_threads()}
    for key, fn in (("self_training", lambda: self_training(args, "weightwise")),
                    ("aggregating", lambda: self_training(args, "aggregating")),
                    ("self_application", lambda: self_application(args)),
                    ("robustness", lambda: robustness(args)),
                    ("small_soups", lambda: small_soups(args)),
                    ("big_soup", lambda: big_soup(args))):
        t = time.perf_counter()
        r[key] = fn()
        print(f"{key}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    r["wall_s"] = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    text = table(r, args)
    (args.out / "particles_table.md").write_text(text)
    (args.out / "particles.json").write_text(json.dumps(r, indent=1, default=float))
    figures(r, args.out, args)
    print(text)
    print(f"wrote {args.out}/particles_table.md, particles.json, particles_*.png/svg "
          f"({r['wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(run_script("particle_reproduction.py", main))
