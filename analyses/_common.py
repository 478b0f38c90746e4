"""Plumbing shared by the analysis scripts: arguments, output folder, errors as one line."""

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
                        help="folder for the figures (default: figures/ next to the history)")
    return parser


def out_dir(args: argparse.Namespace) -> Path:
    """``--out``, or the folder ``figures/`` next to the history file."""
    return args.out if args.out is not None else args.history.parent / "figures"


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
