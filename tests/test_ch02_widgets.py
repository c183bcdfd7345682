"""Headless tests of the chapter 02 explorers: each control moves the drawn data the way the text says."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from dlcore.experiments import gradients as ex
from dlcore.experiments import gradients_shape as exs
from widgets.ch02_gradients import (ClippingExplorer, JacobianExplorer, LayerSpeedExplorer, ResidualExplorer,
                                    SignalExplorer, plot_clipping, plot_jacobian, plot_layer_speeds, plot_residual,
                                    plot_shapes, plot_signal)


def _y(line):
    return np.asarray(line.get_ydata(), dtype=float)


def test_layer_speed_explorer():
    e = LayerSpeedExplorer(depth=5)
    assert e.last_error is None
    first, last = _y(e.panel.init_line)[[0, -1]]
    assert last / first > 100                           # sigmoid, scale/sqrt(n): earlier layers far slower
    assert len(_y(e.panel.lines[4])) > 1 and len(_y(e.panel.lines[5])) == 0
    e.set(depth=8)
    assert _y(e.panel.init_line)[0] < first                    # deeper: the first layer is slower still
    e.set(activation="relu", init="he")
    y = _y(e.panel.init_line)
    assert y[-1] / y[0] < 10                             # ReLU + He: no geometric decay
    assert "last / first layer" in e.info_line.value and "predicted ×" in e.info_line.value
    e.set(activation="sigmoid", init="scaled", depth=5, scale=1.0)
    base = _y(e.panel.init_line)
    e.set(scale=4.0)                                     # larger weights offset sigma' <= 1/4
    y = _y(e.panel.init_line)
    assert y[-1] / y[0] < base[-1] / base[0]
    e.set(width=60)
    assert not np.array_equal(_y(e.panel.init_line), y)


def test_signal_explorer():
    e = SignalExplorer()
    assert abs(e.data["measured_factor"] - 1.0) < 0.05 and "theory 1.000" in e.info_line.value
    rms_he = _y(e.rms)
    e.set(init="xavier")
    assert _y(e.rms)[-1] < 1e-3 * rms_he[-1]             # Xavier with ReLU: geometric decay
    assert "theory 0.707" in e.info_line.value
    assert len(_y(e.theory)) == 30 and _y(e.theory)[-1] == pytest.approx(0.7071 ** 30, rel=0.05)
    e.set(activation="tanh", init="normal")
    assert "saturated 8" in e.info_line.value and "theory n/a" in e.info_line.value
    assert _y(e.theory)[-1] == pytest.approx(_y(e.rms)[-1], rel=0.1)   # the mean-field line covers saturation too
    img = e.img.get_array()
    assert img.shape == (50, 60) and img[:30].max() > 0   # mass piled at +-1 (the edges)
    e.set(init="scaled", scale=0.5)
    low = _y(e.rms)[-1]
    e.set(scale=1.0)
    assert _y(e.rms)[-1] > 1e3 * low                      # tanh: scale < 1 kills the signal geometrically
    e.set(depth=10)
    assert len(_y(e.rms)) == 10 and np.all(e.img.get_array()[10:] == -3.0)


def test_jacobian_explorer_scale_slider():
    e = JacobianExplorer()
    mid = _y(e.norm)[-1]
    e.set(scale=0.5)
    assert _y(e.norm)[-1] < mid - 10                      # vanishing
    e.set(scale=4.0)
    assert _y(e.norm)[-1] > mid + 5                       # exploding
    e.set(scale=1.0)
    er_tanh = _y(e.erank)[-1]
    e.set(activation="relu", scale=1.41)
    assert _y(e.erank)[-1] < er_tanh                      # the rank collapses faster for ReLU
    e.set(depth=10)
    assert len(_y(e.norm)) == 10


def test_clipping_explorer():
    e = ClippingExplorer()
    assert "DIVERGED at step" in e.info_line.value
    assert len(_y(e.loss)) < 20
    e.set(clip="norm", threshold=1.0)
    assert "stable" in e.info_line.value and len(_y(e.loss)) == 200
    assert np.all(_y(e.post) <= 1.0 + 1e-6) and _y(e.pre)[0] > 50
    e.set(clip="value", threshold=0.1)
    assert "stable" in e.info_line.value
    e.set(clip="norm", threshold=100.0)                   # a loose threshold only catches the spikes
    assert "stable" in e.info_line.value and e.data["clipped_fraction"] < 0.1
    e.set(clip="none", init_scale=1.0)                    # a sane initial scale needs no clipping
    assert "stable" in e.info_line.value
    e.set(lr=1.0)                                         # finite, but it stops learning
    assert "stable" in e.info_line.value and e.data["val_acc"] < 0.15
    e.set(init_scale=1.5)                                 # and a slightly larger scale diverges again
    assert "DIVERGED" in e.info_line.value
    e.set(lr=1.0, init_scale=2.0)
    assert "DIVERGED" in e.info_line.value


def test_residual_explorer():
    e = ResidualExplorer(depth=10)
    g = {k: _y(l) for k, l in e.panel.g.items()}
    assert g["residual"][0] > 1e3 * g["plain"][0]
    assert "residual / plain" in e.info_line.value
    e.set(depth=20)
    assert _y(e.panel.g["plain"])[0] < g["plain"][0]             # deeper plain net: first layer even weaker
    assert _y(e.panel.acc["residual"])[-1] > _y(e.panel.acc["plain"])[-1]
    e.set(activation="tanh")
    assert _y(e.panel.g["plain"])[0] > 1e3 * g["plain"][0]      # tanh's slope 1 near 0: far less vanishing
    e.set(init="normal")
    assert not np.array_equal(_y(e.panel.g["plain"]), g["plain"])
    e.set(activation="relu", init="he", depth=20, branch_scale=1.0)   # unscaled ReLU branches: the signal explodes
    assert "residual NaN at step" in e.info_line.value
    e.set(branch_scale=0.1)                                            # scaled down: the residual net trains
    assert _y(e.panel.acc["residual"])[-1] > 0.85 > _y(e.panel.acc["plain"])[-1]


def test_errors_are_shown_in_the_widget(monkeypatch):
    e = JacobianExplorer()
    import widgets.ch02_gradients as mod

    def boom(*a, **k):
        raise ValueError("injected failure")
    monkeypatch.setattr(mod.ex, "jacobian_product", boom)
    e.set(depth=20)
    assert "injected failure" in e.error_box.value and e.last_error
    monkeypatch.undo()
    e.set(depth=25)
    assert e.last_error is None
    with pytest.raises(ValueError, match="control 'depth'"):
        e.set(depth=1000)


def test_static_plots():
    import matplotlib.pyplot as plt
    axs = plot_layer_speeds(ex.layer_speeds(depth=3, steps=50))
    assert sum(len(l.get_xdata()) > 0 for l in axs[1].lines) == 3
    axs = plot_signal({"He": ex.forward_signal("relu", "he"), "Xavier": ex.forward_signal("relu", "xavier")})
    assert len(axs) == 3 and len(axs[-1].lines) == 4       # measured and mean-field per result
    assert axs[-1].lines[0].get_linestyle() != axs[-1].lines[2].get_linestyle()   # overlapping curves stay visible
    axs = plot_jacobian({"tanh": ex.jacobian_product("tanh", depth=20)})
    assert len(axs[0].lines) == 1
    axs = plot_clipping({"none": exs.explode_and_clip("none"), "norm": exs.explode_and_clip("norm", 1.0)})
    shown = [[l for l in a.lines if np.isfinite(np.asarray(l.get_ydata(), float)).any()] for a in axs]
    assert len(shown[1]) == 3                              # two traces and the divergence cross
    assert len(shown[2]) == 1 and np.nanmax(shown[2][0].get_ydata()) <= 1.0 + 1e-6   # after clipping by norm 1
    assert axs[0].get_ylim()[1] == pytest.approx(1e3)      # the blow-up does not squash the stable runs
    axs = plot_residual(exs.residual_vs_plain(depth=6, steps=50))
    assert len(axs[0].lines) == 2
    ax = plot_shapes({"shapes": ["a", "b"], "mean": np.array([0.5, 0.9]), "std": np.array([0.1, 0.0]),
                      "acc": np.array([[0.4, 0.6], [0.9, 0.9]])})
    assert len(ax.patches) == 2
    plt.close("all")


def _drawn(axes):
    """What a figure shows: every line's data, every collection's offsets and colours, the limits."""
    out = []
    for ax in np.ravel(axes):
        out.append(("lim", ax.get_xlim(), ax.get_ylim(), ax.get_xlabel(), ax.get_ylabel()))
        out += [("line", l.get_label(), np.nan_to_num(np.asarray(l.get_xdata(), float), nan=-999.0).tolist(),
                 np.nan_to_num(np.asarray(l.get_ydata(), float), nan=-999.0).tolist(), l.get_color(),
                 l.get_linestyle()) for l in ax.lines]               # NaN (a line that stops) as -999: NaN != NaN
        out += [("dots", np.asarray(c.get_offsets()).tolist(), np.asarray(c.get_facecolors()).tolist())
                for c in ax.collections]
    return out


@pytest.mark.parametrize("explorer, plot, settings", [
    (LayerSpeedExplorer, plot_layer_speeds, {}),
    (LayerSpeedExplorer, plot_layer_speeds, {"depth": 8, "activation": "relu", "init": "he"}),
    (ResidualExplorer, plot_residual, {}),
    (ResidualExplorer, plot_residual, {"depth": 6, "activation": "tanh"}),
])
def test_static_figure_and_explorer_draw_the_same(explorer, plot, settings):
    """Issue 10 item 5: the figure a notebook cell draws is the one its explorer shows (same panel)."""
    import matplotlib.pyplot as plt
    from widgets.ch02_plots import LayerSpeedPanel
    e = explorer(**settings)
    assert e.last_error is None
    kw = {"max_depth": len(e.panel.lines)} if isinstance(e.panel, LayerSpeedPanel) else {}
    fig, axes = plt.subplots(1, 2)
    type(e.panel)(axes, **kw).update(e.data)
    assert _drawn(axes) == _drawn(e.panel.ax)
    if not kw:
        assert _drawn(plot(e.data)) == _drawn(e.panel.ax)
    plt.close("all")


def test_signal_figure_and_explorer_draw_the_same():
    """The notebook's signal figure and SignalExplorer are one panel: for the same result the RMS lines,
    the theory lines, their styles, the RMS limits and the heat map's rows agree."""
    import matplotlib.pyplot as plt
    e = SignalExplorer(activation="tanh", init="xavier", depth=25)
    r = e.data
    axs = plot_signal({"measured RMS": r})
    static_rms, live_rms = axs[-1], e.panel.rms_ax
    assert _drawn([static_rms])[1:] == _drawn([live_rms])[1:]          # every line: data, colour, style
    assert static_rms.get_ylim() == live_rms.get_ylim() and static_rms.get_xlim() == live_rms.get_xlim()
    a, b = axs[0].images[0].get_array(), e.img.get_array()
    assert np.array_equal(np.asarray(a), np.asarray(b)[:25])           # the explorer's extra rows are blank
    assert np.all(np.asarray(b)[25:] == -3.0) and axs[0].get_ylim() == e.panel.heat[0].get_ylim()
    plt.close("all")


