"""The history file layout (shared/spec/history.md), version 1, created in one place.

::

    /            attrs: format, format_version, world (TOML), seed, language, alife_version,
                        created, status, stopped_by, writer_pid, writer_host
    /metrics/    epoch (dimension scale) and one float64 series per name in METRICS
    /species/    epoch [n], key uint8[n, k, 64], count int64[n, k]: top-k programs per report
    /snapshots/  epoch [m], reset_index [m], soup uint8[m, N, 64] (gzip, one chunk each)
    /checkpoint/ active (slot 0/1, -1 before the first), and per slot: epoch, reset_index,
                 total_ops, wall_time, soup uint8[2, N, 64], MODES state (modes uint64[2, *],
                 modes_len)
    /registry/   entries: species first seen at >= registry_share of the soup (program,
                 first_epoch, first_share, score, peak_share, peak_epoch), rewritten as they change

Worlds with ``tracer_tokens`` add ``/snapshots/tokens`` uint64[m, N, 64] and
``/checkpoint/tokens`` uint64[2, N, 64]; worlds with ``lineage`` add ``/lineage/crossed``
uint8[epochs, ceil(N/8)]: row e holds epoch e's bits (little-endian bit order), bit p set when
program p's lineage parent in that epoch was its partner.

Neural soups (``kind = "neural"``) use the same layout: each particle is a 64-byte row of 16
little-endian float32 slots (14 weights, 2 zeros), so ``soup`` datasets hold weights as bytes
(``rows.view("<f4")``); their reports fill the ``census_*`` series and leave species, registry
and MODES empty. The root attribute ``language`` is ``"neural"``.
"""

from __future__ import annotations

import h5py

from alife.analysis.emergence import ENTRY_DTYPE
from alife.world import World

FORMAT = "alife-history"
FORMAT_VERSION = 1
#: Metric series every history holds (float64, NaN where not measured).
METRICS = ("h0", "brotli_size", "bpb", "higher_entropy", "ops", "ops_per_interaction",
           "total_ops", "richness", "shannon_bits", "score_sample", "score_mean", "score_max",
           "replicators", "confirmed", "replicator_fraction", "wall_time",
           "token_origins", "token_initial_share", "token_top_share",
           "gini_simpson", "hill_2", "berger_parker", "evenness", "skeleton_richness",
           "skeleton_shannon_bits", "hamming_richness", "hamming_shannon_bits", "modes_change",
           "modes_novelty", "modes_ecology", "modes_complexity", "modes_persistent",
           # neural soups (kind = "neural"): census per fixpoint class and the last generation
           "census_divergent", "census_zero", "census_fixpoint", "census_second_order",
           "census_other", "fixpoint_fraction", "attacks", "learn_events", "sgd_steps",
           "replaced", "mean_abs_weight")
CHECKPOINT_SCALARS = ("epoch", "reset_index", "total_ops", "wall_time")
SNAPSHOT_COMPRESSION = {"compression": "gzip", "compression_opts": 1}


def create_layout(f: h5py.File, world: World) -> None:
    """Create every group and (empty, resizable) dataset of a history for ``world``."""
    n, k = world.num_programs, max(world.species_top, 1)
    m = f.create_group("metrics")
    ep = m.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
    ep.make_scale("epoch")
    for name in METRICS:
        d = m.create_dataset(name, (0,), maxshape=(None,), dtype="f8", chunks=(256,))
        d.dims[0].attach_scale(ep)
    sp = f.create_group("species")
    sp.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
    sp.create_dataset("key", (0, k, 64), maxshape=(None, k, 64), dtype="u1",
                      chunks=(16, k, 64), compression="gzip", compression_opts=1)
    sp.create_dataset("count", (0, k), maxshape=(None, k), dtype="i8", chunks=(256, k))
    s = f.create_group("snapshots")
    s.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
    s.create_dataset("reset_index", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
    s.create_dataset("soup", (0, n, 64), maxshape=(None, n, 64), dtype="u1",
                     chunks=(1, n, 64), **SNAPSHOT_COMPRESSION)
    c = f.create_group("checkpoint")
    c.create_dataset("active", (1,), dtype="i8", data=[-1])
    for name in CHECKPOINT_SCALARS:
        c.create_dataset(name, (2,), dtype="f8" if name == "wall_time" else "i8")
    c.create_dataset("soup", (2, n, 64), dtype="u1", chunks=(1, n, 64))
    c.create_dataset("modes", (2, 0), maxshape=(2, None), dtype="u8", chunks=(1, 65536))
    c.create_dataset("modes_len", (2,), dtype="i8")
    r = f.create_group("registry")
    r.attrs["share"] = world.registry_share
    r.create_dataset("entries", (0,), maxshape=(None,), dtype=ENTRY_DTYPE, chunks=(64,))
    if world.tracer_tokens:
        s.create_dataset("tokens", (0, n, 64), maxshape=(None, n, 64), dtype="u8",
                         chunks=(1, n, 64), **SNAPSHOT_COMPRESSION)
        c.create_dataset("tokens", (2, n, 64), dtype="u8", chunks=(1, n, 64))
    if world.lineage:
        width = (n + 7) // 8
        g = f.create_group("lineage")
        g.create_dataset("first_epoch", (1,), dtype="i8", data=[0])
        g.create_dataset("crossed", (0, width), maxshape=(None, width), dtype="u1",
                         chunks=(64, width), **SNAPSHOT_COMPRESSION)
