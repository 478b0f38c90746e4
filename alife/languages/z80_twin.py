"""Pure-Python Z80 twin of the Z80 soup (Agüera y Arcas et al. 2024, Computational Life; zff demo).

A slow, literal interpreter of the CPU that zff runs: superzazu/z80 as patched by zff, quirks
kept (spec: shared/spec/z80.md). One :meth:`Z80Twin.step` is one ``z80_step``: one instruction
with its prefixes, then the EI delay. Every memory access goes to ``tape[addr & (len - 1)]``
with 16-bit addresses; ports read 0; no interrupt is ever raised. Opcodes are decoded by their
x/y/z/p/q bit fields; the numba core it checks is :mod:`alife.languages.z80`.
"""

from __future__ import annotations

REGISTERS = ("a", "f", "b", "c", "d", "e", "h", "l", "a_", "f_", "b_", "c_", "d_", "e_", "h_", "l_",
             "ix", "iy", "sp", "pc", "i", "r", "wz", "iff1", "iff2", "im", "halted", "ei_delay")

# Flag bits of F.
FC, FN, FPV, FX, FH, FY, FZ, FS = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80

# Operand tables of the "Decoding Z80 opcodes" scheme (index 6 of R8 is the memory operand).
R8 = ("b", "c", "d", "e", "h", "l", None, "a")
RP = ("bc", "de", "hl", "sp")
RP2 = ("bc", "de", "hl", "af")
# cc[y]: the flag tested and the value that makes the condition true.
CC = ((FZ, False), (FZ, True), (FC, False), (FC, True), (FPV, False), (FPV, True),
      (FS, False), (FS, True))


def _signed(d: int) -> int:
    return d - 256 if d & 0x80 else d


def _sz(v: int) -> int:
    """S and Z of an 8-bit result."""
    return (v & FS) | (FZ if v == 0 else 0)


def _xy(v: int) -> int:
    """Undocumented X (bit 3) and Y (bit 5) copied from a byte."""
    return v & (FX | FY)


def _parity(v: int) -> int:
    """P/V set when the byte has an even number of one bits."""
    return FPV if bin(v).count("1") % 2 == 0 else 0


