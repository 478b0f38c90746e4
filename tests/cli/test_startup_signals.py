"""Ctrl-C or SIGTERM before a run's loop has started (while Python loads the command's modules,
numba's compiler, the kernels from their cache) ends `alife` with at most one line and exit
status 128 + the signal, never a KeyboardInterrupt traceback, and writes nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The signal is sent a delay after Python has loaded the alife package (`python -X importtime`
# prints each import as it completes): in the command's own imports, in numba's lazy imports, in
# the kernel's load from its cache, or in the run loop itself. (Before the package has loaded,
# nothing of the command runs yet: Python's own handling applies.)
MOMENTS = [(signal.SIGINT, 0.02), (signal.SIGINT, 0.1), (signal.SIGINT, 0.3),
           (signal.SIGINT, 0.6), (signal.SIGTERM, 0.02), (signal.SIGTERM, 0.3)]


def _signalled_run(tmp_path: Path, signum: int, delay: float) -> tuple[int, list[str], str]:
    proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "alife.cli", "run",
                             "--set", "num_programs=256", "--epochs", "100000", "--until", "",
                             "--quiet", "--no-history", "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    seen = []
    try:
        for line in proc.stderr:  # until the package has loaded
            seen.append(line)
            if line.rstrip().endswith("| alife"):
                break
        time.sleep(delay)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    lines = [ln for ln in "".join(seen + [err]).splitlines()
             if ln.strip() and not ln.startswith("import time:")]
    return proc.returncode, lines, out


@pytest.mark.parametrize("signum,delay", MOMENTS,
                         ids=[f"{signal.Signals(s).name}-{d}s" for s, d in MOMENTS])
def test_a_signal_while_the_command_starts_is_one_line(tmp_path, signum, delay):
    status, lines, out = _signalled_run(tmp_path, signum, delay)
    assert status == 128 + signum, (status, lines)
    assert not any("Traceback" in ln or "KeyboardInterrupt" in ln for ln in lines), lines
    if "Summary" in out:  # it reached the run loop, which stopped at an epoch boundary
        assert lines == [] and "interrupted (" in out
    else:
        how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
        assert lines == [f"alife: interrupted ({how}); nothing more was run"], lines
    assert list(tmp_path.iterdir()) == []  # --no-history: nothing written
