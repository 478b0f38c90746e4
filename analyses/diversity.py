"""Complexity and diversity of one run over time, before and after the replicator transition
(Agüera y Arcas et al. 2024, fig. 2; Hill 1973; Dolson et al. 2019, MODES).

    python analyses/diversity.py RUN.h5 [--out DIR] [--threshold 3.0]

Writes four figures against epochs, each with the transition epoch T (first observation with
high-order entropy > --threshold) marked: ``complexity_*`` (high-order entropy, h0 and Brotli
bits per byte, ops per interaction, sampled replicators), ``diversity_*`` (richness and Hill
numbers over time; the Hill profile D_q of the last snapshot before T and of the last snapshot),
``muller_*`` (the programs that ever reach the top 8: their composition, shares among them
summing to 1, above; their stacked shares of the soup below) and ``modes_*`` (MODES
change, novelty, ecology, complexity; only when the history records them). Prints a
before/after diversity table and saves it as ``diversity_table_*.csv``. The file names carry the
language, number of programs and seed; the default folder is ``runs/figures/<history name>/``
under the current directory. Metrics a history lacks are skipped, with a note.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from _common import history_parser, out_dir, run_script

from alife.analysis.emergence import transition_epoch
from alife.errors import AlifeError
from alife.history import History
from alife.languages import get
from alife.measures.diversity import diversity, hill_profile
from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.measures.replication import CONFIRMED, REPLICATOR
from alife.measures.species import species_counts
from alife.viz.figures import figure_stem, save_figure

TOP = 8  #: a program enters the Muller plot once it is among the top TOP of an observation
LABELLED = 8  #: programs named in the Muller plot's legend (largest peak share first)
TABLE = ("richness", "shannon_bits", "gini_simpson", "hill_2", "berger_parker", "evenness")
MODES = (("modes_change", "change", "persistent species new since the last observation"),
         ("modes_novelty", "novelty", "persistent species never persistent before"),
         ("modes_ecology", "ecology", "Shannon entropy of persistent species (bits)"),
         ("modes_complexity", "complexity", "instruction bytes of the most complex\n"
                                            "persistent species"))

DATA_NOTE = "· = a byte that is no command"

Species = list[tuple[int, list[tuple[bytes, int]]]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: history, --out, --threshold."""
    parser = history_parser(__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--threshold", type=float, default=TRANSITION_THRESHOLD,
                        help="high-order entropy (bits per byte) that marks the transition "
                        f"(default {TRANSITION_THRESHOLD:g})")
    return parser.parse_args(argv)


class Series:
    """The metric series of a history; missing or all-NaN series are None and remembered."""

    def __init__(self, metrics: dict[str, np.ndarray]) -> None:
        self.metrics = metrics
        self.epoch = np.asarray(metrics["epoch"], dtype=np.int64)
        self.missing: list[str] = []

    def get(self, name: str) -> np.ndarray | None:
        """float64 series ``name``, or None (noted as missing) if absent or all NaN."""
        v = self.metrics.get(name)
        if v is None or len(v) == 0 or np.all(np.isnan(np.asarray(v, dtype=np.float64))):
            if name not in self.missing:
                self.missing.append(name)
            return None
        return np.asarray(v, dtype=np.float64)


def mark_transition(ax: plt.Axes, t: int | None) -> None:
    """A vertical line at the transition epoch (nothing when the run never transitioned)."""
    if t is not None:
        ax.axvline(t, color="tab:red", linestyle="--", linewidth=1,
                   label=f"transition (epoch {t})")


def note(fig: plt.Figure, lines: list[str]) -> None:
    """Notes under a figure (skipped series, caveats)."""
    if lines:
        fig.text(0.01, -0.005, "\n".join(lines), fontsize=8, va="top", color="dimgrey")


def not_recorded(names: list[str]) -> list[str]:
    """A note naming the series this history lacks."""
    return [f"not recorded in this history (skipped): {', '.join(names)}"] if names else []


