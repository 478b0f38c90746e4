"""The Z80 of the zff demo, in numba (Agüera y Arcas et al. 2024, "Computational Life", Fig. 12;
shared/spec/z80.md): superzazu/z80 as zff patched it, on a tape that mirrors every address.

Every read and write goes to ``tape[addr & mask]`` with ``mask = len(tape) - 1`` (31 in the
soup: two 16-byte programs); port reads give 0, writes vanish, no interrupt is ever raised.
One step is one instruction with its prefixes; block instructions run one iteration per step.
The CPU state lives in an int64 array indexed by the constants below (``reset`` fills it), so
a soup reuses one array per pair and a test can compare it field by field.

Kept from superzazu/z80 as zff runs it (spec, "Quirks to keep"): IN r,(C) and LD A,I/R leave
X and Y; INI/IND/OUTI/OUTD set only Z and N; SCF/CCF take X and Y from A; WZ as that emulator
updates it; and zff's patch, DD or FD followed by DD or FD does nothing (R +1 net).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# --- the state array -------------------------------------------------------------------------

A, F, B, C, D, E, H, L = 0, 1, 2, 3, 4, 5, 6, 7
A2, F2, B2, C2, D2, E2, H2, L2 = 8, 9, 10, 11, 12, 13, 14, 15
IX, IY, SP, PC, I, R, WZ = 16, 17, 18, 19, 20, 21, 22
IFF1, IFF2, IM, HALTED, EI_DELAY = 23, 24, 25, 26, 27
NUM_REGISTERS = 28
#: Names of the state array's fields, in index order (lower case; shadows end in ``_``).
REGISTER_NAMES = ("a", "f", "b", "c", "d", "e", "h", "l", "a_", "f_", "b_", "c_", "d_", "e_",
                  "h_", "l_", "ix", "iy", "sp", "pc", "i", "r", "wz", "iff1", "iff2", "im",
                  "halted", "ei_delay")

# F bits
FC, FN, FP, FX, FH, FY, FZ, FS = 1, 2, 4, 8, 16, 32, 64, 128

#: Register operand r (0..7) of the opcode fields -> state index; 6 is (HL), handled apart.
_R8 = np.array([B, C, D, E, H, L, -1, A], dtype=np.int64)
#: Parity flag (set for an even number of one bits) of every byte.
_PARITY = np.array([FP if bin(v).count("1") % 2 == 0 else 0 for v in range(256)],
                   dtype=np.int64)


@njit(cache=True, nogil=True)
def reset(st: np.ndarray) -> None:
    """zff's reset (``z80_init``): PC 0, SP FFFF, A = F = FF, everything else 0."""
    for k in range(NUM_REGISTERS):
        st[k] = 0
    st[A] = 0xFF
    st[F] = 0xFF
    st[SP] = 0xFFFF


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
    lo = _next(tape, st)
    return lo | (_next(tape, st) << 8)


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
def _inc_r(st: np.ndarray) -> None:
    r = st[R]
    st[R] = (r & 0x80) | ((r + 1) & 0x7F)


@njit(inline="always", cache=True, nogil=True)
def _dec_r(st: np.ndarray) -> None:
    r = st[R]
    st[R] = (r & 0x80) | ((r - 1) & 0x7F)


@njit(inline="always", cache=True, nogil=True)
def _pair(st: np.ndarray, hi: int) -> int:
    return (st[hi] << 8) | st[hi + 1]


@njit(inline="always", cache=True, nogil=True)
def _set_pair(st: np.ndarray, hi: int, v: int) -> None:
    st[hi] = (v >> 8) & 0xFF
    st[hi + 1] = v & 0xFF


# --- arithmetic and flags --------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def _sz53(v: int) -> int:
    return (v & (FS | FY | FX)) | (FZ if v == 0 else 0)


@njit(inline="always", cache=True, nogil=True)
def _add8(st: np.ndarray, a: int, b: int, cy: int) -> int:
    """a + b + cy with every flag (N = 0)."""
    s = a + b + cy
    res = s & 0xFF
    x = s ^ a ^ b
    c8 = (s >> 8) & 1
    c7 = (x >> 7) & 1
    st[F] = _sz53(res) | (FH if x & 0x10 else 0) | (FP if c7 != c8 else 0) | c8
    return res


