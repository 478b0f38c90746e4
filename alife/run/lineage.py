"""What the lineage analyses read from a run's history and write beside it: the soup replayed at
any epoch, lineage bits, the stored species observations, and the phylogeny as CSV.

The analyses themselves (:mod:`alife.analysis.lineage`, :mod:`alife.analysis.provenance`) are
pure functions on arrays; these are their file-side helpers.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from alife.errors import AlifeError
from alife.run.session import soup_from_state

CHUNK = 256  # epochs of lineage bits unpacked at a time


def soup_at(history, epoch: int):
    """The soup (with tokens) after ``epoch`` epochs: the latest snapshot before it, replayed."""
    epochs = history.snapshot_epochs()
    earlier = epochs[epochs <= epoch]
    if not len(earlier):
        raise AlifeError(f"no snapshot at or before epoch {epoch} in {str(history.path)!r}")
    state = history.snapshot(int(earlier.max()))
    world = history.world
    if world.tracer_tokens and state.tokens is None:
        raise AlifeError(f"the snapshot after {state.epoch} epochs has no tracer tokens")
    soup = soup_from_state(world, state)
    return soup.run(epoch - soup.epoch)


def lineage_rows(history, start: int | None = None,
                 stop: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """(epoch, bits uint8[N]) for epochs ``stop-1`` down to ``start`` (default: all stored),
    read in chunks of :data:`CHUNK` epochs."""
    first, end = history.lineage_range()
    start = first if start is None else start
    stop = end if stop is None else stop
    if not first <= start <= stop <= end:
        raise AlifeError(f"lineage is stored for epochs {first}..{end - 1}; asked for "
                         f"{start}..{stop - 1}")
    return _chunks(history, start, stop)


def _chunks(history, start: int, stop: int) -> Iterator[tuple[int, np.ndarray]]:
    """The rows of :func:`lineage_rows`, after its range check."""
    hi = stop
    while hi > start:
        lo = max(start, hi - CHUNK)
        block = history.lineage(lo, hi)
        for e in range(hi - 1, lo - 1, -1):
            yield e, block[e - lo]
        hi = lo


def species_observations(history) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Every stored (epoch, top keys, counts) observation, for rebuilding the registry."""
    g = history.file["species"]
    n = min(d.shape[0] for d in g.values())
    epochs, keys, counts = g["epoch"][:n], g["key"][:n], g["count"][:n]
    return [(int(epochs[i]), keys[i][counts[i] > 0], counts[i][counts[i] > 0])
            for i in range(n)]


def write_phylogeny_csv(tree, path: str | os.PathLike) -> Path:
    """Write a :class:`~alife.analysis.lineage.Phylogeny` in the ALife Data Standards phylogeny
    CSV; every ancestor id exists."""
    p = Path(path)
    ids = set(range(len(tree)))
    bad = [a for a in tree.ancestor if a >= 0 and a not in ids]
    if bad:
        raise AlifeError(f"phylogeny refers to missing ancestors {bad[:5]}")
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "ancestor_list", "origin_time", "destruction_time", "program",
                    "extant", "sampled"])
        sampled = tree.extant if tree.sampled is None else tree.sampled
        for i in range(len(tree)):
            a = tree.ancestor[i]
            d = tree.destruction_time[i]
            w.writerow([i, "[NONE]" if a < 0 else f"[{a}]", int(tree.origin_time[i]),
                        "inf" if d < 0 else int(d), int(tree.position[i]),
                        bool(tree.extant[i]), bool(sampled[i])])
    return p
