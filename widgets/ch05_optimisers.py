"""Chapter 05 explorers: optimisers on 2-D surfaces, the digits learning-rate sweep, schedules,
warm-up and input normalisation.

Each calls a tested function of :mod:`dlcore.experiments.optimisers_demo`,
:mod:`dlcore.experiments.optimisers_sweep` or :mod:`dlcore.experiments.normalisation` and draws
the result with the panel the notebook's static figure uses (:mod:`widgets.ch05_plots`).
"""
from __future__ import annotations

import html
import math

from dlcore.experiments import normalisation as nx
from dlcore.experiments import optimisers_demo as dx
from dlcore.experiments import optimisers_sweep as sx
from widgets.base import Checkbox, Dropdown, Explorer, FloatSlider, IntSlider, LogSlider
from widgets.ch05_plots import LABELS, SchedulePanel, SurfacePanel, SweepPanel, CurvesPanel, WarmupPanel, ZigzagNormPanel

__all__ = ["SurfaceExplorer", "SweepExplorer", "ScheduleExplorer", "WarmupExplorer", "NormalisationExplorer"]


class SurfaceExplorer(Explorer):
    """Any of six optimisers (tick them) on an ill-conditioned bowl (condition number, angle), the
    Rosenbrock valley, a saddle, or a bowl with noisy gradients; one learning rate for all of them,
    ``mu`` = μ / β₁ (momentum, Nesterov; Adam's β₁) and ``ρ / β₂`` (RMSprop; Adam's β₂). Left: the paths
    over the contour bands (dark = low); right: :math:`f - f^*` per step. The info line gives each
    final gap, or the step where a path diverged."""

    controls = {
        "surface": Dropdown([("ill-conditioned bowl", "quadratic"), ("Rosenbrock valley", "rosenbrock"),
                             ("saddle", "saddle"), ("bowl, noisy gradients", "noisy")], "quadratic", "surface"),
        "kappa": LogSlider(0, 3, 10.0, description="condition number κ", step=0.1),
        "angle": FloatSlider(0.0, 90.0, 5.0, 0.0, "bowl angle (°)"),
        "noise": FloatSlider(0.0, 3.0, 0.1, 1.0, "gradient noise σ"),
        "lr": LogSlider(-4, 0.5, 0.05, description="learning rate η", step=0.05),
        "mu": FloatSlider(0.0, 0.99, 0.01, 0.9, "μ / β₁"),
        "beta2": FloatSlider(0.5, 0.999, 0.001, 0.999, "ρ / β₂", readout_format=".3f"),
        "steps": IntSlider(10, 300, 10, 100, "steps"),
        **{name: Checkbox(name in ("sgd", "momentum", "adam"), LABELS[name]) for name in dx.PATH_OPTIMISERS},
    }
    figsize = SurfacePanel.figsize
    # a drag moves one control through nearby values (an update per value); menus change now and then
    bench_settings = [{"lr": 0.02}, {"lr": 0.025}, {"lr": 0.03}, {"mu": 0.5}, {"mu": 0.7}, {"mu": 0.8},
                      {"beta2": 0.9}, {"adagrad": True}, {"kappa": 50.0}, {"kappa": 100.0}, {"kappa": 200.0},
                      {"angle": 30.0}, {"angle": 45.0}, {"lr": 0.01}, {"nesterov": True}, {"surface": "saddle"},
                      {"lr": 0.05}, {"surface": "quadratic"}, {"rmsprop": True}, {"steps": 150}]

    def build(self, fig):
        # the contours are blitted with the paths: a new kappa or angle costs no background redraw, so the
        # title stays fixed (the menu and sliders name the surface)
        self.panel = self.add_panel(SurfacePanel(fig.subplots(1, 2), title=""))

    def inactive(self, surface, **s):
        off = set()
        if surface not in ("quadratic", "noisy"):
            off |= {"kappa", "angle"}
        if surface != "noisy":
            off.add("noise")
        if not (s["momentum"] or s["nesterov"] or s["adam"]):
            off.add("mu")
        if not (s["rmsprop"] or s["adam"]):
            off.add("beta2")
        return off

    def compute(self, surface, kappa, angle, noise, lr, mu, beta2, steps, **ticks):
        sa = {}
        if surface in ("quadratic", "noisy"):
            sa = {"kappa": float(kappa), "angle": math.radians(angle)}
        if surface == "noisy":
            sa["noise"] = float(noise)
        chosen = tuple(n for n in dx.PATH_OPTIMISERS if ticks[n])
        return dx.surface_paths(surface, sa, chosen, lr, mu, beta2, steps)

    def draw(self, r):
        self.panel.update(r)          # a new surface has a new title: only that axes' background is redrawn
        parts = []
        for name, p in r["paths"].items():
            if p["diverged"]:
                at = int(sum(1 for v in p["gap"] if v == v)) - 1
                parts.append(f"<b>{LABELS[name]}</b> diverged at step {at + 1}")
            else:
                parts.append(f"<b>{LABELS[name]}</b> f−f* = {p['gap'][-1]:.2g}")
        self.set_info(" &middot; ".join(parts) if parts else "tick at least one optimiser")


