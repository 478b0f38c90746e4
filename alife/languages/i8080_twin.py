"""Pure-Python twin of the 8080 soup's CPU (Agüera y Arcas et al. 2024, Computational Life, which
also ran 8080 soups; our proposal in shared/spec/z80.md, "Intel 8080 soup").

A slow, literal interpreter of superzazu/8080 @ 274ffd7 (MIT), written apart from the numba
core it checks (:mod:`alife.languages.i8080`): five separate flag booleans as the C struct has
them (F is assembled only for :meth:`I8080Twin.state` and PUSH PSW), the C's ``carry()``
helper, and a 256-entry dispatch table of small bound methods filled from the Intel mnemonic
tables. Memory is ``tape[addr & (len - 1)]`` after 16-bit wrap; ports read 0; no interrupts.
"""

from __future__ import annotations

from collections.abc import Callable

#: State fields, named and ordered as :data:`alife.languages.i8080.REGISTER_NAMES`.
REGISTERS = ("a", "f", "b", "c", "d", "e", "h", "l", "sp", "pc", "iff", "int_delay", "halted")

# Register operands in the Intel encodings: DDD/SSS (M = memory at HL), RP, condition codes.
REG8 = ("b", "c", "d", "e", "h", "l", "m", "a")
PAIRS = ("bc", "de", "hl", "sp")
CONDITIONS = (("zf", False), ("zf", True), ("cf", False), ("cf", True), ("pf", False),
              ("pf", True), ("sf", False), ("sf", True))


def _carry(bit_no: int, a: int, b: int, cy: int) -> bool:
    """superzazu's ``carry``: whether a + b + cy carries from bit ``bit_no - 1``."""
    result = a + b + cy
    return bool((result ^ a ^ b) & (1 << bit_no))


def _parity(v: int) -> bool:
    """True for an even number of one bits."""
    return bin(v).count("1") % 2 == 0


