"""When do replicators emerge? Survival analysis of the transition epochs of a sweep's seeds
(Agüera y Arcas et al. 2024, sec. 2.2; analysis.md, "Across seeds").

    python analyses/emergence.py SWEEP_DIR [--out DIR] [--threshold 3.0]

Reads every history in SWEEP_DIR (written by `alife sweep`) and finds each run's transition
epoch T, its first observation with high-order entropy above --threshold; a run that never
crossed it is censored at its last epoch. Histories still being written are skipped (with a
note); a history that cannot be read falls back to its sweep.csv row when the threshold is the
one sweep.csv was made with. Writes one figure (Kaplan–Meier survival S(t) = P(T > t), a
histogram of T, the mean residual life E[T - t | T > t]), a table with one row per seed and a
JSON summary; the file names carry the language, N, threshold, number of seeds and the cap.
The default folder is ``runs/figures/<name of SWEEP_DIR>/`` under the current directory (never
SWEEP_DIR itself, which may be read-only or shared).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from _common import default_out, run_script

from alife.analysis.emergence import EmergenceSummary, summarise_sweep, transition_epoch
from alife.errors import AlifeError
from alife.history import History
from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.viz.figures import figure_stem, save_figure

#: World keys that may differ between the seeds of one sweep.
_FREE_KEYS = ("seed", "epochs", "until", "name")
#: The histogram of transition epochs has at least this many bins across [0, cap] ...
MIN_BINS = 30
#: ... and at most this many (Freedman–Diaconis widths, with many transitions)
MAX_BINS = 200
#: With at most this many transitions, each one's epoch is written beside its bar
LABELLED_EPOCHS = 8


@dataclass(frozen=True)
class Run:
    """One seed of the sweep: its transition epoch (None: censored) and epochs completed."""

    seed: int
    transition_epoch: int | None
    epochs: int
    status: str
    source: str  #: the history file, or "sweep.csv"


@dataclass
class Sweep:
    """The runs of a sweep directory, the world they share, and what was skipped and why."""

    runs: list[Run]
    language: str
    num_programs: int
    cap: int  #: the largest epoch cap of the runs (their world's ``epochs``)
    notes: list[str]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: sweep directory, --out, --threshold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("sweep", type=Path, help="sweep directory (histories and sweep.csv) "
                        "written by `alife sweep`")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the outputs (default: runs/figures/NAME/ under the "
                        "current directory, NAME the sweep directory's name)")
    parser.add_argument("--language", default=None,
                        help="the sweep's language, when no history is left to say it (a table "
                        "alone, e.g. to redraw a committed figure from its table)")
    parser.add_argument("--num-programs", type=int, default=None,
                        help="the sweep's soup size, with --language")
    parser.add_argument("--threshold", type=float, default=TRANSITION_THRESHOLD,
                        help="high-order entropy (bits per byte) that marks the transition "
                        f"(default {TRANSITION_THRESHOLD:g})")
    return parser.parse_args(argv)


def _csv_rows(path: Path) -> dict[int, dict[str, str]]:
    """sweep.csv rows by seed ({} when the file does not exist)."""
    if not path.exists():
        return {}
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    try:
        return {int(r["seed"]): r for r in rows}
    except (KeyError, TypeError, ValueError):
        raise AlifeError(f"{str(path)!r} is not a sweep table (expected a seed column with "
                         "integers, as `alife sweep` writes)") from None


def _csv_run(row: dict[str, str], source: str) -> Run:
    """A run read from one sweep.csv row (transition at the default threshold)."""
    try:
        t = row["transition_epoch"].strip()
        return Run(int(row["seed"]), int(t) if t else None, int(row["epochs"]),
                   row.get("status", ""), source)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise AlifeError(f"{source!r}: row {row!r:.80} lacks seed, transition_epoch or "
                         "epochs") from None


def _seeds(seeds: list[int]) -> str:
    """A list of seeds for a note, shortened when long."""
    text = ", ".join(map(str, seeds[:12]))
    return text + (f" and {len(seeds) - 12} more" if len(seeds) > 12 else "")


def read_sweep(directory: Path, threshold: float, language: str | None = None,
               num_programs: int | None = None) -> Sweep:
    """Every finished run of the sweep in ``directory``, transition epochs at ``threshold``.

    ``language`` and ``num_programs`` name the world when no history is readable (a table
    alone); a history that is readable must agree with them.
    """
    if not directory.is_dir():
        raise AlifeError(f"sweep directory {str(directory)!r} does not exist (or is not a "
                         "directory)")
    table = directory / "sweep.csv"
    rows = _csv_rows(table)
    paths = sorted(directory.glob("*.h5"))
    if not paths and not rows:
        raise AlifeError(f"{str(directory)!r} holds no histories (*.h5) and no sweep.csv; "
                         "accepted: a directory written by `alife sweep`")
    given_language, given_n = language, num_programs
    runs: dict[int, Run] = {}
    notes: list[str] = []
    reference: dict[str, Any] | None = None
    language, n, caps = "", 0, []
    running: set[int] = set()
    until_censored = []
    for path in paths:
        try:
            h = History(path)
        except AlifeError as exc:
            notes.append(f"{path.name}: unreadable, skipped ({exc})")
            continue
        with h:
            world = h.world
            key = {k: v for k, v in world.to_dict().items() if k not in _FREE_KEYS}
            if reference is None:
                reference, language, n = key, world.language, world.num_programs
            elif key != reference:
                diff = sorted(k for k in set(key) | set(reference)
                              if key.get(k) != reference.get(k))
                raise AlifeError(f"{str(path)!r} is a run of another world than the rest of "
                                 f"the sweep (differs in {', '.join(diff)})")
            if world.seed in runs:
                raise AlifeError(f"{str(path)!r}: seed {world.seed} appears in two histories "
                                 f"({runs[world.seed].source} too)")
            if h.status == "running":
                running.add(world.seed)
                notes.append(f"{path.name}: still being written (or killed), skipped")
                continue
            m = h.metrics()
            if "higher_entropy" not in m or len(m["epoch"]) == 0:
                notes.append(f"{path.name}: no high-order entropy recorded, skipped")
                continue
            t = transition_epoch(m["epoch"], m["higher_entropy"], threshold)
            cp = h.checkpoint()
            epochs = max(cp.epoch if cp is not None else 0, int(m["epoch"][-1]))
            runs[world.seed] = Run(world.seed, t, epochs, h.status, str(path))
            caps.append(max(world.epochs, epochs))
            if t is None and h.stopped_by == "until":
                until_censored.append((world.seed, world.until))
    from_csv = [seed for seed in sorted(rows) if seed not in runs and seed not in running]
    if from_csv and threshold != TRANSITION_THRESHOLD:
        notes.append(f"seed(s) {_seeds(from_csv)}: no readable history, and sweep.csv holds "
                     f"transitions at {TRANSITION_THRESHOLD:g} bits only: skipped")
    elif from_csv:
        for seed in from_csv:
            runs[seed] = _csv_run(rows[seed], str(table))
            caps.append(runs[seed].epochs)
            if runs[seed].transition_epoch is None and rows[seed].get("stopped_by") == "until":
                until_censored.append((seed, "as in sweep.csv"))
        notes.append(f"seed(s) {_seeds(from_csv)}: no readable history, read from sweep.csv")
    if until_censored:
        conditions = sorted({u for _, u in until_censored})
        notes.append(f"{len(until_censored)} run(s) stopped by their until condition "
                     f"({'; '.join(conditions)}) before high-order entropy > {threshold:g}: "
                     "censored where they stopped")
    if not runs:
        raise AlifeError(f"{str(directory)!r} holds no finished run to analyse "
                         f"({'; '.join(notes) or 'nothing readable'})")
    if language and given_language and (language, n) != (given_language, given_n):
        raise AlifeError(f"{str(directory)!r} holds runs of {language} at N = {n}, not of "
                         f"--language {given_language} --num-programs {given_n}")
    if not language and given_language and given_n:
        language, n = given_language, given_n
    if not language:
        raise AlifeError(f"{str(directory)!r}: no history could be read, so the world "
                         "(language, N) is unknown; with sweep.csv alone, give --language and "
                         "--num-programs")
    return Sweep(sorted(runs.values(), key=lambda r: r.seed), language, n, max(caps), notes)


def _finite(x: float | None) -> float | None:
    """``x`` for JSON: None for None, NaN and infinity."""
    return None if x is None or not math.isfinite(x) else float(x)


def _epochs(x: float | None) -> str:
    """An epoch count for the human summary."""
    return "none" if x is None or not math.isfinite(x) else f"{x:,.0f}"


def mrl_curve(s: EmergenceSummary, cap: float, points: int = 200) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """(t, restricted mean residual life at t) on a grid of [0, cap) plus the event times."""
    grid = np.unique(np.r_[np.linspace(0, cap, points, endpoint=False), s.km.times])
    grid = grid[grid < s.km.cap]
    return grid, np.array([s.km.mean_residual_life(float(t)) for t in grid])


def histogram_bins(epochs: np.ndarray, end: float) -> np.ndarray:
    """Bin edges over [0, end] for transition ``epochs``: the Freedman–Diaconis width, but never
    wider than end / MIN_BINS (a few transitions in wide bins hide where they are)."""
    end = max(float(end), 1.0)
    width = end / MIN_BINS
    if len(epochs) >= 2:
        q75, q25 = np.percentile(epochs, [75, 25])
        fd = 2.0 * (q75 - q25) / len(epochs) ** (1 / 3)
        if fd > 0:
            width = min(width, fd)
    bins = int(np.clip(math.ceil(end / width), MIN_BINS, MAX_BINS))
    return np.linspace(0.0, end, bins + 1)


def draw(sweep: Sweep, s: EmergenceSummary, threshold: float) -> plt.Figure:
    """Kaplan–Meier survival, histogram of transition epochs, mean residual life."""
    runs = sweep.runs
    cap = float(sweep.cap)
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    km = s.km
    times = np.array([r.transition_epoch if r.transition_epoch is not None else r.epochs
                      for r in runs], dtype=float)
    observed = np.array([r.transition_epoch is not None for r in runs])

    ax = axes[0]
    end = max(km.cap, cap)
    last = km.survival[-1] if len(km.survival) else 1.0
    ax.step(np.r_[0.0, km.times, end], np.r_[1.0, km.survival, last], where="post",
            color="tab:blue", linewidth=2, label="Kaplan–Meier S(t)")
    censored, k = np.unique(times[~observed], return_counts=True)
    if len(censored):
        ys = np.atleast_1d(km.survival_at(censored))
        ax.plot(censored, ys, "+", color="black", markersize=13, markeredgewidth=1.8,
                label=f"censored: no transition by its last epoch ({int((~observed).sum())})")
        for x, y, c in zip(censored, ys, k, strict=True):
            if c > 1:
                ax.annotate(f"×{c}", (x, y), textcoords="offset points", xytext=(5, 5),
                            fontsize=8)
    if s.rate > 0 and math.isfinite(s.rate):
        t = np.linspace(0, end, 300)
        ax.plot(t, np.exp(-s.rate * t), ":", color="grey",
                label=f"exponential model, mean {s.mean_epochs:,.0f} epochs")
    if s.median is not None:
        ax.axhline(0.5, color="lightgrey", linewidth=0.8)
        ax.axvline(s.median, color="tab:red", linestyle="--", linewidth=1,
                   label=f"median T = {s.median:,.0f} epochs")
    ax.errorbar([end * 1.02], [1 - s.fraction],
                yerr=[[s.wilson_high - s.fraction], [s.fraction - s.wilson_low]],
                fmt="o", color="tab:orange", capsize=4,
                label=f"not transitioned: {s.n - s.transitioned}/{s.n}, Wilson 95 % CI "
                      f"{1 - s.wilson_high:.2f}–{1 - s.wilson_low:.2f}")
    ax.set(xlabel="epochs", ylabel="S(t) = P(no transition by epoch t)", ylim=(-0.03, 1.05),
           xlim=(0, end * 1.05), title="Survival of the pre-replicator soup (Kaplan–Meier)")
    ax.legend(loc="lower left", fontsize=8)

    ax = axes[1]
    hit = np.sort(times[observed])
    if len(hit):
        bins = histogram_bins(hit, end)
        counts, _, _ = ax.hist(hit, bins=bins, color="tab:blue",
                               label=f"transitioned ({len(hit)} runs; bins of {bins[1]:.3g} "
                                     "epochs)")
        ax.set_ylim(0, max(float(counts.max()), 1.0) * 1.45)  # headroom for the legend
        # the rug: one tick per run at its transition epoch, at the foot of the bars
        ax.plot(hit, np.full(len(hit), 0.0), "|", color="black", markersize=14,
                markeredgewidth=1.2, transform=ax.get_xaxis_transform(), clip_on=False,
                gid="rug", label="one run's transition epoch")
        if len(hit) <= LABELLED_EPOCHS:
            for x in hit:
                ax.annotate(f"T = {x:,.0f}", (x, 0.06), xycoords=("data", "axes fraction"),
                            xytext=(6, 0), textcoords="offset points", ha="left",
                            va="bottom", fontsize=7, rotation=90)
    else:
        ax.text(0.5, 0.5, "no run transitioned", transform=ax.transAxes, ha="center")
    ax.axvline(cap, color="black", linestyle="--", linewidth=1,
               label=f"epoch cap {cap:,.0f} ({int((~observed).sum())} runs censored, not shown)")
    ax.set(xlabel="transition epoch T (epochs)", ylabel="runs", xlim=(0, end * 1.04),
           title=f"Transition epochs (high-order entropy > {threshold:g} bits/byte)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[2]
    t, mrl = mrl_curve(s, end)
    ax.plot(t, mrl, color="tab:blue", linewidth=3, label="Kaplan–Meier E[T − t | T > t]")
    if s.rate > 0 and math.isfinite(s.rate):
        ax.axhline(s.mean_epochs, color="grey", linestyle="--",
                   label=f"exponential model: 1 / rate = {s.mean_epochs:,.0f} epochs")
        # close to the Kaplan–Meier curve when few runs transition: its own colour, drawn
        # dashed on top of it, so that both stay visible
        restricted = (1 - np.exp(-s.rate * (km.cap - t))) / s.rate
        ax.plot(t, restricted, linestyle=(0, (4, 3)), color="tab:orange", linewidth=1.6,
                zorder=3, label="exponential model, restricted to the cap")
    else:
        ax.text(0.5, 0.9, "no transition: exponential rate 0, mean time unbounded",
                transform=ax.transAxes, ha="center", fontsize=9)
    ax.set(xlabel="epochs survived without a transition, t", ylabel="mean residual life (epochs)",
           xlim=(0, end * 1.04), ylim=(0, None),
           title="Mean residual life (restricted to the cap; flat = memoryless)")
    ax.legend(loc="upper right", fontsize=8)

    fig.suptitle(f"Replicator emergence: {sweep.language}, N = {sweep.num_programs} programs, "
                 f"{s.n} seed{'' if s.n == 1 else 's'}, cap {sweep.cap:,} epochs, "
                 f"threshold {threshold:g} bits/byte",
                 fontsize=12)
    if sweep.notes:
        fig.text(0.01, -0.01, "notes: " + "\n".join(sweep.notes), fontsize=7, va="top",
                 wrap=True)
    fig.tight_layout()
    return fig


def summary_record(sweep: Sweep, s: EmergenceSummary, threshold: float) -> dict[str, Any]:
    """The JSON summary: counts, Wilson interval, median, rate and its mean time, notes."""
    out: dict[str, Any] = {"language": sweep.language, "N": sweep.num_programs,
                           "threshold": threshold, "cap": sweep.cap}
    for key, value in s.record().items():
        out[key] = value if isinstance(value, int) else _finite(value)
    out["mean_time_exponential"] = out["mean_epochs"]
    out["seeds"] = [r.seed for r in sweep.runs]
    out["notes"] = sweep.notes
    return out


def write_table(path: Path, runs: list[Run]) -> None:
    """One row per seed: seed, transitioned, transition_epoch, epochs, status, source."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["seed", "transitioned", "transition_epoch", "epochs", "status", "source"])
        for r in runs:
            w.writerow([r.seed, r.transition_epoch is not None,
                        "" if r.transition_epoch is None else r.transition_epoch, r.epochs,
                        r.status, r.source])


