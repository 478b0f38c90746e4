"""The self-referential weight matrix (Irie et al. 2022): one step against a hand computation of
the four equations, gradients to W_0 through the self-updates, reset and carry, the fake SR
baseline, the few-shot episodes and models, and the training script on a tiny budget."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch  # the neural extra; the dev install has it (pyproject: dev)

from alife.errors import AlifeError
from alife.neural.fewshot import (
    EpisodeConfig,
    FewShotModel,
    ModelConfig,
    TrainConfig,
    block_change,
    count_parameters,
    load_digits_data,
    sample_episodes,
    self_modification,
    train,
)
from alife.neural.srwm import (
    SRWMConfig,
    SRWMLayer,
    SRWMNet,
    srwm_rows,
    srwm_sequence,
    srwm_step,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "experiments" / "srwm_fewshot.py"


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def hand_step(W: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The four equations written out with loops over rows (neural.md, "SRWM")."""
    R, d_in = W.shape
    d_out = R - 2 * d_in - 4
    out = np.array([sum(W[r, c] * x[c] for c in range(d_in)) for r in range(R)])
    y = out[:d_out]
    k = out[d_out:d_out + d_in]
    q = out[d_out + d_in:d_out + 2 * d_in]
    beta = out[d_out + 2 * d_in:]
    phi_k, phi_q = softmax(k), softmax(q)
    v = W @ phi_q
    v_bar = W @ phi_k
    sigma = 1 / (1 + np.exp(-beta))
    W_new = W.copy()
    for r in range(R):
        block = 0 if r < d_out else 1 if r < d_out + d_in else 2 if r < d_out + 2 * d_in else 3
        for c in range(d_in):
            W_new[r, c] = W[r, c] + sigma[block] * (v[r] - v_bar[r]) * phi_k[c]
    return y, W_new


