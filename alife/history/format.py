"""The history file layout (docs/spec/history.md), version 3, created in one place.

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
    /pattern     uint8[bytes] (worlds with ``pattern``): the partner-list file's contents as the run
                 started, attrs sha256 (hex) and path (where it was read); soups of the history
                 pair from these bytes, never from the path

P is the world's ``program_size`` (64 in the reference). Worlds with ``tracer_tokens`` add
``/snapshots/tokens`` uint64[m, N, P] and ``/checkpoint/tokens`` uint64[2, N, P]; worlds with
``lineage`` add ``/lineage/crossed``
uint8[epochs, ceil(N/8)]: row e holds epoch e's bits (little-endian bit order), bit p set when
program p's lineage parent in that epoch was its partner.

Neural soups (``kind = "neural"``) use the same layout: each particle is a 64-byte row of 16
little-endian float32 slots (14 weights, 2 zeros), so ``soup`` datasets hold weights as bytes
(``rows.view("<f4")``); their metrics are the registry's neural ones (``census_*``, ...), and
species, registry and MODES stay empty. The root attribute ``language`` is ``"neural"``.

The soup datasets (checkpoint soup, tokens and MODES state, snapshots, species keys, lineage
bits) carry HDF5's Fletcher-32 checksum per chunk, so a flipped byte is reported on read
(:data:`CHECKSUM`), and resume verifies every chunk it copies forward.

Version 1 (read too) held one float64 series for every metric of both kinds; version 2 holds
the soup kind's registered metrics only, each with the registry's dtype, meaning and unit;
version 3 adds the checksums and ``/pattern``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import h5py
import numpy as np

from alife.errors import AlifeError
from alife.measures.replicators import entry_dtype
from alife.metrics import metrics_for
from alife.world import World

FORMAT = "alife-history"
FORMAT_VERSION = 3
#: Versions this alife reads (1: every metric of both kinds, all float64; 2: no checksums, no
#: stored pattern file).
READABLE_VERSIONS = (1, 2, 3)
#: Bytes per row of a neural soup: 16 little-endian float32 slots.
PARTICLE_ROW = 64
CHECKPOINT_SCALARS = ("epoch", "reset_index", "total_ops", "wall_time")
#: Fletcher-32 over every chunk of the soup datasets: a read of a damaged chunk fails.
CHECKSUM = {"fletcher32": True}
SNAPSHOT_COMPRESSION = {"compression": "gzip", "compression_opts": 1, **CHECKSUM}


def row_bytes(world: World) -> int:
    """Bytes per soup row: the program size, or a particle's 64 bytes."""
    return PARTICLE_ROW if world.kind == "neural" else world.program_size


def create_layout(f: h5py.File, world: World, pattern: bytes | None = None,
                  made: list[Any] | None = None) -> list[Any]:
    """Create every group and (empty, resizable) dataset of a history for ``world``; a world with
    a ``pattern`` stores that file's contents, ``pattern``.

    Returns the objects made (appended to ``made`` as they are made, so a failure half-way
    leaves them with the caller), which the writer keeps open: a dataset whose last handle
    closes is flushed then, and after a failed write that flush must never reach the disk (the
    writer cuts the file off first, alife.history.writer).
    """
    n, k, w = world.num_programs, max(world.species_top, 1), row_bytes(world)
    made = [] if made is None else made

    def group(name: str) -> h5py.Group:
        made.append(f.create_group(name))
        return made[-1]

    def dataset(g: h5py.Group, name: str, *args: Any, **kwargs: Any) -> h5py.Dataset:
        made.append(g.create_dataset(name, *args, **kwargs))
        return made[-1]

    m = group("metrics")
    ep = dataset(m, "epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
    ep.make_scale("epoch")
    ep.attrs.update({"meaning": "epochs completed at each report", "unit": "epochs"})
    for spec in metrics_for(world.kind):
        if spec.name == "epoch":
            continue
        d = dataset(m, spec.name, (0,), maxshape=(None,), dtype=spec.dtype, chunks=(256,))
        d.attrs.update({"meaning": spec.meaning, "unit": spec.unit})
        d.dims[0].attach_scale(ep)
    sp = group("species")
    dataset(sp, "epoch", (0,), maxshape=(None,), dtype="i8", chunks=(256,))
    dataset(sp, "key", (0, k, w), maxshape=(None, k, w), dtype="u1", chunks=(16, k, w),
            **SNAPSHOT_COMPRESSION)
    dataset(sp, "count", (0, k), maxshape=(None, k), dtype="i8", chunks=(256, k))
    s = group("snapshots")
    dataset(s, "epoch", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
    dataset(s, "reset_index", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
    dataset(s, "soup", (0, n, w), maxshape=(None, n, w), dtype="u1", chunks=(1, n, w),
            **SNAPSHOT_COMPRESSION)
    c = group("checkpoint")
    dataset(c, "active", (1,), dtype="i8", data=[-1])
    for name in CHECKPOINT_SCALARS:
        dataset(c, name, (2,), dtype="f8" if name == "wall_time" else "i8")
    dataset(c, "soup", (2, n, w), dtype="u1", chunks=(1, n, w), **CHECKSUM)
    dataset(c, "modes", (2, 0), maxshape=(2, None), dtype="u8", chunks=(1, 8192), **CHECKSUM)
    dataset(c, "modes_len", (2,), dtype="i8")
    r = group("registry")
    r.attrs["share"] = world.registry_share
    dataset(r, "entries", (0,), maxshape=(None,), dtype=entry_dtype(w), chunks=(64,))
    if world.tracer_tokens:
        dataset(s, "tokens", (0, n, w), maxshape=(None, n, w), dtype="u8", chunks=(1, n, w),
                **SNAPSHOT_COMPRESSION)
        dataset(c, "tokens", (2, n, w), dtype="u8", chunks=(1, n, w), **CHECKSUM)
    if world.lineage:
        width = (n + 7) // 8
        g = group("lineage")
        dataset(g, "first_epoch", (1,), dtype="i8", data=[0])
        dataset(g, "crossed", (0, width), maxshape=(None, width), dtype="u1",
                chunks=(64, width), **SNAPSHOT_COMPRESSION)
    if world.pattern is not None:
        if pattern is None:
            raise AlifeError("a history of a world with a pattern stores the pattern file's "
                             "contents; none were given")
        made.append(store_pattern(f, pattern, world.pattern))
    return made


def store_pattern(f: h5py.File, pattern: bytes, path: str) -> h5py.Dataset:
    """Store a pattern file's contents as ``/pattern`` (attrs sha256 and the path it came from)."""
    data = np.frombuffer(pattern, dtype=np.uint8)
    d = f.create_dataset("pattern", data=data, chunks=(min(max(len(data), 1), 1 << 20),),
                         **SNAPSHOT_COMPRESSION)
    d.attrs.update({"sha256": pattern_digest(pattern), "path": str(path)})
    return d


def pattern_digest(pattern: bytes) -> str:
    """The SHA-256 of a pattern file's contents (hex): what names its copy and checks it."""
    return hashlib.sha256(pattern).hexdigest()
