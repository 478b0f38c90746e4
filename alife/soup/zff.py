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

from alife.languages.i8080 import NUM_REGISTERS as I8080_REGISTERS
from alife.languages.i8080 import run_i8080
from alife.languages.z80 import NUM_REGISTERS, run_z80
from alife.rng import H, S, s_py

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
#: The CPUs a zff soup runs: zff's Z80 and our proposed 8080 soup (z80.md).
Z80, I8080 = 0, 1
CPUS = {"z80": Z80, "i8080": I8080}
STATE_INTS = max(NUM_REGISTERS, I8080_REGISTERS)


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
              states: np.ndarray, cpu: int = Z80) -> int:
    """Run each pair's 32-byte tape (cell i, then cell j) for 128 steps on a fresh CPU (``cpu``:
    :data:`Z80` or :data:`I8080`) and write it back; per-pair steps into ``ops``. ``tapes``
    (uint8[8192, 32]) and ``states`` (int64[8192, STATE_INTS]) are work arrays. Returns the
    total."""
    for k in prange(n):
        tape = tapes[k]
        i = pairs[k, 0] * CELL_BYTES
        j = pairs[k, 1] * CELL_BYTES
        for b in range(CELL_BYTES):
            tape[b] = soup[i + b]
            tape[CELL_BYTES + b] = soup[j + b]
        if cpu == Z80:
            ops[k] = run_z80(tape, STEPS, states[k])
        else:
            ops[k] = run_i8080(tape, STEPS, states[k])
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


@njit(inline="always", cache=True, nogil=True)
def key_draws(state: np.ndarray, hashed: bool, seed: np.uint64, batch: int, part: int) -> None:
    """Hash randomness: point ``state`` at batch ``batch``'s pairing (``part`` 1) or noise
    (``part`` 2) draws, ``H(S(2e + part) + a)``; zff's stream runs on untouched."""
    if hashed:
        state[0] = S(seed, np.uint64(2) * np.uint64(batch) + np.uint64(part))
        state[1] = np.uint64(1)


@njit(cache=True, nogil=True)
def run_batches(soup: np.ndarray, cpu: int, hashed: bool, seed: np.uint64, counter: np.uint64,
                first: int, batches: int, noise: float, pair_counts: np.ndarray,
                ops: np.ndarray, work_pairs: np.ndarray, used: np.ndarray,
                pair_ops: np.ndarray, tapes: np.ndarray, states: np.ndarray) -> np.uint64:
    """Batches ``first`` .. ``first + batches - 1`` in one call (z80.md, "One batch"): pairing,
    runs, write-back, noise. ``counter`` is the zff stream's ``x`` (``hashed``: unused; each
    batch keys its draws by ``S(2e + 1)`` and ``S(2e + 2)``). Pairs and ops of each batch go to
    ``pair_counts`` and ``ops``; returns the stream's ``x`` after the last draw."""
    state = np.empty(2, dtype=np.uint64)
    state[0] = counter
    state[1] = GOLDEN
    for b in range(batches):
        key_draws(state, hashed, seed, first + b, 1)
        n = draw_pairs(state, work_pairs, used)
        ops[b] = run_pairs(soup, work_pairs, n, pair_ops, tapes, states, cpu)
        key_draws(state, hashed, seed, first + b, 2)
        add_noise(soup, state, np.int64(n * noise))
        pair_counts[b] = n
    return state[0]


def stream_counter(seed: int, draws: int) -> np.uint64:
    """zff's ``x`` after ``draws`` draws of seed ``seed``'s stream: ``seed + draws * G``."""
    return np.uint64((int(initial_state(seed)) + draws * int(GOLDEN)) % 2**64)


def draws_between(start: np.uint64, end: np.uint64) -> int:
    """How many draws took the stream from ``start`` to ``end``."""
    return (int(end) - int(start)) * pow(int(GOLDEN), -1, 2**64) % 2**64


class BatchWork:
    """Work arrays for :func:`run_batches` (reused across calls)."""

    def __init__(self) -> None:
        self.pairs = np.empty((MAX_PAIRS, 2), dtype=np.int64)
        self.used = np.empty(CELLS, dtype=np.bool_)
        self.ops = np.empty(MAX_PAIRS, dtype=np.int64)
        self.tapes = np.empty((MAX_PAIRS, 2 * CELL_BYTES), dtype=np.uint8)
        self.states = np.empty((MAX_PAIRS, STATE_INTS), dtype=np.int64)

    def run(self, soup: np.ndarray, cpu: int, hashed: bool, seed: int, counter: np.uint64,
            first: int, batches: int, noise: float) -> tuple[np.uint64, np.ndarray, np.ndarray]:
        """:func:`run_batches` on ``soup``; (counter after, pairs per batch, ops per batch)."""
        pairs = np.zeros(batches, dtype=np.int64)
        ops = np.zeros(batches, dtype=np.int64)
        after = run_batches(soup, cpu, hashed, np.uint64(seed & (2**64 - 1)), np.uint64(counter),
                            first, batches, float(noise), pairs, ops, self.pairs, self.used,
                            self.ops, self.tapes, self.states)
        return after, pairs, ops


