"""Chapter 04 figures: the saturated sigmoid neuron, cost landscapes, digits, stability, coin, cost curves.

Each figure is drawn from results of :mod:`dlcore.experiments.crossentropy` and
:mod:`dlcore.experiments.crossentropy_digits` that the caller computed; nothing is
computed here (see :mod:`widgets.plots`). The explorers of
:mod:`widgets.ch04_crossentropy` draw the first three figures with the same panels.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch, Polygon

from dlcore.experiments import crossentropy as ex
from dlcore.experiments import crossentropy_digits as dx
from widgets.plots import Panel, axes, data_range, fit_limits

__all__ = ["COLORS", "LABELS", "STATUS_COLORS", "PATH_MARK_EVERY", "WRONG_FLOOR", "NeuronPanel", "LandscapePanel",
           "DigitsPanel", "plot_neuron", "plot_landscape", "plot_digits", "plot_stability", "plot_ce_cost",
           "plot_coin"]

COLORS = {"quadratic": "C0", "cross_entropy": "C3",
          "sigmoid+quadratic": "C0", "sigmoid+CE": "C1", "softmax+CE": "C3"}
LABELS = {"quadratic": "quadratic", "cross_entropy": "cross-entropy"}
#: the gradient-descent paths on the cost surfaces get a dot every this many epochs
PATH_MARK_EVERY = 10
#: the log axis of "confidently wrong outputs" starts here (0 is drawn at this floor)
WRONG_FLOOR = 1e-4
STATUS_COLORS = {"finite": "#b9dcb0", "inf": "C1", "NaN": "C3"}
_METHODS = (("naive", "naive"), ("shifted", "shifted"), ("logsumexp", "log-sum-exp"))


class NeuronPanel(Panel):
    """Relative cost and output against epoch for both costs: ``update({cost: train_neuron(...)})``.

    A dot on each cost curve marks epoch ``first`` (or the last epoch if fewer), labelled
    with the share of the cost gone by then, :math:`1 - C_{first}/C_0`.
    """

    ncols, figsize = 2, (9, 3.2)

    def __init__(self, ax, first: int = 50, title: str | None = None):
        super().__init__(ax)
        self.ax_c, self.ax_a = ax
        self.first = first
        self.lines, self.marks = {}, {}
        for cost in ex.COSTS:
            lc = self.ax_c.plot([], [], color=COLORS[cost], label=LABELS[cost])[0]
            la = self.ax_a.plot([], [], color=COLORS[cost], label=LABELS[cost])[0]
            self.lines[cost] = self.changes(lc, la)
        for cost in ex.COSTS:                  # short labels: Agg text is slow
            dot = self.ax_c.plot([], [], "o", color=COLORS[cost], ms=4)[0]
            label = self.ax_c.text(0, 1, "", color=COLORS[cost], fontsize=8, va="bottom", ha="left",
                                   bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
            self.marks[cost] = self.changes(dot, label)
        self.ax_c.set(xlabel="epoch", ylabel="cost / cost at the start", ylim=(0, 1.12), title=title)
        self.ax_a.set(xlabel="epoch", ylabel="output $a$ (target 0)", ylim=(0, 1.02))
        self.ax_c.figure.legend(handles=[self.lines[c][0] for c in ex.COSTS], loc="outside upper center",
                                ncol=2, fontsize=8, frameon=False)
        for a in ax:
            a.grid(True, alpha=0.3)

    def update(self, runs):
        epochs = max(int(r["epoch"][-1]) for r in runs.values())
        for cost, r in runs.items():
            lc, la = self.lines[cost]
            c0 = r["cost"][0] if r["cost"][0] > 0 else 1.0
            lc.set_data(r["epoch"], r["cost"] / c0)
            la.set_data(r["epoch"], r["output"])
            dot, label = self.marks[cost]
            k = min(self.first, len(r["cost"]) - 1)
            gone = 1 - r["cost"][k] / c0
            dot.set_data([k], [1 - gone])
            right = k > 0.6 * epochs                  # near the right edge: the label goes left of the dot
            label.set_position((k + (-0.02 if right else 0.02) * epochs, 1 - gone + 0.03))
            label.set_horizontalalignment("right" if right else "left")
            label.set_text(f"-{100 * gone:.1f}% by epoch {k}")
        for a in (self.ax_c, self.ax_a):
            a.set_xlim(0, epochs)
        return self


class LandscapePanel(Panel):
    """Cost contours over (w, b) for both costs (``surfaces = {cost: cost_surface(...)}``, drawn once)
    and the gradient-descent paths: ``update({cost: train_neuron(...)})`` (a dot every
    ``PATH_MARK_EVERY`` epochs, crowded dots = slow learning; red: start, square: end).
    A path that leaves the surface widens the view."""

    ncols, figsize = 2, (9, 3.6)

    def __init__(self, ax, surfaces: dict):
        super().__init__(ax)
        self.axes = dict(zip(ex.COSTS, ax))
        self.paths, self.starts, self.ends, self.home = {}, {}, {}, {}
        for cost, a in self.axes.items():
            s = surfaces[cost]
            cs = a.contourf(s["w"], s["b"], s["cost"], levels=20, cmap="viridis")
            a.figure.colorbar(cs, ax=a, shrink=0.85, label="cost")
            self.paths[cost] = a.plot([], [], "o-", color="white", mec="k", mew=0.5, ms=3.5, lw=1,
                                      markevery=PATH_MARK_EVERY)[0]
            self.starts[cost] = a.plot([], [], "o", color="C3", ms=5)[0]
            self.ends[cost] = a.plot([], [], "s", color="white", mec="k", ms=5)[0]
            self.changes(self.paths[cost], self.starts[cost], self.ends[cost])
            self.home[cost] = (float(s["w"][0]), float(s["w"][-1])), (float(s["b"][0]), float(s["b"][-1]))
            a.set(xlabel="$w$", ylabel="$b$", title=f"{LABELS[cost]} (dots every {PATH_MARK_EVERY} epochs)",
                  xlim=self.home[cost][0], ylim=self.home[cost][1])

    def update(self, runs):
        for cost, r in runs.items():
            self.paths[cost].set_data(r["w"], r["b"])
            self.starts[cost].set_data(r["w"][:1], r["b"][:1])
            self.ends[cost].set_data(r["w"][-1:], r["b"][-1:])
            (hw, hb), a = self.home[cost], self.axes[cost]
            fit_limits(a, *data_range(r["w"], include=hw), axis="x", margin=0.02, home=hw)
            fit_limits(a, *data_range(r["b"], include=hb), margin=0.02, home=hb)
        return self


class DigitsPanel(Panel):
    """Validation accuracy and the fraction of confidently wrong output units per setup, from
    ``compare_setups(...)``: the mean over seeds (line) and the band from the worst to the best
    seed. Fractions below ``WRONG_FLOOR`` (one unit is 1/3590) are drawn at the floor."""

    ncols, figsize = 2, (9, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_acc, self.ax_w = ax
        self.lines, self.bands = {}, {}
        for name in dx.SETUPS:
            c = COLORS[name]
            self.lines[name] = self.changes(self.ax_acc.plot([], [], color=c, label=name)[0],
                                            self.ax_w.plot([], [], color=c, label=name)[0])
            self.bands[name] = self.changes(*(a.add_patch(Polygon(np.ones((1, 2)), color=c, alpha=0.2, lw=0))
                                              for a in ax))
        self.ax_acc.set(xlabel="epoch", ylabel="validation accuracy (band: seeds)", ylim=(0, 1))
        self.ax_w.set(xlabel="epoch", ylabel="fraction of outputs with |a - y| > 0.97", yscale="log",
                      ylim=(WRONG_FLOOR, 1))
        self.ax_acc.figure.legend(handles=[v[0] for v in self.lines.values()], loc="outside upper center",
                                  ncol=3, fontsize=8, frameon=False)
        for a in ax:
            a.grid(True, alpha=0.3)

    def update(self, runs):
        e = runs["epoch"]
        for name in self.lines:
            for line, band, key, floor in zip(self.lines[name], self.bands[name], ("val_acc", "wrong"),
                                              (0.0, WRONG_FLOOR)):
                v = np.maximum(runs[name][key], floor)              # log axis: 0 is drawn at the floor
                line.set_data(e, v.mean(0))
                band.set_xy(np.r_[np.c_[e, v.min(0)], np.c_[e[::-1], v.max(0)[::-1]]])
        for a in (self.ax_acc, self.ax_w):
            a.set_xlim(0, e[-1])
        return self


def plot_neuron(runs: dict, ax=None, title: str | None = None):
    """:class:`NeuronPanel` of ``{cost: ex.train_neuron(w0, b0, eta, epochs, cost)}``; returns the axes pair."""
    return NeuronPanel.plot(runs, ax, title=title)


def plot_landscape(runs: dict, surfaces: dict, ax=None):
    """:class:`LandscapePanel` of ``{cost: ex.train_neuron(...)}`` on ``{cost: ex.cost_surface(cost, ...)}``."""
    return LandscapePanel.plot(runs, ax, surfaces=surfaces)


def plot_digits(runs: dict, ax=None):
    """:class:`DigitsPanel` of ``dx.compare_setups(...)``; returns the axes pair."""
    return DigitsPanel.plot(runs, ax)


def plot_stability(results: dict, ax=None, labels: bool = True):
    """Where softmax cross-entropy stops being finite: ``results = {true class: ex.ce_stability(scales,
    target=true class, dtype)}``; one bar per (true class, method) against the logit scale
    :math:`s`, coloured finite / inf / NaN.

    The first non-finite scale is written inside each bar ("NaN from 89"), so the figure answers
    "inf or NaN, and from where?" without overlapping the data. ``labels=False`` hides the
    row labels and the legend (for the right panel of a pair). Returns ``ax``.
    """
    ax = axes(ax, figsize=(6, 3.4))
    ticks, names, row, dtype = [], [], 0.0, None
    for t, r in results.items():
        scales, dtype = np.asarray(r["scale"], dtype=float), r["scale"].dtype
        lo, hi = scales[0] - 0.5, scales[-1] + 0.5
        for key, name in _METHODS:
            v = np.asarray(r[key], dtype=float)
            status = np.where(np.isnan(v), 2, np.where(np.isinf(v), 1, 0))
            edges = np.r_[0, np.nonzero(np.diff(status))[0] + 1, len(status)]
            for a, b in zip(edges[:-1], edges[1:]):
                x0 = lo if a == 0 else scales[a] - 0.5
                x1 = hi if b == len(status) else scales[b] - 0.5
                what = ("finite", "inf", "NaN")[status[a]]
                ax.broken_barh([(x0, x1 - x0)], (row - 0.38, 0.76), color=STATUS_COLORS[what], lw=0)
                if what != "finite":
                    ax.text(x0 + 0.01 * (hi - lo), row, f"{what} from {scales[a]:g}", fontsize=7,
                            va="center", ha="left", color="white" if what == "NaN" else "black")
            ticks.append(row)
            names.append(f"true class {t}: {name}")
            row += 1
        row += 0.6                                   # a gap between the true classes
    ax.set(xlim=(lo, hi), ylim=(row - 0.6 + 0.1 - 0.5, -0.6), yticks=ticks,
           xlabel="logit scale $s$ (logits $s\\,[1, 0, -1]$)", title=np.dtype(dtype).name)
    ax.set_yticklabels(names, fontsize=7.5)
    ax.tick_params(axis="y", length=0, labelleft=labels)
    if labels:
        ax.legend(handles=[Patch(color=c, label=f"loss is {k}") for k, c in STATUS_COLORS.items()], fontsize=7.5,
                  ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    return ax


def plot_ce_cost(costs: dict, ax=None):
    """Per-example cost against the output ``costs["a"]``: ``costs["cross_entropy"]`` and
    ``costs["quadratic"]``, each of shape (2, len(a)) for y = 0 and y = 1."""
    ax = axes(ax, figsize=(5, 3.2))
    a = costs["a"]
    for i, y in enumerate((0, 1)):
        for cost, name in (("cross_entropy", "CE"), ("quadratic", "quadratic")):
            ax.plot(a, costs[cost][i], color=COLORS[cost], ls="-" if y == 0 else "--", label=f"{name}, y={y}")
    ax.set(xlabel="output $a$", ylabel="cost", ylim=(0, 5))
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax


def plot_coin(r: dict, ax=None, title: str | None = None):
    """Mean cross-entropy and likelihood of a coin model p, from ``ex.coin_likelihood(heads, n, ps)``."""
    ax = axes(ax, figsize=(5, 3.2))
    ax.plot(r["p"], r["ce"], color="C3", label="mean cross-entropy")
    ax.axvline(r["p_best"], color="0.4", ls="--", lw=1)
    ax.set(xlabel="model's P(heads) = p", title=title)
    ax.set_ylabel("mean cross-entropy", color="C3")
    ax2 = ax.twinx()
    ax2.plot(r["p"], r["likelihood"], color="C0", label="likelihood")
    ax2.set_ylabel("likelihood $L(p)$", color="C0")
    return ax
