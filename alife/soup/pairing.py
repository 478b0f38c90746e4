"""Pairing of the program soup (soup.md, step 1, "Spatial soups" and "Pairing modes"): which
programs meet in each epoch. Pure functions of (seed, epoch, N, partner lists, mode), shared by
every soup kind."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.rng import H, S
from alife.world import PAIRINGS

#: Kernel codes of the pairing modes, in the order of :data:`alife.world.PAIRINGS`.
RANDOM, RING, FIXED_SHUFFLE = range(3)


def pairing_code(name: str) -> int:
    """The kernel code of pairing mode ``name`` (one of :data:`PAIRINGS`)."""
    return PAIRINGS.index(name)


@njit(cache=True, nogil=True)
def fixed_order(n: int, epoch: int, mode: int, order: np.ndarray) -> None:
    """The order of a ``ring`` or ``fixed_shuffle`` epoch (soup.md, "Pairing modes").

    ``ring``: odd epochs pair (0,1), (2,3), ...; even ones (N-1,0), (1,2), ....
    ``fixed_shuffle`` (N a power of two): ``s[i] = ((i * o) mod N) XOR (e mod 2)`` with
    ``o = 2^((e mod log2 N) + 1) - 1``.
    """
    if mode == RING:
        if epoch % 2 == 1:
            for i in range(n):
                order[i] = i
        else:
            for i in range(n):
                order[i] = n - 1 if i == 0 else i - 1
        return
    log2n = 0
    while (2 << log2n) <= n:
        log2n += 1
    offset = (1 << (epoch % log2n + 1)) - 1
    flip = epoch & 1
    for i in range(n):
        order[i] = ((i * offset) % n) ^ flip


@njit(parallel=True, cache=True, nogil=True)
def shuffle_order(n: int, seed: np.uint64, epoch: int, order: np.ndarray,
                  draws: np.ndarray) -> None:
    """Fisher-Yates permutation of epoch ``epoch``: ``j = H(S(e*N + i)) mod (i+1)``, i = N-1..0."""
    en = np.uint64(epoch) * np.uint64(n)
    for i in prange(n):
        draws[i] = np.int64(H(S(seed, en + np.uint64(i))) % np.uint64(i + 1))
    for i in range(n):
        order[i] = i
    for i in range(n - 1, -1, -1):
        j = draws[i]
        t = order[i]
        order[i] = order[j]
        order[j] = t


@njit(cache=True, nogil=True)
def spatial_pairs(order: np.ndarray, seed: np.uint64, epoch: int, offsets: np.ndarray,
                  partners: np.ndarray, pairs: np.ndarray, used: np.ndarray) -> int:
    """Spatial pairing (soup.md): fill ``pairs`` (as a flat N array) and return the executed count.

    Walk ``order``; program i proposes ``list_i[S(S(e) XOR S(i)) mod len(list_i)]``; a pair forms
    if both are unused, else i sits out. Unused programs follow as dummy pairs in index order.
    """
    n = order.shape[0]
    se = S(seed, np.uint64(epoch))
    for i in range(n):
        used[i] = False
    w = 0
    for idx in range(n):
        i = order[idx]
        deg = offsets[i + 1] - offsets[i]
        if deg == 0:
            continue
        pick = S(seed, se ^ S(seed, np.uint64(i))) % np.uint64(deg)
        p = partners[offsets[i] + np.int64(pick)]
        if not used[i] and not used[p]:
            used[i] = True
            used[p] = True
            pairs[w] = i
            pairs[w + 1] = p
            w += 2
    executed = w // 2
    for i in range(n):
        if not used[i]:
            pairs[w] = i
            w += 1
    return executed


@njit(inline="always", cache=True, nogil=True)
def epoch_pairs(n: int, seed: np.uint64, epoch: int, offsets: np.ndarray, partners: np.ndarray,
                order: np.ndarray, draws: np.ndarray, pairs: np.ndarray,
                used: np.ndarray, mode: int = RANDOM) -> tuple[np.ndarray, int]:
    """(flat pairs, executed count) of epoch ``epoch``: the shuffled order itself in a
    well-mixed soup (empty ``offsets``), else the spatial pairs written into ``pairs``; a
    well-mixed soup of pairing ``mode`` ``RING`` or ``FIXED_SHUFFLE`` uses that fixed order."""
    if mode != RANDOM:
        fixed_order(n, epoch, mode, order)
        return order, n // 2
    shuffle_order(n, seed, epoch, order, draws)
    if offsets.shape[0] > 0:
        return pairs, spatial_pairs(order, seed, epoch, offsets, partners, pairs, used)
    return order, n // 2
