"""Population diversity of a soup (analysis.md, "Population diversity"; Hill 1973; Jost 2006).

Species counts n_s, N = sum n_s, p_s = n_s / N. The species key is a parameter and is always
recorded with the values: ``exact`` (identical bytes), ``skeleton`` (the instruction bytes
only, in order, per language) or ``hamming`` (greedy clusters of exact species within a Hamming
radius, found with the pigeonhole trick instead of all pairs).

>>> diversity([2, 1, 1])["shannon_bits"]
1.5
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from alife.errors import AlifeError
from alife.languages import get
from alife.measures.species import row_hashes
from alife.rng import H

SPECIES_KEYS = ("exact", "skeleton", "hamming")


# ---------------------------------------------------------------- diversity of species counts


def _probabilities(counts: np.ndarray | list) -> np.ndarray:
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or not np.all(np.isfinite(c)) or np.any(c < 0) or c.sum() <= 0:
        raise AlifeError("species counts must be a 1-D array of finite non-negative numbers "
                         f"with a positive total, got {np.asarray(counts)!r:.80}")
    c = c[c > 0]
    return c / c.sum()


def _shannon_bits(p: np.ndarray) -> float:
    return float(-(p * np.log2(p)).sum())


def _hill(p: np.ndarray, q: float) -> float:
    if q == 1.0:
        return float(2.0 ** _shannon_bits(p))
    if math.isinf(q):
        return float(1.0 / p.max()) if q > 0 else float(1.0 / p.min())
    # log-sum-exp of q ln p, so large |q| neither overflows nor underflows
    a = q * np.log(p)
    m = a.max()
    return float(np.exp((m + np.log(np.exp(a - m).sum())) / (1.0 - q)))


def hill_number(counts: np.ndarray | list, q: float) -> float:
    """Hill number D_q = (sum p^q)^(1/(1-q)) of species counts; D_1 = 2^H, D_inf = 1/max p."""
    return _hill(_probabilities(counts), float(q))


def hill_profile(counts: np.ndarray | list, qs: np.ndarray | list) -> np.ndarray:
    """Hill numbers D_q (float64[len(qs)]) at every order in ``qs``; non-increasing in q."""
    p = _probabilities(counts)
    return np.array([_hill(p, float(q)) for q in np.asarray(qs, dtype=np.float64).ravel()])


def diversity(counts: np.ndarray | list) -> dict[str, float]:
    """Richness, Shannon (bits), Gini–Simpson, Hill 0/1/2, Berger–Parker and evenness of counts.

    Zero counts are ignored. Evenness is H / log2 S, and 1.0 when S = 1 (a lone species is
    trivially evenly spread; this keeps time series free of NaN).
    """
    p = _probabilities(counts)
    s = len(p)
    h = _shannon_bits(p)
    simpson = float((p * p).sum())
    return {
        "richness": float(s),
        "shannon_bits": h,
        "gini_simpson": 1.0 - simpson,
        "hill_0": float(s),
        "hill_1": float(2.0 ** h),
        "hill_2": 1.0 / simpson,
        "berger_parker": float(p.max()),
        "evenness": h / math.log2(s) if s > 1 else 1.0,
    }


# ---------------------------------------------------------------- instruction bytes per language


def instruction_mask(language: str) -> np.ndarray:
    """bool[256]: True for the byte values that are instructions of ``language``.

    Each family declares it: BFF and Forth, every byte whose op is not the no-op (the BFF
    loop-zero byte is data); SUBLEQ and RSUBLEQ4, every byte, since all of a program is operands.
    """
    return np.asarray(get(language).instructions(), dtype=np.bool_)


@njit(parallel=True, cache=True)
def _skeleton_rows(programs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, w = programs.shape
    # compacted instruction bytes, then the skeleton length (two bytes), zero padded to words
    out = np.zeros((n, w + 8), dtype=np.uint8)
    for i in prange(n):
        k = 0
        for j in range(w):
            b = programs[i, j]
            if mask[b]:
                out[i, k] = b
                k += 1
        out[i, w] = k & 255
        out[i, w + 1] = k >> 8
    return out


def skeletons(programs: np.ndarray, language: str) -> tuple[np.ndarray, np.ndarray]:
    """Instruction skeletons: (uint8[N, P] instruction bytes moved to the front, zero padded;
    int64[N] skeleton lengths)."""
    progs = _as_programs(programs)
    size = progs.shape[1]
    rows = _skeleton_rows(progs, instruction_mask(language))
    lengths = rows[:, size].astype(np.int64) + 256 * rows[:, size + 1].astype(np.int64)
    return rows[:, :size].copy(), lengths


# ---------------------------------------------------------------- exact grouping of rows


def _as_programs(programs: np.ndarray) -> np.ndarray:
    p = np.ascontiguousarray(programs, dtype=np.uint8)
    if p.ndim != 2 or p.shape[1] < 8 or p.shape[1] % 8:
        raise AlifeError(f"programs must be an N x P uint8 array with P a multiple of 8, got "
                         f"shape {p.shape}")
    return p


@njit(cache=True)
def _sorted_groups_pure(rows: np.ndarray, order: np.ndarray, sorted_hashes: np.ndarray) -> bool:
    for t in range(1, len(order)):
        if sorted_hashes[t] == sorted_hashes[t - 1]:
            a = order[t - 1]
            b = order[t]
            for j in range(rows.shape[1]):
                if rows[a, j] != rows[b, j]:
                    return False
    return True


def _group_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels int64[N], first index int64[S], counts int64[S]) of identical rows, species
    numbered in order of first appearance (rows: uint8[N, 8k], C-contiguous)."""
    n = len(rows)
    if n == 0:
        e = np.empty(0, dtype=np.int64)
        return e, e.copy(), e.copy()
    h = row_hashes(rows)
    order = np.argsort(h, kind="stable")
    sh = h[order]
    new = np.r_[True, sh[1:] != sh[:-1]]
    if _sorted_groups_pure(rows, order, sh):
        starts = np.flatnonzero(new)
        first = order[starts]
        counts = np.diff(np.r_[starts, n])
        group = np.empty(n, dtype=np.int64)
        group[order] = np.cumsum(new) - 1
    else:  # a 64-bit hash collision: group the rows exactly
        void = rows.view(np.dtype((np.void, rows.shape[1]))).ravel()
        _, first, group, counts = np.unique(void, return_index=True, return_inverse=True,
                                            return_counts=True)
        group = group.ravel()
    by_first = np.argsort(first, kind="stable")
    rank = np.empty(len(first), dtype=np.int64)
    rank[by_first] = np.arange(len(first))
    return rank[group], first[by_first].astype(np.int64), counts[by_first].astype(np.int64)


