"""The run loop: advance a soup, report at the reference's cadence, stop on a condition.

Reports happen after epoch e (0-based) when ``e % report_every == 0`` and after the last epoch,
as the reference's callback does (so "crossed at the report of epoch 2881" means the same in
both tools). A report is every reporter of the registry (:mod:`alife.metrics`) that applies to
the world, plus ``wall_time``; observers receive it; the loop itself writes no files.

Ctrl-C (SIGINT) and SIGTERM (what batch schedulers send) ask the loop to stop at the next epoch
boundary: the soup, its epoch count and every hook stay in step, and the loop reports the soup
as it is before returning. A second signal stops at once, except inside a compiled call, whose
soup bytes and epoch count always change together.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
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
    kernel_s: float = 0.0  # of wall_s: inside the soup's compiled calls
    reports: list[dict[str, Any]] = field(default_factory=list)
    transition_epoch: int | None = None  # first report with higher_entropy > 3
    stopped_by: str = "epochs"  # "epochs", "until" or "interrupt"
    signal: str | None = None  # "SIGINT" or "SIGTERM" when a signal stopped the run

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


#: The signals a run loop turns into a clean stop.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Stop signals that arrived while a run was being set up and that nothing acted on (a
#: KeyboardInterrupt raised inside a finalizer is dropped by Python): the next loop stops at once.
_PENDING: list[int] = []
#: How many run loops have taken over the stop signals (on the main thread) in this process.
_LOOPS = [0]


def request_stop(signum: int) -> None:
    """Ask the next run loop to stop at its first epoch boundary (a stop signal that arrived
    before it started)."""
    _PENDING.append(signum)


def clear_stop_requests() -> None:
    """Forget stop requests no loop took up."""
    _PENDING.clear()


def take_stop_request() -> int | None:
    """The signal of the first stop request not yet taken up (then none are left), or None."""
    signum = _PENDING[0] if _PENDING else None
    _PENDING.clear()
    return signum


def loops_started() -> int:
    """How many run loops have handled the stop signals on the main thread so far."""
    return _LOOPS[0]


class StopRequest:
    """SIGINT and SIGTERM as a request to stop at the next epoch boundary.

    Installed by :meth:`watch` on the main thread only (signals reach no other thread; a run in a
    worker thread, as under the live viewer, is stopped by its watcher). The first signal sets
    :attr:`signum` (so does a signal that arrived before the loop, :func:`request_stop`); a
    second raises KeyboardInterrupt at once unless a compiled call is under way
    (:meth:`critical`), where it waits until the soup and its epoch count agree again. The
    previous handlers come back after a second signal and when the loop ends.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._forced = False
        self._critical = False
        self._previous: dict[int, object] = {}

    @property
    def name(self) -> str | None:
        """"SIGINT" or "SIGTERM" once one arrived, else None."""
        return None if self.signum is None else signal.Signals(self.signum).name

    @contextlib.contextmanager
    def watch(self) -> Iterator[StopRequest]:
        """Handle the stop signals while the block runs (main thread only)."""
        if threading.current_thread() is threading.main_thread():
            for s in STOP_SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
            _LOOPS[0] += 1
            pending = take_stop_request()
            if self.signum is None:
                self.signum = pending
        try:
            yield self
        finally:
            self._restore()

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        """A block that a second signal may not cut in two (a compiled call and its counters)."""
        self._critical = True
        try:
            yield
        finally:
            self._critical = False
        if self._forced:
            raise KeyboardInterrupt

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
            return
        self._restore()  # a third signal acts as it would without a run
        if self._critical:
            self._forced = True
        else:
            raise KeyboardInterrupt

    def _restore(self) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)  # type: ignore
        self._previous.clear()


def spare_core() -> bool:
    """Whether a core is left beside the kernel's threads, so that a report in a worker thread
    overlaps the kernel instead of slowing it (reports in the background cost 4 % of a 2-thread
    run on 2 cores and gave up to 26 % with one thread: scripts/bench_reports.py)."""
    import numba

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return numba.get_num_threads() < cpus


