"""``alife run`` and ``alife resume``: a soup with progress, ending in a summary and a history."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from alife.errors import AlifeError
from alife.run.session import RunOutcome
from alife.soup.soup import Soup
from alife.world import World


def derive_out(world: World, root: Path = Path("runs")) -> Path:
    """``runs/<world name or language>__seed<seed>.h5``, numbered when that exists."""
    stem = f"{world.name or world.language}__seed{world.seed}"
    out = root / f"{stem}.h5"
    i = 2
    while out.exists():
        out = root / f"{stem}-{i}.h5"
        i += 1
    return out


def most_common_rows(soup: Soup, k: int) -> list[dict[str, Any]]:
    """The ``k`` most common programs: count, replication score, hex and text."""
    from alife.measures.replication import replication_score

    w = soup.world
    rows = []
    if w.kind == "neural":  # one representative particle per fixpoint class
        from alife.particles.kernel import CLASS_NAMES

        first, counts = soup.species()
        classes = soup.classes()
        for i in np.argsort(-counts, kind="stable")[:k]:
            p = int(first[i])
            rows.append({"count": int(counts[i]), "class": CLASS_NAMES[int(classes[p])],
                         "index": p, "weights": soup.weights[p, :14].tolist()})
        return rows
    for program, count in soup.most_common(k):
        score = replication_score(program, w.language, max(soup.epoch - 1, 0), w.seed,
                                  w.step_limit)
        rows.append({"count": count, "score": score, "hex": program.hex(),
                     "text": soup.language.disassemble(program)})
    return rows


def world_from_args(path: str | None, sets: list[str] | None, epochs: int | None,
                    until: str | None) -> World:
    """The effective world: the file (or the paper's), then ``--set``, ``--epochs``, ``--until``."""
    from alife.world import load_world

    overrides = list(sets or [])
    if epochs is not None:
        overrides.append(f"epochs={epochs}")
    world = load_world(path, overrides)
    return world if until is None else world.replace(until=until)


def cmd_run(args: argparse.Namespace) -> int:
    """Run a soup with a progress bar; end with a summary and a history file."""
    import alife
    from alife.run.session import start_run
    from alife.soup import Soup, set_threads

    world = world_from_args(args.world, args.set, args.epochs, args.until)
    threads = set_threads(args.threads)
    if args.dat_every < 1:
        raise AlifeError(f"--dat-every {args.dat_every}: accepted an integer >= 1")
    if world.kind == "neural" and (args.from_dat or args.dat_dir):
        raise AlifeError(f"{'--from' if args.from_dat else '--dat-dir'}: reference .dat "
                         "checkpoints hold byte programs; a world with kind = 'neural' keeps its "
                         "particles in its history (continue one with `alife resume`)")
    if args.dat_dir:
        from alife.soup.checkpoint import check_dat_size

        check_dat_size(world.program_size)
    soup = Soup.from_checkpoint(args.from_dat, world) if args.from_dat else None
    world = soup.world if soup is not None else world
    out = None if args.no_history else Path(args.out) if args.out else derive_out(world)
    quiet = args.quiet or args.json

    def banner(s: Soup) -> None:
        if quiet:
            return
        grid = f", grid {list(world.grid)}" if world.grid else ""
        if world.kind == "neural":
            print(f"alife run: neural soup, {world.num_programs} weightwise particles{grid}, "
                  f"seed {world.seed}, attack {world.attack_rate:g}, learn-from "
                  f"{world.learn_rate:g}, {world.train_steps} self-training steps, generations "
                  f"{s.epoch}..{world.epochs - 1}, until {world.until or 'none'}, {threads} "
                  "threads", file=sys.stderr)
            return
        print(f"alife run: {world.language}, {world.num_programs} programs{grid}, seed "
              f"{world.seed}, mutation {world.mutation_prob:g}, epochs {s.epoch}.."
              f"{world.epochs - 1}, until {world.until or 'none'}, {threads} threads",
              file=sys.stderr)

    if getattr(args, "view", False):
        from alife.viz.live import view_run  # an AlifeError naming the extra without pygame

        soup, outcome = view_run(world, out, alife_version=alife.__version__, soup=soup,
                                 progress=not quiet, dat_dir=args.dat_dir,
                                 dat_every=args.dat_every, on_start=banner)
    else:
        soup, outcome = start_run(world, out, alife_version=alife.__version__, soup=soup,
                                  progress=not quiet, dat_dir=args.dat_dir,
                                  dat_every=args.dat_every, on_start=banner)
    return report_outcome(soup, outcome, args.top, args.json,
                          extra=[f"  checkpoints     {args.dat_dir}/ (every {args.dat_every} "
                                 "epochs)"] if args.dat_dir else [])


def cmd_resume(args: argparse.Namespace) -> int:
    """Continue a stopped or killed run from its history's checkpoint."""
    import alife
    from alife.run.session import resume_run
    from alife.soup import set_threads

    threads = set_threads(args.threads)
    quiet = args.quiet or args.json

    def banner(s: Soup) -> None:
        w = s.world
        if not quiet:
            print(f"alife resume: {args.history} after {s.epoch} epochs, until {w.epochs} "
                  f"epochs or {w.until or 'no condition'}, {threads} threads", file=sys.stderr)

    if getattr(args, "view", False):
        from alife.viz.live import view_resume  # an AlifeError naming the extra without pygame

        soup, outcome = view_resume(args.history, alife_version=alife.__version__,
                                    epochs=args.epochs, until=args.until, progress=not quiet,
                                    on_start=banner)
    else:
        soup, outcome = resume_run(args.history, alife_version=alife.__version__,
                                   epochs=args.epochs, until=args.until, progress=not quiet,
                                   on_start=banner)
    return report_outcome(soup, outcome, args.top, args.json)


def report_outcome(soup: Soup, outcome: RunOutcome, top_k: int, as_json: bool,
                   extra: list[str] | None = None) -> int:
    """Print the end-of-run summary (or JSON)."""
    world, f = outcome.world, outcome.final
    top = most_common_rows(soup, top_k)
    if as_json:
        print(json.dumps({
            "world": world.to_dict(), "epochs_completed": outcome.epochs_completed,
            "epochs_run": outcome.epochs_run, "wall_s": outcome.wall_s,
            "total_wall_s": outcome.total_wall_s, "epochs_per_s": outcome.epochs_per_s,
            "stopped_by": outcome.stopped_by, "status": outcome.status,
            "transition_epoch": outcome.transition_epoch, "final": f,
            "history": None if outcome.history is None else str(outcome.history),
            "most_common": top}, indent=2, default=float))
        return 0
    print("\nSummary")
    print(f"  epochs          {outcome.epochs_run} run ({outcome.start_epoch} -> "
          f"{outcome.epochs_completed} completed) in {outcome.wall_s:.1f} s, "
          f"{outcome.epochs_per_s:.1f} epochs/s")
    reason = {"epochs": f"reached {world.epochs} epochs", "until": f"until {world.until}",
              "interrupt": "interrupted (Ctrl-C); `alife resume` continues it"}
    print(f"  stopped         {reason[outcome.stopped_by]}")
    if world.kind == "neural":
        return _report_neural(outcome, top, extra)
    if outcome.transition_epoch is not None:
        print(f"  transition      high-order entropy crossed 3.0 at the report of epoch "
              f"{outcome.transition_epoch}")
    else:
        print("  transition      high-order entropy never exceeded 3.0")
    print(f"  final metrics   higher_entropy {f['higher_entropy']:.4f}  h0 {f['h0']:.4f}  "
          f"bpb {f['bpb']:.4f}  brotli {int(f['brotli_size'])}  ops/interaction "
          f"{f['ops_per_interaction']:.1f}  distinct programs {int(f['richness'])}")
    if "score_sample" in f:
        print(f"  replicators     {f['replicators']}/{f['score_sample']} sampled programs score "
              f">= 5, {f['confirmed']} >= 48 (mean score {f['score_mean']:.1f})")
    if outcome.history is not None:
        print(f"  history         {outcome.history}")
    for line in extra or []:
        print(line)
    print("  most common programs (count, replication score, program):")
    for t in top:
        print(f"    {t['count']:>7}  {t['score']:>2}  {t['text']}")
    return 0


def _report_neural(outcome: RunOutcome, top: list[dict[str, Any]], extra: list[str] | None) -> int:
    """The summary's neural-soup part: census per fixpoint class and throughput."""
    world, f = outcome.world, outcome.final
    n = world.num_programs
    census = "  ".join(f"{name} {int(f[f'census_{name}'])}" for name in
                       ("fixpoint", "second_order", "other", "zero", "divergent"))
    print(f"  census          {census}  (non-zero fixpoints {f['fixpoint_fraction']:.1%})")
    print(f"  throughput      {outcome.epochs_per_s * n:,.0f} particle-generations/s "
          f"({outcome.epochs_per_s:.2f} generations/s of {n} particles, reports included)")
    print(f"  last generation {int(f['attacks'])} attacks, {int(f['learn_events'])} learn-from, "
          f"{int(f['sgd_steps'])} SGD steps, {int(f['replaced'])} dead replaced; mean |w| "
          f"{f['mean_abs_weight']:.4f}")
    if outcome.history is not None:
        print(f"  history         {outcome.history}")
    for line in extra or []:
        print(line)
    print("  one particle per class (count, class, weights):")
    for t in top:
        weights = " ".join(f"{x:+.3f}" for x in t["weights"])
        print(f"    {t['count']:>7}  {t['class']:<12}  {weights}")
    return 0
