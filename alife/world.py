"""Worlds: a soup's full definition as frozen typed parts, loaded from TOML.

A :class:`World` has three parts: what the soup is (:class:`ProgramSoupSpec` for byte-program
soups, Agüera y Arcas et al. 2024; :class:`ParticleSoupSpec` for ``kind = "neural"`` particle
soups, Gabor, Illium et al. 2019), how the run goes (:class:`RunSpec`) and what is recorded
(:class:`RecordSpec`), plus a ``name``. Each key's type and its accepted values come from the
parts' annotations; a key of the other soup kind is an error naming that kind.

Accepted TOML: the flat form users and histories already write, one ``key = value`` per line with
no tables (``kind = "neural"`` selects the particle soup; program worlds leave ``kind`` out)::

    language = "bff_noheads"
    num_programs = 131072
    epochs = 20000
    snapshot_every = 1024

``--set key=value`` overrides are parsed as TOML values (plain strings otherwise) and checked.
Every error names the key, the bad value and what is accepted. Read keys flat
(``world.language``, ``world.epochs``) or by part (``world.soup.language``,
``world.run.epochs``); reading a soup key of the other kind is an error naming the kind.
"""

from __future__ import annotations

import os
import stat
import tomllib
import types
import typing
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Union

from alife.errors import AlifeError
from alife.languages import REGISTRY
from alife.languages.text import parse as parse_program
from alife.shapes import (
    MAX_PROGRAM_SIZE,
    MIN_PROGRAM_SIZE,
    PROGRAM_SIZE,
    check_token_capacity,
)

#: Field metadata of record keys that only program soups use: other kinds may not set them (they
#: read as their defaults there, unused by soups without exact species).
PROGRAM_ONLY = {"kind": "program"}
_GRID = {"accepted": "[W, H], two positive integers"}
#: The world key ``pairing`` of a well-mixed program soup (soup.md, "Pairing modes"): the
#: reference's default Fisher-Yates shuffle, ``--nopermute_programs`` and ``--fixed_shuffle``.
PAIRINGS = ("random", "ring", "fixed_shuffle")
#: The world key ``rules``: soup.md's epochs (the reference, cubff) or z80.md's batches (zff).
RULES = ("cubff", "zff")
#: zff's fixed soup (z80.md, "State"): a 200 x 200 grid of 16-byte cells, 128 steps per pair.
ZFF_GRID = (200, 200)
ZFF_PROGRAM_SIZE = 16
ZFF_STEPS = 128
ZFF_LANGUAGES = ("z80", "i8080")
ZFF_NOISE = 1 / 16
ZFF_RANDOMNESS = ("zff", "hash")


@dataclass(frozen=True)
class ProgramSoupSpec:
    """What a program soup is: language, size, seed, mutation and soup.md's optional rules."""

    kind: ClassVar[str] = "program"
    default_until: ClassVar[str] = "higher_entropy>3"  #: the transition of soup.md

    language: str = "bff_noheads"
    num_programs: int = 131072
    seed: int = 0
    mutation_prob: float = 2.0**-12
    step_limit: int = 8192
    program_size: int = PROGRAM_SIZE  # bytes per program; the tape holds two (cubff: 64)
    zero_init: bool = False
    reset_interval: int = 0  # 0: never reset
    grid: tuple[int, int] | None = field(default=None, metadata=_GRID)  # [W, H]: 2-D, radius 2
    pattern: str | None = None  # path of an 'a b' partner-list file
    pairing: str = "random"  # well-mixed pairing: random, ring or fixed_shuffle (soup.md)
    program: str | None = None  # program text written at the start of the soup
    program_copies: int = 1  # the program is written this many times back to back
    tracer_tokens: bool = False  # carry a 64-bit provenance token per byte (never alters bytes)
    lineage: bool = False  # record each program's lineage parent every epoch (tracer tokens)
    rules: str | None = None  # "cubff" (soup.md; the default) or "zff" (z80.md: the Z80 demo)
    noise: float | None = None  # rules = "zff": noise writes per pair after a batch (1/16)
    randomness: str | None = None  # rules = "zff": "zff" (the demo's stream; default) or "hash"

    @property
    def label(self) -> str:
        """A short name of the soup (its language)."""
        return self.language

    @property
    def zff(self) -> bool:
        """Whether the soup runs zff's batches (z80.md) instead of soup.md's epochs."""
        return self.rules == "zff"

    @property
    def zff_noise(self) -> float:
        """zff's noise rate (default 1/16, the demo's slider at 4)."""
        return ZFF_NOISE if self.noise is None else self.noise

    @property
    def zff_randomness(self) -> str:
        """zff's randomness mode (default "zff", the demo's stream bit for bit)."""
        return self.randomness or "zff"

    @property
    def mutation_threshold(self) -> int:
        """The integer ``m = round(p * 2^30)`` that mutation draws are compared with."""
        return round(self.mutation_prob * 2**30)

    def program_bytes(self) -> bytes | None:
        """The seeded program as bytes (None when the world seeds none)."""
        if self.program is None:
            return None
        return parse_program(self.language, self.program) * self.program_copies


