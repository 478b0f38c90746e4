"""Stop signals around a command: noted while the package loads, then one line and exit status
128 + the signal before a run's loop starts; the run loop (alife.run.runner) and a sweep
(alife.run.sweep) take them over while they run.

This module is the first that ``alife.cli`` imports, so that a Ctrl-C while Python loads the
rest of the command (numba, h5py, the kernels) is noted instead of printing a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

#: The signals that end a command before its run starts (and stop a run at an epoch boundary).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_EARLY: list[int] = []  # stop signals that arrived while this package was loading


def _as_command() -> bool:
    """Whether this process is the ``alife`` command (its script, or ``python -m alife.cli``),
    rather than a program importing the package."""
    argv0 = sys.argv[0] if sys.argv else ""
    return argv0 == "-m" or os.path.basename(argv0) in ("alife", "alife.exe") \
        or argv0.endswith(os.path.join("alife", "cli", "__main__.py"))


def _note_early(signum: int, frame: object) -> None:
    _EARLY.append(signum)


_COMMAND = _as_command()
if _COMMAND:  # as early as this package allows: a stop signal is noted, main() then ends at once
    for _s in _STOP_SIGNALS:
        if signal.getsignal(_s) in (signal.default_int_handler, signal.SIG_DFL):  # not SIG_IGN
            signal.signal(_s, _note_early)


class Interrupt:
    """While a command runs outside a run's loop: SIGINT and SIGTERM raise KeyboardInterrupt
    until a run loop has started, so a Ctrl-C during a kernel compile or a file read ends the
    command; once a loop has run, they are only noted (the run is complete; its history is being
    closed and its summary printed). :attr:`signum` says which signal came. A signal whose
    KeyboardInterrupt Python drops (raised inside a finalizer) is handed to the next run loop,
    which then stops at its first epoch boundary, and is not reported as an ignored exception.
    The handlers found on entry come back on exit, or, for the ``alife`` command itself, the
    system's defaults (the process ends quietly if a signal arrives while it shuts down)."""

    def __init__(self) -> None:
        self.signum: int | None = _EARLY[0] if _EARLY else None
        self._previous: dict[int, object] = {}
        self._unraisable = sys.unraisablehook

    def __enter__(self) -> Interrupt:
        from alife.run import runner

        self._runner = runner
        self._loops = runner.loops_started()
        if threading.current_thread() is threading.main_thread():
            for s in _STOP_SIGNALS:
                self._previous[s] = signal.signal(s, self._raise)
            sys.unraisablehook = self._hide_dropped_interrupt
        return self

    def _raise(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        if self._runner.loops_started() > self._loops:
            return  # after the run: finish closing its history and printing its summary
        self._runner.request_stop(signum)  # taken up by the run loop if this one is dropped
        raise KeyboardInterrupt

    def _hide_dropped_interrupt(self, unraisable: object) -> None:
        if isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
            return  # the signal was noted and handed to the run loop
        self._unraisable(unraisable)  # type: ignore[arg-type]

    def quiet(self) -> None:
        """From now on a stop signal is noted, not raised (while the command reports its end)."""
        for s in self._previous:
            signal.signal(s, _note_early)

    def __exit__(self, *exc: object) -> None:
        self._runner.clear_stop_requests()
        if self._previous:
            sys.unraisablehook = self._unraisable
        for s, handler in self._previous.items():
            restored = signal.SIG_DFL if _COMMAND and handler is _note_early else handler
            signal.signal(s, signal.SIG_DFL if restored is None else restored)  # type: ignore


def interrupted_line(signum: int | None) -> str:
    """The one line a command stopped by a signal before (or after) its run prints."""
    how = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}.get(signum or signal.SIGINT,
                                                                   "a signal")
    return f"alife: interrupted ({how}); nothing more was run"
