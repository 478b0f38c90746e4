"""The soup languages, by name, from the families that declare them (languages.md; Agüera y
Arcas et al. 2024).

>>> bff = get("bff")
>>> tape, ops = bff.run(bff.parse("[[{.>]-]") + bytes(120))

Each family is one module that builds an :class:`alife.languages.family.Family` and registers
it (:func:`register_family`): the BFF, Forth and SUBLEQ families below, the Z80 and 8080, and
any family of your own, loaded by ``import`` or through the ``ALIFE_PLUGINS`` environment
variable.
"""

from __future__ import annotations

# isort: off
# the built-in families register, in this order: cubff's three, then machine code (zff's
# Z80, the 8080)
from alife.languages import bff, forth, subleq  # noqa: F401
from alife.languages import z80_family, i8080_family  # noqa: F401
# isort: on
from alife.languages.family import CREATED, Family, Role
from alife.languages.registry import (
    DEFAULT_STEP_LIMIT,
    FAMILIES,
    REGISTRY,
    Language,
    RunResult,
    as_tape,
    get,
    load_plugins,
    names,
    reference_names,
    register_family,
    unregister_family,
)

load_plugins()

__all__ = ["CREATED", "DEFAULT_STEP_LIMIT", "FAMILIES", "Family", "Language", "REGISTRY",
           "Role", "RunResult", "as_tape", "get", "load_plugins", "names", "reference_names",
           "register_family", "unregister_family"]
