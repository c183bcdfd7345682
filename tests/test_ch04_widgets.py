"""Headless tests of the chapter 04 explorers and plot helpers."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import widgets.ch04_crossentropy as w


def test_single_neuron_explorer_shows_plateau_and_its_absence():
    e = w.SingleNeuronExplorer()
    assert e.last_error is None and e.settings["w0"] == 2.0
    q_cost, _ = e.lines["quadratic"]
    c_cost, c_out = e.lines["cross_entropy"]
    y = q_cost.get_ydata()
    assert len(y) == 301 and y[50] > 0.98                    # quadratic: plateau from (2, 2)
    assert c_cost.get_ydata()[50] < 0.05                     # CE: learned at once
    assert e.marks["quadratic"][1].get_text() == "-1.2% by epoch 50"     # share of the cost gone by then
    assert e.marks["cross_entropy"][1].get_text() == "-97.4% by epoch 50"
    assert e.marks["quadratic"][0].get_xdata()[0] == 50
    png = e.image.value
    e.set(w0=0.6, b0=0.9)                                    # Nielsen's good start: quadratic learns too
    assert q_cost.get_ydata()[50] < 0.3
    assert e.image.value != png
    e.set(epochs=100)
    assert len(c_out.get_xdata()) == 101 and e.ax_c.get_xlim() == (0, 100)
    e.set(w0=2.0, b0=2.0, eta=0.005, epochs=300)            # smaller eta: quadratic even slower
    assert q_cost.get_ydata()[-1] > 0.99
    e.set(eta=0.15, w0=3.0, b0=3.0)                         # deeper into the corner: longer plateau
    assert q_cost.get_ydata()[-1] > 0.95 > y[-1]             # from (2, 2) it had come down to 0.04
    assert c_cost.get_ydata()[50] < 0.05                     # CE still learns at once


def test_landscape_explorer_paths_follow_the_start():
    e = w.LandscapeExplorer()
    pq = e.paths["quadratic"]
    pc = e.paths["cross_entropy"]
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
    acc = {k: v[0].get_ydata() for k, v in e.lines.items()}
    assert acc["softmax+CE"][-1] > acc["sigmoid+quadratic"][-1] + 0.2
    wrong_q = e.lines["sigmoid+quadratic"][2].get_ydata()
    wrong_c = e.lines["sigmoid+CE"][2].get_ydata()
    assert wrong_q[-1] > 3 * wrong_c[-1]
    q_acc = e.lines["sigmoid+quadratic"][0].get_ydata()[-1]
    e.set(lr=2.0)                          # a larger step helps the slow quadratic cost most
    assert e.lines["sigmoid+quadratic"][0].get_ydata()[-1] > q_acc + 0.15     # measured 0.25 -> 0.51
    e.set(lr=0.5, init_std=0.2)            # small weights: nothing starts saturated
    assert e.lines["sigmoid+CE"][2].get_ydata()[0] <= 1e-4
    e.set(epochs=2)                        # sliced from the 4-epoch runs: same curve, shorter
    assert len(e.lines["softmax+CE"][0].get_xdata()) == 5 and e.ax_acc.get_xlim()[1] == 2
    e.set(seeds=2)                         # dashed line = worst seed, never above the mean
    mean, worst = (e.lines["softmax+CE"][i].get_ydata() for i in (0, 1))
    assert (worst <= mean + 1e-12).all() and (worst < mean).any()


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
    ax_c, ax_a = w.plot_neuron()
    assert len(ax_c.lines) == 2 and ax_c.lines[0].get_ydata()[50] > 0.98
    axes = w.plot_landscape(epochs=50)
    assert len(axes[0].lines) == 2 and axes[0].lines[0].get_markevery() == w.PATH_MARK_EVERY
    ax = w.plot_stability()                 # float32, true classes 0, 1, 2; 3 methods each
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["NaN from 89", "inf from 89", "inf from 104", "inf from 52", "inf from 52"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 9 and labels[2] == "true class 0: log-sum-exp"
    ax = w.plot_stability(scales=np.arange(1, 1001), dtype=np.float64, labels=False)
    assert [t.get_text() for t in ax.texts] == ["NaN from 710", "inf from 710", "inf from 746",
                                                  "inf from 373", "inf from 373"]
    assert ax.get_legend() is None
    ax = w.plot_ce_cost()
    assert len(ax.lines) == 4
    ax = w.plot_coin()
    assert len(ax.lines) == 2
    runs = w.dx.compare_setups(seeds=(0,), epochs=2)
    a1, a2 = w.plot_digits(runs=runs)
    assert len(a1.lines) == 3
    plt.close("all")