@dataclass(frozen=True)
class ParticleSoupSpec:
    """What a particle soup is: N weightwise particles and their per-generation rules."""

    kind: ClassVar[str] = "neural"
    default_until: ClassVar[str] = ""  #: the program soups' transition means nothing here
    tracer_tokens: ClassVar[bool] = False  #: particles carry no provenance tokens
    lineage: ClassVar[bool] = False  #: nor lineage bits

    num_programs: int = 131072  # particles
    seed: int = 0
    grid: tuple[int, int] | None = field(default=None, metadata=_GRID)  # [W, H]: 2-D pairing
    pattern: str | None = None  # path of an 'a b' partner-list file
    attack_rate: float = 0.1  # probability that a particle rewrites its partner's weights
    learn_rate: float = 0.0  # probability that a particle learns from its partner
    learn_steps: int = 1  # SGD steps of one learn-from event
    train_steps: int = 20  # self-training SGD steps per particle per generation
    learning_rate: float = 0.04  # SGD learning rate of self-training and learn-from
    momentum: float = 0.9  # SGD momentum (a fresh buffer every generation)
    noise: float = 0.0  # std of Gaussian noise added to every weight each generation
    replace_dead: bool = True  # replace divergent and zero particles by new random ones
    epsilon: float = 1e-5  # absolute tolerance of the fixpoint classifier

    @property
    def label(self) -> str:
        """A short name of the soup."""
        return "neural"


SoupSpec = ProgramSoupSpec | ParticleSoupSpec
#: Soup specs by ``kind``.
SOUP_SPECS: dict[str, type[ProgramSoupSpec] | type[ParticleSoupSpec]] = {
    "program": ProgramSoupSpec, "neural": ParticleSoupSpec}
KINDS = tuple(SOUP_SPECS)


@dataclass(frozen=True)
class RunSpec:
    """How a run goes: how far, when it stops early, how often it reports."""

    epochs: int = 20000  # stop after this many epochs in total
    until: str = ProgramSoupSpec.default_until  # stop condition checked at each report ("": none)
    report_every: int = 64  # report metrics after epoch e when e % report_every == 0


@dataclass(frozen=True)
class RecordSpec:
    """What a run records into its history besides the metrics."""

    score_sample: int = field(default=256, metadata=PROGRAM_ONLY)  # programs scored per report
    snapshot_every: int = 1024  # soup snapshot after epoch e when e % it == 0 (0: none)
    species_top: int = field(default=16, metadata=PROGRAM_ONLY)  # top programs per report
    hamming_radius: int = field(default=0, metadata=PROGRAM_ONLY)  # Hamming clusters (0: off)
    modes_persistence: int = field(default=256, metadata=PROGRAM_ONLY)  # MODES filter (0: off)
    registry_share: float = field(default=0.001, metadata=PROGRAM_ONLY)  # register at this share


def _applies(f: Field, kind: str) -> bool:
    return f.metadata.get("kind", kind) == kind


