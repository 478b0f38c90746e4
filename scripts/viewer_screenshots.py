#!/usr/bin/env python3
"""Screenshots of the live viewer for the README: a soup running live just after its transition,
and the trace panel of its most common program copying itself into a partner.

Runs ``worlds/bff_noheads_seeded.toml`` (a random soup seeded with 8 copies of the reference
run's replicator) in the viewer as ``alife run --view`` does (SDL's dummy driver when there is no
display), shoots the window once high-order entropy has passed 3 and ``--after`` more epochs have
run, then opens the most common program against a partner that is not a copy of it and shoots the
trace at ``--step``. PNGs are stored as 8-bit palette images (small files).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--world", default=str(ROOT / "worlds" / "bff_noheads_seeded.toml"))
    p.add_argument("--num-programs", type=int, default=131072)
    p.add_argument("--after", type=int, default=512, help="epochs to run past the transition")
    p.add_argument("--max-epochs", type=int, default=4000)
    p.add_argument("--step", type=int, default=400, help="trace step shown in the panel shot")
    p.add_argument("--zoom", type=float, default=4.0, help="pixels per byte in the live shot")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    return p.parse_args()


def save_small(viewer, path: Path) -> Path:
    """Save the window as an 8-bit palette PNG."""
    from PIL import Image

    tmp = viewer.screenshot(path.with_suffix(".tmp.png"))
    Image.open(tmp).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(
        path, optimize=True)
    tmp.unlink()
    return path


def main() -> int:
    args = parse_args()
    import numpy as np
    import pygame

    import alife
    from alife.run.session import start_run
    from alife.viz.bridge import LiveBridge
    from alife.viz.figures import figure_stem
    from alife.viz.live import LiveSource, Viewer, open_window
    from alife.world import load_world

    world = load_world(args.world, [f"num_programs={args.num_programs}", "until=''",
                                    f"epochs={args.max_epochs}"])
    bridge = LiveBridge(world)
    done: dict = {}
    sim = threading.Thread(target=lambda: (done.update(r=start_run(
        world, None, alife_version=alife.__version__, watcher=bridge)), bridge.finish()))
    viewer = Viewer(LiveSource(bridge), open_window("screenshots"))
    viewer.view.zoom = args.zoom  # zoomed in on the top left, so single programs show
    sim.start()
    params = {"language": world.language, "N": world.num_programs, "seed": world.seed}
    args.out.mkdir(parents=True, exist_ok=True)
    clock = pygame.time.Clock()
    try:
        while True:
            viewer.tick()
            f = viewer.frame
            t = f.transition_epoch if f is not None else None
            if t is not None and f.epoch >= t + args.after:
                break
            if bridge.done:
                raise SystemExit(f"no transition within {args.max_epochs} epochs")
            clock.tick(30)
        live = save_small(viewer, args.out / f"{figure_stem('viewer_live', params)}.png")
        bridge.toggle_pause()
        time.sleep(0.5)
        viewer.tick()  # the header says paused
        f = viewer.frame
        programs = f.programs
        top = np.frombuffer(f.top[0][0], dtype=np.uint8)
        index = int(np.flatnonzero(np.all(programs == top, axis=1))[0])
        # the partner least like the replicator and its mirror image, so the copy shows
        partner = int(np.argmax(np.minimum((programs != top).sum(axis=1),
                                           (programs != top[::-1]).sum(axis=1))))
        panel = viewer.open_program(index, partner)
        panel.step = min(args.step, panel.trace.steps)
        viewer.draw()
        shot = save_small(viewer, args.out / f"{figure_stem('viewer_trace', {**params, 'program': index, 'step': panel.step})}.png")  # noqa: E501
        print(f"live view after {f.epoch} epochs (transition at the report of "
              f"{f.transition_epoch}): {live}")
        print(f"trace panel: program {index} (score {panel.score}, {panel.count} copies after "
              f"{f.epoch} epochs; most common at the report of {f.top_epoch}) meets {partner}, "
              f"step {panel.step} of {panel.trace.steps}, last write {panel.trace.last_write}: "
              f"{shot}")
    finally:
        bridge.stop()
        sim.join()
        pygame.display.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
