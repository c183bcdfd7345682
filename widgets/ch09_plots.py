"""Chapter 09 figures: layer-input drift, the gradient shift of Santurkar et al., training with noisy BN,
and the loss and gradient along the gradient direction.

Each panel draws results of :func:`dlcore.experiments.ics.ics_runs` (``{kind: over_seeds result}``)
that the caller computed. The explorers of :mod:`widgets.ch09_ics` draw the drift and landscape
figures with the same panels.
"""
from __future__ import annotations

import warnings

import numpy as np
from matplotlib.patches import Polygon

from dlcore.experiments.ics import NET_LABELS, NETS
from widgets.plots import Panel, axes, data_range, fit_limits

__all__ = ["NET_COLORS", "DriftPanel", "GradShiftPanel", "TrainingPanel", "LandscapePanel", "plot_drift",
           "plot_grad_shift", "plot_training", "plot_landscape"]

NET_COLORS = {"none": "0.35", "batch": "C0", "noisy": "C3"}


def _band(ax, color, alpha=0.18):
    return ax.add_patch(Polygon(np.ones((1, 2)), color=color, alpha=alpha, lw=0))


def _set_band(patch, x, lo, hi):
    x, lo, hi = (np.asarray(v, float) for v in (x, lo, hi))
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(x)
    x, lo, hi = x[ok], lo[ok], hi[ok]
    patch.set_xy(np.r_[np.c_[x, lo], np.c_[x[::-1], hi[::-1]]] if len(x) else np.ones((1, 2)))


def _steps(runs):
    """The record steps of ``runs`` (the same for every seed)."""
    return np.atleast_2d(np.asarray(runs[NETS[0]]["rec_steps"], float))[0]


def _xlim(ax, lo, hi):
    """Set the x range (only when it changes: a new range costs an explorer one redraw)."""
    if tuple(ax.get_xlim()) != (lo, hi):
        ax.set_xlim(lo, hi)


class _NetLines:
    """One line and one min-max band per net on ``ax``."""

    def __init__(self, panel, ax, style="-", marker=None):
        self.lines = {k: panel.changes(ax.plot([], [], style, marker=marker, ms=3, color=NET_COLORS[k],
                                               label=NET_LABELS[k])[0]) for k in NETS}
        self.bands = {k: panel.changes(_band(ax, NET_COLORS[k])) for k in NETS}

    def set(self, k, x, y2d):
        y2d = np.asarray(y2d, float)
        with warnings.catch_warnings():                 # the first drift record is NaN (nothing before it)
            warnings.simplefilter("ignore", RuntimeWarning)
            self.lines[k].set_data(x, np.nanmean(y2d, axis=0))
            _set_band(self.bands[k], x, np.nanmin(y2d, axis=0), np.nanmax(y2d, axis=0))


