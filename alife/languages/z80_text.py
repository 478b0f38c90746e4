"""The text form of Z80 soup programs: Zilog mnemonics to and from machine code.

The Z80 soup of Agüera y Arcas et al. 2024, "Computational Life" (arXiv:2406.19108, Fig. 12),
as its zff demo runs it (github.com/znah/zff; shared/spec/z80.md): superzazu/z80 with zff's
patch, on a 32-byte tape where every address is taken mod 32. The disassembler decodes what that
CPU executes, undocumented instructions included, from the x/y/z/p/q fields of the opcode
("Decoding Z80 opcodes", z80.info); the assembler is its inverse, built by enumerating every
encoding of every table (plain, CB, ED, DD, FD, DDCB, FDCB, and DD/FD before ED) into templates.

>>> disassemble(bytes.fromhex("11D5" * 8))
'LD DE,$11D5; PUSH DE; LD DE,$11D5; PUSH DE; LD DE,$11D5; PUSH DE; LD DE,$11D5; PUSH DE'
>>> assemble("LD DE,$D511; PUSH DE").hex().upper()
'1111D5D5'

Text conventions (what the disassembler writes; the assembler reads them back):

- Upper case; no spaces inside operands; hex numbers ``$XX`` (n), ``$XXXX`` (nn); RST ``$10``.
- ``(IX+$05)``, ``(IX-$03)``: the displacement, signed, in hex.
- Relative jumps (JR, DJNZ) as ``$+N`` / ``$-N`` in decimal, where ``$`` is the address of the
  instruction's own first byte (its prefix, if any) and the target is ``$ + N``: ``18 03`` is
  ``JR $+5``, ``18 FE`` (jump to itself) is ``JR $+0``, and ``DD 18 03`` is ``JR $+6``.
- Undocumented: ``SLL``; ``IXH IXL IYH IYL``; DDCB with a register copy ``RLC (IX+$02),B``,
  ``RES 0,(IX+$05),A``; ``IN (C)`` for ED 70 (the assembler also takes ``IN F,(C)``);
  ``OUT (C),0`` for ED 71.
- An encoding that is not the one the assembler picks for its text (a lone DD/FD before an
  opcode it leaves alone, as ``DD 00``; an ED duplicate such as ``ED 4C`` NEG; ``ED 63``
  LD (nn),HL; DDCB BIT with z != 6) is followed by its bytes in brackets: ``NEG [ED 4C]``,
  ``LD A,$05 [DD 3E 05]``. So is everything zff runs as a do-nothing: ``NOP [DD DD]`` (zff's
  patch: DD or FD then DD or FD is one 2-byte instruction), ``NOP [ED 77]`` (ED opcodes that do
  nothing, ED 4E and ED 6E included: superzazu/z80 sets no IM for them).
- :func:`disassemble` separates instructions by ``"; "``; an instruction that runs past the end
  of the program reads its remaining bytes from the start (the tape wraps) and is followed by
  ``[wraps N]``, N its bytes past the end, so ``assemble(disassemble(p)) == p`` for every ``p``.
  (In the soup a cell's bytes 0..15 are followed by its partner's; disassemble the 32-byte tape
  to see what the CPU reads past byte 15.)

The assembler takes instructions separated by ``;`` or newlines; mnemonics and registers in any
case, spaces anywhere; numbers as ``$FF``, ``0xFF``, ``FFh``, ``0b1010`` or decimal (negative
allowed for n and nn); ``(IX)`` for ``(IX+0)``; ``$`` for ``$+0``; ``DB $12,$34`` for raw bytes;
``SUB A,B``-style and ``ADD B``-style accumulator forms; ``JP HL`` for ``JP (HL)``. Plain text
gets the shortest encoding (the documented one among equals); ``[XX YY ...]`` after an
instruction gives its exact bytes, checked against the text. Bad text raises
:class:`~alife.errors.AlifeError` with one line naming the instruction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from alife.errors import AlifeError
from alife.languages.text import disassemble_program

_R = ("B", "C", "D", "E", "H", "L", "(HL)", "A")
_RP = ("BC", "DE", "HL", "SP")
_RP2 = ("BC", "DE", "HL", "AF")
_CC = ("NZ", "Z", "NC", "C", "PO", "PE", "P", "M")
_ALU = ("ADD A,", "ADC A,", "SUB ", "SBC A,", "AND ", "XOR ", "OR ", "CP ")
_ROT = ("RLC", "RRC", "RL", "RR", "SLA", "SRA", "SLL", "SRL")
_X0Z7 = ("RLCA", "RRCA", "RLA", "RRA", "DAA", "CPL", "SCF", "CCF")
_BLOCK = (("LDI", "CPI", "INI", "OUTI"), ("LDD", "CPD", "IND", "OUTD"),
          ("LDIR", "CPIR", "INIR", "OTIR"), ("LDDR", "CPDR", "INDR", "OTDR"))
_IM = {0x46: "IM 0", 0x66: "IM 0", 0x56: "IM 1", 0x76: "IM 1", 0x5E: "IM 2", 0x7E: "IM 2"}
_ED_X1Z7 = ("LD I,A", "LD R,A", "LD A,I", "LD A,R", "RRD", "RLD", "NOP", "NOP")

#: Opcodes after DD/FD that use IX/IY (the cases of superzazu/z80's ``exec_opcode_ddfd``, DD CB
#: apart); after a DD/FD any other opcode runs as if unprefixed.
_INDEXED = frozenset(
    [0x09, 0x19, 0x29, 0x39, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E,
     0x34, 0x35, 0x36, 0x44, 0x45, 0x46, 0x4C, 0x4D, 0x4E, 0x54, 0x55, 0x56, 0x5C, 0x5D, 0x5E,
     *range(0x60, 0x70), 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x77, 0x7C, 0x7D, 0x7E,
     *(0x80 + 8 * y + z for y in range(8) for z in (4, 5, 6)),
     0xE1, 0xE3, 0xE5, 0xE9, 0xF9])

# An encoding's form: its bytes in order, an int for an opcode byte, a str for an operand byte:
# "d" displacement, "n" immediate or port, "lo"/"hi" the two bytes of nn, "e" relative offset.
Form = tuple[int | str, ...]


def _main(op: int, iz: str | None) -> tuple[str, tuple[str, ...]]:
    """Template and operand slots of an unprefixed opcode, or of a DD/FD one (``iz`` IX/IY)."""
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    mem = op != 0x76 and ((x == 1 and 6 in (y, z)) or (x == 2 and z == 6)
                          or (x == 0 and y == 6 and z in (4, 5, 6)))
    pre: tuple[str, ...] = ("d",) if iz and mem else ()
    hl = iz or "HL"

    def r(i: int) -> str:
        if i == 6:
            return f"({iz}{{d}})" if iz else "(HL)"
        if iz and not mem and i in (4, 5):
            return iz + "HL"[i - 4]
        return _R[i]

    def rp(i: int) -> str:
        return hl if i == 2 else _RP[i]

    if x == 0:
        if z == 0:
            if y == 0:
                return "NOP", ()
            if y == 1:
                return "EX AF,AF'", ()
            if y == 2:
                return "DJNZ {e}", ("e",)
            if y == 3:
                return "JR {e}", ("e",)
            return f"JR {_CC[y - 4]},{{e}}", ("e",)
        if z == 1:
            if q == 0:
                return f"LD {rp(p)},{{nn}}", ("lo", "hi")
            return f"ADD {hl},{rp(p)}", ()
        if z == 2:
            if p == 2:
                text = f"LD ({{nn}}),{hl}" if q == 0 else f"LD {hl},({{nn}})"
                return text, ("lo", "hi")
            if p == 3:
                return ("LD ({nn}),A" if q == 0 else "LD A,({nn})"), ("lo", "hi")
            return (f"LD ({_RP[p]}),A" if q == 0 else f"LD A,({_RP[p]})"), ()
        if z == 3:
            return f"{'DEC' if q else 'INC'} {rp(p)}", ()
        if z == 4:
            return f"INC {r(y)}", pre
        if z == 5:
            return f"DEC {r(y)}", pre
        if z == 6:
            return f"LD {r(y)},{{n}}", (*pre, "n")
        return _X0Z7[y], ()
    if x == 1:
        if op == 0x76:
            return "HALT", ()
        return f"LD {r(y)},{r(z)}", pre
    if x == 2:
        return _ALU[y] + r(z), pre
    if z == 0:
        return f"RET {_CC[y]}", ()
    if z == 1:
        if q == 0:
            return f"POP {hl if p == 2 else _RP2[p]}", ()
        return ("RET", "EXX", f"JP ({hl})", f"LD SP,{hl}")[p], ()
    if z == 2:
        return f"JP {_CC[y]},{{nn}}", ("lo", "hi")
    if z == 3:
        if y == 0:
            return "JP {nn}", ("lo", "hi")
        if y == 2:
            return "OUT ({n}),A", ("n",)
        if y == 3:
            return "IN A,({n})", ("n",)
        return {4: f"EX (SP),{hl}", 5: "EX DE,HL", 6: "DI", 7: "EI"}[y], ()
    if z == 4:
        return f"CALL {_CC[y]},{{nn}}", ("lo", "hi")
    if z == 5:
        if q == 0:
            return f"PUSH {hl if p == 2 else _RP2[p]}", ()
        return "CALL {nn}", ("lo", "hi")  # p = 0 (p = 1..3 are the prefixes DD, ED, FD)
    if z == 6:
        return _ALU[y] + "{n}", ("n",)
    return f"RST ${8 * y:02X}", ()


def _cb(op: int) -> str:
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    if x == 0:
        return f"{_ROT[y]} {_R[z]}"
    return f"{('BIT', 'RES', 'SET')[x - 1]} {y},{_R[z]}"


def _index_cb(op: int, iz: str) -> str:
    """DD CB d op / FD CB d op: on (IZ+d); rotations, RES and SET with z != 6 also copy the
    result to r[z]; BIT ignores z."""
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    mem = f"({iz}{{d}})"
    text = f"{_ROT[y]} {mem}" if x == 0 else f"{('BIT', 'RES', 'SET')[x - 1]} {y},{mem}"
    return text if x == 1 or z == 6 else f"{text},{_R[z]}"


def _ed(op: int) -> tuple[str, tuple[str, ...]]:
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if x == 1:
        if z == 0:
            return ("IN (C)" if y == 6 else f"IN {_R[y]},(C)"), ()
        if z == 1:
            return ("OUT (C),0" if y == 6 else f"OUT (C),{_R[y]}"), ()
        if z == 2:
            return f"{'ADC' if q else 'SBC'} HL,{_RP[p]}", ()
        if z == 3:
            text = f"LD {_RP[p]},({{nn}})" if q else f"LD ({{nn}}),{_RP[p]}"
            return text, ("lo", "hi")
        if z == 4:
            return "NEG", ()
        if z == 5:
            return ("RETI" if y == 1 else "RETN"), ()
        if z == 6:
            return _IM.get(op, "NOP"), ()  # ED 4E, ED 6E: superzazu/z80 does nothing
        return _ED_X1Z7[y], ()
    if x == 2 and y >= 4 and z <= 3:
        return _BLOCK[y - 4][z], ()
    return "NOP", ()


def _decode(get: Callable[[int], int]) -> tuple[str, Form]:
    """(template, form) of the instruction whose i-th byte is ``get(i)``."""
    b0 = get(0)
    if b0 == 0xCB:
        op = get(1)
        return _cb(op), (b0, op)
    if b0 == 0xED:
        op = get(1)
        text, slots = _ed(op)
        return text, (b0, op, *slots)
    if b0 in (0xDD, 0xFD):
        iz = "IX" if b0 == 0xDD else "IY"
        b1 = get(1)
        if b1 in (0xDD, 0xFD):  # zff's patch: both bytes, nothing done
            return "NOP", (b0, b1)
        if b1 == 0xCB:
            op = get(3)
            return _index_cb(op, iz), (b0, b1, "d", op)
        if b1 == 0xED:
            op = get(2)
            text, slots = _ed(op)
            return text, (b0, b1, op, *slots)
        text, slots = _main(b1, iz if b1 in _INDEXED else None)
        return text, (b0, b1, *slots)
    text, slots = _main(b0, None)
    return text, (b0, *slots)


def _signed(v: int) -> int:
    return v - 256 if v & 0x80 else v


def _values(get: Callable[[int], int], form: Form) -> dict[str, int]:
    """The operand values of an instruction: d and e signed, e as shown (offset from ``$``)."""
    values: dict[str, int] = {}
    for i, item in enumerate(form):
        if item == "d":
            values["d"] = _signed(get(i))
        elif item == "n":
            values["n"] = get(i)
        elif item == "lo":
            values["nn"] = get(i) | (get(i + 1) << 8)
        elif item == "e":
            values["e"] = _signed(get(i)) + len(form)
    return values


def _format(template: str, values: dict[str, int]) -> str:
    fields = {}
    if "d" in values:
        d = values["d"]
        fields["d"] = f"+${d:02X}" if d >= 0 else f"-${-d:02X}"
    if "n" in values:
        fields["n"] = f"${values['n']:02X}"
    if "nn" in values:
        fields["nn"] = f"${values['nn']:04X}"
    if "e" in values:
        e = values["e"]
        fields["e"] = f"$+{e}" if e >= 0 else f"$-{-e}"
    return template.format(**fields)


def _encode(form: Form, values: dict[str, int]) -> bytes:
    out = bytearray()
    for item in form:
        if isinstance(item, int):
            out.append(item)
        elif item == "d":
            out.append(values["d"] & 0xFF)
        elif item == "n":
            out.append(values["n"] & 0xFF)
        elif item == "lo":
            out.append(values["nn"] & 0xFF)
        elif item == "hi":
            out.append((values["nn"] >> 8) & 0xFF)
        else:
            out.append((values["e"] - len(form)) & 0xFF)
    return bytes(out)


def all_forms() -> list[tuple[str, Form]]:
    """Every encoding of every table as (template, form), in the order plain, CB, ED, DD, FD
    (each: plain opcodes, DD/FD CB, DD/FD ED)."""
    seqs: list[tuple[int, ...]] = [(op,) for op in range(256) if op not in (0xCB, 0xED, 0xDD, 0xFD)]
    seqs += [(0xCB, op) for op in range(256)]
    seqs += [(0xED, op) for op in range(256)]
    for prefix in (0xDD, 0xFD):
        seqs += [(prefix, op) for op in range(256) if op not in (0xCB, 0xED)]
        seqs += [(prefix, 0xCB, 0, op) for op in range(256)]
        seqs += [(prefix, 0xED, op) for op in range(256)]
    out = []
    for seq in seqs:
        out.append(_decode(lambda i, s=seq: s[i] if i < len(s) else 0))
    return out


def _preference(form: Form, index: int) -> tuple[int, int, int]:
    """Sort key of the encodings of one text: shortest first, then DDCB BIT with z = 6 (the
    documented one), then table order (ED 44 NEG before ED 4C, ED 46 IM 0 before ED 66)."""
    ddcb_alias = (len(form) == 4 and form[1] == 0xCB and isinstance(form[3], int)
                  and form[3] >> 6 == 1 and form[3] & 7 != 6)
    return len(form), int(ddcb_alias), index


# --- the assembler's operands ----------------------------------------------------------------

_TOKENS = frozenset(
    "A B C D E H L I R F IXH IXL IYH IYL AF AF' BC DE HL SP IX IY NZ Z NC PO PE P M "
    "(C) (HL) (BC) (DE) (SP) (IX) (IY)".split())
_NUMBER = re.compile(r"^(?:\$([0-9A-F]+)|0X([0-9A-F]+)|([0-9][0-9A-F]*|[A-F][0-9A-F]*)H|0B([01]+)"
                     r"|([0-9]+))$")
_INDEX = re.compile(r"^\((IX|IY)([+-])(.+)\)$")
_SLOT = re.compile(r"\{(\w+)\}")
_ACCEPTED_OPERANDS = ("registers A B C D E H L I R IXH IXL IYH IYL, pairs AF AF' BC DE HL SP "
                      "IX IY, conditions NZ Z NC C PO PE P M, (HL) (BC) (DE) (SP) (C), numbers "
                      "$FF 0xFF FFh 255, (nn), (IX+d), $+e")
_RANGES = {"n": (-128, 255, "0..255 or -128..-1"), "nn": (-32768, 65535, "0..65535"),
           "d": (-128, 127, "-128..+127")}


def _number(s: str) -> int | None:
    """A number in one of the accepted notations (upper case, optional leading '-'), or None."""
    neg = s.startswith("-")
    m = _NUMBER.match(s[1:] if neg else s)
    if m is None:
        return None
    hex1, hex2, hex3, binary, dec = m.groups()
    if hex1 or hex2 or hex3:
        v = int(hex1 or hex2 or hex3, 16)
    elif binary:
        v = int(binary, 2)
    else:
        v = int(dec)
    return -v if neg else v


class _Bad(Exception):
    """One problem with one instruction; :func:`assemble` adds the instruction to it."""


def _operand(s: str) -> tuple[str, int | None]:
    """An input operand (upper case, no spaces) -> (shape, value): numbers become '#' with their
    value, relative targets '$#', displacements '(IX+#)', addresses and ports '(#)'."""
    if s in _TOKENS:
        return s, None
    m = _INDEX.match(s)
    if m:
        v = _number(m.group(3))
        if v is None:
            raise _Bad(f"bad displacement {m.group(2) + m.group(3)!r} in {s!r}; write "
                       f"({m.group(1)}+d) with d a number, as ({m.group(1)}+$05) or "
                       f"({m.group(1)}-3)")
        return f"({m.group(1)}+#)", -v if m.group(2) == "-" else v
    if s == "$" or s.startswith(("$+", "$-")):
        if s == "$":
            return "$#", 0
        v = _number(s[2:])
        if v is None:
            raise _Bad(f"bad relative target {s!r}; write $+N or $-N (N from the "
                       "instruction's own address), as $+5 or $-3")
        return "$#", -v if s[1] == "-" else v
    if s.startswith("(") and s.endswith(")"):
        v = _number(s[1:-1])
        if v is not None:
            return "(#)", v
    v = _number(s)
    if v is not None:
        return "#", v
    if not s:
        raise _Bad("empty operand")
    raise _Bad(f"unknown operand {s!r}; accepted: {_ACCEPTED_OPERANDS}")


def _template_operand(s: str) -> tuple[str, int | str]:
    """A template's operand -> (shape, fixed value or slot name)."""
    m = _SLOT.search(s)
    if m is None:
        shape, value = _operand(s)
        return shape, (-1 if value is None else value)
    slot = m.group(1)
    if slot == "d":
        return s.replace("{d}", "+#"), "d"
    if slot == "e":
        return "$#", "e"
    return s.replace("{" + slot + "}", "#"), slot


