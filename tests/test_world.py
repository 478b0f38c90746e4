"""The world in typed parts: soup spec per kind, run, record; keys typed by their annotations."""

import dataclasses
import typing

import pytest

from alife import AlifeError, make_world
from alife.world import (
    ParticleSoupSpec,
    ProgramSoupSpec,
    RecordSpec,
    RunSpec,
    World,
    load_world,
)

#: A neural world as histories written before the typed parts stored it (flat, kind mid-way).
OLD_NEURAL_TOML = """num_programs = 200
seed = 4
grid = [10, 20]
epochs = 30
until = ""
report_every = 5
snapshot_every = 10
kind = "neural"
attack_rate = 0.2
learn_rate = 0.0
learn_steps = 1
train_steps = 20
learning_rate = 0.04
momentum = 0.9
noise = 0.0
replace_dead = true
epsilon = 1e-05
name = ""
"""


def test_a_world_is_three_typed_parts():
    w = make_world({"language": "forth", "num_programs": 64, "epochs": 9, "snapshot_every": 3})
    assert isinstance(w.soup, ProgramSoupSpec) and w.soup.language == "forth"
    assert w.run == RunSpec(epochs=9) and w.record == RecordSpec(snapshot_every=3)
    assert (w.language, w.num_programs, w.epochs, w.snapshot_every) == ("forth", 64, 9, 3)
    n = make_world({"kind": "neural", "num_programs": 64, "attack_rate": 0.5})
    assert isinstance(n.soup, ParticleSoupSpec) and n.kind == "neural"
    assert n.soup.attack_rate == n.attack_rate == 0.5 and n.until == ""


def test_flat_attributes_are_read_only():
    w = make_world({})
    with pytest.raises(AttributeError):
        w.seed = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.soup.seed = 3
    assert w.replace(seed=3).seed == 3 and w.seed == 0


@pytest.mark.parametrize("values, message", [
    ({"attack_rate": 0.5}, "world key 'attack_rate' applies to neural soups only"),
    ({"kind": "neural", "language": "bff"}, "world key 'language' applies to program soups only"),
    ({"kind": "neural", "species_top": 4}, "world key 'species_top' applies to program soups only"),
    ({"kind": "neural", "tracer_tokens": True},
     "world key 'tracer_tokens' applies to program soups only"),
])
def test_a_key_of_the_other_kind_is_refused_naming_the_kind(values, message):
    with pytest.raises(AlifeError, match=f"^{message}"):
        make_world(values)


def test_reading_a_key_of_the_other_kind_names_the_kind():
    n = make_world({"kind": "neural", "num_programs": 8})
    with pytest.raises(AttributeError, match="'language' applies to program soups only; this "
                       "world has kind = 'neural'"):
        _ = n.language
    with pytest.raises(AttributeError, match="'epsilon' applies to neural soups only"):
        _ = make_world({}).epsilon
    assert n.record == RecordSpec()  # the record part is shared; program-only keys stay unset
    assert n.tracer_tokens is False and n.lineage is False  # particles never carry tokens


def _typed_keys():
    """(part, key, annotated type) of every key of every part."""
    for cls in (ProgramSoupSpec, ParticleSoupSpec, RunSpec, RecordSpec):
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            yield cls, f.name, hints[f.name]


#: A value of the wrong type for each annotated type, and the words the message must use.
WRONG = {str: (3, "a string"), int: ("three", "an integer"), float: ("half", "a number"),
         bool: (1, "true or false"), tuple[int, int] | None: ("3x4", "[W, H], two positive "
                                                                  "integers"),
         str | None: (7, "a string"), float | None: ("half", "a number")}


@pytest.mark.parametrize("cls, key, tp", list(_typed_keys()),
                         ids=lambda x: x if isinstance(x, str) else None)
def test_every_key_is_checked_against_its_annotation(cls, key, tp):
    value, words = WRONG[tp]
    base = {"kind": "neural"} if cls is ParticleSoupSpec else {}
    with pytest.raises(AlifeError) as err:
        make_world({**base, key: value})
    assert str(err.value) == f"world key {key!r}: {value!r} is not {words}"


def test_the_new_key_program_size_is_typed_and_ranged():
    with pytest.raises(AlifeError, match=r"^world key 'program_size': 4\.5 is not an integer$"):
        make_world({"program_size": 4.5})
    with pytest.raises(AlifeError, match="'program_size': 4 is out of range; accepted: an "
                       "integer in \\[8, 256\\]"):
        make_world({"program_size": 4})
    assert make_world({"program_size": 32}).soup.program_size == 32
    with pytest.raises(AlifeError, match="'program_size' applies to program soups only"):
        make_world({"kind": "neural", "program_size": 32})


def test_none_is_refused_where_the_annotation_does_not_allow_it():
    with pytest.raises(AlifeError, match="^world key 'seed': None is not an integer$"):
        make_world({"seed": None})
    assert make_world({"program": None}).program is None


def test_an_old_flat_neural_history_world_still_loads(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text(OLD_NEURAL_TOML)
    w = load_world(path)
    assert isinstance(w.soup, ParticleSoupSpec) and w.grid == (10, 20) and w.attack_rate == 0.2
    assert (w.epochs, w.report_every, w.snapshot_every) == (30, 5, 10)
    assert w.to_toml().startswith('kind = "neural"\n') and "species_top" not in w.to_toml()


def test_world_parts_validate_on_construction():
    with pytest.raises(AlifeError, match="'report_every': 0 is out of range"):
        World(run=RunSpec(report_every=0))
    with pytest.raises(AlifeError, match="'attack_rate': 2.0 is out of range"):
        World(soup=ParticleSoupSpec(attack_rate=2.0))


@pytest.mark.parametrize("values, message", [
    ({"pairing": "shuffled"}, "one of random, ring, fixed_shuffle"),
    ({"pairing": "ring", "num_programs": 512, "grid": [32, 16]}, "well-mixed soup"),
    ({"pairing": "fixed_shuffle", "num_programs": 1000}, "power of two"),
])
def test_pairing_modes_are_checked(values, message):
    with pytest.raises(AlifeError, match=message):
        make_world(values)


def test_pairing_round_trips_and_defaults_to_random():
    assert make_world({}).pairing == "random"
    w = make_world({"pairing": "fixed_shuffle", "num_programs": 1024})
    assert make_world(w.to_dict()) == w
