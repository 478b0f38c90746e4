"""The one registry of reported metrics: what each series means, its unit and dtype, the soup
kinds it applies to, and the reporter that computes it.

A :class:`MetricSpec` names one series; a :class:`Reporter` is a function of a soup returning
one or several metrics in one pass (``complexity`` gives h0, brotli_size, bpb and
higher_entropy), run for a world when its ``applies`` predicate holds (``hamming_radius > 0``,
``tracer_tokens``). Reporters without a function (``wall_time``, MODES) name metrics that the
run loop or the history recorder supplies. The history layout, ``--until``, sweep tables and
the viewer's sparklines all read this registry, so a metric registered here reaches them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.world import World

KINDS = ("program", "neural")
DTYPES = ("float64", "int64")
Compute = Callable[[Any], dict[str, float]]


def always(world: World) -> bool:
    """A reporter that runs for every world of its kinds."""
    return True


@dataclass(frozen=True)
class MetricSpec:
    """One reported series: its meaning, unit, dtype (of its history dataset) and soup kinds."""

    name: str
    meaning: str
    unit: str
    dtype: str = "float64"  # int64 only for metrics every report of the kind carries
    kinds: tuple[str, ...] = ("program",)
    table: bool = True  # a column of sweep tables (last report of each run)
    sparkline: bool = False  # a series the live viewer keeps for its sparklines


@dataclass(frozen=True)
class Reporter:
    """A function of a soup returning ``metrics`` (None: the run loop or recorder adds them)."""

    name: str
    metrics: tuple[str, ...]
    compute: Compute | None
    kinds: tuple[str, ...] = ("program",)
    applies: Callable[[World], bool] = always


_METRICS: dict[str, MetricSpec] = {}
_REPORTERS: dict[str, Reporter] = {}
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def _check_kinds(what: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if not kinds or bad:
        raise AlifeError(f"{what}: kinds {list(kinds)!r} not accepted; accepted: a non-empty "
                         f"subset of {', '.join(KINDS)}")
    return kinds


def register_metric(name: str, meaning: str, unit: str, dtype: str = "float64",
                    kinds: tuple[str, ...] = ("program",), *, table: bool = True,
                    sparkline: bool = False) -> MetricSpec:
    """Add a reported metric to the registry (a reporter must then compute it)."""
    if not name or set(name) - _NAME_CHARS or name[0].isdigit():
        raise AlifeError(f"metric name {name!r}: accepted lower-case letters, digits and _, "
                         "not starting with a digit")
    if name in _METRICS:
        raise AlifeError(f"metric {name!r} is already registered (unregister_metric first)")
    if not meaning.strip() or not unit.strip():
        raise AlifeError(f"metric {name!r}: meaning and unit must be non-empty "
                         "(unit '1' for a pure number)")
    if dtype not in DTYPES:
        raise AlifeError(f"metric {name!r}: dtype {dtype!r} not accepted; accepted: "
                         f"{', '.join(DTYPES)}")
    spec = MetricSpec(name, meaning, unit, dtype, _check_kinds(f"metric {name!r}", kinds),
                      table, sparkline)
    _METRICS[name] = spec
    return spec


def register_reporter(name: str, metrics: tuple[str, ...], compute: Compute | None,
                      kinds: tuple[str, ...] = ("program",),
                      applies: Callable[[World], bool] = always) -> Reporter:
    """Add a reporter computing registered ``metrics`` for soups of ``kinds``."""
    if name in _REPORTERS:
        raise AlifeError(f"reporter {name!r} is already registered (unregister_reporter first)")
    kinds = _check_kinds(f"reporter {name!r}", kinds)
    for m in metrics:
        spec = _METRICS.get(m)
        if spec is None:
            raise AlifeError(f"reporter {name!r}: metric {m!r} is not registered "
                             "(register_metric first)")
        if set(kinds) - set(spec.kinds):
            raise AlifeError(f"reporter {name!r}: metric {m!r} applies to "
                             f"{', '.join(spec.kinds)} soups, not to all of {', '.join(kinds)}")
        if spec.dtype != "float64" and applies is not always:
            raise AlifeError(f"reporter {name!r}: metric {m!r} is {spec.dtype} but the reporter "
                             "does not run for every world (NaN needs float64)")
        for kind in kinds:
            other = reporter_of(m, kind)
            if other is not None:
                raise AlifeError(f"reporter {name!r}: metric {m!r} of {kind} soups is already "
                                 f"computed by reporter {other.name!r}")
    reporter = Reporter(name, tuple(metrics), compute, kinds, applies)
    _REPORTERS[name] = reporter
    return reporter


def unregister_reporter(name: str) -> None:
    """Remove a reporter (its metrics stay registered)."""
    if _REPORTERS.pop(name, None) is None:
        raise AlifeError(f"reporter {name!r} is not registered; registered: "
                         f"{', '.join(_REPORTERS)}")


def unregister_metric(name: str) -> None:
    """Remove a metric that no reporter computes any more."""
    if name not in _METRICS:
        raise AlifeError(f"metric {name!r} is not registered")
    users = [r.name for r in _REPORTERS.values() if name in r.metrics]
    if users:
        raise AlifeError(f"metric {name!r} is still computed by reporter(s) {', '.join(users)}; "
                         "unregister_reporter first")
    del _METRICS[name]


def metric(name: str) -> MetricSpec:
    """The spec of a registered metric."""
    spec = _METRICS.get(name)
    if spec is None:
        raise AlifeError(f"metric {name!r} is not registered; registered: {', '.join(_METRICS)}")
    return spec


def all_metrics() -> tuple[MetricSpec, ...]:
    """Every registered metric, in registration order."""
    return tuple(_METRICS.values())


def reporters(kind: str) -> tuple[Reporter, ...]:
    """The reporters of soups of ``kind``, in registration order."""
    return tuple(r for r in _REPORTERS.values() if kind in r.kinds)


def reporter_of(name: str, kind: str) -> Reporter | None:
    """The reporter computing metric ``name`` for soups of ``kind`` (None: none does)."""
    return next((r for r in reporters(kind) if name in r.metrics), None)


def metrics_for(kind: str) -> tuple[MetricSpec, ...]:
    """The metrics recorded for soups of ``kind``: registered for it and computed by a reporter."""
    _check_kinds("metrics_for", (kind,))
    return tuple(s for s in _METRICS.values()
                 if kind in s.kinds and reporter_of(s.name, kind) is not None)


def metric_names(kind: str) -> tuple[str, ...]:
    """Names of :func:`metrics_for` ``kind``."""
    return tuple(s.name for s in metrics_for(kind))


def report(soup: Any) -> dict[str, float]:
    """One report of ``soup``: every reporter of its kind that applies to its world.

    The result holds exactly the metrics of those reporters (run-loop metrics such as
    ``wall_time`` and MODES are added by the run loop and the recorder).
    """
    world = soup.world
    out: dict[str, float] = {}
    for r in reporters(world.kind):
        if r.compute is None or not r.applies(world):
            continue
        values = r.compute(soup)
        if set(values) != set(r.metrics):
            raise AlifeError(f"reporter {r.name!r} returned {sorted(values)}; it declares "
                             f"{sorted(r.metrics)}")
        out.update(values)
    return out


def reported_names(world: World) -> tuple[str, ...]:
    """Names that :func:`report` gives for a soup of ``world`` (soup-computed ones only)."""
    return tuple(m for r in reporters(world.kind) if r.compute is not None and r.applies(world)
                 for m in r.metrics)


def is_integer(spec: MetricSpec) -> bool:
    """Whether the metric's series holds integers."""
    return np.dtype(spec.dtype).kind == "i"


ENTRY_POINTS = "alife.metrics"


def load_plugins() -> tuple[str, ...]:
    """Import the modules that register more metrics: entry points of group ``alife.metrics``,
    and the plug-ins named in ``$ALIFE_PLUGINS`` (module names or ``.py`` paths, as for
    language families; inherited by sweep workers)."""
    import importlib
    from importlib.metadata import entry_points

    from alife.languages.registry import load_plugins as load_named

    names = [ep.value for ep in entry_points(group=ENTRY_POINTS)]
    for name in names:
        try:
            importlib.import_module(name.split(":")[0])
        except ImportError as exc:
            raise AlifeError(f"metric plug-in {name!r} (entry point group {ENTRY_POINTS!r}) "
                             f"cannot be imported: {exc}") from None
    return (*names, *load_named())

