"""Shared base of the book's interactive explorers.

An explorer declares its controls, builds a matplotlib figure once, and on
every change calls a pure ``dlcore`` function (``compute``), updates its
artists in place (``draw``) and shows the figure as PNG bytes in an
``ipywidgets.Image``. Rendering uses the object API (``Figure`` +
``FigureCanvasAgg``), never pyplot, so it behaves the same in JupyterLab,
VS Code, a static HTML export and a headless test.

Speed: a full Agg draw of a two-panel line figure costs ~35 ms here, almost
all of it tick labels, so artists registered with :meth:`Explorer.animate`
are *blitted* over a cached background (axes, ticks, labels): an update costs
~4 ms, mostly PNG encoding. The background is redrawn when an axis limit,
scale, title or label changes (use :meth:`Explorer.fit_limits` to change
limits rarely) or after :meth:`Explorer.invalidate`: only the axes that
changed are redrawn (~15 ms each), and the last few backgrounds are kept, so
going back to earlier limits costs nothing. Every explorer keeps what it
draws inside its axes at every setting (tests/test_explorers_all.py).

Progress: a training explorer's update shows a progress bar once it has run
for ``progress_after_s`` (0.5 s). Every :func:`dlcore.train.fit` run inside its
``compute`` reports its steps (:func:`dlcore.train.reporting`), so the bar moves
while the pure, cached experiment functions train; ``expected_runs`` splits
the bar between several runs, and ``self.progress(fraction)`` reports by hand.
"""
from __future__ import annotations

import abc
import asyncio
import base64
import contextlib
import dataclasses
import html
import io
import json
import math
import time
import traceback
from collections import OrderedDict
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as _PILImage

from dlcore.train import reporting as _reporting

__all__ = ["BUDGETS_MS", "Control", "FloatSlider", "IntSlider", "LogSlider",
           "Dropdown", "Checkbox", "Explorer"]

#: Median update budget per explorer kind, in milliseconds (see scripts/bench.py).
BUDGETS_MS = {"analytic": 30.0, "training": 1000.0}

_clock = time.perf_counter  # module level so tests can monkeypatch the clock


from widgets.notebook import one_blas_thread  # noqa: E402
from widgets.controls import Checkbox, Control, Dropdown, FloatSlider, IntSlider, LogSlider  # noqa: E402  (re-exported)


