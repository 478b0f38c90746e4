"""The SUBLEQ family of soup languages (Agüera y Arcas et al. 2024, "Computational Life", sec. 4).

``subleq``: absolute three-operand subtract-and-branch-if-<=0; ``rsubleq4``: relative four-operand
form. Every step counts as an op.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TAPE = 128


@njit(cache=True, nogil=True)
def run_subleq(tape: np.ndarray, limit: int) -> int:
    """Run a ``subleq`` tape (uint8[128], in place) for at most ``limit`` steps; return ops.

    Its only write is ``A -= B`` in place, so every byte keeps its provenance (tracer tokens).
    """
    pc = 0
    steps = 0
    while steps < limit:
        a = tape[pc] & 127
        b = tape[pc + 1] & 127
        v = np.uint8(tape[a] - tape[b])
        tape[a] = v
        steps += 1
        if v == 0 or v >= 128:
            pc = np.int64(tape[pc + 2])
        else:
            pc += 3
        if pc + 3 > TAPE or pc < 0:
            break
    return steps


@njit(cache=True, nogil=True)
def run_rsubleq4(tape: np.ndarray, limit: int, src: np.ndarray, traced: bool) -> int:
    """Run an ``rsubleq4`` tape (uint8[128], in place) for at most ``limit`` steps; return ops.

    When ``traced``, ``A = B - C`` gives A the provenance ``src`` of B (tracer tokens).
    """
    pc = 0
    steps = 0
    while steps < limit:
        a = (pc + tape[pc]) & 127
        b = (pc + tape[pc + 1]) & 127
        c = (pc + tape[pc + 2]) & 127
        v = np.uint8(tape[b] - tape[c])
        tape[a] = v
        if traced:
            src[a] = src[b]
        steps += 1
        if v == 0 or v >= 128:
            d = np.int64(tape[pc + 3])
            pc += d - 256 if d >= 128 else d
        else:
            pc += 4
        if pc + 4 > TAPE or pc < 0:
            break
    return steps
