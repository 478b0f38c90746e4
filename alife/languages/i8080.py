"""The Intel 8080 of our 8080 soup, in numba (Agüera y Arcas et al. 2024, "Computational Life",
which also ran 8080 soups; shared/spec/z80.md, "Intel 8080 soup (our proposal...)").

The CPU is superzazu/8080 @ 274ffd7 (MIT), reproduced instruction for instruction: its flag
rules (ANA/ANI take H from bit 3 of ``A | operand``; SUB/SBB/CMP take H uninverted from the
``A + ~v + !cy`` addition; INR/DCR/DAA as it computes them), its undocumented opcodes (0x08,
0x10, ..., 0x38 NOP; 0xCB = JMP nn; 0xD9 = RET; 0xDD/0xED/0xFD = CALL nn) and its EI delay.
Every read and write goes to ``tape[addr & mask]`` with ``mask = len(tape) - 1`` (31 in the
soup; a power-of-two tape of at most 65536 bytes) after 16-bit address wrap; port reads give 0,
writes vanish, no interrupt is ever raised. One step is one ``i8080_step``.

The state lives in an int64 array indexed by the constants below. F is the byte PUSH PSW
writes (S Z 0 H 0 P 1 C): bit 1 always 1, bits 3 and 5 always 0, so F = 0x02 after reset.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# --- the state array -------------------------------------------------------------------------

A, F, B, C, D, E, H, L = 0, 1, 2, 3, 4, 5, 6, 7
SP, PC, IFF, INT_DELAY, HALTED = 8, 9, 10, 11, 12
NUM_REGISTERS = 13
#: Names of the state array's fields, in index order (``int_delay``: superzazu's
#: ``interrupt_delay``, 1 from an EI until the end of the next instruction).
REGISTER_NAMES = ("a", "f", "b", "c", "d", "e", "h", "l", "sp", "pc", "iff", "int_delay",
                  "halted")

# F bits (superzazu's PSW layout); bit 1 is always set.
FC, F1, FP, FH, FZ, FS = 0x01, 0x02, 0x04, 0x10, 0x40, 0x80

#: Register operand r (0..7) of the opcode fields -> state index; 6 is M = (HL), handled apart.
_R8 = np.array([B, C, D, E, H, L, -1, A], dtype=np.int64)
#: S, Z and P of every byte, with the constant bit 1.
_SZP = np.array([(v & FS) | (FZ if v == 0 else 0) | (FP if bin(v).count("1") % 2 == 0 else 0)
                 | F1 for v in range(256)], dtype=np.int64)


@njit(cache=True, nogil=True)
def reset(st: np.ndarray) -> None:
    """superzazu's ``i8080_init``: every register, SP, PC, the flags and IFF 0 (F = 0x02)."""
    for k in range(NUM_REGISTERS):
        st[k] = 0
    st[F] = F1


# --- memory and fetch ------------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def _rb(tape: np.ndarray, addr: int) -> int:
    return np.int64(tape[addr & (tape.shape[0] - 1)])


@njit(inline="always", cache=True, nogil=True)
def _wb(tape: np.ndarray, addr: int, v: int) -> None:
    tape[addr & (tape.shape[0] - 1)] = v & 0xFF


@njit(inline="always", cache=True, nogil=True)
def _rw(tape: np.ndarray, addr: int) -> int:
    return _rb(tape, addr) | (_rb(tape, (addr + 1) & 0xFFFF) << 8)


@njit(inline="always", cache=True, nogil=True)
def _ww(tape: np.ndarray, addr: int, v: int) -> None:
    _wb(tape, addr, v)
    _wb(tape, (addr + 1) & 0xFFFF, v >> 8)


@njit(inline="always", cache=True, nogil=True)
def _next(tape: np.ndarray, st: np.ndarray) -> int:
    pc = st[PC]
    st[PC] = (pc + 1) & 0xFFFF
    return _rb(tape, pc)


@njit(inline="always", cache=True, nogil=True)
def _next_word(tape: np.ndarray, st: np.ndarray) -> int:
    pc = st[PC]
    st[PC] = (pc + 2) & 0xFFFF
    return _rw(tape, pc)


@njit(inline="always", cache=True, nogil=True)
def _push(tape: np.ndarray, st: np.ndarray, v: int) -> None:
    sp = (st[SP] - 2) & 0xFFFF
    st[SP] = sp
    _ww(tape, sp, v)


