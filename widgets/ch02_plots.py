"""Chapter 02 static figures (the notebook's ordinary cells); the explorers are in :mod:`widgets.ch02_gradients`.

Every helper takes the dict a :mod:`dlcore.experiments.gradients` /
:mod:`dlcore.experiments.gradients_shape` function returned, draws it on
``axes``/``ax`` (new axes if None) and returns the axes. Nothing is computed here.
"""
from __future__ import annotations

import numpy as np

from widgets.plots import Panel, data_range, fit_limits, nearest_image, quick_log_labels
from widgets.plots import axes as new_axes

__all__ = ["LayerSpeedPanel", "ResidualPanel", "SignalPanel", "ClippingPanel", "plot_layer_speeds", "plot_signal", "plot_jacobian", "plot_clipping", "plot_residual", "plot_shapes",
           "layer_colors", "floor", "plain_log_ticks"]

#: data lines: never dotted (a dotted line is a mean-field prediction, in the figures and the explorer)
_STYLES = ["-", "--", "-.", (0, (6, 1.5, 1, 1.5, 1, 1.5))]


def layer_colors(n):
    """``n`` colours from dark (layer 1) to light (last layer), viridis."""
    import matplotlib
    return [matplotlib.colormaps["viridis"](x) for x in np.linspace(0.05, 0.9, max(n, 1))]


def floor(v, lo=1e-30):
    """``v`` as float with NaN/inf/values below ``lo`` replaced, so a log axis can draw it."""
    return np.maximum(np.nan_to_num(np.asarray(v, dtype=float), nan=lo, posinf=1e30), lo)


def plain_log_ticks(ax):
    """Label a log y axis 1, 2, 5, 10, 20, ... instead of powers of ten with crowded minor labels."""
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


class LayerSpeedPanel(Panel):
    """Left: :math:`\\lVert\\delta^l\\rVert` per hidden layer at initialisation; right: the same while
    training (one line per layer, dark = layer 1). Up to ``max_depth`` hidden layers."""

    ncols, figsize = 2, (9, 3.4)

    def __init__(self, ax, max_depth: int = 10):
        super().__init__(ax)
        self.ax0, self.ax1 = ax
        self.init_line = self.changes(self.ax0.semilogy([1], [1], "-", color="0.6", zorder=1)[0])
        self.init_dots = self.changes(self.ax0.scatter([1], [1], zorder=2))
        self.lines = list(self.changes(*[self.ax1.semilogy([0], [1])[0] for _ in range(max_depth)]))
        self.ax0.set_xlabel("hidden layer $l$")
        self.ax0.set_ylabel(r"speed $\|\delta^l\|$ at init")
        self.ax0.set_title("at initialisation", fontsize=10)
        self.ax1.set_xlabel("training step")
        self.ax1.set_ylabel(r"$\|\delta^l\|$ on the mini-batch" "\n(layer 1 = darkest)")
        self.ax1.set_title("while training", fontsize=10)
        for a in (self.ax0, self.ax1):
            a.grid(True, alpha=0.3)

    def update(self, r):
        s = floor(r["init_speed"])
        d = len(s)
        if d > len(self.lines):
            raise ValueError(f"this panel draws up to {len(self.lines)} hidden layers, got {d}")
        cols = layer_colors(d)
        layers = np.arange(1, d + 1)
        self.init_line.set_data(layers, s)
        self.init_dots.set_offsets(np.column_stack([layers, s]))
        self.init_dots.set_facecolors(cols)
        for i, line in enumerate(self.lines):
            if i < d:
                line.set_data(r["steps"], floor(r["speed"][:, i]))
                line.set_color(cols[i])
            else:
                line.set_data([], [])
        lo, hi = data_range(s, floor(r["speed"]), positive=True)
        for a in (self.ax0, self.ax1):
            fit_limits(a, lo, hi)
        self.ax0.set_xlim(0.5, d + 0.5)
        self.ax0.set_xticks(layers)
        steps = np.asarray(r["steps"])
        self.ax1.set_xlim(0, max(float(steps.max()) if steps.size else 1.0, 1.0))
        return self


def plot_layer_speeds(r: dict, ax=None):
    """:class:`LayerSpeedPanel` of a :func:`~dlcore.experiments.gradients.layer_speeds` result; returns the axes."""
    return LayerSpeedPanel.plot(r, ax)


#: the RMS axis's limits: fine near 1, coarse far from it (in an explorer each set of limits is drawn once)
RMS_STOPS = [10.0 ** k for k in (-45, -30, -20, -15, -10, -7, -5, -3, -1, 1, 3, 5, 7, 10, 15, 20, 30, 40)]


