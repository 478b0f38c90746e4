"""History files (docs/spec/history.md): layout, SWMR live reading, xarray, format checks."""

from __future__ import annotations

import time

import h5py
import numpy as np
import pytest

import alife
from alife.errors import AlifeError
from alife.history import FORMAT_VERSION, History, HistoryWriter
from alife.metrics import metric_names
from alife.run.session import resume_run, start_run
from alife.world import make_world

SMALL = {"num_programs": 512, "report_every": 8, "snapshot_every": 16, "species_top": 4,
         "until": "", "score_sample": 32}


def _run(path, **keys):
    world = make_world({**SMALL, **keys})
    return start_run(world, path, alife_version=alife.__version__)


def test_layout_cadence_and_provenance(tmp_path):
    path = tmp_path / "run.h5"
    soup, outcome = _run(path, epochs=40, seed=3)
    assert outcome.status == "finished" and outcome.epochs_completed == 40
    with History(path) as h:
        a = h.attrs
        assert a["format"] == "alife-history" and a["format_version"] == FORMAT_VERSION
        assert a["seed"] == 3 and a["language"] == "bff_noheads" and a["status"] == "finished"
        assert h.world == soup.world and 'until = ""' in a["world"]
        m = h.metrics()
        assert m["epoch"].tolist() == [1, 9, 17, 25, 33, 40]  # after e % 8 == 0, and the end
        assert set(m) == set(metric_names("program"))  # the kind's metrics, no neural ones
        assert not any(k.startswith("census_") for k in m)
        # snapshots: the initial soup, after every e % 16 == 0, the final soup
        assert h.snapshot_epochs().tolist() == [0, 1, 17, 33, 40]
        assert np.array_equal(h.snapshot(40).programs, soup.programs)
        cp = h.checkpoint()
        assert cp.epoch == 40 and np.array_equal(cp.programs, soup.programs)
        assert cp.total_ops == soup.total_ops
        epoch, top = h.species()
        assert epoch == 40 and [c for _, c in top] == [c for _, c in soup.most_common(4)]


@pytest.mark.slow
def test_metric_series_carry_the_epoch_dimension_scale(tmp_path):
    path = tmp_path / "run.h5"
    _run(path, epochs=17)
    import xarray as xr

    with History(path) as h:
        h0 = h.metrics()["h0"]
    with xr.open_dataset(path, group="metrics", engine="h5netcdf") as ds:
        assert ds["higher_entropy"].dims == ("epoch",)
        assert ds["epoch"].values.tolist() == [1, 9, 17]
        assert np.array_equal(ds["h0"].values, h0)


@pytest.mark.slow
def test_a_swmr_reader_sees_observations_while_the_writer_appends(tmp_path, live_writer):
    path = tmp_path / "live.h5"
    proc = live_writer(path, 512, 400, 0.02)
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = []
        while True:  # the file exists a moment before the writer has switched SWMR on
            try:
                f = h5py.File(path, "r", swmr=True, libver="latest")
                break
            except OSError:
                assert time.monotonic() < deadline, "the writer never switched SWMR on"
                time.sleep(0.05)
        with f:
            assert f.attrs["status"] == "running"
            epochs = f["metrics/epoch"]
            while len(seen) < 4 and time.monotonic() < deadline:
                epochs.refresh()
                n = epochs.shape[0]
                if n and (not seen or n > seen[-1]):
                    seen.append(n)
                time.sleep(0.05)
            assert proc.poll() is None, "the writer ended before the reader saw it grow"
            f["metrics/higher_entropy"].refresh()
            assert f["metrics/higher_entropy"].shape[0] >= seen[-1]
        assert len(seen) >= 4 and seen == sorted(seen)
    finally:
        proc.kill()
        proc.wait()


def test_newer_format_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "run.h5"
    _run(path, epochs=2)
    with h5py.File(path, "r+") as f:
        f.attrs["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(AlifeError, match=f"format version {FORMAT_VERSION + 1}.*upgrade alife"):
        History(path)


def test_a_version_1_history_still_reads_and_resumes_as_the_current_version(tmp_path):
    path = tmp_path / "run.h5"
    _run(path, epochs=9)
    with h5py.File(path, "r+") as f:  # version 1: every series float64, both kinds' names
        f.attrs["format_version"] = 1
        m = f["metrics"]
        n = m["epoch"].shape[0]
        richness = m["richness"][:]
        del m["richness"]
        m.create_dataset("richness", data=richness.astype("f8"), maxshape=(None,))
        m.create_dataset("census_zero", data=np.full(n, np.nan), maxshape=(None,))
    with History(path) as h:
        assert h.metrics()["epoch"].tolist() == [1, 9] and "census_zero" in h.metrics()
    resume_run(path, alife_version=alife.__version__, epochs=17)
    with History(path) as h:
        assert h.attrs["format_version"] == FORMAT_VERSION == 3
        m = h.metrics()
        assert m["epoch"].tolist() == [1, 9, 17] and "census_zero" not in m
        assert m["richness"].dtype == np.int64 and m["richness"][0] == richness[0]


def test_create_never_overwrites(tmp_path):
    path = tmp_path / "run.h5"
    path.write_bytes(b"keep")
    with pytest.raises(AlifeError, match="already exists"):
        HistoryWriter.create(path, make_world(SMALL), "0")
    assert path.read_bytes() == b"keep"


def test_checkpoint_slots_alternate_and_one_is_always_complete(tmp_path):
    path = tmp_path / "run.h5"
    _run(path, epochs=25)
    with h5py.File(path, "r") as f:
        active = int(f["checkpoint/active"][0])
        # four reports: 1, 9, 17, 25 -> slots 0, 1, 0, 1
        assert active == 1 and f["checkpoint/epoch"][1] == 25 and f["checkpoint/epoch"][0] == 17
