"""The Forth family of soup languages (Agüera y Arcas et al. 2024, "Computational Life", sec. 4).

A byte stack of capacity 128; opcodes 0x00-0x0B (and the variants' extras) act on it, 0x40-0x7F
push a constant, 0x80-0xFF jump relative to the jump byte. One table-driven numba interpreter
serves ``forth``, ``forthcopy``, ``forthtrivial`` and ``forthtrivial_reset``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.family import CREATED, Family, Role
from alife.languages.forth_twin import run_forth_py
from alife.languages.registry import register_family
from alife.languages.text import hex_disassemble, hex_parse
from alife.rng import H

STACK = 128

# Op kinds (0 is the no-op).
(NOOP, READ0, READ1, WRITE0, WRITE1, READ, WRITE, COPY, XOR, DUP, DROP, SWAP, IF0, INC, DEC,
 ADD, SUB, COPY0, COPY1, CONST, JUMP) = range(21)

#: Mnemonic of each op kind, for the disassembly listing.
KIND_NAMES = {NOOP: "nop", READ0: "read0", READ1: "read1", WRITE0: "write0", WRITE1: "write1",
              READ: "read", WRITE: "write", COPY: "copy", XOR: "xor64", DUP: "dup",
              DROP: "drop", SWAP: "swap", IF0: "if0", INC: "inc", DEC: "dec", ADD: "add",
              SUB: "sub", COPY0: "copy0", COPY1: "copy1", CONST: "push", JUMP: "jmp"}

_COMMON = {4: DUP, 5: DROP, 6: SWAP, 7: IF0, 8: INC, 9: DEC, 10: ADD, 11: SUB}


def _table(low: dict[int, int]) -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    for b, k in {**_COMMON, **low}.items():
        table[b] = k
    table[0x40:0x80] = CONST
    table[0x80:] = JUMP
    return table


#: name -> (op table, reset rule)
FORTH_VARIANTS: dict[str, tuple[np.ndarray, bool]] = {
    "forth": (_table({0: READ0, 1: READ1, 2: WRITE0, 3: WRITE1}), False),
    "forthcopy": (_table({0: READ, 1: WRITE, 2: COPY, 3: XOR}), False),
    "forthtrivial": (_table({0: READ0, 1: READ1, 2: WRITE0, 3: WRITE1, 12: COPY0, 13: COPY1}),
                     False),
    "forthtrivial_reset": (
        _table({0: READ0, 1: READ1, 2: WRITE0, 3: WRITE1, 12: COPY0, 13: COPY1}), True),
}
#: The family's languages, in variant order.
LANGUAGES = tuple(FORTH_VARIANTS)
_OPS = np.stack([FORTH_VARIANTS[n][0] for n in LANGUAGES])
_RESET = np.array([FORTH_VARIANTS[n][1] for n in LANGUAGES])

RESET_MARK = 0x13




@njit(cache=True, nogil=True)
def _reset_first_half(tape: np.ndarray, pc: int, src: np.ndarray, traced: bool) -> None:
    """forthtrivial_reset: overwrite the first half with a hash of the whole tape and pc."""
    half = tape.shape[0] >> 1
    s = np.uint64(0)
    for i in range(tape.shape[0]):
        s = H(s ^ np.uint64(tape[i]))
    base = s * np.uint64(4096) + np.uint64(pc * half)
    for j in range(half):
        tape[j] = np.uint8(H(base + np.uint64(j)) & np.uint64(255))
        if traced:
            src[j] = CREATED


@njit(inline="always", cache=True, nogil=True)
def interpret(tape: np.ndarray, limit: int, variant: int, scratch: np.ndarray, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """The family's entry point (:mod:`alife.languages.family`): variant ``variant`` of
    :data:`LANGUAGES` on ``tape``; ``scratch`` is unused."""
    return run_forth(tape, limit, _OPS[variant], _RESET[variant], stack, src, stack_src, traced)


@njit(cache=True, nogil=True)
def run_forth(tape: np.ndarray, limit: int, ops: np.ndarray, reset: bool, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """Run a Forth-family tape (uint8[T], T a power of two, in place) for at most ``limit``
    steps; return ops. Addresses wrap modulo the half (``read0`` ...) or the tape.

    ``stack`` is a uint8[STACK] work array (contents irrelevant on entry). When ``traced``, the
    provenance ``src`` (uint16[T]) travels with values through the stack (``stack_src``):
    reads and writes carry it, arithmetic keeps the top operand's, a pushed constant takes its
    instruction byte's, and bytes made from nothing get :data:`CREATED`.
    """
    size = tape.shape[0]
    half = size >> 1
    hmask = half - 1
    tmask = size - 1
    sp = 0
    pc = 0
    steps = 0
    noops = 0
    overflow = False
    while steps < limit:
        b = tape[pc]
        k = ops[b]
        steps += 1
        if k == NOOP:
            noops += 1
        elif k == CONST:
            if sp == STACK:
                overflow = True
            else:
                stack[sp] = b & 63
                if traced:
                    stack_src[sp] = src[pc]
                sp += 1
        elif k == JUMP:
            d = (b & 63) + 1
            pc += -d if (b & 64) else d
            pc -= 1  # cancels the pc += 1 below: the jump target runs next
        else:
            # Every other op starts by popping (DUP, IF0, ... pop then push back).
            a = np.uint8(0)
            a_src = np.uint16(CREATED)
            if sp > 0:
                sp -= 1
                a = stack[sp]
                if traced:
                    a_src = stack_src[sp]
            push = -1  # value to push (-1: none)
            push2 = -1
            push_src = a_src
            push2_src = a_src
            if k == READ0:
                push = tape[a & hmask]
                push_src = src[a & hmask]
            elif k == READ1:
                push = tape[half + (a & hmask)]
                push_src = src[half + (a & hmask)]
            elif k == READ:
                push = tape[a & tmask]
                push_src = src[a & tmask]
            elif k == WRITE0 or k == WRITE1 or k == WRITE or k == COPY:
                c = np.uint8(0)
                c_src = np.uint16(CREATED)
                if sp > 0:
                    sp -= 1
                    c = stack[sp]
                    if traced:
                        c_src = stack_src[sp]
                if k == WRITE0:
                    tape[c & hmask] = a
                    if traced:
                        src[c & hmask] = a_src
                elif k == WRITE:
                    tape[c & tmask] = a
                    if traced:
                        src[c & tmask] = a_src
                elif k == COPY:
                    tape[a & tmask] = tape[c & tmask]
                    if traced:
                        src[a & tmask] = src[c & tmask]
                else:
                    dst = half + (c & hmask)
                    if reset and tape[dst] == RESET_MARK:
                        _reset_first_half(tape, pc, src, traced)
                    else:
                        tape[dst] = a
                        if traced:
                            src[dst] = a_src
            elif k == COPY0:
                dst = half + (a & hmask)
                if reset and tape[dst] == RESET_MARK:
                    _reset_first_half(tape, pc, src, traced)
                else:
                    tape[dst] = tape[a & hmask]
                    if traced:
                        src[dst] = src[a & hmask]
            elif k == COPY1:
                tape[a & hmask] = tape[half + (a & hmask)]
                if traced:
                    src[a & hmask] = src[half + (a & hmask)]
            elif k == XOR:
                push = a ^ 64
            elif k == DUP:
                push = a
                push2 = a
            elif k == DROP:
                pass
            elif k == SWAP:
                c = np.uint8(0)
                c_src = np.uint16(CREATED)
                if sp > 0:
                    sp -= 1
                    c = stack[sp]
                    if traced:
                        c_src = stack_src[sp]
                push = a
                push2 = c
                push2_src = c_src
            elif k == IF0:
                if a != 0:
                    pc += 1
                push = a
            elif k == INC:
                push = (a + 1) & 255
            elif k == DEC:
                push = (a - 1) & 255
            elif k == ADD or k == SUB:
                if sp > 0:
                    sp -= 1
                    c = stack[sp]
                else:
                    c = np.uint8(0)
                push = ((a + c) if k == ADD else (a - c)) & 255
            if push >= 0:
                if sp == STACK:
                    overflow = True
                else:
                    stack[sp] = push
                    if traced:
                        stack_src[sp] = push_src
                    sp += 1
            if push2 >= 0:
                if sp == STACK:
                    overflow = True
                else:
                    stack[sp] = push2
                    if traced:
                        stack_src[sp] = push2_src
                    sp += 1
        pc += 1
        if pc >= size or pc < 0 or overflow:
            break
    return steps - noops


# --- roles and the declaration ----------------------------------------------------------------

_ROLE_OF_KIND = {JUMP: Role.CONTROL, IF0: Role.CONTROL,
                 READ0: Role.WRITE, READ1: Role.WRITE, WRITE0: Role.WRITE, WRITE1: Role.WRITE,
                 READ: Role.WRITE, WRITE: Role.WRITE, COPY: Role.WRITE, COPY0: Role.WRITE,
                 COPY1: Role.WRITE,
                 DUP: Role.MOVE, DROP: Role.MOVE, SWAP: Role.MOVE, INC: Role.MOVE, DEC: Role.MOVE,
                 ADD: Role.MOVE, SUB: Role.MOVE, XOR: Role.MOVE}
_ROLE_NAMES = {Role.CONTROL: "control flow", Role.WRITE: "tape read / write / copy",
               Role.MOVE: "stack / arithmetic"}


def instructions(language: str) -> np.ndarray:
    """bool[256]: bytes whose op is not the no-op."""
    return FORTH_VARIANTS[language][0] != NOOP


def roles(language: str) -> np.ndarray:
    """uint8[256]: jumps and if0 control, tape reads/writes/copies write, stack and arithmetic
    ops move; constants and no-ops other."""
    ops = FORTH_VARIANTS[language][0]
    return np.array([_ROLE_OF_KIND.get(int(k), Role.OTHER) for k in ops], dtype=np.uint8)


def legend(language: str) -> list[tuple[Role, str]]:
    """(role, label) of every colour ``language``'s bytes take, byte 0 first."""
    ops = FORTH_VARIANTS[language][0]
    kind0 = int(ops[0])
    out: list[tuple[Role, str]] = [
        (Role.ZERO, "byte 0" + (f" (also {KIND_NAMES[kind0]})" if kind0 != NOOP else ""))]
    for role in (Role.CONTROL, Role.WRITE, Role.MOVE):
        kinds = [k for k, r in _ROLE_OF_KIND.items() if r == role and np.any(ops[1:] == k)]
        if kinds:
            out.append((role, f"{_ROLE_NAMES[role]}: {' '.join(KIND_NAMES[k] for k in kinds)}"))
    out.append((Role.OTHER, "push constant 0x40-0x7F, no-op"))
    return out


def explain(language: str, byte: int) -> str:
    """What ``byte`` does as the next instruction (the viewer's trace panel)."""
    kind = int(FORTH_VARIANTS[language][0][byte])
    if kind == CONST:
        return f"byte {byte:02X}  push {byte & 63}"
    if kind == JUMP:
        d = (byte & 63) + 1
        return f"byte {byte:02X}  jump {'-' if byte & 64 else '+'}{d}"
    return f"byte {byte:02X}  {KIND_NAMES[kind]}"


FAMILY = register_family(Family(
    name="forth", languages=LANGUAGES, interpret=interpret, twin=run_forth_py,
    parse=hex_parse, disassemble=hex_disassemble, instructions=instructions, roles=roles,
    legend=legend, explain=explain, stack_bytes=STACK,
    hex_text=True, reference="cubff",
    description="a stack machine with relative jumps (sec. 4)"))
