"""Chapter 01 explorers and figures: the worked 2-2-2 example and gradient checking.

Everything drawn here is computed by :mod:`dlcore.experiments.backprop`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from dlcore.experiments import backprop as ex
from widgets.base import Checkbox, Dropdown, Explorer, LogSlider

__all__ = ["plot_network", "plot_training", "plot_gradcheck", "WorkedExampleExplorer", "GradCheckExplorer"]

_NODES = {"i1": (0, 1), "i2": (0, 0), "h1": (1, 1), "h2": (1, 0), "o1": (2, 1), "o2": (2, 0)}
_EDGES = {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
          "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}


def plot_network(ax=None, weights: dict | None = None, values: dict | None = None, grads: dict | None = None):
    """Draw the 2-2-2 net: weights on the edges, node values inside, gradients (optional) in red."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    weights = weights or ex.named_weights(ex.worked_net())
    for k, (a, b) in _EDGES.items():
        (x0, y0), (x1, y1) = _NODES[a], _NODES[b]
        ax.plot([x0, x1], [y0, y1], color="0.6", lw=1, zorder=1)
        frac = 0.5 if y0 == y1 else 0.27               # crossing edges: label near their start
        tx, ty = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        label = f"{k}={weights[k]:.4g}"
        if grads:
            label += f"\n∂E={grads[k]:+.3g}"
        ax.text(tx, ty, label, fontsize=7, ha="center", va="center",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), zorder=3)
    for n, (x, y) in _NODES.items():
        ax.add_patch(plt.Circle((x, y), 0.16, fc="#dde8f6" if n[0] != "o" else "#f6e3dd", ec="0.3", zorder=2))
        txt = n if not values or n not in values else f"{n}\n{values[n]:.4f}"
        ax.text(x, y, txt, ha="center", va="center", fontsize=7, zorder=4)
    for layer, x in (("h", 1), ("o", 2)):
        b = weights.get(f"b_{layer}1")
        if b is not None:
            ax.text(x, 1.32, f"b={b:.3g}", ha="center", fontsize=7, color="0.35")
    ax.set_xlim(-0.3, 2.3)
    ax.set_ylim(-0.35, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_training(ax=None, result: dict | None = None, label: str = "", marker_step: int | None = None):
    """Total error against the number of updates (log-log), from :func:`~dlcore.experiments.backprop.train_worked`."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    result = result or ex.train_worked()
    steps = np.arange(len(result["error"]))
    ax.loglog(steps[1:], result["error"][1:], label=label or None)
    if marker_step:
        ax.plot([marker_step], [result["error"][marker_step]], "o", color="C3")
    ax.set_xlabel("updates")
    ax.set_ylabel("total error $E$")
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_gradcheck(ax=None, results: dict | None = None, tol: float = 1e-6):
    """Relative error against the finite-difference step h, one line per labelled result."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    results = results or {"correct backward": ex.gradcheck_vs_h()}
    for label, r in results.items():
        ax.loglog(r["h"], r["rel_error"], marker=".", label=label)
    ax.axhline(tol, color="0.4", ls="--", lw=1)
    ax.text(1e-12, tol * 1.6, f"tolerance {tol:g}", fontsize=8, color="0.3")
    ax.set_xlabel("finite-difference step $h$")
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-12, 10)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax


