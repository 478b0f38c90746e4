"""Tracer-token provenance through a Z80 (Agüera y Arcas et al. 2024, sec. 3 tracer tokens, on
the Z80 soups of sec. 4): which tape byte each register byte and each written byte came from.

A provenance pass reads the state *before* a step and moves the provenance the step's data
moves will move; :func:`run_z80_traced` calls it before each :func:`alife.languages.z80.step`,
so the untraced core stays as it is. Provenance is a tape position or
:data:`alife.languages.family.CREATED`, one per register byte (``SLOTS``), kept in the state
array after its ``NUM_REGISTERS`` fields. The rules (languages.md, "Tracer tokens"):

- loads, stores, ``LD r,r'``, ``PUSH``/``POP``, ``EX``/``EXX``, ``LD (nn),rr``, ``LDI``/``LDD``
  (and the repeating forms, one byte per step), the DDCB results copied to a register: copy;
- arithmetic, logic, rotates, ``INC``/``DEC``, ``BIT``/``SET``/``RES``, ``RRD``/``RLD``, flag
  changes: the destination keeps its provenance (the value changes, the token's origin stays);
- return addresses (``CALL``, ``RST``), port reads (``IN``, ``INI``...) and the registers a
  reset sets: :data:`CREATED`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.family import CREATED
from alife.languages.register_provenance import (
    exchange_word,
    load_word,
    push_created,
    reset_slots,
    store_word,
    swap_slots,
)
from alife.languages.z80 import (
    A2,
    F2,
    HALTED,
    IX,
    IY,
    NUM_REGISTERS,
    PC,
    SP,
    A,
    B,
    C,
    D,
    E,
    F,
    H,
    L,
    _condition,
    reset,
    step,
)

#: Provenance slots, offsets from ``NUM_REGISTERS`` in the state array: A..L and the shadows
#: at their state indices, then the halves of IX, IY and SP, then I and R. A 16-bit register's
#: high byte sits at ``hi`` and its low byte at ``hi + 1`` (AF too: A then F).
IXH, IXL, IYH, IYL, SPH, SPL, SI, SR = 16, 17, 18, 19, 20, 21, 22, 23
SLOTS = 24
SLOT_NAMES = ("a", "f", "b", "c", "d", "e", "h", "l", "a_", "f_", "b_", "c_", "d_", "e_", "h_",
              "l_", "ixh", "ixl", "iyh", "iyl", "sph", "spl", "i", "r")
P0 = NUM_REGISTERS
#: State ints a traced run needs: the CPU's fields, then the provenance slots.
TRACED_STATE_INTS = NUM_REGISTERS + SLOTS
_R8 = np.array([B, C, D, E, H, L, -1, A], dtype=np.int64)


@njit(inline="always", cache=True, nogil=True)
def _word(st: np.ndarray, hi: int) -> int:
    return (st[hi] << 8) | st[hi + 1]


@njit(inline="always", cache=True, nogil=True)
def _imm_word(tape: np.ndarray, at: int) -> int:
    m = tape.shape[0] - 1
    return np.int64(tape[at & m]) | (np.int64(tape[(at + 1) & m]) << 8)


@njit(inline="always", cache=True, nogil=True)
def _rp(p: int) -> int:
    """High slot of BC DE HL SP (p 0..3)."""
    if p == 0:
        return B
    if p == 1:
        return D
    if p == 2:
        return H
    return SPH


@njit(inline="always", cache=True, nogil=True)
def _rp2(p: int) -> int:
    """High slot of BC DE HL AF (p 0..3), for PUSH and POP."""
    return A if p == 3 else _rp(p)


@njit(cache=True, nogil=True)
def _track_ed(tape: np.ndarray, st: np.ndarray, src: np.ndarray, pc: int) -> None:
    """ED xx with the ED byte at ``pc``."""
    m = tape.shape[0] - 1
    op = np.int64(tape[(pc + 1) & m])
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if x == 1:
        if z == 0 and y != 6:  # IN r,(C): the port's byte
            st[P0 + _R8[y]] = CREATED
        elif z == 3:  # LD (nn),rr / LD rr,(nn)
            nn = _imm_word(tape, pc + 2)
            if q:
                load_word(st, P0, src, nn, _rp(p))
            else:
                store_word(st, P0, src, nn, _rp(p))
        elif z == 7:
            if y == 0:
                st[P0 + SI] = st[P0 + A]
            elif y == 1:
                st[P0 + SR] = st[P0 + A]
            elif y == 2:
                st[P0 + A] = st[P0 + SI]
            elif y == 3:
                st[P0 + A] = st[P0 + SR]
    elif x == 2 and y >= 4 and z <= 3:
        if z == 0:  # LDI LDD LDIR LDDR: (DE) = (HL)
            src[_word(st, D) & m] = src[_word(st, H) & m]
        elif z == 2:  # INI IND INIR INDR: (HL) = the port's byte
            src[_word(st, H) & m] = CREATED


@njit(cache=True, nogil=True)
def _track_main(tape: np.ndarray, st: np.ndarray, src: np.ndarray, pc: int) -> None:
    """An unprefixed opcode (CB and ED included) at ``pc``."""
    m = tape.shape[0] - 1
    op = np.int64(tape[pc & m])
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if x == 0:
        if z == 0 and y == 1:  # EX AF,AF'
            swap_slots(st, P0, A, A2)
            swap_slots(st, P0, F, F2)
        elif z == 1 and q == 0:  # LD rr,nn
            hi = _rp(p)
            st[P0 + hi + 1] = src[(pc + 1) & m]
            st[P0 + hi] = src[(pc + 2) & m]
        elif z == 2:
            if p <= 1:  # LD (BC),A / LD (DE),A / LD A,(BC) / LD A,(DE)
                addr = _word(st, B if p == 0 else D)
                if q == 0:
                    src[addr & m] = st[P0 + A]
                else:
                    st[P0 + A] = src[addr & m]
            else:
                nn = _imm_word(tape, pc + 1)
                if p == 2:  # LD (nn),HL / LD HL,(nn)
                    if q == 0:
                        store_word(st, P0, src, nn, H)
                    else:
                        load_word(st, P0, src, nn, H)
                elif q == 0:  # LD (nn),A
                    src[nn & m] = st[P0 + A]
                else:
                    st[P0 + A] = src[nn & m]
        elif z == 6:  # LD r,n
            if y == 6:
                src[_word(st, H) & m] = src[(pc + 1) & m]
            else:
                st[P0 + _R8[y]] = src[(pc + 1) & m]
    elif x == 1:
        if op != 0x76:  # LD r,r'
            v = src[_word(st, H) & m] if z == 6 else st[P0 + _R8[z]]
            if y == 6:
                src[_word(st, H) & m] = v
            else:
                st[P0 + _R8[y]] = v
    elif x == 3:
        sp = st[SP]
        if z == 1:
            if q == 0:  # POP rr
                load_word(st, P0, src, sp, _rp2(p))
            elif p == 1:  # EXX
                for k in range(B, L + 1):
                    swap_slots(st, P0, k, k + 8)
            elif p == 3:  # LD SP,HL
                st[P0 + SPH] = st[P0 + H]
                st[P0 + SPL] = st[P0 + L]
        elif z == 3:
            if y == 3:  # IN A,(n)
                st[P0 + A] = CREATED
            elif y == 4:  # EX (SP),HL
                exchange_word(st, P0, src, sp, H)
            elif y == 5:  # EX DE,HL
                swap_slots(st, P0, D, H)
                swap_slots(st, P0, E, L)
        elif z == 4:  # CALL cc,nn
            if _condition(st, y):
                push_created(st[SP], src)
        elif z == 5:
            if q == 0:  # PUSH rr
                store_word(st, P0, src, sp - 2, _rp2(p))
            elif p == 0:  # CALL nn
                push_created(st[SP], src)
            elif p == 2:
                _track_ed(tape, st, src, pc)
        elif z == 7:  # RST
            push_created(st[SP], src)


@njit(inline="always", cache=True, nogil=True)
def _half(iz: int, r: int) -> int:
    """Slot of operand r (0..7, not 6) with H and L meaning the halves of IX or IY."""
    if r == 4:
        return iz
    if r == 5:
        return iz + 1
    return _R8[r]


@njit(cache=True, nogil=True)
def _track_index(tape: np.ndarray, st: np.ndarray, src: np.ndarray, pc: int) -> None:
    """A DD or FD prefix at ``pc`` and what follows (z80.step's rules, zff's patch included)."""
    m = tape.shape[0] - 1
    prefix = tape[pc & m]
    op = np.int64(tape[(pc + 1) & m])
    if op == 0xDD or op == 0xFD:  # zff's patch: nothing done
        return
    iz, reg = (IXH, IX) if prefix == 0xDD else (IYH, IY)
    d = np.int64(tape[(pc + 2) & m])
    addr = (st[reg] + d - (d & 0x80) * 2) & 0xFFFF  # (IZ+d), where the opcode has one
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    q = y & 1
    sp = st[SP]
    handled = True
    if x == 1:
        if op == 0x76:
            handled = False
        elif y == 6:  # LD (IZ+d),r
            src[addr & m] = st[P0 + _R8[z]]
        elif z == 6:  # LD r,(IZ+d)
            st[P0 + _R8[y]] = src[addr & m]
        elif y == 4 or y == 5 or z == 4 or z == 5:  # LD between halves and registers
            st[P0 + _half(iz, y)] = st[P0 + _half(iz, z)]
        else:
            handled = False
    elif x == 2:
        handled = z == 4 or z == 5 or z == 6  # ALU: A keeps its provenance
    elif x == 0:
        if z == 1 and q == 1:  # ADD IZ,rr
            pass
        elif op == 0x21:  # LD IZ,nn
            st[P0 + iz + 1] = src[(pc + 2) & m]
            st[P0 + iz] = src[(pc + 3) & m]
        elif op == 0x22:
            store_word(st, P0, src, _imm_word(tape, pc + 2), iz)
        elif op == 0x2A:
            load_word(st, P0, src, _imm_word(tape, pc + 2), iz)
        elif op == 0x23 or op == 0x2B or op == 0x24 or op == 0x2C or op == 0x25 \
                or op == 0x2D or op == 0x34 or op == 0x35:
            pass
        elif op == 0x26 or op == 0x2E:  # LD IZH,n / LD IZL,n
            st[P0 + (iz if op == 0x26 else iz + 1)] = src[(pc + 2) & m]
        elif op == 0x36:  # LD (IZ+d),n
            src[addr & m] = src[(pc + 3) & m]
        else:
            handled = False
    else:
        if op == 0xE1:
            load_word(st, P0, src, sp, iz)
        elif op == 0xE5:
            store_word(st, P0, src, sp - 2, iz)
        elif op == 0xE9:
            pass
        elif op == 0xF9:
            st[P0 + SPH] = st[P0 + iz]
            st[P0 + SPL] = st[P0 + iz + 1]
        elif op == 0xE3:
            exchange_word(st, P0, src, sp, iz)
        elif op == 0xCB:  # DDCB d op: the result also goes to r unless BIT or r = 6
            op3 = np.int64(tape[(pc + 3) & m])
            if (op3 >> 6) != 1 and (op3 & 7) != 6:
                st[P0 + _R8[op3 & 7]] = src[addr & m]
        else:
            handled = False
    if not handled:  # the prefix changes nothing: the opcode runs as itself
        _track_main(tape, st, src, pc + 1)


@njit(cache=True, nogil=True)
def track_step(tape: np.ndarray, st: np.ndarray, src: np.ndarray) -> None:
    """Move provenance (tape ``src``, register slots in ``st``) as the next step will move
    data; call it before :func:`alife.languages.z80.step`."""
    pc = st[PC]
    op = tape[pc & (tape.shape[0] - 1)]
    if op == 0xDD or op == 0xFD:
        _track_index(tape, st, src, pc)
    else:
        _track_main(tape, st, src, pc)


@njit(cache=True, nogil=True)
def reset_traced(st: np.ndarray) -> None:
    """zff's reset, every register byte :data:`CREATED`."""
    reset(st)
    reset_slots(st, P0, SLOTS)


@njit(cache=True, nogil=True)
def run_z80_traced(tape: np.ndarray, limit: int, st: np.ndarray, src: np.ndarray) -> int:
    """:func:`alife.languages.z80.run_z80` moving provenance ``src`` (uint16[len(tape)]) with
    the data; ``st`` needs :data:`TRACED_STATE_INTS` ints. Same bytes, same ops."""
    reset_traced(st)
    ops = 0
    while ops < limit and st[HALTED] == 0:
        track_step(tape, st, src)
        step(tape, st)
        ops += 1
    return ops


__all__ = ["SLOTS", "SLOT_NAMES", "TRACED_STATE_INTS", "reset_traced", "run_z80_traced",
           "track_step"]
