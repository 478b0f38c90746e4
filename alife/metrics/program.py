"""Reporters of program soups (Agüera y Arcas et al. 2024, sec. 2.2 and soup.md "Metrics"):
complexity, ops, diversity of exact species, skeletons and Hamming clusters, tracer tokens,
replication scores; ``wall_time`` and MODES (Dolson et al. 2019) come from the run loop and the
history recorder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alife.measures.diversity import diversity, species_labels
from alife.measures.entropy import complexity
from alife.measures.replication import CONFIRMED, REPLICATOR, confirmed_threshold
from alife.metrics.registry import register_metric, register_reporter
from alife.soup.tracer import token_census

if TYPE_CHECKING:
    from alife.soup.soup import Soup

P, BOTH = ("program",), ("program", "neural")


def _epoch(soup: Soup) -> dict[str, float]:
    """Epochs (neural soups: generations) completed at the report."""
    return {"epoch": soup.epoch}


def _complexity(soup: Soup) -> dict[str, float]:
    """h0, Brotli size, bits per byte and high-order entropy of the soup (paper sec. 2.2)."""
    return complexity(soup.programs)


def _ops(soup: Soup) -> dict[str, float]:
    """Ops of the latest epoch, per interaction, and in total."""
    per = soup.last_ops / soup.last_interactions if soup.last_interactions else 0.0
    return {"ops": soup.last_ops, "ops_per_interaction": per, "total_ops": soup.total_ops}


def _species(soup: Soup) -> dict[str, float]:
    """Diversity of exact species (identical programs)."""
    d = diversity(soup.species()[1])
    return {k: d[k] for k in ("richness", "shannon_bits", "gini_simpson", "hill_2",
                              "berger_parker", "evenness")}


def _skeletons(soup: Soup) -> dict[str, float]:
    """Diversity of instruction skeletons (no-op bytes removed)."""
    d = diversity(species_labels(soup.programs, "skeleton", soup.world.language)[1])
    return {"skeleton_richness": d["richness"], "skeleton_shannon_bits": d["shannon_bits"]}


def _hamming(soup: Soup) -> dict[str, float]:
    """Diversity of Hamming-radius clusters of exact species."""
    w = soup.world
    d = diversity(species_labels(soup.programs, "hamming", w.language, w.hamming_radius)[1])
    return {"hamming_richness": d["richness"], "hamming_shannon_bits": d["shannon_bits"]}


def _tokens(soup: Soup) -> dict[str, float]:
    """Tracer-token census: origins, share made in the initial soup, top origin's share."""
    census = token_census(soup.tokens, top=1)
    return {"token_origins": census["unique"], "token_initial_share": census["initial_share"],
            "token_top_share": float(census["top_counts"][0]) / soup.tokens.size}


def _replication(soup: Soup) -> dict[str, float]:
    """Replication scores of the world's ``score_sample`` evenly spaced programs."""
    _, scores = soup.replication_scores(soup.world.score_sample)
    replicators = int((scores >= REPLICATOR).sum())
    return {"score_sample": len(scores), "score_mean": float(scores.mean()),
            "score_max": int(scores.max()), "replicators": replicators,
            "confirmed": int((scores >= confirmed_threshold(soup.world.program_size)).sum()),
            "replicator_fraction": replicators / len(scores)}


