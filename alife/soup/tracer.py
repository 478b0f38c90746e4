"""Tracer tokens: a 64-bit provenance token per soup byte (Agüera y Arcas et al. 2024, sec. 3).

A token packs ``(creation epoch, position, value)``: bits 38-63 hold the epoch count at creation
(0 for the initial soup, e+1 for a byte made during epoch e), bits 8-37 the soup position
``program_size*program + byte`` where it was made, bits 0-7 the byte's current value. The top
56 bits are the token's *origin*. Copies carry the whole token, ``+``/``-`` and other arithmetic
keep the origin and change only the value part, and initialisation, resets, mutation and bytes an
interpreter makes from nothing create new tokens. So ``token & 0xFF`` always equals the byte it
rides on.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.shapes import (  # noqa: F401 (the token layout, re-exported)
    EPOCH_BITS,
    EPOCH_SHIFT,
    MAX_EPOCH,
    MAX_POSITION,
    POSITION_BITS,
    POSITION_SHIFT,
    check_token_capacity,
)

check_capacity = check_token_capacity
_VALUE = np.uint64(0xFF)
_POSITION = np.uint64(MAX_POSITION)


@njit(inline="always", cache=True, nogil=True)
def make_token(epoch: int, position: int, value: int) -> np.uint64:
    """The token of a byte with ``value`` made at soup ``position`` with ``epoch`` epochs done."""
    return (np.uint64(epoch) << np.uint64(EPOCH_SHIFT)) \
        | (np.uint64(position) << np.uint64(POSITION_SHIFT)) | (np.uint64(value) & _VALUE)


@njit(inline="always", cache=True, nogil=True)
def with_value(token: np.uint64, value: int) -> np.uint64:
    """``token`` with its value part replaced (its origin kept)."""
    return (token & ~_VALUE) | (np.uint64(value) & _VALUE)


def token_epoch(tokens: np.ndarray) -> np.ndarray:
    """Creation epoch count of each token (0: the initial soup)."""
    return (np.asarray(tokens, dtype=np.uint64) >> np.uint64(EPOCH_SHIFT)).astype(np.int64)


def token_position(tokens: np.ndarray) -> np.ndarray:
    """Soup byte position (``program_size*program + byte``) where each token was made."""
    t = np.asarray(tokens, dtype=np.uint64)
    return ((t >> np.uint64(POSITION_SHIFT)) & _POSITION).astype(np.int64)


def token_value(tokens: np.ndarray) -> np.ndarray:
    """Current value part of each token (equals the byte it rides on)."""
    return (np.asarray(tokens, dtype=np.uint64) & _VALUE).astype(np.uint8)


def token_origin(tokens: np.ndarray) -> np.ndarray:
    """The origin (epoch, position) of each token as one integer, value part dropped."""
    return np.asarray(tokens, dtype=np.uint64) >> np.uint64(POSITION_SHIFT)


@njit(parallel=True, cache=True, nogil=True)
def init_tokens(programs: np.ndarray, tokens: np.ndarray, epoch: int) -> None:
    """New tokens for every byte of ``programs``, created with ``epoch`` epochs done."""
    n, size = programs.shape
    for i in prange(n):
        for j in range(size):
            tokens[i, j] = make_token(epoch, size * i + j, programs[i, j])


@njit(cache=True)
def _initial_counts(positions: np.ndarray, initial: np.ndarray, size: int) -> np.ndarray:
    counts = np.zeros(size, dtype=np.int32)
    for i in range(positions.shape[0]):
        if initial[i]:
            counts[positions[i]] += 1
    return counts


def token_census(tokens: np.ndarray, top: int = 16) -> dict[str, object]:
    """Unique token origins, the share of the bytes made in the initial soup, and the ``top``
    most common origins with their counts (tracer-token analysis of the paper)."""
    flat = np.ascontiguousarray(tokens, dtype=np.uint64).ravel()
    epochs = token_epoch(flat)
    initial = epochs == 0
    positions = token_position(flat)
    size = int(positions[initial].max()) + 1 if initial.any() else 0
    counts0 = _initial_counts(positions, initial, size)
    seen0 = np.flatnonzero(counts0)
    later, later_counts = np.unique(token_origin(flat[~initial]), return_counts=True)
    origins = np.concatenate([seen0.astype(np.uint64), later])
    counts = np.concatenate([counts0[seen0].astype(np.int64), later_counts])
    order = np.argsort(-counts, kind="stable")[:top]
    return {
        "unique": int(len(origins)),
        "initial_share": float(initial.mean()) if flat.size else 0.0,
        "top_origins": origins[order],
        "top_counts": counts[order],
    }
