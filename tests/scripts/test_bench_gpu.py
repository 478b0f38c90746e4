"""scripts/bench_gpu.py, the prepared GPU check, on numba's CUDA simulator at a tiny size: the
conformance soup on the device is the reference's, every phase's bytes agree with the CPU
engine, and the JSON and table carry every row (the device run uses the same code)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_check_runs_on_the_simulator(tmp_path):
    out = tmp_path / "gpu.json"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_gpu.py"), "--programs",
                        "64", "--epochs", "2", "--k", "2", "--languages", "bff_noheads",
                        "--out", str(out)], env={**os.environ, "NUMBA_ENABLE_CUDASIM": "1"},
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["simulator"] and result["conformance"] == {"bff_noheads": True}
    assert [p["phase"] for p in result["phases"]] == [
        "bff_noheads, random", "bff, random", "bff_noheads, emerged soup"]
    for p in result["phases"]:
        assert p["same_bytes"] and p["gpu_epochs_per_s"] > 0 and p["batched"][0]["k"] == 2
    assert "| bff, random |" in r.stdout and "GPU, K = 2" in r.stdout


def test_without_a_gpu_the_check_says_so_in_one_line():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_gpu.py"), "--programs",
                        "64"], env=env, capture_output=True, text=True, timeout=300)
    from alife.soup.gpu import cuda_unavailable

    if cuda_unavailable() is None:  # a GPU machine: it is the real run, not checked here
        return
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert r.stderr.startswith("bench_gpu: error: device 'cuda': no CUDA GPU")
