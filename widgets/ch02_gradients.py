"""Chapter 02 explorers: vanishing and exploding gradients and their remedies.

Everything drawn here is computed by :mod:`dlcore.experiments.gradients` and
:mod:`dlcore.experiments.gradients_shape`; this module only draws. The static
figures of the notebook are in :mod:`widgets.ch02_plots` (re-exported here).
"""
from __future__ import annotations

import html

import numpy as np

from dlcore.experiments import gradients as ex
from dlcore.experiments import gradients_shape as exs
from widgets.base import Dropdown, Explorer, FloatSlider, IntSlider, LogSlider
from widgets.plots import warm_log_labels as _warm_log_labels
from widgets.ch02_plots import floor as _floor
from widgets.ch02_plots import layer_colors as _colors
from widgets.ch02_plots import plain_log_ticks as _plain_log_ticks
from widgets.ch02_plots import RMS_STOPS, ClippingPanel, LayerSpeedPanel, ResidualPanel, SignalPanel
from widgets.ch02_plots import (plot_clipping, plot_jacobian, plot_layer_speeds, plot_residual, plot_shapes,
                                plot_signal)

__all__ = ["plot_layer_speeds", "plot_signal", "plot_jacobian", "plot_clipping", "plot_residual", "plot_shapes",
           "LayerSpeedExplorer", "SignalExplorer", "JacobianExplorer", "ClippingExplorer", "ResidualExplorer"]

MAX_DEPTH = 10


_INIT_LABELS = [("N(0,1)", "normal"), ("0.02·N(0,1)", "small"), ("scale/√n", "scaled"), ("Xavier", "xavier"),
                ("He", "he")]


def _html(text: str) -> str:
    """Plain text for the info line under the figure (escaped, line breaks kept)."""
    return html.escape(text).replace("\n", "<br>")


# ---------------------------------------------------------------- explorers
class LayerSpeedExplorer(Explorer):
    """Nielsen's per-layer learning speed on the digits: depth, width, activation, initialisation."""

    controls = {
        "depth": IntSlider(2, MAX_DEPTH, 1, 5, "hidden layers"),
        "width": IntSlider(10, 100, 10, 30, "width"),
        "activation": Dropdown(["sigmoid", "tanh", "relu"], "sigmoid", "activation"),
        "init": Dropdown(_INIT_LABELS, "scaled", "init"),
        "scale": FloatSlider(0.25, 4.0, 0.25, 1.0, "scale s (scale/√n)"),
    }
    slow = True
    kind = "training"
    figsize = (9, 3.3)
    bench_settings = [{"depth": 3}, {"depth": 8}, {"activation": "relu", "init": "he"},
                      {"activation": "sigmoid", "init": "normal"}, {"init": "scaled", "scale": 2.0}]

    def inactive(self, init, **_):
        return set() if init == "scaled" else {"scale"}

    def build(self, fig):
        self.panel = self.add_panel(LayerSpeedPanel(fig.subplots(1, 2), max_depth=MAX_DEPTH))

    def compute(self, depth, width, activation, init, scale):
        return ex.layer_speeds(depth=depth, width=width, activation=activation, init=init, scale=scale)

    def draw(self, r):
        self.panel.update(r)
        s = _floor(r["init_speed"])
        d = len(s)
        per = (s[-1] / s[0]) ** (1 / max(d - 1, 1))
        pred = float(np.exp(-np.mean(np.log(np.maximum(r["predicted_ratio"], 1e-30))))) if d > 1 else 1.0
        self.set_info(_html(f"last / first layer: {s[-1] / s[0]:.3g}x\nper layer ×{per:.2f} (predicted ×{pred:.2f})"
                           f"\nval. acc after 300 steps: {r['val_acc']:.2f}"))


