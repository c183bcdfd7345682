"""Chapter 03 figures that an explorer also shows, one panel each (see :mod:`widgets.plots`).

Each panel creates its artists once and draws a result of :mod:`dlcore.experiments.activations`,
``activations_train`` or ``activations_speed`` in place; :mod:`widgets.ch03_plots` wraps each in a
``plot_x(result, ax=None)`` for the notebook, :mod:`widgets.ch03_activations` builds the same panels.
Text about a result (properties, accuracies, a verdict) is not drawn here: the explorers write it
on their info line (``set_info``), and the static figures that show it take it as an option.
"""
from __future__ import annotations

import numpy as np

from widgets.plots import Panel, data_range, fit_limits

__all__ = ["FunctionPanel", "BoundaryPanel", "DeadRunPanel", "CurvesPanel", "ZigzagPanel", "SaturationRunPanel",
           "SoftmaxPanel", "running_mean", "CLASS_COLORS"]

#: colours of the classes of moons / spirals (points of the decision-region figure)
CLASS_COLORS = np.array(["C0", "C3", "C2"])


def running_mean(c, smooth: int) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, mean)``: the running mean of ``smooth`` steps of a loss curve (first point at step ``smooth``)."""
    c = np.convolve(np.asarray(c, dtype=float), np.ones(smooth) / smooth, mode="valid")
    return np.arange(smooth, smooth + len(c)), c


class FunctionPanel(Panel):
    """f (left) and f' (right) of one :func:`~dlcore.experiments.activations.properties` result, with a
    red band at the bottom where the function saturates; the axes widen where f or f' leave the usual ranges."""

    ncols, figsize = 2, (8, 3.0)
    home_f, home_d, home_x = (-2.5, 6.0), (-0.3, 1.9), (-6.0, 6.0)   # most functions and parameters fit here

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_f, self.ax_d = ax
        self.f = self.ax_f.plot([], [], lw=2)[0]
        self.sat_f = self.ax_f.plot([], [], lw=8, alpha=0.25, color="C3", solid_capstyle="butt")[0]
        self.d = self.ax_d.plot([], [], lw=2, color="C1")[0]
        self.sat_d = self.ax_d.plot([], [], lw=8, alpha=0.25, color="C3", solid_capstyle="butt")[0]
        self.changes(self.f, self.sat_f, self.d, self.sat_d)
        self.ax_f.set(xlim=self.home_x, ylim=self.home_f, title="f(x)   (red: saturated)", xlabel="x")
        self.ax_d.set(xlim=self.home_x, ylim=self.home_d, title="f'(x)", xlabel="x")
        for a in ax:
            a.axhline(0, color="0.7", lw=0.8)
            a.axvline(0, color="0.7", lw=0.8)

    def update(self, p):
        x, sat = p["x"], np.where(p["saturated"], 1.0, np.nan)
        self.f.set_data(x, p["y"])
        self.d.set_data(x, p["dy"])
        for ax, y, home, band in ((self.ax_f, p["y"], self.home_f, self.sat_f),
                                  (self.ax_d, p["dy"], self.home_d, self.sat_d)):
            fit_limits(ax, x[0], x[-1], axis="x", margin=0.0, home=self.home_x)
            fit_limits(ax, *data_range(y, include=0), margin=0.08, home=home)
            lo, hi = ax.get_ylim()
            band.set_data(x, (lo + 0.012 * (hi - lo)) * sat)          # the red band stays at the bottom
        return self


