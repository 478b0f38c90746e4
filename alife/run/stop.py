"""Stop conditions such as ``higher_entropy>3``, checked against each report's metrics."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from alife.errors import AlifeError

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}
#: Metrics a condition may name (keys of :meth:`alife.Soup.metrics`).
CONDITION_METRICS = ("higher_entropy", "h0", "bpb", "brotli_size", "ops_per_interaction",
                     "epoch", "replicator_fraction", "score_mean", "score_max",
                     "fixpoint_fraction", "census_fixpoint", "census_other", "census_zero",
                     "census_divergent", "census_second_order")
_PATTERN = re.compile(r"^\s*([a-z_0-9]+)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Condition:
    """``metric op value``: true when the report's metric satisfies it."""

    metric: str
    op: str
    value: float

    def __call__(self, metrics: dict[str, float]) -> bool:
        """Whether ``metrics`` satisfy the condition (False if the metric was not measured)."""
        v = metrics.get(self.metric)
        return v is not None and _OPS[self.op](float(v), self.value)

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


def parse_condition(text: str) -> Condition:
    """Parse ``metric>value`` (also ``>=``, ``<``, ``<=``) into a :class:`Condition`."""
    m = _PATTERN.match(text)
    if not m:
        raise AlifeError(f"stop condition {text!r} is not of the form METRIC>VALUE "
                         f"(operators > >= < <=; metrics: {', '.join(CONDITION_METRICS)})")
    metric, op, raw = m.groups()
    if metric not in CONDITION_METRICS:
        raise AlifeError(f"stop condition {text!r}: unknown metric {metric!r}; accepted: "
                         f"{', '.join(CONDITION_METRICS)}")
    try:
        value = float(raw)
    except ValueError:
        raise AlifeError(f"stop condition {text!r}: {raw!r} is not a number") from None
    return Condition(metric, op, value)
