"""Meta-strategy solvers: who trains against whom in self-play (Zhang et al. 2024, sec. 3;
Lanctot et al. 2017, PSRO; Bansal et al. 2018, δ-uniform; Vinyals et al. 2019, prioritized
fictitious self-play; Balduzzi et al. 2019, rectified Nash).

A solver reads the population's payoff matrix A (float[n, n], antisymmetric; policy n-1 is the
newest) and its Nash mixture, and returns a :class:`MetaStrategy`: the interaction matrix Σ
(float[m, n]; row l is the opponent mixture that new learner l trains against), the policy each
learner starts from, whether its objective is rectified (only opponents it beats or ties count),
and the population's meta-mixture (float[n]), the mixed strategy the population stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alife.errors import AlifeError
from alife.games.nash import nash, support
from alife.games.payoff import as_antisymmetric


@dataclass(frozen=True)
class MetaStrategy:
    """A solver's output: Σ (float[m, n]), learners' starting policies (int[m]), rectified
    objectives, and the meta-mixture (float[n])."""

    sigma: np.ndarray
    starts: np.ndarray
    rectified: bool
    meta: np.ndarray


@dataclass(frozen=True)
class SolverParams:
    """Tunable settings: δ of δ-uniform, the exponent of PFSP's weighting f(x) = (1 - x)^p, the
    most learners PSRO-rN adds per generation (the heaviest of the Nash support)."""

    delta: float = 0.5
    pfsp_power: float = 2.0
    max_learners: int = 4


def _one(n: int, weights: np.ndarray, start: int = -1) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(weights, dtype=np.float64)
    return (w / w.sum())[None, :], np.array([n - 1 if start < 0 else start])


def vanilla(a: np.ndarray, params: SolverParams, p: np.ndarray) -> MetaStrategy:
    """Naive self-play: train the newest policy against itself."""
    n = len(a)
    w = np.zeros(n)
    w[-1] = 1.0
    s, st = _one(n, w)
    return MetaStrategy(s, st, False, s[0])


def fictitious(a: np.ndarray, params: SolverParams, p: np.ndarray) -> MetaStrategy:
    """Fictitious self-play: against the uniform mixture of every past policy."""
    n = len(a)
    s, st = _one(n, np.ones(n))
    return MetaStrategy(s, st, False, s[0])


def delta_uniform(a: np.ndarray, params: SolverParams, p: np.ndarray) -> MetaStrategy:
    """δ-uniform self-play: uniform over the newest (1 - δ) share of the history."""
    n = len(a)
    w = np.zeros(n)
    w[int(np.floor(params.delta * (n - 1))):] = 1.0
    s, st = _one(n, w)
    return MetaStrategy(s, st, False, s[0])


def prioritized(a: np.ndarray, params: SolverParams, p: np.ndarray) -> MetaStrategy:
    """Prioritized fictitious self-play: weight f(x) = (1 - x)^p on each opponent, x the newest
    policy's win probability against it (estimated as 1/2 + A / (2 max|A|))."""
    n = len(a)
    scale = max(float(np.abs(a).max()), 1e-12)
    x = 0.5 + a[-1] / (2 * scale)
    w = (1.0 - x) ** params.pfsp_power + 1e-12
    s, st = _one(n, w)
    return MetaStrategy(s, st, False, s[0])


def psro_nash(a: np.ndarray, params: SolverParams, p: np.ndarray) -> MetaStrategy:
    """PSRO-Nash: a best response to the Nash ``p`` of the population's game."""
    s, st = _one(len(a), p)
    return MetaStrategy(s, st, False, p)


def psro_rectified_nash(a: np.ndarray, params: SolverParams, p: np.ndarray) -> MetaStrategy:
    """PSRO-rN: every policy of the Nash support (the heaviest ``max_learners``) trains against
    the Nash mixture ``p`` with a rectified objective, amplifying what it already beats."""
    sup = support(p)
    sup = sup[np.argsort(-p[sup], kind="stable")][: params.max_learners]
    sigma = np.repeat((p / p.sum())[None, :], len(sup), axis=0)
    return MetaStrategy(sigma, sup.astype(np.int64), True, p)


Solver = Callable[[np.ndarray, SolverParams, np.ndarray], MetaStrategy]
SOLVERS: dict[str, Solver] = {
    "vanilla": vanilla,
    "fictitious": fictitious,
    "delta_uniform": delta_uniform,
    "prioritized": prioritized,
    "psro_nash": psro_nash,
    "psro_rn": psro_rectified_nash,
}


def solve(name: str, payoff: np.ndarray, params: SolverParams | None = None,
          equilibrium: np.ndarray | None = None) -> MetaStrategy:
    """Run the solver ``name`` (one of :data:`SOLVERS`) on the population's payoff matrix;
    ``equilibrium``: its Nash mixture if already known (else computed)."""
    if name not in SOLVERS:
        raise AlifeError(f"unknown meta-strategy solver {name!r}; expected one of "
                         f"{', '.join(SOLVERS)}")
    p = params or SolverParams()
    if not 0.0 <= p.delta < 1.0 or p.max_learners < 1:
        raise AlifeError(f"solver params: need 0 <= delta < 1 and max_learners >= 1, got {p}")
    a = as_antisymmetric(payoff)
    return SOLVERS[name](a, p, nash(a) if equilibrium is None else equilibrium)
