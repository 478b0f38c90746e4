"""Two programs on one tape (soup.md, steps 3 and 4): load a pair, write it back."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always", cache=True, nogil=True)
def load_pair(programs: np.ndarray, a: int, b: int, tape: np.ndarray, size: int) -> None:
    """Program a's bytes then program b's into the tape (uint8[2 * size]); ``size`` is
    ``programs.shape[1]``, passed so that kernels can make it a compile-time constant."""
    for j in range(size):
        tape[j] = programs[a, j]
        tape[size + j] = programs[b, j]


@njit(inline="always", cache=True, nogil=True)
def store_pair(programs: np.ndarray, a: int, b: int, tape: np.ndarray, size: int) -> None:
    """The tape's first half back to program a, its second half to program b."""
    for j in range(size):
        programs[a, j] = tape[j]
        programs[b, j] = tape[size + j]
