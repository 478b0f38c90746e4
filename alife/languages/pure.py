"""Slow, obviously-correct pure-Python twins of the soup interpreters (languages.md), for tests.

Each twin follows the reference step loop literally: one byte per step, bracket scans every
time, no caches and no shortcuts. The numba interpreters must agree with them on every tape.
"""

from __future__ import annotations

from collections.abc import Callable

from alife.rng import h_py

TAPE = 128
HALF = 64

#: ``on_step(pc, head0, head1)``: called before each step with the interpreter's state (the
#: tape as it is then); languages without heads pass -1 for both (the viewer's trace).
StepHook = Callable[[int, int, int], None]

# --- BFF family -------------------------------------------------------------------------------

_STD = {"<": "dec0", ">": "inc0", "{": "dec1", "}": "inc1", "+": "plus", "-": "minus",
        ".": "copy01", ",": "copy10", "[": "loop", "]": "end"}
_NIBBLE = {6: "loop", 7: "end", 8: "plus", 9: "minus", 10: "copy01", 11: "copy10", 12: "dec0",
           13: "inc0", 14: "dec1", 15: "inc1"}
_PERM = {1: "dec0", 2: "inc0", 3: "dec1", 4: "inc1", 5: "plus", 6: "minus", 7: "copy01",
         8: "copy10", 9: "loop", 10: "end"}
_SELFMOVE = {0: "inc0", 1: "dec0", 2: "plus", 3: "minus", 4: "copymove", 5: "loop", 6: "end"}


def _bff_kind(language: str, byte: int) -> str | None:
    if language == "bff_noheads_4bit":
        return _NIBBLE.get(byte & 15)
    if language == "bff_perm":
        return _PERM.get(byte)
    if language == "bff_selfmove":
        return _SELFMOVE.get(byte)
    return _STD.get(chr(byte))


def _bff_is_zero(language: str, byte: int) -> bool:
    return (byte & 15) == 0 if language == "bff_noheads_4bit" else byte == 0


def run_bff_py(language: str, tape: bytearray, limit: int, src: list[int] | None = None,
               on_step: StepHook | None = None) -> int:
    """Pure-Python BFF-family interpreter: runs ``tape`` in place, returns ops.

    ``src``, when given, is each byte's provenance and moves with copies (tracer tokens);
    ``on_step``, when given, sees (pc, head0, head1) before every step.
    """
    if src is None:
        src = [0] * TAPE
    heads = language in ("bff", "bff8", "bff_perm", "bff_selfmove")
    jump8 = language in ("bff8", "bff8_noheads")
    if heads:
        head0, head1, pc = tape[0] % 128, tape[1] % 128, 2
    else:
        head0, head1, pc = 0, 0, 0
    steps = 0
    skipped = 0
    while steps < limit:
        head0 %= 128
        head1 %= 128
        if on_step is not None:
            on_step(pc, head0, head1)
        kind = _bff_kind(language, tape[pc])
        if kind is None:
            skipped += 1
        elif kind == "inc0":
            head0 += 1
        elif kind == "dec0":
            head0 -= 1
        elif kind == "inc1":
            head1 += 1
        elif kind == "dec1":
            head1 -= 1
        elif kind == "plus":
            tape[head0] = (tape[head0] + 1) % 256
        elif kind == "minus":
            tape[head0] = (tape[head0] - 1) % 256
        elif kind == "copy01":
            tape[head1] = tape[head0]
            src[head1] = src[head0]
        elif kind == "copy10":
            tape[head0] = tape[head1]
            src[head0] = src[head1]
        elif kind == "copymove":
            tape[head0] = tape[head1]
            src[head0] = src[head1]
            head1 += 1
        elif kind == "loop":
            if _bff_is_zero(language, tape[head0]):
                if jump8:
                    pc += 8
                else:
                    depth, pc = 1, pc + 1
                    while pc < TAPE and depth > 0:
                        k = _bff_kind(language, tape[pc])
                        depth += (k == "loop") - (k == "end")
                        pc += 1
                    pc -= 1
                    if depth != 0:
                        pc = TAPE
        elif kind == "end":
            if not _bff_is_zero(language, tape[head0]):
                if jump8:
                    pc -= 8
                else:
                    depth, pc = 1, pc - 1
                    while pc >= 0 and depth > 0:
                        k = _bff_kind(language, tape[pc])
                        depth += (k == "end") - (k == "loop")
                        pc -= 1
                    pc += 1
                    if depth != 0:
                        pc = -1
        steps += 1
        if pc < 0:
            break
        pc += 1
        if pc >= TAPE:
            break
    return steps - skipped


# --- Forth family -----------------------------------------------------------------------------


CREATED = 255  # provenance of a byte made from nothing


