"""MODES open-endedness metrics of a running soup (Dolson et al. 2019, "The MODES toolbox").

Online, with a persistence filter of ``t`` epochs: a species (the 64-bit hash of an exact program,
:func:`alife.measures.species.row_hashes`) is *persistent* at an observation at epoch tau if it
is present now and was present at the latest observation at or before tau - t. Until some
observation at or before tau - t exists, every metric is NaN; at the first observation that has
one, nothing counts as persistent before, so change = novelty = the persistent species. At each
observation:

* ``modes_change``: persistent species that were not persistent at the previous observation;
* ``modes_novelty``: persistent species never persistent at any earlier observation;
* ``modes_ecology``: Shannon entropy (bits) of the persistent species' current counts;
* ``modes_complexity``: the largest complexity (instruction bytes) of a persistent species,
  0 when none is persistent;
* ``modes_persistent``: the number of persistent species.

Sets are sorted uint64 arrays; only the observations still needed by the filter and the set of
species ever persistent are kept.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numba import njit, prange

from alife.errors import AlifeError
from alife.measures.diversity import _as_programs, instruction_mask
from alife.measures.species import row_hashes, species_counts

_NAN_RESULT = {"modes_change": math.nan, "modes_novelty": math.nan, "modes_ecology": math.nan,
               "modes_complexity": math.nan, "modes_persistent": math.nan}


@njit(parallel=True, cache=True)
def _count_instructions(programs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, w = programs.shape
    out = np.empty(n, dtype=np.int64)
    for i in prange(n):
        k = 0
        for j in range(w):
            k += mask[programs[i, j]]
        out[i] = k
    return out


def instruction_counts(programs: np.ndarray, language: str) -> np.ndarray:
    """Complexity of each program (int64[N]): its number of instruction bytes in ``language``."""
    return _count_instructions(_as_programs(programs), instruction_mask(language))


def modes_inputs(programs: np.ndarray, language: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hashes uint64[S], counts int64[S], complexity int64[S]) of a soup's exact species."""
    programs = _as_programs(programs)
    first, counts = species_counts(programs)
    reps = np.ascontiguousarray(programs[first])
    return row_hashes(reps), counts.astype(np.int64), instruction_counts(reps, language)


def _isin_sorted(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """bool[len(x)]: which of ``x`` occur in the sorted array ``ref``."""
    if len(ref) == 0:
        return np.zeros(len(x), dtype=np.bool_)
    i = np.searchsorted(ref, x)
    return ref[np.minimum(i, len(ref) - 1)] == x


class ModesTracker:
    """Online MODES change, novelty, ecology and complexity with a ``persistence``-epoch filter."""

    def __init__(self, persistence: int) -> None:
        if isinstance(persistence, bool) or not isinstance(persistence, (int, np.integer)) \
                or persistence < 0:
            raise AlifeError(f"persistence must be a non-negative number of epochs, "
                             f"got {persistence!r}")
        self.persistence = int(persistence)
        self._window: deque[tuple[int, np.ndarray]] = deque()  # (epoch, sorted present hashes)
        self._previous = np.empty(0, dtype=np.uint64)  # persistent at the previous observation
        self._ever = np.empty(0, dtype=np.uint64)  # persistent at any observation so far
        self.last_epoch: int | None = None

    @property
    def held_epochs(self) -> list[int]:
        """Epochs of the observations still held (the persistence window and its reference)."""
        return [e for e, _ in self._window]

    def update(self, epoch: int, hashes: np.ndarray, counts: np.ndarray,
               complexity: np.ndarray) -> dict[str, float]:
        """Add the observation at ``epoch`` (species hashes uint64[S], counts int64[S],
        complexity int64[S]); return its MODES metrics (NaN before ``persistence`` epochs)."""
        epoch = int(epoch)
        if self.last_epoch is not None and epoch <= self.last_epoch:
            raise AlifeError(f"MODES observations must have increasing epochs: got {epoch} "
                             f"after {self.last_epoch}")
        h = np.asarray(hashes, dtype=np.uint64).ravel()
        c = np.asarray(counts, dtype=np.int64).ravel()
        x = np.asarray(complexity, dtype=np.int64).ravel()
        if not len(h) == len(c) == len(x):
            raise AlifeError(f"hashes, counts and complexity must have one entry per species, "
                             f"got lengths {len(h)}, {len(c)}, {len(x)}")
        order = np.argsort(h, kind="stable")
        h, c, x = h[order], c[order], x[order]
        if len(h) > 1 and np.any(h[1:] == h[:-1]):  # repeated hashes: merge them
            starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
            h, c, x = h[starts], np.add.reduceat(c, starts), np.maximum.reduceat(x, starts)
        self.last_epoch = epoch
        self._window.append((epoch, h))
        # the reference is the latest observation at or before epoch - t; older ones are never
        # needed again, because later observations look back to later epochs
        cutoff = epoch - self.persistence
        while len(self._window) > 1 and self._window[1][0] <= cutoff:
            self._window.popleft()
        ref_epoch, ref = self._window[0]
        if ref_epoch > cutoff:
            return dict(_NAN_RESULT)
        persistent = _isin_sorted(h, ref)
        ph = h[persistent]
        change = int(np.count_nonzero(~_isin_sorted(ph, self._previous)))
        novel = ph[~_isin_sorted(ph, self._ever)]
        self._ever = np.insert(self._ever, np.searchsorted(self._ever, novel), novel)
        self._previous = ph
        pc = c[persistent]
        ecology = 0.0
        if pc.sum() > 0:
            p = pc[pc > 0] / pc.sum()
            ecology = float(-(p * np.log2(p)).sum())
        return {
            "modes_change": float(change),
            "modes_novelty": float(len(novel)),
            "modes_ecology": ecology,
            "modes_complexity": float(x[persistent].max()) if len(ph) else 0.0,
            "modes_persistent": float(len(ph)),
        }


def tracker_state(tracker: ModesTracker) -> np.ndarray:
    """The tracker's whole state as one flat uint64 array (stored in history checkpoints)."""
    parts = [np.array([0 if tracker.last_epoch is None else tracker.last_epoch + 1,
                       len(tracker._window)], dtype=np.uint64)]
    parts.append(np.array([v for e, h in tracker._window for v in (e, len(h))], dtype=np.uint64))
    parts += [h for _, h in tracker._window]
    for arr in (tracker._previous, tracker._ever):
        parts += [np.array([len(arr)], dtype=np.uint64), arr]
    return np.concatenate(parts).astype(np.uint64)


def tracker_from_state(persistence: int, state: np.ndarray) -> ModesTracker:
    """A tracker continuing from :func:`tracker_state` output (to resume a run exactly)."""
    tracker = ModesTracker(persistence)
    s = np.asarray(state, dtype=np.uint64)
    if len(s) == 0:
        return tracker
    last, nwin = int(s[0]), int(s[1])
    tracker.last_epoch = None if last == 0 else last - 1
    heads = s[2:2 + 2 * nwin].astype(np.int64).reshape(nwin, 2)
    pos = 2 + 2 * nwin
    for epoch, size in heads:
        tracker._window.append((int(epoch), s[pos:pos + size].copy()))
        pos += size
    size = int(s[pos])
    tracker._previous = s[pos + 1:pos + 1 + size].copy()
    pos += 1 + size
    size = int(s[pos])
    tracker._ever = s[pos + 1:pos + 1 + size].copy()
    return tracker
