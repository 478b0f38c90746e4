"""Slow, obviously-correct pure-Python twins of the soup interpreters (languages.md), for tests.

Each family declares its twin beside its numba interpreter (``bff_twin``, ``forth_twin``,
``subleq_twin``); the twins follow the reference step loop literally, one byte per step, with
no caches and no shortcuts. The numba interpreters must agree with them on every tape.
"""

from __future__ import annotations

from alife.languages.family import StepHook
from alife.languages.registry import DEFAULT_STEP_LIMIT, get


def run_py(language: str, tape: bytes | bytearray,
           limit: int = DEFAULT_STEP_LIMIT) -> tuple[bytearray, int]:
    """Run any language's pure-Python twin on a copy of ``tape``; return (final tape, ops)."""
    t, ops, _ = run_py_traced(language, tape, limit)
    return t, ops


def run_py_traced(language: str, tape: bytes | bytearray, limit: int = DEFAULT_STEP_LIMIT,
                  on_step: StepHook | None = None) -> tuple[bytearray, int, list[int]]:
    """Run a twin with provenance: (final tape, ops, src), src[t] = the input position that byte
    t came from (:data:`alife.languages.family.CREATED`: made by the interpreter). Tracer
    tokens, Agüera y Arcas et al. 2024. ``on_step`` sees the state before every step.

    The tape's length is the interaction's (twice the program size, a power of two).
    """
    lang = get(language)
    t = bytearray(tape)
    lang.check_program_size(len(t) // 2)
    if len(t) % 2:
        raise ValueError(f"a tape holds two programs: {len(t)} bytes is odd")
    src = list(range(len(t)))
    ops = lang.family.twin(language, t, int(limit), src, on_step)
    return t, ops, src


__all__ = ["run_py", "run_py_traced", "StepHook"]