def _split(text: str) -> tuple[str, list[str]]:
    """'ld a, (ix + 5)' -> ('LD', ['A', '(IX+5)']) (templates keep their lower-case slots)."""
    parts = text.strip().split(None, 1)
    mnemonic = parts[0].upper()
    if len(parts) == 1:
        return mnemonic, []
    return mnemonic, [_SLOT.sub(lambda m: m.group().lower(), "".join(op.split()).upper())
                      for op in parts[1].split(",")]


@dataclass
class _Template:
    text: str  # e.g. "LD (IX{d}),{n}"
    mnemonic: str
    shapes: tuple[str, ...]  # per operand: its shape, as _operand gives it
    specs: tuple[int | str, ...]  # per operand: a slot name, a fixed number, or -1 (no number)
    forms: list[Form]  # its encodings, the assembler's choice first


def _build() -> tuple[dict[str, _Template], dict[tuple[str, tuple[str, ...]], list[_Template]]]:
    forms: dict[str, list[tuple[tuple[int, int, int], Form]]] = {}
    for index, (text, form) in enumerate(all_forms()):
        forms.setdefault(text, []).append((_preference(form, index), form))
    by_text: dict[str, _Template] = {}
    by_key: dict[tuple[str, tuple[str, ...]], list[_Template]] = {}
    for text, found in forms.items():
        mnemonic, ops = _split(text)
        parsed = [_template_operand(op) for op in ops]
        shapes = tuple(shape for shape, _ in parsed)
        t = _Template(text, mnemonic, shapes, tuple(spec for _, spec in parsed),
                      [form for _, form in sorted(found)])
        by_text[text] = t
        by_key.setdefault((mnemonic, shapes), []).append(t)
    for templates in by_key.values():
        templates.sort(key=lambda t: _preference(t.forms[0], 0))
    return by_text, by_key


