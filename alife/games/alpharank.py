"""α-Rank for a single population (selfplay.md 9; Omidshafiei et al. 2019, "α-Rank: multi-agent
evaluation by evolution"), as OpenSpiel computes it with its default local selection model.

A monomorphic population of m players of strategy s is invaded by one mutant r; the mutant
fixes with probability ρ_{s→r} = (1 - e^{-u}) / (1 - e^{-m u}), u = α (M_rs - M_sr) (1/m when
u = 0). The Markov chain C_sr = ρ_{s→r} / (n - 1) (C_ss the rest) has one stationary
distribution π, the α-Rank of the strategies.

>>> alpharank([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]).round(6).tolist()
[0.333333, 0.333333, 0.333333]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from alife.errors import AlifeError

Matrix = np.ndarray | Sequence


def _log_expm1(x: np.ndarray) -> np.ndarray:
    """log(e^x - 1) for x > 0 without overflow."""
    return x + np.log1p(-np.exp(-x))


def fixation_probabilities(payoff: Matrix, alpha: float = 10.0, m: int = 50) -> np.ndarray:
    """ρ[s, r]: the chance that one mutant r takes over a population of m players of s."""
    a = np.asarray(payoff, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or not np.all(np.isfinite(a)):
        raise AlifeError(f"payoff must be a finite square matrix, got shape {a.shape}")
    if m < 2 or alpha < 0:
        raise AlifeError(f"α-Rank needs a population m >= 2 and α >= 0, got m={m}, α={alpha}")
    u = alpha * (a.T - a)  # u[s, r] = α (M_rs - M_sr)
    rho = np.full(a.shape, 1.0 / m)
    pos = u > 1e-14
    neg = u < -1e-14
    # u > 0: (1 - e^{-u}) / (1 - e^{-mu}); u < 0, w = -u: e^{log(e^w - 1) - log(e^{mw} - 1)}
    rho[pos] = -np.expm1(-u[pos]) / -np.expm1(-m * u[pos])
    w = -u[neg]
    rho[neg] = np.exp(_log_expm1(w) - _log_expm1(m * w))
    np.fill_diagonal(rho, 0.0)
    return rho


def transition_matrix(payoff: Matrix, alpha: float = 10.0, m: int = 50) -> np.ndarray:
    """C (float[n, n], rows sum to 1): the α-Rank Markov chain over monomorphic populations."""
    rho = fixation_probabilities(payoff, alpha, m)
    n = rho.shape[0]
    if n == 1:
        return np.ones((1, 1))
    c = rho / (n - 1)
    c[np.diag_indices(n)] = 1.0 - c.sum(axis=1)
    return c


def alpharank(payoff: Matrix, alpha: float = 10.0, m: int = 50) -> np.ndarray:
    """π (float[n]): the stationary distribution of the α-Rank chain (m = 50 by default)."""
    c = transition_matrix(payoff, alpha, m)
    n = c.shape[0]
    # πᵀ (C - I) = 0 with Σπ = 1, as one least-squares system
    lhs = np.vstack([(c - np.eye(n)).T, np.ones((1, n))])
    rhs = np.r_[np.zeros(n), 1.0]
    pi, *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()
