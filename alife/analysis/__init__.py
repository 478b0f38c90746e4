"""Analyses of soups, as pure functions on arrays: emergence statistics, lineage, provenance,
and (re-exported from :mod:`alife.measures`) what every report measures."""

from alife.measures.entropy import brotli_size, complexity, h0
from alife.measures.replication import replication_score, replication_scores

__all__ = ["h0", "brotli_size", "complexity", "replication_score", "replication_scores"]
