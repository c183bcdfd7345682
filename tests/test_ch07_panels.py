"""Headless tests of chapter 07's second set of figures (widgets/ch07_panels.py) and of the LRN explorer:
each panel shows exactly the result it is given, labelled and in view; the explorer's controls move the
drawn data the way the text says."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

import widgets.ch07_panels as p
from dlcore.experiments import norm_weight as nw
from dlcore.experiments.common import over_seeds
from dlcore.experiments.norm_training import lr_sweep
from tests.test_explorers_all import out_of_view
from widgets.ch07_lrn import LRNExplorer, lrn_result


def test_lrn_panel_draws_the_stack_and_the_inhibition_curves():
    r = lrn_result(size=5, k=2.0, alpha=1.0, beta=0.75, peak=10.0, level=2.0)
    ax_s, ax_i = p.plot_lrn(r)
    s = r["stack"]
    assert np.array_equal(ax_s.lines[0].get_ydata(), s["a"]) and np.array_equal(ax_s.lines[1].get_ydata(), s["b"])
    fig = ax_s.figure
    twin = [a for a in fig.axes if a not in (ax_s, ax_i)][0]
    assert np.array_equal(twin.lines[0].get_ydata(), s["factor"]) and "factor" in twin.get_ylabel()
    assert np.array_equal(ax_i.lines[0].get_ydata(), r["near"]["response"])
    assert np.allclose(ax_i.lines[1].get_ydata(), ax_i.lines[1].get_ydata()[0])     # outside the window: flat
    assert ax_s.get_xlabel() == "channel $c$" and "α = 1" in ax_s.get_title()
    assert not out_of_view(fig)
    plt.close(fig)


def test_lr_sweep_panel_draws_every_seed_and_diverged_runs_at_zero():
    r = lr_sweep(norms=(None, "batch"), lrs=(0.1, 10.0), seeds=(0, 1), steps=30)
    ax = p.plot_lr_sweep(r)
    n_points = sum(len(ax.lines[3 * k + 1].get_xdata()) + len(ax.lines[3 * k + 2].get_xdata()) for k in range(2))
    assert n_points == 2 * 2 * 2                                      # every (norm, lr, seed) drawn once
    for k, name in enumerate(("none", "batch")):
        a = np.nan_to_num(np.asarray(r["val_acc"][name]))
        assert np.allclose(ax.lines[3 * k].get_ydata(), np.median(a, axis=1))
        assert np.all(ax.lines[3 * k + 2].get_ydata() == 0)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate"
    assert not out_of_view(ax.figure)
    plt.close(ax.figure)


def test_curves_panel_draws_mean_over_seeds():
    curves = {"batch": over_seeds(nw.wn_curves, norm="batch", steps=20, seeds=(0, 1)),
              "weight": over_seeds(nw.wn_curves, norm="weight", steps=20, seeds=(0, 1))}
    ax = p.plot_curves(curves, names=("batch", "weight", "none"))
    for line, n in zip(ax.lines, ("batch", "weight")):
        assert np.allclose(line.get_ydata(), np.asarray(curves[n]["val_acc"]).mean(axis=0))
        assert np.array_equal(line.get_xdata(), curves[n]["step"][0])
    assert len(ax.lines[2].get_xdata()) == 0                              # a run not given: nothing drawn
    assert ax.get_xlim() == (0.0, 20.0) and "accuracy" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["BN", "WN, data-dependent init"]
    plt.close(ax.figure)


def test_lrn_explorer_follows_its_sliders():
    e = LRNExplorer()
    e.raise_errors = True
    assert e.last_error is None
    f = e.panel.f.get_ydata()
    assert f[8] < f[0]                                                    # the strong channel damps its window
    assert np.isclose(f[7], f[8]) and np.isclose(f[9], f[8])            # ... by the same factor as itself
    e.set(beta=0.0)                                                       # β = 0: the identity
    assert np.allclose(e.panel.b.get_ydata(), e.panel.a.get_ydata())
    e.set(beta=0.75, alpha=1e-4)                                          # AlexNet's scale: a constant k^-β
    assert np.allclose(e.panel.f.get_ydata(), 2.0 ** -0.75, rtol=2e-3)
    assert "k^-β = 0.595" in e.info_line.value
    e.set(alpha=1.0)                                                      # the info line's far channel: not an edge
    assert "among equal ones" in e.info_line.value and f"× {f[4]:.3g}" in e.info_line.value   # channel 4: interior
    assert not np.isclose(f[0], f[4])                                     # channel 0's window is cut by the edge
    e.set(alpha=1.0, size=1)                                              # n = 1: each channel alone
    a, b = e.panel.a.get_ydata(), e.panel.b.get_ydata()
    assert np.allclose(b, a / (2 + a ** 2) ** 0.75)
    assert np.allclose(e.panel.near.get_ydata(), e.panel.far.get_ydata())   # no neighbour in a window of 1
    assert "n = 1: no neighbour" in e.info_line.value
    e.set(size=9, peak=20.0, k=0.1)
    dip = e.panel.f.get_ydata()
    assert np.sum(dip < dip[0] * 0.999) >= 9                              # the window of 9 around the peak
    assert not out_of_view(e.fig)


def test_norm_curves_explorer_follows_its_sliders():
    from widgets.ch07_weightnorm import NormCurvesExplorer
    e = NormCurvesExplorer(seeds=2, steps=100)
    e.raise_errors = True
    assert e.last_error is None
    bn = e.panel.lines["batch"].get_ydata()
    assert bn[-1] > 0.9 and e.panel.lines["none"].get_ydata()[-1] > 0.85
    assert "BN: 0.9" in e.info_line.value
    e.set(lr=1.0)                                  # BN still trains; WN with its data init diverges
    assert e.panel.lines["batch"].get_ydata()[-1] > 0.9
    assert "WN, data-dependent init: diverged" in e.info_line.value
    assert e.panel.lines["none"].get_ydata()[-1] < 0.9
    e.set(steps=50)
    assert e.panel.ax.get_xlim() == (0.0, 50.0)
    assert not out_of_view(e.fig)
