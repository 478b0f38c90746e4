"""Lineages from tracer tokens: parents, ancestries and pruned phylogenies (analysis.md, Lineage).

The parent of an output half is the input program that contributed most of its bytes (by tracer
token; ties stay with the program itself). A ``lineage`` world records, per epoch, one bit per
program: set when its parent was its partner (a *birth*: the program now carries a copy of the
partner's lineage). Pairings are not stored: they are recomputed from the world's seed, exactly
as the soup drew them (soup.md). Taxa are the contents of one program position between births,
so the phylogeny is the asexual tree of births (ALife Data Standards, "phylogeny" CSV).

Pure functions on arrays: lineage bits come in as rows of (epoch, uint8[N]), newest first
(:func:`alife.run.lineage.lineage_rows` reads them from a history; the CSV export is
:func:`alife.run.lineage.write_phylogeny_csv`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numba import njit

from alife.errors import AlifeError
from alife.soup.pairing import epoch_pairs, pairing_code
from alife.soup.spatial import grid_partners, read_pattern
from alife.soup.zff import BatchPairs
from alife.world import World

Rows = Iterable[tuple[int, np.ndarray]]  # (epoch, lineage bits uint8[N]), newest first


class Pairings:
    """Recomputes the pairs a world's soup formed in any epoch (soup.md, steps 1 and spatial)."""

    def __init__(self, world: World) -> None:
        self.world = world
        n = world.num_programs
        self.seed = np.uint64(world.seed)
        spec = world.soup
        self._batches = BatchPairs(world.seed, spec.zff_randomness, spec.zff_noise) \
            if spec.zff else None
        if world.grid is not None:
            self.offsets, self.partners = grid_partners(*world.grid)
        elif world.pattern is not None:
            self.offsets, self.partners = read_pattern(world.pattern, n)
        else:
            self.offsets = self.partners = np.empty(0, dtype=np.int64)
        self._order = np.empty(n, dtype=np.int64)
        self._draws = np.empty(n, dtype=np.int64)
        self._pairs = np.empty(n, dtype=np.int64)
        self._used = np.empty(n, dtype=np.bool_)

    def partner(self, epoch: int) -> np.ndarray:
        """int64[N]: each program's partner in ``epoch`` (dummy pairs included; in a zff
        soup a cell that sat the batch out is its own partner)."""
        n = self.world.num_programs
        if self._batches is not None:  # zff: the batch's neighbour pairs; the rest sit out
            out = np.arange(n, dtype=np.int64)
            p = self._batches.pairs(epoch)
            out[p[:, 0]] = p[:, 1]
            out[p[:, 1]] = p[:, 0]
            return out
        pairs, _ = epoch_pairs(n, self.seed, epoch, self.offsets, self.partners, self._order,
                               self._draws, self._pairs, self._used,
                               pairing_code(self.world.pairing))
        out = np.empty(n, dtype=np.int64)
        out[pairs[0::2]] = pairs[1::2]
        out[pairs[1::2]] = pairs[0::2]
        return out


def _walk(rows: Rows, start: int, stop: int) -> Iterator[tuple[int, np.ndarray]]:
    """``rows`` checked to hold epochs ``stop-1`` down to ``start``, in that order."""
    expected = stop - 1
    for e, bits in rows:
        if e < start:
            break
        if e != expected:
            raise AlifeError(f"lineage rows out of order: epoch {e} where {expected} was due")
        yield e, bits
        expected -= 1
    if expected >= start:
        raise AlifeError(f"lineage rows end before epoch {start}: {expected} was due next")


@dataclass(frozen=True)
class Ancestry:
    """One program's line of descent: where its lineage sat before each epoch, back to ``start``.

    ``position[i]`` is the program index holding the lineage before epoch ``start + i``;
    ``births`` lists (epoch, from, to) for each epoch in which the lineage moved to a new program
    by being copied there.
    """

    start: int
    end: int
    program: int
    position: np.ndarray
    births: list[tuple[int, int, int]]

    @property
    def founder(self) -> int:
        """The program whose lineage this was at ``start`` (the initial soup when start is 0)."""
        return int(self.position[0])


