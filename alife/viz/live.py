"""The live viewer: a pygame window on a running soup, a run another process writes, or a
replayed history (Agüera y Arcas et al. 2024, "Computational Life").

* ``alife run WORLD --view``: :func:`view_run` runs the soup in a worker thread (the compiled
  epochs release the GIL) and the window on the main thread; :class:`alife.viz.bridge.LiveBridge`
  hands copies of the soup over under a lock, only when the window wants a frame, and frames are
  capped at ``fps``, so the display never slows the soup down (except when paused).
* ``alife view RUN.h5 [--follow]``: :class:`HistorySource` scrubs a history's snapshots; with
  ``follow`` it re-reads the file (SWMR) and shows each new report's checkpointed soup.
* ``alife view RUN.h5 --frames DIR``: :func:`write_frames`, one PNG per stored snapshot (with
  ``--every K``, also every K epochs between them, re-run from the snapshots), no window.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.viz import require_pygame
from alife.viz.bridge import RATES, LiveBridge, SoupFrame, sparkline_series
from alife.world import World

pygame = require_pygame()

from alife.viz.render import SOUP_PANE, WINDOW, FramePainter, ProgramPanel  # noqa: E402
from alife.viz.tiles import Viewport  # noqa: E402
from alife.viz.trace import trace_interaction  # noqa: E402

FPS = 30
FOLLOW_EVERY_S = 1.0  # how often a followed history is re-read


# --- sources: what the window shows --------------------------------------------------------------


class LiveSource:
    """A soup running in this process, watched through a :class:`LiveBridge`."""

    mode = "live"

    def __init__(self, bridge: LiveBridge) -> None:
        self.bridge = bridge

    @property
    def world(self) -> World:
        """The world being run."""
        return self.bridge.world

    def poll(self) -> SoupFrame | None:
        """A new frame, if the soup has moved on."""
        return self.bridge.poll()

    def toggle_pause(self) -> bool:
        """Pause or resume the soup."""
        return self.bridge.toggle_pause()

    def step(self) -> None:
        """One more epoch (while paused)."""
        self.bridge.step()

    def change_rate(self, faster: bool) -> None:
        """More or fewer epochs per frame."""
        self.bridge.change_rate(faster)

    @property
    def rate(self) -> int | None:
        """Epochs per frame (None: as fast as the soup runs)."""
        return self.bridge.rate

    def scrub(self, delta: int) -> None:
        """Live runs have no snapshots to scrub."""

    def close(self) -> None:
        """Stop the run (resumably) when the window closes first."""
        if not self.bridge.done:
            self.bridge.stop()


class HistorySource:
    """The snapshots of a history, one at a time; with ``follow``, a run still being written."""

    def __init__(self, path: str | os.PathLike, follow: bool = False,
                 follow_every_s: float = FOLLOW_EVERY_S) -> None:
        from alife.history import History

        self.history = History(path)
        self.follow_every_s = follow_every_s
        self.world = self.history.world
        self.follow = follow
        self.mode = "follow" if follow else "replay"
        self.paused = not follow
        self.rate: int | None = 1  # snapshots per frame while playing
        self._states: list[tuple[int, str]] = []  # (epoch, "snapshot" | "checkpoint")
        self._last_read = 0.0
        self._last_step = 0.0
        self._cache: tuple[tuple[int, str], np.ndarray] | None = None
        self._checkpoint = np.zeros((0, 64), dtype=np.uint8)  # the followed run's latest soup
        self._dirty = True
        self._read()
        self.index = len(self._states) - 1 if follow else 0

    def _read(self) -> None:
        h = self.history
        if self.follow:
            h.refresh()
        states = [(int(e), "snapshot") for e in h.snapshot_epochs()]
        cp = h.checkpoint() if self.follow else None
        if cp is not None and (not states or cp.epoch > states[-1][0]):
            states.append((cp.epoch, "checkpoint"))
            self._checkpoint = np.asarray(cp.programs)  # read once, with its epoch
        if not states:
            raise AlifeError(f"{str(h.path)!r} holds no soup yet (no snapshot or checkpoint)")
        at_end = not self._states or self.index == len(self._states) - 1
        changed = states != self._states
        self._states = states
        self._metrics = h.metrics()
        if changed and self.follow and at_end:
            self.index = len(states) - 1
        self._dirty |= changed
        self._last_read = time.monotonic()

    def __len__(self) -> int:
        return len(self._states)

    def frame_at(self, index: int) -> SoupFrame:
        """The frame of state ``index`` (snapshot or, when following, the latest checkpoint)."""
        key = self._states[index]
        epoch, kind = key
        if self._cache is None or self._cache[0] != key:
            if kind == "snapshot":
                programs = self.history.snapshot(epoch).programs
            else:
                programs = self._checkpoint
            self._cache = (key, np.asarray(programs))
        status = f"{self.mode} {index + 1}/{len(self._states)}"
        if self.follow:
            status += f", run {self.history.status}"
        return self.frame_of(epoch, self._cache[1], status)

    def frame_of(self, epoch: int, programs: np.ndarray, status: str) -> SoupFrame:
        """The frame of the soup ``programs`` after ``epoch`` epochs, with the history's reports
        up to that epoch (sparklines, most common programs, rate)."""
        m = self._metrics
        upto = m["epoch"] <= epoch
        series = {k: m[k][upto] for k in sparkline_series(self.world.kind) if k in m}
        top: tuple[tuple[bytes, int], ...] = ()
        top_epoch = None
        reports = np.flatnonzero(upto)
        if len(reports):
            top_epoch, rows = self.history.species(int(reports[-1]))
            top = tuple(rows)
        eps = 0.0
        if "wall_time" in m and upto.sum() >= 2:
            e, t = m["epoch"][upto][-2:], m["wall_time"][upto][-2:]
            eps = float((e[1] - e[0]) / (t[1] - t[0])) if t[1] > t[0] else 0.0
        return SoupFrame(self.world, programs, epoch, series, top, eps, status, top_epoch)

    def poll(self) -> SoupFrame | None:
        """The current state's frame when it changed (new data, scrubbing, playing)."""
        now = time.monotonic()
        if self.follow and now - self._last_read > self.follow_every_s:
            self._read()
        if not self.paused and now - self._last_step > 0.5 and self.index < len(self) - 1:
            self.index = min(self.index + (self.rate or len(self)), len(self) - 1)
            self._last_step = now
            self._dirty = True
        if not self._dirty:
            return None
        self._dirty = False
        return self.frame_at(self.index)

    def toggle_pause(self) -> bool:
        """Play or pause the replay."""
        self.paused = not self.paused
        self._dirty = True
        return self.paused

    def step(self) -> None:
        """One snapshot forward (while paused)."""
        if self.paused:
            self.scrub(1)

    def change_rate(self, faster: bool) -> None:
        """More or fewer snapshots per step of the replay."""
        i = RATES.index(self.rate)
        self.rate = RATES[min(i + 1, len(RATES) - 1) if faster else max(i - 1, 0)]

    def scrub(self, delta: int) -> None:
        """Move ``delta`` snapshots back or forward."""
        new = int(min(max(self.index + delta, 0), len(self) - 1))
        self._dirty |= new != self.index
        self.index = new

    def close(self) -> None:
        """Close the history file."""
        self.history.close()


