"""Self-play dynamics per meta-strategy solver: exploitability and effective diversity per
generation, the population's game sorted by rating, its Schur gamescape and α-Rank network
(Zhang et al. 2024; Balduzzi et al. 2019; Omidshafiei et al. 2019).

    python experiments/selfplay.py [--games rps,biased_rps,disc] [--solvers all]
                                [--generations 40] [--seeds 3] [--show disc:psro_rn]
                                [--out DIR] [--logs DIR]

Trains every game × solver × seed (torch, one thread), prints the final exploitability of the
meta-mixture and effective diversity (mean ± sd over seeds), and draws
``selfplay_exploitability_*`` and ``selfplay_effective_diversity_*`` (against generations, one
panel per game, mean over seeds with their range as a band); for the run named by --show
(seed 0) it draws ``selfplay_payoff_*`` (the final payoff matrix sorted by Hodge rating),
``selfplay_gamescape_*`` (the Schur embedding of the population, coloured by Nash weight) and
``selfplay_alpharank_*`` (the α-Rank network of its strongest members). --logs keeps every
run's HDF5 log (payoffs and Σ of every generation). The figures go to --out (default
``runs/selfplay`` under the current directory).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from alife.cli.script import run_script
from alife.errors import AlifeError
from alife.games import (
    alpharank,
    cyclic_fraction,
    fixation_probabilities,
    hodge_rating,
    nash,
    relative_population_performance,
    schur_embedding,
)
from alife.games.selfplay import GAMES, Game, SelfPlayConfig, train
from alife.games.solvers import SOLVERS
from alife.viz.figures import KAPPA_DEFINITION, caption, kappa_text, save_figure

COLOURS = {"vanilla": "tab:red", "fictitious": "tab:blue", "delta_uniform": "tab:orange",
           "prioritized": "tab:brown", "psro_nash": "tab:green", "psro_rn": "tab:purple"}
ALPHA, M = 10.0, 50
NETWORK_NODES = 8


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--games", default="rps,biased_rps,disc",
                        help=f"comma-separated, from {', '.join(GAMES)}")
    parser.add_argument("--solvers", default="all",
                        help=f"comma-separated, from {', '.join(SOLVERS)} (default all)")
    parser.add_argument("--generations", type=int, default=40, help="generations per run")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per game and solver")
    parser.add_argument("--oracle-steps", type=int, default=50, help="gradient steps per learner")
    parser.add_argument("--max-population", type=int, default=120,
                        help="population cap (PSRO-rN adds several learners per generation)")
    parser.add_argument("--show", default="disc:psro_rn",
                        help="GAME:SOLVER whose final population is drawn (seed 0)")
    parser.add_argument("--out", type=Path, default=Path("runs") / "selfplay",
                        help="figure folder (default: runs/selfplay)")
    parser.add_argument("--logs", type=Path, default=None, help="keep HDF5 logs here")
    parser.add_argument("--rpp", action="store_true", help="also the relative population "
                        "performance between the final populations of every solver pair "
                        "(same game and seed; Balduzzi et al. 2019), into OUT/selfplay_rpp.csv")
    args = parser.parse_args(argv)
    args.games = [g for g in args.games.split(",") if g]
    args.solvers = list(SOLVERS) if args.solvers == "all" else \
        [s for s in args.solvers.split(",") if s]
    for g in args.games:
        if g not in GAMES:
            raise AlifeError(f"--games: unknown game {g!r}; expected some of {', '.join(GAMES)}")
    for s in args.solvers:
        if s not in SOLVERS:
            raise AlifeError(f"--solvers: unknown solver {s!r}; expected some of "
                             f"{', '.join(SOLVERS)}")
    if args.generations < 1 or args.seeds < 1:
        raise AlifeError("--generations and --seeds must be >= 1")
    game, _, solver = args.show.partition(":")
    if game not in args.games or solver not in args.solvers:
        raise AlifeError(f"--show {args.show!r}: expected GAME:SOLVER among the runs")
    args.show = (game, solver)
    return args


def draw_curves(runs: dict, games: list[str], solvers: list[str], key: str,
                title: str) -> plt.Figure:
    """``key`` ("exploitability" or "effective_diversity") per generation, one panel per game:
    the mean over seeds, with their range as a band."""
    fig, axes = plt.subplots(1, len(games), figsize=(4.4 * len(games), 3.4), squeeze=False)
    name = "exploitability of the meta-mixture" if key == "exploitability" else \
        "effective diversity pᵀ⌊A⌋₊p (Nash p)"
    for col, game in enumerate(games):
        ax = axes[0, col]
        for solver in solvers:
            series = [np.asarray(getattr(r, key)) for r in runs[game, solver]]
            width = min(len(s) for s in series)
            y = np.array([s[:width] for s in series])
            x = np.arange(width)
            ax.plot(x, y.mean(axis=0), color=COLOURS[solver], label=solver)
            ax.fill_between(x, y.min(axis=0), y.max(axis=0), color=COLOURS[solver], alpha=0.15)
        ax.set(xlabel="generation", ylabel=f"{name}\n(payoff units)", title=game)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def draw_payoff(a: np.ndarray, title: str) -> plt.Figure:
    """The population's payoff matrix, sorted by Hodge rating (best first); its κ in the title
    and κ's definition under the figure."""
    order = np.argsort(-hodge_rating(a), kind="stable")
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    lim = max(float(np.abs(a).max()), 1e-9)
    im = ax.imshow(a[np.ix_(order, order)], cmap="RdBu", vmin=-lim, vmax=lim)
    ax.set(xlabel="opponent (sorted by Hodge rating, best first)",
           ylabel="policy (sorted by Hodge rating, best first)",
           title=f"{title}, {kappa_text(cyclic_fraction(a))}")
    fig.colorbar(im, ax=ax, label="payoff φ(row, column)")
    caption(fig, KAPPA_DEFINITION)
    return fig


