"""The Delta Net: a fast weight programmer with the delta rule (Schlag, Irie, Schmidhuber 2021,
"Linear transformers are secretly fast weight programmers"), the few-shot baseline of Irie et
al. 2022 beside the SRWM.

Per head, slow weights map the input to a key, value, query and learning rate; a fast matrix
``W: float[d, d]`` (zero at the start of every sequence) stores values by key:

    k_t = φ(W_k x_t),  v_t = W_v x_t,  q_t = φ(W_q x_t),  β_t = σ(w_β x_t)
    W_t = W_{t-1} + β_t (v_t - W_{t-1} k_t) ⊗ k_t,     y_t = W_t q_t

φ = softmax (as in the SRWM of :mod:`alife.neural.srwm`, so the two differ only in who makes the
keys: slow weights here, the matrix itself there). The network stacks (DeltaLayer, FeedForward)
blocks exactly as :class:`alife.neural.srwm.SRWMNet` stacks SRWM layers.
"""

from __future__ import annotations

from alife.errors import AlifeError

try:
    import torch
    from torch import Tensor, nn
except ImportError as exc:  # torch is the optional `neural` extra
    raise AlifeError("alife.neural.deltanet needs torch, which is not installed; "
                     "install the extra: pip install alife[neural]") from exc

from alife.neural.srwm import FeedForward, SRWMConfig

State = tuple[Tensor, ...]  #: one fast weight matrix float[B, H, d, d] per layer


def delta_step(W: Tensor, k: Tensor, v: Tensor, q: Tensor, beta: Tensor) -> tuple[Tensor, Tensor]:
    """One delta-rule step (Schlag et al. 2021, eqs. 23-25): ``W: float[..., d_v, d_k]``,
    ``k, q: float[..., d_k]``, ``v: float[..., d_v]``, ``beta: float[...]`` (already a rate)
    -> (``y = W_t q``, ``W_t``)."""
    v_bar = (W @ k.unsqueeze(-1)).squeeze(-1)
    W = W + (beta.unsqueeze(-1) * (v - v_bar)).unsqueeze(-1) * k.unsqueeze(-2)
    return (W @ q.unsqueeze(-1)).squeeze(-1), W


class DeltaLayer(nn.Module):
    """Multi-head Delta Net with a pre-norm residual: h + Linear(concat_heads(y))."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        if d_model % n_heads:
            raise AlifeError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        d = d_model // n_heads
        self.n_heads, self.d_head = n_heads, d
        self.norm = nn.LayerNorm(d_model)
        self.slow = nn.Linear(d_model, n_heads * (3 * d + 1), bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)

    def forward(self, h: Tensor, W: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """``h: float[T, B, d_model]`` -> (output like h, W_T: float[B, H, d, d])."""
        T, B, D = h.shape
        H, d = self.n_heads, self.d_head
        if W is None:
            W = h.new_zeros(B, H, d, d)
        proj = self.slow(self.norm(h)).reshape(T, B, H, 3 * d + 1)
        k, v, q, beta = proj.split([d, d, d, 1], dim=-1)
        k, q = torch.softmax(k, dim=-1), torch.softmax(q, dim=-1)
        rate = torch.sigmoid(beta.squeeze(-1))
        ys = []
        for t in range(T):
            y, W = delta_step(W, k[t], v[t], q[t], rate[t])
            ys.append(y)
        return h + self.out(torch.stack(ys).reshape(T, B, D)), W


class DeltaNet(nn.Module):
    """A stack of (DeltaLayer, FeedForward) blocks with the sizes of an :class:`SRWMConfig`."""

    def __init__(self, config: SRWMConfig) -> None:
        super().__init__()
        self.config = config
        self.delta = nn.ModuleList(DeltaLayer(config.d_model, config.n_heads)
                                   for _ in range(config.n_layers))
        self.ff = nn.ModuleList(FeedForward(config.d_model, config.d_ff)
                                for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(config.d_model)

    def forward(self, h: Tensor, state: State | None = None, freeze_from: int | None = None,
                record: bool = False) -> tuple[Tensor, State, None]:
        """``h: float[T, B, d_model]`` -> (output, new state (detached), None), as
        :meth:`alife.neural.srwm.SRWMNet.forward`; ``freeze_from`` and ``record`` apply to the
        SRWM only."""
        if freeze_from is not None or record:
            raise AlifeError("freeze_from and record apply to the SRWM cores only")
        new_state = []
        for i, (layer, ff) in enumerate(zip(self.delta, self.ff, strict=True)):
            h, W_T = layer(h, None if state is None else state[i])
            h = ff(h)
            new_state.append(W_T.detach())
        return self.norm(h), tuple(new_state), None


__all__ = ["DeltaLayer", "DeltaNet", "delta_step"]
