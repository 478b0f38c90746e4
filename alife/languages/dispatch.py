"""The numba dispatch over every registered language, generated from the registry.

Compiled code that runs tapes (the soup's epoch kernel, the replication score, species games)
is written as a *template*: a module whose source imports ``run_tape`` and ``run_tape_traced``
from here with the line :data:`MARKER`. :func:`compiled` writes a copy of the template with that
line replaced by a dispatch generated from the registry (an ``if`` chain over families calling
each family's ``interpret`` with its variant), into a cache folder under a name that hashes the
template, the registry and the package sources it inlines, and imports it. numba then caches
the copy's machine code like any module's (``cache=True``), and a new family, or an edited
interpreter, gets a fresh copy instead of stale machine code. Within one registry the language
id is a runtime value, so one compilation serves every language (the branch is perfectly
predicted within an epoch).

Templates are never imported directly: importing one fails on the marker line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType

from alife.languages import registry

#: The line a template uses to import the generated dispatch.
MARKER = "from alife.languages.dispatch import run_tape, run_tape_traced"
#: The template of :func:`compiled` with no argument: the dispatch alone.
DISPATCH_ONLY = "alife.languages.dispatch_template"
CACHE_VARIABLE = "ALIFE_KERNEL_CACHE"
_PACKAGE = Path(__file__).resolve().parents[1]


def __getattr__(name: str):
    if name in ("run_tape", "run_tape_traced"):
        raise ImportError(f"{name} is generated per language registry: call "
                          "alife.languages.dispatch.compiled(template) instead of importing the "
                          "template module directly")
    raise AttributeError(name)


def dispatch_source() -> str:
    """Python source of ``run_tape`` / ``run_tape_traced`` for the current registry."""
    families = list(registry.FAMILIES.values())
    lines = [
        "import numpy as _np",
        "from numba import njit as _njit",
        "from alife.languages.registry import FAMILIES as _FAMILIES",
        "",
    ]
    for i, family in enumerate(families):
        lines.append(f"_interpret_{i} = _FAMILIES[{family.name!r}].interpret")
    lines += ["", "", "@_njit(cache=True, nogil=True)",
              "def _run(lang, tape, limit, scratch, stack, src, stack_src, traced):"]
    first = 0
    for i, family in enumerate(families):
        last = first + len(family.languages)
        lines.append(f"    if lang < {last}:")
        lines.append(f"        return _interpret_{i}(tape, limit, lang - {first}, scratch, stack, "
                     "src, stack_src, traced)")
        first = last
    lines.append("    return -1")
    # The hot path: the first family (BFF) is called directly, the others through _run; its
    # untraced interpreter is a function of its own (an inlined copy in run_tape, which the
    # kernels call from their parallel loops, cost ~10 % of epochs/s on random soups).
    if families:
        lines += ["", "", "@_njit(cache=True, nogil=True)",
                  "def _untraced_0(tape, limit, variant, scratch, stack):",
                  "    no_src = stack[:0]",
                  "    return _interpret_0(tape, limit, variant, scratch, stack, no_src, no_src,"
                  " False)"]
    lines += ["", "", "@_njit(cache=True, nogil=True)",
              "def run_tape(lang, tape, limit, scratch, stack):",
              '    """Run language ``lang`` on ``tape`` (in place) for <= ``limit`` steps."""']
    if families:
        lines += [f"    if lang < {len(families[0].languages)}:",
                  "        return _untraced_0(tape, limit, lang, scratch, stack)"]
    lines += ["    no_src = stack[:0]  # an empty view: untraced runs never touch provenance",
              "    return _run(lang, tape, limit, scratch, stack, no_src, no_src, False)",
              "", "",
              "@_njit(cache=True, nogil=True)",
              "def run_tape_traced(lang, tape, src, limit, scratch, stack, stack_src):",
              '    """:func:`run_tape` moving each byte\'s provenance ``src`` (uint16) with it."""',
              "    return _run(lang, tape, limit, scratch, stack, src, stack_src, True)", ""]
    return "\n".join(lines)


def _cache_dir() -> Path:
    base = os.environ.get(CACHE_VARIABLE)
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "alife" / "kernels"


#: What generated copies inline besides the template itself: the interpreters, the soup's
#: compiled helpers (pairing, mutation, tapes, tokens) and the hash functions.
_INLINED = ("languages/*.py", "soup/*.py", "rng.py", "shapes.py")


@cache
def _package_digest() -> str:
    """A hash of the package sources that generated copies inline (:data:`_INLINED`)."""
    h = hashlib.sha256()
    for path in sorted(p for pattern in _INLINED for p in _PACKAGE.glob(pattern)):
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _plugin_digest() -> str:
    h = hashlib.sha256()
    for family in registry.FAMILIES.values():
        py_func = getattr(family.interpret, "py_func", family.interpret)
        module = sys.modules.get(getattr(py_func, "__module__", "") or "")
        path = getattr(module, "__file__", None)
        if path and not Path(path).resolve().is_relative_to(_PACKAGE):
            h.update(Path(path).read_bytes())
    return h.hexdigest()


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` by create-new-then-rename (concurrent writers agree)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_modules: dict[tuple[str, int], ModuleType] = {}


def compiled(template: str = DISPATCH_ONLY, **constants: int) -> ModuleType:
    """The module ``template`` compiled against the current registry (generated once, cached).

    ``constants`` fix module-level integers of the template (a line ``NAME = <int>``) in the
    copy, so numba compiles them as constants (e.g. the soup kernel's program size).
    """
    key = (template, registry.registry_version(), tuple(sorted(constants.items())))
    module = _modules.get(key)
    if module is not None:
        return module
    spec = importlib.util.find_spec(template)
    if spec is None or spec.origin is None:
        raise ImportError(f"no template module {template!r}")
    source = Path(spec.origin).read_text()
    if MARKER not in source:
        raise ImportError(f"{template} is not a dispatch template (no line {MARKER!r})")
    text = source.replace(MARKER, dispatch_source(), 1)
    for name, value in constants.items():
        text, found = re.subn(rf"^{name} = \d+\b.*$", f"{name} = {int(value)}", text, count=1,
                              flags=re.M)
        if not found:
            raise ImportError(f"{template} has no constant {name} to fix")
    digest = hashlib.sha256("\0".join((text, _package_digest(), _plugin_digest())).encode())
    stem = f"{template.replace('.', '_')}_{digest.hexdigest()[:20]}"
    path = _cache_dir() / f"{stem}.py"
    try:
        if not path.exists() or path.read_text() != text:
            _write_new(path, text)
    except OSError:
        path = Path(tempfile.gettempdir()) / "alife-kernels" / f"{stem}.py"
        if not path.exists():
            _write_new(path, text)
    name = f"alife_compiled_{stem}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    _modules[key] = module
    return module


__all__ = ["MARKER", "compiled", "dispatch_source"]
