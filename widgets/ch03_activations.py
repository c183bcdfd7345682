"""Chapter 03 explorers (activation functions) and the static plot helpers of the notebook.

Every explorer calls a tested function of :mod:`dlcore.experiments.activations` (analytic) or
:mod:`dlcore.experiments.activations_train` / ``activations_speed`` (training); the plot
helpers (:mod:`widgets.ch03_plots`) take ``ax=None`` (a new pyplot figure) and draw one result.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from dlcore.experiments import activations as ex
from dlcore.experiments import activations_speed as sp
from dlcore.experiments import activations_train as tr
from widgets.base import Checkbox, Dropdown, Explorer, FloatSlider, IntSlider, LogSlider
from widgets.ch03_plots import (plot_boundaries, plot_curves, plot_dead, plot_mish_errata, plot_saturation,  # noqa: F401
                                plot_softmax, plot_zigzag, plot_zoo)

__all__ = ["FunctionExplorer", "NonlinearExplorer", "DeadReluExplorer", "SpeedExplorer", "ZigzagExplorer",
           "SaturationExplorer", "SoftmaxExplorer", "params_for", "plot_zoo", "plot_boundaries", "plot_dead",
           "plot_curves", "plot_zigzag", "plot_saturation", "plot_softmax", "plot_mish_errata"]

#: which constructor parameter the explorer's "param" slider moves, per function
PARAM = {"leaky_relu": "slope", "prelu": "alpha", "elu": "alpha", "softplus": "beta", "swish": "beta"}


def params_for(name: str, value: float) -> dict:
    """Constructor parameters for ``name`` with the slider ``value`` (slope/alpha/beta)."""
    key = PARAM.get(name)
    if key is None:
        return {}
    if key == "slope":
        value = min(value, 0.99)          # a slope of 1 would make Leaky ReLU the identity
    if key == "beta" and name == "softplus":
        value = max(value, 0.05)          # softplus needs beta > 0 (it divides by beta)
    return {key: float(value)}


# ------------------------------------------------------------------ explorers
class _InfoLine(Explorer):
    """An explorer with an HTML line (``self.info``) under its figure for changing text.

    Drawing two lines of text inside the figure costs ~4 ms of blitting per update (and
    ~100 characters ~11 ms); an HTML widget costs nothing on the figure's side.
    """

    def __init__(self, **settings):
        self.info = W.HTML()
        super().__init__(**settings)
        kids = self.widget.children
        self.widget.children = (*kids[:2], self.info, *kids[2:])

    def close(self):
        self.info.close()
        super().close()


class FunctionExplorer(_InfoLine):
    """f and f' of any function, its parameter on a slider, properties read off numerically."""

    controls = {"fn": Dropdown(ex.ZOO, "elu", "function"),
                "param": FloatSlider(0.0, 3.0, 0.05, 1.0, "slope / alpha / beta")}
    figsize = (8, 3.0)
    bench_settings = [{"fn": "elu", "param": 0.5}, {"fn": "tanh"}, {"fn": "swish", "param": 2.0},
                      {"fn": "gelu"}, {"fn": "leaky_relu", "param": 0.2}]
    home_f, home_d = (-2.5, 6.0), (-0.3, 1.9)   # usual ranges: most functions and parameters fit here

    def inactive(self, fn, **_):
        return set() if fn in PARAM else {"param"}

    @property
    def props(self):
        """The properties line (HTML) under the figure."""
        return self.info

    def build(self, fig):
        self.ax_f, self.ax_d = fig.subplots(1, 2)
        x = np.linspace(-6, 6, 601)
        (self.f,) = self.ax_f.plot(x, x, lw=2)
        (self.sat_f,) = self.ax_f.plot(x, x, lw=8, alpha=0.25, color="C3", solid_capstyle="butt")
        (self.d,) = self.ax_d.plot(x, x, lw=2, color="C1")
        (self.sat_d,) = self.ax_d.plot(x, x, lw=8, alpha=0.25, color="C3", solid_capstyle="butt")
        self.animate(self.f, self.sat_f, self.d, self.sat_d)
        self.ax_f.set(xlim=(-6, 6), ylim=self.home_f, title="f(x)   (red: saturated)", xlabel="x")
        self.ax_d.set(xlim=(-6, 6), ylim=self.home_d, title="f'(x)", xlabel="x")
        for a in (self.ax_f, self.ax_d):
            a.axhline(0, color="0.7", lw=0.8)
            a.axvline(0, color="0.7", lw=0.8)

    def compute(self, fn, param):
        return ex.properties(fn, params_for(fn, param), -6, 6, 601)

    def draw(self, p):
        sat = np.where(p["saturated"], 1.0, np.nan)
        self.f.set_ydata(p["y"])
        self.d.set_ydata(p["dy"])
        # the usual ranges, or wider where f or f' leaves them (ELU with alpha = 3 reaches -3 and f' = 3)
        for ax, y, home, band in ((self.ax_f, p["y"], self.home_f, self.sat_f),
                                  (self.ax_d, p["dy"], self.home_d, self.sat_d)):
            self.fit_limits(ax, *self.data_range(y, include=0), margin=0.08, home=home)
            lo, hi = ax.get_ylim()
            band.set_ydata((lo + 0.012 * (hi - lo)) * sat)      # the red band stays at the bottom
        self.props.value = (
            f"<b>{p['name']}</b>: range ({p['range_min']:.3g}, {p['range_max']:.3g}) &middot; "
            f"monotonic {p['monotonic']} &middot; zero-centred {p['zero_centred']} (E f(Z) = {p['mean_normal']:.2f}) "
            f"&middot; max|f'| {p['max_abs_df']:.3f} &middot; slopes at 0: {p['slope_left']:.2f} | {p['slope_right']:.2f} "
            f"&middot; f(x)&asymp;x near 0 {p['identity_near_0']}"
            + ("" if p["name"] in PARAM else " &middot; <i>(no parameter: the slider does nothing here)</i>"))


