"""N-way K-shot learning on scikit-learn's bundled digits, the SRWM's few-shot test (Irie et al.
2022, sec. 4.1, synchronous-label setting).

An episode picks N classes in random order, so the label j names a different digit in every
episode (labels permuted per episode); it shows N K support images each with its label, then
N Q query images each with the "unknown" label N, in random order. A sequence model reads the
episode one image at a time and is trained to name the label of every query. Training and
evaluation draw their classes from disjoint sets (default: digits 0-4 to train, 5-9 to evaluate,
the only 5-way split of 10 classes). The training digits also enter turned by 90, 180 and
270 degrees, each turn a class of its own (20 training classes by default), as Omniglot
few-shot work does: with only 5 training classes a model can memorise them instead of learning
to learn, and held-out accuracy stays low (docs/readme/srwm.md).

Models share an encoder (a tiny conv net on the 8x8 image), an input projection of
(image code, one-hot label) and a linear read-out; they differ in the sequence core: ``srwm``
(SRWMNet), ``fake_sr`` (the same network with W_t = W_0), ``lstm`` (one LSTM layer whose width
is chosen to match the SRWM core's parameter count) or ``delta`` (a Delta Net). ``proto`` is a
prototypical network (Snell et al. 2017) on the same encoder: no sequence core, each query named
by its nearest class mean of support codes; a learned ceiling beside the raw-pixel 1-NN.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from alife.errors import AlifeError
from alife.neural.srwm import SRWMConfig, SRWMNet

try:
    import torch
    from torch import Tensor, nn
except ImportError as exc:  # pragma: no cover - srwm raised already
    raise AlifeError("alife.neural.fewshot needs torch: pip install alife[neural]") from exc

MODELS = ("srwm", "fake_sr", "lstm", "delta", "proto")
BLOCKS = ("y", "k", "q", "beta")  #: SRWM row blocks, in order


@dataclass(frozen=True)
class Digits:
    """The bundled digits: ``images: float32[n, 1, 8, 8]`` in [0, 1], ``labels: int64[n]``."""

    images: np.ndarray
    labels: np.ndarray

    def by_class(self, classes: tuple[int, ...]) -> list[np.ndarray]:
        """Image indices (int64) of each class in ``classes``."""
        return [np.flatnonzero(self.labels == c) for c in classes]

    def rotated(self, rotations: int) -> Digits:
        """The images turned by 0, 90, ... degrees (``rotations`` of them), each turn of digit c
        a class of its own, labelled c + 10 r (the Omniglot augmentation of Santoro et al.
        2016 and Vinyals et al. 2016)."""
        if not 1 <= rotations <= 4:
            raise AlifeError(f"rotations must be 1-4 (quarter turns per digit), got {rotations}")
        images = np.concatenate([np.rot90(self.images, r, axes=(-2, -1))
                                 for r in range(rotations)])
        labels = np.concatenate([self.labels + 10 * r for r in range(rotations)])
        return Digits(np.ascontiguousarray(images), labels)


def load_digits_data() -> Digits:
    """scikit-learn's ``load_digits`` (1797 8x8 images, 10 classes; ships with the package)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise AlifeError("the few-shot data needs scikit-learn: pip install alife[neural]") \
            from exc
    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None]
    return Digits(images, data.target.astype(np.int64))