@njit(inline="always", cache=True, nogil=True)
def _sub8(st: np.ndarray, a: int, b: int, cy: int) -> int:
    """a - b - cy with every flag: a + ~b + !cy, then C and H inverted and N set."""
    nb = b ^ 0xFF
    s = a + nb + (1 - cy)
    res = s & 0xFF
    x = s ^ a ^ nb
    c8 = (s >> 8) & 1
    c7 = (x >> 7) & 1
    st[F] = (_sz53(res) | (0 if x & 0x10 else FH) | (FP if c7 != c8 else 0)
             | (0 if c8 else FC) | FN)
    return res


@njit(inline="always", cache=True, nogil=True)
def _add16(st: np.ndarray, a: int, b: int, cy: int) -> int:
    """a + b + cy as two byte adds (flags of the high one, Z of the word); WZ = a + 1."""
    lo = _add8(st, a & 0xFF, b & 0xFF, cy)
    hi = _add8(st, a >> 8, b >> 8, st[F] & FC)
    res = (hi << 8) | lo
    st[F] = (st[F] & ~FZ) | (FZ if res == 0 else 0)
    st[WZ] = (a + 1) & 0xFFFF
    return res


@njit(inline="always", cache=True, nogil=True)
def _sub16(st: np.ndarray, a: int, b: int, cy: int) -> int:
    lo = _sub8(st, a & 0xFF, b & 0xFF, cy)
    hi = _sub8(st, a >> 8, b >> 8, st[F] & FC)
    res = (hi << 8) | lo
    st[F] = (st[F] & ~FZ) | (FZ if res == 0 else 0)
    st[WZ] = (a + 1) & 0xFFFF
    return res


@njit(inline="always", cache=True, nogil=True)
def _add_index(st: np.ndarray, a: int, b: int) -> int:
    """ADD HL/IX/IY,rr: S, Z and P/V kept."""
    keep = st[F] & (FS | FZ | FP)
    res = _add16(st, a, b, 0)
    st[F] = (st[F] & ~(FS | FZ | FP)) | keep
    return res


@njit(inline="always", cache=True, nogil=True)
def _inc8(st: np.ndarray, v: int) -> int:
    c = st[F] & FC
    res = _add8(st, v, 1, 0)
    st[F] = (st[F] & ~FC) | c
    return res


@njit(inline="always", cache=True, nogil=True)
def _dec8(st: np.ndarray, v: int) -> int:
    c = st[F] & FC
    res = _sub8(st, v, 1, 0)
    st[F] = (st[F] & ~FC) | c
    return res


@njit(inline="always", cache=True, nogil=True)
def _alu(st: np.ndarray, op: int, v: int) -> None:
    """ADD ADC SUB SBC AND XOR OR CP (op 0..7) of A with v."""
    a = st[A]
    if op == 0:
        st[A] = _add8(st, a, v, 0)
    elif op == 1:
        st[A] = _add8(st, a, v, st[F] & FC)
    elif op == 2:
        st[A] = _sub8(st, a, v, 0)
    elif op == 3:
        st[A] = _sub8(st, a, v, st[F] & FC)
    elif op == 4:
        res = a & v
        st[A] = res
        st[F] = _sz53(res) | _PARITY[res] | FH
    elif op == 5:
        res = a ^ v
        st[A] = res
        st[F] = _sz53(res) | _PARITY[res]
    elif op == 6:
        res = a | v
        st[A] = res
        st[F] = _sz53(res) | _PARITY[res]
    else:
        _sub8(st, a, v, 0)
        st[F] = (st[F] & ~(FY | FX)) | (v & (FY | FX))


@njit(inline="always", cache=True, nogil=True)
def _rotate(st: np.ndarray, op: int, v: int) -> int:
    """RLC RRC RL RR SLA SRA SLL SRL (op 0..7) of v; every flag."""
    c = st[F] & FC
    if op == 0:
        out = v >> 7
        res = ((v << 1) | out) & 0xFF
    elif op == 1:
        out = v & 1
        res = (v >> 1) | (out << 7)
    elif op == 2:
        out = v >> 7
        res = ((v << 1) | c) & 0xFF
    elif op == 3:
        out = v & 1
        res = (v >> 1) | (c << 7)
    elif op == 4:
        out = v >> 7
        res = (v << 1) & 0xFF
    elif op == 5:
        out = v & 1
        res = (v >> 1) | (v & 0x80)
    elif op == 6:
        out = v >> 7
        res = ((v << 1) | 1) & 0xFF
    else:
        out = v & 1
        res = v >> 1
    st[F] = _sz53(res) | _PARITY[res] | out
    return res


