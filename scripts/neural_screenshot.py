#!/usr/bin/env python3
"""A screenshot of the live viewer on a neural soup for the README (Gabor, Illium et al. 2019).

Runs ``worlds/neural_soup.toml`` (100,000 weightwise particles) in the viewer as
``alife run --view`` does (SDL's dummy driver when there is no display) and shoots the window
after ``--generations`` generations, zoomed in so single particles show as 4x4 tiles coloured by
fixpoint class. PNGs are stored as 8-bit palette images (small files).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--world", default=str(ROOT / "worlds" / "neural_soup.toml"))
    p.add_argument("--num-programs", type=int, default=100_000)
    p.add_argument("--generations", type=int, default=60)
    p.add_argument("--zoom", type=float, default=3.0, help="pixels per weight cell")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    import pygame
    from viewer_screenshots import save_small  # this folder is on sys.path when run as a script

    import alife
    from alife.run.session import start_run
    from alife.viz.bridge import LiveBridge
    from alife.viz.figures import figure_stem
    from alife.viz.live import LiveSource, Viewer, open_window
    from alife.world import load_world

    world = load_world(args.world, [f"num_programs={args.num_programs}",
                                    f"epochs={args.generations}", "report_every=5"])
    bridge = LiveBridge(world)
    sim = threading.Thread(target=lambda: (start_run(world, None, alife_version=alife.__version__,
                                                     watcher=bridge), bridge.finish()))
    viewer = Viewer(LiveSource(bridge), open_window("neural screenshot"))
    viewer.view.zoom = args.zoom
    sim.start()
    clock = pygame.time.Clock()
    try:
        while not (bridge.done and viewer.frame is not None
                   and viewer.frame.epoch >= args.generations):
            viewer.tick()
            clock.tick(30)
        viewer.tick()
        viewer.draw()
        stem = figure_stem("viewer_neural", {"N": world.num_programs,
                                             "generation": viewer.frame.epoch})
        args.out.mkdir(parents=True, exist_ok=True)
        print(save_small(viewer, args.out / f"{stem}.png"))
    finally:
        bridge.stop()
        sim.join()
        pygame.display.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