def _fields_of(cls: type) -> dict[str, tuple[Field, Any]]:
    """name -> (field, annotated type), from the dataclass annotations."""
    hints = typing.get_type_hints(cls)
    return {f.name: (f, hints[f.name]) for f in fields(cls)}


_SPEC_FIELDS = {kind: _fields_of(cls) for kind, cls in SOUP_SPECS.items()}
_PART_FIELDS = {"run": _fields_of(RunSpec), "record": _fields_of(RecordSpec)}
#: Every flat key -> the part that holds it ("soup", "run" or "record").
_OWNER: dict[str, str] = {
    **{k: "soup" for spec in _SPEC_FIELDS.values() for k in spec},
    **{k: part for part, fs in _PART_FIELDS.items() for k in fs}}
_KNOWN = sorted({*_OWNER, "kind", "name"})


@dataclass(frozen=True)
class World:
    """Everything that determines a soup's bytes, and how a run of it observes and stops."""

    soup: SoupSpec = field(default_factory=ProgramSoupSpec)
    run: RunSpec = field(default_factory=RunSpec)
    record: RecordSpec = field(default_factory=RecordSpec)
    name: str = field(default="", compare=False)  # a label; not part of the soup's definition

    def __post_init__(self) -> None:
        _check_soup(self.soup, self.run)
        _check_run(self.run, self.kind)
        _check_record(self.record)
        size = getattr(self.soup, "program_size", None)
        if size is not None and self.record.hamming_radius >= size:
            _fail("hamming_radius", self.record.hamming_radius,
                  f"an integer in [0, {size - 1}] for {size}-byte programs (0: no Hamming "
                  "clusters)")

    @property
    def kind(self) -> str:
        """``"program"`` (byte programs) or ``"neural"`` (weightwise particles)."""
        return self.soup.kind

    @property
    def label(self) -> str:
        """The world's name, else its soup's label (language, or "neural")."""
        return self.name or self.soup.label

    @property
    def mutation_threshold(self) -> int:
        """The integer ``m = round(p * 2^30)`` that mutation draws are compared with."""
        return self._program_spec("mutation_threshold").mutation_threshold

    def program_bytes(self) -> bytes | None:
        """The seeded program as bytes (None when the world seeds none)."""
        return self._program_spec("program").program_bytes()

    def _program_spec(self, key: str) -> ProgramSoupSpec:
        if not isinstance(self.soup, ProgramSoupSpec):
            raise AttributeError(_other_kind(key, "program", self.kind))
        return self.soup

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every key (None values left out), in the flat form, ready for TOML."""
        out: dict[str, Any] = {} if self.kind == "program" else {"kind": self.kind}
        for part in (self.soup, self.run, self.record):
            for f in fields(part):
                v = getattr(part, f.name)
                if v is not None and _applies(f, self.kind):
                    out[f.name] = list(v) if isinstance(v, tuple) else v
        out["name"] = self.name
        return out

    def to_toml(self) -> str:
        """The world as flat TOML text (what histories store)."""
        return "".join(f"{k} = {_toml_value(v)}\n" for k, v in self.to_dict().items())

    def replace(self, **changes: Any) -> World:
        """A copy with ``changes`` (flat keys) applied and validated."""
        return make_world({**self.to_dict(), **changes})


def _other_kind(key: str, kind: str, world_kind: str) -> str:
    return f"world key {key!r} applies to {kind} soups only; this world has kind = {world_kind!r}"


def _flat(key: str) -> property:
    """A read-only property ``World.<key>`` delegating to the part that holds ``key``."""
    part = _OWNER[key]

    def get(self: World) -> Any:
        if part == "soup":
            if not hasattr(self.soup, key):
                other = next(k for k, fs in _SPEC_FIELDS.items() if key in fs)
                raise AttributeError(_other_kind(key, other, self.kind))
            return getattr(self.soup, key)
        return getattr(getattr(self, part), key)

    return property(get, doc=f"``world.{part}.{key}`` (read-only).")


for _key in _OWNER:
    setattr(World, _key, _flat(_key))


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return _toml_string(str(v))


#: TOML basic-string escapes; every other control character is written as \uXXXX.
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                 "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string that reads back equal, control characters included."""
    out = []
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_ACCEPTED = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _accepted(tp: Any) -> str:
    """What a value of annotated type ``tp`` may be, in words."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (Union, types.UnionType):
        return _accepted(args[0])
    if typing.get_origin(tp) is tuple:
        return f"a list of {len(args)} values, each {_accepted(args[0])}"
    return _ACCEPTED[tp]


def _coerce(key: str, tp: Any, value: Any, accepted: str | None = None) -> Any:
    """``value`` as the annotated type ``tp`` of key ``key``, or one AlifeError line."""
    bad = AlifeError(f"world key {key!r}: {value!r} is not {accepted or _accepted(tp)}")
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        tp = next(a for a in args if a is not type(None))
        args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple:
        if not isinstance(value, (list, tuple)) or len(value) != len(args):
            raise bad
        try:
            return tuple(_coerce(key, a, x) for a, x in zip(args, value, strict=True))
        except AlifeError:
            raise bad from None
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, tp) and not (tp is int and isinstance(value, bool))
    if not ok:
        raise bad
    if tp is int and not -(2**63) <= value < 2**64:
        raise AlifeError(f"world key {key!r}: {value} does not fit a 64-bit integer; accepted: "
                         f"{accepted or _accepted(tp)} in [-2^63, 2^64)")
    if tp is str and any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise AlifeError(f"world key {key!r}: {value!r} is not valid Unicode text (bytes that "
                         "are not UTF-8?); accepted: UTF-8 text")
    return float(value) if tp is float else value


def _fail(key: str, value: Any, accepted: str) -> None:
    shown = list(value) if isinstance(value, tuple) else value
    raise AlifeError(f"world key {key!r}: {shown!r} is out of range; accepted: {accepted}")


#: The largest soup (programs or particles): 2^30, 64 GiB of 64-byte programs.
MAX_PROGRAMS = 2**30
#: The largest step limit of one interaction (2048 times the paper's 8192).
MAX_STEP_LIMIT = 2**24
#: The largest epoch count, report and snapshot cadence, and reset interval.
MAX_EPOCHS = 2**40


def _check_layout(s: SoupSpec) -> None:
    """Size, seed and the spatial rules that both soup kinds share."""
    if s.num_programs <= 0 or s.num_programs % 2 or s.num_programs > MAX_PROGRAMS:
        _fail("num_programs", s.num_programs, "an even integer in [2, 2^30] (soups meet in "
              "pairs)")
    if not 0 <= s.seed < 2**64:
        _fail("seed", s.seed, "an integer in [0, 2^64)")
    if s.grid is not None:
        if min(s.grid) < 1:
            _fail("grid", s.grid, _GRID["accepted"])
        if s.pattern is not None:
            raise AlifeError("world keys 'grid' and 'pattern' exclude each other; give one")
        if s.grid[0] * s.grid[1] != s.num_programs:
            raise AlifeError(f"world key 'grid': {list(s.grid)} has {s.grid[0] * s.grid[1]} "
                             f"cells but num_programs is {s.num_programs}; accepted: [W, H] "
                             "with W * H == num_programs")


def _check_soup(s: SoupSpec, run: RunSpec) -> None:
    """The soup spec's values (and the tracer's capacity over the run's epochs)."""
    _check_layout(s)
    if isinstance(s, ParticleSoupSpec):
        _check_particles(s)
        return
    if s.language not in REGISTRY:
        raise AlifeError(f"world key 'language': unknown language {s.language!r}; "
                         f"accepted: {', '.join(REGISTRY)}")
    _check_pairing(s)
    _check_rules(s)
    if not 0.0 <= s.mutation_prob <= 1.0:
        _fail("mutation_prob", s.mutation_prob, "a probability in [0, 1]")
    if not 1 <= s.step_limit <= MAX_STEP_LIMIT:
        _fail("step_limit", s.step_limit, "an integer in [1, 2^24] (steps per interaction)")
    if not MIN_PROGRAM_SIZE <= s.program_size <= MAX_PROGRAM_SIZE:
        _fail("program_size", s.program_size, f"an integer in [{MIN_PROGRAM_SIZE}, "
              f"{MAX_PROGRAM_SIZE}] (bytes per program; cubff's is 64)")
    REGISTRY[s.language].check_program_size(s.program_size)
    if not 0 <= s.reset_interval <= MAX_EPOCHS:
        _fail("reset_interval", s.reset_interval, "an integer in [0, 2^40] (0 disables resets)")
    size = s.program_size * s.num_programs
    if not 1 <= s.program_copies <= size:
        _fail("program_copies", s.program_copies, f"an integer in [1, {size}] (the copies must "
              "fit the soup)")
    if s.program is not None:
        one = len(parse_program(s.language, s.program))
        if one * s.program_copies > size:
            _fail("program", s.program, f"at most {size} bytes in all (the whole soup); "
                  f"{s.program_copies} copies of {one} bytes")
    if s.lineage and not s.tracer_tokens:
        raise AlifeError("world key 'lineage': true needs tracer_tokens = true (a parent is "
                         "the program that gave most bytes, by tracer token)")
    if s.tracer_tokens and not REGISTRY[s.language].family.traces:
        raise AlifeError(f"world key 'tracer_tokens': {s.language} does not carry tracer tokens "
                         "(its interpreter does not follow bytes through registers); accepted "
                         "there: false")
    if s.tracer_tokens:
        check_token_capacity(s.num_programs, run.epochs, s.program_size)


