"""The self-replication score of the reference (conformance/README.md; Agüera y Arcas et al. 2024).

Program P is put beside 13 noise strings; each tape is run, then for 4 more generations its
second half is moved to the front and fresh copies of the same noise follow. A first-half position
counts if >= 4 final tapes hold P's byte there, a second-half position if some value fills it in
>= 4 tapes; the score is the smaller count (0..64). >= 5: replicator; >= 48: confirmed.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.errors import AlifeError
from alife.languages import DEFAULT_STEP_LIMIT, as_tape, get
from alife.languages.bff import SCRATCH_INTS
from alife.languages.dispatch import run_tape
from alife.languages.forth import STACK
from alife.rng import H, S

L = 64
ITERATIONS = 13
EXTRA_GENERATIONS = 4
QUORUM = 4  # "more than 13 / 4" tapes
REPLICATOR = 5
CONFIRMED = 48
_FF = np.uint64(0xFF)


@njit(cache=True, nogil=True)
def _score_one(program: np.ndarray, local: np.uint64, lang: int, limit: int, tapes: np.ndarray,
               scratch: np.ndarray, stack: np.ndarray) -> int:
    noise = np.empty(L, dtype=np.uint8)
    for it in range(ITERATIONS):
        for j in range(L):
            noise[j] = np.uint8(H(local ^ H(np.uint64((it + 1) * L + j))) & _FF)
        tape = tapes[it]
        for j in range(L):
            tape[j] = program[j]
            tape[L + j] = noise[j]
        run_tape(lang, tape, limit, scratch, stack)
        for _ in range(EXTRA_GENERATIONS):
            for j in range(L):
                tape[j] = tape[L + j]
                tape[L + j] = noise[j]
            run_tape(lang, tape, limit, scratch, stack)
    first = 0
    second = 0
    counts = np.zeros(256, dtype=np.int64)
    for j in range(L):
        same = 0
        for it in range(ITERATIONS):
            if tapes[it, j] == program[j]:
                same += 1
        if same >= QUORUM:
            first += 1
        counts[:] = 0
        best = 0
        for it in range(ITERATIONS):
            v = tapes[it, L + j]
            counts[v] += 1
            if counts[v] > best:
                best = counts[v]
        if best >= QUORUM:
            second += 1
    return min(first, second)


@njit(parallel=True, cache=True, nogil=True)
def replication_scores_kernel(programs: np.ndarray, indices: np.ndarray, num_programs: int,
                              epoch_key: np.uint64, lang: int, limit: int,
                              out: np.ndarray) -> None:
    """Scores of ``programs[m]`` as program ``indices[m]`` of an ``num_programs`` soup, in parallel.

    ``epoch_key`` is ``S(epoch)`` of the run's seed; each program's noise is keyed by
    ``H(N * S(epoch) + index)`` as in the reference.
    """
    for m in prange(programs.shape[0]):
        tapes = np.empty((ITERATIONS, 2 * L), dtype=np.uint8)
        scratch = np.zeros(SCRATCH_INTS, dtype=np.int64)
        stack = np.empty(STACK, dtype=np.uint8)
        local = H(np.uint64(num_programs) * epoch_key + np.uint64(indices[m]))
        out[m] = _score_one(programs[m], local, lang, limit, tapes, scratch, stack)


def replication_scores(programs: np.ndarray, language: str, epoch: int, seed: int,
                       indices: np.ndarray | None = None, num_programs: int | None = None,
                       step_limit: int = DEFAULT_STEP_LIMIT) -> np.ndarray:
    """Replication scores (int64[M]) of ``programs`` (uint8[M, 64]) as the reference computes them.

    By default program m is scored as index m of an M-program soup; pass ``indices`` and
    ``num_programs`` to score a sample of a larger soup exactly as the reference would.
    """
    progs = np.ascontiguousarray(programs, dtype=np.uint8)
    if progs.ndim != 2 or progs.shape[1] != L:
        raise AlifeError(f"programs must be an M x {L} uint8 array, got shape {progs.shape}")
    idx = np.arange(len(progs), dtype=np.int64) if indices is None \
        else np.ascontiguousarray(indices, dtype=np.int64)
    n = len(progs) if num_programs is None else int(num_programs)
    out = np.zeros(len(progs), dtype=np.int64)
    key = np.uint64(S(np.uint64(seed), np.uint64(epoch)))
    replication_scores_kernel(progs, idx, n, key, get(language).id, int(step_limit), out)
    return out


def replication_score(program: bytes | np.ndarray, language: str = "bff_noheads", epoch: int = 0,
                      seed: int = 0, step_limit: int = DEFAULT_STEP_LIMIT) -> int:
    """Score of one program, computed as the reference's one-program soup (N = 1, index 0)."""
    tape = as_tape(program)
    if isinstance(program, (bytes, bytearray)) and len(program) > L:
        raise AlifeError(f"a program holds at most {L} bytes, got {len(program)}")
    return int(replication_scores(tape[None, :L], language, epoch, seed,
                                  step_limit=step_limit)[0])