class BoundaryPanel(Panel):
    """Decision regions of :func:`~dlcore.experiments.activations.why_nonlinear`'s linear (left) and
    nonlinear (right) nets over the training points. ``show_acc``: the titles give each net's training
    accuracy (the static figure; an explorer writes them on its info line instead)."""

    ncols, figsize = 2, (8, 3.4)
    tags = ("linear", "nonlinear")

    def __init__(self, ax, show_acc: bool = False):
        super().__init__(ax)
        self.show_acc = show_acc
        self.ims, self.pts = [], []
        for a, tag in zip(ax, self.tags):
            self.ims.append(a.imshow(np.zeros((2, 2)), origin="lower", cmap="coolwarm", alpha=0.4, vmin=0, vmax=2,
                                     aspect="auto"))
            self.pts.append(a.scatter(np.zeros(0), np.zeros(0), s=5))
            self.changes(self.ims[-1], self.pts[-1])
            a.set(xlabel="$x_1$", title=tag)
            a.title.set_fontsize(10)
        ax[0].set_ylabel("$x_2$")

    def update(self, r):
        ext = (r["gx"][0], r["gx"][-1], r["gy"][0], r["gy"][-1])
        colors = CLASS_COLORS[r["y"]]
        for a, im, pt, tag in zip(self.ax, self.ims, self.pts, self.tags):
            im.set_data(r[f"grid_{tag}"])
            im.set_extent(ext)
            pt.set_offsets(r["X"])
            pt.set_color(colors)
            a.set_xlim(ext[:2])
            a.set_ylim(ext[2:])
            if self.show_acc:
                a.set_title(f"{tag}: train acc {r[f'acc_{tag}']:.2f}", fontsize=10)
        return self


class DeadRunPanel(Panel):
    """One :func:`~dlcore.experiments.activations_train.dead_relu` run: the inactive fraction of each hidden
    layer (left) and the training loss (right, not clipped: the axis follows a blow-up)."""

    ncols, figsize = 2, (8, 3.2)
    home_loss = (0.02, 20)

    def __init__(self, ax, steps: int = 300):
        super().__init__(ax)
        self.ax_i, self.ax_l = ax
        self.lines = [self.changes(self.ax_i.plot([], [], label=f"hidden layer {i + 1}")[0]) for i in range(2)]
        self.loss = self.changes(self.ax_l.plot([], [], color="C2")[0])
        self.ax_i.set(ylim=(-0.02, 1.02), xlim=(0, steps), xlabel="step", ylabel="inactive fraction",
                    title=f"inactive units (z <= 0 on all {steps} images)")
        self.ax_i.legend(loc="center right", fontsize=8)
        self.ax_l.set(yscale="log", ylim=self.home_loss, xlim=(0, steps), xlabel="step", title="training loss")

    def update(self, r):
        for i, line in enumerate(self.lines):
            line.set_data(r["steps"], r["inactive"][:, i])
        loss = np.where(np.isfinite(r["loss"]) & (r["loss"] > 0), r["loss"], np.nan)
        self.loss.set_data(np.arange(1, len(loss) + 1), loss)
        fit_limits(self.ax_l, *data_range(loss, positive=True), home=self.home_loss)
        return self


