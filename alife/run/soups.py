"""One constructor for every kind of soup a world can describe (programs or neural particles)."""

from __future__ import annotations

from alife.run.protocol import SoupProtocol
from alife.world import World


def new_soup(world: World, device: str = "cpu") -> SoupProtocol:
    """A fresh soup of ``world``: :class:`alife.soup.Soup` for programs, a
    :class:`alife.particles.soup.ParticleSoup` for ``kind = "neural"``; ``device`` "cuda"
    runs a program soup on the GPU (the same bytes)."""
    if device != "cpu":
        from alife.soup.gpu import check_device

        check_device(device, world)
    if world.kind == "neural":
        from alife.particles.soup import ParticleSoup

        return ParticleSoup(world)
    from alife.soup.soup import Soup

    return Soup(world, device=device)


__all__ = ["new_soup", "SoupProtocol"]
