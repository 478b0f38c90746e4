"""The Forth family's pure-Python twin (languages.md; Agüera y Arcas et al. 2024, sec. 4).

A literal byte-by-byte step loop with a list as the stack; it shares no code with the numba
interpreter it checks (:mod:`alife.languages.forth`).
"""

from __future__ import annotations

from alife.languages.family import CREATED, StepHook
from alife.rng import h_py


def _forth_reset(tape: bytearray, pc: int, src: list[int]) -> None:
    half = len(tape) // 2
    s = 0
    for b in tape:
        s = h_py(s ^ b)
    for j in range(half):
        tape[j] = h_py(s * 4096 + pc * half + j) % 256
        src[j] = CREATED


def run_forth_py(language: str, tape: bytearray, limit: int,
                 src: list[int] | None = None, on_step: StepHook | None = None) -> int:
    """Pure-Python Forth-family interpreter: runs ``tape`` (any power-of-two length) in place,
    returns ops; addresses wrap modulo the half (``read0`` ...) or the whole tape.

    ``src``, when given, is each byte's provenance; stack entries carry theirs (tracer tokens);
    ``on_step``, when given, sees (pc, -1, -1) before every step.
    """
    size = len(tape)
    half = size // 2
    if src is None:
        src = [0] * size
    stack: list[tuple[int, int]] = []  # (value, provenance)
    overflow = False

    def pop2() -> tuple[int, int]:
        return stack.pop() if stack else (0, CREATED)

    def pop() -> int:
        return pop2()[0]

    def push(v: int, origin: int) -> None:
        nonlocal overflow
        if len(stack) == 128:
            overflow = True
        else:
            stack.append((v % 256, origin))

    copy = language == "forthcopy"
    trivial = language in ("forthtrivial", "forthtrivial_reset")
    reset = language == "forthtrivial_reset"
    pc = steps = skipped = 0
    while steps < limit:
        if on_step is not None:
            on_step(pc, -1, -1)
        b = tape[pc]
        steps += 1
        if b >= 0x80:
            d = (b & 63) + 1
            pc = pc - d if b & 64 else pc + d
            pc -= 1
        elif b >= 0x40:
            push(b & 63, src[pc])
        elif b == 0 and not copy:
            a = pop() % half
            push(tape[a], src[a])
        elif b == 1 and not copy:
            a = half + pop() % half
            push(tape[a], src[a])
        elif b == 2 and not copy:
            v, o = pop2()
            a = pop() % half
            tape[a], src[a] = v, o
        elif b == 3 and not copy:
            v, o = pop2()
            a = pop() % half
            if reset and tape[half + a] == 0x13:
                _forth_reset(tape, pc, src)
            else:
                tape[half + a], src[half + a] = v, o
        elif b == 0 and copy:
            a = pop() % size
            push(tape[a], src[a])
        elif b == 1 and copy:
            v, o = pop2()
            a = pop() % size
            tape[a], src[a] = v, o
        elif b == 2 and copy:
            to = pop() % size
            a = pop() % size
            tape[to], src[to] = tape[a], src[a]
        elif b == 3 and copy:
            v, o = pop2()
            push(v ^ 64, o)
        elif b == 4:
            v, o = pop2()
            push(v, o)
            push(v, o)
        elif b == 5:
            pop()
        elif b == 6:
            x, y = pop2(), pop2()
            push(*x)
            push(*y)
        elif b == 7:
            v, o = pop2()
            if v != 0:
                pc += 1
            push(v, o)
        elif b == 8:
            v, o = pop2()
            push(v + 1, o)
        elif b == 9:
            v, o = pop2()
            push(v - 1, o)
        elif b == 10:
            (x, o), y = pop2(), pop()
            push(x + y, o)
        elif b == 11:
            (x, o), y = pop2(), pop()
            push(x - y, o)
        elif b == 12 and trivial:
            a = pop() % half
            if reset and tape[half + a] == 0x13:
                _forth_reset(tape, pc, src)
            else:
                tape[half + a], src[half + a] = tape[a], src[a]
        elif b == 13 and trivial:
            a = pop() % half
            tape[a], src[a] = tape[half + a], src[half + a]
        else:
            skipped += 1
        pc += 1
        if pc >= size or pc < 0 or overflow:
            break
    return steps - skipped
