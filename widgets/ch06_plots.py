"""Chapter 06 figures: gradient noise against B, batch gradients in a plane, steps and epochs to a
target, mini-batch paths on a 2-D regression, Rprop with and without the full batch, step times.

Each figure draws results of ``dlcore.experiments.batch_*`` that the caller computed. The
explorers of :mod:`widgets.ch06_batch` draw the noise, scatter, sweep and path figures with the
same panels.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import batch_training as bt
from widgets.plots import Panel, axes, data_range, fit_limits

__all__ = ["RULE_COLORS", "PATH_COLORS", "NoisePanel", "ScatterPanel", "SweepPanel", "PathsPanel", "plot_noise",
           "plot_scatter", "plot_sweep", "plot_paths", "plot_rprop", "plot_step_times"]

RULE_COLORS = {"fixed": "C0", "linear": "C3", "sqrt": "C2"}
RULE_LABELS = {"fixed": "lr fixed", "linear": "lr ∝ B", "sqrt": "lr ∝ √B"}
PATH_COLORS = ("C3", "C1", "C2", "C0")
_DECADES = (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3, 1e4)


class NoisePanel(Panel):
    """Left: measured :math:`E\\lVert g_B - G\\rVert^2` with replacement (dots) and without (squares),
    against :math:`\\mathrm{tr}\\Sigma/B` and the finite-population correction (lines), log-log; the
    without-replacement value at B = N (exactly 0) is not drawn. Right: mean cosine between
    :math:`g_B` and :math:`G`, with the guide :math:`(1 + B_{simple}/B)^{-1/2}` and its finite-population
    version (thin black lines). ``update(noise_vs_batch(...), mark=B)``: a vertical line at ``mark``."""

    ncols, figsize = 2, (9, 3.3)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_n, self.ax_c = ax
        a = self.ax_n
        self.th_with = self.changes(a.plot([], [], "-", color="C0", lw=1.2, label="tr Σ / B (with repl.)")[0])
        self.th_without = self.changes(a.plot([], [], "--", color="C1", lw=1.2,
                                              label="(N−B)/(N−1) · tr Σ / B (without)")[0])
        self.m_with = self.changes(a.plot([], [], "o", color="C0", ms=4, label="measured, with replacement")[0])
        self.m_without = self.changes(a.plot([], [], "s", color="C1", ms=4, mfc="none",
                                             label="measured, without")[0])
        self.c_with = self.changes(self.ax_c.plot([], [], "o-", color="C0", ms=3, label="with replacement")[0])
        self.c_without = self.changes(self.ax_c.plot([], [], "s--", color="C1", ms=3, mfc="none",
                                                     label="without")[0])
        self.g_with = self.changes(self.ax_c.plot([], [], "-", color="k", lw=0.8,
                                                  label="(1 + B_simple/B)^-½")[0])
        self.g_without = self.changes(self.ax_c.plot([], [], ":", color="k", lw=0.8,
                                                     label="… with (N−B)/(N−1)")[0])
        self.marks = self.changes(a.axvline(np.nan, color="0.5", lw=0.8), self.ax_c.axvline(np.nan, color="0.5", lw=0.8))
        a.set(xscale="log", yscale="log", xlabel="batch size B", ylabel="E‖g_B − G‖²  (squared grad. units)")
        self.ax_c.set(xscale="log", xlabel="batch size B", ylabel="mean cos(g_B, G)", ylim=(0, 1.02))
        a.legend(fontsize=7, loc="lower left")
        self.ax_c.legend(fontsize=7, loc="lower right")
        for x in ax:
            x.grid(True, alpha=0.3, which="both")

    def update(self, r, mark=None):
        B = np.asarray(r["B"], dtype=float)
        inner = B < r["N"]
        self.th_with.set_data(B, r["theory_with"])
        self.th_without.set_data(B[inner], r["theory_without"][inner])
        self.m_with.set_data(B, r["with"])
        self.m_without.set_data(B[inner], r["without"][inner])
        self.c_with.set_data(B, r["cos_with"])
        self.c_without.set_data(B, r["cos_without"])
        bs, bb = r["trace"] / r["g2"], np.geomspace(B[0], B[-1], 80)
        self.g_with.set_data(bb, (1 + bs / bb) ** -0.5)
        self.g_without.set_data(bb, (1 + bs * (r["N"] - bb) / (r["N"] - 1) / bb) ** -0.5)
        for m in self.marks:
            m.set_xdata([np.nan if mark is None else mark] * 2)
        for x in self.ax:
            x.set_xlim(0.7, 1.5 * B[-1])
        fit_limits(self.ax_n, *data_range(r["with"], r["theory_with"], r["without"][inner],
                                          r["theory_without"][inner], positive=True), stops=_DECADES)
        return self


class ScatterPanel(Panel):
    """Batch gradients of one size projected on the plane of :math:`G` (horizontal axis) and the
    direction of largest per-example variance orthogonal to it, from ``project_batches(...)``: grey
    dots, the full gradient (red cross), the origin (black +). The view holds the B = 1 cloud's
    typical size (``home``) so shrinking clouds look smaller."""

    figsize = (4.6, 3.6)

    def __init__(self, ax, home=None):
        super().__init__(ax)
        self.home = home
        self.dots = self.changes(ax.plot([], [], ".", color="C0", ms=3, alpha=0.5, label="batch gradients g_B")[0])
        self.center = self.changes(ax.plot([], [], "x", color="C3", ms=9, mew=2, label="full gradient G")[0])
        ax.plot([0], [0], "+", color="k", ms=9, label="zero")
        self.outside = self.changes(ax.text(0.98, 0.03, "", transform=ax.transAxes, ha="right", va="bottom",
                                            fontsize=7, color="0.3"))
        ax.set(xlabel="component along G", ylabel="component across G")
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(True, alpha=0.3)

    def update(self, p):
        pts, c = np.asarray(p["points"]), np.asarray(p["center"])
        self.dots.set_data(pts[:, 0], pts[:, 1])
        self.center.set_data([c[0]], [c[1]])
        hx, hy = self.home if self.home is not None else (None, None)
        fit_limits(self.ax, *data_range(pts[:, 0], include=(0, c[0])), axis="x", home=hx)
        fit_limits(self.ax, *data_range(pts[:, 1], include=(0,)), home=hy)
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        out = int(np.sum((pts[:, 0] < x0) | (pts[:, 0] > x1) | (pts[:, 1] < y0) | (pts[:, 1] > y1)))
        self.outside.set_text(f"{out} of {len(pts)} points outside the view" if out else "")
        return self


class SweepPanel(Panel):
    """Steps (left) and epochs (right) to the target accuracy against B, log-log, one colour per
    learning-rate rule of ``batch_sweep(...)``: the mean over the seeds that reached it (line) and
    each seed (dots). Settings with no seed at the target are crossed on the B axis itself (outside the
    data area; rules side by side). With
    ``fit`` (``fit_noise_scale``) the curve :math:`S_{min}(1 + B_{crit}/B)` is drawn dashed (``b_noise``
    of the fit, the paper's :math:`B_{crit}`)."""

    ncols, figsize = 2, (9, 3.4)

    def __init__(self, ax, rules=bt.LR_RULES):
        super().__init__(ax)
        self.ax_s, self.ax_e = ax
        self.lines, self.dots, self.miss = {}, {}, {}
        for rule in rules:
            c = RULE_COLORS[rule]
            self.lines[rule] = self.changes(*(a.plot([], [], "-", color=c, lw=1.5, label=RULE_LABELS[rule])[0]
                                              for a in ax))
            self.dots[rule] = self.changes(*(a.plot([], [], ".", color=c, ms=4, alpha=0.6)[0] for a in ax))
            self.miss[rule] = self.changes(*(a.plot([], [], "x", color=c, ms=7, mew=1.5, clip_on=False,
                                                    transform=a.get_xaxis_transform())[0] for a in ax))
            for m in self.miss[rule]:
                m.set_in_layout(False)              # on the axis line: not part of the layout's bounding box
        self.fit = self.changes(self.ax_s.plot([], [], "--", color="k", lw=1, label="S_min (1 + B_crit / B), fitted")[0])
        self.ax_s.plot([], [], "x", color="0.3", ms=7, mew=1.5, label="never reached (on the B axis)")
        self.ax_s.set(xscale="log", yscale="log", xlabel="batch size B", ylabel="steps to the target")
        self.ax_e.set(xscale="log", yscale="log", xlabel="batch size B", ylabel="epochs to the target")
        self.ax_s.legend(fontsize=7, loc="upper right")
        for a in ax:
            a.grid(True, alpha=0.3, which="both")

    def update(self, r, fit=None):
        B = np.asarray(r["B"], dtype=float)
        vals = {"steps": [], "epochs": []}
        for rule, lines in self.lines.items():
            if rule not in r:
                for art in (*lines, *self.dots[rule], *self.miss[rule]):
                    art.set_data([], [])
                continue
            d = r[rule]
            for k, (line, dots, miss) in enumerate(zip(lines, self.dots[rule], self.miss[rule])):
                key = ("steps", "epochs")[k]
                v = np.asarray(d[key], dtype=float)
                with np.errstate(invalid="ignore"):
                    m = np.array([np.nanmean(row) if np.isfinite(row).any() else np.nan for row in v])
                line.set_data(B, m)
                dots.set_data(np.repeat(B, v.shape[1]), v.ravel())
                vals[key].append(v)
                none = ~np.isfinite(v).any(axis=1)
                k_rule = list(self.miss).index(rule)                       # on the B axis, outside the data
                miss.set_data(B[none] * 1.12 ** k_rule, np.zeros(none.sum()))
        if fit is not None:
            bb = np.geomspace(B[0], B[-1], 60)
            self.fit.set_data(bb, fit["s_min"] * (1 + fit["b_noise"] / bb))
        else:
            self.fit.set_data([], [])
        for a, key in ((self.ax_s, "steps"), (self.ax_e, "epochs")):
            a.set_xlim(0.7, 1.5 * B[-1])
            v = np.concatenate([x.ravel() for x in vals[key]]) if vals[key] else np.array([1.0])
            fit_limits(a, *data_range(v, positive=True), stops=_DECADES + (1e5,))
        return self


class PathsPanel(Panel):
    """Contours of the 2-D least-squares loss (``loss_surface``, drawn once) and the mini-batch paths
    of ``sgd_paths(...)`` (one colour per B, start: black dot, minimum: star)."""

    figsize = (5.6, 4.2)

    def __init__(self, ax, surface, batch_sizes=(1, 8, 64, 256)):
        super().__init__(ax)
        levels = np.quantile(surface["loss"], np.linspace(0.0, 0.9, 14) ** 2)
        ax.contour(surface["w1"], surface["w2"], surface["loss"], levels=np.unique(levels), colors="0.7",
                   linewidths=0.7)
        ws = surface["w_star"]
        ax.plot([ws[0]], [ws[1]], "*", color="k", mfc="gold", ms=13, zorder=5, label="minimum")
        self.start = self.changes(ax.plot([], [], "o", color="k", ms=5)[0])
        self.paths = {}
        for B, c in zip(batch_sizes, PATH_COLORS):
            lab = "full batch" if B == batch_sizes[-1] else f"B = {B}"
            self.paths[B] = self.changes(ax.plot([], [], "-", color=c, lw=1, alpha=0.85, label=lab)[0])
        self.home = ((float(surface["w1"][0]), float(surface["w1"][-1])),
                     (float(surface["w2"][0]), float(surface["w2"][-1])))
        half = (self.home[0][1] - self.home[0][0]) / 2
        # a path that leaves the contours widens the view to one of few limits (each background is kept)
        self.stops = tuple(tuple(sorted(c + k * half * f for f in 4.0 ** np.arange(9) for k in (-1, 1)))
                           for c in ws)
        ax.set(xlabel="weight $w_1$", ylabel="weight $w_2$", xlim=self.home[0], ylim=self.home[1])
        ax.legend(fontsize=7, loc="upper right")

    def update(self, r):
        xs, ys = [], []
        for B, line in self.paths.items():
            w = r[B]["w"]
            line.set_data(w[:, 0], w[:, 1])
            xs.append(w[:, 0])
            ys.append(w[:, 1])
        first = r[next(iter(self.paths))]["w"][0]
        self.start.set_data([first[0]], [first[1]])
        fit_limits(self.ax, *data_range(*xs), axis="x", home=self.home[0], margin=0.02, stops=self.stops[0])
        fit_limits(self.ax, *data_range(*ys), home=self.home[1], margin=0.02, stops=self.stops[1])
        return self


def plot_noise(r, ax=None, mark=None):
    """:class:`NoisePanel` of ``noise_vs_batch(...)``."""
    a = axes(ax, NoisePanel.ncols, NoisePanel.nrows, NoisePanel.figsize)
    NoisePanel(a).update(r, mark=mark)
    return a


def plot_scatter(p, ax=None, home=None):
    """:class:`ScatterPanel` of ``project_batches(...)``."""
    return ScatterPanel.plot(p, ax, home=home)


def plot_sweep(r, ax=None, fit=None, rules=bt.LR_RULES):
    """:class:`SweepPanel` of ``batch_sweep(...)`` with the fitted curve ``fit`` (``fit_noise_scale``)."""
    a = axes(ax, SweepPanel.ncols, SweepPanel.nrows, SweepPanel.figsize)
    SweepPanel(a, rules=rules).update(r, fit=fit)
    return a


def plot_paths(r, surface, ax=None):
    """:class:`PathsPanel` of ``sgd_paths(...)`` on ``loss_surface(...)``."""
    bs = tuple(k for k in r if not isinstance(k, str))
    return PathsPanel.plot(r, ax, surface=surface, batch_sizes=bs)


def plot_rprop(runs: dict, ax=None):
    """Training loss (left, log) and validation accuracy (right) per epoch for ``{label: [rprop_runs(...)
    per seed]}``: the mean over seeds (line) and the band from the worst to the best seed."""
    a_l, a_a = axes(ax, 2, figsize=(9, 3.2))
    for (label, rs), c in zip(runs.items(), ("C0", "C3", "C1", "C2")):
        for a, key in ((a_l, "train_loss"), (a_a, "val_acc")):
            n = min(len(r[key]) for r in rs)
            v = np.array([r[key][:n] for r in rs])
            e = np.arange(n)
            a.plot(e, v.mean(0), color=c, label=label)
            a.fill_between(e, v.min(0), v.max(0), color=c, alpha=0.2, lw=0)
    a_l.set(yscale="log", xlabel="epoch", ylabel="training loss (cross-entropy)")
    a_a.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1))
    a_l.legend(fontsize=7)
    for a in (a_l, a_a):
        a.grid(True, alpha=0.3)
    return a_l, a_a


def plot_step_times(steps: dict, ax=None):
    """Time per example of a training step against B (``step_times(...)``), log-log, relative to the
    largest B measured: a ratio, the only thing a timing on a shared machine supports."""
    ax = axes(ax, figsize=(4.8, 3.2))
    B, pe = np.asarray(steps["B"], dtype=float), np.asarray(steps["per_example"])
    ax.plot(B, pe / pe[-1], "o-", color="C0")
    ax.set(xscale="log", yscale="log", xlabel="batch size B",
           ylabel=f"time per example / at B = {int(B[-1])}")
    ax.grid(True, alpha=0.3, which="both")
    return ax
