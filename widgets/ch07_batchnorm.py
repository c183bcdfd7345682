"""Chapter 07 explorer: batch norm step by step on one batch (:class:`BNStepsExplorer`).

It calls :func:`dlcore.experiments.batchnorm.bn_steps` and draws with
:class:`widgets.ch07_plots.BNStepsPanel`, the same as the notebook's static figure.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import batchnorm as bnx
from widgets.base import Explorer, FloatSlider, IntSlider
from widgets.ch07_plots import BNStepsPanel

__all__ = ["BNStepsExplorer", "bn_batch"]


def bn_batch(batch_size: int, mean: float, spread: float, seed: int) -> np.ndarray:
    """The explorer's batch: ``batch_size`` values N(mean, spread²) (one feature, column 0), drawn
    from ``seed``; column 1 is the same batch standardised (unused by the panel)."""
    z = np.random.default_rng(int(seed)).standard_normal(int(batch_size))
    x = float(mean) + float(spread) * z
    return np.column_stack([x, z])


class BNStepsExplorer(Explorer):
    """One feature of a batch through BN: the values, centred, normalised (mean 0, variance 1 up to ε),
    then scaled by γ and shifted by β. The info line gives the running averages after this one
    training step from their start (mean 0, variance 1) with the momentum, and what evaluation mode
    would output for the batch's first value with them; on the figure the running mean is a diamond
    and the evaluation-mode outputs of the batch are hollow circles beside the training outputs."""

    controls = {
        "batch_size": IntSlider(2, 32, 1, 8, "batch size B"),
        "mean": FloatSlider(-5.0, 5.0, 0.1, 3.0, "batch mean"),
        "spread": FloatSlider(0.1, 5.0, 0.1, 2.0, "batch spread"),
        "seed": IntSlider(0, 20, 1, 0, "batch draw"),
        "gamma": FloatSlider(-3.0, 3.0, 0.1, 1.0, "γ (scale)"),
        "beta": FloatSlider(-3.0, 3.0, 0.1, 0.0, "β (shift)"),
        "momentum": FloatSlider(0.0, 1.0, 0.01, 0.1, "momentum"),
    }
    figsize = (7.2, 3.6)
    bench_settings = [{"batch_size": 2}, {"batch_size": 32}, {"gamma": -2.0}, {"spread": 0.1}]

    def build(self, fig):
        self.panel = self.add_panel(BNStepsPanel(fig.subplots()))

    def compute(self, batch_size, mean, spread, seed, gamma, beta, momentum):
        r = dict(bnx.bn_steps(bn_batch(batch_size, mean, spread, seed), gamma=gamma, beta=beta))
        m = float(momentum)
        r["running_mean"] = m * r["mean"]                      # from 0
        r["running_var"] = (1 - m) * 1.0 + m * r["var_unbiased"]   # from 1, unbiased batch variance
        r["eval_y"] = gamma * (r["x"] - r["running_mean"]) / np.sqrt(r["running_var"] + 1e-5) + beta
        r["eval_first"] = r["eval_y"][0]
        r["momentum"] = m
        return r

    def draw(self, r):
        self.panel.update(r)
        self.set_info(f"training output of the first value {r['y'][0, 0]:.3g}; after this step with momentum "
                      f"{r['momentum']:.2g}: running mean {r['running_mean'][0]:.3g}, running variance "
                      f"{r['running_var'][0]:.3g} (unbiased batch variance {r['var_unbiased'][0]:.3g}); "
                      f"evaluation mode would output {r['eval_first'][0]:.3g} for it")
