"""The BFF family's pure-Python twin (languages.md; Agüera y Arcas et al. 2024, sec. 2).

It follows the reference step loop literally: one byte per step, bracket scans every time, no
caches and no shortcuts, and shares no code with the numba interpreter it checks
(:mod:`alife.languages.bff`).
"""

from __future__ import annotations

from alife.languages.family import StepHook

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
    """Pure-Python BFF-family interpreter: runs ``tape`` (any power-of-two length) in place,
    returns ops; heads wrap modulo the tape length.

    ``src``, when given, is each byte's provenance and moves with copies (tracer tokens);
    ``on_step``, when given, sees (pc, head0, head1) before every step.
    """
    size = len(tape)
    if src is None:
        src = [0] * size
    heads = language in ("bff", "bff8", "bff_perm", "bff_selfmove")
    jump8 = language in ("bff8", "bff8_noheads")
    if heads:
        head0, head1, pc = tape[0] % size, tape[1] % size, 2
    else:
        head0, head1, pc = 0, 0, 0
    steps = 0
    skipped = 0
    while steps < limit:
        head0 %= size
        head1 %= size
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
                    while pc < size and depth > 0:
                        k = _bff_kind(language, tape[pc])
                        depth += (k == "loop") - (k == "end")
                        pc += 1
                    pc -= 1
                    if depth != 0:
                        pc = size
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
        if pc >= size:
            break
    return steps - skipped