# --- the window ----------------------------------------------------------------------------------


class Viewer:
    """The window's state and event handling; :meth:`tick` processes events and draws a frame."""

    def __init__(self, source: Any, surface: Any | None = None, fps: int = FPS,
                 screenshot_dir: str | os.PathLike = ".") -> None:
        self.source = source
        self.world = source.world
        self.surface = surface if surface is not None else pygame.Surface(WINDOW)
        self.fps = fps
        self.screenshot_dir = Path(screenshot_dir)
        self.painter = FramePainter(self.world)
        self.view = Viewport.for_world(self.world, SOUP_PANE.w, SOUP_PANE.h,
                                       tile=self.painter.soup.renderer.tile)
        self.frame: SoupFrame | None = None
        self.panel: ProgramPanel | None = None
        self.running = True
        self.dirty = True
        self.message = ""
        self._message_until = 0.0
        self._press: tuple[int, int] | None = None
        self._dragged = False
        self.frames_drawn = 0
        self.draw_ms: list[float] = []  # time of each frame: drawing and display flip

    # --- events ----------------------------------------------------------------------------------

    def handle(self, event: Any) -> None:
        """React to one pygame event."""
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.KEYDOWN:
            self._key(event)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self._press, self._dragged = event.pos, False
        elif event.type == pygame.MOUSEMOTION and self._press is not None and event.buttons[0]:
            dx, dy = event.rel
            if self._dragged or abs(event.pos[0] - self._press[0]) + abs(
                    event.pos[1] - self._press[1]) > 3:
                self._dragged = True
                if self.panel is None:
                    self.view.pan(dx, dy)
                    self.dirty = True
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            if self._press is not None and not self._dragged:
                self.click(event.pos, bool(pygame.key.get_mods() & pygame.KMOD_SHIFT)
                           or bool(getattr(event, "shift", False)))
            self._press = None
        elif event.type == pygame.MOUSEWHEEL and self.panel is None:
            mx, my = pygame.mouse.get_pos()
            self.view.zoom_at(mx - SOUP_PANE.x, my - SOUP_PANE.y, event.y > 0)
            self.dirty = True

    def _key(self, event: Any) -> None:
        k, mods = event.key, event.mod
        if k == pygame.K_q:
            self.running = False
        elif k == pygame.K_ESCAPE:
            if self.panel is not None:
                self.panel = None
            else:
                self.running = False
        elif k == pygame.K_SPACE:
            paused = self.source.toggle_pause()
            self.say("paused" if paused else "running")
        elif k == pygame.K_PERIOD:
            self.source.step()
        elif k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.source.change_rate(True)
        elif k in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self.source.change_rate(False)
        elif k == pygame.K_s:
            try:
                self.say(f"saved {self.screenshot()}")
            except (AlifeError, OSError) as exc:  # a full or read-only folder: say so, go on
                self.say(f"screenshot not saved: {exc}")
        elif k == pygame.K_z:
            self.view.fit()
        elif k in (pygame.K_LEFT, pygame.K_RIGHT):
            sign = 1 if k == pygame.K_RIGHT else -1
            if self.panel is not None:
                size = 1024 if mods & pygame.KMOD_CTRL else 64 if mods & pygame.KMOD_SHIFT else 1
                self.panel.move(sign * size)
            else:
                self.source.scrub(sign)
        elif k in (pygame.K_HOME, pygame.K_END) and self.panel is not None:
            self.panel.step = 0 if k == pygame.K_HOME else self.panel.trace.steps
        elif k in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET) and self.panel is not None:
            n = self.world.num_programs
            self.set_partner((self.panel.partner + (1 if k == pygame.K_RIGHTBRACKET else -1)) % n)
        self.dirty = True

    def click(self, pos: tuple[int, int], shift: bool = False) -> None:
        """A click at window position ``pos``: open the program there (shift: make it the
        partner of the open program)."""
        if self.frame is None or not SOUP_PANE.collidepoint(pos):
            return
        if self.panel is not None and not shift:
            return
        member = self.view.member_at(pos[0] - SOUP_PANE.x, pos[1] - SOUP_PANE.y)
        if member is None:
            return
        if self.world.kind == "neural":  # particles: their class and weights in the header
            self.say(self.painter.describe_particle(self.frame, member), 8.0)
            return
        if shift and self.panel is not None:
            self.set_partner(member)
        else:
            self.open_program(member)

    def say(self, message: str, seconds: float = 3.0) -> None:
        """Show ``message`` in the header for a while."""
        self.message, self._message_until = message, time.monotonic() + seconds
        self.dirty = True

    # --- the program panel -----------------------------------------------------------------------

    def open_program(self, index: int, partner: int | None = None) -> ProgramPanel:
        """Open program ``index`` of the current frame, meeting ``partner`` (default: the next)."""
        from alife.measures.replication import replication_score

        f = self.frame
        if f is None:
            raise AlifeError("no soup is shown yet")
        w = self.world
        program = f.programs[index].tobytes()
        count = int(np.all(f.programs == f.programs[index], axis=1).sum())
        score = replication_score(program, w.language, max(f.epoch - 1, 0), w.seed, w.step_limit)
        partner = (index + 1) % w.num_programs if partner is None else partner
        other = f.programs[partner].tobytes()
        self.panel = ProgramPanel(index, program, count, score, partner, other,
                                  trace_interaction(w.language, program, other, w.step_limit))
        self.dirty = True
        return self.panel

    def set_partner(self, partner: int) -> None:
        """Let the open program meet ``partner`` instead (the trace restarts at step 0)."""
        if self.panel is None or self.frame is None:
            return
        p = self.panel
        other = self.frame.programs[partner].tobytes()
        self.panel = ProgramPanel(p.index, p.program, p.count, p.score, partner, other,
                                  trace_interaction(self.world.language, p.program, other,
                                                    self.world.step_limit))
        self.dirty = True

    # --- drawing ---------------------------------------------------------------------------------

    def tick(self) -> bool:
        """Handle pending events, take a new frame if there is one, redraw if anything changed.
        Returns False once the viewer should close."""
        for event in pygame.event.get() if pygame.display.get_init() else ():
            self.handle(event)
        frame = self.source.poll()
        if frame is not None:
            self.frame, self.dirty = frame, True
        if self.message and time.monotonic() > self._message_until:
            self.message, self.dirty = "", True
        if self.dirty and self.frame is not None:
            self.draw()
        return self.running

    def draw(self) -> None:
        """Draw the current frame now."""
        t0 = time.perf_counter()
        self.painter.draw(self.surface, self.frame, self.view, self.panel, self.source.rate,
                          self.message, self.source.mode)
        if pygame.display.get_init() and pygame.display.get_surface() is self.surface:
            pygame.display.flip()
        self.draw_ms.append((time.perf_counter() - t0) * 1e3)
        self.frames_drawn += 1
        self.dirty = False

    def screenshot(self, path: str | os.PathLike | None = None) -> Path:
        """Save the window as PNG (default: a name with world, epoch and program, never
        overwriting)."""
        if path is None:
            f, w = self.frame, self.world
            label = w.soup.label
            stem = f"alife_{label}_seed-{w.seed}_epoch-{f.epoch if f else 0}"
            if self.panel is not None:
                stem += f"_program-{self.panel.index}_step-{self.panel.step}"
            self.screenshot_dir.mkdir(parents=True, exist_ok=True)
            path, i = self.screenshot_dir / f"{stem}.png", 2
            while path.exists():
                path, i = self.screenshot_dir / f"{stem}-{i}.png", i + 1
            if self.dirty and self.frame is not None:
                self.draw()
            _write_new(path, lambda tmp: pygame.image.save(self.surface, str(tmp)))
            return path
        if self.dirty and self.frame is not None:
            self.draw()
        pygame.image.save(self.surface, str(path))  # a name the caller chose
        return Path(path)

    def loop(self, until: Any = None) -> None:
        """Tick at most ``fps`` times a second until the window closes (or ``until()`` holds)."""
        clock = pygame.time.Clock()
        while self.tick():
            if until is not None and until():
                self.tick()  # the frame handed over just before the end
                break
            clock.tick(self.fps)


