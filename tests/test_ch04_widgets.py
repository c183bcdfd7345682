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
    assert e.marks["quadratic"][1].get_text() == "-1.2%"     # share of the cost gone by epoch 50
    assert e.marks["cross_entropy"][1].get_text() == "-97.4%"
    assert e.marks["quadratic"][0].get_xdata()[0] == 50
    png = e.image.value
    e.set(w0=0.6, b0=0.9)                                    # Nielsen's good start: quadratic learns too
    assert q_cost.get_ydata()[50] < 0.3
    assert e.image.value != png
    e.set(epochs=100)
    assert len(c_out.get_xdata()) == 101 and e.ax_c.get_xlim() == (0, 100)
    e.set(w0=2.0, b0=2.0, eta=0.005, epochs=300)            # smaller eta: quadratic even slower
    assert q_cost.get_ydata()[-1] > 0.99


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
    e = w.DigitsCostExplorer(epochs=4, seeds=1)
    assert e.last_error is None
    acc = {k: v[0].get_ydata() for k, v in e.lines.items()}
    assert acc["softmax+CE"][-1] > acc["sigmoid+quadratic"][-1] + 0.2
    wrong_q = e.lines["sigmoid+quadratic"][2].get_ydata()
    wrong_c = e.lines["sigmoid+CE"][2].get_ydata()
    assert wrong_q[-1] > 3 * wrong_c[-1]
    e.set(init_std=0.2)                    # small weights: nothing starts saturated
    assert e.lines["sigmoid+CE"][2].get_ydata()[0] <= 1e-4


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
    assert len(axes[0].lines) == 2
    ax = w.plot_stability()
    assert any("NaN" in t.get_text() or "inf" in t.get_text() for t in ax.texts)
    ax = w.plot_ce_cost()
    assert len(ax.lines) == 4
    ax = w.plot_coin()
    assert len(ax.lines) == 2
    runs = w.dx.compare_setups(seeds=(0,), epochs=2)
    a1, a2 = w.plot_digits(runs=runs)
    assert len(a1.lines) == 3
    plt.close("all")
