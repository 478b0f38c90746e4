"""Machine-code soups at the demo's scale (Agüera y Arcas et al. 2024, "Computational Life",
sec. 4 and Fig. 12; shared/spec/z80.md): zff's 200 x 200 Z80 grid, and our 8080 soup, for
16,000 batches per seed, with when each kind of copier spreads and how far.

    python experiments/zff_reproduction.py run z80 --seeds 0:10
    python experiments/zff_reproduction.py analyse z80
    python experiments/zff_reproduction.py figure z80

``run`` sweeps the seeds A..B-1 of ``worlds/<language>_2d.toml`` (snapshots every 250 batches)
into ``runs/zff/<language>/`` (histories: large, never committed; a stopped sweep resumes),
then writes this chunk's ``docs/results/zff_<language>/chunks/seeds_A-B.json`` (seeds, machine,
date, wall seconds) and runs ``analyse``. ``analyse`` reads every history there and writes
``series/seed_N.csv`` (per snapshot: high-order entropy, each copier's share of cells, the top
cell) and ``summary.csv`` (per seed: when each copier first spread, its peak share, the entropy's
maximum and first crossing of 3). ``figure`` draws the shares and entropy over time and the soup
of seeds 6 and 7 at their key epochs.

The detectors read the cell's 16 bytes cyclically (a cell's code runs on into its partner, and
an instruction can start anywhere):

- **stack copier**: ``LD rr,nn`` then, 3 bytes on, ``PUSH rr`` of the same pair (``01 . . C5``,
  ``11 . . D5``, ``21 . . E5``), as the spec's ``11 D5`` x 8 (LD DE,$D511; PUSH DE) and ``21 E5``;
- **block copier**: ``ED B0`` (LDIR) or ``ED B8`` (LDDR) side by side;
- **exchange copier**: ``EX (SP),HL; LD HL,nn`` (``E3 21``) and a return (``C9``, or a
  conditional ``RET cc``) in the same cell, as seed 7's ``35 E3 21 E3 21 C9 35 C9`` and
  ``08 E3 21 E3 21 E0 08 E0`` (about 1 in 10,000 random cells has these bytes).

A copier **spreads** at the first snapshot where it fills at least 1 % of the cells (400).
Beside these byte patterns, a detector that knows no instruction: the toolkit's replication
score of 256 sampled cells at each report (a cell is a replicator when it scores >= 5 of 16;
alife.measures.replication), which spreads at the first report where at least 10 % of the
sample are replicators (the headline sweep's replicator criterion).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from alife.errors import AlifeError
from alife.history import History
from alife.run.sweep import SweepInterrupted, parse_seeds, sweep
from alife.world import World, load_world

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("z80", "i8080")
SNAPSHOT_EVERY = 250
SPREAD_SHARE = 0.01
REPLICATOR_SPREAD = 0.1  #: the replicator criterion: >= 10 % of the sampled cells score >= 5
DETECTORS = ("stack_copier", "block_copier", "exchange_copier")
RETURNS = (0xC9, *range(0xC0, 0x100, 8))
#: What the demo and the paper report, beside ours (shared/spec/z80.md, "What to compare").
PAPER = {
    "z80": "PUSH copiers first, LDIR/LDDR later (paper, Fig. 12); demo seed 6: 'black replicator "
           "at ~6k steps, ldir at ~10k'; our run of zff's own code, seed 6: '11 D5' copiers "
           "from ~1250, LDDR from ~9500, 91 % of cells at 15250, entropy first > 3 at 11500; "
           "seed 7: EX (SP),HL copiers from ~4000, no LDIR/LDDR by 16000, entropy 2.3-2.7",
    "i8080": "the 8080 also gives replicators (paper, sec. 4); no public code or figure",
}


def world_of(language: str) -> World:
    """The bundled zff world of ``language``, with a snapshot every 250 batches."""
    if language not in LANGUAGES:
        raise AlifeError(f"language {language!r}: accepted {', '.join(LANGUAGES)}")
    world = load_world(ROOT / "worlds" / f"{language}_2d.toml")
    return world.replace(snapshot_every=SNAPSHOT_EVERY, report_every=SNAPSHOT_EVERY,
                         name=f"zff_{language}")


def detect(programs: np.ndarray, language: str) -> dict[str, np.ndarray]:
    """bool[N] per detector: which cells hold each copier's bytes (module docstring)."""
    p = np.asarray(programs, dtype=np.uint8)
    ext = np.concatenate([p, p[:, :3]], axis=1)
    n = p.shape[1]
    stack = np.zeros(len(p), dtype=bool)
    block = np.zeros(len(p), dtype=bool)
    swap = np.zeros(len(p), dtype=bool)
    for k in range(n):
        swap |= (ext[:, k] == 0xE3) & (ext[:, k + 1] == 0x21)
        for load, push in ((0x01, 0xC5), (0x11, 0xD5), (0x21, 0xE5)):
            stack |= (ext[:, k] == load) & (ext[:, k + 3] == push)
        if language == "z80":
            block |= (ext[:, k] == 0xED) & np.isin(ext[:, k + 1], (0xB0, 0xB8))
    exchange = swap & np.isin(p, RETURNS).any(axis=1)
    return {"stack_copier": stack, "block_copier": block, "exchange_copier": exchange}


