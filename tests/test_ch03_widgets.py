"""Chapter 03 explorers, headless: each control moves the drawn data the way the text says."""
import matplotlib

matplotlib.use("Agg")

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcore.experiments import activations as ex
from dlcore.experiments import activations_speed as sp
from dlcore.experiments import activations_train as tr
import widgets.ch03_plots as p
from tests.test_explorers_all import drawn, same_drawing
from widgets import ch03_activations as w


def _y(line):
    return np.asarray(line.get_ydata(), dtype=float)


def test_function_explorer_param_and_properties():
    e = w.FunctionExplorer(fn="elu", param=1.0)
    assert e.last_error is None
    left = _y(e.panel.f)[0]
    e.set(param=2.0)
    assert _y(e.panel.f)[0] < left - 0.9                      # ELU's floor moves from -1 to -2
    assert "monotonic True" in e.info_line.value
    e.set(fn="swish", param=1.0)
    assert "monotonic False" in e.info_line.value
    e.set(fn="tanh")
    assert "max|f'| 1.000" in e.info_line.value and np.isfinite(_y(e.panel.sat_f)).any()
    e.set(fn="relu")
    assert not np.isfinite(_y(e.panel.sat_f)).any()           # ReLU never saturates (it dies instead)
    assert "range (0, inf)" in e.info_line.value
    assert "slopes at 0: 0.00 | 1.00" in e.info_line.value and "near 0 False" in e.info_line.value   # one-sided (issue 11)
    e.set(fn="gelu")
    assert "range (-0.17, inf)" in e.info_line.value and "monotonic False" in e.info_line.value
    # softplus: a larger beta is a sharper ReLU: f(0) = ln2/beta falls, f' = sigmoid(beta x) steepens
    x = np.asarray(e.panel.f.get_xdata(), dtype=float)
    i0, im1 = np.argmin(np.abs(x)), np.argmin(np.abs(x + 1))
    e.set(fn="softplus", param=1.0)
    f0, d1 = _y(e.panel.f)[i0], _y(e.panel.d)[im1]
    assert f0 == pytest.approx(np.log(2), abs=1e-9) and d1 == pytest.approx(1 / (1 + np.e), abs=1e-9)
    e.set(param=3.0)
    assert _y(e.panel.f)[i0] == pytest.approx(np.log(2) / 3, abs=1e-9) and _y(e.panel.d)[im1] < d1 / 5
    with pytest.raises(ValueError, match="control 'fn'"):
        e.set(fn="relu6")


def test_function_explorer_shows_errors_in_widget():
    e = w.FunctionExplorer()
    e.set(fn="leaky_relu", param=0.0)
    assert e.last_error is None
    e.compute = lambda **s: (_ for _ in ()).throw(ValueError("boom"))
    e.set(param=0.5)
    assert "boom" in e.last_error and "boom" in e.error_box.value


def test_params_for_maps_the_slider():
    assert w.params_for("leaky_relu", 3.0) == {"slope": 0.99}
    assert w.params_for("elu", 2.0) == {"alpha": 2.0}
    assert w.params_for("tanh", 2.0) == {}
    assert w.params_for("softplus", 0.0) == {"beta": 0.05} and w.params_for("swish", 0.0) == {"beta": 0.0}
    e = w.FunctionExplorer(fn="softplus", param=0.0)      # the slider's left end is not an error
    assert e.last_error is None and "slider does nothing" not in e.info_line.value
    e.set(fn="tanh")
    assert "slider does nothing" in e.info_line.value


def _accs(e):
    """The two accuracies on the info line (linear, nonlinear)."""
    return [float(v) for v in re.findall(r"<b>([0-9.]+)</b>", e.info_line.value)]


def test_nonlinear_explorer_linear_vs_nonlinear():
    e = w.NonlinearExplorer(depth=2, width=8)
    acc = _accs(e)
    assert len(acc) == 2 and acc[1] > acc[0] + 0.05
    assert acc == [round(e.data["acc_linear"], 2), round(e.data["acc_nonlinear"], 2)]
    e.set(dataset="spirals", activation="relu", depth=3, width=16)
    lin, non = _accs(e)
    # seed 0's ReLU net: 0.96-0.98 depending on the BLAS kernel; the linear stack 0.36
    assert lin < 0.4 and non > lin + 0.4 and "nonlinear (relu)" in e.info_line.value
    assert e.panel.pts[0].get_offsets().shape[0] == 270
    assert e.panel.ims[0].get_array().shape == (60, 60)


