"""The book's plotting convention: one figure, defined once, drawn by a notebook cell and by an explorer.

A figure is a :class:`Panel`: ``__init__(ax)`` creates its artists once (labels,
static content, empty lines), ``update(result)`` sets their data and limits from
the result of a ``dlcore`` function. Each chapter's ``widgets/chNN_plots.py`` holds
its panels and one ``plot_x(result, ax=None)`` per figure::

    class LossPanel(Panel):
        figsize = (6, 3.4)

        def __init__(self, ax):
            super().__init__(ax)
            self.line = self.changes(ax.plot([], [])[0])     # update() sets its data: blitted
            ax.set(xlabel="step", ylabel="loss", yscale="log")

        def update(self, r):
            self.line.set_data(r["step"], r["loss"])
            fit_limits(self.ax, *data_range(r["loss"], positive=True))
            return self

    def plot_loss(result, ax=None):
        return LossPanel.plot(result, ax)                     # the axes drawn on

An explorer builds the same panel (``self.panel = self.add_panel(LossPanel(fig.subplots()))``)
and its ``draw(result)`` is ``self.panel.update(result)``: the static figure and the live
one cannot drift apart. ``plot_x`` only draws: the notebook cell computes the result
(``plot_loss(dlcore.experiments.x.train(...), ax)``). Options that change the picture,
not the data (a title, whether to label rows) are keyword arguments of the panel.
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.image import AxesImage
from matplotlib.ticker import LogFormatterSciNotation
from matplotlib.transforms import Bbox, TransformedBbox

from widgets.limits import data_range, fit_limits  # noqa: F401  (for panels: `from widgets.plots import ...`)

__all__ = ["Panel", "axes", "fit_limits", "data_range", "nearest_image", "ColouredFirstImage", "quick_log_labels",
           "warm_log_labels"]


def axes(ax=None, ncols: int = 1, nrows: int = 1, figsize=None, **subplots_kw):
    """``ax`` if one is given, else new axes in a new pyplot figure (constrained layout unless
    ``layout=`` says otherwise; other keywords go to ``plt.subplots``, e.g. ``sharey=True``).

    One Axes when ``nrows * ncols == 1``, else a flat array of them (``ax`` given as a
    list or grid is flattened the same way), so ``a, b = axes(ax, 2)`` always works."""
    if ax is None:
        import matplotlib.pyplot as plt
        subplots_kw.setdefault("layout", "constrained")
        _, ax = plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)
    if nrows * ncols == 1:
        return ax.item() if isinstance(ax, np.ndarray) else ax
    return np.ravel(np.asarray(ax, dtype=object))


class Panel:
    """One figure of a chapter: created once on its axes, updated with a result in place.

    Subclasses create their artists in ``__init__`` (registering those ``update`` changes
    with :meth:`changes`) and set data and limits in ``update`` (never create or remove
    artists there, never ``cla()``: an explorer blits the registered artists over a cached
    background). ``ncols``/``nrows``/``figsize``: the axes :meth:`plot` makes when given none.
    """

    ncols: int = 1
    nrows: int = 1
    figsize: tuple = (6, 3.4)

    def __init__(self, ax):
        self.ax = ax
        self.changing: list = []

    def changes(self, *artists):
        """Register artists that :meth:`update` changes; returns them (one: the artist itself)."""
        self.changing.extend(artists)
        return artists[0] if len(artists) == 1 else artists

    def update(self, result) -> "Panel":
        raise NotImplementedError

    @classmethod
    def plot(cls, result, ax=None, **options):
        """Draw ``result`` on ``ax`` (new axes of ``figsize`` if None); returns the axes drawn on."""
        ax = axes(ax, cls.ncols, cls.nrows, cls.figsize)
        cls(ax, **options).update(result)
        return ax


class ColouredFirstImage(AxesImage):
    """An image drawn as ``imshow(..., interpolation="nearest")`` draws it, except that the colormap is
    applied to the (small) array before it is resampled to the screen: upsampling uint8 RGBA costs
    ~4 ms where the float array cost ~10 ms (chapter 02's 50 x 60 heat map at twice the pixel
    density), for the same pixels (nearest neighbour picks the same cells either way).
    ``get_array()`` is the data, as for any image."""

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        if not hasattr(self, "_make_image"):          # another Matplotlib: its own way
            return super().make_image(renderer, magnification, unsampled)
        x0, x1, y0, y1 = self.get_extent()
        bbox = Bbox([[x0, y0], [x1, y1]])
        clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else self.get_figure(root=True).bbox
        return self._make_image(self.to_rgba(self.get_array(), bytes=True), bbox,
                                TransformedBbox(bbox, self.get_transform()), clip, magnification, unsampled=unsampled)


def nearest_image(ax, data, extent, cmap, vmin, vmax, origin="lower"):
    """``ax.imshow(data, extent=extent, cmap=cmap, vmin=vmin, vmax=vmax, origin=origin, aspect="auto",
    interpolation="nearest")`` as a :class:`ColouredFirstImage`; returns the image."""
    img = ColouredFirstImage(ax, cmap=cmap, norm=Normalize(vmin, vmax), interpolation="nearest", origin=origin,
                             extent=extent)
    img.set_data(data)
    img.set_clip_path(ax.patch)
    ax.add_image(img)
    ax.set_aspect("auto")
    return img


class _QuickLogLabels(LogFormatterSciNotation):
    """Matplotlib's labels of a log axis, ``$\\mathdefault{10^{-4}}$``, written ``$10^{-4}$`` when the
    two draw the same pixels (the default fonts: DejaVu Sans for text and for mathtext), which the
    mathtext parser reads in ~2.5 ms instead of ~4 ms the first time a label is drawn: a log axis
    whose limits move (chapter 02's RMS panel) meets new labels at every new range."""

    def __call__(self, x, pos=None):
        s = super().__call__(x, pos)
        return s.replace("\\mathdefault{", "{") if _default_fonts() else s


def _default_fonts() -> bool:
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties, findfont
    key = (mpl.rcParams["mathtext.fontset"], tuple(mpl.rcParams["font.family"]),
           tuple(mpl.rcParams["font.sans-serif"]))
    if key not in _FONTS:
        _FONTS[key] = key[0] == "dejavusans" and findfont(FontProperties()).endswith("DejaVuSans.ttf")
    return _FONTS[key]


_FONTS: dict = {}


def quick_log_labels(axis, base: float = 10):
    """Give a log ``axis`` (``ax.yaxis``) the labels of :class:`_QuickLogLabels` (call it after the scale
    is set: ``set_yscale`` resets the formatters)."""
    axis.set_major_formatter(_QuickLogLabels(base=base))
    axis.set_minor_formatter(_QuickLogLabels(base=base, labelOnlyBase=False))
    return axis


def warm_log_labels(axis, exponents, cache_size: int = 256) -> int:
    """Parse now the labels a log ``axis`` shows at the decades ``10**k``, ``k`` in ``exponents``, so that a
    new range of an explorer's log axis meets labels already parsed (the first parse of a label costs
    ~2.5 ms, ~90 % of it in pyparsing; a range of chapter 02's RMS axis shows 2-9 of them). The
    figure's renderer keeps them in a parse cache of ``cache_size`` entries (Matplotlib's own keeps 50);
    :class:`widgets.layers.AxesLayers` draws with that renderer's parser. Returns how many were parsed.
    Call it in an explorer's ``build``: it costs the parses it saves later (~0.2 s for 86 labels)."""
    fig = axis.get_figure(root=True) if hasattr(axis, "get_figure") else axis.figure
    renderer = fig.canvas.get_renderer()
    parser = getattr(renderer, "mathtext_parser", None)
    if parser is None:
        return 0
    wrapped = getattr(type(parser)._parse_cached, "__wrapped__", None)
    if wrapped is not None and "_parse_cached" not in vars(parser):     # a roomier cache, this parser only
        parser._parse_cached = functools.lru_cache(cache_size)(functools.partial(wrapped, parser))
    label = axis.get_major_ticks(1)[0].label1
    fmt, n = axis.get_major_formatter(), 0
    for k in exponents:
        text = fmt(10.0 ** k)
        if text.count("$") >= 2 and not label.get_usetex():
            parser.parse(text, renderer.dpi, label.get_fontproperties())
            n += 1
    return n