class NonlinearExplorer(Explorer):
    """The same deep net with and without a nonlinearity: decision regions side by side."""

    controls = {"dataset": Dropdown(["moons", "spirals"], "moons"),
                "activation": Dropdown(["tanh", "relu", "elu", "sigmoid"], "tanh"),
                "depth": IntSlider(1, 4, 1, 3), "width": IntSlider(4, 32, 4, 16)}
    slow, kind = True, "training"
    figsize = (8, 3.6)
    bench_settings = [{"depth": 2}, {"dataset": "spirals"}, {"activation": "relu"}, {"width": 8}]

    def build(self, fig):
        self.axes = fig.subplots(1, 2)
        self.ims, self.pts = [], []
        for a in self.axes:
            self.ims.append(a.imshow(np.zeros((2, 2)), origin="lower", cmap="coolwarm", alpha=0.4,
                                     vmin=0, vmax=2, aspect="auto"))
            self.pts.append(a.scatter(np.zeros(1), np.zeros(1), s=6, c="k"))
            self.animate(self.ims[-1], self.pts[-1])
        self.titles = [a.text(0.02, 0.98, "", transform=a.transAxes, va="top", fontsize=9) for a in self.axes]
        self.animate(*self.titles)

    def expected_runs(self, **_):
        return 2          # the linear net, then the nonlinear one

    def compute(self, dataset, activation, depth, width):
        return ex.why_nonlinear(dataset, activation, depth, width, steps=1000, lr=0.3, rng=0, grid_n=60)

    def draw(self, r):
        ext = (r["gx"][0], r["gx"][-1], r["gy"][0], r["gy"][-1])
        colors = np.array(["C0", "C3", "C2"])[r["y"]]
        for a, im, pt, t, tag in zip(self.axes, self.ims, self.pts, self.titles, ("linear", "nonlinear")):
            im.set_data(r[f"grid_{tag}"])
            im.set_extent(ext)
            pt.set_offsets(r["X"])
            pt.set_color(colors)
            a.set_xlim(ext[:2])
            a.set_ylim(ext[2:])
            t.set_text(f"{tag}: train acc {r[f'acc_{tag}']:.2f}")


