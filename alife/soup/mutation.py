"""Mutation before execution (soup.md, step 2): the per-byte draw of pair k's tape."""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.rng import H

_M30 = np.uint64((1 << 30) - 1)
_FF = np.uint64(0xFF)


@njit(inline="always", cache=True, nogil=True)
def mutation_draw(kbase: np.uint64, t: int, mutation: np.uint64) -> int:
    """The new value of tape byte t when its mutation draw fires (soup.md step 2), else -1."""
    r = H(kbase + np.uint64(t))
    if ((r >> np.uint64(8)) & _M30) < mutation:
        return np.int64(r & _FF)
    return -1
