"""The soup protocol: what the run loop, recorder, sessions, CLI and viewer need from a soup.

Program soups (:class:`alife.soup.Soup`) and particle soups
(:class:`alife.particles.soup.ParticleSoup`) implement it structurally; neither imports this
module. Code above them (``alife.run``, ``alife.cli``, ``alife.viz``) asks the protocol, never the
soup's kind.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from alife.world import World


@runtime_checkable
class SoupProtocol(Protocol):
    """A soup of N members that advances in epochs and is stored as N rows of bytes."""

    world: World
    epoch: int  #: epochs (generations) completed
    total_ops: int  #: work done so far (ops, or SGD steps and attacks)
    #: whether :meth:`species` counts exact programs (MODES, top species and the registry)
    exact_species: bool

    @property
    def rows(self) -> np.ndarray:
        """The soup's state as ``uint8[N, B]`` rows: what snapshots and checkpoints store."""

    def run(self, epochs: int = 1, threads: int | None = None) -> SoupProtocol:
        """Advance ``epochs`` epochs in one compiled call; return ``self``."""

    def metrics(self, score_sample: int | None = -1) -> dict[str, float]:
        """The report after the current epoch: ``{"epoch": ..., name: value}``."""

    def status_fields(self, m: dict[str, Any]) -> dict[str, str]:
        """Short progress-bar fields of report ``m``."""

    def species(self) -> tuple[np.ndarray, np.ndarray]:
        """(first index, count) of each species present."""

    def most_common(self, k: int = 5) -> list[tuple[bytes, int]]:
        """The ``k`` most common species as (row bytes, count)."""

    def top_rows(self, k: int) -> list[dict[str, Any]]:
        """The ``k`` most common species as JSON-ready dicts (count first)."""

    def saved(self) -> dict[str, Any]:
        """What a checkpoint stores to resume bit-exactly: epoch, reset_index, programs (rows),
        total_ops and tokens (None when the soup has none)."""

    def restore(self, state: Any) -> None:
        """Continue from a saved state (attributes as :meth:`saved`'s keys); checked."""

    def describe(self) -> str:
        """One line saying what the soup is (the start banner)."""

    def summary_lines(self, final: dict[str, Any], epochs_per_s: float,
                      transition_epoch: int | None) -> list[str]:
        """The end-of-run summary lines that depend on the soup (metrics, census)."""

    def top_lines(self, top: list[dict[str, Any]]) -> list[str]:
        """A heading and one line per :meth:`top_rows` entry."""


#: The word for one step of a soup of each kind (program soups run epochs; particle soups,
#: Gabor et al.'s, run generations). A soup may name its own with a ``unit`` attribute.
UNITS = {"program": "epoch", "neural": "generation"}


def unit_word(soup_or_world: Any, plural: bool = False) -> str:
    """"epoch" or "generation" (``plural``: with an s): how a soup, or a world's soup, counts."""
    word = getattr(soup_or_world, "unit", None)
    if not isinstance(word, str):
        world = getattr(soup_or_world, "world", soup_or_world)
        word = UNITS.get(getattr(world, "kind", "program"), "epoch")
    return f"{word}s" if plural else word


__all__ = ["UNITS", "SoupProtocol", "unit_word"]
