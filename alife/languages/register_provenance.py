"""Provenance slots of a CPU's registers, shared by the Z80 and 8080 provenance passes (tracer
tokens, Agüera y Arcas et al. 2024, sec. 3): slot ``k`` of a register byte lives at
``st[p0 + k]`` of the CPU's state array, a 16-bit register's high byte at slot ``hi`` and its
low byte at ``hi + 1``; tape provenance ``src`` is indexed by address masked to the tape."""

from __future__ import annotations

import numpy as np
from numba import njit

from alife.languages.family import CREATED


@njit(inline="always", cache=True, nogil=True)
def store_word(st: np.ndarray, p0: int, src: np.ndarray, addr: int, hi: int) -> None:
    """A 16-bit register (high slot ``hi``) written to ``addr``, low byte first."""
    m = src.shape[0] - 1
    src[addr & m] = st[p0 + hi + 1]
    src[(addr + 1) & m] = st[p0 + hi]


@njit(inline="always", cache=True, nogil=True)
def load_word(st: np.ndarray, p0: int, src: np.ndarray, addr: int, hi: int) -> None:
    """A 16-bit register (high slot ``hi``) read from ``addr``, low byte first."""
    m = src.shape[0] - 1
    st[p0 + hi + 1] = src[addr & m]
    st[p0 + hi] = src[(addr + 1) & m]


@njit(inline="always", cache=True, nogil=True)
def exchange_word(st: np.ndarray, p0: int, src: np.ndarray, addr: int, hi: int) -> None:
    """EX (SP),HL / XTHL: the register and the word at ``addr`` swap provenance."""
    m = src.shape[0] - 1
    low = src[addr & m]
    high = src[(addr + 1) & m]
    store_word(st, p0, src, addr, hi)
    st[p0 + hi + 1] = low
    st[p0 + hi] = high


@njit(inline="always", cache=True, nogil=True)
def swap_slots(st: np.ndarray, p0: int, a: int, b: int) -> None:
    """Two register bytes swap provenance (EX, EXX, XCHG)."""
    t = st[p0 + a]
    st[p0 + a] = st[p0 + b]
    st[p0 + b] = t


@njit(inline="always", cache=True, nogil=True)
def push_created(sp: int, src: np.ndarray) -> None:
    """A pushed return address (CALL, RST): made by the CPU, not copied from the tape."""
    m = src.shape[0] - 1
    src[(sp - 2) & m] = CREATED
    src[(sp - 1) & m] = CREATED


@njit(inline="always", cache=True, nogil=True)
def reset_slots(st: np.ndarray, p0: int, slots: int) -> None:
    """Every register byte made by the reset: :data:`CREATED`."""
    for k in range(slots):
        st[p0 + k] = CREATED
