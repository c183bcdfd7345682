"""Chapter 03 explorers (activation functions).

Every explorer calls a tested function of :mod:`dlcore.experiments.activations` (analytic) or
:mod:`dlcore.experiments.activations_train` / ``activations_speed`` (training) and draws the result
with the same panel as the notebook's figure (:mod:`widgets.ch03_panels`, wrapped by the
``plot_x(result, ax=None)`` functions of :mod:`widgets.ch03_plots`). Text about the result goes on the
info line under the figure (``set_info``), not into the figure.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import activations as ex
from dlcore.experiments import activations_speed as sp
from dlcore.experiments import activations_train as tr
from widgets.base import Checkbox, Dropdown, Explorer, FloatSlider, IntSlider, LogSlider
from widgets.ch03_panels import (BoundaryPanel, CurvesPanel, DeadRunPanel, FunctionPanel, SaturationRunPanel,
                                 SoftmaxPanel, ZigzagPanel)

__all__ = ["FunctionExplorer", "NonlinearExplorer", "DeadReluExplorer", "SpeedExplorer", "ZigzagExplorer",
           "SaturationExplorer", "SoftmaxExplorer", "params_for", "run_verdict"]

#: which constructor parameter the explorer's "param" slider moves, per function
PARAM = {"leaky_relu": "slope", "prelu": "alpha", "elu": "alpha", "softplus": "beta", "swish": "beta"}


#: the slider values a function cannot take: (lowest, highest, why); FunctionExplorer moves the slider there
PARAM_LIMITS = {"leaky_relu": (None, 0.99, "Leaky ReLU needs a slope below 1 (slope 1 is the identity)"),
                "softplus": (0.05, None, "softplus needs beta > 0 (it divides by beta)")}


def param_in_limits(name: str, value: float) -> tuple[float, str]:
    """The slider ``value`` moved into what ``name`` accepts, and why it moved ("" if it did not)."""
    lo, hi, why = PARAM_LIMITS.get(name, (None, None, ""))
    v = min(value, hi) if hi is not None else value
    v = max(v, lo) if lo is not None else v
    return v, (why if v != value else "")


def params_for(name: str, value: float) -> dict:
    """Constructor parameters for ``name`` with the slider ``value`` (slope/alpha/beta)."""
    key = PARAM.get(name)
    if key is None:
        return {}
    return {key: float(param_in_limits(name, value)[0])}


def run_verdict(r: dict) -> str:
    """The info line of a training run: "final train acc 0.97" or "diverged at step 12 (loss -> inf)"."""
    return f"diverged at step {len(r['loss'])} (loss -> inf)" if r["diverged"] else f"final train acc {r['acc']:.2f}"


class FunctionExplorer(Explorer):
    """f and f' of any function, its parameter on a slider, properties read off numerically (info line)."""

    controls = {"fn": Dropdown(ex.ZOO, "elu", "function"),
                "param": FloatSlider(0.0, 3.0, 0.05, 1.0, "slope / alpha / beta")}
    figsize = FunctionPanel.figsize
    bench_settings = [{"fn": "elu", "param": 0.5}, {"fn": "tanh"}, {"fn": "swish", "param": 2.0},
                      {"fn": "gelu"}, {"fn": "leaky_relu", "param": 0.2}]

    def inactive(self, fn, **_):
        return set() if fn in PARAM else {"param"}

    def constrain(self, fn, param):
        v, why = param_in_limits(fn, param)
        return {"param": (v, why)} if why else {}

    def build(self, fig):
        self.panel = self.add_panel(FunctionPanel(fig.subplots(1, 2)))

    def compute(self, fn, param):
        return ex.properties(fn, params_for(fn, param), -6, 6, 601)

    def draw(self, p):
        self.panel.update(p)
        self.set_info(
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
    figsize = BoundaryPanel.figsize
    bench_settings = [{"depth": 2}, {"dataset": "spirals"}, {"activation": "relu"}, {"width": 8}]

    def build(self, fig):
        self.panel = self.add_panel(BoundaryPanel(fig.subplots(1, 2)))

    def expected_runs(self, **_):
        return 2          # the linear net, then the nonlinear one

    def compute(self, dataset, activation, depth, width):
        return ex.why_nonlinear(dataset, activation, depth, width, steps=1000, lr=0.3, rng=0, grid_n=60)

    def draw(self, r):
        self.panel.update(r)
        self.set_info(f"train accuracy: linear <b>{r['acc_linear']:.2f}</b> &middot; "
                      f"nonlinear ({self.settings['activation']}) <b>{r['acc_nonlinear']:.2f}</b>")


class DeadReluExplorer(Explorer):
    """Fraction of inactive (for ReLU: dead) units per layer while training, and the loss."""

    controls = {"activation": Dropdown(["relu", "leaky_relu", "elu", "selu", "gelu"], "relu"),
                # base 2, quarter steps: 0.5, 1.0 and 2.0 (the chapter's learning rates) are on the slider
                "lr": LogSlider(-7, 1, 0.3, base=2, step=0.25, description="learning rate"),
                "bias": FloatSlider(-2.0, 0.5, 0.25, 0.0, "initial bias"),
                "slope": FloatSlider(0.01, 0.3, 0.01, 0.01, "leaky slope")}
    slow, kind = True, "training"
    figsize = DeadRunPanel.figsize
    bench_settings = [{"lr": 1.0}, {"bias": -1.0}, {"activation": "elu"}, {"activation": "leaky_relu", "slope": 0.1}]

    def inactive(self, activation, **_):
        return set() if activation == "leaky_relu" else {"slope"}

    def build(self, fig):
        self.panel = self.add_panel(DeadRunPanel(fig.subplots(1, 2)))

    def compute(self, activation, lr, bias, slope):
        return tr.dead_relu(activation, lr, bias, steps=300, rng=0, slope=slope)

    def draw(self, r):
        self.panel.update(r)
        self.set_info(run_verdict(r))


class SpeedExplorer(Explorer):
    """Loss curves of the same net with different activations (each with its matching init), mean over seeds."""

    controls = {"lr": LogSlider(-2, 0, 0.1, description="learning rate"), "seeds": IntSlider(1, 3, 1, 1)}
    slow, kind = True, "training"
    names = ("sigmoid", "tanh", "relu", "elu", "selu")
    bench_settings = [{"lr": 0.05}, {"lr": 0.3}, {"seeds": 2}]

    def build(self, fig):
        self.panel = self.add_panel(CurvesPanel(fig.subplots(), self.names))

    def expected_runs(self, seeds, **_):
        return len(self.names) * seeds

    def compute(self, lr, seeds):
        # one call per activation: a finer cache (each run also moves the progress bar)
        return {"activations": self.names,
                "loss": [sp.training_speed((n,), seeds=tuple(range(seeds)), steps=400, lr=lr)["loss"][0]
                         for n in self.names]}

    def draw(self, r):
        self.panel.update(r)


class ZigzagExplorer(Explorer):
    """One neuron, two weights: all-positive inputs force same-sign updates (the zig-zag)."""

    controls = {"centred": Checkbox(False, "zero-centred inputs (tanh)"),
                "lr": FloatSlider(0.1, 2.0, 0.1, 0.5, "learning rate"), "seed": IntSlider(0, 9, 1, 0)}
    figsize = ZigzagPanel.figsize
    bench_settings = [{"centred": True}, {"lr": 1.5}, {"seed": 3}]

    def build(self, fig):
        self.panel = self.add_panel(ZigzagPanel(fig.subplots(1, 2)))

    def compute(self, centred, lr, seed):
        return sp.zigzag(centred=centred, steps=200, lr=lr, rng=seed)

    def draw(self, r):
        self.panel.update(r)
        dist = r["distance"]
        hit = f"within 0.1 of w* after {r['steps_to_01']} steps" if r["steps_to_01"] >= 0 else "not within 0.1 of w*"
        grows = f" &middot; <b>diverges</b>: distance {dist[-1]:.1e} after {len(dist) - 1} steps" if dist[-1] > 10 else ""
        self.set_info(f"same-sign updates: {r['same_sign']:.0%} of the {r['n_updates']} non-zero ones "
                      f"&middot; {hit}{grows}")


class SaturationExplorer(Explorer):
    """Per-layer fraction of saturated units over training."""

    controls = {"activation": Dropdown(["tanh", "sigmoid", "hard_tanh", "elu", "selu", "softplus"], "tanh"),
                "init": Dropdown(["xavier", "he", "normal"], "normal"),
                "std": FloatSlider(0.1, 2.0, 0.1, 1.0, "normal std"),
                "lr": LogSlider(-2, 0, 0.1, description="learning rate")}
    slow, kind = True, "training"
    figsize = SaturationRunPanel.figsize
    bench_settings = [{"init": "xavier"}, {"std": 0.5}, {"activation": "sigmoid"}, {"lr": 0.5}]

    def inactive(self, init, **_):
        return set() if init == "normal" else {"std"}

    def build(self, fig):
        self.panel = self.add_panel(SaturationRunPanel(fig.subplots()))

    def compute(self, activation, init, std, lr):
        return tr.saturation_over_training(activation, init, std, lr, steps=300, rng=0)

    def draw(self, r):
        self.panel.update(r)
        self.set_info(run_verdict(r))


class SoftmaxExplorer(Explorer):
    """softmax(z/T): probabilities, the Jacobian, and the naive formula at a logit scale."""

    controls = {"T": LogSlider(-1.5, 1.5, 1.0, description="temperature T"),
                "scale": LogSlider(0, 3, 1.0, description="logit scale")}
    figsize = SoftmaxPanel.figsize
    bench_settings = [{"T": 0.1}, {"T": 10.0}, {"scale": 100.0}, {"scale": 500.0}]
    z = np.array([1.0, 2.0, 3.0, 0.5])

    def build(self, fig):
        self.panel = self.add_panel(SoftmaxPanel(fig.subplots(1, 2), k=len(self.z)))

    def compute(self, T, scale):
        r = ex.softmax_temperature(self.z * scale, [T])
        o = ex.softmax_overflow([scale / T], dtype=np.float32, base=self.z)   # the naive formula sees z/T too
        return {"p": r["probs"][0], "J": r["jacobians"][0], "H": r["entropy"][0], "naive": o["naive"][0],
                "ok": bool(o["naive_ok"][0])}

    def draw(self, d):
        self.panel.update(d)
        self.set_info(f"entropy {d['H']:.2f} nats (uniform: ln 4 = 1.39) &middot; naive formula in float32: "
                      f"{'ok' if d['ok'] else '<b>overflow -> NaN</b> (drawn as 0)'}")