_BY_TEXT, _BY_KEY = _build()
_MNEMONICS = sorted({t.mnemonic for t in _BY_TEXT.values()} | {"DB"})


# --- the disassembler ------------------------------------------------------------------------


def _getter(code: bytes, pos: int) -> Callable[[int], int]:
    if not code:
        raise AlifeError("cannot disassemble an empty program (give at least one byte)")
    size = len(code)
    return lambda i: code[(pos + i) % size]


def instruction_length(code: bytes, pos: int = 0) -> int:
    """Bytes of the instruction at ``pos`` (its prefixes included), reading cyclically."""
    return len(_decode(_getter(bytes(code), pos))[1])


def disassemble_one(code: bytes, pos: int = 0) -> tuple[str, int]:
    """(text, length) of the instruction at ``pos``; operands past the end come from the start."""
    get = _getter(bytes(code), pos)
    template, form = _decode(get)
    text = _format(template, _values(get, form))
    if _BY_TEXT[template].forms[0] != form:
        text += " [" + " ".join(f"{get(i):02X}" for i in range(len(form))) + "]"
    return text, len(form)


def disassemble(code: bytes) -> str:
    """A whole program, instructions separated by "; ", the last one marked if it wraps."""
    return disassemble_program(code, disassemble_one)


# --- the assembler ---------------------------------------------------------------------------

