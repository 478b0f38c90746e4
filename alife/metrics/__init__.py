"""The one registry of reported metrics (names, meanings, units, dtypes, kinds, reporters) and
the built-in reporters of program and particle soups; plug-ins (entry points of group
``alife.metrics``, modules named in ``$ALIFE_PLUGINS``) are imported after them."""

from alife.metrics import program  # noqa: F401, I001  (first: it registers the shared epoch, ...)
from alife.metrics import particle  # noqa: F401
from alife.metrics.registry import (
    MetricSpec,
    load_plugins,
    Reporter,
    all_metrics,
    metric,
    metric_names,
    metrics_for,
    register_metric,
    register_reporter,
    report,
    reported_names,
    reporter_of,
    reporters,
    unregister_metric,
    unregister_reporter,
)

__all__ = ["MetricSpec", "Reporter", "all_metrics", "metric", "metric_names", "metrics_for",
           "register_metric", "register_reporter", "report", "reported_names", "reporter_of",
           "reporters", "unregister_metric", "unregister_reporter", "load_plugins"]

load_plugins()
