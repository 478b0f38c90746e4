"""A fixed colour for every byte value of each language, for pictures of soups.

The colours follow the soup images of Agüera y Arcas et al. 2024 ("Computational Life", fig. 1)
and are derived from each language's op table, never from hard-coded characters:

* **BFF family** (``bff``, ``bff_noheads``, ``bff8``, ``bff8_noheads``, ``bff_noheads_4bit``,
  ``bff_perm``, ``bff_selfmove``): loop brackets ``[ ]`` green; tape edits and copies
  ``+ - . ,`` (and ``bff_selfmove``'s copy-move ``,``) magenta; head moves ``< > { }`` light
  purple; every other byte (a no-op) grey. In ``bff_noheads_4bit`` a byte's op is that of its
  low nibble, so sixteen byte values share each colour.
* **Forth family** (``forth``, ``forthcopy``, ``forthtrivial``, ``forthtrivial_reset``): control
  flow (relative jumps 0x80-0xFF and ``if0``) green; tape reads, writes and copies magenta; stack
  and arithmetic ops (``dup drop swap inc dec add sub xor64``) light purple; push-constant bytes
  0x40-0x7F and no-ops grey.
* **SUBLEQ family** (``subleq``, ``rsubleq4``): every byte is an address or offset, so bytes
  1-255 are grey shaded by value (dark for 1, light for 255).

In every language byte 0 is red, whatever it encodes (the loop zero of BFF; ``read0``/``read``
in Forth; ``>`` in ``bff_selfmove``): zero bytes show where a soup is blank or was cleared.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from alife.languages import bff as _bff
from alife.languages import forth as _forth
from alife.languages import get

RGB = tuple[int, int, int]

RED: RGB = (220, 30, 30)
GREEN: RGB = (30, 165, 60)
MAGENTA: RGB = (225, 30, 205)
LIGHT_PURPLE: RGB = (185, 160, 240)
GREY: RGB = (125, 125, 125)
#: Background of the unused tiles that fill out a soup image's last row.
BACKGROUND: RGB = (255, 255, 255)
_SHADE_LO, _SHADE_HI = 45, 215  # SUBLEQ grey levels of bytes 1 and 255

_BFF_GROUPS: tuple[tuple[str, RGB, tuple[int, ...]], ...] = (
    ("loop", GREEN, (_bff.LOOP, _bff.END)),
    ("edit / copy", MAGENTA, (_bff.PLUS, _bff.MINUS, _bff.COPY01, _bff.COPY10, _bff.COPYMOVE)),
    ("head move", LIGHT_PURPLE, (_bff.DEC0, _bff.INC0, _bff.DEC1, _bff.INC1)),
)
_FORTH_GROUPS: tuple[tuple[str, RGB, tuple[int, ...]], ...] = (
    ("control flow", GREEN, (_forth.JUMP, _forth.IF0)),
    ("tape read / write / copy", MAGENTA,
     (_forth.READ0, _forth.READ1, _forth.WRITE0, _forth.WRITE1, _forth.READ, _forth.WRITE,
      _forth.COPY, _forth.COPY0, _forth.COPY1)),
    ("stack / arithmetic", LIGHT_PURPLE,
     (_forth.DUP, _forth.DROP, _forth.SWAP, _forth.INC, _forth.DEC, _forth.ADD, _forth.SUB,
      _forth.XOR)),
)


def _op_table(language: str) -> tuple[str, np.ndarray | None]:
    """(family, op kind of each byte uint8[256]; None for SUBLEQ) of a registered language."""
    family = get(language).family
    if family == "bff":
        return family, _bff.BFF_VARIANTS[language][0]
    if family == "forth":
        return family, _forth.FORTH_VARIANTS[language][0]
    return family, None


def _groups(family: str) -> tuple[tuple[str, RGB, tuple[int, ...]], ...]:
    return _BFF_GROUPS if family == "bff" else _FORTH_GROUPS


@cache
def byte_colours(language: str) -> np.ndarray:
    """The colour of every byte value in ``language``: uint8[256, 3] RGB (read-only)."""
    family, ops = _op_table(language)
    out = np.empty((256, 3), dtype=np.uint8)
    if ops is None:
        levels = np.linspace(_SHADE_LO, _SHADE_HI, 255).round().astype(np.uint8)
        out[1:] = levels[:, None]
    else:
        out[:] = GREY
        for _, colour, kinds in _groups(family):
            out[np.isin(ops, kinds)] = colour
    out[0] = RED
    out.flags.writeable = False
    return out


def _byte0_label(family: str, language: str, ops: np.ndarray | None) -> str:
    kind = 0 if ops is None else int(ops[0])
    if family == "bff":
        zero = _bff.BFF_VARIANTS[language][1][0]
        what = [f"also {_bff.KIND_CHARS[kind]}"] if kind != _bff.NOOP else []
        what += ["loop zero"] if zero else []
    elif family == "forth":
        what = [f"also {_forth.KIND_NAMES[kind]}"] if kind != _forth.NOOP else []
    else:
        what = []
    return "byte 0" + (f" ({', '.join(what)})" if what else "")


def palette_legend(language: str) -> list[tuple[str, RGB]]:
    """(label, rgb) for each colour that ``language``'s bytes can take, for a figure legend."""
    family, ops = _op_table(language)
    legend = [(_byte0_label(family, language, ops), RED)]
    if ops is None:
        legend += [("byte 1 (grey: darker = smaller value)", (_SHADE_LO,) * 3),
                   ("byte 255 (grey: lighter = larger value)", (_SHADE_HI,) * 3)]
        return legend
    for name, colour, kinds in _groups(family):
        present = [k for k in kinds if np.any(ops[1:] == k)]
        if not present:
            continue
        if family == "bff":
            symbols = " ".join(dict.fromkeys(_bff.KIND_CHARS[k] for k in present))
        else:
            symbols = " ".join(_forth.KIND_NAMES[k] for k in present)
        legend.append((f"{name}: {symbols}", colour))
    other = "no-op" if family == "bff" else "push constant 0x40-0x7F, no-op"
    if np.any(ops[1:] == 0) or family == "forth":
        legend.append((other, GREY))
    return legend