# --------------------------------------------------------------- explorer
class Explorer(abc.ABC):
    """Base of every chapter's explorer.

    Subclasses declare ``controls`` and implement ``build(fig)`` (create axes
    and artists once; register the ones that change with ``self.animate``),
    ``compute(**settings)`` (call the tested ``dlcore`` function, optionally
    reporting ``self.progress(fraction)``) and ``draw(data)`` (update the
    artists in place; never ``ax.cla()``). For example::

        class ActivationExplorer(Explorer):
            controls = {"a": FloatSlider(0.1, 5.0, 0.1, 1.0, "gain")}

            def build(self, fig):
                self.ax = fig.subplots()
                self.line = self.animate(self.ax.plot(Z, 0 * Z)[0])
                self.ax.set_ylim(-1.1, 1.1)

            def compute(self, a):
                return dlcore.activations.tanh(a * Z)

            def draw(self, y):
                self.line.set_ydata(y)
    """

    controls: ClassVar[dict[str, Control]] = {}
    slow: ClassVar[bool] = False         # True: update on release, no debounce
    kind: ClassVar[str] = "analytic"     # key of BUDGETS_MS
    debounce_ms: ClassVar[float] = 50.0
    figsize: ClassVar[tuple] = (8, 3.2)
    dpi: ClassVar[int] = 80
    layout: ClassVar[str | None] = "constrained"  # Figure layout engine
    blit: ClassVar[bool] = True          # False: full redraw on every update
    backgrounds_kept: ClassVar[int] = 8  # backgrounds cached per explorer (one per set of limits, ~0.8 MB each)
    bench_settings: ClassVar[list[dict]] = []
    raise_errors: bool = False           # tests may opt into raising
    progress_after_s: ClassVar[float] = 0.5   # a longer update shows a progress bar

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind not in BUDGETS_MS:
            raise TypeError(f"{cls.__name__}.kind must be one of {list(BUDGETS_MS)}")
        cls.controls = {k: c if c.name == k else dataclasses.replace(c, name=k)
                        for k, c in cls.controls.items()}

    @abc.abstractmethod
    def build(self, fig: Figure) -> None: ...
    @abc.abstractmethod
    def compute(self, **settings) -> Any: ...
    @abc.abstractmethod
    def draw(self, data: Any) -> None: ...

    def __init__(self, **settings):
        self._settings = {k: c.validate(c.value) for k, c in self.controls.items()}
        self._settings.update(self._validate(settings))
        self.data = None
        self.last_error: str | None = None
        self.last_update_seconds = 0.0
        self.n_updates = 0
        self._t0 = None           # start of the running update, None when idle
        self._shown = 0.0         # progress shown in the running update (never goes back)
        self._rerun = False       # a control moved during an update
        self._quiet = False       # set() is writing widget values
        self._pending = None      # debounce handle
        self._dynamic: list = []
        self._backgrounds: OrderedDict = OrderedDict()   # layout key -> rendered background
        self._bg_key = None
        self._slots = None                                # where each axes can be redrawn alone
        self._generation = 0

        self.fig = Figure(figsize=self.figsize, dpi=self.dpi, layout=self.layout)
        FigureCanvasAgg(self.fig)
        self.build(self.fig)

        self.control_widgets = {k: c.make_widget(continuous_update=not self.slow)
                                for k, c in self.controls.items()}
        for k, w in self.control_widgets.items():
            w.value = self._settings[k]
            w.observe(lambda change, k=k: self._on_widget(k, change["new"]), names="value")
        # a fixed CSS width: the output area would otherwise stretch the PNG (blurry, and
        # fonts of different sizes from one explorer to the next)
        width = f"{self.figsize[0] * self.dpi:.0f}px"
        self.image = W.Image(format="png", layout=W.Layout(width=width, max_width="100%", height="auto"))
        self.status = W.HTML()
        self.error_box = W.HTML()
        self.progress_bar = W.FloatProgress(min=0.0, max=1.0, layout=W.Layout(visibility="hidden"))
        self.widget = W.VBox([
            W.Box(list(self.control_widgets.values()), layout=W.Layout(flex_flow="row wrap")),
            self.image, W.HBox([self.status, self.progress_bar]), self.error_box])
        self.update()

    # ------------------------------------------------------------ state
    @property
    def settings(self) -> dict:
        """Current control values (a copy)."""
        return dict(self._settings)

    def _validate(self, settings: dict) -> dict:
        unknown = sorted(set(settings) - set(self.controls))
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown control(s) {unknown}; "
                             f"valid names: {sorted(self.controls)}")
        return {k: self.controls[k].validate(v) for k, v in settings.items()}

    def set(self, **settings) -> "Explorer":
        """Drive from code: validate, move the widgets, run exactly one update."""
        new = self._validate(settings)  # caller errors raise here
        self._cancel_pending()
        self._settings.update(new)
        self._quiet = True
        try:
            for k, v in new.items():
                self.control_widgets[k].value = v
        finally:
            self._quiet = False
        self.update()
        return self

    def to_json(self) -> str:
        return json.dumps({"explorer": type(self).__name__, "settings": self._settings})

    def from_json(self, s: str) -> "Explorer":
        """Restore settings saved by :meth:`to_json` (class and keys are checked)."""
        state = json.loads(s)
        if not isinstance(state, dict) or state.get("explorer") != type(self).__name__:
            found = state.get("explorer") if isinstance(state, dict) else state
            raise ValueError(f"state is for explorer {found!r}, not {type(self).__name__!r}")
        settings = state.get("settings", {})
        if not isinstance(settings, dict):
            raise ValueError(f"'settings' must be a JSON object, got {settings!r}")
        return self.set(**settings)

    # ------------------------------------------------------------ UI events
    def _on_widget(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        try:
            self._settings[name] = self.controls[name].validate(value)
        except ValueError as exc:
            self._show_error(exc)
            return
        if self._t0 is not None:  # re-entrant: finish the current update first
            self._rerun = True
        elif self.slow:
            self.update()
        else:
            self._schedule()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.debounce_ms <= 0:
            self.update()
            return
        self._cancel_pending()
        self._pending = loop.call_later(self.debounce_ms / 1000, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self.update()

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    # ------------------------------------------------------------ update
    def update(self) -> None:
        """compute + draw + render with error capture and timing."""
        if self._t0 is not None:
            self._rerun = True
            return
        self._t0 = _clock()
        try:
            self._rerun = True
            while self._rerun:
                self._rerun = False
                self._update_once()
        finally:
            self.last_update_seconds = _clock() - self._t0
            self._t0 = None
            self.progress_bar.layout.visibility = "hidden"
            dt = self.last_update_seconds
            took = f"{dt * 1e3:.0f} ms" if dt < 1 else f"{dt:.1f} s"
            self.status.value = (f"failed after {took}" if self.last_error
                                 else f"updated in {took}")

    def expected_runs(self, **settings) -> int:
        """Training explorers: how many :func:`dlcore.train.fit` runs one uncached ``compute``
        makes at these settings; each gets an equal share of the progress bar. Override if not 1."""
        return 1

    def inactive(self, **settings) -> set:
        """Names of controls that have no effect at these settings (e.g. a clipping
        threshold while clipping is off). Override; the base greys them out."""
        return set()

    def _update_once(self) -> None:
        self.n_updates += 1
        try:
            off = set(self.inactive(**self._settings))
        except Exception:          # a broken hint must not break the update
            off = set()
        for k, w in self.control_widgets.items():
            w.disabled = k in off
        self._shown = 0.0
        self.progress_bar.value = 0.0
        try:
            # the book's small matrices: one thread is faster
            with one_blas_thread(), self._following_training():
                data = self.compute(**self._settings)
            self.draw(data)
            png = self.render_png()
        except Exception as exc:
            self._show_error(exc)
            if self.raise_errors:
                raise
            return
        self.data = data
        self.image.value = png
        self.last_error = None
        self.error_box.value = ""

    def _show_error(self, exc: BaseException) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        tail = "\n".join(tb.rstrip().splitlines()[-6:])
        self.error_box.value = (
            '<div style="color:#b00020;border-left:3px solid #b00020;padding-left:6px">'
            f"<b>{html.escape(self.last_error)}</b>"
            f'<pre style="font-size:85%;white-space:pre-wrap">{html.escape(tail)}</pre></div>')

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress of a long ``compute``; shown only after ``progress_after_s``.

        Training explorers need not call it: every ``fit`` inside ``compute`` reports
        its steps (see :meth:`expected_runs`)."""
        self._show_progress(fraction, message)

    def _show_progress(self, fraction: float, message: str = "") -> None:
        # the bar never moves back and moves in steps of at least 1 %: <= 100 widget messages per update
        f = min(max(float(fraction), 0.0), 1.0)
        if self._t0 is None or (f < self._shown + 0.01 and f < 1.0) or f <= self._shown:
            return
        if _clock() - self._t0 <= self.progress_after_s:
            return
        self._shown = f
        self.progress_bar.layout.visibility = "visible"
        self.progress_bar.value = f
        self.status.value = html.escape(f"{message} {f:.0%}".strip())

    def _following_training(self):
        """Inside ``compute`` of a training explorer: the k-th of ``expected_runs`` fits moves the
        bar through the k-th equal part (a run served from a cache reports nothing)."""
        if self.kind != "training":
            return contextlib.nullcontext()
        n = max(int(self.expected_runs(**self._settings)), 1)
        return _reporting(lambda run, f: self._show_progress((run + f) / n, "training"))

    # ------------------------------------------------------------ rendering
    def animate(self, *artists):
        """Register artists that ``draw`` changes; they are blitted over a cached background."""
        for a in artists:
            a.set_animated(True)
            self._dynamic.append(a)
        return artists[0] if len(artists) == 1 else artists

    def invalidate(self, layout: bool = False) -> None:
        """Force a full redraw on the next render (e.g. after changing tick labels
        or a legend); ``layout=True`` also re-solves the figure layout once."""
        self._generation += 1
        if layout and self.layout:
            self.fig.set_layout_engine(self.layout)

    @staticmethod
    def fit_limits(ax, lo: float, hi: float, axis: str = "y",
                   margin: float = 0.1, slack: float = 4.0, home: tuple | None = None,
                   min_span: float = 0.0, stops=None) -> bool:
        """Make ``ax`` show ``[lo, hi]``, changing its limits only when needed.

        Limits change (costing one full redraw, ~40 ms instead of ~4 ms, the
        first time these limits are drawn) only if the data leave the current
        range or fill less than ``1/slack`` of it; the new range adds
        ``margin`` of the data span on each side (in log space on a log axis)
        and is rounded outwards to a round step (whole decades on a log axis),
        so nearby data share limits. ``home``: the explorer's usual range, used
        whenever it holds the data (same settings, same picture; no redraw
        for most updates). ``min_span``: the smallest range shown around
        nearly constant data (in decades on a log axis). ``stops``: the only
        limit values allowed (sorted, in data units): each limit moves out to
        the nearest stop beyond the data and ``margin``, whatever the current
        limits (so few distinct limits occur, and the background drawn for
        each is reused; data beyond the last stop get data + margin). Returns
        True if the limits changed.
        """
        log = (ax.get_yscale() if axis == "y" else ax.get_xscale()) == "log"
        get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
        if not (math.isfinite(lo) and math.isfinite(hi)) or (log and lo <= 0):
            return False
        if home is not None and home[0] <= lo and hi <= home[1]:
            if all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-300) for u, v in zip(get(), home)):
                return False
            set_(*home)
            return True
        f, inv = (math.log10, lambda v: 10 ** v) if log else (float, float)
        cur = get()
        a, b = map(f, cur) if not (log and min(cur) <= 0) else (math.inf, -math.inf)   # (not drawable: reset)
        lo, hi = f(lo), f(hi)
        if hi - lo < min_span:
            mid = (lo + hi) / 2
            lo, hi = mid - min_span / 2, mid + min_span / 2
        span = max(hi - lo, 1e-9 * max(1.0, abs(lo), abs(hi)))
        if stops is not None:
            at = [f(v) for v in stops if v > 0 or not log]
            lo, hi = lo - margin * span, hi + margin * span
            new = (max([v for v in at if v <= lo], default=lo), min([v for v in at if v >= hi], default=hi))
            if all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12) for u, v in zip((a, b), new)):
                return False
            set_(*map(inv, new))
            return True
        if a <= lo and hi <= b and b - a <= slack * span:
            return False
        lo, hi = lo - margin * span, hi + margin * span
        raw = (hi - lo) / 8
        step = min(m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 5, 10)
                   if m * 10.0 ** math.floor(math.log10(raw)) >= raw * (1 - 1e-9))
        if log and hi - lo >= 2:
            step = max(step, 1.0)
        set_(inv(math.floor(lo / step + 1e-9) * step), inv(math.ceil(hi / step - 1e-9) * step))
        return True

    @staticmethod
    def data_range(*arrays, positive: bool = False, include=()) -> tuple[float, float]:
        """``(min, max)`` over the finite values of ``arrays`` (only the positive ones with
        ``positive=True``, for a log axis) and the numbers in ``include`` (e.g. 0, where a
        reference line is drawn); ``(nan, nan)`` if there are none, which :meth:`fit_limits` ignores."""
        vals = [np.asarray(a, dtype=float).ravel() for a in arrays] + [np.asarray(include, dtype=float).ravel()]
        v = np.concatenate(vals) if vals else np.empty(0)
        v = v[np.isfinite(v) & (v > 0)] if positive else v[np.isfinite(v)]
        return (float(v.min()), float(v.max())) if v.size else (math.nan, math.nan)

    def _layout_key(self) -> tuple:
        """(figure-wide part, one part per axes): what the cached background shows."""
        per_axes = tuple((ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
                          ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in self.fig.axes)
        return (self._generation, len(per_axes), tuple(t.get_text() for t in self.fig.texts)), per_axes

    def render_png(self, full: bool = False) -> bytes:
        """Render the figure to PNG bytes; ``full=True`` bypasses the blit cache.

        The background (everything but the animated artists) is reused while the
        limits, scales and labels stay; if only some axes changed, only they are
        redrawn into their slots of the last background (~15 ms per axes instead
        of ~40-60 ms for the figure); backgrounds already drawn are reused.
        """
        canvas = self.fig.canvas
        key = self._layout_key()
        background = None if (full or not self.blit) else self._backgrounds.get(key)
        if background is not None:
            canvas.restore_region(background)
            self._backgrounds.move_to_end(key)
        elif full or not self.blit or not self._redraw_changed_axes(key):
            engine = self.fig.get_layout_engine()
            relayout = engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine"
            canvas.draw()  # draws everything except the animated artists
            # Freeze the positions the layout engine found: re-solving the
            # constrained layout would add ~50 ms to every later full redraw.
            self.fig.set_layout_engine("none")
            if relayout or self._slots is None:
                self._find_slots()
            self._keep_background(key)
        self._bg_key = key
        for a in self._dynamic:
            (a.axes or self.fig).draw_artist(a)
        rgba = canvas.buffer_rgba()
        img = _PILImage.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def _keep_background(self, key) -> None:
        # kept per set of limits/labels: going back to earlier limits costs no redraw
        self._backgrounds[key] = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._backgrounds.move_to_end(key)
        while len(self._backgrounds) > max(self.backgrounds_kept, 1):
            self._backgrounds.popitem(last=False)

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
        self._slots = slots

    def _redraw_changed_axes(self, key) -> bool:
        """Redraw only the axes whose limits/labels changed since the last background; False if not possible."""
        old = self._bg_key
        if old is None or old[0] != key[0] or old not in self._backgrounds or self._slots is None:
            return False
        changed = [i for i, (a, b) in enumerate(zip(old[1], key[1])) if a != b]
        if not changed or len(changed) == len(key[1]) or any(self._slots[i] is None for i in changed):
            return False
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import IdentityTransform
        canvas, renderer = self.fig.canvas, self.fig.canvas.get_renderer()
        canvas.restore_region(self._backgrounds[old])
        for i in changed:                              # clear every slot first, then draw into them
            b = self._slots[i]
            r = Rectangle((b.x0, b.y0), b.width, b.height, transform=IdentityTransform(),
                          facecolor=self.fig.get_facecolor(), edgecolor="none", linewidth=0, antialiased=False)
            r.set_figure(self.fig)
            r.draw(renderer)
        for i in sorted(changed, key=lambda i: self.fig.axes[i].get_zorder()):
            self.fig.axes[i].draw(renderer)
        self._keep_background(key)
        return True

    # ------------------------------------------------------------ display
    def close(self) -> None:
        """Cancel pending updates and close the widgets."""
        self._cancel_pending()
        for w in (*self.control_widgets.values(), self.image, self.status,
                  self.error_box, self.progress_bar, *self.widget.children, self.widget):
            w.close()

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current figure as a PNG and a text hint.

        A front end that can show the widget (JupyterLab with a kernel) shows
        it; one that cannot (an untrusted notebook before it is run, GitHub,
        nbviewer, a static site) falls back to the figure as it was saved.
        """
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        if self.image.value:
            bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = (f"{type(self).__name__} with settings {self.settings}: "
                                "run the notebook to use the live explorer")
        return bundle
