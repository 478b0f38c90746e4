"""Generated hostile input at the real parsers: `--set` values, world files, reference `.dat`
headers and pattern files. Whatever comes in, the command exits 0, or 2 with exactly one line
`alife: error: ...`; it never shows a traceback and writes no file but the output it was asked
for. Sizes are checked where the world is made (alife.world), so a generated value can never
make the command allocate a huge soup: the runs below keep 256 programs.

Hypothesis runs derandomized (a fixed sequence of examples), so CI sees the same cases."""

from __future__ import annotations

import dataclasses
import os
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alife.cli import main
from alife.errors import AlifeError
from alife.world import SOUP_SPECS, RecordSpec, RunSpec, World, load_world

WORLD_KEYS = sorted({f.name for cls in (*SOUP_SPECS.values(), RunSpec, RecordSpec)
                     for f in dataclasses.fields(cls)} | {"kind", "name"})
# Keys whose values set what a run costs (soup size, steps, kernels, SGD): checked by making the
# world alone; the commands below are given the others.
COSTLY = {"num_programs", "step_limit", "program_size", "language", "kind", "train_steps",
          "learn_steps", "pattern", "tracer_tokens", "lineage", "grid"}
CHEAP_KEYS = [k for k in WORLD_KEYS if k not in COSTLY]
RUN = ["--epochs", "1", "--no-history", "--quiet", "--threads", "1"]
SMALL = ["--set", "num_programs=256"]

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# Text of every kind: control characters, newlines, quotes, lone surrogates (what Python makes of
# bytes that are not UTF-8 in argv), and other planes.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=24)
TOML_FRAGMENTS = st.sampled_from([
    "", " ", "=", '"', "'", '"""', "'''", "[", "]", "[1,", "{a = 1}", "[[1]]", "[]", "[16, 16]",
    '["a", 1]', "1 # comment", "1\nb = 2", "true", "false", "True", "1979-05-27T07:32:00Z",
    "07:32:00", "0x10", "0o7", "0b1", "1_000", "+inf", "-inf", "nan", "-nan", "inf", "1e999",
    "-0", "-0.0", "5e-324", '"\\u0000"', '"\\ud800"', '"a\\nb"', "\x00", "\x1b[31m", "\ufeff1",
    "higher_entropy>3", "higher_entropy>", "nonsense<1", "epoch>=4", "''", "\r\n"])
INTEGERS = st.one_of(st.integers(), st.sampled_from([0, -1, 1, 2, 255, 256, 2**24, 2**30,
                                                     2**31, 2**40, 2**63 - 1, 2**63, 2**64 - 1,
                                                     2**64, 10**30, -(2**63) - 1]))
VALUES = st.one_of(
    INTEGERS.map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    ANY_TEXT,
    ANY_TEXT.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.lists(INTEGERS, max_size=3).map(lambda xs: "[" + ", ".join(map(str, xs)) + "]"),
    TOML_FRAGMENTS)


def overrides(keys: list[str]) -> st.SearchStrategy[list[str]]:
    """``--set`` items: a real key (or a random one) '=' a generated value, or no '=' at all."""
    key = st.one_of(st.sampled_from(keys), ANY_TEXT)
    item = st.one_of(st.tuples(key, VALUES).map(lambda kv: f"{kv[0]}={kv[1]}"), ANY_TEXT)
    return st.lists(item, min_size=1, max_size=4)


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")}


def command_holds(argv: list[str], folder: Path, capsys, outputs: tuple[str, ...] = ()) -> int:
    """Run ``alife ARGV`` (the real parser, in this process) in ``folder``; check the contract:
    exit 0, or 2 with one line `alife: error: ...`; no traceback; nothing written in
    ``folder`` but ``outputs``. Returns the exit status."""
    before = _listing(folder)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse's own refusals
            status = exc.code
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err and "Traceback" not in out, (argv, err)
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("alife: error: "), (argv, err)
    after = _listing(folder)
    touched = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert touched <= set(outputs), (argv, touched)
    return status


@pytest.fixture
def folder():
    with tempfile.TemporaryDirectory(prefix="alife-fuzz-") as d:
        yield Path(d)


def world_holds(path: str | None, sets: list[str]) -> None:
    """Making the world either gives a World or raises AlifeError (one line), nothing else; a
    world that is made never holds a soup past the bounds."""
    try:
        world = load_world(path, sets)
    except AlifeError as exc:
        assert str(exc).strip(), "an empty message"
        return
    assert isinstance(world, World)
    assert 2 <= world.num_programs <= 2**30


@FUZZ
@given(sets=overrides(WORLD_KEYS))
def test_any_set_makes_a_world_or_one_clear_error(sets):
    world_holds(None, sets)


@settings(FUZZ, max_examples=200)
@given(sets=overrides(CHEAP_KEYS), joined=st.booleans())
def test_any_set_runs_or_is_refused_in_one_line(sets, joined, folder, capsys):
    # `--set=K=V` and `--set K=V` (where a V or K that starts with '-' reads as an option)
    given_sets = [f"--set={s}" for s in sets] if joined else [a for s in sets for a in ("--set", s)]
    command_holds(["run", *RUN, *SMALL, *given_sets], folder, capsys)


