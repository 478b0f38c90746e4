"""The ``alife run`` command end to end: reference checkpoints, history files, bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

from alife.cli import main
from alife.history import read_metrics
from alife.soup.checkpoint import read_dat

BASIC_BFF = ["--set", "language=bff", "--set", "num_programs=512", "--set", "seed=7",
             "--set", "mutation_prob=0.00390625", "--set", "until=''"]


def test_dat_dir_writes_reference_files(conformance, tmp_path, capsys):
    out = tmp_path / "dats"
    rc = main(["run", *BASIC_BFF, "--epochs", "6", "--dat-dir", str(out), "--quiet",
               "--out", str(tmp_path / "run.h5")])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{e:010d}.dat" for e in range(6)]
    for e in (0, 1, 2, 5):
        ref = conformance / "basic" / "bff" / f"{e:010d}.dat"
        assert (out / f"{e:010d}.dat").read_bytes() == ref.read_bytes()
    assert "Summary" in capsys.readouterr().out


def test_from_continues_a_reference_checkpoint(conformance, tmp_path):
    start = conformance / "basic" / "forth" / "0000000002.dat"
    rc = main(["run", "--set", "language=forth", "--set", "seed=7", "--set",
               "mutation_prob=0.00390625", "--from", str(start), "--epochs", "6",
               "--dat-dir", str(tmp_path), "--dat-every", "5", "--quiet", "--no-history"])
    assert rc == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0000000005.dat"]
    ours = read_dat(tmp_path / "0000000005.dat")
    ref = read_dat(conformance / "basic" / "forth" / "0000000005.dat")
    assert ours.epochs == 6 and np.array_equal(ours.programs, ref.programs)


def test_history_file_and_json_summary(tmp_path, capsys):
    path = tmp_path / "h.h5"
    rc = main(["run", "--set", "num_programs=1024", "--set", "report_every=8",
               "--epochs", "33", "--out", str(path), "--json"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["epochs_completed"] == 33 and summary["history"] == str(path)
    metrics = read_metrics(path)
    assert metrics["epoch"].tolist() == [1, 9, 17, 25, 33]
    assert np.all(np.isfinite(metrics["higher_entropy"]))
    with h5py.File(path, "r") as f:
        assert f.attrs["status"] == "finished" and "language = \"bff_noheads\"" in f.attrs["world"]
        active = f["checkpoint/active"][0]
        assert f["checkpoint/epoch"][active] == 33
        assert f["snapshots/soup"].shape[1:] == (1024, 64)


def test_existing_history_is_never_overwritten(tmp_path, capsys):
    path = tmp_path / "keep.h5"
    path.write_bytes(b"precious")
    rc = main(["run", "--set", "num_programs=64", "--epochs", "1", "--out", str(path)])
    assert rc == 2 and path.read_bytes() == b"precious"
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("args,match", [
    (["--set", "language=bfff"], "unknown language 'bfff'"),
    (["--set", "num_programs=31"], r"an even integer in \[2, 2\^30\]"),
    (["--set", "num_programs=-2"], r"an even integer in \[2, 2\^30\]"),
    (["--set", "mutation_prob=1.5"], r"probability in \[0, 1\]"),
    (["--set", "wibble=3"], "unknown world key 'wibble'"),
    (["--set", "grid=[3]"], r"\[W, H\]"),
    (["--set", "program=[[+Z"], "invalid bff_noheads program"),
    (["--until", "ops=3"], "METRIC>VALUE"),
    (["--threads", "99"], "--threads 99"),
])
def test_bad_input_is_one_clear_message(args, match, capsys, tmp_path):
    rc = main(["run", *args, "--out", str(tmp_path / "x.h5")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("alife: error: ") and err.count("\n") == 1
    assert re.search(match, err), err
    assert not (tmp_path / "x.h5").exists()


@pytest.mark.parametrize("content,match", [(b"\x01\x00", "truncated"),
                                           (b"\x01" + b"\x00" * 7 + b"\x04" + b"\x00" * 7
                                            + b"\x01" + b"\x00" * 7 + b"\x00" * 100,
                                            "header says N = 4")])
def test_bad_dat_file_exits_nonzero_without_traceback(tmp_path, content, match):
    bad = tmp_path / "bad.dat"
    bad.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "alife.cli", "run", "--from", str(bad),
                           "--no-history"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert match in proc.stderr and "Traceback" not in proc.stderr


def test_world_file_and_set_override(tmp_path, capsys):
    world = tmp_path / "tiny.toml"
    world.write_text('language = "forth"\nnum_programs = 256\nseed = 3\nuntil = ""\n')
    rc = main(["run", str(world), "--set", "grid=[16,16]", "--epochs", "2", "--json",
               "--no-history"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["world"]["grid"] == [16, 16] and summary["world"]["language"] == "forth"
    assert summary["world"]["name"] == "tiny"


def test_disasm_round_trip(capsys):
    assert main(["disasm", "bff", "--parse", "[[{.>]-]0"]) == 0
    hexed = capsys.readouterr().out.strip()
    assert hexed == b"[[{.>]-]\x00".hex()
    assert main(["disasm", "bff", hexed]) == 0
    assert capsys.readouterr().out.strip() == "[[{.>]-]0"
