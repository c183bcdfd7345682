"""Headless tests of the chapter 04 explorers and plot helpers."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import widgets.ch04_crossentropy as w
import widgets.ch04_plots as p
from tests.test_explorers_all import drawn, same_drawing


def test_single_neuron_explorer_shows_plateau_and_its_absence():
    e = w.SingleNeuronExplorer()
    assert e.last_error is None and e.settings["w0"] == 2.0
    q_cost, _ = e.panel.lines["quadratic"]
    c_cost, c_out = e.panel.lines["cross_entropy"]
    y = q_cost.get_ydata()
    assert len(y) == 301 and y[50] > 0.98                    # quadratic: plateau from (2, 2)
    assert c_cost.get_ydata()[50] < 0.05                     # CE: learned at once
    assert e.panel.marks["quadratic"][1].get_text() == "-1.2% by epoch 50"     # share of the cost gone by then
    assert e.panel.marks["cross_entropy"][1].get_text() == "-97.4% by epoch 50"
    assert e.panel.marks["quadratic"][0].get_xdata()[0] == 50
    png = e.image.value
    e.set(w0=0.6, b0=0.9)                                    # Nielsen's good start: quadratic learns too
    assert q_cost.get_ydata()[50] < 0.3
    assert e.image.value != png
    e.set(epochs=100)
    assert len(c_out.get_xdata()) == 101 and e.panel.ax_c.get_xlim() == (0, 100)
    e.set(w0=2.0, b0=2.0, eta=0.005, epochs=300)            # smaller eta: quadratic even slower
    assert q_cost.get_ydata()[-1] > 0.99
    e.set(eta=0.15, w0=3.0, b0=3.0)                         # deeper into the corner: longer plateau
    assert q_cost.get_ydata()[-1] > 0.95 > y[-1]             # from (2, 2) it had come down to 0.04
    assert c_cost.get_ydata()[50] < 0.05                     # CE still learns at once


def test_landscape_explorer_paths_follow_the_start():
    e = w.LandscapeExplorer()
    pq = e.panel.paths["quadratic"]
    pc = e.panel.paths["cross_entropy"]
    assert pq.get_xdata()[0] == 2.0 and pq.get_ydata()[0] == 2.0
    # with x = 1 both steps are equal: the path runs down the diagonal
    assert np.allclose(np.diff(pq.get_xdata()), np.diff(pq.get_ydata()))
    # CE travels further from the same start in the same 300 epochs
    dist = lambda p: np.hypot(p.get_xdata()[-1] - 2, p.get_ydata()[-1] - 2)  # noqa: E731
    assert dist(pc) > dist(pq)
    e.set(w0=-1.0, b0=3.0, epochs=50)
    assert pq.get_xdata()[0] == -1.0 and len(pq.get_xdata()) == 51


def test_digits_explorer_ce_above_quadratic():
    e = w.DigitsCostExplorer(epochs=4, seeds=3)      # curves are means over the seeds
    assert e.last_error is None
    acc = {k: v[0].get_ydata() for k, v in e.panel.lines.items()}
    assert acc["softmax+CE"][-1] > acc["sigmoid+quadratic"][-1] + 0.2
    wrong_q = e.panel.lines["sigmoid+quadratic"][1].get_ydata()
    wrong_c = e.panel.lines["sigmoid+CE"][1].get_ydata()
    assert wrong_q[-1] > 3 * wrong_c[-1]
    assert "mean (worst-best) of 3 seeds" in e.info_line.value and e.info_line.layout.display != "none"
    assert f"<b>softmax+CE</b> {acc['softmax+CE'][-1]:.3f}" in e.info_line.value     # the info line: the same means
    q_acc = e.panel.lines["sigmoid+quadratic"][0].get_ydata()[-1]
    e.set(lr=2.0)                          # a larger step helps the slow quadratic cost most
    assert e.panel.lines["sigmoid+quadratic"][0].get_ydata()[-1] > q_acc + 0.15     # measured 0.25 -> 0.51
    e.set(lr=0.5, init_std=0.2)            # small weights: nothing starts saturated
    assert e.panel.lines["sigmoid+CE"][1].get_ydata()[0] <= 1e-4
    e.set(epochs=2)                        # sliced from the 4-epoch runs: same curve, shorter
    assert len(e.panel.lines["softmax+CE"][0].get_xdata()) == 5 and e.panel.ax_acc.get_xlim()[1] == 2
    e.set(seeds=2)                         # band = worst to best seed, around the mean
    mean = e.panel.lines["softmax+CE"][0].get_ydata()
    band = e.panel.bands["softmax+CE"][0].get_xy()
    n = len(mean)
    worst, best = band[:n, 1], band[n:2 * n, 1][::-1]
    assert (worst <= mean + 1e-12).all() and (worst < mean).any() and (best >= mean - 1e-12).all()


def test_digits_explorer_reports_progress_per_run(monkeypatch):
    e = w.DigitsCostExplorer(epochs=2, seeds=1)
    seen = []
    monkeypatch.setattr(e, "progress", lambda f, *a: seen.append(f))
    e.set(lr=0.3)                          # 3 setups x 1 seed, trained cold
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_explorer_error_is_shown_and_recovers(monkeypatch):
    e = w.SingleNeuronExplorer()

    def boom(*a, **k):
        raise RuntimeError("injected")
    monkeypatch.setattr(w.ex, "train_neuron", boom)
    e.set(eta=0.2)
    assert "injected" in e.error_box.value and e.last_error
    monkeypatch.undo()
    e.set(eta=0.3)
    assert e.last_error is None
    with pytest.raises(ValueError, match="epochs"):
        e.set(epochs=5000)


def test_static_plots():
    runs = {c: p.ex.train_neuron(2.0, 2.0, 0.15, 300, c) for c in p.ex.COSTS}
    ax_c, ax_a = p.plot_neuron(runs)
    assert len(ax_c.lines) == 4 and ax_c.lines[0].get_ydata()[50] > 0.98       # 2 curves + 2 marks
    assert [t.get_text() for t in ax_c.texts] == ["-1.2% by epoch 50", "-97.4% by epoch 50"]
    surfaces = {c: p.ex.cost_surface(c) for c in p.ex.COSTS}
    short = {c: p.ex.train_neuron(2.0, 2.0, 0.15, 50, c) for c in p.ex.COSTS}
    axes = p.plot_landscape(short, surfaces)
    assert len(axes[0].lines) == 3 and axes[0].lines[0].get_markevery() == p.PATH_MARK_EVERY
    assert len(axes[0].lines[0].get_xdata()) == 51
    scales = np.arange(1, 301)
    ax = p.plot_stability({t: p.ex.ce_stability(scales, target=t, dtype=np.float32) for t in (0, 1, 2)})
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["NaN from 89", "inf from 89", "inf from 104", "inf from 52", "inf from 52"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 9 and labels[2] == "true class 0: log-sum-exp" and ax.get_title() == "float32"
    scales = np.arange(1, 1001)
    ax = p.plot_stability({t: p.ex.ce_stability(scales, target=t, dtype=np.float64) for t in (0, 1, 2)}, labels=False)
    assert [t.get_text() for t in ax.texts] == ["NaN from 710", "inf from 710", "inf from 746",
                                                  "inf from 373", "inf from 373"]
    assert ax.get_legend() is None
    a = np.linspace(0.001, 0.999, 400)
    ax = p.plot_ce_cost({"a": a, "cross_entropy": p.ex.bce_table(a, [0.0, 1.0]),
                         "quadratic": np.array([0.5 * a ** 2, 0.5 * (a - 1) ** 2])})
    assert len(ax.lines) == 4
    ax = p.plot_coin(p.ex.coin_likelihood(7, 10, np.linspace(0.01, 0.99, 99)), title="7 heads in 10 flips")
    assert len(ax.lines) == 2 and ax.get_title() == "7 heads in 10 flips"
    a1, a2 = p.plot_digits(p.dx.compare_setups(seeds=(0,), epochs=2))
    assert len(a1.lines) == 3 and len(a1.patches) == 3
    plt.close("all")


def _drawn_with_bands(fig):
    return drawn(fig) + [np.asarray(b.get_xy()) for ax in fig.axes for b in ax.patches
                         if type(b).__name__ == "Polygon"]


@pytest.mark.parametrize("explorer, plot, settings", [
    (w.SingleNeuronExplorer, p.plot_neuron, {"w0": 3.0, "b0": 1.5, "eta": 0.3, "epochs": 120}),
    (w.LandscapeExplorer, p.plot_landscape, {"w0": -3.5, "b0": 3.9, "eta": 3.0, "epochs": 400}),
    (w.DigitsCostExplorer, p.plot_digits, {"epochs": 3, "seeds": 2, "lr": 1.0}),
])
def test_the_notebook_figure_draws_what_the_explorer_shows(explorer, plot, settings):
    """One figure, defined once (issue 10): for the same result, ``plot_x(result, ax)`` in a notebook cell
    and the explorer's panel draw the same lines, marks, texts, bands and limits."""
    e = explorer(**settings)
    fig, ax = plt.subplots(1, 2, figsize=explorer.figsize, layout="constrained")
    if plot is p.plot_landscape:
        lim = (-explorer.lim, explorer.lim)
        plot(e.data, {c: p.ex.cost_surface(c, lim, lim, 81) for c in p.ex.COSTS}, ax)
    else:
        plot(e.data, ax)
    assert same_drawing(_drawn_with_bands(fig), _drawn_with_bands(e.fig))
    assert [(a.get_xlim(), a.get_ylim()) for a in fig.axes] == [(a.get_xlim(), a.get_ylim()) for a in e.fig.axes]
    assert len(drawn(fig)) >= 6
    plt.close(fig)
