"""Chapter 08 explorers: one regularised run on 200 digits (:class:`RegulariserExplorer`) and bias and
variance against capacity and data size (:class:`BiasVarianceExplorer`).

They call :func:`dlcore.experiments.regularisation.reg_run` and
:func:`~dlcore.experiments.regularisation_capacity.capacity_sweep` / ``data_sweep`` and draw with the
panels of :mod:`widgets.ch08_plots`, the same as the notebook's static figures.
"""
from __future__ import annotations

from dlcore.experiments import regularisation as rg
from dlcore.experiments import regularisation_capacity as rc
from widgets.base import Dropdown, Explorer, FloatSlider, IntSlider, LogSlider
from widgets.ch08_plots import BiasVariancePanel, RunPanel

__all__ = ["RegulariserExplorer", "BiasVarianceExplorer"]

_NOISE = [("none (clean labels)", 0.0), ("20% wrong labels", 0.2)]
#: the explorer's grids: the notebook's and width 64 (its first view trains one net), 9 nets per full change
WIDTHS, SIZES = (2, 8, 32, 64, 128), (25, 100, 400, 1079)


class RegulariserExplorer(Explorer):
    """The 64-128-128-10 net on 200 digits with any mix of dropout (hidden and input rates), an L2 or L1
    penalty, max-norm and early stopping: accuracy curves and the first-layer weight histogram against
    the same seed's unregularised run. One run trains in about 0.15 s."""

    controls = {
        "p_hidden": FloatSlider(0.0, 0.7, 0.05, 0.5, "dropout hidden p"),
        "p_input": FloatSlider(0.0, 0.7, 0.05, 0.0, "dropout input p"),
        "penalty": Dropdown([("none", "none"), ("L2", "l2"), ("L1", "l1")], "none", "penalty"),
        "lam": LogSlider(-5, -1.5, 1e-3, description="penalty λ", step=0.25, readout_format=".1e"),
        "max_norm": Dropdown([("off", 0.0), ("c = 3", 3.0), ("c = 1", 1.0), ("c = 0.5", 0.5)], 0.0, "max-norm"),
        "early": Dropdown([("off", 0), ("patience 4 evaluations", 4)], 0, "early stopping"),
        "label_noise": Dropdown(_NOISE, 0.2, "labels"),
        "seed": IntSlider(0, 4, 1, 0, "seed"),
    }
    figsize = (10, 3.6)
    slow = True
    kind = "training"
    bench_settings = [{"p_hidden": 0.0}, {"p_hidden": 0.7}, {"penalty": "l1", "lam": 1e-3}, {"max_norm": 0.5},
                      {"early": 4}, {"label_noise": 0.0}]

    def build(self, fig):
        self.panel = self.add_panel(RunPanel(fig.subplots(1, 2)))

    def expected_runs(self, **settings):
        return 2

    def inactive(self, penalty="none", **settings):
        return {"lam"} if penalty == "none" else set()

    def compute(self, p_hidden, p_input, penalty, lam, max_norm, early, label_noise, seed):
        pen = {} if penalty == "none" else {penalty: float(lam)}
        r = rg.reg_run(p_hidden=float(p_hidden), p_input=float(p_input), max_norm=float(max_norm), early=int(early),
                       label_noise=float(label_noise), rng=int(seed), **pen)
        base = rg.reg_run(label_noise=float(label_noise), rng=int(seed))
        return {"run": r, "base": base}

    def draw(self, r):
        self.panel.update(r["run"], base=r["base"])
        run, base = r["run"], r["base"]
        self.set_info(f"validation accuracy {run['val_acc']:.3f} (no regulariser, same seed: {base['val_acc']:.3f}); "
                      f"first-layer weights |w| &lt; 0.01: {100 * run['w_small']:.0f}% ({100 * base['w_small']:.0f}%), "
                      f"norm {run['w1_norm']:.1f} ({base['w1_norm']:.1f}); hidden activations at 0: "
                      f"{100 * run['act_zero']:.0f}% ({100 * base['act_zero']:.0f}%)")


class BiasVarianceExplorer(Explorer):
    """Training and validation error of a one-hidden-layer net against its width at the chosen number of
    training digits (left) and against the number of digits at the chosen width (right), for one seed or
    the mean of three; with clean labels or 20% wrong ones. Each run is 1500 SGD steps, cached; a new
    setting trains up to 9 nets per seed (about 0.1 s each)."""

    controls = {
        "width": Dropdown([(str(w), w) for w in WIDTHS], 64, "hidden width"),
        "n_train": Dropdown([(str(n), n) for n in (*SIZES[:2], 200, *SIZES[2:])], 200, "training digits"),
        "label_noise": Dropdown(_NOISE, 0.0, "labels"),
        "n_seeds": Dropdown([("seed 0", 1), ("mean of seeds 0-2", 3)], 1, "seeds"),
    }
    figsize = (10, 3.6)
    slow = True
    kind = "training"
    bench_settings = [{"width": 2}, {"n_train": 25}, {"label_noise": 0.2}, {"width": 128, "n_train": 1079}]

    def build(self, fig):
        self.panel = self.add_panel(BiasVariancePanel(fig.subplots(1, 2)))

    def expected_runs(self, n_seeds=1, **settings):
        return int(n_seeds) * (len(WIDTHS) + len(SIZES))

    def compute(self, width, n_train, label_noise, n_seeds):
        seeds = tuple(range(int(n_seeds)))
        cap = rc.capacity_sweep(WIDTHS, n_train=int(n_train), label_noise=float(label_noise), seeds=seeds)
        dat = rc.data_sweep(SIZES, width=int(width), label_noise=float(label_noise), seeds=seeds)
        return {"capacity": cap, "data": dat, "mark": (int(width), int(n_train))}

    def draw(self, r):
        self.panel.update(r)
        cap = r["capacity"]
        i = list(cap["widths"]).index(r["mark"][0])
        te, ve = cap["train_err"][i].mean(), cap["val_err"][i].mean()
        cte, noise = cap["clean_train_err"][i].mean(), float(cap["label_noise"])
        self.set_info(f"width {r['mark'][0]} on {r['mark'][1]} digits: " + bias_variance_verdict(te, ve, cte, noise))



def bias_variance_verdict(te: float, ve: float, cte: float, noise: float = 0.0) -> str:
    """The info line's diagnosis from the training error on the labels given (``te``), on the true labels
    (``cte``), the validation error ``ve`` and the fraction of wrong labels ``noise``. With wrong labels a
    net that learns the rule and ignores them *should* have training error near ``noise``; bias is read
    off the error on the true labels."""
    head = (f"training error {te:.3f}" + (f" (on the true labels {cte:.3f})" if noise else "")
            + f", validation {ve:.3f}: ")
    if cte > 0.1:
        return head + "under-fits (high bias): it does not fit even the true training labels"
    if noise and te < noise / 2:
        return head + "over-fits (high variance): it has memorised most of the wrong labels"
    if noise:
        return head + ("fits the rule, not the noise: its training error is about the share of wrong labels "
                       "and it fits the true ones")
    if ve - te > 0.1:
        return head + "over-fits (high variance): training error near 0, validation much higher"
    return head + "a small gap between training and validation error"