#: ``--results`` and ``--runs`` (tests and trial runs): folders instead of the defaults.
FOLDERS: dict[str, Path] = {}


def results_dir(language: str) -> Path:
    """Where a language's committed tables go."""
    return FOLDERS.get("results", ROOT / "docs" / "results" / f"zff_{language}")


def runs_dir(language: str) -> Path:
    """Where its histories go (never committed)."""
    return FOLDERS.get("runs", ROOT / "runs" / "zff" / language)


def figures_dir() -> Path:
    """Where the figures go."""
    return FOLDERS.get("figures", ROOT / "docs" / "figures")


def _write_csv(path: Path, rows: list[dict], names: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=names)
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if r.get(k) is None else r[k] for k in names})
    os.replace(tmp, path)


def series_of(path: Path) -> list[dict]:
    """Per snapshot of one history: entropy, each detector's share, the top cell."""
    from alife.languages import get

    rows = []
    with History(path) as h:
        language = h.world.language
        m = h.metrics()
        n = h.world.num_programs
        entropy = dict(zip(m["epoch"].tolist(), m["higher_entropy"].tolist(), strict=True))
        replicators = dict(zip(m["epoch"].tolist(), m["replicator_fraction"].tolist(),
                               strict=True))
        for e in h.snapshot_epochs().tolist():
            programs = h.snapshot(e).programs
            found = detect(programs, language)
            cells, counts = np.unique(programs, axis=0, return_counts=True)
            top = cells[int(np.argmax(counts))]
            row = {"epoch": e, "higher_entropy": entropy.get(e, entropy.get(e - 1)),
                   "replicator_fraction": replicators.get(e),
                   "top_share": round(int(counts.max()) / n, 6),
                   "top_cell": top.tobytes().hex(" ").upper(), "top_count": int(counts.max()),
                   "top_text": get(language).disassemble(top.tobytes())}
            for name, cells_found in found.items():
                row[f"{name}_share"] = round(float(cells_found.mean()), 6)
            rows.append(row)
    return rows


def summarise(seed: int, rows: list[dict]) -> dict:
    """When each copier first spread (>= 1 % of cells) and its peak share; entropy."""
    out: dict = {"seed": seed, "batches": rows[-1]["epoch"] if rows else 0}
    rows = [r for r in rows if r["epoch"] > 0]  # the initial soup is random bytes
    for name in DETECTORS:
        shares = [(r["epoch"], r[f"{name}_share"]) for r in rows]
        spread = [e for e, s in shares if s >= SPREAD_SHARE]
        out[f"{name}_spread_epoch"] = spread[0] if spread else None
        peak = max(shares, key=lambda es: es[1]) if shares else (None, 0.0)
        out[f"{name}_peak_share"] = peak[1]
        out[f"{name}_peak_epoch"] = peak[0]
    reps = [(r["epoch"], r.get("replicator_fraction")) for r in rows
            if r.get("replicator_fraction") not in (None, "")]
    spread = [e for e, f in reps if f >= REPLICATOR_SPREAD]
    out["replicator_spread_epoch"] = spread[0] if spread else None
    out["replicator_peak_fraction"] = max((f for _, f in reps), default=None)
    if rows:
        out["final_top_share"] = rows[-1].get("top_share")
        out["final_top_cell"] = rows[-1].get("top_cell")
    entropies = [(r["epoch"], r["higher_entropy"]) for r in rows
                 if r["higher_entropy"] not in (None, "")]
    out["max_higher_entropy"] = round(max((h for _, h in entropies), default=0.0), 4)
    crossing = [e for e, h in entropies if h > 3.0]
    out["first_entropy_above_3"] = crossing[0] if crossing else None
    return out


def analyse(language: str) -> list[dict]:
    """series/seed_N.csv and summary.csv from every finished history of ``language``."""
    out = results_dir(language)
    summary = []
    for path in sorted(runs_dir(language).glob("*.h5")):
        with History(path) as h:
            if h.status != "finished":
                continue
            seed = h.world.seed
        rows = series_of(path)
        names = ["epoch", "higher_entropy", "replicator_fraction",
                 *[f"{d}_share" for d in DETECTORS], "top_share", "top_count", "top_cell",
                 "top_text"]
        _write_csv(out / "series" / f"seed_{seed}.csv", rows, names)
        summary.append(summarise(seed, rows))
    summary.sort(key=lambda r: r["seed"])
    if summary:
        _write_csv(out / "summary.csv", summary, list(summary[0]))
    return summary


