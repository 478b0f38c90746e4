"""Running soups: one constructor for every soup kind, the run loop, recorders, sessions
(start, resume, import) and sweeps."""

from alife.run.protocol import SoupProtocol
from alife.run.soups import new_soup

__all__ = ["new_soup", "SoupProtocol"]
