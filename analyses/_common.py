"""Plumbing shared by the analysis scripts: arguments, output folder, errors as one line.

Outputs go to ``runs/figures/<input name>/`` under the current directory unless ``--out`` names
a folder: never into the folder of the input, which may be read-only or shared (a data folder,
another user's sweep); the committed figures in ``docs/figures`` are rewritten only by an
explicit ``--out docs/figures``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alife.cli.script import run_script  # noqa: F401 (re-exported for the scripts)
from alife.errors import AlifeError
from alife.history import History


def history_parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the history file and ``--out`` that every analysis takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("history", type=Path, help="history file (.h5) written by `alife run`")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the figures (default: runs/figures/NAME/ under the "
                        "current directory, NAME the history's file name without .h5)")
    return parser


def input_name(path: Path) -> str:
    """The name of an input without its suffixes (.h5, .dat, .dat.gz): ``runs/x.h5`` -> ``x``."""
    name = path.resolve().name if path.name in ("", ".", "..") else path.name
    for suffix in (".gz", ".dat", ".h5"):
        name = name.removesuffix(suffix)
    return name or "input"


def default_out(path: Path) -> Path:
    """``runs/figures/<input name>``, relative to the current directory."""
    return Path("runs") / "figures" / input_name(path)


def out_dir(args: argparse.Namespace) -> Path:
    """``--out``, or :func:`default_out` of the history file."""
    return args.out if args.out is not None else default_out(args.history)


def snapshot_epoch(history: History, text: str) -> int:
    """The snapshot epoch that ``--epoch`` names ("last", or epochs completed)."""
    epochs = [int(e) for e in history.snapshot_epochs()]
    if not epochs:
        raise AlifeError(f"{str(history.path)!r} holds no soup snapshots")
    if text == "last":
        return epochs[-1]
    try:
        epoch = int(text)
    except ValueError:
        raise AlifeError(f"--epoch {text!r}: expected an integer or 'last'") from None
    if epoch not in epochs:
        raise AlifeError(f"{str(history.path)!r} has no snapshot after {epoch} epochs; "
                         f"snapshots exist after: {', '.join(map(str, epochs))}")
    return epoch
