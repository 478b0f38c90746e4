"""The published Z80 exercisers on the numba core with a 64 KiB memory (shared/spec/z80.md,
"Exercisers"): prelim.com (Cringle and Harston's preliminary tests) and ZEXDOC (Cringle's
documented-flags exerciser). They are GPL and not part of the project: the tests read them from
``$ALIFE_Z80_ROMS``, a folder holding prelim.com and zexdoc.cim (the roms/ folder of a clone of
github.com/superzazu/z80), and skip saying so when it is not set."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from alife.languages import z80 as core


def _rom(name: str) -> bytes:
    folder = os.environ.get("ALIFE_Z80_ROMS")
    if folder and (Path(folder) / name).is_file():
        return (Path(folder) / name).read_bytes()
    pytest.skip(f"{name} (GPL, not vendored) not found: set ALIFE_Z80_ROMS to a folder holding "
                "it, e.g. a clone of github.com/superzazu/z80's roms/")


def run_cpm(program: bytes, max_steps: int) -> tuple[str, int]:
    """Run a CP/M .com image at 0x100 with BDOS calls 2 and 9 at 0x0005; (output, steps)."""
    mem = np.zeros(0x10000, dtype=np.uint8)
    mem[0x100:0x100 + len(program)] = np.frombuffer(program, dtype=np.uint8)
    st = core.new_state()
    st[core.PC] = 0x100
    out: list[str] = []
    steps = 0
    while steps < max_steps:
        steps += core.run_until(mem, st, max_steps - steps, 0, 5)
        pc = int(st[core.PC])
        if pc == 0 or st[core.HALTED]:
            break
        if pc != 5:
            break  # the step budget ran out
        c, de = int(st[core.C]), int(st[core.D]) << 8 | int(st[core.E])
        if c == 2:
            out.append(chr(int(st[core.E])))
        elif c == 9:
            while mem[de] != ord("$"):
                out.append(chr(int(mem[de])))
                de = (de + 1) & 0xFFFF
        sp = int(st[core.SP])  # RET
        st[core.PC] = int(mem[sp]) | int(mem[(sp + 1) & 0xFFFF]) << 8
        st[core.SP] = (sp + 2) & 0xFFFF
    return "".join(out), steps


def test_prelim():
    text, _ = run_cpm(_rom("prelim.com"), 10**7)
    assert "Preliminary tests complete" in text, text


@pytest.mark.slow
def test_zexdoc():
    text, steps = run_cpm(_rom("zexdoc.cim"), 10**11)
    assert "ERROR" not in text, text
    assert "Tests complete" in text, text
