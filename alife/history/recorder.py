"""The observer that records a running soup into its history at the world's cadence.

At every report: the metrics, the top ``species_top`` programs, then the checkpoint (so a
killed run resumes from its latest report). Snapshots: the initial soup, the soup after every
epoch e with ``e % snapshot_every == 0`` and the final soup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from alife.history.reader import SoupState
from alife.history.writer import HistoryWriter
from alife.soup.soup import Soup


class HistoryRecorder:
    """Feeds a :class:`HistoryWriter` from the run loop's reports and epoch hooks."""

    def __init__(self, writer: HistoryWriter, soup: Soup, wall_offset: float = 0.0) -> None:
        self.writer = writer
        self.world = soup.world
        self.wall_offset = wall_offset  # wall time of earlier sessions of this run
        if writer.last_snapshot_epoch() is None:
            writer.append_snapshot(soup.epoch, soup.reset_index, soup.programs)

    def report(self, soup: Soup, metrics: dict[str, Any]) -> None:
        """Record one report: metrics, top species, checkpoint (in that order)."""
        m = dict(metrics)
        m["wall_time"] = metrics.get("wall_time", 0.0) + self.wall_offset
        self.writer.append_metrics(m)
        if self.world.species_top:
            first, counts = soup.species()
            top = np.argsort(-counts, kind="stable")[: self.world.species_top]
            self.writer.append_species(soup.epoch, soup.programs[first[top]], counts[top])
        self.writer.write_checkpoint(SoupState(
            epoch=soup.epoch, reset_index=soup.reset_index, programs=soup.programs,
            total_ops=soup.total_ops, wall_time=m["wall_time"]))

    def snapshot(self, soup: Soup, epoch_index: int) -> None:
        """Append the soup as it is after 0-based epoch ``epoch_index``."""
        self.writer.append_snapshot(soup.epoch, soup.reset_index, soup.programs)

    @property
    def epoch_hooks(self) -> tuple[tuple[int, Callable[[Soup, int], None]], ...]:
        """The run loop's (K, hook) pairs for periodic snapshots."""
        every = self.world.snapshot_every
        return ((every, self.snapshot),) if every else ()

    def close(self, soup: Soup, status: str, stopped_by: str) -> None:
        """Store the final soup as a snapshot and close the file with its status."""
        self.writer.append_snapshot(soup.epoch, soup.reset_index, soup.programs)
        self.writer.close(status, stopped_by)