_ALIASES = {("IN", ("F", "(C)")): ("IN", ("(C)",)), ("EX", ("AF", "AF")): ("EX", ("AF", "AF'")),
            ("JP", ("HL",)): ("JP", ("(HL)",)), ("JP", ("IX",)): ("JP", ("(IX)",)),
            ("JP", ("IY",)): ("JP", ("(IY)",))}
_MNEMONIC_ALIASES = {"DEFB": "DB", "SLS": "SLL", "SL1": "SLL"}


def _usage(t: _Template) -> str:
    """A template as a user would write it: "LD (IX+d),n", "JR $+e"."""
    return re.sub(r"\{(\w+)\}", lambda m: "+d" if m.group(1) == "d" else
                  ("$+e" if m.group(1) == "e" else m.group(1)), t.text)


def _no_form(mnemonic: str, shapes: tuple[str, ...]) -> str:
    """The message for a known mnemonic with operands it never takes: its nearest forms."""
    same = [t for (m, _), ts in _BY_KEY.items() if m == mnemonic for t in ts]
    close = [t for t in same if len(t.shapes) == len(shapes)
             and any(a == b for a, b in zip(t.shapes, shapes, strict=True))]
    pool = close or same
    forms = sorted({_usage(t) for t in pool})
    more = ", ..." if len(forms) > 8 else ""
    return f"{mnemonic} has no such form; accepted forms include: {', '.join(forms[:8])}{more}"


