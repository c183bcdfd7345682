"""Chapter 04 explorers: the saturated sigmoid neuron, cost landscapes, digits.

Each explorer calls :mod:`dlcore.experiments.crossentropy` or
:mod:`dlcore.experiments.crossentropy_digits` and draws the result with the same
panel as the notebook's static figure (:mod:`widgets.ch04_plots`).
"""
from __future__ import annotations

from dlcore.experiments import crossentropy as ex
from dlcore.experiments import crossentropy_digits as dx
from widgets.base import Explorer, FloatSlider, IntSlider, LogSlider
from widgets.ch04_plots import DigitsPanel, LandscapePanel, NeuronPanel

__all__ = ["SingleNeuronExplorer", "LandscapeExplorer", "DigitsCostExplorer"]

_NEURON_CONTROLS = {
    "w0": FloatSlider(-4.0, 4.0, 0.1, 2.0, "start w"),
    "b0": FloatSlider(-4.0, 4.0, 0.1, 2.0, "start b"),
    "eta": LogSlider(-3, 0.5, 0.15, description="learning rate η", step=0.05),
    "epochs": IntSlider(10, 1000, 10, 300, "epochs"),
}


def _neuron_runs(w0, b0, eta, epochs) -> dict:
    return {c: ex.train_neuron(w0, b0, eta, epochs, c) for c in ex.COSTS}


class SingleNeuronExplorer(Explorer):
    """One sigmoid neuron, x = 1, target 0: relative cost and output against epoch for both costs.

    The dots mark epoch 50 (or the last epoch if fewer), labelled with the share of the cost removed by then.
    Moving the start into the saturated corner (large :math:`w_0 + b_0`) lengthens the quadratic plateau.
    """

    controls = dict(_NEURON_CONTROLS)
    figsize = NeuronPanel.figsize
    bench_settings = [{"w0": 0.6, "b0": 0.9}, {"w0": 2.0, "b0": 2.0}, {"eta": 0.005}, {"eta": 1.0},
                      {"epochs": 1000}, {"epochs": 100}, {"w0": -3.0}, {"b0": 3.5}]

    def build(self, fig):
        self.panel = self.add_panel(NeuronPanel(fig.subplots(1, 2)))

    def compute(self, w0, b0, eta, epochs):
        return _neuron_runs(w0, b0, eta, epochs)

    def draw(self, runs):
        self.panel.update(runs)


class LandscapeExplorer(Explorer):
    """Cost over (w, b) for the quadratic cost and cross-entropy, with the gradient-descent path
    (a dot every ``PATH_MARK_EVERY`` epochs: crowded dots = slow learning; red: start, square: end)."""

    controls = dict(_NEURON_CONTROLS)
    figsize = LandscapePanel.figsize
    lim = 4.0
    bench_settings = SingleNeuronExplorer.bench_settings

    def build(self, fig):
        surfaces = {c: ex.cost_surface(c, (-self.lim, self.lim), (-self.lim, self.lim), 81) for c in ex.COSTS}
        self.panel = self.add_panel(LandscapePanel(fig.subplots(1, 2), surfaces))

    def compute(self, w0, b0, eta, epochs):
        return _neuron_runs(w0, b0, eta, epochs)

    def draw(self, runs):
        self.panel.update(runs)


class DigitsCostExplorer(Explorer):
    """Digits with sigmoid+quadratic, sigmoid+CE and softmax+CE: accuracy and wrongly saturated outputs.

    Cold update at the defaults (10 epochs, 2 seeds, 6 runs): about 0.5 s. Runs are cached per
    setting; moving ``epochs`` down slices cached runs, moving it up continues them (only the
    added epochs are trained, see :func:`dlcore.experiments.crossentropy_digits.train_setup`),
    fewer ``seeds`` reuse the runs already there. A progress bar appears after 0.5 s. The info
    line gives the final validation accuracy of each setup over the seeds.
    """

    controls = {
        "lr": LogSlider(-2, 0.5, 0.5, description="learning rate", step=0.1),
        "init_std": FloatSlider(0.1, 3.0, 0.1, 1.0, "init std of W"),
        "epochs": IntSlider(2, 30, 1, 10, "epochs"),
        "seeds": IntSlider(1, 3, 1, 2, "seeds"),
    }
    slow = True
    kind = "training"
    figsize = DigitsPanel.figsize
    bench_settings = [{"lr": 0.1}, {"lr": 1.0}, {"init_std": 0.3}, {"init_std": 2.0},
                      {"epochs": 5}, {"epochs": 15}, {"seeds": 1}]

    def build(self, fig):
        self.panel = self.add_panel(DigitsPanel(fig.subplots(1, 2)))

    def expected_runs(self, seeds, **_):
        return len(dx.SETUPS) * seeds

    def compute(self, lr, init_std, epochs, seeds):
        return dx.compare_setups(seeds=tuple(range(seeds)), epochs=epochs, lr=lr, init_std=init_std,
                                 progress=self.progress)   # the base already runs compute on one BLAS thread

    def draw(self, runs):
        self.panel.update(runs)
        acc = {name: runs[name]["val_acc"][:, -1] for name in dx.SETUPS}
        n = len(next(iter(acc.values())))
        spread = (lambda a: "") if n == 1 else (lambda a: f" ({a.min():.3f}-{a.max():.3f})")
        self.set_info(f"validation accuracy after {runs['epoch'][-1]:g} epochs, "
                      + ("1 seed: " if n == 1 else f"mean (worst-best) of {n} seeds: ")
                      + " &middot; ".join(f"<b>{k}</b> {a.mean():.3f}{spread(a)}" for k, a in acc.items()))