def _forth_reset(tape: bytearray, pc: int, src: list[int]) -> None:
    s = 0
    for b in tape:
        s = h_py(s ^ b)
    for j in range(HALF):
        tape[j] = h_py(s * 4096 + pc * 64 + j) % 256
        src[j] = CREATED


def run_forth_py(language: str, tape: bytearray, limit: int,
                 src: list[int] | None = None, on_step: StepHook | None = None) -> int:
    """Pure-Python Forth-family interpreter: runs ``tape`` in place, returns ops.

    ``src``, when given, is each byte's provenance; stack entries carry theirs (tracer tokens);
    ``on_step``, when given, sees (pc, -1, -1) before every step.
    """
    if src is None:
        src = [0] * TAPE
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
            a = pop() % 64
            push(tape[a], src[a])
        elif b == 1 and not copy:
            a = 64 + pop() % 64
            push(tape[a], src[a])
        elif b == 2 and not copy:
            v, o = pop2()
            a = pop() % 64
            tape[a], src[a] = v, o
        elif b == 3 and not copy:
            v, o = pop2()
            a = pop() % 64
            if reset and tape[64 + a] == 0x13:
                _forth_reset(tape, pc, src)
            else:
                tape[64 + a], src[64 + a] = v, o
        elif b == 0 and copy:
            a = pop() % 128
            push(tape[a], src[a])
        elif b == 1 and copy:
            v, o = pop2()
            a = pop() % 128
            tape[a], src[a] = v, o
        elif b == 2 and copy:
            to = pop() % 128
            a = pop() % 128
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
            a = pop() % 64
            if reset and tape[64 + a] == 0x13:
                _forth_reset(tape, pc, src)
            else:
                tape[64 + a], src[64 + a] = tape[a], src[a]
        elif b == 13 and trivial:
            a = pop() % 64
            tape[a], src[a] = tape[64 + a], src[64 + a]
        else:
            skipped += 1
        pc += 1
        if pc >= TAPE or pc < 0 or overflow:
            break
    return steps - skipped


# --- SUBLEQ family ----------------------------------------------------------------------------


def run_subleq_py(language: str, tape: bytearray, limit: int,
                  src: list[int] | None = None, on_step: StepHook | None = None) -> int:
    """Pure-Python ``subleq`` / ``rsubleq4`` interpreter: runs ``tape`` in place, returns ops.

    ``src``, when given, is each byte's provenance: ``A = B - C`` (rsubleq4) gives A B's;
    ``on_step``, when given, sees (pc, -1, -1) before every step.
    """
    if src is None:
        src = [0] * TAPE
    pc = steps = 0
    relative = language == "rsubleq4"
    while steps < limit:
        if on_step is not None:
            on_step(pc, -1, -1)
        if relative:
            a = (pc + tape[pc]) % 128
            b = (pc + tape[pc + 1]) % 128
            c = (pc + tape[pc + 2]) % 128
            tape[a] = (tape[b] - tape[c]) % 256
            src[a] = src[b]
        else:
            a = tape[pc] % 128
            b = tape[pc + 1] % 128
            tape[a] = (tape[a] - tape[b]) % 256
        steps += 1
        if tape[a] == 0 or tape[a] >= 128:
            if relative:
                d = tape[pc + 3]
                pc += d - 256 if d >= 128 else d
            else:
                pc = tape[pc + 2]
        else:
            pc += 4 if relative else 3
        if pc + (4 if relative else 3) > TAPE or pc < 0:
            break
    return steps


def run_py(language: str, tape: bytes | bytearray, limit: int = 8192) -> tuple[bytearray, int]:
    """Run any language's pure-Python twin on a copy of ``tape``; return (final tape, ops)."""
    t, ops, _ = run_py_traced(language, tape, limit)
    return t, ops


def run_py_traced(language: str, tape: bytes | bytearray, limit: int = 8192,
                  on_step: StepHook | None = None) -> tuple[bytearray, int, list[int]]:
    """Run a twin with provenance: (final tape, ops, src), src[t] = the input position that byte
    t came from (255: made by the interpreter). Tracer tokens, Agüera y Arcas et al. 2024.
    ``on_step`` sees the state before every step (:data:`StepHook`)."""
    t = bytearray(tape)
    if len(t) != TAPE:
        raise ValueError(f"tape must be {TAPE} bytes, got {len(t)}")
    src = list(range(TAPE))
    if language.startswith("bff"):
        ops = run_bff_py(language, t, limit, src, on_step)
    elif language.startswith("forth"):
        ops = run_forth_py(language, t, limit, src, on_step)
    else:
        ops = run_subleq_py(language, t, limit, src, on_step)
    return t, ops, src
