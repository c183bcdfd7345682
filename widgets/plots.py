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

import numpy as np

from widgets.limits import data_range, fit_limits  # noqa: F401  (for panels: `from widgets.plots import ...`)

__all__ = ["Panel", "axes", "fit_limits", "data_range"]


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
