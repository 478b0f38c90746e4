"""The species game of a soup over its history: who out-copies whom among the top species, and
whether the game is transitive or cyclic (selfplay.md; Balduzzi et al. 2018, 2019).

    python analyses/soup_game.py RUN.h5 [--k 8] [--match exact|bytes] [--samples 0]
                                 [--epochs 12] [--out DIR] [--json]

RUN may also be a reference checkpoint (FILE.dat or FILE.dat.gz; give --language and --seed).
For each analysed snapshot (at most --epochs of them, evenly spaced, always the last) the top k
species play the game of :mod:`alife.games.soup_game` (both orders, deterministic runs, or
--samples mutation draws at the world's mutation rate). Prints, per epoch, the share of the soup
the k species hold, the first-mover advantage (mean score of the program that runs first), the
cyclic fraction κ with a bootstrap interval, the Nash support and effective diversity, 3-cycles,
the Elo residual and the share of significant cells; then the last epoch's species, payoff
matrix and Nash.
Figures (file names carry language, N, seed, k, match): ``soup_game_payoff_*`` (the last game,
sorted by Hodge rating), ``soup_game_metrics_*`` (metrics against epochs, with more than one
epoch) and ``soup_game_replicator_*`` (replicator dynamics of the first analysed game against
the observed frequencies of its species in later snapshots, with three or more). Also writes
``soup_game_*.csv``. The default folder is ``runs/figures/<name of RUN>/`` under the current
directory (``runs/figures/FILE/`` for FILE.dat.gz), never the folder of RUN.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from _common import history_parser, out_dir, run_script

from alife.errors import AlifeError
from alife.games import bootstrap, cyclic_fraction, replicator_fit, species_frequencies
from alife.games.soup_game import MATCHES, species_game_series
from alife.history import History
from alife.languages import DEFAULT_STEP_LIMIT, names
from alife.measures.replication import replication_scores
from alife.soup.checkpoint import read_dat
from alife.viz.figures import KAPPA_DEFINITION, caption, figure_stem, kappa_text, save_figure

COLUMNS = ("epoch", "k", "share", "first_mover", "cyclic_fraction", "kappa_low", "kappa_high",
           "nash_support", "effective_diversity", "three_cycles", "elo_residual",
           "significant_cells")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = history_parser(__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--k", type=int, default=8, help="species in the game (default 8)")
    parser.add_argument("--match", choices=MATCHES, default="exact",
                        help="exact: count identical halves (default); bytes: count matching "
                        "bytes / 64; mirror: count halves equal to a program or its reverse")
    parser.add_argument("--samples", type=int, default=0,
                        help="mutation draws per pair at the world's mutation rate "
                        "(default 0: one deterministic, mutation-free run per order)")
    parser.add_argument("--epochs", type=int, default=12,
                        help="analyse at most this many snapshots (default 12)")
    parser.add_argument("--language", default="bff_noheads",
                        help="language of a .dat checkpoint (histories name their own)")
    parser.add_argument("--seed", type=int, default=0, help="seed of a .dat checkpoint")
    parser.add_argument("--json", action="store_true", help="print the records as JSON")
    return parser.parse_args(argv)


def load(args: argparse.Namespace) -> tuple[list[tuple[int, np.ndarray]], dict, list]:
    """(analysed (epoch, soup) pairs, run info, every (epoch, soup) for frequencies)."""
    path: Path = args.history
    if path.name.endswith((".dat", ".dat.gz")):
        if args.language not in names():
            raise AlifeError(f"--language {args.language!r}: expected one of {', '.join(names())}")
        cp = read_dat(path)
        info = {"language": args.language, "num_programs": len(cp.programs), "seed": args.seed,
                "step_limit": DEFAULT_STEP_LIMIT, "mutation_prob": 2.0**-12}
        soups = [(cp.epochs, cp.programs)]
        return soups, info, soups
    with History(path) as h:
        w = h.world
        info = {"language": w.language, "num_programs": w.num_programs, "seed": w.seed,
                "step_limit": w.step_limit, "mutation_prob": w.mutation_prob}
        epochs = [int(e) for e in h.snapshot_epochs()]
        if not epochs:
            raise AlifeError(f"{str(path)!r} holds no soup snapshots")
        every = [(e, np.asarray(h.snapshot(e).programs)) for e in epochs]
    if args.epochs < 1:
        raise AlifeError(f"--epochs must be >= 1, got {args.epochs}")
    pick = sorted(set(np.linspace(0, len(every) - 1, min(args.epochs, len(every)))
                      .round().astype(int).tolist()))
    return [every[i] for i in pick], info, every


def _plain(value: float) -> float | None:
    """A number for JSON: nan (an undefined metric, e.g. κ of a null game) becomes null."""
    return None if isinstance(value, float) and np.isnan(value) else value


def hodge_sorted(record: dict) -> np.ndarray:
    """Species order by Hodge rating, best first (ties: most common first)."""
    return np.lexsort((-record["counts"], -record["hodge_rating"]))


UNITS = {"exact": "identical halves", "bytes": "matching bytes / 64",
         "mirror": "halves equal to it or its mirror"}


def draw_payoff(record: dict, title: str, match: str = "exact") -> plt.Figure:
    """The payoff heatmap of one game, sorted by Hodge rating, with the Nash weights; its κ in
    the title and κ's definition under the figure."""
    order = hodge_sorted(record)
    a = record["game"].payoff[np.ix_(order, order)]
    k = len(order)
    fig, ax = plt.subplots(figsize=(1.6 + 0.55 * k, 1.2 + 0.5 * k))
    lim = max(float(np.abs(a).max()), 1e-9)
    im = ax.imshow(a, cmap="RdBu", vmin=-lim, vmax=lim)
    labels = [f"#{i} ({record['counts'][i]}, p={record['nash'][i]:.2f})" for i in order]
    ax.set_xticks(range(k), [f"#{i}" for i in order], rotation=90)
    ax.set_yticks(range(k), labels)
    ax.set(xlabel="opponent species j (#rank by count)",
           ylabel="species i (copies, Nash weight)",
           title=f"{title}, {kappa_text(record['cyclic_fraction'])}")
    fig.colorbar(im, ax=ax, label=f"payoff A_ij: copies of i − copies of j\n"
                                  f"per interaction ({UNITS[match]})")
    caption(fig, KAPPA_DEFINITION)
    return fig