@njit(inline="always", cache=True, nogil=True)
def _pop(tape: np.ndarray, st: np.ndarray) -> int:
    sp = st[SP]
    st[SP] = (sp + 2) & 0xFFFF
    return _rw(tape, sp)


@njit(inline="always", cache=True, nogil=True)
def _pair(st: np.ndarray, hi: int) -> int:
    return (st[hi] << 8) | st[hi + 1]


@njit(inline="always", cache=True, nogil=True)
def _set_pair(st: np.ndarray, hi: int, v: int) -> None:
    st[hi] = (v >> 8) & 0xFF
    st[hi + 1] = v & 0xFF


@njit(inline="always", cache=True, nogil=True)
def _get_rp(st: np.ndarray, p: int) -> int:
    """BC DE HL SP (p 0..3)."""
    if p == 3:
        return st[SP]
    return _pair(st, B + 2 * p)


@njit(inline="always", cache=True, nogil=True)
def _set_rp(st: np.ndarray, p: int, v: int) -> None:
    v &= 0xFFFF
    if p == 3:
        st[SP] = v
    else:
        _set_pair(st, B + 2 * p, v)


@njit(inline="always", cache=True, nogil=True)
def _get_r(tape: np.ndarray, st: np.ndarray, r: int) -> int:
    """B C D E H L M A (r 0..7)."""
    if r == 6:
        return _rb(tape, _pair(st, H))
    return st[_R8[r]]


@njit(inline="always", cache=True, nogil=True)
def _set_r(tape: np.ndarray, st: np.ndarray, r: int, v: int) -> None:
    if r == 6:
        _wb(tape, _pair(st, H), v)
    else:
        st[_R8[r]] = v & 0xFF


@njit(inline="always", cache=True, nogil=True)
def _condition(st: np.ndarray, cc: int) -> bool:
    """NZ Z NC C PO PE P M (cc 0..7): flag bit per pair, then whether it must be set."""
    f = st[F]
    if cc < 2:
        bit = f & FZ
    elif cc < 4:
        bit = f & FC
    elif cc < 6:
        bit = f & FP
    else:
        bit = f & FS
    return (bit != 0) == ((cc & 1) == 1)


# --- arithmetic and flags --------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def _add8(st: np.ndarray, a: int, v: int, cy: int) -> int:
    """a + v + cy: H = carry into bit 4, C = carry out of bit 7, S Z P of the result."""
    s = a + v + cy
    res = s & 0xFF
    st[F] = _SZP[res] | ((s ^ a ^ v) & FH) | ((s >> 8) & FC)
    return res


@njit(inline="always", cache=True, nogil=True)
def _sub8(st: np.ndarray, a: int, v: int, cy: int) -> int:
    """a - v - cy as superzazu does it: a + ~v + !cy, C inverted, H not."""
    nv = v ^ 0xFF
    s = a + nv + (1 - cy)
    res = s & 0xFF
    st[F] = _SZP[res] | ((s ^ a ^ nv) & FH) | (((s >> 8) & FC) ^ FC)
    return res


@njit(cache=True, nogil=True)
def _alu(st: np.ndarray, op: int, v: int) -> None:
    """ADD ADC SUB SBB ANA XRA ORA CMP (op 0..7) of A with v."""
    a = st[A]
    if op == 0:
        st[A] = _add8(st, a, v, 0)
    elif op == 1:
        st[A] = _add8(st, a, v, st[F] & FC)
    elif op == 2:
        st[A] = _sub8(st, a, v, 0)
    elif op == 3:
        st[A] = _sub8(st, a, v, st[F] & FC)
    elif op == 4:  # ANA: H from bit 3 of A | v (superzazu), C cleared
        res = a & v
        st[A] = res
        st[F] = _SZP[res] | (FH if (a | v) & 0x08 else 0)
    elif op == 5:
        res = a ^ v
        st[A] = res
        st[F] = _SZP[res]
    elif op == 6:
        res = a | v
        st[A] = res
        st[F] = _SZP[res]
    else:  # CMP: the subtraction's flags, A kept
        _sub8(st, a, v, 0)