@njit(inline="always", cache=True, nogil=True)
def _bit(st: np.ndarray, n: int, v: int, xy: int) -> None:
    """BIT n,v: S from the tested bit 7, Z = P/V = bit clear, H set, X and Y from ``xy``."""
    t = v & (1 << n)
    st[F] = ((t & FS) | (FZ | FP if t == 0 else 0) | FH | (xy & (FY | FX))
             | (st[F] & FC))


@njit(cache=True, nogil=True)
def _daa(st: np.ndarray) -> None:
    a = st[A]
    f = st[F]
    hf = (f >> 4) & 1
    cf = f & FC
    corr = 0
    if (a & 0x0F) > 9 or hf:
        corr += 0x06
    if a > 0x99 or cf:
        corr += 0x60
        cf = 1
    if f & FN:
        hf = 1 if hf and (a & 0x0F) < 6 else 0
        a = (a - corr) & 0xFF
    else:
        hf = 1 if (a & 0x0F) > 9 else 0
        a = (a + corr) & 0xFF
    st[A] = a
    st[F] = _sz53(a) | _PARITY[a] | (FH if hf else 0) | (f & FN) | cf


@njit(inline="always", cache=True, nogil=True)
def _condition(st: np.ndarray, cc: int) -> bool:
    """NZ Z NC C PO PE P M (cc 0..7)."""
    f = st[F]
    if cc == 0:
        return (f & FZ) == 0
    if cc == 1:
        return (f & FZ) != 0
    if cc == 2:
        return (f & FC) == 0
    if cc == 3:
        return (f & FC) != 0
    if cc == 4:
        return (f & FP) == 0
    if cc == 5:
        return (f & FP) != 0
    if cc == 6:
        return (f & FS) == 0
    return (f & FS) != 0


# --- register operands -----------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def _get_rp(st: np.ndarray, p: int, hl: int) -> int:
    """BC DE HL SP (p 0..3), HL meaning ``hl`` (HL, IX or IY)."""
    if p == 0:
        return _pair(st, B)
    if p == 1:
        return _pair(st, D)
    if p == 2:
        return _pair(st, H) if hl == H else st[hl]
    return st[SP]


@njit(inline="always", cache=True, nogil=True)
def _set_rp(st: np.ndarray, p: int, hl: int, v: int) -> None:
    v &= 0xFFFF
    if p == 0:
        _set_pair(st, B, v)
    elif p == 1:
        _set_pair(st, D, v)
    elif p == 2:
        if hl == H:
            _set_pair(st, H, v)
        else:
            st[hl] = v
    else:
        st[SP] = v


@njit(inline="always", cache=True, nogil=True)
def _get_rp2(st: np.ndarray, p: int, hl: int) -> int:
    """BC DE HL AF (p 0..3) for PUSH and POP."""
    if p == 3:
        return (st[A] << 8) | st[F]
    return _get_rp(st, p, hl)


@njit(inline="always", cache=True, nogil=True)
def _set_rp2(st: np.ndarray, p: int, hl: int, v: int) -> None:
    if p == 3:
        st[A] = (v >> 8) & 0xFF
        st[F] = v & 0xFF
    else:
        _set_rp(st, p, hl, v)


@njit(inline="always", cache=True, nogil=True)
def _get_r(tape: np.ndarray, st: np.ndarray, r: int) -> int:
    """B C D E H L (HL) A (r 0..7)."""
    if r == 6:
        return _rb(tape, _pair(st, H))
    return st[_R8[r]]


@njit(inline="always", cache=True, nogil=True)
def _set_r(tape: np.ndarray, st: np.ndarray, r: int, v: int) -> None:
    if r == 6:
        _wb(tape, _pair(st, H), v)
    else:
        st[_R8[r]] = v & 0xFF


# --- the CB, ED and DDCB groups --------------------------------------------------------------


