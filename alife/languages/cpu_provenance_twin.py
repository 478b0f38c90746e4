"""Pure-Python twins of the Z80 and 8080 provenance passes (tracer tokens, Agüera y Arcas et al.
2024, sec. 3), read off the disassembled instruction rather than the opcode bits.

Kept apart from :mod:`alife.languages.z80_provenance` and :mod:`alife.languages.i8080_provenance`
on purpose: these work from the mnemonics and operands of :mod:`alife.languages.z80_text` and
:mod:`alife.languages.i8080_text` (``LD dst,src`` copies whatever ``src`` names into whatever
``dst`` names), the numba passes from the opcode fields, so a slip in either shows up as a
difference. The rules are the numba passes' (their module docstrings). Provenance of a register
byte lives in a dict keyed by slot name (``"a"``, ``"ixh"``, ``"spl"``...).
"""

from __future__ import annotations

import re

from alife.languages.family import CREATED
from alife.languages.i8080_text import disassemble_one as disassemble_8080
from alife.languages.z80_text import disassemble_one as disassemble_z80

Slots = dict[str, int]
Location = str | int  # a register slot name, or a tape address (masked by the caller)

_Z80_SLOTS = ("a", "f", "b", "c", "d", "e", "h", "l", "a_", "f_", "b_", "c_", "d_", "e_", "h_",
              "l_", "ixh", "ixl", "iyh", "iyl", "sph", "spl", "i", "r")
_I8080_SLOTS = ("a", "f", "b", "c", "d", "e", "h", "l", "sph", "spl")
#: 16-bit registers as (low slot, high slot).
_Z80_WORDS = {"BC": ("c", "b"), "DE": ("e", "d"), "HL": ("l", "h"), "IX": ("ixl", "ixh"),
              "IY": ("iyl", "iyh"), "SP": ("spl", "sph"), "AF": ("f", "a")}
_Z80_BYTES = {"A", "F", "B", "C", "D", "E", "H", "L", "IXH", "IXL", "IYH", "IYL", "I", "R"}
_CONDITIONS = {"NZ": (0x40, False), "Z": (0x40, True), "NC": (0x01, False), "C": (0x01, True),
               "PO": (0x04, False), "PE": (0x04, True), "P": (0x80, False), "M": (0x80, True)}
_INDEXED = re.compile(r"\((IX|IY)([+-])\$([0-9A-F]{2})\)")
_ADDRESS = re.compile(r"\(\$([0-9A-F]{4})\)")


def z80_slots() -> Slots:
    """Register provenance after a reset: every byte made by the CPU."""
    return dict.fromkeys(_Z80_SLOTS, CREATED)


def i8080_slots() -> Slots:
    """The 8080's register provenance after a reset."""
    return dict.fromkeys(_I8080_SLOTS, CREATED)


def _instruction(disassemble, tape: bytearray, pc: int) -> tuple[str, list[str], int]:
    """(mnemonic, operands, length) of the instruction at ``pc``, tape addresses mirrored."""
    m = len(tape) - 1
    text, length = disassemble(bytes(tape[(pc + k) & m] for k in range(4)))
    text = text.split(" [")[0]
    mnemonic, _, rest = text.partition(" ")
    return mnemonic, [o for o in rest.split(",") if o], length


def _get(slots: Slots, src: list[int], where: Location, mask: int) -> int:
    return slots[where] if isinstance(where, str) else src[where & mask]


def _put(slots: Slots, src: list[int], where: Location, value: int, mask: int) -> None:
    if isinstance(where, str):
        slots[where] = value
    else:
        src[where & mask] = value


def _move(slots: Slots, src: list[int], to: list[Location], frm: list[Location],
          mask: int) -> None:
    """Copy provenance from ``frm`` to ``to`` (all read before any is written)."""
    values = [_get(slots, src, w, mask) for w in frm]
    for w, v in zip(to, values, strict=True):
        _put(slots, src, w, v, mask)


