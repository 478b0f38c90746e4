#!/usr/bin/env python3
"""Benchmark the soup engine (``alife bench``); arguments as for ``alife bench --help``."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

try:
    import numba  # noqa: F401
except ImportError:  # a python without the dependencies: use the project's virtual environment
    if VENV_PYTHON.is_file() and Path(sys.prefix).resolve() != VENV_PYTHON.parents[1].resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])
    raise

from alife.cli import build_parser  # noqa: E402
from alife.errors import AlifeError  # noqa: E402
from alife.run.bench import main  # noqa: E402

if __name__ == "__main__":
    args = build_parser().parse_args(["bench", *sys.argv[1:]])
    try:
        sys.exit(main(args))
    except AlifeError as exc:
        print(f"bench_soup: error: {exc}", file=sys.stderr)
        sys.exit(2)
