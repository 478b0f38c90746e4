"""The self-replication score of the reference (conformance/README.md; Agüera y Arcas et al. 2024).

Program P is put beside 13 noise strings; each tape is run, then for 4 more generations its
second half is moved to the front and fresh copies of the same noise follow. A first-half position
counts if >= 4 final tapes hold P's byte there, a second-half position if some value fills it in
>= 4 tapes; the score is the smaller count (0..64). >= 5: replicator; >= 48: confirmed.
"""

from __future__ import annotations

import numpy as np

from alife.errors import AlifeError
from alife.languages import DEFAULT_STEP_LIMIT, as_tape, get
from alife.languages.dispatch import compiled
from alife.rng import S
from alife.shapes import MAX_PROGRAM_SIZE, PROGRAM_SIZE

REPLICATOR = 5
CONFIRMED = 48  # of 64 bytes; other program sizes: confirmed_threshold


def confirmed_threshold(program_size: int) -> int:
    """The score of a confirmed replicator: 48 of 64 bytes, three quarters of other sizes."""
    return CONFIRMED * program_size // PROGRAM_SIZE


def replication_scores(programs: np.ndarray, language: str, epoch: int, seed: int,
                       indices: np.ndarray | None = None, num_programs: int | None = None,
                       step_limit: int = DEFAULT_STEP_LIMIT) -> np.ndarray:
    """Replication scores (int64[M], 0..P) of ``programs`` (uint8[M, P]) as the reference
    computes them (P = 64 there; other program sizes score the same way on 2P-byte tapes).

    By default program m is scored as index m of an M-program soup; pass ``indices`` and
    ``num_programs`` to score a sample of a larger soup exactly as the reference would.
    """
    progs = np.ascontiguousarray(programs, dtype=np.uint8)
    lang = get(language)
    if progs.ndim != 2:
        raise AlifeError(f"programs must be an M x P uint8 array, got shape {progs.shape}")
    lang.check_program_size(progs.shape[1])
    idx = np.arange(len(progs), dtype=np.int64) if indices is None \
        else np.ascontiguousarray(indices, dtype=np.int64)
    n = len(progs) if num_programs is None else int(num_programs)
    out = np.zeros(len(progs), dtype=np.int64)
    key = np.uint64(S(np.uint64(seed), np.uint64(epoch)))
    family = lang.family
    compiled("alife.measures.replication_kernel").replication_scores_kernel(
        progs, idx, n, key, lang.id, int(step_limit), out,
        family.scratch_ints(2 * progs.shape[1]), family.stack_bytes)
    return out


def replication_score(program: bytes | np.ndarray, language: str = "bff_noheads", epoch: int = 0,
                      seed: int = 0, step_limit: int = DEFAULT_STEP_LIMIT,
                      program_size: int = PROGRAM_SIZE) -> int:
    """Score of one program, computed as the reference's one-program soup (N = 1, index 0);
    shorter input is zero-padded to ``program_size`` bytes."""
    size = int(program_size)
    n = len(program) if isinstance(program, (bytes, bytearray)) else np.asarray(program).size
    if n > size:
        raise AlifeError(f"a program holds at most {size} bytes, got {n}")
    tape = as_tape(program, max(size, MAX_PROGRAM_SIZE))
    return int(replication_scores(tape[None, :size], language, epoch, seed,
                                  step_limit=step_limit)[0])
