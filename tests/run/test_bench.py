"""Smoke test of ``alife bench`` (soup throughput, Agüera y Arcas et al. 2024)."""

import json

import pytest

from alife.cli import main
from alife.errors import AlifeError
from alife.run.bench import EMERGED, default_conformance, parse_threads


def test_bench_json_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["bench", "--num-programs", "2048", "--epochs", "2", "--emerged-epochs", "1",
               "--threads", "1", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["num_programs"] == 2048
    assert out["compile_s"] >= 0
    results = out["results"]
    phases = [("bff_noheads", 1), ("bff", 1), ("bff_noheads_emerged", 1)]
    assert (default_conformance() / EMERGED).is_file()  # the project's copy: phase 3 always runs
    assert [(r["phase"], r["threads"]) for r in results] == phases
    for r in results:
        assert r["epochs_per_s"] > 0
        assert r["interactions_per_s"] > 0
        assert r["ops_per_s"] > 0
        assert r["ops_per_interaction"] > 0
        assert r["reference_epochs_per_s"] > 0
        assert r["ratio"] == pytest.approx(r["epochs_per_s"] / r["reference_epochs_per_s"])


@pytest.mark.parametrize("threads", ["0", "x", "1,", "100000"])
def test_bench_rejects_bad_threads(threads: str) -> None:
    with pytest.raises(AlifeError):
        parse_threads(threads)


def test_bench_rejects_bad_epochs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--epochs", "0", "--threads", "1"]) == 2
    assert "--epochs" in capsys.readouterr().err
