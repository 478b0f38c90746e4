"""``alife run`` and ``alife resume``: a soup with progress, ending in a summary and a history."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
from pathlib import Path
from typing import Any

from alife.cli.paths import check_folder, check_history_arg, check_new_file
from alife.errors import AlifeError
from alife.run.protocol import SoupProtocol as Soup
from alife.run.protocol import unit_word
from alife.run.session import RunOutcome
from alife.world import World


def default_out(world: World, root: Path = Path("runs")) -> Path:
    """``runs/<world name or language>__seed<seed>.h5``: where a run of ``world`` is kept."""
    return root / f"{world.label}__seed{world.seed}.h5"


def derive_out(world: World, root: Path = Path("runs")) -> Path:
    """:func:`default_out`, numbered (``-2``, ``-3``, ...) when that exists (``--new``)."""
    stem = default_out(world, root).stem
    out = root / f"{stem}.h5"
    i = 2
    while out.exists():
        out = root / f"{stem}-{i}.h5"
        i += 1
    return out


def existing_run(out: Path, world: World) -> AlifeError:
    """The refusal to start ``world`` afresh over ``out``: what that file holds and what to do
    instead (resume it, look at it, or start a fresh run with --new or --out)."""
    from alife.history import History
    from alife.run.session import live_writer
    from alife.run.sweep import world_difference

    fresh = f"or start a fresh run with --new (it writes {derive_out(world, out.parent)}) or " \
            "--out FILE"
    try:
        with History(out) as h:
            stored, status, stopped_by = h.world, h.status, h.stopped_by
            cp, pid = h.checkpoint(), live_writer(h)
    except AlifeError as exc:
        return AlifeError(f"{exc}; it is where this run's history goes: move it away, {fresh}")
    diff = world_difference(stored, world)
    units = unit_word(stored, plural=True)
    done = cp.epoch if cp is not None else 0
    if diff is not None:
        return AlifeError(f"{out} holds a run of another world ({diff}); start this one with "
                          f"--new (it writes {derive_out(world, out.parent)}) or --out FILE")
    if pid is not None:
        return AlifeError(f"{out} is this run, still being written by process {pid} ({done} "
                          f"{units} so far); watch it with `alife view {out} --follow`, {fresh}")
    if status == "finished":
        why = f"its stop condition {stored.until} held" if stopped_by == "until" \
            else "its limit"
        return AlifeError(f"{out} already holds this run, finished after {done} {units} ({why}); "
                          f"look at it with `alife inspect {out}`, go on with `alife resume "
                          f"{out} --epochs N`, {fresh}")
    how = "stopped" if status == "stopped" else "killed"
    return AlifeError(f"{out} already holds this run, {how} after {done} of {stored.epochs} "
                      f"{units}: continue it with `alife resume {out}`, {fresh}")


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


def _check_outputs(args: argparse.Namespace) -> None:
    """--out, --new and --no-history each say where the history goes: one of them at most."""
    given = [flag for flag, on in (("--out", args.out is not None), ("--new", args.new),
                                   ("--no-history", args.no_history)) if on]
    if len(given) > 1:
        raise AlifeError(f"{' and '.join(given)} contradict each other: --out names the history "
                         "file, --new writes the next free runs/<world>__seed<S>-<i>.h5, "
                         "--no-history writes none; accepted: one of them")


def _names_language(args: argparse.Namespace) -> bool:
    """Whether the command line names the soup's language (a world file or --set language=)."""
    return args.world is not None or any(
        s.partition("=")[0].strip() == "language" for s in args.set or [])