def _match(mnemonic: str, ops: list[str]) -> list[tuple[_Template, dict[str, int], list[str]]]:
    """Templates whose shape and fixed numbers fit: (template, slot values, slot tokens)."""
    if mnemonic not in _MNEMONICS:
        raise _Bad(f"unknown mnemonic {mnemonic!r}; accepted: {' '.join(_MNEMONICS)}")
    parsed = [_operand(op) for op in ops]
    shapes = tuple(shape for shape, _ in parsed)
    key = (mnemonic, shapes)
    if key in _ALIASES:  # operands without numbers
        key = _ALIASES[key]
        parsed, ops = [(shape, None) for shape in key[1]], list(key[1])
    if key[0] in ("SUB", "AND", "XOR", "OR", "CP") and len(shapes) == 2 and shapes[0] == "A":
        key, parsed, ops = (key[0], shapes[1:]), parsed[1:], ops[1:]
    elif key[0] in ("ADD", "ADC", "SBC") and len(shapes) == 1:
        key, parsed, ops = (key[0], ("A", *shapes)), [("A", None), *parsed], ["A", *ops]
    templates = _BY_KEY.get(key)
    if templates is None and any(s in ("(IX)", "(IY)") for s in key[1]):
        shapes2 = tuple(f"{s[:3]}+#)" if s in ("(IX)", "(IY)") else s for s in key[1])
        parsed = [(f"{s[:3]}+#)", 0) if s in ("(IX)", "(IY)") else (s, v) for s, v in parsed]
        key = (key[0], shapes2)
        templates = _BY_KEY.get(key)
    if templates is None:
        raise _Bad(_no_form(mnemonic, shapes))
    out = []
    for t in templates:
        values: dict[str, int] = {}
        tokens = []
        for (_, value), spec, tok in zip(parsed, t.specs, ops, strict=True):
            if isinstance(spec, str):
                assert value is not None
                values[spec] = value
                tokens.append(tok)
            elif spec >= 0 and value != spec:
                break
        else:
            out.append((t, values, tokens))
    if not out:
        fixed = sorted({_usage(t) for t in templates})
        raise _Bad(f"no such {mnemonic}; accepted: {', '.join(fixed)}")
    return out


