"""Chapter 03 static figures: the zoo grid, decision boundaries, dead units, curves, zig-zag, saturation,
softmax and the Mish errata. Each takes the data a :mod:`dlcore.experiments.activations` or
:mod:`dlcore.experiments.activations_train` / ``activations_speed`` function returns and an optional ``ax``/``axes``.
"""
from __future__ import annotations

import warnings

import numpy as np

from dlcore.experiments import activations as ex
from dlcore.experiments.common import pm

__all__ = ["plot_zoo", "plot_boundaries", "plot_dead", "plot_curves", "plot_zigzag", "plot_saturation", "plot_softmax", "plot_mish_errata"]


def _ax(ax, **kw):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(**kw)
    return ax


def _breaks(x, y, jump=0.2):
    """``y`` with NaN inserted where it jumps (a derivative's discontinuity), so no vertical line is drawn."""
    y = np.array(y, dtype=float)
    j = np.flatnonzero(np.abs(np.diff(y)) > jump)
    return np.insert(x, j + 1, np.nan), np.insert(y, j + 1, np.nan)


#: parameters the zoo figure uses where the default would duplicate another panel
ZOO_PLOT_PARAMS = {"swish": {"beta": 2.0}}


def plot_zoo(names=ex.ZOO, ncols=5, axes=None):
    """A grid of small panels: f (solid) and f' (dashed, broken at jumps) of each function on [-4, 4].

    Swish is drawn with beta = 2 (with beta = 1 it is SiLU, the next panel).
    """
    import matplotlib.pyplot as plt
    fig = None
    if axes is None:
        nrows = int(np.ceil(len(names) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.2 * ncols, 1.9 * nrows + 0.4), sharex=True, sharey=True)
    axes = np.ravel(axes)
    for a, n in zip(axes, names):
        prm = ZOO_PLOT_PARAMS.get(n, {})
        p = ex.properties(n, prm, lo=-4, hi=4, n=801)
        (lf,) = a.plot(p["x"], p["y"], lw=1.8, color="C0")
        (ld,) = a.plot(*_breaks(p["x"], p["dy"]), "--", lw=1.3, color="C1")
        a.axhline(0, color="0.75", lw=0.6)
        a.axvline(0, color="0.75", lw=0.6)
        a.set_ylim(-2, 3)
        title = n + "".join(f" ({k}={v:g})" for k, v in prm.items())
        a.set_title(title, fontsize=9)
    for a in axes[len(names):]:
        a.set_visible(False)
    if fig is not None:
        fig.legend([lf, ld], ["f(x)", "f'(x)"], loc="upper center", ncol=2, fontsize=9, frameon=False)
        fig.supxlabel("x", fontsize=9)
        fig.tight_layout(rect=(0, 0, 1, 0.95))
    return axes


def plot_boundaries(r, axes=None):
    """Decision regions of :func:`why_nonlinear`'s linear and nonlinear nets."""
    import matplotlib.pyplot as plt
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    ext = (r["gx"][0], r["gx"][-1], r["gy"][0], r["gy"][-1])
    for a, tag in zip(axes, ("linear", "nonlinear")):
        a.imshow(r[f"grid_{tag}"], origin="lower", extent=ext, cmap="coolwarm", alpha=0.4, aspect="auto", vmin=0, vmax=2)
        a.scatter(r["X"][:, 0], r["X"][:, 1], c=np.array(["C0", "C3", "C2"])[r["y"]], s=5)
        a.set_title(f"{tag}: train acc {r[f'acc_{tag}']:.2f}", fontsize=10)
        a.set(xlabel="$x_1$", xlim=ext[:2], ylim=ext[2:])
    axes[0].set_ylabel("$x_2$")
    return axes


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


