"""Fast redraws of a matplotlib figure as PNG bytes: blitting, cached backgrounds, partial redraws.

:class:`Renderer` renders one ``Figure`` (object API + Agg, never pyplot). A full
Agg draw of a two-panel line figure costs ~35-45 ms, almost all of it ticks and
labels, so the artists registered with :meth:`Renderer.animate` are *blitted*
over a cached background (axes, ticks, labels): an update costs a few ms, most
of it PNG encoding (:func:`encode_png`). The background is redrawn when an axis
limit, scale, title or label changes (:func:`widgets.limits.fit_limits` changes
limits rarely) or after :meth:`Renderer.invalidate`: only the axes that changed
are redrawn, and the last backgrounds are kept, so going back to earlier limits
costs nothing. Each axes' own rectangle is kept too, per set of its limits: a new
combination of limits seen before one axes at a time (one panel's depth, another's
scale) is pasted together without drawing. An axes that must be redrawn takes its axes,
legend and title from :class:`widgets.layers.AxesLayers` where their state was drawn before.
"""
from __future__ import annotations

import base64
import io
import math
import struct
import zlib
from collections import OrderedDict

import numpy as np

try:        # zlib-ng: the same deflate format, 3-5x faster than the stdlib's zlib 1.2 at these sizes
    from zlib_ng.zlib_ng import compress as _deflate
    FAST_LEVEL = 2          # 2.1 ms and 87 kB for a 1600 x 528 figure, where zlib level 1 took 7.2 ms, 103 kB
except ImportError:         # pragma: no cover - a dependency; the stdlib keeps the library working without it
    from zlib import compress as _deflate
    FAST_LEVEL = 1

from widgets.layers import AxesLayers

__all__ = ["Renderer", "encode_png", "mimebundle"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(rgba, level: int | None = None, compact: bool = False) -> bytes:
    """PNG bytes of an ``(h, w, 4)`` uint8 buffer such as Agg's ``buffer_rgba()``: fast, or ``compact``.

    Every row is stored with PNG's "Up" filter (minus the row above: the white and flat
    areas of a plot become runs of zeros, and so does the opaque alpha channel) and
    deflated by zlib-ng at ``level`` 2 (:data:`FAST_LEVEL`). Keeping the alpha channel avoids a
    strided copy: a figure at twice the pixel density (1600 x 528) encodes in ~2 ms of CPU
    (~100 KB), where the stdlib's zlib at level 1 took ~6-7 ms, dropping alpha first ~10 ms
    and Pillow (adaptive filters, level 1) ~14-17 ms.

    ``compact=True``: RGB, Pillow's adaptive filters, level 6: ~25 % smaller than the fast
    encoding, in ~30 ms. For a picture that is kept rather than replaced by the next
    update: an explorer's first figure, which an executed notebook stores (twice).
    """
    if compact:
        from PIL import Image
        buf = io.BytesIO()
        Image.fromarray(np.asarray(rgba)[..., :3]).save(buf, format="png", compress_level=6)
        return buf.getvalue()
    a = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = a.shape[:2]
    flat = a.reshape(h, 4 * w)
    rows = np.empty((h, 1 + 4 * w), np.uint8)
    rows[:, 0] = 2                                   # filter type 2, "Up"
    rows[0, 1:] = flat[0]
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])   # uint8 wraps modulo 256, as PNG expects
    head = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)   # 8 bits, RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", head) + _chunk(b"IDAT", _deflate(rows, FAST_LEVEL if level is None else level))
            + _chunk(b"IEND", b""))