def _check_rules(s: ProgramSoupSpec) -> None:
    """``rules``, and zff's fixed soup (z80.md) with its ``noise`` and ``randomness``."""
    if s.rules is not None and s.rules not in RULES:
        _fail("rules", s.rules, f"one of {', '.join(RULES)}")
    if not s.zff:
        for key in ("noise", "randomness"):
            if getattr(s, key) is not None:
                raise AlifeError(f"world key {key!r} applies to rules = 'zff' soups only (the "
                                 "Z80 demo's batches); this world has soup.md's rules")
        return
    if s.language not in ZFF_LANGUAGES:
        raise AlifeError(f"world key 'rules': 'zff' runs machine code, not {s.language!r}; "
                         f"accepted languages: {', '.join(ZFF_LANGUAGES)}")
    if s.grid is None or tuple(s.grid) != ZFF_GRID:
        shown = "none" if s.grid is None else list(s.grid)
        raise AlifeError(f"world key 'grid': {shown} is not the zff world's; accepted: "
                         f"{list(ZFF_GRID)} (num_programs = 40000), zff's fixed grid")
    fixed = {"program_size": ZFF_PROGRAM_SIZE, "step_limit": ZFF_STEPS, "mutation_prob": 0.0,
             "reset_interval": 0, "zero_init": False}
    for key, value in fixed.items():
        if getattr(s, key) != value:
            why = " (zff soups mutate by 'noise' after each batch)" \
                if key == "mutation_prob" else ""
            raise AlifeError(f"world key {key!r}: {getattr(s, key)!r} is not the zff world's; "
                             f"accepted: {value!r}{why}")
    if s.pairing != "random" or s.pattern is not None:
        raise AlifeError("world keys 'pairing' and 'pattern': zff pairs von Neumann neighbours "
                         "of its grid; accepted: pairing = 'random' and no pattern")
    if s.noise is not None and not (isinstance(s.noise, (int, float)) and 0.0 <= s.noise <= 1.0):
        _fail("noise", s.noise, "a rate in [0, 1] (noise writes per pair after each batch; the "
              "demo's slider gives 2^-k, default 1/16)")
    if s.randomness is not None and s.randomness not in ZFF_RANDOMNESS:
        _fail("randomness", s.randomness, f"one of {', '.join(ZFF_RANDOMNESS)}")
    if s.zff_randomness == "zff" and s.seed >= 2**31:
        _fail("seed", s.seed, "an integer in [0, 2^31) with randomness = 'zff' (the demo's "
              "32-bit seeds)")


