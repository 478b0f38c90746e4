"""What the figures of the analysis and experiment scripts show, checked on the figure objects and
their pixels: the emergence histogram shows every transition epoch and every line of its mean
residual life panel is visible; the Muller plot's upper panel is the composition of the tracked
programs, not a grey remainder; the payoff figures define the cyclic fraction κ they print."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pytest

from alife.analysis.emergence import summarise_sweep
from alife.games import cyclic_fraction, hodge_rating, nash
from alife.viz.figures import kappa_text

ROOT = Path(__file__).resolve().parents[2]


def load(folder: str, name: str):
    """Import script ``folder/name.py`` as a module (its folder on sys.path, for _common)."""
    sys.path.insert(0, str(ROOT / folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / folder))


def pixels(fig: plt.Figure, ax: plt.Axes) -> np.ndarray:
    """The RGB pixels inside ``ax`` of the drawn ``fig``: uint8[H, W, 3]."""
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    box = ax.get_window_extent()
    height = rgb.shape[0]
    return rgb[int(height - box.y1) + 2:int(height - box.y0) - 2,
               int(box.x0) + 2:int(box.x1) - 2]


def near(image: np.ndarray, colour, tolerance: int = 10) -> np.ndarray:
    """bool[H, W]: the pixels of ``image`` within ``tolerance`` (per channel) of ``colour``."""
    rgb = np.array(mcolors.to_rgb(colour)) * 255
    return np.abs(image.astype(float) - rgb).max(axis=-1) <= tolerance


def share_of(image: np.ndarray, colour, tolerance: int = 10) -> float:
    """Share of ``image``'s pixels within ``tolerance`` (per channel) of ``colour``."""
    return float(near(image, colour, tolerance).mean())


def texts(fig: plt.Figure) -> str:
    """Every text of the figure (titles, labels, captions), wrapped lines joined."""
    return " ".join(" ".join(t.get_text().split())
                    for t in fig.findobj(matplotlib.text.Text) if t.get_text())


# --- emergence -----------------------------------------------------------------------------------

em = load("analyses", "emergence")
TRANSITIONS = {0: 2881, 8: 3585}  # the committed sweep: 20 seeds of bff_noheads, cap 4000


@pytest.fixture(scope="module")
def emergence_figure():
    runs = [em.Run(seed, TRANSITIONS.get(seed), TRANSITIONS.get(seed, 4000), "finished", "x.h5")
            for seed in range(20)]
    sweep = em.Sweep(runs, "bff_noheads", 131072, 4000, [])
    s = summarise_sweep([r.transition_epoch for r in runs], [r.epochs for r in runs],
                        mrl_times=[0, 1000, 2000, 3000])
    fig = em.draw(sweep, s, 3.0)
    yield fig
    plt.close(fig)


def test_the_histogram_shows_every_transition_epoch(emergence_figure):
    ax = emergence_figure.axes[1]
    bars = [p for p in ax.patches if p.get_height() > 0 or p.get_width() > 0]
    widths = np.array([p.get_width() for p in bars])
    assert len(bars) >= 30 and widths.max() <= 4000 / 30 + 1e-9  # bins of at most cap / 30
    holding = [[p for p in bars if p.get_x() <= t < p.get_x() + p.get_width()]
               for t in TRANSITIONS.values()]
    assert all(len(h) == 1 and h[0].get_height() == 1 for h in holding)
    assert holding[0][0] is not holding[1][0]  # 704 epochs apart: two bars, not one
    (rug,) = [line for line in ax.get_lines() if line.get_gid() == "rug"]
    assert list(rug.get_xdata()) == sorted(TRANSITIONS.values())
    labels = texts(emergence_figure)
    assert "T = 2,881" in labels and "T = 3,585" in labels


@pytest.mark.parametrize("epochs, end", [([2881, 3585], 4000), ([100], 4000),
                                         (list(range(0, 4000, 4)), 4000), ([7, 7, 7], 20)])
def test_histogram_bins_are_narrow_and_bounded(epochs, end):
    edges = em.histogram_bins(np.array(epochs, dtype=float), end)
    assert edges[0] == 0 and edges[-1] == end
    assert em.MIN_BINS <= len(edges) - 1 <= em.MAX_BINS
    assert np.diff(edges).max() <= end / em.MIN_BINS + 1e-9