def open_window(title: str) -> Any:
    """The window's surface (an AlifeError when there is no display)."""
    hint = "without a display use `alife view RUN.h5 --frames DIR`, or SDL_VIDEODRIVER=dummy"
    try:
        pygame.display.init()
        if pygame.display.get_driver() in ("offscreen", "dummy") \
                and not os.environ.get("SDL_VIDEODRIVER"):  # SDL's fallback: nobody would see it
            pygame.display.quit()
            raise AlifeError(f"cannot open a window: there is no display; {hint}")
        surface = pygame.display.set_mode(WINDOW)
    except pygame.error as exc:
        raise AlifeError(f"cannot open a window ({exc}); {hint}") from None
    pygame.display.set_caption(title)
    return surface


# --- entry points --------------------------------------------------------------------------------


def view_run(world: World, out: str | os.PathLike | None, *, alife_version: str,
             soup: Any = None, progress: bool = False, dat_dir: str | os.PathLike | None = None,
             dat_every: int = 1, on_start: Any = None, exit_when_done: bool = False,
             fps: int = FPS, screenshot_dir: str | os.PathLike = ".",
             on_viewer: Any = None) -> tuple[Any, Any]:
    """``alife run --view``: run ``world`` as :func:`alife.run.session.start_run` does (same
    history bytes) in a worker thread while the window shows it; return (soup, outcome).

    The window stays open after the run ends unless ``exit_when_done``; closing it first stops
    the run as Ctrl-C does (resumable). ``on_viewer(viewer)`` runs once the window exists.
    """
    from alife.run.session import start_run

    def run(bridge: LiveBridge) -> tuple[Any, Any]:
        return start_run(world, out, alife_version=alife_version, soup=soup, progress=progress,
                         dat_dir=dat_dir, dat_every=dat_every, on_start=on_start, watcher=bridge)

    return _watch(world, run, exit_when_done, fps, screenshot_dir, on_viewer)


