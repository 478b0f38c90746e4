"""The ``i8080`` language family: Intel 8080 machine code on a tape that mirrors every address
(Agüera y Arcas et al. 2024, sec. 4: the 8080 gives replicators too; shared/spec/z80.md, our
proposed 8080 soup on superzazu/8080).

Each interaction resets the CPU (``i8080_init``: everything 0) and runs the tape for at most
the step limit, stopping after a HLT. Programs are written in Intel's mnemonics
(:mod:`alife.languages.i8080_text`).
Tracer tokens follow the data through the registers (:mod:`alife.languages.i8080_provenance`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.cpu_provenance_twin import i8080_slots, i8080_track
from alife.languages.family import Family, Role
from alife.languages.i8080 import run_i8080
from alife.languages.i8080_provenance import TRACED_STATE_INTS, run_i8080_traced
from alife.languages.i8080_text import assemble, disassemble, disassemble_one
from alife.languages.i8080_twin import I8080Twin
from alife.languages.registry import register_family
from alife.languages.z80_family import stepping_twin, zff_colours

#: The family's one language.
LANGUAGES = ("i8080",)
PROGRAM_SIZE = 16


@njit(inline="always", cache=True, nogil=True)
def interpret(tape: np.ndarray, limit: int, variant: int, scratch: np.ndarray, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """The family's entry point: a reset 8080 runs ``tape`` for at most ``limit`` steps;
    ``scratch`` holds its state (and, ``traced``, the registers' provenance)."""
    if traced:
        return run_i8080_traced(tape, limit, scratch, src)
    return run_i8080(tape, limit, scratch)


_twin = stepping_twin(I8080Twin, i8080_slots, i8080_track)


def _roles_table() -> np.ndarray:
    roles = np.full(256, Role.MOVE, dtype=np.uint8)
    control = {0x76, 0xC3, 0xCB, 0xC9, 0xD9, 0xCD, 0xDD, 0xED, 0xFD, 0xE9}
    control |= {0xC2 + 8 * k for k in range(8)} | {0xC4 + 8 * k for k in range(8)}
    control |= {0xC0 + 8 * k for k in range(8)} | {0xC7 + 8 * k for k in range(8)}
    write = {0x02, 0x12, 0x22, 0x32, 0x36, 0xC5, 0xD5, 0xE5, 0xF5, 0xE3}
    write |= {0x70 + k for k in range(8) if k != 6}
    other = {0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0xD3, 0xDB, 0xF3, 0xFB, 0xEB}
    for op in control:
        roles[op] = Role.CONTROL
    for op in write:
        roles[op] = Role.WRITE
    for op in other:
        roles[op] = Role.OTHER
    roles[0] = Role.ZERO
    return roles


_ROLES = _roles_table()


def instructions(language: str) -> np.ndarray:
    """Every byte value opens an instruction."""
    return np.ones(256, dtype=bool)


def roles(language: str) -> np.ndarray:
    """uint8[256] of :class:`Role` by opcode."""
    return _ROLES.copy()


def legend(language: str) -> list[tuple[Role, str]]:
    """Figure legend."""
    return [(Role.CONTROL, "JMP CALL RET RST PCHL HLT"),
            (Role.WRITE, "stores, PUSH, XTHL"), (Role.MOVE, "loads, arithmetic"),
            (Role.OTHER, "NOP aliases, I/O, XCHG"), (Role.ZERO, "00 (NOP)")]


def explain(language: str, byte: int) -> str:
    """The instruction ``byte`` opens (zero operands)."""
    return f"{byte:02X}: {disassemble_one(bytes([byte, 0, 0]))[0]}"


FAMILY = register_family(Family(
    name="i8080", languages=LANGUAGES, interpret=interpret, twin=_twin,
    parse=lambda language, text: assemble(text),
    disassemble=lambda language, program: disassemble(program), instructions=instructions,
    roles=roles, legend=legend, explain=explain, scratch_ints=lambda tape_size: TRACED_STATE_INTS,
    program_size=PROGRAM_SIZE,
    # zff's colours where the opcode means the same (not ED/B0/B8: CALL, ORA B, CMP B here)
    colours=lambda language: zff_colours(skip=(0xED, 0xB0, 0xB8)),
    description="Intel 8080 machine code, superzazu/8080's CPU (sec. 4)"))
