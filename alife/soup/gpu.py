"""Program soups on a CUDA GPU, byte-identical to the CPU engine (soup.md; Agüera y Arcas et al.
2024): K soups of one world (K seeds) advance together, one launch per epoch.

The device is a speed setting, never a result setting. Per epoch, the pairs of every soup are
drawn by the CPU engine's own compiled pairing (a few milliseconds for 2^17 programs); the
device then mutates, runs and writes back every pair of every soup
(:mod:`alife.soup.cuda_kernel`), and the soups stay on the device between epochs of one call.
Resets run on the host between launches, as on the CPU. Needs the ``gpu`` extra
(``numba-cuda``) and a GPU, or ``NUMBA_ENABLE_CUDASIM=1`` (numba's CUDA simulator, slow: for
tests). Tracer tokens, lineage and zff's rules stay on the CPU.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.languages.dispatch import compiled
from alife.rng import s_py
from alife.soup.initial import init_programs
from alife.soup.pairing import epoch_pairs, pairing_code

DEVICES = ("cpu", "cuda")
THREADS_PER_BLOCK = 128


def cuda_unavailable() -> str | None:
    """Why ``device = "cuda"`` cannot run here (None: it can)."""
    try:
        from numba import cuda
    except ImportError as exc:  # pragma: no cover - depends on the install
        return f"numba's CUDA target does not load ({exc}); install the gpu extra"
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return None
    try:
        if not cuda.is_available():
            return ("no CUDA GPU is visible (numba-cuda found no driver or device); run on a "
                    "machine with an NVIDIA GPU, or set NUMBA_ENABLE_CUDASIM=1 for the simulator")
    except Exception as exc:  # noqa: BLE001 - the driver's own errors vary
        return f"the CUDA driver does not start ({type(exc).__name__}: {exc})"
    return None


def check_device(device: str, world: Any | None = None) -> None:
    """Raise :class:`AlifeError` (one line) unless ``device`` can run ``world`` here."""
    if device not in DEVICES:
        raise AlifeError(f"device {device!r}: accepted {', '.join(DEVICES)}")
    if device == "cpu":
        return
    if world is not None:
        if world.kind != "program":
            raise AlifeError(f"device 'cuda' runs program soups, not kind = {world.kind!r}; "
                             "accepted there: device 'cpu'")
        if world.soup.zff or world.tracer_tokens or world.lineage:
            what = "zff's rules" if world.soup.zff else "tracer tokens and lineage"
            raise AlifeError(f"device 'cuda': {what} run on the CPU only; accepted: device "
                             "'cpu' for this world")
    reason = cuda_unavailable()
    if reason is not None:
        raise AlifeError(f"device 'cuda': {reason}")


def _kernel(world: Any) -> Any:
    family = world_family(world)
    size = world.program_size
    return compiled("alife.soup.cuda_kernel", SIZE=size,
                    SCRATCH=max(1, family.scratch_ints(2 * size)),
                    STACK=max(1, family.stack_bytes)).execute_batch


def world_family(world: Any) -> Any:
    """The language family of a program world."""
    from alife.languages import get

    return get(world.language).family


def run_batch(soups: Sequence[Any], epochs: int) -> None:
    """Advance ``soups`` (program soups of one world, seeds aside, at one epoch) by ``epochs``
    epochs on the GPU; each soup ends as :meth:`alife.soup.Soup.run` on the CPU leaves it."""
    from numba import cuda

    if not soups or epochs <= 0:
        return
    first = soups[0]
    world = first.world
    check_device("cuda", world)
    for s in soups[1:]:
        if s.world.replace(seed=world.seed) != world or s.epoch != first.epoch:
            raise AlifeError("a GPU batch runs soups of one world at one epoch; seeds may "
                             "differ, nothing else")
    kernel = _kernel(world)
    k_soups, n = len(soups), world.num_programs
    npairs = n // 2
    host = np.stack([s.programs for s in soups])
    d_programs = cuda.to_device(host)
    d_pair_ops = cuda.device_array((k_soups, npairs), dtype=np.int64)
    offsets, partners = first._offsets, first._partners
    order = np.empty(n, dtype=np.int64)
    draws = np.empty(n, dtype=np.int64)
    flat = np.empty(n, dtype=np.int64)
    used = np.empty(n, dtype=np.bool_)
    pairs = np.empty((k_soups, n), dtype=np.int64)
    executed = np.empty(k_soups, dtype=np.int64)
    bases = np.empty(k_soups, dtype=np.uint64)
    ops = np.zeros((k_soups, epochs), dtype=np.int64)
    interactions = np.zeros((k_soups, epochs), dtype=np.int64)
    mode = pairing_code(world.pairing)
    threads = k_soups * npairs
    per_block = min(THREADS_PER_BLOCK, -(-threads // 32) * 32)  # whole warps, no idle block
    blocks = -(-threads // per_block)
    for d in range(epochs):
        e = first.epoch + d
        for i, s in enumerate(soups):
            seed = np.uint64(s.world.seed)
            chosen, count = epoch_pairs(n, seed, e, offsets, partners, order, draws, flat, used,
                                        mode)
            pairs[i] = chosen
            executed[i] = count
            bases[i] = np.uint64((n * s_py(s.world.seed, e)) % 2**64)
        with warnings.catch_warnings():  # the simulator's uint64 hashes wrap, as on device
            warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
            kernel[blocks, per_block](
                d_programs, cuda.to_device(pairs), cuda.to_device(executed),
                cuda.to_device(bases), first.language.id, np.uint64(world.mutation_threshold),
                world.step_limit, d_pair_ops)
        ops[:, d] = d_pair_ops.copy_to_host().sum(axis=1)
        interactions[:, d] = executed
        if world.reset_interval > 0 and e % world.reset_interval == 0:
            host = d_programs.copy_to_host()
            for i, s in enumerate(soups):
                init_programs(host[i], np.uint64(s.world.seed), np.uint64(s.reset_index),
                              world.zero_init)
                s.reset_index += 1
            d_programs = cuda.to_device(host)
    host = d_programs.copy_to_host()
    for i, s in enumerate(soups):
        s.programs[:] = host[i]
        s.epoch += epochs
        s._species_epoch = None
        s.total_ops += int(ops[i].sum())
        s.last_ops = int(ops[i, -1])
        s.last_interactions = int(interactions[i, -1])
        s.epoch_ops = ops[i]


class Batch:
    """Soups run by threads of their own (each its usual run loop: reports, histories) that
    meet at every compiled call: once every member waits, one :func:`run_batch` advances them
    all, grouped by epoch and chunk. Runs about to start are announced with :meth:`expect`; a
    soup joins with :meth:`join` (its :meth:`Soup.run` then waits here) and leaves when its run
    ends, so the others do not wait for it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._arriving = 0  # runs announced by expect() that have not joined yet
        self._members: set[int] = set()
        self._waiting: dict[int, tuple[Any, int]] = {}
        self._failure: BaseException | None = None
        self.launches = 0  #: run_batch calls so far
        self.largest = 0  #: most soups in one of them

    def expect(self, runs: int = 1) -> None:
        """Announce ``runs`` more members: no launch happens until each has joined (or
        called :meth:`arrived`), so soups that start a moment apart still share launches."""
        with self._cond:
            self._arriving += runs

    def arrived(self) -> None:
        """An announced run ended without joining (nothing to run, or an error)."""
        with self._cond:
            self._arriving = max(0, self._arriving - 1)
            self._launch_if_ready()
            self._cond.notify_all()

    def join(self, soup: Any) -> None:
        """Make ``soup`` a member: its runs go through the batch."""
        with self._cond:
            self._arriving = max(0, self._arriving - 1)
            self._members.add(id(soup))
            soup.gpu_batch = self

    def leave(self, soup: Any) -> None:
        """``soup``'s run has ended: the others no longer wait for it."""
        with self._cond:
            self._members.discard(id(soup))
            self._waiting.pop(id(soup), None)
            soup.gpu_batch = None
            self._launch_if_ready()
            self._cond.notify_all()

    def run(self, soup: Any, epochs: int) -> None:
        """Wait until every member asks, then advance them all (one launch per group)."""
        with self._cond:
            self._waiting[id(soup)] = (soup, epochs)
            self._launch_if_ready()
            while id(soup) in self._waiting and self._failure is None:
                self._cond.wait()
            if self._failure is not None:
                raise AlifeError(f"a GPU batch failed: {self._failure}")

    def _launch_if_ready(self) -> None:
        if not self._waiting or self._arriving or set(self._waiting) != self._members:
            return
        groups: dict[tuple[int, int], list[Any]] = {}
        for soup, epochs in self._waiting.values():
            groups.setdefault((soup.epoch, epochs), []).append(soup)
        try:
            for (_, epochs), soups in sorted(groups.items(), key=lambda kv: kv[0]):
                run_batch(soups, epochs)
                self.launches += 1
                self.largest = max(self.largest, len(soups))
        except BaseException as exc:  # every waiting run fails with it, not just this one
            self._failure = exc
            raise
        finally:
            self._waiting.clear()
            self._cond.notify_all()


__all__ = ["DEVICES", "Batch", "check_device", "cuda_unavailable", "run_batch"]
