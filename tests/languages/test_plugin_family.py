"""A family of one's own plugs in at one place: the test-only family of ``toy_family.py``
registers itself and runs end to end (soup, history, kill and resume, replication score,
diversity keys, a viewer frame, ``alife disasm``) with no edit anywhere else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alife import languages
from alife.errors import AlifeError
from alife.history import History
from alife.languages.pure import run_py
from alife.measures.diversity import species_labels
from alife.measures.replication import replication_score
from alife.soup import Soup

TOY = Path(__file__).with_name("toy_family.py")
ENV = {**os.environ, "ALIFE_PLUGINS": str(TOY), "SDL_VIDEODRIVER": "dummy"}
COPIER = bytes([0x02, 0x01, 0x07])  # copy tape[h] across, h += 1, jump back 2: a copy loop


@pytest.fixture
def toy():
    """The toy family, registered for one test and removed afterwards."""
    languages.load_plugins(str(TOY))
    module = sys.modules["alife_plugin_toy_family"]
    languages.register_family(module.FAMILY)  # again, if an earlier test removed it
    yield module.FAMILY
    languages.unregister_family("toy")


def alife(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
    """The ``alife`` command in a process that loads the toy family from ALIFE_PLUGINS."""
    done = subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert not check or done.returncode == 0, done.stderr
    return done


def test_the_family_registers_its_languages_and_leaves(toy):
    assert languages.names()[-2:] == ["toy", "toy_back"]
    assert languages.get("toy_back").family is toy and languages.get("toy_back").variant == 1
    languages.unregister_family("toy")
    assert "toy" not in languages.names()
    with pytest.raises(AlifeError, match="unknown language 'toy'"):
        languages.get("toy")
    languages.register_family(toy)  # for the fixture's teardown


@pytest.mark.parametrize("size", [16, 32, 128, 256])
def test_its_numba_interpreter_agrees_with_its_twin(toy, size):
    rng = np.random.default_rng(size)
    for name in ("toy", "toy_back"):
        lang = languages.get(name)
        for _ in range(200):
            tape = rng.integers(0, 256, 2 * size, dtype=np.uint8)
            limit = int(rng.integers(0, 3000))
            fast = lang.run(tape, limit, tape_size=2 * size)
            slow, ops = run_py(name, tape.tobytes(), limit)
            assert (fast.ops, fast.tape.tobytes()) == (ops, bytes(slow))


def test_a_toy_soup_runs_in_the_generated_kernel_and_copies(toy):
    soup = Soup(language="toy", num_programs=256, seed=3, mutation_prob=0.0)
    soup.programs[:] = 0
    soup.programs[:, :3] = np.frombuffer(COPIER, dtype=np.uint8)
    soup.programs[1::2] = 7  # every other program: jump back forever (counts ops, copies none)
    soup.run(2)
    # a copier meets any partner: the tape ends copier|copier, so copiers can only spread
    assert (soup.programs[:, :3] == np.frombuffer(COPIER, np.uint8)).all(axis=1).sum() > 128
    assert soup.total_ops > 0


def test_replication_score_and_diversity_keys_read_the_declaration(toy):
    assert replication_score(COPIER, "toy") == 64
    assert replication_score(bytes([0x01] * 8), "toy") == 0  # moves the head, copies nothing
    programs = np.zeros((3, 64), dtype=np.uint8)
    programs[0, :3] = [0x02, 0x01, 0x07]
    programs[1, :6] = [0x02, 0x04, 0x01, 0x08, 0x07, 0x00]  # 0x04, 0x08: no-ops in between
    programs[2, :3] = [0x01, 0x02, 0x07]
    labels, counts = species_labels(programs, "skeleton", "toy")
    assert labels.tolist() == [0, 0, 1] and counts.tolist() == [2, 1]
    labels, _ = species_labels(programs, "exact", "toy")
    assert labels.tolist() == [0, 1, 2]


def test_a_viewer_frame_colours_the_toy_by_its_roles(toy, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from alife.viz.bridge import SoupFrame
    from alife.viz.palette import byte_colours, palette_legend
    from alife.viz.render import SOUP_PANE, FramePainter
    from alife.viz.tiles import Viewport
    from alife.viz.trace import trace_interaction
    from alife.world import make_world

    pygame = pytest.importorskip("pygame")
    world = make_world({"num_programs": 64, "language": "toy"})
    programs = np.zeros((64, 64), dtype=np.uint8)
    programs[5, :3] = np.frombuffer(COPIER, dtype=np.uint8)
    surface = pygame.Surface((1280, 800))
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h)
    FramePainter(world).draw(surface, SoupFrame(world, programs, epoch=1), view)
    x, y, _, _ = view.tile_rect(5)
    z = view.zoom
    got = [tuple(surface.get_at((int(SOUP_PANE.x + x + (j + 0.5) * z),
                                 int(SOUP_PANE.y + y + 0.5 * z))))[:3] for j in range(3)]

    colours = byte_colours("toy")
    assert got == [tuple(colours[b]) for b in COPIER]
    assert tuple(colours[0x01]) == (185, 160, 240)  # a head move
    assert tuple(colours[0x02]) == (225, 30, 205)  # a copy
    assert tuple(colours[0x07]) == (30, 165, 60)  # a jump
    assert [label for label, _ in palette_legend("toy")][0] == "byte 0 (no-op)"
    trace = trace_interaction("toy", COPIER, bytes(64), limit=30)
    assert trace.head0[:4].tolist() == [0, 0, 1, 1] and trace.ops == 30
    assert trace.ops_before[-1] == trace.ops


def test_the_command_runs_kills_resumes_and_disassembles_a_toy_soup(toy, tmp_path):
    listed = alife("languages").stdout
    assert "toy" in listed and "toy_back" in listed
    assert alife("disasm", "toy", COPIER.hex()).stdout.strip() == "020107"
    assert alife("disasm", "toy", "02 01 07", "--parse").stdout.strip() == "020107"

    world = ["--set", "language=toy", "--set", "num_programs=1024", "--set", "report_every=1",
             "--set", "score_sample=8", "--set", "snapshot_every=16", "--until", "",
             "--epochs", "300", "--quiet"]
    whole = tmp_path / "whole.h5"
    alife("run", *world, "--out", whole)
    killed = tmp_path / "killed.h5"
    proc = subprocess.Popen([sys.executable, "-m", "alife.cli", "run", *world, "--threads", "1",
                             "--out", str(killed)], env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        _wait_for_reports(killed, 20, proc)
        proc.kill()
    finally:
        proc.kill()
        proc.wait()
    alife("resume", killed, "--quiet")
    with History(killed) as a, History(whole) as b:
        assert a.attrs["resumes"] == 1 and a.checkpoint().epoch == b.checkpoint().epoch == 300
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        assert a.checkpoint().total_ops == b.checkpoint().total_ops
    # without the plug-in the language is unknown, with one clear line
    plain = subprocess.run([sys.executable, "-m", "alife.cli", "resume", str(killed)],
                           env={k: v for k, v in ENV.items() if k != "ALIFE_PLUGINS"},
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 2 and "unknown language 'toy'" in plain.stderr
    assert "Traceback" not in plain.stderr


def _wait_for_reports(path: Path, count: int, proc: subprocess.Popen) -> None:
    """Wait until the run writing ``path`` has flushed ``count`` reports."""
    import time

    import h5py

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the run ended early: {proc.stderr.read()}"
        if path.exists():
            try:
                with h5py.File(path, "r", swmr=True, libver="latest") as f:
                    if len(f["metrics/epoch"]) >= count:
                        return
            except (OSError, KeyError):
                pass
        time.sleep(0.02)
    raise AssertionError("no reports in time")
