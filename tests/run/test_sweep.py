"""Sweeps: a spawn-based local pool and a real Dask LocalCluster give the same summary; a re-run
skips finished runs and resumes the others."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from alife import Soup
from alife.cli import main
from alife.errors import AlifeError
from alife.history import History
from alife.run.sweep import parse_seeds, sweep
from alife.world import load_world

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--set", "num_programs=1024", "--set", "report_every=32", "--max-epochs", "130",
        "--until", "", "--quiet"]
VARYING = ("wall_s", "history")  # wall time and location differ between runs of one sweep


def _table(directory: Path) -> list[dict[str, str]]:
    with open(directory / "sweep.csv") as fh:
        return [{k: v for k, v in row.items() if k not in VARYING} for row in csv.DictReader(fh)]


@pytest.mark.parametrize("text,seeds", [("0:4", [0, 1, 2, 3]), ("2:9:3", [2, 5, 8]),
                                        ("7", [7]), ("0:2,10", [0, 1, 10])])
def test_parse_seeds(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["", "a:b", "3:1", "1,1", "-1"])
def test_parse_seeds_refuses_bad_ranges(text):
    with pytest.raises(AlifeError, match="accepted START:STOP"):
        parse_seeds(text)


def test_local_pool_sweep_writes_one_history_per_seed_and_a_table(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", str(ROOT / "worlds" / "small.toml"), "--seeds", "0:3", *ARGS,
                 "--workers", "2", "--out", str(out)]) == 0
    rows = _table(out)
    assert [r["seed"] for r in rows] == ["0", "1", "2"]
    assert all(r["status"] == "finished" and r["epochs"] == "130" for r in rows)
    assert sorted(p.name for p in out.glob("*.h5")) == [f"small__seed{s}.h5" for s in range(3)]
    world = load_world(ROOT / "worlds" / "small.toml", ["num_programs=1024", "seed=2"])
    with History(out / "small__seed2.h5") as h:  # each task is the plain run of its seed
        assert np.array_equal(h.checkpoint().programs, Soup(world).run(130).programs)
        assert float(rows[2]["higher_entropy"]) == h.last_metrics()["higher_entropy"]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_pool_summary(tmp_path):
    import distributed  # the dev extra installs Dask: its absence is a failure, not a skip

    world = load_world(ROOT / "worlds" / "small.toml",
                       ["num_programs=1024", "report_every=32", "epochs=130", "until=''"])
    local = sweep(world, [0, 1, 2], tmp_path / "local", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = sweep(world, [0, 1, 2], tmp_path / "dask", scheduler=cluster.scheduler_address)
    strip = [{k: v for k, v in r.items() if k not in VARYING} for r in local]
    assert strip == [{k: v for k, v in r.items() if k not in VARYING} for r in remote]
    assert _table(tmp_path / "local") == _table(tmp_path / "dask")


@pytest.mark.slow
def test_rerun_skips_finished_runs_and_resumes_the_others(tmp_path):
    fresh, partial = tmp_path / "fresh", tmp_path / "partial"
    small = str(ROOT / "worlds" / "small.toml")
    assert main(["sweep", small, "--seeds", "0:3", *ARGS, "--out", str(fresh)]) == 0
    # In `partial`: seed 0 finished, seed 1 stopped early at its own limit, seed 2 killed.
    assert main(["sweep", small, "--seeds", "0:1", *ARGS, "--out", str(partial)]) == 0
    for seed in (1, 2):
        assert main(["run", small, *ARGS[:4], "--set", f"seed={seed}", "--epochs", "64",
                     "--until", "", "--quiet", "--out",
                     str(partial / f"small__seed{seed}.h5")]) == 0
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with h5py.File(partial / "small__seed2.h5", "r+") as f:
        f.attrs["status"] = "running"  # what a SIGKILL leaves: its writer is gone
        f.attrs["stopped_by"] = ""
        f.attrs["writer_pid"] = int(gone.stdout)
    done = (partial / "small__seed0.h5").read_bytes()
    assert main(["sweep", small, "--seeds", "0:3", *ARGS, "--out", str(partial)]) == 0
    assert (partial / "small__seed0.h5").read_bytes() == done  # not run again
    for seed in (1, 2):
        with History(partial / f"small__seed{seed}.h5") as h:
            assert h.attrs["resumes"] == 1 and h.status == "finished"
    assert _table(partial) == _table(fresh)


TINY = ["--set", "num_programs=256", "--max-epochs", "4", "--until", "", "--workers", "1",
        "--quiet"]


@pytest.mark.slow
def test_a_sweep_of_another_world_never_replaces_the_table_and_more_seeds_add_rows(tmp_path,
                                                                                    capsys):
    out = tmp_path / "D"
    assert main(["sweep", "--seeds", "0:2", *TINY, "--out", str(out)]) == 0
    table = (out / "sweep.csv").read_bytes()
    capsys.readouterr()
    # bff into a directory of bff_noheads runs: one line naming the other world, nothing run
    assert main(["sweep", str(ROOT / "worlds" / "bff.toml"), "--seeds", "0:2", *TINY,
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("alife: error: ")
    assert "bff_noheads__seed0.h5' holds a run of another world (language = 'bff_noheads' " \
           "there, 'bff' here), a bff_noheads sweep" in err
    assert f"its table {out / 'sweep.csv'} is kept; give this bff sweep another --out" in err
    assert (out / "sweep.csv").read_bytes() == table
    assert sorted(p.name for p in out.glob("*.h5")) == ["bff_noheads__seed0.h5",
                                                         "bff_noheads__seed1.h5"]
    # the same world over more seeds: the earlier rows stay
    before = _table(out)
    assert main(["sweep", "--seeds", "2:3", *TINY[:-1], "--out", str(out)]) == 0
    rows = _table(out)
    assert [r["seed"] for r in rows] == ["0", "1", "2"] and rows[:2] == before
    assert "(3 rows: 1 from this sweep, 2 kept from earlier sweeps)" in capsys.readouterr().out


def test_a_table_of_another_sweep_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "D"
    out.mkdir()
    (out / "sweep.csv").write_text("seed,status,history\n0,finished,D/forth__seed0.h5\n")
    table = (out / "sweep.csv").read_bytes()
    assert main(["sweep", "--seeds", "0:2", *TINY, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds the table of another sweep (its seed 0 row is forth__seed0.h5, this sweep " \
           "writes bff_noheads__seed0.h5)" in err
    assert (out / "sweep.csv").read_bytes() == table and not list(out.glob("*.h5"))
