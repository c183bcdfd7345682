"""Chapter 07 figures, second part: local response normalisation on a channel stack, the learning-rate
tolerance sweep, and weight norm against batch norm over training.

Each panel only draws results that the caller computed with :mod:`dlcore.experiments.lrn`,
:mod:`dlcore.experiments.norm_training` and :mod:`dlcore.experiments.norm_weight`.
"""
from __future__ import annotations

import numpy as np

from widgets.ch07_plots import NORM_COLORS, _band, _set_band
from widgets.plots import Panel, data_range, fit_limits

__all__ = ["LRNPanel", "LRSweepPanel", "CurvesPanel", "CURVE_STYLES", "plot_lrn", "plot_lr_sweep", "plot_curves"]


class LRNPanel(Panel):
    """Left: one pixel's channel stack before (hollow) and after LRN (filled), and the factor
    ``denominator^-β`` each channel is multiplied by (right-hand axis). Right: lateral inhibition:
    channel 0's output as the activation of a neighbour inside the window grows, and of one outside it.
    ``update({"stack": lrn_stack(...), "near": lrn_inhibition(...), "far": lrn_inhibition(distance=...)})``."""

    ncols, figsize = 2, (9.0, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_s, self.ax_i = ax
        self.a = self.changes(self.ax_s.plot([], [], "o", mfc="none", color="C0", ms=6, label="input $a_c$")[0])
        self.b = self.changes(self.ax_s.plot([], [], "o", color="C3", ms=5, label="output $b_c$")[0])
        self.links = self.changes(self.ax_s.plot([], [], "-", color="0.7", lw=0.8, zorder=0)[0])
        self.ax_f = self.ax_s.twinx()
        self.f = self.changes(self.ax_f.plot([], [], "-", drawstyle="steps-mid", color="C2", lw=1.2,
                                             label="factor $b_c/a_c$")[0])
        self.ax_f.set_ylabel("factor $b_c / a_c$", color="C2")
        self.ax_s.set(xlabel="channel $c$", ylabel="activation")
        h1, l1 = self.ax_s.get_legend_handles_labels()
        h2, l2 = self.ax_f.get_legend_handles_labels()
        self.ax_s.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
        self.title = self.changes(self.ax_s.set_title("", fontsize=9))
        self.near = self.changes(self.ax_i.plot([], [], "-", color="C3", lw=1.6, label="neighbour inside the window")[0])
        self.far = self.changes(self.ax_i.plot([], [], "--", color="0.4", lw=1.2, label="neighbour outside it")[0])
        self.ax_i.set(xlabel="neighbour's activation", ylabel="output of channel 0", title="lateral inhibition")
        self.ax_i.grid(True, alpha=0.3)
        self.ax_i.legend(fontsize=8, loc="upper right")

    def update(self, r):
        s = r["stack"]
        c = np.arange(len(s["a"]))
        self.a.set_data(c, s["a"])
        self.b.set_data(c, s["b"])
        self.links.set_data(np.repeat(c, 3), np.column_stack([s["a"], s["b"], np.full(len(c), np.nan)]).ravel())
        self.f.set_data(c, s["factor"])
        self.title.set_text(f"n = {s['size']}, k = {s['k']:g}, α = {s['alpha']:g}, β = {s['beta']:g}")
        xlim = (-0.7, len(c) - 0.3)
        if self.ax_s.get_xlim() != xlim:
            self.ax_s.set_xlim(*xlim)
        fit_limits(self.ax_s, *data_range(s["a"], s["b"], include=(0,)))
        fit_limits(self.ax_f, *data_range(s["factor"], include=(0, 1)))     # above 1 when k < 1
        near, far = r["near"], r["far"]
        self.near.set_data(near["neighbour"], near["response"])
        self.far.set_data(far["neighbour"], far["response"])
        x = np.r_[near["neighbour"], far["neighbour"]]
        xlim = (float(x.min()), float(x.max()) if x.max() > x.min() else float(x.min()) + 1)
        if self.ax_i.get_xlim() != xlim:
            self.ax_i.set_xlim(*xlim)
        fit_limits(self.ax_i, *data_range(near["response"], far["response"], include=(0,)))
        return self


class LRSweepPanel(Panel):
    """Validation accuracy after a fixed budget against the learning rate (log axis), with and without
    a normalisation: every seed a dot, the median a line; a diverged run is a cross at 0.
    ``update(lr_sweep(...))``."""

    figsize = (6, 3.4)

    def __init__(self, ax, norms=("none", "batch")):
        super().__init__(ax)
        self.norms = tuple(norms)
        self.lines, self.dots, self.crosses = {}, {}, {}
        labels = {"none": "no norm", "batch": "BN", "layer": "LN", "group": "GN", "weight": "WN"}
        for k, n in enumerate(self.norms):
            c = NORM_COLORS.get(n, f"C{k + 5}")
            self.lines[n] = self.changes(ax.plot([], [], "-", color=c, lw=1.5, label=f"{labels.get(n, n)} (median)")[0])
            self.dots[n] = self.changes(ax.plot([], [], "o", color=c, ms=3.5, alpha=0.6)[0])
            self.crosses[n] = self.changes(ax.plot([], [], "x", color=c, ms=6, mew=1.5)[0])
        ax.plot([], [], "kx", label="diverged (drawn at 0)")
        ax.set(xscale="log", xlabel="learning rate", ylabel="validation accuracy", ylim=(-0.04, 1.02))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")

    def update(self, r):
        lrs = np.asarray(r["lrs"], float)
        for k, n in enumerate(self.norms):
            a = r["val_acc"].get(n)
            if a is None:
                for art in (self.lines[n], self.dots[n], self.crosses[n]):
                    art.set_data([], [])
                continue
            a, d = np.asarray(a, float), np.asarray(r["diverged"][n], bool)
            shift = 1 + 0.04 * (k - (len(self.norms) - 1) / 2)           # side by side, not on top
            X = np.broadcast_to(lrs[:, None] * shift, a.shape)
            ok = ~d & np.isfinite(a)
            self.dots[n].set_data(X[ok], a[ok])
            self.crosses[n].set_data(X[~ok], np.zeros(int((~ok).sum())))
            self.lines[n].set_data(lrs * shift, np.median(np.where(ok, a, 0.0), axis=1))
        xlim = (float(lrs.min()) / 1.5, float(lrs.max()) * 1.5)
        if self.ax.get_xlim() != xlim:
            self.ax.set_xlim(*xlim)
        return self


#: label, colour and line style of each run :class:`CurvesPanel` knows
CURVE_STYLES = {"none": ("no norm", NORM_COLORS["none"], "-"), "batch": ("BN", NORM_COLORS["batch"], "-"),
                "weight": ("WN, data-dependent init", "C5", "-"), "weight_plain": ("WN, no data init", "C5", "--"),
                "layer": ("LN", NORM_COLORS["layer"], "-")}


class CurvesPanel(Panel):
    """Validation accuracy over training steps, mean over seeds (line) and min-max band, one curve per
    run. ``update({name: over_seeds(wn_curves, ...), ...})`` with names from :data:`CURVE_STYLES`."""

    figsize = (6, 3.4)

    def __init__(self, ax, names=("none", "batch", "weight", "weight_plain")):
        super().__init__(ax)
        self.names = tuple(names)
        self.lines, self.bands = {}, {}
        for n in self.names:
            label, c, ls = CURVE_STYLES[n]
            self.bands[n] = self.changes(_band(ax, c))
            self.lines[n] = self.changes(ax.plot([], [], ls, color=c, lw=1.5, label=label)[0])
        ax.set(xlabel="step", ylabel="validation accuracy", ylim=(0, 1.02))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")

    def update(self, r):
        last = 1.0
        for n in self.names:
            run = r.get(n)
            if run is None:
                self.lines[n].set_data([], [])
                _set_band(self.bands[n], [], [], [])
                continue
            step, a = np.asarray(run["step"], float), np.asarray(run["val_acc"], float)
            if step.ndim == 2:
                step = step[0]
            self.lines[n].set_data(step, np.nanmean(a, axis=0))
            _set_band(self.bands[n], step, np.nanmin(a, axis=0), np.nanmax(a, axis=0))
            last = max(last, float(step.max()))
        if self.ax.get_xlim() != (0.0, last):
            self.ax.set_xlim(0.0, last)
        return self


def plot_lrn(result, ax=None):
    return LRNPanel.plot(result, ax)


def plot_lr_sweep(result, ax=None, **options):
    return LRSweepPanel.plot(result, ax, **options)


def plot_curves(result, ax=None, **options):
    return CurvesPanel.plot(result, ax, **options)