class DeadReluExplorer(Explorer):
    """Fraction of inactive (for ReLU: dead) units per layer while training."""

    controls = {"activation": Dropdown(["relu", "leaky_relu", "elu", "selu", "gelu"], "relu"),
                # base 2, quarter steps: 0.5, 1.0 and 2.0 (the chapter's learning rates) are on the slider
                "lr": LogSlider(-7, 1, 0.3, base=2, step=0.25, description="learning rate"),
                "bias": FloatSlider(-2.0, 0.5, 0.25, 0.0, "initial bias"),
                "slope": FloatSlider(0.01, 0.3, 0.01, 0.01, "leaky slope")}
    slow, kind = True, "training"
    bench_settings = [{"lr": 1.0}, {"bias": -1.0}, {"activation": "elu"}, {"activation": "leaky_relu", "slope": 0.1}]

    def inactive(self, activation, **_):
        return set() if activation == "leaky_relu" else {"slope"}

    def build(self, fig):
        self.ax, self.ax_l = fig.subplots(1, 2)
        s = np.arange(0, 310, 10)
        self.lines = [self.ax.plot(s, 0 * s, label=f"hidden layer {i + 1}")[0] for i in range(2)]
        (self.loss,) = self.ax_l.plot(np.arange(1, 301), np.ones(300), color="C2")
        self.acc = self.ax_l.text(0.5, 0.95, "", transform=self.ax_l.transAxes, ha="center", va="top")
        self.animate(*self.lines, self.loss, self.acc)
        self.ax.set(ylim=(-0.02, 1.02), xlim=(0, 300), xlabel="step", ylabel="inactive fraction",
                    title="inactive units (z <= 0 on all 300 images)")
        self.ax.legend(loc="center right", fontsize=8)
        self.ax_l.set(yscale="log", ylim=(0.02, 20), xlim=(0, 300), xlabel="step", title="training loss")

    def compute(self, activation, lr, bias, slope):
        return tr.dead_relu(activation, lr, bias, steps=300, rng=0, slope=slope)

    def draw(self, r):
        for i, line in enumerate(self.lines):
            line.set_data(r["steps"], r["inactive"][:, i])
        loss = np.where(np.isfinite(r["loss"]) & (r["loss"] > 0), r["loss"], np.nan)
        self.loss.set_data(np.arange(1, len(loss) + 1), loss)      # not clipped: the axis follows a blow-up
        self.fit_limits(self.ax_l, *self.data_range(loss, positive=True), home=(0.02, 20))
        if r["diverged"]:
            self.acc.set_text(f"diverged at step {len(r['loss'])} (loss -> inf)")
        else:
            self.acc.set_text(f"final train acc {r['acc']:.2f}")


