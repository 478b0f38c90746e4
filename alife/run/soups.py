"""One constructor for every kind of soup a world can describe (programs or neural particles)."""

from __future__ import annotations

from alife.run.protocol import SoupProtocol
from alife.world import World


def new_soup(world: World) -> SoupProtocol:
    """A fresh soup of ``world``: :class:`alife.soup.Soup` for programs, a
    :class:`alife.particles.soup.ParticleSoup` for ``kind = "neural"``."""
    if world.kind == "neural":
        from alife.particles.soup import ParticleSoup

        return ParticleSoup(world)
    from alife.soup.soup import Soup

    return Soup(world)


__all__ = ["new_soup", "SoupProtocol"]
