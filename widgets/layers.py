"""Cached layers of an explorer's axes: an axis, the legend and the title drawn once per state, pasted after.

Redrawing an axes after a limit change costs 20-40 ms at twice the pixel density (measured on the
book's two-core machine), almost all of it text: tick labels (mathtext on a log axis), axis
labels, the legend, the title. Yet a limit change moves one axis: the other one, the legend and
the title are drawn exactly as before. :class:`AxesLayers` draws each of those parts once into a
transparent scratch buffer, keeps its pixels per state (the axis: its limits, scale, ticks and
label; the legend and the title: their text) and composites them (alpha blending, the same
pixels up to rounding) in the order ``Axes.draw`` would draw them; the rest (the patch, spines,
lines, images that are not animated) is drawn as usual. A y-limit change then redraws the y axis
alone (~13 ms instead of ~35 ms for the RMS panel of chapter 02's SignalExplorer), and a
combination of limits seen one axis at a time costs ~1 ms.

:class:`widgets.render.Renderer` installs it on every axes of an explorer's figure at its
first render; ``render(full=True)`` draws every layer anew. The composited parts differ from a
plain draw by at most one level in under 1 % of the pixels (antialiased edges blended twice),
measured on every analytic explorer of the book.
A part whose look changes without its key changing (new tick labels at the same limits, a
restyled legend) needs ``Renderer.invalidate()``, as the cached backgrounds already do.
"""
from __future__ import annotations

import contextlib
from collections import OrderedDict
from operator import attrgetter

import numpy as np
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.legend import Legend

__all__ = ["AxesLayers"]


