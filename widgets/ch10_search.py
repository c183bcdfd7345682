"""Chapter 10 explorers: one search of the digits table (:class:`SearchExplorer`) and the irrelevant-axis
demo (:class:`IrrelevantAxisExplorer`).

They call :func:`dlcore.experiments.search_digits.search_digits` and
:func:`dlcore.experiments.search_toy.irrelevant_axis` and draw with the panels of :mod:`widgets.ch10_plots`,
the same as the notebook's static figures.
"""
from __future__ import annotations

import numpy as np

from dlcore.experiments import search_digits as sd
from dlcore.experiments import search_toy as st
from widgets.base import Dropdown, Explorer, IntSlider
from widgets.ch10_plots import IrrelevantAxisPanel, SearchTrialsPanel

__all__ = ["SearchExplorer", "IrrelevantAxisExplorer"]

_METHODS = [("grid", "grid"), ("random", "random"), ("TPE (model-based)", "tpe")]


class SearchExplorer(Explorer):
    """One search of the digits table (810 configurations trained in advance): its trials on the
    learning-rate x width plane, and the best validation accuracy so far. The grid is deterministic
    (the seed does nothing) and uses the largest grid that fits the budget. ``draw`` picks one of the five
    trainings of the table (draws of the training noise)."""

    controls = {
        "method": Dropdown(_METHODS, "tpe", "method"),
        "budget": IntSlider(4, 64, 1, 24, "budget (trials)"),
        "seed": IntSlider(0, 19, 1, 0, "seed"),
        "draw": IntSlider(0, 4, 1, 0, "table draw"),
    }
    slow = True
    figsize = SearchTrialsPanel.figsize
    bench_settings = [{"method": "random"}, {"method": "grid"}, {"budget": 64}, {"seed": 7}]

    def build(self, fig):
        self.panel = self.add_panel(SearchTrialsPanel(fig.subplots(1, 2)))

    def inactive(self, method, **_):
        return {"seed"} if method == "grid" else set()

    def compute(self, method, budget, seed, draw=0):
        return {"search": sd.search_digits(method, int(budget), rng=int(seed), draw=int(draw)),
                "table": sd.table(int(draw)), "method": method}

    def draw(self, r):
        self.panel.update(r)
        s, t = r["search"], r["table"]
        k = int(np.argmax(s["val"]))
        i = tuple(int(v) for v in s["idx"][k])
        cfg = ", ".join(f"{name} {vals[j]:.1e}" if name == "lr" else f"{name} {vals[j]:g}"
                        for (name, vals), j in zip(sd.LATTICE.items(), i))
        grid = (f" (a {' x '.join(map(str, s['levels']))} grid)" if r["method"] == "grid" else "")
        self.set_info(f"{len(s['val'])} trials{grid}: best validation accuracy {s['best_val'][-1]:.3f} "
                      f"(test {s['test'][-1]:.3f}) at {cfg}; best in the table {t['val'].max():.3f}")


class IrrelevantAxisExplorer(Explorer):
    """A score that depends on x only (a narrow peak at x = 0.62): the largest grid within the budget
    against random search with the same budget. The grid tries few distinct values of x."""

    controls = {
        "budget": IntSlider(4, 36, 1, 9, "budget (trials)"),
        "seed": IntSlider(0, 9, 1, 0, "seed"),
    }
    figsize = IrrelevantAxisPanel.figsize
    bench_settings = [{"budget": 4}, {"budget": 36}, {"seed": 5}]

    def build(self, fig):
        self.panel = self.add_panel(IrrelevantAxisPanel(fig.subplots(1, 2)))

    def compute(self, budget, seed):
        return st.irrelevant_axis(int(budget), seeds=(int(seed),))

    def draw(self, r):
        self.panel.update(r)
        self.set_info(f"grid: {len(r['grid_xy'])} trials, {r['grid_distinct_x']} distinct x, best score "
                      f"{r['grid_best']:.2f}; random: {len(r['random_xy'])} distinct x, best score "
                      f"{r['random_best'][0]:.2f} (model-based TPE: {r['tpe_best'][0]:.2f})")
