"""Bad input, case by case, through the real command: one message, exit 2, no traceback, and
nothing good overwritten (DESIGN.md, Errors)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from alife.cli import main
from alife.history import FORMAT_VERSION

TRUNCATED = "is not a readable history (truncated or corrupt: truncated file"


def alife(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def _history(tmp_path: Path, name: str = "good.h5") -> Path:
    path = tmp_path / name
    assert main(["run", "--set", "num_programs=256", "--epochs", "5", "--until", "", "--quiet",
                 "--out", str(path)]) == 0
    return path


def _world(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "w.toml"
    path.write_text(text)
    return path


def case_malformed_toml(tmp_path):
    w = _world(tmp_path, 'language = "bff"\nnum_programs = \n')
    return ["run", str(w), "--out", "x.h5"], "is not valid TOML", []


def case_unknown_key(tmp_path):
    w = _world(tmp_path, 'language = "bff"\nnum_program = 1024\n')
    return ["run", str(w), "--out", "x.h5"], "unknown world key 'num_program'; accepted:", []


def case_wrong_type(tmp_path):
    w = _world(tmp_path, 'num_programs = "many"\n')
    return ["run", str(w), "--out", "x.h5"], "'num_programs': 'many' is not an integer", []


def case_wrong_type_in_set(tmp_path):
    return (["sweep", "--seeds", "0:2", "--set", "mutation_prob=often", "--out", "s"],
            "'mutation_prob': 'often' is not a number", [])


def case_out_of_range(tmp_path):
    return (["run", "--set", "step_limit=0", "--out", "x.h5"],
            "'step_limit': 0 is out of range; accepted: an integer in [1, 2^24]", [])


def case_newer_format_version(tmp_path):
    h = _history(tmp_path)
    with h5py.File(h, "r+") as f:
        f.attrs["format_version"] = FORMAT_VERSION + 1
    return (["resume", str(h), "--epochs", "9"],
            f"history format version {FORMAT_VERSION + 1} (written by alife", [h])


def case_truncated_hdf5(tmp_path):
    h = _history(tmp_path)
    data = h.read_bytes()
    h.write_bytes(data[: len(data) // 2])
    return (["resume", str(h), "--epochs", "9"], TRUNCATED, [h])


def case_truncated_history_inspect(tmp_path):
    h = _history(tmp_path)
    h.write_bytes(h.read_bytes()[:1000])
    return (["inspect", str(h)], TRUNCATED, [h])


def case_resume_finished_past_limit(tmp_path):
    h = _history(tmp_path)
    return (["resume", str(h)], "is finished: it completed 5 epochs, its world's limit", [h])


def case_run_output_exists(tmp_path):
    h = _history(tmp_path)
    return ["run", "--set", "num_programs=256", "--out", str(h)], "already exists", [h]


def case_export_output_exists(tmp_path):
    h = _history(tmp_path)
    taken = _history(tmp_path, "taken.dat")
    return ["export", str(h), "-o", str(taken)], "already exists", [h, taken]


def case_sweep_over_another_world(tmp_path):
    assert main(["sweep", "--seeds", "0:1", "--set", "num_programs=256", "--max-epochs", "3",
                 "--quiet", "--out", str(tmp_path / "s")]) == 0
    stored = tmp_path / "s" / "bff_noheads__seed0.h5"
    return (["sweep", "--seeds", "0:1", "--set", "num_programs=512", "--out", "s"],
            "holds a run of another world (num_programs = 256 there, 512 here)", [stored])


def case_bad_seeds(tmp_path):
    return ["sweep", "--seeds", "5:x"], "--seeds '5:x': accepted START:STOP[:STEP]", []


def _a_file(tmp_path: Path, name: str = "afile") -> Path:
    """A plain file where a command may expect a folder."""
    path = tmp_path / name
    path.write_text("a file, not a folder\n")
    return path


SOUP = ["--set", "num_programs=256", "--epochs", "2", "--quiet"]


def case_dat_dir_is_a_file(tmp_path):
    f = _a_file(tmp_path)
    return (["run", *SOUP, "--no-history", "--dat-dir", "afile"],
            "--dat-dir 'afile' is a file, not a folder; accepted: a folder", [f])


def case_dat_dir_under_a_file(tmp_path):
    f = _a_file(tmp_path)
    return (["run", *SOUP, "--no-history", "--dat-dir", "afile/dats"],
            "--dat-dir 'afile/dats': 'afile' is a file, not a folder", [f])


def case_out_under_a_file(tmp_path):
    f = _a_file(tmp_path)
    return (["run", *SOUP, "--out", "afile/x.h5"],
            "--out 'afile/x.h5': 'afile' is a file, not a folder", [f])


def case_default_runs_folder_is_a_file(tmp_path):
    f = _a_file(tmp_path, "runs")
    return (["run", *SOUP], "'runs' is a file, not a folder", [f])


def case_sweep_out_is_a_file(tmp_path):
    f = _a_file(tmp_path)
    return (["sweep", "--seeds", "0:1", "--set", "num_programs=256", "--out", "afile"],
            "--out 'afile' is a file; accepted: a directory", [f])


def case_sweep_out_under_a_file(tmp_path):
    f = _a_file(tmp_path)
    return (["sweep", "--seeds", "0:1", "--set", "num_programs=256", "--out", "afile/s"],
            "--out 'afile/s': 'afile' is a file, not a folder", [f])


def case_too_many_seeds(tmp_path):
    return (["sweep", "--seeds", "0:1000000000000", "--out", "s"],
            "--seeds '0:1000000000000': 1000000000000 seeds; accepted: at most 100000", [])


def case_seed_past_64_bits(tmp_path):
    return (["sweep", "--seeds", str(2**64), "--out", "s"], "does not fit 64 bits", [])


def case_scheduler_not_an_address(tmp_path):
    return (["sweep", "--seeds", "0:1", "--scheduler", "garbage!!", "--out", "s"],
            "--scheduler 'garbage!!' is neither a scheduler address nor an existing scheduler "
            "file; accepted: the address `dask scheduler` prints, tcp://HOST:PORT", [])


def case_scheduler_port_out_of_range(tmp_path):
    return (["sweep", "--seeds", "0:1", "--scheduler", "tcp://localhost:99999", "--out", "s"],
            "port 99999 is out of range", [])


def case_scheduler_file_not_json(tmp_path):
    f = _a_file(tmp_path, "scheduler.json")
    return (["sweep", "--seeds", "0:1", "--scheduler", "scheduler.json", "--out", "s"],
            "--scheduler 'scheduler.json' is not a Dask scheduler file", [f])


def case_scheduler_that_does_not_answer(tmp_path):
    return (["sweep", "--seeds", "0:1", "--set", "num_programs=256", "--scheduler",
             "tcp://127.0.0.1:9", "--out", "s"],
            "--scheduler 'tcp://127.0.0.1:9': no Dask scheduler answered", [])


def case_inspect_a_directory(tmp_path):
    return (["inspect", str(tmp_path)], "is a directory; accepted: a history (.h5) or a "
            "reference checkpoint (.dat, .dat.gz)", [])


def case_resume_a_directory(tmp_path):
    return (["resume", str(tmp_path)], "is a directory; accepted: a run's history file", [])


def case_import_under_a_file(tmp_path):
    from alife.soup import write_dat

    dat = write_dat(tmp_path / "soup.dat", np.zeros((256, 64), np.uint8), 3)
    f = _a_file(tmp_path)
    return (["import", str(dat), "-o", "afile/x.h5"],
            "-o 'afile/x.h5': 'afile' is a file, not a folder", [dat, f])


def case_frames_over_a_frames_table(tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    table = frames / "frames.csv"
    table.write_text("frame,epoch\n0,0\n")
    return (["view", "good.h5", "--frames", "frames"], "--frames 'frames' already holds frames "
            "(frames.csv or frame_*.png), which are never overwritten; accepted: a new or empty "
            "folder, e.g. --frames frames-2", [table])


def case_frames_into_a_file(tmp_path):
    f = _a_file(tmp_path)
    return (["view", "good.h5", "--frames", "afile"], "--frames 'afile' is a file, not a folder",
            [f])


def case_export_into_a_missing_folder(tmp_path):
    h = _history(tmp_path)
    return (["export", str(h), "-o", "nodir/y.dat"],
            "-o 'nodir/y.dat': folder 'nodir' does not exist; accepted: a new file in an "
            "existing folder", [h])


def case_export_under_a_file(tmp_path):
    h = _history(tmp_path)
    f = _a_file(tmp_path)
    return (["export", str(h), "-o", "afile/y.dat"],
            "-o 'afile/y.dat': 'afile' is a file, not a folder", [h, f])


def case_export_a_directory(tmp_path):
    return (["export", str(tmp_path), "-o", "y.dat"],
            "is a directory; accepted: a run's history file", [])


CASES = [v for k, v in sorted(globals().items()) if k.startswith("case_")]
# Cases that run a soup or a sweep first, or wait for a connection: the slow tier.
SLOW_CASES = {"case_sweep_over_another_world", "case_run_output_exists",
              "case_resume_finished_past_limit", "case_export_output_exists",
              "case_export_into_a_missing_folder", "case_export_under_a_file",
              "case_scheduler_that_does_not_answer"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow)
                                  if c.__name__ in SLOW_CASES else c for c in CASES],
                         ids=lambda c: c.__name__[5:])
def test_one_clear_message_and_nothing_overwritten(case, tmp_path):
    args, message, kept = case(tmp_path)
    before = {p: p.read_bytes() for p in kept}
    absent = [n for n in ("x.h5", "s", "nodir", "frames-2", "y.dat") if not (tmp_path / n).exists()]
    proc = alife(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alife: error: "), proc.stderr
    assert message in lines[0] and "Traceback" not in proc.stderr
    assert {p: p.read_bytes() for p in kept} == before
    made = [name for name in absent if (tmp_path / name).exists()]
    assert not made, made  # no output the refused command would have written


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: a mode-555 folder, or for root (who may
    write there anyway) /sys, where nobody creates files."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if not os.access(folder, os.W_OK):
        return folder
    if Path("/sys/kernel").is_dir():
        return Path("/sys")
    pytest.skip("no folder that refuses new files to this user")


@pytest.mark.slow
def test_export_into_a_read_only_folder_is_one_line(tmp_path):
    h = _history(tmp_path)
    target = _read_only_folder(tmp_path) / "y.dat"
    proc = alife("export", str(h), "-o", str(target), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alife: error: "), proc.stderr
    assert str(target) in lines[0] and ("not writable" in lines[0] or "cannot write" in lines[0])
    assert not target.exists()