def run_soup(soup: Soup, max_epochs: int, until: Condition | None = None,
             report_every: int = 64, observers: tuple[Observer, ...] = (),
             epoch_hooks: tuple[tuple[int, Callable[[Soup, int], None]], ...] = (),
             on_chunk: Callable[[Soup, int], None] | None = None,
             gate: Callable[[Soup], int] | None = None,
             background: bool = False,
             on_stop: Callable[[Soup, dict[str, Any]], None] | None = None) -> RunSummary:
    """Run ``soup`` until ``max_epochs`` epochs are completed in total or ``until`` holds.

    ``epoch_hooks`` are (K, hook) pairs: ``hook(soup, e)`` runs after every epoch e with
    e % K == 0 (the reference's ``--save_interval``). ``on_chunk(soup, n)`` runs after every
    compiled call of n epochs (progress bars). ``gate(soup)``, before every compiled call, may
    block (a paused viewer) and returns the most epochs the call may run (>= 1); chunk sizes
    never change a soup's bytes. Ctrl-C or SIGTERM stops cleanly after the current chunk (and
    its hooks), with a report of the soup as it is then (:class:`StopRequest`).

    ``background`` (soups with a ``frozen()`` copy): a report is computed in a worker thread on
    a copy of the soup while the next chunk runs, then handed to the observers before that
    chunk's hooks; when its ``until`` holds, the soup goes back to the reported state. Reports,
    hooks, files and the final soup are the same as inline; only ``wall_time`` differs.

    A stop between reports (before the first epoch, or after a chunk that ended off the report
    cadence) reports the soup to the summary only and calls ``on_stop(soup, report)`` (a history's
    checkpoint): the observers see the cadence's reports alone, so a stopped and resumed run
    records the same rows as an uninterrupted one.
    """
    summary = RunSummary(start_epoch=soup.epoch)
    t0 = time.perf_counter()
    stop = StopRequest()
    pool = ThreadPoolExecutor(1, thread_name_prefix="alife-report") \
        if background and hasattr(soup, "frozen") else None
    pending: list[tuple[Future, Soup]] = []  # at most one report in flight

    def finish(view: Soup, m: dict[str, Any]) -> bool:
        m["wall_time"] = time.perf_counter() - t0
        summary.reports.append(m)
        if summary.transition_epoch is None and \
                m.get("higher_entropy", 0.0) > TRANSITION_THRESHOLD:
            summary.transition_epoch = view.epoch
        for obs in observers:
            obs(view, m)
        return until is not None and until(m)

    def report() -> bool:
        return finish(soup, metrics_report(soup))

    def stopped_between_reports() -> None:
        if summary.reports and summary.reports[-1]["epoch"] == soup.epoch:
            return  # the stop came right after a report: it stands for the stop
        m = metrics_report(soup)
        m["wall_time"] = time.perf_counter() - t0
        summary.reports.append(m)
        if on_stop is not None:
            on_stop(soup, m)

    def collect() -> bool:
        """Hand the report in flight to the observers; when its ``until`` holds, put the soup
        back to the reported state (undoing the epochs run since) and return True."""
        if not pending:
            return False
        future, view = pending.pop()
        if not finish(view, future.result()):
            return False
        ran = soup.epoch - view.epoch
        soup.restore(SimpleNamespace(**view.saved()))
        soup.last_ops, soup.last_interactions = view.last_ops, view.last_interactions
        if on_chunk is not None and ran:
            on_chunk(soup, -ran)
        return True

    try:
        with stop.watch():
            while soup.epoch < max_epochs and stop.signum is None:
                e = soup.epoch
                chunk = MAX_CHUNK if gate is None else max(1, min(MAX_CHUNK, gate(soup)))
                stop_at = min(_next_boundary(e, report_every), max_epochs - 1, e + chunk - 1)
                for every, _ in epoch_hooks:
                    stop_at = min(stop_at, _next_boundary(e, every))
                with stop.critical():
                    t_run = time.perf_counter()
                    soup.run(stop_at - e + 1)
                    summary.kernel_s += time.perf_counter() - t_run
                if on_chunk is not None:
                    on_chunk(soup, stop_at - e + 1)
                if collect():
                    summary.stopped_by = "until"
                    break
                for every, hook in epoch_hooks:
                    if stop_at % every == 0:
                        hook(soup, stop_at)
                if stop_at % report_every == 0 or soup.epoch == max_epochs:
                    if pool is not None and soup.epoch < max_epochs:
                        view = soup.frozen()
                        pending.append((pool.submit(metrics_report, view), view))
                    elif report():
                        summary.stopped_by = "until"
                        break
            if collect():
                summary.stopped_by = "until"
            if stop.signum is not None and summary.stopped_by != "until" \
                    and soup.epoch < max_epochs:
                summary.stopped_by = "interrupt"
                summary.signal = stop.name
                stopped_between_reports()
    except KeyboardInterrupt:  # a second signal, or a watcher stopping the run (its gate)
        if collect():
            summary.stopped_by = "until"
        else:
            summary.stopped_by = "interrupt"
            summary.signal = stop.name
            stopped_between_reports()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    summary.epochs = soup.epoch - summary.start_epoch
    summary.wall_s = time.perf_counter() - t0
    return summary
