"""Watching soups: the pygame live viewer (optional extra ``viz``) and its pure parts.

``alife run WORLD --view`` and ``alife view RUN.h5`` open it (:mod:`alife.viz.live`); frames are
drawn from plain arrays by :mod:`alife.viz.render`, so they are testable without a window.
Only :mod:`alife.viz.render` and :mod:`alife.viz.live` import pygame, through
:func:`require_pygame`.
"""

from __future__ import annotations

import os
from types import ModuleType

from alife.errors import AlifeError


def require_pygame() -> ModuleType:
    """Import pygame, or raise an :class:`AlifeError` naming the extra that installs it."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame
    except ImportError:
        raise AlifeError("the live viewer needs pygame, which is not installed; install the "
                         "viz extra: pip install 'alife[viz]'") from None
    return pygame