def _from_checkpoint(args: argparse.Namespace, world: World) -> Soup:
    """The soup of ``--from FILE.dat`` as ``world`` (which must name its language), checked
    against the epochs to run; says in one line how the file is read."""
    from alife.languages import REGISTRY
    from alife.soup import Soup as ProgramSoup

    soup = ProgramSoup.from_checkpoint(args.from_dat, world)
    path, done = args.from_dat, soup.epoch
    if not _names_language(args):
        raise AlifeError(f"--from {path}: a .dat stores neither the language nor the seed of its "
                         "soup; name them with a world file (e.g. `alife run "
                         f"worlds/bff_noheads.toml --from {path}`) or --set language=NAME "
                         f"[--set seed=S]; languages: {', '.join(REGISTRY)}")
    if args.epochs is not None and args.epochs <= done:
        raise AlifeError(f"--epochs {args.epochs}: {path} already holds {done} completed epochs "
                         f"and --epochs counts the total, theirs included; accepted: an integer "
                         f"> {done} (e.g. --epochs {done + args.epochs} for {args.epochs} more)")
    if args.epochs is None and world.epochs <= done:
        raise AlifeError(f"--from {path}: it already holds {done} completed epochs, the world's "
                         f"limit is {world.epochs}; pass --epochs N with N > {done}")
    w = soup.world
    print(f"alife run: continuing {path} (epoch {done}) as {w.language}, seed {w.seed}; a .dat "
          "stores neither: pass a world file or --set language=... --set seed=... to change",
          file=sys.stderr)
    return soup


def _history_path(args: argparse.Namespace, world: World, quiet: bool) -> Path | None:
    """Where the run's history goes: --out, nowhere (--no-history), the next free numbered
    name (--new), else runs/<world>__seed<S>.h5, which must not exist yet."""
    if args.no_history:
        return None
    if args.out is not None:
        return Path(args.out)
    out = default_out(world)
    if args.new:
        fresh = derive_out(world)
        if fresh != out and not quiet:
            print(f"alife run: {out} exists; this fresh run writes {fresh}", file=sys.stderr)
        return fresh
    if out.exists():
        raise existing_run(out, world)
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """Run a soup with a progress bar; end with a summary and a history file."""
    import alife
    from alife.run.session import start_run
    from alife.soup import set_threads

    _check_outputs(args)
    if args.dat_dir is not None:
        check_folder(args.dat_dir, "--dat-dir")
    if args.out is not None and not Path(args.out).exists():
        check_new_file(args.out, "--out", folders_made=True)
    world = world_from_args(args.world, args.set, args.epochs, args.until)
    if args.device != "cpu":
        from alife.soup.gpu import check_device

        check_device(args.device, world)
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
    soup = _from_checkpoint(args, world) if args.from_dat else None
    world = soup.world if soup is not None else world
    quiet = args.quiet or args.json
    out = _history_path(args, world, quiet)
    if out is not None and args.out is None:
        check_new_file(out, "the history", folders_made=True)
    units = unit_word(world, plural=True)

    def banner(s: Soup) -> None:
        if quiet:
            return
        print(f"alife run: {s.describe()}, {units} {s.epoch}..{world.epochs - 1}, until "
              f"{world.until or 'none'}, {threads} threads", file=sys.stderr)

    if getattr(args, "view", False):
        from alife.viz.live import view_run  # an AlifeError naming the extra without pygame

        soup, outcome = view_run(world, out, alife_version=alife.__version__, soup=soup,
                                 progress=not quiet, dat_dir=args.dat_dir,
                                 dat_every=args.dat_every, on_start=banner)
    else:
        soup, outcome = start_run(world, out, alife_version=alife.__version__, soup=soup,
                                  progress=not quiet, dat_dir=args.dat_dir,
                                  dat_every=args.dat_every, on_start=banner,
                                  device=args.device)
    return report_outcome(soup, outcome, args.top, args.json,
                          extra=[f"  checkpoints     {args.dat_dir}/ (every {args.dat_every} "
                                 "epochs)"] if args.dat_dir else [])


