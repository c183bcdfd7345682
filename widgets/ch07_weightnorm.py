"""Chapter 07 explorer: weight norm against batch norm over training (:class:`NormCurvesExplorer`).

It calls :func:`dlcore.experiments.norm_weight.wn_curves` (cached per run) and draws with
:class:`widgets.ch07_panels.CurvesPanel`, the same as the notebook's static figure.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import norm_weight as nw
from widgets.base import Explorer, IntSlider, LogSlider
from widgets.ch07_panels import CURVE_STYLES, CurvesPanel

__all__ = ["NormCurvesExplorer", "RUNS"]

#: the curves: name -> wn_curves settings
RUNS = {"none": {"norm": None}, "batch": {"norm": "batch"}, "weight": {"norm": "weight"},
        "weight_plain": {"norm": "weight", "data_init": False}}


class NormCurvesExplorer(Explorer):
    """Validation accuracy over training for the digits MLP (64-100-100-10 ReLU, SGD, batches of 32)
    with no norm, BN, and WN with and without its data-dependent initialisation: the mean over the
    seeds (line) and their range (band). Raise the learning rate: the plain net and both WN nets fail
    from about 1 (WN with the data init first), BN trains up to about 3."""

    controls = {
        "lr": LogSlider(-2, 1, 0.1, description="learning rate", step=0.1),
        "steps": IntSlider(50, 600, 50, 300, "steps"),
        "seeds": IntSlider(1, 5, 1, 3, "seeds"),
    }
    figsize = (7.0, 3.6)
    slow, kind = True, "training"
    bench_settings = [{"lr": 1.0}, {"lr": 3.0}, {"steps": 600}, {"seeds": 5}, {"lr": 0.01, "steps": 50}]

    def build(self, fig):
        self.panel = self.add_panel(CurvesPanel(fig.subplots(), names=tuple(RUNS)))

    def compute(self, lr, steps, seeds):
        out, k, total = {}, 0, len(RUNS) * int(seeds)
        for name, kw in RUNS.items():
            runs = []
            for s in range(int(seeds)):
                runs.append(nw.wn_curves(rng=s, lr=float(lr), steps=int(steps), **kw))
                k += 1
                self.progress(k / total, f"{k} of {total} runs")
            n = max(len(r["val_acc"]) for r in runs)
            acc = np.full((len(runs), n), np.nan)
            for i, r in enumerate(runs):
                acc[i, :len(r["val_acc"])] = r["val_acc"]
            step = max((r["step"] for r in runs), key=len)
            out[name] = {"step": np.asarray(step), "val_acc": acc,
                         "final": np.array([np.nan if r["diverged"] else r["final_acc"] for r in runs])}
        out["lr"] = float(lr)
        return out

    def draw(self, r):
        self.panel.update(r)
        parts = []
        for name in RUNS:
            label = CURVE_STYLES[name][0]
            f = r[name]["final"]
            div = int(np.sum(~np.isfinite(f)))
            parts.append(f"{label}: {np.nanmean(f):.3f}" if div < len(f) else f"{label}: diverged")
            if 0 < div < len(f):
                parts[-1] += f" ({div} diverged)"
        self.set_info(f"lr {r['lr']:.3g}, final validation accuracy (mean over seeds): " + "; ".join(parts))

