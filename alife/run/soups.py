"""One constructor for every kind of soup a world can describe (programs or neural particles)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from alife.world import World

if TYPE_CHECKING:
    from alife.particles.soup import ParticleSoup
    from alife.soup.soup import Soup

AnySoup = Union["Soup", "ParticleSoup"]


def new_soup(world: World) -> AnySoup:
    """A fresh soup of ``world``: :class:`alife.soup.Soup` for programs, a
    :class:`alife.particles.soup.ParticleSoup` for ``kind = "neural"``."""
    if world.kind == "neural":
        from alife.particles.soup import ParticleSoup

        return ParticleSoup(world)
    from alife.soup.soup import Soup

    return Soup(world)


def is_neural(soup: object) -> bool:
    """Whether ``soup`` is a soup of neural particles."""
    return getattr(getattr(soup, "world", None), "kind", "program") == "neural"