@dataclass(frozen=True)
class EpisodeConfig:
    """N-way K-shot episodes: ``n_query`` queries per class; classes for training and test."""

    n_way: int = 5
    k_shot: int = 1
    n_query: int = 1
    train_classes: tuple[int, ...] = (0, 1, 2, 3, 4)
    test_classes: tuple[int, ...] = (5, 6, 7, 8, 9)
    train_rotations: int = 4  #: training classes are the train digits turned 0-3 quarter turns

    def __post_init__(self) -> None:
        for name in ("n_way", "k_shot", "n_query"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise AlifeError(f"EpisodeConfig.{name} must be a positive integer, "
                                 f"got {getattr(self, name)!r}")
        for name in ("train_classes", "test_classes"):
            classes = getattr(self, name)
            if len(classes) < self.n_way or any(not 0 <= c <= 9 for c in classes):
                raise AlifeError(f"EpisodeConfig.{name} = {classes}: need at least n_way = "
                                 f"{self.n_way} digits from 0-9")
        if self.train_rotations not in (1, 2, 3, 4):
            raise AlifeError(f"EpisodeConfig.train_rotations must be 1-4, "
                             f"got {self.train_rotations!r}")
        if set(self.train_classes) & set(self.test_classes):
            raise AlifeError(f"train classes {self.train_classes} and test classes "
                             f"{self.test_classes} overlap; held-out classes must be disjoint")

    @property
    def n_support(self) -> int:
        """Support steps per episode (N K); the queries follow them."""
        return self.n_way * self.k_shot

    @property
    def length(self) -> int:
        """Steps per episode, N (K + Q)."""
        return self.n_way * (self.k_shot + self.n_query)


@dataclass(frozen=True)
class Episodes:
    """A batch of episodes, time first: images float[T, B, 1, 8, 8], label inputs int64[T, B]
    (N = unknown), targets int64[T, B]; queries are steps n_support..T-1."""

    images: Tensor
    label_in: Tensor
    target: Tensor
    n_support: int


def sample_episodes(digits: Digits, pool: list[np.ndarray], cfg: EpisodeConfig, batch: int,
                    rng: np.random.Generator) -> Episodes:
    """``batch`` episodes from the classes whose image indices are ``pool``; labels permuted."""
    N, K, Q = cfg.n_way, cfg.k_shot, cfg.n_query
    idx = np.empty((batch, N, K + Q), dtype=np.int64)
    for b in range(batch):
        classes = rng.choice(len(pool), N, replace=False)  # label j <- class classes[j]
        for j, c in enumerate(classes):
            idx[b, j] = rng.choice(pool[c], K + Q, replace=False)
    label = np.broadcast_to(np.arange(N)[None, :, None], idx.shape)
    support = [rng.permutation(N * K) for _ in range(batch)]
    query = [rng.permutation(N * Q) for _ in range(batch)]
    s_idx = np.stack([idx[b, :, :K].reshape(-1)[support[b]] for b in range(batch)], axis=1)
    s_lab = np.stack([label[b, :, :K].reshape(-1)[support[b]] for b in range(batch)], axis=1)
    q_idx = np.stack([idx[b, :, K:].reshape(-1)[query[b]] for b in range(batch)], axis=1)
    q_lab = np.stack([label[b, :, K:].reshape(-1)[query[b]] for b in range(batch)], axis=1)
    images = torch.from_numpy(digits.images[np.concatenate([s_idx, q_idx])])
    target = torch.from_numpy(np.concatenate([s_lab, q_lab]))
    label_in = target.clone()
    label_in[N * K:] = N
    return Episodes(images, label_in, target, N * K)


def train_class_labels(cfg: EpisodeConfig) -> tuple[int, ...]:
    """Labels of the training classes in ``Digits.rotated(cfg.train_rotations)``."""
    return tuple(c + 10 * r for r in range(cfg.train_rotations) for c in cfg.train_classes)


class ConvEncoder(nn.Module):
    """A tiny conv net for 8x8 digits: two 3x3 conv + ReLU + 2x2 max-pool layers, then linear."""

    def __init__(self, d_out: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 2 * 2, d_out))

    def forward(self, x: Tensor) -> Tensor:
        """float[..., 1, 8, 8] -> float[..., d_out]."""
        lead = x.shape[:-3]
        return self.net(x.reshape(-1, *x.shape[-3:])).reshape(*lead, -1)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def matched_lstm_hidden(target: int, d_in: int) -> int:
    """Width h of one nn.LSTM layer on ``d_in`` inputs with about ``target`` parameters."""
    # 4 h (d_in + h + 2) = target
    b = d_in + 2
    return max(1, round((-b + math.sqrt(b * b + target)) / 2))