def draw_gamescape(a: np.ndarray, title: str) -> plt.Figure:
    """The Schur embedding of the population: A_ij ≈ x_i × x_j; colour = Nash weight."""
    x = schur_embedding(a)
    p = nash(a)
    fig, ax = plt.subplots(figsize=(6, 5.5))
    sc = ax.scatter(x[:, 0], x[:, 1], c=p, cmap="viridis", s=25 + 300 * p / max(p.max(), 1e-12),
                    edgecolors="k", linewidths=0.4, label="policy (size, colour: Nash weight)")
    hull_pts = x[p > 0]
    if len(hull_pts) >= 3:
        from scipy.spatial import ConvexHull, QhullError

        try:
            hull = ConvexHull(hull_pts)
            cycle = np.r_[hull.vertices, hull.vertices[:1]]
            ax.plot(hull_pts[cycle, 0], hull_pts[cycle, 1], "r--", lw=1,
                    label="hull of the Nash support")
        except QhullError:
            pass
    ax.set_aspect("equal")
    ax.set(xlabel="Schur coordinate 1 (√payoff)", ylabel="Schur coordinate 2 (√payoff)",
           title=title)
    fig.colorbar(sc, ax=ax, label="Nash weight")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    return fig


def draw_alpharank(a: np.ndarray, title: str) -> plt.Figure:
    """α-Rank network of the NETWORK_NODES highest-ranked policies: node size ∝ π, an arrow
    s → r where a mutant r fixes in a population of s more often than neutrally (ρ > 1/m)."""
    pi = alpharank(a, ALPHA, M)
    top = np.argsort(-pi, kind="stable")[:NETWORK_NODES]
    rho = fixation_probabilities(a[np.ix_(top, top)], ALPHA, M)
    g = nx.DiGraph()
    for i, s in enumerate(top):
        g.add_node(int(s))
        for j, r in enumerate(top):
            if i != j and rho[i, j] > 1.0 / M:
                g.add_edge(int(s), int(r), weight=float(rho[i, j]))
    pos = nx.circular_layout(g)
    fig, ax = plt.subplots(figsize=(6, 6))
    sizes = [300 + 3000 * pi[n] / max(pi[top].max(), 1e-12) for n in g.nodes]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, node_color="tab:blue", alpha=0.7)
    nx.draw_networkx_labels(g, pos, ax=ax, labels={n: f"{n}\nπ={pi[n]:.2f}" for n in g.nodes},
                            font_size=7)
    nx.draw_networkx_edges(g, pos, ax=ax, node_size=sizes, arrowsize=12,
                           width=[0.5 + 2.5 * d["weight"] * M / (M + 1) for *_, d in
                                  g.edges(data=True)], edge_color="grey")
    ax.set_title(f"{title}\nα-Rank (α={ALPHA:g}, m={M}); arrow s→r: ρ(s→r) > 1/m")
    ax.axis("off")
    return fig


