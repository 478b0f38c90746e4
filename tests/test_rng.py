"""SplitMix64 hashing of soup.md: numba and pure Python agree, and known values hold."""

import numpy as np
import pytest

from alife.rng import H, S, h_py, s_py


def test_h_known_value():
    # SplitMix64's first output for state 0 (its well-known test vector).
    assert h_py(0) == 0xE220A8397B1DCDAF


@pytest.mark.parametrize("x", [0, 1, 2**32 + 7, 0x9E3779B97F4A7C15, 2**64 - 1])
def test_numba_h_matches_python(x):
    assert int(H(np.uint64(x))) == h_py(x)


@pytest.mark.parametrize("seed,k", [(0, 0), (7, 3), (2**63, 2**64 - 1)])
def test_numba_s_matches_python(seed, k):
    assert int(S(np.uint64(seed), np.uint64(k))) == s_py(seed, k)
    assert s_py(seed, k) == h_py(h_py(seed) ^ h_py(k))
