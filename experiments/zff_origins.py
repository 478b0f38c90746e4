"""Where the first copiers of a machine-code soup came from, by tracer token (Agüera y Arcas et
al. 2024, sec. 3's tracer tokens on sec. 4's Z80 soup; shared/spec/z80.md).

    python experiments/zff_origins.py run z80 --seeds 0:10
    python experiments/zff_origins.py run i8080 --seeds 0:2
    python experiments/zff_origins.py table z80

``run`` runs each seed's bundled zff world with tracer tokens, checking every 50 batches, until
the first copier has **spread** (at least 1 % of the cells, 400, hold it; the Z80's stack
copier of ``experiments/zff_reproduction.py``, ``LD rr,nn`` then ``PUSH rr``; the 8080's
stack walker, ``POP H; XTHL``, ``E1 E3`` side by side, the copier that takes over every 8080
seed). Then it reads the tokens of every copier cell: how many of their bytes come from the
initial soup and how many were made later, in how many cells (``origins``), and the *top
origin*, the cell and batch whose new bytes the most copier bytes are copies of (how many of
its bytes they are, and their share of all copier bytes). Last it finds what made that
origin's bytes: it replays the soup to the batch before (untraced, same bytes), reruns that
batch's pair holding the origin cell on the pure-Python CPU twin with the twin's provenance,
and names the instruction that made each of those bytes (a byte made from nothing, a return
address or a register the reset set, is labelled with the instruction that wrote it, and
copies carry the label; "noise" where no instruction made it: only the batch's noise can).
Rows go to ``docs/results/zff_origins/<language>.csv`` (one per seed, merged across chunks)
with each seed's machine, date and wall time beside it.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from alife.errors import AlifeError
from alife.languages import CREATED
from alife.run.sweep import parse_seeds
from alife.soup import Soup
from alife.soup.tracer import token_epoch, token_position
from alife.soup.zff import CELL_BYTES, BatchPairs
from alife.world import World, load_world

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("z80", "i8080")
CHECK = 50  #: batches between checks for a spread copier
SPREAD = 400  #: cells (1 % of 40,000) a copier must fill to have spread
FIRST_LABEL = 1 << 20  #: labels of bytes the twin CPU made, above every provenance value
FIELDS = ("seed", "copier", "spread_batch", "copier_cells", "top_copier_cell",
          "bytes_from_initial_soup", "bytes_made_later", "origins", "top_origin_cell",
          "top_origin_batch", "top_origin_bytes", "top_origin_share", "made_by", "wall_s",
          "machine", "date")


def copier_cells(programs: np.ndarray, language: str) -> np.ndarray:
    """bool[N]: cells holding the language's first copier (module docstring), read cyclically."""
    p = np.asarray(programs, dtype=np.uint8)
    ext = np.concatenate([p, p[:, :3]], axis=1)
    hit = np.zeros(len(p), dtype=bool)
    for k in range(p.shape[1]):
        if language == "z80":
            for load, push in ((0x01, 0xC5), (0x11, 0xD5), (0x21, 0xE5)):
                hit |= (ext[:, k] == load) & (ext[:, k + 3] == push)
        else:
            hit |= (ext[:, k] == 0xE1) & (ext[:, k + 1] == 0xE3)
    return hit


def world_of(language: str, seed: int) -> World:
    """The bundled zff world with tracer tokens (no lineage bits: tokens suffice here)."""
    if language not in LANGUAGES:
        raise AlifeError(f"language {language!r}: accepted {', '.join(LANGUAGES)}")
    return load_world(ROOT / "worlds" / f"{language}_2d.toml",
                      {"seed": seed, "tracer_tokens": True})


def makers(world: World, cell: int, batch: int) -> list[str]:
    """What made each of cell ``cell``'s 16 bytes in batch ``batch`` (0-based), as the cell
    stands after the CPUs ran: the twin CPU's instruction that made it, or "noise" (module
    docstring; a byte the batch did not make is "noise" too, and no token names it)."""
    from alife.languages.cpu_provenance_twin import (
        i8080_slots,
        i8080_track,
        z80_slots,
        z80_track,
    )
    from alife.languages.i8080_text import disassemble_one as dis_8080
    from alife.languages.i8080_twin import I8080Twin
    from alife.languages.z80_text import disassemble_one as dis_z80
    from alife.languages.z80_twin import Z80Twin

    plain = load_world(ROOT / "worlds" / f"{world.language}_2d.toml", {"seed": world.seed})
    soup = Soup(plain).run(batch) if batch else Soup(plain)
    pairs = BatchPairs(world.seed, world.soup.zff_randomness, world.soup.zff_noise).pairs(batch)
    row = np.flatnonzero((pairs == cell).any(axis=1))
    if not len(row):
        return ["noise"] * CELL_BYTES
    i, j = pairs[row[0]]
    tape = bytearray(np.concatenate([soup.programs[i], soup.programs[j]]).tobytes())
    z80 = world.language == "z80"
    cpu = Z80Twin(tape) if z80 else I8080Twin(tape)
    slots = z80_slots() if z80 else i8080_slots()
    track, dis = (z80_track, dis_z80) if z80 else (i8080_track, dis_8080)
    src = list(range(len(tape)))
    made: dict[int, str] = {}  # a new byte's label -> the instruction that made it
    for _ in range(128):
        if cpu.halted:
            break
        pc = cpu.pc
        text = dis(bytes(tape[(pc + k) & 31] for k in range(4)))[0].split(" [")[0]
        track(cpu, src, slots)
        cpu.step()
        for t in range(len(tape)):
            if src[t] == CREATED:  # made by this step: label it, and copies carry the label
                src[t] = FIRST_LABEL + len(made)
                made[src[t]] = text
    half = 0 if i == cell else 1
    return [made.get(src[t], "noise") for t in range(half * CELL_BYTES, (half + 1) * CELL_BYTES)]


