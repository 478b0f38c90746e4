"""Self-play training with meta-strategy solvers and a gradient best-response oracle (Zhang et
al. 2024, "A survey on self-play methods in reinforcement learning"; Lanctot et al. 2017, PSRO;
Balduzzi et al. 2019, the disc game and PSRO-rN).

A population Π of parameter vectors grows by generations. Each generation the population's
payoff matrix A_ij = φ(π_i, π_j) is computed exactly, a solver (:mod:`alife.games.solvers`)
turns it into the interaction matrix Σ, and the oracle trains every new learner by gradient
ascent on Σ_w Σ_lw φ(π, π_w) (rectified: only opponents with
φ >= 0 count), then adds it to Π. A learner starts afresh (parameters near 0: the uniform
policy, the disc's centre), since a saturated softmax policy cannot move; PSRO-rN's learners, and
all learners with ``continue_training``, start from the solver's policy instead. The
meta-mixture's exploitability is measured in the true game: exactly for matrix and disc games,
by multi-start gradient search for Blotto.

Games (all symmetric zero-sum, φ(x, y) = -φ(y, x)):
- ``rps``, ``biased_rps``, ``rpsls``: matrix games; a policy is logits and
  φ = softmax(x)ᵀ M softmax(y);
- ``disc``: points of the unit disc, φ(v, w) = vᵀ [[0, -1], [1, 0]] w (Balduzzi et al. 2019);
- ``blotto``: budget 1 over K fields (softmax of logits), φ = mean_k tanh(c (x_k - y_k)), a
  smooth Colonel Blotto.

Every generation's payoff matrix, Σ, starting policies and meta-mixture are logged to HDF5.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from alife.errors import AlifeError
from alife.games.metrics import effective_diversity
from alife.games.nash import nash
from alife.games.solvers import SOLVERS, SolverParams, solve

try:
    import torch
except ImportError as exc:  # torch is the optional `neural` extra
    raise AlifeError("alife.games.selfplay needs torch, which is not installed; "
                     "install the extra: pip install alife[neural]") from exc

MATRICES = {
    "rps": [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
    "biased_rps": [[0, -1, 3], [1, 0, -1], [-3, 1, 0]],  # Nash (1/5, 3/5, 1/5)
    "rpsls": [[0, -1, 1, 1, -1], [1, 0, -1, -1, 1], [-1, 1, 0, 1, -1], [-1, 1, -1, 0, 1],
              [1, -1, 1, -1, 0]],
}
GAMES = (*MATRICES, "disc", "blotto")
TIE = 1e-9  # |φ| below this is a tie for the rectified objective
_J = torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=torch.float64)


@dataclass(frozen=True)
class SelfPlayConfig:
    """One self-play experiment: game, solver, budget and oracle settings."""

    game: str = "rps"
    solver: str = "psro_nash"
    generations: int = 30
    oracle_steps: int = 50
    lr: float = 0.1
    seed: int = 0
    init_scale: float = 2.0  # spread of the first policy's parameters
    blotto_fields: int = 3
    blotto_sharpness: float = 20.0
    max_population: int = 200
    continue_training: bool = False  # learners start from the solver's policy, not afresh
    solver_params: SolverParams = field(default_factory=SolverParams)


def _adam(params: torch.Tensor, loss_fn: Any, steps: int, lr: float) -> torch.Tensor:
    """``steps`` Adam steps (β = 0.9, 0.999) minimising ``loss_fn(params)``, written out: the
    torch.optim import costs seconds per process, more than a whole small experiment."""
    x = params.detach().clone()
    m = torch.zeros_like(x)
    v = torch.zeros_like(x)
    for t in range(1, steps + 1):
        x.requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_fn(x), x)
        x = x.detach()
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        x -= lr * (m / (1 - 0.9**t)) / (torch.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return x


class Game:
    """A differentiable symmetric zero-sum game on parameter vectors (float64[dim])."""

    def __init__(self, config: SelfPlayConfig) -> None:
        self.name = config.game
        self.config = config
        if self.name in MATRICES:
            self.matrix = torch.tensor(MATRICES[self.name], dtype=torch.float64)
            self.dim = self.matrix.shape[0]
        elif self.name == "disc":
            self.dim = 2
        elif self.name == "blotto":
            if config.blotto_fields < 2:
                raise AlifeError(f"blotto_fields must be >= 2, got {config.blotto_fields}")
            self.dim = config.blotto_fields
        else:
            raise AlifeError(f"unknown self-play game {self.name!r}; expected one of "
                             f"{', '.join(GAMES)}")

    def strategy(self, theta: torch.Tensor) -> torch.Tensor:
        """The played strategy of parameters ``theta`` (float[..., dim])."""
        if self.name == "disc":
            norm = theta.norm(dim=-1, keepdim=True)
            return theta / torch.clamp(norm, min=1.0)
        return torch.softmax(theta, dim=-1)

    def payoff(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """φ between strategies x (float[a, dim]) and y (float[b, dim]) as float[a, b]."""
        if self.name in MATRICES:
            return x @ self.matrix @ y.T
        if self.name == "disc":
            return x @ _J @ y.T
        c = self.config.blotto_sharpness
        return torch.tanh(c * (x[:, None, :] - y[None, :, :])).mean(dim=-1)

    def payoff_matrix(self, thetas: torch.Tensor) -> np.ndarray:
        """A_ij = φ(π_i, π_j) of the population (float64[n, n], exactly antisymmetric)."""
        with torch.no_grad():
            s = self.strategy(thetas)
            a = self.payoff(s, s).numpy()
        return 0.5 * (a - a.T)

    def cross_payoff(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """φ between two populations' policies (parameters float[|P|, dim], float[|Q|, dim]) as
        float64[|P|, |Q|], made exactly antisymmetric across the swap (the meta-game of
        relative population performance, Balduzzi et al. 2019)."""
        with torch.no_grad():
            sp = self.strategy(torch.as_tensor(p, dtype=torch.float64))
            sq = self.strategy(torch.as_tensor(q, dtype=torch.float64))
            a = self.payoff(sp, sq).numpy()
            b = self.payoff(sq, sp).numpy()
        return 0.5 * (a - b.T)

    def exploitability(self, thetas: torch.Tensor, meta: np.ndarray, seed: int = 0) -> float:
        """max over all strategies of φ(best response, meta-mixture of the population)."""
        w = torch.tensor(meta, dtype=torch.float64)
        with torch.no_grad():
            s = self.strategy(thetas)
            if self.name in MATRICES:  # the mixture is a mixed strategy: best pure reply
                return float((self.matrix @ (w @ s)).max())
            if self.name == "disc":  # max_{|u|<=1} uᵀ J m = |J m| = |m|
                return float((w @ s).norm())
        # Blotto: multi-start gradient ascent over allocations (a lower bound, near-exact)
        g = torch.Generator().manual_seed(seed)
        starts = torch.randn(64, self.dim, generator=g, dtype=torch.float64) * 3
        starts = torch.cat([starts, 6 * torch.eye(self.dim, dtype=torch.float64),
                            torch.zeros(1, self.dim, dtype=torch.float64)])
        y = _adam(starts, lambda y: -(self.payoff(self.strategy(y), s) @ w).sum(), 200, 0.1)
        with torch.no_grad():
            return float((self.payoff(self.strategy(y), s) @ w).max())


def oracle(game: Game, start: torch.Tensor, opponents: torch.Tensor, weights: np.ndarray,
           rectified: bool, steps: int, lr: float) -> torch.Tensor:
    """Gradient best response: ``steps`` Adam steps from ``start`` on Σ_w weights_w φ(π, π_w)
    (rectified: Σ_w weights_w max(φ(π, π_w), 0), ties, |φ| <= TIE, keeping their gradient)."""
    keep = weights > 0
    opp = game.strategy(opponents[torch.from_numpy(keep)]).detach()
    w = torch.tensor(weights[keep], dtype=torch.float64)

    def loss(theta: torch.Tensor) -> torch.Tensor:
        phi = game.payoff(game.strategy(theta[None, :]), opp)[0]
        if rectified:  # ties count (a learner starts tied with itself), rounding included
            phi = torch.where(phi >= -TIE, phi, torch.zeros_like(phi))
        return -(phi @ w)

    return _adam(start, loss, steps, lr)


@dataclass
class SelfPlayResult:
    """Per generation (before its training): population size, exploitability of the
    meta-mixture, effective diversity of the population's Nash; the final population."""

    config: SelfPlayConfig
    population: list[int] = field(default_factory=list)
    exploitability: list[float] = field(default_factory=list)
    effective_diversity: list[float] = field(default_factory=list)
    thetas: np.ndarray | None = None
    payoff: np.ndarray | None = None
    meta: np.ndarray | None = None


