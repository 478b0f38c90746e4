"""The analysis scripts, run as a user runs them (a subprocess on a tiny real history), and the
pure functions they draw with: the byte palette and the soup image (Agüera y Arcas et al. 2024,
fig. 1), and the emergence and diversity analyses."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import matplotlib.image as mpimg
import numpy as np
import pytest

from alife.analysis.emergence import wilson_interval
from alife.errors import AlifeError
from alife.history import History
from alife.languages import get, reference_names
from alife.measures.diversity import diversity
from alife.measures.species import species_counts
from alife.soup.checkpoint import write_dat
from alife.viz.palette import (
    BACKGROUND,
    GREEN,
    GREY,
    LIGHT_PURPLE,
    MAGENTA,
    RED,
    byte_colours,
    palette_legend,
)
from alife.viz.soup_image import default_columns, soup_image

ROOT = Path(__file__).resolve().parents[2]
SOUP_IMAGE = ROOT / "analyses" / "soup_image.py"

# One hand-made bff program: byte 0, then '[', '+', '<', 'A' (a no-op), the rest 'A'.
PROGRAM = np.frombuffer(b"\x00[+<" + b"A" * 60, dtype=np.uint8)
EXPECTED = {0: RED, 1: GREEN, 2: MAGENTA, 3: LIGHT_PURPLE, 4: GREY, 63: GREY}


def colour(language: str, byte: int | str) -> tuple[int, ...]:
    """The palette colour of one byte (a character stands for its code)."""
    b = ord(byte) if isinstance(byte, str) else byte
    return tuple(int(v) for v in byte_colours(language)[b])


def hand_made_soup(n: int) -> np.ndarray:
    """``n`` programs: PROGRAM first, then program i filled with byte i (uint8[n, 64])."""
    soup = np.repeat(np.arange(n, dtype=np.uint8)[:, None], 64, axis=1)
    soup[0] = PROGRAM
    return soup


def script(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SOUP_IMAGE), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def alife(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "alife.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def read_png(path: Path) -> np.ndarray:
    """A PNG as uint8[H, W, 3] RGB."""
    return (mpimg.imread(path)[..., :3] * 255).round().astype(np.uint8)


# --- palette ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", reference_names("cubff"))
def test_palette_is_fixed_and_byte_zero_is_red(language):
    p = byte_colours(language)
    assert p.shape == (256, 3) and p.dtype == np.uint8
    assert tuple(p[0]) == RED
    assert not p.flags.writeable


@pytest.mark.parametrize("language", ["z80", "i8080"])
def test_machine_code_keeps_zffs_colours_and_its_legend_names_them(language):
    p = byte_colours(language)
    assert tuple(p[0]) == (0, 0, 0) and not p.flags.writeable  # zff: NOP is black
    legend = palette_legend(language)
    named = {c for _, c in legend[:-1]}
    grey = {tuple(int(v) for v in c) for c in p if c[0] == c[1] == c[2] and 0 < c[0] < 255}
    assert {tuple(int(v) for v in c) for c in p} - grey == named
    assert legend[-1][0].startswith("other bytes")


@pytest.mark.parametrize("language", reference_names("cubff"))
def test_legend_names_every_colour_the_palette_uses(language):
    legend = palette_legend(language)
    assert legend[0] == (legend[0][0], RED) and legend[0][0].startswith("byte 0")
    used = {tuple(int(v) for v in c) for c in byte_colours(language)}
    if get(language).family.name == "subleq":  # grey shaded by value: the legend shows the ends
        assert {c for _, c in legend[1:]} == {colour(language, 1), colour(language, 255)}
    else:
        assert used == {c for _, c in legend}


@pytest.mark.parametrize("language", ["bff", "bff_noheads", "bff8", "bff8_noheads"])
def test_bff_colours_follow_the_op_table(language):
    assert colour(language, "[") == colour(language, "]") == GREEN
    for c in "+-.,":
        assert colour(language, c) == MAGENTA
    for c in "<>{}":
        assert colour(language, c) == LIGHT_PURPLE
    assert colour(language, "A") == colour(language, 255) == GREY


def test_bff_noheads_4bit_colours_come_from_the_low_nibble():
    lang = "bff_noheads_4bit"
    assert colour(lang, 0x06) == colour(lang, 0xF6) == colour(lang, 0x17) == GREEN  # [ ]
    assert colour(lang, 0x08) == colour(lang, 0x3B) == MAGENTA  # + ,
    assert colour(lang, 0x1C) == colour(lang, 0xAF) == LIGHT_PURPLE  # < }
    assert colour(lang, 0x10) == colour(lang, 0x01) == colour(lang, "A") == GREY  # no-ops
    assert colour(lang, 0x00) == RED


def test_bff_selfmove_and_perm_colour_their_own_bytes():
    assert colour("bff_selfmove", 4) == MAGENTA  # copy-move
    assert colour("bff_selfmove", 1) == LIGHT_PURPLE  # <
    assert colour("bff_selfmove", 5) == GREEN  # [
    assert colour("bff_selfmove", 0) == RED  # byte 0 is red even though it encodes >
    assert "also >" in palette_legend("bff_selfmove")[0][0]
    assert colour("bff_perm", 9) == GREEN and colour("bff_perm", 5) == MAGENTA
    assert colour("bff_perm", 1) == LIGHT_PURPLE and colour("bff_perm", ord("[")) == GREY


def test_forth_family_colours():
    for lang in ("forth", "forthcopy", "forthtrivial", "forthtrivial_reset"):
        assert colour(lang, 0x80) == colour(lang, 0xFF) == colour(lang, 0x07) == GREEN  # jmp, if0
        assert colour(lang, 0x01) == colour(lang, 0x02) == MAGENTA  # read1 / write0, write
        assert colour(lang, 0x04) == colour(lang, 0x0B) == LIGHT_PURPLE  # dup, sub
        assert colour(lang, 0x40) == colour(lang, 0x7F) == colour(lang, 0x3F) == GREY  # push
        assert colour(lang, 0x00) == RED
    assert colour("forthtrivial", 0x0C) == MAGENTA and colour("forth", 0x0C) == GREY  # copy0
    assert colour("forthcopy", 0x03) == LIGHT_PURPLE  # xor64


def test_subleq_greys_are_shaded_by_value():
    levels = byte_colours("subleq")[1:, 0].astype(int)
    assert np.all(np.diff(levels) >= 0) and levels[0] < levels[-1]
    assert np.all(byte_colours("rsubleq4")[1:] == byte_colours("rsubleq4")[1:, :1])  # grey


# --- soup image ---------------------------------------------------------------------------------


def test_tile_of_a_hand_made_program():
    image = soup_image(PROGRAM[None, :], "bff")
    assert image.shape == (8, 8, 3) and image.dtype == np.uint8
    for j, rgb in EXPECTED.items():
        assert tuple(image[j // 8, j % 8]) == rgb, j


def test_tiles_are_laid_out_row_major_and_padding_is_background():
    soup = hand_made_soup(10)
    image = soup_image(soup, "forth", columns=4)  # 3 rows of 4 tiles, two left empty
    assert image.shape == (24, 32, 3)
    pal = byte_colours("forth")
    for i in range(1, 10):
        tile = image[8 * (i // 4): 8 * (i // 4) + 8, 8 * (i % 4): 8 * (i % 4) + 8]
        assert np.all(tile == pal[i]), i
    assert np.all(image[16:, 16:] == BACKGROUND)


def test_default_layout_is_near_square_or_the_worlds_grid():
    assert default_columns(2**17) == 512 and default_columns(4096) == 64
    assert default_columns(10) == 4 and default_columns(6) == 3
    assert soup_image(hand_made_soup(2**10), "bff").shape == (256, 256, 3)
    assert soup_image(hand_made_soup(8), "bff", grid=(4, 2)).shape == (16, 32, 3)


def test_soup_image_rejects_programs_of_the_wrong_shape():
    with pytest.raises(AlifeError, match="shape"):
        soup_image(np.zeros(32, dtype=np.uint8), "bff")


# --- the script, on real histories ----------------------------------------------------------


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """A history of the hand-made soup (40 programs after 100 epochs) made by `alife import`."""
    d = tmp_path_factory.mktemp("imported")
    write_dat(d / "soup.dat", hand_made_soup(40), 100)
    alife("import", d / "soup.dat", "-o", d / "run.h5", "--set", "language=bff",
          "--set", "num_programs=40", "--set", "seed=3", cwd=d)
    return d / "run.h5"


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> Path:
    """A tiny real run: 256 programs, 130 epochs, snapshots after 0, 1, 65, 129 and 130."""
    d = tmp_path_factory.mktemp("ran")
    alife("run", ROOT / "worlds" / "small.toml", "--set", "num_programs=256",
          "--set", "snapshot_every=64", "--epochs", "130", "--until", "", "--threads", "1",
          "--quiet", "--out", d / "run.h5", cwd=d)
    return d / "run.h5"


def test_script_draws_the_hand_made_soup(imported, tmp_path):
    done = script(imported, "--out", tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stem = "language-bff_N-40_seed-3_epoch-100"
    for name in (f"soup_raw_{stem}.png", f"soup_{stem}.png", f"soup_{stem}.svg"):
        assert (tmp_path / name).stat().st_size > 0, name
    raw = read_png(tmp_path / f"soup_raw_{stem}.png")
    assert raw.shape == (5 * 8, 8 * 8, 3)  # 40 programs: 5 rows of 8 tiles
    for j, rgb in EXPECTED.items():
        assert tuple(raw[j // 8, j % 8]) == rgb, j
    assert np.all(raw[8:16, 8:16] == byte_colours("bff")[9])  # program 9: row 1, column 1
    assert np.array_equal(raw, soup_image(hand_made_soup(40), "bff"))


def test_script_default_out_dir_crop_and_columns(imported, tmp_path):
    done = script(imported, "--epoch", "100", "--crop", "6", "--columns", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    name = "soup_raw_language-bff_N-40_seed-3_epoch-100_crop-6_columns-3.png"
    raw = tmp_path / "runs" / "figures" / "run" / name  # under runs/ of the current directory
    assert read_png(raw).shape == (16, 24, 3)
    assert not (imported.parent / "figures").exists()


@pytest.mark.slow
def test_script_lays_a_2d_soup_out_on_its_grid(tmp_path):
    write_dat(tmp_path / "soup.dat", hand_made_soup(64), 7)
    alife("import", tmp_path / "soup.dat", "-o", tmp_path / "run.h5", "--set", "language=forth",
          "--set", "num_programs=64", "--set", "grid=[16, 4]", cwd=tmp_path)
    done = script(tmp_path / "run.h5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    raw = tmp_path / "runs" / "figures" / "run" / "soup_raw_language-forth_N-64_seed-0_epoch-7.png"
    assert read_png(raw).shape == (4 * 8, 16 * 8, 3)


def test_script_on_a_real_run(ran, tmp_path):
    done = script(ran, "--epoch", "65", "--out", tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    raw = read_png(tmp_path / "soup_raw_language-bff-noheads_N-256_seed-0_epoch-65.png")
    assert raw.shape == (16 * 8, 16 * 8, 3)
    assert (tmp_path / "soup_language-bff-noheads_N-256_seed-0_epoch-65.svg").exists()
    done = script(ran, "--epoch", "64", cwd=tmp_path)
    assert done.returncode == 2 and "0, 1, 65, 129, 130" in done.stderr


def bad_not_a_history(d: Path) -> list[str | Path]:
    (d / "notes.h5").write_text("not a history\n")
    return [d / "notes.h5"]


@pytest.mark.parametrize("make_args, message", [
    (lambda d: [d / "missing.h5"], "does not exist"),
    (bad_not_a_history, "not a readable history"),
    (lambda d: [d / "run.h5", "--epoch", "99"], "no snapshot after 99 epochs"),
    (lambda d: [d / "run.h5", "--epoch", "soon"], "expected an integer or 'last'"),
    (lambda d: [d / "run.h5", "--crop", "0"], "--crop must be >= 1"),
])
def test_bad_input_is_one_line_and_exit_2(imported, tmp_path, make_args, message):
    (tmp_path / "run.h5").symlink_to(imported)
    done = script(*make_args(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("soup_image: error: "), done.stderr
    assert message in lines[0]


# --- emergence across a sweep (analysis.md, "Across seeds") -------------------------------------

EMERGENCE = ROOT / "analyses" / "emergence.py"
DIVERSITY = ROOT / "analyses" / "diversity.py"
UNTIL = 0.15  # the tiny sweep's stop condition and transition threshold: some runs cross it


def analysis(path: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run one analysis script as a user runs it."""
    return subprocess.run([sys.executable, str(path), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=180)


def sweep_table(d: Path) -> list[dict[str, str]]:
    with open(d / "sweep.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    """A tiny sweep: seeds 0-2, 256 programs, 200 epochs, each stopped at entropy > UNTIL."""
    d = tmp_path_factory.mktemp("swept")
    alife("sweep", ROOT / "worlds" / "small.toml", "--set", "num_programs=256",
          "--set", "epochs=200", "--seeds", "0:3", "--workers", "1", "--threads-per-run", "1",
          "--until", f"higher_entropy>{UNTIL}", "--quiet", "--out", d / "sweep", cwd=d)
    return d / "sweep"


@pytest.mark.slow
def test_emergence_matches_the_sweep_and_its_stop_condition(swept, tmp_path):
    done = analysis(EMERGENCE, swept, "--threshold", UNTIL, "--out", tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stem = f"language-bff-noheads_N-256_threshold-{UNTIL:g}_seeds-3_cap-200"
    for name in (f"emergence_{stem}.png", f"emergence_{stem}.svg",
                 f"emergence_table_{stem}.csv", f"emergence_summary_{stem}.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    rows = sweep_table(swept)
    stopped = {int(r["seed"]): int(r["epochs"]) for r in rows if r["stopped_by"] == "until"}
    summary = json.loads((tmp_path / f"emergence_summary_{stem}.json").read_text())
    assert summary["n"] == len(rows) == 3
    assert summary["transitioned"] == len(stopped)  # a run stops exactly at its transition
    assert (summary["wilson_low"], summary["wilson_high"]) == \
        pytest.approx(wilson_interval(len(stopped), 3))
    with open(tmp_path / f"emergence_table_{stem}.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [int(r["seed"]) for r in table] == [0, 1, 2]
    for r in table:
        seed = int(r["seed"])
        assert (r["transitioned"] == "True") == (seed in stopped)
        if seed in stopped:
            assert int(r["transition_epoch"]) == int(r["epochs"]) == stopped[seed]
        else:
            assert r["transition_epoch"] == "" and int(r["epochs"]) == 200
    assert f"runs: 3; transitioned: {len(stopped)}" in done.stdout


@pytest.mark.slow
def test_emergence_at_the_default_threshold_agrees_with_sweep_csv(swept, tmp_path):
    done = analysis(EMERGENCE, swept, "--out", tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (summary,) = tmp_path.glob("emergence_summary_*_threshold-3_seeds-3_cap-200.json")
    record = json.loads(summary.read_text())
    rows = sweep_table(swept)
    assert record["n"] == len(rows)
    assert record["transitioned"] == sum(r["transitioned"] == "True" for r in rows)
    assert record["median"] is None or record["transitioned"] > 0


@pytest.mark.slow
def test_emergence_reads_histories_without_sweep_csv_and_skips_running_ones(swept, tmp_path):
    d = tmp_path / "partial"
    d.mkdir()
    for p in swept.glob("*.h5"):
        shutil.copy(p, d / p.name)
    with h5py.File(d / "small__seed1.h5", "r+") as f:  # as a run still being written looks
        f.attrs["status"] = "running"
    (d / "small__seed7.h5").write_text("half written\n")
    done = analysis(EMERGENCE, d, "--threshold", UNTIL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "small__seed1.h5: still being written" in done.stdout
    assert "small__seed7.h5: unreadable, skipped" in done.stdout
    (summary,) = (tmp_path / "runs" / "figures" / "partial").glob(
        "emergence_summary_*_seeds-2_cap-200.json")
    record = json.loads(summary.read_text())
    assert record["n"] == 2 and record["seeds"] == [0, 2]
    assert any("still being written" in n for n in record["notes"])


# --- diversity of one run -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ran_modes(tmp_path_factory) -> Path:
    """A tiny run with every metric, MODES included: 256 programs, 130 epochs, a report every
    16 epochs, persistence filter 32 epochs, snapshots after 0, 1, 65, 129 and 130."""
    d = tmp_path_factory.mktemp("ran_modes")
    alife("run", ROOT / "worlds" / "small.toml", "--set", "num_programs=256",
          "--set", "snapshot_every=64", "--set", "report_every=16",
          "--set", "modes_persistence=32", "--epochs", "130", "--until", "", "--threads", "1",
          "--quiet", "--out", d / "run.h5", cwd=d)
    return d / "run.h5"


@pytest.mark.slow
def test_diversity_draws_every_figure_and_the_before_after_table(ran_modes, tmp_path):
    done = analysis(DIVERSITY, ran_modes, "--threshold", "0.01", "--out", tmp_path,
                    cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stem = "language-bff-noheads_N-256_seed-0_threshold-0.01"
    for name in ("complexity", "diversity", "muller", "modes"):
        for ext in ("png", "svg"):
            assert (tmp_path / f"{name}_{stem}.{ext}").stat().st_size > 0, (name, ext)
    with open(tmp_path / f"diversity_table_{stem}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with History(ran_modes) as h:
        t = h.transition_epoch(0.01)
        last = h.last_metrics()
        programs = np.asarray(h.snapshot(130).programs)
    assert t is not None
    assert [r["when"] for r in rows] == [
        "last observation before the transition", "last observation",
        "last snapshot before the transition", "last snapshot"]
    assert int(rows[0]["epoch"]) < t and int(rows[2]["epoch"]) < t
    assert int(rows[1]["epoch"]) == int(rows[3]["epoch"]) == 130
    assert float(rows[1]["shannon_bits"]) == pytest.approx(last["shannon_bits"])
    exact = diversity(species_counts(programs)[1])
    for key in ("richness", "shannon_bits", "gini_simpson", "hill_2", "berger_parker",
                "evenness"):
        assert float(rows[3][key]) == pytest.approx(exact[key]), key
    assert "last snapshot before the transition" in done.stdout


@pytest.mark.slow
def test_diversity_skips_what_an_older_history_lacks(ran_modes, tmp_path):
    old = tmp_path / "old.h5"
    shutil.copy(ran_modes, old)
    with h5py.File(old, "r+") as f:  # an older history: no Hill D2, MODES never measured
        del f["metrics/hill_2"]
        for name in ("modes_change", "modes_novelty", "modes_ecology", "modes_complexity"):
            f[f"metrics/{name}"][:] = np.nan
    done = analysis(DIVERSITY, old, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "not recorded in this history (skipped): hill_2, modes_change" in done.stdout
    assert "modes figure skipped" in done.stdout
    figures = tmp_path / "runs" / "figures" / "old"
    assert (figures / "diversity_language-bff-noheads_N-256_seed-0.png").exists()
    assert not list(figures.glob("modes_*"))
    assert "no transition" in done.stdout  # entropy never reaches 3 bits in 130 epochs


def empty_dir(d: Path) -> list[str | Path]:
    (d / "empty").mkdir()
    return [d / "empty"]


@pytest.mark.parametrize("path, make_args, message", [
    (EMERGENCE, lambda d: [d / "nowhere"], "does not exist"),
    (EMERGENCE, empty_dir, "holds no histories"),
    (EMERGENCE, lambda d: [d, "--threshold", "nan"], "--threshold must be a finite"),
    (DIVERSITY, lambda d: [d / "missing.h5"], "does not exist"),
    (DIVERSITY, bad_not_a_history, "not a readable history"),
    (DIVERSITY, lambda d: [d / "run.h5", "--threshold", "inf"], "--threshold must be a finite"),
])
def test_analyses_bad_input_is_one_line_and_exit_2(imported, tmp_path, path, make_args,
                                                   message):
    (tmp_path / "run.h5").symlink_to(imported)
    done = analysis(path, *make_args(tmp_path), cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path.stem}: error: "), done.stderr
    assert message in lines[0]


def test_emergence_redraws_from_a_table_alone_when_told_the_world(tmp_path):
    """A table without histories (a committed one) is redrawn when --language and
    --num-programs name the world; without them the script says to give them."""
    d = tmp_path / "tabled"
    d.mkdir()
    (d / "sweep.csv").write_text("seed,transitioned,transition_epoch,epochs,status\n"
                                 "0,True,120,120,finished\n1,False,,400,finished\n"
                                 "2,True,300,300,finished\n")
    refused = analysis(EMERGENCE, d, cwd=tmp_path)
    assert refused.returncode != 0 and "give --language and --num-programs" in refused.stderr
    done = analysis(EMERGENCE, d, "--language", "bff", "--num-programs", "1024", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (summary,) = (tmp_path / "runs" / "figures" / "tabled").glob(
        "emergence_summary_language-bff_N-1024_threshold-3_seeds-3_cap-400.json")
    record = json.loads(summary.read_text())
    assert record["n"] == 3 and record["transitioned"] == 2
    assert any("read from sweep.csv" in n for n in record["notes"])