def view_resume(path: str | os.PathLike, *, alife_version: str, epochs: int | None = None,
                until: str | None = None, progress: bool = False, on_start: Any = None,
                exit_when_done: bool = False, fps: int = FPS,
                screenshot_dir: str | os.PathLike = ".", on_viewer: Any = None
                ) -> tuple[Any, Any]:
    """``alife resume RUN.h5 --view``: continue the run as :func:`alife.run.session.resume_run`
    does (same bytes) while the window shows it, its sparklines starting from the history's
    earlier reports; return (soup, outcome)."""
    from alife.history import History
    from alife.run.session import resume_run

    with History(path) as h:
        world = h.world
        cp = h.checkpoint()
        done = cp.epoch if cp is not None else 0
        m = h.metrics()
        earlier = {k: m[k][m["epoch"] <= done] for k in sparkline_series(world.kind) if k in m}

    def run(bridge: LiveBridge) -> tuple[Any, Any]:
        return resume_run(path, alife_version=alife_version, epochs=epochs, until=until,
                          progress=progress, on_start=on_start, watcher=bridge)

    return _watch(world, run, exit_when_done, fps, screenshot_dir, on_viewer, earlier)


def _watch(world: World, run: Any, exit_when_done: bool, fps: int,
           screenshot_dir: str | os.PathLike, on_viewer: Any,
           series: dict[str, np.ndarray] | None = None) -> tuple[Any, Any]:
    """Call ``run(bridge)`` in a worker thread while the window shows what the bridge hands
    over; return what ``run`` returned (or raise what it raised)."""
    import numba

    bridge = LiveBridge(world)
    if series:
        bridge.preload(series)
    threads = numba.get_num_threads()
    result: dict[str, Any] = {}

    def simulate() -> None:
        numba.set_num_threads(threads)  # numba's thread count is per calling thread
        try:
            result["out"] = run(bridge)
            bridge.finish()
        except BaseException as exc:  # handed to the main thread below
            bridge.finish(exc)

    label = world.soup.label
    surface = open_window(f"alife: {world.name or label}, seed {world.seed}")
    viewer = Viewer(LiveSource(bridge), surface, fps, screenshot_dir)
    if on_viewer is not None:
        on_viewer(viewer)
    sim = threading.Thread(target=simulate, name="alife-soup", daemon=True)
    sim.start()
    try:
        viewer.loop(until=(lambda: bridge.done) if exit_when_done else None)
    except KeyboardInterrupt:  # Ctrl-C: stop the run cleanly, as `alife run` does
        pass
    finally:
        bridge.stop()
        sim.join()
        pygame.display.quit()
    if bridge.error is not None:
        raise bridge.error
    return result["out"]