@pytest.mark.parametrize("d_in,d_out", [(3, 3), (2, 5)])
def test_one_step_equals_hand_computation(d_in: int, d_out: int) -> None:
    rng = np.random.default_rng(d_in * 10 + d_out)
    W = rng.normal(size=(srwm_rows(d_in, d_out), d_in))
    x = rng.normal(size=d_in)
    y, W_new = srwm_step(torch.tensor(W), torch.tensor(x))
    y_ref, W_ref = hand_step(W, x)
    np.testing.assert_allclose(y.numpy(), y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(W_new.numpy(), W_ref, rtol=1e-12, atol=1e-12)
    assert not np.allclose(W_ref, W)  # the step really rewrote the matrix


def test_sequence_is_repeated_steps_and_y_uses_the_previous_matrix() -> None:
    rng = np.random.default_rng(1)
    W0 = rng.normal(size=(srwm_rows(3), 3))
    xs = rng.normal(size=(4, 3))
    ys, W_T, history = srwm_sequence(torch.tensor(W0), torch.tensor(xs), record=True)
    W = W0
    for t in range(4):
        np.testing.assert_allclose(ys[t].numpy(), W[:3] @ xs[t], atol=1e-12)  # y_t = W_{t-1} x_t
        _, W = hand_step(W, xs[t])
        np.testing.assert_allclose(history[t + 1].numpy(), W, atol=1e-12)
    np.testing.assert_allclose(W_T.numpy(), W, atol=1e-12)
    np.testing.assert_allclose(history[0].numpy(), W0)


def test_batched_heads_match_single_matrices() -> None:
    """A batch of sequences x heads runs each matrix on its own sequence."""
    g = torch.Generator().manual_seed(2)
    W0 = torch.randn(3, srwm_rows(4), 4, generator=g, dtype=torch.float64)  # 3 heads
    xs = torch.randn(5, 2, 3, 4, generator=g, dtype=torch.float64)  # T=5, B=2, H=3
    ys, W_T, _ = srwm_sequence(W0.expand(2, *W0.shape), xs)
    for b in range(2):
        for h in range(3):
            y1, W1, _ = srwm_sequence(W0[h], xs[:, b, h])
            torch.testing.assert_close(ys[:, b, h], y1)
            torch.testing.assert_close(W_T[b, h], W1)


def test_gradients_reach_w0_through_self_updates() -> None:
    """gradcheck in double precision through 4 self-updates of a tiny matrix."""
    g = torch.Generator().manual_seed(3)
    W0 = torch.randn(srwm_rows(2), 2, generator=g, dtype=torch.float64, requires_grad=True)
    xs = torch.randn(4, 2, generator=g, dtype=torch.float64)

    def last_output_and_matrix(W: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        ys, W_T, _ = srwm_sequence(W, xs)
        return ys[-1], W_T

    assert torch.autograd.gradcheck(last_output_and_matrix, (W0,), eps=1e-6, atol=1e-5)
    # y_T depends on W_0 through the updates too, not only through W_0 x_T
    ys, _, _ = srwm_sequence(W0, xs)
    (grad,) = torch.autograd.grad(ys[-1].sum(), W0)
    ys_fake, _, _ = srwm_sequence(W0, xs, self_modify=False)
    (grad_fake,) = torch.autograd.grad(ys_fake[-1].sum(), W0)
    assert grad[2:].abs().sum() > 1e-3  # k, q, β rows get gradient only via self-modification
    assert grad_fake[2:].abs().sum() == 0


def test_fake_sr_never_changes_w() -> None:
    torch.manual_seed(4)
    net = SRWMNet(SRWMConfig(d_model=8, n_heads=2, n_layers=2, d_ff=8, self_modify=False))
    h = torch.randn(6, 3, 8)
    _, state, history = net(h, record=True)
    for layer, W_T, hist in zip(net.srwm, state, history, strict=True):
        torch.testing.assert_close(W_T, layer.initial_state(3).detach(), rtol=0, atol=0)
        assert torch.equal(hist, layer.W0.detach().expand_as(hist))
    # and outputs do not depend on earlier steps: each step alone gives the same output
    out, _, _ = net(h)
    for t in range(6):
        out_t, _, _ = net(h[t:t + 1])
        torch.testing.assert_close(out_t[0], out[t])


def test_real_srwm_changes_w_and_depends_on_the_past() -> None:
    torch.manual_seed(5)
    net = SRWMNet(SRWMConfig(d_model=8, n_heads=2, n_layers=1, d_ff=8))
    h = torch.randn(6, 3, 8)
    out, (W_T,), _ = net(h)
    assert (W_T - net.srwm[0].initial_state(3)).abs().max() > 1e-3
    out_last, _, _ = net(h[-1:])
    assert (out_last[0] - out[-1]).abs().max() > 1e-4


def test_reset_and_carry() -> None:
    """state=None restarts from W_0; a carried state continues exactly, detached."""
    torch.manual_seed(6)
    net = SRWMNet(SRWMConfig(d_model=8, n_heads=2, n_layers=2, d_ff=8)).double()
    h = torch.randn(8, 2, 8, dtype=torch.float64)
    whole, state_whole, _ = net(h)
    first, state, _ = net(h[:5])
    second, state2, _ = net(h[5:], state=state)
    torch.testing.assert_close(torch.cat([first, second]), whole)
    for a, b in zip(state2, state_whole, strict=True):
        torch.testing.assert_close(a, b)
    assert all(not s.requires_grad for s in state)  # carried states are detached
    # a reset run of the second segment differs from the carried one ...
    reset, _, _ = net(h[5:])
    assert (reset - second).abs().max() > 1e-4
    # ... and equals a fresh run of those steps from W_0
    fresh, _, _ = net(h[5:], state=None)
    torch.testing.assert_close(reset, fresh)
    # gradients of the second segment stop at the boundary: the carried matrices replace W_0,
    # so W_0 gets no gradient from it (truncated backprop), while a reset run reaches W_0
    net.zero_grad()
    second.sum().backward()
    assert all(layer.W0.grad is None for layer in net.srwm)
    assert net.srwm[0].out.weight.grad.abs().sum() > 0
    reset.sum().backward()
    assert all(layer.W0.grad.abs().sum() > 0 for layer in net.srwm)


def test_freeze_from_stops_the_updates() -> None:
    torch.manual_seed(7)
    layer = SRWMLayer(8, 2)
    h = torch.randn(6, 2, 8)
    _, W_T, hist = layer(h, freeze_from=3, record=True)
    assert torch.equal(W_T, hist[3])  # steps 3, 4, 5 left W_3 alone
    assert (hist[3] - hist[0]).abs().max() > 1e-4
    _, W_none, _ = layer(h, freeze_from=0)
    torch.testing.assert_close(W_none, layer.initial_state(2), rtol=0, atol=0)


def test_bad_shapes_and_configs_raise_alife_error() -> None:
    with pytest.raises(AlifeError, match="divisible"):
        SRWMConfig(d_model=10, n_heads=4)
    with pytest.raises(AlifeError, match="d_in"):
        srwm_step(torch.zeros(srwm_rows(3), 3), torch.zeros(4))
    net = SRWMNet(SRWMConfig(d_model=8, n_heads=2, n_layers=1, d_ff=8))
    with pytest.raises(AlifeError, match="state"):
        net(torch.zeros(2, 3, 8), state=(torch.zeros(2, 2, srwm_rows(4), 4),))
    with pytest.raises(AlifeError, match="unknown model"):
        ModelConfig(core="gru")
    with pytest.raises(AlifeError, match="overlap"):
        EpisodeConfig(train_classes=(0, 1, 2, 3, 4), test_classes=(4, 5, 6, 7, 8))


def test_missing_torch_names_the_extra() -> None:
    code = ("import sys; sys.modules['torch'] = None\n"
            "import alife.neural\n"  # the package itself needs no torch
            "try:\n    import alife.neural.srwm\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.startswith("AlifeError") and "pip install alife[neural]" in out


def test_episodes_permute_labels_and_hide_query_labels() -> None:
    digits = load_digits_data()
    cfg = EpisodeConfig(n_way=5, k_shot=2, n_query=1)
    pool = digits.by_class(cfg.train_classes)
    ep = sample_episodes(digits, pool, cfg, 40, np.random.default_rng(0))
    assert ep.images.shape == (15, 40, 1, 8, 8)
    assert (ep.label_in[10:] == 5).all() and (ep.label_in[:10] == ep.target[:10]).all()
    flat = ep.images.reshape(15, 40, 64).numpy()
    index = {digits.images[i].tobytes(): digits.labels[i] for i in range(len(digits.labels))}
    mapping = set()
    for b in range(40):
        digit_of = {}
        for t in range(15):
            digit = index[flat[t, b].reshape(1, 8, 8).tobytes()]
            assert digit in cfg.train_classes
            assert digit_of.setdefault(int(ep.target[t, b]), digit) == digit  # one digit a label
        assert sorted(np.bincount(ep.target[:10, b].numpy())) == [2] * 5  # K per class
        mapping.add(tuple(digit_of[j] for j in range(5)))
    assert len(mapping) > 20  # labels really are permuted per episode


def test_models_have_similar_parameter_counts() -> None:
    counts = {core: count_parameters(FewShotModel(ModelConfig(core=core), 5))
              for core in ("srwm", "fake_sr", "lstm")}
    assert counts["srwm"] == counts["fake_sr"]
    assert abs(counts["lstm"] - counts["srwm"]) / counts["srwm"] < 0.03


def test_training_learns_and_analysis_runs() -> None:
    """A tiny budget trains end to end; the record and the self-modification analysis have
    their parts (W_0 first, W_t changing over the episode)."""
    digits = load_digits_data()
    ep_cfg = EpisodeConfig(n_way=2, k_shot=1, n_query=1, train_classes=(0, 1, 2),
                           test_classes=(5, 6, 7))
    model_cfg = ModelConfig(core="srwm", d_model=16, n_heads=2, n_layers=1, d_ff=16)
    run = train(model_cfg, ep_cfg, TrainConfig(steps=20, batch=16, lr=3e-3, eval_episodes=50,
                                               log_every=10), digits)
    rec = run.record
    assert len(rec["curve"]) == 2 and rec["parameters"] == count_parameters(run.model)
    assert 0 <= rec["test_acc"] <= 1
    sm = self_modification(run.model, digits, ep_cfg, 40, seed=1)
    assert set(sm["accuracy"]) == {"continue", "frozen_after_support", "never"}
    change = sm["relative_change"][0]
    assert set(change) == {"y", "k", "q", "beta"} and len(change["y"]) == ep_cfg.length + 1
    assert change["y"][0] == 0 and change["y"][-1] > 0


def test_block_change_measures_relative_norms() -> None:
    d = 2
    W0 = torch.ones(1, 1, srwm_rows(d), d)
    W1 = W0.clone()
    W1[..., :d, :] *= 2  # y block doubles: relative change 1
    change = block_change(torch.stack([W0, W1]), d)
    np.testing.assert_allclose(change["y"], [0, 1])
    np.testing.assert_allclose(change["k"], [0, 0])


@pytest.mark.slow
def test_script_smoke(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--steps", "4", "--seeds", "0", "--shots", "1",
         "--eval-episodes", "20", "--d-model", "16", "--batch", "4", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    results = json.loads((tmp_path / "srwm_fewshot.json").read_text())
    assert {r["model"] for r in results["runs"]} == {"proto", "srwm", "fake_sr", "lstm",
                                                     "delta"}
    assert "| srwm |" in (tmp_path / "srwm_fewshot_table.md").read_text()
    assert list(tmp_path.glob("srwm_selfmod_*.png"))
    assert all(r["train_config"]["max_train_shot"] == 5 for r in results["runs"])
    merged = subprocess.run(
        [sys.executable, str(SCRIPT), "--merge", str(tmp_path / "srwm_fewshot.json"), "--out",
         str(tmp_path / "merged")], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "merged" / "srwm_fewshot_table.md").read_text() == \
        (tmp_path / "srwm_fewshot_table.md").read_text()
    bad = subprocess.run([sys.executable, str(SCRIPT), "--shots", "0"], capture_output=True,
                         text=True, cwd=tmp_path, timeout=60)
    assert bad.returncode == 2 and "error" in bad.stderr and "Traceback" not in bad.stderr


def test_prototype_logits_are_minus_squared_distances_to_class_means() -> None:
    """Two labels, one episode: supports (label 0) at 0 and 2, (label 1) at 10; a query at 4 is
    4 - 1 = 3 from label 0's mean and 6 from label 1's: logits -9 and -36 (Snell et al. 2017)."""
    from alife.neural.fewshot import prototype_logits

    code = torch.tensor([[[0.0]], [[2.0]], [[10.0]], [[4.0]]])  # [T=4, B=1, D=1]
    labels = torch.tensor([[0], [0], [1]])
    logits = prototype_logits(code, labels, 2)
    assert logits.shape == (4, 1, 2)
    assert logits[:3].abs().sum() == 0
    assert logits[3, 0].tolist() == [-9.0, -36.0]
    model = FewShotModel(ModelConfig(core="proto"), 5)
    assert count_parameters(model) == count_parameters(model.encoder)
