"""The pure-Python Z80 twin (zff's superzazu/z80) against kosarev's z80 and hand-derived states.

Differential set-up as in shared/spec/z80.md, "Differential testing" (CPU, kosarev z80 1.2.0):
the spec's documented quirks are the only differences allowed; each one is recognised by the
opcode just executed and kosarev's state is then re-synchronised to ours.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from alife.languages.z80_twin import REGISTERS, Z80Twin, run_z80_py

sys.path.insert(0, str(Path(__file__).parent))  # the oracle module beside this one
from z80_oracle import COMPARED, PREFIXES, Kosarev, _compare_step, _random_state  # noqa: E402


def compare_with_kosarev(num_tapes: int, seed: int, counts: Counter | None = None,
                         steps: int = 128) -> list[str]:
    """Random 32-byte tapes run from reset, step by step against kosarev; the messages of all
    non-whitelisted divergences (``counts``, when given, receives the quirk resyncs by kind and
    the number of steps compared under "steps")."""
    rng = random.Random(seed)
    counts = Counter() if counts is None else counts
    failures = []
    for t in range(num_tapes):
        start = bytearray(rng.randbytes(32))
        twin = Z80Twin(bytearray(start))
        kos = Kosarev(bytearray(start))
        kos.load(twin.state())
        for n in range(steps):
            if twin.halted:
                break
            message = _compare_step(twin, kos, counts, f"tape {t} {start.hex()} step {n}")
            counts["steps"] += 1
            if message is not None:
                failures.append(message)
                break
    return failures


def sweep_opcodes(seed: int, per_opcode: int, counts: Counter | None = None) -> list[str]:
    """Every opcode of every table (plain, CB, ED, DD, FD, DDCB, FDCB, DD ED, FD ED) from random
    CPU states and tapes, one step each, against kosarev; the non-whitelisted divergences."""
    rng = random.Random(seed)
    counts = Counter() if counts is None else counts
    heads = ([()] + [(pre,) for pre in (0xCB, 0xED, 0xDD, 0xFD)]
             + [(pre, 0xCB) for pre in PREFIXES] + [(pre, 0xED) for pre in PREFIXES])
    failures = []
    for head in heads:
        for op in range(256):
            for k in range(per_opcode):
                st = _random_state(rng)
                tape = bytearray(rng.randbytes(32))
                code = (*head, rng.randrange(256), op) if head[1:] == (0xCB,) else (*head, op)
                for j, byte in enumerate(code):
                    tape[(st["pc"] + j) & 31] = byte
                twin = Z80Twin(tape)
                for name, value in st.items():
                    setattr(twin, name, value)
                kos = Kosarev(bytearray(tape))
                kos.load(twin.state())
                message = _compare_step(twin, kos, counts, f"sweep {bytes(code).hex()} #{k}")
                counts["steps"] += 1
                if message is not None:
                    failures.append(message)
    return failures


# ---- differential tests -----------------------------------------------------------------------


def test_random_tapes_match_kosarev_up_to_documented_quirks():
    counts: Counter = Counter()
    t0 = time.perf_counter()
    failures = compare_with_kosarev(300, seed=2024, counts=counts)
    assert failures == [], "\n".join(failures[:20])
    assert counts["steps"] > 10000
    assert time.perf_counter() - t0 < 60


def test_every_opcode_matches_kosarev_up_to_documented_quirks():
    counts: Counter = Counter()
    failures = sweep_opcodes(seed=7, per_opcode=8, counts=counts)
    assert failures == [], "\n".join(failures[:20])
    assert counts["steps"] == 9 * 256 * 8


def test_kosarev_harness_sees_a_known_quirk():
    """LD A,R keeps X and Y in zff (kosarev clears them): whitelisted, counted, resynced."""
    tape = bytearray(b"\xed\x5f" + bytes(30))
    twin, kos = Z80Twin(bytearray(tape)), Kosarev(bytearray(tape))
    kos.load(twin.state())
    counts: Counter = Counter()
    assert _compare_step(twin, kos, counts, "t") is None
    assert counts == Counter({"ld_a_ir_xy": 1})
    assert kos.state() == {k: twin.state()[k] for k in COMPARED}


# ---- directed tests: helpers ------------------------------------------------------------------


def _cpu(code: bytes, **regs: int) -> Z80Twin:
    tape = bytearray(32)
    tape[:len(code)] = code
    cpu = Z80Twin(tape)
    for name, value in regs.items():
        setattr(cpu, name, value)
    return cpu


def _steps(cpu: Z80Twin, n: int) -> Z80Twin:
    for _ in range(n):
        cpu.step()
    return cpu


def _pair(cpu: Z80Twin, name: str) -> int:
    return getattr(cpu, name[0]) << 8 | getattr(cpu, name[1])


def _set_pairs(cpu: Z80Twin, **pairs: int) -> Z80Twin:
    for name, value in pairs.items():
        setattr(cpu, name[0], value >> 8)
        setattr(cpu, name[1], value & 0xFF)
    return cpu


def _vs_kosarev(cpu: Z80Twin, steps: int) -> Counter:
    """Runs a copy of ``cpu`` beside kosarev for ``steps`` steps (failing on any difference
    that is not a documented quirk); the quirk resyncs by kind."""
    twin = Z80Twin(bytearray(cpu.tape))
    for name, value in cpu.state().items():
        setattr(twin, name, value)
    kos = Kosarev(bytearray(cpu.tape))
    kos.load(twin.state())
    counts: Counter = Counter()
    for n in range(steps):
        message = _compare_step(twin, kos, counts, f"step {n}")
        assert message is None, message
    return counts


# ---- directed tests ---------------------------------------------------------------------------


def test_reset_state():
    expected = dict.fromkeys(REGISTERS, 0)
    expected.update(a=0xFF, f=0xFF, sp=0xFFFF)
    assert Z80Twin(bytearray(32)).state() == expected


def test_run_counts_ops_and_stops_at_halt():
    assert run_z80_py(bytearray(b"\x00\x76" + bytes(30)), 128) == 2


def test_run_limits():
    assert run_z80_py(bytearray(32), 128) == 128
    assert run_z80_py(bytearray(32), 0) == 0
    assert run_z80_py(bytearray(b"\x76" + bytes(31)), 128) == 1
    tape = bytearray(b"\x3e\x42\x32\x1f\x00" + bytes(27))  # LD A,42h; LD (001Fh),A
    assert run_z80_py(tape, 2) == 2 and tape[31] == 0x42


def test_halt_state_and_halted_step():
    cpu = _steps(_cpu(b"\x00\x76"), 2)
    assert (cpu.halted, cpu.pc, cpu.r) == (1, 2, 2)
    cpu.step()  # a halted step executes a NOP without fetching
    assert (cpu.halted, cpu.pc, cpu.r) == (1, 2, 3)
    cpu = _steps(_cpu(b"\xdd\x76"), 1)  # DD 76: HALT run unprefixed
    assert (cpu.halted, cpu.pc, cpu.r) == (1, 2, 2)


def test_code_runs_past_byte_31_into_byte_0():
    cpu = _steps(_cpu(b""), 33)
    assert (cpu.pc, cpu.r) == (33, 33)
    cpu = _steps(_cpu(b"\xc3\xfe\xff"), 3)  # JP FFFEh; then NOPs at bytes 30, 31
    assert cpu.pc == 0x0000 and cpu.wz == 0xFFFE


def test_other_tape_lengths_mask_addresses():
    tape = bytearray(64)
    tape[:5] = b"\x3e\x99\x32\xff\xff"  # LD A,99h; LD (FFFFh),A
    cpu = _steps(Z80Twin(tape), 2)
    assert tape[63] == 0x99 and cpu.wz == 0x9900


def test_8bit_loads():
    code = bytes.fromhex("3e42 47 48 2600 2e1e 77 3699 56 321c00 3a1e00 02 0a 5f 6b")
    cpu = _cpu(code)
    assert _vs_kosarev(cpu, 14) == Counter()
    _steps(cpu, 9)
    assert (cpu.a, cpu.b, cpu.c, cpu.d, cpu.h, cpu.l) == (0x42, 0x42, 0x42, 0x99, 0, 0x1E)
    assert cpu.tape[30] == 0x99 and cpu.tape[28] == 0x42 and cpu.wz == 0x421D
    _steps(cpu, 1)  # LD A,(001Eh)
    assert cpu.a == 0x99 and cpu.wz == 0x001F
    _steps(cpu, 1)  # LD (BC),A: BC = 4242h -> byte 2
    assert cpu.tape[2] == 0x99 and cpu.wz == 0x9943
    _steps(cpu, 3)
    assert (cpu.a, cpu.e, cpu.l, cpu.wz, cpu.pc, cpu.r, cpu.f) == (
        0x99, 0x99, 0x99, 0x4243, 22, 14, 0xFF)


def test_16bit_loads_and_stack_through_the_mirror():
    code = bytes.fromhex("013412 117856 21bc9a 221a00 ed4b1a00 f9 d5 e1 ed731e00")
    assert _vs_kosarev(_cpu(code), 9) == Counter()
    cpu = _steps(_cpu(code), 4)
    assert cpu.tape[26:28] == b"\xbc\x9a" and cpu.wz == 0x001B
    _steps(cpu, 1)
    assert _pair(cpu, "bc") == 0x9ABC and cpu.wz == 0x001B
    _steps(cpu, 2)  # LD SP,HL; PUSH DE: SP = 9ABAh -> bytes 26, 27
    assert cpu.sp == 0x9ABA and cpu.tape[26:28] == b"\x78\x56"
    _steps(cpu, 2)
    assert (_pair(cpu, "de"), _pair(cpu, "hl"), cpu.sp) == (0x5678, 0x5678, 0x9ABC)
    assert cpu.tape[30:32] == b"\xbc\x9a" and cpu.wz == 0x001F
    assert (cpu.pc, cpu.r) == (23, 11)


ALU_CASES = [  # (alu op y, A, B, F in, A out, F out)
    (0, 0x0F, 0x01, 0x00, 0x10, 0x10), (0, 0x7F, 0x01, 0x00, 0x80, 0x94),
    (0, 0xFF, 0x01, 0x00, 0x00, 0x51), (0, 0x80, 0x80, 0x00, 0x00, 0x45),
    (0, 0x20, 0x08, 0xFF, 0x28, 0x28),
    (1, 0xFF, 0x00, 0x01, 0x00, 0x51), (1, 0x0E, 0x01, 0x01, 0x10, 0x10),
    (1, 0x10, 0x10, 0xFE, 0x20, 0x20),
    (2, 0x10, 0x01, 0x00, 0x0F, 0x1A), (2, 0x00, 0x01, 0x00, 0xFF, 0xBB),
    (2, 0x80, 0x01, 0x00, 0x7F, 0x3E), (2, 0x42, 0x42, 0x00, 0x00, 0x42),
    (3, 0x05, 0x04, 0x01, 0x00, 0x42), (3, 0x00, 0x00, 0x01, 0xFF, 0xBB),
    (3, 0x05, 0x05, 0x00, 0x00, 0x42),
    (4, 0xF0, 0x0F, 0x00, 0x00, 0x54), (4, 0xFF, 0x81, 0x00, 0x81, 0x94),
    (4, 0x2C, 0x28, 0x01, 0x28, 0x3C),
    (5, 0xFF, 0xFE, 0xFF, 0x01, 0x00), (5, 0x55, 0x55, 0x00, 0x00, 0x44),
    (6, 0x20, 0x08, 0x00, 0x28, 0x2C), (6, 0x80, 0x01, 0x00, 0x81, 0x84),
    (7, 0x10, 0x28, 0x00, 0x10, 0xBB), (7, 0x42, 0x42, 0x00, 0x42, 0x42),
    (7, 0x80, 0x01, 0x00, 0x80, 0x16),
]


@pytest.mark.parametrize("y, a, b, f, a_out, f_out", ALU_CASES)
def test_alu_flags(y, a, b, f, a_out, f_out):
    assert _vs_kosarev(_cpu(bytes([0x80 | y << 3]), a=a, b=b, f=f), 1) == Counter()
    cpu = _steps(_cpu(bytes([0x80 | y << 3]), a=a, b=b, f=f), 1)  # alu[y] B
    assert (cpu.a, cpu.f) == (a_out, f_out)
    cpu = _steps(_cpu(bytes([0xC6 | y << 3, b]), a=a, f=f), 1)  # alu[y] n
    assert (cpu.a, cpu.f, cpu.pc) == (a_out, f_out, 2)
    cpu = _cpu(bytes([0x86 | y << 3]), a=a, f=f, h=0x01, l=0x14)  # alu[y] (HL), HL -> byte 20
    cpu.tape[20] = b
    assert (_steps(cpu, 1).a, cpu.f) == (a_out, f_out)


@pytest.mark.parametrize("op, a, f, a_out, f_out", [
    (0x3C, 0x7F, 0x01, 0x80, 0x95), (0x3C, 0xFF, 0x00, 0x00, 0x50),
    (0x3C, 0x27, 0x00, 0x28, 0x28), (0x3D, 0x80, 0x00, 0x7F, 0x3E),
    (0x3D, 0x01, 0x01, 0x00, 0x43), (0x3D, 0x00, 0x00, 0xFF, 0xBA),
])
def test_inc_dec_8bit(op, a, f, a_out, f_out):
    cpu = _steps(_cpu(bytes([op]), a=a, f=f), 1)
    assert (cpu.a, cpu.f) == (a_out, f_out)


def test_inc_dec_memory_and_16bit():
    cpu = _cpu(b"\x34\x35\x35\x03\x3b\x2b", f=0x00, h=0, l=0x10)
    cpu.tape[16] = 0x0F
    _steps(cpu, 1)
    assert (cpu.tape[16], cpu.f) == (0x10, 0x10)
    _steps(cpu, 2)
    assert (cpu.tape[16], cpu.f) == (0x0E, 0x0A)  # 10h -> 0Fh (H N X), 0Fh -> 0Eh (N X)
    _set_pairs(cpu, bc=0xFFFF)
    cpu.sp = 0
    _steps(cpu, 3)  # INC BC, DEC SP, DEC HL: no flags
    assert (_pair(cpu, "bc"), cpu.sp, _pair(cpu, "hl"), cpu.f) == (0, 0xFFFF, 0x000F, 0x0A)


@pytest.mark.parametrize("y, v, f, out, f_out", [
    (0, 0x81, 0x00, 0x03, 0x05), (1, 0x81, 0x00, 0xC0, 0x85), (2, 0x81, 0x00, 0x02, 0x01),
    (3, 0x81, 0x00, 0x40, 0x01), (4, 0x81, 0x00, 0x02, 0x01), (5, 0x81, 0x00, 0xC0, 0x85),
    (6, 0x81, 0x00, 0x03, 0x05), (7, 0x81, 0x00, 0x40, 0x01), (2, 0x81, 0x01, 0x03, 0x05),
    (3, 0x81, 0x01, 0xC0, 0x85), (0, 0x14, 0x00, 0x28, 0x2C), (4, 0x80, 0xFE, 0x00, 0x45),
])
def test_cb_rotates_and_shifts(y, v, f, out, f_out):
    cpu = _steps(_cpu(bytes([0xCB, y << 3]), b=v, f=f), 1)  # rot[y] B
    assert (cpu.b, cpu.f, cpu.r, cpu.pc) == (out, f_out, 2, 2)
    cpu = _cpu(bytes([0xCB, y << 3 | 6]), f=f, h=0, l=0x14)  # rot[y] (HL)
    cpu.tape[20] = v
    assert (_steps(cpu, 1).tape[20], cpu.f) == (out, f_out)


@pytest.mark.parametrize("op, a, f, a_out, f_out", [
    (0x07, 0x81, 0xFF, 0x03, 0xC5), (0x0F, 0x81, 0x00, 0xC0, 0x01),
    (0x17, 0x81, 0x00, 0x02, 0x01), (0x1F, 0x81, 0x01, 0xC0, 0x01),
    (0x07, 0x14, 0x00, 0x28, 0x28), (0x2F, 0x0F, 0x00, 0xF0, 0x32),
    (0x37, 0x28, 0x00, 0x28, 0x29), (0x3F, 0x00, 0x01, 0x00, 0x10),
    (0x3F, 0xFF, 0xC4, 0xFF, 0xED),
])
def test_accumulator_rotates_cpl_scf_ccf(op, a, f, a_out, f_out):
    cpu = _steps(_cpu(bytes([op]), a=a, f=f), 1)
    assert (cpu.a, cpu.f) == (a_out, f_out)


def test_bit_res_set():
    assert _steps(_cpu(b"\xcb\x7f", a=0x80, f=0x01), 1).f == 0x91  # BIT 7,A
    assert _steps(_cpu(b"\xcb\x47", a=0x28, f=0x00), 1).f == 0x7C  # BIT 0,A
    cpu = _cpu(b"\xcb\x4e\xcb\x46\xcb\x9e\xcb\xf1\xcb\x80", h=0, l=0x14, wz=0x2800, f=0x01)
    cpu.tape[20] = 0x02
    assert _steps(cpu, 1).f == 0x39  # BIT 1,(HL): X, Y from WZ's high byte
    cpu.wz = 0
    assert _steps(cpu, 1).f == 0x55  # BIT 0,(HL)
    cpu.tape[20] = 0xFF
    _steps(cpu, 1)  # RES 3,(HL)
    assert cpu.tape[20] == 0xF7 and cpu.f == 0x55
    cpu.c, cpu.b = 0x00, 0xFF
    _steps(cpu, 2)  # SET 6,C; RES 0,B
    assert (cpu.c, cpu.b, cpu.f, cpu.r, cpu.pc) == (0x40, 0xFE, 0x55, 10, 10)


def test_index_loads_and_memory():
    code = bytes.fromhex("dd211001 dd3605ab dd7e05 dd3506 dd66ff dd6c 00")
    assert _vs_kosarev(_cpu(code), 6) == Counter()
    cpu = _steps(_cpu(code), 2)
    assert cpu.ix == 0x0110 and cpu.tape[21] == 0xAB and cpu.wz == 0x0115
    _steps(cpu, 1)
    assert cpu.a == 0xAB and cpu.wz == 0x0115
    _steps(cpu, 1)  # DEC (IX+6): 00 -> FF, C kept from reset F
    assert cpu.tape[22] == 0xFF and cpu.f == 0xBB and cpu.wz == 0x0116
    _steps(cpu, 1)  # LD H,(IX-1): byte 15 (its own opcode 66), plain H
    assert cpu.h == 0x66 and cpu.wz == 0x010F and cpu.ix == 0x0110
    _steps(cpu, 1)  # LD IXL,IXH
    assert (cpu.ix, cpu.pc, cpu.r) == (0x0101, 19, 12)


def test_index_arithmetic_and_halves():
    code = bytes.fromhex("fd84 fd2c fd2680 fd09 fd7d fd44 fd29 fd23 00")
    cpu = _set_pairs(_cpu(code, iy=0x1234, a=0x10, f=0x00), bc=0x0001)
    assert _vs_kosarev(cpu, 8) == Counter()
    _steps(cpu, 1)
    assert (cpu.a, cpu.f) == (0x22, 0x20)  # ADD A,IYH
    _steps(cpu, 1)
    assert (cpu.iy, cpu.f) == (0x1235, 0x20)  # INC IYL
    _steps(cpu, 2)  # LD IYH,80h; ADD IY,BC
    assert (cpu.iy, cpu.f, cpu.wz) == (0x8036, 0x00, 0x8036)
    _steps(cpu, 2)
    assert (cpu.a, cpu.b) == (0x36, 0x80)
    _steps(cpu, 1)  # ADD IY,IY: carry out
    assert (cpu.iy, cpu.f, cpu.wz) == (0x006C, 0x01, 0x8037)
    _steps(cpu, 1)
    assert (cpu.iy, cpu.pc, cpu.r) == (0x006D, 17, 16)


def test_index_stack_jumps_and_unprefixed_opcodes():
    code = bytes.fromhex("dd213412 dde5 fde1 dde3 dd40 ddeb dd211800 dde9")
    cpu = _set_pairs(_cpu(code), hl=0x5678)
    assert _vs_kosarev(cpu, 8) == Counter({"jp_iz_wz": 1})
    _steps(cpu, 2)  # LD IX,1234h; PUSH IX: bytes 29, 30
    assert cpu.sp == 0xFFFD and cpu.tape[29:31] == b"\x34\x12"
    _steps(cpu, 1)
    assert (cpu.iy, cpu.sp) == (0x1234, 0xFFFF)
    _steps(cpu, 1)  # EX (SP),IX: (FFFF) = byte 31, (0000) = byte 0
    assert (cpu.ix, cpu.wz, cpu.tape[31], cpu.tape[0]) == (0xDD00, 0xDD00, 0x34, 0x12)
    _steps(cpu, 1)  # DD 40: LD B,B, unprefixed, R + 2
    assert (cpu.pc, cpu.r) == (12, 10)
    _steps(cpu, 1)  # DD EB: EX DE,HL with HL, not IX
    assert (_pair(cpu, "de"), _pair(cpu, "hl"), cpu.ix) == (0x5678, 0, 0xDD00)
    _steps(cpu, 2)  # LD IX,0018h; JP (IX): WZ = IX
    assert (cpu.pc, cpu.wz, cpu.r) == (0x18, 0x18, 16)


def test_index_nn_loads_leave_wz():
    cpu = _cpu(bytes.fromhex("dd221c00 fd2a1c00"), ix=0xBEEF, wz=0x1111)
    assert _vs_kosarev(cpu, 2) == Counter({"ld_nn_iz_wz": 2})
    _steps(cpu, 2)
    assert cpu.tape[28:30] == b"\xef\xbe" and cpu.iy == 0xBEEF and cpu.wz == 0x1111


def test_ddcb():
    code = bytes.fromhex("ddcb0506 ddcb0546 ddcb06c0 ddcbff8e fdcb027e")
    cpu = _cpu(code, ix=0x0110, iy=0x2808, f=0x00)
    cpu.tape[21] = 0x81
    assert _vs_kosarev(cpu, 5) == Counter()
    _steps(cpu, 1)  # RLC (IX+5)
    assert (cpu.tape[21], cpu.f, cpu.wz, cpu.r) == (0x03, 0x05, 0x0115, 2)
    _steps(cpu, 1)  # BIT 0,(IX+5): X, Y from the address's high byte (01h)
    assert (cpu.f, cpu.wz) == (0x11, 0x0115)
    _steps(cpu, 1)  # SET 0,(IX+6) also copied to B
    assert (cpu.tape[22], cpu.b, cpu.f) == (0x01, 0x01, 0x11)
    _steps(cpu, 1)  # RES 1,(IX-1) = byte 15, its own opcode 8E
    assert (cpu.tape[15], cpu.wz) == (0x8C, 0x010F)
    _steps(cpu, 1)  # BIT 7,(IY+2) = byte 10 (06h): X, Y from 28h
    assert (cpu.f, cpu.wz, cpu.pc, cpu.r) == (0x7D, 0x280A, 20, 10)


def test_ldi_ldir_ldd_lddr():
    cpu = _set_pairs(_cpu(b"\xed\xa0", a=0x00, f=0xFF), hl=0x0014, de=0x0018, bc=0x0002)
    cpu.tape[20] = 0x0A
    _steps(cpu, 1)
    assert cpu.tape[24] == 0x0A and cpu.f == 0xED and (cpu.pc, cpu.r) == (2, 2)
    assert (_pair(cpu, "hl"), _pair(cpu, "de"), _pair(cpu, "bc")) == (0x15, 0x19, 1)

    cpu = _set_pairs(_cpu(b"\xed\xb0", a=0x00, f=0x00), hl=0x0014, de=0x0018, bc=0x0003)
    cpu.tape[20:23] = b"\x11\x22\x33"
    assert _vs_kosarev(cpu, 3) == Counter()
    seen = [(_steps(cpu, 1).pc, cpu.f, cpu.wz) for _ in range(3)]
    assert seen == [(0, 0x04, 1), (0, 0x24, 1), (2, 0x20, 1)]
    assert cpu.tape[24:27] == b"\x11\x22\x33" and cpu.r == 6
    assert (_pair(cpu, "hl"), _pair(cpu, "de"), _pair(cpu, "bc")) == (0x17, 0x1B, 0)

    cpu = _set_pairs(_cpu(b"\xed\xa8", a=0x01, f=0x00), hl=0x0016, de=0x001A, bc=0x0001)
    cpu.tape[22] = 0x07
    _steps(cpu, 1)
    assert cpu.tape[26] == 0x07 and cpu.f == 0x08
    assert (_pair(cpu, "hl"), _pair(cpu, "de"), _pair(cpu, "bc")) == (0x15, 0x19, 0)

    cpu = _set_pairs(_cpu(b"\xed\xb8", a=0x00, f=0x00), hl=0x0016, de=0x001E, bc=0x0002)
    cpu.tape[21:23] = b"\x55\x44"
    assert _vs_kosarev(cpu, 2) == Counter()
    seen = [(_steps(cpu, 1).pc, cpu.f, cpu.wz) for _ in range(2)]
    assert seen == [(0, 0x04, 1), (2, 0x00, 1)] and cpu.tape[29:31] == b"\x55\x44"
    assert (_pair(cpu, "hl"), _pair(cpu, "de")) == (0x14, 0x1C)


def test_cpi_cpir_cpd_cpdr():
    cpu = _set_pairs(_cpu(b"\xed\xa1", a=0x10, f=0x01, wz=0x0100), hl=0x0014, bc=0x0002)
    cpu.tape[20] = 0x10
    _steps(cpu, 1)
    assert (cpu.f, _pair(cpu, "hl"), _pair(cpu, "bc"), cpu.wz) == (0x47, 0x15, 1, 0x0101)

    cpu = _set_pairs(_cpu(b"\xed\xb1", a=0x33, f=0x00, wz=0), hl=0x0014, bc=0x0005)
    cpu.tape[20:23] = b"\x11\x22\x33"
    assert _vs_kosarev(cpu, 3) == Counter({"cpir_end_wz": 1})
    seen = [(_steps(cpu, 1).pc, cpu.f, cpu.wz) for _ in range(3)]
    assert seen == [(0, 0x26, 1), (0, 0x06, 1), (2, 0x46, 3)]  # ends with WZ + 2
    assert (_pair(cpu, "hl"), _pair(cpu, "bc"), cpu.r) == (0x17, 2, 6)

    cpu = _set_pairs(_cpu(b"\xed\xa9", a=0x00, f=0x00, wz=0x0010), hl=0x0014, bc=0x0001)
    cpu.tape[20] = 0x01
    _steps(cpu, 1)
    assert (cpu.f, _pair(cpu, "hl"), _pair(cpu, "bc"), cpu.wz) == (0xBA, 0x13, 0, 0x000F)

    cpu = _set_pairs(_cpu(b"\xed\xb9", a=0x55, f=0x00, wz=0x0100), hl=0x0016, bc=0x0003)
    cpu.tape[20:23] = b"\x55\x02\x01"
    assert _vs_kosarev(cpu, 3) == Counter({"cpdr_repeat_xy_wz": 2, "cpdr_end_wz": 1})
    seen = [(_steps(cpu, 1).pc, cpu.f, cpu.wz) for _ in range(3)]
    assert seen == [(0, 0x06, 0xFF), (0, 0x26, 0xFE), (2, 0x42, 0xFE)]  # WZ - 1, then kept
    assert (_pair(cpu, "hl"), _pair(cpu, "bc")) == (0x13, 0)


def test_block_io():
    cpu = _set_pairs(_cpu(b"\xed\xa2", f=0x00), hl=0x0014, bc=0x0210)  # INI
    cpu.tape[20] = 0xAA
    _steps(cpu, 1)
    assert (cpu.tape[20], _pair(cpu, "hl"), cpu.b, cpu.f, cpu.wz) == (0, 0x15, 1, 0x02, 0x0111)

    cpu = _set_pairs(_cpu(b"\xed\xb2", f=0xFF), hl=0x0014, bc=0x0207)  # INIR
    cpu.tape[20:22] = b"\xaa\xbb"
    assert _vs_kosarev(cpu, 2) == Counter({"block_io_flags": 2})
    seen = [(_steps(cpu, 1).pc, cpu.b, cpu.f, cpu.wz) for _ in range(2)]
    assert seen == [(0, 1, 0xBF, 0x0108), (2, 0, 0xFF, 0x0008)] and cpu.tape[20:22] == bytes(2)

    cpu = _set_pairs(_cpu(b"\xed\xa3", f=0x00), hl=0x0014, bc=0x0100)  # OUTI
    cpu.tape[20] = 0xAA
    _steps(cpu, 1)
    assert (cpu.tape[20], _pair(cpu, "hl"), cpu.b, cpu.f, cpu.wz) == (0xAA, 0x15, 0, 0x42, 1)

    cpu = _set_pairs(_cpu(b"\xed\xaa", f=0x00), hl=0x0014, bc=0x0105)  # IND
    cpu.tape[20] = 0xAA
    assert _vs_kosarev(cpu, 1) == Counter({"block_io_flags_d_wz": 1})
    _steps(cpu, 1)
    assert (cpu.tape[20], _pair(cpu, "hl"), cpu.b, cpu.f, cpu.wz) == (0, 0x13, 0, 0x42, 3)

    cpu = _set_pairs(_cpu(b"\xed\xab", f=0x00), hl=0x0014, bc=0x0300)  # OUTD
    _steps(cpu, 1)
    assert (_pair(cpu, "hl"), cpu.b, cpu.f, cpu.wz) == (0x13, 2, 0x02, 0x01FE)

    cpu = _set_pairs(_cpu(b"\xed\xb3", f=0x00), hl=0x0014, bc=0x0200)  # OTIR
    seen = [(_steps(cpu, 1).pc, cpu.b, cpu.f) for _ in range(2)]
    assert seen == [(0, 1, 0x02), (2, 0, 0x42)] and _pair(cpu, "hl") == 0x16


def test_in_out_and_their_wz():
    assert _vs_kosarev(_cpu(b"\xdb\x05\xd3\xff", a=0x12), 2) == Counter(
        {"in_a_n_wz": 1, "out_n_a_wz": 1})
    cpu = _steps(_cpu(b"\xdb\x05", a=0x12), 1)  # IN A,(n)
    assert (cpu.a, cpu.wz, cpu.f) == (0, 0x1201, 0xFF)
    cpu = _steps(_cpu(b"\xd3\xff", a=0x12), 1)  # OUT (n),A
    assert cpu.wz == 0x1300
    cpu = _set_pairs(_cpu(b"\xed\x78\xed\x40\xed\x79\xed\x41\xed\x70", wz=7), bc=0x1234)
    assert _vs_kosarev(cpu, 5) == Counter({"in_r_c_xy_wz": 3})  # OUT (C),B: WZ happens to agree
    _steps(cpu, 1)  # IN A,(C): X, Y, C kept
    assert (cpu.a, cpu.f, cpu.wz) == (0, 0x6D, 0x1235)
    cpu.wz, cpu.f = 7, 0x80
    _steps(cpu, 1)  # IN B,(C): WZ kept
    assert (cpu.b, cpu.f, cpu.wz) == (0, 0x44, 7)
    cpu.b = 0x12
    _steps(cpu, 1)  # OUT (C),A
    assert cpu.wz == 0x1235
    cpu.wz = 7
    _steps(cpu, 2)  # OUT (C),B; IN (C)
    assert (cpu.wz, cpu.b, cpu.f, cpu.pc, cpu.r) == (7, 0x12, 0x44, 10, 10)


def test_16bit_arithmetic_neg_rrd_rld():
    cpu = _set_pairs(_cpu(b"\xed\x4a", f=0x01), hl=0x7FFF, bc=0)  # ADC HL,BC
    assert (_pair(_steps(cpu, 1), "hl"), cpu.f, cpu.wz) == (0x8000, 0x94, 0x8000)
    cpu = _set_pairs(_cpu(b"\xed\x42", f=0x00), hl=0x0000, bc=1)  # SBC HL,BC
    assert (_pair(_steps(cpu, 1), "hl"), cpu.f, cpu.wz) == (0xFFFF, 0xBB, 0x0001)
    cpu = _set_pairs(_cpu(b"\xed\x52", f=0x00), hl=0x1234, de=0x1234)  # SBC HL,DE
    assert (_pair(_steps(cpu, 1), "hl"), cpu.f) == (0, 0x42)
    cpu = _set_pairs(_cpu(b"\x09", f=0xC4), hl=0x0FFF, bc=1)  # ADD HL,BC: S Z P/V kept
    assert (_pair(_steps(cpu, 1), "hl"), cpu.f, cpu.wz) == (0x1000, 0xD4, 0x1000)
    cpu = _set_pairs(_cpu(b"\x29", f=0x00), hl=0x8000)  # ADD HL,HL
    assert (_pair(_steps(cpu, 1), "hl"), cpu.f) == (0, 0x01)
    for a, a_out, f_out in ((0x01, 0xFF, 0xBB), (0x80, 0x80, 0x87), (0x00, 0x00, 0x42)):
        cpu = _steps(_cpu(b"\xed\x44", a=a), 1)  # NEG
        assert (cpu.a, cpu.f) == (a_out, f_out)
    cpu = _cpu(b"\xed\x67", a=0x12, f=0x01, h=0, l=0x14)  # RRD
    cpu.tape[20] = 0x34
    assert (_steps(cpu, 1).a, cpu.tape[20], cpu.f, cpu.wz) == (0x14, 0x23, 0x05, 0x15)
    cpu = _cpu(b"\xed\x6f", a=0x12, f=0x00, h=0, l=0x14)  # RLD
    cpu.tape[20] = 0x34
    assert (_steps(cpu, 1).a, cpu.tape[20], cpu.f, cpu.wz) == (0x13, 0x42, 0x00, 0x15)


def test_unknown_ed_is_a_two_byte_nop_and_im():
    cpu = _cpu(b"\xed\x00\xed\x77\xed\x5e\xed\x4e\xed\x46")
    start = cpu.state()
    _steps(cpu, 2)
    assert cpu.state() == {**start, "pc": 4, "r": 4}
    _steps(cpu, 2)  # IM 2; ED 4E is no IM in zff's core
    assert cpu.im == 2
    _steps(cpu, 1)
    assert (cpu.im, cpu.pc) == (0, 10)


def _daa_reference(a: int, f: int) -> tuple[int, int]:
    """DAA from the tables of "The Undocumented Z80 Documented" (S. Young), sec. 4.7."""
    hi, lo, c, h, n = a >> 4, a & 15, f & 1, f & 0x10, f & 2
    if c:
        diff = 0x66 if h or lo > 9 else 0x60
    elif lo <= 9:
        diff = (0x06 if h else 0x00) if hi <= 9 else (0x66 if h else 0x60)
    else:
        diff = 0x06 if hi <= 8 else 0x66
    c_out = 1 if c or hi > 9 or (hi >= 9 and lo > 9) else 0
    h_out = (0x10 if lo > 9 else 0) if not n else (0x10 if h and lo <= 5 else 0)
    res = (a - diff if n else a + diff) & 0xFF
    parity = 0x04 if bin(res).count("1") % 2 == 0 else 0
    f_out = (res & 0xA8) | (0x40 if res == 0 else 0) | h_out | parity | n | c_out
    return res, f_out


def test_daa_all_inputs():
    for a, f, a_out, f_out in ((0x9A, 0x00, 0x00, 0x55), (0x0A, 0x00, 0x10, 0x10),
                               (0x15, 0x12, 0x0F, 0x1E)):
        cpu = _steps(_cpu(b"\x27", a=a, f=f), 1)
        assert (cpu.a, cpu.f) == (a_out, f_out)
    tape = bytearray(32)
    tape[0] = 0x27
    kos = Kosarev(tape)
    for a in range(256):
        for n in (0, 2):
            for h in (0, 0x10):
                for c in (0, 1):
                    f = n | h | c | 0x80  # S set on entry: DAA recomputes it
                    cpu = _steps(_cpu(b"\x27", a=a, f=f), 1)
                    assert (cpu.a, cpu.f) == _daa_reference(a, f), (a, f)
                    kos.load({**Z80Twin(tape).state(), "a": a, "f": f})
                    kos.step()
                    assert (kos.m.a, kos.m.f) == (cpu.a, cpu.f), (a, f)


def test_push_pop_call_ret_rst_with_the_5bit_mirror():
    code = bytes.fromhex("cd1000 d7 c5 f1 f5 e1 c41400 cc1400 ff 00 c9 000000 c0 c8")
    cpu = _set_pairs(_cpu(code), bc=0xBEEF)
    assert _vs_kosarev(cpu, 13) == Counter()
    _steps(cpu, 1)  # CALL 0010h: first push after reset writes bytes 29 (low), 30 (high)
    assert (cpu.pc, cpu.sp, cpu.wz, cpu.tape[29:32]) == (0x10, 0xFFFD, 0x10, b"\x03\x00\x00")
    _steps(cpu, 1)  # RET
    assert (cpu.pc, cpu.sp, cpu.wz) == (3, 0xFFFF, 3)
    _steps(cpu, 2)  # RST 10h; RET
    assert (cpu.pc, cpu.wz, cpu.tape[29]) == (4, 4, 0x04)
    _steps(cpu, 2)  # PUSH BC; POP AF
    assert (cpu.a, cpu.f, cpu.sp, cpu.tape[29:31]) == (0xBE, 0xEF, 0xFFFF, b"\xef\xbe")
    _steps(cpu, 2)  # PUSH AF; POP HL
    assert _pair(cpu, "hl") == 0xBEEF
    _steps(cpu, 1)  # CALL NZ not taken: WZ = nn anyway
    assert (cpu.pc, cpu.sp, cpu.wz) == (11, 0xFFFF, 0x14)
    _steps(cpu, 1)  # CALL Z taken
    assert (cpu.pc, cpu.sp, cpu.tape[29:31]) == (0x14, 0xFFFD, b"\x0e\x00")
    cpu.wz = 0x4444
    _steps(cpu, 1)  # RET NZ not taken: WZ kept
    assert (cpu.pc, cpu.wz) == (0x15, 0x4444)
    _steps(cpu, 1)  # RET Z taken
    assert (cpu.pc, cpu.sp, cpu.wz) == (0x0E, 0xFFFF, 0x0E)
    _steps(cpu, 1)  # RST 38h
    assert (cpu.pc, cpu.sp, cpu.wz, cpu.tape[29:32]) == (0x38, 0xFFFD, 0x38, b"\x0f\x00\x00")
    assert cpu.r == 13


def test_jumps_and_their_wz():
    code = bytes.fromhex("1802 0000 10fe 2002 0000 ca0001 211800 e9 00000000000000 38fe c30000")
    cpu = _cpu(code, wz=0x1234, b=2, f=0x00)
    assert _vs_kosarev(cpu, 9) == Counter({"jr_wz": 1})
    seen = [(_steps(cpu, 1).pc, cpu.wz) for _ in range(9)]
    assert seen == [(4, 0x1234), (4, 4), (6, 4), (10, 10), (13, 0x100), (16, 0x100),
                    (0x18, 0x100), (26, 0x100), (0, 0)]
    assert cpu.b == 0


def test_ex_exx():
    cpu = _set_pairs(_cpu(b"\x08\xd9\xeb\xe3\x08", sp=0x0014, b_=0x44, c_=0x44, d_=0x55,
                          e_=0x55, h_=0x66, l_=0x66), bc=0x1111, de=0x2222, hl=0x3333)
    cpu.tape[20:22] = b"\x78\x56"
    assert _vs_kosarev(cpu, 5) == Counter()
    _steps(cpu, 1)
    assert (cpu.a, cpu.f, cpu.a_, cpu.f_) == (0, 0, 0xFF, 0xFF)
    _steps(cpu, 1)
    assert [_pair(cpu, p) for p in ("bc", "de", "hl")] == [0x4444, 0x5555, 0x6666]
    assert (cpu.b_, cpu.c_, cpu.d_, cpu.e_, cpu.h_, cpu.l_) == (0x11, 0x11, 0x22, 0x22, 0x33,
                                                               0x33)
    _steps(cpu, 1)
    assert (_pair(cpu, "de"), _pair(cpu, "hl")) == (0x6666, 0x5555)
    _steps(cpu, 1)  # EX (SP),HL
    assert (_pair(cpu, "hl"), cpu.tape[20:22], cpu.wz) == (0x5678, b"\x55\x55", 0x5678)
    _steps(cpu, 1)
    assert (cpu.a, cpu.f, cpu.a_, cpu.f_, cpu.r) == (0xFF, 0xFF, 0, 0, 5)


def test_ei_sets_iff_by_the_end_of_its_own_step():
    assert _vs_kosarev(_cpu(b"\xfb\xed\x57\xf3"), 3) == Counter({"ld_a_ir_xy": 1})
    cpu = _steps(_cpu(b"\xfb\xed\x57\xf3"), 1)
    assert (cpu.iff1, cpu.iff2, cpu.ei_delay) == (1, 1, 0)
    _steps(cpu, 1)  # LD A,I: P/V = IFF2, X Y C kept
    assert (cpu.a, cpu.f) == (0, 0x6D)
    _steps(cpu, 1)
    assert (cpu.iff1, cpu.iff2) == (0, 0)
    cpu = _steps(_cpu(b"\xdd\xfb"), 1)
    assert (cpu.iff1, cpu.iff2, cpu.ei_delay, cpu.r) == (1, 1, 0, 2)
    cpu = _steps(_cpu(b"\xed\x45", iff2=1, sp=0x0014), 1)  # RETN copies IFF2 to IFF1
    assert (cpu.iff1, cpu.pc, cpu.sp) == (1, 0, 0x0016)
    cpu = _steps(_cpu(b"\xed\x4d", iff2=1, sp=0x0014), 1)  # RETI only returns
    assert (cpu.iff1, cpu.pc, cpu.wz) == (0, 0, 0)


@pytest.mark.parametrize("code, r", [
    ("00", 1), ("cb00", 2), ("ed44", 2), ("ed00", 2), ("dd213412", 2), ("ddcb0506", 2),
    ("fdcb05c6", 2), ("dd00", 2), ("dd76", 2), ("dded44", 3), ("ddcb", 2), ("dddd", 1),
    ("fddd", 1), ("ddfd", 1),
])
def test_r_increments(code, r):
    assert _steps(_cpu(bytes.fromhex(code)), 1).r == r


def test_r_keeps_bit_7_and_ld_r_a():
    cpu = _steps(_cpu(b"\xed\x4f\x00", a=0xFF), 1)  # LD R,A: all 8 bits
    assert cpu.r == 0xFF
    assert _steps(cpu, 1).r == 0x80
    assert _steps(_cpu(b"\x00", r=0x7F), 1).r == 0x00
    assert _steps(_cpu(b"\xdd\xed\x4f", a=0x85), 1).r == 0x84  # then the DD fix-up: - 1
    assert _vs_kosarev(_cpu(b"\xdd\xed\x4f", a=0x85), 1) == Counter({"ld_r_a_behind_ddfd": 1})


def test_zff_dd_dd_patch():
    for pair in ("dddd", "fddd", "ddfd", "fdfd"):
        cpu = _cpu(bytes.fromhex(pair + "213412"))
        assert _vs_kosarev(cpu, 2) == Counter({"ddfd_ddfd": 1})
        start = cpu.state()
        _steps(cpu, 1)
        assert cpu.state() == {**start, "pc": 2, "r": 1}
        _steps(cpu, 1)  # the next opcode runs unprefixed: LD HL,nn
        assert (_pair(cpu, "hl"), cpu.ix, cpu.iy, cpu.pc, cpu.r) == (0x1234, 0, 0, 5, 2)
    cpu = _steps(_cpu(bytes.fromhex("dddddd213412")), 2)
    assert (cpu.ix, _pair(cpu, "hl"), cpu.pc, cpu.r) == (0x1234, 0, 6, 3)


def test_ld_a_r_behind_dd():
    cpu = _steps(_cpu(b"\xed\x5f"), 1)
    assert (cpu.a, cpu.r, cpu.f) == (2, 2, 0x29)
    assert _vs_kosarev(_cpu(b"\xdd\xed\x5f"), 1) == Counter({"ld_a_r_behind_ddfd": 1})
    cpu = _steps(_cpu(b"\xdd\xed\x5f"), 1)  # reads the final R plus 1
    assert (cpu.a, cpu.r, cpu.f, cpu.pc) == (4, 3, 0x29, 3)