@njit(cache=True, nogil=True)
def _exec_cb(tape: np.ndarray, st: np.ndarray, op: int) -> None:
    _inc_r(st)
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    v = _get_r(tape, st, z)
    if x == 0:
        _set_r(tape, st, z, _rotate(st, y, v))
    elif x == 1:
        _bit(st, y, v, (st[WZ] >> 8) if z == 6 else v)
    elif x == 2:
        _set_r(tape, st, z, v & ~(1 << y))
    else:
        _set_r(tape, st, z, v | (1 << y))


@njit(cache=True, nogil=True)
def _exec_index_cb(tape: np.ndarray, st: np.ndarray, addr: int, op: int) -> None:
    """DD CB d op / FD CB d op on (IX+d) / (IY+d); the result also goes to r when z != 6."""
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    v = _rb(tape, addr)
    if x == 1:
        _bit(st, y, v, addr >> 8)
        return
    if x == 0:
        res = _rotate(st, y, v)
    elif x == 2:
        res = v & ~(1 << y)
    else:
        res = v | (1 << y)
    if z != 6:
        st[_R8[z]] = res
    _wb(tape, addr, res)


@njit(cache=True, nogil=True)
def _ldi(tape: np.ndarray, st: np.ndarray, step: int) -> None:
    """LDI (step +1) or LDD (-1): (DE) = (HL); HL, DE += step; BC -= 1."""
    hl = _pair(st, H)
    de = _pair(st, D)
    v = _rb(tape, hl)
    _wb(tape, de, v)
    _set_pair(st, H, (hl + step) & 0xFFFF)
    _set_pair(st, D, (de + step) & 0xFFFF)
    bc = (_pair(st, B) - 1) & 0xFFFF
    _set_pair(st, B, bc)
    n = (v + st[A]) & 0xFF
    st[F] = ((st[F] & (FS | FZ | FC)) | (n & FX) | ((n << 4) & FY)
             | (FP if bc != 0 else 0))


@njit(cache=True, nogil=True)
def _cpi(tape: np.ndarray, st: np.ndarray, step: int) -> None:
    """CPI (step +1) or CPD (-1): compare A with (HL); HL += step; BC -= 1; WZ += step."""
    c = st[F] & FC
    hl = _pair(st, H)
    res = _sub8(st, st[A], _rb(tape, hl), 0)
    _set_pair(st, H, (hl + step) & 0xFFFF)
    bc = (_pair(st, B) - 1) & 0xFFFF
    _set_pair(st, B, bc)
    n = res - ((st[F] >> 4) & 1)
    st[F] = ((st[F] & (FS | FZ | FH | FN)) | ((n >> 3) & 1) * FX | ((n >> 1) & 1) * FY
             | (FP if bc != 0 else 0) | c)
    st[WZ] = (st[WZ] + step) & 0xFFFF


@njit(cache=True, nogil=True)
def _block_io(tape: np.ndarray, st: np.ndarray, step: int, into_memory: bool) -> None:
    """INI/IND (into_memory: (HL) = 0, the port's byte) or OUTI/OUTD; HL += step; B -= 1;
    only Z (B = 0) and N change; WZ = BC + 1 (+1) or BC - 2 (-1), with the new B."""
    hl = _pair(st, H)
    if into_memory:
        _wb(tape, hl, 0)
    _set_pair(st, H, (hl + step) & 0xFFFF)
    b = (st[B] - 1) & 0xFF
    st[B] = b
    st[F] = (st[F] & ~(FZ | FN)) | (FZ if b == 0 else 0) | FN
    bc = _pair(st, B)
    st[WZ] = (bc + 1) & 0xFFFF if step > 0 else (bc - 2) & 0xFFFF


@njit(inline="always", cache=True, nogil=True)
def _repeat(st: np.ndarray) -> None:
    st[PC] = (st[PC] - 2) & 0xFFFF


