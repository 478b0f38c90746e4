"""Few-shot learning with the self-referential weight matrix against fake SR and an LSTM, and
what the self-modification does (Irie et al. 2022, sec. 4.1, synchronous-label setting).

    python experiments/srwm_fewshot.py [--steps 2000] [--seeds 0 1 2] [--shots 1 5] [--out DIR]

For every shot setting, model and seed: train on N-way K-shot episodes of the bundled digits
(scikit-learn ``load_digits``) from the training classes (default 0-4), labels permuted per
episode, with the same number of steps for every model; evaluate query accuracy on episodes of
the held-out classes (default 5-9). For every SRWM run: the relative change of each row block
of W_t over a held-out episode, and the accuracy when self-modification continues through the
queries, is frozen after the support set, or never happens.

Writes to ``--out``: ``srwm_fewshot.json`` (every run, rewritten after each, then the summary),
``srwm_fewshot_table.md`` (the results tables) and the figures ``srwm_selfmod_*`` (relative
change of W_t per block and layer, seed 0) and ``srwm_curves_*`` (training curves); the default
--out is ``runs/srwm_fewshot`` under the current directory. Progress goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from alife.cli.script import run_script
from alife.errors import AlifeError
from alife.viz.figures import save_figure

MODEL_NAMES = ("proto", "srwm", "fake_sr", "lstm", "delta")
LABELS = {"srwm": "SRWM", "fake_sr": "fake SR", "lstm": "LSTM", "delta": "Delta Net",
          "proto": "prototypical net (same encoder; a ceiling)"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--steps", type=int, default=2000, help="training steps per run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--shots", type=int, nargs="+", default=[1, 5], help="K of K-shot")
    parser.add_argument("--models", nargs="+", default=list(MODEL_NAMES),
                        help=f"sequence cores to train ({', '.join(MODEL_NAMES)})")
    parser.add_argument("--n-way", type=int, default=5)
    parser.add_argument("--n-query", type=int, default=1, help="queries per class")
    parser.add_argument("--train-classes", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--test-classes", type=int, nargs="+", default=[5, 6, 7, 8, 9])
    parser.add_argument("--rotations", type=int, default=4,
                        help="quarter turns of each training digit used as extra training "
                        "classes (1 = the plain digits only)")
    parser.add_argument("--max-train-shot", type=int, default=5,
                        help="train the K-shot models on K' drawn per step from K..this "
                        "(0: train at K only)")
    parser.add_argument("--batch", type=int, default=32, help="episodes per training step")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--eval-episodes", type=int, default=1000)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--n-heads", type=int, default=4)
    parser.add_argument("--n-layers", type=int, default=2)
    parser.add_argument("--d-ff", type=int, default=None, help="feed-forward width (2 d_model)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--out", type=Path, default=Path("runs") / "srwm_fewshot",
                        help="folder for the results (default: runs/srwm_fewshot)")
    parser.add_argument("--merge", type=Path, nargs="+", default=None,
                        help="train nothing: merge the runs of these srwm_fewshot.json files "
                        "(e.g. one per K, run in parallel) into --out")
    return parser.parse_args(argv)


def summarise(runs: list[dict]) -> list[dict]:
    """One row per (K, model): mean and std over seeds of test accuracy and wall time."""
    rows = []
    for k in sorted({r["k_shot"] for r in runs}):
        for model in MODEL_NAMES:
            rs = [r for r in runs if r["k_shot"] == k and r["model"] == model]
            if not rs:
                continue
            acc = np.array([r["test_acc"] for r in rs])
            seen = np.array([r["train_classes_acc"] for r in rs])
            secs = np.array([r["train_seconds"] for r in rs])
            rows.append({"k_shot": k, "n_way": rs[0]["n_way"], "model": model,
                         "seeds": [r["seed"] for r in rs], "test_acc": acc.tolist(),
                         "test_mean": float(acc.mean()),
                         "test_std": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0,
                         "train_classes_mean": float(seen.mean()),
                         "seconds_mean": float(secs.mean()),
                         "parameters": rs[0]["parameters"],
                         "core_parameters": rs[0]["core_parameters"]})
    return rows


def selfmod_rows(runs: list[dict]) -> list[dict]:
    """Per K: SRWM accuracy (mean, std over seeds) with self-modification continued, frozen
    after the support set, or never; and the mean relative change of each block at the end."""
    rows = []
    for k in sorted({r["k_shot"] for r in runs if "self_modification" in r}):
        rs = [r["self_modification"] for r in runs if r["k_shot"] == k and
              "self_modification" in r]
        row = {"k_shot": k, "seeds": len(rs)}
        for cond in ("continue", "frozen_after_support", "never"):
            a = np.array([s["accuracy"][cond]["mean"] for s in rs])
            row[cond] = (float(a.mean()), float(a.std(ddof=1)) if len(a) > 1 else 0.0)
        for layer in range(len(rs[0]["relative_change"])):
            for block in ("y", "k", "q", "beta"):
                n = rs[0]["n_support"]
                row[f"L{layer + 1}.{block}"] = (
                    float(np.mean([s["relative_change"][layer][block][n] for s in rs])),
                    float(np.mean([s["relative_change"][layer][block][-1] for s in rs])))
        rows.append(row)
    return rows


def table_markdown(rows: list[dict], sm_rows: list[dict], meta: dict) -> str:
    """The results and self-modification tables as markdown."""
    lines = [f"{meta['n_way']}-way K-shot query accuracy on held-out digits "
             f"{meta['test_classes']} (trained on {meta['train_classes']}), "
             f"{meta['eval_episodes']} test episodes per run, training digits in "
             f"{meta['train_rotations']} rotations as separate classes, mean ± std over seeds "
             f"{meta['seeds']}; {meta['steps']} training steps of {meta['batch']} episodes "
             "for every model" + (f"; the K-shot models train on K' drawn per step from "
                                  f"K..{meta['max_train_shot']} (curriculum)"
                                  if meta.get("max_train_shot", 0) > 1 else "") + ".", "",
             "| K | model | test acc. (mean ± std) | per seed | train-class acc. | "
             "train time / run (s) | parameters (core) |",
             "|---|---|---|---|---|---|---|"]
    shown: set[int] = set()
    for r in rows:
        ceiling = meta.get("ceilings", {}).get(str(r["k_shot"]))
        if ceiling is not None and r["k_shot"] not in shown:  # the ceiling leads each K
            shown.add(r["k_shot"])
            lines.append(f"| {r['k_shot']} | **1-NN on raw pixels (no training; a ceiling)** | "
                         f"{ceiling['test']:.3f} | (deterministic) | "
                         f"{ceiling['train_classes']:.3f} | 0 | 0 |")
        seeds = ", ".join(f"{a:.3f}" for a in r["test_acc"])
        lines.append(f"| {r['k_shot']} | {r['model']} | {r['test_mean']:.3f} ± "
                     f"{r['test_std']:.3f} | {seeds} | {r['train_classes_mean']:.3f} | "
                     f"{r['seconds_mean']:.0f} | {r['parameters']} ({r['core_parameters']}) |")
    if sm_rows:
        n_layers = sum(1 for key in sm_rows[0] if key.endswith(".y"))
        blocks = [f"L{i + 1}.{b}" for i in range(n_layers) for b in ("y", "k", "q", "beta")]
        lines += ["", "SRWM self-modification on held-out episodes: query accuracy when W_t "
                  "keeps changing (continue), is frozen after the support set, or never changes "
                  "(W_t = W_0); mean ± std over seeds.", "",
                  "| K | continue | frozen after support | never |", "|---|---|---|---|"]
        for r in sm_rows:
            cells = " | ".join(f"{r[c][0]:.3f} ± {r[c][1]:.3f}"
                               for c in ("continue", "frozen_after_support", "never"))
            lines.append(f"| {r['k_shot']} | {cells} |")
        lines += ["", "Relative change ‖W_t − W_0‖_F / ‖W_0‖_F of each row block (layer.block), "
                  "mean over heads, episodes and seeds: after the support set / at the end of "
                  "the episode.", "",
                  "| K | " + " | ".join(blocks) + " |", "|---|" + "---|" * len(blocks)]
        for r in sm_rows:
            lines.append(f"| {r['k_shot']} | " + " | ".join(
                f"{r[b][0]:.3f} / {r[b][1]:.3f}" for b in blocks) + " |")
    return "\n".join(lines) + "\n"


def plot_selfmod(run: dict, out: Path) -> None:
    """Relative change of each block of W_t over one held-out episode, per layer (seed 0)."""
    sm = run["self_modification"]
    n_layers = len(sm["relative_change"])
    fig, axes = plt.subplots(1, n_layers, figsize=(4.2 * n_layers, 3.4), squeeze=False,
                             sharey=True)
    for layer, ax in enumerate(axes[0]):
        for block, values in sm["relative_change"][layer].items():
            ax.plot(range(len(values)), values, label={"beta": "β"}.get(block, block))
        ax.axvline(sm["n_support"], color="grey", ls="--", lw=1, label="end of support")
        ax.set_xlabel("step t of the episode")
        ax.set_title(f"layer {layer + 1}")
    axes[0][0].set_ylabel("‖W_t − W_0‖ / ‖W_0‖ (per block)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"SRWM self-modification, {run['n_way']}-way {run['k_shot']}-shot held-out "
                 f"episodes (seed {run['seed']})", fontsize=10)
    save_figure(fig, out, "srwm_selfmod", {"way": run["n_way"], "shot": run["k_shot"],
                                           "seed": run["seed"]})
    plt.close(fig)


def plot_curves(runs: list[dict], k: int, out: Path) -> None:
    """Training query accuracy against steps for every model and seed of one K."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    colours = {"srwm": "C0", "fake_sr": "C1", "lstm": "C2", "delta": "C3", "proto": "C4"}
    for r in runs:
        if r["k_shot"] != k:
            continue
        steps = [c["step"] for c in r["curve"]]
        acc = [c["train_acc"] for c in r["curve"]]
        first = r["seed"] == min(x["seed"] for x in runs if x["model"] == r["model"])
        ax.plot(steps, acc, color=colours[r["model"]], alpha=0.8,
                label=LABELS[r["model"]] if first else None)
    n_way = runs[0]["n_way"]
    ax.axhline(1 / n_way, color="grey", ls=":", lw=1, label=f"chance (1/{n_way})")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("training step (batches of episodes)")
    ax.set_ylabel("query accuracy, training classes (fraction)")
    top = max((r["train_config"].get("max_train_shot", 0) for r in runs if r["k_shot"] == k),
              default=0)
    mixed = f", K' drawn from {k}..{top} per step" if top > k else ""
    ax.set_title(f"{n_way}-way {k}-shot training curves{mixed}\n(one line per seed; "
                 "each point a mean over the steps since the last)", fontsize=10)
    ax.legend(fontsize=8)
    save_figure(fig, out, "srwm_curves", {"way": runs[0]["n_way"], "shot": k})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate, analyse, write."""
    args = parse_args(argv)
    if args.merge:
        return merge(args.merge, args.out)
    # imported here so that a missing torch is one AlifeError line naming the extra
    from alife.neural.fewshot import (
        EpisodeConfig,
        ModelConfig,
        TrainConfig,
        load_digits_data,
        self_modification,
        torch,
        train,
    )

    if args.steps < 1 or args.eval_episodes < 2 or args.batch < 1 or args.threads < 1:
        raise AlifeError("--steps, --batch and --threads must be >= 1 and --eval-episodes >= 2")
    unknown = sorted(set(args.models) - set(MODEL_NAMES))
    if unknown:
        raise AlifeError(f"unknown model(s) {unknown}; known: {', '.join(MODEL_NAMES)}")
    d_ff = 2 * args.d_model if args.d_ff is None else args.d_ff
    ep_cfgs = [EpisodeConfig(args.n_way, k, args.n_query, tuple(args.train_classes),
                             tuple(args.test_classes), args.rotations)
               for k in args.shots]
    model_cfgs = [ModelConfig(m, args.d_model, args.n_heads, args.n_layers, d_ff)
                  for m in MODEL_NAMES if m in args.models]
    for m in model_cfgs:
        m.srwm()  # validates d_model / n_heads
    torch.set_num_threads(args.threads)
    digits = load_digits_data()
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"n_way": args.n_way, "train_classes": args.train_classes,
            "train_rotations": args.rotations, "max_train_shot": args.max_train_shot,
            "test_classes": args.test_classes, "seeds": args.seeds, "steps": args.steps,
            "batch": args.batch, "eval_episodes": args.eval_episodes, "threads": args.threads,
            "torch": torch.__version__, "python": platform.python_version(),
            "device": "cpu", "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    from alife.neural.fewshot import nearest_neighbour_accuracy

    # the untrained ceiling on the models' very test episodes (seed 10000 + K, as train uses)
    meta["ceilings"] = {str(c.k_shot): {
        "test": float(nearest_neighbour_accuracy(digits, c, args.eval_episodes, c.test_classes,
                                                 10_000 + c.k_shot).mean()),
        "train_classes": float(nearest_neighbour_accuracy(
            digits, c, args.eval_episodes, c.train_classes,
            10_000 + c.k_shot).mean())} for c in ep_cfgs}
    runs: list[dict] = []
    json_path = args.out / "srwm_fewshot.json"

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    for ep_cfg in ep_cfgs:
        for model_cfg in model_cfgs:
            for seed in args.seeds:
                tcfg = TrainConfig(steps=args.steps, batch=args.batch, lr=args.lr,
                                   eval_episodes=args.eval_episodes, seed=seed,
                                   max_train_shot=args.max_train_shot,
                                   log_every=max(1, min(100, args.steps // 10)))
                result = train(model_cfg, ep_cfg, tcfg, digits, log=log)
                rec = result.record
                if model_cfg.core == "srwm":
                    rec["self_modification"] = self_modification(
                        result.model, digits, ep_cfg, args.eval_episodes, seed=20_000 + seed)
                log(f"done {model_cfg.core} K={ep_cfg.k_shot} seed {seed}: test acc "
                    f"{rec['test_acc']:.3f} ± {rec['test_acc_sem']:.3f} (sem), "
                    f"{rec['train_seconds']:.0f} s")
                runs.append(rec)
                json_path.write_text(json.dumps({"meta": meta, "runs": runs}, indent=1))
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_outputs(runs, meta, args.out)
    return 0


def write_outputs(runs: list[dict], meta: dict, out: Path) -> None:
    """The summary JSON, the markdown tables and the figures of ``runs``; prints the tables."""
    rows, sm_rows = summarise(runs), selfmod_rows(runs)
    out.mkdir(parents=True, exist_ok=True)
    (out / "srwm_fewshot.json").write_text(json.dumps(
        {"meta": meta, "summary": rows, "self_modification": sm_rows, "runs": runs}, indent=1))
    table = table_markdown(rows, sm_rows, meta)
    (out / "srwm_fewshot_table.md").write_text(table)
    for k in sorted({r["k_shot"] for r in runs}):
        plot_curves(runs, k, out)
        srwm_runs = [r for r in runs if r["model"] == "srwm" and r["k_shot"] == k]
        if srwm_runs:
            plot_selfmod(min(srwm_runs, key=lambda r: r["seed"]), out)
    print(table)


def merge(paths: list[Path], out: Path) -> int:
    """Merge the runs of several result files (same settings but K) into ``out``."""
    runs, metas = [], []
    for path in paths:
        try:
            data = json.loads(path.read_text())
            runs += data["runs"]
            metas.append(data["meta"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise AlifeError(f"{str(path)!r} is not a srwm_fewshot.json result file "
                             f"({type(exc).__name__}: {exc})") from None
    meta = dict(metas[0])
    meta["merged_from"] = [str(p) for p in paths]
    meta["started"] = min(m["started"] for m in metas)
    meta["finished"] = max(m.get("finished", m["started"]) for m in metas)
    write_outputs(runs, meta, out)
    return 0


if __name__ == "__main__":
    sys.exit(run_script("srwm_fewshot", main))
