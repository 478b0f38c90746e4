"""The Z80 soup of the zff demo, bit for bit (Agüera y Arcas et al. 2024, "Computational Life",
Fig. 12; shared/spec/z80.md, "One batch"): a 200 x 200 grid of 16-byte cells, von Neumann
neighbour pairs drawn from one sequential SplitMix64 stream, 32-byte tapes run for 128 Z80
steps, then soup-wide noise.

Only serial code draws random numbers (the pairing and the noise); the pairs, being disjoint,
run in parallel, so a run is a function of its seed whatever the thread count. Every draw is
``H(x)`` (soup.md's ``H``) of a counter ``x`` that then advances by a step:

- ``randomness = "zff"`` (the demo, bit for bit): one stream for the whole run, ``x`` starting
  at the 32-bit seed sign-extended and advancing by ``G = 0x9E3779B97F4A7C15``, so draw ``k``
  is ``H(seed + k * G)``;
- ``randomness = "hash"`` (our proposal, z80.md): the same algorithm and bit use, but each part
  keyed by soup.md's ``S``: initial byte ``b`` is ``H(640000 * S(0) + b)``, pairing draw ``a``
  of batch ``e`` is ``H(S(2e + 1) + a)`` and noise draw ``a`` is ``H(S(2e + 2) + a)``, so a run
  resumes from its seed, batch count and soup alone.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.languages.z80 import NUM_REGISTERS, run_z80
from alife.rng import H, s_py

WIDTH = 200
HEIGHT = 200
CELLS = WIDTH * HEIGHT
CELL_BYTES = 16
SOUP_BYTES = CELLS * CELL_BYTES
MAX_PAIRS = 8192
MAX_FAILS = 16
STEPS = 128
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
RANDOMNESS = ("zff", "hash")


def initial_state(seed: int) -> np.uint64:
    """zff's RNG state for ``seed`` (a 32-bit int, sign-extended to 64 bits)."""
    if not -2**31 <= seed < 2**31:
        raise ValueError(f"zff seeds are 32-bit ints, got {seed}")
    return np.uint64(seed & 0xFFFFFFFFFFFFFFFF)


@njit(inline="always", cache=True, nogil=True)
def _draw(state: np.ndarray) -> np.uint64:
    """``H(x)`` of the counter ``x = state[0]``, which then advances by ``state[1]``."""
    r = H(state[0])
    state[0] += state[1]
    return r


@njit(cache=True, nogil=True)
def init_soup(soup: np.ndarray, state: np.ndarray) -> None:
    """Fill ``soup`` (uint8[640000]) with the stream's first 640000 draws, one byte each."""
    for b in range(soup.shape[0]):
        soup[b] = _draw(state) & np.uint64(0xFF)


@njit(cache=True, nogil=True)
def draw_pairs(state: np.ndarray, pairs: np.ndarray, used: np.ndarray) -> int:
    """zff's ``prepare_batch``: up to 8192 disjoint neighbour pairs (i drawn, j its neighbour)
    into ``pairs`` (int64[8192, 2]); 16 failed draws in a row end it. Returns the pair count."""
    used[:] = False
    n = 0
    fails = 0
    while n < MAX_PAIRS and fails < MAX_FAILS:
        r = _draw(state)
        step = 1 if r & np.uint64(1) else -1
        horizontal = (r >> np.uint64(1)) & np.uint64(1)
        i = np.int64((r >> np.uint64(2)) % np.uint64(CELLS))
        if used[i]:
            fails += 1
            continue
        if horizontal:
            if i % WIDTH == 0:
                step = 1
            if (i + 1) % WIDTH == 0:
                step = -1
            j = i + step
        else:
            if i < WIDTH:
                step = 1
            if CELLS - i - 1 < WIDTH:
                step = -1
            j = i + step * WIDTH
        if used[j]:
            fails += 1
            continue
        used[i] = True
        used[j] = True
        pairs[n, 0] = i
        pairs[n, 1] = j
        n += 1
        fails = 0
    return n


