"""Self-replicating particles: tiny linear networks applied to weights (Gabor, Illium et al. 2019).

A **weightwise** particle is a bias-free linear 4->2->2->1 network, 14 weights stored as Keras
stores them: ``W1`` (4x2, input-major), ``W2`` (2x2), ``W3`` (2x1), flattened layer by layer,
row by row. Applied to a target's weights it rewrites each weight ``t_m`` from the input
``(t_m, layer, cell, position)`` of that weight, the indices divided by their largest value
(when that is > 1), as the authors' code does. Because the network is linear it is one 4-vector
``v = W1 W2 W3``: ``t'_m = v0 t_m + v1 l_m + v2 c_m + v3 p_m``. A weightwise fixpoint therefore
has ``v0 = 1`` and the position terms cancel on all 14 weights: it is the identity on the value
channel, a true but trivial self-replicator.

An **aggregating** particle (4->2->2->4, 20 weights) averages the target's weights in 4 groups
of 5 consecutive weights, maps the 4 averages, and writes output k to every weight of group k.

Operations, for many particles in one compiled parallel call (row i acts on row i):
self-application, attack (rewrite another's weights), self-training (full-batch SGD on the MSE
of reproducing its own weights, lr 0.04, momentum 0.9, a fresh momentum buffer per call as in
the authors' torch code), learn-from (the same regression on another particle's weights),
Gaussian noise, and the fixpoint classifier: divergent (any NaN/inf) | zero (all ``|w| < eps``)
| fixpoint (one self-application returns the weights within ``eps``) | second order (the network
applied twice, ``f_w(f_w(w))``, does, as in the authors' ``is_secondary_fixpoint``) | other.

Everything is float64 here; :mod:`alife.particles.soup` stores float32 rows. Randomness is
the soup's hash (:mod:`alife.rng`), keyed by stream, generation and index, so results never
depend on the thread count. :mod:`alife.particles.reference` is a plain numpy twin that
the tests hold these kernels to.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alife.errors import AlifeError
from alife.rng import H, S

#: Fixpoint classes, in the order they are tested.
DIVERGENT, ZERO, FIXPOINT, SECOND_ORDER, OTHER = 0, 1, 2, 3, 4
CLASS_NAMES = ("divergent", "zero", "fixpoint", "second_order", "other")
EPSILON = 1e-5  #: absolute tolerance of the classifier (neural.md)
LEARNING_RATE = 0.04
MOMENTUM = 0.9
KINDS = {"weightwise": 14, "aggregating": 20}  #: particle kind -> number of weights

# Random streams of the hash (alife.rng.S keys): one per kind of draw.
STREAM_INIT = np.uint64(0x4E4E_0001)
STREAM_ATTACK = np.uint64(0x4E4E_0002)
STREAM_LEARN = np.uint64(0x4E4E_0003)
STREAM_NOISE = np.uint64(0x4E4E_0004)

_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53
_S11 = np.uint64(11)


def _positions() -> np.ndarray:
    """(layer, cell, position) of each weightwise weight, normalised as in the authors' code."""
    shapes = ((4, 2), (2, 2), (2, 1))
    rows = []
    for layer, (cells, outs) in enumerate(shapes):
        for cell in range(cells):
            for pos in range(outs):
                rows.append([layer / max(len(shapes) - 1, 1), cell / max(cells - 1, 1),
                             pos / max(outs - 1, 1)])
    return np.array(rows, dtype=np.float64)


POSITIONS = _positions()  #: float64[14, 3]
#: Glorot-uniform limits of each weight's layer (Keras's default initialiser).
GLOROT_WEIGHTWISE = np.array([1.0] * 8 + [np.sqrt(1.5)] * 4 + [np.sqrt(2.0)] * 2)
GLOROT_AGGREGATING = np.array([1.0] * 8 + [np.sqrt(1.5)] * 4 + [1.0] * 8)


# --- hashing ------------------------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def unit(seed: np.uint64, stream: np.uint64, generation: int, index: int) -> float:
    """A uniform draw in [0, 1) keyed by (stream, generation, index): 53 bits of the hash."""
    h = H(S(seed, stream) ^ H(np.uint64(generation)))
    return float(H(h ^ np.uint64(index)) >> _S11) * _TO_UNIT


