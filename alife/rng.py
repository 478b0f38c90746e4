"""Stateless SplitMix64 hashing, the soup's only randomness (Agüera y Arcas et al. 2024).

Every draw is ``H`` of its coordinates, so results never depend on threads or on stop/resume.
All arithmetic is on ``np.uint64`` and wraps mod 2**64; mixing in a Python ``int`` would promote
to float inside numba and silently break the hash, so every constant here is a ``np.uint64``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
MASK64 = (1 << 64) - 1


@njit(inline="always", cache=True, nogil=True)
def H(x: np.uint64) -> np.uint64:
    """SplitMix64 finaliser ``H(x)`` of soup.md (wrapping uint64)."""
    z = np.uint64(x) + _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True, nogil=True)
def S(seed: np.uint64, k: np.uint64) -> np.uint64:
    """Seed-keyed hash ``S(k) = H(H(seed) XOR H(k))`` of soup.md."""
    return H(H(np.uint64(seed)) ^ H(np.uint64(k)))


def h_py(x: int) -> int:
    """Pure-Python ``H`` on arbitrary ints (reduced mod 2**64), for tests and host-side code."""
    z = (x + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def s_py(seed: int, k: int) -> int:
    """Pure-Python ``S(k)`` keyed by ``seed``."""
    return h_py(h_py(seed & MASK64) ^ h_py(k & MASK64))
