"""The compiled part of the replication score (:mod:`alife.measures.replication`).

A template of :func:`alife.languages.dispatch.compiled` (the language dispatch is generated
from the registry): use ``compiled("alife.measures.replication_kernel")``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.languages.dispatch import run_tape, run_tape_traced  # noqa: F401
from alife.rng import H

ITERATIONS = 13
EXTRA_GENERATIONS = 4
QUORUM = 4  # "more than 13 / 4" tapes
_FF = np.uint64(0xFF)


@njit(cache=True, nogil=True)
def _score_one(program: np.ndarray, local: np.uint64, lang: int, limit: int, tapes: np.ndarray,
               scratch: np.ndarray, stack: np.ndarray) -> int:
    size = program.shape[0]
    noise = np.empty(size, dtype=np.uint8)
    for it in range(ITERATIONS):
        for j in range(size):
            noise[j] = np.uint8(H(local ^ H(np.uint64((it + 1) * size + j))) & _FF)
        tape = tapes[it]
        for j in range(size):
            tape[j] = program[j]
            tape[size + j] = noise[j]
        run_tape(lang, tape, limit, scratch, stack)
        for _ in range(EXTRA_GENERATIONS):
            for j in range(size):
                tape[j] = tape[size + j]
                tape[size + j] = noise[j]
            run_tape(lang, tape, limit, scratch, stack)
    first = 0
    second = 0
    counts = np.zeros(256, dtype=np.int64)
    for j in range(size):
        same = 0
        for it in range(ITERATIONS):
            if tapes[it, j] == program[j]:
                same += 1
        if same >= QUORUM:
            first += 1
        counts[:] = 0
        best = 0
        for it in range(ITERATIONS):
            v = tapes[it, size + j]
            counts[v] += 1
            if counts[v] > best:
                best = counts[v]
        if best >= QUORUM:
            second += 1
    return min(first, second)


@njit(parallel=True, cache=True, nogil=True)
def replication_scores_kernel(programs: np.ndarray, indices: np.ndarray, num_programs: int,
                              epoch_key: np.uint64, lang: int, limit: int, out: np.ndarray,
                              scratch_ints: int, stack_bytes: int) -> None:
    """Scores of ``programs[m]`` as program ``indices[m]`` of an ``num_programs`` soup, in parallel.

    ``epoch_key`` is ``S(epoch)`` of the run's seed; each program's noise is keyed by
    ``H(N * S(epoch) + index)`` as in the reference.
    """
    for m in prange(programs.shape[0]):
        tapes = np.empty((ITERATIONS, 2 * programs.shape[1]), dtype=np.uint8)
        scratch = np.zeros(scratch_ints, dtype=np.int64)
        stack = np.empty(stack_bytes, dtype=np.uint8)
        local = H(np.uint64(num_programs) * epoch_key + np.uint64(indices[m]))
        out[m] = _score_one(programs[m], local, lang, limit, tapes, scratch, stack)
