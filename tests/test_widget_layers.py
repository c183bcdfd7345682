"""The speed-ups of issue 19 draw what they replace: cached axis/legend/title layers (widgets.layers),
the heat map coloured before resampling and the quicker log labels (widgets.plots), and the paths
explorer's runs cut from a longer one (widgets.ch06_batch)."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation

from widgets.ch02_gradients import JacobianExplorer, SignalExplorer
from widgets.ch06_batch import PathsExplorer
from widgets.plots import nearest_image, quick_log_labels


def _canvas(e, layered: bool):
    """The explorer's background drawn plainly or through fresh layers."""
    layers = e.renderer.layers
    layers.enabled = layered
    try:
        with layers.fresh():
            e.fig.canvas.draw()
    finally:
        layers.enabled = True
    return np.asarray(e.fig.canvas.buffer_rgba()).astype(int)


@pytest.mark.parametrize("cls", [JacobianExplorer, SignalExplorer, PathsExplorer])
def test_layers_draw_what_a_plain_draw_draws(cls):
    e = cls()
    plain, layered = _canvas(e, False), _canvas(e, True)
    diff = np.abs(plain - layered).max(axis=2)
    assert diff.max() <= 2 and np.mean(diff > 0) < 0.01      # antialiased edges blended twice: rounding


def test_a_limit_change_draws_one_axis_and_reuses_the_rest():
    e = JacobianExplorer()
    layers = e.renderer.layers
    x0 = e.ax0.get_xlim()
    e.ax0.set_xlim(0, 31)                     # ax0's x axis only: its y axis, title, ... are pasted
    hits, misses = layers.hits, layers.misses
    e.render_png()
    assert layers.misses - misses == 1 and layers.hits > hits
    e.ax0.set_xlim(*x0)
    e.ax0.set_ylim(-20, 20)                   # x axis as at first (pasted), y axis new
    misses = layers.misses
    png = e.render_png()
    assert layers.misses - misses == 1
    assert np.array_equal(_png(png), _png(e.render_png(full=True)))   # full=True: the same layers, drawn anew
    e.invalidate()                             # a new generation: nothing reused
    misses = layers.misses
    e.render_png()
    assert layers.misses - misses >= 2


def _png(b):
    import io

    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(b)))


@pytest.mark.parametrize("dpi", [100, 160])
def test_coloured_first_image_draws_the_pixels_of_imshow(dpi):
    data = np.random.default_rng(0).normal(size=(30, 60))
    out = []
    for quick in (False, True):
        fig = Figure(figsize=(4, 3), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        if quick:
            img = nearest_image(ax, data, (-3, 3, 0.5, 30.5), "magma", -2, 2)
        else:
            img = ax.imshow(data, aspect="auto", origin="lower", cmap="magma", extent=(-3, 3, 0.5, 30.5), vmin=-2,
                            vmax=2, interpolation="nearest")
        ax.set_xlim(-3, 3)
        ax.set_ylim(0.5, 30.5)
        fig.canvas.draw()
        out.append(np.asarray(fig.canvas.buffer_rgba()).copy())
        assert np.array_equal(img.get_array(), data)
    assert np.array_equal(*out)


def test_quick_log_labels_draw_the_same_pixels():
    out = []
    for quick in (False, True):
        fig = Figure(figsize=(3, 3), dpi=160)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.set_yscale("log")
        ax.set_ylim(1e-30, 10)
        if quick:
            quick_log_labels(ax.yaxis)
            assert "mathdefault" not in ax.yaxis.get_major_formatter()(1e-4)
        else:
            assert isinstance(ax.yaxis.get_major_formatter(), LogFormatterSciNotation)
        fig.canvas.draw()
        out.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    assert np.array_equal(*out)


def test_paths_explorer_cuts_shorter_runs_bit_identically():
    from dlcore.experiments import batch_paths as bp
    e = PathsExplorer()
    e.set(lr=0.5, steps=400, seed=3)
    for steps in (10, 100, 400):
        got, ref = e.compute(lr=0.5, steps=steps, seed=3), bp.sgd_paths(lr=0.5, steps=steps, rng=3)
        for B in (1, 8, 64, 256):
            assert np.array_equal(got[B]["w"], ref[B]["w"]) and np.array_equal(got[B]["loss"], ref[B]["loss"])
            assert got[B]["dist"] == ref[B]["dist"]
    e.set(steps=20)
    assert len(e.panel.paths[1].get_xdata()) == 21