def hash_initial_counter(seed: int) -> np.uint64:
    """Hash randomness: initial byte ``b`` is ``H(640000 * S(0) + b)``."""
    return np.uint64((SOUP_BYTES * s_py(seed, 0)) % 2**64)


def initial_soup(seed: int, randomness: str) -> tuple[np.ndarray, np.uint64]:
    """The 640000 initial bytes of ``seed`` and the counter after them (zff: ``x``)."""
    state = np.array([initial_state(seed), GOLDEN], dtype=np.uint64) if randomness == "zff" \
        else np.array([hash_initial_counter(seed), 1], dtype=np.uint64)
    soup = np.empty(SOUP_BYTES, dtype=np.uint8)
    init_soup(soup, state)
    return soup, state[0]


@njit(cache=True, nogil=True)
def replay_counters(counter: np.uint64, noise: float, out: np.ndarray, pairs: np.ndarray,
                    used: np.ndarray) -> np.uint64:
    """zff randomness: the stream's ``x`` at the start of ``len(out)`` successive batches, the
    first starting at ``counter``, by replaying their pairing draws (no CPU runs) and skipping
    their noise draws. Returns ``x`` after the last."""
    state = np.empty(2, dtype=np.uint64)
    state[0] = counter
    state[1] = GOLDEN
    for b in range(out.shape[0]):
        out[b] = state[0]
        n = draw_pairs(state, pairs, used)
        state[0] += GOLDEN * np.uint64(np.int64(n * noise))
    return state[0]


class BatchPairs:
    """The pairs any batch of a zff soup formed, redrawn from its seed (z80.md, "One batch"):
    what lineage walks need, since pairings are not stored."""

    def __init__(self, seed: int, randomness: str, noise: float) -> None:
        self.seed = seed
        self.hashed = randomness == "hash"
        self.noise = noise
        self._pairs = np.empty((MAX_PAIRS, 2), dtype=np.int64)
        self._used = np.empty(CELLS, dtype=np.bool_)
        self._counters = np.empty(0, dtype=np.uint64)  # x at the start of batches 0, 1, ...
        self._next = stream_counter(seed, SOUP_BYTES) if not self.hashed else np.uint64(0)

    def _counter(self, batch: int) -> np.uint64:
        have = self._counters.shape[0]
        if batch >= have:
            more = np.empty(max(batch + 1 - have, have, 64), dtype=np.uint64)
            self._next = replay_counters(self._next, self.noise, more, self._pairs, self._used)
            self._counters = np.concatenate([self._counters, more])
        return self._counters[batch]

    def pairs(self, batch: int) -> np.ndarray:
        """int64[n, 2]: batch ``batch``'s pairs (i drawn, j its neighbour), in drawing order."""
        if self.hashed:
            state = np.array([s_py(self.seed, 2 * batch + 1), 1], dtype=np.uint64)
        else:
            state = np.array([self._counter(batch), GOLDEN], dtype=np.uint64)
        n = draw_pairs(state, self._pairs, self._used)
        return self._pairs[:n].copy()


class ZffSoup:
    """A zff soup: 640000 bytes, the draw counter, the batch count (our epoch)."""

    def __init__(self, seed: int, noise: float = 1 / 16, randomness: str = "zff",
                 cpu: int = Z80) -> None:
        if randomness not in RANDOMNESS:
            raise ValueError(f"randomness {randomness!r}: accepted {', '.join(RANDOMNESS)}")
        self.seed = seed
        self.randomness = randomness
        self.cpu = cpu
        self.soup, counter = initial_soup(seed, randomness)
        self.state = np.array([counter, GOLDEN], dtype=np.uint64)  #: zff: [x, G]
        self.noise = noise
        self.batch = 0
        self._work = BatchWork()

    def step(self) -> tuple[int, int]:
        """One batch; returns (pairs, ops)."""
        after, pairs, ops = self._work.run(self.soup, self.cpu, self.randomness == "hash",
                                           self.seed, self.state[0], self.batch, 1, self.noise)
        self.state[0] = after
        self.batch += 1
        return int(pairs[0]), int(ops[0])
