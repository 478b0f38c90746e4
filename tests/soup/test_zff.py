"""The zff Z80 soup against the demo's own golden soup hashes (shared/spec/z80.md,
"Differential testing": SHA-256 of the soup after e batches, default noise, seeds 6 and 7)."""

from __future__ import annotations

import hashlib

import numba
import numpy as np
import pytest

from alife.soup import zff

GOLDEN = {6: {0: "bc4fe1c9879f32dd", 1: "738f4052d6f57b50", 2: "897abededbfcb8e5",
              10: "4f7399a404bf34e1", 100: "e67b812ddcc7a8b7"},
          7: {0: "a88c629baa515a4f", 1: "c23d57d1d83388ae", 2: "1a1c4dc3ac1140c3",
              10: "60d2bea4cbfece2e", 100: "13581001366caba8"}}


def _hash(soup: zff.ZffSoup) -> str:
    return hashlib.sha256(soup.soup.tobytes()).hexdigest()[:16]


@pytest.mark.parametrize("seed", sorted(GOLDEN))
def test_soup_hashes_are_zffs(seed):
    soup = zff.ZffSoup(seed)
    seen = {}
    ops = []
    for e in range(max(GOLDEN[seed]) + 1):
        if e in GOLDEN[seed]:
            seen[e] = _hash(soup)
        ops.append(soup.step()[1])
    assert seen == GOLDEN[seed]
    if seed == 6:
        assert ops[0] == 992501  # the spec's ops count of batch 1


def test_the_stream_is_zffs():
    """Seed 6's state after the 640000 initial draws, and batch 0's 13013 + 512 draws."""
    soup = zff.ZffSoup(6)
    assert int(soup.state[0]) == 0xC0B77F1363BD1406
    start = int(soup.state[0])
    pairs, _ = soup.step()
    assert pairs == 8192 and zff.noise_writes(pairs, 1 / 16) == 512
    draws = (int(soup.state[0]) - start) * pow(int(zff.GOLDEN), -1, 2**64) % 2**64
    assert draws == 13013 + 512
    with pytest.raises(ValueError, match="32-bit"):
        zff.initial_state(2**31)
    assert zff.initial_state(-1) == np.uint64(2**64 - 1)  # sign-extended


def test_pairs_are_disjoint_von_neumann_neighbours():
    state = np.array([zff.initial_state(3), zff.GOLDEN], dtype=np.uint64)
    pairs = np.empty((zff.MAX_PAIRS, 2), dtype=np.int64)
    used = np.empty(zff.CELLS, dtype=np.bool_)
    n = zff.draw_pairs(state, pairs, used)
    p = pairs[:n]
    assert 8000 < n <= 8192 and len(np.unique(p)) == 2 * n
    dx = np.abs(p[:, 0] % 200 - p[:, 1] % 200)
    dy = np.abs(p[:, 0] // 200 - p[:, 1] // 200)
    assert np.all(dx + dy == 1)  # no wrap-around: an edge cell takes its inward neighbour


def test_thread_count_does_not_change_the_soup():
    out = []
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            soup = zff.ZffSoup(7)
            for _ in range(3):
                soup.step()
            out.append(_hash(soup))
    finally:
        numba.set_num_threads(before)
    assert out[0] == out[1]


def test_bench_script_times_ours_without_a_native_build(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_zff.py"
    spec = importlib.util.spec_from_file_location("bench_zff", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--rounds", "1", "--batches", "2"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("round 0: ours 1 thread") and "ms (" in line and "zff C" not in line


def test_hash_randomness_is_keyed_by_seed_and_batch_and_resumes_from_the_soup():
    """Hash mode (z80.md's proposal): thread-independent, seed-dependent, and a soup restarted
    from (seed, batch, bytes) continues to the same bytes; its initial bytes are soup.md's."""
    from alife.rng import h_py, s_py

    a = zff.ZffSoup(6, randomness="hash")
    first = [h_py(zff.SOUP_BYTES * s_py(6, 0) + b) & 0xFF for b in range(8)]
    assert list(a.soup[:8]) == first
    assert _hash(a) != _hash(zff.ZffSoup(7, randomness="hash")) != _hash(zff.ZffSoup(6))
    for _ in range(2):
        a.step()
    b = zff.ZffSoup(6, randomness="hash")
    b.soup[:] = a.soup
    b.batch = a.batch
    for soup in (a, b):
        soup.step()
    assert _hash(a) == _hash(b)
    with pytest.raises(ValueError, match="accepted zff, hash"):
        zff.ZffSoup(6, randomness="other")
