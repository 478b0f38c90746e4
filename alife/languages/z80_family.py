"""The ``z80`` language family: Z80 machine code on a tape that mirrors every address (Agüera
y Arcas et al. 2024, "Computational Life", sec. 4 and Fig. 12; shared/spec/z80.md).

Each interaction resets the CPU (zff's ``z80_init``) and runs the tape for at most the step
limit, stopping after a HALT; ops are the steps run. The state array lives in the
interpreter's int64 scratch. Tracer tokens follow the data through the registers
(:mod:`alife.languages.z80_provenance`; the twin's pass is
:mod:`alife.languages.cpu_provenance_twin`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.cpu_provenance_twin import z80_slots, z80_track
from alife.languages.family import Family, Role
from alife.languages.registry import register_family
from alife.languages.z80 import run_z80
from alife.languages.z80_provenance import TRACED_STATE_INTS, run_z80_traced
from alife.languages.z80_text import assemble, disassemble, disassemble_one
from alife.languages.z80_twin import Z80Twin

#: The family's one language.
LANGUAGES = ("z80",)
#: Default bytes per program: zff's 16-byte cells, two to a 32-byte tape.
PROGRAM_SIZE = 16


@njit(inline="always", cache=True, nogil=True)
def interpret(tape: np.ndarray, limit: int, variant: int, scratch: np.ndarray, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """The family's entry point (:mod:`alife.languages.family`): a reset Z80 runs ``tape`` for
    at most ``limit`` steps; ``scratch`` holds its state (and, ``traced``, the registers'
    provenance), ``src`` the tape's provenance; the stacks are unused."""
    if traced:
        return run_z80_traced(tape, limit, scratch, src)
    return run_z80(tape, limit, scratch)


def stepping_twin(cpu_class, new_slots, track):
    """A family twin from a CPU twin class and a provenance twin: before each step,
    ``on_step(pc, -1, -1)`` (the viewer's trace) and ``track`` moves ``src``."""

    def twin(language: str, tape: bytearray, limit: int, src: list, on_step) -> int:
        cpu = cpu_class(tape)
        slots = new_slots()
        ops = 0
        while ops < limit and not cpu.halted:
            if on_step is not None:
                on_step(cpu.pc & (len(tape) - 1), -1, -1)
            track(cpu, src, slots)
            cpu.step()
            ops += 1
        return ops

    return twin


_twin = stepping_twin(Z80Twin, z80_slots, z80_track)


def _roles_table() -> np.ndarray:
    """Each opcode's role (its first byte): pictures of Z80 soups."""
    roles = np.full(256, Role.MOVE, dtype=np.uint8)
    control = {0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x76, 0xC3, 0xC9, 0xCD, 0xE9}
    control |= {0xC2 + 8 * k for k in range(8)} | {0xC4 + 8 * k for k in range(8)}
    control |= {0xC0 + 8 * k for k in range(8)} | {0xC7 + 8 * k for k in range(8)}
    write = {0x02, 0x12, 0x22, 0x32, 0x36, 0xC5, 0xD5, 0xE5, 0xF5, 0xE3, 0xED}
    write |= {0x70 + k for k in range(8) if k != 6}
    other = {0xCB, 0xDD, 0xFD, 0xD3, 0xDB, 0xF3, 0xFB, 0x08, 0xD9, 0xEB}
    for op in control:
        roles[op] = Role.CONTROL
    for op in write:
        roles[op] = Role.WRITE
    for op in other:
        roles[op] = Role.OTHER
    roles[0] = Role.ZERO
    return roles


_ROLES = _roles_table()
_ALL = np.ones(256, dtype=bool)


def instructions(language: str) -> np.ndarray:
    """Every byte value opens an instruction."""
    return _ALL.copy()


def roles(language: str) -> np.ndarray:
    """uint8[256] of :class:`Role` by opcode."""
    return _ROLES.copy()


def legend(language: str) -> list[tuple[Role, str]]:
    """Figure legend."""
    return [(Role.CONTROL, "JR JP CALL RET RST DJNZ HALT"),
            (Role.WRITE, "stores, PUSH, EX (SP),HL, ED (LDIR/LDDR)"),
            (Role.MOVE, "loads, arithmetic"), (Role.OTHER, "prefixes, I/O, exchanges"),
            (Role.ZERO, "00 (NOP)")]


#: zff's colours (its js/main.js): byte -> RGB where it differs from grey 64 + b/8.
ZFF_COLOURS = {0x00: (0, 0, 0), 0x01: (250, 100, 100), 0x11: (100, 250, 100),
               0x21: (100, 100, 250), 0x2A: (255, 255, 255), 0xC5: (240, 200, 200),
               0xD5: (240, 240, 200), 0xE5: (240, 200, 240), 0xED: (240, 50, 50),
               0xB0: (240, 60, 60), 0xB8: (240, 70, 70), 0xE3: (200, 240, 50),
               0xD8: (100, 100, 50), 0xC9: (100, 100, 50)}


def zff_colours(skip: tuple[int, ...] = ()) -> np.ndarray:
    """uint8[256, 3]: zff's colour of every byte (``skip``: bytes left grey)."""
    out = np.empty((256, 3), dtype=np.uint8)
    out[:] = (64 + np.arange(256) // 8)[:, None]
    for byte, rgb in ZFF_COLOURS.items():
        if byte not in skip:
            out[byte] = rgb
    return out


def explain(language: str, byte: int) -> str:
    """The instruction ``byte`` opens (zero operands)."""
    if byte == 0xED:
        return "ED: prefix (ED B0 = LDIR, ED B8 = LDDR)"
    text, _ = disassemble_one(bytes([byte, 0, 0, 0]))
    after_ed = {0xB0: " (LDIR after ED)", 0xB8: " (LDDR after ED)"}.get(byte, "")
    return f"{byte:02X}: {text}{after_ed}"


FAMILY = register_family(Family(
    name="z80", languages=LANGUAGES, interpret=interpret, twin=_twin,
    parse=lambda language, text: assemble(text),
    disassemble=lambda language, program: disassemble(program),
    instructions=instructions, roles=roles, legend=legend, explain=explain,
    scratch_ints=lambda tape_size: TRACED_STATE_INTS, program_size=PROGRAM_SIZE,
    colours=lambda language: zff_colours(),
    description="Z80 machine code, zff's CPU (sec. 4, Fig. 12)"))