def test_dead_relu_explorer_lr_kills_units():
    lr = w.DeadReluExplorer.controls["lr"]
    assert lr.base ** lr.max_exp == 2.0                  # the slider reaches the chapter's lr 2.0 exactly
    for value in (0.5, 1.0, 2.0):                         # and stops on the chapter's rates
        assert ((np.log(value) / np.log(lr.base) - lr.min_exp) / lr.step) % 1 == 0
    e = w.DeadReluExplorer(lr=0.3)
    low = e.panel.lines[1].get_ydata()[-1]
    e.set(lr=2.0)                                        # at lr 1.0 the outcome varies by seed
    assert e.panel.lines[1].get_ydata()[-1] > low + 0.8 and float(e.info_line.value.split()[-1]) < 0.15
    e.set(lr=0.3, bias=-1.0)
    assert e.panel.lines[1].get_ydata()[0] == 1.0 and e.panel.lines[1].get_ydata()[-1] == 1.0
    e.set(activation="elu")
    assert e.panel.lines[1].get_ydata()[-1] < 0.1
    # Leaky ReLU at bias -1: raising the slope from 0.01 to 0.1 rescues the net
    e.set(activation="leaky_relu", slope=0.01)
    assert float(e.info_line.value.split()[-1]) < 0.5                     # seed 0: 0.36
    e.set(slope=0.1)
    assert float(e.info_line.value.split()[-1]) > 0.9 and e.panel.lines[1].get_ydata()[-1] < 0.5   # layer 2 was 1.0 at step 0
    e.set(lr=2.0, bias=0.0)                             # too large a step with that slope: divergence, said so
    assert e.info_line.value.startswith("diverged at step")


def test_speed_explorer_tanh_below_sigmoid():
    e = w.SpeedExplorer(lr=0.1, seeds=1)
    sig, tanh = (np.asarray(e.panel.lines[i].get_ydata()) for i in (0, 1))
    assert tanh[-20:].mean() < sig[-20:].mean() / 4
    assert np.asarray(e.panel.lines[1].get_xdata())[0] == e.panel.smooth   # a running mean: first point at step 10
    e.set(lr=0.3)
    assert np.asarray(e.panel.lines[1].get_ydata())[-20:].mean() < tanh[-20:].mean()   # larger lr: lower tanh loss


def test_zigzag_explorer_centring():
    e = w.ZigzagExplorer(centred=False)
    assert "100%" in e.info_line.value
    slow = int(e.info_line.value.split()[-2])
    path = np.asarray(e.panel.path.get_xydata())
    e.set(centred=True)
    assert int(e.info_line.value.split()[-2]) < slow / 3
    assert not np.array_equal(np.asarray(e.panel.path.get_xydata()), path)
    d = np.asarray(e.panel.dist.get_ydata())
    assert d[-1] < 1e-3 and d[0] > 1


def test_saturation_explorer_init_scale():
    e = w.SaturationExplorer(activation="tanh", init="normal", std=1.0)
    big = e.panel.lines[1].get_ydata()[0]
    e.set(std=0.1)
    assert e.panel.lines[1].get_ydata()[0] < big - 0.4
    e.set(init="xavier", activation="sigmoid")
    assert e.panel.lines[1].get_ydata()[-1] < 0.05 and "final train acc" in e.info_line.value
    e.set(activation="elu", init="normal", std=1.0)       # blows up: said in the figure, not an error
    assert e.last_error is None and e.info_line.value.startswith("diverged at step")
    assert len(e.panel.lines[0].get_xdata()) == 0
    e.set(init="he", lr=0.1)                              # the matching init: ELU's tail (x < -3) is rarely reached
    assert float(e.info_line.value.split()[-1]) > 0.95 and max(np.max(l.get_ydata()) for l in e.panel.lines) < 0.02


def test_softmax_explorer_temperature_and_overflow():
    e = w.SoftmaxExplorer(T=1.0, scale=1.0)
    top = max(b.get_height() for b in e.panel.bars)
    e.set(T=10.0)
    assert max(b.get_height() for b in e.panel.bars) < top - 0.2     # hotter -> flatter
    assert "float32: ok" in e.info_line.value
    J = np.asarray(e.panel.im.get_array())
    assert np.allclose(J.sum(1), 0) and np.abs(J).max() < 0.25
    e.set(T=0.1)                                         # colder -> one-hot -> the Jacobian vanishes
    assert np.abs(np.asarray(e.panel.im.get_array())).max() < 0.01 and max(b.get_height() for b in e.panel.bars) > 0.99
    e.set(scale=100.0)
    assert "overflow" in e.info_line.value
    assert abs(sum(b.get_height() for b in e.panel.bars) - 1) < 1e-6