def test_every_line_of_the_mean_residual_life_panel_is_visible(emergence_figure):
    ax = emergence_figure.axes[2]
    ax.get_legend().set_visible(False)  # its handles carry every colour: look at the lines only
    lines = ax.get_lines()
    assert len(lines) == 3  # Kaplan–Meier, exponential mean, exponential restricted to the cap
    background = mcolors.to_rgb(ax.get_facecolor())
    colours = [mcolors.to_rgb(line.get_color()) for line in lines]
    assert len(set(colours)) == len(colours), "two lines share a colour"
    image = pixels(emergence_figure, ax)
    lo, hi = ax.get_ylim()
    for line, colour in zip(lines, colours, strict=True):
        y = np.asarray(line.get_ydata(), dtype=float)
        assert len(line.get_xdata()) and np.isfinite(y).any(), line.get_label()
        assert np.any((y >= lo) & (y <= hi)), line.get_label()
        assert line.get_visible() and (line.get_alpha() is None or line.get_alpha() > 0.5)
        assert line.get_linewidth() > 0 and colour != background
        assert near(image, colour).sum() >= 100, f"{line.get_label()!r} is hidden"
    ax.get_legend().set_visible(True)


# --- the Muller plot ----------------------------------------------------------------------------

dv = load("analyses", "diversity")


def soup_species(n: int = 131072) -> list[tuple[int, list[tuple[bytes, int]]]]:
    """A history's species as a real run of the paper's soup has them: before its transition the
    top 16 are random programs of 2-4 copies; after it, replicators of up to 1 % and variants."""
    rng = np.random.default_rng(0)
    replicators = [rng.integers(0, 256, 64, dtype=np.uint8).tobytes() for _ in range(6)]
    species = []
    for j in range(50):
        if j < 35:
            top = [(rng.integers(0, 256, 64, dtype=np.uint8).tobytes(), int(c))
                   for c in sorted(rng.integers(2, 5, 16))[::-1]]
        else:
            top = [(r, int(1300 / (1 + i) / math.sqrt(1 + j - 35)))
                   for i, r in enumerate(replicators)]
            top += [(rng.integers(0, 256, 64, dtype=np.uint8).tobytes(), 300) for _ in range(10)]
        species.append((80 * j, top))
    return species


def test_the_muller_plots_upper_panel_is_the_composition_not_a_grey_remainder():
    species = soup_species()
    fig = dv.draw_muller(species, 131072, "bff_noheads", 2881, "a soup", 16)
    try:
        top, zoom = fig.axes[:2]
        image = pixels(fig, top)
        assert share_of(image, "lightgrey") < 0.02
        assert share_of(image, "white", 3) < 0.05  # every observation records tracked programs
        assert "share among these programs" in top.get_ylabel()
        assert "sum 1" in top.get_title()
        assert "whole soup" in zoom.get_title()
    finally:
        plt.close(fig)
    _, _, shares = dv.muller_shares(species, 131072)
    relative = dv.relative_shares(shares)
    assert np.allclose(relative.sum(axis=0), 1.0)
    assert np.allclose(dv.relative_shares(np.zeros((3, 2))), 0.0)


# --- κ on the payoff figures --------------------------------------------------------------------

RPS = np.array([[0.0, 1.0, -1.0], [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]])
TRANSITIVE = np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]])
DEFINITION = ("κ = ‖C‖²/‖A‖²", "A = T + C", "T = r1ᵀ − 1rᵀ", "r = A1/n", "C = A − T",
              "κ = 0: transitive", "κ = 1: purely cyclic", "undefined for A = 0")


def soup_record(a: np.ndarray) -> dict:
    """One record of analyses/soup_game.py's series for payoff ``a``."""
    return {"game": SimpleNamespace(payoff=a), "counts": np.array([5, 4, 3]), "nash": nash(a),
            "hodge_rating": hodge_rating(a), "cyclic_fraction": cyclic_fraction(a)}


def figures_with_kappa():
    sg, sp = load("analyses", "soup_game"), load("experiments", "selfplay")
    for a, kappa in ((RPS, "κ = 1.000"), (TRANSITIVE, "κ = 0.000")):
        yield sg.draw_payoff(soup_record(a), "species game", "exact"), kappa
        yield sp.draw_payoff(a, "payoff matrix"), kappa
    records = [{"epoch": e, "cyclic_fraction": k, "kappa_low": k, "kappa_high": k,
                "significant_cells": 0.5, "effective_diversity": 0.1, "elo_residual": 0.1,
                "nash_support": 2, "three_cycles": 1} for e, k in ((0, 0.2), (10, 0.4))]
    yield sg.draw_metrics(records, "species game over time"), "cyclic fraction κ"


def test_the_payoff_figures_define_kappa():
    for fig, kappa in figures_with_kappa():
        text = texts(fig)
        try:
            assert kappa in text
            for part in DEFINITION:
                assert part in text, part
        finally:
            plt.close(fig)
    assert kappa_text(cyclic_fraction(RPS)) == "κ = 1.000"
    assert kappa_text(float("nan")) == "κ undefined (A = 0)"