class CurvesPanel(Panel):
    """Training-loss curves, one per label (``result["loss"]``, one row each, e.g. the mean over seeds of
    :func:`~dlcore.experiments.activations_speed.training_speed`), as running means of ``smooth`` steps."""

    figsize = (6.5, 3)
    home = (0.03, 3)

    def __init__(self, ax, labels, smooth: int = 10):
        super().__init__(ax)
        self.smooth = smooth
        self.lines = [self.changes(ax.plot([], [], label=lab)[0]) for lab in labels]
        ax.set(yscale="log", ylim=self.home, xlabel="step", ylabel=f"training loss ({smooth}-step mean)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)

    def update(self, result):
        curves = []
        for line, loss in zip(self.lines, result["loss"]):
            steps, c = running_mean(loss, self.smooth)
            line.set_data(steps, c)
            curves.append(c)
        n = max(len(np.asarray(c)) for c in result["loss"])
        fit_limits(self.ax, 0, n, axis="x", margin=0.0, home=(0, n))
        # a large learning rate sends some losses far above 3: the axis follows them
        fit_limits(self.ax, *data_range(*curves, positive=True), home=self.home)
        return self


class ZigzagPanel(Panel):
    """One :func:`~dlcore.experiments.activations_speed.zigzag` run: the weight path to :math:`w^*` (left)
    and the distance to it (right); the usual box widens when a large learning rate overshoots."""

    ncols, figsize = 2, (8, 3.2)
    home_x, home_y, home_d = (-0.5, 2.0), (-2.0, 0.5), (1e-6, 5)

    def __init__(self, ax):
        super().__init__(ax)
        self.ax_p, self.ax_d = ax
        self.path = self.changes(self.ax_p.plot([], [], ".-", ms=3, lw=0.8)[0])
        self.star = self.changes(self.ax_p.plot([], [], "k*", ms=12)[0])
        self.dist = self.changes(self.ax_d.plot([], [])[0])
        self.ax_p.set(xlim=self.home_x, ylim=self.home_y, xlabel="w1", ylabel="w2", title="weight path to w*")
        self.ax_d.set(yscale="log", ylim=self.home_d, xlim=(0, 200), xlabel="step", title="distance to w*")

    def update(self, r):
        p, dist = r["path"], r["distance"]
        self.path.set_data(p[:, 0], p[:, 1])
        self.star.set_data(r["w_star"][:1], r["w_star"][1:])
        self.dist.set_data(np.arange(len(dist)), dist)
        for axis, v, home in (("x", p[:, 0], self.home_x), ("y", p[:, 1], self.home_y)):
            fit_limits(self.ax_p, *data_range(v, include=home), axis=axis, margin=0.05, home=home)
        fit_limits(self.ax_d, 0, len(dist) - 1, axis="x", margin=0.0, home=(0, 200))
        fit_limits(self.ax_d, *data_range(dist, positive=True), home=self.home_d)
        return self


class SaturationRunPanel(Panel):
    """One :func:`~dlcore.experiments.activations_train.saturation_over_training` run: the saturated fraction
    of each hidden layer against the step (nothing drawn for a run that diverged)."""

    figsize = (8, 3.2)

    def __init__(self, ax, steps: int = 300, layers: int = 3):
        super().__init__(ax)
        self.lines = [self.changes(ax.plot([], [], label=f"hidden layer {i + 1}")[0]) for i in range(layers)]
        ax.set(ylim=(-0.02, 1.02), xlim=(0, steps), xlabel="step", ylabel="fraction saturated")
        ax.legend(fontsize=8, loc="center right")

    def update(self, r):
        for i, line in enumerate(self.lines):
            line.set_data(r["steps"], r["saturated"][:, i])
        return self


class SoftmaxPanel(Panel):
    """softmax(z/T) at one temperature: the probabilities by the stable and by the naive formula in float32
    (a NaN of an overflow drawn as 0), and the Jacobian ``d["J"]`` (entries lie in [-1/4, 1/4])."""

    ncols, figsize = 2, (8, 3.0)

    def __init__(self, ax, k: int = 4):
        super().__init__(ax)
        self.ax_p, self.ax_j = ax
        self.bars = self.changes(*self.ax_p.bar(np.arange(k) - 0.2, np.zeros(k), 0.4, label="stable"))
        self.nbars = self.changes(*self.ax_p.bar(np.arange(k) + 0.2, np.zeros(k), 0.4, label="naive (float32)"))
        self.im = self.changes(self.ax_j.imshow(np.zeros((k, k)), cmap="RdBu", vmin=-0.25, vmax=0.25))
        self.ax_j.figure.colorbar(self.im, ax=self.ax_j, fraction=0.046, pad=0.04)
        self.ax_p.set(ylim=(0, 1.05), xticks=range(k), ylabel="probability $s_i$", xlabel="class $i$")
        # above the axes: a bar near 1 would hide under a legend inside them
        self.ax_p.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        self.ax_j.set(title="Jacobian $\\partial s_i/\\partial(z_j/T)$", xticks=range(k), yticks=range(k),
                      xlabel="$j$", ylabel="$i$")

    def update(self, d):
        for b, v in zip(self.bars, d["p"]):
            b.set_height(v)
        for b, v in zip(self.nbars, np.nan_to_num(d["naive"], nan=0.0)):
            b.set_height(v)
        self.im.set_data(d["J"])
        return self
