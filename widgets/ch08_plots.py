"""Chapter 08 figures: bias and variance against capacity and data size, the regularisers compared, one
regularised run (curves and first-layer weights), the dropout-rate sweep, weight scaling against
Monte-Carlo averaging, and the noisy cost curve.

Each figure only draws results of :mod:`dlcore.experiments.regularisation`,
:mod:`~dlcore.experiments.regularisation_capacity` and :mod:`~dlcore.experiments.dropout_ensemble`
that the caller computed (widgets/plots.py's convention).
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon

from dlcore.experiments.regularisation import WEIGHT_BINS
from widgets.plots import Panel, axes

__all__ = ["BiasVariancePanel", "MethodsPanel", "RunPanel", "RatePanel", "MCPanel", "NoisyCostPanel", "plot_weights",
           "plot_bias_variance", "plot_methods", "plot_run", "plot_rates", "plot_mc", "plot_noisy_cost"]


def _band(ax, color):
    return ax.add_patch(Polygon(np.ones((1, 2)), color=color, alpha=0.18, lw=0))


def _set_band(patch, x, lo, hi):
    x, lo, hi = np.asarray(x, float), np.asarray(lo, float), np.asarray(hi, float)
    patch.set_xy(np.r_[np.c_[x, lo], np.c_[x[::-1], hi[::-1]]] if len(x) else np.ones((1, 2)))


def _ms(a):
    a = np.asarray(a, float)
    return a.mean(-1), (a.std(-1, ddof=1) if a.shape[-1] > 1 else np.zeros(a.shape[:-1]))


class BiasVariancePanel(Panel):
    """Training and validation error (mean over seeds, band ±1 sd) against the hidden width (left) and
    against the training-set size (right). ``update({"capacity": capacity_sweep(...), "data":
    data_sweep(...)})``; optional ``"mark": (width, n_train)`` marks the explorer's setting."""

    ncols = 2
    figsize = (10, 3.4)

    def __init__(self, axs):
        super().__init__(axs)
        self.lines, self.bands = {}, {}
        for ax, key, xl in ((axs[0], "capacity", "hidden width (log scale)"),
                            (axs[1], "data", "training examples (log scale)")):
            ax.set_xscale("log")
            ax.set(xlabel=xl, ylabel="error rate", ylim=(0, 0.8))
            for what, c in (("train_err", "C0"), ("val_err", "C3")):
                self.bands[key, what] = self.changes(_band(ax, c))
                self.lines[key, what] = self.changes(ax.plot([], [], "o-", color=c, ms=4,
                                                             label="training" if what == "train_err" else "validation")[0])
            self.lines[key, "mark"] = self.changes(ax.axvline(1, color="0.4", ls=":", lw=1))
            ax.legend(loc="upper right", fontsize=8)
        self.titles = [self.changes(axs[0].set_title("", fontsize=9)), self.changes(axs[1].set_title("", fontsize=9))]

    def update(self, r):
        for key, xk in (("capacity", "widths"), ("data", "sizes")):
            res = r[key]
            x = np.asarray(res[xk], float)
            for what in ("train_err", "val_err"):
                m, s = _ms(res[what])
                self.lines[key, what].set_data(x, m)
                _set_band(self.bands[key, what], x, m - s, m + s)
            ax = self.ax[0 if key == "capacity" else 1]
            ax.set_xlim(x.min() / 1.3, x.max() * 1.3)
            top = max(float(np.max(np.mean(res["val_err"], -1) + np.std(res["val_err"], -1))), 0.1)
            ax.set_ylim(0, min(1.0, 1.1 * top + 0.02))
        mark = r.get("mark")
        for k, key in enumerate(("capacity", "data")):
            v = mark[k] if mark is not None else np.nan
            self.lines[key, "mark"].set_xdata([v, v])
        cap, dat = r["capacity"], r["data"]
        noise = f", {100 * cap['label_noise']:.0f}% wrong labels" if cap["label_noise"] else ""
        self.titles[0].set_text(f"{cap['n_train']} training digits{noise}")
        self.titles[1].set_text(f"hidden width {dat['width']}{noise}")
        return self


