"""``alife inspect``, ``alife export`` and ``alife import``: look into histories and move soups
to and from the reference's ``.dat`` checkpoints (soup.md, "Checkpoint file")."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from alife.cli.paths import check_history_arg, check_new_file
from alife.cli.run import most_common_rows
from alife.errors import AlifeError


def _is_hdf5(path: Path) -> bool:
    accepted = "accepted: a history (.h5) or a reference checkpoint (.dat, .dat.gz)"
    if path.is_dir():
        raise AlifeError(f"{str(path)!r} is a directory; {accepted}")
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == b"\x89HDF\r\n\x1a\n"
    except FileNotFoundError:
        raise AlifeError(f"{str(path)!r} does not exist; {accepted}") from None
    except OSError as exc:
        raise AlifeError(f"{str(path)!r} cannot be read ({exc.strerror or exc}); {accepted}") \
            from None


def _soup_metrics(soup: Any) -> dict[str, float]:
    from alife.metrics import report

    m = report(soup)
    for k in ("ops", "ops_per_interaction", "total_ops"):
        m.pop(k, None)
    return m


def cmd_inspect(args: argparse.Namespace) -> int:
    """Print the world, the last metrics and the most common programs of a history or .dat."""
    path = Path(args.path)
    info = _inspect_history(path, args.top) if _is_hdf5(path) else _inspect_dat(path, args)
    if args.json:
        print(json.dumps(info, indent=2, default=float))
        return 0
    for key, value in info.items():
        if key == "world":
            print("world")
            for k, v in value.items():
                print(f"    {k} = {v!r}")
        elif key == "last_metrics":
            print(f"last metrics (after {int(value.get('epoch', 0))} epochs)")
            for k, v in value.items():
                if k != "epoch":
                    print(f"    {k:22s} {v:.6g}")
        elif key == "most_common" and value and "class" in value[0]:
            print("one particle per fixpoint class (count, class, weights)")
            for t in value:
                weights = " ".join(f"{x:+.3f}" for x in t["weights"])
                print(f"    {t['count']:>7}  {t['class']:<12}  {weights}")
        elif key == "language_given":
            continue
        elif key == "most_common":
            print("most common programs (count, replication score, program)")
            for t in value:
                print(f"    {t['count']:>7}  {t['score']:>2}  {t['text']}")
        else:
            print(f"{key:18s}{value}")
    return 0


def _inspect_history(path: Path, top: int) -> dict[str, Any]:
    from alife.history import History
    from alife.run.session import soup_from_state
    from alife.run.soups import new_soup

    with History(path) as h:
        a = h.attrs
        state = h.checkpoint()
        world = h.world
        soup = soup_from_state(world, state) if state is not None else new_soup(h.soup_world())
        snaps = h.snapshot_epochs()
        last = {k: v for k, v in h.last_metrics().items() if v == v}  # drop NaN
        info: dict[str, Any] = {
            "history": str(path), "status": h.status, "stopped_by": h.stopped_by or None,
            "alife_version": a.get("alife_version"), "created": a.get("created"),
            "resumes": a.get("resumes", 0), "world": world.to_dict(),
            "epochs_completed": soup.epoch, "observations": len(h.metrics()["epoch"]),
            "snapshots": [int(e) for e in snaps],
            "transition_epoch": h.transition_epoch(), "last_metrics": last}
    info["most_common"] = most_common_rows(soup, top)
    return info


def _inspect_dat(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    from alife.soup import Soup

    soup = Soup.from_checkpoint(path, _dat_world(args))
    m = _soup_metrics(soup)
    w = soup.world
    named = args.world is not None or any(s.partition("=")[0].strip() == "language"
                                          for s in args.set or [])
    source = f"from {args.world}" if args.world is not None else "from --set" if named else \
        "assumed: a .dat stores neither language nor seed; pass --world W.toml or --set " \
        "language=... --set seed=... to change"
    return {"checkpoint": str(path), "read_as": f"{w.language}, seed {w.seed} ({source})",
            "language_given": named, "epochs_completed": soup.epoch,
            "reset_index": soup.reset_index, "world": w.to_dict(),
            "last_metrics": m, "most_common": most_common_rows(soup, args.top)}


def _dat_world(args: argparse.Namespace) -> Any:
    from alife.world import load_world

    world = load_world(args.world, list(args.set or []))
    if world.kind == "neural":
        raise AlifeError("a reference .dat holds byte programs; its world must be a program "
                         "world, not kind = 'neural'")
    return world


def cmd_export(args: argparse.Namespace) -> int:
    """Write a history's final soup (or its snapshot after --epoch E) as a reference .dat, or
    with --raw as its bytes alone (program-major, no header)."""
    from alife.history import History
    from alife.soup.checkpoint import check_dat_size, write_dat, write_raw

    out = Path(args.output)
    if out.exists():
        raise AlifeError(f"output {str(out)!r} already exists; choose another -o (nothing is "
                         "overwritten)")
    check_new_file(out, "-o")
    with History(check_history_arg(args.history)) as h:
        if h.world.kind == "neural":
            raise AlifeError(f"{args.history!r} is a neural soup; a reference .dat holds byte "
                             "programs (read its particles with alife.history.History)")
        state = h.checkpoint()
        if args.epoch is None or (state is not None and args.epoch == state.epoch):
            if state is None:
                raise AlifeError(f"{args.history!r} holds no checkpoint yet (killed before its "
                                 "first report); export a snapshot with --epoch 0")
        else:
            state = h.snapshot(args.epoch)
        if args.raw:
            write_raw(out, state.programs)
        else:
            check_dat_size(state.programs.shape[1])
            write_dat(out, state.programs, state.epoch, state.reset_index)
    if not args.json:
        print(f"wrote {out}: {len(state.programs)} programs after {state.epoch} epochs")
    else:
        print(json.dumps({"output": str(out), "epochs_completed": state.epoch,
                          "num_programs": len(state.programs),
                          "program_size": int(state.programs.shape[1]),
                          "format": "raw" if args.raw else "dat"}))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Make a history (status "stopped") from a reference .dat so `alife resume` continues it."""
    import alife
    from alife.history import HistoryWriter
    from alife.metrics import report
    from alife.run.recorder import HistoryRecorder
    from alife.soup import Soup

    out = Path(args.output)
    if out.exists():
        raise AlifeError(f"output {str(out)!r} already exists; choose another -o (an existing "
                         "history is never overwritten)")
    check_new_file(out, "-o", folders_made=True)
    soup = Soup.from_checkpoint(args.dat, _dat_world(args))
    writer = HistoryWriter.create(out, soup.world, alife.__version__)
    recorder = HistoryRecorder(writer, soup)
    m = report(soup)
    m["wall_time"] = 0.0
    recorder.report(soup, m)
    recorder.close(soup, "stopped", "import")
    if args.json:
        print(json.dumps({"output": str(out), "epochs_completed": soup.epoch,
                          "world": soup.world.to_dict()}))
    else:
        print(f"wrote {out}: {soup.world.language}, {soup.world.num_programs} programs after "
              f"{soup.epoch} epochs; continue it with `alife resume {out} --epochs N`")
    return 0