@njit(cache=True, nogil=True)
def _exec_ed(tape: np.ndarray, st: np.ndarray, op: int) -> None:
    _inc_r(st)
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if x == 1:
        if z == 0:  # IN r,(C) (r = 6: flags only); port reads give 0
            st[F] = (st[F] & (FC | FY | FX)) | FZ | FP
            if y != 6:
                st[_R8[y]] = 0
            if y == 7:
                st[WZ] = (_pair(st, B) + 1) & 0xFFFF
        elif z == 1:  # OUT (C),r: the byte vanishes
            if y == 7:
                st[WZ] = (_pair(st, B) + 1) & 0xFFFF
        elif z == 2:
            hl = _pair(st, H)
            v = _get_rp(st, p, H)
            c = st[F] & FC
            res = _add16(st, hl, v, c) if q else _sub16(st, hl, v, c)
            st[F] = (st[F] & ~FS) | ((res >> 8) & FS)
            _set_pair(st, H, res)
        elif z == 3:
            addr = _next_word(tape, st)
            if q:
                _set_rp(st, p, H, _rw(tape, addr))
            else:
                _ww(tape, addr, _get_rp(st, p, H))
            st[WZ] = (addr + 1) & 0xFFFF
        elif z == 4:  # NEG
            st[A] = _sub8(st, 0, st[A], 0)
        elif z == 5:  # RETN (RETI: y == 1) returns; RETN copies IFF2 to IFF1
            if y != 1:
                st[IFF1] = st[IFF2]
            pc = _pop(tape, st)
            st[PC] = pc
            st[WZ] = pc
        elif z == 6:
            if y == 0 or y == 4:
                st[IM] = 0
            elif y == 2 or y == 6:
                st[IM] = 1
            elif y == 3 or y == 7:
                st[IM] = 2
        else:
            if y == 0:
                st[I] = st[A]
            elif y == 1:
                st[R] = st[A]
            elif y == 2 or y == 3:  # LD A,I / LD A,R: X, Y and C kept, P/V = IFF2
                v = st[I] if y == 2 else st[R]
                st[A] = v
                st[F] = ((st[F] & (FC | FY | FX)) | (v & FS) | (FZ if v == 0 else 0)
                         | (FP if st[IFF2] else 0))
            elif y == 4 or y == 5:  # RRD / RLD
                hl = _pair(st, H)
                a = st[A]
                m = _rb(tape, hl)
                if y == 4:
                    st[A] = (a & 0xF0) | (m & 0x0F)
                    _wb(tape, hl, (m >> 4) | (a << 4))
                else:
                    st[A] = (a & 0xF0) | (m >> 4)
                    _wb(tape, hl, (m << 4) | (a & 0x0F))
                a = st[A]
                st[F] = _sz53(a) | _PARITY[a] | (st[F] & FC)
                st[WZ] = (hl + 1) & 0xFFFF
        return
    if x == 2 and y >= 4 and z <= 3:
        step = 1 if (y & 1) == 0 else -1
        rep = y >= 6
        if z == 0:
            _ldi(tape, st, step)
            if rep and _pair(st, B) != 0:
                _repeat(st)
                st[WZ] = (st[PC] + 1) & 0xFFFF
        elif z == 1:
            _cpi(tape, st, step)
            if rep:
                if _pair(st, B) != 0 and (st[F] & FZ) == 0:
                    _repeat(st)
                    if step > 0:
                        st[WZ] = (st[PC] + 1) & 0xFFFF
                else:
                    st[WZ] = (st[WZ] + 1) & 0xFFFF
        else:
            _block_io(tape, st, step, z == 2)
            if rep and st[B] != 0:
                _repeat(st)
    # every other ED xx is a two-byte NOP