class SpeedExplorer(Explorer):
    """Loss curves of the same net with different activations (each with its matching init)."""

    controls = {"lr": LogSlider(-2, 0, 0.1, description="learning rate"), "seeds": IntSlider(1, 3, 1, 1)}
    slow, kind = True, "training"
    names = ("sigmoid", "tanh", "relu", "elu", "selu")
    bench_settings = [{"lr": 0.05}, {"lr": 0.3}, {"seeds": 2}]

    smooth = 10   #: running mean over this many steps (the raw minibatch loss is noisy)

    def build(self, fig):
        self.ax = fig.subplots()
        self.lines = [self.ax.plot(np.arange(1, 401), np.ones(400), label=n)[0] for n in self.names]
        self.animate(*self.lines)
        self.ax.set(yscale="log", ylim=(0.03, 3), xlim=(0, 400), xlabel="step",
                    ylabel=f"loss ({self.smooth}-step mean,\nmean over seeds)")
        self.ax.legend(fontsize=8, ncol=5, loc="lower left")

    def expected_runs(self, seeds, **_):
        return len(self.names) * seeds

    def compute(self, lr, seeds):
        # one call per activation: a finer cache (each run also moves the progress bar)
        return {"loss": [sp.training_speed((n,), seeds=tuple(range(seeds)), steps=400, lr=lr)["loss"][0]
                         for n in self.names]}

    def draw(self, r):
        k = np.ones(self.smooth) / self.smooth
        curves = []
        for line, curve in zip(self.lines, r["loss"]):
            c = np.convolve(np.asarray(curve[:400], dtype=float), k, mode="valid")
            line.set_data(np.arange(self.smooth, self.smooth + len(c)), c)
            curves.append(c)
        # a large learning rate sends some losses far above 3: the axis follows them
        self.fit_limits(self.ax, *self.data_range(*curves, positive=True), home=(0.03, 3))


class ZigzagExplorer(_InfoLine):
    """One neuron, two weights: all-positive inputs force same-sign updates (the zig-zag)."""

    controls = {"centred": Checkbox(False, "zero-centred inputs (tanh)"),
                "lr": FloatSlider(0.1, 2.0, 0.1, 0.5, "learning rate"), "seed": IntSlider(0, 9, 1, 0)}
    bench_settings = [{"centred": True}, {"lr": 1.5}, {"seed": 3}]

    def build(self, fig):
        self.ax, self.ax_d = fig.subplots(1, 2)
        (self.path,) = self.ax.plot([0], [0], ".-", ms=3, lw=0.8)
        self.ax.plot([1], [-1], "k*", ms=12)
        (self.dist,) = self.ax_d.plot(np.arange(201), np.ones(201))
        self.animate(self.path, self.dist)
        self.ax.set(xlim=(-0.5, 2.0), ylim=(-2.0, 0.5), xlabel="w1", ylabel="w2", title="weight path to w*=(1,-1)")
        self.ax_d.set(yscale="log", ylim=(1e-6, 5), xlim=(0, 200), xlabel="step", title="distance to w*")

    def compute(self, centred, lr, seed):
        return sp.zigzag(centred=centred, steps=200, lr=lr, rng=seed)

    def draw(self, r):
        p, dist = r["path"], r["distance"]
        self.path.set_data(p[:, 0], p[:, 1])
        self.dist.set_data(np.arange(len(dist)), dist)
        # the usual box, or wider when a large learning rate overshoots (the path diverges)
        for axis, v, home in (("x", p[:, 0], (-0.5, 2.0)), ("y", p[:, 1], (-2.0, 0.5))):
            self.fit_limits(self.ax, *self.data_range(v, include=home), axis=axis, margin=0.05, home=home)
        self.fit_limits(self.ax_d, *self.data_range(dist, positive=True), home=(1e-6, 5))
        hit = f"within 0.1 of w* after {r['steps_to_01']} steps" if r["steps_to_01"] >= 0 else "not within 0.1 of w*"
        grows = f" &middot; <b>diverges</b>: distance {dist[-1]:.1e} after {len(dist) - 1} steps" if dist[-1] > 10 else ""
        self.info.value = (f"same-sign updates: {r['same_sign']:.0%} of the {r['n_updates']} non-zero ones "
                           f"&middot; {hit}{grows}")


