"""Run by tests/soup/test_gpu.py in a process of its own with NUMBA_ENABLE_CUDASIM=1 (numba
reads it at import): one scenario on the CPU engine and on the CUDA kernel; prints JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from alife import Soup
from alife.soup.checkpoint import read_dat
from alife.soup.gpu import run_batch

EMERGED = Path(__file__).resolve().parents[1] / "data" / "conformance" / "emerged"


def _world(language: str) -> dict:
    from alife.languages import get

    return {"language": language, "num_programs": 64, "seed": 3, "mutation_prob": 1 / 256,
            "program_size": get(language).program_size}


def _compare(cpu: list, gpu: list) -> dict:
    return {"same_bytes": all(np.array_equal(a.programs, b.programs)
                              for a, b in zip(cpu, gpu, strict=True)),
            "same_ops": [a.total_ops for a in cpu] == [b.total_ops for b in gpu],
            "same_last": all(a.last_interactions == b.last_interactions
                             and a.last_ops == b.last_ops for a, b in zip(cpu, gpu, strict=True)),
            "ops": [a.total_ops for a in cpu], "device": [b.device for b in gpu]}


def language(name: str) -> dict:
    keys = _world(name)
    cpu = Soup(**keys).run(2)
    gpu = Soup(device="cuda", **keys).run(1).run(1)  # two calls: the soup leaves the device
    return _compare([cpu], [gpu])


def batched() -> dict:
    """K = 3 seeds in one launch per epoch, on a 2-D grid with resets every 2 epochs."""
    keys = {"language": "bff_noheads", "num_programs": 64, "grid": [8, 8],
            "mutation_prob": 1 / 128, "reset_interval": 2}
    cpu = [Soup(seed=s, **keys).run(5) for s in (1, 2, 3)]
    gpu = [Soup(seed=s, device="cuda", **keys) for s in (1, 2, 3)]
    run_batch(gpu, 5)
    out = _compare(cpu, gpu)
    out["reset_index"] = [s.reset_index for s in gpu] == [s.reset_index for s in cpu]
    return out


def emerged() -> dict:
    """The first 256 programs of the reference's emerged soup (epoch 3073), one epoch on."""
    start = read_dat(EMERGED / "bff_noheads_seed0_epoch3072.dat.gz")
    soups = []
    for device in ("cpu", "cuda"):
        soup = Soup(language="bff_noheads", num_programs=256, seed=0, device=device)
        soup.programs[:] = start.programs[:256]
        soup.epoch = start.epochs
        soups.append(soup.run(1))
    out = _compare(soups[:1], soups[1:])
    out["ops_per_interaction"] = soups[0].last_ops / soups[0].last_interactions
    return out


def swept(folder: str) -> dict:
    """`sweep(..., device="cuda")` of 4 seeds, 3 soups per batch, against the CPU sweep."""
    from alife.history import History
    from alife.run.sweep import sweep
    from alife.soup import gpu as gpu_module
    from alife.world import make_world

    sizes: list[int] = []
    real = gpu_module.run_batch

    def counted(soups, epochs):
        sizes.append(len(soups))
        return real(soups, epochs)

    gpu_module.run_batch = counted
    world = make_world({"language": "bff_noheads", "num_programs": 64, "epochs": 6,
                        "until": "", "report_every": 2, "mutation_prob": 1 / 128,
                        "score_sample": 8})
    gpu = sweep(world, range(4), Path(folder) / "gpu", device="cuda", batch=3)
    gpu_module.run_batch = real
    cpu = sweep(world, range(4), Path(folder) / "cpu", workers=1)
    same = True
    for a, b in zip(gpu, cpu, strict=True):
        with History(a["history"]) as ha, History(b["history"]) as hb:
            same &= bool((ha.checkpoint().programs == hb.checkpoint().programs).all())
            same &= bool((ha.metrics()["ops"] == hb.metrics()["ops"]).all())
    keys = ("seed", "status", "epochs", "total_ops", "higher_entropy")
    return {"same_bytes": same, "same_rows": [[r.get(k) for k in keys] for r in gpu]
            == [[r.get(k) for k in keys] for r in cpu], "rows": len(gpu),
            "largest_launch": max(sizes), "launches": len(sizes)}


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "swept":
        result = swept(sys.argv[2])
    else:
        result = batched() if what == "batched" else emerged() if what == "emerged" \
            else language(what)
    print(json.dumps(result))
