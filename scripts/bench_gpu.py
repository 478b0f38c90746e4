#!/usr/bin/env python3
"""The GPU check, in one go for a machine with an NVIDIA GPU (alife.soup.gpu; docs/design/gpu.md):
first the conformance soups on the device against the reference's own bytes, then epochs/s of
the three phases of ``alife bench`` on the CPU engine, one soup on the GPU, and K soups
batched on the GPU.

    python scripts/bench_gpu.py [--out results.json] [--k 8,32,128] [--programs 131072]

Phases (as ``alife bench``): random ``bff_noheads`` and random ``bff`` for ``--epochs`` (129),
and 64 epochs of the reference's emerged ``bff_noheads`` soup (epoch 3073, seed 0). Each timing
follows a warm-up call (compilation excluded); a batched row gives epochs/s of each soup and of
the batch (K soups x epochs / s). Every GPU soup's bytes are compared with the CPU engine's for
one soup of each phase before anything is timed. ``NUMBA_ENABLE_CUDASIM=1`` runs it all on the
CUDA simulator at a tiny size (``--programs 64 --epochs 2 --k 2``), which is how it is tested.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT / "tests" / "data" / "conformance"


def _soup(language: str, n: int, seed: int, device: str, emerged: np.ndarray | None):
    from alife import Soup

    soup = Soup(language=language, num_programs=n, seed=seed, device=device)
    if emerged is not None:
        soup.programs[:] = emerged[:n]
        soup.epoch = 3073
    return soup


def conformance(languages: list[str]) -> dict[str, bool]:
    """The reference's basic soups (N = 512, seed 7, mutation 1/256, epochs 0-5) on the GPU."""
    from alife import Soup
    from alife.soup.checkpoint import read_dat

    out = {}
    for name in languages:
        soup = Soup(language=name, num_programs=512, seed=7, mutation_prob=1 / 256,
                    device="cuda")
        same = True
        for e in (0, 1, 2, 5):
            soup.run(e + 1 - soup.epoch)
            cp = read_dat(CONFORMANCE / "basic" / name / f"{e:010d}.dat")
            same &= bool(np.array_equal(cp.programs, soup.programs))
        out[name] = same
    return out


def _time(run, *args) -> float:
    t0 = time.perf_counter()
    run(*args)
    return time.perf_counter() - t0


def phases(n: int, epochs: int, ks: list[int]) -> list[dict]:
    """Epochs/s of each phase: CPU, GPU x 1, GPU batched K (and their bytes compared)."""
    from alife.soup.checkpoint import read_dat
    from alife.soup.gpu import run_batch

    emerged = read_dat(CONFORMANCE / "emerged" / "bff_noheads_seed0_epoch3072.dat.gz").programs
    rows = []
    for label, language, start, count in (("bff_noheads, random", "bff_noheads", None, epochs),
                                          ("bff, random", "bff", None, epochs),
                                          ("bff_noheads, emerged soup", "bff_noheads", emerged,
                                           min(64, epochs))):
        cpu = _soup(language, n, 0, "cpu", start)
        gpu = _soup(language, n, 0, "cuda", start)
        cpu.run(1)  # warm-up: compiled, and the same first epoch on both
        gpu.run(1)
        t_cpu = _time(cpu.run, count)
        t_gpu = _time(gpu.run, count)
        row = {"phase": label, "programs": n, "epochs": count,
               "same_bytes": bool(np.array_equal(cpu.programs, gpu.programs)
                                  and cpu.total_ops == gpu.total_ops),
               "cpu_epochs_per_s": count / t_cpu, "gpu_epochs_per_s": count / t_gpu,
               "batched": []}
        for k in ks:
            soups = [_soup(language, n, s, "cuda", start) for s in range(k)]
            run_batch(soups, 1)
            t = _time(run_batch, soups, count)
            row["batched"].append({"k": k, "per_soup_epochs_per_s": count / t,
                                   "batch_soup_epochs_per_s": k * count / t})
        rows.append(row)
    return rows


def table(result: dict) -> str:
    """The results as a Markdown table (what the README shows)."""
    lines = ["| phase | CPU engine | GPU, 1 soup | " + " | ".join(
        f"GPU, K = {b['k']} (per soup / all)" for b in result["phases"][0]["batched"]) + " |",
        "|---" * (3 + len(result["phases"][0]["batched"])) + "|"]
    for r in result["phases"]:
        cells = [r["phase"], f"{r['cpu_epochs_per_s']:.2f}", f"{r['gpu_epochs_per_s']:.2f}"]
        cells += [f"{b['per_soup_epochs_per_s']:.2f} / {b['batch_soup_epochs_per_s']:.1f}"
                  for b in r["batched"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--k", default="8,32,128", help="batch sizes (default 8,32,128)")
    parser.add_argument("--programs", type=int, default=131072)
    parser.add_argument("--epochs", type=int, default=129)
    parser.add_argument("--languages", default="", help="conformance languages (default: "
                        "cubff's 13)")
    args = parser.parse_args(argv)
    from alife.errors import AlifeError
    from alife.languages import reference_names
    from alife.soup.gpu import check_device

    try:
        check_device("cuda")
        ks = [int(k) for k in args.k.split(",") if k]
    except (AlifeError, ValueError) as exc:
        print(f"bench_gpu: error: {exc}", file=sys.stderr)
        return 2
    languages = [s for s in args.languages.split(",") if s] or reference_names("cubff")
    result = {"machine": platform.node(), "date": time.strftime("%Y-%m-%d"),
              "simulator": os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"}
    try:
        from numba import cuda

        result["gpu"] = str(cuda.get_current_device().name)
    except Exception as exc:  # noqa: BLE001 - only a label
        result["gpu"] = f"unknown ({type(exc).__name__})"
    t0 = time.perf_counter()
    result["conformance"] = conformance(languages)
    print(f"conformance on the device: {sum(result['conformance'].values())} of "
          f"{len(languages)} languages byte-identical "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    result["phases"] = phases(args.programs, args.epochs, ks)
    print(table(result))
    if args.out is not None:
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        os.replace(tmp, args.out)
    ok = all(result["conformance"].values()) and all(r["same_bytes"] for r in result["phases"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