@dataclass(frozen=True)
class ModelConfig:
    """A few-shot model: encoder width, sequence core and its size."""

    core: str = "srwm"
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 128

    def __post_init__(self) -> None:
        if self.core not in MODELS:
            raise AlifeError(f"unknown model {self.core!r}; known: {', '.join(MODELS)}")

    def srwm(self) -> SRWMConfig:
        """The SRWM stack these settings describe (fake SR: self_modify False)."""
        return SRWMConfig(self.d_model, self.n_heads, self.n_layers, self.d_ff,
                          self_modify=self.core == "srwm")


class FewShotModel(nn.Module):
    """Encoder + label one-hot -> d_model -> sequence core -> N logits per step."""

    def __init__(self, config: ModelConfig, n_way: int) -> None:
        super().__init__()
        self.config, self.n_way = config, n_way
        self.encoder = ConvEncoder(config.d_model)
        if config.core == "proto":  # Snell et al. 2017: the encoder alone, no sequence core
            self.core = nn.Identity()
            return
        self.embed = nn.Linear(config.d_model + n_way + 1, config.d_model)
        if config.core == "lstm":
            srwm_params = count_parameters(SRWMNet(config.srwm()))
            hidden = matched_lstm_hidden(srwm_params, config.d_model)
            self.core = nn.LSTM(config.d_model, hidden)
            self.head = nn.Linear(hidden, n_way)
        elif config.core == "delta":  # Irie et al. 2022's few-shot baseline: no self-reference
            from alife.neural.deltanet import DeltaNet

            self.core = DeltaNet(config.srwm())
            self.head = nn.Linear(config.d_model, n_way)
        else:
            self.core = SRWMNet(config.srwm())
            self.head = nn.Linear(config.d_model, n_way)

    def forward(self, ep: Episodes, freeze_from: int | None = None,
                record: bool = False) -> tuple[Tensor, list[Tensor] | None]:
        """Logits float[T, B, N] for an episode batch; the SRWM's W_t history if ``record``."""
        code = self.encoder(ep.images)
        if self.config.core == "proto":
            if freeze_from is not None or record:
                raise AlifeError("freeze_from and record apply to the SRWM cores only")
            return prototype_logits(code, ep.label_in[:ep.n_support], self.n_way), None
        onehot = nn.functional.one_hot(ep.label_in, self.n_way + 1).to(code.dtype)
        h = self.embed(torch.cat([code, onehot], dim=-1))
        if isinstance(self.core, nn.LSTM):
            if freeze_from is not None or record:
                raise AlifeError("freeze_from and record apply to the SRWM cores only")
            out, _ = self.core(h)
            return self.head(out), None
        out, _, history = self.core(h, freeze_from=freeze_from, record=record)
        return self.head(out), history


def prototype_logits(code: Tensor, support_labels: Tensor, n_way: int) -> Tensor:
    """Prototypical-network logits (Snell et al. 2017): a query's logit for label j is minus its
    squared Euclidean distance to the mean code of label j's support images. ``code``:
    float[T, B, D] with the S = len(support_labels) support steps first; returns float[T, B, N]
    with zeros on the support steps (only queries are scored)."""
    n_support = support_labels.shape[0]
    onehot = nn.functional.one_hot(support_labels, n_way).to(code.dtype)  # [S, B, N]
    sums = torch.einsum("sbn,sbd->bnd", onehot, code[:n_support])
    protos = sums / onehot.sum(0).clamp_min(1.0)[..., None]  # [B, N, D]
    query = code[n_support:]  # [Q, B, D]
    dist = ((query[:, :, None, :] - protos[None]) ** 2).sum(-1)  # [Q, B, N]
    return torch.cat([code.new_zeros(n_support, code.shape[1], n_way), -dist])


def query_loss_accuracy(logits: Tensor, ep: Episodes) -> tuple[Tensor, Tensor]:
    """Cross-entropy (mean) and per-episode accuracy float[B] over the query steps."""
    q_logits, q_target = logits[ep.n_support:], ep.target[ep.n_support:]
    loss = nn.functional.cross_entropy(q_logits.reshape(-1, q_logits.shape[-1]),
                                       q_target.reshape(-1))
    acc = (q_logits.argmax(-1) == q_target).float().mean(0)
    return loss, acc


