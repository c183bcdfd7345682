"""Chapter 02: symmetry breaking, Xavier's compromise (issue 11 item 18) and the forward-signal figure (item 16)."""
import numpy as np
import pytest

from dlcore.experiments import gradients as ex
from dlcore.experiments import init_symmetry as sy
from dlcore.experiments.common import SEEDS, init_spec


def test_zero_and_constant_starts_never_break_symmetry():
    for seed in SEEDS:
        for init in ("zero", "constant"):
            r = sy.symmetry_breaking(init, "tanh", rng=seed)
            assert np.all(r["distinct"] <= 1) and np.all(r["hidden_rank"] <= 1), (init, seed)
            assert r["val_acc"] < 0.15, (init, seed)                       # chance (measured 0.10)
        z = sy.symmetry_breaking("zero", "tanh", rng=seed)
        assert np.all(z["distinct"] == 0)                                  # tanh(0) = 0: nothing below moves
        x = sy.symmetry_breaking("xavier", "tanh", rng=seed)
        assert np.all(x["distinct"] == 32) and np.all(x["hidden_rank"] >= 30), seed
        assert x["val_acc"] > 0.85, seed                                   # measured 0.94 .. 0.96


def test_distinct_units():
    W = np.ones((4, 3))
    assert sy.distinct_units(W) == 1 and sy.distinct_units(np.zeros((4, 3))) == 0
    W[0, 2] += 1e-6
    assert sy.distinct_units(W) == 1 and sy.distinct_units(W, rtol=1e-9) == 2
    assert init_spec("zero") == ("constant", {"value": 0.0})


@pytest.mark.parametrize("var", ["fan_in", "fan_out", "xavier"])
def test_xavier_gains_follow_the_fan_in_fan_out_formulas(var):
    g = sy.xavier_gains(256, 64, var)
    assert g["forward"] == pytest.approx(256 * g["var_w"], rel=0.05)
    assert g["backward"] == pytest.approx(64 * g["var_w"], rel=0.05)
    assert g["forward_pred"] == pytest.approx(256 * g["var_w"]) and g["backward_pred"] == pytest.approx(64 * g["var_w"])
    if var == "xavier":                                  # 2/(n_in + n_out): the two gains straddle 1
        assert g["var_w"] == pytest.approx(2 / 320)
        assert g["forward_pred"] == pytest.approx(1.6) and g["backward_pred"] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="var must be"):
        sy.xavier_gains(var="he")


def test_signal_histogram_has_no_clipping_column_at_the_edge():
    """Issue 11 item 16: values beyond the range were piled into the edge bin (a bright column at x = 3)."""
    r = ex.forward_signal("relu", "he", depth=30)
    h, outside = r["hist"], r["outside"]
    assert np.all(h[:, -1] <= 1.5 * h[:, -2] + 1e-3)             # the last bin is like its neighbour
    assert np.all((outside > 0.005) & (outside < 0.1))           # ~2 % of ReLU-He outputs lie beyond 3
    mass = (h * np.diff(r["edges"])).sum(axis=1)
    assert np.allclose(mass + outside, 1.0)


def test_signal_figure_mean_field_lines_are_dotted_and_no_data_line_is():
    """Issue 11 item 16: a data line was dotted like the mean-field lines, which the text called dotted
    and the explorer dashed; now every theory line is dotted and no data line is, in both figures."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from widgets.ch02_gradients import SignalExplorer
    from widgets.ch02_plots import plot_signal
    res = {k: ex.forward_signal(a, i, depth=10) for k, (a, i) in
           {"a": ("relu", "he"), "b": ("relu", "xavier"), "c": ("tanh", "small"), "d": ("tanh", "normal")}.items()}
    axes = plot_signal(res)
    lines = axes[-1].get_lines()
    data = [l for l in lines if l.get_label() in res]
    theory = [l for l in lines if l.get_label() not in res]
    assert len(data) == 4 and len(theory) == 4
    assert all(l.get_linestyle() == ":" for l in theory)
    assert all(l.get_linestyle() != ":" for l in data) and len({l.get_linestyle() for l in data}) >= 3
    assert "dotted" in axes[-1].get_title()
    e = SignalExplorer()
    assert e.theory.get_linestyle() == ":" and e.rms.get_linestyle() != ":"
    plt.close("all")
