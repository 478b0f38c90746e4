"""What the command prints besides results: its version, a help text for every argument, the
soup's own unit word in summaries, an honest progress bar, and what ``view --frames`` wrote."""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from alife import Soup
from alife.cli import build_parser, main
from alife.run.session import bar_fields, fixed
from alife.run.stop import parse_condition
from alife.world import make_world

ROOT = Path(__file__).resolve().parents[2]


def alife(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_version_prints_the_installed_version():
    proc = alife("--version")
    assert proc.returncode == 0 and proc.stdout == f"alife {version('alife')}\n"


def _parsers(parser: argparse.ArgumentParser, name: str = "alife"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, p in action.choices.items():
                yield from _parsers(p, f"{name} {sub}")


def test_every_argument_of_every_command_has_a_help_text():
    missing = [f"{name}: {action.dest}" for name, parser in _parsers(build_parser())
               for action in parser._actions if not (action.help or "").strip()]
    assert missing == []
    names = [n for n, _ in _parsers(build_parser())]
    assert "alife export" in names and "alife disasm" in names and len(names) >= 11


def test_a_particle_soup_summary_counts_generations(capsys):
    assert main(["run", str(ROOT / "worlds" / "neural_soup.toml"), "--set", "num_programs=200",
                 "--set", "report_every=5", "--epochs", "3", "--no-history", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "  generations     3 run (0 -> 3 completed) in " in out
    assert "generations/s" in out and "stopped         reached 3 generations" in out
    assert "epoch" not in out


def test_the_progress_bar_of_an_until_run_has_no_total_nor_eta(tmp_path):
    proc = alife("run", "--set", "num_programs=256", "--set", "report_every=2", "--epochs", "5",
                 "--until", "higher_entropy>3", "--no-history", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("5 epochs done (cap 5) [") and "epoch/s" in last, last
    assert "higher_entropy=" in last and "(stop >3)" in last
    assert "%|" not in last and "<" not in last  # no bar towards the cap, no ETA
    proc = alife("run", "--set", "num_programs=256", "--epochs", "5", "--until", "",
                 "--no-history", cwd=tmp_path)
    last = proc.stderr.replace("\r", "\n").strip().splitlines()[-1]
    assert "5/5 [" in last and "100%" in last  # the cap is the stop: a bar with its total


def test_no_value_is_shown_as_a_negative_zero():
    assert fixed(-0.0001) == "0.000" and fixed(-0.0) == "0.000" and fixed(-0.0004, 4) == "-0.0004"
    soup = Soup(make_world({"num_programs": 256}))
    m = {"higher_entropy": -0.0002, "ops_per_interaction": 0.0, "replicators": 0,
         "score_sample": 256}
    fields = bar_fields(soup, m, parse_condition("higher_entropy>3"))
    assert fields["higher_entropy"] == "0.000 (stop >3)" and fields["H"] == "0.000"
    assert not any(v.startswith("-0.000") for v in fields.values())


def test_a_summary_never_prints_a_negative_zero(capsys):
    # An all-zero soup: h0 is -0.0 (the entropy sum of one symbol) before any byte changes.
    assert main(["run", "--set", "num_programs=256", "--set", "zero_init=true", "--set",
                 "mutation_prob=0", "--epochs", "1", "--until", "", "--no-history",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "h0 0.0000" in out and "-0.0000" not in out


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    path = tmp_path_factory.mktemp("frames") / "run.h5"
    assert main(["run", "--set", "num_programs=256", "--set", "report_every=8", "--set",
                 "snapshot_every=16", "--set", "score_sample=16", "--epochs", "40", "--until",
                 "", "--quiet", "--out", str(path)]) == 0
    return path


def test_frames_say_how_many_and_why_one_per_snapshot(history, tmp_path):
    proc = alife("view", str(history), "--frames", "frames/", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("wrote 5 frames to frames/ (frame_00000.png .. "
                                  "frame_00004.png, frames.csv): one per snapshot the history "
                                  "stores (epochs 0, 1, 17, 33, 40)"), proc.stderr
    assert "after every 16 epochs (its world's snapshot_every)" in proc.stderr
    assert "--every K" in proc.stderr and "frames//" not in proc.stderr
    assert len(list((tmp_path / "frames").glob("frame_*.png"))) == 5


def test_frames_every_k_epochs_rerun_the_soup_between_snapshots(history, tmp_path):
    out = tmp_path / "f"
    proc = alife("view", str(history), "--frames", str(out), "--every", "4", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    epochs = [0, 1, 4, 8, 12, 16, 17, 20, 24, 28, 32, 33, 36, 40]
    assert proc.stderr.startswith(f"wrote {len(epochs)} frames to {out}/"), proc.stderr
    assert (out / "frames.csv").read_text().splitlines()[1:] == \
        [f"{i},{e}" for i, e in enumerate(epochs)]
    assert len(list(out.glob("frame_*.png"))) == len(epochs)


def test_every_needs_frames(history, capsys):
    assert main(["view", str(history), "--every", "4"]) == 2
    assert "--every sets the cadence of --frames" in capsys.readouterr().err
