"""Shared fixtures: the conformance data written by the reference implementation (cubff)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import numba
import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Give Ctrl-C its interactive meaning in the test processes and the commands they start.

    A suite started in the background by a non-interactive shell (``cmd &``, some CI runners)
    inherits SIGINT ignored, and every process it starts inherits that too; the signal tests
    send SIGINT as a terminal does, so they need its default disposition back.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
CONFORMANCE = ROOT / "tests" / "data" / "conformance"  # cubff's data, carried (its NOTICE)


@pytest.fixture(scope="session")
def conformance() -> Path:
    """Path of tests/data/conformance; its absence is a failure, never a skip."""
    assert CONFORMANCE.is_dir(), f"conformance data missing: {CONFORMANCE}"
    return CONFORMANCE


@pytest.fixture
def threads():
    """Set the numba thread count for one test and restore it afterwards."""
    before = numba.get_num_threads()
    yield numba.set_num_threads
    numba.set_num_threads(before)


# A run in another process that reports after every epoch and pauses after each report.
_WRITER = """
import sys, time
import alife
import alife.run.session as session
from alife.world import make_world
path, n, epochs, pause = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
world = make_world({"num_programs": n, "report_every": 1, "epochs": epochs, "until": "",
                    "score_sample": 0, "species_top": 2, "snapshot_every": 0})
real = session.run_soup
def paced(soup, *args, observers=(), **kwargs):
    return real(soup, *args, observers=(*observers, lambda s, m: time.sleep(pause)), **kwargs)
session.run_soup = paced
session.start_run(world, path, alife_version=alife.__version__)
"""


@pytest.fixture
def live_writer():
    """Start ``(path, num_programs, epochs, pause_s)`` runs writing histories in other processes
    (for SWMR readers); they are killed when the test ends."""
    procs: list[subprocess.Popen] = []

    def start(path: Path, num_programs: int, epochs: int, pause: float) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(num_programs),
                                 str(epochs), str(pause)])
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()
