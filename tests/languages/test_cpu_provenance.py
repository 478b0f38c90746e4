"""Tracer tokens through the Z80 and 8080: the numba provenance passes agree with their
mnemonic-driven twins, never change a byte, and move provenance as the rules say."""

from __future__ import annotations

import numpy as np
import pytest

from alife.languages import CREATED, get
from alife.languages.pure import run_py_traced

#: Opcodes that move data (prefixes, loads, stores, stack, exchanges, block copies, calls),
#: mixed into random tapes so that every rule is exercised often.
MOVERS = {
    "z80": "dd fd ed cb e3 eb d9 08 c5 d5 e5 f5 c1 d1 e1 f1 b0 b8 a0 a8 b2 a2 36 77 7e 70 46 22 "
           "2a 32 3a 01 11 21 31 f9 cd c4 c7 db 40 78 43 4b 57 5f 47 4f 06 0e 26 2e 66 74 12 1a "
           "02 0a",
    "i8080": "e3 eb f9 c5 d5 e5 f5 c1 d1 e1 f1 36 77 7e 70 46 22 2a 32 3a 01 11 21 31 cd c4 cc "
             "ff db dd ed fd 12 1a 02 0a 3e 06 0e 26 2e 66 74",
}


@pytest.mark.parametrize("language", ["z80", "i8080"])
def test_numba_provenance_matches_the_mnemonic_twin(language):
    """1,500 tapes of 32 bytes, 128 steps (half random, half rich in data moves): same bytes and
    ops traced or not, and the same provenance of every byte as the twin's."""
    lang = get(language)
    movers = np.frombuffer(bytes.fromhex(MOVERS[language].replace(" ", "")), dtype=np.uint8)
    rng = np.random.default_rng(19)
    moved = 0
    for trial in range(1500):
        tape = rng.integers(0, 256, 32, dtype=np.uint8)
        if trial % 2:
            tape = np.where(rng.random(32) < 0.7, rng.choice(movers, 32), tape).astype(np.uint8)
        plain, plain_ops = lang.run(tape.copy(), limit=128, tape_size=32)
        traced, ops, src = lang.run_traced(tape.copy(), limit=128, tape_size=32)
        twin, twin_ops, twin_src = run_py_traced(language, tape.tobytes(), 128)
        assert np.array_equal(plain, traced) and plain_ops == ops
        assert bytes(twin) == traced.tobytes() and twin_ops == ops
        assert [int(s) for s in src] == twin_src, tape.tobytes().hex()
        moved += list(src) != list(range(32))
    assert moved > 1000  # the passes are exercised, not vacuously equal


def _traced(language: str, text: str, limit: int = 64) -> tuple[np.ndarray, np.ndarray]:
    lang = get(language)
    program = lang.parse(text)
    tape = np.zeros(32, dtype=np.uint8)
    tape[: len(program)] = np.frombuffer(program, dtype=np.uint8)
    out, _, src = lang.run_traced(tape, limit=limit, tape_size=32)
    return out, src.astype(np.int64)


def test_z80_stack_copier_pushes_its_own_operand_bytes():
    """LD DE,nn; PUSH DE (the paper's first Z80 replicators): the pushed bytes are the
    operand's, from tape positions 1 and 2; SP wraps from FFFF to the tape's end."""
    out, src = _traced("z80", "LD DE,$1234\nPUSH DE\nHALT")
    assert out[29] == 0x34 and out[30] == 0x12
    assert src[29] == 1 and src[30] == 2


def test_z80_block_copy_carries_each_byte():
    out, src = _traced("z80", "LD HL,$0010\nLD DE,$0018\nLD BC,$0004\nLDIR\nHALT")
    assert list(src[0x18:0x1C]) == [0x10, 0x11, 0x12, 0x13]
    assert list(src[0x1C:0x20]) == list(range(0x1C, 0x20))


def test_z80_made_bytes_are_created():
    """Reset registers, return addresses and port reads are made by the CPU."""
    _, src = _traced("z80", "PUSH BC\nHALT")
    assert src[29] == src[30] == CREATED
    _, src = _traced("z80", "CALL $0004\nNOP\nHALT", limit=3)
    assert src[29] == src[30] == CREATED
    _, src = _traced("z80", "IN A,($00)\nLD ($0018),A\nHALT")
    assert src[0x18] == CREATED


def test_z80_arithmetic_keeps_the_origin_and_ddcb_results_copy():
    out, src = _traced("z80", "LD A,($0010)\nINC A\nLD ($0018),A\nHALT")
    assert src[0x18] == 0x10 and out[0x18] == (out[0x10] + 1) & 0xFF
    _, src = _traced("z80", "LD IX,$0010\nRLC (IX+$02),B\nLD A,B\nLD ($0018),A\nHALT")
    assert src[0x18] == 0x12


def test_z80_exchanges_swap_provenance():
    """EX (SP),HL takes the stack's bytes into HL; EXX and EX DE,HL move them on."""
    _, src = _traced("z80", "LD SP,$0010\nEX (SP),HL\nEXX\nEXX\nEX DE,HL\nLD ($0018),DE\nHALT")
    assert src[0x18] == 0x10 and src[0x19] == 0x11
    assert src[0x10] == src[0x11] == CREATED  # HL from the reset went to the stack


def test_i8080_stack_copier_and_exchanges():
    out, src = _traced("i8080", "LXI D,$1234\nPUSH D\nHLT")
    assert src[30] == 1 and src[31] == 2  # SP 0 - 2 = FFFE: tape positions 30 and 31
    _, src = _traced("i8080", "LXI SP,$0010\nXTHL\nXCHG\nSHLD $0018\nHLT")
    assert src[0x18] == src[0x19] == CREATED  # XTHL then XCHG: DE had the stack's bytes
    _, src = _traced("i8080", "LXI SP,$0010\nXTHL\nSHLD $0018\nHLT")
    assert src[0x18] == 0x10 and src[0x19] == 0x11


def test_i8080_made_bytes_are_created():
    _, src = _traced("i8080", "IN $00\nSTA $0018\nHLT")
    assert src[0x18] == CREATED
    _, src = _traced("i8080", "LDA $0010\nINR A\nSTA $0018\nHLT")
    assert src[0x18] == 0x10
