"""Neural soups (kind = "neural"): particles run by the program soup's machinery (Gabor, Illium
et al. 2019) — against a pair-by-pair twin, deterministic, recorded, resumable, swept."""

from __future__ import annotations

import json

import numpy as np
import pytest

from alife.cli import main
from alife.errors import AlifeError
from alife.history import History
from alife.metrics import metric_names
from alife.particles import kernel as P
from alife.particles import reference as R
from alife.particles.soup import ParticleSoup
from alife.run.soups import new_soup
from alife.world import load_world, make_world

SMALL = ["--set", "num_programs=200", "--set", "report_every=5", "--set", "snapshot_every=10"]


@pytest.mark.slow
def test_generations_agree_with_the_pair_by_pair_twin():
    keys = dict(num_programs=64, seed=3, attack_rate=0.5, learn_rate=0.5, learn_steps=3,
                train_steps=5, noise=0.01)
    soup = ParticleSoup(**keys)
    soup.weights[:6, :14] = 0.0  # dead particles: zero and divergent ones are replaced
    soup.weights[6:9, 2] = np.nan
    rows = soup.weights.copy()
    for g in range(3):
        rows = R.soup_generation(rows, 3, g, 0.5, 0.5, 3, 5, 0.04, 0.9, 0.01, True, 1e-5)
    soup.run(1)
    assert soup.last_counts["replaced"] >= 9
    soup.run(2)
    assert np.allclose(soup.weights, rows, rtol=1e-6, atol=1e-7, equal_nan=True)
    assert soup.last_counts["attacks"] > 0 and soup.last_counts["learn_events"] > 0


def test_same_bytes_with_any_thread_count_and_chunking():
    world = make_world({"kind": "neural", "num_programs": 500, "seed": 11, "learn_rate": 0.2,
                        "noise": 1e-3})
    one = ParticleSoup(world).run(12, threads=1)
    two = ParticleSoup(world).run(5, threads=2).run(7, threads=2)
    assert np.array_equal(one.rows, two.rows)
    other_seed = ParticleSoup(world.replace(seed=12)).run(12)
    assert not np.array_equal(one.rows, other_seed.rows)


def test_rows_are_64_bytes_of_float32_weights():
    soup = ParticleSoup(num_programs=10, seed=0)
    assert soup.rows.shape == (10, 64) and soup.rows.dtype == np.uint8
    assert np.array_equal(soup.rows[:, :56].copy().view(np.float32), soup.weights[:, :14])
    assert not soup.weights[:, 14:].any()
    assert np.allclose(soup.weights[:, :14], P.random_particles(10, seed=0), atol=1e-7)


@pytest.mark.slow
def test_dead_particles_are_replaced_and_counted():
    soup = ParticleSoup(num_programs=100, seed=0, attack_rate=0.0, train_steps=0)
    soup.weights[:50, :14] = 0.0
    soup.weights[50:60, 0] = np.nan
    soup.run(1)
    assert soup.last_counts["replaced"] == 60
    assert P.census(soup.classes())["zero"] == 0 and P.census(soup.classes())["divergent"] == 0
    kept = ParticleSoup(num_programs=100, seed=0, attack_rate=0.0, train_steps=0,
                        replace_dead=False)
    kept.weights[:50, :14] = 0.0
    kept.run(1)
    assert kept.census()["zero"] == 50 and kept.last_counts["replaced"] == 0


def test_small_soups_end_mostly_as_non_zero_fixpoints():
    # Gabor et al.: 10-20 particles, attack rate 0.1, 20-30 self-training steps per generation.
    # 10 seeds of 20 particles for 100 generations; measured mean 0.93 (20 seeds: 0.915).
    # Tolerance: mean non-zero fixpoint share >= 0.75 and no soup below 0.3.
    shares = [ParticleSoup(num_programs=20, seed=s).run(100).census()["fixpoint"] / 20
              for s in range(10)]
    assert np.mean(shares) >= 0.75 and min(shares) >= 0.3, shares


