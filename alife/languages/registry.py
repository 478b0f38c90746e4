"""The registry of soup languages by name, built from what each family module declares.

Built-in families register when :mod:`alife.languages` is imported; a researcher's own family
is one module that calls :func:`register_family` on import, loaded by ``import`` in a script or,
for the ``alife`` command and the worker processes of sweeps, named in the ``ALIFE_PLUGINS``
environment variable (module names or ``.py`` paths, separated by ``os.pathsep``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from alife.errors import AlifeError
from alife.languages.family import CREATED, Family, Role
from alife.shapes import PROGRAM_SIZE

DEFAULT_STEP_LIMIT = 8192
PLUGINS_VARIABLE = "ALIFE_PLUGINS"


class RunResult(NamedTuple):
    """The tape after a run (uint8[2 * program_size]) and the ops executed."""

    tape: np.ndarray
    ops: int


def as_tape(tape: bytes | bytearray | np.ndarray, size: int = 2 * PROGRAM_SIZE) -> np.ndarray:
    """A fresh uint8[size] copy of ``tape`` (shorter input is zero-padded)."""
    data = np.frombuffer(bytes(tape), dtype=np.uint8) if not isinstance(tape, np.ndarray) \
        else np.asarray(tape, dtype=np.uint8).ravel()
    if data.size > size:
        raise AlifeError(f"a tape holds at most {size} bytes, got {data.size}")
    out = np.zeros(size, dtype=np.uint8)
    out[: data.size] = data
    return out


@dataclass(frozen=True)
class Language:
    """One soup language: its name, its family's declaration, and its variant in the family.

    ``id`` is its position in the registry, which the generated numba dispatch uses; nothing
    else depends on it.
    """

    name: str
    family: Family
    variant: int
    id: int

    @property
    def program_size(self) -> int:
        """Default bytes per program."""
        return self.family.program_size

    def check_program_size(self, size: int) -> None:
        """Raise :class:`AlifeError` unless programs of ``size`` bytes run in this language."""
        if size not in self.family.program_sizes:
            raise AlifeError(f"world key 'program_size': {size!r} does not run in {self.name}; "
                             f"accepted: {', '.join(map(str, self.family.program_sizes))}")

    def scratch(self, tape_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Fresh work arrays for one interpreter: (int64 scratch, uint8 stack)."""
        return (np.zeros(self.family.scratch_ints(tape_size), dtype=np.int64),
                np.zeros(self.family.stack_bytes, dtype=np.uint8))

    def _tape(self, tape: bytes | np.ndarray, tape_size: int | None) -> np.ndarray:
        if tape_size is None:
            n = len(tape) if isinstance(tape, (bytes, bytearray)) else np.asarray(tape).size
            tape_size = n if n > 2 * PROGRAM_SIZE else 2 * PROGRAM_SIZE
        self.check_program_size(tape_size // 2)
        return as_tape(tape, tape_size)

    def run(self, tape: bytes | np.ndarray, limit: int = DEFAULT_STEP_LIMIT,
            tape_size: int | None = None) -> RunResult:
        """Run the numba interpreter on a copy of ``tape`` (zero-padded to ``tape_size``, by
        default 128 bytes or the tape's own length if longer); return the final tape and ops."""
        from alife.languages.dispatch import compiled

        t = self._tape(tape, tape_size)
        scratch, stack = self.scratch(t.size)
        ops = compiled().run_tape(self.id, t, int(limit), scratch, stack)
        return RunResult(t, int(ops))

    def run_traced(self, tape: bytes | np.ndarray, limit: int = DEFAULT_STEP_LIMIT,
                   tape_size: int | None = None) -> tuple[np.ndarray, int, np.ndarray]:
        """Run with provenance: (tape, ops, src), ``src[t]`` = the input position byte t came
        from, :data:`CREATED` where the interpreter made it (tracer tokens)."""
        from alife.languages.dispatch import compiled

        t = self._tape(tape, tape_size)
        scratch, stack = self.scratch(t.size)
        src = np.arange(t.size, dtype=np.uint16)
        stack_src = np.zeros(self.family.stack_bytes, dtype=np.uint16)
        ops = compiled().run_tape_traced(self.id, t, src, int(limit), scratch, stack, stack_src)
        return t, int(ops), src

    def run_python(self, tape: bytes | np.ndarray, limit: int = DEFAULT_STEP_LIMIT,
                   tape_size: int | None = None) -> RunResult:
        """Run the slow pure-Python twin (for tests and teaching)."""
        t = bytearray(self._tape(tape, tape_size).tobytes())
        ops = self.family.twin(self.name, t, int(limit), list(range(len(t))), None)
        return RunResult(np.frombuffer(bytes(t), dtype=np.uint8).copy(), int(ops))

    def parse(self, text: str) -> bytes:
        """Program text -> bytes."""
        return self.family.parse(self.name, text)

    def disassemble(self, program: bytes | np.ndarray) -> str:
        """Bytes -> program text."""
        data = np.asarray(program, dtype=np.uint8).tobytes() \
            if isinstance(program, np.ndarray) else bytes(program)
        return self.family.disassemble(self.name, data)

    def instructions(self) -> np.ndarray:
        """bool[256]: the byte values that are instructions (diversity's skeleton keys)."""
        return self.family.instructions(self.name)

    def roles(self) -> np.ndarray:
        """uint8[256]: each byte value's :class:`Role`, for pictures of soups."""
        return self.family.roles(self.name)


REGISTRY: dict[str, Language] = {}
FAMILIES: dict[str, Family] = {}
_version = 0  # bumped at every registration: compiled dispatch modules key on it


def register_family(family: Family) -> Family:
    """Add ``family``'s languages to the registry (the one place a family plugs in).

    Registering the same declaration again is a no-op; a name clash is an error.
    """
    global _version
    if FAMILIES.get(family.name) is family:
        return family
    if family.name in FAMILIES:
        raise AlifeError(f"language family {family.name!r} is already registered")
    clash = [n for n in family.languages if n in REGISTRY]
    if clash:
        raise AlifeError(f"family {family.name!r}: language {clash[0]!r} is already registered "
                         f"by family {REGISTRY[clash[0]].family.name!r}")
    FAMILIES[family.name] = family
    for variant, name in enumerate(family.languages):
        REGISTRY[name] = Language(name, family, variant, len(REGISTRY))
    _version += 1
    return family


def unregister_family(name: str) -> None:
    """Remove the most recently registered family (for tests and interactive sessions).

    Only the last one can go, so that every other language keeps its dispatch id.
    """
    global _version
    if not FAMILIES or list(FAMILIES)[-1] != name:
        raise AlifeError(f"only the most recently registered family can be removed, not {name!r}")
    family = FAMILIES.pop(name)
    for language in family.languages:
        del REGISTRY[language]
    _version += 1


def registry_version() -> int:
    """A number that changes whenever a family registers."""
    return _version


def names() -> list[str]:
    """All registered language names, in registry order."""
    return list(REGISTRY)


def reference_names(reference: str = "cubff") -> list[str]:
    """The registered languages whose bytes match ``reference`` (cubff: the paper's 13)."""
    return [n for n, lang in REGISTRY.items() if lang.family.reference == reference]


def get(name: str) -> Language:
    """The language called ``name``; an unknown name raises :class:`AlifeError`."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise AlifeError(f"unknown language {name!r}; accepted: {', '.join(REGISTRY)} (a family "
                         f"of your own loads from {PLUGINS_VARIABLE})") from None


def load_plugins(spec: str | None = None) -> list[str]:
    """Import the plug-in modules named in ``spec`` (default: ``$ALIFE_PLUGINS``); return them.

    Each entry is a module name or the path of a ``.py`` file; a file is imported under a
    module name derived from its path, so generated kernels can import it again.
    """
    spec = os.environ.get(PLUGINS_VARIABLE, "") if spec is None else spec
    loaded = []
    for entry in filter(None, (e.strip() for e in spec.split(os.pathsep))):
        try:
            if entry.endswith(".py"):
                path = Path(entry).resolve()
                name = "alife_plugin_" + path.stem
                if name not in sys.modules:
                    module_spec = importlib.util.spec_from_file_location(name, path)
                    if module_spec is None or module_spec.loader is None:
                        raise ImportError(f"cannot import {path}")
                    module = importlib.util.module_from_spec(module_spec)
                    sys.modules[name] = module
                    try:
                        module_spec.loader.exec_module(module)
                    except BaseException:
                        del sys.modules[name]
                        raise
            else:
                importlib.import_module(entry)
        except (ImportError, OSError, SyntaxError) as exc:
            raise AlifeError(f"{PLUGINS_VARIABLE}: cannot load plug-in {entry!r} "
                             f"({type(exc).__name__}: {exc}); accepted: module names or .py "
                             f"paths separated by {os.pathsep!r}") from None
        loaded.append(entry)
    return loaded


__all__ = ["CREATED", "DEFAULT_STEP_LIMIT", "FAMILIES", "Family", "Language", "REGISTRY",
           "Role", "RunResult", "as_tape", "get", "load_plugins", "names", "reference_names",
           "register_family", "registry_version", "unregister_family"]