def _positive(v):
    """NaN where ``v`` is not finite or not positive: a log-axis line stops there instead of jumping."""
    v = np.asarray(v, dtype=float)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


class SignalPanel(Panel):
    """One heat map per ``forward_signal`` result (layer upwards, activation value across, colour = log10
    density of the outputs) and their RMS per layer: measured (never dotted) and the mean-field prediction
    ``theory_rms`` (thin dotted, same colour).

    ``ax``: the heat-map axes, then the RMS axes. ``labels``: one per result, in order (a single label
    gets a legend entry for the measured line and one for the theory). ``rows``: a fixed number of
    image rows (rows beyond a result's depth are blank; an explorer's depth slider), else the depth.
    """

    def __init__(self, ax, labels, rows: int | None = None, colorbar: bool = True):
        super().__init__(ax)
        *self.heat, self.rms_ax = np.ravel(np.asarray(ax, dtype=object))
        self.labels, self.rows = list(labels), rows
        if len(self.heat) != len(self.labels):
            raise ValueError(f"{len(self.labels)} labels for {len(self.heat)} heat-map axes")
        one = len(self.labels) == 1
        self.imgs = []
        for i, (a, label) in enumerate(zip(self.heat, self.labels)):
            self.imgs.append(self.changes(nearest_image(a, np.full((rows or 1, 60), -3.0),
                                                         (-3, 3, 0.5, (rows or 1) + 0.5), "magma", -3, 1.5)))
            if not one:
                a.set_title(label, fontsize=9, color=f"C{i}")
            a.set_xlabel("activation value")
            a.grid(False)
        self.heat[0].set_ylabel("layer")
        if colorbar:
            cb = self.heat[0].figure.colorbar(self.imgs[0], ax=list(self.heat), fraction=0.02, pad=0.01)
            cb.set_label("log10 density", fontsize=8)
            cb.ax.tick_params(labelsize=7)
        a = self.rms_ax
        self.rms = [self.changes(a.semilogy([1], [1], color=f"C{i}", ls=_STYLES[i % 4], lw=1.8, label=label)[0])
                    for i, label in enumerate(self.labels)]
        self.theory = [self.changes(a.semilogy([1], [1], color="0.4" if one else f"C{i}", ls=":", lw=1.2,
                                               label="mean-field theory" if one else "_theory")[0])
                       for i in range(len(self.labels))]
        quick_log_labels(a.yaxis)                        # new limits, new labels: parsed faster
        a.set_xlabel("layer")
        a.set_ylabel("RMS of the output")
        a.set_title("RMS (dotted: mean-field theory)", fontsize=9)
        a.grid(True, alpha=0.3)
        a.legend(fontsize=7, loc="lower left")

    def update(self, results):
        """``results``: a dict label -> ``forward_signal`` result, one per label, in order."""
        if len(results) != len(self.labels):
            raise ValueError(f"{len(self.labels)} labels, {len(results)} results")
        depth, values = 1, []
        for a, img, rms, th, r in zip(self.heat, self.imgs, self.rms, self.theory, results.values()):
            L = len(r["rms"])
            depth = max(depth, L)
            R = self.rows or L
            e = r["edges"]
            data = np.full((R, len(e) - 1), -3.0)
            data[:L] = np.log10(np.asarray(r["hist"])[:R] + 1e-3)
            img.set_data(data)
            img.set_extent((e[0], e[-1], 0.5, R + 0.5))
            a.set_xlim(e[0], e[-1])
            a.set_ylim(0.5, L + 0.5)                     # the layers there are
            layers = np.arange(1, L + 1)
            v, t = _positive(r["rms"]), _positive(r["theory_rms"])
            rms.set_data(layers, v)                      # a signal that underflows to 0 (or overflows) stops
            th.set_data(layers, t)
            values += [v, t]
        self.rms_ax.set_xlim(0.5, depth + 0.5)
        fit_limits(self.rms_ax, *data_range(*values, positive=True), margin=0.03, stops=RMS_STOPS)
        return self


def plot_signal(results: dict, ax=None):
    """:class:`SignalPanel` of several ``forward_signal`` results (a dict label -> result): one heat map
    each and the RMS panel. Returns the axes (heat maps, then RMS)."""
    n = len(results)
    ax = new_axes(ax, n + 1, figsize=(2.9 * n + 3.6, 3.4))
    SignalPanel(ax, labels=list(results)).update(results)
    return ax


