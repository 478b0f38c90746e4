"""The few shapes every layer shares: program and tape sizes (soup.md, "State").

A soup holds ``N`` programs of ``program_size`` bytes each (a world key; cubff's, and the
default, is 64); two programs meet on one tape of ``2 * program_size`` bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Bytes per program in cubff and in every world that does not say otherwise.
PROGRAM_SIZE = 64
#: Bytes per interaction tape at the default program size.
TAPE_SIZE = 2 * PROGRAM_SIZE
#: Program sizes a world may ask for (bytes).
MIN_PROGRAM_SIZE = 8
MAX_PROGRAM_SIZE = 256
#: The longest tape any soup uses (bytes).
MAX_TAPE_SIZE = 2 * MAX_PROGRAM_SIZE

#: uint8[N, program_size], program-major: a soup's bytes.
Programs = npt.NDArray[np.uint8]
#: uint8[2 * program_size]: one interaction tape.
Tape = npt.NDArray[np.uint8]

# Tracer tokens (alife.soup.tracer): bits 38-63 the creation epoch, 8-37 the soup position,
# 0-7 the value.
EPOCH_SHIFT = 38
POSITION_SHIFT = 8
POSITION_BITS = 30
EPOCH_BITS = 26
#: Largest soup (bytes) and epoch count a token can name.
MAX_POSITION = (1 << POSITION_BITS) - 1
MAX_EPOCH = (1 << EPOCH_BITS) - 1


def check_token_capacity(num_programs: int, epochs: int, program_size: int = 64) -> None:
    """Raise if a token cannot name every position of this soup or its last epoch."""
    from alife.errors import AlifeError

    if num_programs * program_size - 1 > MAX_POSITION:
        raise AlifeError(f"tracer_tokens: at most {(MAX_POSITION + 1) // program_size} programs "
                         f"of {program_size} bytes, got {num_programs}")
    if epochs > MAX_EPOCH:
        raise AlifeError(f"tracer_tokens: at most {MAX_EPOCH} epochs, got {epochs}")
