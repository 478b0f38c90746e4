"""Worlds: a soup's full definition as a frozen, validated dataclass, loaded from TOML.

A world names the language, size, seed, mutation rate and the optional rules of soup.md (2-D grid
or partner-list pattern, zero init, resets, a seeded program), plus how a run observes and stops.
``--set key=value`` overrides are parsed as TOML values (plain strings otherwise) and checked.
Every error names the key, the bad value and what is accepted.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from alife.errors import AlifeError
from alife.languages import REGISTRY
from alife.languages.text import parse as parse_program
from alife.shapes import MAX_PROGRAM_SIZE, MIN_PROGRAM_SIZE


@dataclass(frozen=True)
class World:
    """Everything that determines a soup's bytes, and how a run of it observes and stops."""

    language: str = "bff_noheads"
    num_programs: int = 131072
    seed: int = 0
    mutation_prob: float = 2.0**-12
    step_limit: int = 8192
    program_size: int = 64  # bytes per program; the tape holds two (cubff: 64)
    zero_init: bool = False
    reset_interval: int = 0  # 0: never reset
    grid: tuple[int, int] | None = None  # [W, H]: 2-D soup, Chebyshev radius 2, no wrap
    pattern: str | None = None  # path of an 'a b' partner-list file
    program: str | None = None  # program text written at the start of the soup
    program_copies: int = 1  # the program is written this many times back to back
    epochs: int = 20000  # stop after this many epochs in total
    until: str = "higher_entropy>3"  # stop condition checked at each report ("" for none)
    report_every: int = 64  # report metrics after epoch e when e % report_every == 0
    score_sample: int = 256  # programs scored for replication at each report (0: none)
    snapshot_every: int = 1024  # history: soup snapshot after epoch e when e % it == 0 (0: none)
    species_top: int = 16  # history: most common programs stored at each report (0: none)
    hamming_radius: int = 0  # history: also count species as Hamming-radius clusters (0: off)
    modes_persistence: int = 256  # history: MODES persistence filter in epochs (0: no MODES)
    registry_share: float = 0.001  # history: register top species at or above this share
    tracer_tokens: bool = False  # carry a 64-bit provenance token per byte (never alters bytes)
    lineage: bool = False  # record each program's lineage parent every epoch (tracer tokens)
    kind: str = "program"  # "program": byte programs; "neural": weightwise particles
    # Neural soups (kind = "neural"; Gabor, Illium et al. 2019): per generation and pair
    attack_rate: float = 0.1  # probability that a particle rewrites its partner's weights
    learn_rate: float = 0.0  # probability that a particle learns from its partner
    learn_steps: int = 1  # SGD steps of one learn-from event
    train_steps: int = 20  # self-training SGD steps per particle per generation
    learning_rate: float = 0.04  # SGD learning rate of self-training and learn-from
    momentum: float = 0.9  # SGD momentum (a fresh buffer every generation)
    noise: float = 0.0  # std of Gaussian noise added to every weight each generation
    replace_dead: bool = True  # replace divergent and zero particles by new random ones
    epsilon: float = 1e-5  # absolute tolerance of the fixpoint classifier
    name: str = field(default="", compare=False)  # a label; not part of the soup's definition

    @property
    def mutation_threshold(self) -> int:
        """The integer ``m = round(p * 2^30)`` that mutation draws are compared with."""
        return round(self.mutation_prob * 2**30)

    def program_bytes(self) -> bytes | None:
        """The seeded program as bytes (None when the world seeds none)."""
        if self.program is None:
            return None
        return parse_program(self.language, self.program) * self.program_copies

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every key (None values left out), ready for TOML."""
        out = {}
        skip = _NEURAL_ONLY if self.kind == "program" else _PROGRAM_ONLY
        for f in fields(self):
            v = getattr(self, f.name)
            if v is not None and f.name not in skip:
                out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    def to_toml(self) -> str:
        """The world as TOML text (what histories store)."""
        lines = []
        for k, v in self.to_dict().items():
            lines.append(f"{k} = {_toml_value(v)}")
        return "\n".join(lines) + "\n"

    def replace(self, **changes: Any) -> World:
        """A copy with ``changes`` applied and validated."""
        return make_world({**self.to_dict(), **changes})


_FIELD_TYPES: dict[str, str] = {
    "language": "str", "num_programs": "int", "seed": "int", "mutation_prob": "float",
    "step_limit": "int", "program_size": "int", "zero_init": "bool", "reset_interval": "int",
    "grid": "grid",
    "pattern": "str?", "program": "str?", "program_copies": "int", "epochs": "int",
    "until": "str", "report_every": "int",
    "score_sample": "int", "snapshot_every": "int", "species_top": "int",
    "hamming_radius": "int", "modes_persistence": "int", "registry_share": "float",
    "tracer_tokens": "bool", "lineage": "bool", "name": "str", "kind": "str",
    "attack_rate": "float", "learn_rate": "float", "learn_steps": "int", "train_steps": "int",
    "learning_rate": "float", "momentum": "float", "noise": "float", "replace_dead": "bool",
    "epsilon": "float",
}
KINDS = ("program", "neural")
#: Keys that only program soups use: a neural world must leave them at their defaults.
_PROGRAM_ONLY = ("language", "mutation_prob", "step_limit", "program_size", "program",
                 "program_copies", "reset_interval", "tracer_tokens", "lineage", "zero_init",
                 "score_sample",
                 "species_top", "hamming_radius", "modes_persistence", "registry_share")
#: Keys that only neural soups use (program worlds leave them out of their TOML).
_NEURAL_ONLY = ("kind", "attack_rate", "learn_rate", "learn_steps", "train_steps",
                "learning_rate", "momentum", "noise", "replace_dead", "epsilon")
_ACCEPTED = {
    "str": "a string", "str?": "a string", "int": "an integer", "float": "a number",
    "bool": "true or false", "grid": "[W, H], two positive integers",
}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def _coerce(key: str, value: Any) -> Any:
    kind = _FIELD_TYPES[key]
    bad = AlifeError(f"world key {key!r}: {value!r} is not {_ACCEPTED[kind]}")
    if kind in ("str", "str?"):
        if not isinstance(value, str):
            raise bad
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        return float(value)
    # grid
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in value)):
        raise bad
    return (int(value[0]), int(value[1]))


def _check(w: World) -> None:
    def fail(key: str, accepted: str) -> None:
        raise AlifeError(f"world key {key!r}: {getattr(w, key)!r} is out of range; "
                         f"accepted: {accepted}")

    if w.kind not in KINDS:
        raise AlifeError(f"world key 'kind': {w.kind!r} is unknown; accepted: {', '.join(KINDS)}")
    if w.kind == "neural":
        _check_neural(w)
    else:
        default = World()
        for key in _NEURAL_ONLY[1:]:
            if getattr(w, key) != getattr(default, key):
                raise AlifeError(f"world key {key!r} applies to neural soups only; set "
                                 "kind = 'neural' or leave it out")
    if w.language not in REGISTRY:
        raise AlifeError(f"world key 'language': unknown language {w.language!r}; "
                         f"accepted: {', '.join(REGISTRY)}")
    if w.num_programs <= 0 or w.num_programs % 2:
        fail("num_programs", "an even integer > 0 (programs meet in pairs)")
    if not 0 <= w.seed < 2**64:
        fail("seed", "an integer in [0, 2^64)")
    if not 0.0 <= w.mutation_prob <= 1.0:
        fail("mutation_prob", "a probability in [0, 1]")
    if w.step_limit < 1:
        fail("step_limit", "an integer >= 1")
    if not MIN_PROGRAM_SIZE <= w.program_size <= MAX_PROGRAM_SIZE:
        fail("program_size", f"an integer in [{MIN_PROGRAM_SIZE}, {MAX_PROGRAM_SIZE}] (bytes per "
             "program; cubff's is 64)")
    if w.reset_interval < 0:
        fail("reset_interval", "an integer >= 0 (0 disables resets)")
    if w.epochs < 0:
        fail("epochs", "an integer >= 0")
    if w.report_every < 1:
        fail("report_every", "an integer >= 1")
    if w.score_sample < 0:
        fail("score_sample", "an integer >= 0")
    if w.snapshot_every < 0:
        fail("snapshot_every", "an integer >= 0 (0: first and last soup only)")
    if not 0 <= w.species_top <= 1024:
        fail("species_top", "an integer in [0, 1024]")
    if not 0 <= w.hamming_radius <= 63:
        fail("hamming_radius", "an integer in [0, 63] (0: no Hamming clusters)")
    if w.modes_persistence < 0:
        fail("modes_persistence", "an integer >= 0 (0: no MODES metrics)")
    if not 0.0 < w.registry_share <= 1.0:
        fail("registry_share", "a share in (0, 1]")
    if w.program_copies < 1:
        fail("program_copies", "an integer >= 1")
    if w.grid is not None:
        if w.pattern is not None:
            raise AlifeError("world keys 'grid' and 'pattern' exclude each other; give one")
        if w.grid[0] * w.grid[1] != w.num_programs:
            raise AlifeError(f"world key 'grid': {list(w.grid)} has {w.grid[0] * w.grid[1]} "
                             f"cells but num_programs is {w.num_programs}; accepted: [W, H] "
                             "with W * H == num_programs")
    if w.program is not None:
        data = w.program_bytes()
        if len(data) > w.program_size * w.num_programs:
            fail("program", f"at most {w.program_size * w.num_programs} bytes (the whole soup)")
    if w.lineage and not w.tracer_tokens:
        raise AlifeError("world key 'lineage': true needs tracer_tokens = true (a parent is "
                         "the program that gave most bytes, by tracer token)")
    if w.tracer_tokens:
        from alife.soup.tracer import check_capacity

        check_capacity(w.num_programs, w.epochs)
    if w.until:
        from alife.run.stop import parse_condition

        parse_condition(w.until, w.kind)


def _check_neural(w: World) -> None:
    """Neural soups: rates in [0, 1], non-negative steps, no program-soup-only keys."""
    default = World()
    for key in _PROGRAM_ONLY:
        if getattr(w, key) != getattr(default, key):
            raise AlifeError(f"world key {key!r} applies to program soups only; a world with "
                             "kind = 'neural' must leave it out")
    for key in ("attack_rate", "learn_rate"):
        if not 0.0 <= getattr(w, key) <= 1.0:
            raise AlifeError(f"world key {key!r}: {getattr(w, key)!r} is out of range; "
                             "accepted: a probability in [0, 1]")
    for key in ("learn_steps", "train_steps"):
        if getattr(w, key) < 0:
            raise AlifeError(f"world key {key!r}: {getattr(w, key)!r} is out of range; "
                             "accepted: an integer >= 0")
    for key in ("learning_rate", "momentum", "noise", "epsilon"):
        value = getattr(w, key)
        if not (value >= 0.0 and value < float("inf")):
            raise AlifeError(f"world key {key!r}: {value!r} is out of range; accepted: a "
                             "finite number >= 0")
    if w.epsilon == 0.0:
        raise AlifeError("world key 'epsilon': 0.0 is out of range; accepted: a number > 0")


def make_world(values: dict[str, Any]) -> World:
    """A validated :class:`World` from a dict of keys (unknown keys are an error)."""
    known = {f.name for f in fields(World)}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise AlifeError(f"unknown world key {key!r}; accepted: {', '.join(sorted(known))}")
        clean[key] = None if value is None else _coerce(key, value)
    if clean.get("kind") == "neural" and "until" not in clean:
        clean["until"] = ""  # the program soups' transition means nothing here
    w = World(**clean)
    _check(w)
    return w


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
    """Load a world from TOML (or the defaults when ``path`` is None) and apply overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        try:
            values = tomllib.loads(p.read_text())
        except FileNotFoundError:
            raise AlifeError(f"world file {str(p)!r} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise AlifeError(f"world file {str(p)!r} is not valid TOML: {exc}") from None
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


def default_world() -> World:
    """The paper's default soup: bff_noheads, 2^17 programs, seed 0, mutation 2^-12."""
    return World(name="default")


__all__ = ["World", "make_world", "load_world", "parse_override", "default_world"]
