"""The observer that records a running soup into its history at the world's cadence.

At every report: the metrics (with MODES, Dolson et al. 2019, from a tracker kept across
reports), the top ``species_top`` programs and the replicator registry built from them, then the
checkpoint (so a killed run resumes from its latest report, MODES state included). Snapshots:
the initial soup, the soup after every epoch e with ``e % snapshot_every == 0`` and the final
soup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from alife.history.reader import SoupState
from alife.history.writer import HistoryWriter
from alife.measures.modes import ModesTracker, instruction_counts, tracker_from_state, tracker_state
from alife.measures.replicators import ReplicatorRegistry
from alife.measures.species import row_hashes
from alife.run.protocol import SoupProtocol as Soup


class HistoryRecorder:
    """Feeds a :class:`HistoryWriter` from the run loop's reports and epoch hooks."""

    def __init__(self, writer: HistoryWriter, soup: Soup, wall_offset: float = 0.0,
                 resumed: SoupState | None = None,
                 species_rows: list[tuple[int, np.ndarray, np.ndarray]] = ()) -> None:
        self.writer = writer
        self.world = w = soup.world
        self.wall_offset = wall_offset  # wall time of earlier sessions of this run
        self.modes = None
        self.registry = None  # soups of exact species: MODES, top species and the registry
        if soup.exact_species:
            if w.modes_persistence:
                state = resumed.modes if resumed is not None else None
                self.modes = tracker_from_state(w.modes_persistence, state) \
                    if state is not None else ModesTracker(w.modes_persistence)
            self.registry = ReplicatorRegistry(w.registry_share, language=w.language,
                                               seed=w.seed, step_limit=w.step_limit,
                                               program_size=w.program_size)
            # a resumed run: rebuild it as it was
            for epoch, keys, counts in species_rows:
                self.registry.update(epoch, keys, counts, w.num_programs)
            if species_rows:
                writer.write_registry(self.registry.to_array())
        if writer.last_snapshot_epoch() is None:
            if self.world.lineage:
                writer.start_lineage(soup.epoch)
            self.snapshot(soup, soup.epoch)

    def report(self, soup: Soup, metrics: dict[str, Any]) -> None:
        """Record one report: metrics, top species, checkpoint (in that order)."""
        m = dict(metrics)
        m["wall_time"] = metrics.get("wall_time", 0.0) + self.wall_offset
        if self.registry is None:
            self.writer.append_metrics(m)
            self.writer.write_checkpoint(SoupState(**soup.saved(), wall_time=m["wall_time"]))
            return
        first, counts = soup.species()
        if self.modes is not None and (self.modes.last_epoch is None
                                       or soup.epoch > self.modes.last_epoch):
            species = soup.rows[first]
            m.update(self.modes.update(soup.epoch, row_hashes(species), counts,
                                       instruction_counts(species, self.world.language)))
        self.writer.append_metrics(m)
        self._drain_lineage(soup)
        if self.world.species_top:
            top = np.argsort(-counts, kind="stable")[: self.world.species_top]
            keys = soup.rows[first[top]]
            self.writer.append_species(soup.epoch, keys, counts[top])
            before = [(e.peak_share, e.peak_epoch) for e in self.registry.entries()]
            self.registry.update(soup.epoch, keys, counts[top], len(soup.rows))
            if before != [(e.peak_share, e.peak_epoch) for e in self.registry.entries()]:
                self.writer.write_registry(self.registry.to_array())
        self.writer.write_checkpoint(SoupState(
            **soup.saved(), wall_time=m["wall_time"],
            modes=None if self.modes is None else tracker_state(self.modes)))

    def checkpoint(self, soup: Soup, metrics: dict[str, Any]) -> None:
        """Record the soup of a run stopped between reports: its checkpoint alone (and the
        lineage bits so far), no metrics or species row, so that the rows resumed from it are
        an uninterrupted run's; MODES stays at its last report."""
        self._drain_lineage(soup)
        if soup.epoch == (self.writer.checkpoint_epoch or 0):
            return  # nothing ran since the checkpoint (or the initial soup, which the seed makes)
        self.writer.write_checkpoint(SoupState(
            **soup.saved(), wall_time=metrics.get("wall_time", 0.0) + self.wall_offset,
            modes=None if self.modes is None else tracker_state(self.modes)))

    def _drain_lineage(self, soup: Soup) -> None:
        """Move the soup's collected lineage bits into the file (before the checkpoint)."""
        if self.world.lineage and soup.pending_lineage:
            self.writer.append_lineage(np.concatenate(soup.pending_lineage))
            soup.pending_lineage.clear()

    def snapshot(self, soup: Soup, epoch_index: int) -> None:
        """Append the soup as it is after 0-based epoch ``epoch_index``."""
        s = soup.saved()
        self.writer.append_snapshot(s["epoch"], s["reset_index"], s["programs"], s["tokens"])

    @property
    def epoch_hooks(self) -> tuple[tuple[int, Callable[[Soup, int], None]], ...]:
        """The run loop's (K, hook) pairs for periodic snapshots."""
        every = self.world.snapshot_every
        return ((every, self.snapshot),) if every else ()

    def close(self, soup: Soup, status: str, stopped_by: str) -> None:
        """Store the final soup as a snapshot and close the file with its status (a writer whose
        write failed has left its file as it was: nothing more is written)."""
        if self.writer.failed:
            return
        self._drain_lineage(soup)
        self.snapshot(soup, soup.epoch)
        self.writer.close(status, stopped_by)