def _check_pairing(s: ProgramSoupSpec) -> None:
    """The reference's pairing modes (soup.md, "Pairing modes"): well-mixed soups only, and
    ``fixed_shuffle`` on a power-of-two soup."""
    if s.pairing not in PAIRINGS:
        _fail("pairing", s.pairing, f"one of {', '.join(PAIRINGS)}")
    if s.pairing != "random" and (s.grid is not None or s.pattern is not None):
        raise AlifeError(f"world key 'pairing': {s.pairing!r} pairs a well-mixed soup; a grid "
                         "or pattern soup pairs by its neighbours (accepted there: 'random')")
    n = s.num_programs
    if s.pairing == "fixed_shuffle" and n & (n - 1):
        raise AlifeError(f"world key 'pairing': 'fixed_shuffle' needs num_programs a power of "
                         f"two (the reference's rule), not {n}")


def _check_particles(s: ParticleSoupSpec) -> None:
    """Rates in [0, 1], non-negative steps, finite non-negative SGD settings."""
    for key in ("attack_rate", "learn_rate"):
        if not 0.0 <= getattr(s, key) <= 1.0:
            _fail(key, getattr(s, key), "a probability in [0, 1]")
    for key in ("learn_steps", "train_steps"):
        if not 0 <= getattr(s, key) <= 2**20:
            _fail(key, getattr(s, key), "an integer in [0, 2^20]")
    for key in ("learning_rate", "momentum", "noise", "epsilon"):
        value = getattr(s, key)
        if not (value >= 0.0 and value < float("inf")):
            _fail(key, value, "a finite number >= 0")
    if s.epsilon == 0.0:
        _fail("epsilon", s.epsilon, "a number > 0")


