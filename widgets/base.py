"""Shared base of the book's interactive explorers.

An explorer declares its controls, builds a matplotlib figure once, and on every
change calls a pure ``dlcore`` function (``compute``), updates its artists in place
(``draw``) and shows the figure as PNG bytes in an ``ipywidgets.Image``, rendered at
``pixel_ratio`` (2) times the displayed pixel density: sharp on high-density screens.
Under the figure (:mod:`widgets.status`): an info line (:meth:`Explorer.set_info`), the status
with a progress bar, notes on settings changed by :meth:`Explorer.constrain`, and errors.
Rendering is :mod:`widgets.render`, limits :mod:`widgets.limits`, controls :mod:`widgets.controls`,
saved states :mod:`widgets.state`, shared figures :mod:`widgets.plots`; their public names are
importable from here too.

Progress: a training explorer's update shows a progress bar after ``progress_after_s``
(0.5 s). Every :func:`dlcore.train.fit` inside ``compute`` reports its steps
(:func:`dlcore.train.reporting`), so the bar moves while the cached experiment
functions train; ``expected_runs`` splits the bar between several runs, and
``self.progress(fraction)`` reports by hand (e.g. a loop of runs that are not fits).
"""
from __future__ import annotations

import abc
import contextlib
import dataclasses
import json
import time
from typing import Any, ClassVar

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dlcore.train import reporting as _reporting
from widgets.controls import (Checkbox, Control, Debounce, Dropdown, FloatSlider, IntSlider,  # re-exported
                              LogSlider, SettingError, SettingTypeError)
from widgets.limits import data_range, fit_limits
from widgets.notebook import one_blas_thread
from widgets.render import Renderer, encode_png, mimebundle
from widgets.state import apply_constraints, parse_state, validate_settings
from widgets.status import StatusLine

__all__ = ["BUDGETS_MS", "Control", "FloatSlider", "IntSlider", "LogSlider", "Dropdown", "Checkbox",
           "Explorer", "Renderer", "StatusLine", "SettingError", "SettingTypeError", "encode_png",
           "fit_limits", "data_range"]

#: Median update budget per explorer kind, in milliseconds (see scripts/bench.py).
BUDGETS_MS = {"analytic": 30.0, "training": 1000.0}

_clock = time.perf_counter  # module level so tests can monkeypatch the clock


