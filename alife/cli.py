"""The ``alife`` command: ``run`` a soup, ``bench`` the engine, list ``languages``, ``disasm``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alife.errors import AlifeError


def _derive_out(world: Any) -> Path:
    stem = f"{world.name or world.language}__seed{world.seed}"
    out = Path("runs") / f"{stem}.h5"
    i = 2
    while out.exists():
        out = Path("runs") / f"{stem}-{i}.h5"
        i += 1
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """Run a soup with a progress bar; end with a summary and a history file."""
    from tqdm import tqdm

    import alife
    from alife.history import HistoryWriter
    from alife.runner import run_soup
    from alife.soup import Soup, set_threads, write_dat
    from alife.soup.checkpoint import checkpoint_name
    from alife.soup.stop import parse_condition
    from alife.world import load_world

    overrides = list(args.set or [])
    if args.epochs is not None:
        overrides.append(f"epochs={args.epochs}")
    world = load_world(args.world, overrides)
    if args.until is not None:
        world = world.replace(until=args.until)
    until = parse_condition(world.until) if world.until else None
    threads = set_threads(args.threads)
    if args.dat_every < 1:
        raise AlifeError(f"--dat-every {args.dat_every}: accepted an integer >= 1")
    soup = Soup.from_checkpoint(args.from_dat, world) if args.from_dat else Soup(world)
    world = soup.world
    out = Path(args.out) if args.out else _derive_out(world)
    history = None if args.no_history else HistoryWriter(out, world, alife.__version__)
    hooks = []
    if args.dat_dir:
        dat_dir = Path(args.dat_dir)
        dat_dir.mkdir(parents=True, exist_ok=True)
        hooks.append((args.dat_every,
                      lambda s, e: write_dat(dat_dir / checkpoint_name(e), s.programs, s.epoch,
                                             s.reset_index)))
    quiet = args.quiet or args.json
    if not quiet:
        grid = f", grid {list(world.grid)}" if world.grid else ""
        print(f"alife run: {world.language}, {world.num_programs} programs{grid}, seed "
              f"{world.seed}, mutation {world.mutation_prob:g}, epochs {soup.epoch}.."
              f"{world.epochs - 1}, until {world.until or 'none'}, {threads} threads",
              file=sys.stderr)
    bar = tqdm(total=world.epochs, initial=soup.epoch, unit="epoch", disable=quiet,
               dynamic_ncols=True, smoothing=0.1)

    def on_report(s: Soup, m: dict[str, Any]) -> None:
        bar.set_postfix({"H": f"{m['higher_entropy']:.3f}",
                         "ops/int": f"{m['ops_per_interaction']:.0f}",
                         "rep": f"{m.get('replicators', 0)}/{m.get('score_sample', 0)}"},
                        refresh=False)
        if history is not None:
            history.append_metrics(m)
            if (m["epoch"] - 1) % (world.report_every * 16) == 0:
                history.append_snapshot(s.epoch, s.programs)
            history.write_checkpoint(s.epoch, s.reset_index, s.programs)

    summary = run_soup(soup, world.epochs, until, world.report_every, observers=(on_report,),
                       epoch_hooks=tuple(hooks), on_chunk=lambda s, n: bar.update(n))
    bar.close()
    if not summary.reports:
        final = soup.metrics()
        on_report(soup, final)
        summary.reports.append(final)
    if history is not None:
        history.append_snapshot(soup.epoch, soup.programs)
        history.close("stopped" if summary.stopped_by == "interrupt" else "finished")

    top = []
    for program, count in soup.most_common(args.top):
        score = alife.replication_score(program, world.language, max(soup.epoch - 1, 0),
                                        world.seed, world.step_limit)
        top.append({"count": count, "score": score, "hex": program.hex(),
                    "text": soup.language.disassemble(program)})
    result = {"world": world.to_dict(), "epochs_completed": soup.epoch,
              "epochs_run": summary.epochs, "wall_s": summary.wall_s,
              "epochs_per_s": summary.epochs_per_s, "stopped_by": summary.stopped_by,
              "transition_epoch": summary.transition_epoch, "final": summary.final,
              "history": None if history is None else str(out), "most_common": top}
    if args.json:
        print(json.dumps(result, indent=2, default=float))
        return 0
    f = summary.final
    print("\nSummary", file=sys.stdout)
    print(f"  epochs          {summary.epochs} run ({summary.start_epoch} -> {soup.epoch} "
          f"completed) in {summary.wall_s:.1f} s, {summary.epochs_per_s:.1f} epochs/s")
    reason = {"epochs": f"reached {world.epochs} epochs", "until": f"until {world.until}",
              "interrupt": "interrupted (Ctrl-C)"}[summary.stopped_by]
    print(f"  stopped         {reason}")
    if summary.transition_epoch is not None:
        print(f"  transition      high-order entropy crossed 3.0 at the report of epoch "
              f"{summary.transition_epoch}")
    else:
        print("  transition      high-order entropy never exceeded 3.0")
    print(f"  final metrics   higher_entropy {f['higher_entropy']:.4f}  h0 {f['h0']:.4f}  "
          f"bpb {f['bpb']:.4f}  brotli {int(f['brotli_size'])}  ops/interaction "
          f"{f['ops_per_interaction']:.1f}")
    if "score_sample" in f:
        print(f"  replicators     {f['replicators']}/{f['score_sample']} sampled programs score "
              f">= 5, {f['confirmed']} >= 48 (mean score {f['score_mean']:.1f})")
    if history is not None:
        print(f"  history         {out}")
    if args.dat_dir:
        print(f"  checkpoints     {args.dat_dir}/ (every {args.dat_every} epochs)")
    print("  most common programs (count, replication score, program):")
    for t in top:
        print(f"    {t['count']:>7}  {t['score']:>2}  {t['text']}")
    return 0


def cmd_languages(args: argparse.Namespace) -> int:
    """List the registered languages."""
    from alife.languages import REGISTRY

    for lang in REGISTRY.values():
        print(f"{lang.name:20s} {lang.family}")
    return 0


def cmd_disasm(args: argparse.Namespace) -> int:
    """Disassemble hex bytes, or parse program text to hex."""
    from alife.languages import get

    lang = get(args.language)
    if args.parse:
        print(lang.parse(args.program).hex())
    else:
        try:
            data = bytes.fromhex(args.program)
        except ValueError:
            raise AlifeError(f"{args.program!r} is not hex bytes (two hex digits per byte)") \
                from None
        print(lang.disassemble(data))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmark the soup engine against the reference figures."""
    from alife.bench import main as bench_main

    return bench_main(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``alife`` command."""
    p = argparse.ArgumentParser(prog="alife", description="Artificial-life soups of "
                                "self-replicating programs (Computational Life, 2024).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run a soup (progress, summary, history file)",
                       description="Run a soup. Without WORLD: the paper's default "
                       "(bff_noheads, 2^17 programs, seed 0, until higher_entropy>3 or 20000 "
                       "epochs).")
    r.add_argument("world", nargs="?", help="world TOML file (default: the paper's soup)")
    r.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a world key; the value is read as TOML when it parses, "
                   "else as a string (repeatable)")
    r.add_argument("--from", dest="from_dat", metavar="FILE.dat",
                   help="start from a reference checkpoint (its soup and epoch count)")
    r.add_argument("--epochs", type=int, help="stop once N epochs are completed in total "
                   "(runs epochs 0..N-1)")
    r.add_argument("--until", help='stop condition, e.g. "higher_entropy>3" ("" for none)')
    r.add_argument("--threads", type=int, help="numba threads (default: all cores)")
    r.add_argument("--out", help="history file (default: runs/<world>__seed<seed>.h5)")
    r.add_argument("--no-history", action="store_true", help="write no history file")
    r.add_argument("--dat-dir", help="write reference checkpoints %%010d.dat here")
    r.add_argument("--dat-every", type=int, default=1, metavar="K",
                   help="with --dat-dir: after every epoch e with e %% K == 0 (default 1)")
    r.add_argument("--top", type=int, default=5, help="most common programs to show")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("bench", help="benchmark epochs/s against the reference")
    b.add_argument("--threads", default="1,2", help="thread counts to time (default 1,2)")
    b.add_argument("--epochs", type=int, default=128, help="epochs per random-soup phase")
    b.add_argument("--emerged-epochs", type=int, default=64, help="epochs of the emerged phase")
    b.add_argument("--num-programs", type=int, default=131072)
    b.add_argument("--conformance", default=None,
                   help="path of shared/conformance (default: ../shared/conformance)")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_bench)

    lg = sub.add_parser("languages", help="list the soup languages")
    lg.set_defaults(func=cmd_languages)

    d = sub.add_parser("disasm", help="disassemble hex bytes (or --parse program text)")
    d.add_argument("language")
    d.add_argument("program")
    d.add_argument("--parse", action="store_true", help="text -> hex instead")
    d.set_defaults(func=cmd_disasm)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear message and exit status 2 on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AlifeError as exc:
        print(f"alife: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
