"""The one registry of reported metrics (alife.metrics): every series named once, with its
meaning, unit, dtype, kinds and reporter, read by histories, --until, sweeps and the viewer."""

from __future__ import annotations

import csv
import importlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import alife
from alife.cli import main
from alife.errors import AlifeError
from alife.history import History, HistoryWriter
from alife.metrics import (
    all_metrics,
    metric_names,
    metrics_for,
    register_metric,
    register_reporter,
    report,
    reported_names,
    reporter_of,
    unregister_metric,
    unregister_reporter,
)
from alife.particles.soup import ParticleSoup
from alife.run.session import start_run
from alife.run.stop import parse_condition
from alife.run.sweep import columns
from alife.soup import Soup
from alife.viz.bridge import LiveBridge, sparkline_series
from alife.world import make_world

TINY = {"num_programs": 256, "report_every": 4, "snapshot_every": 0, "species_top": 2,
        "until": "", "score_sample": 8, "epochs": 32}
PLUGIN = "alife_test_metric_plugin"


def test_every_registry_entry_has_a_meaning_unit_dtype_and_a_reporter():
    specs = all_metrics()
    assert len({s.name for s in specs}) == len(specs) > 40
    for s in specs:
        assert s.meaning.strip() and s.unit.strip(), s.name
        assert np.dtype(s.dtype).kind in "fi", s.name
        assert set(s.kinds) <= {"program", "neural"} and s.kinds, s.name
        for kind in s.kinds:
            assert reporter_of(s.name, kind) is not None, (s.name, kind)
    # a reporter that does not run for every world only reports float (NaN-able) series
    for kind in ("program", "neural"):
        for s in metrics_for(kind):
            r = reporter_of(s.name, kind)
            assert s.dtype == "float64" or r.applies(make_world({"kind": kind})), s.name


def test_the_kinds_keep_their_own_metrics():
    program, neural = set(metric_names("program")), set(metric_names("neural"))
    assert {"h0", "higher_entropy", "richness", "modes_ecology"} <= program
    assert {"census_fixpoint", "fixpoint_fraction", "attacks"} <= neural
    assert not any(n.startswith("census_") for n in program)
    assert "higher_entropy" not in neural
    assert program & neural == {"epoch", "total_ops", "wall_time"}


@pytest.mark.parametrize("keys", [{}, {"hamming_radius": 2, "tracer_tokens": True},
                                  {"score_sample": 0}])
def test_a_program_soup_reports_exactly_its_registered_metrics(keys):
    soup = Soup(make_world({**TINY, **keys})).run(3)
    m = report(soup)
    assert list(m) == list(reported_names(soup.world))
    assert set(m) <= set(metric_names("program"))
    assert ("hamming_richness" in m) == bool(keys.get("hamming_radius"))
    assert ("token_origins" in m) == bool(keys.get("tracer_tokens"))
    assert ("score_mean" in m) == (keys.get("score_sample", 8) > 0)
    assert m["epoch"] == 3 and m["richness"] == len(soup.species()[1])
    assert soup.metrics() == m  # the soup's own report is the registry's


def test_a_particle_soup_reports_exactly_its_registered_metrics():
    soup = ParticleSoup(num_programs=64, seed=1).run(2)
    m = report(soup)
    assert set(m) == set(metric_names("neural")) - {"wall_time"}
    assert sum(m[f"census_{c}"] for c in ("divergent", "zero", "fixpoint", "second_order",
                                          "other")) == 64
    mine = soup.metrics()
    assert set(mine) == set(m)
    assert all(mine[k] == v or (v != v and mine[k] != mine[k]) for k, v in m.items())


def test_until_accepts_every_recorded_metric_of_the_kind_and_names_the_accepted_ones():
    assert parse_condition("richness>100").metric == "richness"
    assert parse_condition("modes_ecology>=1").metric == "modes_ecology"
    assert parse_condition("census_other<3", "neural").metric == "census_other"
    with pytest.raises(AlifeError, match=r"'census_other' is not a metric of program soups; "
                                         r"accepted: epoch, h0, .*richness"):
        parse_condition("census_other>3")
    with pytest.raises(AlifeError, match="not a metric of neural soups; accepted: .*census_"):
        parse_condition("higher_entropy>3", "neural")
    with pytest.raises(AlifeError, match="'nonsense' is not a metric of program soups"):
        make_world({"until": "nonsense>1"})


