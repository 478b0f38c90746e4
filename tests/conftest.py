"""Shared fixtures: the conformance data written by the reference implementation (cubff)."""

from __future__ import annotations

from pathlib import Path

import numba
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT.parent / "shared" / "conformance"


@pytest.fixture(scope="session")
def conformance() -> Path:
    """Path of ../shared/conformance; its absence is a failure, never a skip."""
    assert CONFORMANCE.is_dir(), f"conformance data missing: {CONFORMANCE}"
    return CONFORMANCE


@pytest.fixture
def threads():
    """Set the numba thread count for one test and restore it afterwards."""
    before = numba.get_num_threads()
    yield numba.set_num_threads
    numba.set_num_threads(before)