def view_history(path: str | os.PathLike, follow: bool = False, fps: int = FPS,
                 screenshot_dir: str | os.PathLike = ".") -> None:
    """``alife view RUN.h5 [--follow]``: replay (or follow) a history in a window."""
    source = HistorySource(path, follow)
    try:
        w = source.world
        label = w.soup.label
        surface = open_window(f"alife view: {Path(path).name} ({label}, seed {w.seed})")
        Viewer(source, surface, fps, screenshot_dir).loop()
    finally:
        source.close()
        pygame.display.quit()


def frame_epochs(snapshots: list[int], every: int | None = None) -> list[int]:
    """The epochs ``write_frames`` draws: every snapshot's and, with ``every`` K, each multiple
    of K between two snapshots."""
    epochs = set(snapshots)
    if every:
        for a, b in zip(snapshots, snapshots[1:], strict=False):
            epochs.update(range(a + every - a % every, b, every))
    return sorted(epochs)


def _soups_between(history: Any, world: World, epochs: list[int]) -> Any:
    """(epoch, rows) for each of ``epochs``: a snapshot as stored, any other epoch by re-running
    the soup from the snapshot before it; each re-run must arrive at the next snapshot's bytes."""
    from alife.run.session import soup_from_state

    snaps = [int(e) for e in history.snapshot_epochs()]
    soup = None
    for epoch in epochs:
        if epoch in snaps:
            state = history.snapshot(epoch)
            if soup is not None:  # re-run since the snapshot before: it must arrive here
                _advance(soup, epoch)
                if not np.array_equal(soup.rows, state.programs):
                    raise AlifeError(f"re-running {str(history.path)!r} from a snapshot does "
                                     f"not give its snapshot after {epoch} epochs (written by "
                                     "another alife version?); --every needs an exact re-run, "
                                     "plain --frames does not")
                soup = None
            yield epoch, np.asarray(state.programs)
            continue
        if soup is None:
            soup = soup_from_state(world, history.snapshot(max(e for e in snaps if e < epoch)))
        _advance(soup, epoch)
        yield epoch, soup.rows.copy()


