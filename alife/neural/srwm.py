"""The modern self-referential weight matrix, SRWM (Irie, Schlag, Csordás, Schmidhuber 2022).

One matrix per head, ``W: float[d_out + 2 d_in + 4, d_in]``, makes its own output, key, query
and learning rates and rewrites itself at every step t (neural.md, "SRWM"):

    [y_t; k_t; q_t; β_t] = W_{t-1} x_t
    v_t = W_{t-1} φ(q_t),   v̄_t = W_{t-1} φ(k_t)
    W_t = W_{t-1} + σ(β_t) (v_t - v̄_t) ⊗ φ(k_t)

φ = softmax, σ = sigmoid with one learning rate per row block (y, k, q, β); y_t comes from
W_{t-1}. Only W_0 is a parameter; gradients reach it by backpropagation through the loop.

The official code runs CUDA kernels only; this is a plain torch loop over time, batched over
sequences and heads, that runs on any device torch supports. The recurrence is non-linear in W
(keys, queries and rates come from the matrix being updated), so no parallel scan is exact;
``torch.compile`` of the whole loop is measured in scripts/bench_srwm.py: about 5x faster per
call once compiled, equal to float32 rounding, but a cold compilation takes minutes and is
repeated for every new sequence length, so it is opt-in (``SRWMConfig(compile=True)``).

Sequences are time-first: ``h: float[T, B, d_model]``. A state is one ``float[B, H, R, d]``
matrix per layer (R = 3 d + 4 rows, d = d_model / H): ``state=None`` resets every sequence to
W_0 (a new episode); passing the returned state on carries the fast weights into the next
segment, detached, so gradients stop at the segment boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from alife.errors import AlifeError

try:
    import torch
    from torch import Tensor, nn
except ImportError as exc:  # torch is the optional `neural` extra
    raise AlifeError("alife.neural.srwm needs torch, which is not installed; "
                     "install the extra: pip install alife[neural]") from exc

State = tuple[Tensor, ...]  #: one fast weight matrix float[B, H, R, d] per layer


@dataclass(frozen=True)
class SRWMConfig:
    """Shape of an SRWM stack: ``n_layers`` blocks of (multi-head SRWM, feed-forward)."""

    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 128
    self_modify: bool = True  #: False is the "fake SR" baseline: W_t = W_0 at every step
    beta_init: float = 0.0  #: mean of W_0's β rows' initial weights
    compile: bool = False  #: run the loop through torch.compile (opt-in; see srwm.md)

    def __post_init__(self) -> None:
        for name in ("d_model", "n_heads", "n_layers", "d_ff"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise AlifeError(f"SRWMConfig.{name} must be a positive integer, "
                                 f"got {getattr(self, name)!r}")
        if self.d_model % self.n_heads:
            raise AlifeError(f"SRWMConfig.d_model ({self.d_model}) must be divisible by "
                             f"n_heads ({self.n_heads})")

    @property
    def d_head(self) -> int:
        """Width d of one head's input and output."""
        return self.d_model // self.n_heads


def srwm_rows(d_in: int, d_out: int | None = None) -> int:
    """Rows of one SRWM: d_out + 2 d_in + 4 (d_out defaults to d_in)."""
    return (d_in if d_out is None else d_out) + 2 * d_in + 4


def _block_index(d_in: int, d_out: int, device: torch.device | None = None) -> Tensor:
    """For each row of W, its block: 0 = y, 1 = k, 2 = q, 3 = β (int64[d_out + 2 d_in + 4])."""
    sizes = torch.tensor([d_out, d_in, d_in, 4], device=device)
    return torch.repeat_interleave(torch.arange(4, device=device), sizes)


def _check_shapes(W: Tensor, x: Tensor) -> tuple[int, int]:
    d_in = W.shape[-1] if W.dim() >= 2 else 0
    d_out = W.shape[-2] - 2 * d_in - 4 if W.dim() >= 2 else 0
    if d_out < 1:
        raise AlifeError(f"an SRWM matrix needs shape (..., d_out + 2 d_in + 4, d_in) with "
                         f"d_out >= 1, got {tuple(W.shape)}")
    if x.shape[-1] != d_in:
        raise AlifeError(f"SRWM input has width {x.shape[-1]}, the matrix expects d_in = {d_in}")
    return d_in, d_out