def test_clipping_figure_and_explorer_draw_the_same():
    """The notebook's clipping figure and ClippingExplorer are one panel (ClippingPanel)."""
    import matplotlib.pyplot as plt
    for settings in ({}, {"clip": "norm", "threshold": 1.0}, {"clip": "value", "threshold": 0.1}):
        e = ClippingExplorer(**settings)
        assert e.last_error is None
        axs = plot_clipping({"this run": e.data})
        assert _drawn(axs) == _drawn(e.panel.ax), settings
    plt.close("all")


def test_limits_seen_one_axes_at_a_time_are_pasted_not_drawn():
    """Each axes' rectangle is kept per set of its limits (widgets.render): a combination of limits never
    drawn together, but each seen before, is pasted without drawing an axes, and looks exactly like a
    full redraw."""
    import io

    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)))

    e = JacobianExplorer()
    calls = []
    for i, ax in enumerate(e.fig.axes):
        ax.draw = lambda renderer, f=ax.draw, i=i: calls.append(i) or f(renderer)
    x0, x1 = e.ax0.get_xlim(), e.ax1.get_xlim()
    e.ax0.set_xlim(0, 31)
    e.render_png()
    e.ax0.set_xlim(*x0)
    e.ax1.set_xlim(0, 41)
    e.render_png()
    assert calls == [0, 1]                          # one axes drawn each time; ax0 back: pasted
    e.ax0.set_xlim(0, 31)                           # (31, 41): never drawn together
    png = e.render_png()
    assert calls == [0, 1]
    assert np.array_equal(pixels(png), pixels(e.render_png(full=True)))
    e.ax1.set_xlim(*x1)
    e.ax0.set_xlim(*x0)
    assert np.array_equal(pixels(e.render_png()), pixels(e.render_png(full=True)))


def test_jacobian_products_are_cut_and_continued_bit_identically():
    """jacobian_product caches one run per (activation, scale): a shallower product is cut from it and a
    deeper one continues it; both equal the product computed from scratch (a Generator: never cached)."""
    from dlcore.cache import clear_caches

    clear_caches()

    def fresh(depth):
        return ex.jacobian_product("relu", depth=depth, width=16, scale=1.3, rng=np.random.default_rng(0))

    for depth in (10, 40, 25, 40, 60):
        r = ex.jacobian_product("relu", depth=depth, width=16, scale=1.3)
        f = fresh(depth)
        assert set(r) == set(f) and all(np.array_equal(r[k], f[k]) for k in f), depth
        assert not r["sv"].flags.writeable and not f["sv"].flags.writeable
    e = JacobianExplorer(activation="sigmoid", scale=0.8)
    for depth in (100, 20):
        e.set(depth=depth)
        full = ex.jacobian_product("sigmoid", depth=100, width=e.width, scale=0.8, rng=np.random.default_rng(0))
        assert all(np.array_equal(e.data[k], full[k][:depth]) for k in e.data)
