"""One compiled entry point that runs any registered language by its integer id.

Soup kernels call :func:`run_tape` with the language id as a runtime value, so a single cached
compilation serves all thirteen languages (the branch is perfectly predicted within an epoch).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.bff import BFF_VARIANTS, SCRATCH_INTS, run_bff, run_bff_traced
from alife.languages.forth import FORTH_VARIANTS, STACK, run_forth
from alife.languages.subleq import run_rsubleq4, run_subleq

#: Language names in id order; the id is the index.
LANGUAGE_NAMES: tuple[str, ...] = (
    "bff", "bff_noheads", "bff8", "bff8_noheads", "bff_noheads_4bit", "bff_perm", "bff_selfmove",
    "forth", "forthcopy", "forthtrivial", "forthtrivial_reset", "subleq", "rsubleq4",
)
N_BFF = 7
N_FORTH = 4
SUBLEQ_ID = 11
RSUBLEQ4_ID = 12

_BFF_OPS = np.stack([BFF_VARIANTS[n][0] for n in LANGUAGE_NAMES[:N_BFF]])
_BFF_ZERO = np.stack([BFF_VARIANTS[n][1] for n in LANGUAGE_NAMES[:N_BFF]])
_BFF_HEADS = np.array([BFF_VARIANTS[n][2] for n in LANGUAGE_NAMES[:N_BFF]])
_BFF_JUMP8 = np.array([BFF_VARIANTS[n][3] for n in LANGUAGE_NAMES[:N_BFF]])
_FORTH_OPS = np.stack([FORTH_VARIANTS[n][0] for n in LANGUAGE_NAMES[N_BFF:N_BFF + N_FORTH]])
_FORTH_RESET = np.array([FORTH_VARIANTS[n][1] for n in LANGUAGE_NAMES[N_BFF:N_BFF + N_FORTH]])


def new_scratch() -> tuple[np.ndarray, np.ndarray]:
    """Work arrays for :func:`run_tape`: (int64 scratch, uint8 stack). Reuse across calls."""
    return np.zeros(SCRATCH_INTS, dtype=np.int64), np.zeros(STACK, dtype=np.uint8)


def new_traced_scratch() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extra work arrays for :func:`run_tape_traced`: (src uint8[128], stack src uint8[STACK])."""
    return np.zeros(128, dtype=np.uint8), np.zeros(STACK, dtype=np.uint8)


@njit(cache=True, nogil=True)
def _run(lang: int, tape: np.ndarray, limit: int, scratch: np.ndarray, stack: np.ndarray,
         src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    if lang < N_BFF:
        if traced:
            return run_bff_traced(tape, limit, _BFF_OPS[lang], _BFF_ZERO[lang],
                                  _BFF_HEADS[lang], _BFF_JUMP8[lang], scratch, src)
        return run_bff(tape, limit, _BFF_OPS[lang], _BFF_ZERO[lang], _BFF_HEADS[lang],
                       _BFF_JUMP8[lang], scratch)
    if lang < N_BFF + N_FORTH:
        f = lang - N_BFF
        return run_forth(tape, limit, _FORTH_OPS[f], _FORTH_RESET[f], stack, src, stack_src,
                         traced)
    if lang == SUBLEQ_ID:
        return run_subleq(tape, limit)
    return run_rsubleq4(tape, limit, src, traced)


@njit(cache=True, nogil=True)
def run_tape(lang: int, tape: np.ndarray, limit: int, scratch: np.ndarray,
             stack: np.ndarray) -> int:
    """Run language ``lang`` on ``tape`` (uint8[128], in place) for <= ``limit`` steps."""
    no_src = stack[:0]  # an empty view: untraced runs never touch provenance
    if lang < N_BFF:  # the hot path, called directly
        return run_bff(tape, limit, _BFF_OPS[lang], _BFF_ZERO[lang], _BFF_HEADS[lang],
                       _BFF_JUMP8[lang], scratch)
    return _run(lang, tape, limit, scratch, stack, no_src, no_src, False)


@njit(cache=True, nogil=True)
def run_tape_traced(lang: int, tape: np.ndarray, src: np.ndarray, limit: int,
                    scratch: np.ndarray, stack: np.ndarray, stack_src: np.ndarray) -> int:
    """:func:`run_tape` that also moves each byte's provenance ``src`` (uint8[128]) with it.

    Copies carry a byte's source, in-place arithmetic keeps it, and bytes the interpreter makes
    from nothing get 255 (tracer tokens; Agüera y Arcas et al. 2024, sec. 3).
    """
    return _run(lang, tape, limit, scratch, stack, src, stack_src, True)