def _option_text(small: int) -> st.SearchStrategy[str]:
    """An option's value: integers that are harmless to run (<= ``small``) or out of any range,
    and text that is no integer at all (or another option)."""
    ints = st.one_of(st.integers(max_value=small), st.integers(min_value=2**40 + 1))
    return st.one_of(ints.map(str), ANY_TEXT, TOML_FRAGMENTS,
                     st.sampled_from(["--quiet", "-1", "1.5", "1e3", " 1", "0x2", "١"]))


OPTIONS = st.lists(st.one_of(
    st.tuples(st.just("--epochs"), _option_text(2)),
    st.tuples(st.just("--threads"), _option_text(64)),
    st.tuples(st.just("--top"), _option_text(10**6)),
    st.tuples(st.just("--dat-every"), _option_text(10**6)),
    st.tuples(st.just("--until"), st.one_of(ANY_TEXT, TOML_FRAGMENTS))), min_size=1, max_size=4)


@FUZZ
@given(options=OPTIONS)
def test_any_option_value_runs_or_is_refused_in_one_line(options, folder, capsys):
    argv = ["run", "--no-history", "--quiet", "--epochs", "1", *SMALL]
    command_holds([*argv, *[a for pair in options for a in pair]], folder, capsys)


TOML_DOCS = st.lists(st.tuples(st.one_of(st.sampled_from(WORLD_KEYS), ANY_TEXT), VALUES),
                     max_size=5).map(lambda kvs: "\n".join(f"{k} = {v}" for k, v in kvs))


@FUZZ
@given(text=TOML_DOCS, raw=st.binary(max_size=256), as_bytes=st.booleans())
def test_any_world_file_makes_a_world_or_one_clear_error(text, raw, as_bytes, folder):
    path = folder / "w.toml"
    path.write_bytes(raw if as_bytes else text.encode("utf-8", "surrogatepass"))
    world_holds(str(path), [])


CHEAP_DOCS = st.lists(st.tuples(st.one_of(st.sampled_from(CHEAP_KEYS), ANY_TEXT), VALUES),
                      max_size=5).map(lambda kvs: "\n".join(f"{k} = {v}" for k, v in kvs))


@FUZZ
@given(text=CHEAP_DOCS, raw=st.binary(max_size=256), as_bytes=st.booleans())
def test_any_world_file_runs_or_is_refused_in_one_line(text, raw, as_bytes, folder, capsys):
    (folder / "w.toml").write_bytes(raw if as_bytes else text.encode("utf-8", "surrogatepass"))
    command_holds(["run", "w.toml", *RUN, *SMALL], folder, capsys)


U64 = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2, 3, 64, 256, 2**40,
                                                             2**40 + 1, 2**63, 2**64 - 1]))


@FUZZ
@given(header=st.tuples(U64, U64, U64), body=st.one_of(st.integers(0, 64 * 70),
                                                       st.sampled_from([-1, 0, 1])),
       gz=st.booleans(), to_import=st.booleans())
def test_any_dat_header_is_read_or_refused_in_one_line(header, body, gz, to_import, folder,
                                                       capsys):
    reset, n, epochs = header
    size = n * 64 + body if body in (-1, 0, 1) and n <= 64 else body  # near-valid, or any
    data = struct.pack("<QQQ", reset, n, epochs) + bytes(range(256)) * (max(size, 0) // 256) \
        + bytes(max(size, 0) % 256)
    name = "soup.dat.gz" if gz else "soup.dat"
    if gz:
        import gzip

        data = gzip.compress(data)
    (folder / name).write_bytes(data)
    if to_import:
        command_holds(["import", name, "-o", "out.h5"], folder, capsys, outputs=("out.h5",))
    else:
        command_holds(["inspect", name, "--top", "1"], folder, capsys)


PAIR_LINES = st.lists(st.one_of(
    st.tuples(INTEGERS, INTEGERS).map(lambda ab: f"{ab[0]} {ab[1]}"),
    st.tuples(st.integers(0, 255), st.integers(0, 255)).map(lambda ab: f"{ab[0]} {ab[1]}"),
    ANY_TEXT, st.sampled_from(["", "#", "1", "1 2 3", "a b", "1\t2", " 0 1 "])), max_size=12)


@FUZZ
@given(lines=PAIR_LINES, raw=st.binary(max_size=128), as_bytes=st.booleans())
def test_any_pattern_file_runs_or_is_refused_in_one_line(lines, raw, as_bytes, folder, capsys):
    text = "\n".join(lines).encode("utf-8", "surrogatepass")
    (folder / "pairs.txt").write_bytes(raw if as_bytes else text)
    command_holds(["run", *RUN, *SMALL, "--set", f"pattern={folder / 'pairs.txt'}"], folder,
                  capsys)
