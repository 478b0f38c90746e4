"""The run loop: advance a soup, report at the reference's cadence, stop on a condition.

Reports happen after epoch e (0-based) when ``e % report_every == 0`` and after the last epoch,
as the reference's callback does (so "crossed at the report of epoch 2881" means the same in
both tools). A report is every reporter of the registry (:mod:`alife.metrics`) that applies to
the world, plus ``wall_time``; observers receive it; the loop itself writes no files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.metrics import report as metrics_report
from alife.run.protocol import SoupProtocol as Soup
from alife.run.stop import Condition

Observer = Callable[[Soup, dict[str, Any]], None]
MAX_CHUNK = 16  # epochs per compiled call between progress updates


@dataclass
class RunSummary:
    """What a run did: epochs, time, the reports and when high-order entropy crossed 3."""

    start_epoch: int
    epochs: int = 0
    wall_s: float = 0.0
    reports: list[dict[str, Any]] = field(default_factory=list)
    transition_epoch: int | None = None  # first report with higher_entropy > 3
    stopped_by: str = "epochs"  # "epochs", "until" or "interrupt"

    @property
    def epochs_per_s(self) -> float:
        """Epochs per wall-clock second of the loop (reports included)."""
        return self.epochs / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def final(self) -> dict[str, Any]:
        """The last report."""
        return self.reports[-1] if self.reports else {}


def _next_boundary(epoch: int, every: int) -> int:
    return epoch + (-epoch) % every


def run_soup(soup: Soup, max_epochs: int, until: Condition | None = None,
             report_every: int = 64, observers: tuple[Observer, ...] = (),
             epoch_hooks: tuple[tuple[int, Callable[[Soup, int], None]], ...] = (),
             on_chunk: Callable[[Soup, int], None] | None = None,
             gate: Callable[[Soup], int] | None = None) -> RunSummary:
    """Run ``soup`` until ``max_epochs`` epochs are completed in total or ``until`` holds.

    ``epoch_hooks`` are (K, hook) pairs: ``hook(soup, e)`` runs after every epoch e with
    e % K == 0 (the reference's ``--save_interval``). ``on_chunk(soup, n)`` runs after every
    compiled call of n epochs (progress bars). ``gate(soup)``, before every compiled call, may
    block (a paused viewer) and returns the most epochs the call may run (>= 1); chunk sizes
    never change a soup's bytes. Ctrl-C stops cleanly after the current chunk.
    """
    summary = RunSummary(start_epoch=soup.epoch)
    t0 = time.perf_counter()

    def report() -> bool:
        m = metrics_report(soup)
        m["wall_time"] = time.perf_counter() - t0
        summary.reports.append(m)
        if summary.transition_epoch is None and \
                m.get("higher_entropy", 0.0) > TRANSITION_THRESHOLD:
            summary.transition_epoch = soup.epoch
        for obs in observers:
            obs(soup, m)
        return until is not None and until(m)

    try:
        while soup.epoch < max_epochs:
            e = soup.epoch
            chunk = MAX_CHUNK if gate is None else max(1, min(MAX_CHUNK, gate(soup)))
            stop_at = min(_next_boundary(e, report_every), max_epochs - 1, e + chunk - 1)
            for every, _ in epoch_hooks:
                stop_at = min(stop_at, _next_boundary(e, every))
            soup.run(stop_at - e + 1)
            if on_chunk is not None:
                on_chunk(soup, stop_at - e + 1)
            for every, hook in epoch_hooks:
                if stop_at % every == 0:
                    hook(soup, stop_at)
            if stop_at % report_every == 0 or soup.epoch == max_epochs:
                if report():
                    summary.stopped_by = "until"
                    break
    except KeyboardInterrupt:
        summary.stopped_by = "interrupt"
        if not summary.reports or summary.reports[-1]["epoch"] != soup.epoch:
            report()
    summary.epochs = soup.epoch - summary.start_epoch
    summary.wall_s = time.perf_counter() - t0
    return summary
