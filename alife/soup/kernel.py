"""The epoch kernel of the primordial soup (soup.md; Agüera y Arcas et al. 2024, sec. 2).

Everything here is compiled: initialisation, the Fisher-Yates pairing, spatial pairing, mutation
before execution, execution and write-back, resets. :func:`run_epochs` advances a soup by any
number of epochs in one call that releases the GIL; pairs run in parallel (``prange``), and
every random draw is a hash of its coordinates, so the bytes never depend on the thread count.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.languages.bff import SCRATCH_INTS
from alife.languages.dispatch import run_tape
from alife.languages.forth import STACK
from alife.rng import H, S

L = 64
TAPE = 128
BLOCK = 64  # pairs per parallel work item (one scratch allocation each)
_M30 = np.uint64((1 << 30) - 1)
_FF = np.uint64(0xFF)


@njit(parallel=True, cache=True, nogil=True)
def init_programs(programs: np.ndarray, seed: np.uint64, key: np.uint64, zero: bool) -> None:
    """Initial soup: byte j of program i is ``H(64*N*S(key) + 64*i + j) mod 256`` (or zeros)."""
    n = programs.shape[0]
    base = np.uint64(L) * np.uint64(n) * S(seed, key)
    for i in prange(n):
        for j in range(L):
            if zero:
                programs[i, j] = 0
            else:
                programs[i, j] = np.uint8(H(base + np.uint64(L * i + j)) & _FF)


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


@njit(parallel=True, cache=True, nogil=True)
def execute_pairs(programs: np.ndarray, pairs: np.ndarray, executed: int, lang: int,
                  seed: np.uint64, epoch: int, mutation: np.uint64, limit: int,
                  pair_ops: np.ndarray) -> None:
    """Mutate every pair's tape, run the first ``executed`` pairs, write all back (soup.md 2-4).

    ``pairs`` is flat: pair k is (pairs[2k], pairs[2k+1]). ``pair_ops[k]`` receives its ops.
    """
    n = programs.shape[0]
    npairs = n // 2
    base = np.uint64(n) * S(seed, np.uint64(epoch))
    nblocks = (npairs + BLOCK - 1) // BLOCK
    for blk in prange(nblocks):
        tape = np.empty(TAPE, dtype=np.uint8)
        scratch = np.zeros(SCRATCH_INTS, dtype=np.int64)
        stack = np.empty(STACK, dtype=np.uint8)
        for k in range(blk * BLOCK, min(npairs, (blk + 1) * BLOCK)):
            a = pairs[2 * k]
            b = pairs[2 * k + 1]
            for j in range(L):
                tape[j] = programs[a, j]
                tape[L + j] = programs[b, j]
            kbase = (base + np.uint64(k)) * np.uint64(TAPE)
            for t in range(TAPE):
                r = H(kbase + np.uint64(t))
                if ((r >> np.uint64(8)) & _M30) < mutation:
                    tape[t] = np.uint8(r & _FF)
            ops = 0
            if k < executed:
                ops = run_tape(lang, tape, limit, scratch, stack)
            pair_ops[k] = ops
            for j in range(L):
                programs[a, j] = tape[j]
                programs[b, j] = tape[L + j]


@njit(cache=True, nogil=True)
def run_epochs(programs: np.ndarray, lang: int, seed: np.uint64, first_epoch: int,
               n_epochs: int, mutation: np.uint64, limit: int, offsets: np.ndarray,
               partners: np.ndarray, reset_interval: int, reset_index: int, zero_init: bool,
               epoch_ops: np.ndarray, epoch_interactions: np.ndarray) -> int:
    """Run epochs ``first_epoch .. first_epoch + n_epochs - 1``; return the next reset index.

    ``offsets``/``partners`` give the spatial partner lists (CSR); an empty ``offsets`` means a
    well-mixed soup. ``reset_interval`` <= 0 disables resets. Per-epoch ops and executed-pair
    counts go to ``epoch_ops`` / ``epoch_interactions``.
    """
    n = programs.shape[0]
    order = np.empty(n, dtype=np.int64)
    draws = np.empty(n, dtype=np.int64)
    pairs = np.empty(n, dtype=np.int64)
    used = np.empty(n, dtype=np.bool_)
    pair_ops = np.empty(n // 2, dtype=np.int64)
    spatial = offsets.shape[0] > 0
    for d in range(n_epochs):
        e = first_epoch + d
        shuffle_order(n, seed, e, order, draws)
        if spatial:
            executed = spatial_pairs(order, seed, e, offsets, partners, pairs, used)
            execute_pairs(programs, pairs, executed, lang, seed, e, mutation, limit, pair_ops)
        else:
            executed = n // 2
            execute_pairs(programs, order, executed, lang, seed, e, mutation, limit, pair_ops)
        epoch_ops[d] = pair_ops.sum()
        epoch_interactions[d] = executed
        if reset_interval > 0 and e % reset_interval == 0:
            init_programs(programs, seed, np.uint64(reset_index), zero_init)
            reset_index += 1
    return reset_index
