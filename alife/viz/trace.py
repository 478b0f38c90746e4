"""Step-by-step traces of one interaction: two programs on one 128-byte tape (Agüera y Arcas et
al. 2024, "Computational Life", sec. 2), for the viewer's trace panel.

The trace comes from the pure-Python twin (:mod:`alife.languages.pure`), which reports
(pc, head0, head1) before every step; the tape is copied at each step, so the panel can step
forward and back. Its final tape and op count equal the numba interpreter's (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alife.languages import DEFAULT_STEP_LIMIT, as_tape, get, pure

TAPE = 128
HALF = 64


@dataclass(frozen=True)
class Trace:
    """Every step of one run of a tape: state before step s at index s, the end at ``steps``."""

    language: str
    tapes: np.ndarray  # uint8[steps + 1, 128]: the tape before each step, then the final tape
    pc: np.ndarray  # int64[steps + 1]: program counter before each step (-1 at the end)
    head0: np.ndarray  # int64[steps + 1]: head0 (-1 in languages without heads)
    head1: np.ndarray  # int64[steps + 1]: head1 (-1 in languages without heads)
    ops_before: np.ndarray  # int64[steps + 1]: ops executed before each step (BFF; else -1)
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
        return t[:HALF].tobytes(), t[HALF:].tobytes()


def trace_tape(language: str, tape: bytes | np.ndarray,
               limit: int = DEFAULT_STEP_LIMIT) -> Trace:
    """Run ``tape`` (128 bytes) in ``language``'s pure-Python twin, recording every step."""
    get(language)  # unknown names: AlifeError
    t = bytearray(as_tape(tape).tobytes())  # the twin runs this tape in place
    tapes: list[bytes] = []
    pcs: list[int] = []
    h0: list[int] = []
    h1: list[int] = []

    def on_step(pc: int, head0: int, head1: int) -> None:
        tapes.append(bytes(t))
        pcs.append(pc)
        h0.append(head0)
        h1.append(head1)

    src = list(range(TAPE))
    if language.startswith("bff"):
        ops = pure.run_bff_py(language, t, int(limit), src, on_step)
    elif language.startswith("forth"):
        ops = pure.run_forth_py(language, t, int(limit), src, on_step)
    else:
        ops = pure.run_subleq_py(language, t, int(limit), src, on_step)
    tapes.append(bytes(t))
    pcs.append(-1)
    h0.append(-1)
    h1.append(-1)
    arr = np.frombuffer(b"".join(tapes), dtype=np.uint8).reshape(-1, TAPE)
    pc = np.array(pcs, dtype=np.int64)
    if language.startswith("bff"):
        is_op = [pure._bff_kind(language, int(arr[s, pc[s]])) is not None
                 for s in range(len(pc) - 1)]
        before = np.concatenate([[0], np.cumsum(is_op, dtype=np.int64)])
    else:
        before = np.full(len(pc), -1, dtype=np.int64)
    return Trace(language, arr, pc, np.array(h0, dtype=np.int64), np.array(h1, dtype=np.int64),
                 before, int(ops))


def trace_interaction(language: str, program: bytes | np.ndarray, partner: bytes | np.ndarray,
                      limit: int = DEFAULT_STEP_LIMIT) -> Trace:
    """Trace ``program`` (first half) meeting ``partner`` (second half), as a soup pair runs."""
    a, b = as_tape(program)[:HALF], as_tape(partner)[:HALF]
    return trace_tape(language, np.concatenate([a, b]), limit)


__all__ = ["Trace", "trace_tape", "trace_interaction"]
