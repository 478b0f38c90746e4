"""The live viewer (alife.viz), headless: SDL's dummy video driver, frames checked pixel by pixel,
events posted to pygame's queue, the trace against the interpreters, and the same history with
and without the viewer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

import alife
from alife.cli import main
from alife.errors import AlifeError
from alife.history import History
from alife.languages import get
from alife.run.session import start_run
from alife.soup import read_dat
from alife.viz.bridge import LiveBridge, SoupFrame
from alife.viz.live import HistorySource, LiveSource, Viewer, open_window, view_run
from alife.viz.palette import byte_colours
from alife.viz.render import ACCENT, HEAD0, HEAD1, SOUP_PANE, FramePainter
from alife.viz.soup_image import soup_image
from alife.viz.tiles import Viewport
from alife.viz.trace import trace_interaction
from alife.world import make_world

os.environ["SDL_VIDEODRIVER"] = "dummy"  # read when a window opens: no display needed
ROOT = Path(__file__).resolve().parents[2]

TINY = {"num_programs": 256, "report_every": 8, "snapshot_every": 16, "species_top": 4,
        "until": "", "score_sample": 16, "epochs": 48}


@pytest.fixture(scope="module")
def replicator(conformance) -> tuple[bytes, bytes]:
    """The most common program of the paper's emerged seed-0 soup (a replicator) and a partner."""
    soup = read_dat(conformance / "emerged" / "bff_noheads_seed0_epoch3072.dat.gz").programs
    keys, counts = np.unique(soup, axis=0, return_counts=True)
    top = keys[np.argmax(counts)]
    partner = next(p for p in soup if not np.array_equal(p, top)  # nor its mirror image
                   and not np.array_equal(p[::-1], top))
    return top.tobytes(), partner.tobytes()


def _tile_centre(view: Viewport, member: int, byte: int) -> tuple[int, int]:
    """Window pixel at the centre of byte ``byte`` of ``member``'s tile."""
    x, y, _, _ = view.tile_rect(member)
    z = view.zoom
    return (int(SOUP_PANE.x + x + (byte % 8 + 0.5) * z),
            int(SOUP_PANE.y + y + (byte // 8 + 0.5) * z))


# --- rendering ------------------------------------------------------------------------------------


def test_a_program_tile_has_the_palette_colours_in_place():
    world = make_world({"num_programs": 64, "language": "bff_noheads"})
    rng = np.random.default_rng(1)
    programs = rng.integers(0, 256, (64, 64), dtype=np.uint8)
    known = np.frombuffer(get("bff_noheads").parse("[[{.>]-]0+-,<>{}") + bytes(range(200, 248)),
                          dtype=np.uint8)
    programs[13] = known
    frame = SoupFrame(world, programs, epoch=7)
    surface = pygame.Surface((1280, 800))
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h)
    assert view.zoom == 8.0 and view.columns == 8  # 8 x 8 tiles of 8 x 8 bytes: 8 px a byte
    FramePainter(world).draw(surface, frame, view)
    colours = byte_colours("bff_noheads")
    for j, b in enumerate(known):
        assert tuple(surface.get_at(_tile_centre(view, 13, j)))[:3] == tuple(colours[b]), j
    # byte 0 of program 13 is '[' (green) at the tile's top left, byte 8 '0' (red) below it
    assert tuple(colours[known[0]]) == (30, 165, 60) and tuple(colours[known[8]]) == (220, 30, 30)
    assert view.member_at(*(np.array(_tile_centre(view, 13, 9)) - SOUP_PANE.topleft)) == 13


def test_soup_pane_equals_the_soup_image_of_the_analysis_issue():
    world = make_world({"num_programs": 2048})
    programs = np.random.default_rng(2).integers(0, 256, (2048, 64), dtype=np.uint8)
    surface = pygame.Surface((1280, 800))
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h)
    FramePainter(world).draw_soup(surface, programs, view)
    pane = pygame.surfarray.array3d(surface.subsurface(SOUP_PANE)).transpose(1, 0, 2)
    image = soup_image(programs, world.language)  # 64 x 32 tiles
    z = int(view.zoom)
    assert np.array_equal(pane[: image.shape[0] * z: z, : image.shape[1] * z: z], image)


def test_a_2d_world_is_drawn_on_its_grid():
    world = make_world({"num_programs": 24 * 10, "grid": [24, 10]})
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h)
    assert view.columns == 24
    x, y, _, _ = view.tile_rect(24 * 3 + 5)  # grid cell (x=5, y=3)
    assert (x, y) == (5 * 8 * view.zoom, 3 * 8 * view.zoom)


