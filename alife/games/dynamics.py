"""Replicator dynamics on an antisymmetric game and their fit to observed frequencies
(selfplay.md 11; Taylor & Jonker 1978; Hofbauer & Sigmund 1998).

ẋ = x ⊙ (A x - xᵀ A x) on the simplex, integrated with fourth-order Runge–Kutta. On
rock–paper–scissors the orbits are closed around the Nash and their time average is the Nash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from alife.errors import AlifeError
from alife.games.payoff import as_antisymmetric

Matrix = np.ndarray | Sequence


def replicator_field(payoff: np.ndarray, x: np.ndarray) -> np.ndarray:
    """ẋ = x ⊙ (A x - xᵀ A x) at the mixture ``x``."""
    ax = payoff @ x
    return x * (ax - x @ ax)


def _simplex(x: Matrix, n: int) -> np.ndarray:
    p = np.asarray(x, dtype=np.float64)
    if p.shape != (n,) or np.any(p < 0) or p.sum() <= 0:
        raise AlifeError(f"frequencies must be {n} non-negative numbers with a positive sum, "
                         f"got {np.asarray(x)!r:.80}")
    return p / p.sum()


def replicator_trajectory(payoff: Matrix, x0: Matrix, duration: float,
                          steps: int = 1000) -> np.ndarray:
    """Frequencies (float[steps + 1, n]) at times 0, dt, ..., ``duration`` (dt = duration/steps)."""
    a = as_antisymmetric(payoff)
    x = _simplex(x0, a.shape[0])
    if steps < 1 or not np.isfinite(duration):
        raise AlifeError(f"need steps >= 1 and a finite duration, got {steps}, {duration}")
    dt = duration / steps
    out = np.empty((steps + 1, len(x)))
    out[0] = x
    for s in range(steps):
        k1 = replicator_field(a, x)
        k2 = replicator_field(a, x + 0.5 * dt * k1)
        k3 = replicator_field(a, x + 0.5 * dt * k2)
        k4 = replicator_field(a, x + dt * k3)
        x = np.clip(x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), 0.0, None)
        x /= x.sum()
        out[s + 1] = x
    return out


@dataclass(frozen=True)
class ReplicatorFit:
    """Replicator dynamics started at the first observation, time-scaled to fit the rest.

    ``rate``: replicator time per unit of observed time; ``predicted``: float[T, n];
    ``error``: root-mean-square error of the prediction against the observed frequencies;
    ``static_error``: the same for "nothing changes" (the first observation held), a baseline.
    """

    rate: float
    predicted: np.ndarray
    error: float
    static_error: float


def _predict(a: np.ndarray, x0: np.ndarray, times: np.ndarray, rate: float,
             substeps: int) -> np.ndarray:
    out = [x0]
    x = x0
    for dt in np.diff(times):
        x = replicator_trajectory(a, x, rate * dt, substeps)[-1] if rate * dt > 0 else x
        out.append(x)
    return np.array(out)


def replicator_fit(payoff: Matrix, times: Matrix, frequencies: Matrix,
                   max_rate: float = 10.0, substeps: int = 50) -> ReplicatorFit:
    """Fit ẋ = c x ⊙ (A x - xᵀ A x) from ``frequencies[0]`` to ``frequencies`` (float[T, n],
    each row renormalised) observed at ``times`` (float[T], increasing); c in [0, max_rate]."""
    a = as_antisymmetric(payoff)
    t = np.asarray(times, dtype=np.float64)
    f = np.asarray(frequencies, dtype=np.float64)
    if f.ndim != 2 or f.shape != (len(t), a.shape[0]) or len(t) < 2 or np.any(np.diff(t) <= 0):
        raise AlifeError(f"need T >= 2 increasing times and frequencies of shape (T, "
                         f"{a.shape[0]}), got times {t.shape} and frequencies {f.shape}")
    f = np.array([_simplex(row, a.shape[0]) for row in f])
    span = float(t[-1] - t[0])

    def err(c: float) -> float:
        return float(np.sqrt(((_predict(a, f[0], t, c / span, substeps) - f) ** 2).mean()))

    # a coarse log grid first (the error is not unimodal in c), then a bounded refinement
    grid = np.r_[0.0, np.geomspace(1e-3, max_rate, 40)] * span
    errors = [err(c) for c in grid]
    i = int(np.argmin(errors))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    rate, best = grid[i], errors[i]
    if hi > lo:
        ref = minimize_scalar(err, bounds=(lo, hi), method="bounded")
        if ref.fun < best:
            rate, best = float(ref.x), float(ref.fun)
    rate = float(rate) / span
    predicted = _predict(a, f[0], t, rate, substeps)
    static = float(np.sqrt(((f[0][None, :] - f) ** 2).mean()))
    return ReplicatorFit(rate, predicted, float(np.sqrt(((predicted - f) ** 2).mean())), static)