def test_plot_helpers_draw():
    zoo = {n: ex.properties(n, p.ZOO_PLOT_PARAMS.get(n), lo=-4, hi=4, n=801) for n in ["relu", "tanh", "elu", "swish"]}
    axes = p.plot_zoo(zoo, ncols=3)
    assert len(axes[0].lines) >= 2 and not axes[4].get_visible()
    assert np.isnan(axes[0].lines[1].get_ydata()).sum() == 1          # ReLU' is broken at its jump, not joined
    assert axes[3].get_title() == "swish (beta=2)"
    assert axes[0].figure.legends                                      # f solid / f' dashed, said in a legend
    axes = p.plot_dead({"a": tr.dead_relu("relu", lr=0.3), "b": tr.dead_relu("relu", lr=0.3, bias=-1.0)})
    assert [a.get_title() for a in axes] == ["hidden layer 1", "hidden layer 2"]
    assert list(axes[1].lines[1].get_ydata()[[0, -1]]) == [1.0, 1.0]
    ax = p.plot_mish_errata(ex.mish_errata())
    assert len(ax.lines) == 4
    ax = p.plot_zigzag(sp.zigzag(False), sp.zigzag(True))
    assert "100% of 200 non-zero updates same-sign" in ax.get_legend().get_texts()[0].get_text()
    ax = p.plot_softmax(ex.softmax_temperature([1, 2, 3], [0.5, 2]))
    assert len(ax.patches) == 6
    ax = p.plot_curves({"labels": ["a"], "loss": np.ones((1, 50))})
    assert len(ax.lines) == 1 and ax.lines[0].get_xdata()[0] == 10
    r = ex.why_nonlinear("moons", "tanh", depth=3, width=16)
    a, b = p.plot_boundaries(r)                                         # the static figure: accuracies in the titles
    assert a.get_title() == f"linear: train acc {r['acc_linear']:.2f}"
    assert b.get_title() == f"nonlinear: train acc {r['acc_nonlinear']:.2f}"
    plt.close("all")


_SAME = [
    (w.FunctionExplorer, p.plot_function, {"fn": "elu", "param": 3.0}),          # f' and f leave their usual ranges
    (w.FunctionExplorer, p.plot_function, {"fn": "tanh"}),                       # a red band: saturated
    (w.NonlinearExplorer, lambda r, ax: p.plot_boundaries(r, ax, show_acc=False), {"dataset": "spirals", "depth": 1,
                                                                                  "width": 8}),
    (w.DeadReluExplorer, p.plot_dead_run, {"lr": 2.0}),
    (w.SpeedExplorer, p.plot_curves, {"lr": 0.3}),
    (w.ZigzagExplorer, p.plot_zigzag_run, {"lr": 2.0, "seed": 2}),               # overshoots: wider limits
    (w.SaturationExplorer, p.plot_saturation_run, {"init": "xavier", "activation": "sigmoid"}),
    (w.SoftmaxExplorer, p.plot_softmax_jacobian, {"T": 0.5, "scale": 100.0}),     # naive overflow drawn as 0
]


@pytest.mark.parametrize("explorer, plot, settings", _SAME, ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(_SAME)])
def test_the_notebook_figure_draws_what_the_explorer_shows(explorer, plot, settings):
    """One figure, defined once (issue 10): for the same result, ``plot_x(result, ax)`` in a notebook cell
    and the explorer's panel draw the same lines, bars, points, images, texts and limits."""
    e = explorer(**settings)
    assert e.last_error is None
    fig = plt.figure(figsize=explorer.figsize, layout="constrained")
    ax = fig.subplots(1, np.size(e.panel.ax))                # the panel's axes: one, or a pair
    plot(e.data, ax)
    mine, theirs = drawn(fig), drawn(e.fig)
    assert same_drawing(mine, theirs)
    assert [(a.get_xlim(), a.get_ylim()) for a in fig.axes] == [(a.get_xlim(), a.get_ylim()) for a in e.fig.axes]
    assert sum(np.size(d) for d in mine if not isinstance(d, str)) > 20       # something was drawn
    plt.close(fig)


def test_the_static_figure_with_new_axes_matches_too():
    """``plot_x(result)`` with no axes makes its own figure of the panel's size and draws the same data."""
    e = w.ZigzagExplorer(centred=True)
    axes = p.plot_zigzag_run(e.data)
    assert same_drawing(drawn(axes[0].figure), drawn(e.fig))
    assert tuple(axes[0].figure.get_size_inches()) == w.ZigzagExplorer.figsize
    plt.close("all")
