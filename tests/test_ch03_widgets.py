"""Chapter 03 explorers, headless: each control moves the drawn data the way the text says."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from dlcore.experiments import activations as ex
from widgets import ch03_activations as w


def _y(line):
    return np.asarray(line.get_ydata(), dtype=float)


def test_function_explorer_param_and_properties():
    e = w.FunctionExplorer(fn="elu", param=1.0)
    assert e.last_error is None
    left = _y(e.f)[0]
    e.set(param=2.0)
    assert _y(e.f)[0] < left - 0.9                      # ELU's floor moves from -1 to -2
    assert "monotonic True" in e.props.value
    e.set(fn="swish", param=1.0)
    assert "monotonic False" in e.props.value
    e.set(fn="tanh")
    assert "max|f'| 1.000" in e.props.value and np.isfinite(_y(e.sat_f)).any()
    e.set(fn="relu")
    assert not np.isfinite(_y(e.sat_f)).any()           # ReLU never saturates (it dies instead)
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


def test_nonlinear_explorer_linear_vs_nonlinear():
    e = w.NonlinearExplorer(depth=2, width=8)
    lin, non = [t.get_text() for t in e.titles]
    acc = [float(s.split()[-1]) for s in (lin, non)]
    assert acc[1] > acc[0] + 0.05
    e.set(dataset="spirals", activation="relu", depth=3, width=16)
    lin = float(e.titles[0].get_text().split()[-1])
    assert lin < 0.4 and float(e.titles[1].get_text().split()[-1]) > lin + 0.4
    assert e.pts[0].get_offsets().shape[0] == 270
    assert e.ims[0].get_array().shape == (60, 60)


def test_dead_relu_explorer_lr_kills_units():
    e = w.DeadReluExplorer(lr=0.3)
    low = e.lines[1].get_ydata()[-1]
    e.set(lr=1.0)
    assert e.lines[1].get_ydata()[-1] > low + 0.5
    e.set(lr=0.3, bias=-1.0)
    assert e.lines[1].get_ydata()[0] == 1.0 and e.lines[1].get_ydata()[-1] == 1.0
    e.set(activation="elu")
    assert e.lines[1].get_ydata()[-1] < 0.1


def test_speed_explorer_tanh_below_sigmoid():
    e = w.SpeedExplorer(lr=0.1, seeds=1)
    sig, tanh = (np.asarray(e.lines[i].get_ydata()) for i in (0, 1))
    assert tanh[-20:].mean() < sig[-20:].mean() / 4
    e.set(lr=0.3)
    assert np.asarray(e.lines[1].get_ydata())[-20:].mean() < tanh[-20:].mean()   # larger lr: lower tanh loss


def test_zigzag_explorer_centring():
    e = w.ZigzagExplorer(centred=False)
    assert "100%" in e.txt.get_text()
    slow = int(e.txt.get_text().split()[-2])
    e.set(centred=True)
    assert int(e.txt.get_text().split()[-2]) < slow / 3


def test_saturation_explorer_init_scale():
    e = w.SaturationExplorer(activation="tanh", init="normal", std=1.0)
    big = e.lines[1].get_ydata()[0]
    e.set(std=0.1)
    assert e.lines[1].get_ydata()[0] < big - 0.4
    e.set(init="xavier", activation="sigmoid")
    assert e.lines[1].get_ydata()[-1] < 0.05 and "final train acc" in e.txt.get_text()


def test_softmax_explorer_temperature_and_overflow():
    e = w.SoftmaxExplorer(T=1.0, scale=1.0)
    top = max(b.get_height() for b in e.bars)
    e.set(T=10.0)
    assert max(b.get_height() for b in e.bars) < top - 0.2     # hotter -> flatter
    assert "naive: ok" in e.txt.get_text()
    e.set(scale=100.0)
    assert "overflow" in e.txt.get_text()
    assert abs(sum(b.get_height() for b in e.bars) - 1) < 1e-6


def test_plot_helpers_draw():
    import matplotlib.pyplot as plt
    axes = w.plot_zoo(["relu", "tanh", "elu"], ncols=2)
    assert len(axes[0].lines) >= 2 and not axes[3].get_visible()
    ax = w.plot_mish_errata(ex.mish_errata())
    assert len(ax.lines) == 4
    ax = w.plot_zigzag(ex.zigzag(False), ex.zigzag(True))
    assert "100% same-sign" in ax.get_legend().get_texts()[0].get_text()
    ax = w.plot_softmax(ex.softmax_temperature([1, 2, 3], [0.5, 2]))
    assert len(ax.patches) == 6
    ax = w.plot_curves(["a"], np.ones((1, 50)))
    assert len(ax.lines) == 1
    plt.close("all")