class DriftPanel(Panel):
    """Left: one unit's input to a hidden layer over training on the probe batch (seed 0): the median
    (line) and the 10th-90th percentiles (band) for each net. Right: the layer's drift, W1 between its
    inputs ``every`` steps apart (mean over units; line: mean over seeds, band: min to max), log scale.
    ``update(runs, layer=0, record=1, unit=0)``: a vertical line at the record's step."""

    ncols, figsize = 2, (10, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_u, self.ax_d = ax
        self.med = {k: self.changes(self.ax_u.plot([], [], "-", color=NET_COLORS[k], lw=1.2,
                                                   label=NET_LABELS[k])[0]) for k in NETS}
        self.pct = {k: self.changes(_band(self.ax_u, NET_COLORS[k], 0.2)) for k in NETS}
        # no BN's band would vanish under the other two: hatched, unfilled, drawn on top
        self.pct["none"].set(fill=False, hatch="////", edgecolor=NET_COLORS["none"], alpha=0.6, zorder=3)
        self.drift = _NetLines(self, self.ax_d, "-", "o")
        self.marks = self.changes(self.ax_u.axvline(np.nan, color="k", lw=0.8, ls=":"),
                                  self.ax_d.axvline(np.nan, color="k", lw=0.8, ls=":"))
        self.ax_u.set_title("one unit's input: median, 10th-90th percentile (seed 0)\n"
                            "(no BN's band hatched; colours as on the right)", fontsize=9)
        self.ax_d.set_title("drift of the layer's input (5 seeds)", fontsize=9)
        self.ax_u.set(xlabel="training step", ylabel="layer input (activation)")
        self.ax_d.set(xlabel="training step", ylabel="W₁ to the input 20 steps earlier", yscale="log")
        self.ax_d.legend(fontsize=7, loc="lower right")
        for a in ax:
            a.grid(True, alpha=0.3)

    def update(self, runs, layer: int = 0, record: int = 1, unit: int = 0):
        steps = _steps(runs)
        record = int(np.clip(record, 1, len(steps) - 1))
        vals = []
        for k in NETS:
            p = np.asarray(runs[k]["in_pct"])[0, :, layer, unit]          # seed 0: (records, 3)
            self.med[k].set_data(steps, p[:, 1])
            _set_band(self.pct[k], steps, p[:, 0], p[:, 2])
            vals.append(p)
            self.drift.set(k, steps, np.asarray(runs[k]["drift"])[:, :, layer])
        t = steps[record]
        for m in self.marks:
            m.set_xdata([t, t])
        for a in (self.ax_u, self.ax_d):
            _xlim(a, -5.0, steps[-1] + 5)
        lo, hi = data_range(*vals)
        if np.isfinite(hi):                             # ReLU and sigmoid inputs are >= 0: start the axis at 0
            # (sigmoid inputs are < 1: 1.05 keeps their axis at the unit interval)
            top = min((v for v in (0.5, 1, 1.05, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100) if v >= 1.05 * hi),
                      default=1.1 * hi)
            bottom = -0.03 * top if lo >= 0 else lo - 0.05 * (top - lo)
            if not np.allclose(self.ax_u.get_ylim(), (bottom, top)):
                self.ax_u.set_ylim(bottom, top)
        d = [np.asarray(runs[k]["drift"])[:, :, layer] for k in NETS]
        fit_limits(self.ax_d, *data_range(*d, positive=True), home=(1e-3, 3))
        return self


class GradShiftPanel(Panel):
    """Santurkar et al.'s ICS of each hidden layer over training: left, :math:`\\cos(G, G')`; right,
    :math:`\\lVert G - G'\\rVert / \\lVert G\\rVert` (line: mean over seeds, band: min to max); noisy BN
    with its noise draw frozen (solid) and with a fresh draw for :math:`G'` (dashed, mean over seeds).
    ``update(runs, layer=3)``."""

    ncols, figsize = 2, (10, 3.3)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_c, self.ax_r = ax
        self.cos = _NetLines(self, self.ax_c, "-", "o")
        self.rel = _NetLines(self, self.ax_r, "-", "o")
        self.fresh = [self.changes(a.plot([], [], "--", marker="x", ms=3, color=NET_COLORS["noisy"],
                                          label="noisy BN, fresh noise draw")[0]) for a in (self.ax_c, self.ax_r)]
        for lines in (self.cos, self.rel):
            lines.lines["noisy"].set_label("noisy BN, noise draw frozen")
        self.ax_c.set(xlabel="training step", ylabel="cos(G, G′)")
        self.ax_r.set(xlabel="training step", ylabel="‖G − G′‖ / ‖G‖")
        self.ax_c.legend(fontsize=7, loc="lower left")
        for a in ax:
            a.grid(True, alpha=0.3)

    def update(self, runs, layer: int = 3):
        steps = _steps(runs)
        for k in NETS:
            self.cos.set(k, steps, np.asarray(runs[k]["ics_cos"])[:, :, layer])
            self.rel.set(k, steps, np.asarray(runs[k]["ics_rel"])[:, :, layer])
        for a in (self.ax_c, self.ax_r):
            _xlim(a, -5.0, steps[-1] + 5)
        fc, fr = (np.asarray(runs["noisy"][f"ics_{q}_fresh"])[:, :, layer] for q in ("cos", "rel"))
        self.fresh[0].set_data(steps, fc.mean(0))
        self.fresh[1].set_data(steps, fr.mean(0))
        c = [np.asarray(runs[k]["ics_cos"])[:, :, layer] for k in NETS] + [fc.mean(0)]   # what is drawn
        r = [np.asarray(runs[k]["ics_rel"])[:, :, layer] for k in NETS] + [fr.mean(0)]
        lo, _ = data_range(*c)                          # a cosine is at most 1, a norm ratio at least 0
        self.ax_c.set_ylim(max(-1.0, np.floor(10 * lo) / 10 - 0.05), 1.02)
        self.ax_r.set_ylim(0, 1.08 * data_range(*r)[1])
        return self


class TrainingPanel(Panel):
    """Left and middle: validation accuracy over training of the ReLU and the sigmoid nets (line: mean
    over seeds, band: min to max). Right: each seed's final accuracy against its mean drift (over layers
    and the run), ReLU nets filled, sigmoid nets hollow. ``update((relu_runs, sigmoid_runs))``."""

    ncols, figsize = 3, (14, 3.6)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_a, self.ax_b, self.ax_s = ax
        self.acc = _NetLines(self, self.ax_a, "-")
        self.acc_sig = _NetLines(self, self.ax_b, "-")
        self.pts = {(k, a): self.changes(self.ax_s.plot([], [], "o", color=NET_COLORS[k], ms=6,
                                                        mfc=NET_COLORS[k] if a == "relu" else "none",
                                                        label=f"{NET_LABELS[k]}, {'ReLU' if a == 'relu' else a}")[0])
                    for a in ("relu", "sigmoid") for k in NETS}
        self.ax_a.set(xlabel="training step", ylabel="validation accuracy", ylim=(0, 1.02))
        self.ax_b.set(xlabel="training step", ylabel="validation accuracy", ylim=(0, 1.02))
        self.ax_a.set_title("ReLU, lr 0.1 (line: mean of 5 seeds, band: min-max)", fontsize=9)
        self.ax_b.set_title("sigmoid, lr 0.5 (line: mean of 5 seeds, band: min-max)", fontsize=9)
        self.ax_s.set_title("each seed: final accuracy against drift", fontsize=9)
        self.ax_s.set(xlabel="mean drift of the layer inputs (W₁ per 20 steps)", ylabel="final validation accuracy",
                      xscale="log", ylim=(0, 1.02))
        self.ax_a.legend(fontsize=7, loc="lower right")
        self.ax_b.legend(fontsize=7, loc="center right")
        self.ax_s.legend(fontsize=6.5, loc="center right", ncols=2)
        for a in ax:
            a.grid(True, alpha=0.3)

    def update(self, pair):
        relu, sig = pair
        steps = _steps(relu)
        xs = []
        for k in NETS:
            self.acc.set(k, steps, relu[k]["val_acc"])
            self.acc_sig.set(k, _steps(sig), sig[k]["val_acc"])
            for a, runs in (("relu", relu), ("sigmoid", sig)):
                d = np.nanmean(np.asarray(runs[k]["drift"]), axis=(1, 2))
                self.pts[(k, a)].set_data(d, np.asarray(runs[k]["val_acc"])[:, -1])
                xs.append(d)
        _xlim(self.ax_a, -5.0, steps[-1] + 5)
        _xlim(self.ax_b, -5.0, _steps(sig)[-1] + 5)
        fit_limits(self.ax_s, *data_range(*xs, positive=True), axis="x")
        return self


class LandscapePanel(Panel):
    """Along the gradient :math:`g` at one checkpoint: left, the loss :math:`L(\\theta - \\eta g)`; right,
    the gradient's change :math:`\\lVert\\nabla L(\\theta-\\eta g) - g\\rVert`; against :math:`\\eta` (log
    axes; line: mean over seeds, band: min to max). ``update(runs, checkpoint=1, eta=None)``: ``eta``
    (a step size) is marked with a vertical line."""

    ncols, figsize = 2, (10, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_l, self.ax_g = ax
        self.loss = _NetLines(self, self.ax_l, "-", "o")
        self.gd = _NetLines(self, self.ax_g, "-", "o")
        self.marks = self.changes(self.ax_l.axvline(np.nan, color="k", lw=0.8, ls=":"),
                                  self.ax_g.axvline(np.nan, color="k", lw=0.8, ls=":"))
        self.ax_l.set(xlabel="step size η", ylabel="loss L(θ − η g)", xscale="log", yscale="log")
        self.ax_g.set(xlabel="step size η", ylabel="‖∇L(θ − η g) − ∇L(θ)‖", xscale="log", yscale="log")
        self.ax_l.legend(fontsize=7, loc="upper left")
        for a in ax:
            a.grid(True, alpha=0.3, which="major")

    def update(self, runs, checkpoint: int = 1, eta=None):
        etas = np.asarray(runs[NETS[0]]["etas"])[0]
        c = int(checkpoint)
        ls, gs = [], []
        for k in NETS:
            L = np.asarray(runs[k]["land_loss"])[:, c]
            G = np.asarray(runs[k]["land_gdiff"])[:, c]
            self.loss.set(k, etas, L)
            self.gd.set(k, etas, G)
            ls.append(L)
            gs.append(G)
        e = np.nan if eta is None else float(eta)
        for m in self.marks:
            m.set_xdata([e, e])
        for a in (self.ax_l, self.ax_g):
            _xlim(a, etas[0] / 1.3, etas[-1] * 1.3)
        fit_limits(self.ax_l, *data_range(*ls, positive=True), home=(1e-2, 1e2))
        fit_limits(self.ax_g, *data_range(*gs, positive=True), home=(1e-3, 1e3))
        return self


def plot_drift(runs, ax=None, layer: int = 0, record: int = 1, unit: int = 0, mark: bool = True):
    """The drift figure; ``mark=False`` hides the explorer's step marker (a static figure)."""
    ax = _plot(DriftPanel, runs, ax, {"layer": layer, "record": record, "unit": unit})
    if not mark:
        for a in ax:
            a.lines[-1].set_visible(False)
    ax[0].set_title(f"input of weight layer {layer + 2} (of 5), unit {unit}, seed 0 (no BN hatched)", fontsize=9)
    ax[1].set_title(f"weight layer {layer + 2}: drift of its input (5 seeds)", fontsize=9)
    return ax


def _plot(cls, result, ax, options):
    """A panel's figure with update options (layer, record, ...)."""
    ax = axes(ax, cls.ncols, cls.nrows, cls.figsize)
    cls(ax).update(result, **options)
    return ax


def plot_grad_shift(runs, ax=None, layer: int = 3):
    ax = _plot(GradShiftPanel, runs, ax, {"layer": layer})
    ax[0].set_title(f"gradient of weight layer {layer + 2} (of 5) before / after layers 1-{layer + 1} step",
                    fontsize=9)
    return ax


def plot_training(relu_runs, sigmoid_runs, ax=None):
    return TrainingPanel.plot((relu_runs, sigmoid_runs), ax)


def plot_landscape(runs, ax=None, checkpoint: int = 1, eta=None):
    ax = _plot(LandscapePanel, runs, ax, {"checkpoint": checkpoint, "eta": eta})
    step = int(np.asarray(runs[NETS[0]]["checkpoints"])[0, checkpoint])
    ax[0].set_title(f"along the gradient at training step {step}", fontsize=9)
    return ax
