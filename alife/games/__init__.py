"""Empirical games and self-play (selfplay.md; Balduzzi et al. 2018, 2019; Czarnecki et al.
2020; Omidshafiei et al. 2019; Zhang et al. 2024).

Metrics of antisymmetric payoff matrices (numpy/scipy), empirical games between soup species
(numba), and self-play training (:mod:`alife.games.selfplay`, needs torch: ``pip install
alife[neural]``; imported on demand, never here).
"""

from alife.games.alpharank import alpharank, fixation_probabilities, transition_matrix
from alife.games.dynamics import ReplicatorFit, replicator_fit, replicator_trajectory
from alife.games.metrics import (
    cyclic_fraction,
    effective_diversity,
    exploitability,
    hodge_decomposition,
    hodge_rating,
    nash_averaged_skill,
    relative_population_performance,
    schur,
    schur_embedding,
    schur_moduli,
    three_cycles,
)
from alife.games.nash import nash, nash_clusters, support
from alife.games.payoff import EmpiricalGame, bootstrap, exact_game, win_rate_game
from alife.games.ratings import elo_predictions, elo_ratings, elo_residual
from alife.games.soup_game import (
    first_mover_advantage,
    game_from_outcomes,
    interaction_outcomes,
    outcomes_from_function,
    soup_species_game,
    species_frequencies,
    species_game,
    species_game_series,
)
from alife.games.spinning_top import (
    FictitiousRun,
    Profile,
    fixed_memory_fictitious_play,
    layered_cycle_game,
    spinning_top_profile,
)
from alife.games.summary import game_summary, significant_cells
from alife.games.tables import blotto_allocations, blotto_table, kuhn_table

__all__ = [
    "EmpiricalGame", "FictitiousRun", "Profile", "ReplicatorFit", "alpharank",
    "blotto_allocations", "blotto_table", "bootstrap", "cyclic_fraction", "effective_diversity",
    "elo_predictions", "elo_ratings", "elo_residual", "exact_game", "exploitability",
    "first_mover_advantage", "fixation_probabilities", "fixed_memory_fictitious_play",
    "game_from_outcomes", "game_summary", "hodge_decomposition", "hodge_rating",
    "interaction_outcomes", "kuhn_table", "layered_cycle_game", "nash", "nash_averaged_skill",
    "nash_clusters", "outcomes_from_function", "relative_population_performance", "replicator_fit",
    "replicator_trajectory", "schur", "schur_embedding", "schur_moduli", "significant_cells",
    "soup_species_game", "species_frequencies", "species_game", "species_game_series",
    "spinning_top_profile", "support", "three_cycles", "transition_matrix", "win_rate_game",
]