def draw_complexity(s: Series, t: int | None, threshold: float, title: str) -> plt.Figure:
    """High-order entropy, h0 and bpb, ops per interaction, sampled replicators, vs epoch."""
    s.missing = []
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
    x = s.epoch
    ax = axes[0, 0]
    he = s.get("higher_entropy")
    if he is not None:
        ax.plot(x, he, color="tab:blue", label="high-order entropy = h0 − bpb")
    ax.axhline(threshold, color="grey", linestyle=":", label=f"threshold {threshold:g}")
    ax.set(ylabel="bits per byte", title="High-order entropy")
    ax = axes[0, 1]
    for name, label, colour in (("h0", "h0: order-0 byte entropy", "tab:green"),
                                ("bpb", "bpb: Brotli-compressed size", "tab:purple")):
        v = s.get(name)
        if v is not None:
            ax.plot(x, v, color=colour, label=label)
    ax.set(ylabel="bits per byte", title="Byte entropy and compressed size")
    ax = axes[1, 0]
    ops = s.get("ops_per_interaction")
    if ops is not None:
        ax.plot(x[ops > 0], ops[ops > 0], color="tab:orange", label="ops per interaction")
        ax.set_yscale("log")
    ax.set(ylabel="instructions executed per interaction", title="Computation (log scale)")
    ax = axes[1, 1]
    sample = s.get("score_sample")
    fraction = s.get("replicator_fraction")
    if fraction is None and sample is not None and s.get("replicators") is not None:
        fraction = s.get("replicators") / np.where(sample > 0, sample, np.nan)
    if fraction is not None:
        s.missing = [m for m in s.missing if m not in ("replicator_fraction", "replicators")]
        ax.plot(x, fraction, color="tab:brown", label=f"score >= {REPLICATOR} (replicators)")
    confirmed = s.get("confirmed")
    if confirmed is not None and sample is not None:
        ax.plot(x, confirmed / np.where(sample > 0, sample, np.nan), color="black",
                label=f"score >= {CONFIRMED} (confirmed)")
    ax.set(ylabel="share of the sampled programs", ylim=(-0.03, 1.03),
           title="Sampled programs that replicate")
    for ax in axes.ravel():
        mark_transition(ax, t)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel("epochs")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    note(fig, not_recorded(s.missing))
    return fig


def snapshot_pair(h: History, t: int | None) -> list[tuple[str, int]]:
    """(label, epoch) of the last snapshot before ``t`` (or the first, without a transition)
    and of the last snapshot; one entry when they are the same."""
    epochs = [int(e) for e in h.snapshot_epochs()]
    if not epochs:
        return []
    if t is None:
        first = ("first snapshot (no transition)", epochs[0])
    else:
        before = [e for e in epochs if e < t]
        first = ("last snapshot before the transition", before[-1]) if before else \
            ("first snapshot (none before the transition)", epochs[0])
    last = ("last snapshot", epochs[-1])
    return [first] if first[1] == last[1] else [first, last]


def draw_diversity(s: Series, t: int | None, profiles: list[tuple[str, int, np.ndarray]],
                   qs: np.ndarray, title: str) -> plt.Figure:
    """Richness and Hill numbers over time (log y), and the Hill profiles of two snapshots."""
    s.missing = []
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [1.6, 1]})
    x = s.epoch
    shannon = s.get("shannon_bits")
    for values, label, colour in (
            (s.get("richness"), "richness D0 (distinct programs)", "tab:blue"),
            (None if shannon is None else 2.0 ** shannon, "Hill D1 = 2^Shannon", "tab:green"),
            (s.get("hill_2"), "Hill D2 = 1 / sum p²", "tab:purple"),
            (s.get("skeleton_richness"), "skeleton richness (distinct instruction skeletons)",
             "tab:orange")):
        if values is not None:
            ax.plot(x, values, color=colour, label=label)
    ax.set_yscale("log")
    mark_transition(ax, t)
    ax.set(xlabel="epochs", ylabel="effective number of species (programs)",
           title="Diversity over time (species: exact 64-byte programs unless named)")
    ax.grid(alpha=0.3, which="both")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="best")
    for (label, epoch, d), colour in zip(profiles, ("tab:blue", "tab:red"), strict=False):
        bx.plot(qs, d, color=colour, label=f"{label}, epoch {epoch}")
    bx.set_yscale("log")
    bx.set(xlabel="order q", ylabel="Hill number D_q (effective species)",
           title="Hill profile before vs after (exact species)")
    bx.grid(alpha=0.3, which="both")
    if profiles:
        bx.legend(fontsize=8, loc="best")
    else:
        bx.text(0.5, 0.5, "no soup snapshots stored", transform=bx.transAxes, ha="center")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    note(fig, not_recorded(s.missing))
    return fig