class SignalExplorer(Explorer):
    """The forward signal through 30 random layers: density of each layer's outputs and their RMS."""

    controls = {
        "activation": Dropdown(["relu", "tanh", "sigmoid"], "relu", "activation"),
        "init": Dropdown(_INIT_LABELS, "he", "init"),
        "scale": FloatSlider(0.25, 3.0, 0.05, 1.0, "scale s (scale/√n)"),
        "depth": IntSlider(5, 50, 5, 30, "layers"),
    }
    figsize = (9, 3.3)
    width, n = 96, 64   # the notebook's figures use 128 x 128; this is 3.6x cheaper and looks the same
    bench_settings = [{"init": i} for i in ("normal", "small", "xavier", "he")] + [
        {"init": "scaled", "scale": s} for s in (0.8, 1.2, 1.5)] + [{"activation": "tanh"}, {"depth": 50}]

    def inactive(self, init, **_):
        return set() if init == "scaled" else {"scale"}

    def build(self, fig):
        self.panel = self.add_panel(SignalPanel(fig.subplots(1, 2), labels=("measured RMS",), rows=50,
                                                colorbar=False))
        self.img, self.rms, self.theory = self.panel.imgs[0], self.panel.rms[0], self.panel.theory[0]
        # a new RMS range costs a redraw of that axis: its labels parsed and tick objects made here instead
        # (~0.2 s once), not when the reader first meets each range (up to 8 labels, 24 ticks: ~30 ms each time)
        yaxis = self.panel.rms_ax.yaxis
        _warm_log_labels(yaxis, range(round(np.log10(RMS_STOPS[0])), round(np.log10(RMS_STOPS[-1])) + 1))
        yaxis.get_minor_ticks(80)      # 8 per decade over up to 10 decades

    def compute(self, activation, init, scale, depth):
        # one cached 50-layer run per (activation, init, scale); shallower nets are its first layers
        full = ex.forward_signal(activation, init, depth=50, width=self.width, n=self.n, scale=round(scale, 4))
        r = {k: full[k][:depth] for k in ("rms", "hist", "saturated", "dead_or_zero", "theory_rms")}
        r.update(measured_factor=ex.rms_factor(r["rms"]), theory_factor=full["theory_factor"], edges=full["edges"])
        return r

    def draw(self, r):
        self.panel.update({"measured RMS": r})
        th = r["theory_factor"]
        th_txt = f"{th:.3f}" if np.isfinite(th) else "n/a"
        self.set_info(_html(f"per layer ×{r['measured_factor']:.3f}, theory {th_txt}\n"   # short: text costs ~0.1 ms/char
                           f"saturated {r['saturated'].mean():.0%}"))


