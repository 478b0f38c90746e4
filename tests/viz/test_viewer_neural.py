"""The viewer on neural soups (headless): particles as 4x4 tiles coloured by fixpoint class, a
click names a particle's class and v, the census panel, and replay of a neural history."""

from __future__ import annotations

import os

import numpy as np
import pygame
import pytest

import alife
from alife.cli import main
from alife.history import History
from alife.particles import kernel as P
from alife.particles.soup import ParticleSoup
from alife.viz.bridge import LiveBridge, SoupFrame
from alife.viz.live import LiveSource, Viewer, view_run
from alife.viz.render import SOUP_PANE, FramePainter
from alife.viz.tiles import CLASS_COLOURS, UNUSED, NeuralTiles, Viewport, tile_renderer
from alife.world import make_world

os.environ["SDL_VIDEODRIVER"] = "dummy"
WORLD = {"kind": "neural", "num_programs": 64, "report_every": 4, "snapshot_every": 8,
         "epochs": 24}


def _centre(view: Viewport, member: int, cell: int) -> tuple[int, int]:
    """Window pixel at the centre of ``cell`` (0..15) of ``member``'s 4x4 tile."""
    x, y, _, _ = view.tile_rect(member)
    z = view.zoom
    return (int(SOUP_PANE.x + x + (cell % 4 + 0.5) * z),
            int(SOUP_PANE.y + y + (cell // 4 + 0.5) * z))


def _known_soup() -> ParticleSoup:
    """Particle 0 a fixpoint, 1 zero, 2 divergent, 3 a reflection (second order), rest random."""
    soup = ParticleSoup(make_world(WORLD))
    reflection = P.identity_fixpoint(2.0)
    reflection[0] = -2.0
    soup.weights[0, :14] = P.identity_fixpoint(1.0)
    soup.weights[1, :14] = 0.0
    soup.weights[2, :14] = np.nan
    soup.weights[3, :14] = reflection
    return soup


def test_particles_are_coloured_by_their_fixpoint_class():
    soup = _known_soup()
    world = soup.world
    assert isinstance(tile_renderer(world), NeuralTiles)
    surface = pygame.Surface((1280, 800))
    painter = FramePainter(world)
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h, tile=4)
    painter.draw(surface, SoupFrame(world, soup.rows.copy(), 0), view)
    palette = NeuralTiles().palette

    def colour(member: int, cell: int) -> tuple[int, ...]:
        return tuple(surface.get_at(_centre(view, member, cell)))[:3]

    # cell 0 holds w[0]: |1| and |-2| and NaN are the brightest level; 0 the dimmest
    assert colour(0, 0) == CLASS_COLOURS[P.FIXPOINT]
    assert colour(3, 0) == CLASS_COLOURS[P.SECOND_ORDER]
    assert colour(2, 0) == CLASS_COLOURS[P.DIVERGENT]
    assert colour(1, 0) == tuple(palette[4 * P.ZERO])
    assert colour(0, 1) == tuple(palette[4 * P.FIXPOINT])  # w[1] = 0: dim green
    for member in (0, 4, 63):
        assert colour(member, 14) == UNUSED and colour(member, 15) == UNUSED
    others = {tuple(palette[4 * P.OTHER + level]) for level in range(4)}
    assert all(colour(m, c) in others for m in range(4, 64) for c in range(14))


def test_a_click_names_the_particle_and_the_census_counts_classes():
    soup = _known_soup()
    bridge = LiveBridge(soup.world)
    bridge.report(soup, soup.metrics())
    viewer = Viewer(LiveSource(bridge))
    assert viewer.tick()
    assert viewer.view.tile == 4
    viewer.click(_centre(viewer.view, 0, 5))
    assert viewer.panel is None
    assert viewer.message.startswith("particle #0: fixpoint, v = W1 W2 W3 = (+1.0000, +0.0000")
    classes = viewer.painter.particle_classes(viewer.frame)
    assert np.bincount(classes, minlength=5).tolist() == [1, 1, 1, 1, 60]


def test_alife_run_view_and_replay_of_a_neural_history(tmp_path, capsys):
    out = tmp_path / "neural.h5"
    soup, outcome = view_run(make_world(WORLD), out, alife_version=alife.__version__,
                             exit_when_done=True, screenshot_dir=tmp_path)
    assert outcome.epochs_completed == 24
    frames = tmp_path / "frames"
    assert main(["view", str(out), "--frames", str(frames)]) == 0
    pngs = sorted(frames.glob("frame_*.png"))
    with History(out) as h:
        epochs = [int(e) for e in h.snapshot_epochs()]
        last = h.snapshot(epochs[-1]).programs
        assert np.array_equal(last, soup.rows)
    assert len(pngs) == len(epochs) == 5
    image = pygame.image.load(str(pngs[-1]))
    view = Viewport.for_world(soup.world, SOUP_PANE.w, SOUP_PANE.h, tile=4)
    tiles = NeuralTiles()
    values = tiles.cell_values(last, np.arange(64 * 16))
    for member in (0, 17, 63):
        for cell in (0, 7, 13, 15):
            want = tuple(tiles.palette[values[member * 16 + cell]])
            assert tuple(image.get_at(_centre(view, member, cell)))[:3] == want


@pytest.mark.slow
def test_the_neural_screenshot_script_runs_with_a_tiny_budget(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, str(root / "scripts" / "neural_screenshot.py"),
                        "--num-programs", "400", "--generations", "6", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=300,
                       env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert r.returncode == 0, r.stderr
    shot = tmp_path / "viewer_neural_N-400_generation-6.png"
    assert pygame.image.load(str(shot)).get_size() == (1280, 800)
