"""Chapter 01 explorers: the worked 2-2-2 example and gradient checking.

Everything drawn here is computed by :mod:`dlcore.experiments.backprop` and
:mod:`dlcore.experiments.gradchecking`, and drawn with the
panels of :mod:`widgets.ch01_plots` (the notebook's static figures use the same panels).
"""
from __future__ import annotations

from dlcore.experiments import backprop as ex
from dlcore.experiments import gradchecking as gx
from widgets.base import Checkbox, Dropdown, Explorer, LogSlider
from widgets.ch01_plots import TOL, GradCheckPanel, WorkedPanel

__all__ = ["WorkedExampleExplorer", "GradCheckExplorer", "gradcheck_verdict"]


class WorkedExampleExplorer(Explorer):
    """Step the worked example's training: the error so far, and every weight now versus at the start."""

    controls = {
        # log-spaced like the error plot's x-axis: the first ten updates get as much of the
        # slider as the last nine thousand
        "step": LogSlider(0, 4, 1, description="updates", step=0.02, readout_format=".0f"),
        "lr": LogSlider(-2, 1, 0.5, description="learning rate", step=0.05, readout_format=".2g"),
        "update_biases": Checkbox(False, "train the biases too"),
    }
    figsize = WorkedPanel.figsize
    bench_settings = [{"step": s} for s in (1, 10, 100, 1000, 5000, 10000)]

    def build(self, fig):
        self.panel = self.add_panel(WorkedPanel(fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})))
        self._curve_src = None

    def compute(self, step, lr, update_biases):
        return ex.worked_at(step, lr=lr, update_biases=update_biases)       # cached per (lr, biases)

    def draw(self, d):
        if d["error"] is not self._curve_src:          # new lr / bias setting: new limits, redraw once
            self._curve_src = d["error"]
            self.invalidate()
        self.panel.update(d)
        s = d["step"]
        o1, o2 = d["out"]
        self.set_info(f"{s} updates: E = {d['error'][s]:.3g}, outputs {o1:.4f} / {o2:.4f} "
                      "(targets 0.01 / 0.99)")


def gradcheck_verdict(d) -> tuple[str, bool]:
    """The explorer's verdict on ``d`` (its computed result): the sentence, and whether the check made
    the right call (a correct backward passes, a buggy one fails)."""
    ok = d["err"] <= TOL
    truth = "correct" if d["bug"] == "none" else "buggy"
    right = ok == (truth == "correct")
    call = "right call" if right else ("false alarm: rounding, not a bug" if truth == "correct" else "bug MISSED")
    return (f"{truth} backward, {d['dtype']}, h={d['h']:.1e}: rel. error {d['err']:.1e}, "
            f"check {'passes' if ok else 'fails'} ({call})"), right


class GradCheckExplorer(Explorer):
    """Pick a (deliberately wrong) backward, a precision and a step h: does gradient checking catch it?"""

    controls = {
        "bug": Dropdown(list(gx.BUGS), "none", "backward"),
        "dtype": Dropdown(["float64", "float32"], "float64", "precision"),
        "h": LogSlider(-12, -1, 1e-6, description="step h"),
    }
    figsize = (8, 3.4)
    bench_settings = [{"h": h} for h in (1e-10, 1e-8, 1e-6, 1e-4, 1e-2)] + [
        {"bug": b} for b in gx.BUGS]

    def build(self, fig):
        self.panel = self.add_panel(GradCheckPanel(fig.subplots()))

    def compute(self, bug, dtype, h):
        curve = gx.gradcheck_vs_h(bug=bug, dtype=dtype)                     # cached
        at_h = float(gx.gradcheck_vs_h(bug=bug, dtype=dtype, hs=[h])["rel_error"][0])
        return {"curves": {f"{bug}, {dtype}": curve}, "h": h, "err": at_h, "bug": bug, "dtype": dtype}

    def draw(self, d):
        self.panel.update(d)
        text, right = gradcheck_verdict(d)
        color = "#2a7a2a" if right else "#b22222"
        self.set_info(f'<span style="color:{color}">{text}</span>')
