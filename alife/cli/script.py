"""Plumbing for stand-alone scripts (``analyses/``, ``experiments/``): errors as one line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from alife.errors import AlifeError


def run_script(name: str, main: Callable[[], int]) -> int:
    """Run ``main``; bad input (AlifeError, OSError) prints ``name: error: ...`` and returns 2."""
    try:
        return main()
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (AlifeError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{name}: error: {message}", file=sys.stderr)
        return 2