def test_alife_run_until_richness_stops_at_the_first_report_where_it_holds(tmp_path):
    out = tmp_path / "run.h5"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    args = ["--set", "num_programs=128", "--set", "report_every=4", "--set", "score_sample=0",
            "--set", "modes_persistence=0", "--epochs", "40"]
    p = subprocess.run(["alife", "run", *args, "--until", "richness>100", "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    with History(out) as h:
        m = h.metrics()
        assert h.stopped_by == "until"
    # a random soup of 128 programs has 128 species: the first report (after epoch 0) holds
    assert m["epoch"].tolist() == [1] and m["richness"][0] > 100
    bad = subprocess.run(["alife", "run", *args, "--until", "fixpoint_fraction>0.5",
                          "--out", str(tmp_path / "bad.h5")], capture_output=True, text=True,
                         env=env, timeout=300)
    assert bad.returncode != 0 and not (tmp_path / "bad.h5").exists()
    assert "'fixpoint_fraction' is not a metric of program soups; accepted:" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_history_writer_refuses_an_unregistered_name(tmp_path):
    world = make_world(TINY)
    w = HistoryWriter.create(tmp_path / "h.h5", world, alife.__version__)
    try:
        m = report(Soup(world).run(1))
        with pytest.raises(AlifeError, match=r"'bogus' are not series of .*register_metric"):
            w.append_metrics({**m, "bogus": 1.0})
        with pytest.raises(AlifeError, match="census_zero"):
            w.append_metrics({**m, "census_zero": 3})  # another kind's metric
        w.append_metrics(m)
    finally:
        w.close("finished", "epochs")
    with History(tmp_path / "h.h5") as h:
        got = h.metrics()
        assert got["epoch"].tolist() == [1] and "bogus" not in got
        assert h.file["metrics/richness"].attrs["unit"] == "species"


# --- a metric added by a plug-in reaches the history, --until, sweep tables and the viewer ---

@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A plug-in module registering ``epoch_squared`` (importable by spawned sweep workers)."""
    (tmp_path / f"{PLUGIN}.py").write_text(textwrap.dedent('''
        from alife.metrics import register_metric, register_reporter

        register_metric("epoch_squared", "the epoch count squared (a test metric)", "epochs^2",
                        kinds=("program",), table=True, sparkline=True)
        register_reporter("epoch_squared", ("epoch_squared",),
                          lambda soup: {"epoch_squared": float(soup.epoch) ** 2})
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ALIFE_PLUGINS", PLUGIN)
    importlib.import_module(PLUGIN)
    yield
    unregister_reporter("epoch_squared")
    unregister_metric("epoch_squared")
    sys.modules.pop(PLUGIN, None)


def test_a_registered_metric_reaches_history_until_sweep_and_viewer(plugin, tmp_path):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    world = make_world({**TINY, "until": "epoch_squared>100"})
    path = tmp_path / "run.h5"
    soup, outcome = start_run(world, path, alife_version=alife.__version__)
    # reports after epochs 1, 5, 9, 13: 13^2 = 169 is the first above 100
    assert outcome.stopped_by == "until" and soup.epoch == 13
    with History(path) as h:
        m = h.metrics()
        assert m["epoch"].tolist() == [1, 5, 9, 13]
        assert m["epoch_squared"].tolist() == [1.0, 25.0, 81.0, 169.0]
        assert h.file["metrics/epoch_squared"].attrs["unit"] == "epochs^2"

    assert "epoch_squared" in sparkline_series("program")
    bridge = LiveBridge(world)
    bridge.report(soup, report(soup))
    assert bridge.poll().series["epoch_squared"].tolist() == [169.0]

    from alife.viz.live import HistorySource  # the replay viewer's sparklines, headless

    source = HistorySource(path)
    try:
        assert source.frame_at(len(source) - 1).series["epoch_squared"].tolist() == \
            [1.0, 25.0, 81.0, 169.0]
    finally:
        source.close()

    out = tmp_path / "sweep"
    assert main(["sweep", "--set", "num_programs=256", "--set", "report_every=4",
                 "--set", "score_sample=0", "--seeds", "0:2", "--max-epochs", "12",
                 "--until", "", "--workers", "1", "--threads-per-run", "1", "--quiet",
                 "--out", str(out)]) == 0
    with open(out / "sweep.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert "epoch_squared" in columns("program")
    assert [float(r["epoch_squared"]) for r in rows] == [144.0, 144.0]


def test_registering_checks_its_input():
    with pytest.raises(AlifeError, match="already registered"):
        register_metric("h0", "again", "bits")
    with pytest.raises(AlifeError, match="meaning and unit must be non-empty"):
        register_metric("x_metric", "", "bits")
    with pytest.raises(AlifeError, match="dtype 'int8' not accepted; accepted: float64, int64"):
        register_metric("x_metric", "m", "1", "int8")
    with pytest.raises(AlifeError, match="'x_metric' is not registered"):
        register_reporter("x", ("x_metric",), lambda s: {})
    with pytest.raises(AlifeError, match="already computed by reporter 'complexity'"):
        register_reporter("x", ("h0",), lambda s: {})
    with pytest.raises(AlifeError, match="still computed by reporter"):
        unregister_metric("h0")