def main(argv: list[str] | None = None) -> int:
    """Summarise the sweep; print the numbers and the files written."""
    args = parse_args(argv)
    if not math.isfinite(args.threshold):
        raise AlifeError(f"--threshold must be a finite number of bits per byte, got "
                         f"{args.threshold}")
    sweep = read_sweep(args.sweep, args.threshold, args.language, args.num_programs)
    runs = sweep.runs
    cap = sweep.cap
    s = summarise_sweep([r.transition_epoch for r in runs], [r.epochs for r in runs],
                        mrl_times=sorted({0, cap // 4, cap // 2, 3 * cap // 4}))
    params = {"language": sweep.language, "N": sweep.num_programs,
              "threshold": f"{args.threshold:g}", "seeds": s.n, "cap": cap}
    out = args.out if args.out is not None else default_out(args.sweep)
    out.mkdir(parents=True, exist_ok=True)
    table = out / f"{figure_stem('emergence_table', params)}.csv"
    write_table(table, runs)
    summary = out / f"{figure_stem('emergence_summary', params)}.json"
    summary.write_text(json.dumps(summary_record(sweep, s, args.threshold), indent=2) + "\n")
    fig = draw(sweep, s, args.threshold)
    paths = save_figure(fig, out, "emergence", params)
    plt.close(fig)

    print(f"sweep {args.sweep}: {sweep.language}, N = {sweep.num_programs}, cap {cap} epochs, "
          f"transition = high-order entropy > {args.threshold:g} bits/byte")
    for note in sweep.notes:
        print(f"  note: {note}")
    print(f"runs: {s.n}; transitioned: {s.transitioned} ({s.fraction:.1%}, Wilson 95 % CI "
          f"{s.wilson_low:.1%}-{s.wilson_high:.1%})")
    print(f"median transition epoch (Kaplan-Meier): {_epochs(s.median)}")
    print(f"exponential rate: {s.rate:.3g} per epoch; mean time {_epochs(s.mean_epochs)} epochs")
    print("mean residual life (restricted to the cap): "
          + ", ".join(f"t={t:g}: {_epochs(v)}" for t, v in s.mrl))
    for p in (table, summary, *paths):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(run_script(Path(__file__).stem, main))
