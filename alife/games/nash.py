"""Nash equilibria of symmetric zero-sum games by linear programming, and Nash clusters
(selfplay.md 3, 8; Balduzzi et al. 2018; Czarnecki et al. 2020, "spinning tops").

For antisymmetric A the game's value is 0 and p is a Nash mixture iff A p <= 0. The LP's first
vertex depends on the solver, so by default the returned Nash is a *maximal-support* one: the
mean of Nash mixtures whose supports cover every player that any Nash uses (the unique Nash when
there is one), found by repeatedly maximising, within the Nash set, the weight on players outside
the support so far.

>>> nash([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]).round(6).tolist()
[0.333333, 0.333333, 0.333333]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog

from alife.errors import AlifeError
from alife.games.payoff import as_antisymmetric

Matrix = np.ndarray | Sequence
SUPPORT_TOL = 1e-7
SELECTIONS = ("support", "vertex")
_HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _solve(c: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray, a_eq: np.ndarray,
           bounds: list) -> np.ndarray:
    """linprog with tight tolerances, retried with HiGHS's defaults if those fail."""
    for options in (_HIGHS, {}):
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds,
                      method="highs", options=options)
        if res.status == 0:
            return np.asarray(res.x, dtype=np.float64)
    raise AlifeError(f"the Nash linear program failed: {res.message}")


def nash(payoff: Matrix, selection: str = "support") -> np.ndarray:
    """A Nash mixture p (float[n]) of the symmetric zero-sum game A: A p <= 0.

    ``selection``: "support" (default; the maximal-support Nash, see the module docstring) or
    "vertex" (the first solution of the LP min v s.t. A p <= v, Σp = 1, p >= 0).
    """
    if selection not in SELECTIONS:
        raise AlifeError(f"unknown Nash selection {selection!r}; expected one of "
                         f"{', '.join(SELECTIONS)}")
    a = as_antisymmetric(payoff)
    n = a.shape[0]
    scale = max(1.0, float(np.abs(a).max()))
    # min v  s.t.  A p - v <= 0  over (p, v)
    x = _solve(np.r_[np.zeros(n), 1.0], np.c_[a, -np.ones(n)], np.zeros(n),
               np.r_[np.ones(n), 0.0][None, :], [(0, None)] * n + [(None, None)])
    p = np.clip(x[:n], 0.0, None)
    if selection == "vertex" or n == 1:
        return _clean(a, p / p.sum(), scale)
    # grow the support: maximise the weight on players outside it, within the Nash set, until
    # no Nash puts weight there; the mean of the solutions has the union of their supports
    slack = 1e-9 * scale  # the value is 0; allow for the solver's tolerance
    found = [p / p.sum()]
    inside = p > SUPPORT_TOL
    while not inside.all():
        q = np.clip(_solve(-(~inside).astype(np.float64), a, np.full(n, slack),
                           np.ones((1, n)), [(0, None)] * n), 0.0, None)
        new = (q > SUPPORT_TOL) & ~inside
        if not new.any():
            break
        found.append(q / q.sum())
        inside |= new
    return _clean(a, np.mean(found, axis=0), scale)


def _clean(a: np.ndarray, p: np.ndarray, scale: float) -> np.ndarray:
    """Drop the solver's crumbs: weights below SUPPORT_TOL, and players that lose to the
    mixture by more than its tolerance (no Nash can use them)."""
    q = p / p.sum()
    q[(q < SUPPORT_TOL) | (a @ q < -1e-6 * scale)] = 0.0
    q /= q.sum()
    # polish on the support: there A_SS p_S = 0 and Σ p_S = 1 (solved in least squares)
    s = np.flatnonzero(q)
    lhs = np.vstack([a[np.ix_(s, s)], np.ones((1, len(s)))])
    sol, *_ = np.linalg.lstsq(lhs, np.r_[np.zeros(len(s)), 1.0], rcond=None)
    polished = np.zeros_like(q)
    polished[s] = sol
    if sol.min() >= 0 and (a @ polished).max() < (a @ q).max():
        return polished / polished.sum()
    return q


def support(p: Matrix, tol: float = SUPPORT_TOL) -> np.ndarray:
    """Indices of the players with weight > ``tol`` in the mixture ``p``."""
    return np.flatnonzero(np.asarray(p, dtype=np.float64) > tol)


def nash_clusters(payoff: Matrix) -> list[np.ndarray]:
    """Layers C_1, C_2, ...: C_1 is the Nash support, removed before finding C_2, and so on
    (the spinning top's layers, Czarnecki et al. 2020). Indices into the original game."""
    a = as_antisymmetric(payoff)
    left = np.arange(a.shape[0])
    layers: list[np.ndarray] = []
    while len(left):
        s = support(nash(a[np.ix_(left, left)]))
        layers.append(left[s])
        left = np.delete(left, s)
    return layers