class MethodsPanel(Panel):
    """Validation accuracy of each regulariser (diamond: mean over seeds, dots: one per seed), in the order
    of the result. ``update(compare_methods(...))``."""

    figsize = (6.4, 3.6)

    def __init__(self, ax, n: int = 9):
        super().__init__(ax)
        self.n = n
        self.means = self.changes(ax.plot([], [], "D", color="C0", ms=7, ls="none", label="mean over seeds")[0])
        self.dots = self.changes(ax.plot([], [], "k.", ms=4, label="one seed")[0])
        ax.set_yticks(np.arange(n), [""] * n, fontsize=8)
        ax.set_ylim(n - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
        ax.set(xlabel="validation accuracy")
        ax.legend(loc="lower left", fontsize=8)          # the bottom rows (dropout) sit at the right
        self.ticks = ax

    def update(self, r):
        names = list(r)[: self.n]
        means = [float(np.mean(r[k]["val_acc"])) for k in names]
        self.means.set_data(means, np.arange(len(names)))
        xs = np.concatenate([np.asarray(r[k]["val_acc"], float) for k in names])
        ys = np.concatenate([np.full(len(r[k]["val_acc"]), i) for i, k in enumerate(names)])
        self.dots.set_data(xs, ys)
        self.ax.set_yticks(np.arange(self.n), names + [""] * (self.n - len(names)), fontsize=8)
        self.ax.set_ylim(self.n - 0.5, -0.5)
        lo = float(min(xs.min(), min(means)))
        self.ax.set_xlim(max(0.0, lo - 0.05), min(1.0, xs.max() + 0.02))
        return self


class RunPanel(Panel):
    """One regularised run (``reg_run``): training and validation accuracy per epoch (left; the
    training accuracy is on the labels trained on) and the first layer's weight histogram (right,
    against the unregularised run's if ``update(r, base=...)`` gets one)."""

    ncols = 2
    figsize = (10, 3.4)

    def __init__(self, axs):
        super().__init__(axs)
        a, h = axs
        self.train = self.changes(a.plot([], [], color="C0", label="training (labels trained on)")[0])
        self.val = self.changes(a.plot([], [], color="C3", label="validation")[0])
        self.stop = self.changes(a.axvline(np.nan, color="0.4", ls=":", lw=1, label="best (early stopping)"))
        a.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
        a.legend(loc="center right", fontsize=8)   # low-accuracy runs sit at the bottom
        self.hist = self.changes(h.stairs(np.ones(len(WEIGHT_BINS) - 1), WEIGHT_BINS, color="C2", lw=1.5,
                                          label="this run"))
        self.base = self.changes(h.stairs(np.ones(len(WEIGHT_BINS) - 1), WEIGHT_BINS, color="0.5", lw=1,
                                          ls="--", label="no regulariser"))
        h.set(xlabel="first-layer weight (end bins: beyond ±0.6)", ylabel="count (log scale)", yscale="log",
              xlim=(WEIGHT_BINS[0], WEIGHT_BINS[-1]))
        h.legend(loc="upper right", fontsize=8)
        self.title = self.changes(a.set_title("", fontsize=9))

    def update(self, r, base=None):
        a, h = self.ax
        e = np.asarray(r["curve_epoch"], float)
        self.train.set_data(e, r["curve_train_acc"])
        self.val.set_data(e, r["curve_val_acc"])
        stopped = r["stopped_epoch"] < e.max() + 1e-9 and r["best_epoch"] < r["stopped_epoch"]
        self.stop.set_xdata([r["best_epoch"]] * 2 if stopped else [np.nan] * 2)
        a.set_xlim(0, max(float(e.max()), 1.0))
        self.hist.set_data(np.maximum(r["w_hist"], 0.5))
        self.base.set_data(np.maximum(base["w_hist"], 0.5) if base is not None else np.full(len(WEIGHT_BINS) - 1, np.nan))
        peak = max(float(np.max(r["w_hist"])), float(np.max(base["w_hist"])) if base is not None else 1.0)
        h.set_ylim(0.5, peak * 2)
        self.title.set_text(f"validation accuracy {r['val_acc']:.3f}, training {r['train_acc']:.3f}")
        return self


class RatePanel(Panel):
    """Validation accuracy against the drop rate p, hidden and input (mean, band ±1 sd over seeds), and
    on a second axis :math:`n H_2(p)`: log2 of the number of typical sub-networks (``subnetworks``).
    ``update({"hidden": rate_sweep("hidden"), "input": rate_sweep("input"), "sub": subnetworks(...)})``."""

    figsize = (6.4, 3.6)

    def __init__(self, ax):
        super().__init__(ax)
        self.lines, self.bands = {}, {}
        for key, c in (("hidden", "C0"), ("input", "C1")):
            self.bands[key] = self.changes(_band(ax, c))
            self.lines[key] = self.changes(ax.plot([], [], "o-", color=c, ms=4, label=f"dropout on the {key}")[0])
        ax.set(xlabel="drop rate p", ylabel="validation accuracy", xlim=(-0.02, 0.82))
        self.tw = ax.twinx()
        self.sub = self.changes(self.tw.plot([], [], "--", color="0.45", label="sub-networks (typical)")[0])
        self.tw.set_ylabel("log$_2$ typical sub-networks $nH_2(p)$", color="0.35")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = self.tw.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="lower center", fontsize=8)

    def update(self, r):
        lo, hi = [], []
        for key in ("hidden", "input"):
            if key not in r:
                self.lines[key].set_data([], [])
                _set_band(self.bands[key], [], [], [])
                continue
            m, s = _ms(r[key]["val_acc"])
            self.lines[key].set_data(r[key]["p"], m)
            _set_band(self.bands[key], r[key]["p"], m - s, m + s)
            lo.append((m - s).min()), hi.append((m + s).max())
        self.ax.set_ylim(min(lo) - 0.02, min(1.0, max(hi) + 0.02))
        p = np.linspace(0, 0.8, 81)
        n = r["sub"]["n"]
        hh = np.where((p > 0) & (p < 1), -(p * np.log2(np.maximum(p, 1e-12)) + (1 - p) * np.log2(1 - p)), 0) * n
        self.sub.set_data(p, hh)
        self.tw.set_ylim(0, n * 1.05)
        return self


