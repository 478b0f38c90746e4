#!/usr/bin/env python3
"""Cost of the live viewer: epochs/s of a soup run with the viewer open and without, and the time
to draw a frame.

Every run goes through :func:`alife.run.session.start_run` with no history, from the same random
soup, in rotating order, after a warm-up that compiles everything: on the main thread (as
``alife run``), on a worker thread with no window (the viewer's arrangement without drawing), and
through :func:`alife.viz.live.view_run` (as ``alife run --view``). Without a display SDL's dummy
video driver is used: frames are drawn in full, but the final copy to a screen is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--help`` shows the module docstring, whole paragraphs."""
    plain = re.sub(r":\w+:`([^`]*)`", r"\1", __doc__).replace("``", "`")  # no Sphinx roles
    description, _, details = plain.strip().partition("\n\n")
    p = argparse.ArgumentParser(description=" ".join(description.split()),
                                epilog=" ".join(details.split()))
    p.add_argument("--world", default=str(ROOT / "worlds" / "bff_noheads.toml"),
                   help="world file (default: worlds/bff_noheads.toml)")
    p.add_argument("--num-programs", type=int, default=131072,
                   help="programs in the soup (default 131072)")
    p.add_argument("--epochs", type=int, default=512, help="epochs per timed run (default 512)")
    p.add_argument("--repeats", type=int, default=2, help="timed runs of each kind (default 2)")
    p.add_argument("--threads", type=int, default=None, help="numba threads (default: all)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    return p.parse_args(argv)


def panel_timings(world, soup) -> tuple[float, float]:
    """Median ms of a frame with the trace panel open, and of tracing one interaction."""
    import numpy as np
    import pygame

    from alife.viz.bridge import SoupFrame
    from alife.viz.render import SOUP_PANE, WINDOW, FramePainter, ProgramPanel
    from alife.viz.tiles import Viewport
    from alife.viz.trace import trace_interaction

    if not soup.exact_species:  # no program panel: particles have no trace
        return float("nan"), float("nan")
    painter, surface = FramePainter(world), pygame.Surface(WINDOW)
    view = Viewport.for_world(world, SOUP_PANE.w, SOUP_PANE.h)
    frame = SoupFrame(world, soup.programs.copy(), soup.epoch, top=tuple(soup.most_common(8)))
    traces, draws = [], []
    for i in range(10):
        t0 = time.perf_counter()
        tr = trace_interaction(world.language, soup.programs[i], soup.programs[i + 1],
                               world.step_limit)
        traces.append(time.perf_counter() - t0)
        panel = ProgramPanel(i, soup.programs[i].tobytes(), 1, 0, i + 1, b"", tr,
                             step=tr.steps // 2)
        for _ in range(2):
            t0 = time.perf_counter()
            painter.draw(surface, frame, view, panel)
            draws.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(draws)), 1e3 * float(np.median(traces))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import alife
    from alife.run.session import start_run
    from alife.soup import set_threads
    from alife.viz.live import view_run
    from alife.world import load_world

    threads = set_threads(args.threads)
    world = load_world(args.world, [f"num_programs={args.num_programs}", "until=''",
                                    f"epochs={args.epochs}"])
    viewers = []

    def plain(w):
        return start_run(w, None, alife_version=alife.__version__)[1]

    soup_after = []

    def threaded(w):  # the viewer's arrangement (soup in a worker thread), but no window
        import threading

        import numba

        out = {}

        def simulate():
            numba.set_num_threads(threads)
            out["o"] = plain(w)

        t = threading.Thread(target=simulate)
        t.start()
        t.join()
        return out["o"]

    def viewed(w):
        soup, outcome = view_run(w, None, alife_version=alife.__version__, exit_when_done=True,
                                 on_viewer=viewers.append)
        soup_after.append(soup)
        return outcome

    warm = world.replace(epochs=min(17, args.epochs))
    plain(warm)
    viewed(warm)
    viewers.clear()
    load_before = os.getloadavg()
    runs = []
    for _ in range(args.repeats):
        for kind, fn in (("without viewer", plain), ("worker thread, no window", threaded),
                         ("with viewer", viewed)):
            t0 = time.perf_counter()
            outcome = fn(world)
            runs.append({"kind": kind, "epochs": outcome.epochs_run, "wall_s": outcome.wall_s,
                         "epochs_per_s": outcome.epochs_per_s,
                         "total_s": time.perf_counter() - t0})
    load_after = os.getloadavg()
    panel_ms, trace_ms = panel_timings(world, soup_after[-1])
    frames = [ms for v in viewers for ms in v.draw_ms]
    viewed_s = sum(r["wall_s"] for r in runs if r["kind"] == "with viewer")
    mean = {k: statistics.mean(r["epochs_per_s"] for r in runs if r["kind"] == k)
            for k in ("without viewer", "worker thread, no window", "with viewer")}
    result = {
        "world": world.soup.label,
        "num_programs": world.num_programs, "threads": threads,
        "video_driver": os.environ.get("SDL_VIDEODRIVER", "default"), "runs": runs,
        "epochs_per_s": mean,
        "viewer_cost_percent": 100 * (1 - mean["with viewer"] / mean["without viewer"]),
        "window_cost_percent": 100 * (1 - mean["with viewer"]
                                      / mean["worker thread, no window"]),
        "frames_drawn": len(frames), "frames_per_s": len(frames) / viewed_s if viewed_s else 0,
        "frame_ms_median": statistics.median(frames) if frames else None,
        "frame_ms_p95": sorted(frames)[int(0.95 * (len(frames) - 1))] if frames else None,
        "frame_ms_max": max(frames) if frames else None,
        "frame_with_trace_panel_ms_median": panel_ms, "open_program_trace_ms_median": trace_ms,
        "load_average_before": load_before, "load_average_after": load_after,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['world']}, {world.num_programs} programs, epochs 0..{args.epochs - 1}, "
          f"{threads} threads, SDL video driver {result['video_driver']}")
    for r in runs:
        print(f"  {r['kind']:<26} {r['epochs_per_s']:7.2f} epochs/s ({r['wall_s']:.1f} s)")
    print(f"  mean: {mean['without viewer']:.2f} epochs/s without the viewer (as `alife run`), "
          f"{mean['worker thread, no window']:.2f} in a worker thread without a window, "
          f"{mean['with viewer']:.2f} with the viewer (as `alife run --view`)")
    print(f"  cost of the viewer vs `alife run`: {result['viewer_cost_percent']:+.1f} %; of the "
          f"window alone (same thread arrangement): {result['window_cost_percent']:+.1f} %")
    if frames:
        print(f"  frames: {len(frames)} drawn ({result['frames_per_s']:.1f}/s), median "
              f"{result['frame_ms_median']:.1f} ms, p95 {result['frame_ms_p95']:.1f} ms, max "
              f"{result['frame_ms_max']:.1f} ms")
    if panel_ms == panel_ms:  # program soups only
        print(f"  a frame with the trace panel open: median {panel_ms:.1f} ms; opening a "
              f"program (trace of one interaction): median {trace_ms:.1f} ms")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
