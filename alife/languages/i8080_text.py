"""The 8080's text form: Intel mnemonics for every opcode, and an assembler back to bytes
(Agüera y Arcas et al. 2024, sec. 4; shared/spec/z80.md, "Intel 8080 soup").

Operands are written ``$XX`` (8-bit) and ``$XXXX`` (16-bit), registers ``B C D E H L M A``, pairs
``B D H SP`` (``PSW`` for PUSH and POP), as in Intel's manual. The opcodes that superzazu/8080
runs as aliases (``08 10 18 20 28 30 38`` NOP, ``CB`` JMP, ``D9`` RET, ``DD ED FD`` CALL) are
written with their bytes, e.g. ``NOP [08]`` or ``CALL $1234 [DD 34 12]``; the assembler checks
that such bytes are the text. Instructions are separated by ``;`` or newlines; an instruction
that runs past the end of the program is marked ``[wraps N]`` (its operand comes from the start,
as on the tape).
"""

from __future__ import annotations

import re

from alife.errors import AlifeError
from alife.languages.text import disassemble_program

_R = ("B", "C", "D", "E", "H", "L", "M", "A")
_RP = ("B", "D", "H", "SP")
_CC = ("NZ", "Z", "NC", "C", "PO", "PE", "P", "M")
_ALU = ("ADD", "ADC", "SUB", "SBB", "ANA", "XRA", "ORA", "CMP")
_ALU_I = ("ADI", "ACI", "SUI", "SBI", "ANI", "XRI", "ORI", "CPI")


def _table() -> list[tuple[str, int]]:
    """(template, operand bytes) by opcode; ``{8}``/``{16}`` stand for the operand."""
    t: list[tuple[str, int]] = [("", 0)] * 256
    for op in (0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38):
        t[op] = ("NOP", 0)
    for p, rp in enumerate(_RP):
        t[0x01 + 16 * p] = (f"LXI {rp},{{16}}", 2)
        t[0x03 + 16 * p] = (f"INX {rp}", 0)
        t[0x09 + 16 * p] = (f"DAD {rp}", 0)
        t[0x0B + 16 * p] = (f"DCX {rp}", 0)
    t[0x02], t[0x12], t[0x0A], t[0x1A] = ("STAX B", 0), ("STAX D", 0), ("LDAX B", 0), \
        ("LDAX D", 0)
    t[0x22], t[0x2A], t[0x32], t[0x3A] = ("SHLD {16}", 2), ("LHLD {16}", 2), ("STA {16}", 2), \
        ("LDA {16}", 2)
    for r, name in enumerate(_R):
        t[0x04 + 8 * r] = (f"INR {name}", 0)
        t[0x05 + 8 * r] = (f"DCR {name}", 0)
        t[0x06 + 8 * r] = (f"MVI {name},{{8}}", 1)
        for s, src in enumerate(_R):
            t[0x40 + 8 * r + s] = (f"MOV {name},{src}", 0)
        t[0x80 + 8 * r] = ("", 0)
    t[0x76] = ("HLT", 0)
    for i, name in enumerate(("RLC", "RRC", "RAL", "RAR", "DAA", "CMA", "STC", "CMC")):
        t[0x07 + 8 * i] = (name, 0)
    for a, name in enumerate(_ALU):
        for s, src in enumerate(_R):
            t[0x80 + 8 * a + s] = (f"{name} {src}", 0)
        t[0xC6 + 8 * a] = (f"{_ALU_I[a]} {{8}}", 1)
    for c, cc in enumerate(_CC):
        t[0xC0 + 8 * c] = (f"R{cc}", 0)
        t[0xC2 + 8 * c] = (f"J{cc} {{16}}", 2)
        t[0xC4 + 8 * c] = (f"C{cc} {{16}}", 2)
        t[0xC7 + 8 * c] = (f"RST {c}", 0)
    for p, rp in enumerate(("B", "D", "H", "PSW")):
        t[0xC1 + 16 * p] = (f"POP {rp}", 0)
        t[0xC5 + 16 * p] = (f"PUSH {rp}", 0)
    for op in (0xC3, 0xCB):
        t[op] = ("JMP {16}", 2)
    for op in (0xC9, 0xD9):
        t[op] = ("RET", 0)
    for op in (0xCD, 0xDD, 0xED, 0xFD):
        t[op] = ("CALL {16}", 2)
    t[0xD3], t[0xDB] = ("OUT {8}", 1), ("IN {8}", 1)
    t[0xE3], t[0xE9], t[0xEB], t[0xF9] = ("XTHL", 0), ("PCHL", 0), ("XCHG", 0), ("SPHL", 0)
    t[0xF3], t[0xFB] = ("DI", 0), ("EI", 0)
    assert all(template for template, _ in t)
    return t


TABLE = _table()
#: template -> its canonical opcode (the first opcode with that template)
CANONICAL: dict[str, int] = {}
for _op, (_template, _) in enumerate(TABLE):
    CANONICAL.setdefault(_template, _op)


def instruction_length(code: bytes, pos: int = 0) -> int:
    """Bytes of the instruction at ``pos``."""
    return 1 + TABLE[code[pos % len(code)]][1]


