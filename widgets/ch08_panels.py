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
    over plain Adam (white dots: the ridge; :func:`~dlcore.experiments.regularisation_adamw.ridge`), the
    cell chosen on the selection half of the validation digits among those learning rates (white
    square), the learning rates where no λ helps hatched grey, and on the AdamW panel dashed lines of
    constant per-step shrink ηλ (the paper's λ held fixed).
    ``update(sweep)`` with a sweep of shape ``shape`` = (number of λ, number of learning rates)."""

    ncols = 2
    figsize = (10.5, 3.9)

    def __init__(self, axs, shape=(7, 5), vmin: float = 0.7, vmax: float = 0.9):
        super().__init__(axs)
        n_lam, n_lr = shape
        self.shape = shape
        self.imgs, self.texts, self.dots, self.boxes, self.titles, self.greys, self.isos = [], [], [], [], [], [], []
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
            self.boxes.append(self.changes(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec="w", lw=2.2,
                                                                  gid="best"))))
            self.greys.append([self.changes(ax.add_patch(Rectangle((j - 0.5, 0.5), 1, n_lam, fc=(0.6, 0.6, 0.6, 0.55),
                                                                   ec="0.85", hatch="//", lw=0, gid="no-help",
                                                                   visible=False)))
                               for j in range(n_lr)])
            self.isos.append([(self.changes(ax.plot([], [], "--", color="w", lw=0.9, alpha=0.8)[0]),
                               self.changes(ax.text(0, 0, "", color="w", fontsize=6.5, ha="right",
                                                    va="bottom", clip_on=True)))
                              for _ in range(4)] if k == 1 else [])
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
            for j, g in enumerate(self.greys[k]):
                g.set_visible(not bool(r["helps"][j]))
            if self.isos[k]:
                self._iso_lines(self.isos[k], lrs, lams)
            ax.set_xticklabels([_tick(v) for v in lrs])
            ax.set_yticklabels(["0"] + [_tick(v) for v in lams])
            self.titles[k].set_text(_TITLES[m])
        return self


    @staticmethod
    def _iso_lines(lines, lrs, lams):
        """Dashed lines of constant ηλ through the grid (λ row i drawn at y = i + 1): log positions mapped
        to cell indices by the grid's own (near-linear) spacing; one line per decade of ηλ that crosses it."""
        fx, fy = np.polyfit(np.log10(lrs), np.arange(len(lrs)), 1), np.polyfit(np.log10(lams), np.arange(len(lams)) + 1, 1)
        lo, hi = np.log10(lrs.min() * lams.min()), np.log10(lrs.max() * lams.max())
        decades = list(range(int(np.ceil(lo)) + 1, int(np.floor(hi))))[-len(lines):]    # the inner decades
        ly = np.log10(lams[[0, -1]]) + np.array([-0.25, 0.25])          # the λ rows' extent, in decades
        for (line, label), c in zip(lines, [None] * (len(lines) - len(decades)) + decades):
            if c is None:
                line.set_data([], [])
                label.set_text("")
                continue
            lx = np.clip(np.array([c - ly[1], c - ly[0]]), *np.log10(lrs[[0, -1]]))
            line.set_data(np.polyval(fx, lx), np.polyval(fy, c - lx))
            label.set_position((np.polyval(fx, lx[1]) - 0.05, np.polyval(fy, c - lx[1]) + 0.05))
            label.set_text(f"ηλ = 1e{c}")


def plot_adamw_grid(sweep, ax=None, **options):
    """:class:`AdamWGridPanel` of ``sweep`` (``adamw_sweep_table()`` or ``adamw_sweep(...)``)."""
    return AdamWGridPanel.plot(sweep, ax, **options)