def _check_range(form: Form, values: dict[str, int], tokens: list[str]) -> None:
    for (name, value), tok in zip(values.items(), tokens, strict=True):
        if name == "e":
            e = value - len(form)
            if not -128 <= e <= 127:
                lo, hi = len(form) - 128, len(form) + 127
                raise _Bad(f"relative target {tok} out of range ($-{-lo}..$+{hi})")
            continue
        lo, hi, accepted = _RANGES[name]
        if not lo <= value <= hi:
            raise _Bad(f"{tok} is out of range for {name} ({accepted})")


def _bracket_bytes(s: str) -> bytes:
    out = bytearray()
    for tok in s.replace(",", " ").split():
        t = tok.upper().removeprefix("$").removeprefix("0X")
        if not re.fullmatch(r"[0-9A-F]{1,2}", t):
            raise _Bad(f"bad byte {tok!r} in [{s}]; write hex bytes, as [DD 3E 05]")
        out.append(int(t, 16))
    if not out:
        raise _Bad("empty brackets; write the instruction's hex bytes, as [DD 3E 05]")
    return bytes(out)


def _normalised(values: dict[str, int]) -> dict[str, int]:
    return {k: v & 0xFF if k == "n" else v & 0xFFFF if k == "nn" else v for k, v in values.items()}