class SaturationExplorer(Explorer):
    """Per-layer fraction of saturated units over training."""

    controls = {"activation": Dropdown(["tanh", "sigmoid", "hard_tanh", "elu", "selu", "softplus"], "tanh"),
                "init": Dropdown(["xavier", "he", "normal"], "normal"),
                "std": FloatSlider(0.1, 2.0, 0.1, 1.0, "normal std"),
                "lr": LogSlider(-2, 0, 0.1, description="learning rate")}
    slow, kind = True, "training"
    bench_settings = [{"init": "xavier"}, {"std": 0.5}, {"activation": "sigmoid"}, {"lr": 0.5}]

    def inactive(self, init, **_):
        return set() if init == "normal" else {"std"}

    def build(self, fig):
        self.ax = fig.subplots()
        s = np.arange(10, 310, 10)
        self.lines = [self.ax.plot(s, 0 * s, label=f"hidden layer {i + 1}")[0] for i in range(3)]
        self.txt = self.ax.text(0.02, 0.98, "", transform=self.ax.transAxes, va="top")
        self.animate(*self.lines, self.txt)
        self.ax.set(ylim=(-0.02, 1.02), xlim=(0, 300), xlabel="step", ylabel="fraction saturated")
        self.ax.legend(fontsize=8, loc="center right")

    def compute(self, activation, init, std, lr):
        return tr.saturation_over_training(activation, init, std, lr, steps=300, rng=0)

    def draw(self, r):
        for i, line in enumerate(self.lines):
            line.set_data(r["steps"], r["saturated"][:, i])
        if r["diverged"]:
            self.txt.set_text(f"diverged at step {len(r['loss'])} (loss -> inf)")
        else:
            self.txt.set_text(f"final train acc {r['acc']:.2f}")


class SoftmaxExplorer(_InfoLine):
    """softmax(z/T): probabilities, the Jacobian, and the naive formula at a logit scale."""

    controls = {"T": LogSlider(-1.5, 1.5, 1.0, description="temperature T"),
                "scale": LogSlider(0, 3, 1.0, description="logit scale")}
    figsize = (8, 3.0)
    bench_settings = [{"T": 0.1}, {"T": 10.0}, {"scale": 100.0}, {"scale": 500.0}]
    z = np.array([1.0, 2.0, 3.0, 0.5])

    def build(self, fig):
        self.ax, self.ax_j = fig.subplots(1, 2)
        self.bars = self.ax.bar(np.arange(4) - 0.2, np.zeros(4), 0.4, label="stable")
        self.nbars = self.ax.bar(np.arange(4) + 0.2, np.zeros(4), 0.4, label="naive (float32)")
        self.im = self.ax_j.imshow(np.zeros((4, 4)), cmap="RdBu", vmin=-0.25, vmax=0.25)
        fig.colorbar(self.im, ax=self.ax_j, fraction=0.046, pad=0.04)   # entries lie in [-1/4, 1/4]
        self.animate(*self.bars, *self.nbars, self.im)
        self.ax.set(ylim=(0, 1.05), xticks=range(4), ylabel="probability $s_i$", xlabel="class $i$")
        # above the axes: a bar near 1 would hide under a legend inside them
        self.ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        self.ax_j.set(title="Jacobian $\\partial s_i/\\partial(z_j/T)$", xticks=range(4), yticks=range(4),
                      xlabel="$j$", ylabel="$i$")

    def compute(self, T, scale):
        r = ex.softmax_temperature(self.z * scale, [T])
        o = ex.softmax_overflow([scale / T], dtype=np.float32, base=self.z)   # the naive formula sees z/T too
        return {"p": r["probs"][0], "J": r["jacobians"][0], "H": r["entropy"][0], "naive": o["naive"][0],
                "ok": bool(o["naive_ok"][0])}

    def draw(self, d):
        for b, v in zip(self.bars, d["p"]):
            b.set_height(v)
        for b, v in zip(self.nbars, np.nan_to_num(d["naive"], nan=0.0)):
            b.set_height(v)
        self.im.set_data(d["J"])
        self.info.value = (f"entropy {d['H']:.2f} nats (uniform: ln 4 = 1.39) &middot; naive formula in float32: "
                           f"{'ok' if d['ok'] else '<b>overflow -> NaN</b> (drawn as 0)'}")
