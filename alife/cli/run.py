"""``alife run`` and ``alife resume``: a soup with progress, ending in a summary and a history."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alife.errors import AlifeError
from alife.run.protocol import SoupProtocol as Soup
from alife.run.session import RunOutcome
from alife.world import World


def derive_out(world: World, root: Path = Path("runs")) -> Path:
    """``runs/<world name or language>__seed<seed>.h5``, numbered when that exists."""
    stem = f"{world.label}__seed{world.seed}"
    out = root / f"{stem}.h5"
    i = 2
    while out.exists():
        out = root / f"{stem}-{i}.h5"
        i += 1
    return out


def most_common_rows(soup: Soup, k: int) -> list[dict[str, Any]]:
    """The ``k`` most common species of ``soup`` (the soup protocol's ``top_rows``)."""
    return soup.top_rows(k)


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
    from alife.soup import Soup as ProgramSoup
    from alife.soup import set_threads

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
    soup = ProgramSoup.from_checkpoint(args.from_dat, world) if args.from_dat else None
    world = soup.world if soup is not None else world
    out = None if args.no_history else Path(args.out) if args.out else derive_out(world)
    quiet = args.quiet or args.json

    def banner(s: Soup) -> None:
        if quiet:
            return
        print(f"alife run: {s.describe()}, epochs {s.epoch}..{world.epochs - 1}, until "
              f"{world.until or 'none'}, {threads} threads", file=sys.stderr)

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
    for line in soup.summary_lines(f, outcome.epochs_per_s, outcome.transition_epoch):
        print(line)
    if outcome.history is not None:
        print(f"  history         {outcome.history}")
    for line in extra or []:
        print(line)
    for line in soup.top_lines(top):
        print(f"  {line}")
    return 0
