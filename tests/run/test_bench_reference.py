"""``alife bench --reference PATH``: the side-by-side harness, with a stand-in for the
reference binary that records its arguments and prints an ``Elapsed:`` report as cubff does.
(The real reference is built from its public source; the README's Speed section has the
figures measured with it.)"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from alife.cli import main
from alife.errors import AlifeError
from alife.run import bench_reference
from alife.run.bench import EMERGED, default_conformance


def _stand_in(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "main"
    log = tmp_path / "calls.txt"
    script.write_text("#!/bin/sh\n"
                      f'echo "$OMP_NUM_THREADS $*" >> {log}\n' + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


REPORT = r'printf "\033[0;0H    Elapsed:     0.500        ops:  1\n"' + "\n"


def test_reference_phases_run_the_same_epochs(tmp_path: Path) -> None:
    """The reference stops at its first report past --max_epochs: 64k+1 random epochs are
    --max_epochs 64k; emerged epochs end on a report too."""
    out = bench_reference.phases(129, 64, 4096, tmp_path / "e.dat", 3073)
    ref = {phase: args for phase, _, args, _ in out}
    ours = {phase: args for phase, _, _, args in out}
    assert ref["bff_noheads"][ref["bff_noheads"].index("--max_epochs") + 1] == "128"
    assert ours["bff_noheads"][ours["bff_noheads"].index("--epochs") + 1] == "129"
    assert ref["bff_noheads_emerged"][-1] == "3136"  # epochs 3073 .. 3136
    assert ours["bff_noheads_emerged"][-1] == "3137"
    assert "bff" in ref and ref["bff"][1] == "bff"


def test_bench_reference_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = _stand_in(tmp_path, REPORT)
    rc = main(["bench", "--reference", str(ref), "--threads", "1", "--repeats", "2",
               "--num-programs", "1024", "--epochs", "65", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["threads"] == 1 and out["repeats"] == 2
    assert [r["phase"] for r in out["results"]] == ["bff_noheads", "bff"]  # N != 2^17: no emerged
    for r in out["results"]:
        assert len(r["reference"]) == len(r["ours"]) == 2
        assert all(t["loop_s"] == 0.5 for t in r["reference"])  # parsed past the colour codes
        for t in r["ours"]:
            assert 0 < t["kernel_s"] <= t["loop_s"] <= t["wall_s"]
        ratios = sorted(a["loop_s"] / b["loop_s"]
                        for a, b in zip(r["reference"], r["ours"], strict=True))
        assert r["loop_ratio"] == pytest.approx(sum(ratios) / 2)  # median of two rounds
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert len(calls) == 4 and all(c.startswith("1 --lang ") for c in calls)
    assert "--num 1024" in calls[0] and "--max_epochs 64" in calls[0]


def test_bench_reference_emerged_phase_loads_the_checkpoint(tmp_path: Path) -> None:
    ref = _stand_in(tmp_path, REPORT)
    gz = default_conformance() / EMERGED
    # the emerged phase alone: a stand-in is only asked; our side runs its real epochs
    out = bench_reference.phases(65, 64, 131072, gz, 3073)
    assert out[-1][0] == "bff_noheads_emerged"
    timing = bench_reference._run_reference(ref, out[-1][2], 2)
    assert timing.loop_s == 0.5 and timing.wall_s > 0
    assert "--load" in (tmp_path / "calls.txt").read_text()


@pytest.mark.parametrize("body, message", [
    ("exit 3\n", "failed (exit 3)"),
    ("echo nothing\n", "printed no 'Elapsed:'"),
])
def test_bench_reference_bad_binary(tmp_path: Path, body: str, message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    ref = _stand_in(tmp_path, body)
    assert main(["bench", "--reference", str(ref), "--threads", "1", "--repeats", "1",
                 "--num-programs", "1024", "--epochs", "65"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_bench_reference_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "notexec"
    plain.write_text("x")
    os.chmod(plain, 0o644)
    for argv, message in [(["--reference", str(plain)], "not an executable file"),
                          (["--reference", str(tmp_path / "missing")], "not an executable"),
                          (["--reference", "/bin/true", "--epochs", "100"], "64k+1"),
                          (["--reference", "/bin/true", "--emerged-epochs", "10"],
                           "multiple of 64"),
                          (["--reference", "/bin/true", "--repeats", "0"], "--repeats")]:
        assert main(["bench", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err


def test_stored_figures_are_labelled(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--num-programs", "1024", "--epochs", "1", "--emerged-epochs", "1",
                 "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "stored reference figures:" in out and "2026-11-22" in out
    assert "stored ref" in out


def test_check_reference_accepts_an_executable() -> None:
    assert bench_reference.check_reference("/bin/true").is_file()
    with pytest.raises(AlifeError):
        bench_reference.check_reference("/")
