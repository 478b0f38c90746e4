"""Text form of soup programs (languages.md, "Text form of programs").

BFF languages: each command as its character (``< > { } + - . , [ ]``), the loop-zero byte as
``0``, every other byte ``b`` as the single character U+0100+b (the reference's scheme). Where
several bytes share a command (``bff_noheads_4bit``), the character stands for the byte the
reference's parser produces (the largest such byte) and the others print as U+0100+b, so
``parse(disassemble(p)) == p`` for every program. Forth and SUBLEQ: two hex digits per byte.
Whitespace between tokens is ignored when parsing.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from alife.errors import AlifeError
from alife.languages.bff import BFF_VARIANTS, KIND_CHARS, NOOP

_PRIVATE_BASE = 0x100


@cache
def _bff_maps(language: str) -> tuple[tuple[str, ...], dict[str, int]]:
    ops, zero, _, _ = BFF_VARIANTS[language]
    to_byte: dict[str, int] = {}
    for b in range(256):
        kind = int(ops[b])
        if kind != NOOP:
            to_byte[KIND_CHARS[kind]] = b  # last (largest) byte wins, as in the reference
        elif zero[b]:
            to_byte["0"] = b
    canonical = {b: c for c, b in to_byte.items()}
    chars = tuple(canonical.get(b, chr(_PRIVATE_BASE + b)) for b in range(256))
    for b in range(256):
        to_byte[chr(_PRIVATE_BASE + b)] = b
    return chars, to_byte


def is_hex_language(language: str) -> bool:
    """True for languages written as hex (Forth and SUBLEQ families)."""
    return not language.startswith("bff")


def disassemble(language: str, program: bytes | np.ndarray) -> str:
    """Bytes -> text in the language's syntax."""
    data = bytes(np.asarray(program, dtype=np.uint8).tobytes()
                 if isinstance(program, np.ndarray) else program)
    if is_hex_language(language):
        return data.hex().upper()
    chars, _ = _bff_maps(language)
    return "".join(chars[b] for b in data)


def parse(language: str, text: str) -> bytes:
    """Text in the language's syntax -> bytes; an unknown character raises :class:`AlifeError`."""
    body = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    if is_hex_language(language):
        digits = "".join(c for _, c in body)
        for i, c in body:
            if c not in "0123456789abcdefABCDEF":
                raise AlifeError(f"invalid {language} program: character {c!r} at position {i} "
                                 "is not a hex digit (write two hex digits per byte)")
        if len(digits) % 2:
            raise AlifeError(f"invalid {language} program: odd number of hex digits "
                             f"({len(digits)}); write two hex digits per byte")
        return bytes.fromhex(digits)
    _, to_byte = _bff_maps(language)
    out = bytearray()
    for i, c in body:
        b = to_byte.get(c)
        if b is None:
            allowed = "".join(sorted(k for k in to_byte if ord(k) < _PRIVATE_BASE))
            raise AlifeError(
                f"invalid {language} program: character {c!r} at position {i} is not part of "
                f"the language (accepted: {allowed!r}, and U+0100+b for any other byte b)")
        out.append(b)
    return bytes(out)
