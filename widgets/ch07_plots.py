"""Chapter 07 figures: batch norm step by step on one batch, the BN paper's first figure on the digits,
and accuracy against batch size for each normalisation.

Each figure only draws results of :mod:`dlcore.experiments.batchnorm` and
:mod:`dlcore.experiments.norm_batch` that the caller computed (widgets/plots.py's convention).
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon

from widgets.plots import Panel, data_range, fit_limits

__all__ = ["STAGES", "NORM_COLORS", "NORM_LABELS", "BNStepsPanel", "BNPaperPanel", "BatchSizePanel",
           "plot_bn_steps", "plot_bn_paper", "plot_batch_size"]

#: the stages of :class:`BNStepsPanel`, left to right
STAGES = ("batch $x$", "centred $x-\\mu$", "normalised $\\hat x$", "output $\\gamma\\hat x+\\beta$")
NORM_COLORS = {"batch": "C0", "layer": "C1", "group": "C2", "instance": "C4", "none": "0.4"}
NORM_LABELS = {"batch": "BN", "layer": "LN", "group": "GN", "instance": "IN", "none": "no norm"}


def _band(ax, color):
    return ax.add_patch(Polygon(np.ones((1, 2)), color=color, alpha=0.18, lw=0))


def _set_band(patch, x, lo, hi):
    ok = np.isfinite(lo) & np.isfinite(hi)
    x, lo, hi = np.asarray(x, float)[ok], np.asarray(lo, float)[ok], np.asarray(hi, float)[ok]
    patch.set_xy(np.r_[np.c_[x, lo], np.c_[x[::-1], hi[::-1]]] if len(x) else np.ones((1, 2)))


class BNStepsPanel(Panel):
    """One feature of one batch through BN: each example's value (a dot) at each stage, the batch mean
    (a bar) and ±1 standard deviation (a vertical segment) at the first stage, and the target 0 / ±1
    of the normalised values. ``update(bn_steps(X, gamma, beta))``; ``feature``: the column shown.
    If the result also has ``running_mean`` and ``eval_y`` (the explorer's), the running mean is a
    diamond beside the batch and the evaluation-mode outputs (normalised with the running averages)
    hollow circles beside the training outputs."""

    figsize = (6.4, 3.4)

    def __init__(self, ax, feature: int = 0):
        super().__init__(ax)
        self.feature = int(feature)
        self.points = [self.changes(ax.plot([], [], "o", color=f"C{k}", ms=6, alpha=0.85, label=s)[0])
                       for k, s in enumerate(STAGES)]
        self.mean = self.changes(ax.plot([], [], "-", color="k", lw=2.5, label="batch mean $\\mu$")[0])
        self.std = self.changes(ax.plot([], [], "-", color="k", lw=1, label="$\\mu \\pm \\sigma$")[0])
        self.links = self.changes(ax.plot([], [], "-", color="0.7", lw=0.6, zorder=0)[0])
        self.running = self.changes(ax.plot([], [], "D", color="C5", ms=7, label="running mean")[0])
        self.eval = self.changes(ax.plot([], [], "o", mfc="none", color="C3", ms=6,
                                         label="evaluation mode (running averages)")[0])
        ax.axhline(0, color="0.6", lw=0.6, ls=":")
        ax.set_xticks(range(len(STAGES)), STAGES, fontsize=8)
        ax.set(ylabel="value", xlim=(-0.5, len(STAGES) - 0.5))
        self.title = self.changes(ax.set_title("", fontsize=9))

    def update(self, r):
        j = self.feature
        x = np.asarray(r["x"])[:, j]
        stages = [x, x - r["mean"][j], np.asarray(r["xhat"])[:, j], np.asarray(r["y"])[:, j]]
        for k, (line, v) in enumerate(zip(self.points, stages)):
            line.set_data(np.full(len(v), k), v)
        m, s = float(r["mean"][j]), float(np.sqrt(r["var"][j]))
        self.mean.set_data([-0.25, 0.25], [m, m])
        self.std.set_data([0, 0], [m - s, m + s])
        xs = np.r_[[np.r_[np.arange(len(STAGES)), np.nan]] * len(x)].ravel()
        ys = np.column_stack([*stages, np.full(len(x), np.nan)]).ravel()
        self.links.set_data(xs, ys)
        extra = []
        if "eval_y" in r:
            rm, ey = float(np.ravel(r["running_mean"])[j]), np.asarray(r["eval_y"])[:, j]
            self.running.set_data([0.3], [rm])
            self.eval.set_data(np.full(len(ey), len(STAGES) - 1 + 0.3), ey)
            extra = [ey, [rm]]
        else:
            self.running.set_data([], [])
            self.eval.set_data([], [])
        g, b = float(np.ravel(r["gamma"])[j]), float(np.ravel(r["beta"])[j])
        self.title.set_text(f"B = {len(x)}: μ = {m:.3g}, σ² = {r['var'][j]:.3g} (biased; unbiased "
                            f"{r['var_unbiased'][j]:.3g}), γ = {g:.3g}, β = {b:.3g}")
        fit_limits(self.ax, *data_range(*stages, *extra, include=(m - s, m + s, 0)))
        return self


class BNPaperPanel(Panel):
    """Left: validation accuracy over steps with and without BN; right: the 15/50/85th percentiles of
    one last-hidden-layer unit's sigmoid input over training (solid: BN, dashed: none).
    ``update({"bn": bn_paper_run(True, ...), "plain": bn_paper_run(False, ...)})``."""

    ncols, figsize = 2, (8.4, 3.4)
    runs = (("bn", "with BN", "C0", "-"), ("plain", "without BN", "C3", "--"))

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_a, self.ax_q = ax
        self.acc, self.q = {}, {}
        for key, label, c, ls in self.runs:
            self.acc[key] = self.changes(self.ax_a.plot([], [], ls, color=c, lw=1.5, marker=".", label=label)[0])
            self.q[key] = [self.changes(self.ax_q.plot([], [], ls, color=c, lw=lw, label=f"{label}" if k == 1 else None)[0])
                           for k, lw in enumerate((0.9, 1.8, 0.9))]
        self.ax_a.set(xlabel="step", ylabel="validation accuracy", ylim=(0, 1.02))
        self.ax_a.grid(True, alpha=0.3)
        self.ax_a.legend(fontsize=8, loc="lower right")
        self.ax_q.set(xlabel="step", ylabel="input of one last-layer sigmoid", title="percentiles: 15th, 85th (thin), 50th (thick)")
        self.ax_q.grid(True, alpha=0.3)
        self.ax_q.legend(fontsize=8, loc="upper right")

    def update(self, r):
        steps, qs = [], []
        for key, *_ in self.runs:
            run = r[key]
            self.acc[key].set_data(run["step"], run["val_acc"])
            for line, name in zip(self.q[key], ("q15", "q50", "q85")):
                line.set_data(run["step"], run[name])
                qs.append(run[name])
            steps.append(run["step"])
        last = max(float(np.max(st)) for st in steps)
        for ax in (self.ax_a, self.ax_q):
            if ax.get_xlim() != (0.0, last):
                ax.set_xlim(0.0, last)
        fit_limits(self.ax_q, *data_range(*qs))
        return self


class BatchSizePanel(Panel):
    """Validation accuracy against batch size (log axis) for each normalisation: the mean over seeds
    (line and dots) and the min-max band. ``update(norm_batch_sweep(...))``."""

    figsize = (6, 3.6)

    def __init__(self, ax, norms=("batch", "group", "layer", "instance", "none")):
        super().__init__(ax)
        self.norms = tuple(norms)
        self.lines, self.bands = {}, {}
        for n in self.norms:
            c = NORM_COLORS[n]
            self.bands[n] = self.changes(_band(ax, c))
            self.lines[n] = self.changes(ax.plot([], [], "o-", color=c, lw=1.5, ms=4, label=NORM_LABELS[n])[0])
        ax.set(xscale="log", xlabel="batch size $B$", ylabel="validation accuracy")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")

    def update(self, r):
        B = np.asarray(r["batches"], float)
        vals = []
        for n in self.norms:
            a = r["val_acc"].get(n)
            if a is None:
                self.lines[n].set_data([], [])
                _set_band(self.bands[n], [], [], [])
                continue
            a = np.asarray(a, float)
            self.lines[n].set_data(B, np.nanmean(a, axis=1))
            _set_band(self.bands[n], B, np.nanmin(a, axis=1), np.nanmax(a, axis=1))
            vals.append(a)
        self.ax.set_xticks(B, [f"{int(b)}" for b in B])
        self.ax.minorticks_off()
        xlim = (float(B.min()) / 1.4, float(B.max()) * 1.4)
        if self.ax.get_xlim() != xlim:
            self.ax.set_xlim(*xlim)
        lo = data_range(*vals)[0]
        lo = 0.0 if not np.isfinite(lo) else max(0.0, np.floor((lo - 0.03) * 20) / 20)
        if self.ax.get_ylim() != (lo, 1.01):
            self.ax.set_ylim(lo, 1.01)
        return self


def plot_bn_steps(result, ax=None, **options):
    return BNStepsPanel.plot(result, ax, **options)


def plot_bn_paper(result, ax=None):
    return BNPaperPanel.plot(result, ax)


def plot_batch_size(result, ax=None, **options):
    return BatchSizePanel.plot(result, ax, **options)