@njit(cache=True, nogil=True)
def _daa(st: np.ndarray) -> None:
    """superzazu's DAA: add 0x06 and/or 0x60 (flags of that add), C sticky."""
    a = st[A]
    f = st[F]
    lo = a & 0x0F
    hi = a >> 4
    corr = 0
    cy = f & FC
    if (f & FH) or lo > 9:
        corr += 0x06
    if cy or hi > 9 or (hi >= 9 and lo > 9):
        corr += 0x60
        cy = FC
    st[A] = _add8(st, a, corr, 0)
    st[F] = (st[F] & ~FC) | cy


# --- the x = 0 and x = 3 quarters of the opcode map ------------------------------------------


@njit(cache=True, nogil=True)
def _exec_x0(tape: np.ndarray, st: np.ndarray, y: int, z: int) -> None:
    """Opcodes 0x00..0x3F: NOPs, LXI/DAD, loads and stores, INX/DCX, INR/DCR/MVI, rotates."""
    p, q = y >> 1, y & 1
    if z == 0:  # NOP, and the undocumented NOPs 08 10 18 20 28 30 38
        return
    if z == 1:
        if q == 0:  # LXI rp,nn
            _set_rp(st, p, _next_word(tape, st))
        else:  # DAD rp: only C
            s = _pair(st, H) + _get_rp(st, p)
            _set_pair(st, H, s & 0xFFFF)
            st[F] = (st[F] & ~FC) | ((s >> 16) & FC)
    elif z == 2:
        if p <= 1:  # STAX B/D, LDAX B/D
            addr = _pair(st, B + 2 * p)
        else:
            addr = _next_word(tape, st)
        if p == 2:  # SHLD / LHLD
            if q == 0:
                _ww(tape, addr, _pair(st, H))
            else:
                _set_pair(st, H, _rw(tape, addr))
        elif q == 0:  # STAX / STA
            _wb(tape, addr, st[A])
        else:  # LDAX / LDA
            st[A] = _rb(tape, addr)
    elif z == 3:  # INX / DCX: no flags
        _set_rp(st, p, _get_rp(st, p) + (1 if q == 0 else -1))
    elif z == 4:  # INR r: H = low nibble became 0; C kept
        res = (_get_r(tape, st, y) + 1) & 0xFF
        _set_r(tape, st, y, res)
        st[F] = _SZP[res] | (FH if (res & 0x0F) == 0 else 0) | (st[F] & FC)
    elif z == 5:  # DCR r: H = low nibble is not F; C kept
        res = (_get_r(tape, st, y) - 1) & 0xFF
        _set_r(tape, st, y, res)
        st[F] = _SZP[res] | (FH if (res & 0x0F) != 0x0F else 0) | (st[F] & FC)
    elif z == 6:  # MVI r,n
        _set_r(tape, st, y, _next(tape, st))
    else:
        a = st[A]
        f = st[F]
        if y <= 3:  # RLC RRC RAL RAR: only C
            if y & 1 == 0:
                out = a >> 7
                a = ((a << 1) | (out if y == 0 else f & FC)) & 0xFF
            else:
                out = a & 1
                a = (a >> 1) | ((out if y == 1 else f & FC) << 7)
            st[A] = a
            st[F] = (f & ~FC) | out
        elif y == 4:
            _daa(st)
        elif y == 5:  # CMA: no flags
            st[A] = a ^ 0xFF
        elif y == 6:  # STC
            st[F] = f | FC
        else:  # CMC
            st[F] = f ^ FC


