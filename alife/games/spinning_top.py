"""Spinning-top profiles and fixed-memory fictitious play over Nash clusters (Czarnecki et al.
2020, "Real world games look like spinning tops").

A game's profile is its Nash clusters (:func:`alife.games.nash_clusters`) from the top (the
Nash support) down, each with its size and its transitive strength, the mean payoff of its
members against every strategy. Fixed-memory fictitious play keeps the last ``memory`` best
responses as its population; the paper's claim is that a population needs room for a whole
Nash cluster to climb past it.

>>> a = layered_cycle_game([3, 1])
>>> [c.tolist() for c in spinning_top_profile(a).clusters]
[[0, 1, 2], [3]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alife.errors import AlifeError
from alife.games.nash import nash, nash_clusters
from alife.games.payoff import as_antisymmetric


@dataclass(frozen=True)
class Profile:
    """A game's Nash clusters (top first), their sizes and mean payoff against all strategies,
    and each strategy's cluster index (``layer_of``, int[n])."""

    clusters: tuple[np.ndarray, ...]
    sizes: np.ndarray
    strength: np.ndarray
    layer_of: np.ndarray

    @property
    def widest(self) -> int:
        """The size of the largest Nash cluster."""
        return int(self.sizes.max())


def spinning_top_profile(payoff: np.ndarray | Sequence) -> Profile:
    """The Nash-cluster profile of the symmetric zero-sum game ``payoff`` (Czarnecki et al.
    2020): cluster sizes against transitive strength, top cluster first."""
    a = as_antisymmetric(payoff)
    clusters = tuple(nash_clusters(a))
    mean = a.mean(axis=1)
    layer_of = np.empty(a.shape[0], dtype=np.int64)
    for k, c in enumerate(clusters):
        layer_of[c] = k
    return Profile(clusters, np.array([len(c) for c in clusters], dtype=np.int64),
                   np.array([float(mean[c].mean()) for c in clusters]), layer_of)


def layered_cycle_game(widths: Sequence[int], cycle: float = 1.0,
                       transitive: float = 0.1) -> np.ndarray:
    """A game of known layers, top first: inside a layer of odd width w each strategy beats the
    next (w - 1)/2 (a balanced cycle, payoff ``cycle``); every strategy beats every strategy of
    the layers below it by ``transitive``."""
    if not widths or any(w < 1 or w % 2 == 0 for w in widths):
        raise AlifeError(f"layer widths must be odd positive integers, got {list(widths)}")
    n = int(sum(widths))
    a = np.zeros((n, n))
    start = 0
    for w in widths:
        for i in range(w):
            for d in range(1, (w - 1) // 2 + 1):
                j = (i + d) % w
                a[start + i, start + j], a[start + j, start + i] = cycle, -cycle
        a[start:start + w, start + w:] = transitive
        a[start + w:, start:start + w] = -transitive
        start += w
    return a


#: How fixed-memory fictitious play mixes its population: its Nash, or uniformly.
META = ("nash", "uniform")


@dataclass(frozen=True)
class FictitiousRun:
    """A run of fixed-memory fictitious play: every best response in order (int[steps + 1],
    the start first), the final population (int[<= memory]) and the exploitability of its
    meta-mixture."""

    responses: np.ndarray
    population: np.ndarray
    exploitability: float


def _meta_value(a: np.ndarray, members: list[int], meta: str) -> np.ndarray:
    """Every strategy's payoff against the population's meta-mixture."""
    if meta == "uniform":
        return a[:, members].mean(axis=1)
    distinct = sorted(set(members))
    return a[:, distinct] @ nash(a[np.ix_(distinct, distinct)])


def fixed_memory_fictitious_play(payoff: np.ndarray | Sequence, memory: int, steps: int,
                                 start: int, seed: int = 0, meta: str = "nash") -> FictitiousRun:
    """Fictitious play whose population is its last ``memory`` best responses (Czarnecki et al.
    2020): each step adds a pure best response to the population's meta-mixture (its Nash, or
    its uniform mixture; ties broken at random, seeded), the oldest member dropping out once
    the population is full."""
    a = as_antisymmetric(payoff)
    n = a.shape[0]
    if memory < 1 or steps < 0 or not 0 <= start < n:
        raise AlifeError(f"fictitious play needs memory >= 1, steps >= 0 and 0 <= start < {n}; "
                         f"got memory={memory}, steps={steps}, start={start}")
    if meta not in META:
        raise AlifeError(f"unknown meta-mixture {meta!r}; expected one of {', '.join(META)}")
    rng = np.random.default_rng(seed)
    responses = [start]
    for _ in range(steps):
        value = _meta_value(a, responses[-memory:], meta)
        best = np.flatnonzero(value >= value.max() - 1e-9)
        responses.append(int(best[rng.integers(len(best))]))
    population = responses[-memory:]
    return FictitiousRun(np.array(responses, dtype=np.int64), np.array(population, np.int64),
                         float(_meta_value(a, population, meta).max()))
