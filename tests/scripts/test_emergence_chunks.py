"""experiments/emergence_chunks.py at a tiny size: chunks of seeds, their committed tables,
the merged sweep.csv and its summary (the paper-scale experiments run the same code)."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chunks():
    if str(ROOT / "experiments") not in sys.path:  # its sibling modules, as when run
        sys.path.insert(0, str(ROOT / "experiments"))
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
    for name in ("bff_noheads_16k", "mutation_0_4k", "fixed_shuffle_0_4k", "reset_128",
                 "takeover", "forthtrivial_16k", "bff_noheads_2d_paper", "screen_rsubleq4"):
        assert name in out
    assert sum(line.startswith("screen_") for line in out.splitlines()) == 13


def test_every_experiment_has_a_valid_world(chunks):
    from emergence_catalogue import EXPERIMENTS, MEASURES

    for e in EXPERIMENTS.values():
        world = chunks.experiment_world(e.name)
        assert world.epochs == e.keys["epochs"] and e.measure in MEASURES and e.seeds >= 2
        assert all(c in EXPERIMENTS for c in e.compare)
    assert chunks.experiment_world("fixed_shuffle_0_4k").pairing == "fixed_shuffle"
    assert chunks.experiment_world("takeover").program_bytes() is not None
    two_d = chunks.experiment_world("bff_noheads_2d_paper")
    assert two_d.grid == (240, 135) and two_d.num_programs == 32400
    assert two_d.hamming_radius == 4 and EXPERIMENTS["bff_noheads_2d_paper"].images == 3


def test_reset_windows_and_series_are_kept_in_the_tables(chunks, tmp_path, capsys):
    results, runs = tmp_path / "results", tmp_path / "runs"
    assert chunks.main(["run", "reset_128", "--seeds", "0:2", "--results", str(results),
                        "--runs", str(runs), "--set", "num_programs=512", "--set", "epochs=320",
                        "--workers", "1", "--threads-per-run", "1"]) == 0
    with open(results / "sweep.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # reports after 1, 33, ..., 289 epochs: windows 0, 1 and 2 (the last one partly)
    assert [r["windows"] for r in rows] == ["3", "3"]
    assert all(r["windows_crossed"] == "0" and r["max_higher_entropy"] for r in rows)
    series = (results / "series" / "seed_1.csv").read_text().splitlines()
    assert series[0].startswith("epoch,higher_entropy,replicator_fraction")
    assert [line.split(",")[0] for line in series[1:4]] == ["1", "33", "65"]
    capsys.readouterr()
    assert chunks.main(["summary", "reset_128", "--results", str(results)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["windows"]["crossed"]["n"] == 6 and out["windows"]["crossed"]["k"] == 0
    assert out["measure"] == "windows" and out["reset_interval"] == 128


def test_annotate_rebuilds_derived_columns_from_the_histories(chunks, tmp_path, capsys):
    results, runs = tmp_path / "results", tmp_path / "runs"
    assert chunks.main(["run", "takeover", "--seeds", "0:1", "--results", str(results),
                        "--runs", str(runs), "--set", "num_programs=2048", "--set",
                        "epochs=512", "--set", "program_copies=8", "--workers", "1",
                        "--threads-per-run", "1"]) == 0
    table = results / "chunks" / "seeds_0-1.csv"
    with open(table, newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["transitioned"] == "True" and row["replicator_epoch"]
    # a chunk written before the derived columns existed: strip them, then annotate
    head, body = table.read_text().splitlines()
    keep = [i for i, k in enumerate(head.split(",")) if k not in chunks.DERIVED]
    table.write_text("\n".join(",".join(line.split(",")[i] for i in keep)
                               for line in (head, body)) + "\n")
    capsys.readouterr()
    assert chunks.main(["annotate", "takeover", "--results", str(results)]) == 0
    with open(results / "sweep.csv", newline="") as fh:
        (again,) = list(csv.DictReader(fh))
    assert again["replicator_epoch"] == row["replicator_epoch"]
    # without the history, annotate says so in one line
    for h in runs.rglob("*.h5"):
        h.unlink()
    assert chunks.main(["annotate", "takeover", "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "history is missing" in err[0]


def test_the_report_draws_tables_and_figures_from_committed_tables_alone(chunks, tmp_path,
                                                                        capsys):
    import emergence_report

    results, runs = tmp_path / "results", tmp_path / "runs"
    for name in ("mutation_0_4k", "bff_noheads_16k"):
        assert chunks.main(["run", name, "--seeds", "0:2", "--results", str(results / name),
                            "--runs", str(runs), *TINY]) == 0
    for h in runs.rglob("*.h5"):  # a clean clone has no histories
        h.unlink()
    capsys.readouterr()
    assert emergence_report.main(["table", "mutation", "--results", str(results)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("| experiment | world | cap | seeds | paper | ours")
    rows = {line.split("|")[1].strip(): line for line in out[2:]}
    assert "0/2 (0%" in rows["`mutation_0_4k`"]
    assert "not run yet" in rows["`mutation_0.01_4k`"]
    assert "N = 512" in rows["`bff_noheads_16k` (for comparison)"]
    assert emergence_report.main(["figure", "mutation", "--results", str(results),
                                  "--out", str(tmp_path / "figs")]) == 0
    png = tmp_path / "figs" / "emergence_mutation.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert emergence_report.main(["figure", "2d", "--results", str(results)]) == 2
    assert "no experiment of it has results" in capsys.readouterr().err


@pytest.mark.parametrize("language, name", [("bff_noheads", "BFF_REPLICATOR"),
                                            ("subleq", "SUBLEQ_REPLICATOR"),
                                            ("rsubleq4", "RSUBLEQ4_REPLICATOR")])
def test_the_seeded_replicators_copy_themselves_exactly(chunks, language, name):
    import emergence_catalogue

    from alife import replication_score
    from alife.languages import get
    from alife.languages.text import parse

    program = parse(language, getattr(emergence_catalogue, name))
    assert len(program) == 64
    for seed in range(3):  # against three different noise sets
        assert replication_score(program, language, seed=seed, epoch=seed) == 64
    if language == "bff_noheads":
        return  # an emerged replicator: copies are scored above, its single run is its own
    # run first on a tape with a random partner: the parent survives, the partner is a copy
    noise = bytes(np.random.default_rng(5).integers(0, 256, 64, dtype=np.uint8))
    result = get(language).run(program + noise, 8192)
    assert bytes(result.tape[:64]) == program and bytes(result.tape[64:]) == program
