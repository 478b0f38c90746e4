"""The numba Z80 core (zff's superzazu/z80) against its pure-Python twin, step by step, and
against kosarev's z80 up to the documented quirks (shared/spec/z80.md)."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from alife.languages import z80 as core
from alife.languages.z80_twin import REGISTERS, Z80Twin, run_z80_py

PREFIXES = (0xDD, 0xFD, 0xED, 0xCB)


def _biased_tape(rng: random.Random) -> bytearray:
    """A random tape with one byte in eight a prefix (so that DD/FD/ED/CB chains are common)."""
    tape = bytearray(rng.randbytes(32))
    for k in range(32):
        if rng.randrange(8) == 0:
            tape[k] = rng.choice(PREFIXES)
    return tape


def _lockstep(tape: bytearray, steps: int = 128, start: dict[str, int] | None = None
              ) -> tuple[int, str | None]:
    """Run the core and the twin side by side; (steps compared, first difference or None)."""
    twin = Z80Twin(bytearray(tape))
    st = core.new_state()
    if start is not None:
        for name, value in start.items():
            setattr(twin, name, value)
            st[core.REGISTER_NAMES.index(name)] = value
    t = np.frombuffer(bytes(tape), dtype=np.uint8).copy()
    for n in range(steps):
        if twin.halted:
            return n, None
        code = bytes(t[(int(st[core.PC]) + k) & 31] for k in range(4)).hex()
        twin.step()
        core.step_once(t, st)
        ours, theirs = core.state_dict(st), twin.state()
        if ours != theirs or bytes(t) != bytes(twin.tape):
            diff = {k: (ours[k], theirs[k]) for k in REGISTERS if ours[k] != theirs[k]}
            return n, f"tape {tape.hex()} step {n} code {code}: core/twin {diff}"
    return steps, None


def test_state_names_and_reset_agree_with_the_twin():
    assert core.REGISTER_NAMES == REGISTERS
    assert core.state_dict(core.new_state()) == Z80Twin(bytearray(32)).state()


@pytest.mark.parametrize("biased", [False, True], ids=["random", "prefix-rich"])
def test_core_matches_twin_on_random_tapes(biased):
    rng = random.Random(11 + biased)
    compared = 0
    for _ in range(400):
        tape = _biased_tape(rng) if biased else bytearray(rng.randbytes(32))
        n, failure = _lockstep(tape)
        assert failure is None, failure
        compared += n
    assert compared > 20000


def test_core_matches_twin_on_every_opcode_from_random_states():
    rng = random.Random(5)
    heads = ([()] + [(p,) for p in PREFIXES] + [(p, 0xCB) for p in (0xDD, 0xFD)]
             + [(p, 0xED) for p in (0xDD, 0xFD)] + [(p, q) for p in (0xDD, 0xFD)
                                                     for q in (0xDD, 0xFD)])
    for head in heads:
        for op in range(256):
            for _ in range(3):
                start = {name: rng.randrange(256) for name in REGISTERS}
                for name in ("ix", "iy", "sp", "pc", "wz"):
                    start[name] = rng.randrange(0x10000)
                iff = rng.randrange(2)
                start.update(iff1=iff, iff2=rng.randrange(2), im=rng.randrange(3), halted=0,
                             ei_delay=0)
                tape = bytearray(rng.randbytes(32))
                code = (*head, rng.randrange(256), op) if head[1:] == (0xCB,) else (*head, op)
                for j, byte in enumerate(code):
                    tape[(start["pc"] + j) & 31] = byte
                _, failure = _lockstep(tape, steps=2, start=start)
                assert failure is None, failure


def test_run_counts_ops_and_stops_at_halt_like_the_twin():
    rng = random.Random(3)
    st = core.new_state()
    for _ in range(300):
        tape = _biased_tape(rng)
        ours = np.frombuffer(bytes(tape), dtype=np.uint8).copy()
        theirs = bytearray(tape)
        assert core.run_z80(ours, 128, st) == run_z80_py(theirs, 128)
        assert bytes(ours) == bytes(theirs)
    halt = np.zeros(32, dtype=np.uint8)
    halt[1] = 0x76
    assert core.run_z80(halt, 128, st) == 2 and st[core.HALTED] == 1
    assert core.run_z80(np.zeros(32, dtype=np.uint8), 50, st) == 50


def test_ldir_copies_through_the_mirror_one_byte_per_step():
    """LD HL,0; LD DE,16; LD BC,16; LDIR: 16 repeats copy the first half over the second."""
    code = bytes([0x21, 0x00, 0x00, 0x11, 0x10, 0x00, 0x01, 0x10, 0x00, 0xED, 0xB0, 0x76])
    tape = np.zeros(32, dtype=np.uint8)
    tape[:len(code)] = np.frombuffer(code, dtype=np.uint8)
    st = core.new_state()
    ops = core.run_z80(tape, 128, st)
    assert ops == 3 + 16 + 1  # three loads, sixteen LDIR iterations, HALT
    assert bytes(tape[16:]) == bytes(tape[:16]) and st[core.PC] == 12
    assert core.state_dict(st)["b"] == 0 and core.state_dict(st)["c"] == 0


class _Core:
    """The numba core behind the oracle harness's CPU interface."""

    def __init__(self, tape: bytearray) -> None:
        self.tape = tape
        self.st = core.new_state()

    @property
    def halted(self) -> int:
        return int(self.st[core.HALTED])

    def state(self) -> dict[str, int]:
        return core.state_dict(self.st)

    def step(self) -> None:
        t = np.frombuffer(bytes(self.tape), dtype=np.uint8).copy()
        core.step_once(t, self.st)
        self.tape[:] = t.tobytes()


def test_core_matches_kosarev_up_to_the_documented_quirks():
    sys.path.insert(0, str(Path(__file__).parent))
    from z80_oracle import Kosarev, _compare_step

    rng = random.Random(2026)
    counts: Counter = Counter()
    for t in range(150):
        tape = _biased_tape(rng) if t % 2 else bytearray(rng.randbytes(32))
        cpu, kos = _Core(bytearray(tape)), Kosarev(bytearray(tape))
        kos.load(cpu.state())
        for n in range(128):
            if cpu.halted:
                break
            failure = _compare_step(cpu, kos, counts, f"tape {t} {tape.hex()} step {n}")
            assert failure is None, failure
            counts["steps"] += 1
    assert counts["steps"] > 5000 and counts["jr_wz"] > 0  # quirks do fire, and are resynced