def _config_json(config: SelfPlayConfig) -> str:
    return json.dumps(asdict(config), sort_keys=True)


def train(config: SelfPlayConfig, log: str | os.PathLike | None = None) -> SelfPlayResult:
    """Run self-play for ``config.generations`` generations; log every one to ``log`` (HDF5,
    must not exist) when given. Deterministic for a seed (one torch thread)."""
    if config.solver not in SOLVERS:
        raise AlifeError(f"unknown meta-strategy solver {config.solver!r}; expected one of "
                         f"{', '.join(SOLVERS)}")
    if config.generations < 1 or config.oracle_steps < 0 or config.lr <= 0:
        raise AlifeError("need generations >= 1, oracle_steps >= 0 and lr > 0, got "
                         f"{config.generations}, {config.oracle_steps}, {config.lr}")
    game = Game(config)
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(config.seed)
    thetas = torch.randn(1, game.dim, generator=g, dtype=torch.float64) * config.init_scale
    if game.name == "disc":  # start inside the disc, away from its centre
        thetas = thetas / thetas.norm() * min(0.5, float(thetas.norm()))
    result = SelfPlayResult(config)
    out = None
    if log is not None:
        path = Path(log)
        if path.exists():
            raise AlifeError(f"{str(path)!r} already exists; self-play logs are never overwritten")
        out = h5py.File(path, "x")
        out.attrs["format"] = "alife-selfplay"
        out.attrs["config"] = _config_json(config)
    try:
        for gen in range(config.generations + 1):
            a = game.payoff_matrix(thetas)
            p = nash(a)
            ms = solve(config.solver, a, config.solver_params, p)
            result.population.append(len(thetas))
            result.exploitability.append(game.exploitability(thetas, ms.meta, config.seed))
            result.effective_diversity.append(effective_diversity(a, p))
            if out is not None:
                grp = out.create_group(f"generations/{gen:05d}")
                grp["payoff"], grp["sigma"], grp["starts"] = a, ms.sigma, ms.starts
                grp["meta"], grp["nash"] = ms.meta, p
                grp["thetas"] = thetas.numpy()
                grp.attrs["exploitability"] = result.exploitability[-1]
                grp.attrs["effective_diversity"] = result.effective_diversity[-1]
                grp.attrs["rectified"] = ms.rectified
            if gen == config.generations or len(thetas) >= config.max_population:
                break
            new = []
            for s, row in zip(ms.starts, ms.sigma, strict=True):
                start = thetas[s] if ms.rectified or config.continue_training else \
                    0.01 * torch.randn(game.dim, generator=g, dtype=torch.float64)
                new.append(oracle(game, start, thetas, row, ms.rectified, config.oracle_steps,
                                  config.lr))
            room = config.max_population - len(thetas)
            thetas = torch.cat([thetas, torch.stack(new[:room])])
        if out is not None:
            for name in ("population", "exploitability", "effective_diversity"):
                out[f"series/{name}"] = np.asarray(getattr(result, name))
    finally:
        if out is not None:
            out.close()
    result.thetas = thetas.numpy()
    result.payoff = game.payoff_matrix(thetas)
    result.meta = solve(config.solver, result.payoff, config.solver_params).meta
    return result


def read_log(path: str | os.PathLike) -> dict[str, Any]:
    """A self-play log: ``config`` (dict), ``series`` (arrays) and ``generations`` (a list of
    dicts with payoff, sigma, starts, meta, nash, thetas)."""
    p = Path(path)
    try:
        with h5py.File(p, "r") as f:
            if f.attrs.get("format") != "alife-selfplay":
                raise AlifeError(f"{str(p)!r} is not a self-play log (format attribute missing)")
            gens = [{k: v[()] for k, v in f["generations"][name].items()}
                    for name in sorted(f["generations"])]
            return {"config": json.loads(f.attrs["config"]),
                    "series": {k: v[()] for k, v in f["series"].items()},
                    "generations": gens}
    except (OSError, KeyError) as exc:
        raise AlifeError(f"cannot read self-play log {str(p)!r}: {exc}") from None
