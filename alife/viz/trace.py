"""Step-by-step traces of one interaction: two programs on one tape (Agüera y Arcas et al.
2024, "Computational Life", sec. 2), for the viewer's trace panel.

The trace comes from the language family's pure-Python twin, which reports (pc, head0, head1)
before every step; the tape is copied at each step, so the panel can step forward and back. Its
final tape and op count equal the numba interpreter's (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alife.languages import DEFAULT_STEP_LIMIT, as_tape, get
from alife.shapes import PROGRAM_SIZE


@dataclass(frozen=True)
class Trace:
    """Every step of one run of a tape: state before step s at index s, the end at ``steps``."""

    language: str
    tapes: np.ndarray  # uint8[steps + 1, 2P]: the tape before each step, then the final tape
    pc: np.ndarray  # int64[steps + 1]: program counter before each step (-1 at the end)
    head0: np.ndarray  # int64[steps + 1]: head0 (-1 in languages without heads)
    head1: np.ndarray  # int64[steps + 1]: head1 (-1 in languages without heads)
    ops_before: np.ndarray  # int64[steps + 1]: ops executed before each step
    ops: int  # ops of the whole run (the interpreter's count)

    @property
    def steps(self) -> int:
        """Steps the interpreter took (no-ops included)."""
        return len(self.pc) - 1

    @property
    def final_tape(self) -> np.ndarray:
        """The tape after the run: uint8[128]."""
        return self.tapes[-1]

    @property
    def last_write(self) -> int:
        """The last step that changed the tape (-1: none did)."""
        changed = np.flatnonzero(np.any(self.tapes[1:] != self.tapes[:-1], axis=1))
        return int(changed[-1]) if len(changed) else -1

    def halves(self, step: int) -> tuple[bytes, bytes]:
        """(first program, second program) as they are before ``step``."""
        t = self.tapes[step]
        half = t.shape[0] // 2
        return t[:half].tobytes(), t[half:].tobytes()


def trace_tape(language: str, tape: bytes | np.ndarray, limit: int = DEFAULT_STEP_LIMIT,
               tape_size: int = 2 * PROGRAM_SIZE) -> Trace:
    """Run ``tape`` (zero-padded to ``tape_size`` bytes) in ``language``'s pure-Python twin,
    recording every step."""
    lang = get(language)  # unknown names: AlifeError
    t = bytearray(as_tape(tape, tape_size).tobytes())  # the twin runs this tape in place
    lang.check_program_size(len(t) // 2)
    tapes: list[bytes] = []
    pcs: list[int] = []
    h0: list[int] = []
    h1: list[int] = []

    def on_step(pc: int, head0: int, head1: int) -> None:
        tapes.append(bytes(t))
        pcs.append(pc)
        h0.append(head0)
        h1.append(head1)

    ops = lang.family.twin(language, t, int(limit), list(range(len(t))), on_step)
    tapes.append(bytes(t))
    pcs.append(-1)
    h0.append(-1)
    h1.append(-1)
    arr = np.frombuffer(b"".join(tapes), dtype=np.uint8).reshape(-1, len(t))
    pc = np.array(pcs, dtype=np.int64)
    # ops count the instruction bytes executed (languages.md): the family's instruction mask
    # for BFF and Forth; SUBLEQ counts every step
    counts = lang.instructions()
    is_op = counts[arr[np.arange(len(pc) - 1), pc[:-1]]]
    before = np.concatenate([[0], np.cumsum(is_op, dtype=np.int64)])
    if before[-1] != ops:  # a family whose ops are not its instruction bytes: no running count
        before = np.full(len(pc), -1, dtype=np.int64)
    return Trace(language, arr, pc, np.array(h0, dtype=np.int64), np.array(h1, dtype=np.int64),
                 before, int(ops))


def trace_interaction(language: str, program: bytes | np.ndarray, partner: bytes | np.ndarray,
                      limit: int = DEFAULT_STEP_LIMIT) -> Trace:
    """Trace ``program`` (first half) meeting ``partner`` (second half), as a soup pair runs;
    both are programs of one size (shorter ones are zero-padded to 64 bytes)."""
    size = max(np.asarray(bytearray(program) if isinstance(program, (bytes, bytearray))
                          else program).size, PROGRAM_SIZE)
    a, b = as_tape(program, size), as_tape(partner, size)
    return trace_tape(language, np.concatenate([a, b]), limit, 2 * size)


__all__ = ["Trace", "trace_tape", "trace_interaction"]
