"""The auxiliary quine with a split first layer, trained on (coordinate, image) pairs (Chang &
Lipson 2018, sec. 4): one network reads a weight's coordinate and an image at once and outputs
both its guess of that weight and the image's class logits.

The d-wide input is split in two: its first d_c = d // 2 entries are the coordinate's fixed
seeded projection P e_c (P: float[d_c, N]), the other d - d_c the unit-norm image's fixed seeded
projection Q x (Q: float[d - d_c, pixels]); the body (bias-free SELU layers), the weight head
w_out and the class head W_c are as in :mod:`alife.neural.quine`, so at the paper's sizes
(d = 100, two 100x100 layers, ten classes) N = 21,100, the paper's count. Projection entries are
N(0, 1/d_part) so that each half has unit norm on average.

Training loss for a minibatch of pairs (c_i, x_i): L_SR + λ · L_task, with
L_SR = Σ_i (f_θ(c_i, x_i) − θ_{c_i})² and L_task the cross-entropy of logits / temperature
against x_i's labels. λ weights the task, as in the paper's equation; λ = 0 is a pure quine
that sees images it has no reason to read. For reports, coordinate c is paired with training
image ``pairing[c]`` (a seeded draw, fixed per model), and test image j with coordinate
``test_coords[j]`` (also seeded), so that L_SR, ρ and accuracy are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from alife.errors import AlifeError
from alife.neural.quine import (
    OptimiserFactory,
    QuineConfig,
    QuineReport,
    _stream_seed,
    make_optimiser,
)

try:
    import torch
    from torch import Tensor, nn
except ImportError as exc:  # torch is the optional `neural` extra
    raise AlifeError("alife.neural.split_quine needs torch, which is not installed; "
                     "install the extra: pip install alife[neural]") from exc


class SplitQuine(nn.Module):
    """An auxiliary quine whose first layer reads a (coordinate, image) pair (Chang & Lipson
    2018, sec. 4)."""

    def __init__(self, config: QuineConfig) -> None:
        super().__init__()
        if not config.n_classes:
            raise AlifeError("a split-layer quine classifies images: give n_classes >= 2 and "
                             "image_dim >= 1")
        if config.proj_dim < 2:
            raise AlifeError(f"a split first layer needs proj_dim >= 2, got {config.proj_dim}")
        self.config = config
        gen = torch.Generator().manual_seed(_stream_seed(config.seed, 2))
        self.body = nn.ParameterList()
        for out_dim, in_dim in config.shapes:
            bound = config.init_scale / math.sqrt(in_dim)
            w = (torch.rand(out_dim, in_dim, generator=gen) * 2 - 1) * bound
            self.body.append(nn.Parameter(w))
        d_c = config.proj_dim // 2
        self.register_buffer("projection", self._draw(0, d_c, config.n_params), persistent=False)
        self.register_buffer("image_projection",
                             self._draw(1, config.proj_dim - d_c, config.image_dim),
                             persistent=False)
        self.pairing: Tensor | None = None  # images paired with every coordinate in reports

    def _draw(self, stream: int, rows: int, cols: int) -> Tensor:
        gen = torch.Generator().manual_seed(_stream_seed(self.config.seed, stream))
        return torch.randn(rows, cols, generator=gen) * (self.config.proj_scale / math.sqrt(rows))

    @property
    def n_params(self) -> int:
        """N, the number of learnable weights (21,100 at the paper's sizes)."""
        return self.config.n_params

    def flat(self) -> Tensor:
        """θ: float[N], every weight in coordinate order (detached copy)."""
        return torch.cat([p.detach().reshape(-1) for p in self.body])

    def forward(self, coords: Tensor, images: Tensor) -> tuple[Tensor, Tensor]:
        """(f_θ(c_i, x_i): float[B], logits: float[B, n_classes]) for B pairs."""
        if len(coords) != len(images):
            raise AlifeError(f"a split-layer quine reads pairs: got {len(coords)} coordinates "
                             f"and {len(images)} images")
        x = images / images.norm(dim=1, keepdim=True).clamp_min(1e-12)
        h = torch.cat([self.projection[:, coords].T, x @ self.image_projection.T], dim=1)
        for w in list(self.body)[:len(self.config.hidden)]:
            h = torch.selu(h @ w.T)
        weight_head, class_head = self.body[-2], self.body[-1]
        return (h @ weight_head.T).squeeze(-1), h @ class_head.T

    def pair_with(self, images: Tensor) -> None:
        """Fix the image each coordinate is read with in reports: a seeded draw from
        ``images`` (the training set)."""
        gen = torch.Generator().manual_seed(_stream_seed(self.config.seed, 3))
        self.pairing = images[torch.randint(len(images), (self.n_params,), generator=gen)]

    @torch.no_grad()
    def predict_all(self, chunk: int = 8192) -> Tensor:
        """f_θ(c, pairing[c]) for every coordinate c: float[N]."""
        if self.pairing is None:
            raise AlifeError("call pair_with(training images) before reporting L_SR")
        coords = torch.arange(self.n_params)
        return torch.cat([self(coords[i:i + chunk], self.pairing[i:i + chunk])[0]
                          for i in range(0, self.n_params, chunk)])

    @torch.no_grad()
    def accuracy(self, images: Tensor, labels: Tensor) -> float:
        """Test accuracy, image j read with a seeded coordinate."""
        gen = torch.Generator().manual_seed(_stream_seed(self.config.seed, 4))
        coords = torch.randint(self.n_params, (len(images),), generator=gen)
        return float((self(coords, images)[1].argmax(1) == labels).float().mean())

    @torch.no_grad()
    def report(self, accuracy: float | None = None) -> QuineReport:
        """L_SR, margin, quotient, Σθ² and ρ, with the reports' pairing."""
        theta = self.flat()
        return QuineReport(float(((self.predict_all() - theta) ** 2).sum()), self.n_params,
                           float((theta ** 2).sum()), accuracy)


@dataclass(frozen=True)
class SplitResult:
    """Reports before training and after every epoch (with test accuracy)."""

    reports: tuple[QuineReport, ...]

    @property
    def final(self) -> QuineReport:
        """The last report."""
        return self.reports[-1]


def train_split(model: SplitQuine, train_images: Tensor, train_labels: Tensor,
                test_images: Tensor, test_labels: Tensor, epochs: int, lam: float,
                temperature: float = 0.01, optimiser: str | OptimiserFactory = "adamax",
                lr: float | None = None, seed: int = 0, batch: int = 10,
                task_only: bool = False,
                log: Callable[[str], None] | None = None) -> SplitResult:
    """Train on (coordinate, image) pairs with L_SR + λ L_task (Chang & Lipson 2018, sec. 4):
    every epoch snapshots θ as targets and passes once over the N coordinates in shuffled
    minibatches of ``batch``, each paired with the next ``batch`` training images (cycling
    through shuffled orders). ``task_only``: drop L_SR (the classifier-only reference)."""
    if train_images.ndim != 2 or train_images.shape[1] != model.config.image_dim:
        raise AlifeError(f"images must be float[n, {model.config.image_dim}], got "
                         f"{tuple(train_images.shape)}")
    if not (isinstance(lam, int | float) and math.isfinite(lam) and lam >= 0):
        raise AlifeError(f"lam must be a finite number >= 0, got {lam!r}")
    if not isinstance(epochs, int) or epochs < 0:
        raise AlifeError(f"epochs must be an integer >= 0, got {epochs!r}")
    if task_only and lam == 0:
        raise AlifeError("task_only with lam = 0 trains nothing; give lam > 0")
    model.pair_with(train_images)
    opt = make_optimiser(model, optimiser, lr)
    gen = torch.Generator().manual_seed(seed)
    reports = [model.report(model.accuracy(test_images, test_labels))]
    n_img = len(train_images)
    for epoch in range(epochs):
        targets = model.flat()
        order = torch.randperm(model.n_params, generator=gen)
        img = torch.cat([torch.randperm(n_img, generator=gen)
                         for _ in range(math.ceil(model.n_params / n_img))])
        for start in range(0, model.n_params, batch):
            coords, idx = order[start:start + batch], img[start:start + batch]
            pred, logits = model(coords, train_images[idx])
            task = nn.functional.cross_entropy(logits / temperature, train_labels[idx])
            loss = lam * task if task_only else ((pred - targets[coords]) ** 2).sum() + lam * task
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        reports.append(model.report(model.accuracy(test_images, test_labels)))
        if log:
            r = reports[-1]
            log(f"split epoch {epoch + 1}/{epochs} (λ={lam}{', task only' if task_only else ''})"
                f": acc {r.accuracy:.4f}, L_SR {r.loss:.4g}, Σθ² {r.weight_norm:.4g}, "
                f"ρ {r.rho:.4f}")
        if not math.isfinite(reports[-1].loss):
            break
    return SplitResult(tuple(reports))


def paper_parameter_count() -> int:
    """N of the split-layer auxiliary quine at the paper's sizes (MNIST: 784 pixels)."""
    return QuineConfig(n_classes=10, image_dim=784).n_params


__all__ = ["SplitQuine", "SplitResult", "paper_parameter_count", "train_split"]
