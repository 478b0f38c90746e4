"""Stop conditions such as ``higher_entropy>3``, checked against each report's metrics.

A condition may name any metric the registry (:mod:`alife.metrics`) records for the soup's kind.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from alife.errors import AlifeError
from alife.metrics import metric_names

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}
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


def condition_metrics(kind: str = "program") -> tuple[str, ...]:
    """Metrics a condition may name for soups of ``kind``: every one the registry records."""
    return metric_names(kind)


def parse_condition(text: str, kind: str = "program") -> Condition:
    """Parse ``metric>value`` (also ``>=``, ``<``, ``<=``) for a soup of ``kind``."""
    accepted = condition_metrics(kind)
    m = _PATTERN.match(text)
    if not m:
        raise AlifeError(f"stop condition {text!r} is not of the form METRIC>VALUE "
                         f"(operators > >= < <=; metrics of {kind} soups: "
                         f"{', '.join(accepted)})")
    metric, op, raw = m.groups()
    if metric not in accepted:
        raise AlifeError(f"stop condition {text!r}: {metric!r} is not a metric of {kind} soups; "
                         f"accepted: {', '.join(accepted)}")
    try:
        value = float(raw)
    except ValueError:
        raise AlifeError(f"stop condition {text!r}: {raw!r} is not a number") from None
    return Condition(metric, op, value)