def _check_run(r: RunSpec, kind: str) -> None:
    """Epochs, report cadence and a stop condition on a metric the soup's kind records."""
    if not 0 <= r.epochs <= MAX_EPOCHS:
        _fail("epochs", r.epochs, "an integer in [0, 2^40]")
    if not 1 <= r.report_every <= MAX_EPOCHS:
        _fail("report_every", r.report_every, "an integer in [1, 2^40]")
    if r.until:
        from alife.run.stop import parse_condition

        parse_condition(r.until, kind)


def _check_record(r: RecordSpec) -> None:
    """Sample sizes, cadences and shares of what a run records."""
    if not 0 <= r.score_sample <= MAX_PROGRAMS:
        _fail("score_sample", r.score_sample, "an integer in [0, 2^30]")
    if not 0 <= r.snapshot_every <= MAX_EPOCHS:
        _fail("snapshot_every", r.snapshot_every, "an integer in [0, 2^40] (0: first and last "
              "soup only)")
    if not 0 <= r.species_top <= 1024:
        _fail("species_top", r.species_top, "an integer in [0, 1024]")
    if not 0 <= r.hamming_radius <= 63:
        _fail("hamming_radius", r.hamming_radius, "an integer in [0, 63] (0: no Hamming clusters)")
    if r.modes_persistence < 0:
        _fail("modes_persistence", r.modes_persistence, "an integer >= 0 (0: no MODES metrics)")
    if not 0.0 < r.registry_share <= 1.0:
        _fail("registry_share", r.registry_share, "a share in (0, 1]")


def _kind_of(values: dict[str, Any]) -> str:
    kind = values.get("kind", "program")
    if kind not in KINDS:
        raise AlifeError(f"world key 'kind': {kind!r} is unknown; accepted: {', '.join(KINDS)}")
    return kind


def make_world(values: dict[str, Any]) -> World:
    """A validated :class:`World` from a dict of flat keys (unknown keys are an error)."""
    kind = _kind_of(values)
    parts: dict[str, dict[str, Any]] = {"soup": {}, "run": {}, "record": {}}
    name = ""
    for key, value in values.items():
        if key == "kind":
            continue
        if key == "name":
            name = _check_name(_coerce(key, str, value))
            continue
        if key not in _OWNER:
            raise AlifeError(f"unknown world key {key!r}; accepted: {', '.join(_KNOWN)}")
        part = _OWNER[key]
        fs = _SPEC_FIELDS[kind] if part == "soup" else _PART_FIELDS[part]
        if key not in fs or not _applies(fs[key][0], kind):
            raise AlifeError(_refusal(key, kind))
        f, tp = fs[key]
        parts[part][key] = _coerce(key, tp, value, f.metadata.get("accepted"))
    parts["run"].setdefault("until", SOUP_SPECS[kind].default_until)
    run = RunSpec(**parts["run"])
    return World(soup=SOUP_SPECS[kind](**parts["soup"]), run=run,
                 record=RecordSpec(**parts["record"]), name=name)


