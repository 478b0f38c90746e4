"""Numba interpreters agree with their pure-Python twins; text forms round-trip (languages.md)."""

from __future__ import annotations

import numpy as np
import pytest

from alife import languages
from alife.errors import AlifeError
from alife.languages.pure import run_py
from alife.soup.checkpoint import read_dat

NAMES = languages.names()
LIMITS = [0, 1, 2, 3, 17, 128, 1000, 8192]


def _tapes(name: str, count: int, seed: int) -> list[np.ndarray]:
    """Random tapes: uniform bytes, and tapes dense in the language's instructions."""
    rng = np.random.default_rng(seed)
    lang = languages.get(name)
    if lang.family.name == "bff":
        dense = np.array([b for b in range(256) if lang.disassemble(bytes([b])) in
                          set("<>{}+-.,[]0")], dtype=np.uint8)
    elif lang.family.name == "forth":
        dense = np.concatenate([np.arange(16), np.arange(0x40, 0x48), np.arange(0x80, 0x88),
                                np.arange(0xC0, 0xC8)]).astype(np.uint8)
    else:
        dense = np.arange(0, 130, dtype=np.uint8)
    out = []
    for i in range(count):
        if i % 2:
            out.append(rng.integers(0, 256, 128, dtype=np.uint8))
        else:
            out.append(rng.choice(dense, 128).astype(np.uint8))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_numba_matches_twin_on_random_tapes(name):
    lang = languages.get(name)
    rng = np.random.default_rng(1)
    for tape in _tapes(name, 1500, seed=NAMES.index(name)):  # reproducible per language
        limit = int(rng.choice(LIMITS))
        fast = lang.run(tape, limit)
        slow_tape, slow_ops = run_py(name, tape.tobytes(), limit)
        assert fast.ops == slow_ops, (tape.tobytes().hex(), limit)
        assert fast.tape.tobytes() == bytes(slow_tape), (tape.tobytes().hex(), limit)


def test_numba_matches_twin_after_emergence(conformance):
    """Replicator tapes run to the step limit: the cycle shortcut must stay exact."""
    soup = read_dat(conformance / "emerged" / "bff_noheads_seed0_epoch3072.dat.gz").programs
    rng = np.random.default_rng(5)
    lang = languages.get("bff_noheads")
    at_limit = 0
    for _ in range(150):
        a, b = rng.integers(0, len(soup), 2)
        tape = np.concatenate([soup[a], soup[b]])
        for limit in (8192, int(rng.integers(1, 8192))):
            fast = lang.run(tape, limit)
            slow_tape, slow_ops = run_py("bff_noheads", tape.tobytes(), limit)
            assert (fast.ops, fast.tape.tobytes()) == (slow_ops, bytes(slow_tape))
        at_limit += fast.ops > 1000
    assert at_limit > 50  # these really are long-running interactions


@pytest.mark.parametrize("name", NAMES)
def test_run_does_not_modify_input_and_limit_zero_is_noop(name):
    lang = languages.get(name)
    tape = np.arange(128, dtype=np.uint8)
    before = tape.copy()
    result = lang.run(tape, 0)
    assert result.ops == 0 and np.array_equal(result.tape, before)
    assert np.array_equal(tape, before)


def test_bff_hand_programs():
    bff = languages.get("bff_noheads")
    # Both heads start at 0, on the first '+': three increments of tape[0], then '.' copies
    # tape[head0] onto tape[head1] (the same cell); the zero bytes after it are no-ops.
    tape = bytearray(128)
    tape[0:4] = b"+++."
    res = bff.run(bytes(tape))
    assert res.ops == 4
    assert res.tape[0] == ord("+") + 3  # '.' copies tape[head0] onto tape[head1], same cell
    # Unmatched '[' on a zero byte halts at once: ops counts the halting step.
    res = bff.run(b"[" + bytes(127))
    assert res.ops == 1
    # Heads variant: heads come from bytes 0 and 1, execution starts at 2.
    res = languages.get("bff").run(bytes([10, 20]) + b"." + bytes(125))
    assert res.tape[20] == 0 and res.ops == 1


