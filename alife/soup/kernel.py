"""The epoch kernel of the primordial soup (soup.md; Agüera y Arcas et al. 2024, sec. 2).

Everything here is compiled: pairing, mutation before execution, execution and write-back,
resets. :func:`run_epochs` advances a soup by any number of epochs in one call that releases
the GIL; pairs run in parallel (``prange``), and every random draw is a hash of its
coordinates, so the bytes never depend on the thread count. Programs are ``P`` bytes
(:data:`SIZE`, 64 in the reference) and tapes ``2P``.

A template of :func:`alife.languages.dispatch.compiled`: the language dispatch is generated
from the registry, so use ``compiled("alife.soup.kernel", SIZE=P)``, never this module
directly.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.languages.dispatch import run_tape, run_tape_traced
from alife.languages.family import CREATED
from alife.rng import S
from alife.soup.initial import init_programs
from alife.soup.mutation import mutation_draw
from alife.soup.pairing import epoch_pairs
from alife.soup.tape import load_pair, store_pair
from alife.soup.tracer import init_tokens, make_token, with_value

BLOCK = 64  # pairs per parallel work item (one scratch allocation each)
#: Bytes per program, fixed in each generated copy (``compiled("alife.soup.kernel", SIZE=P)``):
#: as a compile-time constant the tape loops vectorise (~15 % of epochs/s on random soups).
SIZE = 64


@njit(parallel=True, cache=True, nogil=True)
def execute_pairs(programs: np.ndarray, pairs: np.ndarray, executed: int, lang: int,
                  seed: np.uint64, epoch: int, mutation: np.uint64, limit: int,
                  pair_ops: np.ndarray, scratch_ints: int, stack_bytes: int) -> None:
    """Mutate every pair's tape, run the first ``executed`` pairs, write all back (soup.md 2-4).

    ``pairs`` is flat: pair k is (pairs[2k], pairs[2k+1]). ``pair_ops[k]`` receives its ops.
    """
    n = programs.shape[0]
    width = 2 * SIZE
    npairs = n // 2
    base = np.uint64(n) * S(seed, np.uint64(epoch))
    nblocks = (npairs + BLOCK - 1) // BLOCK
    for blk in prange(nblocks):
        tape = np.empty(width, dtype=np.uint8)
        scratch = np.zeros(scratch_ints, dtype=np.int64)
        stack = np.empty(stack_bytes, dtype=np.uint8)
        for k in range(blk * BLOCK, min(npairs, (blk + 1) * BLOCK)):
            a = pairs[2 * k]
            b = pairs[2 * k + 1]
            load_pair(programs, a, b, tape, SIZE)
            kbase = (base + np.uint64(k)) * np.uint64(width)
            for t in range(width):
                v = mutation_draw(kbase, t, mutation)
                if v >= 0:
                    tape[t] = np.uint8(v)
            ops = 0
            if k < executed:
                ops = run_tape(lang, tape, limit, scratch, stack)
            pair_ops[k] = ops
            store_pair(programs, a, b, tape, SIZE)


@njit(parallel=True, cache=True, nogil=True)
def execute_pairs_traced(programs: np.ndarray, tokens: np.ndarray, pairs: np.ndarray,
                         executed: int, lang: int, seed: np.uint64, epoch: int,
                         mutation: np.uint64, limit: int, pair_ops: np.ndarray,
                         crossed: np.ndarray, scratch_ints: int, stack_bytes: int) -> None:
    """:func:`execute_pairs` carrying a tracer token per byte (Agüera y Arcas et al. 2024).

    The interpreter moves each byte's tape position of origin; write-back turns it into the
    token that sat there (value part updated), and gives bytes made by mutation or from nothing
    a new token stamped ``epoch + 1``. ``crossed[p]`` (when not empty) is set to 1 when program
    p's output half holds more bytes from its partner's input half than from its own (its
    lineage parent is the partner; ties stay with the program itself), else 0.
    """
    n = programs.shape[0]
    size = SIZE
    width = 2 * SIZE
    npairs = n // 2
    base = np.uint64(n) * S(seed, np.uint64(epoch))
    nblocks = (npairs + BLOCK - 1) // BLOCK
    stamp = epoch + 1
    record = crossed.shape[0] > 0
    for blk in prange(nblocks):
        tape = np.empty(width, dtype=np.uint8)
        tin = np.empty(width, dtype=np.uint64)
        src = np.empty(width, dtype=np.uint16)
        scratch = np.zeros(scratch_ints, dtype=np.int64)
        stack = np.empty(stack_bytes, dtype=np.uint8)
        stack_src = np.empty(stack_bytes, dtype=np.uint16)
        for k in range(blk * BLOCK, min(npairs, (blk + 1) * BLOCK)):
            a = pairs[2 * k]
            b = pairs[2 * k + 1]
            load_pair(programs, a, b, tape, SIZE)
            for j in range(size):
                tin[j] = tokens[a, j]
                tin[size + j] = tokens[b, j]
            kbase = (base + np.uint64(k)) * np.uint64(width)
            for t in range(width):
                v = mutation_draw(kbase, t, mutation)
                if v >= 0:
                    tape[t] = np.uint8(v)
                    owner = a if t < size else b
                    tin[t] = make_token(stamp, size * owner + (t % size), tape[t])
                src[t] = t
            ops = 0
            if k < executed:
                ops = run_tape_traced(lang, tape, src, limit, scratch, stack, stack_src)
            pair_ops[k] = ops
            from_a0 = 0
            from_a1 = 0
            from_b0 = 0
            from_b1 = 0
            for t in range(width):
                s = src[t]
                owner = a if t < size else b
                if s == CREATED:
                    tok = make_token(stamp, size * owner + (t % size), tape[t])
                else:
                    tok = with_value(tin[s], tape[t])
                    if t < size:
                        if s < size:
                            from_a0 += 1
                        else:
                            from_b0 += 1
                    else:
                        if s < size:
                            from_a1 += 1
                        else:
                            from_b1 += 1
                tokens[owner, t % size] = tok
            store_pair(programs, a, b, tape, SIZE)
            if record:
                crossed[a] = 1 if from_b0 > from_a0 else 0
                crossed[b] = 1 if from_a1 > from_b1 else 0


@njit(inline="always", cache=True, nogil=True)
def _epochs(programs: np.ndarray, lang: int, seed: np.uint64, first_epoch: int,
               n_epochs: int, mutation: np.uint64, limit: int, offsets: np.ndarray,
               partners: np.ndarray, reset_interval: int, reset_index: int, zero_init: bool,
               epoch_ops: np.ndarray, epoch_interactions: np.ndarray, tokens: np.ndarray,
               crossed: np.ndarray, scratch_ints: int, stack_bytes: int, traced: bool,
               pairing: int) -> int:
    """Run epochs ``first_epoch .. first_epoch + n_epochs - 1``; return the next reset index.

    ``offsets``/``partners`` give the spatial partner lists (CSR); an empty ``offsets`` means a
    well-mixed soup, paired by ``pairing`` (:data:`alife.soup.pairing.PAIRINGS`).
    ``reset_interval`` <= 0 disables resets. Per-epoch ops and executed-pair
    counts go to ``epoch_ops`` / ``epoch_interactions``. A non-empty ``tokens`` (uint64[N, P])
    turns tracer tokens on; a non-empty ``crossed`` (uint8[n_epochs, N]) then receives each
    epoch's lineage bits (see :func:`execute_pairs_traced`).
    """
    n = programs.shape[0]
    order = np.empty(n, dtype=np.int64)
    draws = np.empty(n, dtype=np.int64)
    pairs = np.empty(n, dtype=np.int64)
    used = np.empty(n, dtype=np.bool_)
    pair_ops = np.empty(n // 2, dtype=np.int64)
    record = crossed.shape[0] > 0
    no_bits = np.zeros(0, dtype=np.uint8)
    for d in range(n_epochs):
        e = first_epoch + d
        chosen, executed = epoch_pairs(n, seed, e, offsets, partners, order, draws, pairs, used,
                                       pairing)
        if traced:
            execute_pairs_traced(programs, tokens, chosen, executed, lang, seed, e, mutation,
                                 limit, pair_ops, crossed[d] if record else no_bits,
                                 scratch_ints, stack_bytes)
        else:
            execute_pairs(programs, chosen, executed, lang, seed, e, mutation, limit, pair_ops,
                          scratch_ints, stack_bytes)
        epoch_ops[d] = pair_ops.sum()
        epoch_interactions[d] = executed
        if reset_interval > 0 and e % reset_interval == 0:
            init_programs(programs, seed, np.uint64(reset_index), zero_init)
            if traced:
                init_tokens(programs, tokens, e + 1)
            reset_index += 1
    return reset_index


@njit(cache=True, nogil=True)
def run_epochs(programs: np.ndarray, lang: int, seed: np.uint64, first_epoch: int,
               n_epochs: int, mutation: np.uint64, limit: int, offsets: np.ndarray,
               partners: np.ndarray, reset_interval: int, reset_index: int, zero_init: bool,
               epoch_ops: np.ndarray, epoch_interactions: np.ndarray, tokens: np.ndarray,
               crossed: np.ndarray, scratch_ints: int, stack_bytes: int, pairing: int) -> int:
    """Advance an untraced soup (see :func:`_epochs`; ``tokens`` and ``crossed`` empty)."""
    return _epochs(programs, lang, seed, first_epoch, n_epochs, mutation, limit, offsets,
                   partners, reset_interval, reset_index, zero_init, epoch_ops,
                   epoch_interactions, tokens, crossed, scratch_ints, stack_bytes, False,
                   pairing)


@njit(cache=True, nogil=True)
def run_epochs_traced(programs: np.ndarray, lang: int, seed: np.uint64, first_epoch: int,
                      n_epochs: int, mutation: np.uint64, limit: int, offsets: np.ndarray,
                      partners: np.ndarray, reset_interval: int, reset_index: int,
                      zero_init: bool, epoch_ops: np.ndarray, epoch_interactions: np.ndarray,
                      tokens: np.ndarray, crossed: np.ndarray, scratch_ints: int,
                      stack_bytes: int, pairing: int) -> int:
    """Advance a soup with tracer tokens (see :func:`_epochs`). Compiled apart from
    :func:`run_epochs`: a traced branch in the untraced loop cost ~10 % of epochs/s."""
    return _epochs(programs, lang, seed, first_epoch, n_epochs, mutation, limit, offsets,
                   partners, reset_interval, reset_index, zero_init, epoch_ops,
                   epoch_interactions, tokens, crossed, scratch_ints, stack_bytes, True,
                   pairing)