# ---------------------------------------------------------------- Hamming-radius clusters


def _block_bounds(radius: int, size: int) -> np.ndarray:
    """Bounds of the radius + 1 disjoint blocks that split a program of ``size`` bytes
    (pigeonhole principle)."""
    b = radius + 1
    return np.array([(size * i) // b for i in range(b + 1)], dtype=np.int64)


_LOW_BITS = np.uint64(0x0101010101010101)


@njit(cache=True)
def _within(a: np.ndarray, b: np.ndarray, radius: int) -> bool:
    """Hamming distance (in bytes) of two programs viewed as uint64 words is <= radius."""
    d = 0
    for w in range(a.shape[0]):
        x = a[w] ^ b[w]
        if x:
            x |= x >> np.uint64(1)
            x |= x >> np.uint64(2)
            x |= x >> np.uint64(4)
            d += np.int64(((x & _LOW_BITS) * _LOW_BITS) >> np.uint64(56))
            if d > radius:
                return False
    return True


@njit(cache=True)
def _greedy_hamming(reps: np.ndarray, order: np.ndarray, radius: int,
                    bounds: np.ndarray) -> np.ndarray:
    """Cluster number (in order of creation) of every row of ``reps``, visiting ``order``."""
    s_total = reps.shape[0]
    nb = len(bounds) - 1
    size = 1
    while size < 2 * s_total:
        size *= 2
    mask = np.uint64(size - 1)
    # per block: hash buckets chaining the leaders (by leader number, ascending) whose block
    # hashes into the bucket; any leader within the radius shares at least one whole block
    head = np.full((nb, size), -1, dtype=np.int32)
    tail = np.full((nb, size), -1, dtype=np.int32)
    nxt = np.full((nb, s_total), -1, dtype=np.int32)
    leader_row = np.empty(s_total, dtype=np.int64)
    cluster = np.empty(s_total, dtype=np.int64)
    bucket = np.empty(nb, dtype=np.int64)
    seen = np.full(s_total, -1, dtype=np.int64)  # the last species that verified each leader
    words = reps.view(np.uint64)
    n_leaders = 0
    for o in range(s_total):
        s = order[o]
        best = n_leaders
        for b in range(nb):
            h = H(np.uint64(b))
            for j in range(bounds[b], bounds[b + 1]):
                h = H(h ^ np.uint64(reps[s, j]))
            k = np.int64(h & mask)
            bucket[b] = k
            c = head[b, k]
            while c != -1 and c < best:
                if seen[c] != s:
                    seen[c] = s
                    if _within(words[s], words[leader_row[c]], radius):
                        best = c
                        break
                c = nxt[b, c]
        if best < n_leaders:
            cluster[s] = best
            continue
        leader_row[n_leaders] = s
        cluster[s] = n_leaders
        for b in range(nb):
            k = bucket[b]
            if head[b, k] == -1:
                head[b, k] = n_leaders
            else:
                nxt[b, tail[b, k]] = n_leaders
            tail[b, k] = n_leaders
        n_leaders += 1
    return cluster


def hamming_clusters(reps: np.ndarray, counts: np.ndarray, radius: int) -> np.ndarray:
    """Greedy Hamming-radius cluster (int64[S], numbered by first row) of each species.

    ``reps`` (uint8[S, P]) are distinct programs in order of first appearance with ``counts``.
    Species are visited by descending count (ties: first in soup); each joins the earliest
    created leader within Hamming distance <= ``radius``, else becomes a new leader. Candidate
    leaders come from exact matches on one of radius + 1 disjoint blocks (pigeonhole), and the
    distance is verified, so the result equals the all-pairs greedy algorithm.
    """
    reps = _as_programs(reps)
    size = reps.shape[1]
    if isinstance(radius, bool) or not isinstance(radius, (int, np.integer)) \
            or not 0 <= radius < size:
        raise AlifeError(f"Hamming radius must be an integer in 0..{size - 1}, got {radius!r}")
    if len(reps) != len(counts):
        raise AlifeError(f"one count per species is needed, got {len(counts)} counts for "
                         f"{len(reps)} programs")
    if len(reps) == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(-np.asarray(counts, dtype=np.int64), kind="stable")
    created = _greedy_hamming(reps, order, int(radius), _block_bounds(int(radius), size))
    # renumber clusters by their first species (species are in order of first appearance)
    first_species = np.full(created.max() + 1, len(created), dtype=np.int64)
    np.minimum.at(first_species, created, np.arange(len(created)))
    rank = np.empty(len(first_species), dtype=np.int64)
    rank[np.argsort(first_species, kind="stable")] = np.arange(len(first_species))
    return rank[created]


# ---------------------------------------------------------------- species keys


def species_key_name(key: str, radius: int = 2) -> str:
    """The recorded name of a species key: ``exact``, ``skeleton`` or ``hamming<radius>``."""
    _check_key(key)
    return f"hamming{radius}" if key == "hamming" else key


def _check_key(key: str) -> None:
    if key not in SPECIES_KEYS:
        raise AlifeError(f"unknown species key {key!r}; accepted: {', '.join(SPECIES_KEYS)}")


def species_labels(programs: np.ndarray, key: str = "exact", language: str = "bff_noheads",
                   radius: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(labels int64[N], counts int64[S]): the species of every program under ``key``,
    species numbered in order of first appearance in the soup.

    ``exact``: identical 64 bytes; ``skeleton``: identical instruction bytes in order (no-op
    bytes removed, per ``language``); ``hamming``: :func:`hamming_clusters` of exact species.
    """
    _check_key(key)
    programs = _as_programs(programs)
    if key == "skeleton":
        labels, _, counts = _group_rows(_skeleton_rows(programs, instruction_mask(language)))
        return labels, counts
    labels, first, counts = _group_rows(programs)
    if key == "exact":
        return labels, counts
    cluster = hamming_clusters(programs[first], counts, radius)
    labels = cluster[labels]
    return labels, np.bincount(labels, minlength=cluster.max() + 1 if len(cluster) else 0)


def soup_diversity(programs: np.ndarray, language: str = "bff_noheads", key: str = "exact",
                   radius: int = 2) -> dict[str, float]:
    """:func:`diversity` of a soup's species under ``key``, each name prefixed with the key
    (``exact_shannon_bits``, ``skeleton_richness``, ``hamming2_hill_2``, ...)."""
    name = species_key_name(key, radius)
    _, counts = species_labels(programs, key, language, radius)
    return {f"{name}_{k}": v for k, v in diversity(counts).items()}
