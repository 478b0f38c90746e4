"""Speed of the SRWM loop (Irie et al. 2022): plain torch against ``torch.compile``.

    python scripts/bench_srwm.py [--T 30] [--batch 32] [--reps 10] [--threads 1]

Times forward + backward of one SRWM sequence (4 heads of d = 16, the few-shot model's layer)
three ways: the plain loop of ``srwm_step`` (what alife uses), the same loop over a
``torch.compile``d step, and ``torch.compile`` of the whole sequence function (the loop
unrolled); reports ms per sequence batch, compile time, and the largest difference of outputs
and gradients (relative to the largest gradient) from the plain loop.
"""

from __future__ import annotations

import argparse
import time

import torch

from alife.neural.srwm import _block_index, srwm_rows, srwm_sequence, srwm_step


def loop(step, W0: torch.Tensor, xs: torch.Tensor, block: torch.Tensor) -> torch.Tensor:
    """The SRWM loop over ``step``; returns the stacked outputs."""
    W, ys = W0.expand(xs.shape[1], *W0.shape), []
    for t in range(xs.shape[0]):
        y, W = step(W, xs[t], True, block)
        ys.append(y)
    return torch.stack(ys)


def timed(fn, W0: torch.Tensor, reps: int) -> tuple[float, float, torch.Tensor, torch.Tensor]:
    """(first call s, mean s per later call, outputs, gradient of W0)."""
    def once() -> tuple[torch.Tensor, torch.Tensor]:
        W0.grad = None
        ys = fn()
        (ys ** 2).sum().backward()
        return ys.detach(), W0.grad.clone()
    t0 = time.perf_counter()
    once()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(reps):
        ys, g = once()
    return first, (time.perf_counter() - t0) / reps, ys, g


def main() -> None:
    """Run the three variants and print a table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--T", type=int, default=30)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d", type=int, default=16)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    W0 = (torch.randn(args.heads, srwm_rows(args.d), args.d, generator=g) / args.d ** 0.5)
    W0 = W0.to(args.device).requires_grad_()
    xs = torch.randn(args.T, args.batch, args.heads, args.d, generator=g).to(args.device)
    block = _block_index(args.d, args.d, W0.device)
    compiled_step = torch.compile(srwm_step, dynamic=False)
    compiled_seq = torch.compile(lambda W, x: srwm_sequence(W, x)[0], dynamic=False)
    variants = {
        "plain loop": lambda: loop(srwm_step, W0, xs, block),
        "compiled step": lambda: loop(compiled_step, W0, xs, block),
        "compiled sequence": lambda: compiled_seq(W0.expand(args.batch, *W0.shape), xs),
    }
    print(f"T={args.T} batch={args.batch} heads={args.heads} d={args.d} "
          f"threads={args.threads} device={args.device} torch={torch.__version__}")
    print("| variant | first call (s) | ms / fwd+bwd | max |Δy| | max |Δgrad| / max |grad| |")
    print("|---|---|---|---|---|")
    ref = None
    for name, fn in variants.items():
        first, per, ys, grad = timed(fn, W0, args.reps)
        if ref is None:
            ref = (ys, grad)
        dy = (ys - ref[0]).abs().max().item()
        dg = ((grad - ref[1]).abs().max() / ref[1].abs().max()).item()
        print(f"| {name} | {first:.2f} | {1e3 * per:.1f} | {dy:.1e} | {dg:.1e} |", flush=True)


if __name__ == "__main__":
    main()