def ancestry(world: World, rows: Rows, program: int, epoch: int, start: int = 0) -> Ancestry:
    """Walk program ``program``'s lineage back from ``epoch`` epochs completed to ``start``;
    ``rows`` holds the lineage bits of epochs ``epoch-1`` down to ``start``."""
    if not 0 <= start <= epoch:
        raise AlifeError(f"cannot walk a lineage back from epoch {epoch} to {start}")
    pairings = Pairings(world)
    position = np.empty(epoch - start + 1, dtype=np.int64)
    p = int(program)
    position[-1] = p
    births = []
    for e, bits in _walk(rows, start, epoch):
        if bits[p]:
            q = int(pairings.partner(e)[p])
            births.append((e, q, p))
            p = q
        position[e - start] = p
    births.reverse()
    return Ancestry(start, epoch, int(program), position, births)


@dataclass(frozen=True)
class Phylogeny:
    """The pruned asexual tree of births behind a set of programs (ALife Data Standards).

    Arrays are indexed by taxon id. ``ancestor`` is -1 for roots (taxa already present at
    ``start``); ``origin_time`` is the epoch count at birth (``start`` for roots);
    ``destruction_time`` the epoch count when the taxon's program was overwritten by a birth
    (-1: extant at ``end``); ``position`` the program that carried it; ``extant`` marks the
    taxa alive at ``end`` (the sampled programs' taxa, and any ancestor of theirs still alive in
    another program); ``sampled`` the sampled programs' taxa.
    """

    start: int
    end: int
    ancestor: np.ndarray
    origin_time: np.ndarray
    destruction_time: np.ndarray
    position: np.ndarray
    extant: np.ndarray
    sampled: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ancestor)

    def leaves(self) -> np.ndarray:
        """Ids of the extant (sampled) taxa."""
        return np.flatnonzero(self.extant)

    def depth(self) -> np.ndarray:
        """Edges from each taxon up to its root."""
        return _depths(self.ancestor)


def phylogeny(world: World, rows: Rows, programs: np.ndarray, end: int,
              start: int = 0) -> Phylogeny:
    """The phylogeny of ``programs`` (indices, extant after ``end`` epochs) back to ``start``;
    ``rows`` holds the lineage bits of epochs ``end-1`` down to ``start``."""
    if not 0 <= start <= end:
        raise AlifeError(f"cannot build a phylogeny over epochs {start}..{end - 1}")
    n = world.num_programs
    pos = np.unique(np.asarray(programs, dtype=np.int64))
    if len(pos) == 0 or pos[0] < 0 or pos[-1] >= n:
        raise AlifeError(f"programs must be distinct indices in 0..{n - 1}")
    pairings = Pairings(world)
    m = len(pos)
    node = np.arange(m, dtype=np.int64)
    ancestor = list(np.full(m, -1))
    origin = list(np.full(m, start))
    destroyed = list(np.full(m, -1))
    position = list(pos)
    owner = np.full(n, -1, dtype=np.int64)
    next_cross = np.full(n, -1, dtype=np.int64)  # earliest later epoch each program was born into
    for e, bits in _walk(rows, start, end):
        crossed = bits[pos].astype(bool)
        if crossed.any():
            partner = pairings.partner(e)
            stay, born = ~crossed, np.flatnonzero(crossed)
            owner[pos[stay]] = node[stay]
            q = partner[pos[born]]
            parent = owner[q]
            new = parent < 0
            k = int(new.sum())
            ids = np.arange(len(ancestor), len(ancestor) + k)
            parent[new] = ids
            ancestor.extend([-1] * k)
            origin.extend([start] * k)
            # The parent taxon at q ends when q is next born into: now, or a later epoch.
            qn = q[new]
            end_of = np.where(bits[qn].astype(bool), e + 1,
                              np.where(next_cross[qn] >= 0, next_cross[qn] + 1, -1))
            destroyed.extend(end_of.tolist())
            position.extend(qn.tolist())
            for child, par in zip(node[born], parent, strict=True):
                ancestor[child] = par
                origin[child] = e + 1
            owner[pos[stay]] = -1
            keep = np.concatenate([pos[stay], qn])
            knode = np.concatenate([node[stay], ids])
            order = np.argsort(keep)
            pos, node = keep[order], knode[order]
        next_cross[np.flatnonzero(bits)] = e
    destroyed_at = np.asarray(destroyed, dtype=np.int64)
    sampled = np.zeros(len(ancestor), dtype=bool)
    sampled[:m] = True
    return Phylogeny(start, end, np.asarray(ancestor, dtype=np.int64),
                     np.asarray(origin, dtype=np.int64), destroyed_at,
                     np.asarray(position, dtype=np.int64), destroyed_at < 0, sampled)