def draw_metrics(records: list[dict], title: str) -> plt.Figure:
    """κ (with interval), effective diversity, Nash support and top-k share against epochs."""
    x = [r["epoch"] for r in records]
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    ax = axes[0]
    ax.plot(x, [r["cyclic_fraction"] for r in records], "o-", label="cyclic fraction κ")
    ax.fill_between(x, [r["kappa_low"] for r in records], [r["kappa_high"] for r in records],
                    alpha=0.25, label="95% bootstrap interval")
    ax.plot(x, [r["significant_cells"] for r in records], "s:", color="black",
            label="share of cells ≠ 0 beyond 2 s.e.")
    ax.set(xlabel="epoch", ylabel="κ = ‖C‖²/‖A‖²;  share", ylim=(-0.02, 1.02),
           title="Cyclic fraction (gaps: null game)")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.plot(x, [r["effective_diversity"] for r in records], "o-", color="tab:green",
            label="effective diversity pᵀ⌊A⌋₊p")
    ax.plot(x, [r["elo_residual"] for r in records], "s--", color="tab:red",
            label="Elo residual")
    ax.set(xlabel="epoch", ylabel="payoff units / probability", title="Diversity and Elo fit")
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot(x, [r["nash_support"] for r in records], "o-", color="tab:purple",
            label="Nash support size")
    ax.plot(x, [r["three_cycles"] for r in records], "s--", color="tab:orange",
            label="3-cycles")
    ax.set(xlabel="epoch", ylabel="species", title="Nash support and cycles")
    ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    caption(fig, KAPPA_DEFINITION)
    return fig


def replicator_check(records: list[dict], every: list[tuple[int, np.ndarray]]) -> dict | None:
    """Replicator dynamics of the first analysed game whose species are seen (two or more of
    them) in three or more snapshots from its epoch on, against their observed frequencies."""
    for record in records:
        later = [(e, s) for e, s in every if e >= record["epoch"]]
        if len(later) < 3:
            continue
        times = np.array([e for e, _ in later], dtype=float)
        counts = np.array([species_frequencies(s, record["species"]) for _, s in later],
                          dtype=float)
        keep = (counts > 0).sum(axis=1) >= 2
        if keep.sum() < 3:
            continue
        fit = replicator_fit(record["game"].payoff, times[keep], counts[keep])
        shares = counts[keep] / counts[keep].sum(axis=1, keepdims=True)
        return {"epoch": record["epoch"], "times": times[keep], "observed": shares, "fit": fit}
    return None