# --- the trace ------------------------------------------------------------------------------------


def test_trace_of_a_known_replicator_matches_the_interpreters(replicator):
    program, partner = replicator
    bff = get("bff_noheads")
    tape = np.frombuffer(program + partner, dtype=np.uint8)
    tr = trace_interaction("bff_noheads", program, partner)
    final, ops = bff.run(tape)  # numba
    assert np.array_equal(tr.final_tape, final) and tr.ops == ops == tr.ops_before[-1]
    # the tape before every sampled step equals the numba interpreter stopped at that step limit
    for s in list(range(0, 64)) + list(range(64, tr.steps + 1, 97)):
        assert np.array_equal(tr.tapes[s], bff.run(tape, s).tape), s
    # pc and heads: every copy step moved exactly the bytes its heads name
    t = tr.tapes
    for s in range(tr.steps):
        op = chr(t[s, tr.pc[s]])
        h0, h1 = tr.head0[s], tr.head1[s]
        if op == ",":
            assert t[s + 1, h0] == t[s, h1]
        elif op == ".":
            assert t[s + 1, h1] == t[s, h0]
        elif op == "<":
            assert tr.head0[s + 1] == (h0 - 1) % 128 or tr.pc[s + 1] < 0
    # it replicates: the partner's half ends as the program's mirror image (this replicator
    # copies itself backwards, head1 up from byte 0 while head0 runs down from 127)
    assert tr.tapes[0, 64:][::-1].tobytes() != program
    assert tr.final_tape[64:][::-1].tobytes() == program
    assert tr.final_tape[:64].tobytes() == program


@pytest.mark.parametrize("language", ["bff", "bff_noheads_4bit", "forth", "forthcopy", "subleq",
                                      "rsubleq4"])
def test_traces_end_where_the_numba_interpreter_ends(language):
    lang = get(language)
    rng = np.random.default_rng(5)
    for _ in range(20):
        tape = rng.integers(0, 256, 128, dtype=np.uint8)
        tr = trace_interaction(language, tape[:64], tape[64:])
        final, ops = lang.run(tape)
        assert np.array_equal(tr.final_tape, final) and tr.ops == ops
        assert tr.steps == len(tr.tapes) - 1 and np.array_equal(tr.tapes[0], tape)
        if language.startswith("bff"):
            assert tr.ops_before[-1] == ops
        if language == "bff":  # heads start at the first two bytes, the program at byte 2
            assert (tr.pc[0], tr.head0[0], tr.head1[0]) == (2, tape[0] % 128, tape[1] % 128)


