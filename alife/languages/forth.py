"""The Forth family of soup languages (Agüera y Arcas et al. 2024, "Computational Life", sec. 4).

A byte stack of capacity 128; opcodes 0x00-0x0B (and the variants' extras) act on it, 0x40-0x7F
push a constant, 0x80-0xFF jump relative to the jump byte. One table-driven numba interpreter
serves ``forth``, ``forthcopy``, ``forthtrivial`` and ``forthtrivial_reset``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.rng import H

TAPE = 128
HALF = 64
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

RESET_MARK = 0x13


#: Provenance of a byte the interpreter made from nothing (an empty-stack pop, a reset).
CREATED = 255


@njit(cache=True, nogil=True)
def _reset_first_half(tape: np.ndarray, pc: int, src: np.ndarray, traced: bool) -> None:
    """forthtrivial_reset: overwrite tape[0:64] with a hash of the whole tape and pc."""
    s = np.uint64(0)
    for i in range(TAPE):
        s = H(s ^ np.uint64(tape[i]))
    base = s * np.uint64(4096) + np.uint64(pc * 64)
    for j in range(HALF):
        tape[j] = np.uint8(H(base + np.uint64(j)) & np.uint64(255))
        if traced:
            src[j] = CREATED


@njit(cache=True, nogil=True)
def run_forth(tape: np.ndarray, limit: int, ops: np.ndarray, reset: bool, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """Run a Forth-family tape (uint8[128], in place) for at most ``limit`` steps; return ops.

    ``stack`` is a uint8[STACK] work array (contents irrelevant on entry). When ``traced``, the
    provenance ``src`` (uint8[128]) travels with values through the stack (``stack_src``):
    reads and writes carry it, arithmetic keeps the top operand's, a pushed constant takes its
    instruction byte's, and bytes made from nothing get :data:`CREATED`.
    """
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
            a_src = np.uint8(CREATED)
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
                push = tape[a & 63]
                push_src = src[a & 63]
            elif k == READ1:
                push = tape[HALF + (a & 63)]
                push_src = src[HALF + (a & 63)]
            elif k == READ:
                push = tape[a & 127]
                push_src = src[a & 127]
            elif k == WRITE0 or k == WRITE1 or k == WRITE or k == COPY:
                c = np.uint8(0)
                c_src = np.uint8(CREATED)
                if sp > 0:
                    sp -= 1
                    c = stack[sp]
                    if traced:
                        c_src = stack_src[sp]
                if k == WRITE0:
                    tape[c & 63] = a
                    if traced:
                        src[c & 63] = a_src
                elif k == WRITE:
                    tape[c & 127] = a
                    if traced:
                        src[c & 127] = a_src
                elif k == COPY:
                    tape[a & 127] = tape[c & 127]
                    if traced:
                        src[a & 127] = src[c & 127]
                else:
                    dst = HALF + (c & 63)
                    if reset and tape[dst] == RESET_MARK:
                        _reset_first_half(tape, pc, src, traced)
                    else:
                        tape[dst] = a
                        if traced:
                            src[dst] = a_src
            elif k == COPY0:
                dst = HALF + (a & 63)
                if reset and tape[dst] == RESET_MARK:
                    _reset_first_half(tape, pc, src, traced)
                else:
                    tape[dst] = tape[a & 63]
                    if traced:
                        src[dst] = src[a & 63]
            elif k == COPY1:
                tape[a & 63] = tape[HALF + (a & 63)]
                if traced:
                    src[a & 63] = src[HALF + (a & 63)]
            elif k == XOR:
                push = a ^ 64
            elif k == DUP:
                push = a
                push2 = a
            elif k == DROP:
                pass
            elif k == SWAP:
                c = np.uint8(0)
                c_src = np.uint8(CREATED)
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
        if pc >= TAPE or pc < 0 or overflow:
            break
    return steps - noops