class I8080Twin:
    """One 8080 state on a tape (registers ints, flags bools) and its dispatch table."""

    def __init__(self, tape: bytearray) -> None:
        """``i8080_init``: everything 0; keeps a reference to the tape."""
        self.tape = tape
        self.mask = len(tape) - 1
        self.a = self.b = self.c = self.d = self.e = self.h = self.l = 0
        self.sp = self.pc = 0
        self.sf = self.zf = self.hf = self.pf = self.cf = False
        self.iff = False
        self.halted = False
        self.int_delay = 0
        self.table: list[Callable[[], None]] = self._build_table()

    # ---- state -------------------------------------------------------------------------------

    def psw_flags(self) -> int:
        """The flags as PUSH PSW writes them: S Z 0 H 0 P 1 C."""
        return (self.sf << 7 | self.zf << 6 | self.hf << 4 | self.pf << 2 | 0x02
                | int(self.cf))

    def set_psw_flags(self, f: int) -> None:
        """The flags from a PSW byte (POP PSW)."""
        self.sf, self.zf = bool(f & 0x80), bool(f & 0x40)
        self.hf, self.pf, self.cf = bool(f & 0x10), bool(f & 0x04), bool(f & 0x01)

    def state(self) -> dict[str, int]:
        """All fields as ints, named as in REGISTERS."""
        return {"a": self.a, "f": self.psw_flags(), "b": self.b, "c": self.c, "d": self.d,
                "e": self.e, "h": self.h, "l": self.l, "sp": self.sp, "pc": self.pc,
                "iff": int(self.iff), "int_delay": self.int_delay, "halted": int(self.halted)}

    def load(self, st: dict[str, int]) -> None:
        """Sets the fields given in ``st`` (names as in REGISTERS)."""
        for name, value in st.items():
            if name == "f":
                self.set_psw_flags(value)
            elif name in ("iff", "halted"):
                setattr(self, name, bool(value))
            else:
                setattr(self, name, value)

    # ---- memory and register pairs -----------------------------------------------------------

    def rb(self, addr: int) -> int:
        """A byte of memory."""
        return self.tape[addr & 0xFFFF & self.mask]

    def wb(self, addr: int, v: int) -> None:
        """Writes a byte of memory."""
        self.tape[addr & 0xFFFF & self.mask] = v & 0xFF

    def rw(self, addr: int) -> int:
        """A little-endian word of memory."""
        return self.rb(addr + 1) << 8 | self.rb(addr)

    def ww(self, addr: int, v: int) -> None:
        """Writes a word, low byte first."""
        self.wb(addr, v & 0xFF)
        self.wb(addr + 1, v >> 8)

    def fetch(self) -> int:
        """The byte at PC; PC + 1."""
        v = self.rb(self.pc)
        self.pc = (self.pc + 1) & 0xFFFF
        return v

    def fetch_word(self) -> int:
        """The word at PC; PC + 2."""
        v = self.rw(self.pc)
        self.pc = (self.pc + 2) & 0xFFFF
        return v

    def get_pair(self, name: str) -> int:
        """BC, DE, HL or SP."""
        if name == "sp":
            return self.sp
        return getattr(self, name[0]) << 8 | getattr(self, name[1])

    def set_pair(self, name: str, v: int) -> None:
        """Sets BC, DE, HL or SP (16-bit wrap)."""
        v &= 0xFFFF
        if name == "sp":
            self.sp = v
        else:
            setattr(self, name[0], v >> 8)
            setattr(self, name[1], v & 0xFF)

    def get_reg(self, name: str) -> int:
        """An 8-bit operand; ``m`` is memory at HL."""
        if name == "m":
            return self.rb(self.get_pair("hl"))
        return getattr(self, name)

    def set_reg(self, name: str, v: int) -> None:
        """Sets an 8-bit operand; ``m`` is memory at HL."""
        if name == "m":
            self.wb(self.get_pair("hl"), v)
        else:
            setattr(self, name, v & 0xFF)

    def push(self, v: int) -> None:
        """SP - 2, then the word at SP."""
        self.sp = (self.sp - 2) & 0xFFFF
        self.ww(self.sp, v)

    def pop(self) -> int:
        """The word at SP, then SP + 2."""
        v = self.rw(self.sp)
        self.sp = (self.sp + 2) & 0xFFFF
        return v

    def set_zsp(self, v: int) -> None:
        """Z, S and P of a byte."""
        self.zf = v == 0
        self.sf = bool(v >> 7)
        self.pf = _parity(v)

    def test(self, cond: int) -> bool:
        """Condition code ``cond`` (NZ Z NC C PO PE P M)."""
        flag, wanted = CONDITIONS[cond]
        return getattr(self, flag) == wanted

    # ---- arithmetic ------------------------------------------------------------------------

    def add(self, val: int, cy: int) -> None:
        """A = A + val + cy, all five flags."""
        a = self.a
        result = (a + val + cy) & 0xFF
        self.cf = _carry(8, a, val, cy)
        self.hf = _carry(4, a, val, cy)
        self.set_zsp(result)
        self.a = result

    def sub(self, val: int, cy: int) -> None:
        """A = A - val - cy as A + ~val + !cy, then C inverted."""
        self.add(~val & 0xFF, int(not cy))
        self.cf = not self.cf

    def ana(self, val: int) -> None:
        """A &= val; H from bit 3 of A | val."""
        self.hf = bool((self.a | val) & 0x08)
        self.a &= val
        self.cf = False
        self.set_zsp(self.a)

    def xra(self, val: int) -> None:
        """A ^= val."""
        self.a ^= val
        self.cf = self.hf = False
        self.set_zsp(self.a)

    def ora(self, val: int) -> None:
        """A |= val."""
        self.a |= val
        self.cf = self.hf = False
        self.set_zsp(self.a)

    def cmp(self, val: int) -> None:
        """Flags of A - val (signed intermediate, as the C's int16_t)."""
        result = self.a - val
        self.cf = result < 0
        self.hf = bool(~(self.a ^ result ^ val) & 0x10)
        self.set_zsp(result & 0xFF)

    def alu(self, kind: int, val: int) -> None:
        """ADD ADC SUB SBB ANA XRA ORA CMP (kind 0..7) with val."""
        if kind == 0:
            self.add(val, 0)
        elif kind == 1:
            self.add(val, int(self.cf))
        elif kind == 2:
            self.sub(val, 0)
        elif kind == 3:
            self.sub(val, int(self.cf))
        elif kind == 4:
            self.ana(val)
        elif kind == 5:
            self.xra(val)
        elif kind == 6:
            self.ora(val)
        else:
            self.cmp(val)

    # ---- the instructions --------------------------------------------------------------------

    def op_nop(self) -> None:
        """NOP (and the undocumented NOPs)."""

    def op_hlt(self) -> None:
        """HLT."""
        self.halted = True

    def op_mov(self, dst: str, src: str) -> None:
        """MOV dst,src."""
        self.set_reg(dst, self.get_reg(src))

    def op_mvi(self, dst: str) -> None:
        """MVI dst,n."""
        self.set_reg(dst, self.fetch())

    def op_alu_reg(self, kind: int, src: str) -> None:
        """ALU with a register or M."""
        self.alu(kind, self.get_reg(src))

    def op_alu_imm(self, kind: int) -> None:
        """ALU with an immediate byte."""
        self.alu(kind, self.fetch())

    def op_inr(self, name: str) -> None:
        """INR: H when the low nibble wraps to 0; C kept."""
        result = (self.get_reg(name) + 1) & 0xFF
        self.hf = (result & 0xF) == 0
        self.set_zsp(result)
        self.set_reg(name, result)

    def op_dcr(self, name: str) -> None:
        """DCR: H unless the low nibble wraps to F; C kept."""
        result = (self.get_reg(name) - 1) & 0xFF
        self.hf = not ((result & 0xF) == 0xF)
        self.set_zsp(result)
        self.set_reg(name, result)

    def op_lxi(self, pair: str) -> None:
        """LXI pair,nn."""
        self.set_pair(pair, self.fetch_word())

    def op_dad(self, pair: str) -> None:
        """DAD pair: HL += pair, only C."""
        total = self.get_pair("hl") + self.get_pair(pair)
        self.cf = bool((total >> 16) & 1)
        self.set_pair("hl", total)

    def op_inx(self, pair: str) -> None:
        """INX pair."""
        self.set_pair(pair, self.get_pair(pair) + 1)

    def op_dcx(self, pair: str) -> None:
        """DCX pair."""
        self.set_pair(pair, self.get_pair(pair) - 1)

    def op_stax(self, pair: str) -> None:
        """STAX B/D."""
        self.wb(self.get_pair(pair), self.a)

    def op_ldax(self, pair: str) -> None:
        """LDAX B/D."""
        self.a = self.rb(self.get_pair(pair))

    def op_sta(self) -> None:
        """STA nn."""
        self.wb(self.fetch_word(), self.a)

    def op_lda(self) -> None:
        """LDA nn."""
        self.a = self.rb(self.fetch_word())

    def op_shld(self) -> None:
        """SHLD nn."""
        self.ww(self.fetch_word(), self.get_pair("hl"))

    def op_lhld(self) -> None:
        """LHLD nn."""
        self.set_pair("hl", self.rw(self.fetch_word()))

    def op_rlc(self) -> None:
        """RLC."""
        self.cf = bool(self.a >> 7)
        self.a = ((self.a << 1) | self.cf) & 0xFF

    def op_rrc(self) -> None:
        """RRC."""
        self.cf = bool(self.a & 1)
        self.a = (self.a >> 1) | (self.cf << 7)

    def op_ral(self) -> None:
        """RAL."""
        cy = self.cf
        self.cf = bool(self.a >> 7)
        self.a = ((self.a << 1) | cy) & 0xFF

    def op_rar(self) -> None:
        """RAR."""
        cy = self.cf
        self.cf = bool(self.a & 1)
        self.a = (self.a >> 1) | (cy << 7)

    def op_daa(self) -> None:
        """DAA as superzazu computes it."""
        cy = self.cf
        correction = 0
        lsb, msb = self.a & 0x0F, self.a >> 4
        if self.hf or lsb > 9:
            correction += 0x06
        if self.cf or msb > 9 or (msb >= 9 and lsb > 9):
            correction += 0x60
            cy = True
        self.add(correction, 0)
        self.cf = cy

    def op_cma(self) -> None:
        """CMA."""
        self.a = ~self.a & 0xFF

    def op_stc(self) -> None:
        """STC."""
        self.cf = True

    def op_cmc(self) -> None:
        """CMC."""
        self.cf = not self.cf

    def op_jmp(self) -> None:
        """JMP nn (and 0xCB)."""
        self.pc = self.fetch_word()

    def op_jcc(self, cond: int) -> None:
        """Jcc nn."""
        addr = self.fetch_word()
        if self.test(cond):
            self.pc = addr

    def op_call(self) -> None:
        """CALL nn (and 0xDD, 0xED, 0xFD)."""
        addr = self.fetch_word()
        self.push(self.pc)
        self.pc = addr

    def op_ccc(self, cond: int) -> None:
        """Ccc nn."""
        addr = self.fetch_word()
        if self.test(cond):
            self.push(self.pc)
            self.pc = addr

    def op_ret(self) -> None:
        """RET (and 0xD9)."""
        self.pc = self.pop()

    def op_rcc(self, cond: int) -> None:
        """Rcc."""
        if self.test(cond):
            self.pc = self.pop()

    def op_rst(self, n: int) -> None:
        """RST n."""
        self.push(self.pc)
        self.pc = 8 * n

    def op_push(self, pair: str) -> None:
        """PUSH B/D/H."""
        self.push(self.get_pair(pair))

    def op_pop(self, pair: str) -> None:
        """POP B/D/H."""
        self.set_pair(pair, self.pop())

    def op_push_psw(self) -> None:
        """PUSH PSW."""
        self.push(self.a << 8 | self.psw_flags())

    def op_pop_psw(self) -> None:
        """POP PSW."""
        af = self.pop()
        self.a = af >> 8
        self.set_psw_flags(af & 0xFF)

    def op_xchg(self) -> None:
        """XCHG."""
        de, hl = self.get_pair("de"), self.get_pair("hl")
        self.set_pair("de", hl)
        self.set_pair("hl", de)

    def op_xthl(self) -> None:
        """XTHL."""
        val = self.rw(self.sp)
        self.ww(self.sp, self.get_pair("hl"))
        self.set_pair("hl", val)

    def op_pchl(self) -> None:
        """PCHL."""
        self.pc = self.get_pair("hl")

    def op_sphl(self) -> None:
        """SPHL."""
        self.sp = self.get_pair("hl")

    def op_in(self) -> None:
        """IN n: every port reads 0."""
        self.fetch()
        self.a = 0

    def op_out(self) -> None:
        """OUT n: the byte vanishes."""
        self.fetch()

    def op_ei(self) -> None:
        """EI."""
        self.iff = True
        self.int_delay = 1

    def op_di(self) -> None:
        """DI."""
        self.iff = False

    # ---- the dispatch table ------------------------------------------------------------------

    def _build_table(self) -> list[Callable[[], None]]:
        """Opcode -> bound handler, from the Intel 8080 mnemonic tables."""
        t: list[Callable[[], None] | None] = [None] * 256

        def put(opcode: int, fn: Callable[..., None], *args: object) -> None:
            assert t[opcode] is None, hex(opcode)
            t[opcode] = (lambda: fn(*args)) if args else fn

        for dst_i, dst in enumerate(REG8):
            for src_i, src in enumerate(REG8):
                if dst == src == "m":
                    put(0x76, self.op_hlt)
                else:
                    put(0x40 | dst_i << 3 | src_i, self.op_mov, dst, src)
            put(0x04 | dst_i << 3, self.op_inr, dst)
            put(0x05 | dst_i << 3, self.op_dcr, dst)
            put(0x06 | dst_i << 3, self.op_mvi, dst)
        for kind in range(8):
            for src_i, src in enumerate(REG8):
                put(0x80 | kind << 3 | src_i, self.op_alu_reg, kind, src)
            put(0xC6 | kind << 3, self.op_alu_imm, kind)
            put(0xC0 | kind << 3, self.op_rcc, kind)
            put(0xC2 | kind << 3, self.op_jcc, kind)
            put(0xC4 | kind << 3, self.op_ccc, kind)
            put(0xC7 | kind << 3, self.op_rst, kind)
            put(kind << 3, self.op_nop)  # 0x00 and the undocumented 08 10 ... 38
        for pair_i, pair in enumerate(PAIRS):
            put(0x01 | pair_i << 4, self.op_lxi, pair)
            put(0x09 | pair_i << 4, self.op_dad, pair)
            put(0x03 | pair_i << 4, self.op_inx, pair)
            put(0x0B | pair_i << 4, self.op_dcx, pair)
        for pair_i, pair in enumerate(PAIRS[:3]):
            put(0xC5 | pair_i << 4, self.op_push, pair)
            put(0xC1 | pair_i << 4, self.op_pop, pair)
        put(0xF5, self.op_push_psw)
        put(0xF1, self.op_pop_psw)
        put(0x02, self.op_stax, "bc")
        put(0x12, self.op_stax, "de")
        put(0x0A, self.op_ldax, "bc")
        put(0x1A, self.op_ldax, "de")
        singles = {0x22: self.op_shld, 0x2A: self.op_lhld, 0x32: self.op_sta,
                   0x3A: self.op_lda, 0x07: self.op_rlc, 0x0F: self.op_rrc, 0x17: self.op_ral,
                   0x1F: self.op_rar, 0x27: self.op_daa, 0x2F: self.op_cma, 0x37: self.op_stc,
                   0x3F: self.op_cmc, 0xC3: self.op_jmp, 0xCB: self.op_jmp,
                   0xCD: self.op_call, 0xDD: self.op_call, 0xED: self.op_call,
                   0xFD: self.op_call, 0xC9: self.op_ret, 0xD9: self.op_ret,
                   0xE9: self.op_pchl, 0xF9: self.op_sphl, 0xEB: self.op_xchg,
                   0xE3: self.op_xthl, 0xDB: self.op_in, 0xD3: self.op_out, 0xFB: self.op_ei,
                   0xF3: self.op_di}
        for opcode, fn in singles.items():
            put(opcode, fn)
        assert all(fn is not None for fn in t)
        return t  # type: ignore[return-value]

    # ---- one step ----------------------------------------------------------------------------

    def step(self) -> None:
        """One ``i8080_step``: nothing when halted; else fetch, EI delay tick, execute."""
        if self.halted:
            return
        opcode = self.fetch()
        if self.int_delay > 0:
            self.int_delay -= 1
        self.table[opcode]()


def run_i8080_py(tape: bytearray, limit: int) -> int:
    """Run ``tape`` from reset for at most ``limit`` steps, stopping after a HLT; the ops."""
    cpu = I8080Twin(tape)
    ops = 0
    while ops < limit and not cpu.halted:
        cpu.step()
        ops += 1
    return ops