def _register() -> None:
    m = register_metric
    m("epoch", "epochs (neural soups: generations) completed at the report", "epochs", "int64",
      BOTH, table=False)
    m("h0", "order-0 entropy of the soup's byte histogram", "bits/byte")
    m("brotli_size", "length of the soup compressed by Brotli (quality 2, window 24)", "bytes",
      "int64")
    m("bpb", "Brotli bits per byte of the soup", "bits/byte")
    m("higher_entropy", "high-order entropy h0 - bpb (paper sec. 2.2); > 3: transition",
      "bits/byte", sparkline=True)
    m("ops", "instructions executed in the latest epoch", "ops", "int64", table=False)
    m("ops_per_interaction", "ops of the latest epoch per interacting pair", "ops/pair",
      sparkline=True)
    m("total_ops", "instructions (neural soups: SGD steps and attacks) since epoch 0", "ops",
      "int64", BOTH, table=False)
    m("richness", "number of distinct programs", "species", "int64")
    m("shannon_bits", "Shannon entropy of the exact-species counts", "bits")
    m("gini_simpson", "Gini-Simpson index of the exact species", "1", table=False)
    m("hill_2", "Hill number of order 2 (inverse Simpson) of the exact species", "species",
      table=False)
    m("berger_parker", "share of the most common program", "1", table=False)
    m("evenness", "Shannon entropy over log2 richness (1 for a lone species)", "1", table=False)
    m("skeleton_richness", "number of distinct instruction skeletons", "species", "int64",
      table=False)
    m("skeleton_shannon_bits", "Shannon entropy of the skeleton counts", "bits", table=False)
    m("hamming_richness", "number of Hamming-radius clusters of exact species", "species",
      table=False)
    m("hamming_shannon_bits", "Shannon entropy of the Hamming-cluster counts", "bits",
      table=False)
    m("token_origins", "distinct tracer-token origins (byte, epoch) in the soup", "origins",
      table=False)
    m("token_initial_share", "share of the soup's bytes made in the initial soup", "1",
      table=False)
    m("token_top_share", "share of the soup's bytes from the most common origin", "1",
      table=False)
    m("score_sample", "programs scored for replication at the report", "programs", table=False)
    m("score_mean", "mean replication score of the sample", "score")
    m("score_max", "largest replication score in the sample", "score", table=False)
    m("replicators", f"programs of the sample scoring >= {REPLICATOR}", "programs", table=False)
    m("confirmed", f"programs of the sample scoring >= {CONFIRMED} (of 64; 3/4 of other "
      "program sizes)", "programs", table=False)
    m("replicator_fraction", f"share of the sample scoring >= {REPLICATOR}", "1",
      sparkline=True)
    m("wall_time", "wall-clock time of the run at the report (all sessions)", "s", "float64",
      BOTH, table=False)
    m("modes_change", "MODES change: species newly persistent (Dolson et al. 2019)", "species",
      table=False)
    m("modes_novelty", "MODES novelty: species persistent for the first time", "species",
      table=False)
    m("modes_ecology", "MODES ecology: Shannon entropy of the persistent species", "bits",
      table=False)
    m("modes_complexity", "MODES complexity: most instruction bytes of a persistent species",
      "bytes", table=False)
    m("modes_persistent", "MODES: number of persistent species", "species", table=False)

    r = register_reporter
    r("epoch", ("epoch",), _epoch, BOTH)
    r("complexity", ("h0", "brotli_size", "bpb", "higher_entropy"), _complexity)
    r("ops", ("ops", "ops_per_interaction", "total_ops"), _ops)
    r("species", ("richness", "shannon_bits", "gini_simpson", "hill_2", "berger_parker",
                  "evenness"), _species)
    r("skeletons", ("skeleton_richness", "skeleton_shannon_bits"), _skeletons)
    r("hamming", ("hamming_richness", "hamming_shannon_bits"), _hamming,
      applies=lambda w: w.hamming_radius > 0)
    r("tracer_tokens", ("token_origins", "token_initial_share", "token_top_share"), _tokens,
      applies=lambda w: w.tracer_tokens)
    r("replication", ("score_sample", "score_mean", "score_max", "replicators", "confirmed",
                      "replicator_fraction"), _replication,
      applies=lambda w: w.score_sample > 0)
    r("wall_time", ("wall_time",), None, BOTH)  # the run loop's clock
    r("modes", ("modes_change", "modes_novelty", "modes_ecology", "modes_complexity",
                "modes_persistent"), None,  # the history recorder's MODES tracker
      applies=lambda w: w.modes_persistence > 0)


_register()