def program_text(language: str, program: bytes, width: int = 64) -> str:
    """A program as text in its language (BFF data bytes as ``·``), at most ``width`` chars."""
    text = "".join(c if ord(c) < 0x100 else "·" for c in get(language).disassemble(program))
    return text if len(text) <= width else text[: width - 1] + "…"


def muller_shares(species: Species, n: int) -> tuple[np.ndarray, list[bytes], np.ndarray]:
    """(epochs int64[T], programs that reach the top TOP in order of first entry, their
    shares float64[P, T]); a share is 0 where the program is outside the recorded top list."""
    programs: dict[bytes, int] = {}
    for _, top in species:
        for program, _ in top[:TOP]:
            programs.setdefault(program, len(programs))
    shares = np.zeros((len(programs), len(species)))
    for j, (_, top) in enumerate(species):
        for program, count in top:
            i = programs.get(program)
            if i is not None:
                shares[i, j] = count / n
    return np.array([e for e, _ in species], dtype=np.int64), list(programs), shares


def relative_shares(shares: np.ndarray) -> np.ndarray:
    """float64[P, T]: each observation's shares divided by their sum (the composition of the
    tracked programs); 0 where none of them is recorded."""
    total = shares.sum(axis=0)
    return np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)


def draw_muller(species: Species, n: int, language: str, t: int | None, title: str,
                top_k: int) -> plt.Figure:
    """Muller-style plot of the programs that ever reach the top TOP: their composition (shares
    among them, summing to 1 per observation) above, their stacked shares of the soup below
    (the rest of the soup is not drawn: it would fill a full-scale panel before the
    transition)."""
    epochs, programs, shares = muller_shares(species, n)
    fig, (ax, zx) = plt.subplots(2, 1, figsize=(13, 9), sharex=True,
                                 gridspec_kw={"height_ratios": [1, 1.4]})
    peak = shares.max(axis=1) if len(programs) else np.zeros(0)
    by_peak = np.argsort(-peak, kind="stable")[:LABELLED].tolist()
    # Pastel2 without its grey, tab10 without its grey: no band looks like a grey remainder
    named = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]
    pastel = plt.get_cmap("Pastel2").colors[:7]
    colours = [pastel[i % len(pastel)] for i in range(len(programs))]
    for rank, i in enumerate(by_peak):
        colours[i] = named[rank % len(named)]
    if len(epochs):
        ax.stackplot(epochs, *relative_shares(shares), colors=colours, linewidth=0)
        if len(epochs) > 1:
            ax.set_xlim(epochs[0], epochs[-1])
        zx.stackplot(epochs, *shares, colors=colours, linewidth=0)
        top = float(shares.sum(axis=0).max()) if len(programs) else 0.0
        zx.set_ylim(0, max(top * 1.05, 1.0 / n))
        if len(epochs) > 1:
            zx.set_xlim(epochs[0], epochs[-1])
    else:
        ax.text(0.5, 0.5, "no species recorded in this history", transform=ax.transAxes,
                ha="center")
    for a in (ax, zx):
        mark_transition(a, t)
    ax.set(ylabel="share among these programs", ylim=(0, 1),
           title=f"Muller-style plot: composition of the {len(programs)} exact programs that "
                 f"were ever among the top {TOP} (shares among them; sum 1)")
    zx.set(xlabel="epochs", ylabel="share of the soup (fraction of programs)",
           title="the same programs as shares of the whole soup (stacked in order of first "
                 "entry; the rest of the soup not drawn)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[i]) for i in by_peak]
    names = [f"peak {peak[i]:6.1%}: {program_text(language, programs[i])}" for i in by_peak]
    unnamed = len(programs) - len(by_peak)
    if unnamed > 0:
        handles.append(plt.Rectangle((0, 0), 1, 1, color="white"))
        names.append(f"+ {unnamed} more programs (pastel colours)")
    if t is not None:
        handles.append(plt.Line2D([], [], color="tab:red", linestyle="--", linewidth=1))
        names.append(f"transition (epoch {t})")
    text = DATA_NOTE if language.startswith("bff") else "hex bytes"
    zx.legend(handles, names, loc="upper left", bbox_to_anchor=(0, -0.12), frameon=False,
              prop={"family": "monospace", "size": 7}, title_fontsize=8,
              title=f"the {len(by_peak)} largest peak shares, as program text ({text})")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    note(fig, [f"a program's share is known only while it is in an observation's recorded top "
               f"{top_k}; elsewhere it is drawn as 0 (white in the upper panel: none of "
               "them recorded)"])
    return fig


def draw_modes(s: Series, t: int | None, persistence: int, title: str) -> plt.Figure | None:
    """MODES change, novelty, ecology and complexity vs epoch; None if none is recorded."""
    s.missing = []
    values = [(s.get(name), short, label) for name, short, label in MODES]
    if all(v is None for v, _, _ in values):
        return None
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    for ax, (v, short, label) in zip(axes.ravel(), values, strict=True):
        if v is not None:
            ax.plot(s.epoch, v, color="tab:blue", marker=".", markersize=3, label=f"MODES {short}")
        else:
            ax.text(0.5, 0.5, "not recorded", transform=ax.transAxes, ha="center")
        mark_transition(ax, t)
        ax.set(ylabel=label, title=f"MODES {short}")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel("epochs")
    fig.suptitle(f"{title}\nMODES open-endedness metrics (persistence filter {persistence} "
                 "epochs; undefined until one filter length has passed)", fontsize=12)
    fig.tight_layout()
    note(fig, not_recorded(s.missing))
    return fig


def observation_row(s: Series, species: Species, index: int, n: int) -> dict[str, float]:
    """The table's indices at metric observation ``index``, from the recorded series (evenness
    and Berger–Parker derived from richness, Shannon and the top species when not recorded)."""
    row = {}
    for name in TABLE:
        v = s.metrics.get(name)
        row[name] = float(v[index]) if v is not None else math.nan
    if math.isnan(row["evenness"]) and row["richness"] >= 1:
        r = row["richness"]
        row["evenness"] = row["shannon_bits"] / math.log2(r) if r > 1 else 1.0
    if math.isnan(row["berger_parker"]):
        epoch = int(s.epoch[index])
        top = [c for e, sp in species if e == epoch for _, c in sp]
        if top:
            row["berger_parker"] = max(top) / n
    return row


def table_rows(s: Series, species: Species, t: int | None, n: int,
               snapshots: list[tuple[str, int, np.ndarray]]) -> list[dict[str, object]]:
    """Before/after rows: two metric observations and two snapshots (exact species counts)."""
    rows: list[dict[str, object]] = []
    e = s.epoch
    if len(e):
        before = np.flatnonzero(e < t) if t is not None else np.array([0])
        picks = []
        if len(before):
            picks.append(("last observation before the transition" if t is not None
                          else "first observation (no transition)", int(before[-1])))
        if not picks or picks[0][1] != len(e) - 1:
            picks.append(("last observation", len(e) - 1))
        for label, i in picks:
            rows.append({"when": label, "epoch": int(e[i]), "source": "recorded metrics",
                         **observation_row(s, species, i, n)})
    for label, epoch, counts in snapshots:
        d = diversity(counts)
        rows.append({"when": label, "epoch": epoch, "source": "snapshot, exact species",
                     **{k: d[k] for k in TABLE}})
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    """The before/after table, aligned, to stdout (n/a: not recorded)."""
    heads = ("when", "epoch", "source", "richness", "Shannon bits", "Gini-Simpson", "D2",
             "Berger-Parker", "evenness")

    def fmt(v: object) -> str:
        if isinstance(v, float):
            return "n/a" if math.isnan(v) else f"{v:,.0f}" if v >= 1000 else f"{v:.4g}"
        return str(v)

    cells = [[fmt(r[k]) for k in ("when", "epoch", "source", *TABLE)] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    for line in (heads, *cells):
        print("  ".join(c.ljust(w) if i < 3 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))))