class Renderer:
    """Renders ``fig`` to PNG bytes, blitting the artists registered with :meth:`animate`.

    ``blit=False``: a full draw every time. ``keep``/``max_bytes``: how many backgrounds
    (one per set of limits and labels) are cached, and how much memory they may use.
    ``layout``: the figure's layout engine, re-applied by ``invalidate(layout=True)``.
    """

    def __init__(self, fig, *, blit: bool = True, keep: int = 8, max_bytes: float = 32e6,
                 layout: str | None = None):
        self.fig, self.blit, self.keep, self.max_bytes, self.layout = fig, blit, keep, max_bytes, layout
        self.dynamic: list = []
        self.backgrounds: OrderedDict = OrderedDict()   # layout key -> rendered background
        self.bg_key = None
        self.slots = None                               # where each axes can be redrawn alone
        self.slot_images: OrderedDict = OrderedDict()   # (figure key, axes index, its key) -> its slot's pixels
        self.generation = 0
        self.layers = AxesLayers(fig)                   # an axis, legend or title drawn once per state

    def animate(self, *artists):
        """Register artists that change between renders; they are drawn over the cached background."""
        for a in artists:
            a.set_animated(True)
            self.dynamic.append(a)
        return artists[0] if len(artists) == 1 else artists

    def invalidate(self, layout: bool = False) -> None:
        """Force a full redraw on the next render (e.g. after changing tick labels or a
        legend); ``layout=True`` also re-solves the figure layout once."""
        self.generation += 1
        self.layers.generation = self.generation
        if layout and self.layout:
            self.fig.set_layout_engine(self.layout)

    def layout_key(self) -> tuple:
        """(figure-wide part, one part per axes): what a cached background shows."""
        per_axes = tuple((ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
                          ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in self.fig.axes)
        return (self.generation, len(per_axes), tuple(t.get_text() for t in self.fig.texts)), per_axes

    def png(self, full: bool = False, compact: bool = False) -> bytes:
        """The figure as PNG bytes; ``full=True`` bypasses the background cache; ``compact``: see :func:`encode_png`."""
        return encode_png(self.render(full), compact=compact)

    def render(self, full: bool = False):
        """Draw the figure into the canvas and return its RGBA buffer.

        The background (everything but the animated artists) is reused while the
        limits, scales and labels stay; if only some axes changed, only they are
        redrawn into their slots of the last background (~15 ms per axes instead of
        ~40-60 ms for the figure); backgrounds already drawn are reused.
        """
        canvas = self.fig.canvas
        key = self.layout_key()
        background = None if (full or not self.blit) else self.backgrounds.get(key)
        if background is not None:
            canvas.restore_region(background)
            self.backgrounds.move_to_end(key)
        elif full or not self.blit or not self._redraw_changed_axes(key):
            engine = self.fig.get_layout_engine()
            relayout = engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine"
            self.layers.install()                       # axes added since are drawn through the layers too
            with self.layers.fresh(full):               # full=True: every layer drawn anew, none reused
                canvas.draw()  # draws everything except the animated artists
            # Freeze the positions the layout engine found: re-solving the constrained
            # layout would add ~50 ms to every later full redraw.
            self.fig.set_layout_engine("none")
            if relayout or self.slots is None:
                self._find_slots()
            self._keep_slots(key, range(len(key[1])))
            self._keep_background(key)
        self.bg_key = key
        for a in self.dynamic:
            (a.axes or self.fig).draw_artist(a)
        return canvas.buffer_rgba()

    def _wholes_kept(self) -> int:
        """How many whole backgrounds are kept: ``keep`` within ``max_bytes``; only two when every axes
        has a slot (its rectangles, kept one by one, rebuild any earlier background)."""
        size = 4 * self.fig.bbox.width * self.fig.bbox.height
        by_axes = self.slots is not None and None not in self.slots
        return max(1, min(2 if by_axes else self.keep, int(self.max_bytes // size)))

    def _keep_background(self, key) -> None:
        # kept per set of limits/labels: going back to earlier limits costs no redraw
        self.backgrounds[key] = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self.backgrounds.move_to_end(key)
        while len(self.backgrounds) > self._wholes_kept():
            self.backgrounds.popitem(last=False)

    def _keep_slots(self, key, indices) -> None:
        """Keep the pixels of the slots of axes ``indices`` as just drawn (background only), per set
        of that axes' limits and labels, in the memory the whole backgrounds leave of ``max_bytes``."""
        for i in indices:
            if self.slots is not None and self.slots[i] is not None:
                k = (key[0], i, key[1][i])
                self.slot_images[k] = self.fig.canvas.copy_from_bbox(self.slots[i])
                self.slot_images.move_to_end(k)
        area = lambda i: 4 * self.slots[i].width * self.slots[i].height   # noqa: E731
        budget = (self.max_bytes - self._wholes_kept() * 4 * self.fig.bbox.width * self.fig.bbox.height
                  - sum(area(i) for (_, i, _) in self.slot_images))
        while budget < 0 and len(self.slot_images) > 1:
            _, i, _ = self.slot_images.popitem(last=False)[0]
            budget += area(i)

    def _find_slots(self) -> None:
        """For each axes, a pixel rectangle holding all it draws (ticks, labels, title) and nothing
        of the other axes or figure-level artists: where it can be redrawn alone (None: it cannot)."""
        from matplotlib.transforms import Bbox
        renderer = self.fig.canvas.get_renderer()
        tight = [ax.get_tightbbox(renderer) if ax.get_visible() else None for ax in self.fig.axes]
        fixed = [a.get_window_extent(renderer) for a in (*self.fig.legends, *self.fig.texts) if a.get_visible()]
        W, H = self.fig.bbox.width, self.fig.bbox.height
        slots = []
        for i, t in enumerate(tight):
            if t is None:
                slots.append(None)
                continue
            x0, y0, x1, y1 = 0.0, 0.0, W, H
            for o in [b for j, b in enumerate(tight) if j != i and b is not None] + fixed:
                gaps = {"left": t.x0 - o.x1, "right": o.x0 - t.x1, "below": t.y0 - o.y1, "above": o.y0 - t.y1}
                side, gap = max(gaps.items(), key=lambda kv: kv[1])
                if gap <= 0:                                # overlapping: this axes cannot be isolated
                    x0 = None
                    break
                if side == "left":
                    x0 = max(x0, (t.x0 + o.x1) / 2)
                elif side == "right":
                    x1 = min(x1, (o.x0 + t.x1) / 2)
                elif side == "below":
                    y0 = max(y0, (t.y0 + o.y1) / 2)
                else:
                    y1 = min(y1, (o.y0 + t.y1) / 2)
            slots.append(None if x0 is None else
                         Bbox([[math.floor(x0), math.floor(y0)], [math.ceil(x1), math.ceil(y1)]]))
        self.slots = slots
        self.slot_images.clear()                        # drawn into the old slots

    def _redraw_changed_axes(self, key) -> bool:
        """Paste or redraw only the axes whose limits/labels changed since the last background (pasted:
        their slot as drawn before for these limits); False if not possible."""
        old = self.bg_key
        if old is None or old[0] != key[0] or old not in self.backgrounds or self.slots is None:
            return False
        changed = [i for i, (a, b) in enumerate(zip(old[1], key[1])) if a != b]
        if not changed or any(self.slots[i] is None for i in changed):
            return False
        kept = {i: self.slot_images.get((key[0], i, key[1][i])) for i in changed}
        todo = [i for i in changed if kept[i] is None]
        if len(todo) == len(key[1]):                   # every axes to draw: one full redraw is as cheap
            return False
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import IdentityTransform
        canvas, renderer = self.fig.canvas, self.fig.canvas.get_renderer()
        canvas.restore_region(self.backgrounds[old])
        for i in changed:
            if kept[i] is not None:
                canvas.restore_region(kept[i])
                self.slot_images.move_to_end((key[0], i, key[1][i]))
        for i in todo:                                 # clear every slot first, then draw into them
            b = self.slots[i]
            r = Rectangle((b.x0, b.y0), b.width, b.height, transform=IdentityTransform(),
                          facecolor=self.fig.get_facecolor(), edgecolor="none", linewidth=0, antialiased=False)
            r.set_figure(self.fig)
            r.draw(renderer)
        for i in sorted(todo, key=lambda i: self.fig.axes[i].get_zorder()):
            self.fig.axes[i].draw(renderer)
        self._keep_slots(key, todo)
        self._keep_background(key)
        return True


def mimebundle(explorer, **kwargs) -> tuple[dict, dict]:
    """An explorer's display: the live widget, plus its current figure as a PNG and a text hint.

    A front end that can show the widget (JupyterLab with a kernel) shows it; one that cannot (an
    untrusted notebook before it is run, GitHub, nbviewer, a static site) falls back to the figure
    as it was saved.
    """
    e = explorer
    bundle = dict(e.widget._repr_mimebundle_(**kwargs) or {})
    metadata = {}
    if e.image.value:   # drawn at pixel_ratio x, shown at the live explorer's CSS size
        bundle["image/png"] = base64.b64encode(e.image.value).decode("ascii")
        metadata["image/png"] = dict(zip(("width", "height"), (round(v * e.dpi) for v in e.fig.get_size_inches())))
    bundle["text/plain"] = f"{type(e).__name__} with settings {e.settings}: run the notebook to use the live explorer"
    return bundle, metadata
