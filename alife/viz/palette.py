"""A fixed colour for every byte value of each language, for pictures of soups.

The colours follow the soup images of Agüera y Arcas et al. 2024 ("Computational Life", fig. 1).
Each language family declares the role of every byte (:class:`alife.languages.Role`); this
module gives each role its colour, so a new family is coloured with no edit here. The built-in
families' roles:

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

* **Z80 and 8080 families** (``z80``, ``i8080``): zff's own colours (the demo's ``main.js``):
  grey ``64 + b/8``, NOP black, ``LD BC/DE/HL,nn`` red, green and blue, ``LD HL,(nn)`` white,
  the PUSHes pale, ``ED``/LDIR/LDDR red, ``EX (SP),HL`` yellow-green, ``RET``/``RET C`` olive.

In every cubff language byte 0 is red, whatever it encodes (the loop zero of BFF; ``read0``/``read``
in Forth; ``>`` in ``bff_selfmove``): zero bytes show where a soup is blank or was cleared.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from alife.languages import Role, get

RGB = tuple[int, int, int]

RED: RGB = (220, 30, 30)
GREEN: RGB = (30, 165, 60)
MAGENTA: RGB = (225, 30, 205)
LIGHT_PURPLE: RGB = (185, 160, 240)
GREY: RGB = (125, 125, 125)
#: Background of the unused tiles that fill out a soup image's last row.
BACKGROUND: RGB = (255, 255, 255)
_SHADE_LO, _SHADE_HI = 45, 215  # VALUE-role grey levels of bytes 1 and 255

#: The colour of each role (VALUE bytes are shaded by value instead).
ROLE_COLOURS: dict[Role, RGB] = {Role.OTHER: GREY, Role.CONTROL: GREEN, Role.WRITE: MAGENTA,
                                 Role.MOVE: LIGHT_PURPLE, Role.ZERO: RED, Role.VALUE: GREY}


def _shade(byte: int) -> RGB:
    level = int(round(_SHADE_LO + (_SHADE_HI - _SHADE_LO) * (max(byte, 1) - 1) / 254))
    return (level, level, level)


@cache
def byte_colours(language: str) -> np.ndarray:
    """The colour of every byte value in ``language``: uint8[256, 3] RGB (read-only); a family
    with its own scheme (``Family.colours``: zff's Z80 colours) keeps it."""
    own = get(language).family.colours
    if own is not None:
        out = np.array(own(language), dtype=np.uint8).reshape(256, 3)
        out.flags.writeable = False
        return out
    roles = get(language).roles()
    out = np.empty((256, 3), dtype=np.uint8)
    levels = np.linspace(_SHADE_LO, _SHADE_HI, 255).round().astype(np.uint8)
    for role, colour in ROLE_COLOURS.items():
        out[roles == role] = colour
    value = np.flatnonzero(roles == Role.VALUE)
    value = value[value > 0]
    out[value] = levels[value - 1][:, None]
    out[0] = RED
    out.flags.writeable = False
    return out


def palette_legend(language: str) -> list[tuple[str, RGB]]:
    """(label, rgb) for each colour that ``language``'s bytes can take, for a figure legend."""
    out: list[tuple[str, RGB]] = []
    family = get(language).family
    if family.colours is not None:  # the family's own scheme: each colour that is not grey
        colours = byte_colours(language)
        grey = (colours[:, 0] == colours[:, 1]) & (colours[:, 1] == colours[:, 2])
        grey &= (colours[:, 0] > 0) & (colours[:, 0] < 255)  # black and white are colours
        seen: dict[RGB, list[int]] = {}
        for b in np.flatnonzero(~grey):
            seen.setdefault(tuple(int(c) for c in colours[b]), []).append(int(b))
        for rgb, group in seen.items():
            out.append((", ".join(family.explain(language, b) for b in group), rgb))
        out.append(("other bytes (grey: lighter = larger value)",
                    tuple(int(c) for c in colours[255])))
        return out
    for role, label in family.legend(language):
        if role == Role.VALUE:
            out += [("byte 1 (grey: darker = smaller value)", _shade(1)),
                    ("byte 255 (grey: lighter = larger value)", _shade(255))]
        else:
            out.append((label, ROLE_COLOURS[role]))
    return out