def _swap(slots: Slots, src: list[int], a: list[Location], b: list[Location], mask: int) -> None:
    va = [_get(slots, src, w, mask) for w in a]
    vb = [_get(slots, src, w, mask) for w in b]
    for w, v in zip(a, vb, strict=True):
        _put(slots, src, w, v, mask)
    for w, v in zip(b, va, strict=True):
        _put(slots, src, w, v, mask)


class _Z80Operands:
    """Where a Z80 operand's bytes are, given the CPU before the step."""

    def __init__(self, cpu, pc: int, length: int) -> None:
        self.cpu = cpu
        self.end = pc + length  # immediates are always an instruction's last bytes

    def word(self, name: str) -> int:
        c = self.cpu
        if name in ("IX", "IY", "SP"):
            return getattr(c, name.lower())
        return (getattr(c, name[0].lower()) << 8) | getattr(c, name[1].lower())

    def locate(self, operand: str, wide: bool) -> list[Location]:
        """The operand's bytes, low byte first (one for an 8-bit operand, two if ``wide``)."""
        if operand in _Z80_BYTES:
            return [operand.lower()]
        if operand in _Z80_WORDS:
            return list(_Z80_WORDS[operand])
        indexed = _INDEXED.fullmatch(operand)
        if indexed:
            d = int(indexed.group(3), 16) * (1 if indexed.group(2) == "+" else -1)
            return [(self.word(indexed.group(1)) + d) & 0xFFFF]
        address = _ADDRESS.fullmatch(operand)
        if address:
            base = int(address.group(1), 16)
        elif operand in ("(HL)", "(BC)", "(DE)", "(SP)"):
            base = self.word(operand[1:3])
        elif operand.startswith("$"):
            return [self.end - 2, self.end - 1] if wide else [self.end - 1]
        else:
            raise ValueError(f"operand {operand!r} names no data")
        return [base, base + 1] if wide else [base]


def z80_track(cpu, src: list[int], slots: Slots) -> None:
    """Move provenance as the Z80 twin's next step (``cpu``, not yet stepped) will move data."""
    tape = cpu.tape
    mask = len(tape) - 1
    mnemonic, ops, length = _instruction(disassemble_z80, tape, cpu.pc)
    where = _Z80Operands(cpu, cpu.pc, length)
    sp = cpu.sp
    if mnemonic == "LD":
        wide = ops[0] in _Z80_WORDS or ops[1] in _Z80_WORDS
        _move(slots, src, where.locate(ops[0], wide), where.locate(ops[1], wide), mask)
    elif mnemonic == "PUSH":
        _move(slots, src, [sp - 2, sp - 1], where.locate(ops[0], True), mask)
    elif mnemonic == "POP":
        _move(slots, src, where.locate(ops[0], True), [sp, sp + 1], mask)
    elif mnemonic == "EX":
        if ops[1] == "AF'":
            _swap(slots, src, ["a", "f"], ["a_", "f_"], mask)
        else:
            _swap(slots, src, where.locate(ops[0], True), where.locate(ops[1], True), mask)
    elif mnemonic == "EXX":
        names = ["b", "c", "d", "e", "h", "l"]
        _swap(slots, src, names, [n + "_" for n in names], mask)
    elif mnemonic in ("CALL", "RST"):
        if mnemonic == "RST" or len(ops) == 1 or _z80_condition(cpu.f, ops[0]):
            _put(slots, src, sp - 2, CREATED, mask)
            _put(slots, src, sp - 1, CREATED, mask)
    elif mnemonic == "IN":
        if ops[0] != "(C)":
            slots[ops[0].lower()] = CREATED
    elif mnemonic in ("LDI", "LDD", "LDIR", "LDDR"):
        _move(slots, src, [where.word("DE")], [where.word("HL")], mask)
    elif mnemonic in ("INI", "IND", "INIR", "INDR"):
        src[where.word("HL") & mask] = CREATED
    elif len(ops) >= 2 and ops[-1] in _Z80_BYTES and _INDEXED.fullmatch(ops[-2]):
        # DDCB: RLC (IX+d),B and the like also leave the result in the register
        _move(slots, src, [ops[-1].lower()], where.locate(ops[-2], False), mask)
    # every other instruction computes in place: destinations keep their provenance


