"""zff's batches with tracer tokens and lineage bits (Agüera y Arcas et al. 2024, sec. 3 tracer
tokens, on the Z80 soup of Fig. 12; shared/spec/z80.md, "One batch").

The same draws, runs and noise as :func:`alife.soup.zff.run_batches`, so the bytes are the
untraced engine's; besides, every soup byte carries a token (:mod:`alife.soup.tracer`) that the
provenance passes (:mod:`alife.languages.z80_provenance`, :mod:`alife.languages.i8080_provenance`)
move with the data. A byte the CPU made (a return address, a port read, a reset register
stored) or a noise write is a new token stamped ``e + 1`` in batch ``e``. Lineage: a cell's
bit is set when its partner gave more of its bytes than it kept (ties stay with the cell), as
in :func:`alife.soup.kernel.execute_pairs_traced`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.languages.family import CREATED
from alife.languages.i8080_provenance import TRACED_STATE_INTS as I8080_STATE_INTS
from alife.languages.i8080_provenance import run_i8080_traced
from alife.languages.z80_provenance import TRACED_STATE_INTS as Z80_STATE_INTS
from alife.languages.z80_provenance import run_z80_traced
from alife.soup.tracer import make_token, with_value
from alife.soup.zff import (
    CELL_BYTES,
    CELLS,
    GOLDEN,
    MAX_PAIRS,
    STEPS,
    Z80,
    _draw,
    draw_pairs,
    key_draws,
)

STATE_INTS = max(Z80_STATE_INTS, I8080_STATE_INTS)
TAPE = 2 * CELL_BYTES


@njit(cache=True, nogil=True, parallel=True)
def run_pairs_traced(soup: np.ndarray, tokens: np.ndarray, pairs: np.ndarray, n: int,
                     ops: np.ndarray, tapes: np.ndarray, states: np.ndarray, srcs: np.ndarray,
                     tins: np.ndarray, cpu: int, stamp: int, crossed: np.ndarray,
                     record: bool) -> int:
    """:func:`alife.soup.zff.run_pairs` carrying ``tokens`` (uint64[CELLS * 16], flat) with the
    bytes; ``crossed`` (uint8[CELLS]) gets the lineage bits when ``record``."""
    for k in prange(n):
        tape = tapes[k]
        src = srcs[k]
        tin = tins[k]
        cells = (pairs[k, 0], pairs[k, 1])
        for t in range(TAPE):
            at = cells[t // CELL_BYTES] * CELL_BYTES + t % CELL_BYTES
            tape[t] = soup[at]
            tin[t] = tokens[at]
            src[t] = t
        if cpu == Z80:
            ops[k] = run_z80_traced(tape, STEPS, states[k], src)
        else:
            ops[k] = run_i8080_traced(tape, STEPS, states[k], src)
        kept0 = 0
        took0 = 0
        kept1 = 0
        took1 = 0
        for t in range(TAPE):
            half = t // CELL_BYTES
            at = cells[half] * CELL_BYTES + t % CELL_BYTES
            s = src[t]
            if s == CREATED:
                tokens[at] = make_token(stamp, at, tape[t])
            else:
                tokens[at] = with_value(tin[s], tape[t])
                if s // CELL_BYTES == half:
                    if half == 0:
                        kept0 += 1
                    else:
                        kept1 += 1
                elif half == 0:
                    took0 += 1
                else:
                    took1 += 1
            soup[at] = tape[t]
        if record:
            crossed[cells[0]] = 1 if took0 > kept0 else 0
            crossed[cells[1]] = 1 if took1 > kept1 else 0
    total = 0
    for k in range(n):
        total += ops[k]
    return total


@njit(cache=True, nogil=True)
def add_noise_traced(soup: np.ndarray, tokens: np.ndarray, state: np.ndarray, count: int,
                     stamp: int) -> None:
    """:func:`alife.soup.zff.add_noise`, each write a new token stamped ``stamp``."""
    size = np.uint64(soup.shape[0])
    for _ in range(count):
        r = _draw(state)
        at = np.int64((r >> np.uint64(8)) % size)
        soup[at] = r & np.uint64(0xFF)
        tokens[at] = make_token(stamp, at, soup[at])


@njit(cache=True, nogil=True)
def run_batches_traced(soup: np.ndarray, tokens: np.ndarray, crossed: np.ndarray, cpu: int,
                       hashed: bool, seed: np.uint64, counter: np.uint64, first: int,
                       batches: int, noise: float, pair_counts: np.ndarray, ops: np.ndarray,
                       work_pairs: np.ndarray, used: np.ndarray, pair_ops: np.ndarray,
                       tapes: np.ndarray, states: np.ndarray, srcs: np.ndarray,
                       tins: np.ndarray) -> np.uint64:
    """:func:`alife.soup.zff.run_batches` with tokens; a non-empty ``crossed``
    (uint8[batches, CELLS], zeroed) receives each batch's lineage bits."""
    state = np.empty(2, dtype=np.uint64)
    state[0] = counter
    state[1] = GOLDEN
    record = crossed.shape[0] > 0
    no_bits = np.zeros(0, dtype=np.uint8)
    for b in range(batches):
        key_draws(state, hashed, seed, first + b, 1)
        n = draw_pairs(state, work_pairs, used)
        ops[b] = run_pairs_traced(soup, tokens, work_pairs, n, pair_ops, tapes, states, srcs,
                                  tins, cpu, first + b + 1, crossed[b] if record else no_bits,
                                  record)
        key_draws(state, hashed, seed, first + b, 2)
        add_noise_traced(soup, tokens, state, np.int64(n * noise), first + b + 1)
        pair_counts[b] = n
    return state[0]


class TracedBatchWork:
    """Work arrays for :func:`run_batches_traced` (reused across calls)."""

    def __init__(self) -> None:
        self.pairs = np.empty((MAX_PAIRS, 2), dtype=np.int64)
        self.used = np.empty(CELLS, dtype=np.bool_)
        self.ops = np.empty(MAX_PAIRS, dtype=np.int64)
        self.tapes = np.empty((MAX_PAIRS, TAPE), dtype=np.uint8)
        self.states = np.empty((MAX_PAIRS, STATE_INTS), dtype=np.int64)
        self.srcs = np.empty((MAX_PAIRS, TAPE), dtype=np.uint16)
        self.tins = np.empty((MAX_PAIRS, TAPE), dtype=np.uint64)

    def run(self, soup: np.ndarray, tokens: np.ndarray, cpu: int, hashed: bool, seed: int,
            counter: np.uint64, first: int, batches: int, noise: float, lineage: bool
            ) -> tuple[np.uint64, np.ndarray, np.ndarray, np.ndarray]:
        """Batches on ``soup`` and ``tokens`` (flat); (counter after, pairs per batch, ops per
        batch, lineage bits uint8[batches, CELLS] or an empty array)."""
        pairs = np.zeros(batches, dtype=np.int64)
        ops = np.zeros(batches, dtype=np.int64)
        crossed = np.zeros((batches if lineage else 0, CELLS), dtype=np.uint8)
        after = run_batches_traced(soup, tokens, crossed, cpu, hashed,
                                   np.uint64(seed & (2**64 - 1)), np.uint64(counter), first,
                                   batches, float(noise), pairs, ops, self.pairs, self.used,
                                   self.ops, self.tapes, self.states, self.srcs, self.tins)
        return after, pairs, ops, crossed
