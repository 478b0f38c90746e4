"""Elo / Bradley–Terry ratings of a win-probability matrix and the Elo residual (selfplay.md 10;
Balduzzi et al. 2018: Elo is misleading on cyclic games).

P(i beats j) = σ((r_i - r_j) ln10 / 400); the ratings maximise the (count-weighted) Bernoulli
likelihood of the observed M_ij, with a tiny ridge so that transitive games with certain wins
keep finite ratings; they are centred on 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize

from alife.errors import AlifeError

Matrix = np.ndarray | Sequence
ELO_SCALE = 400.0 / np.log(10.0)  # Elo points per natural-log odds unit
RIDGE = 1e-6


def _win_matrix(win_probabilities: Matrix) -> np.ndarray:
    m = np.asarray(win_probabilities, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or np.any(m < 0) or np.any(m > 1):
        raise AlifeError("win probabilities must be a square matrix of numbers in [0, 1], got "
                         f"shape {m.shape}")
    return m


def elo_ratings(win_probabilities: Matrix, weights: Matrix | None = None) -> np.ndarray:
    """Bradley–Terry ratings in Elo points (float[n], mean 0) fitted to M_ij = P(i beats j)."""
    m = _win_matrix(win_probabilities)
    n = m.shape[0]
    w = np.ones((n, n)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w * (1.0 - np.eye(n))
    w = w / max(w.sum(), 1e-300)

    def loss(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x[:, None] - x[None, :]
        ll = w * (m * -np.logaddexp(0.0, -d) + (1 - m) * -np.logaddexp(0.0, d))
        resid = w * (m - 1.0 / (1.0 + np.exp(-d)))
        grad = -(resid.sum(axis=1) - resid.sum(axis=0)) + 2 * RIDGE * x / n
        return float(-ll.sum() + RIDGE * (x @ x) / n), grad

    res = minimize(loss, np.zeros(n), jac=True, method="L-BFGS-B")
    x = res.x - res.x.mean()
    return x * ELO_SCALE


def elo_predictions(ratings: Matrix) -> np.ndarray:
    """σ((r_i - r_j) ln10 / 400): the win probabilities the Elo ratings predict."""
    r = np.asarray(ratings, dtype=np.float64) / ELO_SCALE
    return 1.0 / (1.0 + np.exp(-(r[:, None] - r[None, :])))


def elo_residual(win_probabilities: Matrix, ratings: Matrix | None = None) -> float:
    """mean_{i≠j} |M_ij - σ((r_i - r_j) ln10/400)|: how badly Elo describes the game."""
    m = _win_matrix(win_probabilities)
    r = elo_ratings(m) if ratings is None else np.asarray(ratings, dtype=np.float64)
    n = m.shape[0]
    if n < 2:
        return 0.0
    off = ~np.eye(n, dtype=bool)
    return float(np.abs(m - elo_predictions(r))[off].mean())
