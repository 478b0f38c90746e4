"""Reports computed in a worker thread while the soup runs on equal the reports computed inline:
the same metrics, the same stop, the same final soup and the same history file."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import alife.run.session as session
from alife import __version__
from alife.run.runner import run_soup
from alife.run.stop import parse_condition
from alife.soup import Soup
from alife.world import make_world


def _world(**keys):
    base = {"language": "bff_noheads", "num_programs": 512, "seed": 3, "score_sample": 32,
            "report_every": 4, "epochs": 40, "until": ""}
    base.update(keys)
    return make_world(base)


def _reports(summary):
    return [{k: v for k, v in m.items() if k != "wall_time"} for m in summary.reports]


def _run(world, background, until=None):
    soup = Soup(world)
    seen = []
    summary = run_soup(soup, world.epochs, until, world.report_every,
                       observers=(lambda s, m: seen.append((s.epoch, s.programs.copy())),),
                       background=background)
    return soup, summary, seen


@pytest.mark.parametrize("language", ["bff_noheads", "forth", "subleq"])
def test_background_reports_equal_inline(language):
    world = _world(language=language)
    soup_a, a, seen_a = _run(world, background=False)
    soup_b, b, seen_b = _run(world, background=True)
    assert len(a.reports) == 11  # epochs 0, 4, ..., 36 and the last (39)
    assert _reports(a) == _reports(b)
    assert [e for e, _ in seen_a] == [e for e, _ in seen_b]
    for (_, pa), (_, pb) in zip(seen_a, seen_b, strict=True):
        np.testing.assert_array_equal(pa, pb)  # observers see the soup of the report's epoch
    np.testing.assert_array_equal(soup_a.programs, soup_b.programs)
    assert (soup_a.epoch, soup_a.total_ops, soup_a.last_ops) == \
        (soup_b.epoch, soup_b.total_ops, soup_b.last_ops)


def test_background_until_stops_at_the_reported_epoch():
    """The report that meets ``until`` arrives after the next chunk ran: the soup goes back."""
    world = _world()
    until = parse_condition("epoch>=9")
    soup_a, a, _ = _run(world, background=False, until=until)
    soup_b, b, _ = _run(world, background=True, until=until)
    assert a.stopped_by == b.stopped_by == "until"
    assert soup_a.epoch == soup_b.epoch == 9  # the report after 0-based epoch 8
    assert _reports(a) == _reports(b)
    np.testing.assert_array_equal(soup_a.programs, soup_b.programs)
    assert (soup_a.reset_index, soup_a.total_ops, soup_a.last_ops,
            soup_a.last_interactions) == (soup_b.reset_index, soup_b.total_ops,
                                          soup_b.last_ops, soup_b.last_interactions)
    assert a.epochs == b.epochs


def _datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and "wall_time" not in name:
                out[name] = obj[()]
        f.visititems(visit)
    return out


def test_background_history_equals_inline(tmp_path, monkeypatch):
    """Through ``start_run``: every dataset of the history but the wall-clock times agrees."""
    world = _world(epochs=30, until="epoch>=21", snapshot_every=8, species_top=4)
    session.start_run(world, tmp_path / "background.h5", alife_version=__version__)
    inline = session.run_soup

    def without_background(*args, **kwargs):
        kwargs["background"] = False
        return inline(*args, **kwargs)

    monkeypatch.setattr(session, "run_soup", without_background)
    session.start_run(world, tmp_path / "inline.h5", alife_version=__version__)
    a, b = _datasets(tmp_path / "inline.h5"), _datasets(tmp_path / "background.h5")
    assert sorted(a) == sorted(b)
    assert "checkpoint/programs" in a or any("checkpoint" in k for k in a)
    for name in a:
        if a[name].dtype.names:  # compound rows (metrics): compare every field but wall_time
            for field in a[name].dtype.names:
                if field != "wall_time":
                    np.testing.assert_array_equal(a[name][field], b[name][field], err_msg=name)
        else:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
