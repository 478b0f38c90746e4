"""Soup complexity metrics exactly as the reference reports them (soup.md, "Metrics").

``h0`` is the order-0 byte entropy; ``bpb`` the Brotli (quality 2, window 24, generic mode) bits
per byte; ``higher_entropy = h0 - bpb`` is the paper's "high-order entropy" (Agüera y Arcas et al.
2024, sec. 2.2): about 0 for a random soup, several bits once replicators have taken over.
"""

from __future__ import annotations

import brotli
import numpy as np
from numba import njit

BROTLI_QUALITY = 2
BROTLI_LGWIN = 24
TRANSITION_THRESHOLD = 3.0


@njit(cache=True, nogil=True)
def byte_counts(data: np.ndarray) -> np.ndarray:
    """int64[256]: how often each byte value occurs in ``data`` (uint8[M]); four interleaved
    histograms, so consecutive equal bytes do not wait on one counter."""
    parts = np.zeros((4, 256), dtype=np.int64)
    m = data.shape[0]
    body = m - m % 4
    for i in range(0, body, 4):
        parts[0, data[i]] += 1
        parts[1, data[i + 1]] += 1
        parts[2, data[i + 2]] += 1
        parts[3, data[i + 3]] += 1
    for i in range(body, m):
        parts[0, data[i]] += 1
    return parts[0] + parts[1] + parts[2] + parts[3]


def h0(soup: np.ndarray) -> float:
    """Shannon entropy of the 256-bin byte histogram of ``soup`` (any shape), bits per byte."""
    counts = byte_counts(np.ascontiguousarray(soup, dtype=np.uint8).reshape(-1))
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def brotli_size(soup: np.ndarray) -> int:
    """Length of the reference's Brotli compression of ``soup`` as one byte string."""
    data = np.ascontiguousarray(soup, dtype=np.uint8).tobytes()
    return len(brotli.compress(data, mode=brotli.MODE_GENERIC, quality=BROTLI_QUALITY,
                               lgwin=BROTLI_LGWIN))


def complexity(soup: np.ndarray) -> dict[str, float]:
    """``h0``, ``brotli_size``, ``bpb`` and ``higher_entropy`` of a soup (uint8[N, 64])."""
    size = int(np.asarray(soup).size)
    b = brotli_size(soup)
    e0 = h0(soup)
    bpb = 8.0 * b / size
    return {"h0": e0, "brotli_size": b, "bpb": bpb, "higher_entropy": e0 - bpb}
