"""Chapter 01 figures: the 2-2-2 network, the worked example's training, gradient checking.

Each figure draws a result of :mod:`dlcore.experiments.backprop` that the caller computed;
nothing is computed here (see :mod:`widgets.plots`). The explorers of
:mod:`widgets.ch01_backprop` draw :class:`WorkedPanel` and :class:`GradCheckPanel`.
"""
from __future__ import annotations

import numpy as np

from widgets.plots import Panel, axes

__all__ = ["TOL", "plot_network", "plot_training", "plot_convergence", "WorkedPanel", "plot_worked",
           "GradCheckPanel", "plot_gradcheck"]

#: the gradient-check tolerance drawn as a dashed line
TOL = 1e-6
_NODES = {"i1": (0, 1), "i2": (0, 0), "h1": (1, 1), "h2": (1, 0), "o1": (2, 1), "o2": (2, 0)}
_EDGES = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
          "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}


def plot_network(weights: dict, ax=None, values: dict | None = None, grads: dict | None = None):
    """The 2-2-2 net from ``named_weights(net)``: weights on the edges, node values inside (optional),
    gradients (optional) under the weights."""
    import matplotlib.pyplot as plt
    ax = axes(ax, figsize=(6, 3.2))
    for k, (a, b) in _EDGES.items():
        (x0, y0), (x1, y1) = _NODES[a], _NODES[b]
        ax.plot([x0, x1], [y0, y1], color="0.6", lw=1, zorder=1)
        frac = 0.5 if y0 == y1 else 0.27               # crossing edges: label near their start
        label = f"{k}={weights[k]:.4g}" + (f"\n∂E={grads[k]:+.3g}" if grads else "")
        ax.text(x0 + frac * (x1 - x0), y0 + frac * (y1 - y0), label, fontsize=7, ha="center", va="center",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), zorder=3)
    for n, (x, y) in _NODES.items():
        ax.add_patch(plt.Circle((x, y), 0.16, fc="#dde8f6" if n[0] != "o" else "#f6e3dd", ec="0.3", zorder=2))
        txt = n if not values or n not in values else f"{n}\n{values[n]:.4f}"
        ax.text(x, y, txt, ha="center", va="center", fontsize=7, zorder=4)
    for layer, x in (("h", 1), ("o", 2)):
        b = weights.get(f"b_{layer}1")
        if b is not None:
            ax.text(x, 1.32, f"b={b:.3g}", ha="center", fontsize=7, color="0.35")
    ax.set(xlim=(-0.3, 2.3), ylim=(-0.35, 1.45), aspect="equal")
    ax.axis("off")
    return ax