def srwm_step(W: Tensor, x: Tensor, self_modify: bool = True,
              block: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One SRWM step (Irie et al. 2022, eqs. 4-7): y_t from W_{t-1}, and W_t.

    ``W: float[..., d_out + 2 d_in + 4, d_in]``, ``x: float[..., d_in]`` (leading dims
    broadcast) -> ``y: float[..., d_out]``, ``W_t`` (``W`` itself when not ``self_modify``).
    """
    d_in, d_out = _check_shapes(W, x)
    out = (W @ x.unsqueeze(-1)).squeeze(-1)
    y, k, q, beta = out.split([d_out, d_in, d_in, 4], dim=-1)
    if not self_modify:
        return y, W
    phi_k = torch.softmax(k, dim=-1)
    phi_q = torch.softmax(q, dim=-1)
    v_minus_vbar = (W @ (phi_q - phi_k).unsqueeze(-1)).squeeze(-1)  # W φ(q) - W φ(k)
    if block is None:
        block = _block_index(d_in, d_out, W.device)
    rate = torch.sigmoid(beta)[..., block]  # one learning rate per row block
    W_new = W + (rate * v_minus_vbar).unsqueeze(-1) * phi_k.unsqueeze(-2)
    return y, W_new


def srwm_sequence(W: Tensor, xs: Tensor, self_modify: bool = True, freeze_from: int | None = None,
                  record: bool = False) -> tuple[Tensor, Tensor, Tensor | None]:
    """Run the SRWM over ``xs: float[T, ..., d_in]`` from ``W`` (= W_0, or a carried state).

    Returns ``ys: float[T, ..., d_out]``, the last matrix W_T and, when ``record``, every matrix
    ``float[T + 1, ..., R, d_in]`` (W_0 first). Steps t >= ``freeze_from`` (0-based) read but no
    longer rewrite the matrix; ``self_modify=False`` (fake SR) never rewrites it.
    """
    d_in, d_out = _check_shapes(W, xs)
    T = xs.shape[0]
    if not self_modify or freeze_from == 0:
        ys = (W[..., :d_out, :].unsqueeze(0) @ xs.unsqueeze(-1)).squeeze(-1)  # W_t = W for all t
        W_T = W.expand(*ys.shape[1:-1], *W.shape[-2:])
        history = W_T.unsqueeze(0).expand(T + 1, *W_T.shape) if record else None
        return ys, W_T, history
    block = _block_index(d_in, d_out, W.device)
    ys, history = [], [W] if record else None
    for t in range(T):
        modify = freeze_from is None or t < freeze_from
        y, W = srwm_step(W, xs[t], self_modify=modify, block=block)
        ys.append(y)
        if record:
            history.append(W)
    return torch.stack(ys), W, (torch.stack(history) if record else None)


@cache
def compiled_srwm_sequence():
    """``srwm_sequence`` through ``torch.compile`` (one compilation per shape and option set)."""
    return torch.compile(srwm_sequence, dynamic=False)


class SRWMLayer(nn.Module):
    """Multi-head SRWM with a pre-norm residual: h + Linear(concat_heads SRWM(LayerNorm(h)))."""

    def __init__(self, d_model: int, n_heads: int, self_modify: bool = True,
                 beta_init: float = 0.0, compile: bool = False) -> None:
        super().__init__()
        if d_model % n_heads:
            raise AlifeError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        d = d_model // n_heads
        self.n_heads, self.d_head, self.self_modify = n_heads, d, self_modify
        self.compile = compile
        W0 = torch.randn(n_heads, srwm_rows(d), d) / math.sqrt(d)
        W0[:, 3 * d:] += beta_init
        self.W0 = nn.Parameter(W0)  # the only trained copy of the self-referential matrix
        self.norm = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, d_model, bias=False)

    def initial_state(self, batch: int) -> Tensor:
        """W_0 for ``batch`` sequences: float[batch, H, R, d] (a view; gradients reach W0)."""
        return self.W0.unsqueeze(0).expand(batch, *self.W0.shape)

    def forward(self, h: Tensor, W: Tensor | None = None, freeze_from: int | None = None,
                record: bool = False) -> tuple[Tensor, Tensor, Tensor | None]:
        """``h: float[T, B, d_model]`` -> (output like h, W_T: float[B, H, R, d], history)."""
        T, B, D = h.shape
        if W is None:
            W = self.initial_state(B)
        elif W.shape != (B, *self.W0.shape):
            raise AlifeError(f"SRWM state has shape {tuple(W.shape)}, expected "
                             f"{(B, *self.W0.shape)} for a batch of {B}")
        x = self.norm(h).reshape(T, B, self.n_heads, self.d_head)
        sequence = compiled_srwm_sequence() if self.compile else srwm_sequence
        ys, W_T, history = sequence(W, x, self_modify=self.self_modify,
                                    freeze_from=freeze_from, record=record)
        return h + self.out(ys.reshape(T, B, D)), W_T, history


class FeedForward(nn.Module):
    """Pre-norm residual feed-forward: h + Linear(ReLU(Linear(LayerNorm(h))))."""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d_model), nn.Linear(d_model, d_ff), nn.ReLU(),
                                 nn.Linear(d_ff, d_model))

    def forward(self, h: Tensor) -> Tensor:
        """h: float[..., d_model] -> same shape."""
        return h + self.net(h)


class SRWMNet(nn.Module):
    """A stack of (SRWMLayer, FeedForward) blocks, the paper's sequence model; fake SR if
    ``config.self_modify`` is False."""

    def __init__(self, config: SRWMConfig) -> None:
        super().__init__()
        self.config = config
        self.srwm = nn.ModuleList(
            SRWMLayer(config.d_model, config.n_heads, config.self_modify, config.beta_init,
                      config.compile)
            for _ in range(config.n_layers))
        self.ff = nn.ModuleList(FeedForward(config.d_model, config.d_ff)
                                for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(config.d_model)

    def forward(self, h: Tensor, state: State | None = None, freeze_from: int | None = None,
                record: bool = False) -> tuple[Tensor, State, list[Tensor] | None]:
        """``h: float[T, B, d_model]`` -> (output float[T, B, d_model], new state, history).

        ``state=None`` starts every sequence from W_0 (reset); a state returned by an earlier
        call continues from where it stopped (carry). The returned state is detached. With
        ``record``, history[l] is layer l's float[T + 1, B, H, R, d] (detached).
        """
        if state is not None and len(state) != len(self.srwm):
            raise AlifeError(f"SRWM state holds {len(state)} matrices, the network has "
                             f"{len(self.srwm)} layers")
        new_state, history = [], [] if record else None
        for i, (layer, ff) in enumerate(zip(self.srwm, self.ff, strict=True)):
            h, W_T, hist = layer(h, None if state is None else state[i], freeze_from, record)
            h = ff(h)
            new_state.append(W_T.detach())
            if record:
                history.append(hist.detach())
        return self.norm(h), tuple(new_state), history
