"""Metrics of an antisymmetric payoff matrix (selfplay.md 1, 2, 4–7; Balduzzi et al. 2018,
"Re-evaluating evaluation"; Balduzzi et al. 2019, "Open-ended learning in symmetric zero-sum
games"; Czarnecki et al. 2020, "Real world games look like spinning tops").

>>> rps = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
>>> cyclic_fraction(rps), three_cycles(rps)
(1.0, 1)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.linalg

from alife.errors import AlifeError
from alife.games.payoff import as_antisymmetric

Matrix = np.ndarray | Sequence


def hodge_rating(payoff: Matrix) -> np.ndarray:
    """r = (1/n) A 1: the Hodge divergence, each player's mean payoff (float[n])."""
    a = as_antisymmetric(payoff)
    return a.mean(axis=1)


def hodge_decomposition(payoff: Matrix) -> tuple[np.ndarray, np.ndarray]:
    """(T, C): the transitive part T = r 1ᵀ - 1 rᵀ and the cyclic part C = A - T."""
    a = as_antisymmetric(payoff)
    r = a.mean(axis=1)
    t = r[:, None] - r[None, :]
    return t, a - t


def cyclic_fraction(payoff: Matrix) -> float:
    """κ = ||C||²_F / ||A||²_F in [0, 1]: 0 transitive, 1 purely cyclic (nan for A = 0)."""
    a = as_antisymmetric(payoff)
    total = float((a * a).sum())
    if total == 0.0:
        return float("nan")
    _, c = hodge_decomposition(a)
    return float((c * c).sum()) / total


def schur(payoff: Matrix) -> tuple[np.ndarray, np.ndarray]:
    """(moduli, Q): the moduli λ_1 >= λ_2 >= ... of the imaginary eigenvalue pairs ±iλ_k of A
    and the orthogonal Q whose columns 2k, 2k+1 span pair k, oriented so that
    A = Σ_k λ_k (q_2k q_2k+1ᵀ - q_2k+1 q_2kᵀ) (real Schur form, Balduzzi et al. 2019)."""
    a = as_antisymmetric(payoff)
    n = a.shape[0]
    t, q = scipy.linalg.schur(a, output="real")
    pairs: list[tuple[float, int]] = []
    k = 0
    while k < n - 1:
        if abs(t[k + 1, k]) > 1e-12 * max(1.0, abs(t).max()):
            pairs.append((float(np.sqrt(abs(t[k, k + 1] * t[k + 1, k]))), k))
            k += 2
        else:
            k += 1
    pairs.sort(key=lambda p: -p[0])
    moduli = np.array([m for m, _ in pairs])
    cols = []
    for _, k in pairs:
        u, v = q[:, k], q[:, k + 1]
        if t[k, k + 1] < 0:  # orient the pair so that its block reads [[0, λ], [-λ, 0]]
            v = -v
        cols += [u, v]
    used = {k for _, k in pairs} | {k + 1 for _, k in pairs}
    cols += [q[:, k] for k in range(n) if k not in used]
    return moduli, np.stack(cols, axis=1)


def schur_moduli(payoff: Matrix, tol: float = 1e-9) -> np.ndarray:
    """The moduli λ_k > ``tol`` of A's eigenvalue pairs ±iλ_k, largest first (float[pairs])."""
    moduli, _ = schur(payoff)
    return moduli[moduli > tol * max(1.0, float(moduli.max(initial=0.0)))]


def schur_embedding(payoff: Matrix) -> np.ndarray:
    """2-D coordinates (float[n, 2]) of each player from the leading Schur pair: √λ_1 (u, v),
    so that A_ij ≈ x_i × x_j = x_i,0 x_j,1 - x_i,1 x_j,0 (the "gamescape")."""
    moduli, q = schur(payoff)
    if len(moduli) == 0:
        return np.zeros((q.shape[0], 2))
    return np.sqrt(moduli[0]) * q[:, :2]


def _mixture(q: Matrix, n: int) -> np.ndarray:
    p = np.asarray(q, dtype=np.float64)
    if p.shape != (n,) or np.any(p < -1e-12) or not np.isclose(p.sum(), 1.0, atol=1e-8):
        raise AlifeError(f"a mixture must be {n} non-negative weights summing to 1, got "
                         f"{np.asarray(q)!r:.80}")
    return np.clip(p, 0.0, None) / np.clip(p, 0.0, None).sum()


def exploitability(payoff: Matrix, q: Matrix) -> float:
    """max_i (A q)_i: what the best player in the game gains against the mixture ``q`` (>= 0)."""
    a = as_antisymmetric(payoff)
    return float((a @ _mixture(q, a.shape[0])).max())


def nash_averaged_skill(payoff: Matrix, p: Matrix) -> np.ndarray:
    """A p: each player's payoff against the Nash mixture ``p`` (<= 0, 0 on its support)."""
    a = as_antisymmetric(payoff)
    return a @ _mixture(p, a.shape[0])


def effective_diversity(payoff: Matrix, p: Matrix) -> float:
    """pᵀ max(A, 0) p: how much the mixture's members beat each other (Balduzzi et al. 2019)."""
    a = as_antisymmetric(payoff)
    w = _mixture(p, a.shape[0])
    return float(w @ np.maximum(a, 0.0) @ w)


def relative_population_performance(cross: Matrix) -> float:
    """RPP(P, Q) = pᵀ A q at a Nash (p, q) of the zero-sum meta-game whose payoff A_ij is
    P's member i against Q's member j (Balduzzi et al. 2019, "Open-ended learning in symmetric
    zero-sum games", Def. 3): > 0 when population P beats Q; RPP(Q, P) = -RPP(P, Q)."""
    from scipy.optimize import linprog

    a = np.asarray(cross, dtype=np.float64)
    if a.ndim != 2 or a.size == 0 or not np.isfinite(a).all():
        raise AlifeError(f"a cross-population payoff must be a finite [|P|, |Q|] matrix, got "
                         f"shape {list(a.shape)}")
    m, n = a.shape
    # the row player's maximin: max v  s.t.  (Aᵀ p)_j >= v for every column j, Σp = 1, p >= 0
    res = linprog(np.r_[np.zeros(m), -1.0], A_ub=np.c_[-a.T, np.ones(n)], b_ub=np.zeros(n),
                  A_eq=np.r_[np.ones(m), 0.0][None, :], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    if res.status != 0:
        raise AlifeError(f"the meta-game's linear program failed: {res.message}")
    return float(res.x[-1])


def three_cycles(payoff: Matrix, margin: float = 0.0) -> int:
    """tr(B³)/3 with B = 1[A > margin]: the number of directed 3-cycles i > j > k > i."""
    a = as_antisymmetric(payoff)
    b = (a > margin).astype(np.int64)
    return int(np.trace(b @ b @ b)) // 3
