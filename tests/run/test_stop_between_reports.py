"""A stop that falls between reports (before the first epoch, or after a chunk of epochs that
ends off the report cadence) checkpoints the soup without a metrics row: the resumed history's
rows, snapshots and bytes are an uninterrupted run's (DESIGN.md, Determinism and History)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from alife.cli import main
from alife.history import History
from alife.run.runner import MAX_CHUNK, clear_stop_requests, request_stop
from alife.run.session import start_run
from alife.world import make_world

REPORT_EVERY = 4 * MAX_CHUNK  # chunks end between reports
EPOCHS = 3 * REPORT_EVERY + 5
SETTINGS = {"num_programs": 512, "report_every": REPORT_EVERY, "epochs": EPOCHS, "until": "",
            "score_sample": 16, "snapshot_every": 2 * MAX_CHUNK, "seed": 11}


class _SignalAfter:
    """A watcher that sends this process SIGTERM after the chunk that reaches ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def gate(self, soup) -> int:
        return MAX_CHUNK

    def chunk(self, soup, epochs: int) -> None:
        if soup.epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGTERM)

    def report(self, soup, metrics) -> None:
        pass


def _twin(tmp_path):
    path = tmp_path / "twin.h5"
    start_run(make_world(SETTINGS), path, alife_version="test")
    return path


def _assert_same_run(a_path, b_path, stop: int) -> None:
    with History(a_path) as a, History(b_path) as b:
        assert a.status == b.status == "finished"
        assert a.checkpoint().epoch == b.checkpoint().epoch == EPOCHS
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        assert a.checkpoint().total_ops == b.checkpoint().total_ops
        ma, mb = a.metrics(), b.metrics()
        assert np.array_equal(ma["epoch"], mb["epoch"])
        for k in mb:
            if k != "wall_time":
                assert np.array_equal(ma[k], mb[k], equal_nan=True), k
        # the stopped session's final soup stays as one more snapshot
        assert set(a.snapshot_epochs().tolist()) - set(b.snapshot_epochs().tolist()) <= {stop}
        for e in b.snapshot_epochs():
            assert np.array_equal(a.snapshot(e).programs, b.snapshot(e).programs)
        assert np.array_equal(a.file["species/count"][:], b.file["species/count"][:])


@pytest.mark.parametrize("stop_after",
                         [MAX_CHUNK + 1, 2 * MAX_CHUNK + 1, REPORT_EVERY + MAX_CHUNK + 1])
def test_a_stop_off_the_report_cadence_checkpoints_without_a_row(tmp_path, stop_after):
    path = tmp_path / "stopped.h5"
    _, outcome = start_run(make_world(SETTINGS), path, alife_version="test",
                           watcher=_SignalAfter(stop_after))
    assert outcome.stopped_by == "interrupt" and outcome.epochs_completed == stop_after
    assert outcome.final["epoch"] == stop_after  # the summary still reports the soup there
    with History(path) as h:
        assert h.status == "stopped" and h.checkpoint().epoch == stop_after
        assert stop_after not in set(h.metrics()["epoch"].tolist())  # no row off the cadence
    assert main(["resume", str(path), "--quiet"]) == 0
    _assert_same_run(path, _twin(tmp_path), stop_after)


def test_a_stop_before_the_first_epoch_resumes_to_the_twin(tmp_path):
    path = tmp_path / "stopped.h5"
    request_stop(signal.SIGTERM)  # arrived while the run was being set up
    try:
        _, outcome = start_run(make_world(SETTINGS), path, alife_version="test")
    finally:
        clear_stop_requests()
    assert outcome.stopped_by == "interrupt" and outcome.epochs_completed == 0
    with History(path) as h:
        # nothing ran: no checkpoint (the seed makes the initial soup) and no row
        assert h.status == "stopped" and h.checkpoint() is None
        assert len(h.metrics()["epoch"]) == 0 and list(h.snapshot_epochs()) == [0]
    assert main(["resume", str(path), "--quiet"]) == 0
    _assert_same_run(path, _twin(tmp_path), 0)


def test_a_resumed_run_stopped_at_once_adds_no_row(tmp_path):
    path = tmp_path / "stopped.h5"
    start_run(make_world(SETTINGS), path, alife_version="test",
              watcher=_SignalAfter(REPORT_EVERY + 1))  # on the cadence: its report is a row
    with History(path) as h:
        rows = h.metrics()["epoch"].tolist()
    request_stop(signal.SIGTERM)
    try:
        assert main(["resume", str(path), "--quiet"]) == 128 + signal.SIGTERM
    finally:
        clear_stop_requests()
    with History(path) as h:
        assert h.metrics()["epoch"].tolist() == rows
    assert main(["resume", str(path), "--quiet"]) == 0
    _assert_same_run(path, _twin(tmp_path), REPORT_EVERY + 1)