class JacobianExplorer(Explorer):
    """Products of layer Jacobians diag(f'(Wh))W: norm, effective rank and spectrum; the weight-scale slider."""

    controls = {
        "activation": Dropdown(["tanh", "relu", "sigmoid"], "tanh", "activation"),
        "scale": LogSlider(-0.6, 0.8, 1.0, description="weight scale s", step=0.02),
        "depth": IntSlider(5, 100, 5, 50, "depth L"),
    }
    figsize = (10, 3.3)
    width = 64
    norm_stops = sorted({s * v for s in (-1, 1) for v in (2, 5, 10, 20, 50, 100, 200, 500)})
    bench_settings = [{"scale": s} for s in (0.5, 0.8, 1.0, 1.4, 2.0, 4.0)] + [
        {"activation": a} for a in ("relu", "sigmoid", "tanh")] + [{"depth": 20}, {"depth": 100}]

    def build(self, fig):
        self.ax0, self.ax1, self.ax2 = fig.subplots(1, 3)
        (self.norm,) = self.ax0.plot([1], [0])
        self.ax0.axhline(0, color="0.5", lw=0.8)
        (self.erank,) = self.ax1.plot([1], [1])
        i = np.arange(1, self.width + 1)
        (self.sv_mid,) = self.ax2.semilogy(i, np.ones(self.width), color="C1", label="depth L/5")
        (self.sv_end,) = self.ax2.semilogy(i, np.ones(self.width), color="C0", label="depth L")
        self.ax0.set_xlim(0, 101)
        self.ax0.set_ylim(-4, 4)       # follows the data (a limit change costs a full redraw: only when needed)
        self.ax0.set_xlabel("depth $L$")
        self.ax0.set_ylabel(r"$\log_{10}\|J_L\cdots J_1\|_2$")
        self.ax1.set_xlim(0, 101)
        self.ax1.set_ylim(0.8, self.width)
        self.ax1.set_yscale("log")
        _plain_log_ticks(self.ax1)
        self.ax1.set_xlabel("depth $L$")
        self.ax1.set_ylabel("effective rank")
        self.ax2.set_ylim(1e-16, 2)
        self.ax2.set_xlabel("index $i$")
        self.ax2.set_ylabel(r"$\sigma_i/\sigma_1$")
        self.ax2.set_title("spectrum at depth L/5 (orange) and L (blue)", fontsize=8)
        for a in (self.ax0, self.ax1, self.ax2):
            a.grid(True, alpha=0.3)
        self.animate(self.norm, self.erank, self.sv_mid, self.sv_end)

    def compute(self, activation, scale, depth):
        # cached per (activation, scale): a shallower product is cut from the deepest one so far, a
        # deeper one continues it (only the added factors cost)
        r = ex.jacobian_product(activation, depth=depth, width=self.width, scale=round(scale, 4))
        return {k: r[k] for k in ("depths", "log10_norm", "sv", "erank")}

    def draw(self, r):
        L = len(r["depths"])
        ln = np.where(np.isfinite(r["log10_norm"]), r["log10_norm"], np.nan)   # 0 or overflow: the line stops
        self.norm.set_data(r["depths"], ln)
        self.erank.set_data(r["depths"], np.maximum(r["erank"], 0.8))
        # ratios below 1e-16 are rounding (float64): drawn at that floor, as in plot_jacobian
        sv = [_floor(r["sv"][i], 1e-16) for i in (max(L // 5 - 1, 0), -1)]
        self.sv_mid.set_ydata(sv[0])
        self.sv_end.set_ydata(sv[1])
        for a in (self.ax0, self.ax1):                  # the depths there are, not 100
            a.set_xlim(0, L + 1)
        # symmetric about 0 (norm 1) at a few fixed values: a growing and a shrinking product share
        # limits, and each set of limits is drawn once (a limit change costs a redraw)
        m = max(np.abs(self.data_range(ln, include=0)))
        self.fit_limits(self.ax0, -m, m, margin=0.03, stops=self.norm_stops)
        self.set_info(_html(f"norm at L={L}: 10^{ln[-1]:.1f}\neffective rank {r['erank'][-1]:.2f}"))


class ClippingExplorer(Explorer):
    """Too-large initial weights blow up plain SGD; clipping by value or by norm keeps the same run stable."""

    controls = {
        "clip": Dropdown([("no clipping", "none"), ("by value", "value"), ("by global norm", "norm")], "none",
                         "clipping"),
        "threshold": LogSlider(-3, 2, 1.0, description="threshold", step=0.25),
        "lr": LogSlider(-3, 0, 0.1, description="learning rate", step=0.25),
        "init_scale": FloatSlider(1.0, 3.0, 0.25, 2.25, "init scale s"),
    }
    slow = True
    kind = "training"
    figsize = (11, 3.3)
    bench_settings = [{"clip": "none"}, {"clip": "norm"}, {"clip": "value", "threshold": 0.1},
                      {"clip": "norm", "threshold": 10.0}, {"init_scale": 1.5}]

    def inactive(self, clip, **_):
        return {"threshold"} if clip == "none" else set()

    def build(self, fig):
        self.panel = self.add_panel(ClippingPanel(fig.subplots(1, 3), labels=("this run",), annotate=False))
        self.loss, self.pre, self.post = self.panel.loss[0], self.panel.pre[0], self.panel.post[0]

    def compute(self, clip, threshold, lr, init_scale):
        return exs.explode_and_clip(clip, threshold, lr=lr, init_scale=init_scale)

    def draw(self, r):
        self.panel.update({"this run": r})
        d = r["divergence"]
        if d:
            self.set_info(_html(f"DIVERGED at step {d['step']}: non-finite {d['where']}"
                               + (f" in layer {d['layer']}" if d["layer"] else "")))
        else:
            self.set_info(_html(f"stable: val. acc {r['val_acc']:.3f}, clipped on {r['clipped_fraction']:.0%} of steps"))


class ResidualExplorer(Explorer):
    """A deep MLP with and without skip connections: gradient norm per layer at init, accuracy while training."""

    controls = {
        "depth": IntSlider(4, 30, 2, 20, "hidden layers"),
        "activation": Dropdown(["sigmoid", "tanh", "relu"], "sigmoid", "activation"),
        "init": Dropdown(_INIT_LABELS, "xavier", "init"),
        "branch_scale": LogSlider(-2, 0, 1.0, description="branch scale", step=0.1),
    }
    slow = True
    kind = "training"
    figsize = (9, 3.3)
    steps = 200
    bench_settings = [{"depth": 10}, {"depth": 20}, {"activation": "tanh"}, {"depth": 30},
                      {"activation": "relu", "init": "he", "branch_scale": 0.1}]

    def build(self, fig):
        self.panel = self.add_panel(ResidualPanel(fig.subplots(1, 2)))

    def expected_runs(self, **_):
        return 2          # the plain net, then the residual one

    def compute(self, depth, activation, init, branch_scale):
        return exs.residual_vs_plain(depth=depth, activation=activation, init=init, steps=self.steps,
                                     branch_scale=round(branch_scale, 4))

    def draw(self, r):
        self.panel.update(r)
        p, q = (_floor(r[k]["grad_norms"]) for k in ("plain", "residual"))
        acc = {k: (f"{r[k]['final_acc']:.2f}" if r[k]["diverged_at"] is None else f"NaN at step {r[k]['diverged_at']}")
               for k in ("plain", "residual")}
        self.set_info(_html(f"first layer: residual / plain = {q[0] / p[0]:.1e}\n"
                           f"val. acc: plain {acc['plain']}, residual {acc['residual']}"))
