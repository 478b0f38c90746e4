"""The reference implementation of Computational Life (Agüera y Arcas et al. 2024, cubff) and
``alife run`` timed side by side: whole processes, alternating, on the same machine and threads.

Each round runs the reference binary and then ``alife run`` on the same phase: a random soup of
each of :data:`LANGUAGES` for ``epochs`` epochs (0 .. epochs-1), and ``emerged`` epochs from the
emerged checkpoint. The reference stops at its first report past ``--max_epochs`` (it reports
every 64 epochs), so the random phases run 64k+1 epochs and the emerged one a multiple of 64:
both programs then run exactly the same epochs and report at the same ones. Three figures per
run: the whole process (start to exit), the loop (the reference's own ``Elapsed``; ours, the
run loop with its reports) and our kernel alone (inside the compiled calls). Ratios are the
median of the per-round ratios.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from alife.errors import AlifeError
from alife.soup.checkpoint import read_dat

LANGUAGES = ("bff_noheads", "bff")
REPORT_EVERY = 64  #: the reference's print interval (its default)
_ELAPSED = re.compile(rb"Elapsed:\s*([0-9.]+)")
_ANSI = re.compile(rb"\x1b\[[0-9;:]*[A-Za-z]")


@dataclass
class Timing:
    """One process: wall seconds, loop seconds, and (ours) seconds inside the kernel."""

    wall_s: float
    loop_s: float
    kernel_s: float | None = None


@dataclass
class PhaseResult:
    """Medians over the rounds of one phase."""

    phase: str
    epochs: int
    reference: list[Timing]
    ours: list[Timing]

    def _median_ratio(self, ref_of, ours_of) -> float:
        return statistics.median(ref_of(r) / max(ours_of(o), 1e-9)
                                 for r, o in zip(self.reference, self.ours, strict=True))

    @property
    def whole_ratio(self) -> float:
        """Reference whole-process seconds over ours (median of the rounds)."""
        return self._median_ratio(lambda t: t.wall_s, lambda t: t.wall_s)

    @property
    def loop_ratio(self) -> float:
        """Reference loop seconds over ours."""
        return self._median_ratio(lambda t: t.loop_s, lambda t: t.loop_s)

    @property
    def kernel_ratio(self) -> float:
        """Reference loop seconds over our kernel seconds (its loop includes its reports)."""
        return self._median_ratio(lambda t: t.loop_s, lambda t: t.kernel_s or 0.0)

    def median(self, who: str, what: str) -> float:
        """Median seconds of ``what`` (wall_s, loop_s, kernel_s) for ``who`` (reference, ours)."""
        return statistics.median(getattr(t, what) for t in getattr(self, who))


def check_reference(path: str | os.PathLike) -> Path:
    """The reference binary at ``path``: an executable file that answers like cubff's main."""
    p = Path(path)
    if not p.is_file() or not os.access(p, os.X_OK):
        raise AlifeError(f"--reference {str(p)!r}: not an executable file; accepted the "
                         "reference's bin/main built from its source (see the README, Speed)")
    return p.resolve()


def _check_epochs(epochs: int, emerged: int) -> None:
    if epochs < 1 or (epochs - 1) % REPORT_EVERY:
        raise AlifeError(f"--epochs {epochs}: with --reference accepted 64k+1 (65, 129, 193, "
                         "...), so that the reference, which stops at a report, runs the same "
                         "epochs")
    if emerged < REPORT_EVERY or emerged % REPORT_EVERY:
        raise AlifeError(f"--emerged-epochs {emerged}: with --reference accepted a multiple of "
                         "64")


def _run_reference(binary: Path, args: list[str], threads: int) -> Timing:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        done = subprocess.run([str(binary), *args], stdout=out, stderr=subprocess.PIPE,
                              env=env, check=False)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read()
    if done.returncode != 0:
        last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        raise AlifeError(f"the reference {binary} failed (exit {done.returncode}): {last[0]}")
    found = _ELAPSED.findall(_ANSI.sub(b"", text))
    if not found:
        raise AlifeError(f"the reference {binary} printed no 'Elapsed:' report; accepted "
                         "cubff's bin/main")
    return Timing(wall_s=wall, loop_s=float(found[-1]))


