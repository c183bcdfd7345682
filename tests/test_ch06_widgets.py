"""Headless tests of the chapter 06 explorers and figures: what they draw follows the text."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import widgets.ch06_batch as w
import widgets.ch06_plots as p
from dlcore.experiments import batch_noise as bn
from dlcore.experiments import batch_paths as bp
from dlcore.experiments import batch_training as bt
from tests.test_explorers_all import drawn, same_drawing


def _spread(line):
    xy = line.get_xydata()
    return float(np.mean(np.sum((xy - xy.mean(0)) ** 2, axis=1)))


def test_scatter_cloud_shrinks_like_one_over_b_and_collapses_at_n():
    e = w.NoiseScatterExplorer(batch_size=4.0)
    assert e.last_error is None
    s4 = _spread(e.scatter.dots)
    xlim = e.scatter.ax.get_xlim()
    e.set(batch_size=64.0)
    s64 = _spread(e.scatter.dots)
    assert 8 < s4 / s64 < 32                                       # 1/B: 16x
    assert e.scatter.ax.get_xlim() == xlim                         # same view: the cloud looks smaller
    assert e.noise.marks[0].get_xdata()[0] == 64
    e.set(batch_size=1079.0)                                       # without replacement: G itself
    pts, c = e.scatter.dots.get_xydata(), e.scatter.center.get_xydata()[0]
    assert np.allclose(pts, c, atol=1e-9 * np.abs(c).max())
    e.set(sampling="with")                                         # with replacement: still a cloud
    assert _spread(e.scatter.dots) > 0.5 * s4 / 1079
    assert "B_simple = tr Σ / ‖G‖² = 35" in e.info_line.value
    e.set(state=300)                                               # later in training: the noise scale grows
    assert "B_simple" in e.info_line.value and "= 35" not in e.info_line.value
    e.set(batch_size=10 ** 0.95)                                   # 8.91: the batch used is shown
    assert e.info_line.value.startswith("B = 9 (a whole batch: the slider's 8.91 rounded)")
    assert not e.notes                                             # no warning on every drag
    e.set(batch_size=16.0)
    assert e.info_line.value.startswith("B = 16:")


def test_noise_panel_draws_theory_and_measurements():
    r = bn.noise_vs_batch(0, 0)
    ax_n, ax_c = p.plot_noise(r, mark=32)
    th, meas = ax_n.lines[0].get_ydata(), ax_n.lines[2].get_ydata()
    assert np.allclose(th, r["trace"] / r["B"]) and np.all(np.abs(meas / th - 1) < 0.25)
    assert len(ax_n.lines[1].get_xdata()) == len(r["B"]) - 1      # B = N (noise exactly 0) not on a log axis
    lo, hi = ax_n.get_ylim()
    assert lo <= np.min(r["without"][:-1]) and hi >= np.max(th)
    assert np.all(np.diff(ax_c.lines[1].get_ydata()) > -0.02)     # cosine grows with B


def test_paths_explorer_full_batch_descends_b1_wanders():
    e = w.PathsExplorer()
    assert e.last_error is None
    full, one = e.panel.paths[256], e.panel.paths[1]
    assert len(full.get_xdata()) == 101
    d = lambda line: np.hypot(*(line.get_xydata()[-1] - e.data["w_star"]))   # noqa: E731
    assert d(one) > 2 * d(full)
    before = drawn(e.fig)
    e.set(seed=4)                                                  # another batch order: B = 1 moves, full batch not
    assert not same_drawing(before, drawn(e.fig))
    assert np.array_equal(full.get_xydata(), e.panel.paths[256].get_xydata())
    e.set(lr=0.02, steps=20)                                       # tiny steps: all paths still near the start
    assert np.hypot(*(full.get_xydata()[-1] - full.get_xydata()[0])) < 1.5
    assert "full batch" in e.info_line.value


def test_sweep_explorer_draws_steps_epochs_and_fit():
    e = w.BatchSweepExplorer(rule="fixed", seeds=1)
    assert e.last_error is None
    B = e.data["sweep"]["B"]
    steps = e.panel.lines["fixed"][0].get_ydata()
    epochs = e.panel.lines["fixed"][1].get_ydata()
    assert np.isnan(steps[0])                                      # B = 1 at lr 0.3: never reached
    assert e.panel.miss["fixed"][0].get_xdata()[0] == 1
    assert np.all(np.diff(epochs[2:]) > 0)                         # more epochs for every larger B from 16
    assert steps[list(B).index(4)] > 2.5 * steps[list(B).index(64)]
    assert "never reached: fixed at B = 1" in e.info_line.value
    e.set(lr=0.1)                                                  # a smaller rate: B = 1 converges
    assert np.isfinite(e.panel.lines["fixed"][0].get_ydata()[0])


def test_static_sweep_and_other_figures():
    r = bt.batch_sweep(seeds=(0,))
    best = np.nanmin(np.stack([np.where(np.isfinite(r[k]["steps"]), r[k]["steps"], np.inf).mean(1)
                               for k in bt.LR_RULES]), axis=0)
    fit = bt.fit_noise_scale(r["B"], best)
    ax_s, ax_e = p.plot_sweep(r, fit=fit)
    fitted = [l for l in ax_s.lines if l.get_label().startswith("S_min")]
    assert len(fitted) == 1 and len(fitted[0].get_xdata()) == 60  # the fitted curve
    paths = bp.sgd_paths()
    ax = p.plot_paths(paths, bp.loss_surface())
    assert len([l for l in ax.lines if len(l.get_xdata()) == 101]) == 4
    ax = p.plot_step_times({"B": np.array([1, 10]), "per_example": np.array([1e-4, 1e-5])})
    assert np.allclose(ax.lines[0].get_ydata(), [10, 1])


@pytest.mark.parametrize("setting", [{"batch_size": 1.0}, {"batch_size": 1079.0, "sampling": "with"},
                                     {"state": 300, "batch_size": 2.0}])
def test_scatter_static_figure_is_the_explorers(setting):
    e = w.NoiseScatterExplorer(**setting)
    st = e.settings
    sc = bn.scatter_2d(0, st["state"])
    pr = bn.project_batches(sc, int(round(st["batch_size"])), replace=st["sampling"] == "with", rng=0)
    ax = p.plot_scatter(pr, home=w.scatter_home(sc))
    assert np.array_equal(ax.lines[0].get_xydata(), e.scatter.dots.get_xydata())
    assert ax.get_xlim() == e.scatter.ax.get_xlim() and ax.get_ylim() == e.scatter.ax.get_ylim()
