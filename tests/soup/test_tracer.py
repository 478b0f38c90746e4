"""Tracer tokens: provenance never changes a soup byte, follows the token rules, and resumes."""

from __future__ import annotations

import numpy as np
import pytest

from alife.history import History
from alife.languages import CREATED, REGISTRY, get
from alife.languages.pure import run_py_traced
from alife.run.session import resume_run, start_run
from alife.soup import Soup
from alife.soup.tracer import (
    init_tokens,
    make_token,
    token_census,
    token_epoch,
    token_origin,
    token_position,
    token_value,
)
from alife.world import make_world

LANGUAGES = list(REGISTRY)


def _tape(language: str, text: str) -> np.ndarray:
    """A 128-byte tape holding ``text`` (in the language's syntax) then zeros."""
    raw = get(language).parse(text)
    tape = np.zeros(128, dtype=np.uint8)
    tape[: len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return tape


@pytest.mark.parametrize("language", LANGUAGES)
def test_tracing_changes_no_byte_and_matches_the_python_twin(language: str) -> None:
    """On random tapes the traced interpreter gives the untraced bytes and ops, and the same
    provenance as the pure-Python twin."""
    rng = np.random.default_rng(sum(map(ord, language)))
    lang = get(language)
    for trial in range(60):
        tape = rng.integers(0, 256, 128, dtype=np.uint8)
        if language.startswith("bff") and trial % 2:
            ops = np.frombuffer(b"<>{}+-.,[]", dtype=np.uint8)
            tape = np.where(rng.random(128) < 0.6, rng.choice(ops, 128), tape).astype(np.uint8)
        plain, plain_ops = lang.run(tape, limit=2048)
        traced, traced_ops, src = lang.run_traced(tape, limit=2048)
        twin, twin_ops, twin_src = run_py_traced(language, tape.tobytes(), 2048)
        assert np.array_equal(plain, traced) and plain_ops == traced_ops
        assert bytes(twin) == traced.tobytes() and twin_ops == traced_ops
        assert list(src) == twin_src


def test_copy_carries_the_source_position() -> None:
    """`.` copies byte head0 to head1 with its provenance; untouched bytes keep their own."""
    # bff_noheads: heads start at 0. Move head1 to 100, copy byte 0 ('}' itself) there.
    text = "}" * 100 + "."
    tape = _tape("bff_noheads", text)
    out, _, src = get("bff_noheads").run_traced(tape)
    assert out[100] == tape[0]
    assert src[100] == 0
    assert all(src[t] == t for t in range(128) if t != 100)


def test_increment_keeps_the_origin_and_changes_the_value() -> None:
    """`+` changes a byte's value but not where it came from."""
    tape = _tape("bff_noheads", ">>>>>+++")  # head0 moves onto the first '+' (position 5)
    out, _, src = get("bff_noheads").run_traced(tape)
    assert out[5] == (ord("+") + 3) % 256
    assert src[5] == 5
    assert all(src[t] == t for t in range(128))


def test_forth_read_then_write_carries_provenance_through_the_stack() -> None:
    """push 5 (address), push 7, read0 (tape[7] with its provenance), write1: tape[69] gets
    tape[7]'s byte and provenance 7."""
    tape = np.zeros(128, dtype=np.uint8)
    tape[:4] = [0x45, 0x47, 0x00, 0x03]
    tape[7] = 0xEE
    out, _, src = get("forth").run_traced(tape, limit=4)
    assert out[69] == 0xEE and src[69] == 7
    assert all(src[t] == t for t in range(128) if t != 69)


def test_forth_constant_takes_its_instruction_byte_provenance() -> None:
    """push 5 (address), push 10 (value), write1: tape[69] = 10, made from the byte at 1."""
    tape = np.zeros(128, dtype=np.uint8)
    tape[:3] = [0x45, 0x4A, 0x03]
    out, _, src = get("forth").run_traced(tape, limit=3)
    assert out[69] == 10 and src[69] == 1


def test_forth_empty_stack_write_is_a_new_byte() -> None:
    """write1 on an empty stack writes 0 (popped from nothing) to tape[64]: a created byte."""
    tape = np.zeros(128, dtype=np.uint8)
    tape[0] = 0x03
    tape[64] = 0x77
    out, _, src = get("forth").run_traced(tape, limit=1)
    assert out[64] == 0 and src[64] == CREATED


def test_token_layout_round_trips() -> None:
    tok = np.array([make_token(12345, 987654, 0xAB)], dtype=np.uint64)
    assert token_epoch(tok)[0] == 12345
    assert token_position(tok)[0] == 987654
    assert token_value(tok)[0] == 0xAB
    assert token_origin(tok)[0] == (12345 << 30) | 987654


@pytest.mark.parametrize("language", ["bff_noheads", "bff", "forth", "rsubleq4"])
def test_tokens_on_or_off_give_identical_soups(language: str) -> None:
    """Turning tracer tokens on (with lineage) never changes a soup byte or the op count, and
    every token's value part equals the byte it rides on."""
    plain = Soup(language=language, num_programs=1024, seed=5).run(150)
    traced = Soup(language=language, num_programs=1024, seed=5, tracer_tokens=True,
                  lineage=True).run(75).run(75)
    assert np.array_equal(plain.programs, traced.programs)
    assert plain.total_ops == traced.total_ops
    assert np.array_equal(token_value(traced.tokens), traced.programs)


def test_tokens_in_2d_soups_with_resets_keep_the_bytes() -> None:
    keys = dict(language="bff_noheads", num_programs=32 * 32, grid=[32, 32], seed=2,
                reset_interval=40)
    plain = Soup(**keys).run(100)
    traced = Soup(**keys, tracer_tokens=True).run(100)
    assert np.array_equal(plain.programs, traced.programs)
    # the reset after epoch 80 made every token anew, stamped 81 epochs
    assert token_epoch(traced.tokens).min() >= 81


def test_mutation_creates_tokens_stamped_with_the_epoch() -> None:
    """With mutation on every byte, each byte is new: stamped e+1 at its own position."""
    soup = Soup(language="subleq", num_programs=64, seed=1, mutation_prob=1.0,
                tracer_tokens=True, step_limit=1).run(3)
    # subleq's only write keeps provenance, so every byte carries a token from epoch 2 (3rd)
    assert (token_epoch(soup.tokens) == 3).all()
    positions = token_position(soup.tokens)
    assert len(np.unique(positions)) == soup.tokens.size  # every byte its own origin


def test_initial_tokens_name_their_own_byte() -> None:
    soup = Soup(language="bff_noheads", num_programs=8, seed=0, tracer_tokens=True)
    assert (token_epoch(soup.tokens) == 0).all()
    assert np.array_equal(token_position(soup.tokens).ravel(), np.arange(8 * 64))
    tokens = np.zeros_like(soup.tokens)
    init_tokens(soup.programs, tokens, 7)
    assert (token_epoch(tokens) == 7).all()


def test_census_counts_origins() -> None:
    tokens = np.array([[make_token(0, 5, 1), make_token(0, 5, 2), make_token(3, 5, 9),
                        make_token(0, 6, 0)]], dtype=np.uint64)
    census = token_census(tokens, top=2)
    assert census["unique"] == 3  # (0,5) twice, (3,5), (0,6)
    assert census["initial_share"] == 0.75
    assert list(census["top_counts"]) == [2, 1]
    assert census["top_origins"][0] == 5


def test_tokens_and_lineage_survive_stop_and_resume(tmp_path) -> None:
    """A tracer run stopped and resumed equals an uninterrupted one: soup, tokens, snapshots
    (with tokens) and lineage bits."""
    world = make_world(dict(language="bff_noheads", num_programs=512, seed=4, epochs=200,
                            until="", report_every=32, snapshot_every=64, tracer_tokens=True,
                            lineage=True, score_sample=0))
    whole, _ = start_run(world, tmp_path / "whole.h5", alife_version="test")
    start_run(world.replace(epochs=100), tmp_path / "part.h5", alife_version="test")
    resumed, _ = resume_run(tmp_path / "part.h5", alife_version="test", epochs=200)
    assert np.array_equal(whole.programs, resumed.programs)
    assert np.array_equal(whole.tokens, resumed.tokens)
    with History(tmp_path / "whole.h5") as a, History(tmp_path / "part.h5") as b:
        assert a.lineage_range() == b.lineage_range() == (0, 200)
        assert np.array_equal(a.lineage(0, 200), b.lineage(0, 200))
        for e in a.snapshot_epochs():
            sa, sb = a.snapshot(int(e)), b.snapshot(int(e))
            assert np.array_equal(sa.tokens, sb.tokens)
        ma, mb = a.metrics(), b.metrics()
        same = np.isin(mb["epoch"], ma["epoch"])  # the stopped run also reported at its stop
        assert np.array_equal(ma["token_origins"], mb["token_origins"][same])
        assert np.isfinite(ma["token_origins"]).all()


def test_lineage_needs_tracer_tokens() -> None:
    from alife.errors import AlifeError

    with pytest.raises(AlifeError, match="tracer_tokens"):
        make_world({"lineage": True})
    with pytest.raises(AlifeError, match="tracer_tokens: at most"):
        make_world({"tracer_tokens": True, "num_programs": 2**25})
