"""Neural self-replication and self-reference (torch; the ``neural`` extra).

Submodules import torch themselves; importing this package does not, so ``import alife.neural``
works without torch and a submodule that needs it raises an AlifeError naming the extra.
"""
