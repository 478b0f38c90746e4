"""Tracer-token provenance through an 8080 (Agüera y Arcas et al. 2024, sec. 3 tracer tokens, on
the 8080 soups of sec. 4): the rules of :mod:`alife.languages.z80_provenance` on the 8080.

A pass before each :func:`alife.languages.i8080.step` reads the state and moves provenance as
the step will move data: ``MOV``/``MVI``/``LXI``, loads and stores, ``PUSH``/``POP``,
``XTHL``/``XCHG``/``SPHL`` copy; arithmetic keeps the destination's; return addresses, ``IN``
and the reset registers are :data:`alife.languages.family.CREATED`. Slots (after the CPU's
``NUM_REGISTERS`` fields): A..L at their state indices, then SP's high and low bytes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.family import CREATED
from alife.languages.i8080 import (
    HALTED,
    NUM_REGISTERS,
    PC,
    SP,
    A,
    B,
    C,
    D,
    E,
    H,
    L,
    _condition,
    reset,
    step,
)
from alife.languages.register_provenance import (
    exchange_word,
    load_word,
    push_created,
    reset_slots,
    store_word,
    swap_slots,
)

SPH, SPL = 8, 9
SLOTS = 10
SLOT_NAMES = ("a", "f", "b", "c", "d", "e", "h", "l", "sph", "spl")
P0 = NUM_REGISTERS
TRACED_STATE_INTS = NUM_REGISTERS + SLOTS
_R8 = np.array([B, C, D, E, H, L, -1, A], dtype=np.int64)


@njit(inline="always", cache=True, nogil=True)
def _word(st: np.ndarray, hi: int) -> int:
    return (st[hi] << 8) | st[hi + 1]


@njit(inline="always", cache=True, nogil=True)
def _rp(p: int, psw: bool) -> int:
    """High slot of B D H SP (p 0..3), or of PSW (A then F) for PUSH and POP."""
    if p == 3:
        return A if psw else SPH
    return B + 2 * p


@njit(cache=True, nogil=True)
def track_step(tape: np.ndarray, st: np.ndarray, src: np.ndarray) -> None:
    """Move provenance as the next :func:`alife.languages.i8080.step` will move data."""
    if st[HALTED] != 0:
        return
    m = tape.shape[0] - 1
    pc = st[PC]
    op = np.int64(tape[pc & m])
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    hl = _word(st, H) & m
    sp = st[SP]
    if x == 1:
        if op != 0x76:  # MOV
            v = src[hl] if z == 6 else st[P0 + _R8[z]]
            if y == 6:
                src[hl] = v
            else:
                st[P0 + _R8[y]] = v
    elif x == 0:
        if z == 1 and q == 0:  # LXI
            hi = _rp(p, False)
            st[P0 + hi + 1] = src[(pc + 1) & m]
            st[P0 + hi] = src[(pc + 2) & m]
        elif z == 2:
            if p <= 1:
                addr = _word(st, B + 2 * p)
            else:
                addr = np.int64(tape[(pc + 1) & m]) | (np.int64(tape[(pc + 2) & m]) << 8)
            if p == 2:  # SHLD / LHLD
                if q == 0:
                    store_word(st, P0, src, addr, H)
                else:
                    load_word(st, P0, src, addr, H)
            elif q == 0:  # STAX / STA
                src[addr & m] = st[P0 + A]
            else:  # LDAX / LDA
                st[P0 + A] = src[addr & m]
        elif z == 6:  # MVI
            if y == 6:
                src[hl] = src[(pc + 1) & m]
            else:
                st[P0 + _R8[y]] = src[(pc + 1) & m]
    elif x == 3:
        if z == 1:
            if q == 0:  # POP
                load_word(st, P0, src, sp, _rp(p, True))
            elif p == 3:  # SPHL
                st[P0 + SPH] = st[P0 + H]
                st[P0 + SPL] = st[P0 + L]
        elif z == 3:
            if y == 3:  # IN
                st[P0 + A] = CREATED
            elif y == 4:  # XTHL
                exchange_word(st, P0, src, sp, H)
            elif y == 5:  # XCHG
                swap_slots(st, P0, D, H)
                swap_slots(st, P0, E, L)
        elif z == 4:  # Ccc
            if _condition(st, y):
                push_created(st[SP], src)
        elif z == 5:
            if q == 0:  # PUSH
                store_word(st, P0, src, sp - 2, _rp(p, True))
            else:  # CALL and the undocumented CALLs
                push_created(st[SP], src)
        elif z == 7:  # RST
            push_created(st[SP], src)


@njit(cache=True, nogil=True)
def reset_traced(st: np.ndarray) -> None:
    """``i8080_init``, every register byte :data:`CREATED`."""
    reset(st)
    reset_slots(st, P0, SLOTS)


@njit(cache=True, nogil=True)
def run_i8080_traced(tape: np.ndarray, limit: int, st: np.ndarray, src: np.ndarray) -> int:
    """:func:`alife.languages.i8080.run_i8080` moving provenance ``src`` with the data; ``st``
    needs :data:`TRACED_STATE_INTS` ints. Same bytes, same ops."""
    reset_traced(st)
    ops = 0
    while ops < limit and st[HALTED] == 0:
        track_step(tape, st, src)
        step(tape, st)
        ops += 1
    return ops


__all__ = ["SLOTS", "SLOT_NAMES", "TRACED_STATE_INTS", "reset_traced", "run_i8080_traced",
           "track_step"]
