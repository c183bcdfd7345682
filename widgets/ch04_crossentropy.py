"""Chapter 04 explorers and figures: the saturated sigmoid neuron, cost landscapes, digits.

Everything drawn here is computed by :mod:`dlcore.experiments.crossentropy`
and :mod:`dlcore.experiments.crossentropy_digits`.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import crossentropy as ex
from dlcore.experiments import crossentropy_digits as dx
from widgets.base import Explorer, FloatSlider, IntSlider, LogSlider

__all__ = ["COLORS", "STATUS_COLORS", "PATH_MARK_EVERY", "WRONG_FLOOR", "plot_neuron", "plot_landscape", "plot_stability",
           "plot_ce_cost", "plot_coin", "plot_digits", "SingleNeuronExplorer", "LandscapeExplorer",
           "DigitsCostExplorer"]

COLORS = {"quadratic": "C0", "cross_entropy": "C3",
          "sigmoid+quadratic": "C0", "sigmoid+CE": "C1", "softmax+CE": "C3"}
LABELS = {"quadratic": "quadratic", "cross_entropy": "cross-entropy"}
#: the gradient-descent paths on the cost surfaces get a dot every this many epochs
PATH_MARK_EVERY = 10
#: the log axis of "confidently wrong outputs" starts here (0 is drawn at this floor)
WRONG_FLOOR = 1e-4


def _axes(ax, n=1, figsize=(9, 3.2)):
    import matplotlib.pyplot as plt
    if ax is not None:
        return ax
    _, ax = plt.subplots(1, n, figsize=figsize, layout="constrained")
    return ax


def plot_neuron(ax=None, w0=2.0, b0=2.0, eta=0.15, epochs=300):
    """Two panels: relative cost and output against epoch, for both costs (``ax``: a pair of axes)."""
    ax_c, ax_a = _axes(ax, 2)
    for cost in ex.COSTS:
        r = ex.train_neuron(w0, b0, eta, epochs, cost)
        ax_c.plot(r["epoch"], r["cost"] / r["cost"][0], color=COLORS[cost], label=LABELS[cost])
        ax_a.plot(r["epoch"], r["output"], color=COLORS[cost], label=LABELS[cost])
    ax_c.set(xlabel="epoch", ylabel="cost / cost at the start", ylim=(0, 1.05),
             title=f"start w={w0:g}, b={b0:g}, η={eta:g}")
    ax_a.set(xlabel="epoch", ylabel="output $a$ (target 0)", ylim=(0, 1.02))
    ax_c.legend(fontsize=8)
    for a in (ax_c, ax_a):
        a.grid(True, alpha=0.3)
    return ax_c, ax_a


def plot_landscape(ax=None, w0=2.0, b0=2.0, eta=0.15, epochs=300, lim=4.0):
    """Cost contours over (w, b) for both costs with the gradient-descent path from (w0, b0)."""
    axes = _axes(ax, 2)
    for a, cost in zip(axes, ex.COSTS):
        s = ex.cost_surface(cost, (-lim, lim), (-lim, lim), 81)
        cs = a.contourf(s["w"], s["b"], s["cost"], levels=20, cmap="viridis")
        r = ex.train_neuron(w0, b0, eta, epochs, cost)
        a.plot(r["w"], r["b"], "o-", color="white", mec="k", mew=0.5, ms=3.5, lw=1, markevery=PATH_MARK_EVERY)
        a.plot([w0], [b0], "o", color="C3")
        a.set(xlabel="$w$", ylabel="$b$", title=f"{LABELS[cost]} (dots every {PATH_MARK_EVERY} epochs)",
              xlim=(-lim, lim), ylim=(-lim, lim))
        a.figure.colorbar(cs, ax=a, shrink=0.85, label="cost")
    return axes


STATUS_COLORS = {"finite": "#b9dcb0", "inf": "C1", "NaN": "C3"}
_METHODS = (("naive", "naive"), ("shifted", "shifted"), ("logsumexp", "log-sum-exp"))


def plot_stability(ax=None, scales=None, dtype=np.float32, targets=(0, 1, 2), labels=True):
    """Where softmax cross-entropy stops being finite: one bar per (true class, method) against
    the logit scale :math:`s` (logits :math:`s\\,[1, 0, -1]`), coloured finite / inf / NaN.

    The first non-finite scale is written inside each bar ("NaN from 89"), so the figure answers
    "inf or NaN, and from where?" without overlapping the data. ``labels=False`` hides the
    row labels and the legend (for the right panel of a pair). Returns ``ax``.
    """
    from matplotlib.patches import Patch
    ax = _axes(ax, 1, (6, 3.4))
    scales = np.arange(1, 301) if scales is None else np.asarray(scales)
    lo, hi = float(scales[0]) - 0.5, float(scales[-1]) + 0.5
    ticks, names, row = [], [], 0.0
    for t in targets:
        r = ex.ce_stability(scales, target=t, dtype=dtype)
        for key, name in _METHODS:
            v = np.asarray(r[key], dtype=float)
            status = np.where(np.isnan(v), 2, np.where(np.isinf(v), 1, 0))
            edges = np.r_[0, np.nonzero(np.diff(status))[0] + 1, len(status)]
            for a, b in zip(edges[:-1], edges[1:]):
                x0 = lo if a == 0 else float(scales[a]) - 0.5
                x1 = hi if b == len(status) else float(scales[b]) - 0.5
                what = ("finite", "inf", "NaN")[status[a]]
                ax.broken_barh([(x0, x1 - x0)], (row - 0.38, 0.76), color=STATUS_COLORS[what], lw=0)
                if what != "finite":
                    ax.text(x0 + 0.01 * (hi - lo), row, f"{what} from {float(scales[a]):g}", fontsize=7,
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


def plot_ce_cost(ax=None):
    """Per-example cost against the output a, for y = 0 and y = 1: cross-entropy and quadratic."""
    ax = _axes(ax, 1, (5, 3.2))
    a = np.linspace(0.001, 0.999, 400)
    t = ex.bce_table(a, [0.0, 1.0])
    for i, y in enumerate((0, 1)):
        ax.plot(a, t[i], color=COLORS["cross_entropy"], ls="-" if y == 0 else "--", label=f"CE, y={y}")
        ax.plot(a, 0.5 * (a - y) ** 2, color=COLORS["quadratic"], ls="-" if y == 0 else "--", label=f"quadratic, y={y}")
    ax.set(xlabel="output $a$", ylabel="cost", ylim=(0, 5))
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax


def plot_coin(ax=None, heads=7, n=10):
    """Mean cross-entropy and likelihood of a coin model p for ``heads`` of ``n`` flips."""
    ax = _axes(ax, 1, (5, 3.2))
    r = ex.coin_likelihood(heads, n, np.linspace(0.01, 0.99, 99))
    ax.plot(r["p"], r["ce"], color="C3", label="mean cross-entropy")
    ax.axvline(r["p_best"], color="0.4", ls="--", lw=1)
    ax.set(xlabel="model's P(heads) = p", title=f"{heads} heads in {n} flips")
    ax.set_ylabel("mean cross-entropy", color="C3")
    ax2 = ax.twinx()
    ax2.plot(r["p"], r["likelihood"], color="C0", label="likelihood")
    ax2.set_ylabel("likelihood $L(p)$", color="C0")
    return ax


def plot_digits(ax=None, runs=None, **settings):
    """Validation accuracy and the fraction of confidently wrong output units, per setup (mean, min-max band
    over the seeds; fractions below ``WRONG_FLOOR`` (one unit is 1/3590) are drawn at the floor)."""
    ax_acc, ax_w = _axes(ax, 2)
    runs = runs or dx.compare_setups(**settings)
    e = runs["epoch"]
    for name in dx.SETUPS:
        for a, key, floor in ((ax_acc, "val_acc", 0.0), (ax_w, "wrong", WRONG_FLOOR)):
            v = np.maximum(runs[name][key], floor)          # log axis: 0 is drawn at the floor
            a.plot(e, v.mean(0), color=COLORS[name], label=name)
            a.fill_between(e, v.min(0), v.max(0), color=COLORS[name], alpha=0.2, lw=0)
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1))
    ax_w.set(xlabel="epoch", ylabel="fraction of outputs with |a - y| > 0.97", yscale="log", ylim=(WRONG_FLOOR, 1))
    ax_acc.legend(fontsize=8)
    for a in (ax_acc, ax_w):
        a.grid(True, alpha=0.3)
    return ax_acc, ax_w


_NEURON_CONTROLS = {
    "w0": FloatSlider(-4.0, 4.0, 0.1, 2.0, "start w"),
    "b0": FloatSlider(-4.0, 4.0, 0.1, 2.0, "start b"),
    "eta": LogSlider(-3, 0.5, 0.15, description="learning rate η", step=0.05),
    "epochs": IntSlider(10, 1000, 10, 300, "epochs"),
}


class SingleNeuronExplorer(Explorer):
    """One sigmoid neuron, x = 1, target 0: relative cost and output against epoch for both costs.

    The dots mark epoch 50 (or the last epoch if fewer), labelled with the share of the cost removed by then.
    Moving the start into the saturated corner (large :math:`w_0 + b_0`) lengthens the quadratic plateau.
    """

    controls = dict(_NEURON_CONTROLS)
    figsize = (9, 3.2)
    bench_settings = [{"w0": 0.6, "b0": 0.9}, {"w0": 2.0, "b0": 2.0}, {"eta": 0.005}, {"eta": 1.0},
                      {"epochs": 1000}, {"epochs": 100}, {"w0": -3.0}, {"b0": 3.5}]

    def build(self, fig):
        self.ax_c, self.ax_a = fig.subplots(1, 2)
        self.lines = {}
        for cost in ex.COSTS:
            (lc,) = self.ax_c.plot([0, 1], [1, 1], color=COLORS[cost], label=LABELS[cost])
            (la,) = self.ax_a.plot([0, 1], [1, 1], color=COLORS[cost], label=LABELS[cost])
            self.lines[cost] = (lc, la)
            self.animate(lc, la)
        self.ax_c.set(xlabel="epoch", ylabel="cost / cost at the start", ylim=(0, 1.12))
        self.ax_a.set(xlabel="epoch", ylabel="output $a$ (target 0)", ylim=(0, 1.02))
        self.fig.legend(handles=[self.lines[c][0] for c in ex.COSTS], loc="outside upper center", ncol=2,
                        fontsize=8, frameon=False)
        for a in (self.ax_c, self.ax_a):
            a.grid(True, alpha=0.3)
        # the cost removed by epoch 50, next to a dot on each curve (short texts: Agg text is slow)
        self.marks = {}
        for cost in ex.COSTS:
            (dot,) = self.ax_c.plot([0], [1], "o", color=COLORS[cost], ms=4)
            label = self.ax_c.text(0, 1, "", color=COLORS[cost], fontsize=8, va="bottom", ha="left",
                                   bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
            self.marks[cost] = (dot, label)
            self.animate(dot, label)

    def compute(self, w0, b0, eta, epochs):
        runs = {c: ex.train_neuron(w0, b0, eta, epochs, c) for c in ex.COSTS}
        return {"runs": runs, "stats": {c: ex.plateau_stats(r, first=min(50, epochs)) for c, r in runs.items()},
                "epochs": epochs}

    def draw(self, d):
        for cost, (lc, la) in self.lines.items():
            r = d["runs"][cost]
            c0 = r["cost"][0] if r["cost"][0] > 0 else 1.0
            lc.set_data(r["epoch"], r["cost"] / c0)
            la.set_data(r["epoch"], r["output"])
        for a in (self.ax_c, self.ax_a):
            a.set_xlim(0, d["epochs"])
        for cost, (dot, label) in self.marks.items():
            st = d["stats"][cost]
            yv = 1 - st["drop_first"]
            dot.set_data([st["first"]], [yv])
            right = st["first"] > 0.6 * d["epochs"]          # near the right edge: put the label left of the dot
            label.set_position((st["first"] + (-0.02 if right else 0.02) * d["epochs"], yv + 0.03))
            label.set_horizontalalignment("right" if right else "left")
            label.set_text(f"-{100 * st['drop_first']:.1f}% by epoch {st['first']}")


class LandscapeExplorer(Explorer):
    """Cost over (w, b) for the quadratic cost and cross-entropy, with the gradient-descent path
    (a dot every ``PATH_MARK_EVERY`` epochs: crowded dots = slow learning; red: start, square: end)."""

    controls = dict(_NEURON_CONTROLS)
    figsize = (9, 3.6)
    lim = 4.0
    bench_settings = SingleNeuronExplorer.bench_settings

    def build(self, fig):
        self.axes = fig.subplots(1, 2)
        self.paths, self.starts, self.ends = {}, {}, {}
        for a, cost in zip(self.axes, ex.COSTS):
            s = ex.cost_surface(cost, (-self.lim, self.lim), (-self.lim, self.lim), 81)
            cs = a.contourf(s["w"], s["b"], s["cost"], levels=20, cmap="viridis")
            fig.colorbar(cs, ax=a, shrink=0.85, label="cost")
            (self.paths[cost],) = a.plot([0], [0], "o-", color="white", mec="k", mew=0.5, ms=3.5, lw=1,
                                         markevery=PATH_MARK_EVERY)
            (self.starts[cost],) = a.plot([0], [0], "o", color="C3", ms=5)
            (self.ends[cost],) = a.plot([0], [0], "s", color="white", mec="k", ms=5)
            a.set(xlabel="$w$", ylabel="$b$", title=f"{LABELS[cost]} (dots every {PATH_MARK_EVERY} epochs)",
                  xlim=(-self.lim, self.lim),
                  ylim=(-self.lim, self.lim))
            self.animate(self.paths[cost], self.starts[cost], self.ends[cost])

    def compute(self, w0, b0, eta, epochs):
        return {c: ex.train_neuron(w0, b0, eta, epochs, c) for c in ex.COSTS}

    def draw(self, d):
        for a, (cost, r) in zip(self.axes, d.items()):
            self.paths[cost].set_data(r["w"], r["b"])
            self.starts[cost].set_data(r["w"][:1], r["b"][:1])
            self.ends[cost].set_data(r["w"][-1:], r["b"][-1:])
            # the cost surface covers [-lim, lim]^2; a path that leaves it widens the view
            home = (-self.lim, self.lim)
            self.fit_limits(a, *self.data_range(r["w"], include=home), axis="x", margin=0.02, home=home)
            self.fit_limits(a, *self.data_range(r["b"], include=home), margin=0.02, home=home)


class DigitsCostExplorer(Explorer):
    """Digits with sigmoid+quadratic, sigmoid+CE and softmax+CE: accuracy and wrongly saturated outputs.

    Cold update at the defaults (10 epochs, 2 seeds, 6 runs): about 0.5 s. Runs are cached per
    setting; moving ``epochs`` down slices cached runs, moving it up continues them (only the
    added epochs are trained, see :func:`dlcore.experiments.crossentropy_digits.train_setup`),
    fewer ``seeds`` reuse the runs already there. A progress bar appears after 0.5 s.
    """

    controls = {
        "lr": LogSlider(-2, 0.5, 0.5, description="learning rate", step=0.1),
        "init_std": FloatSlider(0.1, 3.0, 0.1, 1.0, "init std of W"),
        "epochs": IntSlider(2, 30, 1, 10, "epochs"),
        "seeds": IntSlider(1, 3, 1, 2, "seeds"),
    }
    slow = True
    kind = "training"
    figsize = (9, 3.4)
    bench_settings = [{"lr": 0.1}, {"lr": 1.0}, {"init_std": 0.3}, {"init_std": 2.0},
                      {"epochs": 5}, {"epochs": 15}, {"seeds": 1}]

    def build(self, fig):
        self.ax_acc, self.ax_w = fig.subplots(1, 2)
        self.lines = {}
        for name in dx.SETUPS:
            (la,) = self.ax_acc.plot([0], [0], color=COLORS[name], label=name)
            (la_lo,) = self.ax_acc.plot([0], [0], color=COLORS[name], lw=0.6, ls="--")
            (lw,) = self.ax_w.plot([0], [1e-3], color=COLORS[name], label=name)
            self.lines[name] = (la, la_lo, lw)
            self.animate(la, la_lo, lw)
        self.ax_acc.set(xlabel="epoch", ylabel="val. accuracy (mean; dashed: worst seed)", ylim=(0, 1), xlim=(0, 10))
        self.ax_w.set(xlabel="epoch", ylabel="fraction of outputs with |a - y| > 0.97", yscale="log",
                      ylim=(WRONG_FLOOR, 1), xlim=(0, 10))
        self.fig.legend(handles=[v[0] for v in self.lines.values()], loc="outside upper center", ncol=3,
                        fontsize=8, frameon=False)
        for a in (self.ax_acc, self.ax_w):
            a.grid(True, alpha=0.3)

    def expected_runs(self, seeds, **_):
        return len(dx.SETUPS) * seeds

    def compute(self, lr, init_std, epochs, seeds):
        return dx.compare_setups(seeds=tuple(range(seeds)), epochs=epochs, lr=lr, init_std=init_std,
                                 progress=self.progress)   # the base already runs compute on one BLAS thread

    def draw(self, d):
        e = d["epoch"]
        for name, (la, la_lo, lw) in self.lines.items():
            la.set_data(e, d[name]["val_acc"].mean(0))
            la_lo.set_data(e, d[name]["val_acc"].min(0))
            lw.set_data(e, np.maximum(d[name]["wrong"].mean(0), WRONG_FLOOR))
        for a in (self.ax_acc, self.ax_w):
            a.set_xlim(0, e[-1])
