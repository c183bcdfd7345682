"""Headless tests of chapter 07's figures: each panel, drawn from a real (small) result, shows exactly
that result, with its labels set and every point in view."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

import widgets.ch07_plots as p
from dlcore.experiments import batchnorm as bnx
from dlcore.experiments.norm_batch import norm_batch_sweep
from tests.test_explorers_all import out_of_view


def test_bn_steps_panel_draws_every_stage_of_the_batch():
    X = np.random.default_rng(0).normal(3.0, 2.0, (8, 2))
    r = bnx.bn_steps(X, gamma=[2.0, 0.5], beta=[1.0, -1.0])
    for j in (0, 1):
        ax = p.plot_bn_steps(r, feature=j)
        panel_y = [ln.get_ydata() for ln in ax.lines[:4]]
        expect = [X[:, j], X[:, j] - r["mean"][j], r["xhat"][:, j], r["y"][:, j]]
        for k, (got, want) in enumerate(zip(panel_y, expect)):
            assert np.array_equal(got, want) and np.all(ax.lines[k].get_xdata() == k)
        assert np.allclose(ax.lines[2].get_ydata().mean(), 0) and np.isclose(ax.lines[2].get_ydata().std(), 1, atol=1e-5)
        assert np.allclose(ax.lines[3].get_ydata(), r["library"][:, j])
        m, s = r["mean"][j], np.sqrt(r["var"][j])
        assert np.allclose(ax.lines[4].get_ydata(), m) and np.allclose(ax.lines[5].get_ydata(), [m - s, m + s])
        assert "μ = " in ax.get_title() and ax.get_ylabel() == "value"
        assert [t.get_text() for t in ax.get_xticklabels()] == list(p.STAGES)
        assert not out_of_view(ax.figure)
        plt.close(ax.figure)


def test_bn_paper_panel_draws_both_runs():
    r = {"bn": bnx.bn_paper_run(True, steps=40), "plain": bnx.bn_paper_run(False, steps=40)}
    ax_a, ax_q = p.plot_bn_paper(r)
    for key, line in zip(("bn", "plain"), ax_a.lines):
        assert np.array_equal(line.get_xdata(), r[key]["step"]) and np.array_equal(line.get_ydata(), r[key]["val_acc"])
    qlines = ax_q.lines
    for i, key in enumerate(("bn", "plain")):
        for k, name in enumerate(("q15", "q50", "q85")):
            assert np.array_equal(qlines[3 * i + k].get_ydata(), r[key][name])
    assert ax_a.get_xlabel() == "step" and "accuracy" in ax_a.get_ylabel() and "percentiles" in ax_q.get_title()
    assert ax_a.get_xlim() == (0.0, 40.0) and ax_a.get_ylim() == (0, 1.02)
    assert not out_of_view(ax_a.figure)
    plt.close(ax_a.figure)


def test_batch_size_panel_draws_mean_and_min_max_band():
    r = norm_batch_sweep(norms=("batch", "layer", None), batches=(2, 8, 32), seeds=(0, 1), arch="mlp", epochs=0.5)
    ax = p.plot_batch_size(r, norms=("batch", "layer", "none"))
    assert ax.get_xscale() == "log" and "batch size" in ax.get_xlabel() and "accuracy" in ax.get_ylabel()
    for line, n in zip(ax.lines, ("batch", "layer", "none")):
        assert np.array_equal(line.get_xdata(), [2, 8, 32])
        assert np.allclose(line.get_ydata(), r["val_acc"][n].mean(axis=1))
    for patch, n in zip(ax.patches, ("batch", "layer", "none")):
        xy = patch.get_xy()
        lo, hi = r["val_acc"][n].min(axis=1), r["val_acc"][n].max(axis=1)
        assert np.allclose(xy[:3, 1], lo) and np.allclose(xy[3:6, 1], hi[::-1])
        y0, y1 = ax.get_ylim()
        assert y0 <= lo.min() and hi.max() <= y1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["BN", "LN", "no norm"]
    assert not out_of_view(ax.figure)
    # a norm missing from the result is drawn as nothing
    ax2 = p.plot_batch_size(r, norms=("batch", "group"))
    assert len(ax2.lines[1].get_xdata()) == 0
    plt.close("all")


def test_bn_steps_explorer_follows_its_sliders():
    from widgets.ch07_batchnorm import BNStepsExplorer
    e = BNStepsExplorer()
    e.raise_errors = True
    assert e.last_error is None
    xhat, y = e.panel.points[2].get_ydata(), e.panel.points[3].get_ydata()
    assert len(xhat) == 8 and np.isclose(xhat.mean(), 0, atol=1e-12) and np.isclose(xhat.std(), 1, atol=1e-4)
    assert np.array_equal(xhat, y)                                     # γ = 1, β = 0
    e.set(gamma=2.0, beta=-1.0)
    assert np.allclose(e.panel.points[3].get_ydata(), 2 * xhat - 1)
    assert np.array_equal(e.panel.points[2].get_ydata(), xhat)        # x̂ does not depend on γ, β
    e.set(mean=-4.0, spread=0.5)                                       # x̂ does not depend on the batch's scale
    assert np.allclose(e.panel.points[2].get_ydata(), xhat, atol=1e-3)
    assert np.allclose(e.panel.points[0].get_ydata().mean(), e.panel.mean.get_ydata()[0])
    train_out = e.panel.points[3].get_ydata().copy()
    e.set(momentum=0.5)                                          # only the running averages move
    assert np.array_equal(train_out, e.panel.points[3].get_ydata()) and "momentum 0.5" in e.info_line.value
    assert np.isclose(e.panel.running.get_ydata()[0], 0.5 * e.data["mean"][0])
    assert f"running mean {0.5 * e.data['mean'][0]:.3g}" in e.info_line.value
    e.set(momentum=1.0)                                          # running = this batch's (unbiased) statistics:
    v, vu = e.data["var"][0], e.data["var_unbiased"][0]          # eval output = training output, var rescaled
    b = e.settings["beta"]
    assert np.allclose(e.panel.eval.get_ydata() - b, (train_out - b) * np.sqrt((v + 1e-5) / (vu + 1e-5)))
    e.set(batch_size=2)                                  # a batch of 2 normalises to ±1 (less by ε's share)
    v = e.data["var"][0]
    assert np.allclose(np.abs(e.panel.points[2].get_ydata()), np.sqrt(v / (v + 1e-5)), atol=1e-12)
    assert np.all(np.abs(e.panel.points[2].get_ydata()) > 0.99)
    e.set(batch_size=32, spread=5.0, mean=5.0)
    assert len(e.panel.points[0].get_ydata()) == 32
    assert not out_of_view(e.fig)
