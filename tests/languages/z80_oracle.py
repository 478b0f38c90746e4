"""kosarev's z80 (PyPI ``z80`` 1.2.0) as an oracle for zff's Z80, and the whitelist of the
documented quirks (shared/spec/z80.md, "Differential testing"); shared by the twin's tests and
the numba core's. A CPU under test needs ``tape`` (bytearray), ``state()`` (a dict named as
:data:`alife.languages.z80_twin.REGISTERS`), ``step()`` and ``halted``.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import z80  # kosarev's emulator, a dev dependency: its absence is an install error

from alife.languages.z80_twin import REGISTERS

# The fields both emulators have (kosarev has no EI delay, and IM is never observable).
COMPARED = tuple(name for name in REGISTERS if name not in ("im", "ei_delay"))
FX, FY, FZ, FS = 0x08, 0x20, 0x40, 0x80
PREFIXES = (0xDD, 0xFD)


# ---- kosarev's machine ------------------------------------------------------------------------


class Kosarev:
    """kosarev's Z80Machine on a tape, set up as shared/spec/z80.md says."""

    def __init__(self, tape: bytearray) -> None:
        self.tape = tape
        mask = len(tape) - 1
        m = z80.Z80Machine()

        def write(addr: int, value: int) -> None:
            tape[addr & mask] = value

        m.set_read_callback(lambda addr: tape[addr & mask])
        m.set_write_callback(write)
        m.mark_addrs(0, 0x10000, m.READ_MARK | m.WRITE_MARK)
        m.set_input_callback(lambda port: 0)
        self.m = m
        self.view = m.get_state_view()

    def load(self, st: dict[str, int]) -> None:
        """Sets every compared register of ``st`` (a twin state)."""
        m = self.m
        m.af = st["a"] << 8 | st["f"]
        m.bc = st["b"] << 8 | st["c"]
        m.de = st["d"] << 8 | st["e"]
        m.hl = st["h"] << 8 | st["l"]
        m.alt_af = st["a_"] << 8 | st["f_"]
        m.alt_bc = st["b_"] << 8 | st["c_"]
        m.alt_de = st["d_"] << 8 | st["e_"]
        m.alt_hl = st["h_"] << 8 | st["l_"]
        m.ix, m.iy, m.sp, m.pc = st["ix"], st["iy"], st["sp"], st["pc"]
        m.ir = st["i"] << 8 | st["r"]
        m.iff1, m.iff2, m.halted = st["iff1"], st["iff2"], st["halted"]
        self.view[12] = st["wz"] & 0xFF
        self.view[13] = st["wz"] >> 8

    def state(self) -> dict[str, int]:
        """The compared fields, named as the twin names them."""
        m = self.m
        af, bc, de, hl = m.af, m.bc, m.de, m.hl
        alt_af, alt_bc, alt_de, alt_hl = m.alt_af, m.alt_bc, m.alt_de, m.alt_hl
        return {"a": af >> 8, "f": af & 0xFF, "b": bc >> 8, "c": bc & 0xFF, "d": de >> 8,
                "e": de & 0xFF, "h": hl >> 8, "l": hl & 0xFF, "a_": alt_af >> 8,
                "f_": alt_af & 0xFF, "b_": alt_bc >> 8, "c_": alt_bc & 0xFF,
                "d_": alt_de >> 8, "e_": alt_de & 0xFF, "h_": alt_hl >> 8,
                "l_": alt_hl & 0xFF, "ix": m.ix, "iy": m.iy, "sp": m.sp, "pc": m.pc,
                "i": m.i, "r": m.r, "wz": self.view[12] | self.view[13] << 8,
                "iff1": int(m.iff1), "iff2": int(m.iff2), "halted": int(m.halted)}

    def step(self) -> None:
        """One of our steps: kosarev steps until no DD/FD prefix is pending."""
        self.m.step_over_breakpoint()
        while self.m.index_rp_kind != z80.HL:
            self.m.step_over_breakpoint()


# ---- the whitelist of documented quirks -------------------------------------------------------


WZ = frozenset({"wz"})
NONE: frozenset[str] = frozenset()