def _run_ours(args: list[str], threads: int) -> Timing:
    cmd = [sys.executable, "-m", "alife.cli", "run", *args, "--until", "", "--no-history",
           "--json", "--threads", str(threads)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise AlifeError(f"alife run failed (exit {done.returncode}): "
                         f"{done.stderr.strip().splitlines()[-1:]}")
    out = json.loads(done.stdout)
    return Timing(wall_s=wall, loop_s=float(out["wall_s"]), kernel_s=float(out["kernel_s"]))


def phases(epochs: int, emerged_epochs: int, num_programs: int, emerged_dat: Path | None,
           emerged_start: int) -> list[tuple[str, int, list[str], list[str]]]:
    """(phase, epochs, reference arguments, ``alife run`` arguments) of each phase."""
    out = []
    for language in LANGUAGES:
        out.append((language, epochs,
                    ["--lang", language, "--num", str(num_programs), "--seed", "0",
                     "--max_epochs", str(epochs - 1)],
                    ["--set", f"language={language}", "--set", f"num_programs={num_programs}",
                     "--set", "seed=0", "--epochs", str(epochs)]))
    if emerged_dat is not None:
        last = emerged_start + emerged_epochs
        out.append(("bff_noheads_emerged", emerged_epochs,
                    ["--lang", "bff_noheads", "--seed", "0", "--load", str(emerged_dat),
                     "--max_epochs", str(last - 1)],
                    ["--from", str(emerged_dat), "--set", "language=bff_noheads",
                     "--set", "seed=0", "--epochs", str(last)]))
    return out


def compare(reference: str | os.PathLike, *, threads: int, repeats: int, epochs: int,
            emerged_epochs: int, num_programs: int, emerged_gz: Path | None,
            progress=print) -> list[PhaseResult]:
    """Time every phase ``repeats`` times, the reference and ``alife run`` alternating."""
    binary = check_reference(reference)
    _check_epochs(epochs, emerged_epochs)
    if repeats < 1:
        raise AlifeError(f"--repeats {repeats}: accepted an integer >= 1")
    with tempfile.TemporaryDirectory() as tmp:
        dat = None
        start = 0
        if emerged_gz is not None:
            dat = Path(tmp) / "emerged.dat"
            dat.write_bytes(gzip.decompress(emerged_gz.read_bytes()))
            start = read_dat(dat).epochs
        results = []
        for phase, n, ref_args, our_args in phases(epochs, emerged_epochs, num_programs, dat,
                                                   start):
            r = PhaseResult(phase, n, [], [])
            for i in range(repeats):
                r.reference.append(_run_reference(binary, ref_args, threads))
                r.ours.append(_run_ours(our_args, threads))
                progress(f"alife bench: {phase} round {i + 1}/{repeats}: reference "
                         f"{r.reference[-1].wall_s:.2f} s, alife {r.ours[-1].wall_s:.2f} s")
            results.append(r)
    return results


def print_table(results: list[PhaseResult], threads: int, num_programs: int,
                reference: str) -> None:
    """The side-by-side table: seconds (medians) and ratios (medians of the rounds)."""
    print(f"alife bench --reference {reference}: N = {num_programs}, {threads} threads, "
          f"{os.cpu_count()} CPUs, {len(results[0].ours) if results else 0} alternating rounds; "
          "measured in this run")
    head = (f"{'phase':<21} {'epochs':>6} {'ref s':>7} {'alife s':>7} {'whole':>6} "
            f"{'ref loop':>8} {'loop':>7} {'ratio':>6} {'kernel':>7} {'ratio':>6}")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r.phase:<21} {r.epochs:>6} {r.median('reference', 'wall_s'):>7.2f} "
              f"{r.median('ours', 'wall_s'):>7.2f} {r.whole_ratio:>5.2f}x "
              f"{r.median('reference', 'loop_s'):>8.2f} {r.median('ours', 'loop_s'):>7.2f} "
              f"{r.loop_ratio:>5.2f}x {r.median('ours', 'kernel_s'):>7.2f} "
              f"{r.kernel_ratio:>5.2f}x")
    print("whole: start to exit of each process; loop: the reference's own 'Elapsed' and our "
          "run loop, reports included; kernel: ours inside the compiled calls, against the "
          "reference's loop")