class Z80Twin:
    """One Z80 CPU state (all fields ints, named as in REGISTERS) on a tape."""

    def __init__(self, tape: bytearray) -> None:
        """Reset state (zff's ``z80_init``); keeps a reference to the tape."""
        self.tape = tape
        self.mask = len(tape) - 1
        for name in REGISTERS:
            setattr(self, name, 0)
        self.sp = 0xFFFF
        self.a = 0xFF
        self.f = 0xFF

    # ---- state -------------------------------------------------------------------------------

    def state(self) -> dict[str, int]:
        """Every field of REGISTERS as an int."""
        return {name: int(getattr(self, name)) for name in REGISTERS}

    # ---- memory and fetch --------------------------------------------------------------------

    def _rb(self, addr: int) -> int:
        return self.tape[(addr & 0xFFFF) & self.mask]

    def _wb(self, addr: int, value: int) -> None:
        self.tape[(addr & 0xFFFF) & self.mask] = value & 0xFF

    def _rw(self, addr: int) -> int:
        return self._rb(addr) | (self._rb((addr + 1) & 0xFFFF) << 8)

    def _ww(self, addr: int, value: int) -> None:
        self._wb(addr, value & 0xFF)
        self._wb((addr + 1) & 0xFFFF, (value >> 8) & 0xFF)

    def _fetch(self) -> int:
        value = self._rb(self.pc)
        self.pc = (self.pc + 1) & 0xFFFF
        return value

    def _fetch_word(self) -> int:
        low = self._fetch()
        return low | (self._fetch() << 8)

    def _push(self, value: int) -> None:
        self.sp = (self.sp - 2) & 0xFFFF
        self._ww(self.sp, value)

    def _pop(self) -> int:
        value = self._rw(self.sp)
        self.sp = (self.sp + 2) & 0xFFFF
        return value

    def _bump_r(self) -> None:
        """One opcode fetch: the low 7 bits of R count up, bit 7 stays."""
        self.r = (self.r & 0x80) | ((self.r + 1) & 0x7F)

    # ---- register access ---------------------------------------------------------------------

    def _pair(self, name: str) -> int:
        if name in ("sp", "ix", "iy"):
            return getattr(self, name)
        return (getattr(self, name[0]) << 8) | getattr(self, name[1])

    def _set_pair(self, name: str, value: int) -> None:
        value &= 0xFFFF
        if name in ("sp", "ix", "iy"):
            setattr(self, name, value)
        else:
            setattr(self, name[0], value >> 8)
            setattr(self, name[1], value & 0xFF)

    def _reg8(self, k: int) -> int:
        """r[k] for k != 6 (B C D E H L - A)."""
        return getattr(self, R8[k])

    def _set_reg8(self, k: int, value: int) -> None:
        setattr(self, R8[k], value & 0xFF)

    def _operand(self, k: int) -> int:
        """r[k], with k = 6 the byte at (HL)."""
        return self._rb(self._pair("hl")) if k == 6 else self._reg8(k)

    def _set_operand(self, k: int, value: int) -> None:
        if k == 6:
            self._wb(self._pair("hl"), value)
        else:
            self._set_reg8(k, value)

    def _cond(self, y: int) -> bool:
        flag, want = CC[y]
        return bool(self.f & flag) == want

    # ---- arithmetic --------------------------------------------------------------------------

    def _add8(self, a: int, b: int, carry: int) -> int:
        total = a + b + carry
        res = total & 0xFF
        over = FPV if (a ^ res) & (b ^ res) & 0x80 else 0
        self.f = _sz(res) | _xy(res) | ((a ^ b ^ total) & FH) | over | (total >> 8)
        return res

    def _sub8(self, a: int, b: int, borrow: int) -> int:
        total = a - b - borrow
        res = total & 0xFF
        over = FPV if (a ^ b) & (a ^ res) & 0x80 else 0
        self.f = (_sz(res) | _xy(res) | ((a ^ b ^ total) & FH) | over | FN
                  | (FC if total < 0 else 0))
        return res

    def _alu(self, op: int, v: int) -> None:
        """alu[op] A, v: ADD ADC SUB SBC AND XOR OR CP."""
        a = self.a
        if op == 0:
            self.a = self._add8(a, v, 0)
        elif op == 1:
            self.a = self._add8(a, v, self.f & FC)
        elif op == 2:
            self.a = self._sub8(a, v, 0)
        elif op == 3:
            self.a = self._sub8(a, v, self.f & FC)
        elif op == 7:
            self._sub8(a, v, 0)
            self.f = (self.f & ~(FX | FY)) | _xy(v)  # CP: X, Y from the operand
        else:
            res = (a & v) if op == 4 else (a ^ v) if op == 5 else (a | v)
            self.f = _sz(res) | _xy(res) | _parity(res) | (FH if op == 4 else 0)
            self.a = res

    def _inc8(self, v: int) -> int:
        carry = self.f & FC
        res = self._add8(v, 1, 0)
        self.f = (self.f & ~FC) | carry
        return res

    def _dec8(self, v: int) -> int:
        carry = self.f & FC
        res = self._sub8(v, 1, 0)
        self.f = (self.f & ~FC) | carry
        return res

    def _add16(self, a: int, b: int) -> int:
        """ADD HL/IX/IY, rr: S Z P/V kept; H, C, X, Y from the high byte; WZ = a + 1."""
        total = a + b
        res = total & 0xFFFF
        self.f = ((self.f & (FS | FZ | FPV)) | _xy(res >> 8) | (((a ^ b ^ total) >> 8) & FH)
                  | (total >> 16))
        self.wz = (a + 1) & 0xFFFF
        return res

    def _adc16(self, a: int, b: int) -> int:
        total = a + b + (self.f & FC)
        res = total & 0xFFFF
        over = FPV if (a ^ res) & (b ^ res) & 0x8000 else 0
        self.f = (((res >> 8) & FS) | (FZ if res == 0 else 0) | _xy(res >> 8)
                  | (((a ^ b ^ total) >> 8) & FH) | over | (total >> 16))
        self.wz = (a + 1) & 0xFFFF
        return res

    def _sbc16(self, a: int, b: int) -> int:
        total = a - b - (self.f & FC)
        res = total & 0xFFFF
        over = FPV if (a ^ b) & (a ^ res) & 0x8000 else 0
        self.f = (((res >> 8) & FS) | (FZ if res == 0 else 0) | _xy(res >> 8)
                  | (((a ^ b ^ total) >> 8) & FH) | over | FN | (FC if total < 0 else 0))
        self.wz = (a + 1) & 0xFFFF
        return res

    def _daa(self) -> None:
        a, f = self.a, self.f
        low = a & 0x0F
        fix = 0
        carry = f & FC
        if low > 9 or f & FH:
            fix += 0x06
        if a > 0x99 or carry:
            fix += 0x60
            carry = FC
        if f & FN:
            half = FH if (f & FH) and low < 6 else 0
            a = (a - fix) & 0xFF
        else:
            half = FH if low > 9 else 0
            a = (a + fix) & 0xFF
        self.a = a
        self.f = _sz(a) | _xy(a) | _parity(a) | half | (f & FN) | carry

    def _rot(self, op: int, v: int) -> int:
        """rot[op] v (CB): RLC RRC RL RR SLA SRA SLL SRL; sets S Z P C, X Y, H = N = 0."""
        old_c = self.f & FC
        if op == 0:
            carry, res = v >> 7, (v << 1) | (v >> 7)
        elif op == 1:
            carry, res = v & 1, (v >> 1) | ((v & 1) << 7)
        elif op == 2:
            carry, res = v >> 7, (v << 1) | old_c
        elif op == 3:
            carry, res = v & 1, (v >> 1) | (old_c << 7)
        elif op == 4:
            carry, res = v >> 7, v << 1
        elif op == 5:
            carry, res = v & 1, (v >> 1) | (v & 0x80)
        elif op == 6:
            carry, res = v >> 7, (v << 1) | 1
        else:
            carry, res = v & 1, v >> 1
        res &= 0xFF
        self.f = _sz(res) | _xy(res) | _parity(res) | carry
        return res

    def _bit(self, n: int, v: int, xy_source: int) -> None:
        """BIT n, v: S from the tested bit 7, Z = P/V = bit clear, H = 1, C kept."""
        tested = v & (1 << n)
        zero = FZ | FPV if tested == 0 else 0
        self.f = (tested & FS) | zero | FH | _xy(xy_source) | (self.f & FC)

    # ---- one step ----------------------------------------------------------------------------

    def step(self) -> None:
        """One ``z80_step``: an instruction with its prefixes, then the EI delay."""
        if self.halted:
            self._exec(0x00)
        else:
            self._exec(self._fetch())
        if self.ei_delay > 0:
            self.ei_delay -= 1
            if self.ei_delay == 0:
                self.iff1 = 1
                self.iff2 = 1

    def _exec(self, op: int) -> None:
        """An unprefixed opcode (already fetched)."""
        self._bump_r()
        x, y, z = op >> 6, (op >> 3) & 7, op & 7
        p, q = y >> 1, y & 1
        if x == 1:
            if op == 0x76:
                self.halted = 1
            elif z == 6:
                self._set_reg8(y, self._rb(self._pair("hl")))
            elif y == 6:
                self._wb(self._pair("hl"), self._reg8(z))
            else:
                self._set_reg8(y, self._reg8(z))
        elif x == 2:
            self._alu(y, self._operand(z))
        elif x == 0:
            self._exec_x0(y, z, p, q)
        else:
            self._exec_x3(op, y, z, p, q)

    def _exec_x0(self, y: int, z: int, p: int, q: int) -> None:
        if z == 0:
            if y == 0:
                pass  # NOP
            elif y == 1:  # EX AF,AF'
                self.a, self.a_ = self.a_, self.a
                self.f, self.f_ = self.f_, self.f
            elif y == 2:  # DJNZ d
                self.b = (self.b - 1) & 0xFF
                d = _signed(self._fetch())
                if self.b != 0:
                    self.pc = (self.pc + d) & 0xFFFF
                    self.wz = self.pc
            elif y == 3:  # JR d (WZ untouched)
                d = _signed(self._fetch())
                self.pc = (self.pc + d) & 0xFFFF
            else:  # JR cc[y-4], d
                d = _signed(self._fetch())
                if self._cond(y - 4):
                    self.pc = (self.pc + d) & 0xFFFF
                    self.wz = self.pc
        elif z == 1:
            if q == 0:
                self._set_pair(RP[p], self._fetch_word())
            else:
                self._set_pair("hl", self._add16(self._pair("hl"), self._pair(RP[p])))
        elif z == 2:
            self._exec_indirect(p, q)
        elif z == 3:
            delta = 1 if q == 0 else -1
            self._set_pair(RP[p], self._pair(RP[p]) + delta)
        elif z == 4:
            self._set_operand(y, self._inc8(self._operand(y)))
        elif z == 5:
            self._set_operand(y, self._dec8(self._operand(y)))
        elif z == 6:
            value = self._fetch()
            self._set_operand(y, value)
        else:
            self._exec_accumulator_op(y)

    def _exec_indirect(self, p: int, q: int) -> None:
        """x = 0, z = 2: LD (BC)/(DE)/(nn) with A or HL, both directions."""
        if p < 2:
            addr = self._pair(RP[p])
            if q == 0:
                self._wb(addr, self.a)
                self.wz = (self.a << 8) | ((addr + 1) & 0xFF)
            else:
                self.a = self._rb(addr)
                self.wz = (addr + 1) & 0xFFFF
            return
        addr = self._fetch_word()
        if p == 2 and q == 0:
            self._ww(addr, self._pair("hl"))
            self.wz = (addr + 1) & 0xFFFF
        elif p == 2:
            self._set_pair("hl", self._rw(addr))
            self.wz = (addr + 1) & 0xFFFF
        elif q == 0:
            self._wb(addr, self.a)
            self.wz = (self.a << 8) | ((addr + 1) & 0xFF)
        else:
            self.a = self._rb(addr)
            self.wz = (addr + 1) & 0xFFFF

    def _exec_accumulator_op(self, y: int) -> None:
        """x = 0, z = 7: RLCA RRCA RLA RRA DAA CPL SCF CCF."""
        a, f = self.a, self.f
        keep = f & (FS | FZ | FPV)
        if y == 0:
            carry = a >> 7
            a = ((a << 1) | carry) & 0xFF
        elif y == 1:
            carry = a & 1
            a = (a >> 1) | (carry << 7)
        elif y == 2:
            carry = a >> 7
            a = ((a << 1) | (f & FC)) & 0xFF
        elif y == 3:
            carry = a & 1
            a = (a >> 1) | ((f & FC) << 7)
        elif y == 4:
            self._daa()
            return
        elif y == 5:  # CPL
            a ^= 0xFF
            self.a = a
            self.f = (f & (FS | FZ | FPV | FC)) | FH | FN | _xy(a)
            return
        elif y == 6:  # SCF: X, Y from A
            self.f = keep | _xy(a) | FC
            return
        else:  # CCF: H = old C, X, Y from A
            self.f = keep | _xy(a) | (FH if f & FC else 0) | (0 if f & FC else FC)
            return
        self.a = a
        self.f = keep | _xy(a) | carry

    def _exec_x3(self, op: int, y: int, z: int, p: int, q: int) -> None:
        if z == 0:  # RET cc
            if self._cond(y):
                self.pc = self._pop()
                self.wz = self.pc
        elif z == 1:
            if q == 0:
                self._set_pair(RP2[p], self._pop())
            elif p == 0:  # RET
                self.pc = self._pop()
                self.wz = self.pc
            elif p == 1:  # EXX
                for name in ("b", "c", "d", "e", "h", "l"):
                    shadow = name + "_"
                    value = getattr(self, name)
                    setattr(self, name, getattr(self, shadow))
                    setattr(self, shadow, value)
            elif p == 2:  # JP (HL): WZ untouched
                self.pc = self._pair("hl")
            else:
                self.sp = self._pair("hl")
        elif z == 2:  # JP cc, nn: WZ = nn either way
            addr = self._fetch_word()
            if self._cond(y):
                self.pc = addr
            self.wz = addr
        elif z == 3:
            self._exec_x3_z3(y)
        elif z == 4:  # CALL cc, nn: WZ = nn either way
            addr = self._fetch_word()
            if self._cond(y):
                self._push(self.pc)
                self.pc = addr
            self.wz = addr
        elif z == 5:
            if q == 0:
                self._push(self._pair(RP2[p]))
            elif p == 0:  # CALL nn
                addr = self._fetch_word()
                self._push(self.pc)
                self.pc = addr
                self.wz = addr
            elif p == 1:
                self._exec_indexed_prefix("ix")
            elif p == 2:
                self._exec_ed(self._fetch())
            else:
                self._exec_indexed_prefix("iy")
        elif z == 6:
            self._alu(y, self._fetch())
        else:  # RST y*8
            self._push(self.pc)
            self.pc = y * 8
            self.wz = self.pc

    def _exec_x3_z3(self, y: int) -> None:
        if y == 0:  # JP nn
            self.pc = self._fetch_word()
            self.wz = self.pc
        elif y == 1:
            self._exec_cb(self._fetch())
        elif y == 2:  # OUT (n),A: the write vanishes
            port = self._fetch()
            self.wz = ((port + 1) | (self.a << 8)) & 0xFFFF
        elif y == 3:  # IN A,(n): ports read 0
            self._fetch()  # the port number
            old_a = self.a
            self.a = 0
            self.wz = ((old_a << 8) | (self.a + 1)) & 0xFFFF
        elif y == 4:  # EX (SP),HL
            value = self._rw(self.sp)
            self._ww(self.sp, self._pair("hl"))
            self._set_pair("hl", value)
            self.wz = value
        elif y == 5:  # EX DE,HL
            de, hl = self._pair("de"), self._pair("hl")
            self._set_pair("de", hl)
            self._set_pair("hl", de)
        elif y == 6:  # DI
            self.iff1 = 0
            self.iff2 = 0
        else:  # EI: IFF1 = IFF2 = 1 at the end of this step
            self.ei_delay = 1

    # ---- CB ----------------------------------------------------------------------------------

    def _exec_cb(self, op: int) -> None:
        self._bump_r()
        x, y, z = op >> 6, (op >> 3) & 7, op & 7
        v = self._operand(z)
        if x == 1:
            # BIT n,(HL) takes X, Y from the high byte of WZ
            self._bit(y, v, (self.wz >> 8) if z == 6 else v)
            return
        if x == 0:
            res = self._rot(y, v)
        elif x == 2:
            res = v & ~(1 << y) & 0xFF
        else:
            res = v | (1 << y)
        self._set_operand(z, res)

    # ---- DD / FD -----------------------------------------------------------------------------

    def _exec_indexed_prefix(self, iz: str) -> None:
        """After DD (iz = "ix") or FD ("iy"): the opcode that follows."""
        op = self._fetch()
        self._bump_r()
        if self._exec_indexed(op, iz):
            return
        # Not an index instruction: it runs unprefixed; zff's patch makes a second DD/FD a no-op.
        if op not in (0xDD, 0xFD):
            self._exec(op)
        self.r = (self.r & 0x80) | ((self.r - 1) & 0x7F)

    def _index_addr(self, iz: str) -> int:
        """(IZ+d): fetches d; WZ = the address."""
        d = _signed(self._fetch())
        addr = (getattr(self, iz) + d) & 0xFFFF
        self.wz = addr
        return addr

    def _reg8x(self, k: int, iz: str) -> int:
        """r[k] with H, L replaced by IZH, IZL (k != 6)."""
        if k == 4:
            return getattr(self, iz) >> 8
        if k == 5:
            return getattr(self, iz) & 0xFF
        return self._reg8(k)

    def _set_reg8x(self, k: int, iz: str, value: int) -> None:
        value &= 0xFF
        if k == 4:
            setattr(self, iz, (value << 8) | (getattr(self, iz) & 0xFF))
        elif k == 5:
            setattr(self, iz, (getattr(self, iz) & 0xFF00) | value)
        else:
            self._set_reg8(k, value)

    def _exec_indexed(self, op: int, iz: str) -> bool:
        """An opcode of the DD/FD table; False if ``op`` is not in it (nothing done then)."""
        x, y, z = op >> 6, (op >> 3) & 7, op & 7
        p, q = y >> 1, y & 1
        if x == 0:
            if z == 1 and q == 0 and p == 2:  # LD IZ,nn
                setattr(self, iz, self._fetch_word())
            elif z == 1 and q == 1:  # ADD IZ,rp (rp[2] = IZ)
                other = getattr(self, iz) if p == 2 else self._pair(RP[p])
                setattr(self, iz, self._add16(getattr(self, iz), other))
            elif z == 2 and p == 2:  # LD (nn),IZ / LD IZ,(nn): WZ untouched
                addr = self._fetch_word()
                if q == 0:
                    self._ww(addr, getattr(self, iz))
                else:
                    setattr(self, iz, self._rw(addr))
            elif z == 3 and p == 2:  # INC IZ / DEC IZ
                setattr(self, iz, (getattr(self, iz) + (1 if q == 0 else -1)) & 0xFFFF)
            elif z in (4, 5) and y == 6:  # INC/DEC (IZ+d)
                addr = self._index_addr(iz)
                v = self._rb(addr)
                self._wb(addr, self._inc8(v) if z == 4 else self._dec8(v))
            elif z in (4, 5) and y in (4, 5):  # INC/DEC IZH/IZL
                v = self._reg8x(y, iz)
                self._set_reg8x(y, iz, self._inc8(v) if z == 4 else self._dec8(v))
            elif z == 6 and y == 6:  # LD (IZ+d),n
                addr = self._index_addr(iz)
                self._wb(addr, self._fetch())
            elif z == 6 and y in (4, 5):  # LD IZH/IZL,n
                self._set_reg8x(y, iz, self._fetch())
            else:
                return False
            return True
        if x == 1:
            if op == 0x76:
                return False
            if y == 6:  # LD (IZ+d),r with plain H, L
                self._wb(self._index_addr(iz), self._reg8(z))
            elif z == 6:  # LD r,(IZ+d) with plain H, L
                self._set_reg8(y, self._rb(self._index_addr(iz)))
            elif y in (4, 5) or z in (4, 5):
                self._set_reg8x(y, iz, self._reg8x(z, iz))
            else:
                return False
            return True
        if x == 2:
            if z == 6:
                self._alu(y, self._rb(self._index_addr(iz)))
            elif z in (4, 5):
                self._alu(y, self._reg8x(z, iz))
            else:
                return False
            return True
        if op == 0xE1:  # POP IZ
            setattr(self, iz, self._pop())
        elif op == 0xE5:  # PUSH IZ
            self._push(getattr(self, iz))
        elif op == 0xE9:  # JP (IZ): WZ = IZ
            self.pc = getattr(self, iz)
            self.wz = self.pc
        elif op == 0xF9:  # LD SP,IZ
            self.sp = getattr(self, iz)
        elif op == 0xE3:  # EX (SP),IZ
            value = self._rw(self.sp)
            self._ww(self.sp, getattr(self, iz))
            setattr(self, iz, value)
            self.wz = value
        elif op == 0xCB:  # DD CB d op: no further R increment
            addr = self._index_addr(iz)
            self._exec_index_cb(self._fetch(), addr)
        else:
            return False
        return True

    def _exec_index_cb(self, op: int, addr: int) -> None:
        """DD/FD CB d op on (IZ+d); rot/RES/SET also copy the result to r[z] unless z = 6."""
        x, y, z = op >> 6, (op >> 3) & 7, op & 7
        v = self._rb(addr)
        if x == 1:
            self._bit(y, v, addr >> 8)
            return
        if x == 0:
            res = self._rot(y, v)
        elif x == 2:
            res = v & ~(1 << y) & 0xFF
        else:
            res = v | (1 << y)
        if z != 6:
            self._set_reg8(z, res)
        self._wb(addr, res)

    # ---- ED ----------------------------------------------------------------------------------

    def _exec_ed(self, op: int) -> None:
        self._bump_r()
        x, y, z = op >> 6, (op >> 3) & 7, op & 7
        p, q = y >> 1, y & 1
        if x == 1:
            self._exec_ed_x1(y, z, p, q)
        elif x == 2 and z <= 3 and y >= 4:
            self._exec_block(y, z)
        # every other ED xx is a 2-byte NOP

    def _exec_ed_x1(self, y: int, z: int, p: int, q: int) -> None:
        if z == 0:  # IN r,(C) / IN (C): X, Y, C kept; WZ only for A
            v = 0
            if y != 6:
                self._set_reg8(y, v)
            self.f = _sz(v) | _parity(v) | (self.f & (FX | FY | FC))
            if y == 7:
                self.wz = (self._pair("bc") + 1) & 0xFFFF
        elif z == 1:  # OUT (C),r / OUT (C),0: the write vanishes; WZ only for A
            if y == 7:
                self.wz = (self._pair("bc") + 1) & 0xFFFF
        elif z == 2:
            hl, other = self._pair("hl"), self._pair(RP[p])
            self._set_pair("hl", self._sbc16(hl, other) if q == 0 else self._adc16(hl, other))
        elif z == 3:  # LD (nn),rp / LD rp,(nn): WZ = nn + 1
            addr = self._fetch_word()
            if q == 0:
                self._ww(addr, self._pair(RP[p]))
            else:
                self._set_pair(RP[p], self._rw(addr))
            self.wz = (addr + 1) & 0xFFFF
        elif z == 4:  # NEG
            self.a = self._sub8(0, self.a, 0)
        elif z == 5:  # RETI (y = 1) / RETN
            if y != 1:
                self.iff1 = self.iff2
            self.pc = self._pop()
            self.wz = self.pc
        elif z == 6:  # IM: zff knows only 46/66 (0), 56/76 (1), 5E/7E (2)
            mode = (0, None, 1, 2, 0, None, 1, 2)[y]
            if mode is not None:
                self.im = mode
        else:
            self._exec_ed_z7(y)

    def _exec_ed_z7(self, y: int) -> None:
        if y == 0:  # LD I,A
            self.i = self.a
        elif y == 1:  # LD R,A: all 8 bits
            self.r = self.a
        elif y in (2, 3):  # LD A,I / LD A,R: X, Y and C kept, P/V = IFF2
            self.a = self.i if y == 2 else self.r
            self.f = (_sz(self.a) | (FPV if self.iff2 else 0)
                      | (self.f & (FX | FY | FC)))
        elif y in (4, 5):  # RRD / RLD
            hl = self._pair("hl")
            a, v = self.a, self._rb(hl)
            if y == 4:
                self.a = (a & 0xF0) | (v & 0x0F)
                self._wb(hl, (v >> 4) | (a << 4))
            else:
                self.a = (a & 0xF0) | (v >> 4)
                self._wb(hl, (v << 4) | (a & 0x0F))
            self.f = _sz(self.a) | _xy(self.a) | _parity(self.a) | (self.f & FC)
            self.wz = (hl + 1) & 0xFFFF
        # y = 6, 7: NOP

    def _exec_block(self, y: int, z: int) -> None:
        """bli[y][z]: LDI CPI INI OUTI (y = 4), ...D (5), ...IR (6), ...DR (7); one iteration."""
        step = 1 if y in (4, 6) else -1
        repeat = y >= 6
        hl = self._pair("hl")
        if z == 0:  # LDI/LDD/LDIR/LDDR
            v = self._rb(hl)
            self._wb(self._pair("de"), v)
            self._set_pair("hl", hl + step)
            self._set_pair("de", self._pair("de") + step)
            bc = (self._pair("bc") - 1) & 0xFFFF
            self._set_pair("bc", bc)
            n = (v + self.a) & 0xFF
            self.f = ((self.f & (FS | FZ | FC)) | (n & FX) | ((n << 4) & FY)
                      | (FPV if bc != 0 else 0))
            if repeat and bc != 0:
                self.pc = (self.pc - 2) & 0xFFFF
                self.wz = (self.pc + 1) & 0xFFFF
        elif z == 1:  # CPI/CPD/CPIR/CPDR
            carry = self.f & FC
            res = self._sub8(self.a, self._rb(hl), 0)
            self._set_pair("hl", hl + step)
            bc = (self._pair("bc") - 1) & 0xFFFF
            self._set_pair("bc", bc)
            n = (res - (1 if self.f & FH else 0)) & 0xFF
            self.f = ((self.f & (FS | FZ | FH | FN)) | (n & FX) | ((n << 4) & FY)
                      | (FPV if bc != 0 else 0) | carry)
            self.wz = (self.wz + step) & 0xFFFF
            if repeat:
                if bc != 0 and not self.f & FZ:
                    self.pc = (self.pc - 2) & 0xFFFF
                    if step == 1:
                        self.wz = (self.pc + 1) & 0xFFFF
                else:
                    self.wz = (self.wz + 1) & 0xFFFF
        else:  # INI/IND/INIR/INDR (z = 2), OUTI/OUTD/OTIR/OTDR (z = 3): only Z and N set
            if z == 2:
                self._wb(hl, 0)
            self._set_pair("hl", hl + step)
            self.b = (self.b - 1) & 0xFF
            self.f = (self.f & ~FZ) | (FZ if self.b == 0 else 0) | FN
            bc = self._pair("bc")
            self.wz = (bc + 1) & 0xFFFF if step == 1 else (bc - 2) & 0xFFFF
            if repeat and self.b != 0:
                self.pc = (self.pc - 2) & 0xFFFF


def run_z80_py(tape: bytearray, limit: int) -> int:
    """Fresh reset, then up to ``limit`` steps, stopping at HALT; returns the steps run (ops)."""
    cpu = Z80Twin(tape)
    ops = 0
    for _ in range(limit):
        if cpu.halted:
            break
        cpu.step()
        ops += 1
    return ops
