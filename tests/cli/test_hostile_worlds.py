"""Hostile worlds through the real command: odd files, values that cannot be allocated or do not
fit the kernels, names that are not file names, control characters that must survive TOML."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from alife.history import History
from alife.world import load_world, make_world


def alife(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def _file(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "w.toml"
    path.write_bytes(data)
    return str(path)


REFUSED = {
    "binary_world": (lambda t: ["run", _file(t, bytes(range(256)) * 4)], "is not UTF-8 text"),
    "utf16_world": (lambda t: ["run", _file(t, 'language = "bff"\n'.encode("utf-16"))],
                    "is not UTF-8 text"),
    "directory_world": (lambda t: ["run", str(t)], "is a directory"),
    "fifo_world": (lambda t: (os.mkfifo(t / "fifo.toml"), ["run", str(t / "fifo.toml")])[1],
                   "is not a regular file"),
    "table_in_world": (lambda t: ["run", _file(t, b"[soup]\nlanguage = 'bff'\n")],
                       "table(s) 'soup' are not world keys"),
    "huge_soup": (lambda t: ["run", "--set", f"num_programs={2**40}"],
                  "'num_programs': 1099511627776 is out of range; accepted: an even integer in "
                  "[2, 2^30]"),
    "copies_past_the_soup": (lambda t: ["run", "--set", "program=[[{.>]-]",
                                        "--set", f"program_copies={10**13}"],
                             "'program_copies': 10000000000000 is out of range"),
    "step_limit_past_int64": (lambda t: ["run", "--set", f"step_limit={2**70}"],
                              "does not fit a 64-bit integer"),
    "step_limit_past_its_maximum": (lambda t: ["run", "--set", f"step_limit={2**63 - 1}"],
                                    "accepted: an integer in [1, 2^24]"),
    "reset_interval_past_int64": (lambda t: ["run", "--set", f"reset_interval={2**70}"],
                                  "does not fit a 64-bit integer"),
    "name_with_a_path": (lambda t: ["run", "--set", "name=../../x", "--epochs", "1"],
                         "'name': '../../x' cannot be part of a file name"),
    "name_with_a_newline": (lambda t: ["run", "--set", "name=a\nb", "--epochs", "1"],
                            "cannot be part of a file name"),
    "sweep_name_with_a_path": (lambda t: ["sweep", "--seeds", "0:1", "--set", "name=/tmp/x",
                                          "--out", str(t / "s")],
                               "cannot be part of a file name"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_one_line(case: str, tmp_path: Path) -> None:
    make_args, message = REFUSED[case]
    args = make_args(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = alife(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alife: error: "), proc.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


@pytest.mark.parametrize("text", ["a\nb", "tab\there", "quote\"and\\back", "nul\x00", "del\x7f",
                                  "bell\x07 and é ✓", "\r\n\f\b"])
def test_world_strings_round_trip_through_toml(text: str) -> None:
    """The stored world (TOML) reads back to the same world, control characters included."""
    world = make_world({"name": "plain", "program": "[[{.>]-]", "pattern": text})
    stored = world.to_toml()
    assert tomllib.loads(stored)["pattern"] == text
    assert make_world(tomllib.loads(stored)) == world


def test_a_program_with_newlines_runs_inspects_and_resumes(tmp_path: Path) -> None:
    """A multi-line program string (TOML's triple quotes) runs, and its history's world stays
    valid TOML: inspect and resume work afterwards."""
    world = tmp_path / "w.toml"
    world.write_text('program = """\n[[{.>]-]\n"""\nnum_programs = 256\nuntil = ""\n'
                     "report_every = 4\n")
    out = tmp_path / "k.h5"
    assert alife("run", str(world), "--epochs", "8", "--quiet", "--out", str(out),
                 cwd=tmp_path).returncode == 0
    with History(out) as h:
        assert h.world.program == "[[{.>]-]\n"  # TOML drops the newline after """
        assert h.world == load_world(world).replace(epochs=8)
    assert alife("inspect", str(out), cwd=tmp_path).returncode == 0
    resumed = alife("resume", str(out), "--epochs", "12", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
