"""Chapter 08 figures beyond ``ch08_plots.py``: Adam + L2 against AdamW over (learning rate, λ).

Draws the stored sweep of :mod:`dlcore.experiments.regularisation_adamw` (``adamw_sweep_table()`` or a
fresh ``adamw_sweep(...)``) that the caller passes in (widgets/plots.py's convention).
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from dlcore.experiments.regularisation_adamw import ADAMW_METHODS, ridge
from widgets.plots import Panel, axes, nearest_image

__all__ = ["AdamWGridPanel", "plot_adamw_grid"]

_TITLES = {"L2 in Adam": "Adam + L2 penalty (λ: L2 coefficient)",
           "AdamW": "AdamW (λ: decoupled decay, shrink ηλ per step)"}


def _tick(v: float) -> str:
    if v >= 0.01:
        return f"{v:g}"
    m, e = f"{v:.0e}".split("e")
    return f"{m}e{int(e)}"


class AdamWGridPanel(Panel):
    """Two heat-maps side by side, Adam + L2 (left) and AdamW (right): the mean validation accuracy over
    seeds of every (learning rate, λ) cell, on one colour scale, with plain Adam (λ = 0) as the bottom
    row of both, each cell's mean written in it, the best λ of each learning rate where some λ gains
    over plain Adam (white dots: the ridge; :func:`~dlcore.experiments.regularisation_adamw.ridge`) and the cell chosen on the selection half of the validation digits (white square).
    ``update(sweep)`` with a sweep of shape ``shape`` = (number of λ, number of learning rates)."""

    ncols = 2
    figsize = (10.5, 3.9)

    def __init__(self, axs, shape=(7, 5), vmin: float = 0.7, vmax: float = 0.9):
        super().__init__(axs)
        n_lam, n_lr = shape
        self.shape = shape
        self.imgs, self.texts, self.dots, self.boxes, self.titles = [], [], [], [], []
        for k, ax in enumerate(axs):
            img = nearest_image(ax, np.full((n_lam + 1, n_lr), vmin), (-0.5, n_lr - 0.5, -0.5, n_lam + 0.5),
                                "viridis", vmin, vmax)
            self.imgs.append(self.changes(img))
            ax.set(xlim=(-0.5, n_lr - 0.5), ylim=(-0.5, n_lam + 0.5))
            ax.grid(False)
            ax.axhline(0.5, color="w", lw=1.5)
            ax.set_xticks(range(n_lr))
            ax.set_yticks(range(n_lam + 1))
            ax.set_xlabel("learning rate η")
            ax.set_ylabel("λ" if k == 0 else "")
            self.texts.append([[self.changes(ax.text(j, i - 0.12, "", ha="center", va="center", fontsize=7))
                                for j in range(n_lr)] for i in range(n_lam + 1)])
            self.dots.append(self.changes(ax.plot([], [], "o-", color="w", ms=5, lw=1.2, mec="k", mew=0.6)[0]))
            self.boxes.append(self.changes(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec="w", lw=2.2))))
            self.titles.append(self.changes(ax.set_title("", fontsize=9)))
        cb = axs[0].figure.colorbar(self.imgs[0], ax=list(axs), fraction=0.03, pad=0.01)
        cb.set_label("validation accuracy (mean over seeds)")

    @classmethod
    def plot(cls, result, ax=None, **options):
        n_lam = len(result["lams"][ADAMW_METHODS[0]])
        ax = axes(ax, cls.ncols, cls.nrows, cls.figsize)
        cls(ax, shape=(n_lam, len(result["lrs"])), **options).update(result)
        return ax

    def update(self, sw):
        lrs = np.asarray(sw["lrs"])
        none = np.asarray(sw["val_acc"]["none"], float).mean(-1)           # (1, n_lr)
        vmin, vmax = self.imgs[0].get_clim()
        for k, (ax, m) in enumerate(zip(self.ax, ADAMW_METHODS)):
            lams = np.asarray(sw["lams"][m])
            r = ridge(sw, m)
            grid = np.vstack([none, r["mean"]])
            if grid.shape != (self.shape[0] + 1, self.shape[1]):
                raise ValueError(f"sweep of shape {grid.shape[0] - 1}x{grid.shape[1]}, panel built for {self.shape}")
            self.imgs[k].set_data(grid)
            for i in range(grid.shape[0]):
                for j in range(grid.shape[1]):
                    t = self.texts[k][i][j]
                    t.set_text(f"{grid[i, j]:.2f}")
                    t.set_color("k" if grid[i, j] > vmin + 0.6 * (vmax - vmin) else "w")
            i_best = np.where(r["helps"], np.asarray(r["mean"]).argmax(axis=0) + 1.3, np.nan)
            self.dots[k].set_data(np.arange(len(lrs)), i_best)
            bi, bj = r["best"]
            self.boxes[k].set_xy((bj - 0.5, bi + 0.5))
            ax.set_xticklabels([_tick(v) for v in lrs])
            ax.set_yticklabels(["0"] + [_tick(v) for v in lams])
            self.titles[k].set_text(_TITLES[m])
        return self


def plot_adamw_grid(sweep, ax=None, **options):
    """:class:`AdamWGridPanel` of ``sweep`` (``adamw_sweep_table()`` or ``adamw_sweep(...)``)."""
    return AdamWGridPanel.plot(sweep, ax, **options)