def test_grid_soups_pair_neighbours_only():
    from alife.soup.pairing import epoch_pairs
    from alife.soup.spatial import partner_lists

    world = make_world({"kind": "neural", "num_programs": 64, "grid": [8, 8], "seed": 2,
                        "attack_rate": 1.0, "train_steps": 0, "replace_dead": False})
    soup = ParticleSoup(world)
    before = soup.weights[:, :14].astype(np.float64)
    soup.run(1)
    # the kernel's own pairing of generation 0: every executed pair is within distance 2
    n = 64
    offsets, partners = partner_lists(world)
    pairs, executed = epoch_pairs(n, np.uint64(2), 0, offsets, partners,
                                  np.empty(n, np.int64), np.empty(n, np.int64),
                                  np.empty(n, np.int64), np.empty(n, np.bool_))
    assert 0 < executed < 32
    expected = before.copy()
    for k in range(executed):
        a, b = int(pairs[2 * k]), int(pairs[2 * k + 1])
        assert max(abs(a % 8 - b % 8), abs(a // 8 - b // 8)) <= 2
        expected[b] = P.apply(expected[a], expected[b])[0]  # attack rate 1: a on b, b on a
        expected[a] = P.apply(expected[b], expected[a])[0]
    # unpaired particles keep their weights; paired ones are exactly the two attacks
    assert np.allclose(soup.weights[:, :14], expected.astype(np.float32), rtol=1e-6, atol=1e-7)
    assert soup.last_counts["attacks"] == 2 * executed


def test_world_keys_are_checked_per_kind():
    with pytest.raises(AlifeError, match="'attack_rate' applies to neural soups only"):
        make_world({"attack_rate": 0.5})
    with pytest.raises(AlifeError, match="'mutation_prob' applies to program soups only"):
        make_world({"kind": "neural", "mutation_prob": 0.01})
    with pytest.raises(AlifeError, match="'attack_rate': 2.0 is out of range"):
        make_world({"kind": "neural", "attack_rate": 2.0})
    with pytest.raises(AlifeError, match="'kind': 'brains' is unknown; accepted: program, neural"):
        make_world({"kind": "brains"})
    world = load_world("worlds/neural_soup.toml")
    assert world.kind == "neural" and world.num_programs == 100_000 and world.until == ""
    assert isinstance(new_soup(world.replace(num_programs=10)), ParticleSoup)
    assert "attack_rate" not in make_world({}).to_toml()  # program worlds' TOML is unchanged


@pytest.mark.slow
def test_alife_run_records_the_census_and_resumes_to_the_same_bytes(tmp_path, capsys):
    whole, split = tmp_path / "whole.h5", tmp_path / "split.h5"
    assert main(["run", "worlds/neural_soup.toml", *SMALL, "--epochs", "20", "--out",
                 str(whole), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "census" in out and "particle-generations/s" in out and "fixpoint" in out
    assert main(["run", "worlds/neural_soup.toml", *SMALL, "--epochs", "10", "--out",
                 str(split), "--quiet"]) == 0
    assert main(["resume", str(split), "--epochs", "20", "--quiet"]) == 0
    with History(whole) as a, History(split) as b:
        assert a.world.kind == "neural" and a.attrs["language"] == "neural"
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        m = a.metrics()
        census = sum(m[f"census_{name}"] for name in P.CLASS_NAMES)
        assert np.all(census == 200)
        assert m["epoch"].tolist() == [1, 6, 11, 16, 20]
        assert set(m) == set(metric_names("neural"))  # no all-NaN program columns
        snap = a.snapshot(20).programs
        assert np.array_equal(snap, a.checkpoint().programs)
        weights = snap[:, :56].copy().view(np.float32)
        assert P.census(P.classify(weights))["fixpoint"] == int(m["census_fixpoint"][-1])
    capsys.readouterr()
    assert main(["inspect", str(whole)]) == 0
    assert "one particle per fixpoint class" in capsys.readouterr().out
    assert main(["export", str(whole), "-o", str(tmp_path / "x.dat")]) == 2
    assert "is a neural soup" in capsys.readouterr().err
    assert not (tmp_path / "x.dat").exists()


def test_alife_run_json_and_bad_input(tmp_path, capsys):
    assert main(["run", "worlds/neural_soup.toml", *SMALL, "--epochs", "3", "--json",
                 "--no-history"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["world"]["kind"] == "neural"
    assert sum(r["count"] for r in info["most_common"]) == 200
    assert {r["class"] for r in info["most_common"]} <= set(P.CLASS_NAMES)
    for flag in (["--from", "x.dat"], ["--dat-dir", str(tmp_path / "dats")]):
        assert main(["run", "worlds/neural_soup.toml", *flag, "--no-history"]) == 2
        assert "kind = 'neural'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_sweep_of_neural_soups(tmp_path, capsys):
    assert main(["sweep", "worlds/neural_soup.toml", *SMALL, "--seeds", "0:2",
                 "--max-epochs", "6", "--workers", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "neural-soup runs" in out
    rows = (tmp_path / "sweep.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert len(rows) == 3
    for row in rows[1:]:
        values = dict(zip(header, row.split(","), strict=True))
        assert sum(int(values[f"census_{n}"]) for n in P.CLASS_NAMES) == 200


@pytest.mark.slow
def test_reproduction_and_bench_scripts_run_with_a_tiny_budget(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, str(root / "experiments" / "particle_reproduction.py"),
                        "--seeds", "2", "--particles", "20", "--train-steps", "300",
                        "--applications", "30", "--soup-size", "10", "--generations", "20",
                        "--big", "400", "--big-generations", "20", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    table = (tmp_path / "particles_table.md").read_text()
    assert "300 self-training steps, 20 weightwise particles x 2 seeds" in table
    assert "the same soup at 400 particles, 20 generations" in table
    data = json.loads((tmp_path / "particles.json").read_text())
    assert 0.0 <= data["self_training"]["fixpoint_share_mean"] <= 1.0
    assert data["self_application"]["total"] == 40
    assert (tmp_path / "particles_single_n-20_seeds-2.png").stat().st_size > 10_000
    bad = subprocess.run([sys.executable, str(root / "experiments" / "particle_reproduction.py"),
                          "--soup-size", "7"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "must be even" in bad.stderr
    bench = subprocess.run([sys.executable, str(root / "scripts" / "bench_particles.py"),
                            "--num-programs", "2000", "--generations", "3", "--threads", "1",
                            "--json"], capture_output=True, text=True, timeout=300)
    assert bench.returncode == 0, bench.stderr
    (row,) = json.loads(bench.stdout)
    assert row["particles"] == 2000 and row["generations_per_s"] > 0
