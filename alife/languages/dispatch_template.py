"""The generated dispatch alone (``run_tape``, ``run_tape_traced``), for running single tapes.

A template of :func:`alife.languages.dispatch.compiled`; never imported directly.
"""

from alife.languages.dispatch import run_tape, run_tape_traced

__all__ = ["run_tape", "run_tape_traced"]