def test_bff8_jumps_eight():
    bff8 = languages.get("bff8_noheads")
    # '>' moves head0 onto a zero byte, so the '[' at 1 jumps 8 forward without bracket matching.
    tape = bytearray(128)
    tape[0] = ord(">")  # head0 = 1 (a zero byte)
    tape[1] = ord("[")  # zero under head0: pc += 8 -> 9, then pc += 1 -> 10
    tape[10] = ord("+")  # executes: tape[1] ('[') += 1
    res = bff8.run(bytes(tape))
    assert res.ops == 3 and res.tape[1] == ord("[") + 1


def test_forth_jump_targets_the_byte_itself_plus_offset():
    forth = languages.get("forth")
    # 0x81 at 0 jumps +2 to position 2, which pushes 5 (0x45); 0x41 at 1 is skipped.
    tape = bytearray(128)
    tape[0], tape[1], tape[2] = 0x81, 0x41, 0x45
    tape[3] = 0x40  # push 0 (address)
    tape[4] = 0x06  # swap -> stack: 0, 5  (top 5)
    tape[5] = 0x02  # WRITE0: v = 5, a = 0 -> tape[0] = 5
    res = forth.run(bytes(tape), 5)
    assert res.tape[0] == 5 and res.ops == 5


def test_subleq_branch_reads_after_write():
    subleq = languages.get("subleq")
    # a = 2, b = 3: tape[2] -= tape[3] -> 0, so pc = tape[2] = 0 (read after the write, not 9);
    # the same instruction runs again: tape[2] = 0 - 9 = 247 -> pc = 247 halts.
    tape = bytes([2, 3, 9, 9]) + bytes(124)
    res = subleq.run(tape, 10)
    assert res.ops == 2 and res.tape[2] == 247 and res.tape[0] == 2


@pytest.mark.parametrize("name", NAMES)
def test_text_round_trip(name):
    lang = languages.get(name)
    rng = np.random.default_rng(3)
    for _ in range(50):
        program = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
        assert lang.parse(lang.disassemble(program)) == program
    every_byte = bytes(range(256))
    assert lang.parse(lang.disassemble(every_byte)) == every_byte


def test_bff_text_uses_command_characters():
    bff = languages.get("bff")
    assert bff.disassemble(b"[]+-.,<>{}\x00") == "[]+-.,<>{}0"
    assert bff.parse("[[{.>]-] 0") == b"[[{.>]-]\x00"
    assert bff.disassemble(b"\x01") == "\u0101"
    # 4-bit variant: a command character is the byte the reference's parser produces.
    assert languages.get("bff_noheads_4bit").parse("[") == bytes([0xF6])


@pytest.mark.parametrize("name,text", [("bff", "[[x]]"), ("bff_noheads", "+-?"),
                                       ("forth", "0G"), ("subleq", "ABC"), ("bff_selfmove", "0")])
def test_parse_rejects_unknown_characters(name, text):
    with pytest.raises(AlifeError, match="invalid"):
        languages.get(name).parse(text)


def test_unknown_language_is_a_clear_error():
    with pytest.raises(AlifeError, match="unknown language 'brainfuck'; accepted: bff"):
        languages.get("brainfuck")


def test_the_papers_thirteen_and_the_machine_code_families():
    """cubff's 13 languages are told apart from the machine-code families (zff's Z80, the
    8080), which plug in at the same place with 16-byte programs and tracer tokens."""
    cubff = languages.reference_names("cubff")
    assert len(cubff) == 13 and {"bff_noheads", "forthtrivial", "rsubleq4"} <= set(cubff)
    assert set(NAMES) - set(cubff) >= {"z80", "i8080"}
    for name in ("z80", "i8080"):
        lang = languages.get(name)
        assert lang.program_size == 16 and lang.family.traces
        assert lang.family.reference == ""