@njit(inline="always", cache=True, nogil=True)
def normal(seed: np.uint64, stream: np.uint64, generation: int, index: int) -> float:
    """A standard normal draw (Box-Muller on two keyed uniforms)."""
    u1 = 1.0 - unit(seed, stream, generation, 2 * index)
    u2 = unit(seed, stream, generation, 2 * index + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


# --- weightwise: one particle --------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def ww_vector(w: np.ndarray, v: np.ndarray) -> None:
    """The linear network's end-to-end 4-vector ``v = W1 (W2 w3)``."""
    u0 = w[8] * w[12] + w[9] * w[13]
    u1 = w[10] * w[12] + w[11] * w[13]
    for k in range(4):
        v[k] = w[2 * k] * u0 + w[2 * k + 1] * u1


@njit(inline="always", cache=True, nogil=True)
def ww_apply(w: np.ndarray, target: np.ndarray, out: np.ndarray, v: np.ndarray) -> None:
    """``out = f_w(target)``: every target weight rewritten by network ``w``."""
    ww_vector(w, v)
    for m in range(14):
        out[m] = (v[0] * target[m] + v[1] * POSITIONS[m, 0] + v[2] * POSITIONS[m, 1]
                  + v[3] * POSITIONS[m, 2])


@njit(inline="always", cache=True, nogil=True)
def ww_sgd_step(w: np.ndarray, data: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
                v: np.ndarray, grad: np.ndarray) -> float:
    """One full-batch SGD step of ``w`` towards mapping each ``data`` weight to itself.

    Loss: mean over the 14 samples of ``(f_w(x_m) - data_m)^2`` with ``x_m = (data_m, pos_m)``
    (the data are fixed during the step). Returns the loss before the step.
    """
    ww_vector(w, v)
    g0 = 0.0
    g1 = 0.0
    g2 = 0.0
    g3 = 0.0
    loss = 0.0
    for m in range(14):
        x0 = data[m]
        r = (v[0] * x0 + v[1] * POSITIONS[m, 0] + v[2] * POSITIONS[m, 1]
             + v[3] * POSITIONS[m, 2]) - x0
        loss += r * r
        g0 += r * x0
        g1 += r * POSITIONS[m, 0]
        g2 += r * POSITIONS[m, 1]
        g3 += r * POSITIONS[m, 2]
    scale = 2.0 / 14.0
    g0 *= scale
    g1 *= scale
    g2 *= scale
    g3 *= scale
    u0 = w[8] * w[12] + w[9] * w[13]
    u1 = w[10] * w[12] + w[11] * w[13]
    # dL/dW1[k, i] = g_k u_i; dL/du_i = sum_k W1[k, i] g_k
    gu0 = w[0] * g0 + w[2] * g1 + w[4] * g2 + w[6] * g3
    gu1 = w[1] * g0 + w[3] * g1 + w[5] * g2 + w[7] * g3
    grad[0] = g0 * u0
    grad[1] = g0 * u1
    grad[2] = g1 * u0
    grad[3] = g1 * u1
    grad[4] = g2 * u0
    grad[5] = g2 * u1
    grad[6] = g3 * u0
    grad[7] = g3 * u1
    # u_i = sum_j W2[i, j] w3_j: dL/dW2[i, j] = gu_i w3_j; dL/dw3_j = sum_i W2[i, j] gu_i
    grad[8] = gu0 * w[12]
    grad[9] = gu0 * w[13]
    grad[10] = gu1 * w[12]
    grad[11] = gu1 * w[13]
    grad[12] = w[8] * gu0 + w[10] * gu1
    grad[13] = w[9] * gu0 + w[11] * gu1
    for m in range(14):
        buf[m] = momentum * buf[m] + grad[m]
        w[m] -= lr * buf[m]
    return loss / 14.0


@njit(inline="always", cache=True, nogil=True)
def ww_train(w: np.ndarray, data: np.ndarray, steps: int, lr: float, momentum: float,
             own: bool, buf: np.ndarray, v: np.ndarray, grad: np.ndarray) -> float:
    """``steps`` SGD steps (fresh momentum): towards ``w``'s own weights (``own``) or ``data``'s.

    Self-training re-reads the targets from the current weights at every step. Returns the
    loss of the last step.
    """
    for m in range(14):
        buf[m] = 0.0
    loss = 0.0
    for _ in range(steps):
        if own:
            for m in range(14):
                data[m] = w[m]
        loss = ww_sgd_step(w, data, buf, lr, momentum, v, grad)
    return loss


@njit(inline="always", cache=True, nogil=True)
def _within(a: np.ndarray, b: np.ndarray, eps: float) -> bool:
    """Every |a - b| < eps (False for NaN)."""
    for m in range(a.shape[0]):
        if not abs(a[m] - b[m]) < eps:
            return False
    return True


@njit(inline="always", cache=True, nogil=True)
def _dead_class(w: np.ndarray, eps: float) -> int:
    """DIVERGENT (any NaN/inf), ZERO (all |w| < eps) or -1."""
    zero = True
    for m in range(w.shape[0]):
        if not np.isfinite(w[m]):
            return DIVERGENT
        if abs(w[m]) >= eps:
            zero = False
    return ZERO if zero else -1


@njit(inline="always", cache=True, nogil=True)
def classify_one(w: np.ndarray, eps: float, a: np.ndarray, b: np.ndarray,
                 v: np.ndarray) -> int:
    """Fixpoint class of weightwise particle ``w`` (see the module docstring)."""
    dead = _dead_class(w, eps)
    if dead >= 0:
        return dead
    ww_apply(w, w, a, v)
    if _within(a, w, eps):
        return FIXPOINT
    ww_apply(w, a, b, v)
    return SECOND_ORDER if _within(b, w, eps) else OTHER


# --- aggregating: one particle -------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def ag_matrix(w: np.ndarray, mat: np.ndarray) -> None:
    """The 4x4 end-to-end map ``M = W1 W2 W3`` (W1 4x2 at w[0:8], W2 2x2 at 8:12, W3 2x4 at
    12:20), so the outputs are ``a @ M``."""
    for k in range(4):
        h0 = w[2 * k] * w[8] + w[2 * k + 1] * w[10]
        h1 = w[2 * k] * w[9] + w[2 * k + 1] * w[11]
        for j in range(4):
            mat[k, j] = h0 * w[12 + j] + h1 * w[16 + j]


@njit(inline="always", cache=True, nogil=True)
def ag_aggregate(t: np.ndarray, agg: np.ndarray) -> None:
    """Averages of the 4 groups of 5 consecutive weights."""
    for k in range(4):
        s = 0.0
        for j in range(5):
            s += t[5 * k + j]
        agg[k] = s / 5.0


@njit(inline="always", cache=True, nogil=True)
def ag_apply(w: np.ndarray, target: np.ndarray, out: np.ndarray, mat: np.ndarray,
             agg: np.ndarray) -> None:
    """``out = f_w(target)`` for an aggregating particle."""
    ag_matrix(w, mat)
    ag_aggregate(target, agg)
    for j in range(4):
        y = 0.0
        for k in range(4):
            y += agg[k] * mat[k, j]
        for i in range(5):
            out[5 * j + i] = y


@njit(inline="always", cache=True, nogil=True)
def ag_sgd_step(w: np.ndarray, data: np.ndarray, buf: np.ndarray, lr: float, momentum: float,
                agg: np.ndarray, grad: np.ndarray) -> float:
    """One SGD step of ``w`` on the single sample (aggregates of ``data`` -> themselves)."""
    ag_aggregate(data, agg)
    h10 = 0.0
    h11 = 0.0
    for k in range(4):
        h10 += agg[k] * w[2 * k]
        h11 += agg[k] * w[2 * k + 1]
    h20 = h10 * w[8] + h11 * w[10]
    h21 = h10 * w[9] + h11 * w[11]
    loss = 0.0
    gh20 = 0.0
    gh21 = 0.0
    for j in range(4):
        r = h20 * w[12 + j] + h21 * w[16 + j] - agg[j]
        loss += r * r
        gy = 0.5 * r  # d(mean of 4 squares)/dy = 2 r / 4
        grad[12 + j] = h20 * gy
        grad[16 + j] = h21 * gy
        gh20 += w[12 + j] * gy
        gh21 += w[16 + j] * gy
    grad[8] = h10 * gh20
    grad[9] = h10 * gh21
    grad[10] = h11 * gh20
    grad[11] = h11 * gh21
    gh10 = w[8] * gh20 + w[9] * gh21
    gh11 = w[10] * gh20 + w[11] * gh21
    for k in range(4):
        grad[2 * k] = agg[k] * gh10
        grad[2 * k + 1] = agg[k] * gh11
    for m in range(20):
        buf[m] = momentum * buf[m] + grad[m]
        w[m] -= lr * buf[m]
    return loss / 4.0


# --- batched kernels ----------------------------------------------------------------------------


@njit(parallel=True, cache=True, nogil=True)
def _apply_batch(kind: int, weights: np.ndarray, targets: np.ndarray, out: np.ndarray) -> None:
    n, nw = weights.shape
    for i in prange(n):
        w = np.empty(nw)
        t = np.empty(nw)
        o = np.empty(nw)
        v = np.empty(4)
        mat = np.empty((4, 4))
        for m in range(nw):
            w[m] = weights[i, m]
            t[m] = targets[i, m]
        if kind == 0:
            ww_apply(w, t, o, v)
        else:
            ag_apply(w, t, o, mat, v)
        for m in range(nw):
            out[i, m] = o[m]


@njit(parallel=True, cache=True, nogil=True)
def _train_batch(kind: int, weights: np.ndarray, data: np.ndarray, own: bool, steps: int,
                 lr: float, momentum: float, losses: np.ndarray) -> None:
    n, nw = weights.shape
    for i in prange(n):
        w = np.empty(nw)
        d = np.empty(nw)
        buf = np.zeros(nw)
        grad = np.empty(nw)
        v = np.empty(4)
        for m in range(nw):
            w[m] = weights[i, m]
            d[m] = weights[i, m] if own else data[i, m]
        loss = 0.0
        if kind == 0:
            loss = ww_train(w, d, steps, lr, momentum, own, buf, v, grad)
        else:
            for _ in range(steps):
                if own:
                    for m in range(nw):
                        d[m] = w[m]
                loss = ag_sgd_step(w, d, buf, lr, momentum, v, grad)
        losses[i] = loss
        for m in range(nw):
            weights[i, m] = w[m]


@njit(inline="always", cache=True, nogil=True)
def ag_classify_one(w: np.ndarray, eps: float, a: np.ndarray, b: np.ndarray, mat: np.ndarray,
                    agg: np.ndarray) -> int:
    """Fixpoint class of aggregating particle ``w``."""
    dead = _dead_class(w, eps)
    if dead >= 0:
        return dead
    ag_apply(w, w, a, mat, agg)
    if _within(a, w, eps):
        return FIXPOINT
    ag_apply(w, a, b, mat, agg)
    return SECOND_ORDER if _within(b, w, eps) else OTHER


@njit(parallel=True, cache=True, nogil=True)
def _classify_batch(kind: int, weights: np.ndarray, eps: float, out: np.ndarray) -> None:
    n, nw = weights.shape
    for i in prange(n):
        w = np.empty(nw)
        a = np.empty(nw)
        b = np.empty(nw)
        v = np.empty(4)
        mat = np.empty((4, 4))
        for m in range(nw):
            w[m] = weights[i, m]
        if kind == 0:
            out[i] = classify_one(w, eps, a, b, v)
        else:
            out[i] = ag_classify_one(w, eps, a, b, mat, v)


@njit(parallel=True, cache=True, nogil=True)
def _random_batch(out: np.ndarray, limits: np.ndarray, seed: np.uint64, generation: int,
                  first_index: int) -> None:
    n, nw = out.shape
    for i in prange(n):
        for m in range(nw):
            u = unit(seed, STREAM_INIT, generation, (first_index + i) * 32 + m)
            out[i, m] = (2.0 * u - 1.0) * limits[m]


@njit(parallel=True, cache=True, nogil=True)
def _noise_batch(weights: np.ndarray, std: float, seed: np.uint64, generation: int) -> None:
    n, nw = weights.shape
    for i in prange(n):
        for m in range(nw):
            weights[i, m] += std * normal(seed, STREAM_NOISE, generation, i * 32 + m)


# --- public API -----------------------------------------------------------------------------------


def _kind_id(kind: str) -> int:
    if kind not in KINDS:
        raise AlifeError(f"particle kind {kind!r} is unknown; accepted: {', '.join(KINDS)}")
    return list(KINDS).index(kind)


def _as_batch(weights: np.ndarray, kind: str, name: str = "weights") -> np.ndarray:
    _kind_id(kind)
    a = np.asarray(weights, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != KINDS[kind]:
        raise AlifeError(f"{name} has shape {np.shape(weights)}; accepted: ({KINDS[kind]},) or "
                         f"(N, {KINDS[kind]}) for {kind} particles")
    return np.ascontiguousarray(a)


def random_particles(n: int, seed: int = 0, kind: str = "weightwise",
                     generation: int = 0) -> np.ndarray:
    """``n`` particles with Keras's Glorot-uniform weights, drawn from the soup's hash."""
    k = _kind_id(kind)
    out = np.empty((n, KINDS[kind]))
    limits = GLOROT_WEIGHTWISE if k == 0 else GLOROT_AGGREGATING
    _random_batch(out, limits, np.uint64(seed), generation, 0)
    return out


def apply(weights: np.ndarray, targets: np.ndarray, kind: str = "weightwise") -> np.ndarray:
    """Row i of the result: particle ``weights[i]`` applied to ``targets[i]`` (an attack)."""
    k = _kind_id(kind)
    w, t = _as_batch(weights, kind), _as_batch(targets, kind, "targets")
    if t.shape != w.shape:
        raise AlifeError(f"targets shape {t.shape} differs from weights shape {w.shape}")
    out = np.empty_like(w)
    _apply_batch(k, w, t, out)
    return out


def self_apply(weights: np.ndarray, times: int = 1, kind: str = "weightwise") -> np.ndarray:
    """Each particle rewritten by itself ``times`` times: ``w <- f_w(w)``."""
    w = _as_batch(weights, kind)
    for _ in range(times):
        w = apply(w, w, kind)
    return w


def self_train(weights: np.ndarray, steps: int, lr: float = LEARNING_RATE,
               momentum: float = MOMENTUM,
               kind: str = "weightwise") -> tuple[np.ndarray, np.ndarray]:
    """(trained copy, last-step loss per particle) after ``steps`` self-training SGD steps."""
    w = _as_batch(weights, kind).copy()
    losses = np.empty(len(w))
    _train_batch(_kind_id(kind), w, w, True, int(steps), float(lr), float(momentum), losses)
    return w, losses


def learn_from(weights: np.ndarray, others: np.ndarray, steps: int = 1,
               lr: float = LEARNING_RATE, momentum: float = MOMENTUM,
               kind: str = "weightwise") -> tuple[np.ndarray, np.ndarray]:
    """(trained copy, losses): particle i fitted to reproduce ``others[i]``'s weights."""
    w = _as_batch(weights, kind).copy()
    o = _as_batch(others, kind, "others")
    losses = np.empty(len(w))
    _train_batch(_kind_id(kind), w, o, False, int(steps), float(lr), float(momentum), losses)
    return w, losses


def add_noise(weights: np.ndarray, std: float, seed: int = 0, generation: int = 0,
              kind: str = "weightwise") -> np.ndarray:
    """A copy with keyed Gaussian noise of standard deviation ``std`` added to every weight."""
    w = _as_batch(weights, kind).copy()
    _noise_batch(w, float(std), np.uint64(seed), generation)
    return w


def classify(weights: np.ndarray, eps: float = EPSILON, kind: str = "weightwise") -> np.ndarray:
    """Fixpoint class (``CLASS_NAMES`` index) of every particle, int8[N]."""
    w = _as_batch(weights, kind)
    out = np.empty(len(w), dtype=np.int8)
    _classify_batch(_kind_id(kind), w, float(eps), out)
    return out


def aggregate_fixpoint(weights: np.ndarray, eps: float = EPSILON) -> np.ndarray:
    """Aggregating particles whose self-application keeps their 4 aggregates within ``eps``.

    The authors' "fixpoint after aggregation": a weaker test than :func:`classify`'s, which
    also needs the weights themselves back (so each group of 5 must already be constant).
    """
    w = _as_batch(weights, "aggregating")
    after = self_apply(w, kind="aggregating")
    with np.errstate(invalid="ignore"):
        diff = np.abs(after.reshape(-1, 4, 5).mean(axis=2) - w.reshape(-1, 4, 5).mean(axis=2))
    return np.all(diff < eps, axis=1)


def end_vectors(weights: np.ndarray) -> np.ndarray:
    """``v = W1 W2 W3`` of every weightwise particle, float64[N, 4]: ``f_w(t)_m = v0 t_m +
    v1 l_m + v2 c_m + v3 p_m``; a fixpoint has v = (1, 0, 0, 0)."""
    w = _as_batch(weights, "weightwise")
    u = np.stack([w[:, 8] * w[:, 12] + w[:, 9] * w[:, 13],
                  w[:, 10] * w[:, 12] + w[:, 11] * w[:, 13]], axis=1)
    return np.einsum("nki,ni->nk", w[:, :8].reshape(-1, 4, 2), u)


def census(classes: np.ndarray) -> dict[str, int]:
    """Counts per fixpoint class name."""
    counts = np.bincount(np.asarray(classes, dtype=np.int64), minlength=len(CLASS_NAMES))
    return {name: int(c) for name, c in zip(CLASS_NAMES, counts, strict=True)}


def identity_fixpoint(scale: float = 1.0) -> np.ndarray:
    """A hand-built weightwise fixpoint: ``v = W1 W2 W3 = (1, 0, 0, 0)``, weights scaled apart.

    ``W1 = [[s, 0], [0, 0], [0, 0], [0, 0]]``, ``W2 = I / s``, ``w3 = (1, 0)``.
    """
    w = np.zeros(14)
    w[0] = scale
    w[8] = 1.0 / scale
    w[11] = 1.0 / scale
    w[12] = 1.0
    return w
