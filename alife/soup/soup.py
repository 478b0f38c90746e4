"""The primordial soup as a scripting object (soup.md; Agüera y Arcas et al. 2024).

>>> soup = Soup(language="bff_noheads", num_programs=2**10, seed=0)
>>> soup.run(epochs=4).epoch
4
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import numba
import numpy as np

from alife.errors import AlifeError
from alife.languages import get
from alife.languages.dispatch import compiled
from alife.measures.diversity import diversity, species_labels
from alife.measures.entropy import complexity
from alife.measures.replication import (
    REPLICATOR,
    confirmed_threshold,
    replication_score,
    replication_scores,
)
from alife.measures.species import species_counts
from alife.soup import zff, zff_traced
from alife.soup.checkpoint import Checkpoint, check_dat_size, read_dat, write_dat
from alife.soup.initial import init_programs
from alife.soup.pairing import pairing_code
from alife.soup.spatial import partner_lists
from alife.soup.tracer import init_tokens, token_census
from alife.world import World, make_world

_EMPTY = np.empty(0, dtype=np.int64)
_NO_BITS = np.zeros((0, 0), dtype=np.uint8)


def set_threads(threads: int | None) -> int:
    """Use ``threads`` numba threads (None: all cores); return the count in use."""
    if threads is not None:
        if not 1 <= threads <= numba.config.NUMBA_NUM_THREADS:
            raise AlifeError(f"--threads {threads}: accepted 1..{numba.config.NUMBA_NUM_THREADS}")
        numba.set_num_threads(threads)
    return numba.get_num_threads()


def begin_run(epochs: int, threads: int | None) -> bool:
    """Check an epoch count and set the thread count; False when there is nothing to run."""
    if epochs < 0:
        raise AlifeError(f"epochs must be >= 0, got {epochs}")
    if epochs == 0:
        return False
    set_threads(threads)
    return True


class Soup:
    """A soup of ``N`` programs (``program_size`` bytes, 64 by default) that meet in pairs, run
    as one tape, and split again."""

    exact_species = True  #: species are exact programs (MODES, top species, registry)

    def __init__(self, world: World | None = None, /, *, device: str = "cpu",
                 **keys: Any) -> None:
        if world is None:
            world = make_world(keys)
        elif keys:
            world = world.replace(**keys)
        if world.kind != "program":
            raise AlifeError(f"Soup(world) builds program soups, not kind = {world.kind!r}; use "
                             "alife.new_soup(world), which builds every kind")
        self.world = world
        if device != "cpu":
            from alife.soup.gpu import check_device

            check_device(device, world)
        #: where :meth:`run` runs: "cpu", or "cuda" (alife.soup.gpu; the same bytes)
        self.device = device
        self.language = get(world.language)
        n, size = world.num_programs, world.program_size
        self.programs = np.empty((n, size), dtype=np.uint8)  #: uint8[N, P], program-major
        #: the index the next reset will use (the reference's counter); zff rules: the draws
        #: taken from the demo's random stream so far (z80.md: checkpoints store it)
        self.reset_index = 1
        self._zff_work: zff.BatchWork | None = None
        self._zff_traced_work: zff_traced.TracedBatchWork | None = None
        if world.soup.zff:
            bytes_, counter = zff.initial_soup(world.seed, world.soup.zff_randomness)
            self.programs.reshape(-1)[:] = bytes_
            self.reset_index = zff.SOUP_BYTES if world.soup.zff_randomness == "zff" else 0
        else:
            init_programs(self.programs, np.uint64(world.seed), np.uint64(0), world.zero_init)
        seeded = world.program_bytes()
        if seeded:
            self.programs.reshape(-1)[: len(seeded)] = np.frombuffer(seeded, dtype=np.uint8)
        #: uint64[N, P] tracer tokens (tracer_tokens worlds; else an empty array)
        self.tokens = np.zeros((n if world.tracer_tokens else 0, size), dtype=np.uint64)
        if world.tracer_tokens:
            init_tokens(self.programs, self.tokens, 0)
        #: lineage worlds: packed bits uint8[epochs, ceil(N/8)] per epoch not yet collected,
        #: bit p set when program p's lineage parent that epoch was its partner
        self.pending_lineage: list[np.ndarray] = []
        self.epoch = 0  #: epochs completed
        self.total_ops = 0
        self.last_ops = 0  #: ops executed in the most recent epoch
        self.last_interactions = 0  #: pairs executed in the most recent epoch
        self._species_epoch: int | None = None
        self._species = (_EMPTY, _EMPTY)
        self._offsets, self._partners = partner_lists(world)

    # --- construction from the reference format ------------------------------------------------

    @classmethod
    def from_checkpoint(cls, source: str | os.PathLike | Checkpoint, world: World | None = None,
                        **keys: Any) -> Soup:
        """A soup continuing a reference checkpoint (its programs, epoch count, reset counter).

        The checkpoint does not store the seed or language: they come from ``world``/``keys``.
        """
        cp = source if isinstance(source, Checkpoint) else read_dat(source)
        base = (world or make_world({})).to_dict()
        base.update(keys)
        check_dat_size(int(base.get("program_size", 64)))
        base["num_programs"] = cp.programs.shape[0]
        if base.get("grid") is not None and base["grid"][0] * base["grid"][1] != len(cp.programs):
            raise AlifeError(f"the checkpoint holds {len(cp.programs)} programs, which does not "
                             f"fit grid {list(base['grid'])}")
        base.pop("program", None)
        soup = cls(make_world(base))
        soup.programs[:] = cp.programs
        soup.epoch = cp.epochs
        soup.reset_index = cp.reset_index
        if soup.world.tracer_tokens:  # a .dat has no tokens: its bytes are new at this epoch
            init_tokens(soup.programs, soup.tokens, cp.epochs)
        return soup

    def checkpoint(self) -> Checkpoint:
        """The soup as a reference checkpoint (copy)."""
        return Checkpoint(self.reset_index, self.epoch, self.programs.copy())

    def save_dat(self, path: str | os.PathLike) -> Path:
        """Write the soup in the reference's ``.dat`` format."""
        return write_dat(path, self.programs, self.epoch, self.reset_index)

    def saved(self) -> dict[str, Any]:
        """What a checkpoint stores to resume bit-exactly (the soup protocol)."""
        return {"epoch": self.epoch, "reset_index": self.reset_index, "programs": self.programs,
                "total_ops": self.total_ops,
                "tokens": self.tokens if self.world.tracer_tokens else None}

    def frozen(self) -> Soup:
        """A copy of the soup as it is now (programs and tokens copied), which a report can read
        in the background while this soup runs on."""
        twin = copy.copy(self)
        twin.programs = self.programs.copy()
        twin.tokens = self.tokens.copy()
        twin.pending_lineage = []
        return twin

    def restore(self, state: Any) -> None:
        """Continue from ``state`` (epoch, reset_index, programs, total_ops, tokens)."""
        if state.programs.shape != self.programs.shape:
            raise AlifeError(f"the saved soup holds {state.programs.shape[0]} programs but the "
                             f"world has num_programs = {self.world.num_programs}")
        self.programs[:] = state.programs
        if self.world.tracer_tokens:
            if state.tokens is None:
                raise AlifeError("the saved state has no tracer tokens but the world has "
                                 "tracer_tokens = true")
            self.tokens[:] = state.tokens
        self.epoch = state.epoch
        self.reset_index = state.reset_index
        self.total_ops = state.total_ops
        self._species_epoch = None

    # --- running -------------------------------------------------------------------------------

    def run(self, epochs: int = 1, threads: int | None = None) -> Soup:
        """Advance ``epochs`` epochs in one compiled call (GIL released); return ``self``."""
        if not begin_run(epochs, threads):
            return self
        w = self.world
        if w.soup.zff:
            return self._run_zff(epochs)
        if self.device == "cuda":
            from alife.soup.gpu import run_batch

            batch = getattr(self, "gpu_batch", None)
            if batch is not None:  # one of K soups run together (alife.soup.gpu.Batch)
                batch.run(self, epochs)
            else:
                run_batch([self], epochs)
            return self
        ops = np.zeros(epochs, dtype=np.int64)
        interactions = np.zeros(epochs, dtype=np.int64)
        crossed = np.zeros((epochs, len(self.programs)), dtype=np.uint8) if w.lineage \
            else _NO_BITS
        kernel = compiled("alife.soup.kernel", SIZE=w.program_size)
        run = kernel.run_epochs_traced if w.tracer_tokens else kernel.run_epochs
        family = self.language.family
        self.reset_index = int(run(
            self.programs, self.language.id, np.uint64(w.seed), self.epoch, epochs,
            np.uint64(w.mutation_threshold), w.step_limit, self._offsets, self._partners,
            w.reset_interval, self.reset_index, w.zero_init, ops, interactions, self.tokens,
            crossed, family.scratch_ints(2 * w.program_size), family.stack_bytes,
            pairing_code(w.pairing)))
        if w.lineage:
            self.pending_lineage.append(np.packbits(crossed, axis=1, bitorder="little"))
        self.epoch += epochs
        self._species_epoch = None
        self.total_ops += int(ops.sum())
        self.last_ops = int(ops[-1])
        self.last_interactions = int(interactions[-1])
        self.epoch_ops = ops  #: int64[epochs]: ops of each epoch of the last :meth:`run`
        return self

    def _run_zff(self, epochs: int) -> Soup:
        """``epochs`` of zff's batches (z80.md) in one compiled call."""
        w = self.world
        if self._zff_work is None and not w.tracer_tokens:
            self._zff_work = zff.BatchWork()
        hashed = w.soup.zff_randomness == "hash"
        counter = np.uint64(0) if hashed else zff.stream_counter(w.seed, self.reset_index)
        if w.tracer_tokens:
            if self._zff_traced_work is None:
                self._zff_traced_work = zff_traced.TracedBatchWork()
            after, pairs, ops, crossed = self._zff_traced_work.run(
                self.programs.reshape(-1), self.tokens.reshape(-1), zff.CPUS[w.language],
                hashed, w.seed, counter, self.epoch, epochs, w.soup.zff_noise, w.lineage)
            if w.lineage:
                self.pending_lineage.append(np.packbits(crossed, axis=1, bitorder="little"))
        else:
            after, pairs, ops = self._zff_work.run(
                self.programs.reshape(-1), zff.CPUS[w.language], hashed, w.seed, counter,
                self.epoch, epochs, w.soup.zff_noise)
        if not hashed:
            self.reset_index += zff.draws_between(counter, after)
        self.epoch += epochs
        self._species_epoch = None
        self.total_ops += int(ops.sum())
        self.last_ops = int(ops[-1])
        self.last_interactions = int(pairs[-1])
        self.epoch_ops = ops
        return self

    # --- observing -----------------------------------------------------------------------------

    def replication_scores(self, sample: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(indices, scores) of ``sample`` evenly spaced programs (all when None), keyed as the
        reference keys them after the most recent epoch."""
        n = len(self.programs)
        k = n if sample is None or sample >= n else int(sample)
        idx = (np.arange(k, dtype=np.int64) * n) // k
        key_epoch = max(self.epoch - 1, 0)
        scores = replication_scores(self.programs[idx], self.world.language, key_epoch,
                                    self.world.seed, indices=idx, num_programs=n,
                                    step_limit=self.world.step_limit)
        return idx, scores

    def metrics(self, score_sample: int | None = -1) -> dict[str, float]:
        """The reference's report: epoch, h0, brotli_size, bpb, higher_entropy, ops, ops per
        interaction; diversity of exact species (richness, Shannon bits, Gini-Simpson, Hill D2,
        Berger-Parker, evenness), of instruction skeletons and (``hamming_radius`` > 0) of
        Hamming clusters; replication-score statistics
        over a sample (world's ``score_sample`` by default; None scores every program, 0 none)."""
        m: dict[str, float] = {"epoch": self.epoch}
        m.update(complexity(self.programs))
        m["ops"] = self.last_ops
        m["ops_per_interaction"] = self.last_ops / self.last_interactions \
            if self.last_interactions else 0.0
        m["total_ops"] = self.total_ops
        _, counts = self.species()
        d = diversity(counts)
        for name in ("richness", "shannon_bits", "gini_simpson", "hill_2", "berger_parker",
                     "evenness"):
            m[name] = d[name]
        _, skeleton_counts = species_labels(self.programs, "skeleton", self.world.language)
        d = diversity(skeleton_counts)
        m["skeleton_richness"] = d["richness"]
        m["skeleton_shannon_bits"] = d["shannon_bits"]
        if self.world.hamming_radius:
            _, cluster_counts = species_labels(self.programs, "hamming", self.world.language,
                                               self.world.hamming_radius)
            d = diversity(cluster_counts)
            m["hamming_richness"] = d["richness"]
            m["hamming_shannon_bits"] = d["shannon_bits"]
        if self.world.tracer_tokens:
            census = token_census(self.tokens, top=1)
            m["token_origins"] = census["unique"]
            m["token_initial_share"] = census["initial_share"]
            m["token_top_share"] = float(census["top_counts"][0]) / self.tokens.size
        sample = self.world.score_sample if score_sample == -1 else score_sample
        if sample is None or sample > 0:
            _, scores = self.replication_scores(sample)
            m["score_sample"] = len(scores)
            m["score_mean"] = float(scores.mean())
            m["score_max"] = int(scores.max())
            m["replicators"] = int((scores >= REPLICATOR).sum())
            m["confirmed"] = int((scores >= confirmed_threshold(self.world.program_size)).sum())
            m["replicator_fraction"] = m["replicators"] / len(scores)
        return m

    def status_fields(self, m: dict[str, Any]) -> dict[str, str]:
        """Short progress-bar fields of a report."""
        return {"H": f"{m['higher_entropy']:.3f}", "ops/int": f"{m['ops_per_interaction']:.0f}",
                "rep": f"{m.get('replicators', 0)}/{m.get('score_sample', 0)}"}

    @property
    def rows(self) -> np.ndarray:
        """The programs, ``uint8[N, 64]`` (the soup protocol's rows)."""
        return self.programs

    def describe(self) -> str:
        """One line saying what the soup is."""
        w = self.world
        grid = f", grid {list(w.grid)}" if w.grid else ""
        return (f"{w.language}, {w.num_programs} programs{grid}, seed {w.seed}, mutation "
                f"{w.mutation_prob:g}")

    def top_rows(self, k: int) -> list[dict[str, Any]]:
        """The ``k`` most common programs: count, replication score, hex and text."""
        w = self.world
        rows = []
        for program, count in self.most_common(k):
            score = replication_score(program, w.language, max(self.epoch - 1, 0), w.seed,
                                      w.step_limit, program_size=w.program_size)
            rows.append({"count": count, "score": score, "hex": program.hex(),
                         "text": self.language.disassemble(program)})
        return rows

    def summary_lines(self, final: dict[str, Any], epochs_per_s: float,
                      transition_epoch: int | None) -> list[str]:
        """The end-of-run summary: transition, final metrics, replicators."""
        f = final
        lines = [f"  transition      high-order entropy crossed 3.0 at the report of epoch "
                 f"{transition_epoch}" if transition_epoch is not None
                 else "  transition      high-order entropy never exceeded 3.0",
                 f"  final metrics   higher_entropy {f['higher_entropy']:.4f}  h0 {f['h0']:.4f}  "
                 f"bpb {f['bpb']:.4f}  brotli {int(f['brotli_size'])}  ops/interaction "
                 f"{f['ops_per_interaction']:.1f}  distinct programs {int(f['richness'])}"]
        if "score_sample" in f:
            lines.append(f"  replicators     {f['replicators']}/{f['score_sample']} sampled "
                         f"programs score >= 5, {f['confirmed']} >= "
                         f"{confirmed_threshold(self.world.program_size)} (mean score "
                         f"{f['score_mean']:.1f})")
        return lines

    def top_lines(self, top: list[dict[str, Any]]) -> list[str]:
        """A heading and one line per :meth:`top_rows` entry."""
        return ["most common programs (count, replication score, program):",
                *(f"  {t['count']:>7}  {t['score']:>2}  {t['text']}" for t in top)]

    def most_common(self, k: int = 5) -> list[tuple[bytes, int]]:
        """The ``k`` most common programs with their counts (ties: first in the soup first)."""
        first, counts = self.species()
        top = np.argsort(-counts, kind="stable")[:k]
        return [(self.programs[first[i]].tobytes(), int(counts[i])) for i in top]

    def species(self) -> tuple[np.ndarray, np.ndarray]:
        """(first index, count) of every distinct program, in order of first appearance.

        Cached until the next :meth:`run` (call ``species_counts`` after editing ``programs``).
        """
        if self._species_epoch != self.epoch:
            self._species = species_counts(self.programs)
            self._species_epoch = self.epoch
        return self._species

    def disassemble(self, index: int) -> str:
        """Program ``index`` as text in the soup's language."""
        return self.language.disassemble(self.programs[index])

    def __repr__(self) -> str:
        w = self.world
        return (f"Soup(language={w.language!r}, num_programs={w.num_programs}, seed={w.seed}, "
                f"epoch={self.epoch})")
