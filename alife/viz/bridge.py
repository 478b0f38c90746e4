"""The hand-over between a running soup (worker thread) and the viewer (main thread).

:class:`LiveBridge` is the run loop's watcher (:class:`alife.run.session.Watcher`): after each
compiled chunk it copies the soup into a :class:`SoupFrame` only when the viewer has asked for
one, under a lock, so the simulation never waits for the display. It waits only when paused
(or throttled to a number of epochs per frame), and the size of the chunks it allows never
changes the soup's bytes. Nothing here imports pygame.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.metrics import metrics_for
from alife.run.protocol import SoupProtocol as Soup
from alife.run.runner import MAX_CHUNK
from alife.world import World


def sparkline_series(kind: str) -> tuple[str, ...]:
    """Series the viewer keeps for its sparklines: ``epoch`` and the registry's sparkline
    metrics of soups of ``kind`` (alife.metrics; reported every ``report_every`` epochs)."""
    return ("epoch", *(s.name for s in metrics_for(kind) if s.sparkline))


#: Epochs-per-frame settings that ``+``/``-`` step through (None: as fast as the soup runs).
RATES: tuple[int | None, ...] = (1, 2, 4, 8, 16, 64, 256, None)
TOP_PROGRAMS = 8
RATE_WINDOW_S = 3.0  # epochs/s is measured over the chunks of the last few seconds


@dataclass(frozen=True)
class SoupFrame:
    """What one frame of the viewer shows, as plain arrays (a copy, safe across threads)."""

    world: World
    programs: np.ndarray  # uint8[N, 64], a copy
    epoch: int  # epochs completed
    #: sparkline_series(world.kind), one row per report
    series: dict[str, np.ndarray] = field(default_factory=dict)
    top: tuple[tuple[bytes, int], ...] = ()  # most common programs and their counts
    epochs_per_s: float = 0.0
    status: str = "running"  # "running", "paused", "finished", "replay", ...
    top_epoch: int | None = None  # epochs completed at the report ``top`` comes from

    @property
    def transition_epoch(self) -> int | None:
        """Epochs completed at the first report with high-order entropy > 3 (None: not yet)."""
        h = self.series.get("higher_entropy")
        if h is None:
            return None
        hit = np.flatnonzero(h > TRANSITION_THRESHOLD)
        return int(self.series["epoch"][hit[0]]) if len(hit) else None


class LiveBridge:
    """Watches a run from its loop; the viewer pauses, steps and throttles it from outside."""

    def __init__(self, world: World, top: int = TOP_PROGRAMS) -> None:
        self.world = world
        self.top_k = top
        self._cond = threading.Condition()
        self.paused = False
        self.rate: int | None = None  # epochs per frame (None: unthrottled)
        self._steps = 0  # single epochs requested while paused
        self._allowance = 0  # epochs the throttle still allows
        self._stop = False
        self._want = True  # the viewer wants a new frame
        self._frame: SoupFrame | None = None
        self._fresh = False
        self._shown = "running"  # the status of the last frame handed out
        self.series_names = sparkline_series(world.kind)
        self._series: dict[str, list[float]] = {k: [] for k in self.series_names}
        self._top: tuple[tuple[bytes, int], ...] = ()
        self._top_epoch: int | None = None
        self._times: deque[tuple[float, int]] = deque()  # (time, epoch) of recent chunks
        self.epoch = 0
        self.done = False
        self.error: BaseException | None = None

    def preload(self, series: dict[str, np.ndarray]) -> None:
        """Start the sparklines from earlier reports (a resumed run's history)."""
        with self._cond:
            n = len(series.get("epoch", ()))
            for k in self.series_names:
                values = series.get(k)
                self._series[k] = [float(v) for v in values] if values is not None \
                    else [float("nan")] * n

    # --- the simulation thread (alife.run.session.Watcher) ---------------------------------

    def gate(self, soup: Soup) -> int:
        """Before each chunk: wait while paused (or throttled); the most epochs to run next."""
        with self._cond:
            while True:
                if self._stop:
                    raise KeyboardInterrupt  # the run loop ends cleanly, resumable
                if self.paused:
                    if self._steps > 0:
                        self._steps -= 1
                        return 1
                elif self.rate is None:
                    return MAX_CHUNK
                elif self._allowance > 0:
                    n = min(self._allowance, MAX_CHUNK)
                    self._allowance -= n
                    return n
                if self._want:  # nothing is running: the soup as it is now
                    self._publish(soup)
                self._times.clear()
                self._cond.wait(0.25)

    def chunk(self, soup: Soup, epochs: int) -> None:
        """After each chunk: note the time; copy the soup if the viewer asked for a frame."""
        with self._cond:
            self.epoch = soup.epoch
            now = time.perf_counter()
            self._times.append((now, soup.epoch))
            while len(self._times) > 2 and now - self._times[0][0] > RATE_WINDOW_S:
                self._times.popleft()
            if self._want:
                self._publish(soup)

    def report(self, soup: Soup, metrics: dict[str, Any]) -> None:
        """At each report: extend the sparklines and the most common programs."""
        top = tuple(soup.most_common(self.top_k))  # species are cached by the report
        with self._cond:
            for k in self.series_names:
                self._series[k].append(float(metrics.get(k, np.nan)))
            self._top, self._top_epoch = top, soup.epoch
            self._publish(soup)

    def finish(self, error: BaseException | None = None) -> None:
        """The run has ended (``error``: how it failed)."""
        with self._cond:
            self.done = True
            self.error = error
            self._cond.notify_all()

    def _publish(self, soup: Soup) -> None:
        self._frame = SoupFrame(
            world=self.world, programs=soup.rows.copy(), epoch=soup.epoch,
            series={k: np.array(v) for k, v in self._series.items()}, top=self._top,
            epochs_per_s=self._rate_now(), status=self._status(), top_epoch=self._top_epoch)
        self._fresh = True
        self._want = False

    def _rate_now(self) -> float:
        if len(self._times) < 2:
            return 0.0
        (t0, e0), (t1, e1) = self._times[0], self._times[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 else 0.0

    def _status(self) -> str:
        return "finished" if self.done else "paused" if self.paused else "running"

    # --- the viewer thread -----------------------------------------------------------------------

    def poll(self) -> SoupFrame | None:
        """A new frame since the last poll, or the last one when the run was paused, resumed
        or ended since (None: nothing new); asks for the next one."""
        with self._cond:
            status = self._status()
            frame = self._frame if self._fresh or status != self._shown else None
            self._fresh = False
            self._shown = status
            self._want = True
            if self.rate is not None and not self.paused:
                self._allowance = self.rate  # one frame's worth of epochs
            self._cond.notify_all()
        if frame is not None and frame.status != status:
            frame = dataclasses.replace(
                frame, status=status, epochs_per_s=frame.epochs_per_s if status == "running"
                else 0.0)
        return frame

    def toggle_pause(self) -> bool:
        """Pause or resume; return whether it is now paused."""
        with self._cond:
            self.paused = not self.paused
            self._steps = 0
            self._times.clear()
            self._cond.notify_all()
            return self.paused

    def step(self) -> None:
        """While paused: run exactly one more epoch."""
        with self._cond:
            if self.paused:
                self._steps += 1
                self._cond.notify_all()

    def change_rate(self, faster: bool) -> int | None:
        """Step the epochs-per-frame setting up or down (:data:`RATES`); return the new one."""
        with self._cond:
            i = RATES.index(self.rate)
            self.rate = RATES[min(i + 1, len(RATES) - 1) if faster else max(i - 1, 0)]
            self._cond.notify_all()
            return self.rate

    def stop(self) -> None:
        """Ask the run to stop at its next chunk (as Ctrl-C does: resumable)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
