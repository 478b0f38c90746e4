"""A language family that exists only for the tests: everything a family declares, in one file.

Importing this module registers the family ``toy`` with two languages; nothing else in the
toolkit names it. Load it with ``ALIFE_PLUGINS=tests/languages/toy_family.py`` (the ``alife``
command, sweeps' worker processes) or ``alife.languages.load_plugins(path)``.

The machine: one head ``h`` (starting at 0) and a program counter on a tape of T bytes. Byte b
does ``b & 3``: 0 nothing (a no-op, not counted), 1 ``>`` moves the head right (mod T), 2 ``.``
copies across the halves (``toy``: tape[h + T/2] = tape[h]; ``toy_back``: the other way), 3
``<`` jumps back ``((b >> 2) & 7) + 1`` bytes. A run ends when the program counter leaves the
tape or after ``limit`` steps. ``>.`` repeated is a copier.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages import Family, Role, register_family
from alife.languages.text import hex_disassemble, hex_parse

LANGUAGES = ("toy", "toy_back")


@njit(inline="always", cache=True, nogil=True)
def interpret(tape: np.ndarray, limit: int, variant: int, scratch: np.ndarray, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """Run a toy tape (uint8[T], in place) for at most ``limit`` steps; return ops."""
    size = tape.shape[0]
    wrap = size - 1
    half = size >> 1
    h = 0
    pc = 0
    ops = 0
    for _ in range(limit):
        b = tape[pc]
        k = b & 3
        if k != 0:
            ops += 1
        if k == 1:
            h = (h + 1) & wrap
        elif k == 2:
            there = (h + half) & wrap
            dst, origin = (there, h) if variant == 0 else (h, there)
            tape[dst] = tape[origin]
            if traced:
                src[dst] = src[origin]
        elif k == 3:
            pc -= ((b >> 2) & 7) + 2  # the pc += 1 below lands on the target
        pc += 1
        if pc < 0 or pc >= size:
            break
    scratch[0] += 1  # the declared scratch is really there
    return ops


def twin(language: str, tape: bytearray, limit: int, src: list, on_step) -> int:
    """The same machine, literally, in Python."""
    size = len(tape)
    h = pc = ops = 0
    for _ in range(limit):
        if on_step is not None:
            on_step(pc, h, -1)
        b = tape[pc]
        if b % 4:
            ops += 1
        if b % 4 == 1:
            h = (h + 1) % size
        elif b % 4 == 2:
            there = (h + size // 2) % size
            dst, origin = (there, h) if language == "toy" else (h, there)
            tape[dst] = tape[origin]
            src[dst] = src[origin]
        elif b % 4 == 3:
            pc = pc - ((b // 4) % 8 + 1) - 1
        pc += 1
        if not 0 <= pc < size:
            break
    return ops


def instructions(language: str) -> np.ndarray:
    """bool[256]: every byte but the no-ops."""
    return (np.arange(256) & 3) != 0


def roles(language: str) -> np.ndarray:
    """uint8[256]: jumps control, copies write, head moves move."""
    kinds = np.arange(256) & 3
    return np.choose(kinds, [Role.OTHER, Role.MOVE, Role.WRITE, Role.CONTROL]).astype(np.uint8)


def legend(language: str) -> list[tuple[Role, str]]:
    """Byte 0, then one label per role."""
    return [(Role.ZERO, "byte 0 (no-op)"), (Role.MOVE, "head move"), (Role.WRITE, "copy"),
            (Role.CONTROL, "jump back"), (Role.OTHER, "no-op")]


def explain(language: str, byte: int) -> str:
    """What the byte does."""
    return ["no-op", "head += 1", "copy across the halves", "jump back"][byte & 3]


FAMILY = register_family(Family(
    name="toy", languages=LANGUAGES, interpret=interpret, twin=twin, parse=hex_parse,
    disassemble=hex_disassemble, instructions=instructions, roles=roles, legend=legend,
    explain=explain, scratch_ints=lambda tape_size: 1, hex_text=True,
    description="a test-only copier machine"))