@njit(cache=True, nogil=True)
def _exec_x3(tape: np.ndarray, st: np.ndarray, y: int, z: int) -> None:
    """Opcodes 0xC0..0xFF: returns, jumps, calls, stack, I/O, EI/DI, immediates, RST."""
    p, q = y >> 1, y & 1
    if z == 0:  # Rcc
        if _condition(st, y):
            st[PC] = _pop(tape, st)
    elif z == 1:
        if q == 0:  # POP rp (PSW: F keeps only S Z H P C, bit 1 set)
            v = _pop(tape, st)
            if p == 3:
                st[A] = v >> 8
                st[F] = (v & (FS | FZ | FH | FP | FC)) | F1
            else:
                _set_pair(st, B + 2 * p, v)
        elif p <= 1:  # RET, undocumented RET (0xD9)
            st[PC] = _pop(tape, st)
        elif p == 2:  # PCHL
            st[PC] = _pair(st, H)
        else:  # SPHL
            st[SP] = _pair(st, H)
    elif z == 2:  # Jcc nn
        addr = _next_word(tape, st)
        if _condition(st, y):
            st[PC] = addr
    elif z == 3:
        if y <= 1:  # JMP nn, undocumented JMP nn (0xCB)
            st[PC] = _next_word(tape, st)
        elif y == 2:  # OUT n: the byte vanishes
            _next(tape, st)
        elif y == 3:  # IN n: the port gives 0
            _next(tape, st)
            st[A] = 0
        elif y == 4:  # XTHL
            sp = st[SP]
            v = _rw(tape, sp)
            _ww(tape, sp, _pair(st, H))
            _set_pair(st, H, v)
        elif y == 5:  # XCHG
            de = _pair(st, D)
            _set_pair(st, D, _pair(st, H))
            _set_pair(st, H, de)
        elif y == 6:  # DI
            st[IFF] = 0
        else:  # EI: IFF set, interrupts held off until the end of the next instruction
            st[IFF] = 1
            st[INT_DELAY] = 1
    elif z == 4:  # Ccc nn
        addr = _next_word(tape, st)
        if _condition(st, y):
            _push(tape, st, st[PC])
            st[PC] = addr
    elif z == 5:
        if q == 0:  # PUSH rp (PSW: A and F, F already in the PSW layout)
            if p == 3:
                _push(tape, st, (st[A] << 8) | st[F])
            else:
                _push(tape, st, _pair(st, B + 2 * p))
        else:  # CALL nn, and the undocumented CALLs DD ED FD
            addr = _next_word(tape, st)
            _push(tape, st, st[PC])
            st[PC] = addr
    elif z == 6:  # ADI ACI SUI SBI ANI XRI ORI CPI n
        _alu(st, y, _next(tape, st))
    else:  # RST y
        _push(tape, st, st[PC])
        st[PC] = y * 8


# --- one step, one run -----------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def step(tape: np.ndarray, st: np.ndarray) -> None:
    """One ``i8080_step``: nothing when halted, else the EI delay ticks and one instruction."""
    if st[HALTED] != 0:
        return
    op = _next(tape, st)
    if st[INT_DELAY] > 0:
        st[INT_DELAY] -= 1
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    if x == 1:
        if op == 0x76:  # HLT (PC left after it)
            st[HALTED] = 1
        else:  # MOV y,z
            _set_r(tape, st, y, _get_r(tape, st, z))
    elif x == 2:
        _alu(st, y, _get_r(tape, st, z))
    elif x == 0:
        _exec_x0(tape, st, y, z)
    else:
        _exec_x3(tape, st, y, z)


@njit(cache=True, nogil=True)
def step_once(tape: np.ndarray, st: np.ndarray) -> None:
    """One step (for tests and single-stepping viewers)."""
    step(tape, st)


@njit(cache=True, nogil=True)
def run_i8080(tape: np.ndarray, limit: int, st: np.ndarray) -> int:
    """Reset ``st`` and run ``tape`` (uint8[T], T a power of two) for at most ``limit`` steps,
    stopping after a HLT; return the steps run (ops: the HLT step counts)."""
    reset(st)
    ops = 0
    while ops < limit and st[HALTED] == 0:
        step(tape, st)
        ops += 1
    return ops


@njit(cache=True, nogil=True)
def run_until(tape: np.ndarray, st: np.ndarray, limit: int, pc_a: int, pc_b: int) -> int:
    """Step ``st`` (not reset) until PC is ``pc_a`` or ``pc_b`` (checked before each step), a
    HLT or ``limit`` steps; return the steps run (for CP/M exercisers that trap BDOS calls)."""
    n = 0
    while n < limit and st[HALTED] == 0:
        pc = st[PC]
        if pc == pc_a or pc == pc_b:
            break
        step(tape, st)
        n += 1
    return n


def new_state() -> np.ndarray:
    """A reset state array."""
    st = np.zeros(NUM_REGISTERS, dtype=np.int64)
    reset(st)
    return st


def state_dict(st: np.ndarray) -> dict[str, int]:
    """The state array as {name: value}."""
    return {name: int(st[k]) for k, name in enumerate(REGISTER_NAMES)}
