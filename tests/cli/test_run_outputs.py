"""Where ``alife run`` writes and what it starts from: an existing run is never silently doubled,
a reference checkpoint is continued as the language the command line names, and ``--epochs``
after ``--from`` counts the checkpoint's epochs (refused when it would run none)."""

from __future__ import annotations

import json

import h5py
import pytest

from alife.cli import main

TINY = ["--set", "num_programs=256", "--epochs", "6", "--until", "", "--quiet"]
EMERGED = "emerged/bff_noheads_seed0_epoch3073.dat.gz"  # 3074 epochs completed


def _one_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("alife: error: ") and err.count("\n") == 1, err
    return err


def test_rerunning_the_default_run_suggests_resume_or_new(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    first = tmp_path / "runs" / "bff_noheads__seed0.h5"
    assert main(["run", *TINY]) == 0 and first.exists()
    before = first.read_bytes()
    capsys.readouterr()
    # finished: say so, and how to look at it or go on
    assert main(["run", *TINY]) == 2
    err = _one_error(capsys)
    assert "runs/bff_noheads__seed0.h5 already holds this run, finished after 6 epochs" in err
    assert "`alife resume runs/bff_noheads__seed0.h5 --epochs N`" in err
    assert "--new (it writes runs/bff_noheads__seed0-2.h5)" in err
    assert first.read_bytes() == before
    assert not (tmp_path / "runs" / "bff_noheads__seed0-2.h5").exists()
    # --new: a fresh numbered run, explicitly
    assert main(["run", *TINY, "--new", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["history"] == "runs/bff_noheads__seed0-2.h5"
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == \
        ["bff_noheads__seed0-2.h5", "bff_noheads__seed0.h5"]


def test_an_unfinished_default_run_is_pointed_at_resume(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "runs" / "bff_noheads__seed0.h5"
    assert main(["run", *TINY]) == 0
    with h5py.File(path, "r+") as f:  # what Ctrl-C leaves
        f.attrs["status"] = "stopped"
        f.attrs["stopped_by"] = "interrupt"
    capsys.readouterr()
    assert main(["run", *TINY]) == 2
    err = _one_error(capsys)
    assert "already holds this run, stopped after 6 of 6 epochs: continue it with `alife " \
           "resume runs/bff_noheads__seed0.h5`" in err
    assert not (tmp_path / "runs" / "bff_noheads__seed0-2.h5").exists()


def test_a_default_path_holding_another_world_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", *TINY]) == 0
    capsys.readouterr()
    assert main(["run", *TINY, "--set", "num_programs=512"]) == 2
    assert "holds a run of another world (num_programs = 256 there, 512 here); start this one " \
           "with --new" in _one_error(capsys)


@pytest.mark.parametrize("flags,named", [(["--out", "x.h5", "--no-history"],
                                          "--out and --no-history"),
                                         (["--new", "--no-history"], "--new and --no-history"),
                                         (["--out", "x.h5", "--new"], "--out and --new")])
def test_contradicting_history_flags_are_refused(tmp_path, monkeypatch, capsys, flags, named):
    monkeypatch.chdir(tmp_path)
    assert main(["run", *TINY, *flags]) == 2
    err = _one_error(capsys)
    assert f"{named} contradict each other" in err and "accepted: one of them" in err
    assert not (tmp_path / "x.h5").exists() and not (tmp_path / "runs").exists()


def test_from_without_a_language_is_refused(conformance, capsys):
    dat = str(conformance / EMERGED)
    assert main(["run", "--from", dat, "--epochs", "3080", "--no-history", "--quiet"]) == 2
    err = _one_error(capsys)
    assert "a .dat stores neither the language nor the seed" in err
    assert "--set language=NAME" in err and "bff_noheads" in err


def test_from_says_how_it_continues_the_checkpoint(conformance, capsys):
    dat = str(conformance / EMERGED)
    assert main(["run", "--from", dat, "--set", "language=bff_noheads", "--epochs", "3075",
                 "--no-history", "--json"]) == 0
    out, err = capsys.readouterr()
    assert f"continuing {dat} (epoch 3074) as bff_noheads, seed 0;" in err
    summary = json.loads(out)
    assert (summary["epochs_run"], summary["epochs_completed"]) == (1, 3075)


@pytest.mark.parametrize("epochs,message", [
    (["--epochs", "64"], "--epochs 64: {dat} already holds 3074 completed epochs and --epochs "
     "counts the total, theirs included; accepted: an integer > 3074 (e.g. --epochs 3138 for "
     "64 more)"),
    (["--set", "epochs=3000"], "it already holds 3074 completed epochs, the world's limit is "
     "3000; pass --epochs N with N > 3074"),
])
def test_from_with_epochs_that_would_run_none_is_refused(conformance, capsys, epochs, message):
    dat = str(conformance / EMERGED)
    assert main(["run", "--from", dat, "--set", "language=bff_noheads", *epochs,
                 "--no-history", "--quiet"]) == 2
    assert message.format(dat=dat) in _one_error(capsys)


def test_inspect_a_dat_says_which_language_it_reads(conformance, capsys):
    dat = str(conformance / EMERGED)
    assert main(["inspect", dat, "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "read_as           bff_noheads, seed 0 (assumed: a .dat stores neither language " \
           "nor seed; pass --world W.toml or --set language=..." in out
    assert main(["inspect", dat, "--top", "1", "--set", "language=bff", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["read_as"] == "bff, seed 0 (from --set)" and info["language_given"] is True