def draw_replicator(check: dict, title: str) -> plt.Figure:
    """Observed species shares (within the k) and the fitted replicator prediction."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    obs, pred, t = check["observed"], check["fit"].predicted, check["times"]
    for i in range(obs.shape[1]):
        line, = ax.plot(t, obs[:, i], "o-", markersize=3, label=f"#{i} observed")
        ax.plot(t, pred[:, i], "--", color=line.get_color(),
                label="replicator prediction" if i == 0 else None)
    fit = check["fit"]
    ax.set(xlabel="epoch", ylabel="share among the k species",
           title=f"{title}\nrate {fit.rate:.3g}/epoch, RMSE {fit.error:.3f} "
                 f"(no-change baseline {fit.static_error:.3f})")
    ax.legend(fontsize=7, ncol=2)
    return fig


def main(argv: list[str] | None = None) -> int:
    """Analyse, print, draw."""
    args = parse_args(argv)
    if args.k < 2:
        raise AlifeError(f"--k must be >= 2 (a game needs two species), got {args.k}")
    if args.samples < 0:
        raise AlifeError(f"--samples must be >= 0, got {args.samples}")
    soups, info, every = load(args)
    options = {"step_limit": info["step_limit"], "match": args.match,
               "mutation_prob": info["mutation_prob"] if args.samples else 0.0,
               "samples": max(args.samples, 1), "seed": info["seed"]}
    records = species_game_series(soups, args.k, info["language"], **options)
    for r in records:
        _, r["kappa_low"], r["kappa_high"] = bootstrap(r["game"], cyclic_fraction, 200)
    params = {"lang": info["language"], "N": info["num_programs"], "seed": info["seed"],
              "k": args.k, "match": args.match, "samples": args.samples}
    last = records[-1]
    scores = replication_scores(last["species"], info["language"], last["epoch"], info["seed"],
                                step_limit=info["step_limit"])
    check = replicator_check(records, every)

    if args.json:
        out = [{c: _plain(r[c]) for c in COLUMNS if c != "k"} | {
            "k": len(r["counts"]), "counts": r["counts"].tolist(), "nash": r["nash"].tolist(),
            "payoff": r["game"].payoff.tolist(), "nash_clusters": r["nash_clusters"],
            "alpharank": r["alpharank"].tolist()} for r in records]
        json.dump({"run": info, "options": options, "records": out,
                   "last_replication_scores": scores.tolist()}, sys.stdout, indent=1)
        print()
    else:
        mode = f"{args.samples} mutation samples" if args.samples else "deterministic"
        print(f"species game of {args.history.name}: {info['language']}, "
              f"N={info['num_programs']}, seed {info['seed']}, k={args.k}, match={args.match}, "
              f"{mode}")
        print(f"{'epoch':>7} {'share':>6} {'first':>6} {'kappa [95%]':>20} {'nash':>5} "
              f"{'eff.div':>8} {'3cyc':>5} {'elo_res':>8} {'signif':>7}")
        for r in records:
            kap = f"{r['cyclic_fraction']:.3f} [{r['kappa_low']:.2f},{r['kappa_high']:.2f}]"
            print(f"{r['epoch']:>7} {r['share']:>6.3f} {r['first_mover']:>+6.2f} {kap:>20} "
                  f"{r['nash_support']:>5} {r['effective_diversity']:>8.4f} {r['three_cycles']:>5} "
                  f"{r['elo_residual']:>8.4f} {r['significant_cells']:>7.2f}")
        print(f"\nepoch {last['epoch']}: species (rank, copies, replication score, Nash weight, "
              "Hodge rating)")
        for i in hodge_sorted(last):
            print(f"  #{i:<3} {last['counts'][i]:>6} {scores[i]:>3} {last['nash'][i]:>6.3f} "
                  f"{last['hodge_rating'][i]:>+8.4f}")
        print("payoff A (rows/columns by rank):")
        with np.printoptions(precision=3, suppress=True, linewidth=160):
            print(last["game"].payoff)
        print(f"Nash clusters: {last['nash_clusters']}")
        if check is not None:
            f = check["fit"]
            print(f"replicator dynamics from epoch {check['epoch']}: rate {f.rate:.3g} per "
                  f"epoch, RMSE {f.error:.4f} vs {f.static_error:.4f} for 'no change'")

    folder = out_dir(args)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{figure_stem('soup_game', params)}.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in records:
            writer.writerow([len(r["counts"]) if c == "k" else r[c] for c in COLUMNS])
    title = f"{info['language']} N={info['num_programs']} seed {info['seed']}"
    saved = save_figure(draw_payoff(last, f"Species game, {title}, epoch {last['epoch']}\n"
                                          f"match={args.match}", args.match),
                        folder, "soup_game_payoff", params)
    if len(records) > 1:
        saved += save_figure(draw_metrics(records, f"Species game over time, {title}, "
                                                   f"top {args.k}, match={args.match}"),
                             folder, "soup_game_metrics", params)
    if check is not None:
        saved += save_figure(draw_replicator(check, f"Replicator dynamics, {title}, species of "
                                                    f"epoch {check['epoch']}"),
                             folder, "soup_game_replicator", params)
    plt.close("all")
    if not args.json:
        print("wrote " + ", ".join(str(p) for p in saved if p.suffix == ".png"))
    return 0


if __name__ == "__main__":
    sys.exit(run_script("soup_game.py", main))
