"""What a report measures on a soup, as pure functions on arrays: complexity (entropy and
Brotli size), species, diversity indices, the replication score, MODES."""

from alife.measures.entropy import brotli_size, complexity, h0
from alife.measures.replication import replication_score, replication_scores

__all__ = ["h0", "brotli_size", "complexity", "replication_score", "replication_scores"]
