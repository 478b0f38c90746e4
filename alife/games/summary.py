"""Every metric of selfplay.md on one empirical game, as a flat record (numbers and arrays)."""

from __future__ import annotations

from typing import Any

import numpy as np

from alife.games.alpharank import alpharank
from alife.games.metrics import (
    cyclic_fraction,
    effective_diversity,
    hodge_rating,
    nash_averaged_skill,
    schur_moduli,
    three_cycles,
)
from alife.games.nash import nash, nash_clusters, support
from alife.games.payoff import EmpiricalGame
from alife.games.ratings import elo_ratings, elo_residual


def significant_cells(game: EmpiricalGame, z: float = 2.0) -> float:
    """Share of off-diagonal cells whose payoff is nonzero by more than ``z`` standard errors
    (cells without samples, i.e. exact games, count when nonzero)."""
    n = game.n
    if n < 2:
        return 0.0
    off = ~np.eye(n, dtype=bool)
    a, se = np.abs(game.payoff[off]), game.stderr[off]
    return float(np.mean(np.where(se > 0, a > z * se, a > 0)))


def game_summary(game: EmpiricalGame, alpha: float = 10.0, m: int = 50) -> dict[str, Any]:
    """cyclic fraction, Nash (mixture, support size, clusters), effective diversity, 3-cycles,
    Schur moduli, Hodge and Elo ratings with the Elo residual, α-Rank, significant cells."""
    a = game.payoff
    p = nash(a)
    win = game.win_probabilities()
    weights = game.counts if game.counts.sum() > 0 else None
    elo = elo_ratings(win, weights)
    moduli = schur_moduli(a) if np.any(a) else np.zeros(0)
    return {
        "n": game.n,
        "cyclic_fraction": cyclic_fraction(a),
        "hodge_rating": hodge_rating(a),
        "nash": p,
        "nash_support": int(len(support(p))),
        "nash_averaged_skill": nash_averaged_skill(a, p),
        "nash_clusters": [c.tolist() for c in nash_clusters(a)],
        "effective_diversity": effective_diversity(a, p),
        "three_cycles": three_cycles(a),
        "schur_moduli": moduli,
        "elo": elo,
        "elo_residual": elo_residual(win, elo),
        "alpharank": alpharank(a, alpha, m),
        "significant_cells": significant_cells(game),
    }