# --------------------------------------------------------------- explorer
class Explorer(abc.ABC):
    """Base of every chapter's explorer.

    Subclasses declare ``controls`` and implement ``build(fig)`` (create axes and
    artists once, or a figure panel of ``widgets/chNN_plots.py``: ``self.panel =
    self.add_panel(LossPanel(fig.subplots()))``; register artists that change with
    ``self.animate``), ``compute(**settings)`` (call the tested ``dlcore`` function and
    return its result) and ``draw(result)`` (``self.panel.update(result)``, or update
    artists in place; never ``ax.cla()``; text about the result: ``self.set_info``).
    Settings it cannot draw as asked are changed by ``constrain`` (override it), applied everywhere
    and shown (``self.notes``). Bad values from code raise :class:`SettingError` /
    :class:`SettingTypeError` (both ``ValueError``) naming the control and what is allowed.
    """

    controls: ClassVar[dict[str, Control]] = {}
    slow: ClassVar[bool] = False         # True: update on release, no debounce
    kind: ClassVar[str] = "analytic"     # key of BUDGETS_MS
    debounce_ms: ClassVar[float] = 50.0
    figsize: ClassVar[tuple] = (8, 3.2)
    dpi: ClassVar[int] = 80              # displayed size: figsize x dpi CSS pixels
    pixel_ratio: ClassVar[float] = 2.0   # rendered at dpi x pixel_ratio: sharp on high-density screens
    layout: ClassVar[str | None] = "constrained"  # Figure layout engine
    blit: ClassVar[bool] = True          # False: full redraw on every update
    backgrounds_kept: ClassVar[int] = 8  # backgrounds cached (one per set of limits, 3.3 MB for 9 x 3.6 in at 2x) ...
    background_mb: ClassVar[float] = 32.0  # ... within this much memory (fewer: more redraws)
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
        self.notes: list[str] = []   # what the last change of the settings changed (constrain), shown
        self.data = None
        self.last_error: str | None = None
        self.last_update_seconds = 0.0
        self.n_updates = 0
        self._t0 = None           # start of the running update, None when idle
        self._rerun = False       # a control moved during an update
        self._quiet = False       # set() is writing widget values
        self._debounced = Debounce(self.update, self.debounce_ms)   # a drag: one update at its end
        # drawn at pixel_ratio x dpi, shown at dpi (the Image's CSS width below)
        self.fig = Figure(figsize=self.figsize, dpi=self.dpi * self.pixel_ratio, layout=self.layout)
        FigureCanvasAgg(self.fig)
        self.renderer = Renderer(self.fig, blit=self.blit, keep=self.backgrounds_kept,
                                 max_bytes=self.background_mb * 1e6, layout=self.layout)
        self.status_line = s = StatusLine()      # info line, status + progress bar, error box
        self.info_line, self.status, self.progress_bar, self.error_box = s.info, s.status, s.progress_bar, s.error_box
        self.build(self.fig)

        self.control_widgets = {k: c.make_widget(continuous_update=not self.slow)
                                for k, c in self.controls.items()}
        self._constrain(self._settings)
        for k, w in self.control_widgets.items():
            w.value = self._settings[k]
            w.observe(lambda change, k=k: self._on_widget(k, change["new"]), names="value")
        # a fixed CSS width: the output area would otherwise stretch the PNG (blurry, and
        # fonts of different sizes from one explorer to the next)
        width = f"{self.figsize[0] * self.dpi:.0f}px"
        self.image = W.Image(format="png", layout=W.Layout(width=width, max_width="100%", height="auto"))
        self.widget = W.VBox([W.Box(list(self.control_widgets.values()), layout=W.Layout(flex_flow="row wrap")),
                              self.image, *self.status_line.widgets])
        self.update()

    # ------------------------------------------------------------ state
    @property
    def settings(self) -> dict:
        """Current control values (a copy)."""
        return dict(self._settings)

    def _validate(self, settings: dict, args: tuple = ()) -> dict:
        return validate_settings(type(self).__name__, settings, self.controls, args)

    def constrain(self, **settings) -> dict:
        """Override: settings that cannot be drawn as asked, as ``{name: (value drawn, why)}``, e.g.
        ``{"param": (0.99, "a Leaky ReLU slope must be below 1")}``; cheap (runs on every change)."""
        return {}

    def _constrain(self, settings: dict) -> dict:
        """Apply :meth:`constrain` to ``settings`` in place, show what changed; returns the changes."""
        changed, self.notes = apply_constraints(self.constrain(**settings), settings, self.controls)
        self.status_line.set_notes(self.notes)
        return changed

    def _apply(self, new: dict, skip_widget: str | None = None) -> None:
        """Take validated ``new`` settings, apply the constraints, move the widgets (quietly)."""
        self._settings.update(new)
        changed, self._quiet = self._constrain(self._settings), True
        try:
            for k in {**new, **changed}:
                if k != skip_widget or k in changed:
                    self.control_widgets[k].value = self._settings[k]
        finally:
            self._quiet = False

    def set(self, *args, **settings) -> "Explorer":
        """Drive from code: validate (a bad name or value raises, nothing applied), move the widgets,
        run exactly one update."""
        new = self._validate(settings, args)  # caller errors raise here
        self._debounced.cancel()
        self._apply(new)
        self.update()
        return self

    def to_json(self) -> str:
        """The state to share: ``{"explorer": class name, "settings": {every control: value}}``."""
        return json.dumps({"explorer": type(self).__name__, "settings": self._settings})

    def from_json(self, s) -> "Explorer":
        """Restore a state saved by :meth:`to_json` (text, or the dict it parses to), checked whole
        first (:func:`widgets.state.parse_state`)."""
        return self.set(**parse_state(s, type(self).__name__, self.controls))

    # ------------------------------------------------------------ UI events
    def _on_widget(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        try:
            self._apply({name: self.controls[name].validate(value)}, skip_widget=name)
        except ValueError as exc:
            self._show_error(exc)
            return
        if self._t0 is not None:  # re-entrant: finish the current update first
            self._rerun = True
        elif self.slow:
            self.update()
        else:
            self._debounced()

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
            self.status_line.finish(self.last_update_seconds, failed=bool(self.last_error))

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
        self.status_line.start()
        try:
            # the book's small matrices: one thread is faster
            with one_blas_thread(), self._following_training():
                data = self.compute(**self._settings)
            self.draw(data)
            png = self.render_png(compact=self.n_updates == 1)   # the first one: stored by an executed notebook
        except Exception as exc:
            self._show_error(exc)
            if self.raise_errors:
                raise
            return
        self.data = data
        self.image.value = png
        self.last_error = None
        self.status_line.clear_error()

    def _show_error(self, exc: BaseException) -> None:
        self.last_error = self.status_line.show_error(exc)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress of a long ``compute`` (shown after ``progress_after_s``; ``fit`` reports its own)."""
        self._show_progress(fraction, message)

    def _show_progress(self, fraction: float, message: str = "") -> None:
        if self._t0 is not None and _clock() - self._t0 > self.progress_after_s:   # only inside a long update
            self.status_line.progress(fraction, message)

    def _following_training(self):
        """Inside ``compute`` of a training explorer: the k-th of ``expected_runs`` fits moves the
        bar through the k-th equal part (a run served from a cache reports nothing)."""
        if self.kind != "training":
            return contextlib.nullcontext()
        n = max(int(self.expected_runs(**self._settings)), 1)
        return _reporting(lambda run, f: self._show_progress((run + f) / n, "training"))

    # ------------------------------------------------------------ figure
    def animate(self, *artists):
        """Register artists that ``draw`` changes; they are blitted over a cached background."""
        return self.renderer.animate(*artists)

    def add_panel(self, panel):
        """Use a figure panel (:class:`widgets.plots.Panel`) in this explorer: its changing
        artists are blitted; ``draw`` calls ``panel.update(result)``. Returns ``panel``."""
        self.animate(*panel.changing)
        return panel

    def invalidate(self, layout: bool = False) -> None:
        """Force a full redraw on the next render (e.g. after changing tick labels
        or a legend); ``layout=True`` also re-solves the figure layout once."""
        self.renderer.invalidate(layout)

    fit_limits = staticmethod(fit_limits)
    data_range = staticmethod(data_range)

    def render_png(self, full: bool = False, compact: bool = False) -> bytes:
        """The figure as PNG bytes (see :class:`widgets.render.Renderer`); ``full=True`` bypasses the
        blit cache; ``compact``: smaller and slower (the first figure, which a saved notebook keeps)."""
        return self.renderer.png(full, compact)

    def set_info(self, text: str) -> None:
        """Write the info line under the figure (HTML; escape untrusted text with ``html.escape``;
        ``""`` hides it): changing text about the result, free on the figure's side."""
        self.status_line.set_info(text)

    # ------------------------------------------------------------ display
    def close(self) -> None:
        """Cancel pending updates and close the widgets."""
        self._debounced.cancel()
        self.status_line.close()
        for w in (*self.control_widgets.values(), self.image, *self.widget.children, self.widget):
            w.close()

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, and the saved figure for front ends that cannot show it (:func:`~widgets.render.mimebundle`)."""
        return mimebundle(self, **kwargs)
