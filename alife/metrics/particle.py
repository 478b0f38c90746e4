"""Reporters of neural particle soups (Gabor, Illium et al. 2019): the census per fixpoint
class, the latest generation's counters and the mean |weight| of live particles."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from alife.metrics.registry import register_metric, register_reporter
from alife.particles.kernel import CLASS_NAMES, DIVERGENT

if TYPE_CHECKING:
    from alife.particles.soup import ParticleSoup

N = ("neural",)
NW = 14  # weights of a weightwise particle
COUNTERS = ("attacks", "learn_events", "sgd_steps", "replaced")  # ParticleSoup.last_counts


def _census(soup: ParticleSoup) -> dict[str, float]:
    """Particles per fixpoint class and the share of non-zero fixpoints."""
    census = soup.census()
    m: dict[str, float] = {f"census_{name}": count for name, count in census.items()}
    m["fixpoint_fraction"] = census["fixpoint"] / len(soup.weights)
    return m


def _counters(soup: ParticleSoup) -> dict[str, float]:
    """Attacks, learn events, SGD steps and replacements of the latest generation; total ops."""
    return {**{k: soup.last_counts[k] for k in COUNTERS}, "total_ops": soup.total_ops}


def _weights(soup: ParticleSoup) -> dict[str, float]:
    """Mean |weight| of the particles that have not diverged (NaN when all have)."""
    w = soup.weights[soup.classes() != DIVERGENT, :NW]
    return {"mean_abs_weight": float(np.abs(w).mean()) if len(w) else float("nan")}


def _register() -> None:
    m = register_metric
    for name in CLASS_NAMES:
        m(f"census_{name}", f"particles of fixpoint class {name!r} (Gabor et al. 2019)",
          "particles", "int64", N, table=True, sparkline=name == "other")
    m("fixpoint_fraction", "share of particles that are non-zero fixpoints", "1", kinds=N,
      sparkline=True)
    m("attacks", "attacks in the latest generation", "events", "int64", N, table=False)
    m("learn_events", "learn-from-another events in the latest generation", "events", "int64",
      N, table=False)
    m("sgd_steps", "SGD steps in the latest generation", "steps", "int64", N, table=False)
    m("replaced", "dead particles replaced in the latest generation", "particles", "int64", N,
      table=False)
    m("mean_abs_weight", "mean |weight| of the particles that have not diverged", "1", kinds=N,
      table=False)

    r = register_reporter
    r("census", (*(f"census_{n}" for n in CLASS_NAMES), "fixpoint_fraction"), _census, N)
    r("counters", (*COUNTERS, "total_ops"), _counters, N)
    r("weights", ("mean_abs_weight",), _weights, N)


_register()