#: The most characters a world name may have (it becomes part of file names).
MAX_NAME = 100


def _check_name(name: str) -> str:
    """A world name is used in file names (``runs/<name>__seed<S>.h5``): a plain name only."""
    plain = (len(name) <= MAX_NAME and name not in (".", "..") and not name.startswith(".")
             and all(ch.isprintable() and ch not in '/\\:*?"<>|' for ch in name))
    if not plain:
        raise AlifeError(f"world key 'name': {name!r} cannot be part of a file name; accepted: "
                         f"at most {MAX_NAME} printable characters, no path separators or "
                         "any of :*?\"<>|, not starting with '.'")
    return name


def _refusal(key: str, kind: str) -> str:
    """The error for a key that belongs to the other soup kind than ``kind``."""
    if kind == "program":
        return (f"world key {key!r} applies to neural soups only; set kind = 'neural' or leave "
                "it out")
    return (f"world key {key!r} applies to program soups only; a world with kind = {kind!r} "
            "must leave it out")


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` -> (key, value): the value read as TOML if it parses, else a plain string."""
    if "=" not in text:
        raise AlifeError(f"--set {text!r}: expected key=value (e.g. --set language=bff)")
    key, raw = text.split("=", 1)
    key = key.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def load_world(path: str | os.PathLike | None = None,
               overrides: list[str] | dict[str, Any] | None = None) -> World:
    """Load a world from flat TOML (or the defaults when ``path`` is None), apply overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        values = _read_world_file(p)
        values.setdefault("name", p.stem)
        if isinstance(values.get("pattern"), str) and not Path(values["pattern"]).is_absolute():
            values["pattern"] = str((p.parent / values["pattern"]).resolve())
    if isinstance(overrides, dict):
        values.update(overrides)
    else:
        for item in overrides or []:
            k, v = parse_override(item)
            values[k] = v
    return make_world(values)


#: The largest world file read (a world is a few dozen lines).
MAX_WORLD_FILE = 1 << 20


def _read_world_file(p: Path) -> dict[str, Any]:
    """The flat TOML of a world file, or one AlifeError line naming what is wrong with it."""
    where = f"world file {str(p)!r}"
    try:
        info = p.stat()
    except FileNotFoundError:
        raise AlifeError(f"{where} does not exist") from None
    except OSError as exc:
        raise AlifeError(f"{where} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise AlifeError(f"{where} is {what}; accepted: a TOML file of world keys")
    if info.st_size > MAX_WORLD_FILE:
        raise AlifeError(f"{where} is {info.st_size} bytes; accepted: a TOML file of world keys "
                         "(at most 1 MiB)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise AlifeError(f"{where} cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AlifeError(f"{where} is not UTF-8 text (byte {exc.start}); accepted: a TOML file "
                         "of world keys in UTF-8") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AlifeError(f"{where} is not valid TOML: {exc}") from None
    nested = sorted(k for k, v in values.items() if isinstance(v, dict))
    if nested:
        raise AlifeError(f"{where}: table(s) {', '.join(map(repr, nested))} are not world keys; "
                         "accepted: flat key = value lines")
    return values


def default_world() -> World:
    """The paper's default soup: bff_noheads, 2^17 programs, seed 0, mutation 2^-12."""
    return World(name="default")


__all__ = ["World", "ProgramSoupSpec", "ParticleSoupSpec", "RunSpec", "RecordSpec", "SoupSpec",
           "SOUP_SPECS", "KINDS", "make_world", "load_world", "parse_override", "default_world"]
