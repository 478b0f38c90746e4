"""The 8080's text form: Intel mnemonics for all 256 opcodes, aliases with their bytes, every
program round-trips, and bad text is one line."""

from __future__ import annotations

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.languages import get
from alife.languages.i8080_text import TABLE, assemble, disassemble, instruction_length


def test_every_program_round_trips():
    rng = np.random.default_rng(8080)
    for size in (16, 32, 64):
        for _ in range(3000):
            p = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
            assert assemble(disassemble(p)) == p


@pytest.mark.parametrize("code,text", [
    ("113412", "LXI D,$1234"), ("d5", "PUSH D"), ("f5", "PUSH PSW"), ("e3", "XTHL"),
    ("3e7f", "MVI A,$7F"), ("77", "MOV M,A"), ("76", "HLT"), ("c9", "RET"), ("ff", "RST 7"),
    ("fe10", "CPI $10"), ("08", "NOP [08]"), ("d9", "RET [D9]"), ("cbcdab", "JMP $ABCD [CB CD AB]"),
    ("ed0000", "CALL $0000 [ED 00 00]"), ("cd0000", "CALL $0000"), ("ea3412", "JPE $1234")])
def test_mnemonics(code, text):
    assert disassemble(bytes.fromhex(code)) == text
    assert assemble(text) == bytes.fromhex(code)


def test_lengths_follow_the_8080():
    lengths = {op: instruction_length(bytes([op, 0, 0])) for op in range(256)}
    assert lengths[0x01] == lengths[0xC3] == lengths[0xCD] == lengths[0xDD] == 3
    assert lengths[0x06] == lengths[0xD3] == lengths[0xFE] == 2
    assert sum(n == 1 for n in lengths.values()) == 256 - sum(e > 0 for _, e in TABLE)


def test_a_wrapping_instruction_and_other_spellings():
    program = bytes.fromhex("c5" + "00" * 14 + "01")  # LXI B at the end takes C5 00
    text = disassemble(program)
    assert text.endswith("LXI B,$00C5 [wraps 2]") and assemble(text) == program
    assert assemble("mvi a, 0FFH\nmov b,a") == bytes.fromhex("3eff47")
    assert get("i8080").parse("LXI D,$D511; PUSH D") == bytes.fromhex("1111d5d5")


@pytest.mark.parametrize("text,message", [
    ("MOV Q,B", "no MOV takes these operands"), ("FOO", "unknown mnemonic 'FOO'"),
    ("MVI B,$123", "does not fit 8 bits"), ("NOP [09]", "are 'DAD B', not 'NOP'"),
    ("LXI B,xyz", "is not a number")])
def test_bad_text_is_one_line(text, message):
    with pytest.raises(AlifeError, match=message) as exc:
        assemble(text)
    assert "\n" not in str(exc.value)
