"""The replicator registry of a run: every species first seen above a share of the soup, with
its replication score (Agüera y Arcas et al. 2024; recorded in histories at every report)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from alife.errors import AlifeError
from alife.languages import DEFAULT_STEP_LIMIT, get
from alife.measures.replication import REPLICATOR, replication_scores
from alife.shapes import PROGRAM_SIZE


def entry_dtype(program_size: int = PROGRAM_SIZE) -> np.dtype:
    """One registry entry (``/registry/entries`` of a history) for programs of this size."""
    return np.dtype([("program", np.uint8, (program_size,)), ("first_epoch", np.int64),
                     ("first_share", np.float64), ("score", np.int64),
                     ("peak_share", np.float64), ("peak_epoch", np.int64)])


#: The entry of the reference's 64-byte programs.
ENTRY_DTYPE = entry_dtype()

@dataclass(frozen=True)
class ReplicatorEntry:
    """A species first seen above the registry's share threshold."""

    program: bytes  #: the program's bytes
    first_epoch: int
    first_share: float
    score: int  #: replication score, computed once at first sight
    peak_share: float
    peak_epoch: int


class ReplicatorRegistry:
    """Every species seen with share >= ``share``: first epoch and share, score, peak share.

    A new species is scored once, at its first sighting, as the reference scores a one-program
    soup (:func:`alife.measures.replication.replication_score` with the sighting's epoch and the
    registry's ``seed``); :meth:`replicators` keeps those with score >= ``min_score``.
    """

    def __init__(self, share: float = 0.01, min_score: int = REPLICATOR,
                 language: str = "bff_noheads", seed: int = 0,
                 step_limit: int = DEFAULT_STEP_LIMIT, program_size: int = PROGRAM_SIZE) -> None:
        if not 0 < share <= 1:
            raise AlifeError(f"share threshold must be in (0, 1], got {share!r}")
        get(language)
        self.share = float(share)
        self.min_score = int(min_score)
        self.language = language
        self.seed = int(seed)
        self.step_limit = int(step_limit)
        self.program_size = int(program_size)
        self._entries: dict[bytes, ReplicatorEntry] = {}  # in order of first sighting

    def update(self, epoch: int, keys: np.ndarray, counts: np.ndarray, total: int) -> int:
        """Record the species ``keys`` (uint8[k, P]) with ``counts`` (int64[k]) in a soup of
        ``total`` programs at ``epoch``; return how many species were new."""
        keys = np.ascontiguousarray(keys, dtype=np.uint8)
        counts = np.asarray(counts, dtype=np.int64).ravel()
        if keys.ndim != 2 or keys.shape[1] != self.program_size or len(keys) != len(counts) \
                or total <= 0:
            raise AlifeError(f"registry update needs keys uint8[k, {self.program_size}], one "
                             f"count per key and a positive total, got keys {keys.shape}, "
                             f"{len(counts)} counts, total {total}")
        shares = counts / float(total)
        above = np.flatnonzero(shares >= self.share)
        new_rows = []
        for i in above:
            program = keys[i].tobytes()
            old = self._entries.get(program)
            if old is None:
                new_rows.append(i)
            elif shares[i] > old.peak_share:
                self._entries[program] = replace(old, peak_share=float(shares[i]),
                                                 peak_epoch=int(epoch))
        if new_rows:
            rows = np.array(new_rows)
            scores = replication_scores(keys[rows], self.language, int(epoch), self.seed,
                                        indices=np.zeros(len(rows), dtype=np.int64),
                                        num_programs=1, step_limit=self.step_limit)
            for i, score in zip(rows, scores, strict=True):
                program = keys[i].tobytes()
                if program not in self._entries:  # a key repeated within this update
                    s = float(shares[i])
                    self._entries[program] = ReplicatorEntry(program, int(epoch), s, int(score),
                                                             s, int(epoch))
        return len({keys[i].tobytes() for i in new_rows})

    def entries(self) -> list[ReplicatorEntry]:
        """All entries, in order of first sighting."""
        return list(self._entries.values())

    def replicators(self) -> list[ReplicatorEntry]:
        """The entries whose score is >= ``min_score``."""
        return [e for e in self._entries.values() if e.score >= self.min_score]

    def to_array(self) -> np.ndarray:
        """The entries as a structured array (:func:`entry_dtype`), e.g. for a history file."""
        out = np.zeros(len(self._entries), dtype=entry_dtype(self.program_size))
        for i, e in enumerate(self._entries.values()):
            out[i] = (np.frombuffer(e.program, dtype=np.uint8), e.first_epoch, e.first_share,
                      e.score, e.peak_share, e.peak_epoch)
        return out

    def load_array(self, array: np.ndarray) -> None:
        """Replace the entries with those of :meth:`to_array` output (to resume a run)."""
        self._entries = {}
        for r in np.asarray(array, dtype=entry_dtype(self.program_size)):
            program = r["program"].tobytes()
            self._entries[program] = ReplicatorEntry(
                program, int(r["first_epoch"]), float(r["first_share"]), int(r["score"]),
                float(r["peak_share"]), int(r["peak_epoch"]))
