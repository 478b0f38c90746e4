"""The neural network quine (Chang & Lipson 2018, "Neural Network Quine").

A network that outputs its own weights. Number the N learnable weights θ_0..θ_{N-1} in
``parameters()`` order (row-major within each matrix); the network maps a coordinate c to a
guess of θ_c (neural.md, "Vanilla quine"):

    x_c = P e_c                          (P: float[d, N], fixed, seeded; e_c one-hot)
    f_θ(c) = w_out · selu(W_2 selu(W_1 x_c))      (bias-free)

At the paper's sizes d = 100 and W_1, W_2 are 100x100, w_out is 100 -> 1: N = 20,100. P is not
a parameter: it is a non-persistent buffer drawn from (seed, sizes) by a CPU torch.Generator,
so a loaded model rebuilds exactly the same P (the file stores the seed and the sizes).

The self-replication loss is a sum, L_SR = Σ_c (f_θ(c) − θ_c)². Training takes a snapshot of θ
at the start of every epoch as the targets, then passes once over all N coordinates in shuffled
minibatches of 10, the gradient flowing only through f_θ. Every result comes as a
:class:`QuineReport` with the margin sqrt(L_SR / N), the quotient ln(N / L_SR), the weight norm
Σθ² and ρ = L_SR / Σθ². Printing zeros scores L_SR = Σθ², ρ = 1; only ρ -> 0 is a quine. A
loss that falls because the weights shrink is not replication.

Regeneration replaces θ by f_θ(all c) at once (no_grad). Alone it collapses to the zero quine
or diverges, depending on the initial scale; the paper's best alternates T optimiser epochs
with one regeneration, G times. Hill climbing perturbs θ with Gaussian noise and keeps a
candidate whose L_SR (its own weights as targets) is lower.

The auxiliary quine also classifies images: a class head W_c (100 x n_classes, N = 21,100 for
ten classes) reads the same last hidden layer. An image x (scaled to unit Euclidean norm) goes
through its own fixed seeded projection Q (float[d, pixels], same entry scale as P) into the
same d-dimensional input as a coordinate, and through the same body W_1, W_2. The loss is
cross-entropy(logits / temperature) + λ L_SR over the coordinate minibatch; the coordinates run
over all N weights, the class head included.

Choices (see docs/readme/quine.md): the weights start from torch's default ``nn.Linear``
initialisation, U(±1/sqrt(fan_in)) (``init_scale`` multiplies the bound; Σθ² ≈ 67 at N =
20,100). The projection entries are N(0, 1/d) (``proj_scale`` multiplies the standard
deviation), a norm-preserving (Johnson-Lindenstrauss) projection: x_c has unit norm on average,
like the one-hot e_c it stands for, and a unit-norm image gives an input of the same scale.
Entries N(0, 1) instead give outputs ~4x larger and an initial L_SR ≈ 1,400. With the choice
made the initial L_SR at N = 20,100 is 93.8 ± 4.8 over seeds 0-9, near the paper's 90.16; ρ
starts above 1 because the untrained outputs f_θ(c) add their own squares to Σθ².
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alife.errors import AlifeError

try:
    import torch
    from torch import Tensor, nn
except ImportError as exc:  # torch is the optional `neural` extra
    raise AlifeError("alife.neural.quine needs torch, which is not installed; "
                     "install the extra: pip install alife[neural]") from exc

FORMAT = "alife.neural.quine"  #: the ``format`` field of a saved quine file
OPTIMISERS = ("sgd", "sgd_momentum", "adagrad", "rmsprop", "adam", "adamax")
#: Learning rates used when an optimiser is named: torch's defaults where torch has one (Adagrad
#: 0.01, RMSprop 0.01, Adam 0.001, Adamax 0.002), 0.01 for plain SGD and SGD with momentum 0.9.
#: The spec gives no rates; none is tuned to a result.
LEARNING_RATES = {"sgd": 0.01, "sgd_momentum": 0.01, "adagrad": 0.01, "rmsprop": 0.01,
                  "adam": 0.001, "adamax": 0.002}
OptimiserFactory = Callable[[Iterator[nn.Parameter]], torch.optim.Optimizer]


@dataclass(frozen=True)
class QuineConfig:
    """Sizes and seeds of a (vanilla or auxiliary) quine (Chang & Lipson 2018)."""

    proj_dim: int = 100  #: d, width of the projected input
    hidden: tuple[int, ...] = (100, 100)  #: widths of the bias-free SELU layers
    n_classes: int = 0  #: 0: vanilla quine; > 1: auxiliary quine with a class head
    image_dim: int = 0  #: pixels of an input image (auxiliary quine only)
    seed: int = 0  #: seeds the projections and the initial weights
    proj_scale: float = 1.0  #: projection entries are N(0, proj_scale² / proj_dim)
    init_scale: float = 1.0  #: multiplies torch's default bound 1/sqrt(fan_in)

    def __post_init__(self) -> None:
        for name in ("proj_dim", "seed"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < (
                    1 if name == "proj_dim" else 0):
                kind = "positive" if name == "proj_dim" else "non-negative"
                raise AlifeError(f"QuineConfig.{name} must be a {kind} integer, got {value!r}")
        if not isinstance(self.hidden, tuple) or not self.hidden or not all(
                isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in self.hidden):
            raise AlifeError(f"QuineConfig.hidden must be a non-empty tuple of positive "
                             f"integers, got {self.hidden!r}")
        for name in ("n_classes", "image_dim"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise AlifeError(f"QuineConfig.{name} must be an integer >= 0, got {value!r}")
        if self.n_classes == 1:
            raise AlifeError("QuineConfig.n_classes must be 0 (vanilla) or >= 2 (auxiliary)")
        if (self.n_classes == 0) != (self.image_dim == 0):
            raise AlifeError(f"an auxiliary quine needs both n_classes >= 2 and image_dim >= 1, "
                             f"a vanilla one both 0; got n_classes={self.n_classes}, "
                             f"image_dim={self.image_dim}")
        for name in ("proj_scale", "init_scale"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise AlifeError(f"QuineConfig.{name} must be a finite number > 0, got {value!r}")

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """(out, in) of every weight matrix in ``parameters()`` order."""
        widths = (self.proj_dim, *self.hidden)
        shapes = [(widths[i + 1], widths[i]) for i in range(len(self.hidden))]
        shapes.append((1, self.hidden[-1]))
        if self.n_classes:
            shapes.append((self.n_classes, self.hidden[-1]))
        return shapes

    @property
    def n_params(self) -> int:
        """N, the number of learnable weights (20,100 vanilla, 21,100 auxiliary, paper sizes)."""
        return sum(o * i for o, i in self.shapes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (saved with the model)."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d


def _stream_seed(seed: int, stream: int) -> int:
    """An independent 63-bit seed for one random stream (0: P, 1: Q, 2: weights) of ``seed``."""
    return int(np.random.SeedSequence([seed, stream]).generate_state(2, np.uint64)[0] >> 1)


@dataclass(frozen=True)
class QuineReport:
    """Self-replication figures of one quine (Chang & Lipson 2018; ρ as neural.md asks)."""

    loss: float  #: L_SR = Σ_c (f_θ(c) − θ_c)²
    n_params: int  #: N
    weight_norm: float  #: Σθ²
    accuracy: float | None = None  #: test accuracy of an auxiliary quine

    @property
    def margin(self) -> float:
        """sqrt(L_SR / N), the root-mean-square error per weight."""
        return math.sqrt(self.loss / self.n_params)

    @property
    def quotient(self) -> float:
        """ln(N / L_SR) (the paper's "self-replicating quotient")."""
        if math.isnan(self.loss):
            return math.nan
        if self.loss == math.inf:
            return -math.inf
        return math.log(self.n_params / self.loss) if self.loss > 0 else math.inf

    @property
    def rho(self) -> float:
        """ρ = L_SR / Σθ²: 1 is no better than printing zeros, 0 a true quine."""
        if not self.weight_norm > 0 or not math.isfinite(self.weight_norm):
            return math.nan  # the zero quine (0/0) or a divergence (inf/inf)
        return self.loss / self.weight_norm

    def to_dict(self) -> dict[str, float | int | None]:
        """Every figure, the derived ones included."""
        return {"loss": self.loss, "margin": self.margin, "quotient": self.quotient,
                "weight_norm": self.weight_norm, "rho": self.rho, "n_params": self.n_params,
                "accuracy": self.accuracy}


class Quine(nn.Module):
    """Vanilla or auxiliary neural network quine (Chang & Lipson 2018, sec. 3-4)."""

    def __init__(self, config: QuineConfig) -> None:
        super().__init__()
        self.config = config
        gen = torch.Generator().manual_seed(_stream_seed(config.seed, 2))
        self.body = nn.ParameterList()
        for out_dim, in_dim in config.shapes:
            bound = config.init_scale / math.sqrt(in_dim)
            w = (torch.rand(out_dim, in_dim, generator=gen) * 2 - 1) * bound
            self.body.append(nn.Parameter(w))
        self.register_buffer("projection", self._draw_projection(), persistent=False)
        if config.n_classes:
            self.register_buffer("image_projection", self._draw_image_projection(),
                                 persistent=False)
        else:
            self.image_projection = None

    def _draw_projection(self) -> Tensor:
        """P: float[d, N], entries N(0, proj_scale² / d) from the seed (never a parameter)."""
        cfg = self.config
        gen = torch.Generator().manual_seed(_stream_seed(cfg.seed, 0))
        scale = cfg.proj_scale / math.sqrt(cfg.proj_dim)
        return torch.randn(cfg.proj_dim, cfg.n_params, generator=gen) * scale

    def _draw_image_projection(self) -> Tensor:
        """Q: float[d, pixels], entries N(0, proj_scale² / d) from the seed."""
        cfg = self.config
        gen = torch.Generator().manual_seed(_stream_seed(cfg.seed, 1))
        scale = cfg.proj_scale / math.sqrt(cfg.proj_dim)
        return torch.randn(cfg.proj_dim, cfg.image_dim, generator=gen) * scale

    @property
    def n_params(self) -> int:
        """N, the number of learnable weights."""
        return self.config.n_params

    @property
    def n_hidden_layers(self) -> int:
        """Number of SELU layers."""
        return len(self.config.hidden)

    def flat(self) -> Tensor:
        """θ: float[N], every weight in coordinate order (detached copy)."""
        return torch.cat([p.detach().reshape(-1) for p in self.body])

    @torch.no_grad()
    def set_flat(self, theta: Tensor) -> None:
        """Write θ: float[N] into the weights (coordinate order)."""
        if theta.shape != (self.n_params,):
            raise AlifeError(f"θ must have shape ({self.n_params},), got {tuple(theta.shape)}")
        start = 0
        for p in self.body:
            p.copy_(theta[start:start + p.numel()].reshape(p.shape))
            start += p.numel()

    def features(self, x: Tensor) -> Tensor:
        """The last hidden layer for inputs ``x: float[B, d]``."""
        h = x
        for w in list(self.body)[:self.n_hidden_layers]:
            h = torch.selu(h @ w.T)
        return h

    def forward(self, coords: Tensor) -> Tensor:
        """f_θ(c) for ``coords: int64[B]`` -> float[B]."""
        x = self.projection[:, coords].T
        return (self.features(x) @ self.body[self.n_hidden_layers].T).squeeze(-1)

    def classify(self, images: Tensor) -> Tensor:
        """Class logits float[B, n_classes] of ``images: float[B, pixels]`` (auxiliary only)."""
        if self.image_projection is None:
            raise AlifeError("a vanilla quine has no class head; build one with n_classes >= 2")
        x = images / images.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return self.features(x @ self.image_projection.T) @ self.body[-1].T

    @torch.no_grad()
    def predict_all(self, chunk: int = 65536) -> Tensor:
        """f_θ(c) for every coordinate c: float[N]."""
        coords = torch.arange(self.n_params, device=self.projection.device)
        return torch.cat([self(coords[i:i + chunk]) for i in range(0, self.n_params, chunk)])

    @torch.no_grad()
    def sr_loss(self, targets: Tensor | None = None) -> float:
        """L_SR over all coordinates, against ``targets`` (default: the current θ)."""
        theta = self.flat() if targets is None else targets
        return float(((self.predict_all() - theta) ** 2).sum())

    @torch.no_grad()
    def report(self, accuracy: float | None = None) -> QuineReport:
        """L_SR, margin, quotient, Σθ² and ρ of the current weights."""
        theta = self.flat()
        return QuineReport(self.sr_loss(theta), self.n_params, float((theta ** 2).sum()),
                           accuracy)

    @torch.no_grad()
    def block_reports(self) -> list[QuineReport]:
        """One report per weight matrix (parameters() order): L_SR, Σθ² and ρ over its own
        coordinates only, to see where the replication error sits."""
        theta, pred = self.flat(), self.predict_all()
        reports, start = [], 0
        for p in self.body:
            t, f = theta[start:start + p.numel()], pred[start:start + p.numel()]
            reports.append(QuineReport(float(((f - t) ** 2).sum()), p.numel(),
                                       float((t ** 2).sum())))
            start += p.numel()
        return reports

    @torch.no_grad()
    def regenerate(self) -> None:
        """θ <- f_θ(all coordinates), all at once."""
        self.set_flat(self.predict_all())

    def save(self, path: str | Path) -> None:
        """Write the weights, the seed and the sizes (the projections are rebuilt on load)."""
        torch.save({"format": FORMAT, "version": 1, "config": self.config.to_dict(),
                    "state_dict": {k: v.detach().cpu() for k, v in self.state_dict().items()}},
                   Path(path))


def load(path: str | Path) -> Quine:
    """A quine saved by :meth:`Quine.save` (read with ``weights_only=True``)."""
    path = Path(path)
    try:
        data = torch.load(path, weights_only=True, map_location="cpu")
    except FileNotFoundError:
        raise AlifeError(f"{str(path)!r}: no such quine file") from None
    except Exception as exc:  # pickle, zip and weights-only errors all mean "not ours"
        raise AlifeError(f"{str(path)!r} is not a quine file saved by alife "
                         f"({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or "config" not in data \
            or "state_dict" not in data:
        raise AlifeError(f"{str(path)!r} is not a quine file saved by alife "
                         f"(expected a dict with format {FORMAT!r})")
    try:
        cfg = dict(data["config"])
        cfg["hidden"] = tuple(cfg["hidden"])
        model = Quine(QuineConfig(**cfg))
        model.load_state_dict(data["state_dict"])
    except (TypeError, KeyError, RuntimeError, ValueError) as exc:
        raise AlifeError(f"{str(path)!r} holds a damaged quine: "
                         f"{' '.join(str(exc).split())[:200]}") from None
    return model


def make_optimiser(model: Quine, optimiser: str | OptimiserFactory,
                   lr: float | None = None) -> torch.optim.Optimizer:
    """A torch optimiser over ``model``'s weights: a name in OPTIMISERS or a factory."""
    if callable(optimiser):
        return optimiser(model.parameters())
    if optimiser not in OPTIMISERS:
        raise AlifeError(f"unknown optimiser {optimiser!r}; known: {', '.join(OPTIMISERS)} "
                         "(or pass a factory params -> torch.optim.Optimizer)")
    lr = LEARNING_RATES[optimiser] if lr is None else lr
    if not lr > 0:
        raise AlifeError(f"the learning rate must be > 0, got {lr!r}")
    params = model.parameters()
    return {"sgd": lambda: torch.optim.SGD(params, lr=lr),
            "sgd_momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=0.9),
            "adagrad": lambda: torch.optim.Adagrad(params, lr=lr),
            "rmsprop": lambda: torch.optim.RMSprop(params, lr=lr),
            "adam": lambda: torch.optim.Adam(params, lr=lr),
            "adamax": lambda: torch.optim.Adamax(params, lr=lr)}[optimiser]()


def train_epoch(model: Quine, opt: torch.optim.Optimizer, gen: torch.Generator,
                batch: int = 10, images: Tensor | None = None, labels: Tensor | None = None,
                lam: float = 1.0, temperature: float = 1.0, image_batch: int = 10) -> Tensor:
    """One epoch: snapshot θ as targets, one shuffled pass over all N coordinates in minibatches
    of ``batch``, loss Σ_batch (f_θ(c) − target_c)². With ``images``, every step also takes the
    next ``image_batch`` images (cycling through a shuffled order) and minimises
    cross-entropy(logits / temperature) + lam · that sum. Returns the targets used."""
    targets = model.flat()  # frozen for the whole epoch
    order = torch.randperm(model.n_params, generator=gen)
    img_order = None if images is None else torch.randperm(len(images), generator=gen)
    img_pos = 0
    for start in range(0, model.n_params, batch):
        coords = order[start:start + batch]
        loss = ((model(coords) - targets[coords]) ** 2).sum()
        if images is not None:
            if img_pos + image_batch > len(images):
                img_order, img_pos = torch.randperm(len(images), generator=gen), 0
            idx = img_order[img_pos:img_pos + image_batch]
            img_pos += image_batch
            ce = nn.functional.cross_entropy(model.classify(images[idx]) / temperature,
                                             labels[idx])
            loss = ce + lam * loss if lam else ce
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return targets


@dataclass(frozen=True)
class TrainResult:
    """Reports after every epoch (index 0: before training) and the best of them by L_SR."""

    reports: tuple[QuineReport, ...]
    events: tuple[str, ...]  #: what preceded each report: "init", "epoch" or "regenerate"

    @property
    def best(self) -> QuineReport:
        """The report with the lowest L_SR."""
        return min(self.reports, key=lambda r: r.loss if math.isfinite(r.loss) else math.inf)

    @property
    def final(self) -> QuineReport:
        """The last report."""
        return self.reports[-1]


def train(model: Quine, optimiser: str | OptimiserFactory = "adamax", epochs: int = 1,
          lr: float | None = None, seed: int = 0, batch: int = 10,
          regenerate_every: int | None = None, generations: int | None = None,
          log: Callable[[str], None] | None = None) -> TrainResult:
    """Gradient training for ``epochs`` epochs; or, with ``regenerate_every`` = T and
    ``generations`` = G, G rounds of (T epochs, one regeneration) (Chang & Lipson, sec. 3.3)."""
    if regenerate_every is not None or generations is not None:
        if not (isinstance(regenerate_every, int) and regenerate_every >= 1
                and isinstance(generations, int) and generations >= 1):
            raise AlifeError("alternating training needs regenerate_every (T) >= 1 and "
                             f"generations (G) >= 1, got T={regenerate_every!r}, "
                             f"G={generations!r}")
        plan = (["epoch"] * regenerate_every + ["regenerate"]) * generations
    else:
        if not isinstance(epochs, int) or epochs < 0:
            raise AlifeError(f"epochs must be an integer >= 0, got {epochs!r}")
        plan = ["epoch"] * epochs
    if not isinstance(batch, int) or batch < 1:
        raise AlifeError(f"batch must be a positive integer, got {batch!r}")
    opt = make_optimiser(model, optimiser, lr)
    gen = torch.Generator().manual_seed(seed)
    reports, events = [model.report()], ["init"]
    for i, step in enumerate(plan):
        if step == "epoch":
            train_epoch(model, opt, gen, batch)
        else:
            model.regenerate()
        reports.append(model.report())
        events.append(step)
        if log:
            r = reports[-1]
            log(f"{step} {i + 1}/{len(plan)}: L_SR {r.loss:.4g}, Σθ² {r.weight_norm:.4g}, "
                f"ρ {r.rho:.4f}")
        if not math.isfinite(reports[-1].loss):
            break
    return TrainResult(tuple(reports), tuple(events))


def regenerate_only(model: Quine, generations: int) -> TrainResult:
    """Pure regeneration: θ <- f_θ(all c), ``generations`` times, a report after each."""
    if not isinstance(generations, int) or generations < 0:
        raise AlifeError(f"generations must be an integer >= 0, got {generations!r}")
    reports, events = [model.report()], ["init"]
    for _ in range(generations):
        model.regenerate()
        reports.append(model.report())
        events.append("regenerate")
        if not math.isfinite(reports[-1].loss):
            break
    return TrainResult(tuple(reports), tuple(events))


@torch.no_grad()
def hill_climb(model: Quine, steps: int, sigma: float = 1e-3, seed: int = 0) -> TrainResult:
    """Non-gradient search: θ' = θ + N(0, σ²); keep θ' when its own L_SR (its weights as
    targets) is lower. A report after every step; L_SR never rises."""
    if not isinstance(steps, int) or steps < 0:
        raise AlifeError(f"steps must be an integer >= 0, got {steps!r}")
    if not (isinstance(sigma, int | float) and math.isfinite(sigma) and sigma > 0):
        raise AlifeError(f"sigma must be a finite number > 0, got {sigma!r}")
    gen = torch.Generator().manual_seed(seed)
    theta = model.flat()
    best = model.sr_loss(theta)
    reports, events = [model.report()], ["init"]
    for _ in range(steps):
        candidate = theta + sigma * torch.randn(theta.shape, generator=gen)
        model.set_flat(candidate)
        loss = model.sr_loss(candidate)
        if loss < best:
            theta, best = candidate, loss
        else:
            model.set_flat(theta)
        reports.append(QuineReport(best, model.n_params, float((theta ** 2).sum())))
        events.append("hill_climb")
    return TrainResult(tuple(reports), tuple(events))


@torch.no_grad()
def accuracy(model: Quine, images: Tensor, labels: Tensor, chunk: int = 4096) -> float:
    """Fraction of ``images`` whose arg-max class is the label."""
    right = sum(int((model.classify(images[i:i + chunk]).argmax(1) == labels[i:i + chunk]).sum())
                for i in range(0, len(images), chunk))
    return right / len(images)


def train_auxiliary(model: Quine, train_images: Tensor, train_labels: Tensor,
                    test_images: Tensor, test_labels: Tensor, epochs: int, lam: float = 0.01,
                    temperature: float = 0.01, optimiser: str | OptimiserFactory = "adamax",
                    lr: float | None = None, seed: int = 0, batch: int = 10,
                    image_batch: int = 10,
                    log: Callable[[str], None] | None = None) -> TrainResult:
    """Train an auxiliary quine (Chang & Lipson, sec. 4): every epoch passes once over the N
    coordinates in minibatches of ``batch``, each step paired with ``image_batch`` training
    images; loss cross-entropy(logits / temperature) + lam L_SR. ``lam = 0``: classifier only.
    Reports (with test accuracy) before training and after every epoch."""
    if model.image_projection is None:
        raise AlifeError("train_auxiliary needs an auxiliary quine (n_classes >= 2)")
    if train_images.ndim != 2 or train_images.shape[1] != model.config.image_dim:
        raise AlifeError(f"images must be float[n, {model.config.image_dim}], got "
                         f"{tuple(train_images.shape)}")
    if not (isinstance(lam, int | float) and math.isfinite(lam) and lam >= 0):
        raise AlifeError(f"lam must be a finite number >= 0, got {lam!r}")
    if not (isinstance(temperature, int | float) and math.isfinite(temperature)
            and temperature > 0):
        raise AlifeError(f"temperature must be a finite number > 0, got {temperature!r}")
    if not isinstance(epochs, int) or epochs < 0:
        raise AlifeError(f"epochs must be an integer >= 0, got {epochs!r}")
    if not isinstance(image_batch, int) or not 1 <= image_batch <= len(train_images):
        raise AlifeError(f"image_batch must be an integer in 1..{len(train_images)}, "
                         f"got {image_batch!r}")
    opt = make_optimiser(model, optimiser, lr)
    gen = torch.Generator().manual_seed(seed)
    reports = [model.report(accuracy(model, test_images, test_labels))]
    for epoch in range(epochs):
        train_epoch(model, opt, gen, batch, train_images, train_labels, lam, temperature,
                    image_batch)
        reports.append(model.report(accuracy(model, test_images, test_labels)))
        if log:
            r = reports[-1]
            log(f"aux epoch {epoch + 1}/{epochs} (λ={lam}): acc {r.accuracy:.4f}, "
                f"L_SR {r.loss:.4g}, Σθ² {r.weight_norm:.4g}, ρ {r.rho:.4f}")
    return TrainResult(tuple(reports), ("init",) + ("epoch",) * epochs)
