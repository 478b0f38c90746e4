"""Empirical games: antisymmetric payoff matrices with their sample counts (selfplay.md).

A game between n players (species, agents) is an antisymmetric matrix A (float[n, n],
A = -Aᵀ): A_ij > 0 when i beats j. Every cell carries how many samples it averages and their
standard error, so metrics can be given with intervals (:func:`bootstrap`).

>>> g = win_rate_game([[0, 3], [1, 0]], [[0, 4], [4, 0]])
>>> g.payoff.tolist()
[[0.0, 0.25], [-0.25, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from alife.errors import AlifeError

#: Antisymmetry tolerance, relative to the largest payoff.
ANTISYMMETRY_TOL = 1e-9


def as_antisymmetric(payoff: np.ndarray | Sequence, name: str = "payoff") -> np.ndarray:
    """``payoff`` as float64[n, n] after checking that it is square, finite and antisymmetric."""
    a = np.asarray(payoff, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise AlifeError(f"{name} must be a non-empty square matrix, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise AlifeError(f"{name} must hold finite numbers only")
    scale = max(1.0, float(np.abs(a).max()))
    if np.abs(a + a.T).max() > ANTISYMMETRY_TOL * scale:
        raise AlifeError(f"{name} must be antisymmetric (A = -Aᵀ: a zero-sum game), but "
                         f"max |A + Aᵀ| = {np.abs(a + a.T).max():.3g}; pass (A - Aᵀ)/2 to "
                         "keep its antisymmetric part")
    return 0.5 * (a - a.T)


@dataclass(frozen=True)
class EmpiricalGame:
    """An antisymmetric payoff matrix estimated from samples.

    ``payoff``: float[n, n], A = -Aᵀ; ``counts``: int[n, n], samples per cell; ``stderr``:
    float[n, n], standard error of each cell; ``bound``: the largest possible |payoff| (1/2 for
    win rates, 2 for soup species), which maps payoffs to win probabilities.
    """

    payoff: np.ndarray
    counts: np.ndarray
    stderr: np.ndarray
    bound: float = 0.5
    labels: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        """The number of players."""
        return int(self.payoff.shape[0])

    def win_probabilities(self) -> np.ndarray:
        """M = 1/2 + A / (2 bound): the chance that i beats j (draws 1/2), float[n, n]."""
        return 0.5 + self.payoff / (2.0 * self.bound)

    def restrict(self, keep: np.ndarray | Sequence[int]) -> EmpiricalGame:
        """The subgame among the players ``keep`` (indices, in that order)."""
        k = np.asarray(keep, dtype=np.int64)
        labels = tuple(self.labels[i] for i in k) if self.labels else ()
        return EmpiricalGame(self.payoff[np.ix_(k, k)], self.counts[np.ix_(k, k)],
                             self.stderr[np.ix_(k, k)], self.bound, labels)


def exact_game(payoff: np.ndarray | Sequence, bound: float | None = None,
               labels: Sequence[str] = ()) -> EmpiricalGame:
    """A game known exactly (no sampling error): counts 0, standard errors 0."""
    a = as_antisymmetric(payoff)
    n = a.shape[0]
    b = float(bound) if bound is not None else max(float(np.abs(a).max()), 1e-12)
    return EmpiricalGame(a, np.zeros((n, n), dtype=np.int64), np.zeros((n, n)), b,
                         tuple(labels))


def win_rate_game(wins: np.ndarray | Sequence, games: np.ndarray | Sequence,
                  labels: Sequence[str] = ()) -> EmpiricalGame:
    """The game A = M - 1/2 from ``wins[i, j]`` (i's wins over j, draws counted 1/2) in
    ``games[i, j]`` games (selfplay.md, "Networks / agents"); binomial standard errors."""
    w = np.asarray(wins, dtype=np.float64)
    k = np.asarray(games, dtype=np.float64)
    if w.shape != k.shape or w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise AlifeError(f"wins and games must be square matrices of one shape, got {w.shape} "
                         f"and {k.shape}")
    off = ~np.eye(len(k), dtype=bool)
    if np.any(k < 0) or np.any(w < 0) or np.any(np.abs(w + w.T - k)[off] > 1e-9):
        raise AlifeError("games must be non-negative and wins[i, j] + wins[j, i] must equal "
                         "games[i, j] (the same games seen from both sides, draws as 1/2)")
    safe = np.where(k > 0, k, 1.0)
    m = np.where(k > 0, w / safe, 0.5)
    se = np.where(k > 0, np.sqrt(m * (1 - m) / safe), 0.0)
    np.fill_diagonal(m, 0.5)
    np.fill_diagonal(se, 0.0)
    a = m - 0.5
    return EmpiricalGame(0.5 * (a - a.T), k.astype(np.int64), se, 0.5, tuple(labels))


def bootstrap(game: EmpiricalGame, metric: Callable[[np.ndarray], float], samples: int = 200,
              seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """(value, low, high): ``metric`` of the game and a parametric-bootstrap interval.

    Each draw perturbs every cell i < j by a normal error with the cell's standard error and
    mirrors it (keeping A antisymmetric), so sample counts carry into every metric.
    """
    if samples < 1:
        raise AlifeError(f"bootstrap samples must be >= 1, got {samples}")
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(game.n, 1)
    values = np.empty(samples)
    for s in range(samples):
        a = game.payoff.copy()
        a[iu] += rng.normal(0.0, 1.0, len(iu[0])) * game.stderr[iu]
        a.T[iu] = -a[iu]
        values[s] = metric(a)
    if np.all(np.isnan(values)):  # an undefined metric (e.g. κ of a null game)
        return float(metric(game.payoff)), float("nan"), float("nan")
    lo, hi = np.nanquantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(metric(game.payoff)), float(lo), float(hi)