def quirk(code: bytes, before: dict[str, int], after: dict[str, int]
          ) -> tuple[str, int, frozenset[str]]:
    """The documented quirk (shared/spec/z80.md) the instruction ``code`` (bytes from PC) may
    show: (kind, F bits allowed to differ, other fields allowed to differ); kind "" if none.

    ``before``/``after`` are the twin's states around the step (to tell a block repeat).
    """
    prefixed = code[0] in PREFIXES
    body = code[1:] if prefixed else code
    op = body[0]
    if prefixed and op in PREFIXES:
        return "ddfd_ddfd", 0xFF, frozenset(COMPARED)
    if op in (0x37, 0x3F):  # (never differs from kosarev 1.2.0 in our runs)
        return "scf_ccf_xy", FX | FY, NONE
    if op == 0x18:
        return "jr_wz", 0, WZ
    if prefixed and op == 0xE9:
        return "jp_iz_wz", 0, WZ
    if prefixed and op in (0x22, 0x2A):
        return "ld_nn_iz_wz", 0, WZ
    if op == 0xDB:
        return "in_a_n_wz", 0, WZ
    if op == 0xD3:
        return "out_n_a_wz", 0, WZ
    if op != 0xED:
        return "", 0, NONE
    ed = body[1]
    x, y, z = ed >> 6, (ed >> 3) & 7, ed & 7
    repeated = after["pc"] == (before["pc"] + prefixed) & 0xFFFF
    if x == 1 and z == 0:
        return "in_r_c_xy_wz", FX | FY, WZ if y != 7 else NONE
    if x == 1 and z == 1 and y != 7:
        return "out_c_r_wz", 0, WZ
    if ed == 0x5F and prefixed:
        # LD A,R behind DD/FD reads the final R plus 1 (checked in _explained), X, Y kept
        return "ld_a_r_behind_ddfd", FS | FZ | FX | FY, frozenset({"a"})
    if ed == 0x4F and prefixed:
        # not in the spec's list, same cause: the DD/FD fix-up R - 1 runs after LD R,A
        # (checked in _explained)
        return "ld_r_a_behind_ddfd", 0, frozenset({"r"})
    if ed in (0x57, 0x5F):
        return "ld_a_ir_xy", FX | FY, NONE
    if x == 2 and y >= 4 and z in (2, 3):
        # not in the spec's list: zff's IND/OUTD/INDR/OTDR end with WZ = BC - 2 (kosarev BC - 1)
        if y in (4, 6):
            return "block_io_flags", 0xFF & ~FZ, NONE
        return "block_io_flags_d_wz", 0xFF & ~FZ, WZ
    if ed in (0xB0, 0xB8) and repeated:  # (never differs from kosarev 1.2.0 in our runs)
        return "block_repeat_xy", FX | FY, NONE
    if ed == 0xB1:
        return ("block_repeat_xy", FX | FY, NONE) if repeated else ("cpir_end_wz", 0, WZ)
    if ed == 0xB9:
        return ("cpdr_repeat_xy_wz", FX | FY, WZ) if repeated else ("cpdr_end_wz", 0, WZ)
    return "", 0, NONE


def _explained(kind: str, f_mask: int, allowed: frozenset[str], diffs: list[str],
               ours: dict[str, int], theirs: dict[str, int]) -> bool:
    """Whether the differing fields ``diffs`` are all covered by the quirk."""
    if kind == "" or not set(diffs) <= allowed | {"f"}:
        return False
    if (ours["f"] ^ theirs["f"]) & ~f_mask:
        return False
    their_a, their_r = theirs["a"], theirs["r"]
    if "a" in diffs and ours["a"] != (their_a & 0x80) | ((their_a + 1) & 0x7F):
        return False
    return "r" not in diffs or ours["r"] == (their_r & 0x80) | ((their_r - 1) & 0x7F)


def _code_at(tape: bytearray, pc: int) -> bytes:
    mask = len(tape) - 1
    return bytes(tape[(pc + k) & 0xFFFF & mask] for k in range(4))


def _compare_step(twin: Any, kos: Kosarev, counts: Counter, where: str) -> str | None:
    """Steps both; returns a failure message, or None (resyncing kosarev on a quirk)."""
    before = twin.state()
    code = _code_at(twin.tape, before["pc"])
    twin.step()
    ours = twin.state()
    if code[0] in PREFIXES and code[1] in PREFIXES:
        # zff's patch: DD/FD then DD/FD is one do-nothing step; kosarev would run on
        counts["ddfd_ddfd"] += 1
        kos.tape[:] = twin.tape
        kos.load(ours)
        return None
    kos.step()
    theirs = kos.state()
    diffs = [k for k in COMPARED if ours[k] != theirs[k]]
    tape_differs = kos.tape != twin.tape
    if not diffs and not tape_differs:
        return None
    kind, f_mask, allowed = quirk(code, before, ours)
    if not tape_differs and _explained(kind, f_mask, allowed, diffs, ours, theirs):
        counts[kind] += 1
        kos.load(ours)
        return None
    fields = ", ".join(f"{k}: ours {ours[k]:#x} kosarev {theirs[k]:#x}" for k in diffs)
    if tape_differs:
        fields += f"; tape ours {twin.tape.hex()} kosarev {kos.tape.hex()}"
    return f"{where}: code {code.hex()} at pc {before['pc']:#06x}: {fields}"


def _random_state(rng: random.Random) -> dict[str, int]:
    st = {name: rng.randrange(256) for name in REGISTERS}
    for name in ("ix", "iy", "sp", "pc", "wz"):
        st[name] = rng.randrange(0x10000)
    iff = rng.randrange(2)  # IFF1 = IFF2 in every state reachable from reset
    st.update(iff1=iff, iff2=iff, im=0, halted=0, ei_delay=0)
    return st
