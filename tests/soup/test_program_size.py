"""Programs of other sizes than the reference's 64 bytes (world key ``program_size``): soups run
and agree with their pure-Python twin, tracer tokens and the measures follow, histories resume
bit-exactly, ``--raw`` exports any size and the ``.dat`` format refuses them with one line."""

from __future__ import annotations

import numpy as np
import pytest

from alife import languages
from alife.cli import main
from alife.errors import AlifeError
from alife.history import History
from alife.languages.pure import run_py
from alife.measures.diversity import skeletons, species_labels
from alife.measures.replication import replication_scores
from alife.soup import Soup
from alife.soup.twin import epoch_py, initial_soup_py
from alife.world import make_world

SIZES = [8, 16, 32, 128, 256]


@pytest.mark.parametrize("size", SIZES)
def test_every_interpreter_agrees_with_its_twin_at_this_size(size):
    rng = np.random.default_rng(size)
    for name in languages.names():
        lang = languages.get(name)
        for _ in range(60):
            tape = rng.integers(0, 256, 2 * size, dtype=np.uint8)
            limit = int(rng.choice([1, 7, 100, 1000, 8192]))
            fast = lang.run(tape, limit, tape_size=2 * size)
            slow, ops = run_py(name, tape.tobytes(), limit)
            assert (fast.ops, fast.tape.tobytes()) == (ops, bytes(slow)), (name, tape.tobytes())


@pytest.mark.parametrize("size", [16, 64, 128])
@pytest.mark.parametrize("language", ["bff", "bff_noheads", "forth", "forthtrivial_reset",
                                      "subleq", "rsubleq4"])
def test_a_soup_agrees_with_its_pure_python_twin(size, language):
    soup = Soup(language=language, num_programs=16, seed=5, program_size=size,
                mutation_prob=1 / 64)
    programs = initial_soup_py(16, size, 5)
    assert np.array_equal(soup.programs, programs)
    for epoch in range(3):
        ops = epoch_py(programs, language, 5, epoch, soup.world.mutation_threshold, 8192)
        soup.run(1)
        assert soup.last_ops == ops
        assert np.array_equal(soup.programs, programs), epoch


@pytest.mark.parametrize("size", [16, 128])
def test_the_same_bytes_with_one_and_two_threads(threads, size):
    soups = []
    for n in (1, 2):
        threads(n)
        soups.append(Soup(num_programs=512, seed=2, program_size=size).run(6).programs)
    assert np.array_equal(*soups)


def test_tracer_tokens_name_positions_of_the_sized_soup():
    untraced = Soup(language="bff", num_programs=256, seed=1, program_size=16).run(20)
    traced = Soup(language="bff", num_programs=256, seed=1, program_size=16,
                  tracer_tokens=True).run(20)
    assert np.array_equal(untraced.programs, traced.programs)
    assert traced.tokens.shape == (256, 16)
    assert np.array_equal(traced.tokens & 0xFF, traced.programs)
    positions = (traced.tokens >> np.uint64(8)) & np.uint64((1 << 30) - 1)
    assert positions.max() < 256 * 16


def test_measures_take_the_program_size():
    rng = np.random.default_rng(0)
    programs = rng.integers(0, 256, (64, 128), dtype=np.uint8)
    programs[1] = programs[0]
    scores = replication_scores(programs, "bff_noheads", 0, 0)
    assert scores.shape == (64,) and 0 <= scores.min() and scores.max() <= 128
    labels, counts = species_labels(programs, "exact", "bff_noheads")
    assert labels[0] == labels[1] and len(counts) == 63
    rows, lengths = skeletons(programs, "bff_noheads")
    mask = languages.get("bff_noheads").instructions()
    assert rows.shape == (64, 128) and np.array_equal(lengths, mask[programs].sum(axis=1))
    # the score's noise is keyed by the program size: the same bytes score on their own tape
    short = np.ascontiguousarray(programs[:8, :16])
    assert replication_scores(short, "bff_noheads", 0, 0).max() <= 16


@pytest.mark.parametrize("size, message", [(12, "does not run in bff_noheads; accepted: 8, 16"),
                                           (4, r"accepted: an integer in \[8, 256\]"),
                                           (512, r"accepted: an integer in \[8, 256\]")])
def test_a_program_size_that_cannot_run_is_one_clear_error(size, message):
    with pytest.raises(AlifeError, match=message):
        make_world({"program_size": size})


@pytest.mark.parametrize("size", [16, 128])
def test_histories_resume_and_export_raw_at_any_size(tmp_path, size, capsys):
    args = ["--set", f"program_size={size}", "--set", "num_programs=512", "--set",
            "report_every=16", "--set", "snapshot_every=32", "--until", "", "--quiet"]
    whole, part = tmp_path / "whole.h5", tmp_path / "part.h5"
    assert main(["run", *args, "--epochs", "96", "--out", str(whole)]) == 0
    assert main(["run", *args, "--epochs", "40", "--out", str(part)]) == 0
    assert main(["resume", str(part), "--epochs", "96", "--quiet"]) == 0
    with History(whole) as a, History(part) as b:
        assert a.checkpoint().programs.shape == (512, size)
        assert np.array_equal(a.checkpoint().programs, b.checkpoint().programs)
        assert np.array_equal(a.snapshot(65).programs, b.snapshot(65).programs)
        last = a.checkpoint().programs
    raw = tmp_path / "soup.bin"
    assert main(["export", str(whole), "--raw", "-o", str(raw)]) == 0
    assert raw.read_bytes() == last.tobytes()
    capsys.readouterr()
    assert main(["export", str(whole), "-o", str(tmp_path / "soup.dat")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no program-size field" in err
    assert not (tmp_path / "soup.dat").exists()
    assert main(["run", *args, "--epochs", "8", "--dat-dir", str(tmp_path / "dat"),
                 "--out", str(tmp_path / "d.h5")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no program-size field" in err


@pytest.mark.parametrize("size", [16, 32])
def test_the_viewer_draws_programs_of_any_size_as_square_tiles(size, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    pygame = pytest.importorskip("pygame")
    from alife.viz.bridge import SoupFrame
    from alife.viz.palette import BACKGROUND, byte_colours
    from alife.viz.render import SOUP_PANE, FramePainter
    from alife.viz.tiles import Viewport

    world = make_world({"num_programs": 64, "language": "bff", "program_size": size})
    rng = np.random.default_rng(size)
    programs = rng.integers(0, 256, (64, size), dtype=np.uint8)
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h)
    side = {16: 4, 32: 6}[size]  # ceil(sqrt(size)) cells a side; 32 leaves 4 cells blank
    assert view.tile == side
    surface = pygame.Surface((1280, 800))
    FramePainter(world).draw(surface, SoupFrame(world, programs, epoch=1), view)
    colours = byte_colours("bff")
    x, y, _, _ = view.tile_rect(9)
    for cell in range(side * side):
        px = int(SOUP_PANE.x + x + (cell % side + 0.5) * view.zoom)
        py = int(SOUP_PANE.y + y + (cell // side + 0.5) * view.zoom)
        want = tuple(colours[programs[9, cell]]) if cell < size else BACKGROUND
        assert tuple(surface.get_at((px, py)))[:3] == want, cell