def cmd_resume(args: argparse.Namespace) -> int:
    """Continue a stopped or killed run from its history's checkpoint."""
    import alife
    from alife.run.session import resume_run
    from alife.soup import set_threads

    check_history_arg(args.history)
    if args.device != "cpu":
        from alife.soup.gpu import check_device

        check_device(args.device)
    threads = set_threads(args.threads)
    quiet = args.quiet or args.json

    def banner(s: Soup) -> None:
        w, units = s.world, unit_word(s, plural=True)
        if not quiet:
            print(f"alife resume: {args.history} after {s.epoch} {units}, until {w.epochs} "
                  f"{units} or {w.until or 'no condition'}, {threads} threads", file=sys.stderr)

    if getattr(args, "view", False):
        from alife.viz.live import view_resume  # an AlifeError naming the extra without pygame

        soup, outcome = view_resume(args.history, alife_version=alife.__version__,
                                    epochs=args.epochs, until=args.until, progress=not quiet,
                                    on_start=banner)
    else:
        soup, outcome = resume_run(args.history, alife_version=alife.__version__,
                                   epochs=args.epochs, until=args.until, progress=not quiet,
                                   on_start=banner, device=args.device)
    return report_outcome(soup, outcome, args.top, args.json)


#: A negative zero as printed ("-0.000"), not preceded by a digit, a letter or a point.
_NEGATIVE_ZERO_IN_TEXT = re.compile(r"(?<![\w.])-(0(?:\.0+)?)(?![\d.])")


def exit_status(outcome: RunOutcome) -> int:
    """0, or 128 + the signal's number when a signal stopped the run (130 Ctrl-C, 143 SIGTERM),
    so a script or a batch scheduler sees that the run did not reach its stop condition."""
    return 128 + int(signal.Signals[outcome.signal]) if outcome.signal else 0


def _stopped_line(outcome: RunOutcome, units: str) -> str:
    world = outcome.world
    if outcome.stopped_by == "epochs":
        return f"reached {world.epochs} {units}"
    if outcome.stopped_by == "until":
        return f"until {world.until}"
    how = {"SIGINT": "Ctrl-C", "SIGTERM": "SIGTERM"}.get(outcome.signal or "",
                                                         "the viewer was closed")
    then = f"`alife resume {outcome.history}` continues it" if outcome.history is not None \
        else "no history was written (--no-history), so nothing can resume it"
    return f"interrupted ({how}) after {outcome.epochs_completed} {units}; {then}"


def report_outcome(soup: Soup, outcome: RunOutcome, top_k: int, as_json: bool,
                   extra: list[str] | None = None) -> int:
    """Print the end-of-run summary (or JSON); return the exit status (:func:`exit_status`)."""
    world, f = outcome.world, outcome.final
    top = most_common_rows(soup, top_k)
    if as_json:
        print(json.dumps({
            "world": world.to_dict(), "epochs_completed": outcome.epochs_completed,
            "epochs_run": outcome.epochs_run, "wall_s": outcome.wall_s,
            "kernel_s": outcome.kernel_s,
            "total_wall_s": outcome.total_wall_s, "epochs_per_s": outcome.epochs_per_s,
            "unit": unit_word(soup), "stopped_by": outcome.stopped_by, "signal": outcome.signal,
            "status": outcome.status, "transition_epoch": outcome.transition_epoch, "final": f,
            "history": None if outcome.history is None else str(outcome.history),
            "most_common": top}, indent=2, default=float))
        return exit_status(outcome)
    units = unit_word(soup, plural=True)
    print("\nSummary")
    print(f"  {units:<15} {outcome.epochs_run} run ({outcome.start_epoch} -> "
          f"{outcome.epochs_completed} completed) in {outcome.wall_s:.1f} s, "
          f"{outcome.epochs_per_s:.1f} {units}/s")
    print(f"  stopped         {_stopped_line(outcome, units)}")
    for line in soup.summary_lines(f, outcome.epochs_per_s, outcome.transition_epoch):
        print(_NEGATIVE_ZERO_IN_TEXT.sub(r"\1", line))
    if outcome.history is not None:
        print(f"  history         {outcome.history}")
    for line in extra or []:
        print(line)
    for line in soup.top_lines(top):
        print(f"  {line}")
    return exit_status(outcome)
