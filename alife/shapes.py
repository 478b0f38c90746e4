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
