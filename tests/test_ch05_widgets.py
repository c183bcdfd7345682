"""Headless tests of the chapter 05 explorers and figures: each control changes what the text says it
changes, and a static figure draws the same as its explorer for the same result."""
import matplotlib

matplotlib.use("Agg")

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import widgets.ch05_optimisers as w
import widgets.ch05_plots as p
from dlcore.experiments import normalisation as nx
from dlcore.experiments import optimisers_demo as dx
from dlcore.experiments import optimisers_sweep as sx
from tests.test_explorers_all import drawn, out_of_view, same_drawing


def _xy(line):
    return np.asarray(line.get_xydata(), dtype=float)


def test_surface_explorer_ticks_rates_and_surfaces():
    e = w.SurfaceExplorer()
    e.raise_errors = True
    assert e.settings["sgd"] and e.settings["adam"] and not e.settings["adagrad"]
    assert len(e.panel.paths["adagrad"].get_xdata()) == 0                     # not ticked: not drawn
    assert len(e.panel.paths["sgd"].get_xdata()) == 101                       # 100 steps + the start
    e.set(adagrad=True)
    assert len(e.panel.paths["adagrad"].get_xdata()) == 101 and "Adagrad" in e.info_line.value
    e.set(adagrad=False, steps=200)
    assert len(e.panel.paths["adagrad"].get_xdata()) == 0 and len(e.panel.gaps["sgd"].get_xdata()) == 201
    # the zig-zag: GD at 0.018 on kappa = 100 flips its y step every time, momentum does not
    e.set(kappa=100.0, lr=0.018, steps=30)
    y = e.panel.paths["sgd"].get_ydata()
    assert np.all(np.sign(np.diff(y))[1:] != np.sign(np.diff(y))[:-1])
    ym = e.panel.paths["momentum"].get_ydata()
    assert np.sum(np.sign(np.diff(ym))[1:] != np.sign(np.diff(ym))[:-1]) <= 15
    # above 2/L GD diverges: the info line says so, the path runs along the window's edge, the gap off the top
    e.set(lr=0.03)
    assert "<b>SGD</b> diverged" in e.info_line.value and "<b>momentum</b> f−f*" in e.info_line.value
    assert np.nanmax(np.abs(e.panel.paths["sgd"].get_ydata())) <= 2.5
    assert not out_of_view(e.fig)
    # the contours follow kappa and the angle; other surfaces bring their own window
    before = [_xy(c).copy() for c in e.panel.contours]
    e.set(angle=45.0)
    assert not all(np.array_equal(a, _xy(c), equal_nan=True) for a, c in zip(before, e.panel.contours))
    e.set(surface="rosenbrock", lr=0.001)
    assert e.panel.ax_s.get_xlim() == (-2.0, 2.0) and e.panel.ax_s.get_ylim() == (-1.0, 3.0)
    assert {"kappa", "angle", "noise"} <= e.inactive(**e.settings)
    e.set(surface="noisy", lr=0.05)
    assert "noise" not in e.inactive(**e.settings)
    g1 = e.panel.gaps["sgd"].get_ydata().copy()
    e.set(noise=0.0)
    assert not np.array_equal(g1, e.panel.gaps["sgd"].get_ydata())


def test_surface_explorer_saddle_adam_escapes_gd_lingers():
    e = w.SurfaceExplorer(surface="saddle", lr=0.1, steps=60)
    ys = {n: np.abs(e.panel.paths[n].get_ydata()) for n in ("sgd", "adam")}
    assert ys["adam"][10] > 0.5 > ys["sgd"][50]


def test_surface_static_figure_draws_what_the_explorer_draws():
    e = w.SurfaceExplorer(kappa=100.0, lr=0.018, steps=30, adam=False)
    fig, axes = plt.subplots(1, 2)
    p.plot_surface(e.data, axes)                    # its legend lists only the ticked optimisers
    shown = lambda d: [x for x in d if isinstance(x, str) or np.size(x)]     # noqa: E731 (empty lines: unticked)
    assert same_drawing(shown(drawn(fig)), shown(drawn(e.fig)))
    plt.close(fig)


