"""The ``alife`` command: run, resume, inspect, export, import, sweep, view, bench, languages,
disasm.

Every command turns bad input into one line ``alife: error: ...`` and exit status 2. Ctrl-C or
SIGTERM before a run's loop has started (while Python loads the package, or a kernel compiles)
ends the command with one line ``alife: interrupted (...)`` and exit status 128 + the signal;
inside a run's loop they stop it at an epoch boundary (alife.run.runner).
"""

from __future__ import annotations

import os
import signal
import sys
import typing
from typing import TYPE_CHECKING

from alife.cli._signals import Interrupt, interrupted_line  # first: it takes over Ctrl-C
from alife.cli.inspect import cmd_export, cmd_import, cmd_inspect
from alife.cli.misc import cmd_bench, cmd_disasm, cmd_languages
from alife.cli.run import cmd_resume, cmd_run
from alife.cli.sweep import cmd_sweep
from alife.cli.view import add_view_parser
from alife.errors import AlifeError

if TYPE_CHECKING:
    import argparse

_SET_HELP = "override a world key; the value is read as TOML when it parses, else as a string " \
            "(repeatable)"


def _world_args(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("world", nargs="?", help=f"world TOML file (default: {what})")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help=_SET_HELP)


def count(text: str) -> int:
    """An argparse type: an integer >= 0 (how many rows to show)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer; accepted: an integer "
                                         ">= 0") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: accepted an integer >= 0")
    return value


def version() -> str:
    """The installed package's version (importlib.metadata), else the source tree's."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("alife")
    except PackageNotFoundError:
        import alife

        return alife.__version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``alife`` command."""
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse, with its errors as the one line every other error is."""

        def error(self, message: str) -> typing.NoReturn:
            text = " ".join(message.splitlines())
            self.exit(2, f"alife: error: {text}; `{self.prog} --help` says what is accepted\n")

    p = Parser(prog="alife", description="Artificial-life soups of "
                                "self-replicating programs (Computational Life, 2024).")
    p.add_argument("--version", action="version", version=f"alife {version()}",
                   help="print the version (alife X.Y.Z) and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           help="one of the commands below; `alife COMMAND --help` for its "
                           "options")

    r = sub.add_parser("run", help="run a soup (progress, summary, history file)",
                       description="Run a soup. Without WORLD: the paper's default "
                       "(bff_noheads, 2^17 programs, seed 0, until higher_entropy>3 or 20000 "
                       "epochs). Its history goes to runs/<world>__seed<S>.h5; when that exists "
                       "the run is refused with what to do (`alife resume` it, or --new). "
                       "Ctrl-C or SIGTERM stops at the next epoch boundary, closes the history "
                       "as stopped (resumable) and prints the summary; the exit status is then "
                       "130 (Ctrl-C) or 143 (SIGTERM).")
    _world_args(r, "the paper's soup")
    r.add_argument("--from", dest="from_dat", metavar="FILE.dat",
                   help="continue a reference checkpoint (its soup, epoch count and reset "
                   "counter); a .dat stores neither language nor seed, so name them with WORLD "
                   "or --set language=... --set seed=...")
    r.add_argument("--epochs", type=int, metavar="N", help="stop once N epochs are completed "
                   "in total (runs epochs 0..N-1); with --from, the checkpoint's epochs count "
                   "too, so N must exceed them (64 more after epoch 3073: --epochs 3137)")
    r.add_argument("--until", help='stop condition, e.g. "higher_entropy>3" ("" for none)')
    r.add_argument("--threads", type=int, help="numba threads (default: all cores)")
    r.add_argument("--device", default="cpu", help="cpu (default) or cuda: where the soup runs "
                   "(the same bytes; cuda needs the gpu extra and a GPU)")
    r.add_argument("--out", help="history file (default: runs/<world>__seed<seed>.h5); never "
                   "overwritten")
    r.add_argument("--new", action="store_true", help="start a fresh run even though "
                   "runs/<world>__seed<S>.h5 exists: write the next free runs/<world>__seed<S>-"
                   "<i>.h5 (without it, an existing run is refused with how to resume it)")
    r.add_argument("--no-history", action="store_true", help="write no history file (not with "
                   "--out or --new)")
    r.add_argument("--dat-dir", help="write reference checkpoints %%010d.dat here")
    r.add_argument("--dat-every", type=int, default=1, metavar="K",
                   help="with --dat-dir: after every epoch e with e %% K == 0 (default 1)")
    r.add_argument("--top", type=count, default=5, help="most common programs to show")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.add_argument("--view", action="store_true", help="watch the soup in the live viewer "
                   "while it runs (extra viz: pip install 'alife[viz]')")
    r.set_defaults(func=cmd_run)

    rs = sub.add_parser("resume", help="continue a stopped or killed run from its history",
                        description="Continue a run from its history's checkpoint, bit-exactly, "
                        "up to its world's stop condition. Ctrl-C or SIGTERM stops it again at "
                        "the next epoch boundary, resumable (exit status 130 or 143).")
    rs.add_argument("history", help="the run's .h5 history")
    stop = rs.add_mutually_exclusive_group()
    stop.add_argument("--epochs", type=int, help="go on until N epochs are completed in total "
                      "(the world's until condition is dropped)")
    stop.add_argument("--until", help='a new stop condition, e.g. "higher_entropy>4"')
    rs.add_argument("--threads", type=int, help="numba threads (default: all cores)")
    rs.add_argument("--device", default="cpu", help="cpu (default) or cuda (the same bytes)")
    rs.add_argument("--top", type=count, default=5, help="most common programs to show")
    rs.add_argument("--quiet", action="store_true", help="no progress bar")
    rs.add_argument("--json", action="store_true", help="print the summary as JSON")
    rs.add_argument("--view", action="store_true",
                    help="watch it in a window while it runs (extra viz: pygame)")
    rs.set_defaults(func=cmd_resume)

    i = sub.add_parser("inspect", help="world, last metrics, most common programs of a history "
                       "or .dat", description="Describe a history (.h5) or a reference "
                       "checkpoint (.dat, .dat.gz). A .dat stores neither language nor seed: "
                       "give them with --world/--set (default: the paper's bff_noheads, seed 0; "
                       "the output's read_as line says which language the programs are "
                       "disassembled as and where it came from).")
    i.add_argument("path", help="run.h5 or FILE.dat")
    i.add_argument("--world", help="for a .dat: the world TOML it belongs to")
    i.add_argument("--set", action="append", metavar="KEY=VALUE", help=_SET_HELP)
    i.add_argument("--top", type=count, default=5, help="most common programs to show")
    i.add_argument("--json", action="store_true", help="print as JSON")
    i.set_defaults(func=cmd_inspect)

    e = sub.add_parser("export", help="write a history's soup as a reference .dat (or raw)")
    e.add_argument("history", help="the run's .h5 history")
    e.add_argument("--epoch", type=int, help="the snapshot after E completed epochs (default: "
                   "the final soup)")
    e.add_argument("-o", "--output", required=True, help="file to write (must not exist)")
    e.add_argument("--raw", action="store_true", help="write the soup's bytes alone, "
                   "program-major with no header (any program size; .dat holds 64-byte "
                   "programs only)")
    e.add_argument("--json", action="store_true", help="print what was written (output, "
                   "epochs_completed, num_programs, program_size, format) as JSON")
    e.set_defaults(func=cmd_export)

    im = sub.add_parser("import", help="make a history from a reference .dat (then resume it)",
                        description="Make a history from a reference checkpoint. The .dat "
                        "stores neither language nor seed: give them with --world/--set.")
    im.add_argument("dat", help="FILE.dat or FILE.dat.gz")
    im.add_argument("--world", help="the world TOML the soup belongs to (default: the paper's)")
    im.add_argument("--set", action="append", metavar="KEY=VALUE", help=_SET_HELP)
    im.add_argument("-o", "--output", required=True, help="history to write (must not exist)")
    im.add_argument("--json", action="store_true", help="print what was written (output, "
                    "epochs_completed, world) as JSON")
    im.set_defaults(func=cmd_import)

    sw = sub.add_parser("sweep", help="run a world for many seeds (local pool or Dask)",
                        description="Run a world for many seeds: one history per run and "
                        "DIR/sweep.csv. Re-running skips finished runs and resumes the others; "
                        "more seeds of the same world add rows to the table, keeping the "
                        "earlier ones. A DIR holding another world's runs is refused (its "
                        "table is never replaced): give that sweep another --out. Ctrl-C or "
                        "SIGTERM stops every run at its next epoch boundary (resumable), prints "
                        "the rows so far and one line, and exits 130 or 143; the same command "
                        "again finishes the runs. Pool workers end with the sweep's process, "
                        "even when it is killed.")
    _world_args(sw, "the paper's soup")
    sw.add_argument("--seeds", required=True, help="START:STOP[:STEP] (stop excluded) or a list, "
                    "e.g. 0:100 or 1,5,9; at most 100000 seeds per sweep")
    sw.add_argument("--until", help='stop condition of every run ("" for none)')
    sw.add_argument("--max-epochs", type=int, help="stop every run after N epochs in total")
    sw.add_argument("--workers", type=int, help="local processes (default: one per core)")
    sw.add_argument("--threads-per-run", type=int,
                    help="numba threads per soup (default: cores // workers; 1 on Dask)")
    sw.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="send the runs to this Dask distributed scheduler (its address, or the "
                    "scheduler file `dask scheduler --scheduler-file` wrote)")
    sw.add_argument("--device", default="cpu", help="cpu (default) or cuda: the seeds run on "
                    "the GPU, --batch soups per launch (the same bytes)")
    sw.add_argument("--batch", type=int, default=32, help="with --device cuda: soups advanced "
                    "together (default 32)")
    sw.add_argument("--out", help="directory of the histories and sweep.csv "
                    "(default: runs/sweep-<world>); one world per directory")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.add_argument("--json", action="store_true", help="print the rows as JSON")
    sw.set_defaults(func=cmd_sweep)

    b = sub.add_parser("bench", help="benchmark epochs/s against the reference")
    b.add_argument("--threads", default="1,2", help="thread counts to time (default 1,2)")
    b.add_argument("--epochs", type=int, default=None,
                   help="epochs per random-soup phase (default 128; with --reference 129)")
    b.add_argument("--emerged-epochs", type=int, default=64, help="epochs of the emerged phase")
    b.add_argument("--num-programs", type=int, default=131072,
                   help="programs per soup (default 131072, the paper's)")
    b.add_argument("--conformance", default=None,
                   help="path of the conformance data (default: tests/data/conformance)")
    b.add_argument("--history", action="store_true", help="instead: the cost of recording an "
                   "HDF5 history at the default cadence (use --epochs >= 1024 for a snapshot)")
    b.add_argument("--reference", default=None, metavar="PATH",
                   help="the reference's bin/main (built from its source; README, Speed): "
                   "time it and `alife run` side by side, whole processes, alternating")
    b.add_argument("--repeats", type=int, default=3,
                   help="with --reference: alternating rounds per phase (default 3)")
    b.add_argument("--device", default="cpu", help="cuda: the GPU check instead (conformance "
                   "bytes on the device, then the phases on the CPU engine, one GPU soup and "
                   "--batch soups together)")
    b.add_argument("--batch", default="8,32,128", help="with --device cuda: batch sizes")
    b.add_argument("--json", action="store_true", help="print the results as JSON")
    b.set_defaults(func=cmd_bench)

    add_view_parser(sub)

    lg = sub.add_parser("languages", help="list the soup languages")
    lg.set_defaults(func=cmd_languages)

    d = sub.add_parser("disasm", help="disassemble hex bytes (or --parse program text)")
    d.add_argument("language", help="a language of `alife languages`, e.g. bff")
    d.add_argument("program", help="the program as hex bytes, e.g. 5b5b7b2e3e5d2d5d (with "
                   "--parse: as program text, e.g. '[[{.>]-]')")
    d.add_argument("--parse", action="store_true", help="text -> hex instead")
    d.set_defaults(func=cmd_disasm)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear message and exit status 2 on bad input; 128 + the signal's number
    (130 Ctrl-C, 143 SIGTERM) with one line when a stop signal ends the command."""
    with Interrupt() as interrupt:
        try:
            if interrupt.signum is not None:  # it arrived while the package loaded
                raise KeyboardInterrupt
            parser = build_parser()
            args = parser.parse_args(argv)
            status = int(args.func(args) or 0)
            if status == 0 and interrupt.signum is not None:  # noted after its run ended
                interrupt.quiet()
                print(interrupted_line(interrupt.signum), file=sys.stderr)
                return 128 + interrupt.signum
            return status
        except AlifeError as exc:
            interrupt.quiet()
            print("alife: error: " + " ".join(str(exc).splitlines()), file=sys.stderr)  # one line
            return 2
        except KeyboardInterrupt:
            interrupt.quiet()
            # CPython remembers a KeyboardInterrupt that passed through exec() of a string (scipy
            # imports do that) and would end `python -m alife.cli` by SIGINT, whatever the exit
            # status; a string run through exec() clears that memory.
            exec("")
            print(interrupted_line(interrupt.signum), file=sys.stderr)
            return 128 + int(interrupt.signum or signal.SIGINT)
        except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:  # a file the checks above did not foresee (full disk, ...)
            interrupt.quiet()
            where = f"{exc.filename!r}: " if exc.filename is not None else ""
            reason = " ".join(str(exc.strerror or exc).splitlines())
            print(f"alife: error: {where}{reason}; accepted: paths that can be read or written",
                  file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
