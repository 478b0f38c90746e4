"""Soups of self-applying networks, run by the program soup's machinery (Gabor, Illium et al. 2019).

A neural soup holds N weightwise particles (:mod:`alife.particles.kernel`). Each generation is
one epoch of the program soup's schedule: the same hash-keyed Fisher-Yates pairing (or the 2-D
grid's spatial pairing), then, for every pair (a, b) in parallel:

1. with probability ``attack_rate`` a attacks b (b's weights become ``f_a(b)``), then b may
   attack a the same way;
2. with probability ``learn_rate`` a learns from b (``learn_steps`` SGD steps fitting b's
   weights), then b may learn from a;
3. both self-train for ``train_steps`` SGD steps (lr ``learning_rate``, ``momentum``, a fresh
   momentum buffer each generation);
4. both receive Gaussian noise of standard deviation ``noise`` (when > 0);
5. with ``replace_dead``, a divergent (NaN/inf) or zero particle is replaced by a new random one.

Every draw is a hash of (seed, stream, generation, index), so a soup's weights after generation
g are the same with any thread count and across stop/resume. Weights are float32, 16 per row
(14 used, 2 zero): a row is 64 bytes, so a neural soup is stored in histories, snapshots and
checkpoints exactly as a program soup is (``rows`` is a uint8 view of the weights).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from alife.errors import AlifeError
from alife.particles.kernel import (
    CLASS_NAMES,
    DIVERGENT,
    FIXPOINT,
    GLOROT_WEIGHTWISE,
    OTHER,
    SECOND_ORDER,
    STREAM_ATTACK,
    STREAM_INIT,
    STREAM_LEARN,
    STREAM_NOISE,
    ZERO,
    _dead_class,
    classify_one,
    normal,
    unit,
    ww_apply,
    ww_train,
)
from alife.soup.pairing import epoch_pairs
from alife.soup.spatial import partner_lists
from alife.world import World, make_world

ROW = 16  #: float32 slots per particle row (64 bytes)
BLOCK = 64  #: pairs (or particles) per parallel work item, sharing one scratch allocation
NW = 14  #: weights of a weightwise particle
#: Per-generation counters kept by the kernel.
COUNTERS = ("attacks", "learn_events", "sgd_steps", "replaced")


@njit(inline="always", cache=True, nogil=True)
def _load(rows: np.ndarray, i: int, w: np.ndarray) -> None:
    for m in range(NW):
        w[m] = rows[i, m]


@njit(inline="always", cache=True, nogil=True)
def _store(rows: np.ndarray, i: int, w: np.ndarray) -> None:
    for m in range(NW):
        rows[i, m] = np.float32(w[m])


@njit(inline="always", cache=True, nogil=True)
def _new_particle(w: np.ndarray, seed: np.uint64, generation: int, index: int) -> None:
    """Glorot-uniform weights of particle ``index`` born at ``generation`` (0: the initial soup)."""
    for m in range(NW):
        u = unit(seed, STREAM_INIT, generation, index * 32 + m)
        w[m] = (2.0 * u - 1.0) * GLOROT_WEIGHTWISE[m]


@njit(parallel=True, cache=True, nogil=True)
def init_particles(rows: np.ndarray, seed: np.uint64) -> None:
    """The initial soup: particle i gets generation-0 Glorot-uniform weights; slots 14, 15 zero."""
    for i in prange(rows.shape[0]):
        w = np.empty(NW)
        _new_particle(w, seed, 0, i)
        _store(rows, i, w)
        rows[i, 14] = 0.0
        rows[i, 15] = 0.0


@njit(parallel=True, cache=True, nogil=True)
def generation_pairs(rows: np.ndarray, pairs: np.ndarray, executed: int, seed: np.uint64,
                     e: int, attack_rate: float, learn_rate: float, learn_steps: int,
                     train_steps: int, lr: float, momentum: float, noise: float,
                     replace: bool, eps: float, counts: np.ndarray) -> None:
    """One generation (steps 1-5 of the module docstring) for every pair, in parallel.

    ``pairs`` is flat (pair k = pairs[2k], pairs[2k+1]); pairs at k >= ``executed`` (spatial
    soups' leftovers) do not interact but still train, get noise and may be replaced.
    ``counts[k]`` receives pair k's COUNTERS.
    """
    npairs = rows.shape[0] // 2
    nblocks = (npairs + BLOCK - 1) // BLOCK
    for blk in prange(nblocks):
        scratch = np.empty((6, NW))  # one allocation per block of pairs, not per pair
        v = np.empty(4)
        wa, wb, tmp, data, buf, grad = (scratch[0], scratch[1], scratch[2], scratch[3],
                                        scratch[4], scratch[5])
        for k in range(blk * BLOCK, min(npairs, (blk + 1) * BLOCK)):
            a = pairs[2 * k]
            b = pairs[2 * k + 1]
            _load(rows, a, wa)
            _load(rows, b, wb)
            attacks = 0
            learns = 0
            steps = 0
            if k < executed:
                # a acts on b, then b (as it now is) on a: draws 2k and 2k + 1
                for turn in range(2):  # scratch rows 0, 1 hold a, b: turn t acts on row 1 - t
                    if attack_rate > 0.0 and unit(seed, STREAM_ATTACK, e, 2 * k + turn) \
                            < attack_rate:
                        ww_apply(scratch[turn], scratch[1 - turn], tmp, v)
                        scratch[1 - turn, :] = tmp
                        attacks += 1
                for turn in range(2):  # row t learns from row 1 - t
                    if learn_rate > 0.0 and unit(seed, STREAM_LEARN, e, 2 * k + turn) \
                            < learn_rate:
                        data[:] = scratch[1 - turn]
                        ww_train(scratch[turn], data, learn_steps, lr, momentum, False, buf, v,
                                 grad)
                        learns += 1
                        steps += learn_steps
            if train_steps > 0:
                ww_train(wa, data, train_steps, lr, momentum, True, buf, v, grad)
                ww_train(wb, data, train_steps, lr, momentum, True, buf, v, grad)
                steps += 2 * train_steps
            if noise > 0.0:
                for m in range(NW):
                    wa[m] += noise * normal(seed, STREAM_NOISE, e, a * 32 + m)
                    wb[m] += noise * normal(seed, STREAM_NOISE, e, b * 32 + m)
            _store(rows, a, wa)
            _store(rows, b, wb)
            replaced = 0
            if replace:  # judged on the stored float32 weights
                for turn in range(2):
                    p = a if turn == 0 else b
                    _load(rows, p, scratch[turn])
                    if _dead_class(scratch[turn], eps) >= 0:
                        _new_particle(scratch[turn], seed, e + 1, p)
                        _store(rows, p, scratch[turn])
                        replaced += 1
            counts[k, 0] = attacks
            counts[k, 1] = learns
            counts[k, 2] = steps
            counts[k, 3] = replaced


@njit(cache=True, nogil=True)
def run_generations(rows: np.ndarray, seed: np.uint64, first: int, n_gen: int,
                    offsets: np.ndarray, partners: np.ndarray, attack_rate: float,
                    learn_rate: float, learn_steps: int, train_steps: int, lr: float,
                    momentum: float, noise: float, replace: bool, eps: float,
                    out: np.ndarray) -> None:
    """Generations ``first .. first + n_gen - 1``; ``out[d]`` receives generation d's COUNTERS."""
    n = rows.shape[0]
    order = np.empty(n, dtype=np.int64)
    draws = np.empty(n, dtype=np.int64)
    pairs = np.empty(n, dtype=np.int64)
    used = np.empty(n, dtype=np.bool_)
    counts = np.zeros((n // 2, 4), dtype=np.int64)
    for d in range(n_gen):
        e = first + d
        chosen, executed = epoch_pairs(n, seed, e, offsets, partners, order, draws, pairs, used)
        generation_pairs(rows, chosen, executed, seed, e, attack_rate, learn_rate, learn_steps,
                         train_steps, lr, momentum, noise, replace, eps, counts)
        for c in range(4):
            out[d, c] = counts[:, c].sum()


@njit(parallel=True, cache=True, nogil=True)
def classify_rows(rows: np.ndarray, eps: float, out: np.ndarray) -> None:
    """Fixpoint class of every particle row (float32 weights, judged in float64)."""
    n = rows.shape[0]
    for blk in prange((n + BLOCK - 1) // BLOCK):
        scratch = np.empty((3, NW))
        v = np.empty(4)
        for i in range(blk * BLOCK, min(n, (blk + 1) * BLOCK)):
            _load(rows, i, scratch[0])
            out[i] = classify_one(scratch[0], eps, scratch[1], scratch[2], v)


class ParticleSoup:
    """A soup of N weightwise particles (implements the soup protocol, alife.run.protocol)."""

    exact_species = False  #: species are fixpoint classes, not exact programs

    def __init__(self, world: World | None = None, /, **keys: Any) -> None:
        if world is None:
            world = make_world({"kind": "neural", **keys})
        elif keys:
            world = world.replace(**keys)
        if world.kind != "neural":
            raise AlifeError(f"ParticleSoup needs a world with kind = 'neural', got {world.kind!r}")
        self.world = world
        n = world.num_programs
        self.weights = np.zeros((n, ROW), dtype=np.float32)  #: float32[N, 16], 14 used per row
        init_particles(self.weights, np.uint64(world.seed))
        self.epoch = 0  #: generations completed
        self.total_ops = 0  #: SGD steps and attacks so far
        self.last_counts = dict.fromkeys(COUNTERS, 0)
        self._classes_epoch: int | None = None
        self._classes = np.zeros(0, dtype=np.int8)
        self._offsets, self._partners = partner_lists(world)

    @property
    def rows(self) -> np.ndarray:
        """The weights as bytes, ``uint8[N, 64]`` (the same memory): what histories store."""
        return self.weights.view(np.uint8)

    def saved(self) -> dict[str, Any]:
        """What a checkpoint stores to resume bit-exactly (the soup protocol; no reset counter,
        so the history format's ``reset_index`` is stored as 1, its starting value)."""
        return {"epoch": self.epoch, "reset_index": 1, "programs": self.rows,
                "total_ops": self.total_ops, "tokens": None}

    def restore(self, state: Any) -> None:
        """Continue from ``state`` (epoch, programs as weight bytes, total_ops)."""
        if state.programs.shape != self.rows.shape:
            raise AlifeError(f"the saved soup holds {state.programs.shape[0]} particles but the "
                             f"world has num_programs = {self.world.num_programs}")
        self.rows[:] = state.programs
        self.epoch = state.epoch
        self.total_ops = state.total_ops
        self._classes_epoch = None

    def run(self, epochs: int = 1, threads: int | None = None) -> ParticleSoup:
        """Advance ``epochs`` generations in one compiled call (GIL released); return ``self``."""
        from alife.soup.soup import begin_run

        if not begin_run(epochs, threads):
            return self
        w = self.world
        out = np.zeros((epochs, len(COUNTERS)), dtype=np.int64)
        run_generations(self.weights, np.uint64(w.seed), self.epoch, epochs, self._offsets,
                        self._partners, w.attack_rate, w.learn_rate, w.learn_steps,
                        w.train_steps, w.learning_rate, w.momentum, w.noise, w.replace_dead,
                        w.epsilon, out)
        self.epoch += epochs
        self._classes_epoch = None
        self.total_ops += int(out[:, 0].sum() + out[:, 2].sum())
        self.last_counts = {name: int(out[-1, c]) for c, name in enumerate(COUNTERS)}
        return self

    def classes(self) -> np.ndarray:
        """Fixpoint class of every particle (``alife.particles.kernel.CLASS_NAMES``), cached."""
        if self._classes_epoch != self.epoch:
            self._classes = np.empty(len(self.weights), dtype=np.int8)
            classify_rows(self.weights, self.world.epsilon, self._classes)
            self._classes_epoch = self.epoch
        return self._classes

    def census(self) -> dict[str, int]:
        """Particles per fixpoint class."""
        counts = np.bincount(self.classes(), minlength=len(CLASS_NAMES))
        return {name: int(c) for name, c in zip(CLASS_NAMES, counts, strict=True)}

    def metrics(self, score_sample: int | None = -1) -> dict[str, float]:
        """The census (counts per class, share of non-zero fixpoints), the last generation's
        attacks, learn events, SGD steps and replacements, and the mean |weight| of live ones."""
        m: dict[str, float] = {"epoch": self.epoch}
        census = self.census()
        for name, count in census.items():
            m[f"census_{name}"] = count
        n = len(self.weights)
        m["fixpoint_fraction"] = census["fixpoint"] / n
        for name, value in self.last_counts.items():
            m[name] = value
        m["total_ops"] = self.total_ops
        live = self.classes() != DIVERGENT
        w = self.weights[live, :NW]
        m["mean_abs_weight"] = float(np.abs(w).mean()) if len(w) else float("nan")
        return m

    def status_fields(self, m: dict[str, Any]) -> dict[str, str]:
        """Short progress-bar fields of a report."""
        return {"fix": f"{m['fixpoint_fraction']:.3f}", "other": f"{m['census_other']:.0f}",
                "repl": f"{m['replaced']:.0f}"}

    def species(self) -> tuple[np.ndarray, np.ndarray]:
        """(first index, count) of each fixpoint class present (particles have no exact species)."""
        classes = self.classes()
        counts = np.bincount(classes, minlength=len(CLASS_NAMES))
        present = np.flatnonzero(counts)
        first = np.array([int(np.argmax(classes == c)) for c in present], dtype=np.int64)
        return first, counts[present].astype(np.int64)

    def most_common(self, k: int = 5) -> list[tuple[bytes, int]]:
        """One representative particle row (bytes) per class, most common class first."""
        first, counts = self.species()
        top = np.argsort(-counts, kind="stable")[:k]
        return [(self.rows[first[i]].tobytes(), int(counts[i])) for i in top]

    def top_rows(self, k: int) -> list[dict[str, Any]]:
        """One representative particle per fixpoint class: count, class, index and weights."""
        first, counts = self.species()
        classes = self.classes()
        rows = []
        for i in np.argsort(-counts, kind="stable")[:k]:
            p = int(first[i])
            rows.append({"count": int(counts[i]), "class": CLASS_NAMES[int(classes[p])],
                         "index": p, "weights": self.weights[p, :NW].tolist()})
        return rows

    def describe(self) -> str:
        """One line saying what the soup is."""
        w = self.world
        grid = f", grid {list(w.grid)}" if w.grid else ""
        return (f"neural soup, {w.num_programs} weightwise particles{grid}, seed {w.seed}, "
                f"attack {w.attack_rate:g}, learn-from {w.learn_rate:g}, {w.train_steps} "
                "self-training steps")

    def summary_lines(self, final: dict[str, Any], epochs_per_s: float,
                      transition_epoch: int | None) -> list[str]:
        """The end-of-run summary: census per fixpoint class, throughput, last generation."""
        f, n = final, self.world.num_programs
        census = "  ".join(f"{name} {int(f[f'census_{name}'])}" for name in
                           ("fixpoint", "second_order", "other", "zero", "divergent"))
        return [f"  census          {census}  (non-zero fixpoints {f['fixpoint_fraction']:.1%})",
                f"  throughput      {epochs_per_s * n:,.0f} particle-generations/s "
                f"({epochs_per_s:.2f} generations/s of {n} particles, reports included)",
                f"  last generation {int(f['attacks'])} attacks, {int(f['learn_events'])} "
                f"learn-from, {int(f['sgd_steps'])} SGD steps, {int(f['replaced'])} dead "
                f"replaced; mean |w| {f['mean_abs_weight']:.4f}"]

    def top_lines(self, top: list[dict[str, Any]]) -> list[str]:
        """A heading and one line per :meth:`top_rows` entry."""
        lines = ["one particle per class (count, class, weights):"]
        for t in top:
            weights = " ".join(f"{x:+.3f}" for x in t["weights"])
            lines.append(f"  {t['count']:>7}  {t['class']:<12}  {weights}")
        return lines

    def __repr__(self) -> str:
        w = self.world
        return f"ParticleSoup(num_programs={w.num_programs}, seed={w.seed}, epoch={self.epoch})"


__all__ = ["ParticleSoup", "CLASS_NAMES", "FIXPOINT", "ZERO", "SECOND_ORDER", "OTHER",
           "run_generations", "classify_rows", "init_particles"]