def run(language: str, seeds: list[int], workers: int, batches: int | None = None) -> None:
    """Sweep ``seeds`` (``batches``: fewer than the world's 16,000, for trials), then record
    the chunk and analyse."""
    world = world_of(language)
    if batches is not None:
        world = world.replace(epochs=batches)
    t0 = time.time()
    try:
        sweep(world, seeds, runs_dir(language), workers=workers, threads_per_run=1)
    except SweepInterrupted as exc:
        raise SystemExit(f"stopped by {exc.signal}: run the same command again to finish") \
            from None
    wall = time.time() - t0
    chunk = results_dir(language) / "chunks" / f"seeds_{seeds[0]}-{seeds[-1] + 1}.json"
    chunk.parent.mkdir(parents=True, exist_ok=True)
    chunk.write_text(json.dumps({
        "language": language, "seeds": seeds, "workers": workers, "threads_per_run": 1,
        "batches": world.epochs, "wall_s": round(wall, 1), "machine": platform.node(),
        "cpus": os.cpu_count(), "date": datetime.date.today().isoformat(),
        "world": world.to_dict()}, indent=1) + "\n")
    (results_dir(language) / "world.toml").write_text(world.to_toml())
    analyse(language)


def figure(language: str) -> list[Path]:
    """Shares and entropy over time for every seed; soup pictures of seeds 6 and 7."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from emergence_derived import write_soup_image

    out = results_dir(language)
    series = {int(p.stem.split("_")[1]): list(csv.DictReader(open(p)))
              for p in sorted((out / "series").glob("seed_*.csv"))}
    if not series:
        raise AlifeError(f"no series under {out}: run `analyse {language}` first")
    fig, axes = plt.subplots(1, 2 + len(DETECTORS), figsize=(19, 3.6), sharex=True)
    for seed, rows in sorted(series.items()):
        e = [int(r["epoch"]) for r in rows]
        style = {"lw": 2.0 if seed in (6, 7) else 0.8, "label": f"seed {seed}"}
        axes[0].plot(e, [float(r["higher_entropy"] or "nan") for r in rows], **style)
        axes[1].plot(e, [float(r.get("replicator_fraction") or "nan") for r in rows], **style)
        for ax, name in zip(axes[2:], DETECTORS, strict=True):
            ax.plot(e, [float(r[f"{name}_share"]) for r in rows], **style)
    axes[0].axhline(3.0, color="k", lw=0.6, ls="--")
    axes[0].set_title("high-order entropy (cubff's 3.0 dashed)")
    axes[1].set_title("sampled cells with replication score >= 5")
    axes[1].axhline(REPLICATOR_SPREAD, color="k", lw=0.6, ls=":")
    for ax, name in zip(axes[2:], DETECTORS, strict=True):
        ax.set_title(f"{name.replace('_', ' ')}: share of cells")
        ax.axhline(SPREAD_SHARE, color="k", lw=0.6, ls=":")
    for ax in axes:
        ax.set_xlabel("batch")
    axes[-1].legend(fontsize=6, ncol=2)
    fig.suptitle(f"{language} soups, zff's 200 x 200 grid, {len(series)} seeds")
    fig.tight_layout()
    figures = figures_dir()
    figures.mkdir(parents=True, exist_ok=True)
    path = figures / f"zff_{language}.png"
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, path)
    made = [path]
    summary = {int(r["seed"]): r for r in csv.DictReader(open(out / "summary.csv"))}
    for seed in (6, 7):
        history = runs_dir(language) / f"zff_{language}__seed{seed}.h5"
        if seed not in summary or not history.exists():
            continue
        epochs = {r for r in (summary[seed]["stack_copier_spread_epoch"],
                              summary[seed]["block_copier_spread_epoch"],
                              summary[seed]["exchange_copier_spread_epoch"],
                              summary[seed]["batches"]) if r}
        for e in sorted(int(x) for x in epochs):
            made.append(write_soup_image(history, figures / f"zff_{language}_seed{seed}_{e}.png",
                                         e))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="sweep seeds A:B, then analyse")
    r.add_argument("language", choices=LANGUAGES)
    r.add_argument("--seeds", required=True, help="A:B, the seeds A..B-1")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--batches", type=int, help="fewer batches than 16,000 (trial runs)")
    parsers = [r]
    for name in ("analyse", "figure"):
        s = sub.add_parser(name)
        s.add_argument("language", choices=LANGUAGES)
        parsers.append(s)
    for p in parsers:
        for folder in ("results", "runs", "figures"):
            p.add_argument(f"--{folder}", type=Path, help=f"the {folder} folder (trials)")
    args = parser.parse_args(argv)
    FOLDERS.clear()
    FOLDERS.update({k: getattr(args, k) for k in ("results", "runs", "figures")
                    if getattr(args, k) is not None})
    try:
        if args.command == "run":
            run(args.language, parse_seeds(args.seeds), args.workers, args.batches)
        elif args.command == "analyse":
            for row in analyse(args.language):
                print(json.dumps(row))
        else:
            for path in figure(args.language):
                print(path)
    except AlifeError as exc:
        print(f"zff_reproduction: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
