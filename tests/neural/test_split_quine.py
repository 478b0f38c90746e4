"""The split-layer auxiliary quine (Chang & Lipson 2018, sec. 4): the paper's parameter count, the
split input, pairs, the L_SR + λ L_task training, and its script on a tiny budget."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch  # the neural extra; the dev install has it (pyproject: dev)

from alife.errors import AlifeError
from alife.neural.quine import QuineConfig
from alife.neural.quine_data import split
from alife.neural.split_quine import SplitQuine, paper_parameter_count, train_split

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "split_quine.py"


def test_the_paper_sizes_count_21100_weights_with_the_image_on_half_the_input():
    assert paper_parameter_count() == 21_100  # 100x100 + 100x100 + 100 + 100x10
    model = SplitQuine(QuineConfig(n_classes=10, image_dim=784))
    assert sum(p.numel() for p in model.parameters()) == 21_100
    assert model.projection.shape == (50, 21_100)  # coordinates on the first half
    assert model.image_projection.shape == (50, 784)  # images on the second
    assert not any(p is model.projection for p in model.parameters())


def test_the_weight_guess_reads_the_image_and_the_logits_read_the_coordinate():
    model = SplitQuine(QuineConfig(proj_dim=8, hidden=(8, 8), n_classes=3, image_dim=5))
    coords = torch.tensor([0, 0, 7])
    images = torch.tensor([[1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0], [1.0, 0, 0, 0, 0]])
    guess, logits = model(coords, images)
    assert guess.shape == (3,) and logits.shape == (3, 3)
    assert guess[0] != guess[1]  # same coordinate, other image
    assert not torch.equal(logits[0], logits[2])  # same image, other coordinate
    # an image's scale does not matter (unit norm), its direction does
    again, _ = model(coords[:1], 5 * images[:1])
    assert torch.allclose(again, guess[:1], atol=1e-6)
    with pytest.raises(AlifeError, match="pairs"):
        model(coords, images[:2])
    with pytest.raises(AlifeError, match="n_classes"):
        SplitQuine(QuineConfig())


@pytest.mark.slow
def test_task_weight_trades_replication_for_accuracy_on_digits():
    """λ = 1 learns the digits far above chance; λ = 0 (a pure quine) stays near chance; the
    classifier alone learns them too; the reports are deterministic."""
    data = split("digits", n_test=300, seed=0, n_train=800)
    cfg = QuineConfig(proj_dim=32, hidden=(32, 32), n_classes=10, image_dim=data.pixels)
    runs = {}
    for name, lam, task_only in (("task", 1.0, False), ("quine", 0.0, False),
                                 ("classifier", 1.0, True)):
        runs[name] = train_split(SplitQuine(cfg), data.train_images, data.train_labels,
                                 data.test_images, data.test_labels, 2, lam=lam,
                                 task_only=task_only, lr=0.01)
    assert runs["task"].final.accuracy > 0.6 and runs["classifier"].final.accuracy > 0.6
    assert runs["quine"].final.accuracy < 0.3  # chance is 0.1
    assert runs["quine"].final.loss < runs["quine"].reports[0].loss
    assert all(math.isfinite(r.final.rho) for r in runs.values())
    assert runs["task"].reports[0] == runs["quine"].reports[0]  # same model, same pairing
    with pytest.raises(AlifeError, match="trains nothing"):
        train_split(SplitQuine(cfg), data.train_images, data.train_labels, data.test_images,
                    data.test_labels, 1, lam=0.0, task_only=True)


@pytest.mark.slow
def test_split_quine_script_runs_in_chunks_and_refuses_bad_input(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(SCRIPT), *args, "--out", str(tmp_path),
                               "--figures", str(tmp_path / "fig")], capture_output=True,
                              text=True, timeout=300)

    first = run("--datasets", "digits", "--lams", "0.1", "--seeds", "0", "--epochs", "1")
    assert first.returncode == 0, first.stderr
    second = run("--datasets", "digits", "--lams", "0.1,1", "--seeds", "0", "--epochs", "1",
                 "--reference")
    assert second.returncode == 0, second.stderr
    rows = list(csv.DictReader(open(tmp_path / "runs.csv")))
    assert sorted((r["kind"], r["lam"]) for r in rows) == [
        ("quine", "0.1"), ("quine", "1.0"), ("reference", "1.0")]
    assert list((tmp_path / "fig").glob("split_quine_lambda_*.png"))
    bad = run("--lams", "x")
    assert bad.returncode == 2 and "--lams" in bad.stderr and "Traceback" not in bad.stderr