def test_the_trace_panel_draws_pc_and_heads_over_the_tape(replicator):
    program, partner = replicator
    world = make_world({"num_programs": 2})
    programs = np.frombuffer(program + partner, dtype=np.uint8).reshape(2, 64).copy()
    surface = pygame.Surface((1280, 800))
    viewer = Viewer(_StaticSource(SoupFrame(world, programs, 0)), surface)
    viewer.tick()
    panel = viewer.open_program(0, partner=1)
    panel.step = 300
    viewer.draw()
    tr = panel.trace
    pc, h0, h1 = tr.pc[300], tr.head0[300], tr.head1[300]
    assert pc < 64 and h0 >= 64 and h1 < 64  # pc and head1 in the program, head0 in the partner
    tx, y0, cw, ch, gap = SOUP_PANE.x + 12 + 30, SOUP_PANE.y + 8 + 46, 15, 22, 26
    # pc: a 2-pixel box around its cell, in the accent colour
    assert tuple(surface.get_at((tx + pc * cw - 1, y0 + ch // 2)))[:3] == ACCENT
    # head0 (second row): a triangle under the cell; head1 (first row): above it
    assert tuple(surface.get_at((tx + (h0 - 64) * cw + cw // 2, y0 + ch + gap + ch + 5)))[:3] \
        == HEAD0
    assert tuple(surface.get_at((tx + h1 * cw + cw // 2, y0 - 5)))[:3] == HEAD1


class _StaticSource:
    """A source that shows one fixed frame (for drawing tests)."""

    mode = "replay"
    rate = None

    def __init__(self, frame: SoupFrame) -> None:
        self.world, self.frame, self.sent = frame.world, frame, False

    def poll(self):
        frame, self.sent = (None if self.sent else self.frame), True
        return frame

    def toggle_pause(self) -> bool:
        return True

    def step(self) -> None: ...

    def change_rate(self, faster: bool) -> None: ...

    def scrub(self, delta: int) -> None: ...


# --- the hand-over between the soup's thread and the window ---------------------------------------


def test_the_bridge_hands_over_copies_only_when_asked_and_throttles():
    from alife.run.runner import MAX_CHUNK
    from alife.soup import Soup

    world = make_world({**TINY, "num_programs": 64})
    soup, bridge = Soup(world), LiveBridge(world)
    assert bridge.gate(soup) == MAX_CHUNK  # unthrottled: never waits
    soup.run(3)
    bridge.chunk(soup, 3)
    frame = bridge.poll()
    assert frame.epoch == 3 and np.array_equal(frame.programs, soup.programs)
    assert frame.programs is not soup.programs and frame.status == "running"
    assert bridge.poll() is None  # nothing new
    soup.run(1)
    bridge.chunk(soup, 1)  # asked for by the last poll: copied
    soup.run(1)
    bridge.chunk(soup, 1)  # not asked for since: not copied
    assert bridge.poll().epoch == 4
    bridge.change_rate(False)
    bridge.change_rate(False)
    assert bridge.rate == 64
    bridge.poll()  # one frame: 64 epochs allowed
    assert [bridge.gate(soup) for _ in range(4)] == [16, 16, 16, 16]
    bridge.finish()
    assert bridge.poll().status == "finished"  # the end shows even without a new soup


# --- events on a live soup ------------------------------------------------------------------------


def _key(key: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=""))


def _click(pos: tuple[int, int]) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=pos))


def _wait(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_keys_pause_and_step_a_running_soup_and_a_click_opens_a_program(tmp_path):
    world = make_world({**TINY, "epochs": 100000})
    bridge = LiveBridge(world)
    outcome = {}
    sim = threading.Thread(target=lambda: outcome.update(
        r=start_run(world, None, alife_version=alife.__version__, watcher=bridge)))
    sim.start()
    try:
        viewer = Viewer(LiveSource(bridge), open_window("test"), screenshot_dir=tmp_path)
        assert _wait(lambda: bridge.epoch >= 20)
        _key(pygame.K_SPACE)
        viewer.tick()
        assert bridge.paused
        time.sleep(0.3)  # the chunk under way ends; then the soup waits
        e0 = bridge.epoch
        time.sleep(0.3)
        assert bridge.epoch == e0  # paused: no epochs
        _key(pygame.K_PERIOD)
        viewer.tick()
        assert _wait(lambda: bridge.epoch == e0 + 1)
        time.sleep(0.3)
        assert bridge.epoch == e0 + 1  # exactly one epoch
        assert _wait(lambda: viewer.tick() and viewer.frame.epoch == e0 + 1)
        assert viewer.frame.status == "paused"
        _key(pygame.K_MINUS)
        viewer.tick()
        assert bridge.rate == 256  # one step slower than "as fast as it runs"
        _click(_tile_centre(viewer.view, 37, 20))
        viewer.tick()
        assert viewer.panel is not None and viewer.panel.index == 37 and viewer.panel.partner == 38
        assert viewer.panel.program == viewer.frame.programs[37].tobytes()
        _key(pygame.K_RIGHT)
        _key(pygame.K_RIGHT, pygame.KMOD_SHIFT)
        viewer.tick()
        assert viewer.panel.step == min(65, viewer.panel.trace.steps)
        _key(pygame.K_s)
        viewer.tick()
        shots = list(tmp_path.glob("*.png"))
        assert len(shots) == 1 and "program-37" in shots[0].name
        assert pygame.image.load(str(shots[0])).get_size() == (1280, 800)
        _key(pygame.K_ESCAPE)
        viewer.tick()
        assert viewer.panel is None and viewer.running
    finally:
        bridge.stop()
        sim.join(30)
        pygame.display.quit()
    assert outcome["r"][1].stopped_by == "interrupt"


def _history_content(path):
    with History(path) as h:
        m = h.metrics()
        m.pop("wall_time")
        snaps = {int(e): h.snapshot(int(e)).programs for e in h.snapshot_epochs()}
        species = [h.species(i) for i in range(len(m["epoch"]))]
        cp = h.checkpoint()
        return m, snaps, species, (cp.epoch, cp.total_ops, cp.programs), h.status, h.stopped_by


def test_the_history_is_the_same_with_and_without_the_viewer(tmp_path):
    world = make_world(TINY)
    start_run(world, tmp_path / "plain.h5", alife_version=alife.__version__)

    def press_keys(viewer):  # pause, step three epochs, throttle, resume: never a result
        for key in (pygame.K_SPACE, pygame.K_PERIOD, pygame.K_PERIOD, pygame.K_PERIOD,
                    pygame.K_MINUS, pygame.K_MINUS, pygame.K_SPACE, pygame.K_EQUALS):
            _key(key)

    view_run(world, tmp_path / "viewed.h5", alife_version=alife.__version__,
             exit_when_done=True, on_viewer=press_keys)
    a, b = _history_content(tmp_path / "plain.h5"), _history_content(tmp_path / "viewed.h5")
    assert a[0].keys() == b[0].keys()
    for k in a[0]:
        assert np.array_equal(a[0][k], b[0][k], equal_nan=True), k
    assert a[1].keys() == b[1].keys() and all(np.array_equal(a[1][e], b[1][e]) for e in a[1])
    assert a[2] == b[2]
    assert a[3][:2] == b[3][:2] and np.array_equal(a[3][2], b[3][2])
    assert a[4:] == b[4:] == ("finished", "epochs")


# --- histories: replay, follow, frames ------------------------------------------------------------


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    path = tmp_path_factory.mktemp("viewer") / "run.h5"
    start_run(make_world(TINY), path, alife_version=alife.__version__)
    return path


def test_replay_scrubs_snapshots_with_the_arrow_keys(history):
    source = HistorySource(history)
    try:
        viewer = Viewer(source, open_window("replay"))
        viewer.tick()
        with History(history) as h:
            epochs = h.snapshot_epochs().tolist()
            assert epochs == [0, 1, 17, 33, 48]
            assert np.array_equal(viewer.frame.programs, h.snapshot(0).programs)
            for key, want in ((pygame.K_RIGHT, 1), (pygame.K_RIGHT, 2), (pygame.K_LEFT, 1)):
                _key(key)
                viewer.tick()
                assert viewer.frame.epoch == epochs[want]
                assert np.array_equal(viewer.frame.programs, h.snapshot(epochs[want]).programs)
            # the sparklines hold the reports up to the snapshot shown
            assert viewer.frame.series["epoch"].tolist() == [1]
            assert viewer.frame.top == tuple(h.species(0)[1])
    finally:
        source.close()
        pygame.display.quit()


def test_frames_writes_one_png_per_snapshot(history, tmp_path):
    out = tmp_path / "frames"
    assert main(["view", str(history), "--frames", str(out)]) == 0
    pngs = sorted(out.glob("frame_*.png"))
    assert [p.name for p in pngs] == [f"frame_{i:05d}.png" for i in range(5)]
    assert (out / "frames.csv").read_text().splitlines() == \
        ["frame,epoch", "0,0", "1,1", "2,17", "3,33", "4,48"]
    image = pygame.surfarray.array3d(pygame.image.load(str(pngs[-1]))).transpose(1, 0, 2)
    with History(history) as h:
        expected = soup_image(h.snapshot(48).programs, "bff_noheads")  # 16 x 16 tiles
    view = Viewport.for_world(make_world(TINY), SOUP_PANE.w, SOUP_PANE.h)
    z = int(view.zoom)
    pane = image[SOUP_PANE.y:SOUP_PANE.bottom, SOUP_PANE.x:SOUP_PANE.right]
    centres = pane[z // 2: 128 * z: z, z // 2: 128 * z: z]  # (tile outlines on the edges)
    assert np.array_equal(centres, expected)
    assert main(["view", str(history), "--frames", str(out)]) == 2  # never overwritten


def test_follow_shows_a_run_that_another_process_is_writing(tmp_path, live_writer):
    path = tmp_path / "live.h5"
    proc = live_writer(path, 256, 2000, 0.03)
    try:
        assert _wait(lambda: path.exists(), 60)
        source, deadline = None, time.monotonic() + 60
        while source is None:  # until the writer has switched SWMR mode on
            try:
                source = HistorySource(path, follow=True, follow_every_s=0.1)
            except AlifeError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        try:
            seen = []
            deadline = time.monotonic() + 30
            while len(seen) < 3 and time.monotonic() < deadline:
                frame = source.poll()
                if frame is not None:
                    seen.append(frame.epoch)
                    assert frame.status.startswith("follow") and "running" in frame.status
                    reports = frame.series["epoch"]  # the reports up to the soup shown
                    assert len(reports) == 0 or reports[-1] <= frame.epoch
                time.sleep(0.15)
            assert proc.poll() is None, "the writer ended before the viewer saw it grow"
            assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] > seen[0]
        finally:
            source.close()
    finally:
        proc.kill()
        proc.wait()


# --- the command line and the optional extra ------------------------------------------------------


def test_view_command_rejects_bad_input(history, tmp_path, capsys):
    assert main(["view", str(tmp_path / "missing.h5")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["view", str(history), "--follow", "--frames", str(tmp_path / "f")]) == 2
    assert "cannot --follow" in capsys.readouterr().err


NO_PYGAME = """
import sys
sys.modules["pygame"] = None  # as if the viz extra were not installed
import alife
from alife.cli import main
from alife.errors import AlifeError
assert main(["run", "--set", "num_programs=64", "--epochs", "2", "--no-history", "--quiet"]) == 0
sys.exit(main(["run", "--set", "num_programs=64", "--epochs", "2", "--no-history", "--view"]))
"""


def test_without_pygame_alife_runs_and_view_names_the_extra():
    r = subprocess.run([sys.executable, "-c", NO_PYGAME], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2, r.stderr
    assert "pip install 'alife[viz]'" in r.stderr and "Traceback" not in r.stderr


# --- plugging in another kind of soup -------------------------------------------------------------


class _Particles:
    """A stand-in for a future neural soup's tiles: one colour per fixpoint class."""

    tile = 8
    palette = np.array([[0, 0, 255], [255, 255, 0]], dtype=np.uint8)

    def __init__(self, world) -> None:
        self.classes = world.classes

    def cell_values(self, state, cells):
        return self.classes[cells // 64]


def test_a_world_kind_plugs_in_its_own_tile_renderer():
    from dataclasses import dataclass

    from alife.viz.tiles import register_tile_renderer

    @dataclass(frozen=True)
    class ParticleWorld:
        classes: np.ndarray
        kind: str = "test-particles"
        language: str = "particles"
        num_programs: int = 64
        seed: int = 0
        grid: None = None
        name: str = ""

    register_tile_renderer("test-particles", _Particles)
    classes = np.arange(64) % 2
    world = ParticleWorld(classes)
    surface = pygame.Surface((1280, 800))
    view = Viewport(64, 8, SOUP_PANE.w, SOUP_PANE.h)
    view.fit()
    FramePainter(world).draw(surface, SoupFrame(world, np.zeros((64, 1)), 0), view)
    for member in (0, 1, 40, 63):
        want = tuple(_Particles.palette[classes[member]])
        assert tuple(surface.get_at(_tile_centre(view, member, 27)))[:3] == want


def test_alife_run_view_quit_at_once_leaves_a_resumable_history(tmp_path, capsys):
    out = tmp_path / "run.h5"
    pygame.display.init()
    _key(pygame.K_q)  # waiting in the queue when the window opens: quit before the first epoch
    assert main(["run", "--set", "num_programs=256", "--epochs", "1000", "--until", "",
                 "--out", str(out), "--view", "--quiet"]) == 0
    assert "interrupted" in capsys.readouterr().out
    with History(out) as h:
        assert (h.status, h.stopped_by) == ("stopped", "interrupt")


# --- the scripts ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_bench_and_screenshot_scripts_run_with_a_tiny_budget(tmp_path):
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "NUMBA_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_viewer.py"),
                        "--num-programs", "256", "--epochs", "8", "--repeats", "1", "--json"],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert [x["kind"] for x in result["runs"]] == ["without viewer", "worker thread, no window",
                                                    "with viewer"]
    assert all(x["epochs"] == 8 for x in result["runs"]) and result["frames_drawn"] >= 1
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "viewer_screenshots.py"),
                        "--num-programs", "1024", "--after", "0", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    shots = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(shots) == 2 and shots[0].startswith("viewer_live_") \
        and shots[1].startswith("viewer_trace_")


def test_without_a_display_the_window_is_refused_with_a_hint(history):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-m", "alife.cli", "view", str(history)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--frames DIR" in r.stderr and "Traceback" not in r.stderr


def test_the_wheel_zooms_and_a_drag_pans_without_opening_a_program():
    world = make_world({"num_programs": 4096})
    programs = np.random.default_rng(3).integers(0, 256, (4096, 64), dtype=np.uint8)
    try:
        viewer = Viewer(_StaticSource(SoupFrame(world, programs, 0)), open_window("zoom"))
        viewer.tick()
        assert viewer.view.zoom == 1.0  # 64 x 64 tiles of 8 x 8 bytes fit 1024 x 512 at 1 px
        for _ in range(3):
            pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1, flipped=False))
        viewer.tick()
        assert viewer.view.zoom == 4.0  # 1 -> 2 -> 3 -> 4 pixels per byte
        x0, y0 = viewer.view.x0, viewer.view.y0
        start, end = (500, 300), (400, 250)
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=start))
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=end, rel=(-100, -50),
                                             buttons=(1, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=end))
        viewer.tick()
        assert (viewer.view.x0, viewer.view.y0) == (x0 + 25, y0 + 12.5)  # at 4 px a byte
        assert viewer.panel is None  # a drag is not a click
        _key(pygame.K_z)
        viewer.tick()
        assert (viewer.view.zoom, viewer.view.x0, viewer.view.y0) == (1.0, 0.0, 0.0)
    finally:
        pygame.display.quit()


def test_alife_resume_view_continues_to_the_same_bytes(tmp_path, capsys):
    from alife.viz.live import view_resume

    world = make_world(TINY)  # 48 epochs
    start_run(world, tmp_path / "whole.h5", alife_version=alife.__version__)
    start_run(world.replace(epochs=24), tmp_path / "part.h5", alife_version=alife.__version__)
    viewers = []
    soup, outcome = view_resume(tmp_path / "part.h5", alife_version=alife.__version__, epochs=48,
                                exit_when_done=True, on_viewer=viewers.append)
    assert (outcome.start_epoch, outcome.epochs_completed) == (24, 48)
    with History(tmp_path / "whole.h5") as a, History(tmp_path / "part.h5") as b:
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
    series = viewers[0].frame.series["epoch"]
    assert series[0] == 1 and series[-1] == 48  # the sparklines start from the earlier reports
    start_run(world.replace(epochs=24), tmp_path / "again.h5", alife_version=alife.__version__)
    pygame.display.init()
    _key(pygame.K_q)  # quit as the window opens: the resumed run stops, still resumable
    assert main(["resume", str(tmp_path / "again.h5"), "--epochs", "4000", "--view",
                 "--quiet"]) == 0
    assert "interrupted" in capsys.readouterr().out
    with History(tmp_path / "again.h5") as h:
        assert (h.status, h.stopped_by) == ("stopped", "interrupt")
