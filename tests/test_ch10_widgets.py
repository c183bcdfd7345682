"""Headless tests of chapter 10's figures and explorers: each panel shows exactly the result it is given,
and each explorer draws what the text says when its controls move."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

import widgets.ch10_plots as p
from dlcore.experiments import conv_arith as ca
from dlcore.experiments import recipe as rc
from dlcore.experiments import search_digits as sd
from dlcore.experiments import search_toy as st
from tests.test_explorers_all import out_of_view
from widgets.ch10_conv import ConvArithExplorer, PoolingExplorer, layer_list
from widgets.ch10_search import IrrelevantAxisExplorer, SearchExplorer


def test_search_curves_panel_draws_the_means_and_the_grid():
    r = sd.search_curves()
    ax = p.plot_search_curves(r)
    lines = {ln.get_label().split(" ")[0]: ln for ln in ax.lines}
    assert np.allclose(lines["random"].get_ydata(), r["random_val"].mean(0))
    assert np.allclose(lines["TPE"].get_ydata(), r["tpe_val"].mean(0))
    grid = [ln for ln in ax.lines if ln.get_label().startswith("grid (")][0]
    assert np.array_equal(grid.get_xdata(), r["grid_n"]) and np.array_equal(grid.get_ydata(), r["grid_val"][0])
    orders = [ln for ln in ax.lines if ln.get_label().startswith("grid, any")][0]
    assert np.allclose(orders.get_ydata()[1::3], r["grid_orders"].max(0))
    assert "budget" in ax.get_xlabel() and not out_of_view(ax.figure)
    plt.close(ax.figure)


def test_search_explorer_trials_and_grid_inactive_seed():
    e = SearchExplorer()
    s = sd.search_digits("tpe", 24, rng=0)
    a, b = e.fig.axes[:2] if len(e.fig.axes) == 2 else (e.fig.axes[0], e.fig.axes[2])
    assert np.array_equal(e.panel.curve.get_ydata(), s["best_val"])
    assert np.allclose(np.round(e.panel.pts.get_xdata()), s["idx"][:, 0])
    e.set(method="grid", budget=16)
    assert "seed" in e.inactive(**e.settings) and e.control_widgets["seed"].disabled
    assert "2 x 2 x 2 x 2 grid" in e.status_line.info.value
    e.set(method="random", budget=64, seed=3)
    assert len(e.panel.curve.get_ydata()) == 64 and e.last_error is None


def test_irrelevant_axis_grid_repeats_x():
    e = IrrelevantAxisExplorer()
    gx = e.panel.g.get_xdata()
    assert len(gx) == 9 and len(np.unique(gx)) == 3 and len(np.unique(e.panel.r.get_xdata())) == 9
    e.set(budget=16)
    assert len(np.unique(e.panel.g.get_xdata())) == 4
    r = st.irrelevant_axis(16, seeds=(0,))
    assert np.array_equal(e.panel.r.get_xdata(), r["random_xy"][:, 0])


def test_optimism_and_recipe_panels():
    o = sd.optimism_over_draws()
    ax = p.plot_optimism(o)
    mean = [ln for ln in ax.lines if ln.get_label().startswith("mean")][0]
    assert np.allclose(mean.get_ydata(), 100 * o["optimism"].mean(0))
    assert not out_of_view(ax.figure)
    plt.close(ax.figure)
    r = {"ok": [rc.overfit_tiny(rng=s) for s in (0, 1)], "dead": [rc.overfit_tiny(bias=-10.0, rng=s) for s in (0, 1)],
         "range": [rc.lr_range_test(rng=s) for s in (0, 1)]}
    a, b = p.plot_recipe(r)
    assert np.allclose(a.lines[0].get_ydata(), np.maximum(r["ok"][0]["losses"], 1e-6))
    assert np.array_equal(b.lines[0].get_xdata(), r["range"][0]["lrs"])
    assert np.isclose(b.lines[2].get_xdata()[0], r["range"][0]["suggested"])
    assert not out_of_view(a.figure)
    plt.close(a.figure)


def test_conv_explorer_sizes_params_and_constraints():
    e = ConvArithExplorer(W=28, F=3, S=2, P=0, layers=2, pool=False, mode="floor")
    s = ca.stack(layer_list(3, 2, 0, 2, False), W=28)
    assert list(s["size"]) == [28, 13, 6]                      # 13.5 and 6 -> floor
    assert np.array_equal(e.panel.size.get_ydata(), s["size"]) and np.array_equal(e.panel.rf.get_ydata(), s["rf"])
    assert "13.5" in e.status_line.info.value and "parameters 664" in e.status_line.info.value   # 8*(9+1) + 8*(72+1)
    e.set(mode="ceil")                                         # ceil rounds poolings only, never a conv
    assert list(e.panel.size.get_ydata()) == [28, 13, 6]
    e.set(W=27, F=3, S=1, P=1, layers=2, pool=True, mode="ceil")   # 27 -> 27 -> 13.5 -> 14 -> 7
    assert list(e.panel.size.get_ydata()) == [27, 27, 14, 14, 7]
    e.set(mode="floor")
    assert list(e.panel.size.get_ydata()) == [27, 27, 13, 13, 6]
    e.set(W=28, F=3, S=2, P=0, layers=2, pool=False)
    e.set(W=5, F=7, P=0)                                       # the window does not fit: F shrinks to 5
    assert e.settings["F"] == 5 and e.settings["layers"] == 1 and e.notes
    e.set(W=28, F=3, P=1, S=1, layers=6, pool=True, mode="floor")   # 28 -> 14 -> 7 -> 3 -> 1: four blocks fit
    assert e.settings["layers"] == 4


def test_pooling_explorer_shows_the_layers_output():
    e = PoolingExplorer(index=3)
    r = ca.pool_digit(3)
    assert np.array_equal(e.panel.imgs[1].get_array()[..., 0], p.grey_bytes(r["max"]))
    assert np.array_equal(e.panel.imgs[2].get_array()[..., 1], p.grey_bytes(r["avg"]))
    assert p.grey_bytes([0.0, 1.0, 0.5]).tolist() == [255, 0, 128]
    e.set(F=3, S=2)                                            # (8 - 3)/2 is not whole: stride 1
    assert e.settings["S"] == 1 and e.panel.imgs[1].get_array().shape == (6, 6, 3)
