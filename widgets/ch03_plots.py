"""Chapter 03 figures: each ``plot_x(result, ax=None)`` draws a result that the notebook cell computed
with :mod:`dlcore.experiments.activations`, ``activations_train`` or ``activations_speed``; nothing is
computed here (see :mod:`widgets.plots`). The figures an explorer also shows are the panels of
:mod:`widgets.ch03_panels`, which the explorers of :mod:`widgets.ch03_activations` build the same way.
"""
from __future__ import annotations

import warnings

import numpy as np

from dlcore.experiments.common import pm
from widgets.ch03_panels import (BoundaryPanel, CurvesPanel, DeadRunPanel, FunctionPanel, SaturationRunPanel,
                                 SoftmaxPanel, ZigzagPanel)
from widgets.plots import axes

__all__ = ["ZOO_PLOT_PARAMS", "plot_function", "plot_boundaries", "plot_dead_run", "plot_curves", "plot_zigzag_run",
           "plot_saturation_run", "plot_softmax_jacobian", "plot_zoo", "plot_dead", "plot_zigzag", "plot_saturation",
           "plot_softmax", "plot_mish_errata"]

#: parameters the zoo figure uses where the default would duplicate another panel
ZOO_PLOT_PARAMS = {"swish": {"beta": 2.0}}


# ------------------------------------------------------------------ figures an explorer also shows
def plot_function(p: dict, ax=None):
    """:class:`~widgets.ch03_panels.FunctionPanel` of ``ex.properties(name, params, -6, 6, 601)``."""
    return FunctionPanel.plot(p, ax)


def plot_boundaries(r: dict, ax=None, show_acc: bool = True):
    """Decision regions of ``ex.why_nonlinear(...)``'s linear and nonlinear nets; titles with the
    training accuracies unless ``show_acc=False`` (:class:`~widgets.ch03_panels.BoundaryPanel`)."""
    return BoundaryPanel.plot(r, ax, show_acc=show_acc)


def plot_dead_run(r: dict, ax=None):
    """:class:`~widgets.ch03_panels.DeadRunPanel` of one ``tr.dead_relu(...)`` run."""
    return DeadRunPanel.plot(r, ax)


def plot_curves(result: dict, ax=None, smooth: int = 10):
    """Loss curves of ``sp.training_speed(...)`` (labelled by ``result["activations"]``) or of
    ``sp.sigmoid_factorial(...)`` (``result["labels"]``), running means of ``smooth`` steps."""
    labels = result["labels"] if "labels" in result else result["activations"]
    return CurvesPanel.plot(result, ax, labels=labels, smooth=smooth)


def plot_zigzag_run(r: dict, ax=None):
    """:class:`~widgets.ch03_panels.ZigzagPanel` of one ``sp.zigzag(...)`` run."""
    return ZigzagPanel.plot(r, ax)


def plot_saturation_run(r: dict, ax=None):
    """:class:`~widgets.ch03_panels.SaturationRunPanel` of one ``tr.saturation_over_training(...)`` run."""
    return SaturationRunPanel.plot(r, ax, layers=np.shape(r["saturated"])[1])


def plot_softmax_jacobian(d: dict, ax=None):
    """:class:`~widgets.ch03_panels.SoftmaxPanel` of ``{"p", "naive", "J"}`` at one temperature
    (from ``ex.softmax_temperature`` and ``ex.softmax_overflow``)."""
    return SoftmaxPanel.plot(d, ax, k=len(d["p"]))


# ------------------------------------------------------------------ notebook-only figures
def _breaks(x, y, jump=0.2):
    """``y`` with NaN inserted where it jumps (a derivative's discontinuity), so no vertical line is drawn."""
    y = np.array(y, dtype=float)
    j = np.flatnonzero(np.abs(np.diff(y)) > jump)
    return np.insert(x, j + 1, np.nan), np.insert(y, j + 1, np.nan)


def plot_zoo(results: dict, ax=None, ncols: int = 5, params: dict = ZOO_PLOT_PARAMS):
    """A grid of small panels from ``{name: ex.properties(name, params.get(name), -4, 4, 801)}``: f (solid)
    and f' (dashed, broken at jumps) of each function. ``params``: the parameters named in the titles
    (Swish is drawn with beta = 2: with beta = 1 it is SiLU, the next panel). Returns the axes (flat)."""
    nrows = int(np.ceil(len(results) / ncols))
    new = ax is None
    ax = axes(ax, ncols, nrows, figsize=(2.2 * ncols, 1.9 * nrows + 0.4), sharex=True, sharey=True, layout=None)
    for a, (n, p) in zip(ax, results.items()):
        (lf,) = a.plot(p["x"], p["y"], lw=1.8, color="C0")
        (ld,) = a.plot(*_breaks(p["x"], p["dy"]), "--", lw=1.3, color="C1")
        a.axhline(0, color="0.75", lw=0.6)
        a.axvline(0, color="0.75", lw=0.6)
        a.set_ylim(-2, 3)
        a.set_title(n + "".join(f" ({k}={v:g})" for k, v in params.get(n, {}).items()), fontsize=9)
    for a in ax[len(results):]:
        a.set_visible(False)
    if new:
        fig = ax[0].figure
        fig.legend([lf, ld], ["f(x)", "f'(x)"], loc="upper center", ncol=2, fontsize=9, frameon=False)
        fig.supxlabel("x", fontsize=9)
        fig.tight_layout(rect=(0, 0, 1, 0.95))
    return ax


