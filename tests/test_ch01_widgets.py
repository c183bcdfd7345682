"""Headless tests of the chapter 01 explorers and figures."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import widgets.ch01_backprop as w
import widgets.ch01_plots as p
from dlcore.cache import clear_caches
from dlcore.experiments import backprop as ex
from dlcore.experiments import gradchecking as gx
from tests.test_explorers_all import drawn, same_drawing


def test_worked_example_explorer_steps_training():
    e = w.WorkedExampleExplorer()
    assert e.last_error is None
    heights0 = [b.get_height() for b in e.panel.bars]
    assert abs(heights0[4] - 0.35891648) < 1e-8                  # w5 after 1 update
    png0 = e.image.value
    e.set(step=10000)
    heights = [b.get_height() for b in e.panel.bars]
    assert heights[4] < heights0[4] - 1.0          # w5 has been driven far down to cut o1's output
    assert "10000 updates: E = 3.51e-05" in e.info_line.value     # status text on the info line
    assert not e.fig.axes[1].texts                                   # not inside the figure
    assert e.image.value != png0
    assert e.control_widgets["step"].value == 10000
    e.set(update_biases=True)
    assert "E = 2.45e-06" in e.info_line.value
    assert heights[-2] == 0.60 and e.panel.bars[-2].get_height() != 0.60   # b_o1 now moves
    e.set(lr=5.0)
    assert e.data["error"][10000] < 2.45e-06


def test_gradcheck_explorer_verdicts():
    e = w.GradCheckExplorer()
    assert "passes" in e.info_line.value and e.data["err"] < 1e-8
    e.set(bug="sigmoid: forgot the chain rule")
    assert "fails" in e.info_line.value and "right call" in e.info_line.value and e.data["err"] > 0.1
    e.set(bug="none", dtype="float32")
    assert "fails" in e.info_line.value and "false alarm" in e.info_line.value  # float32 cannot resolve h = 1e-6
    e.set(h=1e-2)
    assert e.data["err"] < 1e-3
    e.set(dtype="float64", h=1e-12)
    assert e.data["err"] > 1e-6                   # rounding error dominates at tiny h
    assert not e.fig.axes[0].texts[1:]             # only the tolerance label is Agg text


def test_explorer_error_is_shown_and_recovers(monkeypatch):
    e = w.GradCheckExplorer()

    def boom(**kw):
        raise RuntimeError("injected")
    monkeypatch.setattr(w.gx, "gradcheck_vs_h", boom)
    e.set(h=1e-4)
    assert "injected" in e.error_box.value and e.last_error
    monkeypatch.undo()
    e.set(h=1e-5)
    assert e.last_error is None and e.error_box.value == ""


def test_static_plots():
    ax = p.plot_network(ex.named_weights(ex.worked_net()))
    assert len(ax.patches) == 6
    ax = p.plot_training({"a": ex.train_worked(100), "b": ex.train_worked(100, update_biases=True)})
    assert len(ax.lines) == 2 and ax.get_legend() is not None
    ax = p.plot_gradcheck({"curves": {"correct": gx.gradcheck_vs_h(), "float32": gx.gradcheck_vs_h(dtype="float32")}})
    assert np.all(ax.lines[0].get_ydata() > 0) and ax.get_legend() is not None
    a, b = p.plot_convergence(ex.convergence(10000))
    assert [t.get_text() for t in a.texts] == ["-1.04", "-1.26", "-1.50"]
    plt.close("all")


@pytest.mark.parametrize("explorer, plot, settings", [
    (w.WorkedExampleExplorer, p.plot_worked, {"step": 300, "lr": 2.0, "update_biases": True}),
    (w.GradCheckExplorer, p.plot_gradcheck, {"bug": "linear: W not transposed", "dtype": "float32", "h": 1e-3}),
])
def test_the_notebook_figure_draws_what_the_explorer_shows(explorer, plot, settings):
    """One figure, defined once (issue 10): for the same result, ``plot_x(result, ax)`` and the
    explorer's panel draw the same lines, bars, texts and limits."""
    e = explorer(**settings)
    fig = plt.figure(figsize=explorer.figsize, layout="constrained")
    ax = fig.subplots(1, 2) if plot is p.plot_worked else fig.subplots()
    plot(e.data, ax)
    assert same_drawing(drawn(fig), drawn(e.fig))
    assert [(a.get_xlim(), a.get_ylim()) for a in fig.axes] == [(a.get_xlim(), a.get_ylim()) for a in e.fig.axes]
    assert len(drawn(fig)) >= 4
    plt.close(fig)


def test_results_are_cached_once_and_immutable():
    clear_caches()
    r = ex.train_worked(50)
    assert ex.train_worked(50) is r                               # one cache: dlcore.cache.cached
    with pytest.raises(TypeError):
        r["error"] = None
    with pytest.raises(ValueError):
        r["weights"][0, 0] = 1.0
    assert not hasattr(w, "_vcurve") and not hasattr(w, "lru_cache")


def _gradcheck_curve_by_hand(bug, hs, dtype, rng=0, batch=4):
    """gradcheck_vs_h as it was before the numerical side was shared between bugs: one buggy net,
    its copy in ``dtype``, central differences of that copy at every step."""
    import copy

    from dlcore.gradcheck import numerical_gradient, rel_error
    from dlcore.rng import spawn
    weights, data = spawn(rng, 2)
    net = gx.buggy_net(bug, weights)
    low = copy.deepcopy(net)
    for layer in low.layers:
        for k in layer.params:
            layer.params[k] = layer.params[k].astype(dtype)
    X, R = data.standard_normal((batch, 3)), data.standard_normal((batch, 3))
    net.forward(X)
    net.backward(R)
    analytic = [net.backward(R)] + [np.array(q.grad) for _, q in net.named_parameters()]

    def loss(v, p=None):
        saved = None if p is None else p.copy()
        if p is not None:
            p[...] = v
        try:
            return float(np.sum(low.forward((X if p is not None else v).astype(dtype)).astype(np.float64) * R))
        finally:
            if p is not None:
                p[...] = saved
    params = [q.data for _, q in low.named_parameters()]
    return np.array([max([rel_error(analytic[0], numerical_gradient(loss, X, h))]
                         + [rel_error(g, numerical_gradient(lambda v, p=p: loss(v, p), p, h))
                            for g, p in zip(analytic[1:], params)]) for h in hs])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gradcheck_curves_share_the_numerical_side_exactly(dtype):
    """The numerical gradients are computed once per (steps, precision, seed) and reused for every bug
    (no bug touches the forward pass): each curve is bit for bit the one computed for its bug alone."""
    clear_caches()
    hs = [1e-10, 1e-6, 1e-3]
    for bug in gx.BUGS:
        got = gx.gradcheck_vs_h(bug=bug, hs=hs, dtype=dtype)["rel_error"]
        assert np.array_equal(got, _gradcheck_curve_by_hand(bug, hs, np.dtype(dtype))), bug
    assert gx.numerical_gradients.cache_info()["misses"] == 1          # one numerical side for five bugs
    g = np.random.default_rng(4)                                         # a Generator: its own two streams
    assert np.array_equal(gx.gradcheck_vs_h(hs=hs, dtype=dtype, rng=g)["rel_error"],
                          _gradcheck_curve_by_hand("none", hs, np.dtype(dtype), rng=np.random.default_rng(4)))
