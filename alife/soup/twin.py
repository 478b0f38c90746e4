"""A slow, obviously-correct pure-Python soup (soup.md, steps 1-4), the epoch kernel's twin.

Well-mixed soups only (Fisher-Yates pairing), any program size: every draw is written out with
the Python hash functions of :mod:`alife.rng` and every tape runs in the language family's
pure-Python twin. For tests on small soups: the compiled kernel must give the same bytes and ops.
"""

from __future__ import annotations

import numpy as np

from alife.languages import get
from alife.rng import h_py, s_py

_M30 = (1 << 30) - 1


def initial_soup_py(num_programs: int, program_size: int, seed: int) -> np.ndarray:
    """Byte j of program i is ``H(P*N*S(0) + P*i + j) mod 256`` (soup.md, "Initial soup")."""
    n, p = num_programs, program_size
    base = p * n * s_py(seed, 0)
    return np.array([[h_py(base + p * i + j) % 256 for j in range(p)] for i in range(n)],
                    dtype=np.uint8)


def epoch_py(programs: np.ndarray, language: str, seed: int, epoch: int, mutation: int,
             limit: int) -> int:
    """Run epoch ``epoch`` on ``programs`` (uint8[N, P], in place); return its ops.

    ``mutation`` is the integer threshold ``round(p * 2^30)``.
    """
    lang = get(language)
    n, size = programs.shape
    width = 2 * size
    order = list(range(n))
    for i in range(n - 1, -1, -1):
        j = h_py(s_py(seed, epoch * n + i)) % (i + 1)
        order[i], order[j] = order[j], order[i]
    total = 0
    for k in range(n // 2):
        a, b = order[2 * k], order[2 * k + 1]
        tape = bytearray(programs[a].tobytes() + programs[b].tobytes())
        for t in range(width):
            r = h_py(((n * s_py(seed, epoch) + k) * width + t) % 2**64)
            if ((r >> 8) & _M30) < mutation:
                tape[t] = r & 0xFF
        total += lang.family.twin(language, tape, limit, list(range(width)), None)
        programs[a] = np.frombuffer(bytes(tape[:size]), dtype=np.uint8)
        programs[b] = np.frombuffer(bytes(tape[size:]), dtype=np.uint8)
    return total


__all__ = ["epoch_py", "initial_soup_py"]
