"""The Delta Net baseline (Schlag et al. 2021): its step against a hand computation, the delta
rule storing a value under its key, and the few-shot model built on it."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from alife.neural.deltanet import DeltaNet, delta_step  # noqa: E402
from alife.neural.fewshot import FewShotModel, ModelConfig  # noqa: E402
from alife.neural.srwm import SRWMConfig  # noqa: E402


def test_delta_step_by_hand():
    """W_0 = 0, k = q = (1, 0), v = (2, 3): β = 1/2 gives W_1 = [[1, 0], [3/2, 0]] and y = (1,
    3/2); a second step with β = 1 corrects by v - W_1 k = (1, 3/2): W_2 k = v exactly."""
    W = torch.zeros(2, 2, dtype=torch.float64)
    k = q = torch.tensor([1.0, 0.0], dtype=torch.float64)
    v = torch.tensor([2.0, 3.0], dtype=torch.float64)
    y, W = delta_step(W, k, v, q, torch.tensor(0.5, dtype=torch.float64))
    assert W.tolist() == [[1.0, 0.0], [1.5, 0.0]] and y.tolist() == [1.0, 1.5]
    y, W = delta_step(W, k, v, q, torch.tensor(1.0, dtype=torch.float64))
    assert W.tolist() == [[2.0, 0.0], [3.0, 0.0]] and y.tolist() == [2.0, 3.0]
    # another key leaves the stored value alone (orthogonal keys do not interfere)
    k2 = torch.tensor([0.0, 1.0], dtype=torch.float64)
    _, W = delta_step(W, k2, torch.tensor([5.0, 7.0], dtype=torch.float64), k2,
                      torch.tensor(1.0, dtype=torch.float64))
    assert (W @ k).tolist() == [2.0, 3.0] and (W @ k2).tolist() == [5.0, 7.0]


def test_the_network_runs_batched_and_carries_its_fast_weights():
    torch.manual_seed(0)
    net = DeltaNet(SRWMConfig(16, 2, 2, 32))
    h = torch.randn(5, 3, 16)
    out, state, _ = net(h)
    assert out.shape == (5, 3, 16) and len(state) == 2 and state[0].shape == (3, 2, 8, 8)
    whole, _, _ = net(torch.cat([h, h]))
    _, carried_state, _ = net(h)
    second, _, _ = net(h, carried_state)
    assert torch.allclose(whole[5:], second, atol=1e-6)  # carrying = one long sequence


def test_the_few_shot_model_takes_the_delta_core():
    model = FewShotModel(ModelConfig(core="delta", d_model=16, n_heads=2, n_layers=1, d_ff=32),
                         n_way=5)
    assert type(model.core).__name__ == "DeltaNet"


def test_the_nearest_neighbour_ceiling_scores_the_same_episodes():
    import numpy as np

    from alife.neural.fewshot import Digits, EpisodeConfig, nearest_neighbour_accuracy

    labels = np.repeat(np.arange(10), 20)
    distinct = Digits(np.stack([np.full((1, 8, 8), c / 10, np.float32) for c in labels]), labels)
    cfg = EpisodeConfig(k_shot=1, n_query=3)
    assert nearest_neighbour_accuracy(distinct, cfg, 50, cfg.test_classes, 0).mean() == 1.0
    same = Digits(np.zeros((200, 1, 8, 8), np.float32), labels)  # nothing to tell apart
    chance = nearest_neighbour_accuracy(same, cfg, 400, cfg.test_classes, 0).mean()
    assert abs(chance - 1 / 5) < 0.05  # 1,200 queries: chance within 4 standard errors
