"""Chapter 06 explorers: batch gradients around the full gradient, steps to a target against B, and
mini-batch paths on a 2-D regression.

Each explorer calls ``dlcore.experiments.batch_*`` and draws with the panels of
:mod:`widgets.ch06_plots`, the same as the notebook's static figures.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import batch_noise as bn
from dlcore.experiments import batch_paths as bp
from dlcore.experiments import batch_training as bt
from widgets.base import Dropdown, Explorer, IntSlider, LogSlider
from widgets.ch06_plots import NoisePanel, PathsPanel, ScatterPanel, SweepPanel

__all__ = ["NoiseScatterExplorer", "BatchSweepExplorer", "PathsExplorer", "scatter_home"]

_STATES = [("at initialisation", 0), ("after 300 steps (94% val. acc.)", 300)]


def scatter_home(scatter: dict) -> tuple:
    """The usual view of :class:`ScatterPanel` for a state: the middle 98 % of single-example
    gradients (B = 1) in each direction, with the origin and G."""
    Z, c = np.asarray(scatter["Z"]), np.asarray(scatter["center"])
    out = []
    for k in range(2):
        lo, hi = np.quantile(Z[:, k], [0.01, 0.99])
        lo, hi = min(lo, 0.0, c[k]), max(hi, 0.0, c[k])
        pad = 0.05 * (hi - lo)
        out.append((float(lo - pad), float(hi + pad)))
    return tuple(out)


class NoiseScatterExplorer(Explorer):
    """Batch gradients of size B (300 draws) in the plane of the full gradient G and the direction of
    largest spread across it (left), and the measured noise against B with the theory (middle, the
    current B marked) and the cosine to G (right). The view stays that of B = 1, so the cloud shrinks
    like 1/√B; without replacement it collapses onto G at B = N = 1079."""

    controls = {
        "batch_size": LogSlider(0, float(np.log10(1079)), 8.0, description="batch size B", step=0.05,
                                readout_format=".0f"),
        "sampling": Dropdown([("without replacement", "without"), ("with replacement", "with")], "without",
                             "sampling"),
        "state": Dropdown(_STATES, 0, "net"),
    }
    figsize = (11, 3.4)
    bench_settings = [{"batch_size": 1.0}, {"batch_size": 64.0}, {"batch_size": 1079.0},
                      {"sampling": "with"}, {"state": 300}, {"batch_size": 4.0}]

    def build(self, fig):
        a = fig.subplots(1, 3, width_ratios=(1.05, 1, 1))
        self.scatter = self.add_panel(ScatterPanel(a[0]))
        self.noise = self.add_panel(NoisePanel(a[1:]))

    def compute(self, batch_size, sampling, state):
        b = int(round(batch_size))
        sc = bn.scatter_2d(0, state)
        p = bn.project_batches(sc, b, replace=sampling == "with", rng=0)
        return {"points": p, "noise": bn.noise_vs_batch(0, state), "home": scatter_home(sc), "B": b,
                "sampling": sampling, "asked": float(batch_size)}

    def draw(self, r):
        self.scatter.home = r["home"]
        self.scatter.update(r["points"])
        self.noise.update(r["noise"], mark=r["B"])
        n = r["noise"]
        th = n["trace"] / r["B"] * (1 if r["sampling"] == "with" else (n["N"] - r["B"]) / (n["N"] - 1))
        used = (f"B = {r['B']} (a whole batch: the slider's {r['asked']:.2f} rounded)"
                if abs(r["asked"] - r["B"]) > 1e-9 else f"B = {r['B']}")
        self.set_info(f"{used}: theory E‖g_B − G‖² = {th:.3g} (all {len(r['points']['points'])} draws "
                      f"in the plane: {r['points']['mean_sq']:.3g}); ‖G‖² = {n['g2']:.3g}, "
                      f"B_simple = tr Σ / ‖G‖² = {n['trace'] / n['g2']:.0f}")


class BatchSweepExplorer(Explorer):
    """Steps and epochs to a validation accuracy against B (1 ... 1079) for a learning rate given at
    B = 16 and scaled by a rule; the dashed line is :math:`S_{min}(1 + B_{noise}/B)` fitted to the
    fewest steps at each B over the rules shown. Every run is cached; 1 seed of one rule trains
    6 nets (0.1-0.5 s), all three rules 18 (0.5-2 s), all rules and 5 seeds 90 (3-10 s, with a
    progress bar)."""

    controls = {
        "lr": LogSlider(-1.5, 0.5, 0.3, description="lr at B = 16", step=0.1),
        "rule": Dropdown([("all three rules", "all"), ("lr fixed", "fixed"), ("lr ∝ B", "linear"),
                          ("lr ∝ √B", "sqrt")], "all", "scaling"),
        "seeds": IntSlider(1, 5, 1, 1, "seeds"),
        "target": Dropdown([0.8, 0.85, 0.9, 0.93], 0.9, "target val. acc."),
    }
    slow = True
    kind = "training"
    figsize = SweepPanel.figsize
    bench_settings = [{"lr": 0.1}, {"rule": "fixed"}, {"seeds": 1}, {"target": 0.85}, {"lr": 1.0}]

    def build(self, fig):
        self.panel = self.add_panel(SweepPanel(fig.subplots(1, 2)))

    def compute(self, lr, rule, seeds, target):
        rules = bt.LR_RULES if rule == "all" else (rule,)
        r = bt.batch_sweep(rules=rules, lr=lr, seeds=tuple(range(seeds)), target=target, progress=self.progress)
        best = np.nanmin(np.stack([np.where(np.isfinite(r[k]["steps"]), r[k]["steps"], np.inf).mean(1)
                                   for k in rules]), axis=0)
        best[~np.isfinite(best)] = np.nan
        fit = bt.fit_noise_scale(r["B"], best) if np.isfinite(best).sum() >= 3 else None
        return {"sweep": r, "fit": fit, "rules": rules}

    def draw(self, r):
        self.panel.update(r["sweep"], fit=r["fit"])
        s = r["sweep"]
        miss = [f"{k} at B = {int(b)}" for k in r["rules"] for b, h in zip(s["B"], s[k]["hit"]) if not h.any()]
        fit = (f"fit: S_min = {r['fit']['s_min']:.0f} steps, B_crit = {r['fit']['b_noise']:.0f}"
               if r["fit"] else "too few settings reached the target to fit S_min (1 + B_crit / B)")
        self.set_info(fit + (" &middot; never reached: " + ", ".join(miss) if miss else ""))


class PathsExplorer(Explorer):
    """Mini-batch gradient descent on a 2-D least-squares problem (256 examples) with B = 1, 8, 64 and
    the full batch, from one start, for a number of steps at one learning rate. Each example's loss is
    minimal on a line of its own; a small batch is pulled towards those lines and wanders around the
    minimum, the full batch walks down the contours."""

    controls = {
        "lr": LogSlider(-2, np.log10(0.6), 0.2, description="learning rate", step=0.05),
        "steps": IntSlider(10, 400, 10, 100, "steps"),
        "seed": IntSlider(0, 9, 1, 0, "seed (batch order)"),
    }
    figsize = PathsPanel.figsize
    bench_settings = [{"lr": 0.05}, {"lr": 0.5}, {"steps": 400}, {"steps": 20}, {"seed": 3}]

    def build(self, fig):
        self.panel = self.add_panel(PathsPanel(fig.subplots(), bp.loss_surface()))
        self._longest = {}          # (lr, seed) -> the run with the most steps computed so far

    def compute(self, lr, steps, seed):
        # the first k steps of a run are the run of k steps (one batch stream per B, drawn step by step):
        # fewer steps than the longest run computed at (lr, seed) are cut from it, not computed again
        longest = self._longest.get((lr, seed))
        if longest is None or len(longest[1]["w"]) - 1 < steps:
            longest = self._longest[(lr, seed)] = bp.sgd_paths(lr=lr, steps=steps, rng=seed)
            while len(self._longest) > 64:
                self._longest.pop(next(iter(self._longest)))
        if len(longest[1]["w"]) - 1 == steps:
            return longest
        out = dict(longest)
        for B in self.panel.paths:
            w = longest[B]["w"][:steps + 1]
            out[B] = {"w": w, "loss": longest[B]["loss"][:steps + 1],
                      "dist": float(np.linalg.norm(w[-1] - longest["w_star"]))}
        return out

    def draw(self, r):
        self.panel.update(r)
        self.set_info("distance from the minimum after the last step: " + " &middot; ".join(
            f"<b>{'full batch' if B == 256 else f'B = {B}'}</b> {r[B]['dist']:.3f}" for B in self.panel.paths))