def disassemble_one(code: bytes, pos: int = 0) -> tuple[str, int]:
    """(text, length) of the instruction at ``pos``; operands past the end come from the start."""
    code = bytes(code)
    op = code[pos % len(code)]
    template, extra = TABLE[op]
    operand = [code[(pos + 1 + i) % len(code)] for i in range(extra)]
    text = template
    if extra == 1:
        text = template.replace("{8}", f"${operand[0]:02X}")
    elif extra == 2:
        text = template.replace("{16}", f"${operand[0] | operand[1] << 8:04X}")
    if CANONICAL[template] != op:
        text += " [" + " ".join(f"{b:02X}" for b in [op, *operand]) + "]"
    return text, 1 + extra


def disassemble(code: bytes) -> str:
    """A whole program, instructions separated by "; ", the last one marked if it wraps."""
    return disassemble_program(code, disassemble_one)


_NUMBER = re.compile(r"^\$([0-9A-F]{1,4})$|^([0-9]{1,5})$|^([0-9A-F]{1,4})H$")
_BRACKET = re.compile(r"\[([^\]]*)\]")


def _value(token: str, bits: int, piece: str) -> int:
    m = _NUMBER.match(token)
    if m is None:
        raise AlifeError(f"cannot assemble {piece!r}: operand {token!r} is not a number; write "
                         f"$XX or $XXXX (hex), 123 (decimal) or 0FFH")
    v = int(m.group(1), 16) if m.group(1) else int(m.group(2)) if m.group(2) \
        else int(m.group(3), 16)
    if v >= 1 << bits:
        raise AlifeError(f"cannot assemble {piece!r}: {token!r} does not fit {bits} bits")
    return v


def _one(piece: str) -> tuple[bytes, int | None]:
    """Bytes of one instruction, and how many of them wrap (None: none)."""
    text = " ".join(piece.upper().split())
    brackets = _BRACKET.findall(text)
    text = _BRACKET.sub("", text).strip()
    wraps = None
    given = None
    for b in brackets:
        b = b.strip()
        if b.startswith("WRAPS"):
            wraps = int(b.split()[1])
        else:
            try:
                given = bytes.fromhex(b)
            except ValueError:
                raise AlifeError(f"cannot assemble {piece!r}: [{b}] is not hex bytes") from None
    mnemonic, _, rest = text.partition(" ")
    operands = [o.strip() for o in rest.split(",")] if rest else []
    matches = []
    for template in CANONICAL:
        t_mn, _, t_rest = template.partition(" ")
        t_ops = t_rest.split(",") if t_rest else []
        if t_mn != mnemonic or len(t_ops) != len(operands):
            continue
        if all(t == o or t in ("{8}", "{16}") for t, o in zip(t_ops, operands, strict=True)):
            matches.append((template, t_ops))
    if not matches:
        known = sorted({t.partition(" ")[0] for t in CANONICAL})
        if mnemonic not in known:
            raise AlifeError(f"cannot assemble {piece!r}: unknown mnemonic {mnemonic!r}; "
                             f"accepted: {', '.join(known)}")
        shapes = [t.replace("{8}", "$XX").replace("{16}", "$XXXX") for t in CANONICAL
                  if t.partition(" ")[0] == mnemonic]
        shown = ", ".join(shapes[:8]) + (f", ... ({len(shapes)} forms; registers B C D E H L "
                                         "M A)" if len(shapes) > 8 else "")
        raise AlifeError(f"cannot assemble {piece!r}: no {mnemonic} takes these operands; "
                         f"accepted: {shown}")
    template, t_ops = matches[0]
    out = bytearray([CANONICAL[template]])
    for t, o in zip(t_ops, operands, strict=True):
        if t == "{8}":
            out.append(_value(o, 8, piece))
        elif t == "{16}":
            v = _value(o, 16, piece)
            out += bytes([v & 0xFF, v >> 8])
    if given is not None:
        if len(given) != len(out) or TABLE[given[0]][0] != template or given[1:] != out[1:]:
            shown = disassemble_one(given + bytes(3))[0] if given else "nothing"
            raise AlifeError(f"cannot assemble {piece!r}: the bytes [{given.hex(' ').upper()}] "
                             f"are {shown!r}, not {text!r}")
        out = bytearray(given)
    return bytes(out), wraps


def assemble(text: str) -> bytes:
    """8080 text -> bytes (see the module docstring); bad text is one :class:`AlifeError`."""
    pieces = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    out = bytearray()
    for k, piece in enumerate(pieces):
        code, wraps = _one(piece)
        if wraps is not None:
            if k != len(pieces) - 1 or not 0 < wraps < len(code):
                raise AlifeError(f"cannot assemble {piece!r}: only the last instruction can "
                                 f"wrap, by fewer bytes than it has")
            head = bytes(out[i % len(out)] for i in range(wraps)) if out else b""
            if code[len(code) - wraps:] != head:
                raise AlifeError(f"cannot assemble {piece!r}: its wrapped bytes differ from the "
                                 "program's first bytes")
            code = code[:len(code) - wraps]
        out += code
    return bytes(out)


__all__ = ["TABLE", "assemble", "disassemble", "disassemble_one", "instruction_length"]
