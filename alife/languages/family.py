"""What a language family declares to plug into the toolkit (one module per family).

A family is a set of languages that share one numba interpreter, told apart by a variant index.
Its module builds one :class:`Family` and passes it to
:func:`alife.languages.registry.register_family`; everything else (the soup kernel, the pure
twins, text forms, diversity keys, soup images, the viewer's trace panel) reads the
declaration, so a new family needs no edit anywhere else.

The interpreter contract (languages.md): ``interpret(tape, limit, variant, scratch, stack, src,
stack_src, traced) -> ops`` runs ``tape`` (uint8[2 * program_size], in place) for at most
``limit`` steps and returns the ops executed. ``scratch`` (int64[scratch_ints(len(tape))])
and ``stack`` (uint8[stack_bytes]) are work arrays reused across calls; when ``traced``,
``src`` (uint16[len(tape)]) is each byte's provenance and moves with the data, with
:data:`CREATED` for bytes made from nothing (tracer tokens, Agüera y Arcas et al. 2024). The
interpreter must be ``@njit(inline="always")`` so that the untraced path compiles without its
provenance branches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from alife.shapes import MAX_PROGRAM_SIZE, MIN_PROGRAM_SIZE, PROGRAM_SIZE

#: Provenance of a byte the interpreter made from nothing (an empty-stack pop, a reset).
CREATED = 0xFFFF

#: ``on_step(pc, head0, head1)``: called by a twin before each step with the interpreter's
#: state (the tape as it is then); languages without heads pass -1 for both.
StepHook = Callable[[int, int, int], None]

#: ``twin(language, tape, limit, src, on_step) -> ops``: the slow, obviously-correct
#: pure-Python interpreter, running ``tape`` (bytearray) in place; ``src`` (list of int) moves
#: with the data as in the numba interpreter.
Twin = Callable[[str, bytearray, int, list, "StepHook | None"], int]


class Role(IntEnum):
    """What a byte does, for pictures of soups (the viewer and soup images colour by role)."""

    OTHER = 0  # no-op or plain data (grey)
    CONTROL = 1  # loops, jumps, branches (green)
    WRITE = 2  # tape edits, reads, writes and copies (magenta)
    MOVE = 3  # head moves, stack and arithmetic (light purple)
    VALUE = 4  # operand bytes whose value is their meaning (grey shaded by value)
    ZERO = 5  # byte 0, red in every language: where a soup is blank or was cleared


def power_of_two_sizes() -> tuple[int, ...]:
    """Program sizes 8, 16, ..., 256: heads and addresses wrap with a bit mask, as in cubff."""
    sizes = []
    s = MIN_PROGRAM_SIZE
    while s <= MAX_PROGRAM_SIZE:
        sizes.append(s)
        s *= 2
    return tuple(sizes)


@dataclass(frozen=True)
class Family:
    """One language family's declaration: everything the toolkit needs to run and show it."""

    name: str  # e.g. "bff"
    languages: tuple[str, ...]  # language names, in variant order
    interpret: Any  # numba dispatcher with the interpreter contract (module docstring)
    twin: Twin
    parse: Callable[[str, str], bytes]  # (language, text) -> bytes
    disassemble: Callable[[str, bytes], str]  # (language, bytes) -> text
    instructions: Callable[[str], np.ndarray]  # language -> bool[256]: instruction bytes
    roles: Callable[[str], np.ndarray]  # language -> uint8[256] of Role
    legend: Callable[[str], list[tuple[Role, str]]]  # language -> (role, label) for figures
    explain: Callable[[str, int], str]  # (language, byte) -> what it does (viewer)
    # tape length -> int64 scratch the interpreter needs (default: one int, none used)
    scratch_ints: Callable[[int], int] = field(default=lambda tape_size: 1)
    stack_bytes: int = 1  # uint8 stack the interpreter needs
    program_size: int = PROGRAM_SIZE  # default bytes per program
    program_sizes: tuple[int, ...] = field(default_factory=power_of_two_sizes)
    hex_text: bool = False  # the text form writes two hex digits per byte
    traces: bool = True  # the interpreter moves provenance with the data (tracer tokens)
    # language -> uint8[256, 3] RGB of every byte, where the family has its own scheme (zff's
    # Z80 colours); None: colours by role (alife.viz.palette)
    colours: Callable[[str], np.ndarray] | None = None
    reference: str = ""  # the implementation its bytes match ("cubff" for the paper's 13)
    description: str = ""  # one line for `alife languages`

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError(f"family {self.name!r} declares no languages")
        if self.program_size not in self.program_sizes:
            raise ValueError(f"family {self.name!r}: default program size {self.program_size} "
                             f"is not among its sizes {self.program_sizes}")


__all__ = ["CREATED", "Family", "Role", "StepHook", "Twin", "power_of_two_sizes"]