def rpp_table(runs: dict, game: str, solvers: list[str], seeds: int
              ) -> dict[tuple[str, str], np.ndarray]:
    """RPP(final population of a, of b) per seed, for every ordered solver pair of ``game``."""
    g = Game(runs[game, solvers[0]][0].config)
    out = {}
    for a in solvers:
        for b in solvers:
            out[a, b] = np.array([relative_population_performance(
                g.cross_payoff(runs[game, a][s].thetas, runs[game, b][s].thetas))
                for s in range(seeds)])
    return out


def print_rpp(runs: dict, games: list[str], solvers: list[str], seeds: int, out: Path) -> None:
    """Print each game's RPP matrix (row solver's population against column's: mean ± std
    over seeds) and write every value to OUT/selfplay_rpp.csv."""
    out.mkdir(parents=True, exist_ok=True)
    rows = ["game,row_solver,column_solver,seed,rpp"]
    for game in games:
        table = rpp_table(runs, game, solvers, seeds)
        print(f"\nRPP on {game} (row population against column population; mean ± std over "
              f"{seeds} seeds)")
        print(f"{'':>14}" + "".join(f"{b:>16}" for b in solvers))
        for a in solvers:
            print(f"{a:>14}" + "".join(f"{table[a, b].mean():>9.3f} ± {table[a, b].std():<5.3f}"
                                       for b in solvers))
            for b in solvers:
                rows += [f"{game},{a},{b},{s},{v:.6f}" for s, v in enumerate(table[a, b])]
    path = out / "selfplay_rpp.csv"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(rows) + "\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    """Train, print, draw."""
    args = parse_args(argv)
    if args.logs is not None:
        args.logs.mkdir(parents=True, exist_ok=True)
    runs: dict = {}
    print(f"{'game':>11} {'solver':>14} {'exploitability':>16} {'eff.diversity':>16} "
          f"{'population':>10} {'seconds':>8}")
    for game in args.games:
        for solver in args.solvers:
            runs[game, solver] = []
            t0 = time.perf_counter()
            for seed in range(args.seeds):
                cfg = SelfPlayConfig(game=game, solver=solver, generations=args.generations,
                                     seed=seed, oracle_steps=args.oracle_steps,
                                     max_population=args.max_population)
                log = None if args.logs is None else \
                    args.logs / f"selfplay_{game}_{solver}_seed{seed}.h5"
                runs[game, solver].append(train(cfg, log))
            e = np.array([r.exploitability[-1] for r in runs[game, solver]])
            d = np.array([r.effective_diversity[-1] for r in runs[game, solver]])
            size = np.mean([r.population[-1] for r in runs[game, solver]])
            print(f"{game:>11} {solver:>14} {e.mean():>9.3f} ± {e.std():<5.3f}"
                  f"{d.mean():>9.3f} ± {d.std():<5.3f} {size:>10.0f} "
                  f"{time.perf_counter() - t0:>8.1f}")
    if args.rpp:
        print_rpp(runs, args.games, args.solvers, args.seeds, args.out)
    params = {"games": "+".join(args.games), "gens": args.generations, "seeds": args.seeds}
    saved = []
    for key in ("exploitability", "effective_diversity"):
        what = key.replace("_", " ")
        saved += save_figure(draw_curves(runs, args.games, args.solvers, key,
                                         f"Self-play: {what} per solver ({args.generations} "
                                         f"generations, {args.seeds} seeds: mean and range)"),
                             args.out, f"selfplay_{key}", params)
    game, solver = args.show
    final = runs[game, solver][0]
    a = final.payoff
    show = {"game": game, "solver": solver, "gens": args.generations, "seed": 0}
    label = f"{game}, {solver}, {len(a)} policies after {args.generations} generations"
    saved += save_figure(draw_payoff(a, f"Payoff matrix\n{label}"), args.out,
                         "selfplay_payoff", show)
    saved += save_figure(draw_gamescape(a, f"Gamescape (Schur embedding)\n{label}"), args.out,
                         "selfplay_gamescape", show)
    saved += save_figure(draw_alpharank(a, f"α-Rank network\n{label}"), args.out,
                         "selfplay_alpharank", show)
    plt.close("all")
    print("wrote " + ", ".join(str(p) for p in saved if p.suffix == ".png"))
    return 0


if __name__ == "__main__":
    sys.exit(run_script("selfplay.py", main))