@dataclass(frozen=True)
class TrainConfig:
    """Training budget: Adam, the same number of steps for every model."""

    steps: int = 2000
    batch: int = 32
    lr: float = 1e-3
    clip: float = 1.0
    eval_episodes: int = 1000
    seed: int = 0
    log_every: int = 100
    max_train_shot: int = 0  #: > K: each step trains on K' uniform in K..this (0: K only)


@dataclass
class RunResult:
    """One trained model and what was measured on it."""

    model: FewShotModel
    record: dict = field(default_factory=dict)


def evaluate(model: FewShotModel, digits: Digits, cfg: EpisodeConfig, episodes: int,
             classes: tuple[int, ...], seed: int, freeze_from: int | None = None,
             batch: int = 250) -> np.ndarray:
    """Query accuracy of each of ``episodes`` episodes drawn (with ``seed``) from ``classes``."""
    rng = np.random.default_rng(seed)
    pool = digits.by_class(classes)
    accs = []
    model.eval()
    with torch.no_grad():
        for start in range(0, episodes, batch):
            ep = sample_episodes(digits, pool, cfg, min(batch, episodes - start), rng)
            logits, _ = model(ep, freeze_from=freeze_from)
            accs.append(query_loss_accuracy(logits, ep)[1].numpy())
    model.train()
    return np.concatenate(accs)


def nearest_neighbour_accuracy(digits: Digits, cfg: EpisodeConfig, episodes: int,
                               classes: tuple[int, ...], seed: int,
                               batch: int = 250) -> np.ndarray:
    """The untrained ceiling: each query takes the label of its nearest support image in raw
    pixels (Euclidean 1-NN), on the very episodes :func:`evaluate` draws with ``seed``."""
    rng = np.random.default_rng(seed)
    pool = digits.by_class(classes)
    accs = []
    for start in range(0, episodes, batch):
        ep = sample_episodes(digits, pool, cfg, min(batch, episodes - start), rng)
        x = ep.images.reshape(ep.images.shape[0], ep.images.shape[1], -1).numpy()
        s, q = x[:ep.n_support], x[ep.n_support:]  # [S, B, P], [Q, B, P]
        d = ((q[:, None] - s[None]) ** 2).sum(-1)  # [Q, S, B]
        nearest = d.argmin(axis=1)  # [Q, B]
        labels = ep.target[:ep.n_support].numpy()  # [S, B]
        guess = np.take_along_axis(labels, nearest, axis=0)
        accs.append((guess == ep.target[ep.n_support:].numpy()).mean(axis=0))
    return np.concatenate(accs)