def origins_of(language: str, seed: int, max_batches: int) -> dict:
    """One seed's row (:data:`FIELDS`, less the chunk's)."""
    world = world_of(language, seed)
    soup = Soup(world)
    hits = copier_cells(soup.programs, language)
    while hits.sum() < SPREAD:
        if soup.epoch >= max_batches:
            return {"seed": seed, "copier": _name(language), "spread_batch": "never"}
        soup.run(CHECK)
        hits = copier_cells(soup.programs, language)
    cells = np.flatnonzero(hits)
    tokens = soup.tokens[cells].ravel()
    made = token_epoch(tokens)
    later = made > 0
    position = token_position(tokens)[later]
    stamp = made[later]
    origin = np.stack([position // CELL_BYTES, stamp], axis=1)
    kinds, counts = np.unique(origin, axis=0, return_counts=True)
    programs, n = np.unique(soup.programs[cells], axis=0, return_counts=True)
    row = {"seed": seed, "copier": _name(language), "spread_batch": soup.epoch,
           "copier_cells": len(cells),
           "top_copier_cell": programs[int(np.argmax(n))].tobytes().hex(" ").upper(),
           "bytes_from_initial_soup": int((~later).sum()),
           "bytes_made_later": int(later.sum()), "origins": len(np.unique(origin[:, 0]))}
    if len(counts):
        top = int(np.argmax(counts))
        cell, when = (int(v) for v in kinds[top])
        labels = makers(world, cell, when - 1)
        mine = (origin[:, 0] == cell) & (stamp == when)
        by: collections.Counter = collections.Counter()
        for p, k in zip(*np.unique(position[mine] % CELL_BYTES, return_counts=True),
                        strict=True):
            by[labels[p]] += int(k)
        row.update(top_origin_cell=cell, top_origin_batch=when - 1,
                   top_origin_bytes=len(np.unique(position[mine])),
                   top_origin_share=round(float(counts[top]) / len(tokens), 4),
                   made_by="; ".join(f"{k} ({100 * v / counts[top]:.0f} %)"
                                     for k, v in by.most_common()))
    return row


def _name(language: str) -> str:
    return "stack copier (LD rr,nn .. PUSH rr)" if language == "z80" \
        else "stack walker (POP H; XTHL)"


def results_path(language: str, results: Path | None) -> Path:
    """The committed table of a language."""
    return (results or ROOT / "docs" / "results" / "zff_origins") / f"{language}.csv"


def _read(path: Path) -> dict[int, dict]:
    if not path.exists():
        return {}
    with open(path, newline="") as fh:
        return {int(r["seed"]): r for r in csv.DictReader(fh)}


def _write(path: Path, rows: dict[int, dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for seed in sorted(rows):
            w.writerow({k: rows[seed].get(k, "") for k in FIELDS})
    os.replace(tmp, path)


def run(language: str, seeds: list[int], max_batches: int, results: Path | None) -> None:
    """Each seed in turn; the table is rewritten after every seed (a stop loses one seed)."""
    path = results_path(language, results)
    rows = _read(path)
    for seed in seeds:
        t0 = time.time()
        row = origins_of(language, seed, max_batches)
        row.update(wall_s=round(time.time() - t0, 1), machine=platform.node(),
                   date=datetime.date.today().isoformat())
        rows[seed] = row
        _write(path, rows)
        print(", ".join(f"{k}={row.get(k, '')}" for k in FIELDS[:12]), flush=True)


def table(language: str, results: Path | None) -> str:
    """The committed rows as Markdown."""
    rows = _read(results_path(language, results))
    if not rows:
        raise AlifeError(f"no rows for {language} yet: run it first")
    head = ("seed", "spread at batch", "copier cells", "copier bytes: initial soup / made later",
            "cells they were made in", "top origin: cell, batch (its bytes; share of copier "
            "bytes)", "what made the top origin's bytes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for seed in sorted(rows):
        r = rows[seed]
        origin = f"{r['top_origin_cell']}, {r['top_origin_batch']} ({r['top_origin_bytes']}; " \
                 f"{100 * float(r['top_origin_share']):.1f} %)" if r.get("top_origin_cell") else ""
        lines.append(f"| {seed} | {r['spread_batch']} | {r['copier_cells']} | "
                     f"{r['bytes_from_initial_soup']} / {r['bytes_made_later']} | "
                     f"{r['origins']} | {origin} | {r['made_by']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="trace seeds A:B to their first spread copier")
    r.add_argument("language", choices=LANGUAGES)
    r.add_argument("--seeds", required=True, help="A:B, the seeds A..B-1")
    r.add_argument("--max-batches", type=int, default=8000,
                   help="give up on a seed after this many batches (default 8000)")
    t = sub.add_parser("table", help="the committed rows as Markdown")
    t.add_argument("language", choices=LANGUAGES)
    for p in (r, t):
        p.add_argument("--results", type=Path, help="the results folder (trials)")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            run(args.language, parse_seeds(args.seeds), args.max_batches, args.results)
        else:
            print(table(args.language, args.results))
    except AlifeError as exc:
        print(f"zff_origins: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