def plot_jacobian(results: dict, axes=None, at: int | None = None):
    """For each result of ``jacobian_product``: log10 of the norm and the effective rank against depth,
    and the normalised singular values at depth ``at`` (default: the last)."""
    ax0, ax1, ax2 = new_axes(axes, 3, figsize=(11, 3.4))
    k = None
    for i, (label, r) in enumerate(results.items()):
        k = (at or len(r["depths"])) - 1
        st = {"color": f"C{i}", "ls": _STYLES[i % 4], "label": label}
        ax0.plot(r["depths"], r["log10_norm"], **st)
        ax1.plot(r["depths"], r["erank"], **st)
        ax2.semilogy(np.arange(1, r["sv"].shape[1] + 1), floor(r["sv"][k], 1e-16), **st)
    ax0.set_ylabel(r"$\log_{10}\|J_L\cdots J_1\|_2$")
    ax0.set_title("norm of the product", fontsize=10)
    ax1.set_ylabel("effective rank")
    ax1.set_yscale("log")
    plain_log_ticks(ax1)
    ax1.set_title("effective rank", fontsize=10)
    ax2.set_ylabel(r"$\sigma_i/\sigma_1$")
    ax2.set_xlabel("index $i$")
    ax2.set_ylim(1e-16, 2)
    ax2.set_title(f"singular values at depth {k + 1 if k is not None else ''}", fontsize=10)
    for a in (ax0, ax1):
        a.set_xlabel("depth $L$")
    for a in (ax0, ax1, ax2):
        a.grid(True, alpha=0.3)
    ax0.legend(fontsize=7)
    return ax0, ax1, ax2


class ClippingPanel(Panel):
    """Loss, global gradient norm before clipping and after clipping, per step, for ``explode_and_clip``
    results (a dict label -> result, one per label). The loss axis stops at ``loss_top`` so the stable
    runs stay readable; a run that diverged is drawn up to the edge, with a dotted line at its divergence
    step (and, with ``annotate``, its step written there) and a cross at its last norm. The "after" panel
    shows the runs that clipped (the others would repeat the "before" line)."""

    def __init__(self, ax, labels, loss_top: float = 1e3, annotate: bool = True):
        super().__init__(ax)
        self.ax0, self.ax1, self.ax2 = np.ravel(np.asarray(ax, dtype=object))
        self.labels, self.loss_top, self.annotate = list(labels), float(loss_top), annotate
        n = len(self.labels)
        cols = [f"C{i}" for i in range(n)]
        self.loss = [self.changes(self.ax0.semilogy([1], [1], color=c, label=l)[0]) for c, l in zip(cols, labels)]
        self.pre = [self.changes(self.ax1.semilogy([1], [1], color=c, label=l)[0]) for c, l in zip(cols, labels)]
        self.post = [self.changes(self.ax2.semilogy([1], [1], color=c, label=l)[0]) for c, l in zip(cols, labels)]
        self.mark = [self.changes(self.ax0.axvline(-10, color=c, ls=":", lw=1)) for c in cols]
        self.cross = [self.changes(self.ax1.plot([np.nan], [np.nan], "x", color=c, ms=9)[0]) for c in cols]
        self.note = [self.changes(self.ax0.annotate("", (1, self.loss_top), xytext=(6, -12), textcoords="offset points",
                                                    fontsize=7, color=c)) for c in cols]
        self.ax0.set_ylabel("mini-batch loss")
        self.ax1.set_ylabel(r"global $\|g\|$ before clipping")
        self.ax2.set_ylabel(r"global $\|g\|$ after clipping (clipped runs)")
        for a in (self.ax0, self.ax1, self.ax2):
            a.set_xlabel("step")
            a.grid(True, alpha=0.3)
        if n > 1:
            self.ax0.legend(fontsize=7, loc="upper right")

    def update(self, results):
        if len(results) != len(self.labels):
            raise ValueError(f"{len(self.labels)} labels, {len(results)} results")
        losses, norms, last = [], [], 1
        for i, r in enumerate(results.values()):
            loss = _positive(r["loss"])                                  # NaN/inf: the line just stops
            pre, post = _positive(r["grad_norm"]), _positive(r["grad_norm_post"])
            steps = np.arange(1, len(pre) + 1)
            self.loss[i].set_data(np.arange(1, len(loss) + 1), np.minimum(loss, self.loss_top))   # up to the edge
            self.pre[i].set_data(steps, pre)
            clipped = not np.array_equal(r["grad_norm"], r["grad_norm_post"])
            self.post[i].set_data(steps if clipped else [], post if clipped else [])
            d = r["divergence"]
            self.mark[i].set_xdata([d["step"]] * 2 if d else [np.nan, np.nan])
            self.cross[i].set_data([len(pre)] if d and len(pre) else [np.nan],
                                   [floor(r["grad_norm"][-1:])[0]] if d and len(pre) else [np.nan])
            self.note[i].set_text(f"non-finite at step {d['step']}" if d and self.annotate else "")
            self.note[i].xy = (d["step"] if d else 1, self.loss_top)
            losses.append(loss)
            norms += [pre, post if clipped else []]
            last = max(last, len(loss), len(pre))
        for a in (self.ax0, self.ax1, self.ax2):
            a.set_xlim(0, last + 1)
        lo = data_range(*losses, positive=True)[0]
        fit_limits(self.ax0, lo, self.loss_top, home=(1e-2, self.loss_top))
        self.ax0.set_ylim(top=self.loss_top)
        fit_limits(self.ax1, *data_range(*norms[0::2], positive=True))
        after = [v for v in norms[1::2] if len(v)]
        if after:
            fit_limits(self.ax2, *data_range(*after, positive=True))
        return self


