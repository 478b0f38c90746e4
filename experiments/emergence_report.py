"""Tables and figures of the emergence reproduction from the committed tables alone (Agüera y
Arcas et al. 2024, "Computational Life", sec. 2-5, Figs. 6-7).

    python experiments/emergence_report.py table GROUP      # a Markdown table, paper beside ours
    python experiments/emergence_report.py figure GROUP     # docs/figures/emergence_GROUP.png

GROUP is one of the catalogue's groups (``headline``, ``mutation``, ``controls``,
``languages``, ``2d``, ``screen``) or ``all`` (tables only). Each experiment is read from
``docs/results/<experiment>/`` (``sweep.csv``, ``world.toml``, ``series/``); its summary is
recomputed from them, so a figure or a table never needs a history. Experiments with no
results yet are listed as not run.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from emergence_catalogue import EXPERIMENTS, GROUPS, SHORT_CAP, Experiment  # noqa: E402
from emergence_chunks import summary  # noqa: E402
from emergence_derived import read_series  # noqa: E402

from alife.analysis.emergence import kaplan_meier  # noqa: E402
from alife.errors import AlifeError  # noqa: E402
from alife.measures.entropy import TRANSITION_THRESHOLD  # noqa: E402
from alife.viz.figures import caption  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _members(group: str) -> list[Experiment]:
    if group == "all":
        return list(EXPERIMENTS.values())
    if group not in GROUPS:
        raise AlifeError(f"group {group!r}: unknown; accepted: {', '.join(GROUPS)}, all")
    return [e for e in EXPERIMENTS.values() if e.group == group]


def _with_compared(members: list[Experiment]) -> list[Experiment]:
    """``members`` followed by the experiments they are compared with (each once)."""
    names = dict.fromkeys([e.name for e in members]
                          + [c for e in members for c in e.compare])
    return [EXPERIMENTS[n] for n in names]


def _summary(e: Experiment, results: Path) -> dict[str, Any] | None:
    folder = results / e.name
    if not (folder / "sweep.csv").is_file():
        return None
    return summary(e.name, folder)


def _pct(d: dict[str, Any]) -> str:
    return (f"{d['k']}/{d['n']} ({d['fraction']:.0%}; Wilson {d['wilson_low']:.0%}-"
            f"{d['wilson_high']:.0%})")


def _main_cell(s: dict[str, Any]) -> str:
    if s["measure"] == "windows" and "windows" in s:
        w = s["windows"]
        return (f"windows above 3 bits: {_pct(w['crossed'])}; with replicators: "
                f"{_pct(w['with_replicators'])}")
    k = {"k": s["transitioned"], "n": s["n"], "fraction": s["fraction"],
         "wilson_low": s["wilson_low"], "wilson_high": s["wilson_high"]}
    word = "took over" if s["measure"] == "takeover" else "transitioned"
    median = "not reached" if s["median"] is None else f"{s['median']:.0f}"
    return f"{word}: {_pct(k)}; KM median {median}"


def _world_cell(s: dict[str, Any]) -> str:
    parts = [s["language"], f"N = {s['num_programs']}"]
    if s["grid"]:
        parts.append(f"grid {s['grid'][0]} x {s['grid'][1]}")
    parts.append(f"mutation {s['mutation_prob']:g}")
    if s["pairing"] != "random":
        parts.append(f"pairing {s['pairing']}")
    if s["reset_interval"]:
        parts.append(f"reset every {s['reset_interval']}")
    return ", ".join(parts)


def table(group: str, results: Path) -> str:
    """The Markdown table of ``group``: paper beside ours, seeds, cap, CPU-hours, the cut."""
    lines = ["| experiment | world | cap | seeds | paper | ours | replicator criterion | "
             f"by epoch {SHORT_CAP} | CPU-h | differs from the paper |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    members = _members(group)
    for e in _with_compared(members):
        s = _summary(e, results)
        if s is None:
            lines.append(f"| `{e.name}` | | {e.keys['epochs']} | 0 of {e.seeds} | {e.paper} | "
                         f"not run yet | | | | {e.cut} |")
            continue
        rep = s.get("replicator_criterion")
        by = s.get(f"by_{SHORT_CAP}")
        seeds = s["seed_list"]
        mark = "" if e in members else " (for comparison)"
        lines.append(
            f"| `{e.name}`{mark} | {_world_cell(s)} | {s['cap']} | {s['seeds']} ({seeds[0]}-"
            f"{seeds[-1]}) of {e.seeds} | {e.paper} | {_main_cell(s)} | "
            f"{_pct(rep) if rep else ''} | {_pct(by) if by else ''} | {s['cpu_hours']:.2f} | "
            f"{e.cut} |")
    return "\n".join(lines)


def _runs(e: Experiment, results: Path) -> list[dict[str, str]]:
    with open(results / e.name / "sweep.csv", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["status"] == "finished"]


def _km_panel(ax: Any, members: list[Experiment], results: Path) -> float:
    """Kaplan-Meier curves of the members with results; returns the longest cap drawn."""
    longest = 0.0
    for e in members:
        if not (results / e.name / "sweep.csv").is_file():
            continue
        rows = _runs(e, results)
        times = [float(r["transition_epoch"]) if r["transitioned"] == "True"
                 else float(r["epochs"]) for r in rows]
        events = [r["transitioned"] == "True" for r in rows]
        km = kaplan_meier(times, events)
        xs = np.r_[0.0, km.times, km.cap]
        ys = np.asarray(km.survival_at(xs), dtype=np.float64)
        ax.step(xs, ys, where="post", label=f"{e.name}: {sum(events)}/{len(rows)}")
        longest = max(longest, km.cap)
    ax.set_xlabel("epochs")
    ax.set_ylabel("runs not yet transitioned, S(t) (Kaplan-Meier)")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=7, title="experiment: transitioned/seeds", title_fontsize=7)
    return longest


def _series(e: Experiment, results: Path) -> list[tuple[int, dict[str, np.ndarray]]]:
    folder = results / e.name / "series"
    out = []
    for path in sorted(folder.glob("seed_*.csv"), key=lambda p: int(p.stem.split("_")[1])):
        out.append((int(path.stem.split("_")[1]), read_series(path)))
    return out


def _fraction_panel(ax: Any, members: list[Experiment], results: Path) -> None:
    names, fracs, lows, highs = [], [], [], []
    for e in members:
        s = _summary(e, results)
        if s is None:
            continue
        names.append(e.keys["language"] if e.group == "screen" else e.name)
        fracs.append(s["fraction"])
        lows.append(s["fraction"] - s["wilson_low"])
        highs.append(s["wilson_high"] - s["fraction"])
    y = np.arange(len(names))
    ax.barh(y, fracs, xerr=[lows, highs], color="tab:blue", capsize=3)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of seeds transitioned by the cap (Wilson 95 % interval)")


def figure(group: str, results: Path, out: Path) -> Path:
    """Draw ``group``'s figure from the committed tables; return the PNG's path."""
    members = _members(group)
    if group == "all":
        raise AlifeError("figure: accepted groups are " + ", ".join(GROUPS))
    have = [e for e in members if (results / e.name / "sweep.csv").is_file()]
    if not have:
        raise AlifeError(f"group {group!r}: no experiment of it has results under {results}")
    if group == "screen":
        fig, ax = plt.subplots(figsize=(7, 5))
        _fraction_panel(ax, have, results)
        ax.set_title(f"13-language screen: cap {have[0].keys['epochs']} epochs, "
                     f"N = {have[0].keys['num_programs']}")
    elif group == "2d":
        fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
        _km_panel(a, have, results)
        for i, (seed, s) in enumerate(_series(have[0], results)):
            colour = f"C{i % 10}"
            b.plot(s["epoch"], s["skeleton_richness"], lw=0.8, color=colour,
                   label=f"seed {seed}")
            if "hamming_richness" in s:
                b.plot(s["epoch"], s["hamming_richness"], lw=0.8, ls="--", color=colour)
        b.set_yscale("log")
        b.set_xlabel("epochs")
        b.set_ylabel("species in the soup")
        b.legend(fontsize=6, ncol=2)
        b.set_title("species over time (solid: instruction skeletons;\ndashed: Hamming-4 "
                    "clusters)", fontsize=10)
        fig.subplots_adjust(wspace=0.3)
    elif group == "controls":
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        fig.subplots_adjust(wspace=0.3)
        _km_panel(axes[0], _with_compared([e for e in have if e.measure != "windows"]),
                  results)
        axes[0].set_title("fixed pairing without mutation; a seeded replicator")
        reset = [e for e in have if e.measure == "windows"]
        for e in reset:
            interval = e.keys["reset_interval"]
            for seed, s in _series(e, results):
                life = (s["epoch"] - 1) % interval
                axes[1].plot(life, s["higher_entropy"], ".", ms=3, label=f"seed {seed}")
        axes[1].axhline(TRANSITION_THRESHOLD, color="k", ls="--", lw=0.8,
                        label="transition threshold")
        axes[1].set_xlabel("epochs since the soup's last reset")
        axes[1].set_ylabel("high-order entropy (bits/byte)")
        axes[1].set_title("soups reset every 128 epochs")
        axes[1].legend(fontsize=7)
    else:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        longest = max(e.keys["epochs"] for e in have)
        if group == "headline":  # the paper: about 40 % transitioned within 16k epochs
            ax.plot([16384], [0.6], "o", color="tab:red", zorder=3,
                    label="paper: about 40 % by 16k epochs (S = 0.6)")
        _km_panel(ax, _with_compared(have), results)
        ax.set_xlim(0, longest * 1.02)
        ax.set_title(f"{group}: transition (high-order entropy > {TRANSITION_THRESHOLD:g})")
    caption(fig, "From the committed tables under docs/results/ "
            f"(python experiments/emergence_report.py figure {group}).")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"emergence_{group}.png"
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=("table", "figure"))
    p.add_argument("group", help=f"one of {', '.join(GROUPS)} or all")
    p.add_argument("--results", type=Path, default=ROOT / "docs" / "results")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    args = p.parse_args(argv)
    try:
        if args.what == "table":
            print(table(args.group, args.results))
        else:
            print(figure(args.group, args.results, args.out))
    except AlifeError as e:
        print(f"emergence_report: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