# --- the unprefixed opcodes ------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _exec_main(tape: np.ndarray, st: np.ndarray, op: int) -> None:
    """One unprefixed opcode (CB and ED groups included; DD and FD never reach here)."""
    _inc_r(st)
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if x == 1:
        if op == 0x76:
            st[HALTED] = 1
        else:
            _set_r(tape, st, y, _get_r(tape, st, z))
        return
    if x == 2:
        _alu(st, y, _get_r(tape, st, z))
        return
    if x == 0:
        if z == 0:
            if y == 1:  # EX AF,AF'
                a, f = st[A], st[F]
                st[A], st[F] = st[A2], st[F2]
                st[A2], st[F2] = a, f
            elif y == 2:  # DJNZ
                b = (st[B] - 1) & 0xFF
                st[B] = b
                d = _next(tape, st)
                if b != 0:
                    pc = (st[PC] + d - (d & 0x80) * 2) & 0xFFFF
                    st[PC] = pc
                    st[WZ] = pc
            elif y == 3:  # JR e: WZ kept
                d = _next(tape, st)
                st[PC] = (st[PC] + d - (d & 0x80) * 2) & 0xFFFF
            elif y >= 4:  # JR cc,e
                d = _next(tape, st)
                if _condition(st, y - 4):
                    pc = (st[PC] + d - (d & 0x80) * 2) & 0xFFFF
                    st[PC] = pc
                    st[WZ] = pc
        elif z == 1:
            if q == 0:
                _set_rp(st, p, H, _next_word(tape, st))
            else:
                _set_pair(st, H, _add_index(st, _pair(st, H), _get_rp(st, p, H)))
        elif z == 2:
            if p <= 1:  # LD (BC),A  LD A,(BC)  LD (DE),A  LD A,(DE)
                addr = _pair(st, B) if p == 0 else _pair(st, D)
                if q == 0:
                    _wb(tape, addr, st[A])
                    st[WZ] = (st[A] << 8) | ((addr + 1) & 0xFF)
                else:
                    st[A] = _rb(tape, addr)
                    st[WZ] = (addr + 1) & 0xFFFF
            else:
                addr = _next_word(tape, st)
                if p == 2:
                    if q == 0:
                        _ww(tape, addr, _pair(st, H))
                    else:
                        _set_pair(st, H, _rw(tape, addr))
                    st[WZ] = (addr + 1) & 0xFFFF
                elif q == 0:
                    _wb(tape, addr, st[A])
                    st[WZ] = (st[A] << 8) | ((addr + 1) & 0xFF)
                else:
                    st[A] = _rb(tape, addr)
                    st[WZ] = (addr + 1) & 0xFFFF
        elif z == 3:
            step = 1 if q == 0 else -1
            _set_rp(st, p, H, _get_rp(st, p, H) + step)
        elif z == 4:
            _set_r(tape, st, y, _inc8(st, _get_r(tape, st, y)))
        elif z == 5:
            _set_r(tape, st, y, _dec8(st, _get_r(tape, st, y)))
        elif z == 6:
            _set_r(tape, st, y, _next(tape, st))
        else:
            a = st[A]
            f = st[F]
            if y <= 3:  # RLCA RRCA RLA RRA: S, Z, P/V kept
                if y == 0:
                    out = a >> 7
                    a = ((a << 1) | out) & 0xFF
                elif y == 1:
                    out = a & 1
                    a = (a >> 1) | (out << 7)
                elif y == 2:
                    out = a >> 7
                    a = ((a << 1) | (f & FC)) & 0xFF
                else:
                    out = a & 1
                    a = (a >> 1) | ((f & FC) << 7)
                st[A] = a
                st[F] = (f & (FS | FZ | FP)) | (a & (FY | FX)) | out
            elif y == 4:
                _daa(st)
            elif y == 5:  # CPL
                a ^= 0xFF
                st[A] = a
                st[F] = (f & (FS | FZ | FP | FC)) | (a & (FY | FX)) | FH | FN
            elif y == 6:  # SCF: X, Y from A
                st[F] = (f & (FS | FZ | FP)) | (a & (FY | FX)) | FC
            else:  # CCF: H = old C
                st[F] = ((f & (FS | FZ | FP)) | (a & (FY | FX)) | ((f & FC) << 4)
                         | ((f & FC) ^ FC))
        return
    # x == 3
    if z == 0:
        if _condition(st, y):
            pc = _pop(tape, st)
            st[PC] = pc
            st[WZ] = pc
    elif z == 1:
        if q == 0:
            _set_rp2(st, p, H, _pop(tape, st))
        elif p == 0:  # RET
            pc = _pop(tape, st)
            st[PC] = pc
            st[WZ] = pc
        elif p == 1:  # EXX
            for k in range(B, L + 1):
                v = st[k]
                st[k] = st[k + 8]
                st[k + 8] = v
        elif p == 2:  # JP (HL): WZ kept
            st[PC] = _pair(st, H)
        else:
            st[SP] = _pair(st, H)
    elif z == 2:
        addr = _next_word(tape, st)
        if _condition(st, y):
            st[PC] = addr
        st[WZ] = addr
    elif z == 3:
        if y == 0:
            addr = _next_word(tape, st)
            st[PC] = addr
            st[WZ] = addr
        elif y == 1:
            _exec_cb(tape, st, _next(tape, st))
        elif y == 2:  # OUT (n),A
            n = _next(tape, st)
            st[WZ] = ((n + 1) | (st[A] << 8)) & 0xFFFF
        elif y == 3:  # IN A,(n): the port gives 0
            _next(tape, st)
            st[WZ] = (st[A] << 8) | 1
            st[A] = 0
        elif y == 4:  # EX (SP),HL
            sp = st[SP]
            v = _rw(tape, sp)
            _ww(tape, sp, _pair(st, H))
            _set_pair(st, H, v)
            st[WZ] = v
        elif y == 5:  # EX DE,HL
            de = _pair(st, D)
            _set_pair(st, D, _pair(st, H))
            _set_pair(st, H, de)
        elif y == 6:  # DI
            st[IFF1] = 0
            st[IFF2] = 0
        else:  # EI: IFF1 = IFF2 = 1 at the end of this step
            st[EI_DELAY] = 1
    elif z == 4:
        addr = _next_word(tape, st)
        if _condition(st, y):
            _push(tape, st, st[PC])
            st[PC] = addr
        st[WZ] = addr
    elif z == 5:
        if q == 0:
            _push(tape, st, _get_rp2(st, p, H))
        elif p == 0:  # CALL nn
            addr = _next_word(tape, st)
            _push(tape, st, st[PC])
            st[PC] = addr
            st[WZ] = addr
        elif p == 2:
            _exec_ed(tape, st, _next(tape, st))
    elif z == 6:
        _alu(st, y, _next(tape, st))
    else:  # RST
        _push(tape, st, st[PC])
        st[PC] = y * 8
        st[WZ] = y * 8