def _assemble_one(text: str) -> tuple[bytes, int | None]:
    """One instruction -> (bytes, bytes past the end it wraps by, None if not marked)."""
    wraps = None
    given: bytes | None = None
    while (m := re.search(r"\[([^\[\]]*)\]\s*$", text)) is not None:
        inside = m.group(1).strip()
        text = text[:m.start()].rstrip()
        w = re.fullmatch(r"(?i)wraps\s+(\d+)", inside)
        if w:
            wraps = int(w.group(1))
        else:
            given = _bracket_bytes(inside)
    if "[" in text or "]" in text:
        raise _Bad("stray bracket; brackets go after the instruction, as NOP [DD DD]")
    if not text:
        raise _Bad("no instruction before the brackets")
    mnemonic, ops = _split(text)
    mnemonic = _MNEMONIC_ALIASES.get(mnemonic, mnemonic)
    if mnemonic == "DB":
        out = bytearray()
        for op in ops:
            v = _number(op)
            if v is None or not -128 <= v <= 255:
                raise _Bad(f"DB takes bytes (0..255 or -128..-1, as $12,0x34,56h,7); got {op!r}")
            out.append(v & 0xFF)
        if not out:
            raise _Bad("DB needs at least one byte, as DB $12,$34")
        if given is not None and given != bytes(out):
            raise _Bad("the bracketed bytes differ from the DB bytes")
        return bytes(out), wraps
    matches = _match(mnemonic, ops)
    if given is None:
        t, values, tokens = matches[0]
        _check_range(t.forms[0], values, tokens)
        return _encode(t.forms[0], values), wraps
    template, form = _decode(lambda i: given[i % len(given)])
    if len(form) != len(given):
        raise _Bad(f"[{given.hex(' ').upper()}] is not one instruction: its first instruction "
                   f"has {len(form)} bytes")
    actual = _normalised(_values(lambda i: given[i], form))
    for t, values, _ in matches:
        if t.text == template and _normalised(values) == actual:
            return given, wraps
    shown = _format(template, _values(lambda i: given[i], form))
    raise _Bad(f"the bytes [{given.hex(' ').upper()}] are {shown!r}, not {text!r}")


def assemble(text: str) -> bytes:
    """Z80 text -> bytes: instructions separated by ";" or newlines (see the module docstring)."""
    pieces = [p.strip() for p in re.split(r"[;\n]", text)]
    pieces = [p for p in pieces if p]
    out = bytearray()
    for k, piece in enumerate(pieces):
        try:
            code, wraps = _assemble_one(piece)
            if wraps is not None:
                if k != len(pieces) - 1:
                    raise _Bad("only the last instruction can wrap")
                if not 0 < wraps < len(code):
                    raise _Bad(f"it has {len(code)} bytes, so it cannot wrap by {wraps}")
                program = out + code[:len(code) - wraps]
                tail = code[len(code) - wraps:]
                head = bytes(program[i % len(program)] for i in range(wraps))
                if tail != head:
                    raise _Bad(f"its wrapped bytes {tail.hex(' ').upper()} differ from the "
                               f"program's first bytes {head.hex(' ').upper()}")
                code = code[:len(code) - wraps]
        except _Bad as exc:
            raise AlifeError(f"cannot assemble {piece!r}: {exc}") from None
        out += code
    return bytes(out)