@njit(cache=True)
def _depths(ancestor: np.ndarray) -> np.ndarray:
    depth = np.full(len(ancestor), -1, dtype=np.int64)
    path = np.empty(len(ancestor), dtype=np.int64)
    for i in range(len(ancestor)):
        k = 0
        a = i
        while a >= 0 and depth[a] < 0:
            path[k] = a
            k += 1
            a = ancestor[a]
        d = -1 if a < 0 else depth[a]
        for j in range(k - 1, -1, -1):
            d += 1
            depth[path[j]] = d
    return depth


@njit(cache=True)
def _pairwise(leaves: np.ndarray, ancestor: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Edges between every pair of leaves sharing a root (-1 for pairs in different trees)."""
    k = len(leaves)
    out = np.empty(k * (k - 1) // 2, dtype=np.int64)
    w = 0
    for i in range(k):
        for j in range(i + 1, k):
            a, b = leaves[i], leaves[j]
            da, db = depth[a], depth[b]
            while da > db:
                a = ancestor[a]
                da -= 1
            while db > da:
                b = ancestor[b]
                db -= 1
            while a != b and a >= 0 and b >= 0:
                a = ancestor[a]
                b = ancestor[b]
                da -= 1
            out[w] = depth[leaves[i]] + depth[leaves[j]] - 2 * da if a == b and a >= 0 else -1
            w += 1
    return out


def phylogeny_metrics(tree: Phylogeny) -> dict[str, float]:
    """MRCA depth and time, phylogenetic diversity, mean/variance of pairwise distance.

    Defined as phylotrackpy (Empirical's systematics manager) defines them, on the pruned tree of
    the extant taxa: ``mrca_depth`` counts edges from the root to the most recent common
    ancestor (None when the leaves have several roots); ``pd_edges`` counts edges, not nodes:
    the taxa on the paths from the extant taxa to their roots, less one (Faith 1992, as
    phylotrackpy counts it); ``pd_epochs`` sums those branches' lengths in epochs; pairwise
    distances count edges over the pairs that share a root (``pairs_sharing_root`` gives that
    fraction), and their variance is the sample variance.
    """
    leaves = tree.leaves()
    depth = tree.depth()
    on_path = np.zeros(len(tree), dtype=np.int64)  # leaves below each taxon
    for leaf in leaves:
        a = leaf
        while a >= 0:
            on_path[a] += 1
            a = tree.ancestor[a]
    roots = np.flatnonzero((tree.ancestor < 0) & (on_path > 0))
    mrca = None
    if len(roots) == 1:
        full = np.flatnonzero(on_path == len(leaves))
        mrca = int(full[np.argmax(depth[full])])
    # The pruned tree: every taxon with an extant taxon at or below it.
    canopy = on_path > 0
    edges = np.flatnonzero(canopy & (tree.ancestor >= 0))
    pd_epochs = int((tree.origin_time[edges] - tree.origin_time[tree.ancestor[edges]]).sum())
    dist = _pairwise(leaves, tree.ancestor, depth)
    shared = dist[dist >= 0]
    return {
        "taxa": len(tree), "leaves": len(leaves), "roots": len(roots),
        "mrca_depth": None if mrca is None else int(depth[mrca]),
        "mrca_time": None if mrca is None else int(tree.origin_time[mrca]),
        "pd_edges": int(canopy.sum()) - 1, "pd_epochs": pd_epochs,
        "pairwise_mean": float(shared.mean()) if len(shared) else float("nan"),
        "pairwise_var": float(shared.var(ddof=1)) if len(shared) > 1 else float("nan"),
        "pairs_sharing_root": float(len(shared) / len(dist)) if len(dist) else float("nan"),
    }