class MCPanel(Panel):
    """Weight scaling against Monte-Carlo averaging (``mc_depth_sweep``): left, validation accuracy of the
    average of k sampled nets against k for each depth (dashed: weight scaling, one pass); right, the mean
    total-variation distance of the scaled net's predictions from the arithmetic mean of the sampled nets'
    (Monte-Carlo dropout) and from their normalised geometric mean, against depth (mean ± sd over seeds)."""

    ncols = 2
    figsize = (10, 3.4)

    def __init__(self, axs, n_depths: int = 4):
        super().__init__(axs)
        a, b = axs
        self.mc = [self.changes(a.plot([], [], "o-", color=f"C{k}", ms=3)[0]) for k in range(n_depths)]
        self.ws = [self.changes(a.plot([], [], "--", color=f"C{k}", lw=1)[0]) for k in range(n_depths)]
        self.ws_key = a.plot([], [], "--", color="0.3", lw=1, label="weight scaling (one pass)")[0]
        a.set(xscale="log", xlabel="sampled masks averaged, k", ylabel="validation accuracy")
        self.tv_band = self.changes(_band(b, "C3"))
        self.tv = self.changes(b.plot([], [], "o-", color="C3", ms=4,
                                      label="scaled vs arithmetic mean (MC)")[0])
        self.tv_g_band = self.changes(_band(b, "C0"))
        self.tv_g = self.changes(b.plot([], [], "s-", color="C0", ms=4, label="scaled vs geometric mean")[0])
        b.set(xlabel="hidden layers (each with dropout 0.5)", ylabel="mean TV distance\n(mean ± sd over seeds)")
        b.legend(loc="upper left", fontsize=8)

    def update(self, r):
        a, b = self.ax
        k = np.asarray(r["samples"], float)
        accs = []
        for i in range(len(self.mc)):
            if i < len(r["depths"]):
                m = np.mean(r["acc_mc"][i], 0)
                ws = float(np.mean(r["acc_ws"][i]))
                self.mc[i].set_data(k, m)
                self.mc[i].set_label(f"{int(r['depths'][i])} hidden")
                self.ws[i].set_data([k.min(), k.max()], [ws, ws])
                accs += [*m, ws]
            else:
                self.mc[i].set_data([], []), self.ws[i].set_data([], [])
        a.legend(handles=[*self.mc[:len(r["depths"])], self.ws_key], fontsize=8, loc="lower right")
        a.set_xlim(k.min() / 1.2, k.max() * 1.2)
        a.set_ylim(min(accs) - 0.02, min(1.0, max(accs) + 0.02))
        m, s = _ms(r["tv"])
        d = np.asarray(r["depths"], float)
        self.tv.set_data(d, m)
        _set_band(self.tv_band, d, m - s, m + s)
        if "tv_ws_ngm" in r:
            mg, sg = _ms(r["tv_ws_ngm"])
            self.tv_g.set_data(d, mg)
            _set_band(self.tv_g_band, d, mg - sg, mg + sg)
        else:
            self.tv_g.set_data([], [])
            _set_band(self.tv_g_band, [], [], [])
        b.set_xlim(d.min() - 0.5, d.max() + 0.5)
        b.set_ylim(0, float(np.max(m + s)) * 1.35)
        b.set_xticks(d)
        return self


