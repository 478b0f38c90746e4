"""The labels of the viewer's side column (headless, SDL's dummy video driver): the stacked
sparklines' titles, transition labels, last values and epoch ranges, the palette and the keys
never overlap and stay inside the column, for the default sparkline metrics, long numbers and a
narrow column."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pygame
import pytest

from alife.viz.bridge import SoupFrame, sparkline_series
from alife.viz.render import SIDE, WINDOW, FramePainter, fit_text
from alife.world import make_world

os.environ["SDL_VIDEODRIVER"] = "dummy"

#: a long run: epochs into the millions, ops per interaction in the hundred thousands
EPOCHS = np.arange(0, 2_000_001, 40_000, dtype=np.int64)


def soup_frame(scale: float = 1.0) -> SoupFrame:
    """A frame of a bff soup with every default sparkline series of soups (transition at
    1,360,000 epochs)."""
    world = make_world({"num_programs": 64})
    t = np.linspace(0, 1, len(EPOCHS))
    series = {"epoch": EPOCHS, "higher_entropy": 6.5 * t ** 2 * scale,
              "ops_per_interaction": 123_456.7 * (1 + t) * scale,
              "replicator_fraction": t}
    assert set(series) == set(sparkline_series(world.kind))
    return SoupFrame(world, np.zeros((64, 64), dtype=np.uint8), int(EPOCHS[-1]), series)


def neural_frame() -> SoupFrame:
    world = make_world({"kind": "neural", "num_programs": 64})
    t = np.linspace(0, 1, len(EPOCHS))
    series = {"epoch": EPOCHS, "fixpoint_fraction": 0.123456 * t, "census_other": 40 * t}
    assert set(series) == set(sparkline_series(world.kind))
    return SoupFrame(world, np.zeros((64, 14 * 4), dtype=np.uint8), int(EPOCHS[-1]), series)


def assert_laid_out(rects: list[pygame.Rect], column: pygame.Rect, least: int) -> None:
    """``least`` or more labels, each inside ``column``, no two intersecting."""
    assert len(rects) >= least
    for r in rects:
        assert column.contains(r), (r, column)
    for a, b in itertools.combinations(rects, 2):
        assert not a.colliderect(b), (a, b)


@pytest.mark.parametrize("width", [SIDE.w, 150, 100])
@pytest.mark.parametrize("make_frame", [soup_frame, neural_frame])
def test_side_column_labels_do_not_overlap(make_frame, width):
    frame = make_frame()
    painter = FramePainter(frame.world)
    surface = pygame.Surface(WINDOW)
    column = pygame.Rect(SIDE.x, SIDE.y, width, SIDE.h)
    rects = painter.draw_side(surface, frame, column)
    # two sparklines (title, value, epochs; and the transition of the soup) and the legend
    assert_laid_out(rects, column, 12)


def test_the_default_column_keeps_the_whole_labels():
    frame = soup_frame()
    painter = FramePainter(frame.world)
    rects = painter.sparkline(pygame.Surface(WINDOW), pygame.Rect(SIDE.x, SIDE.y, SIDE.w, 110),
                              "high-order entropy (bits/byte)", frame.series["epoch"],
                              frame.series["higher_entropy"], frame.transition_epoch,
                              threshold=3.0)
    assert frame.transition_epoch == 1_360_000
    assert len(rects) == 4  # title, transition, value, epoch range
    assert_laid_out(rects, pygame.Rect(SIDE.x, SIDE.y, SIDE.w, 110), 4)
    font = painter.small
    title, transition, value, span = rects
    assert title.w == font.size("high-order entropy (bits/byte)")[0]  # not cut
    assert transition.w == font.size("transition 1360000")[0]
    assert span.w == font.size("0..2000000")[0] or span.w == font.size("epoch 0..2000000")[0]
    assert value.w >= font.size("6.5")[0]


@pytest.mark.parametrize("size", [(228, 110), (120, 60), (60, 40), (30, 30)])
def test_a_sparkline_of_any_size_keeps_its_labels_apart(size):
    frame = soup_frame(scale=1e6)  # values like 1.23e+11: the longest number format
    painter = FramePainter(frame.world)
    rect = pygame.Rect(10, 10, *size)
    rects = painter.sparkline(pygame.Surface(WINDOW), rect, "a very long metric name, in units",
                              frame.series["epoch"], frame.series["ops_per_interaction"],
                              700_000)
    assert_laid_out(rects, rect, 1)


def test_fit_text_cuts_with_an_ellipsis():
    pygame.font.init()
    font = pygame.font.Font(None, 14)
    assert fit_text(font, "short", 500) == "short"
    cut = fit_text(font, "a rather long label for a small column", 60)
    assert cut.endswith("…") and font.size(cut)[0] <= 60
    assert fit_text(font, "anything", 1) == ""
