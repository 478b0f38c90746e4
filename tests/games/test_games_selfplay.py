"""Self-play: meta-strategy solvers, the torch training loop, its HDF5 log, and the known
results of selfplay.md on small budgets (Zhang et al. 2024; Balduzzi et al. 2019)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from alife.errors import AlifeError
from alife.games.solvers import SOLVERS, SolverParams, solve

RPS = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)


def population_game(seed: int, n: int) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(n, n))
    return a - a.T


@pytest.mark.parametrize("name", list(SOLVERS))
def test_every_solver_returns_mixtures_over_the_population(name):
    a = population_game(0, 6)
    ms = solve(name, a)
    assert ms.sigma.shape[1] == 6 and ms.sigma.shape[0] == len(ms.starts) >= 1
    assert np.allclose(ms.sigma.sum(axis=1), 1) and ms.sigma.min() >= 0
    assert ms.meta.shape == (6,) and ms.meta.sum() == pytest.approx(1)


def test_solver_outputs_follow_their_definitions():
    a = population_game(1, 5)
    assert solve("vanilla", a).sigma[0].tolist() == [0, 0, 0, 0, 1]
    assert np.allclose(solve("fictitious", a).sigma[0], 0.2)
    d = solve("delta_uniform", a, SolverParams(delta=0.5)).sigma[0]
    assert np.allclose(d, [0, 0, 1 / 3, 1 / 3, 1 / 3])
    # PFSP puts most weight on the opponents the newest policy loses to
    w = solve("prioritized", a).sigma[0]
    assert np.argmax(w) == np.argmin(a[-1])
    nash = solve("psro_nash", RPS)
    assert np.allclose(nash.sigma[0], 1 / 3) and not nash.rectified
    rn = solve("psro_rn", RPS, SolverParams(max_learners=2))
    assert rn.rectified and len(rn.starts) == 2 and np.allclose(rn.sigma, 1 / 3)
    with pytest.raises(AlifeError, match="solver"):
        solve("alphazero", a)


@pytest.mark.slow
def test_selfplay_without_torch_names_the_extra():
    code = ("import sys; sys.modules['torch'] = None\n"
            "from alife.errors import AlifeError\n"
            "try:\n    import alife.games.selfplay\nexcept AlifeError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install alife[neural]" in out.stdout
    # and the rest of alife.games never needs torch
    code = "import sys; sys.modules['torch'] = None\nimport alife.games; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


torch = pytest.importorskip("torch")
from alife.games.selfplay import Game, SelfPlayConfig, read_log, train  # noqa: E402


def run(game, solver, generations, seed, **kw):
    return train(SelfPlayConfig(game=game, solver=solver, generations=generations, seed=seed,
                                oracle_steps=40, **kw))


def test_games_are_antisymmetric_and_exploitability_is_exact():
    for name in ("rps", "biased_rps", "rpsls", "disc", "blotto"):
        g = Game(SelfPlayConfig(game=name))
        thetas = torch.randn(5, g.dim, dtype=torch.float64, generator=torch.Generator()
                             .manual_seed(0))
        a = g.payoff_matrix(thetas)
        assert np.allclose(a, -a.T) and np.abs(a).max() > 0
    g = Game(SelfPlayConfig(game="biased_rps"))
    pure = torch.eye(3, dtype=torch.float64) * 40
    assert g.exploitability(pure, np.array([0.2, 0.6, 0.2])) == pytest.approx(0, abs=1e-9)
    assert g.exploitability(pure, np.array([1.0, 0, 0])) == pytest.approx(1)
    disc = Game(SelfPlayConfig(game="disc"))
    pts = torch.tensor([[0.6, 0.0], [-0.3, 0.0]], dtype=torch.float64)
    assert disc.exploitability(pts, np.array([0.5, 0.5])) == pytest.approx(0.15)


def test_training_is_deterministic_for_a_seed():
    one, two = run("disc", "psro_rn", 3, 7), run("disc", "psro_rn", 3, 7)
    assert np.array_equal(one.thetas, two.thetas)
    assert not np.array_equal(one.thetas, run("disc", "psro_rn", 3, 8).thetas)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_vanilla_self_play_stays_exploitable_while_fictitious_and_psro_nash_converge(seed):
    vanilla = run("rps", "vanilla", 12, seed).exploitability
    fictitious = run("rps", "fictitious", 12, seed).exploitability
    psro = run("rps", "psro_nash", 12, seed).exploitability
    assert min(vanilla[3:]) > 0.8  # it cycles R -> P -> S: always beaten
    assert fictitious[-1] < 0.3 and fictitious[-1] < vanilla[-1] / 3
    assert psro[-1] < 0.01


@pytest.mark.parametrize("seed", range(3))
def test_psro_rectified_nash_grows_effective_diversity_faster_on_the_disc_game(seed):
    n = run("disc", "psro_nash", 6, seed).effective_diversity
    rn = run("disc", "psro_rn", 6, seed).effective_diversity
    assert rn[-1] > 0.2 and rn[-1] > 3 * n[-1]


def test_every_generation_is_logged_to_hdf5(tmp_path):
    path = tmp_path / "sp.h5"
    res = train(SelfPlayConfig(game="blotto", solver="prioritized", generations=3,
                               oracle_steps=10), log=path)
    log = read_log(path)
    assert log["config"]["game"] == "blotto" and log["config"]["solver"] == "prioritized"
    assert len(log["generations"]) == 4
    for i, gen in enumerate(log["generations"]):
        assert gen["payoff"].shape == (i + 1, i + 1)
        assert np.allclose(gen["payoff"], -gen["payoff"].T)
        assert gen["sigma"].shape == (1, i + 1) and np.allclose(gen["sigma"].sum(axis=1), 1)
    assert np.allclose(log["series"]["exploitability"], res.exploitability)
    with pytest.raises(AlifeError, match="already exists"):
        train(SelfPlayConfig(generations=1), log=path)
    with pytest.raises(AlifeError, match="game"):
        train(SelfPlayConfig(game="chess"))