@njit(cache=True, nogil=True, parallel=True)
def run_pairs(soup: np.ndarray, pairs: np.ndarray, n: int, ops: np.ndarray, tapes: np.ndarray,
              states: np.ndarray) -> int:
    """Run each pair's 32-byte tape (cell i, then cell j) for 128 steps on a fresh CPU and write
    it back; per-pair steps into ``ops``. ``tapes`` (uint8[8192, 32]) and ``states``
    (int64[8192, NUM_REGISTERS]) are work arrays. Returns the total."""
    for k in prange(n):
        tape = tapes[k]
        i = pairs[k, 0] * CELL_BYTES
        j = pairs[k, 1] * CELL_BYTES
        for b in range(CELL_BYTES):
            tape[b] = soup[i + b]
            tape[CELL_BYTES + b] = soup[j + b]
        ops[k] = run_z80(tape, STEPS, states[k])
        for b in range(CELL_BYTES):
            soup[i + b] = tape[b]
            soup[j + b] = tape[CELL_BYTES + b]
    total = 0
    for k in range(n):
        total += ops[k]
    return total


@njit(cache=True, nogil=True)
def add_noise(soup: np.ndarray, state: np.ndarray, count: int) -> None:
    """zff's ``mutate``: ``count`` draws, each writing its low byte at (draw >> 8) mod size."""
    size = np.uint64(soup.shape[0])
    for _ in range(count):
        r = _draw(state)
        soup[np.int64((r >> np.uint64(8)) % size)] = r & np.uint64(0xFF)


def noise_writes(pairs: int, noise: float) -> int:
    """Noise writes of a batch: ``floor(pairs * noise)``, as zff passes it to wasm (i32)."""
    return int(pairs * noise)


class ZffSoup:
    """A zff soup: 640000 bytes, the draw counter, the batch count (our epoch)."""

    def __init__(self, seed: int, noise: float = 1 / 16, randomness: str = "zff") -> None:
        if randomness not in RANDOMNESS:
            raise ValueError(f"randomness {randomness!r}: accepted {', '.join(RANDOMNESS)}")
        self.seed = seed
        self.randomness = randomness
        if randomness == "zff":
            self.state = np.array([initial_state(seed), GOLDEN], dtype=np.uint64)
        else:
            self.state = self._keyed(0)
            self.state[0] = np.uint64((SOUP_BYTES * int(self.state[0])) % 2**64)
        self.soup = np.empty(SOUP_BYTES, dtype=np.uint8)
        init_soup(self.soup, self.state)
        self.noise = noise
        self.batch = 0
        self._pairs = np.empty((MAX_PAIRS, 2), dtype=np.int64)
        self._used = np.empty(CELLS, dtype=np.bool_)
        self._ops = np.empty(MAX_PAIRS, dtype=np.int64)
        self._tapes = np.empty((MAX_PAIRS, 2 * CELL_BYTES), dtype=np.uint8)
        self._states = np.empty((MAX_PAIRS, NUM_REGISTERS), dtype=np.int64)

    def _keyed(self, k: int) -> np.ndarray:
        """A counter at ``S(k)`` stepping by 1 (hash randomness)."""
        return np.array([s_py(self.seed, k), 1], dtype=np.uint64)

    def step(self) -> tuple[int, int]:
        """One batch; returns (pairs, ops)."""
        hashed = self.randomness == "hash"
        e = self.batch
        n = draw_pairs(self._keyed(2 * e + 1) if hashed else self.state, self._pairs,
                       self._used)
        ops = run_pairs(self.soup, self._pairs, n, self._ops, self._tapes, self._states)
        add_noise(self.soup, self._keyed(2 * e + 2) if hashed else self.state,
                  noise_writes(n, self.noise))
        self.batch += 1
        return n, int(ops)
