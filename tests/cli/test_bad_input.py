"""Bad input, case by case, through the real command: one message, exit 2, no traceback, and
nothing good overwritten (DESIGN.md, Errors)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
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


CASES = [v for k, v in sorted(globals().items()) if k.startswith("case_")]
# Cases that run a soup or a sweep first: the slow tier.
SLOW_CASES = {"case_sweep_over_another_world", "case_run_output_exists",
              "case_resume_finished_past_limit", "case_export_output_exists"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow)
                                  if c.__name__ in SLOW_CASES else c for c in CASES],
                         ids=lambda c: c.__name__[5:])
def test_one_clear_message_and_nothing_overwritten(case, tmp_path):
    args, message, kept = case(tmp_path)
    before = {p: p.read_bytes() for p in kept}
    proc = alife(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alife: error: "), proc.stderr
    assert message in lines[0] and "Traceback" not in proc.stderr
    assert {p: p.read_bytes() for p in kept} == before
    assert not (tmp_path / "x.h5").exists()
