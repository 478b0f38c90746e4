"""The program soup: state, pairing, mutation, the epoch kernel and checkpoints (soup.md)."""

from alife.soup.checkpoint import Checkpoint, read_dat, write_dat
from alife.soup.soup import Soup, set_threads

__all__ = ["Soup", "Checkpoint", "read_dat", "write_dat", "set_threads"]
