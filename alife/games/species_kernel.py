"""The compiled part of species games (:mod:`alife.games.soup_game`): every pair of species
run in both orders, in parallel.

A template of :func:`alife.languages.dispatch.compiled` (the language dispatch is generated
from the registry): use ``compiled("alife.games.species_kernel")``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.languages.dispatch import run_tape, run_tape_traced  # noqa: F401
from alife.rng import H
from alife.soup.mutation import mutation_draw
from alife.soup.tape import load_pair


@njit(cache=True, nogil=True)
def _score(tape: np.ndarray, gi: np.ndarray, gj: np.ndarray, mode: int) -> float:
    """(copies of gi) - (copies of gj) among the two halves of ``tape``; ``mode`` indexes
    MATCHES (0 exact, 1 bytes, 2 mirror)."""
    size = gi.shape[0]
    total = 0.0
    for h in range(2):
        si = 0
        sj = 0
        ri = 0
        rj = 0
        for t in range(size):
            b = tape[h * size + t]
            si += b == gi[t]
            sj += b == gj[t]
            ri += b == gi[size - 1 - t]
            rj += b == gj[size - 1 - t]
        if mode == 1:
            total += (si - sj) / size
        elif mode == 2:
            total += (si == size or ri == size) - (sj == size or rj == size)
        else:
            total += (si == size) - (sj == size)
    return total


@njit(parallel=True, cache=True, nogil=True)
def species_game_kernel(programs: np.ndarray, pairs: np.ndarray, samples: int, lang: int,
                        limit: int, key: np.uint64, mutation: np.uint64, mode: int,
                        out: np.ndarray, scratch_ints: int, stack_bytes: int) -> None:
    """out[p, s, o] = i's score minus j's for pair ``pairs[p] = (i, j)``, sample s, order o
    (0: g_i|g_j, 1: g_j|g_i), every run in parallel."""
    n_pairs = pairs.shape[0]
    width = 2 * programs.shape[1]
    for task in prange(n_pairs * samples * 2):
        p = task // (samples * 2)
        s = (task // 2) % samples
        o = task % 2
        i = pairs[p, 0]
        j = pairs[p, 1]
        first = i if o == 0 else j
        second = j if o == 0 else i
        tape = np.empty(width, dtype=np.uint8)
        load_pair(programs, first, second, tape, programs.shape[1])
        if mutation > 0:
            base = H(key ^ H(np.uint64(task))) * np.uint64(width)
            for t in range(width):
                v = mutation_draw(base, t, mutation)
                if v >= 0:
                    tape[t] = np.uint8(v)
        scratch = np.zeros(scratch_ints, dtype=np.int64)
        stack = np.zeros(stack_bytes, dtype=np.uint8)
        run_tape(lang, tape, limit, scratch, stack)
        out[p, s, o] = _score(tape, programs[i], programs[j], mode)
