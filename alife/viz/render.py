"""Drawing one viewer frame onto a pygame Surface from plain arrays (no window, no events).

A frame (Agüera y Arcas et al. 2024, "Computational Life": the soup pictures of fig. 1 and the
complexity curves of fig. 2) shows: the soup as tiles (:mod:`alife.viz.tiles`); a header with
the world, epoch, epochs/s and state; sparklines of high-order entropy and ops per interaction
with the transition (high-order entropy > 3) marked; the palette; the most common programs,
disassembled with their counts. With a program opened, the soup pane shows the program panel:
its disassembly, replication score, and the trace of it meeting a partner, pc, head0 and head1
drawn over the tape, step by step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alife.languages import get
from alife.measures.entropy import TRANSITION_THRESHOLD
from alife.viz import require_pygame
from alife.viz.bridge import SoupFrame
from alife.viz.palette import palette_legend
from alife.viz.tiles import SoupPainter, Viewport, tile_renderer
from alife.viz.trace import Trace
from alife.world import World

pygame = require_pygame()

WINDOW = (1280, 800)
SOUP_PANE = pygame.Rect(8, 34, 1024, 512)  # the soup (or the program panel)
SIDE = pygame.Rect(1044, 34, 228, 512)  # sparklines, palette, keys
BOTTOM = pygame.Rect(8, 554, 1264, 238)  # the most common programs
SPARK_H, SPARK_GAP = 110, 12  # height of one sparkline, space between two stacked ones

BG = (22, 22, 28)
PANEL_BG = (34, 34, 42)
TEXT = (232, 232, 236)
DIM = (150, 150, 160)
ACCENT = (255, 210, 60)  # selection, pc
HEAD0 = (70, 210, 255)
HEAD1 = (255, 140, 40)
TRANSITION = (240, 70, 70)
LINE = (120, 200, 120)
GRID_ZOOM = 4.0  # from this many pixels per byte on, tiles get a dark outline

KEYS_HELP = ("space  pause / resume", ".      one epoch (paused)", "+ / -  epochs per frame",
             "click  open a program", "wheel  zoom,  drag  pan", "z      zoom to fit",
             "s      screenshot", "<- ->  snapshots (replay)", "q      quit")
PANEL_HELP = ("<- ->  step back / forward (shift: 64, ctrl: 1024)   Home End  first / last   "
              "[ ]  partner -1 / +1   Esc  back to the soup")

@dataclass
class ProgramPanel:
    """The opened program: its bytes, count, score, partner and the trace of their interaction."""

    index: int
    program: bytes
    count: int  # copies of it in the soup
    score: int  # replication score (0..64)
    partner: int
    partner_program: bytes
    trace: Trace
    step: int = 0
    _strip: object = field(default=None, repr=False)  # cached tape-over-time surface

    def move(self, delta: int) -> None:
        """Step the trace forward (delta > 0) or back, within [0, steps]."""
        self.step = int(min(max(self.step + delta, 0), self.trace.steps))


def _luma(rgb: np.ndarray) -> float:
    return float(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])


def fit_text(font, s: str, width: int) -> str:
    """``s`` if it fits ``width`` pixels in ``font``, else its longest prefix that fits with "…"
    appended ("" when not even "…" fits)."""
    if font.size(s)[0] <= width:
        return s
    lo, hi = 0, len(s)  # the longest prefix s[:lo] + "…" that fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.size(s[:mid].rstrip() + "…")[0] <= width:
            lo = mid
        else:
            hi = mid - 1
    short = s[:lo].rstrip() + "…"
    return short if font.size(short)[0] <= width else ""


class FramePainter:
    """Draws frames; holds the fonts, glyph cache and the soup's pixel map between frames."""

    def __init__(self, world: World) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        mono = pygame.font.match_font("dejavusansmono") or None
        self.font = pygame.font.Font(mono, 13)
        self.small = pygame.font.Font(mono, 11)
        # DejaVu Sans covers every character of the BFF text form (U+0100..U+01FF); the mono
        # face lacks a few
        self.cell_font = pygame.font.Font(pygame.font.match_font("dejavusans") or mono, 12)
        self.world = world
        self.soup = SoupPainter(tile_renderer(world))
        self.language: str = getattr(self.soup.renderer, "language", "")  # "": no byte labels
        #: byte labels are hex (two digits) unless the language has characters of its own
        self.hex_text = get(self.language).family.hex_text if self.language else True
        self._lut32: np.ndarray | None = None
        self._glyphs: dict[tuple[str, tuple[int, int, int], int], pygame.Surface] = {}
        self.colours = self.soup.renderer.palette
        if hasattr(self.soup.renderer, "language"):
            lang = get(self.language)
            self.labels = [lang.disassemble(bytes([b])) for b in range(256)]
        else:
            self.labels = [""] * 256
        self.neural = world.kind == "neural"
        self.legend = palette_legend(self.language) if hasattr(self.soup.renderer, "language") \
            else list(getattr(self.soup.renderer, "legend", []))
        # the side and bottom panels change only at reports: drawn once, then copied
        self._panels = pygame.Surface(WINDOW)
        self._panel_keys: dict[str, object] = {}

    # --- text ------------------------------------------------------------------------------------

    def text(self, surface, s: str, pos: tuple[int, int], colour=TEXT, font=None) -> int:
        """Blit ``s`` at ``pos``; return its width."""
        img = (font or self.font).render(s, True, colour)
        surface.blit(img, pos)
        return img.get_width()

    def label(self, surface, s: str, pos: tuple[int, int], width: int, colour=TEXT,
              font=None) -> list[pygame.Rect]:
        """Blit ``s`` at ``pos``, cut to ``width`` pixels with "…"; return the rectangle it
        covers (none when nothing fits)."""
        font = font or self.small
        s = fit_text(font, s, width)
        if not s:
            return []
        img = font.render(s, True, colour)
        surface.blit(img, pos)
        return [pygame.Rect(pos, (min(img.get_width(), width), img.get_height()))]

    def _glyph(self, ch: str, colour: tuple[int, int, int], size: int) -> pygame.Surface:
        key = (ch, colour, size)
        g = self._glyphs.get(key)
        if g is None:
            font = self.cell_font if size == 12 else self.small
            g = self._glyphs[key] = font.render(ch, True, colour)
        return g

    def byte_cells(self, surface, data: bytes | np.ndarray, x: int, y: int, w: int, h: int,
                   size: int = 12) -> None:
        """Bytes as a row of coloured cells, each with its character (two hex digits in Forth
        and SUBLEQ)."""
        for j, b in enumerate(bytes(data)):
            c = self.colours[b]
            r = pygame.Rect(x + j * w, y, w, h)
            surface.fill(tuple(int(v) for v in c), r)
            label = self.labels[b]
            if not label or (self.hex_text and w < 14):
                continue
            ink = (0, 0, 0) if _luma(c) > 140 else (255, 255, 255)
            g = self._glyph(label, ink, size)
            surface.blit(g, (r.centerx - g.get_width() // 2, r.centery - g.get_height() // 2))

    # --- the soup ---------------------------------------------------------------------------------

    def draw_soup(self, surface, programs: np.ndarray, view: Viewport,
                  selected: int | None = None, partner: int | None = None) -> None:
        """The soup's tiles in the soup pane, selection outlined."""
        pane = surface.subsurface(SOUP_PANE)
        if self._lut32 is None:
            lut = self.soup.lut()
            lut[-1] = BG  # outside the soup
            self._lut32 = np.array([pane.map_rgb(tuple(int(v) for v in c)) for c in lut],
                                   dtype=np.uint32)
        pygame.surfarray.blit_array(pane, np.take(self._lut32, self.soup.values(programs, view)).T)
        if view.zoom >= GRID_ZOOM:  # big tiles: a dark line on each tile's top and left edge
            size = view.tile * view.zoom
            cw, ch = view.cells
            right = min(view.width, int((cw - view.x0) * view.zoom))
            bottom = min(view.height, int((ch - view.y0) * view.zoom))
            x = -(view.x0 % view.tile) * view.zoom
            while x < right:
                if x >= 0:
                    pygame.draw.line(pane, BG, (int(x), 0), (int(x), bottom - 1))
                x += size
            y = -(view.y0 % view.tile) * view.zoom
            while y < bottom:
                if y >= 0:
                    pygame.draw.line(pane, BG, (0, int(y)), (right - 1, int(y)))
                y += size
        for member, colour in ((selected, ACCENT), (partner, HEAD1)):
            if member is not None:
                x, y, w, h = view.tile_rect(member)
                pygame.draw.rect(pane, colour, (x - 2, y - 2, w + 4, h + 4), 2)

    # --- one frame --------------------------------------------------------------------------------

    def draw(self, surface, frame: SoupFrame, view: Viewport, panel: ProgramPanel | None = None,
             rate: int | None = None, message: str = "", mode: str = "live") -> None:
        """Draw the whole frame: header, soup (or program panel), sparklines, top programs."""
        surface.fill(BG)
        w = frame.world
        grid = f" on a {w.grid[0]} x {w.grid[1]} grid" if w.grid else ""
        shown = rate if rate is not None else "max"
        if mode == "live":
            pace = f"{frame.epochs_per_s:.1f} epochs/s   epochs/frame {shown}"
        elif mode == "follow":
            pace = f"{frame.epochs_per_s:.1f} epochs/s (run)"
        else:
            pace = f"playing {shown} snapshot(s) per step"
        if self.neural:
            pace = pace.replace("epochs/s", "generations/s").replace("epochs/frame",
                                                                     "generations/frame")
            header = (f"neural soup  {w.num_programs} weightwise particles{grid}  seed {w.seed}"
                      f"   generation {frame.epoch}   [{frame.status}]   {pace}")
        else:
            header = (f"{w.language}  {w.num_programs} programs{grid}  seed {w.seed}   "
                      f"epoch {frame.epoch}   [{frame.status}]   {pace}")
        self.text(surface, header, (10, 9))
        if message:
            self.text(surface, message, (WINDOW[0] - 10 - self.font.size(message)[0], 9), ACCENT)
        if panel is None:
            self.draw_soup(surface, frame.programs, view)
        else:
            self.draw_panel(surface, panel)
        s = frame.series.get("epoch")
        self._cached(surface, "side", SIDE, (0 if s is None else len(s), frame.transition_epoch),
                     lambda target: self.draw_side(target, frame))
        if self.neural:
            self._cached(surface, "top", BOTTOM, ("census", frame.epoch),
                         lambda target: self.draw_census(target, frame))
        else:
            self._cached(surface, "top", BOTTOM, (frame.top, frame.top_epoch),
                         lambda target: self.draw_top(target, frame))
        if panel is None and not self.neural:
            z = view.zoom
            per = "1 pixel" if z == 1 else f"{z:g} pixels"
            note = (f"soup above: one 8x8 tile per program, {per} per byte (row-major from the "
                    "top left)")
            self.text(surface, note, (BOTTOM.right - 6 - self.small.size(note)[0], BOTTOM.y + 4),
                      DIM, self.small)

    def _cached(self, surface, name: str, rect, key: object, draw) -> None:
        """Copy panel ``name`` from the cache, drawing it there first when ``key`` changed."""
        if self._panel_keys.get(name) != key:
            self._panels.fill(BG, rect)
            draw(self._panels)
            self._panel_keys[name] = key
        surface.blit(self._panels, rect.topleft, area=rect)

    def draw_side(self, surface, frame: SoupFrame, side: pygame.Rect = SIDE) -> list[pygame.Rect]:
        """Sparklines (high-order entropy, ops per interaction), palette and keys in ``side``;
        returns the rectangles of the labels drawn (each line cut to the column's width)."""
        if self.neural:
            return self.draw_side_neural(surface, frame, side)
        s = frame.series
        t = frame.transition_epoch
        y = side.y
        drawn = self.sparkline(surface, pygame.Rect(side.x, y, side.w, SPARK_H),
                               "high-order entropy (bits/byte)", s.get("epoch"),
                               s.get("higher_entropy"), t, threshold=TRANSITION_THRESHOLD)
        y += SPARK_H + SPARK_GAP
        drawn += self.sparkline(surface, pygame.Rect(side.x, y, side.w, SPARK_H),
                                "ops per interaction", s.get("epoch"),
                                s.get("ops_per_interaction"), t)
        y += SPARK_H + 4
        rep = s.get("replicator_fraction")
        if rep is not None and len(rep) and np.isfinite(rep[-1]):
            drawn += self.label(surface, f"replicators: {100 * rep[-1]:.0f} % of a sample",
                                (side.x, y), side.w, TEXT)
            drawn += self.label(surface, "(score >= 5 at the last report)", (side.x, y + 13),
                                side.w, DIM)
        y += 32
        return drawn + self._legend_and_keys(surface, side, y, "palette (byte colours)",
                                             KEYS_HELP)

    def _legend_and_keys(self, surface, side: pygame.Rect, y: int, heading: str | tuple[str, ...],
                         keys: tuple[str, ...]) -> list[pygame.Rect]:
        """The colour legend under ``heading`` from ``y`` down, then the keys; label rects."""
        drawn = []
        for line in (heading,) if isinstance(heading, str) else heading:
            drawn += self.label(surface, line, (side.x, y), side.w, DIM)
            y += 13
        y += 2
        for label, rgb in self.legend:
            pygame.draw.rect(surface, rgb, (side.x, y + 2, 10, 10))
            drawn += self.label(surface, label, (side.x + 15, y), side.w - 15, TEXT)
            y += 14
        y += 6
        drawn += self.label(surface, "keys", (side.x, y), side.w, DIM)
        y += 14
        for line in keys:
            drawn += self.label(surface, line, (side.x, y), side.w, TEXT)
            y += 13
        return drawn

    def draw_side_neural(self, surface, frame: SoupFrame,
                         side: pygame.Rect = SIDE) -> list[pygame.Rect]:
        """Neural soups: sparklines of the shares of non-zero fixpoints and of "other"
        particles, the class colours and the keys; returns the label rectangles."""
        s = frame.series
        n = max(frame.world.num_programs, 1)
        other = s.get("census_other")
        drawn = self.sparkline(surface, pygame.Rect(side.x, side.y, side.w, SPARK_H),
                               "share of non-zero fixpoints", s.get("epoch"),
                               s.get("fixpoint_fraction"), None)
        drawn += self.sparkline(surface,
                                pygame.Rect(side.x, side.y + SPARK_H + SPARK_GAP, side.w,
                                            SPARK_H),
                                'share of "other" particles', s.get("epoch"),
                                None if other is None else other / n, None)
        keys = tuple("click  a particle's class and v" if "program" in line else
                     line.replace("epochs", "generations").replace("epoch", "generation")
                     for line in KEYS_HELP)
        return drawn + self._legend_and_keys(
            surface, side, side.y + 2 * SPARK_H + SPARK_GAP + 16,
            ("particle colours (fixpoint class;", "brighter: larger |weight|)"), keys)

    def particle_classes(self, frame: SoupFrame) -> np.ndarray:
        """Fixpoint class of every particle of ``frame`` (cached per frame)."""
        return self.soup.renderer.classes(frame.programs)

    def draw_census(self, surface, frame: SoupFrame) -> None:
        """Neural soups: particles per fixpoint class, with one example's weights each."""
        from alife.particles.kernel import CLASS_NAMES

        pygame.draw.rect(surface, PANEL_BG, BOTTOM)
        self.text(surface, f"census of generation {frame.epoch} (particles per fixpoint class, "
                  "share; weights W1 | W2 | W3 of the class's median-norm particle)",
                  (BOTTOM.x + 6, BOTTOM.y + 4), DIM, self.small)
        classes = self.particle_classes(frame)
        counts = np.bincount(classes, minlength=len(CLASS_NAMES))
        n = max(len(classes), 1)
        weights = np.ascontiguousarray(frame.programs).view(np.float32)
        for i, (name, rgb) in enumerate(self.legend):
            y = BOTTOM.y + 24 + i * 26
            pygame.draw.rect(surface, rgb, (BOTTOM.x + 8, y + 3, 14, 14))
            self.text(surface, f"{name:<13}{counts[i]:>8}  {100 * counts[i] / n:6.2f}%",
                      (BOTTOM.x + 30, y + 3))
            if counts[i]:
                members = np.flatnonzero(classes == i)
                with np.errstate(invalid="ignore", over="ignore"):
                    norms = np.nan_to_num(np.abs(weights[members, :14]).sum(1), nan=np.inf)
                pick = members[np.argpartition(norms, len(members) // 2)[len(members) // 2]]
                parts = [" ".join(f"{x:+.2g}" for x in weights[pick, a:b]) for a, b in
                         ((0, 8), (8, 12), (12, 14))]
                self.text(surface, "  |  ".join(parts), (BOTTOM.x + 330, y + 4), DIM,
                          self.small)

    def describe_particle(self, frame: SoupFrame, index: int) -> str:
        """One line: particle ``index``'s class and its end-to-end vector v = W1 W2 W3."""
        from alife.particles.kernel import CLASS_NAMES, end_vectors

        w = np.ascontiguousarray(frame.programs).view(np.float32)[index, :14]
        v = end_vectors(w)[0]
        cls = CLASS_NAMES[int(self.particle_classes(frame)[index])].replace("_", " ")
        return (f"particle #{index}: {cls}, v = W1 W2 W3 = ("
                + ", ".join(f"{x:+.4f}" for x in v) + ")")

    def sparkline(self, surface, rect, title: str, x: np.ndarray | None, y: np.ndarray | None,
                  transition: int | None, threshold: float | None = None) -> list[pygame.Rect]:
        """A small line plot of ``y`` over epochs ``x`` in ``rect``; the transition epoch as a
        red line. The title on top, the last value and the epoch range in a row under the plot,
        each label shortened (then cut with "…") to fit the width; returns their rectangles."""
        font = self.small
        lh = font.get_height()
        pygame.draw.rect(surface, PANEL_BG, rect)
        inner = rect.w - 8
        # rows from the top: the title, the plot, the row of labels under it (each label row
        # only where the rectangle has room for it)
        drawn = []
        top = rect.y + 2
        if rect.h >= lh + 4:
            drawn += self.label(surface, title, (rect.x + 4, top), inner, DIM)
            top += lh + 2
        row = rect.bottom - 3 - lh
        has_row = row >= top + 2
        bottom = row - 2 if has_row else rect.bottom - 2
        plot = pygame.Rect(rect.x + 4, top, inner, max(bottom - top, 1))
        if x is None or y is None or len(x) == 0:
            if plot.h >= lh:
                drawn += self.label(surface, "no report yet",
                                    (plot.x, plot.centery - lh // 2), inner, DIM)
            return drawn
        ok = np.isfinite(y)
        x, y = x[ok], y[ok]
        if len(x) == 0:
            return drawn
        x0, x1 = float(x[0]), float(max(x[-1], x[0] + 1))
        lo = 0.0
        hi = float(max(y.max(), threshold * 1.25 if threshold else 0.0, 1e-9))

        def px(e: float) -> int:
            return int(plot.x + (e - x0) / (x1 - x0) * (plot.w - 1))

        def py(v: float) -> int:
            return int(plot.bottom - 1 - (v - lo) / (hi - lo) * (plot.h - 1))

        if threshold is not None:
            ty = py(threshold)
            for xx in range(plot.x, plot.right, 6):
                pygame.draw.line(surface, DIM, (xx, ty), (xx + 2, ty))
        if transition is not None:
            tx = px(transition)
            pygame.draw.line(surface, TRANSITION, (tx, plot.y), (tx, plot.bottom))
            if plot.h >= lh:  # its label inside the plot, at the bottom, beside the line
                label = next((s for s in (f"transition {transition}", f"T {transition}")
                              if font.size(s)[0] + 3 <= max(tx - plot.x, plot.right - tx)),
                             "")
                lw = font.size(label)[0]
                lx = tx + 3 if tx + 3 + lw <= plot.right else max(tx - 3 - lw, plot.x)
                drawn += self.label(surface, label, (lx, plot.bottom - lh), plot.right - lx,
                                    TRANSITION)
        pts = [(px(e), py(v)) for e, v in zip(x, y, strict=True)]
        if len(pts) > 1:
            pygame.draw.lines(surface, LINE, False, pts, 2)
        else:
            pygame.draw.circle(surface, LINE, pts[0], 2)
        # the row under the plot: the last value (and the maximum) left, the epochs right; the
        # longest pair that fits with a gap, else the value alone
        gap = 8
        value, peak = f"{y[-1]:.3g}", f"{y[-1]:.3g}  (max {y.max():.3g})"
        span = f"{int(x0)}..{int(x[-1])}"
        left, right = value, ""
        for a, b in ((peak, f"epoch {span}"), (peak, span), (value, f"epoch {span}"),
                     (value, span)):
            if font.size(a)[0] + gap + font.size(b)[0] <= inner:
                left, right = a, b
                break
        if not has_row:
            return drawn
        drawn += self.label(surface, left, (plot.x, row), inner, TEXT)
        if right:
            drawn += self.label(surface, right, (plot.right - font.size(right)[0], row), inner,
                                DIM)
        return drawn

    def draw_top(self, surface, frame: SoupFrame) -> None:
        """The most common programs: count, share and the program as coloured characters."""
        pygame.draw.rect(surface, PANEL_BG, BOTTOM)
        at = "" if frame.top_epoch is None else f" at the report of epoch {frame.top_epoch}"
        self.text(surface, f"most common programs{at} (copies in the soup, share, program)",
                  (BOTTOM.x + 6, BOTTOM.y + 4), DIM, self.small)
        n = max(frame.world.num_programs, 1)
        cell_w = 17 if self.hex_text else 16
        for i, (program, count) in enumerate(frame.top[:8]):
            y = BOTTOM.y + 22 + i * 26
            self.text(surface, f"{count:>7}", (BOTTOM.x + 6, y + 3))
            self.text(surface, f"{100 * count / n:5.2f}%", (BOTTOM.x + 70, y + 3), DIM)
            self.byte_cells(surface, program, BOTTOM.x + 140, y, cell_w, 22)
        if not frame.top:
            self.text(surface, "(none yet: they appear at the first report)",
                      (BOTTOM.x + 6, BOTTOM.y + 26), DIM)

    # --- the program panel ------------------------------------------------------------------------

    def draw_panel(self, surface, p: ProgramPanel) -> None:
        """Program ``p``: disassembly, score, and its interaction with the partner, step by step."""
        r = SOUP_PANE
        pygame.draw.rect(surface, PANEL_BG, r)
        tr = p.trace
        x, y = r.x + 12, r.y + 8
        verdict = "replicator" if p.score >= 5 else "not a replicator"
        tape = tr.tapes[p.step]
        width = tape.shape[0]
        size = width // 2
        self.text(surface, f"program #{p.index}   {p.count} copies in the soup   replication "
                  f"score {p.score}/{size} ({verdict})", (x, y), ACCENT)
        y += 20
        self.text(surface, f"meets partner #{p.partner} on one {width}-byte tape: bytes "
                  f"0-{size - 1} program #{p.index}, {size}-{width - 1} partner #{p.partner}",
                  (x, y), TEXT)
        y += 26
        s = p.step
        cw, ch = 15, 22
        per_row = min(64, size)  # cells per row; a program takes size / per_row rows
        rows = width // per_row

        def row_y(row: int) -> int:
            """Top of tape row ``row``: rows of one program 4 px apart, 26 px between them."""
            return y + row * (ch + 4) + (row * per_row // size) * 22

        for row in range(rows):
            self.text(surface, f"{row * per_row:>3}", (x, row_y(row) + 4), DIM, self.small)
        tx = x + 30
        for row in range(rows):
            self.byte_cells(surface, tape[row * per_row:(row + 1) * per_row], tx, row_y(row),
                            cw, ch)
        # markers: pc box, head0 below, head1 above
        for pos, colour, below, name in ((tr.head0[s], HEAD0, True, "h0"),
                                         (tr.head1[s], HEAD1, False, "h1")):
            if pos < 0:
                continue
            row, j = divmod(int(pos), per_row)
            cx = tx + j * cw + cw // 2
            ty = row_y(row)
            if below:
                tip, base = ty + ch + 1, ty + ch + 9
            else:
                tip, base = ty - 1, ty - 9
            pygame.draw.polygon(surface, colour, [(cx, tip), (cx - 5, base), (cx + 5, base)])
            g = self._glyph(name, colour, 11)
            surface.blit(g, (cx + 6, min(tip, base) - 3))
        if tr.pc[s] >= 0:
            row, j = divmod(int(tr.pc[s]), per_row)
            pygame.draw.rect(surface, ACCENT, (tx + j * cw - 1, row_y(row) - 1, cw + 2, ch + 2),
                             2)
        y = row_y(rows) + 4
        ops = tr.ops_before[s]
        info = f"step {s} / {tr.steps}   "
        info += (f"ops so far {ops} / {tr.ops}   " if ops >= 0 else f"ops (run) {tr.ops}   ")
        if tr.pc[s] >= 0:
            b = int(tape[tr.pc[s]])
            info += f"pc {tr.pc[s]}"
            if tr.head0[s] >= 0:
                info += f"  head0 {tr.head0[s]}  head1 {tr.head1[s]}"
            info += f"   next: {get(tr.language).family.explain(tr.language, b)}"
        else:
            info += "finished (the final tape)"
        self.text(surface, info, (x, y), TEXT)
        y += 20
        lw = tr.last_write
        end = tr.steps if lw < 0 else min(tr.steps, lw + 1 + max(16, lw // 8))
        tail = "" if end == tr.steps else f"; the tape never changes after step {lw}"
        self.text(surface, f"the tape over steps 0..{end} (time runs down; white line: this step"
                  f"{tail})", (x, y), DIM, self.small)
        y += 14
        self._draw_strip(surface, p, pygame.Rect(tx, y, 128 * 7, r.bottom - y - 40), end)
        self.text(surface, PANEL_HELP, (x, r.bottom - 30), DIM, self.small)

    def _draw_strip(self, surface, p: ProgramPanel, rect, end: int) -> None:
        tr = p.trace
        rows = max(1, min(rect.h, end + 1))
        idx = np.linspace(0, end, rows).round().astype(np.int64)
        if p._strip is None or p._strip.get_size() != (rect.w, rows):
            img = np.asarray(self.colours)[tr.tapes[idx]]  # rows x tape x 3
            img = np.repeat(img, max(1, rect.w // tr.tapes.shape[1]), axis=1).transpose(1, 0, 2)
            p._strip = pygame.surfarray.make_surface(np.ascontiguousarray(img))
        surface.blit(p._strip, rect.topleft)
        row = int(np.searchsorted(idx, p.step))
        yy = rect.y + min(row, rows - 1)
        pygame.draw.line(surface, (255, 255, 255), (rect.x - 8, yy), (rect.x + rect.w + 8, yy), 1)
        self.text(surface, "0", (rect.right + 10, rect.y), DIM, self.small)
        self.text(surface, f"step {end}", (rect.right + 10, rect.y + rows - 12), DIM,
                  self.small)
        self.text(surface, f"{p.step}", (rect.right + 10, max(yy - 6, rect.y + 12)), TEXT,
                  self.small)
