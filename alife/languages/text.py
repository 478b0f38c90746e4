"""Text form of soup programs (languages.md, "Text form of programs").

Each family declares its own (BFF: one character per byte, in :mod:`alife.languages.bff`); the
hex form here, two hex digits per byte with whitespace ignored, serves the families whose bytes
have no characters (Forth, SUBLEQ). :func:`parse` and :func:`disassemble` look the language up.
"""

from __future__ import annotations

import numpy as np

from alife.errors import AlifeError


def hex_disassemble(language: str, program: bytes) -> str:
    """Bytes -> two upper-case hex digits per byte."""
    return bytes(program).hex().upper()


def hex_parse(language: str, text: str) -> bytes:
    """Hex text -> bytes (whitespace ignored); anything else is one :class:`AlifeError`."""
    digits = []
    for i, c in enumerate(text):
        if c.isspace():
            continue
        if c not in "0123456789abcdefABCDEF":
            raise AlifeError(f"invalid {language} program: character {c!r} at position {i} "
                             "is not a hex digit (write two hex digits per byte)")
        digits.append(c)
    if len(digits) % 2:
        raise AlifeError(f"invalid {language} program: odd number of hex digits "
                         f"({len(digits)}); write two hex digits per byte")
    return bytes.fromhex("".join(digits))


def disassemble_program(code: bytes, one) -> str:
    """A whole program by ``one(code, pos) -> (text, length)``, instructions separated by
    "; ", the last one marked ``[wraps N]`` if it runs past the end (machine code)."""
    code = bytes(code)
    out, pos = [], 0
    while pos < len(code):
        text, n = one(code, pos)
        if pos + n > len(code):
            text += f" [wraps {pos + n - len(code)}]"
        out.append(text)
        pos += n
    return "; ".join(out)


def is_hex_language(language: str) -> bool:
    """True for languages whose text form is hex."""
    from alife.languages.registry import get

    return get(language).family.hex_text


def disassemble(language: str, program: bytes | np.ndarray) -> str:
    """Bytes -> text in the language's syntax."""
    from alife.languages.registry import get

    return get(language).disassemble(program)


def parse(language: str, text: str) -> bytes:
    """Text in the language's syntax -> bytes; bad text raises :class:`AlifeError`."""
    from alife.languages.registry import get

    return get(language).parse(text)
