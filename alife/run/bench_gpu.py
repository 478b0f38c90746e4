"""GPU benchmarks (``alife bench --device cuda``, ``scripts/bench_gpu.py``): the conformance
soups on the device against the reference's own bytes, then epochs/s of the three phases of
``alife bench`` on the CPU engine, one soup on the GPU and K soups batched on the GPU, with
every GPU soup's bytes compared with the CPU engine's (alife.soup.gpu; docs/design/gpu.md).

Each timing follows a warm-up call (compilation excluded); a batched row gives epochs/s of each
soup and of the batch (K soups x epochs / s).
"""

from __future__ import annotations

import os
import platform
import time
from typing import Any

import numpy as np

from alife.run.bench import default_conformance

CONFORMANCE = default_conformance()


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


def run_all(programs: int, epochs: int, ks: list[int], languages: list[str]) -> dict[str, Any]:
    """Conformance then the phases; the result as a JSON-ready dict."""
    result: dict[str, Any] = {"machine": platform.node(), "date": time.strftime("%Y-%m-%d"),
                              "simulator": os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"}
    try:
        from numba import cuda

        result["gpu"] = str(cuda.get_current_device().name)
    except Exception as exc:  # noqa: BLE001 - only a label
        result["gpu"] = f"unknown ({type(exc).__name__})"
    result["conformance"] = conformance(languages)
    result["phases"] = phases(programs, epochs, ks)
    result["ok"] = all(result["conformance"].values()) and all(
        r["same_bytes"] for r in result["phases"])
    return result


__all__ = ["conformance", "phases", "run_all", "table"]