def _over_seeds(r, key):
    """``(steps, mean, low, high)`` of ``r[key]`` ``(n_records, k)``, or of an :func:`~dlcore.experiments.common.over_seeds`
    result ``(n_seeds, n_records, k)`` (mean and min-max band over seeds; NaN records of diverged runs ignored)."""
    v = np.asarray(r[key], dtype=float)
    steps = np.asarray(r["steps"], dtype=float)
    if v.ndim == 2:
        return steps, v, None, None
    steps = np.nanmax(steps, axis=0) if steps.ndim == 2 else steps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # all seeds NaN at a record: stays NaN
        return steps, np.nanmean(v, 0), np.nanmin(v, 0), np.nanmax(v, 0)


def _acc_label(r):
    acc = np.asarray(r["acc"], dtype=float)
    return f"{acc:.2f}" if acc.ndim == 0 else pm(acc)


def plot_dead(results: dict, ax=None):
    """``{label: tr.dead_relu(...)}`` -> inactive fraction of each hidden layer vs step (one panel per layer).

    A value may also be ``over_seeds(tr.dead_relu, ...)``: the line is then the mean over seeds and the
    shaded band spans the seeds (min to max). The legend sits below the panels, where it cannot cover a curve.
    """
    new = ax is None
    ax = axes(ax, 2, figsize=(8, 3.9), sharey=True, layout=None)
    for j, (label, r) in enumerate(results.items()):
        steps, mean, lo, hi = _over_seeds(r, "inactive")
        for i, a in enumerate(ax):
            a.plot(steps, mean[:, i], color=f"C{j}", label=f"{label} (acc {_acc_label(r)})")
            if lo is not None:
                a.fill_between(steps, lo[:, i], hi[:, i], color=f"C{j}", alpha=0.15, lw=0)
    for i, a in enumerate(ax):
        a.set(xlabel="step", ylim=(-0.02, 1.02), title=f"hidden layer {i + 1}")
    ax[0].set_ylabel("inactive fraction" + (" (band: seeds)" if lo is not None else ""))
    if new:
        fig = ax[0].figure
        h, lab = ax[0].get_legend_handles_labels()
        fig.legend(h, lab, loc="lower center", ncol=3, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.13, 1, 1))
    return ax


def plot_zigzag(pos: dict, cen: dict, ax=None):
    """Weight paths of ``sp.zigzag`` with all-positive and with centred inputs; the legend gives the share of
    same-sign updates among the non-zero ones (updates are exactly 0 once w = w*)."""
    ax = axes(ax, figsize=(4, 4), layout=None)
    for r, lab in ((pos, "all-positive inputs"), (cen, "zero-centred inputs")):
        ax.plot(r["path"][:, 0], r["path"][:, 1], ".-", ms=3, lw=0.8,
                label=f"{lab}: {r['same_sign']:.0%} of {r['n_updates']} non-zero updates same-sign")
    ax.plot(*pos["w_star"], "k*", ms=12, label="$w^*$")
    ax.plot([0], [0], "ko", ms=4)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", title="SGD path from $w=0$")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    return ax


def plot_saturation(results: dict, ax=None):
    """``{label: tr.saturation_over_training(...)}`` -> saturated fraction of each hidden layer vs step.

    A value may also be ``over_seeds(tr.saturation_over_training, ...)``: mean over seeds, band min to max.
    """
    ax = axes(ax, figsize=(6, 3), layout=None)
    for j, (label, r) in enumerate(results.items()):
        steps, mean, lo, hi = _over_seeds(r, "saturated")
        for i in range(mean.shape[1]):
            ax.plot(steps, mean[:, i], color=f"C{j}", ls=("-", "--", ":")[i % 3], label=f"{label}, layer {i + 1}")
            if lo is not None:
                ax.fill_between(steps, lo[:, i], hi[:, i], color=f"C{j}", alpha=0.12, lw=0)
    ax.set(xlabel="step", ylabel="fraction saturated", ylim=(-0.02, 1.02))
    ax.legend(fontsize=7, ncol=2, loc="center right")
    return ax


def plot_softmax(r: dict, ax=None):
    """Probabilities of ``ex.softmax_temperature`` for each temperature (grouped bars)."""
    ax = axes(ax, figsize=(5, 3), layout=None)
    n, K = r["probs"].shape
    w = 0.8 / n
    for i in range(n):
        ax.bar(np.arange(K) + (i - (n - 1) / 2) * w, r["probs"][i], w, label=f"T={r['T'][i]:g}")
    ax.set(xlabel="class $i$", ylabel="$s_i$", xticks=range(K), title="softmax(z / T)")
    ax.legend(fontsize=8)
    return ax


def plot_mish_errata(r: dict, ax=None):
    """Mish with ln (right) and with log10 (the notes' code), from ``ex.mish_errata()``."""
    ax = axes(ax, figsize=(5, 3), layout=None)
    ax.plot(r["x"], r["right"], label="Mish, natural log (right)")
    ax.plot(r["x"], r["wrong"], "--", label="with log10 (the notes' code)")
    ax.plot(r["points"], r["right_at"], "o", color="C0")
    ax.plot(r["points"], r["wrong_at"], "o", color="C1")
    ax.set(xlabel="x", ylabel="f(x)")
    ax.legend(fontsize=8)
    return ax