def plot_clipping(results: dict, ax=None, loss_top: float = 1e3):
    """:class:`ClippingPanel` of several ``explode_and_clip`` results (a dict label -> result); returns
    the three axes (loss, norm before clipping, norm after clipping)."""
    ax = new_axes(ax, 3, figsize=(12, 3.4))
    ClippingPanel(ax, labels=list(results), loss_top=loss_top).update(results)
    return ax


class ResidualPanel(Panel):
    """Gradient norm of every Linear layer at initialisation (left) and validation accuracy while
    training (right), plain (red) vs residual (blue), for a ``residual_vs_plain`` result."""

    ncols, figsize = 2, (9, 3.4)
    kinds = (("plain", "C3"), ("residual", "C0"))

    def __init__(self, ax):
        from matplotlib.ticker import MaxNLocator
        super().__init__(ax)
        self.ax0, self.ax1 = ax
        self.g = {k: self.changes(self.ax0.semilogy([1], [1], "o-", color=c, ms=3, label=k)[0]) for k, c in self.kinds}
        self.acc = {k: self.changes(self.ax1.plot([0], [0], "o-", ms=3, color=c, label=k)[0]) for k, c in self.kinds}
        self.ax0.set_xlabel("Linear layer $l$ (1 = input side)")
        self.ax0.set_ylabel(r"$\|\partial L/\partial W^l\|$ at init")
        self.ax0.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax1.set_xlabel("step")
        self.ax1.set_ylabel("validation accuracy")
        self.ax1.set_ylim(0, 1)
        for a in (self.ax0, self.ax1):
            a.grid(True, alpha=0.3)
        self.ax0.legend(fontsize=8, loc="lower right")
        self.ax1.legend(fontsize=8, loc="upper left")

    def update(self, r):
        allg = []
        for k, _ in self.kinds:
            if k not in r:
                self.g[k].set_data([], [])
                self.acc[k].set_data([], [])
                continue
            g = floor(r[k]["grad_norms"])
            allg.append(g)
            self.g[k].set_data(np.arange(1, len(g) + 1), g)
            self.acc[k].set_data(r[k]["eval_steps"], r[k]["val_acc"])
        fit_limits(self.ax0, *data_range(*allg, positive=True))
        self.ax0.set_xlim(0, max(len(g) for g in allg) + 1)          # the Linear layers there are
        last = max([float(np.max(r[k]["eval_steps"])) for k, _ in self.kinds if k in r and len(r[k]["eval_steps"])],
                   default=1.0)
        self.ax1.set_xlim(0, last)
        return self


def plot_residual(r: dict, ax=None):
    """:class:`ResidualPanel` of a ``residual_vs_plain`` result; returns the axes."""
    return ResidualPanel.plot(r, ax)


def plot_shapes(r: dict, ax=None, key: str = "shapes"):
    """Mean validation accuracy (bars, value written at the end) and each seed (dots) for
    ``shape_comparison`` (``key="shapes"``) or ``remedies_table`` (``key="remedies"``)."""
    ax = new_axes(ax, figsize=(7, 0.38 * len(r[key]) + 1.0))
    names = r[key]
    y = np.arange(len(names))
    ax.barh(y, r["mean"], xerr=r["std"], color="C0", alpha=0.6, error_kw={"lw": 1, "capsize": 2})
    for i, row in enumerate(r["acc"]):
        ax.plot(row, np.full(len(row), i), "k.", ms=4)
        ax.text(min(np.nanmax(row), 1.0) + 0.02, i, f"{r['mean'][i]:.3f}", va="center", fontsize=8)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("validation accuracy (bar: mean over seeds, dots: each seed)")
    ax.invert_yaxis()
    ax.grid(True, axis="x", alpha=0.3)
    return ax