def plot_dead(results: dict, axes=None):
    """``{label: dead_relu(...)}`` -> inactive fraction of each hidden layer vs step (one panel per layer).

    A value may also be ``over_seeds(dead_relu, ...)``: the line is then the mean over seeds and the
    shaded band spans the seeds (min to max). The legend sits below the panels, where it cannot cover a curve.
    """
    import matplotlib.pyplot as plt
    fig = None
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.9), sharey=True)
    for j, (label, r) in enumerate(results.items()):
        steps, mean, lo, hi = _over_seeds(r, "inactive")
        for i, a in enumerate(axes):
            a.plot(steps, mean[:, i], color=f"C{j}", label=f"{label} (acc {_acc_label(r)})")
            if lo is not None:
                a.fill_between(steps, lo[:, i], hi[:, i], color=f"C{j}", alpha=0.15, lw=0)
    for i, a in enumerate(axes):
        a.set(xlabel="step", ylim=(-0.02, 1.02), title=f"hidden layer {i + 1}")
    axes[0].set_ylabel("inactive fraction" + (" (band: seeds)" if lo is not None else ""))
    if fig is not None:
        h, lab = axes[0].get_legend_handles_labels()
        fig.legend(h, lab, loc="lower center", ncol=3, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.13, 1, 1))
    return axes


def plot_curves(labels, loss, ax=None, smooth=10):
    """Loss curves (one row of ``loss`` per label), smoothed by a running mean of ``smooth`` steps."""
    ax = _ax(ax, figsize=(6.5, 3))
    k = np.ones(smooth) / smooth
    for lab, c in zip(labels, loss):
        ax.plot(np.arange(smooth, len(c) + 1), np.convolve(c, k, mode="valid"), label=lab)
    ax.set(yscale="log", xlabel="step", ylabel=f"training loss ({smooth}-step mean)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def plot_zigzag(pos, cen, ax=None):
    """Weight paths of :func:`zigzag` with all-positive and with centred inputs; the legend gives the share of
    same-sign updates among the non-zero ones (updates are exactly 0 once w = w*)."""
    ax = _ax(ax, figsize=(4, 4))
    for r, lab in ((pos, "all-positive inputs"), (cen, "zero-centred inputs")):
        ax.plot(r["path"][:, 0], r["path"][:, 1], ".-", ms=3, lw=0.8, label=f"{lab}: {r['same_sign']:.0%} of {r['n_updates']} non-zero updates same-sign")
    ax.plot(*pos["w_star"], "k*", ms=12, label="$w^*$")
    ax.plot([0], [0], "ko", ms=4)
    ax.set(xlabel="$w_1$", ylabel="$w_2$", title="SGD path from $w=0$")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    return ax


def plot_saturation(results: dict, ax=None):
    """``{label: saturation_over_training(...)}`` -> saturated fraction of each hidden layer vs step.

    A value may also be ``over_seeds(saturation_over_training, ...)``: mean over seeds, band min to max.
    """
    ax = _ax(ax, figsize=(6, 3))
    for j, (label, r) in enumerate(results.items()):
        steps, mean, lo, hi = _over_seeds(r, "saturated")
        for i in range(mean.shape[1]):
            ax.plot(steps, mean[:, i], color=f"C{j}", ls=("-", "--", ":")[i % 3], label=f"{label}, layer {i + 1}")
            if lo is not None:
                ax.fill_between(steps, lo[:, i], hi[:, i], color=f"C{j}", alpha=0.12, lw=0)
    ax.set(xlabel="step", ylabel="fraction saturated", ylim=(-0.02, 1.02))
    ax.legend(fontsize=7, ncol=2, loc="center right")
    return ax


def plot_softmax(r, ax=None):
    """Probabilities of :func:`softmax_temperature` for each temperature (grouped bars)."""
    ax = _ax(ax, figsize=(5, 3))
    n, K = r["probs"].shape
    w = 0.8 / n
    for i in range(n):
        ax.bar(np.arange(K) + (i - (n - 1) / 2) * w, r["probs"][i], w, label=f"T={r['T'][i]:g}")
    ax.set(xlabel="class $i$", ylabel="$s_i$", xticks=range(K), title="softmax(z / T)")
    ax.legend(fontsize=8)
    return ax


def plot_mish_errata(r, ax=None):
    """Mish with ln (right) and with log10 (the notes' code)."""
    ax = _ax(ax, figsize=(5, 3))
    ax.plot(r["x"], r["right"], label="Mish, natural log (right)")
    ax.plot(r["x"], r["wrong"], "--", label="with log10 (the notes' code)")
    ax.plot(r["points"], r["right_at"], "o", color="C0")
    ax.plot(r["points"], r["wrong_at"], "o", color="C1")
    ax.set(xlabel="x", ylabel="f(x)")
    ax.legend(fontsize=8)
    return ax
