"""Plain numpy twin of :mod:`alife.particles.kernel` (Gabor, Illium et al. 2019), for the tests.

Slow and literal: the networks are explicit layer matrices run forward sample by sample, with
gradients by ordinary backpropagation through the three layers, no end-to-end shortcut. The
compiled kernels (which fold the linear layers into one vector) must agree with it.
"""

from __future__ import annotations

import numpy as np

from alife.particles.kernel import (
    DIVERGENT,
    FIXPOINT,
    LEARNING_RATE,
    MOMENTUM,
    OTHER,
    POSITIONS,
    SECOND_ORDER,
    ZERO,
)

SHAPES = {"weightwise": ((4, 2), (2, 2), (2, 1)), "aggregating": ((4, 2), (2, 2), (2, 4))}


def layers(w: np.ndarray, kind: str = "weightwise") -> list[np.ndarray]:
    """The flat weights as Keras kernels (input-major matrices), layer by layer."""
    out, at = [], 0
    for rows, cols in SHAPES[kind]:
        out.append(np.asarray(w[at: at + rows * cols], dtype=np.float64).reshape(rows, cols))
        at += rows * cols
    return out


def forward(w: np.ndarray, x: np.ndarray, kind: str = "weightwise") -> np.ndarray:
    """The linear network on inputs ``x`` (samples x inputs)."""
    h = np.asarray(x, dtype=np.float64)
    for layer in layers(w, kind):
        h = h @ layer
    return h


def samples(data: np.ndarray, kind: str = "weightwise") -> np.ndarray:
    """Inputs that rewrite ``data``: (value, layer, cell, position) rows, or the 4 aggregates."""
    if kind == "weightwise":
        return np.column_stack([data, POSITIONS])
    return np.asarray(data, dtype=np.float64).reshape(4, 5).mean(axis=1)[None, :]


def apply(w: np.ndarray, target: np.ndarray, kind: str = "weightwise") -> np.ndarray:
    """Particle ``w`` applied to the weights ``target``."""
    with np.errstate(over="ignore", invalid="ignore"):
        y = forward(w, samples(target, kind), kind)
    if kind == "weightwise":
        return y[:, 0]
    return np.repeat(y[0], 5)


def sgd_step(w: np.ndarray, data: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
             kind: str = "weightwise") -> tuple[np.ndarray, np.ndarray, float]:
    """One full-batch SGD-with-momentum step on the MSE of mapping ``data`` to itself."""
    x = samples(data, kind)
    y = data[:, None] if kind == "weightwise" else x
    mats = layers(w, kind)
    with np.errstate(over="ignore", invalid="ignore"):  # diverging particles are expected
        acts = [x]
        for layer in mats:
            acts.append(acts[-1] @ layer)
        residual = acts[-1] - y
        loss = float(np.mean(residual**2))
        delta = 2.0 * residual / residual.size
        grads = []
        for layer, act in zip(reversed(mats), reversed(acts[:-1]), strict=True):
            grads.append(act.T @ delta)
            delta = delta @ layer.T
        grad = np.concatenate([g.ravel() for g in reversed(grads)])
        buf = momentum * buf + grad
        return w - lr * buf, buf, loss


def self_train(w: np.ndarray, steps: int, lr: float = LEARNING_RATE, momentum: float = MOMENTUM,
               kind: str = "weightwise") -> tuple[np.ndarray, float]:
    """``steps`` self-training steps (targets re-read every step; fresh momentum)."""
    w = np.asarray(w, dtype=np.float64).copy()
    buf = np.zeros_like(w)
    loss = 0.0
    for _ in range(steps):
        w, buf, loss = sgd_step(w, w.copy(), buf, lr, momentum, kind)
    return w, loss


def learn_from(w: np.ndarray, other: np.ndarray, steps: int = 1, lr: float = LEARNING_RATE,
               momentum: float = MOMENTUM, kind: str = "weightwise") -> tuple[np.ndarray, float]:
    """``steps`` SGD steps of ``w`` towards reproducing ``other``'s weights."""
    w = np.asarray(w, dtype=np.float64).copy()
    buf = np.zeros_like(w)
    loss = 0.0
    for _ in range(steps):
        w, buf, loss = sgd_step(w, np.asarray(other, dtype=np.float64), buf, lr, momentum, kind)
    return w, loss


def classify(w: np.ndarray, eps: float = 1e-5, kind: str = "weightwise") -> int:
    """The fixpoint class, tested in neural.md's order."""
    w = np.asarray(w, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        return DIVERGENT
    if np.all(np.abs(w) < eps):
        return ZERO
    once = apply(w, w, kind)
    if np.all(np.abs(once - w) < eps):
        return FIXPOINT
    twice = apply(w, once, kind)
    if np.all(np.abs(twice - w) < eps):
        return SECOND_ORDER
    return OTHER


def soup_generation(rows: np.ndarray, seed: int, generation: int, attack_rate: float,
                    learn_rate: float, learn_steps: int, train_steps: int, lr: float,
                    momentum: float, noise: float, replace: bool, eps: float) -> np.ndarray:
    """One well-mixed neural-soup generation, pair by pair in plain Python (a copy of ``rows``).

    The pairing and every random draw come from the same keyed hash as the compiled soup
    (:func:`alife.particles.kernel.unit`), so the two must agree to float32 rounding.
    """
    from alife.particles.kernel import (
        GLOROT_WEIGHTWISE,
        STREAM_ATTACK,
        STREAM_INIT,
        STREAM_LEARN,
        STREAM_NOISE,
        normal,
        unit,
    )
    from alife.soup.pairing import shuffle_order

    rows = rows.copy()
    n = len(rows)
    order = np.empty(n, dtype=np.int64)
    shuffle_order(n, np.uint64(seed), generation, order, np.empty(n, dtype=np.int64))
    s = np.uint64(seed)

    def draw(stream: np.uint64, index: int) -> float:
        return unit(s, stream, generation, index)

    for k in range(n // 2):
        a, b = int(order[2 * k]), int(order[2 * k + 1])
        wa, wb = rows[a, :14].astype(np.float64), rows[b, :14].astype(np.float64)
        if attack_rate > 0 and draw(STREAM_ATTACK, 2 * k) < attack_rate:
            wb = apply(wa, wb)
        if attack_rate > 0 and draw(STREAM_ATTACK, 2 * k + 1) < attack_rate:
            wa = apply(wb, wa)
        if learn_rate > 0 and draw(STREAM_LEARN, 2 * k) < learn_rate:
            wa = learn_from(wa, wb, learn_steps, lr, momentum)[0]
        if learn_rate > 0 and draw(STREAM_LEARN, 2 * k + 1) < learn_rate:
            wb = learn_from(wb, wa, learn_steps, lr, momentum)[0]
        for p, w in ((a, wa), (b, wb)):
            if train_steps:
                w = self_train(w, train_steps, lr, momentum)[0]
            if noise > 0:
                w = w + noise * np.array([normal(s, STREAM_NOISE, generation, p * 32 + m)
                                          for m in range(14)])
            with np.errstate(over="ignore"):  # a diverging particle becomes inf, as stored
                rows[p, :14] = w.astype(np.float32)
            stored = rows[p, :14].astype(np.float64)
            if replace and (not np.all(np.isfinite(stored)) or np.all(np.abs(stored) < eps)):
                fresh = [(2.0 * unit(s, STREAM_INIT, generation + 1, p * 32 + m) - 1.0)
                         * GLOROT_WEIGHTWISE[m] for m in range(14)]
                rows[p, :14] = np.array(fresh).astype(np.float32)
    return rows
