import matplotlib

matplotlib.use("Agg")

import numpy as np

from widgets.ch01_backprop import GradCheckExplorer, WorkedExampleExplorer, plot_gradcheck, plot_network, plot_training


def test_worked_example_explorer_steps_training():
    e = WorkedExampleExplorer()
    assert e.last_error is None
    heights0 = [b.get_height() for b in e.bars]
    assert heights0[4] == 0.40 - 0.5 * 0.082167040564 or abs(heights0[4] - 0.35891648) < 1e-8  # w5 after 1 update
    png0 = e.image.value
    e.set(step=10000)
    heights = [b.get_height() for b in e.bars]
    assert heights[4] < heights0[4] - 1.0          # w5 has been driven far down to cut o1's output
    assert "10000 updates: E = 3.51e-05" in e.info.get_text()
    assert e.image.value != png0
    assert e.control_widgets["step"].value == 10000
    e.set(update_biases=True)
    assert "E = 2.45e-06" in e.info.get_text()
    assert heights[-2] == 0.60 and e.bars[-2].get_height() != 0.60   # b_o1 now moves
    e.set(lr=5.0)
    assert e.data["error"][10000] < 2.45e-06


def test_gradcheck_explorer_verdicts():
    e = GradCheckExplorer()
    assert "passes" in e.verdict.get_text() and e.data["err"] < 1e-8
    e.set(bug="sigmoid: forgot the chain rule")
    assert "fails" in e.verdict.get_text() and e.data["err"] > 0.1
    e.set(bug="none", dtype="float32")
    assert "fails" in e.verdict.get_text()       # float32 cannot resolve h = 1e-6
    e.set(h=1e-2)
    assert e.data["err"] < 1e-3
    e.set(dtype="float64", h=1e-12)
    assert e.data["err"] > 1e-6                   # rounding error dominates at tiny h


def test_explorer_error_is_shown_and_recovers(monkeypatch):
    e = GradCheckExplorer()
    import widgets.ch01_backprop as mod

    def boom(**kw):
        raise RuntimeError("injected")
    monkeypatch.setattr(mod.ex, "gradcheck_vs_h", boom)
    mod._vcurve.cache_clear()
    e.set(h=1e-4)
    assert "injected" in e.error_box.value and e.last_error
    monkeypatch.undo()
    e.set(h=1e-5)
    assert e.last_error is None and e.error_box.value == ""


def test_static_plots():
    ax = plot_network()
    assert len(ax.patches) == 6
    ax = plot_training(marker_step=10)
    assert len(ax.lines) == 2
    ax = plot_gradcheck()
    assert np.all(ax.lines[0].get_ydata() > 0)