class SweepExplorer(Explorer):
    """One optimiser on the digits (64-32-10 ReLU, mini-batches of 32) at each rate of its grid
    (:data:`~dlcore.experiments.optimisers_sweep.SWEEP_LRS`), over ``seeds``: the validation loss
    against the rate (left) and the training loss at the best rate (right). About 0.3-0.9 s per new
    setting (7 rates x seeds runs); cached afterwards."""

    controls = {
        "optimiser": Dropdown([(LABELS[n], n) for n in sx.SWEEP_LRS], "adam", "optimiser"),
        "seeds": IntSlider(1, 5, 1, 2, "seeds"),
        "steps": IntSlider(100, 300, 50, 200, "steps"),
    }
    slow = True
    kind = "training"
    figsize = (10, 3.6)
    bench_settings = [{"optimiser": "sgd"}, {"optimiser": "adam"}, {"optimiser": "momentum"}, {"seeds": 3},
                      {"steps": 100}, {"optimiser": "adagrad", "seeds": 1}]

    def build(self, fig):
        a, b = fig.subplots(1, 2)
        self.sweep = self.add_panel(SweepPanel(a))
        self.curves = self.add_panel(CurvesPanel(b))

    def expected_runs(self, optimiser, seeds, **_):
        return len(sx.SWEEP_LRS[optimiser]) * seeds

    def compute(self, optimiser, seeds, steps):
        return {optimiser: sx.digits_lr_sweep(optimiser, sx.SWEEP_LRS[optimiser], tuple(range(seeds)), steps)}

    def draw(self, r):
        self.sweep.update(r)
        self.curves.update(r)
        (name, s), = r.items()
        g = sx.good_range(s)
        self.set_info(f"<b>{LABELS[name]}</b>: best rate {s['best_lr']:g} (median validation loss "
                      f"{s['median'][s['best']]:.3f}); within 1.5x of it: {g['lo']:g} to {g['hi']:g} "
                      f"({g['decades']:.1f} decades); each seed's best: {', '.join(f'{v:g}' for v in s['seed_best_lr'])}")


_SCHEDULES = {label: spec for label, spec in sx.SCHEDULE_SPECS}


class ScheduleExplorer(Explorer):
    """A constant rate against one schedule (same peak rate) on the digits, over ``seeds``: the rates
    (left) and the training loss (right, median over seeds). Each new setting trains 2 x seeds nets
    (about 0.2 s each)."""

    controls = {
        "schedule": Dropdown([k for k in _SCHEDULES if k != "constant"], "cosine", "schedule"),
        "optimiser": Dropdown([("SGD", "sgd"), ("momentum 0.9", "momentum"), ("Adam", "adam")], "sgd", "optimiser"),
        "lr": LogSlider(-3, 0.5, 1.0, description="peak rate η₀", step=0.1),
        "seeds": IntSlider(1, 5, 1, 2, "seeds"),
    }
    slow = True
    kind = "training"
    figsize = SchedulePanel.figsize
    bench_settings = [{"schedule": "step (x0.1 at 2/3)"}, {"schedule": "1/t"}, {"lr": 0.3}, {"optimiser": "adam", "lr": 0.01},
                      {"seeds": 1}, {"schedule": "warm-up + cosine"}]

    def build(self, fig):
        self.panel = self.add_panel(SchedulePanel(fig.subplots(1, 2), labels=list(_SCHEDULES)))

    def expected_runs(self, seeds, **_):
        return 2 * seeds

    def compute(self, schedule, optimiser, lr, seeds):
        specs = (("constant", _SCHEDULES["constant"]), (schedule, _SCHEDULES[schedule]))
        hyper = {"momentum": 0.9} if optimiser == "momentum" else None
        return sx.schedule_runs(optimiser, lr, specs, tuple(range(seeds)), 300, hyper=hyper)

    def draw(self, r):
        self.panel.update(r)
        self.set_info(" &middot; ".join(
            f"<b>{html.escape(k)}</b>: validation loss {_median(v['val_loss'])}, accuracy {_median(v['val_acc'], 3)}"
            for k, v in r.items() if k != "steps") + " (median over seeds)")


