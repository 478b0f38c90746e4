"""The history file layout (docs/spec/history.md), version 2, created in one place.

::

    /            attrs: format, format_version, world (TOML), seed, language, alife_version,
                        created, status, stopped_by, writer_pid, writer_host
    /metrics/    epoch (dimension scale) and one series per metric of the soup's kind in the
                 registry (alife.metrics), with attrs meaning, unit; NaN where not measured
    /species/    epoch [n], key uint8[n, k, P], count int64[n, k]: top-k programs per report
    /snapshots/  epoch [m], reset_index [m], soup uint8[m, N, P] (gzip, one chunk each)
    /checkpoint/ active (slot 0/1, -1 before the first), and per slot: epoch, reset_index,
                 total_ops, wall_time, soup uint8[2, N, P], MODES state (modes uint64[2, *],
                 modes_len)
    /registry/   entries: species first seen at >= registry_share of the soup (program,
                 first_epoch, first_share, score, peak_share, peak_epoch), rewritten as they change

P is the world's ``program_size`` (64 in the reference). Worlds with ``tracer_tokens`` add
``/snapshots/tokens`` uint64[m, N, P] and ``/checkpoint/tokens`` uint64[2, N, P]; worlds with
``lineage`` add ``/lineage/crossed``
uint8[epochs, ceil(N/8)]: row e holds epoch e's bits (little-endian bit order), bit p set when
program p's lineage parent in that epoch was its partner.

Neural soups (``kind = "neural"``) use the same layout: each particle is a 64-byte row of 16
little-endian float32 slots (14 weights, 2 zeros), so ``soup`` datasets hold weights as bytes
(``rows.view("<f4")``); their metrics are the registry's neural ones (``census_*``, ...), and
species, registry and MODES stay empty. The root attribute ``language`` is ``"neural"``.

Version 1 (read too) held one float64 series for every metric of both kinds; version 2 holds
the soup kind's registered metrics only, each with the registry's dtype, meaning and unit.
"""

from __future__ import annotations

import h5py

from alife.measures.replicators import entry_dtype
from alife.metrics import metrics_for
from alife.world import World

FORMAT = "alife-history"
FORMAT_VERSION = 2
#: Versions this alife reads (1: every metric of both kinds, all float64).
READABLE_VERSIONS = (1, 2)
#: Bytes per row of a neural soup: 16 little-endian float32 slots.
PARTICLE_ROW = 64
CHECKPOINT_SCALARS = ("epoch", "reset_index", "total_ops", "wall_time")
SNAPSHOT_COMPRESSION = {"compression": "gzip", "compression_opts": 1}


def row_bytes(world: World) -> int:
    """Bytes per soup row: the program size, or a particle's 64 bytes."""
    return PARTICLE_ROW if world.kind == "neural" else world.program_size


def create_layout(f: h5py.File, world: World) -> None:
    """Create every group and (empty, resizable) dataset of a history for ``world``."""
    n, k, w = world.num_programs, max(world.species_top, 1), row_bytes(world)
    m = f.create_group("metrics")
    ep = m.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
    ep.make_scale("epoch")
    ep.attrs.update({"meaning": "epochs completed at each report", "unit": "epochs"})
    for spec in metrics_for(world.kind):
        if spec.name == "epoch":
            continue
        d = m.create_dataset(spec.name, (0,), maxshape=(None,), dtype=spec.dtype, chunks=(256,))
        d.attrs.update({"meaning": spec.meaning, "unit": spec.unit})
        d.dims[0].attach_scale(ep)
    sp = f.create_group("species")
    sp.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
    sp.create_dataset("key", (0, k, w), maxshape=(None, k, w), dtype="u1",
                      chunks=(16, k, w), compression="gzip", compression_opts=1)
    sp.create_dataset("count", (0, k), maxshape=(None, k), dtype="i8", chunks=(256, k))
    s = f.create_group("snapshots")
    s.create_dataset("epoch", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
    s.create_dataset("reset_index", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
    s.create_dataset("soup", (0, n, w), maxshape=(None, n, w), dtype="u1",
                     chunks=(1, n, w), **SNAPSHOT_COMPRESSION)
    c = f.create_group("checkpoint")
    c.create_dataset("active", (1,), dtype="i8", data=[-1])
    for name in CHECKPOINT_SCALARS:
        c.create_dataset(name, (2,), dtype="f8" if name == "wall_time" else "i8")
    c.create_dataset("soup", (2, n, w), dtype="u1", chunks=(1, n, w))
    c.create_dataset("modes", (2, 0), maxshape=(2, None), dtype="u8", chunks=(1, 65536))
    c.create_dataset("modes_len", (2,), dtype="i8")
    r = f.create_group("registry")
    r.attrs["share"] = world.registry_share
    r.create_dataset("entries", (0,), maxshape=(None,), dtype=entry_dtype(w), chunks=(64,))
    if world.tracer_tokens:
        s.create_dataset("tokens", (0, n, w), maxshape=(None, n, w), dtype="u8",
                         chunks=(1, n, w), **SNAPSHOT_COMPRESSION)
        c.create_dataset("tokens", (2, n, w), dtype="u8", chunks=(1, n, w))
    if world.lineage:
        width = (n + 7) // 8
        g = f.create_group("lineage")
        g.create_dataset("first_epoch", (1,), dtype="i8", data=[0])
        g.create_dataset("crossed", (0, width), maxshape=(None, width), dtype="u1",
                         chunks=(64, width), **SNAPSHOT_COMPRESSION)
