"""The CUDA backend gives the CPU engine's bytes (alife.soup.gpu): every registered language,
K soups batched in one launch with a grid and resets, and the reference's emerged soup, through
numba's CUDA simulator (no GPU needed); `--device cuda` without a GPU is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alife.languages import names
from alife.soup.gpu import cuda_unavailable

HERE = Path(__file__).resolve().parent
SIM = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}


def _sim(*what: str) -> dict:
    r = subprocess.run([sys.executable, str(HERE / "gpu_sim_check.py"), *what], env=SIM,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("language", names())
def test_every_language_runs_to_the_cpu_bytes_on_the_cuda_kernel(language):
    out = _sim(language)
    assert out["device"] == ["cuda"]
    assert out["same_bytes"] and out["same_ops"] and out["same_last"], out
    assert out["ops"][0] > 0


def test_a_batch_of_seeds_on_a_grid_with_resets_matches_each_cpu_soup():
    out = _sim("batched")
    assert out["same_bytes"] and out["same_ops"] and out["same_last"], out
    assert out["reset_index"] and len(set(out["ops"])) == 3  # three different soups


def test_a_gpu_sweep_batches_seeds_into_the_cpu_sweeps_histories_and_rows(tmp_path):
    out = _sim("swept", str(tmp_path))
    assert out["rows"] == 4 and out["same_bytes"] and out["same_rows"], out
    assert out["largest_launch"] == 3  # three soups advanced by one launch


def test_the_emerged_soup_continues_identically():
    out = _sim("emerged")
    assert out["same_bytes"] and out["same_ops"], out
    assert out["ops_per_interaction"] > 500  # the post-emergence regime, long interactions


@pytest.mark.parametrize("command", ["run", "sweep", "bench"])
def test_device_cuda_without_a_gpu_is_one_line(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    args = {"run": ["run", "--set", "num_programs=64", "--epochs", "2", "--quiet", "--out",
                    str(tmp_path / "r.h5")],
            "sweep": ["sweep", "--set", "num_programs=64", "--seeds", "0:2", "--max-epochs",
                      "2", "--quiet", "--out", str(tmp_path / "r.h5")],
            "bench": ["bench", "--num-programs", "64", "--epochs", "2", "--batch", "2"]}[command]
    r = subprocess.run([sys.executable, "-m", "alife.cli", *args, "--device", "cuda"],
                       env=env, capture_output=True, text=True, timeout=300)
    if cuda_unavailable() is None:  # a machine with a GPU runs it
        assert r.returncode == 0, r.stderr
        return
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "device 'cuda'" in lines[0], r.stderr
    assert not (tmp_path / "r.h5").exists()


def test_an_unknown_device_and_cpu_only_worlds_are_refused(tmp_path):
    r = subprocess.run([sys.executable, "-m", "alife.cli", "run", "--set", "num_programs=64",
                        "--epochs", "2", "--quiet", "--device", "tpu"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2 and "device 'tpu': accepted cpu, cuda" in r.stderr
    r = subprocess.run([sys.executable, "-m", "alife.cli", "run", "--set", "num_programs=64",
                        "--set", "tracer_tokens=true", "--epochs", "2", "--quiet", "--device",
                        "cuda"], capture_output=True, text=True, timeout=300, env=SIM)
    assert r.returncode == 2 and "tracer tokens and lineage run on the CPU only" in r.stderr


def test_cli_runs_on_the_simulated_device_record_the_cpu_history(tmp_path):
    from alife.history import History

    common = ["--set", "num_programs=64", "--set", "report_every=1", "--epochs", "4",
              "--quiet"]
    for device, name in (("cuda", "g.h5"), ("cpu", "c.h5")):
        r = subprocess.run([sys.executable, "-m", "alife.cli", "run", *common, "--device",
                            device, "--out", str(tmp_path / name)], env=SIM,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
    with History(tmp_path / "g.h5") as g, History(tmp_path / "c.h5") as c:
        assert (g.checkpoint().programs == c.checkpoint().programs).all()
        mg, mc = g.metrics(), c.metrics()
        for k in ("epoch", "ops", "higher_entropy", "total_ops"):
            assert (mg[k] == mc[k]).all(), k