# --- DD / FD ---------------------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def _displaced(tape: np.ndarray, st: np.ndarray, iz: int) -> int:
    """(IX+d) / (IY+d): reads d, sets WZ to the address."""
    d = _next(tape, st)
    addr = (st[iz] + d - (d & 0x80) * 2) & 0xFFFF
    st[WZ] = addr
    return addr


@njit(inline="always", cache=True, nogil=True)
def _get_half(st: np.ndarray, iz: int, r: int) -> int:
    """r 0..7 with H and L meaning the index register's halves (r = 6 not allowed)."""
    if r == 4:
        return st[iz] >> 8
    if r == 5:
        return st[iz] & 0xFF
    return st[_R8[r]]


@njit(inline="always", cache=True, nogil=True)
def _set_half(st: np.ndarray, iz: int, r: int, v: int) -> None:
    v &= 0xFF
    if r == 4:
        st[iz] = (st[iz] & 0xFF) | (v << 8)
    elif r == 5:
        st[iz] = (st[iz] & 0xFF00) | v
    else:
        st[_R8[r]] = v


@njit(cache=True, nogil=True)
def _exec_index(tape: np.ndarray, st: np.ndarray, iz: int, op: int) -> bool:
    """The DD/FD-prefixed opcodes that use IX/IY; False when ``op`` is not one of them."""
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if x == 1:
        if op == 0x76:
            return False
        if y == 6:  # LD (IZ+d),r with r plain
            _wb(tape, _displaced(tape, st, iz), st[_R8[z]])
        elif z == 6:  # LD r,(IZ+d) with r plain
            st[_R8[y]] = _rb(tape, _displaced(tape, st, iz))
        elif y == 4 or y == 5 or z == 4 or z == 5:
            _set_half(st, iz, y, _get_half(st, iz, z))
        else:
            return False
        return True
    if x == 2:
        if z == 6:
            _alu(st, y, _rb(tape, _displaced(tape, st, iz)))
        elif z == 4 or z == 5:
            if y <= 3 or y == 4 or y == 5 or y == 6 or y == 7:
                _alu(st, y, _get_half(st, iz, z))
        else:
            return False
        return True
    if x == 0:
        if z == 1 and q == 1:  # ADD IZ,rr
            st[iz] = _add_index(st, st[iz], _get_rp(st, p, iz))
        elif op == 0x21:
            st[iz] = _next_word(tape, st)
        elif op == 0x22:  # LD (nn),IZ: WZ kept
            _ww(tape, _next_word(tape, st), st[iz])
        elif op == 0x2A:
            st[iz] = _rw(tape, _next_word(tape, st))
        elif op == 0x23:
            st[iz] = (st[iz] + 1) & 0xFFFF
        elif op == 0x2B:
            st[iz] = (st[iz] - 1) & 0xFFFF
        elif op == 0x24 or op == 0x2C:
            r = 4 if op == 0x24 else 5
            _set_half(st, iz, r, _inc8(st, _get_half(st, iz, r)))
        elif op == 0x25 or op == 0x2D:
            r = 4 if op == 0x25 else 5
            _set_half(st, iz, r, _dec8(st, _get_half(st, iz, r)))
        elif op == 0x26 or op == 0x2E:
            _set_half(st, iz, 4 if op == 0x26 else 5, _next(tape, st))
        elif op == 0x34 or op == 0x35:
            addr = _displaced(tape, st, iz)
            v = _rb(tape, addr)
            _wb(tape, addr, _inc8(st, v) if op == 0x34 else _dec8(st, v))
        elif op == 0x36:
            addr = _displaced(tape, st, iz)
            _wb(tape, addr, _next(tape, st))
        else:
            return False
        return True
    # x == 3
    if op == 0xE1:
        st[iz] = _pop(tape, st)
    elif op == 0xE5:
        _push(tape, st, st[iz])
    elif op == 0xE9:  # JP (IZ): WZ = IZ
        st[PC] = st[iz]
        st[WZ] = st[iz]
    elif op == 0xF9:
        st[SP] = st[iz]
    elif op == 0xE3:
        sp = st[SP]
        v = _rw(tape, sp)
        _ww(tape, sp, st[iz])
        st[iz] = v
        st[WZ] = v
    elif op == 0xCB:
        addr = _displaced(tape, st, iz)
        _exec_index_cb(tape, st, addr, _next(tape, st))
    else:
        return False
    return True


