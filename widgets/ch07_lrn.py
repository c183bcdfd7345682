"""Chapter 07 explorer: local response normalisation on one pixel's stack of channels
(:class:`LRNExplorer`). It calls :func:`dlcore.experiments.lrn.lrn_stack` and
:func:`~dlcore.experiments.lrn.lrn_inhibition` and draws with :class:`widgets.ch07_panels.LRNPanel`,
the same as the notebook's static figure."""
from __future__ import annotations

import numpy as np

from dlcore.experiments import lrn
from widgets.base import Explorer, FloatSlider, IntSlider, LogSlider
from widgets.ch07_panels import LRNPanel

__all__ = ["LRNExplorer", "lrn_result"]

#: the neighbour activations of the inhibition curve
NEIGHBOUR = np.linspace(0.0, 20.0, 81)


def lrn_result(size=5, k=2.0, alpha=1.0, beta=0.75, peak=10.0, level=2.0, channels=16, where=8) -> dict:
    """What :class:`LRNPanel` draws: a stack of ``channels`` activations (``level``, ``peak`` at channel
    ``where``) through LRN, and channel 0's output (its own activation 1) as a neighbour one channel
    away (``near``) or just outside the window (``far``, ``size // 2 + 1`` away) grows from 0 to 20;
    ``among_equals``: the factor of a channel whose whole window holds ``level`` (no strong channel, no
    edge of the stack), (k + α level²)^-β."""
    settings = dict(size=int(size), alpha=float(alpha), beta=float(beta), k=float(k))
    return {"stack": lrn.lrn_stack(lrn.stack_profile(channels, peak, level, where), **settings),
            "near": lrn.lrn_inhibition(NEIGHBOUR, distance=1, **settings),
            "far": lrn.lrn_inhibition(NEIGHBOUR, distance=int(size) // 2 + 1, **settings),
            "among_equals": (float(k) + float(alpha) * float(level) ** 2) ** -float(beta)}


class LRNExplorer(Explorer):
    """LRN divides each channel's activation by (k + α/n · the sum of squares over n neighbouring
    channels)^β. Left: a stack with one strong channel among equal ones: the strong channel damps its
    n − 1 neighbours (the factor dips around it). Right: lateral inhibition of channel 0 by a neighbour
    inside the window; outside the window nothing happens. With AlexNet's α (5e-4 here, 1e-4 in its
    paper's convention) and activations of order 1 the factor is k^-β everywhere: a constant."""

    controls = {
        "size": IntSlider(1, 9, 1, 5, "n (channels)"),
        "k": FloatSlider(0.1, 5.0, 0.1, 2.0, "k (bias)"),
        "alpha": LogSlider(-4, 1, 1.0, description="α", step=0.1),
        "beta": FloatSlider(0.0, 2.0, 0.05, 0.75, "β (exponent)"),
        "peak": FloatSlider(0.0, 20.0, 0.5, 10.0, "strong channel"),
        "level": FloatSlider(0.0, 10.0, 0.5, 2.0, "other channels"),
    }
    figsize = (9.0, 3.4)
    bench_settings = [{"size": 1}, {"size": 9}, {"alpha": 1e-4}, {"beta": 0.0}, {"peak": 20.0}, {"k": 0.1}]

    def build(self, fig):
        self.panel = self.add_panel(LRNPanel(fig.subplots(1, 2, gridspec_kw={"wspace": 0.4})))

    def compute(self, size, k, alpha, beta, peak, level):
        return lrn_result(size, k, alpha, beta, peak, level)

    def draw(self, r):
        self.panel.update(r)
        s = r["stack"]
        w = len(s["a"]) // 2
        self.set_info(f"strong channel: {s['a'][w]:.3g} → {s['b'][w]:.3g} (× {s['factor'][w]:.3g}); "
                      f"its neighbour: {s['a'][w + 1]:.3g} → {s['b'][w + 1]:.3g} (× {s['factor'][w + 1]:.3g}); "
                      f"a channel among equal ones, far from the strong one and from the edges: × "
                      f"{r['among_equals']:.3g}; k^-β = {s['k'] ** -s['beta']:.3g} (the factor with nothing in the window)"
                      + ("; n = 1: no neighbour is in the window, so the two curves coincide" if s["size"] == 1 else ""))
