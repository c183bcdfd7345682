"""Chapter 09 explorers: the drift of a layer's input (:class:`DriftExplorer`) and the loss and gradient
along the gradient direction (:class:`LandscapeExplorer`).

Both read the chapter's runs, :func:`dlcore.experiments.ics.ics_runs` (15 cached training runs: the
first call after a restart takes a few seconds, every later update only draws; the drift explorer's
sigmoid nets are 15 more, made on their first selection), and draw with the
panels of :mod:`widgets.ch09_plots`, the same as the notebook's static figures.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import ics
from dlcore.experiments.common import SEEDS
from widgets.base import Dropdown, Explorer, IntSlider, LogSlider
from widgets.ch09_plots import DriftPanel, LandscapePanel

__all__ = ["DriftExplorer", "LandscapeExplorer"]

_LAYERS = [(f"weight layer {i + 2} (of 5)", i) for i in range(4)]
_NET_NAMES = {"relu": "ReLU net, lr 0.1", "sigmoid": "sigmoid net, lr 0.5"}
_ACTIVATIONS = [(v, k) for k, v in _NET_NAMES.items()]


class DriftExplorer(Explorer):
    """One unit's input to a layer over training (median and 10th-90th percentiles, seed 0) and the
    layer's drift, W1 between its inputs 20 steps apart (five seeds), for no BN, BN and noisy BN, on
    the ReLU nets (lr 0.1) or the sigmoid nets of §9.4 (lr 0.5: Ioffe & Szegedy's percentile figure);
    the step slider marks a time and the info line gives each net's drift there. The sigmoid runs are
    computed on their first selection (about 6 s, with a progress bar) unless the chapter made them."""

    controls = {
        "activation": Dropdown(_ACTIVATIONS, "relu", "net"),
        "layer": Dropdown(_LAYERS, 0, "layer"),
        "step": IntSlider(20, 300, 20, 100, "step t"),
        "unit": IntSlider(0, ics.SHOW - 1, 1, 0, "unit"),
    }
    figsize = DriftPanel.figsize
    # the first entry is the benchmark's untimed warm-up: it computes the sigmoid runs
    bench_settings = [{"activation": "sigmoid"}, {"layer": 3}, {"step": 300}, {"unit": 5}, {"activation": "relu"},
                      {"step": 20}]

    def build(self, fig):
        self.panel = self.add_panel(DriftPanel(fig.subplots(1, 2)))
        self._ready = set()             # activations whose runs this explorer has made sure of

    def _runs(self, activation):
        settings = ics.ACTIVATION_RUNS[activation]
        if activation not in self._ready:           # each run, with progress (cached: instant)
            todo = [(k, s) for k in ics.NETS for s in SEEDS]
            for i, (k, s) in enumerate(todo):
                self.progress(i / len(todo), f"{activation} nets: run {i + 1} of {len(todo)}")
                ics.ics_run(kind=k, rng=s, **settings)
            self._ready.add(activation)
        return ics.ics_runs(**settings)

    def compute(self, activation, layer, step, unit):
        runs = self._runs(activation)
        steps = np.asarray(runs["batch"]["rec_steps"])[0]
        record = int(np.argmin(np.abs(steps - step)))
        return {"runs": runs, "activation": activation, "layer": int(layer), "record": max(record, 1),
                "unit": int(unit)}

    def draw(self, r):
        runs, layer, rec = r["runs"], r["layer"], r["record"]
        self.panel.update(runs, layer=layer, record=rec, unit=r["unit"])
        t = int(np.asarray(runs["batch"]["rec_steps"])[0, rec])
        every = int(np.asarray(runs["batch"]["rec_steps"])[0, 1])
        parts = [f"{ics.NET_LABELS[k]} {np.mean(np.asarray(runs[k]['drift'])[:, rec, layer]):.3g}" for k in ics.NETS]
        self.set_info(f"{_NET_NAMES[r['activation']]}, weight layer {layer + 2} (of 5), the whole layer (the unit "
                      f"slider moves the left panel only): W₁ between its inputs at steps {t - every} and {t}, "
                      "mean over its units and 5 seeds: " + ", ".join(parts))


class LandscapeExplorer(Explorer):
    """Loss and gradient change along the gradient at steps 0, 100 and 300 of training, for step sizes
    η from a quarter of the training rate (0.1) to 16 times it; the slider marks η and the info line
    gives each net's values at the measured step size nearest to it."""

    controls = {
        "checkpoint": Dropdown([("step 0", 0), ("step 100", 1), ("step 300", 2)], 1, "training step"),
        "eta": LogSlider(float(np.log10(0.025)), float(np.log10(1.6)), 0.4, description="step size η", step=0.05),
    }
    figsize = LandscapePanel.figsize
    bench_settings = [{"checkpoint": 0}, {"checkpoint": 2}, {"eta": 0.025}, {"eta": 1.6}]

    def build(self, fig):
        self.panel = self.add_panel(LandscapePanel(fig.subplots(1, 2)))

    def compute(self, checkpoint, eta):
        runs = ics.ics_runs()
        etas = np.asarray(runs["batch"]["etas"])[0]
        k = int(np.argmin(np.abs(np.log(etas) - np.log(eta))))
        return {"runs": runs, "checkpoint": int(checkpoint), "eta": float(eta), "k": k, "eta_k": float(etas[k])}

    def draw(self, r):
        runs, c, k = r["runs"], r["checkpoint"], r["k"]
        self.panel.update(runs, checkpoint=c, eta=r["eta"])
        parts = []
        for n in ics.NETS:
            L0 = np.mean(np.asarray(runs[n]["land_loss0"])[:, c])
            L = np.mean(np.asarray(runs[n]["land_loss"])[:, c, k])
            g = np.mean(np.asarray(runs[n]["land_gdiff"])[:, c, k])
            parts.append(f"{ics.NET_LABELS[n]}: loss {L0:.3g} → {L:.3g}, gradient change {g:.3g}")
        step = int(np.asarray(runs["batch"]["checkpoints"])[0, c])
        self.set_info(f"training step {step}, at η = {r['eta_k']:.3g} (measured step nearest the slider), mean of "
                      "5 seeds: " + "; ".join(parts))