def plot_training(runs: dict, ax=None):
    """Total error against the number of updates (log-log), one line per labelled ``train_worked`` run."""
    ax = axes(ax, figsize=(5.5, 3.2))
    for label, r in runs.items():
        steps = np.arange(1, len(r["error"]))
        ax.loglog(steps, r["error"][1:], label=label)
    ax.set(xlabel="updates", ylabel="total error $E$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_convergence(conv: dict, ax=None):
    """The error of ``convergence(...)`` on log-log axes (left: the slope of each decade written on it)
    and on a linear step axis (right: the late phase is a straight line, an exponential)."""
    a, b = axes(ax, 2, figsize=(9, 3.2))
    E = conv["error"]
    steps = np.arange(len(E))
    a.loglog(steps[1:], E[1:], color="C0")
    for (lo, hi), s in zip(conv["decades"], conv["slopes"]):
        mid = int(np.sqrt(lo * hi))
        a.text(mid, E[mid] * 1.8, f"{s:.2f}", fontsize=8, ha="center", color="C3")
    a.set(xlabel="updates", ylabel="total error $E$", title="log-log: slope per decade")
    b.semilogy(steps, E, color="C0")
    b.set(xlabel="updates", title="log-linear: straight = exponential")
    for x in (a, b):
        x.grid(True, alpha=0.3)
    return np.array([a, b])


class WorkedPanel(Panel):
    """The worked example at one update (``worked_at(...)``): the error curve with a dot at that
    update, and every weight and bias then (bars) against the start (dashed)."""

    ncols, figsize = 2, (9, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_err, self.ax_w = ax
        # 400 log-spaced steps draw the same curve as all 10000 at a fraction of the cost
        self.curve_steps = np.unique(np.geomspace(1, 10000, 400).astype(int))
        self.curve = self.changes(self.ax_err.loglog([], [], color="C0")[0])
        self.dot = self.changes(self.ax_err.plot([], [], "o", color="C3")[0])
        self.ax_err.set(xlim=(0.8, 1.2e4), ylim=(1e-7, 1), xlabel="updates", ylabel="total error $E$")
        self.ax_err.grid(True, alpha=0.3)
        from dlcore.experiments.backprop import weight_names
        self.names = weight_names() + ["b_h1", "b_h2", "b_o1", "b_o2"]
        x = np.arange(len(self.names))
        self.start = self.ax_w.bar(x, np.zeros(len(x)), color="none", edgecolor="0.5", ls="--", label="at the start")
        self.bars = self.ax_w.bar(x, np.zeros(len(x)), color="C0", alpha=0.75, label="now")
        self.changes(*self.start, *self.bars)
        self.ax_w.set_xticks(x, self.names, fontsize=7, rotation=45)
        self.ax_w.axhline(0, color="0.3", lw=0.8)
        self.ax_w.legend(fontsize=7, loc="upper left")

    def update(self, d):
        s, E = d["step"], d["error"]
        keep = self.curve_steps[self.curve_steps < len(E)]
        self.curve.set_data(keep, np.maximum(E[keep], 1e-12))
        self.dot.set_data([max(s, 1)], [max(E[s], 1e-12)])
        for bar, h in zip(self.bars, d["weights"]):
            bar.set_height(h)
        for bar, h in zip(self.start, d["init"]):
            bar.set_height(h)
        lo, hi = d["w_range"]                          # every weight of the run stays in view
        pad = 0.08 * (hi - lo)
        self.ax_w.set_ylim(min(lo - pad, -0.5), max(hi + pad, 1.0))
        self.ax_err.set_ylim(max(float(np.min(E)) / 3, 1e-12), 1.0)
        return self


def plot_worked(result, ax=None):
    return WorkedPanel.plot(result, ax)


class GradCheckPanel(Panel):
    """Worst relative error against the finite-difference step h, one line per labelled
    ``gradcheck_vs_h`` result in ``result["curves"]``, with the tolerance, and (if ``result`` has
    ``"h"`` and ``"err"``) a marker at the chosen step."""

    figsize = (5.5, 3.4)

    def __init__(self, ax, n: int = 1):
        super().__init__(ax)
        ax.set(xscale="log", yscale="log", xlim=(5e-13, 0.2), ylim=(1e-12, 10))
        self.lines = [self.changes(ax.plot([], [], marker=".", color=f"C{i}")[0]) for i in range(n)]
        self.vline = self.changes(ax.axvline(1e-6, color="C3", lw=1, visible=False))
        self.dot = self.changes(ax.plot([], [], "o", color="C3")[0])
        ax.axhline(TOL, color="0.4", ls="--", lw=1)
        ax.text(1.5e-12, TOL * 1.8, f"tolerance {TOL:g}", fontsize=8, color="0.3")
        ax.set(xlim=(5e-13, 0.2), ylim=(1e-12, 10), xlabel="finite-difference step $h$",
               ylabel="worst relative error")
        ax.grid(True, alpha=0.3)

    def update(self, result):
        for line, (label, r) in zip(self.lines, result["curves"].items()):
            line.set_data(r["h"], np.clip(r["rel_error"], 1e-12, 10))
            line.set_label(label)
        if "h" in result:
            h = result["h"]
            self.vline.set_xdata([h, h])
            self.vline.set_visible(True)
            self.dot.set_data([h], [min(max(result["err"], 1e-12), 10)])
        return self


def plot_gradcheck(result, ax=None):
    """``result = {"curves": {label: gradcheck_vs_h(...)}}`` (optionally ``"h"``, ``"err"``); a legend
    when there are several curves."""
    ax = axes(ax, figsize=GradCheckPanel.figsize)
    GradCheckPanel(ax, len(result["curves"])).update(result)
    if len(result["curves"]) > 1:
        ax.legend(fontsize=8)
    return ax
