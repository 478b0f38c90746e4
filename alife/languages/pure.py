"""Slow, obviously-correct pure-Python twins of the soup interpreters (languages.md), for tests.

Each twin follows the reference step loop literally: one byte per step, bracket scans every
time, no caches and no shortcuts. The numba interpreters must agree with them on every tape.
"""

from __future__ import annotations

from alife.rng import h_py

TAPE = 128
HALF = 64

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


def run_bff_py(language: str, tape: bytearray, limit: int) -> int:
    """Pure-Python BFF-family interpreter: runs ``tape`` in place, returns ops."""
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
        elif kind == "copy10":
            tape[head0] = tape[head1]
        elif kind == "copymove":
            tape[head0] = tape[head1]
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


def _forth_reset(tape: bytearray, pc: int) -> None:
    s = 0
    for b in tape:
        s = h_py(s ^ b)
    for j in range(HALF):
        tape[j] = h_py(s * 4096 + pc * 64 + j) % 256


def run_forth_py(language: str, tape: bytearray, limit: int) -> int:
    """Pure-Python Forth-family interpreter: runs ``tape`` in place, returns ops."""
    stack: list[int] = []
    overflow = False

    def pop() -> int:
        return stack.pop() if stack else 0

    def push(v: int) -> None:
        nonlocal overflow
        if len(stack) == 128:
            overflow = True
        else:
            stack.append(v % 256)

    copy = language == "forthcopy"
    trivial = language in ("forthtrivial", "forthtrivial_reset")
    reset = language == "forthtrivial_reset"
    pc = steps = skipped = 0
    while steps < limit:
        b = tape[pc]
        steps += 1
        if b >= 0x80:
            d = (b & 63) + 1
            pc = pc - d if b & 64 else pc + d
            pc -= 1
        elif b >= 0x40:
            push(b & 63)
        elif b == 0 and not copy:
            push(tape[pop() % 64])
        elif b == 1 and not copy:
            push(tape[64 + pop() % 64])
        elif b == 2 and not copy:
            v = pop()
            tape[pop() % 64] = v
        elif b == 3 and not copy:
            v = pop()
            a = pop() % 64
            if reset and tape[64 + a] == 0x13:
                _forth_reset(tape, pc)
            else:
                tape[64 + a] = v
        elif b == 0 and copy:
            push(tape[pop() % 128])
        elif b == 1 and copy:
            v = pop()
            tape[pop() % 128] = v
        elif b == 2 and copy:
            to = pop() % 128
            tape[to] = tape[pop() % 128]
        elif b == 3 and copy:
            push(pop() ^ 64)
        elif b == 4:
            v = pop()
            push(v)
            push(v)
        elif b == 5:
            pop()
        elif b == 6:
            x, y = pop(), pop()
            push(x)
            push(y)
        elif b == 7:
            v = pop()
            if v != 0:
                pc += 1
            push(v)
        elif b == 8:
            push(pop() + 1)
        elif b == 9:
            push(pop() - 1)
        elif b == 10:
            x, y = pop(), pop()
            push(x + y)
        elif b == 11:
            x, y = pop(), pop()
            push(x - y)
        elif b == 12 and trivial:
            a = pop() % 64
            if reset and tape[64 + a] == 0x13:
                _forth_reset(tape, pc)
            else:
                tape[64 + a] = tape[a]
        elif b == 13 and trivial:
            a = pop() % 64
            tape[a] = tape[64 + a]
        else:
            skipped += 1
        pc += 1
        if pc >= TAPE or pc < 0 or overflow:
            break
    return steps - skipped


# --- SUBLEQ family ----------------------------------------------------------------------------


def run_subleq_py(language: str, tape: bytearray, limit: int) -> int:
    """Pure-Python ``subleq`` / ``rsubleq4`` interpreter: runs ``tape`` in place, returns ops."""
    pc = steps = 0
    relative = language == "rsubleq4"
    while steps < limit:
        if relative:
            a = (pc + tape[pc]) % 128
            b = (pc + tape[pc + 1]) % 128
            c = (pc + tape[pc + 2]) % 128
            tape[a] = (tape[b] - tape[c]) % 256
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
    t = bytearray(tape)
    if len(t) != TAPE:
        raise ValueError(f"tape must be {TAPE} bytes, got {len(t)}")
    if language.startswith("bff"):
        ops = run_bff_py(language, t, limit)
    elif language.startswith("forth"):
        ops = run_forth_py(language, t, limit)
    else:
        ops = run_subleq_py(language, t, limit)
    return t, ops
