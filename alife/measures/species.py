"""Species: identical programs, counted (the "most common programs" of the paper's figures).

Rows are hashed in parallel (SplitMix64 over their 64-bit words), grouped by sorting the
hashes, and every group is checked byte for byte, so counts are exact; a 64-bit collision (never
seen in practice) falls back to an exact sort of the rows.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from alife.rng import H


@njit(parallel=True, cache=True)
def row_hashes(programs: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every program (row) of ``programs`` (uint8[N, P], P a multiple of 8)."""
    words = programs.view(np.uint64)
    n, w = words.shape
    out = np.empty(n, dtype=np.uint64)
    for i in prange(n):
        h = numba.uint64(0x9E3779B97F4A7C15)
        for j in range(w):
            h = H(h ^ words[i, j])
        out[i] = h
    return out


@njit(cache=True)
def _groups_are_pure(programs: np.ndarray, order: np.ndarray, starts: np.ndarray) -> bool:
    n = len(order)
    for g in range(len(starts)):
        a = order[starts[g]]
        end = starts[g + 1] if g + 1 < len(starts) else n
        for t in range(starts[g] + 1, end):
            b = order[t]
            for j in range(programs.shape[1]):
                if programs[a, j] != programs[b, j]:
                    return False
    return True


def species_counts(programs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first index, count) of every distinct program, in order of first appearance."""
    programs = np.ascontiguousarray(programs, dtype=np.uint8)
    h = row_hashes(programs)
    order = np.argsort(h, kind="stable")
    sh = h[order]
    starts = np.flatnonzero(np.r_[True, sh[1:] != sh[:-1]])
    if _groups_are_pure(programs, order, starts):
        first, counts = order[starts], np.diff(np.r_[starts, len(order)])
    else:  # a hash collision: group the rows exactly
        rows = programs.view(np.dtype((np.void, programs.shape[1]))).ravel()
        _, first, counts = np.unique(rows, return_index=True, return_counts=True)
    by_position = np.argsort(first)
    return first[by_position], counts[by_position]


def top_species(programs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most common programs (uint8[k', P]) and their counts (int64[k']), k' <= k.

    Ties go to the program that appears first in the soup.
    """
    first, counts = species_counts(programs)
    top = np.argsort(-counts, kind="stable")[:k]
    return programs[first[top]].copy(), counts[top].astype(np.int64)


def richness(programs: np.ndarray) -> int:
    """The number of distinct programs in the soup."""
    return len(species_counts(programs)[0])