def train(model_cfg: ModelConfig, ep_cfg: EpisodeConfig, train_cfg: TrainConfig,
          digits: Digits | None = None, log=None) -> RunResult:
    """Train one model on episodes from the training classes; evaluate on the held-out ones.

    With ``train_cfg.max_train_shot`` > K every step draws its shot count K' uniformly from
    K..max_train_shot (one K' per batch), a curriculum that gets K = 1 off its plateau; the
    evaluation always uses K."""
    digits = load_digits_data() if digits is None else digits
    torch.manual_seed(train_cfg.seed)
    rng = np.random.default_rng(train_cfg.seed)
    model = FewShotModel(model_cfg, ep_cfg.n_way)
    opt = torch.optim.Adam(model.parameters(), lr=train_cfg.lr)
    train_digits = digits.rotated(ep_cfg.train_rotations)
    pool = train_digits.by_class(train_class_labels(ep_cfg))
    curve, losses, accs = [], [], []
    start = time.perf_counter()
    shots = list(range(ep_cfg.k_shot, max(ep_cfg.k_shot, train_cfg.max_train_shot) + 1))
    for step in range(1, train_cfg.steps + 1):
        k = shots[rng.integers(len(shots))] if len(shots) > 1 else ep_cfg.k_shot
        ep = sample_episodes(train_digits, pool, replace(ep_cfg, k_shot=k), train_cfg.batch, rng)
        logits, _ = model(ep)
        loss, acc = query_loss_accuracy(logits, ep)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), train_cfg.clip)
        opt.step()
        losses.append(loss.item())
        accs.append(acc.mean().item())
        if step % train_cfg.log_every == 0 or step == train_cfg.steps:
            curve.append({"step": step, "loss": float(np.mean(losses)),
                          "train_acc": float(np.mean(accs))})
            losses, accs = [], []
            if log is not None:
                log(f"{model_cfg.core} {ep_cfg.n_way}-way {ep_cfg.k_shot}-shot seed "
                    f"{train_cfg.seed} step {step}: loss {curve[-1]['loss']:.3f} "
                    f"acc {curve[-1]['train_acc']:.3f} ({time.perf_counter() - start:.0f} s)")
    train_seconds = time.perf_counter() - start
    eval_seed = 10_000 + ep_cfg.k_shot  # the same test episodes for every model and seed
    test = evaluate(model, digits, ep_cfg, train_cfg.eval_episodes, ep_cfg.test_classes,
                    eval_seed)
    seen = evaluate(model, digits, ep_cfg, train_cfg.eval_episodes, ep_cfg.train_classes,
                    eval_seed)
    record = {"model": model_cfg.core, "n_way": ep_cfg.n_way, "k_shot": ep_cfg.k_shot,
              "seed": train_cfg.seed, "parameters": count_parameters(model),
              "core_parameters": count_parameters(model.core),
              "train_seconds": train_seconds, "test_acc": float(test.mean()),
              "test_acc_sem": float(test.std(ddof=1) / math.sqrt(len(test))),
              "train_classes_acc": float(seen.mean()), "curve": curve,
              "model_config": asdict(model_cfg), "episode_config": asdict(ep_cfg),
              "train_config": asdict(train_cfg)}
    return RunResult(model, record)


def block_change(history: Tensor, d: int) -> dict[str, np.ndarray]:
    """Per row block (y, k, q, β), the Frobenius norm of W_t - W_0 relative to that of W_0,
    averaged over sequences and heads: history float[T + 1, B, H, R, d] -> float[T + 1] each."""
    rows = {"y": slice(0, d), "k": slice(d, 2 * d), "q": slice(2 * d, 3 * d),
            "beta": slice(3 * d, 3 * d + 4)}
    out = {}
    for name, r in rows.items():
        blk = history[..., r, :]
        delta = torch.linalg.matrix_norm(blk - blk[:1])
        base = torch.linalg.matrix_norm(blk[:1])
        out[name] = (delta / base).mean(dim=(1, 2)).numpy()
    return out


def self_modification(model: FewShotModel, digits: Digits, cfg: EpisodeConfig, episodes: int,
                      seed: int) -> dict:
    """How far W_t moves during held-out episodes (per layer and block) and whether the moves
    carry the task: query accuracy when self-modification continues through the queries, is
    frozen after the support set, or never happens (W_t = W_0 of the trained SRWM)."""
    if model.config.core != "srwm":
        raise AlifeError("the self-modification analysis needs a trained srwm model")
    rng = np.random.default_rng(seed)
    ep = sample_episodes(digits, digits.by_class(cfg.test_classes), cfg, min(episodes, 200), rng)
    with torch.no_grad():
        _, history = model(ep, record=True)
    d = model.config.d_model // model.config.n_heads
    change = [{k: v.tolist() for k, v in block_change(h, d).items()} for h in history]
    acc = {}
    for name, freeze in (("continue", None), ("frozen_after_support", cfg.n_support),
                         ("never", 0)):
        a = evaluate(model, digits, cfg, episodes, cfg.test_classes, seed, freeze_from=freeze)
        acc[name] = {"mean": float(a.mean()), "sem": float(a.std(ddof=1) / math.sqrt(len(a)))}
    return {"n_support": cfg.n_support, "length": cfg.length, "relative_change": change,
            "accuracy": acc}
