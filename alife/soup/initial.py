"""The initial soup (soup.md, "Initial soup" and "Reset"): hashed bytes, or zeros."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.rng import H, S

_FF = np.uint64(0xFF)


@njit(parallel=True, cache=True, nogil=True)
def init_programs(programs: np.ndarray, seed: np.uint64, key: np.uint64, zero: bool) -> None:
    """Initial soup: byte j of program i is ``H(P*N*S(key) + P*i + j) mod 256`` (or zeros), P
    the program size (soup.md, "Initial soup"; P = 64 in the reference)."""
    n, size = programs.shape
    base = np.uint64(size) * np.uint64(n) * S(seed, key)
    for i in prange(n):
        for j in range(size):
            if zero:
                programs[i, j] = 0
            else:
                programs[i, j] = np.uint8(H(base + np.uint64(size * i + j)) & _FF)
