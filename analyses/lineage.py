"""Where the first replicator came from: its tokens, its ancestry, and the phylogeny after it
(Agüera y Arcas et al. 2024, sec. 3, tracer tokens; ALife Data Standards phylogeny CSV).

    python analyses/lineage.py RUN.h5 [--out DIR] [--min-score 48] [--sample K] [--at E|end]

Needs a history of a world with ``tracer_tokens = true`` and ``lineage = true``. Finds the first
registered species with replication score >= --min-score, replays the soup to that epoch, and
reports the creation epoch and original program of each of its bytes (from the initial soup,
or made later?), walks its lineage back to epoch 0, and exports the pruned phylogeny of --sample
programs at epoch --at (default: the end of the stored lineage) as ALife Data Standards CSV with
MRCA depth, phylogenetic diversity and pairwise distances. Writes a figure, the CSV and a JSON
report next to each other, in --out (default ``runs/figures/<history name>/`` under the current
directory).
"""

from __future__ import annotations

import argparse
import json
import sys

import matplotlib.pyplot as plt
import numpy as np
from _common import history_parser, out_dir, run_script

from alife.analysis.lineage import ancestry, phylogeny, phylogeny_metrics
from alife.analysis.provenance import (
    FirstReplicator,
    first_entry,
    locate_replicator,
    rebuild_registry,
)
from alife.errors import AlifeError
from alife.history import History
from alife.measures.replication import CONFIRMED
from alife.run.lineage import lineage_rows, soup_at, species_observations, write_phylogeny_csv
from alife.viz.figures import figure_stem, save_figure


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: history, --out, --min-score, --sample, --at."""
    parser = history_parser(__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--min-score", type=int, default=None,
                        help="replication score of 'the first replicator' (default: 3/4 of the "
                             f"program size, {CONFIRMED} for 64-byte programs)")
    parser.add_argument("--share", type=float, default=None,
                        help="registry threshold: share of the soup a species must reach "
                             "(default: the world's registry_share)")
    parser.add_argument("--sample", type=int, default=256,
                        help="programs (evenly spaced) whose phylogeny is exported (default 256)")
    parser.add_argument("--at", default="end",
                        help="epochs completed at which the sample is taken (default: end)")
    return parser.parse_args(argv)


def first_replicator(history: History, min_score: int = CONFIRMED,
                     share: float | None = None) -> FirstReplicator | None:
    """The earliest registry entry scoring >= ``min_score`` (the stored registry, or one rebuilt
    for another ``share``), located in the soup of its epoch replayed from a snapshot."""
    w = history.world
    if share is None or share == w.registry_share:
        entries = history.registry()
    else:
        entries = rebuild_registry(w, species_observations(history), share)
    entry = first_entry(entries, min_score)
    if entry is None:
        return None
    soup = soup_at(history, int(entry["first_epoch"]))
    return locate_replicator(entry, soup.programs, soup.tokens)


def _plot(first, anc, params: dict, out) -> list:
    """Creation epoch and origin program of each byte, and the line of descent."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    created = first.creation_epochs
    initial = created == 0
    ax = axes[0]
    byte = np.arange(len(created))
    ax.vlines(byte[~initial], 0, created[~initial], color="tab:red", linewidth=1)
    ax.plot(byte[~initial], created[~initial], "o", color="tab:red", markersize=4,
            label=f"made later: mutation or interaction ({(~initial).sum()} bytes)")
    ax.plot(byte[initial], created[initial], "s", color="tab:blue", markersize=4,
            label=f"from the initial soup, epoch 0 ({initial.sum()} bytes)")
    ax.set_ylim(-0.05 * max(created.max(), 1), 1.35 * max(created.max(), 1))
    ax.set(xlabel="byte of the replicator (0-63)", ylabel="token creation epoch",
           title="When each byte's token was made")
    ax.legend(loc="upper left", fontsize=8)
    ax = axes[1]
    origins, counts = np.unique(first.origin_programs, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    ax.bar(range(len(order)), counts[order], color="tab:purple")
    ax.set_xticks(range(len(order)), [str(o) for o in origins[order]], rotation=60, fontsize=7)
    ax.set(xlabel="program the token was made in", ylabel="bytes of the replicator",
           title=f"Where its bytes came from ({len(origins)} programs)")
    ax = axes[2]
    epochs = np.arange(anc.start, anc.end + 1)
    ax.step(epochs, anc.position, where="post", color="tab:green", label="program holding it")
    if anc.births:
        b = np.array([e + 1 for e, _, _ in anc.births])
        ax.plot(b, anc.position[b - anc.start], "k|", markersize=10, label="copied to a new "
                f"program ({len(anc.births)})")
    ax.set(xlabel="epochs completed", ylabel="program index",
           title="Line of descent (by majority provenance)")
    ax.legend(loc="best", fontsize=8)
    fig.suptitle(f"First replicator (score {first.score}) of {params['language']}, "
                 f"N={params['N']}, seed {params['seed']}, found after {first.epoch} epochs")
    fig.tight_layout()
    paths = save_figure(fig, out, "lineage", params)
    plt.close(fig)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Run the analysis and print its report."""
    args = parse_args(argv)
    out = out_dir(args)
    with History(args.history) as h:
        w = h.soup_world()  # a pattern world pairs from the history's copy of its file
        if not (w.tracer_tokens and w.lineage):
            raise AlifeError(f"{str(args.history)!r} was not run with tracer_tokens = true and "
                             "lineage = true; rerun its world with --set tracer_tokens=true "
                             "--set lineage=true")
        min_score = args.min_score if args.min_score is not None else 3 * w.program_size // 4
        first = first_replicator(h, min_score, args.share)
        if first is None:
            raise AlifeError(f"no registered species scores >= {min_score} in "
                             f"{str(args.history)!r}; no replicator to trace yet")
        start, end = h.lineage_range()
        anc = ancestry(w, lineage_rows(h, start, first.epoch), first.index, first.epoch, start)
        at = end if args.at == "end" else int(args.at)
        if args.sample < 1:
            raise AlifeError(f"--sample {args.sample}: accepted an integer >= 1")
        n = w.num_programs
        sample = (np.arange(min(args.sample, n)) * n) // min(args.sample, n)
        tree = phylogeny(w, lineage_rows(h, start, at), sample, at, start)
        params = {"language": w.language, "N": n, "seed": w.seed}
        stem = figure_stem("phylogeny", {**params, "at": at, "sample": len(sample)})
        out.mkdir(parents=True, exist_ok=True)
        csv_path = write_phylogeny_csv(tree, out / f"{stem}.csv")
        report = {
            "first_replicator": first.summary(),
            "program_text": h.world and _text(w.language, first.program),
            "ancestry": {"founder_at_start": anc.founder, "start": anc.start,
                         "births": len(anc.births),
                         "founder_contributed_bytes": int(
                             (first.origin_programs == anc.founder).sum())},
            "phylogeny": {"at": at, "sample": len(sample), "csv": str(csv_path),
                          **phylogeny_metrics(tree)},
        }
        figures = _plot(first, anc, params, out)
    (out / f"{figure_stem('lineage', params)}.json").write_text(json.dumps(report, indent=2))
    s = report["first_replicator"]
    print(f"first replicator: score {s['score']} after {s['epoch']} epochs (program "
          f"{s['index']}, {100 * s['first_share']:.1f}% of the soup)")
    print(f"  bytes from the initial soup: {s['bytes_from_initial_soup']}/{len(first.program)}; "
          "made later: "
          f"{s['bytes_made_later']} (latest at epoch {s['latest_creation_epoch']})")
    print(f"  tokens come from {s['origin_programs']} original programs; the largest gave "
          f"{100 * s['largest_origin_share']:.0f}% of its bytes")
    a = report["ancestry"]
    print(f"  line of descent: {a['births']} copies back to program {a['founder_at_start']} "
          f"at epoch {a['start']}, which gave {a['founder_contributed_bytes']} of its bytes")
    p = report["phylogeny"]
    print(f"phylogeny of {p['sample']} programs at epoch {at}: {p['taxa']} taxa, {p['roots']} "
          f"roots, MRCA depth {p['mrca_depth']}, PD {p['pd_edges']} edges, mean pairwise "
          f"distance {p['pairwise_mean']:.1f}")
    for path in [*figures, csv_path]:
        print(f"wrote {path}")
    return 0


def _text(language: str, program: bytes) -> str:
    from alife.languages import get

    return get(language).disassemble(program)


if __name__ == "__main__":
    sys.exit(run_script("lineage", main))
