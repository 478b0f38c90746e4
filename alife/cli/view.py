"""``alife view``: replay a history in the live viewer, follow a run being written, or write
one PNG per snapshot."""

from __future__ import annotations

import argparse
import sys


def cmd_view(args: argparse.Namespace) -> int:
    """Open the viewer on a history (``--follow``: while it is written), or ``--frames DIR``."""
    from alife.errors import AlifeError

    if args.frames and args.follow:
        raise AlifeError("--frames writes the snapshots stored so far and cannot --follow; "
                         "accepted: one of them")
    if args.fps < 1:
        raise AlifeError(f"--fps {args.fps}: accepted an integer >= 1")
    if args.frames:
        import os

        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # no window is opened
        from alife.viz.live import write_frames

        paths = write_frames(args.history, args.frames)
        print(f"wrote {len(paths)} frames to {args.frames}/ (frame_00000.png ..., frames.csv)",
              file=sys.stderr)
        return 0
    from alife.viz.live import view_history

    view_history(args.history, follow=args.follow, fps=args.fps,
                 screenshot_dir=args.screenshots)
    return 0


def add_view_parser(sub: argparse._SubParsersAction) -> None:
    """The ``view`` subcommand's arguments."""
    v = sub.add_parser("view", help="watch a history in the live viewer (extra viz)",
                       description="Replay a history's snapshots in a window (arrow keys scrub), "
                       "follow a run another process is writing (--follow), or write one PNG "
                       "per snapshot (--frames DIR). Needs pygame: pip install 'alife[viz]'.")
    v.add_argument("history", help="the run's .h5 history")
    v.add_argument("--follow", action="store_true",
                   help="keep re-reading the file and show each new report's soup")
    v.add_argument("--frames", metavar="DIR", help="write DIR/frame_%%05d.png per snapshot "
                   "and DIR/frames.csv, without opening a window")
    v.add_argument("--fps", type=int, default=30, help="frame cap (default 30)")
    v.add_argument("--screenshots", default=".", metavar="DIR",
                   help="where `s` saves screenshots (default: the current directory)")
    v.set_defaults(func=cmd_view)
