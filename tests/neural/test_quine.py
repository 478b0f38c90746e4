"""The neural network quine (Chang & Lipson 2018): the fixed projection, L_SR against a hand
computation, the report's figures, regeneration, frozen targets, save/load, training, hill
climbing, the auxiliary quine, bad input, and the reproduction script on a tiny budget."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch  # the neural extra; the dev install has it (pyproject: dev)

from alife.errors import AlifeError
from alife.neural.quine import (
    Quine,
    QuineConfig,
    QuineReport,
    accuracy,
    hill_climb,
    load,
    regenerate_only,
    train,
    train_auxiliary,
    train_epoch,
)
from alife.neural.quine_data import split

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "experiments" / "quine_reproduction.py"
TINY = QuineConfig(proj_dim=3, hidden=(4, 2), seed=5)  # N = 12 + 8 + 2 = 22


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def selu(x: np.ndarray) -> np.ndarray:
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * np.where(x > 0, x, alpha * (np.exp(x) - 1))


def hand_f(model: Quine) -> np.ndarray:
    """f_θ(c) for every c by explicit matrix products, one coordinate at a time."""
    P = model.projection.double().numpy()
    W1, W2, w3 = (p.detach().double().numpy() for p in model.body)
    out = []
    for c in range(model.n_params):
        h1 = selu(W1 @ P[:, c])
        h2 = selu(W2 @ h1)
        out.append(float((w3 @ h2)[0]))
    return np.array(out)


def test_paper_sizes_count_20100_and_21100_parameters():
    assert QuineConfig().n_params == 20_100
    aux = QuineConfig(n_classes=10, image_dim=784)
    assert aux.n_params == 21_100
    model = Quine(aux)
    assert sum(p.numel() for p in model.parameters()) == 21_100
    assert model.projection.shape == (100, 21_100)


def test_projection_is_fixed_seeded_and_not_a_parameter(tmp_path):
    a, b = Quine(TINY), Quine(TINY)
    other = Quine(QuineConfig(proj_dim=3, hidden=(4, 2), seed=6))
    assert torch.equal(a.projection, b.projection)
    assert not torch.equal(a.projection, other.projection)
    assert sum(p.numel() for p in a.parameters()) == a.n_params == 22
    assert all(p.data_ptr() != a.projection.data_ptr() for p in a.parameters())
    assert "projection" not in a.state_dict()  # rebuilt from the seed, not stored
    a.save(tmp_path / "q.pt")
    assert torch.equal(load(tmp_path / "q.pt").projection, a.projection)


def test_sr_loss_matches_a_hand_computation():
    model = Quine(TINY)
    f = hand_f(model)
    theta = model.flat().double().numpy()
    expected = float(((f - theta) ** 2).sum())
    np.testing.assert_allclose(model.predict_all().double().numpy(), f, rtol=1e-5, atol=1e-7)
    assert model.sr_loss() == pytest.approx(expected, rel=1e-5)
    rep = model.report()
    assert rep.loss == pytest.approx(expected, rel=1e-5)
    assert rep.weight_norm == pytest.approx(float((theta ** 2).sum()), rel=1e-6)


def test_report_formulas():
    rep = QuineReport(loss=4.0, n_params=100, weight_norm=8.0)
    assert rep.margin == pytest.approx(0.2)
    assert rep.quotient == pytest.approx(math.log(25.0))
    assert rep.rho == pytest.approx(0.5)
    d = rep.to_dict()
    assert d["rho"] == pytest.approx(0.5) and d["margin"] == pytest.approx(0.2)
    zero = QuineReport(loss=0.0, n_params=10, weight_norm=0.0)  # the zero quine
    assert zero.quotient == math.inf and math.isnan(zero.rho)
    diverged = QuineReport(loss=math.inf, n_params=10, weight_norm=math.inf)
    assert diverged.quotient == -math.inf and math.isnan(diverged.rho)
    assert diverged.to_dict()["margin"] == math.inf


def test_regeneration_writes_exactly_the_predictions():
    model = Quine(TINY)
    predicted = model.predict_all().clone()
    model.regenerate()
    assert torch.equal(model.flat(), predicted)


def test_pure_regeneration_collapses_from_the_paper_init_and_diverges_from_a_large_one():
    small = regenerate_only(Quine(QuineConfig(proj_dim=20, hidden=(20, 20))), 20)
    assert small.final.weight_norm < 1e-6 * small.reports[0].weight_norm
    large = regenerate_only(Quine(QuineConfig(proj_dim=20, hidden=(20, 20), init_scale=4.0)),
                            20)
    assert not math.isfinite(large.final.weight_norm) or large.final.weight_norm > 1e6


def _replay(model: Quine, seed: int, lr: float, frozen: bool) -> None:
    """One epoch of plain SGD by hand, targets frozen at the start or read live."""
    snapshot = model.flat()
    order = torch.randperm(model.n_params, generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for start in range(0, model.n_params, 10):
        coords = order[start:start + 10]
        targets = snapshot if frozen else model.flat()
        loss = ((model(coords) - targets[coords]) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()


@pytest.mark.slow
def test_targets_are_frozen_for_the_whole_epoch():
    lr = 0.5
    model = Quine(TINY)
    frozen, live = Quine(TINY), Quine(TINY)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    targets = train_epoch(model, opt, torch.Generator().manual_seed(3))
    assert torch.equal(targets, Quine(TINY).flat())  # the start-of-epoch snapshot
    _replay(frozen, 3, lr, frozen=True)
    _replay(live, 3, lr, frozen=False)
    torch.testing.assert_close(model.flat(), frozen.flat())
    assert not torch.allclose(model.flat(), live.flat(), atol=1e-6)  # the test can tell


def test_save_load_round_trip(tmp_path):
    model = Quine(QuineConfig(proj_dim=4, hidden=(5, 3), seed=2, n_classes=3, image_dim=6))
    train(model, "adam", epochs=1)
    model.save(tmp_path / "q.pt")
    back = load(tmp_path / "q.pt")
    assert back.config == model.config
    assert torch.equal(back.flat(), model.flat())
    assert torch.equal(back.predict_all(), model.predict_all())
    images = torch.rand(4, 6)
    assert torch.equal(back.classify(images), model.classify(images))


def test_load_refuses_a_foreign_file(tmp_path):
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    (tmp_path / "text.pt").write_text("not a torch file")
    torch.save({"format": "alife.neural.quine", "config": TINY.to_dict(),
                "state_dict": {"body.0": torch.zeros(1)}}, tmp_path / "broken.pt")
    for name in ("other.pt", "text.pt", "broken.pt", "missing.pt"):
        with pytest.raises(AlifeError, match="quine"):
            load(tmp_path / name)


def test_training_reduces_sr_loss():
    model = Quine(QuineConfig(proj_dim=8, hidden=(8, 8), seed=1))
    result = train(model, "adamax", epochs=5, lr=0.01)
    assert result.final.loss < 0.8 * result.reports[0].loss
    assert len(result.reports) == 6 and result.events == ("init",) + ("epoch",) * 5
    factory = train(Quine(QuineConfig(proj_dim=8, hidden=(8, 8), seed=1)),
                    lambda ps: torch.optim.SGD(ps, lr=0.02), epochs=3)
    assert factory.final.loss < factory.reports[0].loss


def test_alternating_training_regenerates_every_t_epochs():
    result = train(Quine(TINY), "adamax", regenerate_every=2, generations=3)
    assert result.events == ("init",) + ("epoch", "epoch", "regenerate") * 3


def test_hill_climbing_never_increases_the_loss():
    model = Quine(TINY)
    result = hill_climb(model, 60, sigma=0.05, seed=0)
    losses = [r.loss for r in result.reports]
    assert all(b <= a for a, b in zip(losses, losses[1:], strict=False))
    assert losses[-1] < losses[0]  # some candidate was accepted
    assert model.sr_loss() == pytest.approx(losses[-1], rel=1e-6)


@pytest.mark.slow
def test_auxiliary_quine_classifies_digits_above_chance():
    data = split("digits", n_test=300, seed=0, n_train=800)
    model = Quine(QuineConfig(proj_dim=32, hidden=(32, 32), n_classes=10,
                              image_dim=data.pixels))
    before = accuracy(model, data.test_images, data.test_labels)
    result = train_auxiliary(model, data.train_images, data.train_labels, data.test_images,
                             data.test_labels, epochs=3, image_batch=16, lr=0.01)
    assert result.reports[0].accuracy == before
    assert result.final.accuracy > 0.5  # chance is 0.1
    assert math.isfinite(result.final.rho)


@pytest.mark.slow
def test_bundled_splits_are_shuffled_and_disjoint():
    data = split("mnist", n_test=100, seed=0, n_train=400)
    assert data.pixels == 784 and len(data.test_labels) == 100
    assert len(set(data.train_labels.tolist())) == 10  # the raw file is sorted by class
    assert float(data.train_images.max()) <= 1.0
    train_rows = {tuple(r) for r in data.train_images[:, ::7].tolist()}
    assert not any(tuple(r) in train_rows for r in data.test_images[:, ::7].tolist())


@pytest.mark.parametrize("kwargs", [
    {"proj_dim": 0}, {"hidden": ()}, {"hidden": (4, 0)}, {"hidden": [4, 4]},
    {"n_classes": 1, "image_dim": 4}, {"n_classes": 10}, {"image_dim": 64},
    {"proj_scale": -1.0}, {"init_scale": float("nan")}, {"seed": -1}])
def test_bad_config_raises(kwargs):
    with pytest.raises(AlifeError, match="QuineConfig|auxiliary"):
        QuineConfig(**kwargs)


def test_bad_training_input_raises():
    model = Quine(TINY)
    with pytest.raises(AlifeError, match="unknown optimiser"):
        train(model, "lbfgs")
    with pytest.raises(AlifeError, match="regenerate_every"):
        train(model, regenerate_every=0, generations=2)
    with pytest.raises(AlifeError, match="class head"):
        model.classify(torch.rand(2, 4))
    with pytest.raises(AlifeError, match="unknown data set"):
        split("cifar")
    aux = Quine(QuineConfig(proj_dim=3, hidden=(4,), n_classes=2, image_dim=5))
    images, labels = torch.rand(6, 5), torch.tensor([0, 1] * 3)
    for kwargs in ({"lam": -1.0}, {"temperature": 0.0}, {"image_batch": 7}):
        with pytest.raises(AlifeError, match=next(iter(kwargs))):
            train_auxiliary(aux, images, labels, images, labels, epochs=1, **kwargs)
    with pytest.raises(AlifeError, match="images must be"):
        train_auxiliary(aux, images[:, :4], labels, images, labels, epochs=1)


@pytest.mark.slow
def test_reproduction_script_quick(tmp_path):
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("quine_reproduction", SCRIPT)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        assert script.main(["--quick", "--out", str(tmp_path)]) == 0
    finally:
        sys.path.remove(str(SCRIPT.parent))
    table = (tmp_path / "quine_reproduction_table.md").read_text()
    for start in ("| vanilla, initial", "| SGD (lr", "| RMSprop (lr 0.001)", "| Adamax, best of",
                  "| hill climbing",
                  "| regeneration only, init scale 1,", "| regeneration + Adamax",
                  "| auxiliary, digits", "| auxiliary, mnist"):
        assert start in table, start
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 1 + 7 + 1 + 1 + 2 + 1 + 4  # header + every row
    assert all(line.split(" | ")[6].strip() for line in rows[1:])  # ρ in every row
    result = json.loads((tmp_path / "quine_reproduction.json").read_text())
    assert len(result["initial"]) == 2 and set(result["auxiliary"]) == {"digits", "mnist"}
    assert list(tmp_path.glob("quine_optimisers_*.png"))
    assert list(tmp_path.glob("quine_regeneration_*.svg"))
    bad = subprocess.run([sys.executable, str(SCRIPT), "--epochs", "0"], capture_output=True,
                         text=True, cwd=ROOT)
    assert bad.returncode == 2
    assert bad.stderr.startswith("quine_reproduction: error:") and len(
        bad.stderr.strip().splitlines()) == 1
