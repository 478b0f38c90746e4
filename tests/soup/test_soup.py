"""Soup rules beyond the conformance files: determinism, resets, seeding, zero init, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

from alife import AlifeError, Soup, languages
from alife.rng import h_py, s_py
from alife.soup.checkpoint import read_dat, write_dat


def test_initial_soup_formula():
    soup = Soup(language="bff", num_programs=6, seed=11)
    n = 6
    expected = [[h_py(64 * n * s_py(11, 0) + 64 * i + j) % 256 for j in range(64)]
                for i in range(n)]
    assert soup.programs.tolist() == expected


@pytest.mark.parametrize("keys", [{}, {"grid": [16, 16]}, {"language": "forth"}])
def test_same_bytes_with_one_and_two_threads(threads, keys):
    results = []
    for t in (1, 2):
        threads(t)
        soup = Soup(**{"language": "bff_noheads", "num_programs": 256, "seed": 4,
                       "mutation_prob": 0.01, **keys}).run(20)
        results.append((soup.programs.copy(), soup.total_ops))
    assert np.array_equal(results[0][0], results[1][0]) and results[0][1] == results[1][1]


def test_running_in_chunks_equals_running_at_once():
    a = Soup(language="bff", num_programs=512, seed=2).run(10)
    b = Soup(language="bff", num_programs=512, seed=2)
    for _ in range(5):
        b.run(2)
    assert np.array_equal(a.programs, b.programs) and a.total_ops == b.total_ops


def test_reset_interval_reinitialises_with_counter():
    soup = Soup(language="bff_noheads", num_programs=64, seed=3, reset_interval=4)
    soup.run(1)  # epoch 0: 0 % 4 == 0, so the soup is reset with S(1) right after it
    fresh = Soup(language="bff_noheads", num_programs=64, seed=3)
    n = 64
    expected = np.array([[h_py(64 * n * s_py(3, 1) + 64 * i + j) % 256 for j in range(64)]
                         for i in range(n)], dtype=np.uint8)
    assert np.array_equal(soup.programs, expected)
    assert not np.array_equal(soup.programs, fresh.programs)
    assert soup.reset_index == 2
    soup.run(4)  # epochs 1..4; epoch 4 resets again with S(2)
    assert soup.reset_index == 3
    assert soup.checkpoint().reset_index == 3


def test_zero_init_and_seeded_program():
    lang = languages.get("bff_noheads")
    text = "[[{.>]-]" * 10  # 80 bytes: spills into program 1
    soup = Soup(language="bff_noheads", num_programs=8, seed=0, zero_init=True, program=text)
    flat = soup.programs.reshape(-1)
    assert flat[:80].tobytes() == lang.parse(text)
    assert not flat[80:].any()


def test_no_mutation_and_zero_soup_stays_zero():
    soup = Soup(language="bff", num_programs=32, seed=0, zero_init=True, mutation_prob=0.0)
    soup.run(5)
    assert not soup.programs.any()
    assert soup.last_ops == 0


def test_full_mutation_replaces_every_byte_by_its_hash():
    """mutation_prob = 1: every tape byte becomes r & 0xFF before execution (soup.md step 2)."""
    soup = Soup(language="subleq", num_programs=2, seed=5, mutation_prob=1.0, step_limit=1)
    before = soup.programs.copy()
    soup.run(1)
    n, k = 2, 0
    tape = bytearray(h_py((n * s_py(5, 0) + k) * 128 + t) & 0xFF for t in range(128))
    from alife.languages.pure import run_py

    order = [0, 1]  # Fisher-Yates on 2 programs
    j = h_py(s_py(5, 0 * 2 + 1)) % 2
    order[1], order[j] = order[j], order[1]
    j0 = h_py(s_py(5, 0)) % 1
    order[0], order[j0] = order[j0], order[0]
    out, _ = run_py("subleq", bytes(tape), 1)
    assert soup.programs[order[0]].tobytes() == bytes(out[:64])
    assert soup.programs[order[1]].tobytes() == bytes(out[64:])
    assert not np.array_equal(before, soup.programs)


def test_checkpoint_round_trip(tmp_path):
    soup = Soup(language="forth", num_programs=128, seed=9, reset_interval=3).run(7)
    path = soup.save_dat(tmp_path / "0000000006.dat")
    cp = read_dat(path)
    assert cp.epochs == 7 and cp.reset_index == soup.reset_index
    resumed = Soup.from_checkpoint(path, language="forth", seed=9, reset_interval=3)
    soup.run(5)
    resumed.run(5)
    assert np.array_equal(soup.programs, resumed.programs)


def test_truncated_and_inconsistent_checkpoints_are_clear_errors(tmp_path):
    good = write_dat(tmp_path / "good.dat", np.zeros((4, 64), np.uint8), 1)
    raw = good.read_bytes()
    (tmp_path / "short.dat").write_bytes(raw[:10])
    with pytest.raises(AlifeError, match="truncated"):
        read_dat(tmp_path / "short.dat")
    (tmp_path / "cut.dat").write_bytes(raw[:-1])
    with pytest.raises(AlifeError, match="header says N = 4"):
        read_dat(tmp_path / "cut.dat")
    with pytest.raises(AlifeError, match="does not exist"):
        read_dat(tmp_path / "missing.dat")


@pytest.mark.parametrize("keys,match", [
    ({"language": "bf"}, "unknown language"),
    ({"num_programs": 7}, "even integer"),
    ({"num_programs": 0}, "even integer"),
    ({"mutation_prob": -0.1}, r"\[0, 1\]"),
    ({"mutation_prob": 1.5}, r"\[0, 1\]"),
    ({"colour": "red"}, "unknown world key 'colour'"),
    ({"seed": "zero"}, "is not an integer"),
    ({"grid": [4, 4], "num_programs": 20}, "W \\* H == num_programs"),
    ({"program": "[[q"}, "invalid bff_noheads program"),
    ({"until": "entropy>>3"}, "METRIC>VALUE"),
])
def test_bad_world_keys(keys, match):
    with pytest.raises(AlifeError, match=match):
        Soup(**keys)


def test_metrics_and_most_common():
    soup = Soup(language="bff_noheads", num_programs=256, seed=0, zero_init=True,
                program="[[{.>]-]", mutation_prob=0.0).run(1)
    m = soup.metrics()
    assert m["epoch"] == 1 and 0 <= m["h0"] <= 8
    assert m["higher_entropy"] == pytest.approx(m["h0"] - m["bpb"])
    (top, count), = soup.most_common(1)
    assert top == bytes(64) and count >= 254
