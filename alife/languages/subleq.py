"""The SUBLEQ family of soup languages (Agüera y Arcas et al. 2024, "Computational Life", sec. 4).

``subleq``: absolute three-operand subtract-and-branch-if-<=0; ``rsubleq4``: relative four-operand
form. Every step counts as an op.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.family import Family, Role
from alife.languages.registry import register_family
from alife.languages.subleq_twin import run_subleq_py
from alife.languages.text import hex_disassemble, hex_parse

#: The family's languages, in variant order.
LANGUAGES = ("subleq", "rsubleq4")


@njit(inline="always", cache=True, nogil=True)
def interpret(tape: np.ndarray, limit: int, variant: int, scratch: np.ndarray, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """The family's entry point (:mod:`alife.languages.family`): ``subleq`` (variant 0) or
    ``rsubleq4`` (1) on ``tape``; ``scratch``, ``stack`` and ``stack_src`` are unused."""
    if variant == 0:
        return run_subleq(tape, limit)
    return run_rsubleq4(tape, limit, src, traced)


@njit(cache=True, nogil=True)
def run_subleq(tape: np.ndarray, limit: int) -> int:
    """Run a ``subleq`` tape (uint8[T], T a power of two, in place) for at most ``limit``
    steps; return ops. Addresses wrap modulo T.

    Its only write is ``A -= B`` in place, so every byte keeps its provenance (tracer tokens).
    """
    size = tape.shape[0]
    wrap = size - 1
    pc = 0
    steps = 0
    while steps < limit:
        a = tape[pc] & wrap
        b = tape[pc + 1] & wrap
        v = np.uint8(tape[a] - tape[b])
        tape[a] = v
        steps += 1
        if v == 0 or v >= 128:
            pc = np.int64(tape[pc + 2])
        else:
            pc += 3
        if pc + 3 > size or pc < 0:
            break
    return steps


@njit(cache=True, nogil=True)
def run_rsubleq4(tape: np.ndarray, limit: int, src: np.ndarray, traced: bool) -> int:
    """Run an ``rsubleq4`` tape (uint8[T], T a power of two, in place) for at most ``limit``
    steps; return ops. Addresses wrap modulo T.

    When ``traced``, ``A = B - C`` gives A the provenance ``src`` of B (tracer tokens).
    """
    size = tape.shape[0]
    wrap = size - 1
    pc = 0
    steps = 0
    while steps < limit:
        a = (pc + tape[pc]) & wrap
        b = (pc + tape[pc + 1]) & wrap
        c = (pc + tape[pc + 2]) & wrap
        v = np.uint8(tape[b] - tape[c])
        tape[a] = v
        if traced:
            src[a] = src[b]
        steps += 1
        if v == 0 or v >= 128:
            d = np.int64(tape[pc + 3])
            pc += d - 256 if d >= 128 else d
        else:
            pc += 4
        if pc + 4 > size or pc < 0:
            break
    return steps


# --- roles and the declaration ----------------------------------------------------------------


def instructions(language: str) -> np.ndarray:
    """bool[256]: every byte, since all of a program is operands."""
    return np.ones(256, dtype=np.bool_)


def roles(language: str) -> np.ndarray:
    """uint8[256]: every byte is an address or offset (its value is its meaning)."""
    return np.full(256, Role.VALUE, dtype=np.uint8)


def legend(language: str) -> list[tuple[Role, str]]:
    """(role, label) of the colours ``language``'s bytes take: byte 0, then the value shades."""
    return [(Role.ZERO, "byte 0"), (Role.VALUE, "bytes 1-255 (grey: lighter = larger value)")]


def explain(language: str, byte: int) -> str:
    """What the byte at the program counter means (the viewer's trace panel)."""
    return f"next byte {byte:02X}"


FAMILY = register_family(Family(
    name="subleq", languages=LANGUAGES, interpret=interpret, twin=run_subleq_py,
    parse=hex_parse, disassemble=hex_disassemble, instructions=instructions, roles=roles,
    legend=legend, explain=explain, stack_bytes=1, hex_text=True,
    reference="cubff",
    description="subtract and branch if <= 0, absolute or relative (sec. 4)"))
