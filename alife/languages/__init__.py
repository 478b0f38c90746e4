"""Registry of the soup languages by name (languages.md; Agüera y Arcas et al. 2024).

>>> bff = get("bff")
>>> tape, ops = bff.run(bff.parse("[[{.>]-]") + bytes(120))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from alife.errors import AlifeError
from alife.languages.dispatch import (
    LANGUAGE_NAMES,
    N_BFF,
    N_FORTH,
    new_scratch,
    new_traced_scratch,
    run_tape,
    run_tape_traced,
)
from alife.languages.text import disassemble, parse

TAPE = 128
DEFAULT_STEP_LIMIT = 8192


class RunResult(NamedTuple):
    """The tape after a run (uint8[128]) and the ops executed."""

    tape: np.ndarray
    ops: int


def as_tape(tape: bytes | bytearray | np.ndarray) -> np.ndarray:
    """A fresh uint8[128] copy of ``tape`` (shorter input is zero-padded)."""
    data = np.frombuffer(bytes(tape), dtype=np.uint8) if not isinstance(tape, np.ndarray) \
        else np.asarray(tape, dtype=np.uint8).ravel()
    if data.size > TAPE:
        raise AlifeError(f"a tape holds at most {TAPE} bytes, got {data.size}")
    out = np.zeros(TAPE, dtype=np.uint8)
    out[: data.size] = data
    return out


@dataclass(frozen=True)
class Language:
    """One soup language: its name, registry id and family."""

    name: str
    id: int
    family: str  # "bff", "forth" or "subleq"

    def run(self, tape: bytes | np.ndarray, limit: int = DEFAULT_STEP_LIMIT) -> RunResult:
        """Run the numba interpreter on a copy of ``tape``; return the final tape and ops."""
        t = as_tape(tape)
        scratch, stack = new_scratch()
        ops = run_tape(self.id, t, int(limit), scratch, stack)
        return RunResult(t, int(ops))

    def run_traced(self, tape: bytes | np.ndarray,
                   limit: int = DEFAULT_STEP_LIMIT) -> tuple[np.ndarray, int, np.ndarray]:
        """Run with provenance: (tape, ops, src), ``src[t]`` = the input position byte t came
        from, 255 where the interpreter made it (tracer tokens)."""
        t = as_tape(tape)
        scratch, stack = new_scratch()
        src, stack_src = new_traced_scratch()
        src[:] = np.arange(TAPE, dtype=np.uint8)
        ops = run_tape_traced(self.id, t, src, int(limit), scratch, stack, stack_src)
        return t, int(ops), src

    def run_python(self, tape: bytes | np.ndarray, limit: int = DEFAULT_STEP_LIMIT) -> RunResult:
        """Run the slow pure-Python twin (for tests and teaching)."""
        from alife.languages.pure import run_py

        t, ops = run_py(self.name, as_tape(tape).tobytes(), int(limit))
        return RunResult(np.frombuffer(bytes(t), dtype=np.uint8).copy(), ops)

    def parse(self, text: str) -> bytes:
        """Program text -> bytes."""
        return parse(self.name, text)

    def disassemble(self, program: bytes | np.ndarray) -> str:
        """Bytes -> program text."""
        return disassemble(self.name, program)


def _family(i: int) -> str:
    return "bff" if i < N_BFF else ("forth" if i < N_BFF + N_FORTH else "subleq")


REGISTRY: dict[str, Language] = {
    name: Language(name, i, _family(i)) for i, name in enumerate(LANGUAGE_NAMES)
}


def names() -> list[str]:
    """All registered language names, in registry order."""
    return list(REGISTRY)


def get(name: str) -> Language:
    """The language called ``name``; an unknown name raises :class:`AlifeError`."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise AlifeError(f"unknown language {name!r}; accepted: {', '.join(REGISTRY)}") from None


__all__ = ["Language", "RunResult", "REGISTRY", "get", "names", "as_tape", "DEFAULT_STEP_LIMIT"]
