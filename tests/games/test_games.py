"""alife.games metrics: every fixture of selfplay.md, and the properties each metric promises."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.games import (
    alpharank,
    bootstrap,
    cyclic_fraction,
    effective_diversity,
    elo_predictions,
    elo_ratings,
    elo_residual,
    exact_game,
    exploitability,
    game_summary,
    hodge_decomposition,
    hodge_rating,
    nash,
    nash_averaged_skill,
    nash_clusters,
    replicator_fit,
    replicator_trajectory,
    schur_embedding,
    schur_moduli,
    support,
    three_cycles,
    transition_matrix,
    win_rate_game,
)

RPS = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)
GAME1 = np.array([[0, -1, 1, 1], [1, 0, -1, 1], [-1, 1, 0, 1], [-1, -1, -1, 0]], dtype=float)
_F = np.array([3, 2, 1, 0], dtype=float)
GAME2 = _F[:, None] - _F[None, :]
GAME3 = np.block([[RPS, np.ones((3, 3))], [-np.ones((3, 3)), RPS]])
THIRD = 1 / 3

# game, Nash, rating, κ, effective diversity, 3-cycles, Schur moduli, α-Rank, Nash-avg skill
FIXTURES = {
    "rps_plus_dominated": (GAME1, [THIRD, THIRD, THIRD, 0], [0.25, 0.25, 0.25, -0.75], 0.5, THIRD,
                           1, [math.sqrt(3), math.sqrt(3)], [THIRD, THIRD, THIRD, 0],
                           [0, 0, 0, -1]),
    "transitive": (GAME2, [1, 0, 0, 0], [1.5, 0.5, -0.5, -1.5], 0.0, 0.0, 0, [math.sqrt(20)],
                   [1, 0, 0, 0], [0, -1, -2, -3]),
}


def random_game(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    return a - a.T


@pytest.mark.parametrize("name", list(FIXTURES))
def test_spec_fixtures(name):
    a, p, r, kappa, ed, cycles, moduli, ar, skill = FIXTURES[name]
    got = nash(a)
    assert np.allclose(got, p, atol=1e-7)
    assert np.allclose(hodge_rating(a), r)
    assert cyclic_fraction(a) == pytest.approx(kappa, abs=1e-12)
    assert effective_diversity(a, got) == pytest.approx(ed, abs=1e-7)
    assert three_cycles(a) == cycles
    assert np.allclose(schur_moduli(a), moduli)
    assert np.allclose(alpharank(a, alpha=10, m=50), ar, atol=1e-9)
    assert np.allclose(nash_averaged_skill(a, got), skill, atol=1e-7)


def test_spec_fixture_two_layer_rps():
    clusters = nash_clusters(GAME3)
    assert [c.tolist() for c in clusters] == [[0, 1, 2], [3, 4, 5]]
    assert three_cycles(GAME3) == 2
    assert exploitability(GAME3, nash(GAME3)) == pytest.approx(0.0, abs=1e-7)
    assert exploitability(GAME3, np.full(6, 1 / 6)) == pytest.approx(0.5)


def test_nash_clusters_of_the_other_fixtures():
    assert [c.tolist() for c in nash_clusters(GAME1)] == [[0, 1, 2], [3]]
    assert [c.tolist() for c in nash_clusters(GAME2)] == [[0], [1], [2], [3]]


@pytest.mark.parametrize("seed", range(5))
def test_nash_is_unexploitable_and_every_best_response_is_in_its_support(seed):
    a = random_game(seed, 7)
    for selection in ("support", "vertex"):
        p = nash(a, selection)
        assert p.min() >= 0 and p.sum() == pytest.approx(1.0)
        assert exploitability(a, p) <= 1e-7
        skill = nash_averaged_skill(a, p)
        assert np.all(np.abs(skill[support(p)]) <= 1e-7)
    # any other mixture is exploitable
    q = np.random.default_rng(seed).dirichlet(np.ones(7))
    assert exploitability(a, q) > 1e-3


def test_maximal_support_nash_uses_every_copy_of_a_duplicated_strategy():
    dup = RPS[[0, 1, 2, 2]][:, [0, 1, 2, 2]]  # scissors twice: a continuum of Nash
    p = nash(dup)
    assert support(p).tolist() == [0, 1, 2, 3]
    assert p[:2] == pytest.approx([THIRD, THIRD], abs=1e-7)
    assert p[2] + p[3] == pytest.approx(THIRD, abs=1e-7)
    assert len(support(nash(dup, "vertex"))) == 3  # a vertex of the Nash set


@pytest.mark.parametrize("seed", range(3))
def test_hodge_parts_are_transitive_and_divergence_free(seed):
    a = random_game(seed, 6)
    t, c = hodge_decomposition(a)
    assert np.allclose(t + c, a)
    assert np.allclose(c.sum(axis=1), 0)  # the cyclic part has no divergence
    assert np.sum(t * c) == pytest.approx(0.0, abs=1e-9)  # orthogonal parts
    assert 0 <= cyclic_fraction(a) <= 1
    assert cyclic_fraction(RPS) == pytest.approx(1.0)
    assert math.isnan(cyclic_fraction(np.zeros((3, 3))))


def test_schur_embedding_reproduces_rank_two_games_as_cross_products():
    angles = np.linspace(0, 2 * np.pi, 7, endpoint=False)
    pts = 0.8 * np.c_[np.cos(angles), np.sin(angles)]
    disc = pts[:, 0, None] * pts[None, :, 1] - pts[:, 1, None] * pts[None, :, 0]
    for a in (disc, GAME2, RPS):
        x = schur_embedding(a)
        cross = x[:, 0, None] * x[None, :, 1] - x[:, 1, None] * x[None, :, 0]
        assert np.allclose(cross, a, atol=1e-9)
    moduli = schur_moduli(random_game(1, 6))
    assert len(moduli) == 3 and np.all(np.diff(moduli) <= 0)
    assert np.sum(2 * moduli**2) == pytest.approx(np.sum(random_game(1, 6) ** 2))


@pytest.mark.parametrize("seed", range(3))
def test_alpharank_is_the_stationary_distribution_of_its_chain(seed):
    a = random_game(seed, 5) * 0.3
    c = transition_matrix(a, alpha=2, m=50)
    assert np.allclose(c.sum(axis=1), 1) and c.min() >= 0
    pi = alpharank(a, alpha=2)
    assert np.allclose(pi @ c, pi, atol=1e-12) and pi.sum() == pytest.approx(1)


@pytest.mark.parametrize("seed", range(4))
def test_alpharank_agrees_with_openspiel(seed):
    pytest.importorskip("pyspiel")
    from open_spiel.python.egt import alpharank as os_alpharank

    a = random_game(seed, 5) * 0.5
    for alpha in (0.5, 2.0):
        _, _, pi, _, _ = os_alpharank.compute([a], m=50, alpha=alpha)
        assert np.allclose(alpharank(a, alpha=alpha, m=50), pi, atol=1e-8)


def test_elo_recovers_the_ratings_of_an_elo_game():
    truth = np.array([300.0, 120.0, 0.0, -170.0, -250.0])
    m = elo_predictions(truth)
    r = elo_ratings(m)
    assert np.allclose(r, truth - truth.mean(), atol=2.0)
    assert elo_residual(m, r) < 1e-3


def test_elo_is_misleading_on_cyclic_games():
    cyc = 0.5 + 0.4 * RPS
    assert np.allclose(elo_ratings(cyc), 0, atol=1e-6)
    assert elo_residual(cyc) == pytest.approx(0.4, abs=1e-6)
    trans = 0.5 + GAME2 / 8
    assert elo_residual(trans) < elo_residual(cyc) / 4


@pytest.mark.slow
@pytest.mark.parametrize("x0", [(0.6, 0.3, 0.1), (0.2, 0.2, 0.6), (0.45, 0.1, 0.45)])
def test_replicator_dynamics_on_rps_keep_the_time_average_at_the_nash(x0):
    traj = replicator_trajectory(RPS, x0, duration=300.0, steps=30000)
    assert np.allclose(traj.mean(axis=0), THIRD, atol=0.02)
    assert np.abs(traj[-1] - THIRD).max() > 0.05  # it cycles, it does not converge
    # Σ log x_i is conserved on RPS orbits
    h = np.log(traj).sum(axis=1)
    assert np.ptp(h) < 1e-4


def test_replicator_dynamics_select_the_winner_of_a_transitive_game():
    traj = replicator_trajectory(GAME2, np.full(4, 0.25), duration=20.0, steps=2000)
    assert traj[-1, 0] > 0.99


@pytest.mark.slow
def test_replicator_fit_recovers_the_time_scale_of_observed_frequencies():
    times = np.linspace(0, 5, 11)
    obs = np.array([replicator_trajectory(RPS, [0.5, 0.3, 0.2], 0.7 * t, 200)[-1]
                    for t in times])
    fit = replicator_fit(RPS, times, obs)
    assert fit.rate == pytest.approx(0.7, rel=1e-3)
    assert fit.error < 1e-5 < fit.static_error
    wrong = replicator_fit(-RPS, times, obs)  # the reversed game cannot explain the data
    assert wrong.error > 100 * fit.error


def test_win_rate_game_and_bootstrap_intervals_shrink_with_samples():
    m = 0.5 + 0.2 * RPS
    widths = []
    for games in (20, 2000):
        wins = m * games
        g = win_rate_game(wins, np.full((3, 3), games) - np.diag([games] * 3))
        assert np.allclose(g.payoff, 0.2 * RPS)
        assert np.allclose(g.win_probabilities()[~np.eye(3, dtype=bool)],
                           m[~np.eye(3, dtype=bool)])
        value, lo, hi = bootstrap(g, cyclic_fraction, samples=100, seed=1)
        assert value == pytest.approx(1.0) and lo <= value + 1e-12
        v, lo, hi = bootstrap(g, lambda a: float(a[0, 2]), samples=300, seed=1)
        assert lo < 0.2 < hi
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 5


def test_summary_of_an_exact_game():
    s = game_summary(exact_game(GAME1))
    assert s["nash_support"] == 3 and s["three_cycles"] == 1
    assert s["cyclic_fraction"] == pytest.approx(0.5)
    assert s["nash_clusters"] == [[0, 1, 2], [3]]
    assert s["significant_cells"] == 1.0


@pytest.mark.parametrize("bad", [np.ones((3, 3)), np.zeros((2, 3)), [[0, np.nan], [np.nan, 0]],
                                 np.zeros((0, 0))])
def test_bad_payoffs_are_refused_with_a_message(bad):
    with pytest.raises(AlifeError, match="payoff"):
        nash(bad)


def test_bad_mixtures_and_win_counts_are_refused():
    with pytest.raises(AlifeError, match="mixture"):
        exploitability(RPS, [0.5, 0.5])
    with pytest.raises(AlifeError, match="wins"):
        win_rate_game([[0, 3], [3, 0]], [[0, 4], [4, 0]])
