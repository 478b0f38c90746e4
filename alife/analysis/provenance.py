"""Where the first replicators came from, by tracer token (Agüera y Arcas et al. 2024, sec. 3).

The paper asks whether replicators are lucky programs of the initial soup or are assembled by
interactions. Tracer tokens answer it: the tokens of the first confirmed replicator's bytes say
when (creation epoch) and where (original program) each byte was made.

Pure functions on arrays: the soup at an epoch and the stored species observations come from
:mod:`alife.run.lineage`; ``analyses/lineage.py`` puts the two together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alife.errors import AlifeError
from alife.measures.replication import CONFIRMED
from alife.measures.replicators import ENTRY_DTYPE, ReplicatorRegistry
from alife.soup.tracer import token_epoch, token_position
from alife.world import World


@dataclass(frozen=True)
class FirstReplicator:
    """The first registered species scoring >= ``min_score``, found in the soup of its epoch."""

    epoch: int
    index: int
    program: bytes
    score: int
    first_share: float
    tokens: np.ndarray  # uint64[P]

    @property
    def creation_epochs(self) -> np.ndarray:
        """Epoch count at which each of its bytes' tokens was made (0: the initial soup)."""
        return token_epoch(self.tokens)

    @property
    def origin_programs(self) -> np.ndarray:
        """The program each byte's token was made in."""
        return token_position(self.tokens) // self.tokens.shape[-1]

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
            "largest_origin_share": float(counts.max() / self.tokens.shape[-1]),
            "top_origins": [(int(origins[i]), int(counts[i])) for i in top[:5]],
        }


def rebuild_registry(world: World, observations, share: float) -> np.ndarray:
    """The replicator registry (:data:`ENTRY_DTYPE`) for another ``share`` threshold, rebuilt
    from the stored (epoch, top keys, counts) observations (it is a function of them)."""
    registry = ReplicatorRegistry(share, language=world.language, seed=world.seed,
                                  step_limit=world.step_limit, program_size=world.program_size)
    for epoch, keys, counts in observations:
        registry.update(int(epoch), keys, counts, world.num_programs)
    return registry.to_array()


def first_entry(entries: np.ndarray, min_score: int = CONFIRMED) -> np.void | None:
    """The earliest registry entry scoring >= ``min_score`` (None when there is none)."""
    good = np.asarray(entries)
    if good.dtype.names is None:  # a plain list of 64-byte entries
        good = np.asarray(entries, dtype=ENTRY_DTYPE)
    good = good[good["score"] >= min_score]
    if not len(good):
        return None
    return good[np.argmin(good["first_epoch"])]


def locate_replicator(entry: np.void, programs: np.ndarray,
                      tokens: np.ndarray) -> FirstReplicator:
    """Find registry ``entry`` in the soup of its first epoch (``programs`` uint8[N, P] and
    ``tokens`` uint64[N, P] after ``entry["first_epoch"]`` epochs)."""
    epoch = int(entry["first_epoch"])
    hits = np.flatnonzero((programs == entry["program"]).all(axis=1))
    if not len(hits):
        raise AlifeError(f"the registered program is not in the replayed soup at {epoch}")
    index = int(hits[0])
    return FirstReplicator(epoch, index, entry["program"].tobytes(), int(entry["score"]),
                           float(entry["first_share"]), tokens[index].copy())
