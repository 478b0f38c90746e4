"""Pure functions on soups: complexity metrics and the replication score."""

from alife.analysis.entropy import brotli_size, complexity, h0
from alife.analysis.replication import replication_score, replication_scores

__all__ = ["h0", "brotli_size", "complexity", "replication_score", "replication_scores"]
