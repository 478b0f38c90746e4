"""alife: an artificial-life toolkit for self-replication research.

Program soups of "Computational Life" (Agüera y Arcas et al. 2024) in numba, byte-exact with the
reference implementation, soups of self-applying networks (Gabor, Illium et al. 2019), plus the
analyses around them.

The language registry is imported at once (plug-ins named in ``ALIFE_PLUGINS`` load with it,
before any module that uses the registry); the other names below on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from alife import languages

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_LAZY = {
    "AlifeError": "alife.errors",
    "complexity": "alife.measures.entropy",
    "replication_score": "alife.measures.replication",
    "replication_scores": "alife.measures.replication",
    "new_soup": "alife.run.soups",
    "Checkpoint": "alife.soup",
    "Soup": "alife.soup",
    "read_dat": "alife.soup",
    "write_dat": "alife.soup",
    "World": "alife.world",
    "load_world": "alife.world",
    "make_world": "alife.world",
}

__all__ = ["Soup", "new_soup", "World", "load_world", "make_world", "languages",
           "replication_score", "replication_scores", "complexity", "read_dat", "write_dat",
           "Checkpoint", "AlifeError", "__version__"]


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'alife' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
