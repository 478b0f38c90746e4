"""Where the scripts of analyses/ and experiments/ write when no --out is given: under runs/ of
the current directory, never into the folder of their input (a data folder or another user's
sweep may be read-only or shared) nor into the committed docs/figures; and the --help of
scripts/bench_viewer.py reads whole."""

from __future__ import annotations

import gzip
import importlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alife.soup.checkpoint import write_dat

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, *args: str | Path, cwd: Path, timeout: int = 300) \
        -> subprocess.CompletedProcess:
    """Run ``script`` (a path under the repository) as a user runs it, from ``cwd``."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "SDL_VIDEODRIVER": "dummy"}
    return subprocess.run([sys.executable, str(ROOT / script), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env)


def tree(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` and its size."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")}


def read_only(folder: Path) -> None:
    """Make ``folder`` and what is in it read-only (as a shared data folder is; a root user can
    still write there, so the tests compare the folder's contents too)."""
    for p in (folder, *folder.rglob("*")):
        p.chmod(0o555 if p.is_dir() else 0o444)


def writable(folder: Path) -> None:
    for p in (folder, *folder.rglob("*")):
        p.chmod(0o755 if p.is_dir() else 0o644)


def alife(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def checkpoint(tmp_path):
    """(a read-only data folder holding ``soup.dat.gz``, 8 programs of 4 copies each after 10
    epochs; an empty working folder)."""
    data, work = tmp_path / "data", tmp_path / "work"
    data.mkdir()
    work.mkdir()
    rng = np.random.default_rng(0)
    write_dat(tmp_path / "soup.dat", np.repeat(rng.integers(0, 256, (8, 64), dtype=np.uint8), 4,
                                               axis=0), 10)
    (data / "soup.dat.gz").write_bytes(gzip.compress((tmp_path / "soup.dat").read_bytes()))
    read_only(data)
    yield data, work
    writable(data)


@pytest.fixture(scope="module")
def histories(tmp_path_factory):
    """A read-only data folder holding ``run.h5`` (40 programs imported by `alife import`) and
    ``sweep/`` (two imported seeds, laid out as `alife sweep` lays out a sweep)."""
    base = tmp_path_factory.mktemp("histories")
    data = base / "data"
    (data / "sweep").mkdir(parents=True)
    programs = np.repeat(np.arange(40, dtype=np.uint8)[:, None], 64, axis=1)
    write_dat(base / "run.dat", programs, 100)
    for seed, path in ((3, data / "run.h5"), (0, data / "sweep" / "bff__seed0.h5"),
                       (1, data / "sweep" / "bff__seed1.h5")):
        alife("import", base / "run.dat", "-o", path, "--set", "language=bff",
              "--set", "num_programs=40", "--set", f"seed={seed}", cwd=base)
    read_only(data)
    yield data
    writable(data)


def test_default_out_is_runs_figures_and_the_inputs_name():
    sys.path.insert(0, str(ROOT / "analyses"))
    try:
        common = importlib.import_module("_common")
    finally:
        sys.path.remove(str(ROOT / "analyses"))
    for given, name in (("/data/shared/bff__seed0.h5", "bff__seed0"),
                        ("tests/data/conformance/emerged/soup_epoch3072.dat.gz", "soup_epoch3072"),
                        ("FILE.dat", "FILE"), ("runs/sweep-bff/", "sweep-bff")):
        out = common.default_out(Path(given))
        assert out == Path("runs") / "figures" / name and not out.is_absolute(), given


def test_runs_is_ignored_by_git():
    for path in ("runs/figures/x/a.png", "runs/selfplay/a.png"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert done.returncode == 0, path


def check_written(data: Path, before: dict[str, int], work: Path, folder: str,
                  done: subprocess.CompletedProcess) -> list[str]:
    """The files the run wrote: all under work/runs/figures/``folder``, none in ``data``."""
    assert done.returncode == 0, done.stderr
    assert tree(data) == before, "the input's folder changed"
    assert [p.name for p in work.iterdir()] == ["runs"]
    written = sorted(tree(work / "runs" / "figures" / folder))
    assert written and set(tree(work)) == {"runs", "runs/figures", f"runs/figures/{folder}",
                                           *(f"runs/figures/{folder}/{w}" for w in written)}
    return written


def test_soup_game_of_a_read_only_checkpoint_writes_under_runs(checkpoint):
    data, work = checkpoint
    before = tree(data)
    done = run("analyses/soup_game.py", data / "soup.dat.gz", "--k", "3", "--language", "bff",
               cwd=work)
    written = check_written(data, before, work, "soup", done)
    assert "soup_game_payoff_lang-bff_N-32_seed-0_k-3_match-exact_samples-0.png" in written
    assert "wrote runs/figures/soup/soup_game_payoff_" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("script, input_, folder, expect", [
    ("analyses/soup_image.py", "run.h5", "run", "soup_raw_language-bff_N-40_seed-3_epoch-100.png"),
    ("analyses/diversity.py", "run.h5", "run", "muller_language-bff_N-40_seed-3.png"),
    ("analyses/emergence.py", "sweep", "sweep",
     "emergence_language-bff_N-40_threshold-3_seeds-2_cap-20000.png"),
])
def test_analyses_of_read_only_inputs_write_under_runs(histories, tmp_path, script, input_,
                                                      folder, expect):
    data, work = histories, tmp_path
    before = tree(data)
    done = run(script, data / input_, cwd=work)
    assert expect in check_written(data, before, work, folder, done)


@pytest.mark.slow
@pytest.mark.parametrize("script, args, expect", [
    ("experiments/selfplay.py", ["--games", "rps", "--solvers", "vanilla", "--generations", "2",
                                 "--seeds", "1", "--oracle-steps", "5", "--show", "rps:vanilla"],
     "selfplay_payoff_game-rps_solver-vanilla_gens-2_seed-0.png"),
    ("experiments/particle_reproduction.py",
     ["--seeds", "1", "--particles", "4", "--train-steps", "2", "--applications", "2",
      "--soup-size", "4", "--generations", "2", "--big", "4", "--big-generations", "2",
      "--threads", "1"], "particles_table.md"),
    ("experiments/quine_reproduction.py", ["--quick", "--seeds", "0", "--threads", "1"],
     "quine_reproduction_table.md"),
    ("experiments/srwm_fewshot.py",
     ["--steps", "2", "--seeds", "0", "--shots", "1", "--models", "lstm", "--eval-episodes", "2",
      "--d-model", "8", "--n-heads", "1", "--n-layers", "1", "--rotations", "1",
      "--max-train-shot", "0", "--batch", "2"], "srwm_fewshot_table.md"),
])
def test_experiments_write_under_runs_of_the_cwd(tmp_path, script, args, expect):
    docs = tree(ROOT / "docs" / "figures")
    done = run(script, *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = Path(script).stem
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]  # not docs/figures, not figures/
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [folder]
    assert (tmp_path / "runs" / folder / expect).stat().st_size > 0
    assert tree(ROOT / "docs" / "figures") == docs


def test_bench_viewer_help_reads_whole():
    done = run("scripts/bench_viewer.py", "--help", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert ("Cost of the live viewer: epochs/s of a soup run with the viewer open and without, "
            "and the time to draw a frame.") in text
    assert "the final copy to a screen is skipped." in text  # the docstring's last sentence
    assert ":func:" not in text and "``" not in text
    for option, help_ in (("--world WORLD", "world file"), ("--num-programs NUM_PROGRAMS",
                                                            "programs in the soup"),
                          ("--json", "print the results as JSON")):
        assert f"{option} {help_}" in text, option
