"""The epoch kernel on CUDA (soup.md; Agüera y Arcas et al. 2024, sec. 2): one thread per pair
of one of K soups, each thread mutating, running and writing back its pair's tape exactly as
:func:`alife.soup.kernel.execute_pairs` does, so a soup's bytes do not depend on the device.

A template of :func:`alife.languages.dispatch.compiled` (``SIZE``, ``SCRATCH`` and ``STACK``
fixed per copy, since CUDA's local arrays need constant sizes); the interpreters are the
families' own numba functions, which numba-cuda compiles for the device. Used through
:mod:`alife.soup.gpu`, never directly.
"""

from __future__ import annotations

import numpy as np
from numba import cuda, int64, uint8

from alife.languages.dispatch import run_tape, run_tape_traced
from alife.soup.mutation import mutation_draw

SIZE = 64
SCRATCH = 1
STACK = 1


@cuda.jit
def execute_batch(programs, pairs, executed, bases, lang, mutation, limit, pair_ops):
    """Pair k of soup s (thread ``s * N/2 + k``): ``programs`` uint8[K, N, SIZE], ``pairs``
    int64[K, N] (flat pairs), ``executed`` int64[K], ``bases`` uint64[K] (``N * S(seed_s, e)``
    of the epoch), ``pair_ops`` int64[K, N/2] receives each pair's ops."""
    i = cuda.grid(1)
    npairs = programs.shape[1] // 2
    if i >= programs.shape[0] * npairs:
        return
    s = i // npairs
    k = i - s * npairs
    tape = cuda.local.array(2 * SIZE, uint8)
    scratch = cuda.local.array(SCRATCH, int64)
    stack = cuda.local.array(STACK, uint8)
    for j in range(SCRATCH):
        scratch[j] = 0
    a = pairs[s, 2 * k]
    b = pairs[s, 2 * k + 1]
    for j in range(SIZE):
        tape[j] = programs[s, a, j]
        tape[SIZE + j] = programs[s, b, j]
    kbase = (bases[s] + np.uint64(k)) * np.uint64(2 * SIZE)
    for t in range(2 * SIZE):
        v = mutation_draw(kbase, t, mutation)
        if v >= 0:
            tape[t] = np.uint8(v)
    ops = 0
    if k < executed[s]:
        ops = run_tape(lang, tape, limit, scratch, stack)
    pair_ops[s, k] = ops
    for j in range(SIZE):
        programs[s, a, j] = tape[j]
        programs[s, b, j] = tape[SIZE + j]


__all__ = ["execute_batch", "run_tape_traced"]
