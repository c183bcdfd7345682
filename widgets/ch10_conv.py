"""Chapter 10 explorers: convolution arithmetic (:class:`ConvArithExplorer`) and pooling a digit
(:class:`PoolingExplorer`).

They call :mod:`dlcore.experiments.conv_arith` and draw with :class:`widgets.ch10_plots.ConvArithPanel`
and :class:`widgets.ch10_plots.PoolingPanel`, the same as the notebook's static figures.
"""
from __future__ import annotations

from dlcore.experiments import conv_arith as ca
from widgets.base import Checkbox, Dropdown, Explorer, IntSlider
from widgets.ch10_plots import ConvArithPanel, PoolingPanel

__all__ = ["ConvArithExplorer", "PoolingExplorer", "layer_list", "layers_that_fit"]

CHANNELS = 8


def layer_list(F, S, P, layers, pool) -> list[dict]:
    """``layers`` convolutions F x F, stride S, padding P, 8 filters, each followed by a 2x2 max pooling
    of stride 2 if ``pool``."""
    out = []
    for _ in range(int(layers)):
        out.append({"kind": "conv", "F": int(F), "S": int(S), "P": int(P), "C": CHANNELS})
        if pool:
            out.append({"kind": "max", "F": 2, "S": 2, "P": 0})
    return out


def layers_that_fit(W, F, S, P, pool, mode, most=6) -> int:
    """How many of those blocks an input of size W goes through before a window no longer fits."""
    size = int(W)
    for n in range(int(most)):
        for L in layer_list(F, S, P, 1, pool):
            if size - L["F"] + 2 * L["P"] < 0:
                return n
            m = "floor" if L["kind"] == "conv" and mode == "ceil" else mode     # ceil: pooling only
            size = ca.output_size(size, L["F"], L["S"], L["P"], m)["out"]
    return int(most)


class ConvArithExplorer(Explorer):
    """Sizes, parameters and receptive field through a stack of convolutions (8 filters each, the first on
    one input channel), optionally each followed by 2x2 max pooling: the units of each layer along one axis
    at the centres of their fields, the units the first output depends on, and input rows no window covers.
    Fractional sizes are rounded down (what every framework does for a convolution); the "ceil" choice
    rounds up the poolings only, as PyTorch's ``ceil_mode=True``."""

    controls = {
        "W": IntSlider(4, 64, 1, 28, "input size W"),
        "F": IntSlider(1, 7, 1, 3, "filter F"),
        "S": IntSlider(1, 4, 1, 2, "stride S"),
        "P": IntSlider(0, 3, 1, 0, "padding P"),
        "layers": IntSlider(1, 6, 1, 2, "conv layers"),
        "pool": Checkbox(False, "2x2 max pool after each"),
        "mode": Dropdown([("floor (PyTorch, Keras)", "floor"), ("ceil for pooling (ceil_mode)", "ceil")], "floor",
                         "fractions"),
    }
    figsize = ConvArithPanel.figsize
    bench_settings = [{"W": 64}, {"F": 7}, {"S": 1}, {"layers": 6}, {"pool": True}, {"mode": "ceil"}]

    def constrain(self, W, F, S, P, layers, pool, mode):
        out = {}
        if F > W + 2 * P:
            out["F"] = (W + 2 * P, f"a {F}x{F} window does not fit a padded input of {W + 2 * P}")
            F = W + 2 * P
        fit = layers_that_fit(W, F, S, P, pool, mode)
        if fit == 0:                   # the convolution fits (F <= W + 2P), its 2x2 pooling does not
            out["pool"] = (False, "the first convolution's output is too small for a 2x2 pooling")
            fit = max(1, layers_that_fit(W, F, S, P, False, mode))
        if layers > fit:
            out["layers"] = (fit, f"after {fit} layer(s) the output is smaller than the window")
        return out

    def inactive(self, W, F, S, P, layers, pool, **_):
        """The rounding rule only acts on a pooling layer whose size is a fraction."""
        if not pool:
            return {"mode"}
        try:
            s = ca.stack(layer_list(F, S, P, layers, pool), W=W, C=1)
        except ValueError:
            return set()
        frac = [e != int(e) for e, k in zip(s["exact"][1:], s["kinds"]) if k != "conv"]
        return set() if any(frac) else {"mode"}

    def build(self, fig):
        self.panel = self.add_panel(ConvArithPanel(fig.subplots(1, 2, width_ratios=(1.6, 1))))

    def compute(self, W, F, S, P, layers, pool, mode):
        s = ca.stack(layer_list(F, S, P, layers, pool), W=W, C=1, mode=mode)
        return s

    def draw(self, s):
        self.panel.update(s)
        frac = [f"{e:g}" for e in s["exact"][1:] if e != int(e)]
        beyond = " (more than the input: the rest is padding)" if s["rf"][-1] > s["size"][0] else ""
        self.set_info(f"sizes {' → '.join(map(str, s['size']))}"
                      + (f" (fractions {', '.join(frac)} rounded)" if frac else "")
                      + f"; parameters {s['n_params']:,}; receptive field {s['rf'][-1]} px{beyond}, "
                        f"neighbouring outputs {s['jump'][-1]} px apart")


class PoolingExplorer(Explorer):
    """A validation digit and its max and average pooling (window F, stride S)."""

    controls = {
        "index": IntSlider(0, 49, 1, 0, "digit (validation row)"),
        "F": IntSlider(2, 4, 1, 2, "window F"),
        "S": IntSlider(1, 4, 1, 2, "stride S"),
    }
    figsize = PoolingPanel.figsize
    bench_settings = [{"index": 7}, {"F": 4}, {"S": 1}]

    def constrain(self, index, F, S):
        if (8 - F) % S:
            ok = max(s for s in range(1, S + 1) if (8 - F) % s == 0)
            return {"S": (ok, f"(8 - {F})/{S} + 1 is not whole: dlcore's pooling needs a whole number")}
        return {}

    def build(self, fig):
        self.panel = self.add_panel(PoolingPanel(fig.subplots(1, 3)))

    def compute(self, index, F, S):
        return ca.pool_digit(int(index), int(F), int(S))

    def draw(self, r):
        self.panel.update(r)
        n = r["max"].shape[0]
        self.set_info(f"a {r['label']}, window {r['F']}x{r['F']}, stride {r['S']}: {n}x{n} outputs; max pooling keeps the strongest pixel of each window "
                      f"(sum {r['max'].sum():.1f}), averaging blurs (sum {r['avg'].sum():.1f})")