def test_normalisation_explorer_scales_and_correlation():
    e = w.NormalisationExplorer()
    e.raise_errors = True
    raw, z = e.data["raw"], e.data["zscore"]
    assert raw["cond"] > 1e4 and z["cond"] < 2 and "κ" in e.info_line.value
    e.set(sd=1.0, mean=0.0)                     # similar scales, feature 1 centred: 1e5 -> about 110
    assert e.data["raw"]["cond"] < raw["cond"] / 100
    e.set(corr=0.9)                                       # correlation survives the scaling
    assert e.data["zscore"]["cond"] > 10
    e.set(scheme="minmax")
    assert "minmax" in e.data and not out_of_view(e.fig)
    fig, axes = plt.subplots(1, 2)
    p.plot_zigzag_norm(dict(e.data), axes)
    assert same_drawing(drawn(fig)[:12], drawn(e.fig)[:12])
    plt.close(fig)


def test_sweep_explorer_switches_optimiser_and_seeds():
    e = w.SweepExplorer(optimiser="sgd", seeds=1, steps=100)
    e.raise_errors = True
    np.testing.assert_allclose(e.panel_x if hasattr(e, "panel_x") else e.sweep.lines["sgd"].get_xdata(),
                               sx.SWEEP_LRS["sgd"])
    assert len(e.sweep.lines["adam"].get_xdata()) == 0
    e.set(optimiser="adam")
    np.testing.assert_allclose(e.sweep.lines["adam"].get_xdata(), sx.SWEEP_LRS["adam"])
    assert len(e.sweep.lines["sgd"].get_xdata()) == 0 and "best rate" in e.info_line.value
    x_best = e.sweep.best["adam"].get_xdata()[0]
    assert x_best == e.data["adam"]["best_lr"]
    assert not out_of_view(e.fig)


def test_schedule_explorer_draws_the_chosen_schedule_against_constant():
    e = w.ScheduleExplorer(seeds=1, schedule="cosine", lr=1.0)
    e.raise_errors = True
    r = e.panel.rates
    assert r["cosine"].get_ydata()[0] == 1.0 and r["cosine"].get_ydata()[-1] < 1e-4
    assert np.all(r["constant"].get_ydata() == 1.0) and len(r["1/t"].get_ydata()) == 0
    e.set(schedule="1/t")
    assert len(r["cosine"].get_ydata()) == 0 and r["1/t"].get_ydata()[30] == pytest.approx(0.5)
    e.set(lr=0.3)
    assert r["constant"].get_ydata().max() == pytest.approx(0.3) and e.panel.ax_r.get_ylim()[1] >= 0.3
    assert not out_of_view(e.fig)


def test_warmup_explorer_counts_the_rescue():
    e = w.WarmupExplorer(seeds=2)
    e.raise_errors = True
    assert "without warm-up <b>0 of 2</b>" in e.info_line.value and "with warm-up <b>2 of 2</b>" in e.info_line.value
    assert e.panel.rate_warm.get_ydata()[0] == pytest.approx(0.003)
    e.set(warmup=0)
    np.testing.assert_array_equal(e.panel.rate_warm.get_ydata(), e.panel.rate_none.get_ydata())
    e.set(init_std=0.1, warmup=100)                       # small initial weights: no rescue needed... or possible
    assert e.last_error is None and not out_of_view(e.fig)


def test_static_figures_of_the_chapter_draw():
    ks = dict(kappas=np.array([10.0, 100.0]), gd=np.array([38, 381]), gd_theory=np.array([37.9, 380.0]),
              polyak=np.array([17, 60]), polyak_theory=np.array([11.6, 37.9]), momentum=np.array([141, 139]))
    ad = {"kappas": np.array([10.0, 100.0]), "steps": np.array([136, -1])}
    ax = p.plot_kappa(ks, ad, ad)
    assert len(ax.lines) == 7
    plt.close("all")
    ax = p.plot_first_steps({"Adam": dx.first_steps("adam", (1.0, 0.1), 0.01, 10)["ratio"][:, 0]})
    assert np.allclose(ax.lines[0].get_ydata(), 1.0, rtol=1e-5)
    plt.close("all")
    r = sx.schedule_runs("sgd", 0.3, specs=sx.SCHEDULE_SPECS[:2], seeds=(0,), steps=60)
    axs = p.plot_schedules(r)
    assert len(axs[0].lines) == 2 and not out_of_view(axs[0].figure)
    plt.close("all")
    t = {"wine_max_steps": 100, "wine": {"raw": {"steps": np.array([-1, -1])}, "zscore": {"steps": np.array([5, 7])}}}
    axs = p.plot_tables(t)
    plt.close("all")
