"""Where the first replicators came from, by tracer token (Agüera y Arcas et al. 2024, sec. 3).

The paper asks whether replicators are lucky programs of the initial soup or are assembled by
interactions. Tracer tokens answer it: the tokens of the first confirmed replicator's bytes say
when (creation epoch) and where (original program) each byte was made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alife.errors import AlifeError
from alife.measures.replication import CONFIRMED
from alife.soup.tracer import token_epoch, token_position

L = 64


def soup_at(history, epoch: int):
    """The soup (with tokens) after ``epoch`` epochs: the latest snapshot before it, replayed."""
    from alife.run.session import soup_from_state

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


@dataclass(frozen=True)
class FirstReplicator:
    """The first registered species scoring >= ``min_score``, found in the soup of its epoch."""

    epoch: int
    index: int
    program: bytes
    score: int
    first_share: float
    tokens: np.ndarray  # uint64[64]

    @property
    def creation_epochs(self) -> np.ndarray:
        """Epoch count at which each of its 64 bytes' tokens was made (0: the initial soup)."""
        return token_epoch(self.tokens)

    @property
    def origin_programs(self) -> np.ndarray:
        """The program each byte's token was made in."""
        return token_position(self.tokens) // L

    def summary(self) -> dict[str, object]:
        """The token-origin analysis as plain numbers."""
        created = self.creation_epochs
        origins, counts = np.unique(self.origin_programs, return_counts=True)
        top = np.argsort(-counts, kind="stable")
        return {
            "epoch": self.epoch, "index": self.index, "score": self.score,
            "first_share": self.first_share,
            "bytes_from_initial_soup": int((created == 0).sum()),
            "bytes_made_later": int((created > 0).sum()),
            "latest_creation_epoch": int(created.max()),
            "origin_programs": int(len(origins)),
            "largest_origin_share": float(counts.max() / L),
            "top_origins": [(int(origins[i]), int(counts[i])) for i in top[:5]],
        }


def registry_entries(history, share: float | None = None) -> np.ndarray:
    """The replicator registry: as stored, or rebuilt from the stored top species for another
    ``share`` threshold (the registry is a function of those observations)."""
    from alife.analysis.emergence import ReplicatorRegistry

    w = history.world
    if share is None or share == w.registry_share:
        return history.registry()
    registry = ReplicatorRegistry(share, language=w.language, seed=w.seed,
                                  step_limit=w.step_limit)
    g = history.file["species"]
    n = min(d.shape[0] for d in g.values())
    for i in range(n):
        counts = g["count"][i]
        keep = counts > 0
        registry.update(int(g["epoch"][i]), g["key"][i][keep], counts[keep], w.num_programs)
    return registry.to_array()


def first_replicator(history, min_score: int = CONFIRMED,
                     share: float | None = None) -> FirstReplicator | None:
    """The earliest registry entry with score >= ``min_score``, located in its soup."""
    if not history.world.tracer_tokens:
        raise AlifeError(f"{str(history.path)!r} has no tracer tokens; run a world with "
                         "tracer_tokens = true")
    entries = registry_entries(history, share)
    good = entries[entries["score"] >= min_score]
    if not len(good):
        return None
    entry = good[np.argmin(good["first_epoch"])]
    epoch = int(entry["first_epoch"])
    soup = soup_at(history, epoch)
    hits = np.flatnonzero((soup.programs == entry["program"]).all(axis=1))
    if not len(hits):
        raise AlifeError(f"the registered program is not in the replayed soup at {epoch}")
    index = int(hits[0])
    return FirstReplicator(epoch, index, entry["program"].tobytes(), int(entry["score"]),
                           float(entry["first_share"]), soup.tokens[index].copy())
