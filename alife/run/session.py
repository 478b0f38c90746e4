"""One run of a world into a history file: start it, or resume it after a stop or a crash.

``start_run`` and ``resume_run`` are what ``alife run``, ``alife resume`` and every sweep task
call. A resumed soup continues from the history's checkpoint, so its bytes after any epoch equal
an uninterrupted run's (DESIGN.md, Determinism).

A world's pattern file is read once, when the run starts, and stored in its history; a resumed
soup pairs from that copy, whatever the working folder and whatever became of the file. A
history is resumed by one process at a time (the others are refused), through a symbolic link
too (the file it points to is continued, the link kept).
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from alife.errors import AlifeError
from alife.history import History, HistoryWriter, SoupState
from alife.history.patterns import pattern_world, read_pattern_file
from alife.history.writer import resume_lock
from alife.metrics import report
from alife.run.protocol import SoupProtocol as Soup
from alife.run.protocol import unit_word
from alife.run.recorder import HistoryRecorder
from alife.run.runner import RunSummary, run_soup, spare_core
from alife.run.soups import new_soup
from alife.run.stop import Condition, parse_condition
from alife.soup.checkpoint import checkpoint_name, write_dat
from alife.world import World

Hook = tuple[int, Callable[[Soup, int], None]]


class Watcher(Protocol):
    """Something that watches a run from inside its loop (the live viewer, alife.viz.bridge)."""

    def gate(self, soup: Soup) -> int:
        """Before each compiled call: may block (paused); the most epochs to run next."""

    def chunk(self, soup: Soup, epochs: int) -> None:
        """After each compiled call of ``epochs`` epochs."""

    def report(self, soup: Soup, metrics: dict[str, Any]) -> None:
        """At each report, after the history has recorded it."""


@dataclass
class RunOutcome:
    """How a run (or one session of it) ended, and where its history is."""

    world: World
    history: Path | None
    start_epoch: int
    epochs_completed: int
    wall_s: float  # this session
    kernel_s: float  # of wall_s: inside the soup's compiled calls
    total_wall_s: float  # every session of the run
    stopped_by: str  # "epochs", "until" or "interrupt"
    transition_epoch: int | None
    final: dict[str, Any] = field(default_factory=dict)
    signal: str | None = None  # "SIGINT" or "SIGTERM" when a signal stopped it

    @property
    def epochs_run(self) -> int:
        """Epochs run in this session."""
        return self.epochs_completed - self.start_epoch

    @property
    def epochs_per_s(self) -> float:
        """Epochs per second of this session (reports and history included)."""
        return self.epochs_run / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def status(self) -> str:
        """The history status this ending gives."""
        return "stopped" if self.stopped_by == "interrupt" else "finished"


def soup_from_state(world: World, state: SoupState, device: str = "cpu") -> Soup:
    """A soup of ``world`` continuing ``state`` (programs, epoch, reset counter, total ops); a
    pattern world pairs from the state's copy of its pattern file when it carries one (states
    read from a history do), never from the path the world names."""
    soup = new_soup(pattern_world(world, state.pattern), device)
    soup.restore(state)
    return soup


def start_run(world: World, out: str | os.PathLike | None, *, alife_version: str,
              soup: Soup | None = None, progress: bool = False,
              dat_dir: str | os.PathLike | None = None, dat_every: int = 1,
              on_start: Callable[[Soup], None] | None = None,
              watcher: Watcher | None = None, device: str = "cpu") -> tuple[Soup, RunOutcome]:
    """Run ``world`` (or continue ``soup``) to its stop condition, recording into ``out``
    (``device``: "cpu" or "cuda", a speed setting).

    ``on_start(soup)`` runs once the history exists, just before the first epoch; ``watcher``
    sees every chunk and report and may pause the loop (it never changes the soup's bytes).
    """
    pattern = read_pattern_file(world.pattern) if world.pattern is not None else None
    if soup is None:
        soup = new_soup(pattern_world(world, pattern), device)
    elif pattern is not None or device != "cpu":  # pair from the very bytes stored
        soup = soup_from_state(world, SoupState(**soup.saved(), pattern=pattern), device)
    hooks: list[Hook] = []
    if dat_dir is not None:
        d = Path(dat_dir)
        d.mkdir(parents=True, exist_ok=True)
        hooks.append((dat_every, lambda s, e: _write_dat(d / checkpoint_name(e), s)))
    writer = None if out is None else HistoryWriter.create(out, world, alife_version,
                                                           pattern=pattern)
    return soup, _drive(soup, world, writer, world.epochs, world.until, progress, hooks,
                        wall_offset=0.0, earlier_transition=None, on_start=on_start,
                        watcher=watcher)


def _write_dat(path: Path, soup: Soup) -> None:
    """The soup as a reference ``.dat`` checkpoint (its saved programs, epoch, reset counter)."""
    s = soup.saved()
    write_dat(path, s["programs"], s["epoch"], s["reset_index"])


def resume_run(path: str | os.PathLike, *, alife_version: str, epochs: int | None = None,
               until: str | None = None, progress: bool = False,
               on_start: Callable[[Soup], None] | None = None,
               watcher: Watcher | None = None, device: str = "cpu") -> tuple[Soup, RunOutcome]:
    """Continue the run recorded in ``path`` to its stop condition, or to ``epochs`` in total
    (on ``device``).

    ``until`` replaces the stop condition; ``epochs`` alone drops it (run exactly that far).
    ``watcher`` is as for :func:`start_run`. A symbolic link is followed: its target is
    continued and the link kept. While it runs, any other resume of the file is refused.
    """
    target = _real_file(path)
    with resume_lock(target):
        return _resume(target, alife_version=alife_version, epochs=epochs, until=until,
                       progress=progress, on_start=on_start, watcher=watcher, device=device)


def _real_file(path: str | os.PathLike) -> Path:
    """The file ``path`` names, symbolic links resolved (the one a resume rewrites)."""
    p = Path(path)
    try:
        return Path(os.path.realpath(p, strict=True))
    except OSError:
        if p.is_symlink():
            raise AlifeError(f"history {str(p)!r} is a symbolic link to "
                             f"{os.readlink(p)!r}, which does not exist") from None
        raise AlifeError(f"history {str(p)!r} does not exist") from None


def _resume(path: Path, *, alife_version: str, epochs: int | None, until: str | None,
            progress: bool, on_start: Callable[[Soup], None] | None,
            watcher: Watcher | None, device: str = "cpu") -> tuple[Soup, RunOutcome]:
    history = History(path)
    try:
        world = history.world
        _check_not_live(history)
        state = history.checkpoint()
        pattern = history.pattern()
        done = state.epoch if state is not None else 0
        new_until = until if until is not None else ("" if epochs is not None else world.until)
        new_epochs = epochs if epochs is not None else world.epochs
        _check_more_to_do(history, done, epochs, until, new_epochs)
        if new_until:
            parse_condition(new_until, world.kind)
        world = world.replace(epochs=new_epochs, until=new_until)
        earlier = history.transition_epoch() if state is not None else None
        if earlier is not None and earlier > done:
            earlier = None
    except BaseException:
        history.close()
        raise
    writer, state = HistoryWriter.reopen(history, world, alife_version)
    try:
        soup = soup_from_state(world, state, device) if state is not None \
            else new_soup(pattern_world(world, pattern), device)
    except BaseException as exc:
        _close_unstarted(writer, exc)
        raise
    wall = state.wall_time if state is not None else 0.0
    return soup, _drive(soup, world, writer, world.epochs, world.until, progress, [],
                        wall_offset=wall, earlier_transition=earlier, on_start=on_start,
                        resumed=state, watcher=watcher)


def live_writer(history: History) -> int | None:
    """The id of the process on this machine still writing ``history``, else None."""
    if history.status != "running":
        return None
    a = history.attrs
    pid, host = a.get("writer_pid"), a.get("writer_host")
    if host == socket.gethostname() and isinstance(pid, int) and pid != os.getpid():
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return None
        return pid
    return None


def _check_not_live(history: History) -> None:
    """Refuse to resume a history that its writer still holds open on this machine."""
    pid = live_writer(history)
    if pid is not None:
        raise AlifeError(f"{str(history.path)!r} is still being written by process {pid}; "
                         "wait for it to end (or stop it) before resuming")


def _check_more_to_do(history: History, done: int, epochs: int | None, until: str | None,
                      target: int) -> None:
    name = str(history.path)
    if epochs is not None and epochs <= done:
        raise AlifeError(f"--epochs {epochs}: {name!r} already completed {done} epochs; "
                         f"accepted: an integer > {done}")
    if history.status != "finished" or epochs is not None:
        if target <= done:
            raise AlifeError(f"{name!r} already reached its world's limit of {target} epochs; "
                             f"pass --epochs N with N > {done} to go on")
        return
    if history.stopped_by == "until" and until is None:
        raise AlifeError(f"{name!r} is finished: its stop condition {history.world.until!r} "
                         f"held after {done} epochs; pass --epochs N (N > {done}) or another "
                         "--until to go on")
    if target <= done:
        raise AlifeError(f"{name!r} is finished: it completed {done} epochs, its world's limit; "
                         f"pass --epochs N with N > {done} to go on")


_NEGATIVE_ZERO = re.compile(r"-0(\.0*)?")


def fixed(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, never as a negative zero ("-0.000" reads "0.000")."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _metric_text(value: Any) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return fixed(float(value))


def bar_fields(soup: Soup, metrics: dict[str, Any], until: Condition | None) -> dict[str, str]:
    """The progress bar's fields at a report: the watched metric against its threshold first
    (when the run has an until condition), then the soup's own fields."""
    fields: dict[str, str] = {}
    if until is not None and until.metric in metrics:
        fields[until.metric] = f"{_metric_text(metrics[until.metric])} (stop {until.op}" \
                               f"{until.value:g})"
    for key, text in soup.status_fields(metrics).items():
        fields[key] = text[1:] if _NEGATIVE_ZERO.fullmatch(text) else text
    return fields


def _progress_bar(soup: Soup, world: World, enabled: bool) -> Any:
    """A bar over the epochs (generations) to the cap when the cap is the only stop; with an
    until condition nobody knows the end, so it counts epochs and their rate, with no total or
    ETA (the watched metric and its threshold are among its fields)."""
    from tqdm import tqdm

    unit = unit_word(soup)
    if not world.until:
        return tqdm(total=world.epochs, initial=soup.epoch, unit=unit, disable=not enabled,
                    dynamic_ncols=True, smoothing=0.1)
    return tqdm(initial=soup.epoch, unit=unit, disable=not enabled, dynamic_ncols=True,
                smoothing=0.1, bar_format=f"{{n_fmt}} {unit}s done (cap {world.epochs}) "
                "[{elapsed}, {rate_fmt}{postfix}]")


def _failure_reason(exc: BaseException | None) -> str:
    """Why a run that raised ``exc`` stopped: "interrupt" (a stop signal) or "error"."""
    return "interrupt" if isinstance(exc, KeyboardInterrupt) else "error"


def _close_unstarted(writer: HistoryWriter, exc: BaseException) -> None:
    """Close the history of a run that ended before its loop (a stop signal while its kernels
    compile, an error) as stopped, so that it reads as a resumable run, not a live one."""
    writer.close("stopped", _failure_reason(exc))


def _drive(soup: Soup, world: World, writer: HistoryWriter | None, max_epochs: int, until: str,
           progress: bool, hooks: list[Hook], wall_offset: float,
           earlier_transition: int | None,
           on_start: Callable[[Soup], None] | None = None,
           resumed: SoupState | None = None, watcher: Watcher | None = None) -> RunOutcome:
    try:
        if on_start is not None:
            on_start(soup)
        recorder = None if writer is None else HistoryRecorder(
            writer, soup, wall_offset, resumed=resumed,
            species_rows=writer.species_rows() if resumed is not None else ())
    except BaseException as exc:
        if writer is not None:
            _close_unstarted(writer, exc)
        raise
    bar: Any = None
    summary: RunSummary | None = None
    try:
        bar = _progress_bar(soup, world, progress)
        condition = parse_condition(until, world.kind) if until else None

        def show(s: Soup, m: dict[str, Any]) -> None:
            bar.set_postfix(bar_fields(s, m, condition), refresh=False)

        observers = [show] + ([recorder.report] if recorder else []) \
            + ([watcher.report] if watcher else [])

        def chunk(s: Soup, n: int) -> None:
            bar.update(n)
            if watcher is not None:
                watcher.chunk(s, n)

        if recorder:
            hooks = [*hooks, *recorder.epoch_hooks]
        summary = run_soup(soup, max_epochs, condition, world.report_every,
                           observers=tuple(observers), epoch_hooks=tuple(hooks), on_chunk=chunk,
                           gate=None if watcher is None else watcher.gate,
                           background=watcher is None and not world.lineage and spare_core(),
                           on_stop=None if recorder is None else recorder.checkpoint)
        if not summary.reports:  # nothing left to run: observe the soup as it is
            m = report(soup)
            m["wall_time"] = 0.0
            for obs in observers:
                obs(soup, m)
            summary.reports.append(m)
    finally:
        if bar is not None:
            bar.close()
        if recorder is not None:
            if summary is not None:
                stopped = summary.stopped_by
                recorder.close(soup, "stopped" if stopped == "interrupt" else "finished", stopped)
            else:  # a stop signal before the loop, or an error: leave the file resumable
                recorder.close(soup, "stopped", _failure_reason(sys.exc_info()[1]))
    transition = earlier_transition if earlier_transition is not None \
        else summary.transition_epoch
    return RunOutcome(world=world, history=None if writer is None else writer.path,
                      start_epoch=summary.start_epoch, epochs_completed=soup.epoch,
                      wall_s=summary.wall_s, kernel_s=summary.kernel_s,
                      total_wall_s=wall_offset + summary.wall_s,
                      stopped_by=summary.stopped_by, transition_epoch=transition,
                      final=summary.final, signal=summary.signal)
