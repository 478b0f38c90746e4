"""``alife view``: replay a history in the live viewer, follow a run being written, or write
one PNG per snapshot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_view(args: argparse.Namespace) -> int:
    """Open the viewer on a history (``--follow``: while it is written), or ``--frames DIR``."""
    from alife.errors import AlifeError

    if args.frames and args.follow:
        raise AlifeError("--frames writes the snapshots stored so far and cannot --follow; "
                         "accepted: one of them")
    from alife.cli.paths import check_history_arg

    check_history_arg(args.history)
    if args.fps < 1:
        raise AlifeError(f"--fps {args.fps}: accepted an integer >= 1")
    if args.every is not None and not args.frames:
        raise AlifeError("--every sets the cadence of --frames; accepted: --frames DIR --every K")
    if args.frames:
        import os

        from alife.cli.paths import check_folder

        check_folder(args.frames, "--frames")
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # no window is opened
        from alife.viz.live import write_frames

        paths = write_frames(args.history, args.frames, every=args.every)
        print(frames_line(args.history, args.frames, paths, args.every), file=sys.stderr)
        return 0
    from alife.viz.live import view_history

    view_history(args.history, follow=args.follow, fps=args.fps,
                 screenshot_dir=args.screenshots)
    return 0


def frames_line(history: str, frames: str, paths: list[Path], every: int | None) -> str:
    """What ``--frames`` wrote: how many frames, where, and what bounds their cadence."""
    import os

    from alife.history import History
    from alife.run.protocol import unit_word

    with History(history) as h:
        snaps = [int(e) for e in h.snapshot_epochs()]
        world = h.world
    units = unit_word(world, plural=True)
    where = os.path.join(str(Path(frames)), "")  # one trailing slash, whatever was typed
    names = f"{paths[0].name} .. {paths[-1].name}, " if paths else ""
    shown = ", ".join(map(str, snaps[:6])) + (", ..." if len(snaps) > 6 else "")
    head = f"wrote {len(paths)} frames to {where} ({names}frames.csv)"
    if every:
        return (f"{head}: the history's {len(snaps)} snapshots ({units} {shown}) and every "
                f"{every} {units} between them, re-run from the snapshots")
    cadence = f"after every {world.snapshot_every} {units} (its world's snapshot_every) and " \
        if world.snapshot_every else ""
    return (f"{head}: one per snapshot the history stores ({units} {shown}): the soup at the "
            f"start, {cadence}at the end; for frames in between pass --every K (re-runs the "
            "soup from the snapshots) or record with --set snapshot_every=K")


def add_view_parser(sub: argparse._SubParsersAction) -> None:
    """The ``view`` subcommand's arguments."""
    v = sub.add_parser("view", help="watch a history in the live viewer (extra viz)",
                       description="Replay a history's snapshots in a window (arrow keys scrub), "
                       "follow a run another process is writing (--follow), or write one PNG "
                       "per stored snapshot (--frames DIR; --every K for frames in between). "
                       "Needs pygame: pip install 'alife[viz]'.")
    v.add_argument("history", help="the run's .h5 history")
    v.add_argument("--follow", action="store_true",
                   help="keep re-reading the file and show each new report's soup")
    v.add_argument("--frames", metavar="DIR", help="write DIR/frame_%%05d.png, one per "
                   "snapshot stored in the history (its world's snapshot_every, default 1024 "
                   "epochs, plus the first and last soup), and DIR/frames.csv, without opening "
                   "a window; it says how many")
    v.add_argument("--every", type=int, metavar="K", help="with --frames: also a frame after "
                   "every K-th epoch between snapshots, re-running the soup from the snapshot "
                   "before (exact, checked against the next snapshot; costs those epochs' "
                   "compute)")
    v.add_argument("--fps", type=int, default=30, help="frame cap (default 30)")
    v.add_argument("--screenshots", default=".", metavar="DIR",
                   help="where `s` saves screenshots (default: the current directory)")
    v.set_defaults(func=cmd_view)