class AxesLayers:
    """Layer cache for the axes of ``fig``; ``install()`` makes each ``ax.draw`` use it."""

    major_ticks, minor_ticks = 12, 40   # tick objects each axis gets up front (a log axis: minor ones too)

    def __init__(self, fig, max_bytes: float = 16e6):
        self.fig, self.max_bytes = fig, max_bytes
        self.enabled = True
        self.generation = 0                 # Renderer.invalidate: a new generation, nothing reused
        self.cache: OrderedDict = OrderedDict()    # key -> (rgba rows bottom-up, x, y) or None (empty)
        self.nbytes = 0
        self.hits = self.misses = 0
        self._scratch = None

    def install(self) -> None:
        """Draw every axes of the figure through the cache (an instance attribute shadows ``Axes.draw``);
        the keys hold each axes' position, so layers drawn before a new layout are never reused."""
        for ax in self.fig.axes:
            if "draw" not in vars(ax):
                ax.draw = (lambda renderer, ax=ax: self.draw_axes(ax, renderer))
                for axis in (ax.xaxis, ax.yaxis):   # tick objects made now (~0.5 ms each), not at a limit change
                    axis.get_major_ticks(self.major_ticks)
                    if axis.get_scale() == "log":
                        axis.get_minor_ticks(self.minor_ticks)

    @contextlib.contextmanager
    def fresh(self, on: bool = True):
        """Inside: draw every layer anew (an empty cache), keeping the cache for after."""
        if not on:
            yield
            return
        kept, self.cache = self.cache, OrderedDict()
        nbytes, self.nbytes = self.nbytes, 0
        try:
            yield
        finally:
            self.cache, self.nbytes = kept, nbytes

    def clear(self) -> None:
        self.cache.clear()
        self.nbytes = 0
        self._scratch = None                # the figure may have a new size

    # ------------------------------------------------------------ keys
    def _key(self, ax, a):
        """What the pixels of part ``a`` of ``ax`` depend on, or None: not a cached part."""
        pos = tuple(ax.get_position().bounds)
        if isinstance(a, Axis):
            lo, hi = a.get_view_interval()
            return (self.generation, id(a), pos, float(lo), float(hi), a.get_scale(), a.label.get_text(),
                    tuple(np.round(a.get_majorticklocs(), 12)), a.get_visible())
        if isinstance(a, Legend):
            if getattr(a, "_loc", 0) == 0:  # "best": placed where the data are not, which moves
                return None
            return (self.generation, id(a), pos, tuple(t.get_text() for t in a.texts), a.get_visible())
        if a is ax.title or a in (getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)):
            return (self.generation, id(a), pos, a.get_text(), a.get_position(), a.get_color(), a.get_fontsize(),
                    a.get_visible())
        return None

    # ------------------------------------------------------------ drawing
    def draw_axes(self, ax, renderer) -> None:
        """``Axes.draw(ax, renderer)``, with the axes' cacheable parts pasted from the layer cache."""
        plain = (not self.enabled or not isinstance(renderer, RendererAgg) or not ax.get_visible()
                 or not ax.axison or not ax.get_frame_on() or ax.get_axes_locator() is not None
                 or ax.get_rasterization_zorder() is not None or self.fig.canvas.is_saving()
                 or not hasattr(ax, "_unstale_viewLim"))     # (Matplotlib's own first step of Axes.draw)
        if plain:
            type(ax).draw(ax, renderer)
            return
        ax._unstale_viewLim()
        ax.apply_aspect()
        artists = sorted((a for a in ax.get_children() if a is not ax.patch and not a.get_animated()),
                         key=attrgetter("zorder"))
        gc = renderer.new_gc()
        try:
            for a in [ax.patch, *artists]:
                key = self._key(ax, a)
                if key is None:
                    a.draw(renderer)
                    continue
                layer = self._layer(ax, a, key, renderer)
                if layer is not None:
                    renderer.draw_image(gc, layer[1], layer[2], layer[0])
        finally:
            gc.restore()
        ax.stale = False

    @staticmethod
    def _draw_axis(axis, renderer) -> None:
        """``axis.draw(renderer)`` with its ticks placed once: Axis.draw places them (``_update_ticks``: the
        locator, the formatter, every tick moved), then places them again twice to put the axis label
        beside the tick labels (for the tick labels' and the spine's extents), ~2 ms each with a log
        axis's 50-90 ticks. Nothing changes in between, so the first placement serves all three."""
        ticks = type(axis)._update_ticks(axis)
        axis._update_ticks = lambda: ticks
        try:
            axis.draw(renderer)
        finally:
            del axis._update_ticks

    def _layer(self, ax, a, key, renderer):
        if key in self.cache:
            self.hits += 1
            self.cache.move_to_end(key)
            return self.cache[key]
        self.misses += 1
        w, h = int(renderer.width), int(renderer.height)
        s = self._scratch
        if s is None or (int(s.width), int(s.height)) != (w, h):
            s = self._scratch = RendererAgg(w, h, renderer.dpi)
        else:
            s.clear()
        # the figure's own mathtext parser (and its cache): a label parsed for the layout, or warmed by
        # widgets.plots.warm_log_labels, is not parsed again (~2.5 ms each) to be drawn here
        s.mathtext_parser = getattr(renderer, "mathtext_parser", s.mathtext_parser)
        if a is ax.title and hasattr(ax, "_update_title_position"):
            ax._update_title_position(s)    # as Axes.draw does before drawing
        if isinstance(a, Axis) and callable(getattr(type(a), "_update_ticks", None)):
            self._draw_axis(a, s)
        else:
            a.draw(s)
        buf = np.asarray(s.buffer_rgba())
        alpha = buf[..., 3]
        rows = np.flatnonzero(alpha.any(axis=1))
        if rows.size == 0:
            layer = None
        else:
            cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].any(axis=0))
            r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            # draw_image takes rows bottom-up and the lower-left corner in display pixels
            layer = (np.ascontiguousarray(buf[r0:r1, c0:c1][::-1]), int(c0), int(h - r1))
            self.nbytes += layer[0].nbytes
        self.cache[key] = layer
        while self.nbytes > self.max_bytes and len(self.cache) > 1:
            old = self.cache.popitem(last=False)[1]
            self.nbytes -= 0 if old is None else old[0].nbytes
        return layer