# --- one step, one run -----------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def step(tape: np.ndarray, st: np.ndarray) -> None:
    """One ``z80_step``: an instruction with its prefixes, then the EI delay."""
    op = _next(tape, st)
    if op == 0xDD or op == 0xFD:
        _inc_r(st)
        iz = IX if op == 0xDD else IY
        op2 = _next(tape, st)
        _inc_r(st)
        if op2 == 0xDD or op2 == 0xFD:  # zff's patch: both bytes, nothing done
            _dec_r(st)
        elif not _exec_index(tape, st, iz, op2):
            _exec_main(tape, st, op2)
            _dec_r(st)
    else:
        _exec_main(tape, st, op)
    if st[EI_DELAY] > 0:
        st[EI_DELAY] -= 1
        if st[EI_DELAY] == 0:
            st[IFF1] = 1
            st[IFF2] = 1


@njit(cache=True, nogil=True)
def step_once(tape: np.ndarray, st: np.ndarray) -> None:
    """One step (for tests and single-stepping viewers)."""
    step(tape, st)


@njit(cache=True, nogil=True)
def run_z80(tape: np.ndarray, limit: int, st: np.ndarray) -> int:
    """Reset ``st`` and run ``tape`` (uint8[T], T a power of two) for at most ``limit`` steps,
    stopping after a HALT; return the steps run (zff's ops: the HALT step counts)."""
    reset(st)
    ops = 0
    while ops < limit and st[HALTED] == 0:
        step(tape, st)
        ops += 1
    return ops


def new_state() -> np.ndarray:
    """A reset state array."""
    st = np.zeros(NUM_REGISTERS, dtype=np.int64)
    reset(st)
    return st


def state_dict(st: np.ndarray) -> dict[str, int]:
    """The state array as {name: value}."""
    return {name: int(st[k]) for k, name in enumerate(REGISTER_NAMES)}


@njit(cache=True, nogil=True)
def run_until(tape: np.ndarray, st: np.ndarray, limit: int, stop_a: int, stop_b: int) -> int:
    """Step ``st`` on ``tape`` (no reset) until PC is ``stop_a`` or ``stop_b`` before a step,
    a HALT, or ``limit`` steps; return the steps run (CP/M exercisers trap PC 0 and 5)."""
    n = 0
    while n < limit and st[HALTED] == 0:
        pc = st[PC]
        if pc == stop_a or pc == stop_b:
            break
        step(tape, st)
        n += 1
    return n
