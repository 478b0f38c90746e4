"""zff's Z80 soup as a world (shared/spec/z80.md): `alife run worlds/z80_2d.toml` then
`alife export --raw` gives the demo's soup hashes, through histories, resume and any thread
count; the 8080 and hash-randomness worlds resume to their uninterrupted bytes; bad zff keys are
one line each."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alife.cli import main
from alife.history import History
from alife.soup import Soup
from alife.world import load_world

ROOT = Path(__file__).resolve().parents[2]
Z80 = str(ROOT / "worlds" / "z80_2d.toml")
I8080 = str(ROOT / "worlds" / "i8080_2d.toml")
GOLDEN = {6: {1: "738f4052d6f57b50", 10: "4f7399a404bf34e1", 100: "e67b812ddcc7a8b7"},
          7: {1: "c23d57d1d83388ae", 10: "60d2bea4cbfece2e"}}


def _raw_hash(history: Path, tmp_path: Path) -> str:
    out = tmp_path / f"{history.stem}.bin"
    assert main(["export", str(history), "--raw", "-o", str(out)]) == 0
    return hashlib.sha256(out.read_bytes()).hexdigest()[:16]


@pytest.mark.parametrize("seed", sorted(GOLDEN))
def test_run_then_raw_export_gives_zffs_soup(tmp_path, seed):
    for epochs, expected in GOLDEN[seed].items():
        out = tmp_path / f"s{seed}_{epochs}.h5"
        assert main(["run", Z80, "--set", f"seed={seed}", "--epochs", str(epochs), "--quiet",
                     "--out", str(out)]) == 0
        assert _raw_hash(out, tmp_path) == expected, (seed, epochs)
        if seed == 6 and epochs == 1:
            with History(out) as h:
                assert int(h.metrics()["ops"][-1]) == 992501  # the spec's ops of batch 1


def test_a_resumed_zff_run_and_one_thread_give_the_demos_bytes(tmp_path):
    out = tmp_path / "r.h5"
    assert main(["run", Z80, "--epochs", "37", "--quiet", "--threads", "2",
                 "--out", str(out)]) == 0
    assert main(["resume", str(out), "--epochs", "100", "--quiet", "--threads", "1"]) == 0
    assert _raw_hash(out, tmp_path) == GOLDEN[6][100]
    with History(out) as h:
        # the checkpoint carries the stream's position: draws taken so far
        assert h.checkpoint().reset_index > 640000


@pytest.mark.parametrize("world,sets", [(I8080, []), (Z80, ["--set", "randomness=hash"]),
                                        (I8080, ["--set", "randomness=hash",
                                                 "--set", "noise=0.25"])])
def test_other_zff_worlds_resume_to_their_uninterrupted_bytes(tmp_path, world, sets):
    whole, parts = tmp_path / "whole.h5", tmp_path / "parts.h5"
    base = ["run", world, *sets, "--set", "seed=3", "--quiet"]
    assert main([*base, "--epochs", "30", "--threads", "2", "--out", str(whole)]) == 0
    assert main([*base, "--epochs", "11", "--threads", "1", "--out", str(parts)]) == 0
    assert main(["resume", str(parts), "--epochs", "30", "--quiet", "--threads", "2"]) == 0
    with History(whole) as a, History(parts) as b:
        ca, cb = a.checkpoint(), b.checkpoint()
        assert ca.epoch == cb.epoch == 30
        assert np.array_equal(ca.programs, cb.programs)
        assert ca.total_ops == cb.total_ops and ca.reset_index == cb.reset_index


def test_hash_randomness_differs_from_zffs_and_noise_is_used():
    world = load_world(Z80).replace(seed=3)
    zff = Soup(world).run(5)
    hashed = Soup(world.replace(randomness="hash")).run(5)
    quiet = Soup(world.replace(noise=0.0)).run(5)
    assert not np.array_equal(zff.programs, hashed.programs)
    assert not np.array_equal(zff.programs, quiet.programs)
    assert zff.last_interactions > 7000  # most batches pair 41 % of the cells


def _alife(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alife.cli", *args], capture_output=True,
                          text=True, timeout=300)


BAD = {
    "noise above 1": (["--set", "noise=1.5"], "world key 'noise': 1.5 is out of range; "
                      "accepted: a rate in [0, 1]"),
    "negative noise": (["--set", "noise=-0.1"], "world key 'noise': -0.1 is out of range"),
    "not zff's grid": (["--set", "grid=[100, 400]"], "world key 'grid': [100, 400] is not the "
                       "zff world's; accepted: [200, 200]"),
    "unknown randomness": (["--set", "randomness=numpy"], "world key 'randomness': 'numpy' is "
                           "out of range; accepted: one of zff, hash"),
    "a cubff language": (["--set", "language=bff"], "world key 'rules': 'zff' runs machine "
                         "code, not 'bff'"),
    "text that does not assemble": (["--set", "program=LD Q,1"], "cannot assemble 'LD Q,1'"),
    "lineage without tokens": (["--set", "lineage=true"], "world key 'lineage': true needs "
                               "tracer_tokens = true"),
    "unknown rules": (["--set", "rules=life"], "world key 'rules': 'life' is out of range; "
                      "accepted: one of cubff, zff"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_zff_input_is_one_line(tmp_path, case):
    sets, expected = BAD[case]
    out = tmp_path / "run.h5"
    r = _alife("run", Z80, *sets, "--epochs", "2", "--quiet", "--out", str(out))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert expected in lines[0], lines[0]
    assert not out.exists()


def test_noise_on_a_cubff_world_is_refused(tmp_path):
    r = _alife("run", "--set", "noise=0.1", "--epochs", "2", "--quiet")
    assert r.returncode == 2 and "applies to rules = 'zff' soups only" in r.stderr


def test_z80_soups_are_drawn_in_zffs_colours_as_4x4_tiles():
    from alife.viz.palette import byte_colours, palette_legend
    from alife.viz.tiles import ProgramTiles

    z80, i8080 = byte_colours("z80"), byte_colours("i8080")
    assert tuple(z80[0x00]) == (0, 0, 0) and tuple(z80[0x2A]) == (255, 255, 255)
    assert tuple(z80[0xB8]) == (240, 70, 70) and tuple(z80[0x10]) == (66, 66, 66)  # 64 + b/8
    assert tuple(i8080[0xB8]) == (87, 87, 87)  # CMP B on the 8080: grey
    assert ProgramTiles("z80", 16).tile == 4
    labels = [label for label, _ in palette_legend("z80")]
    assert "E3: EX (SP),HL" in labels and labels[-1].startswith("other bytes")


@pytest.mark.parametrize("language,text", [("z80", "LD DE,$D511; PUSH DE; HALT"),
                                           ("i8080", "LXI D,$D511; PUSH D; HLT")])
def test_the_viewers_trace_steps_machine_code(language, text):
    """The trace panel (alife.viz.trace) follows the twin step by step: the load-push copier
    writes its operand below the stack (zff's reset SP FFFF: bytes 29-30; the 8080's SP 0:
    bytes 30-31)."""
    from alife.languages import get
    from alife.viz.trace import trace_tape

    t = trace_tape(language, get(language).parse(text), 128, tape_size=32)
    assert t.pc.tolist() == [0, 3, 4, -1] and t.ops == 3
    end = t.tapes[-1]
    at = 29 if language == "z80" else 30
    assert end[at] == 0x11 and end[at + 1] == 0xD5