def _median(v, digits=3):
    import numpy as np
    v = np.asarray(v, dtype=float)
    return "diverged" if not np.isfinite(v).any() else f"{np.median(v[np.isfinite(v)]):.{digits}f}"


class WarmupExplorer(Explorer):
    """SGD on a 64-64-64-10 ReLU net whose weights start N(0, std²), at a constant rate with and
    without linear warm-up, over ``seeds``: each seed's loss. With std 1 and rate 0.3 the runs without
    warm-up die (the loss jumps to hundreds and the net ends near chance) and warm-up rescues them."""

    controls = {
        "lr": LogSlider(-2, 0, 0.3, description="rate η", step=0.05),
        "warmup": IntSlider(0, 200, 10, 100, "warm-up steps"),
        "init_std": FloatSlider(0.1, 2.0, 0.1, 1.0, "initial weights' std"),
        "seeds": IntSlider(1, 5, 1, 2, "seeds"),
    }
    slow = True
    kind = "training"
    figsize = WarmupPanel.figsize
    bench_settings = [{"lr": 0.1}, {"warmup": 50}, {"init_std": 0.5}, {"seeds": 3}, {"warmup": 0}, {"lr": 0.3}]

    def build(self, fig):
        self.panel = self.add_panel(WarmupPanel(fig.subplots(1, 2), seeds=5))

    def expected_runs(self, seeds, **_):
        return 2 * seeds

    def compute(self, lr, warmup, init_std, seeds):
        return sx.warmup_rescue("sgd", lr, warmup, tuple(range(seeds)), init_kwargs=(("std", float(init_std)),))

    def draw(self, r):
        self.panel.update(r)
        n = len(r["none"]["val_acc"])
        self.set_info(f"trained (validation accuracy &gt; {sx.TRAINS}): without warm-up <b>{int(r['none']['trained'].sum())}"
                      f" of {n}</b> seeds, with warm-up <b>{int(r['warmup']['trained'].sum())} of {n}</b>")


class NormalisationExplorer(Explorer):
    """Two features on different scales (the first with mean ``mean`` and standard deviation ``sd``, the
    second 2 ± 0.5) and a bias: gradient descent's first 50 steps at its best fixed rate, raw (left)
    and scaled (right), in the plane of the Hessian's shallowest and steepest eigen-directions, over
    the loss's contour ellipses. The info line gives the condition number and the exact number of
    steps to shrink the loss gap a million times."""

    controls = {
        "scheme": Dropdown([("z-score", "zscore"), ("min-max", "minmax")], "zscore", "scaling (right)"),
        "sd": LogSlider(-1, 2, 10.0, description="feature 1: std", step=0.1),
        "mean": FloatSlider(0.0, 100.0, 5.0, 50.0, "feature 1: mean"),
        "corr": FloatSlider(-0.9, 0.9, 0.1, 0.0, "correlation"),
        "seed": IntSlider(0, 9, 1, 0, "seed"),
    }
    figsize = (9, 3.8)
    bench_settings = [{"sd": 1.0}, {"mean": 0.0}, {"corr": 0.8}, {"scheme": "minmax"}, {"seed": 3}, {"sd": 100.0}]

    def build(self, fig):
        self.panel = self.add_panel(ZigzagNormPanel(fig.subplots(1, 2), titles=("raw features", "scaled features")))

    def compute(self, scheme, sd, mean, corr, seed):
        kw = {"means": (float(mean), 2.0), "sds": (float(sd), 0.5), "corr": float(corr)}
        return {"raw": nx.normalisation_gd("raw", seed, **kw), scheme: nx.normalisation_gd(scheme, seed, **kw)}

    def draw(self, r):
        self.panel.update(r)
        self.set_info(" &middot; ".join(f"<b>{k}</b>: κ = {v['cond']:.3g}, {v['steps']} steps" for k, v in r.items()))