def _z80_condition(f: int, cc: str) -> bool:
    bit, when_set = _CONDITIONS[cc]
    return bool(f & bit) == when_set


_I8080_REGS = {"A": "a", "B": "b", "C": "c", "D": "d", "E": "e", "H": "h", "L": "l"}
_I8080_PAIRS = {"B": ("c", "b"), "D": ("e", "d"), "H": ("l", "h"), "SP": ("spl", "sph"),
                "PSW": ("f", "a")}
_I8080_CALLS = {"CNZ": "NZ", "CZ": "Z", "CNC": "NC", "CC": "C", "CPO": "PO", "CPE": "PE",
                "CP": "P", "CM": "M"}


def i8080_track(cpu, src: list[int], slots: Slots) -> None:
    """Move provenance as the 8080 twin's next step will move data (same rules as the Z80's)."""
    tape = cpu.tape
    mask = len(tape) - 1
    if cpu.halted:
        return
    mnemonic, ops, length = _instruction(disassemble_8080, tape, cpu.pc)
    end = cpu.pc + length
    sp = cpu.sp
    hl = (cpu.h << 8) | cpu.l

    def reg(name: str) -> Location:
        return hl if name == "M" else _I8080_REGS[name]

    def address() -> int:
        return int(ops[-1][1:], 16)

    if mnemonic == "MOV":
        _move(slots, src, [reg(ops[0])], [reg(ops[1])], mask)
    elif mnemonic == "MVI":
        _move(slots, src, [reg(ops[0])], [end - 1], mask)
    elif mnemonic == "LXI":
        _move(slots, src, list(_I8080_PAIRS[ops[0]]), [end - 2, end - 1], mask)
    elif mnemonic in ("STAX", "LDAX"):
        pair = (cpu.b << 8) | cpu.c if ops[0] == "B" else (cpu.d << 8) | cpu.e
        to, frm = ([pair], ["a"]) if mnemonic == "STAX" else (["a"], [pair])
        _move(slots, src, to, frm, mask)
    elif mnemonic == "STA":
        _move(slots, src, [address()], ["a"], mask)
    elif mnemonic == "LDA":
        _move(slots, src, ["a"], [address()], mask)
    elif mnemonic == "SHLD":
        _move(slots, src, [address(), address() + 1], ["l", "h"], mask)
    elif mnemonic == "LHLD":
        _move(slots, src, ["l", "h"], [address(), address() + 1], mask)
    elif mnemonic == "PUSH":
        _move(slots, src, [sp - 2, sp - 1], list(_I8080_PAIRS[ops[0]]), mask)
    elif mnemonic == "POP":
        _move(slots, src, list(_I8080_PAIRS[ops[0]]), [sp, sp + 1], mask)
    elif mnemonic == "XTHL":
        _swap(slots, src, [sp, sp + 1], ["l", "h"], mask)
    elif mnemonic == "XCHG":
        _swap(slots, src, ["e", "d"], ["l", "h"], mask)
    elif mnemonic == "SPHL":
        _move(slots, src, ["spl", "sph"], ["l", "h"], mask)
    elif mnemonic == "IN":
        slots["a"] = CREATED
    elif mnemonic in ("CALL", "RST") or (mnemonic in _I8080_CALLS
                                         and _z80_condition(cpu.psw_flags(),
                                                            _I8080_CALLS[mnemonic])):
        _put(slots, src, sp - 2, CREATED, mask)
        _put(slots, src, sp - 1, CREATED, mask)


__all__ = ["i8080_slots", "i8080_track", "z80_slots", "z80_track"]