def write_table(path: Path, rows: list[dict[str, object]]) -> None:
    """The before/after table as CSV (empty cells: not recorded)."""
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["when", "epoch", "source", *TABLE])
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if isinstance(v, float) and math.isnan(v) else v
                        for k, v in r.items()})


def main(argv: list[str] | None = None) -> int:
    """Draw the figures, print and save the before/after table, print the files written."""
    args = parse_args(argv)
    if not math.isfinite(args.threshold):
        raise AlifeError(f"--threshold must be a finite number of bits per byte, got "
                         f"{args.threshold}")
    with History(args.history) as h:
        world = h.world
        s = Series(h.metrics())
        if len(s.epoch) == 0:
            raise AlifeError(f"{str(args.history)!r} holds no observations yet")
        he = s.get("higher_entropy")
        t = None if he is None else transition_epoch(s.epoch, he, args.threshold)
        rows = min(d.shape[0] for d in h.file["species"].values())
        species = [h.species(i) for i in range(rows)]
        snapshots = []
        for label, epoch in snapshot_pair(h, t):
            _, counts = species_counts(np.asarray(h.snapshot(epoch).programs))
            snapshots.append((label, epoch, counts))
        status = h.status
    n = world.num_programs
    params: dict[str, object] = {"language": world.language, "N": n, "seed": world.seed}
    if args.threshold != TRANSITION_THRESHOLD:
        params["threshold"] = f"{args.threshold:g}"
    running = " (still being written)" if status == "running" else ""
    title = (f"{world.language}, N = {n} programs, seed {world.seed}, "
             f"{int(s.epoch[-1])} epochs{running}: "
             + (f"transition at epoch {t} (high-order entropy > {args.threshold:g})"
                if t is not None else f"no transition (high-order entropy never > "
                                      f"{args.threshold:g})"))
    out = out_dir(args)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    qs = np.linspace(0.0, 3.0, 61)
    profiles = [(label, epoch, hill_profile(c, qs)) for label, epoch, c in snapshots]
    skipped: list[str] = []
    figures = []
    for name, draw in (
            ("complexity", lambda: draw_complexity(s, t, args.threshold, title)),
            ("diversity", lambda: draw_diversity(s, t, profiles, qs, title)),
            ("muller", lambda: draw_muller(species, n, world.language, t, title,
                                           world.species_top)),
            ("modes", lambda: draw_modes(s, t, world.modes_persistence, title))):
        figures.append((name, draw()))
        skipped += [m for m in s.missing if m not in skipped]
    if skipped:
        print(f"note: {not_recorded(skipped)[0]}")
    for name, fig in figures:
        if fig is None:
            print(f"note: no MODES metrics in this history; {name} figure skipped")
            continue
        paths += save_figure(fig, out, name, params)
        plt.close(fig)

    table = table_rows(s, species, t, n, snapshots)
    print(title)
    print_table(table)
    csv_path = out / f"{figure_stem('diversity_table', params)}.csv"
    write_table(csv_path, table)
    for p in (csv_path, *paths):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(run_script(Path(__file__).stem, main))
