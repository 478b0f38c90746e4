"""The SUBLEQ family's pure-Python twin (languages.md; Agüera y Arcas et al. 2024, sec. 4).

A literal step loop with modular arithmetic; it shares no code with the numba interpreter it
checks (:mod:`alife.languages.subleq`).
"""

from __future__ import annotations

from alife.languages.family import StepHook


def run_subleq_py(language: str, tape: bytearray, limit: int,
                  src: list[int] | None = None, on_step: StepHook | None = None) -> int:
    """Pure-Python ``subleq`` / ``rsubleq4`` interpreter: runs ``tape`` in place, returns ops.

    ``src``, when given, is each byte's provenance: ``A = B - C`` (rsubleq4) gives A B's;
    ``on_step``, when given, sees (pc, -1, -1) before every step.
    """
    size = len(tape)
    if src is None:
        src = [0] * size
    pc = steps = 0
    relative = language == "rsubleq4"
    while steps < limit:
        if on_step is not None:
            on_step(pc, -1, -1)
        if relative:
            a = (pc + tape[pc]) % size
            b = (pc + tape[pc + 1]) % size
            c = (pc + tape[pc + 2]) % size
            tape[a] = (tape[b] - tape[c]) % 256
            src[a] = src[b]
        else:
            a = tape[pc] % size
            b = tape[pc + 1] % size
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
        if pc + (4 if relative else 3) > size or pc < 0:
            break
    return steps
