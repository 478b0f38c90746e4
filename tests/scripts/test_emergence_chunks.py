"""experiments/emergence_chunks.py at a tiny size: chunks of seeds, their committed tables,
the merged sweep.csv and its summary (the paper-scale experiments run the same code)."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chunks():
    spec = importlib.util.spec_from_file_location("emergence_chunks",
                                                  ROOT / "experiments" / "emergence_chunks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["emergence_chunks"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


TINY = ["--set", "num_programs=512", "--set", "epochs=40", "--workers", "1",
        "--threads-per-run", "1"]


def test_chunks_merge_into_one_table_and_a_summary(chunks, tmp_path, capsys):
    results, runs = tmp_path / "results", tmp_path / "runs"
    common = ["--results", str(results), "--runs", str(runs), *TINY]
    assert chunks.main(["run", "bff_noheads_16k", "--seeds", "0:2", *common]) == 0
    assert chunks.main(["run", "bff_noheads_16k", "--seeds", "2:3", *common]) == 0
    names = sorted(p.name for p in (results / "chunks").iterdir())
    assert names == ["seeds_0-2.csv", "seeds_0-2.json", "seeds_2-3.csv", "seeds_2-3.json"]
    with open(results / "sweep.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["seed"] for r in rows] == ["0", "1", "2"]
    assert all(r["status"] == "finished" and r["epochs"] == "40" for r in rows)
    meta = json.loads((results / "chunks" / "seeds_0-2.json").read_text())
    assert meta["seeds"] == [0, 2] and meta["workers"] == 1 and meta["wall_s"] > 0
    assert "num_programs = 512" in (results / "world.toml").read_text()
    capsys.readouterr()
    assert chunks.main(["summary", "bff_noheads_16k", "--results", str(results)]) == 0
    out = json.loads((results / "summary.json").read_text())
    assert json.loads(capsys.readouterr().out) == out
    assert out["seeds"] == 3 and out["transitioned"] == 0 and out["fraction"] == 0
    assert 0 < out["wilson_high"] < 1 and out["cap"] == 40 and out["cpu_hours"] >= 0
    # the histories stay out of the results folder
    assert not list(results.rglob("*.h5")) and len(list(runs.rglob("*.h5"))) == 3


def test_overlapping_chunks_and_changed_worlds_are_refused(chunks, tmp_path, capsys):
    results, runs = tmp_path / "results", tmp_path / "runs"
    common = ["--results", str(results), "--runs", str(runs), *TINY]
    assert chunks.main(["run", "bff_noheads_16k", "--seeds", "0:1", *common]) == 0
    capsys.readouterr()
    assert chunks.main(["run", "bff_noheads_16k", "--seeds", "0:1", *common,
                        "--set", "mutation_prob=0.01"]) == 2
    assert "another world" in capsys.readouterr().err
    (results / "chunks" / "seeds_5-6.csv").write_text(
        (results / "chunks" / "seeds_0-1.csv").read_text())
    assert chunks.main(["merge", "bff_noheads_16k", "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "seed 0 is in both" in err[0]
    assert chunks.main(["run", "nothing_like_it", "--seeds", "0:1", *common]) == 2
    assert "unknown" in capsys.readouterr().err
    assert chunks.main(["run", "bff_noheads_16k", "--seeds", "0,5", *common]) == 2
    assert "consecutive" in capsys.readouterr().err


def test_a_chunk_longer_than_its_budget_is_refused(chunks, tmp_path, capsys):
    results = tmp_path / "results"
    (results / "chunks").mkdir(parents=True)
    (results / "chunks" / "seeds_0-1.csv").write_text(
        "seed,status,stopped_by,transitioned,transition_epoch,epochs,wall_s\n"
        "0,finished,epochs,False,,16384,3600\n")
    assert chunks.main(["run", "bff_noheads_16k", "--seeds", "1:11", "--results", str(results),
                        "--runs", str(tmp_path / "runs"), "--workers", "2"]) == 2
    assert "5.0 h" in capsys.readouterr().err


def test_the_list_names_every_experiment(chunks, capsys):
    assert chunks.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("bff_noheads_16k", "mutation_0", "forthtrivial_16k", "rsubleq4_16k"):
        assert name in out