def _advance(soup: Any, epoch: int) -> None:
    """Run ``soup`` to ``epoch`` completed epochs (lineage bits, unused here, are dropped)."""
    while soup.epoch < epoch:
        soup.run(min(64, epoch - soup.epoch))
        pending = getattr(soup, "pending_lineage", None)
        if pending:
            pending.clear()


def _write_new(path: Path, write: Any) -> None:
    """``write(tmp)`` into a new temporary file beside ``path``, then linked to ``path``: never
    over an existing file, never a half-written one under its name."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.link(tmp, path)
    except FileExistsError:
        raise AlifeError(f"{str(path)!r} already exists; it is never overwritten") from None
    except OSError as exc:
        raise AlifeError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_frames(path: str | os.PathLike, out_dir: str | os.PathLike,
                 every: int | None = None) -> list[Path]:
    """``alife view RUN.h5 --frames DIR``: one PNG per stored snapshot (``frame_00000.png``, ...)
    and ``frames.csv`` (frame, epoch), with no window; return the PNGs' paths.

    A history stores the soup at its start, after every ``snapshot_every``-th epoch and at its
    end, so that is the finest cadence of plain frames. With ``every`` K, frames also come after
    each K-th epoch between snapshots: the soup is re-run from the snapshot before (exact, as
    every soup's bytes are a function of its world and seed; it costs those epochs' compute).
    """
    if every is not None and every < 1:
        raise AlifeError(f"--every {every}: accepted an integer >= 1 (epochs between frames)")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise AlifeError(f"--frames {str(out)!r} is a file, not a folder; accepted: a new or "
                         "empty folder")
    if out.is_dir() and ((out / "frames.csv").exists() or any(out.glob("frame_*.png"))):
        free, i = out.with_name(f"{out.name}-2"), 3
        while free.exists():
            free, i = out.with_name(f"{out.name}-{i}"), i + 1
        raise AlifeError(f"--frames {str(out)!r} already holds frames (frames.csv or "
                         "frame_*.png), which are never overwritten; accepted: a new or empty "
                         f"folder, e.g. --frames {free}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AlifeError(f"--frames {str(out)!r}: cannot make the folder ({exc.strerror or exc}); "
                         "accepted: a new or empty folder in a writable one") from None
    source = HistorySource(path)
    written = []
    try:
        viewer = Viewer(source)
        snaps = [int(e) for e in source.history.snapshot_epochs()]
        epochs = frame_epochs(snaps, every)
        rows = ["frame,epoch"]
        soups = _soups_between(source.history, source.world, epochs) if every else \
            ((e, None) for e in epochs)
        for i, (epoch, programs) in enumerate(soups):
            if programs is None:
                viewer.frame = source.frame_at(i)
            else:
                kind = "snapshot" if epoch in snaps else "re-run"
                viewer.frame = source.frame_of(epoch, programs,
                                               f"{kind}, frame {i + 1}/{len(epochs)}")
            viewer.draw()
            p = out / f"frame_{i:05d}.png"
            _write_new(p, lambda tmp: pygame.image.save(viewer.surface, str(tmp)))
            written.append(p)
            rows.append(f"{i},{epoch}")
        _write_new(out / "frames.csv", lambda tmp: tmp.write_text("\n".join(rows) + "\n"))
    finally:
        source.close()
    return written
