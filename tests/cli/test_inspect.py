"""inspect, export and import: histories to and from the reference's .dat checkpoints."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from alife import Soup
from alife.cli import main
from alife.history import History
from alife.soup.checkpoint import read_dat

EMERGED = "emerged/bff_noheads_seed0_epoch{}.dat.gz"


@pytest.mark.slow
def test_import_resume_export_continues_a_reference_soup_byte_for_byte(conformance, tmp_path,
                                                                         capsys):
    run = tmp_path / "emerged.h5"
    assert main(["import", str(conformance / EMERGED.format(3072)), "-o", str(run),
                 "--set", "seed=0"]) == 0
    with History(run) as h:
        assert h.status == "stopped" and h.stopped_by == "import"
        assert h.checkpoint().epoch == 3073 and h.world.num_programs == 131072
    assert main(["resume", str(run), "--epochs", "3076", "--quiet", "--threads", "2"]) == 0
    out = tmp_path / "0000003075.dat"
    assert main(["export", str(run), "-o", str(out)]) == 0
    reference = gzip.decompress((conformance / EMERGED.format(3075)).read_bytes())
    assert out.read_bytes() == reference  # header (reset counter, N, epochs) and soup


def test_export_a_snapshot_by_epoch(tmp_path):
    run = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=512", "--set", "snapshot_every=8", "--epochs",
                 "20", "--until", "", "--quiet", "--out", str(run)]) == 0
    out = tmp_path / "after9.dat"
    assert main(["export", str(run), "--epoch", "9", "-o", str(out)]) == 0
    cp = read_dat(out)
    soup = Soup(num_programs=512).run(9)
    assert cp.epochs == 9 and np.array_equal(cp.programs, soup.programs)


def test_inspect_a_history_as_json(tmp_path, capsys):
    run = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=512", "--epochs", "70", "--until", "",
                 "--quiet", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["inspect", str(run), "--json", "--top", "3"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["status"] == "finished" and info["epochs_completed"] == 70
    assert info["world"]["num_programs"] == 512 and info["world"]["epochs"] == 70
    assert info["last_metrics"]["epoch"] == 70 and info["observations"] == 3
    assert info["snapshots"] == [0, 1, 70]
    assert len(info["most_common"]) == 3 and all(r["count"] == 1 for r in info["most_common"])


def test_inspect_a_reference_checkpoint(conformance, capsys):
    assert main(["inspect", str(conformance / EMERGED.format(3072)), "--set", "seed=0",
                 "--top", "2"]) == 0
    text = capsys.readouterr().out
    assert "epochs_completed  3073" in text
    # the emerged soup's top two programs: 135 copies each, both full replicators (score 64)
    lines = [ln.split() for ln in text.splitlines() if ln.startswith("        ")]
    assert [(int(c), int(s)) for c, s, _ in lines[-2:]] == [(135, 64), (135, 64)]


def test_import_and_export_never_overwrite(conformance, tmp_path, capsys):
    run = tmp_path / "run.h5"
    assert main(["run", "--set", "num_programs=256", "--epochs", "2", "--quiet", "--out",
                 str(run)]) == 0
    target = tmp_path / "taken"
    target.write_bytes(b"precious")
    capsys.readouterr()
    assert main(["export", str(run), "-o", str(target)]) == 2
    assert main(["import", str(conformance / EMERGED.format(3072)), "-o", str(target)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("already exists" in line for line in err)
    assert target.read_bytes() == b"precious"