class NoisyCostPanel(Panel):
    """Full-batch training loss per step without dropout, with dropout (the loss each step computed with
    its masks) and the same dropout net's loss with dropout off (``noisy_cost`` results;
    ``update({"off": ..., "on": ...})``)."""

    figsize = (6.4, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.off = self.changes(ax.plot([], [], color="C0", lw=1.2, label="no dropout")[0])
        self.on = self.changes(ax.plot([], [], color="C3", lw=0.8, alpha=0.8, label="dropout 0.5: the step's loss")[0])
        self.clean = self.changes(ax.plot([], [], color="k", lw=1.2, ls="--",
                                          label="dropout 0.5: same net, dropout off")[0])
        ax.set(xlabel="step (full batch)", ylabel="training loss (log scale)", yscale="log")
        ax.legend(loc="upper right", fontsize=8)

    def update(self, r):
        for line, key, field in ((self.off, "off", "loss"), (self.on, "on", "loss"), (self.clean, "on", "clean_loss")):
            y = np.asarray(r[key][field], float)
            line.set_data(np.arange(1, len(y) + 1), y)
        ys = np.concatenate([np.asarray(r["off"]["loss"]), np.asarray(r["on"]["loss"]), np.asarray(r["on"]["clean_loss"])])
        self.ax.set_xlim(0, len(r["on"]["loss"]) + 1)
        self.ax.set_ylim(ys.min() / 1.3, ys.max() * 1.3)
        return self


def plot_bias_variance(result, ax=None):
    return BiasVariancePanel.plot(result, ax)


def plot_methods(result, ax=None):
    return MethodsPanel.plot(result, ax, n=len(result))


def plot_run(result, base=None, ax=None):
    axs = axes(ax, 2, 1, RunPanel.figsize)
    RunPanel(axs).update(result, base=base)
    return axs


def plot_rates(result, ax=None):
    return RatePanel.plot(result, ax)


def plot_mc(result, ax=None):
    return MCPanel.plot(result, ax, n_depths=len(result["depths"]))


def plot_noisy_cost(result, ax=None):
    return NoisyCostPanel.plot(result, ax)


def plot_weights(methods, names=("L2", "L1", "dropout"), base: str = "none", ax=None):
    """First-layer weight histograms (mean count per bin over seeds, log scale) of each of ``names`` of a
    ``compare_methods`` result against ``base``'s: one panel per name."""
    axs = axes(ax, len(names), 1, (4 * len(names), 3.2), sharey=True)
    ref = np.asarray(methods[base]["w_hist"], float).mean(0)
    top = 2 * max([ref.max()] + [np.asarray(methods[n]["w_hist"], float).mean(0).max() for n in names])
    for a, name in zip(axs, names):
        h = np.asarray(methods[name]["w_hist"], float).mean(0)
        a.stairs(np.maximum(ref, 0.5), WEIGHT_BINS, color="0.5", ls="--", lw=1, label=f"{base}")
        a.stairs(np.maximum(h, 0.5), WEIGHT_BINS, color="C2", lw=1.5, label=name)
        a.set(yscale="log", xlabel="first-layer weight (end bins: beyond ±0.6)", xlim=(WEIGHT_BINS[0], WEIGHT_BINS[-1]),
              ylim=(0.5, top))
        a.set_title(f"{name} vs {base} (mean over seeds)", fontsize=9)
        a.legend(loc="upper right", fontsize=8)
    axs[0].set_ylabel("weights per bin (log scale)")
    return axs
