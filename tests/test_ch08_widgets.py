"""Headless tests of chapter 08's figures and explorers: each panel shows exactly the result it is given,
with labels set and everything in view; the explorers redraw what the text says when a control moves."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

import widgets.ch08_plots as p
from dlcore.experiments import dropout_ensemble as de
from dlcore.experiments import regularisation as rg
from dlcore.experiments import regularisation_capacity as rc
from tests.test_explorers_all import out_of_view
from widgets.ch08_regularisation import BiasVarianceExplorer, RegulariserExplorer


def test_bias_variance_panel():
    r = {"capacity": rc.capacity_sweep(widths=(2, 16), seeds=(0, 1), steps=100),
         "data": rc.data_sweep(sizes=(25, 200), seeds=(0, 1), steps=100), "mark": (16, 200)}
    a, b = p.plot_bias_variance(r)
    assert np.array_equal(a.lines[1].get_xdata(), [2, 16])
    assert np.allclose(a.lines[1].get_ydata(), r["capacity"]["val_err"].mean(1))
    assert np.allclose(b.lines[0].get_ydata(), r["data"]["train_err"].mean(1))
    assert a.get_xlabel().startswith("hidden width") and a.get_ylabel() == "error rate"
    assert not out_of_view(a.figure)
    plt.close(a.figure)


def test_methods_run_rates_mc_and_cost_panels():
    methods = rg.compare_methods(("none", "dropout"), seeds=(0, 1), epochs=5)
    ax = p.plot_methods(methods)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["none", "dropout"]
    assert np.isclose(ax.lines[0].get_xdata()[1], methods["dropout"]["val_acc"].mean())
    assert not out_of_view(ax.figure)
    plt.close(ax.figure)
    run, base = rg.reg_run(epochs=10, l1=1e-3), rg.reg_run(epochs=10)
    a, h = p.plot_run(run, base=base)
    assert np.array_equal(a.lines[1].get_ydata(), run["curve_val_acc"]) and h.get_yscale() == "log"
    plt.close(a.figure)
    rates = {"hidden": de.rate_sweep("hidden", ps=(0.0, 0.5), seeds=(0, 1), epochs=5),
             "input": de.rate_sweep("input", ps=(0.0, 0.5), seeds=(0, 1), epochs=5), "sub": de.subnetworks(128, (0.5,))}
    ax = p.plot_rates(rates)
    assert np.allclose(ax.lines[0].get_ydata(), rates["hidden"]["val_acc"].mean(1))
    assert not out_of_view(ax.figure)
    plt.close(ax.figure)
    mc = de.mc_depth_sweep(depths=(1, 2), seeds=(0, 1), epochs=5, samples=(1, 5))
    a, b = p.plot_mc(mc)
    assert np.allclose(b.lines[0].get_ydata(), mc["tv"].mean(1)) and np.array_equal(a.lines[0].get_xdata(), [1, 5])
    plt.close(a.figure)
    cost = {"on": de.noisy_cost(p=0.5, steps=20), "off": de.noisy_cost(p=0.0, steps=20)}
    ax = p.plot_noisy_cost(cost)
    assert np.array_equal(ax.lines[1].get_ydata(), cost["on"]["loss"]) and not out_of_view(ax.figure)
    plt.close(ax.figure)


def test_regulariser_explorer_moves_the_histogram_and_curves():
    ex = RegulariserExplorer()
    ex.set(p_hidden=0.0, penalty="none", label_noise=0.2)
    h0 = ex.panel.hist.get_data().values.copy()
    ex.set(penalty="l1", lam=1e-2)
    h1 = ex.panel.hist.get_data().values
    mid = len(h1) // 2
    assert h1[mid - 1:mid + 1].sum() > 2 * h0[mid - 1:mid + 1].sum()       # L1 piles weights at 0
    assert "validation accuracy" in ex.info_line.value


def test_bias_variance_explorer_marks_the_setting():
    ex = BiasVarianceExplorer()
    ex.set(width=2, n_train=200)
    assert "under-fits" in ex.info_line.value
    # with 20 % wrong labels a training error near 0.2 is the right fit, not bias (the review's case)
    from widgets.ch08_regularisation import bias_variance_verdict
    assert "fits the rule" in bias_variance_verdict(0.176, 0.064, 0.02, 0.2)
    assert "memorised" in bias_variance_verdict(0.02, 0.2, 0.0, 0.2)
    assert "under-fits" in bias_variance_verdict(0.4, 0.45, 0.3, 0.2)
    assert ex.panel.lines["capacity", "mark"].get_xdata()[0] == 2