class WorkedExampleExplorer(Explorer):
    """Step the worked example's training: the error so far, and every weight now versus at the start."""

    controls = {
        # log-spaced like the error plot's x-axis: the first ten updates get as much of the
        # slider as the last nine thousand
        "step": LogSlider(0, 4, 1, description="updates", step=0.02, readout_format=".0f"),
        "lr": LogSlider(-2, 1, 0.5, description="learning rate", step=0.05, readout_format=".2g"),
        "update_biases": Checkbox(False, "train the biases too"),
    }
    figsize = (9, 3.4)
    bench_settings = [{"step": s} for s in (1, 10, 100, 1000, 5000, 10000)]

    def build(self, fig):
        self.ax_err, self.ax_w = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
        # 400 log-spaced steps draw the same curve as all 10000 at a fraction of the cost
        self.curve_steps = np.unique(np.geomspace(1, 10000, 400).astype(int))
        (self.curve,) = self.ax_err.loglog(self.curve_steps, np.ones(len(self.curve_steps)), color="C0")
        self._curve_src = None
        (self.dot,) = self.ax_err.plot([1], [1], "o", color="C3")
        self.ax_err.set_xlim(0.8, 1.2e4)
        self.ax_err.set_ylim(1e-7, 1)
        self.ax_err.set_xlabel("updates")
        self.ax_err.set_ylabel("total error $E$")
        self.ax_err.grid(True, alpha=0.3)
        self.names = ex.weight_names() + ["b_h1", "b_h2", "b_o1", "b_o2"]
        x = np.arange(len(self.names))
        init = ex.train_worked(0)["weights"][0]
        self.ax_w.bar(x, init, color="none", edgecolor="0.5", ls="--", label="at the start")
        self.bars = self.ax_w.bar(x, init, color="C0", alpha=0.75, label="now")
        self.ax_w.set_xticks(x, self.names, fontsize=7, rotation=45)
        self.ax_w.axhline(0, color="0.3", lw=0.8)
        self.ax_w.legend(fontsize=7, loc="upper left")
        # above the axes, where no bar can reach it; right-aligned so a long line grows into the gap
        self.info = self.ax_w.text(1.0, 1.02, "", transform=self.ax_w.transAxes, ha="right", va="bottom", fontsize=8)
        self.animate(self.dot, *self.bars, self.info)   # the curve changes only with lr: background

    def compute(self, step, lr, update_biases):
        r = ex.train_worked(10000, lr=lr, update_biases=update_biases)   # cached per (lr, biases)
        step = int(round(step))
        return {"error": r["error"], "weights": r["weights"][step], "out": r["out"][step], "step": step,
                "w_range": (float(r["weights"].min()), float(r["weights"].max()))}

    def draw(self, d):
        s = d["step"]
        if d["error"] is not self._curve_src:          # new lr / bias setting: redraw the background once
            self._curve_src = d["error"]
            self.curve.set_ydata(np.maximum(d["error"][self.curve_steps], 1e-12))
            lo, hi = d["w_range"]                          # every weight of the run stays in view
            pad = 0.08 * (hi - lo)
            self.ax_w.set_ylim(min(lo - pad, -0.5), max(hi + pad, 1.0))
            self.ax_err.set_ylim(max(float(d["error"].min()) / 3, 1e-12), 1.0)
            self.invalidate()
        self.dot.set_data([max(s, 1)], [max(d["error"][s], 1e-12)])
        for bar, h in zip(self.bars, d["weights"]):
            bar.set_height(h)
        o1, o2 = d["out"]
        self.info.set_text(f"{s} updates: E = {d['error'][s]:.3g}, outputs {o1:.4f} / {o2:.4f} "
                           "(targets 0.01 / 0.99)")


@lru_cache(maxsize=64)
def _vcurve(bug, dtype):
    r = ex.gradcheck_vs_h(bug=bug, dtype=dtype)
    return r


class GradCheckExplorer(Explorer):
    """Pick a (deliberately wrong) backward, a precision and a step h: does gradient checking catch it?"""

    controls = {
        "bug": Dropdown(list(ex.BUGS), "none", "backward"),
        "dtype": Dropdown(["float64", "float32"], "float64", "precision"),
        "h": LogSlider(-12, -1, 1e-6, description="step h"),
    }
    figsize = (8, 3.4)
    bench_settings = [{"h": h} for h in (1e-10, 1e-8, 1e-6, 1e-4, 1e-2)] + [
        {"bug": b} for b in ex.BUGS]
    tol = 1e-6

    def build(self, fig):
        self.ax = fig.subplots()
        hs = np.logspace(-12, -1, 23)
        (self.curve,) = self.ax.loglog(hs, np.ones_like(hs), marker=".", color="C0")
        self.vline = self.ax.axvline(1e-6, color="C3", lw=1)
        (self.dot,) = self.ax.plot([1e-6], [1], "o", color="C3")
        self.ax.axhline(self.tol, color="0.4", ls="--", lw=1)
        self.ax.text(1.5e-12, self.tol * 1.8, f"tolerance {self.tol:g}", fontsize=8, color="0.3")
        self.ax.set_xlim(5e-13, 0.2)
        self.ax.set_ylim(1e-12, 10)
        self.ax.set_xlabel("finite-difference step $h$")
        self.ax.set_ylabel("worst relative error")
        self.ax.grid(True, alpha=0.3)
        self.verdict = self.ax.text(0.02, 0.04, "", transform=self.ax.transAxes, fontsize=9,
                                    bbox=dict(fc="white", ec="0.7"))
        self.animate(self.curve, self.vline, self.dot, self.verdict)

    def compute(self, bug, dtype, h):
        r = _vcurve(bug, dtype)
        at_h = float(ex.gradcheck_vs_h(bug=bug, dtype=dtype, hs=[h])["rel_error"][0])
        return {"curve": r, "h": h, "err": at_h, "bug": bug, "dtype": dtype}

    def draw(self, d):
        r = d["curve"]
        self.curve.set_ydata(np.clip(r["rel_error"], 1e-12, 10))
        self.vline.set_xdata([d["h"], d["h"]])
        self.dot.set_data([d["h"]], [min(max(d["err"], 1e-12), 10)])
        ok = d["err"] <= self.tol
        truth = "correct" if d["bug"] == "none" else "buggy"
        verdict = "passes" if ok else "fails"
        right = (ok and truth == "correct") or (not ok and truth == "buggy")
        call = "right call" if right else ("false alarm: rounding, not a bug" if truth == "correct" else "bug MISSED")
        self.verdict.set_text(f"{truth} backward, {d['dtype']}, h={d['h']:.1e}: rel. error {d['err']:.1e}, "
                              f"check {verdict} ({call})")
        self.verdict.get_bbox_patch().set_edgecolor("C2" if right else "C3")
