"""Every explorer in widgets/, discovered: builds without error at twice the pixel density, shares its
state as JSON, survives moving each control, redraws when a control moves, keeps what it draws inside
its axes at every extreme of its controls, and (training explorers) moves its progress bar while it
trains. The tests grow automatically with the chapters."""
import matplotlib

matplotlib.use("Agg")

import io
import itertools
import json

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from PIL import Image

from widgets.controls import Checkbox, Dropdown, FloatSlider, IntSlider, LogSlider
from widgets.discover import explorer_classes

EXPLORERS = explorer_classes()
TRAINING = [(n, c) for n, c in EXPLORERS if c.kind == "training"]
ANALYTIC = [(n, c) for n, c in EXPLORERS if c.kind != "training"]


def _ids(items):
    return [n.split(".")[-1] for n, _ in items]


# ------------------------------------------------------------------ helpers
def drawn(fig) -> list:
    """Everything the figure draws as data (lines, bars, points, images, texts), as comparable values."""
    out = []
    for ax in fig.axes:
        for a in ax.lines:
            out.append(np.asarray(a.get_xydata(), dtype=float))
        for a in ax.patches:
            if isinstance(a, Rectangle):
                out.append(np.array([*a.get_xy(), a.get_width(), a.get_height()], dtype=float))
        for a in ax.collections:
            if isinstance(a, PathCollection):
                out.append(np.asarray(a.get_offsets(), dtype=float))
                out.append(np.asarray(a.get_facecolors(), dtype=float))
        for a in ax.images:
            out.append(np.asarray(a.get_array(), dtype=float))
        out += [t.get_text() for t in ax.texts]
    return out


def same_drawing(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        (x == y) if isinstance(x, str) or isinstance(y, str)
        else (np.shape(x) == np.shape(y) and np.array_equal(x, y, equal_nan=True)) for x, y in zip(a, b))


def _in(v, lo, hi, log):
    """Mask of the finite values of ``v`` that must lie in [lo, hi] (on a log axis: the positive ones)
    and whether each does."""
    v = np.asarray(v, dtype=float).ravel()
    check = np.isfinite(v) & ((v > 0) if log else True)
    lo, hi = min(lo, hi), max(lo, hi)
    tol = 1e-6 * ((np.log10(hi) - np.log10(lo)) if log else (hi - lo))
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            lv = np.log10(np.where(check, v, 1.0))
        ok = (lv >= np.log10(lo) - tol) & (lv <= np.log10(hi) + tol)
    else:
        ok = (v >= lo - tol) & (v <= hi + tol)
    return check, ok


def out_of_view(fig) -> list[str]:
    """Descriptions of the visible data (Line2D points, bar rectangles, scatter points) that lie outside
    their axes' limits; checked per coordinate that is in data units (axhline: only y)."""
    bad = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        lims = {"x": (*ax.get_xlim(), ax.get_xscale() == "log"), "y": (*ax.get_ylim(), ax.get_yscale() == "log")}
        items = []
        for a in ax.lines:
            if a.get_visible() and len(a.get_xdata()):
                items.append((a, np.asarray(a.get_xydata(), dtype=float).reshape(-1, 2)))
        for a in ax.patches:
            if isinstance(a, Rectangle) and a.get_visible():
                x, y = a.get_xy()
                w, h = a.get_width(), a.get_height()
                items.append((a, np.array([[x, y], [x + w, y + h]], dtype=float)))
        for a in ax.collections:
            if isinstance(a, PathCollection) and a.get_visible():
                items.append((a, np.asarray(a.get_offsets(), dtype=float).reshape(-1, 2)))
        for a, xy in items:
            in_data = a.get_transform().contains_branch_seperately(ax.transData)
            finite = np.all(np.isfinite(xy), axis=1)
            for k, (axis, (lo, hi, log)) in enumerate(lims.items()):
                if not in_data[k]:
                    continue
                check, ok = _in(xy[:, k], lo, hi, log)
                miss = check & ~ok & finite
                if miss.any():
                    vals = xy[miss, k]
                    bad.append(f"axes {i} ({ax.get_title() or ax.get_ylabel()!r}): {type(a).__name__} "
                               f"{a.get_label()!r} has {miss.sum()} point(s) with {axis} in "
                               f"[{vals.min():.3g}, {vals.max():.3g}] outside {axis}lim ({lo:.3g}, {hi:.3g})")
    return bad


def extremes(control) -> list:
    """Both ends of a slider, every option of a menu, both states of a checkbox."""
    if isinstance(control, (FloatSlider, IntSlider)):
        return [control.min, control.max]
    if isinstance(control, LogSlider):
        return [control.base ** control.min_exp, control.base ** control.max_exp]
    if isinstance(control, Dropdown):
        return control.values()
    if isinstance(control, Checkbox):
        return [False, True]
    return control.samples()


def extreme_settings(cls) -> list[dict]:
    """Analytic explorers: every combination of the extremes of all controls (they are cheap);
    training explorers: each control at each extreme, the others at their defaults."""
    names = list(cls.controls)
    values = [extremes(cls.controls[k]) for k in names]
    if cls.kind != "training" and np.prod([len(v) for v in values]) <= 400:
        return [dict(zip(names, combo)) for combo in itertools.product(*values)]
    return [{k: v} for k, vs in zip(names, values) for v in vs]


def test_there_are_explorers():
    assert any(name.endswith("WorkedExampleExplorer") for name, _ in EXPLORERS)


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=_ids(EXPLORERS))
def test_explorer_builds_updates_and_roundtrips(name, cls):
    e = cls()
    assert e.last_error is None, f"{name} failed at its default settings: {e.last_error}"
    assert e.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    # sharp: drawn at twice the pixel density of its displayed (CSS) size (issue 11 item 15)
    size = Image.open(io.BytesIO(e.image.value)).size
    assert e.pixel_ratio == 2 and size == tuple(round(v * e.dpi * 2) for v in cls.figsize), (name, size)
    assert e.image.layout.width == f"{cls.figsize[0] * e.dpi:.0f}px"
    state = json.loads(e.to_json())
    assert state["explorer"] == cls.__name__ and set(state["settings"]) == set(cls.controls)
    # move every control once, to a value other than its default: the drawing must change, or the
    # control must be greyed out as having no effect at these settings
    for key, control in cls.controls.items():
        others = [v for v in control.samples() if v != e.settings[key]]
        if not others:
            continue
        n, before = e.n_updates, drawn(e.fig)
        off = e.inactive(**e.settings)
        e.set(**{key: others[-1]})
        assert e.n_updates == n + 1
        assert e.last_error is None, f"{name}: setting {key}={others[-1]!r} failed: {e.last_error}"
        assert key in off or not same_drawing(before, drawn(e.fig)), (
            f"{name}: moving {key!r} to {others[-1]!r} changed nothing drawn, and {key!r} is not reported "
            f"inactive at {e.settings}")
        if key in off:
            assert e.control_widgets[key].disabled
    # and restore the shared state in a fresh explorer
    f = cls().from_json(e.to_json())
    assert f.settings == e.settings
    with pytest.raises(ValueError):
        e.set(no_such_control=1)


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=_ids(EXPLORERS))
def test_explorer_shows_a_failing_update_and_recovers(name, cls):
    e = cls()
    png = e.image.value
    real = e.compute

    def broken(**settings):
        raise RuntimeError("injected <failure>")
    e.compute = broken
    e.update()
    assert e.last_error == "RuntimeError: injected <failure>"
    assert "injected &lt;failure&gt;" in e.error_box.value      # shown, HTML-escaped
    assert e.image.value == png                                  # the last good figure stays
    e.compute = real
    e.update()
    assert e.last_error is None and e.error_box.value == ""


def test_controls_without_effect_are_greyed_out():
    from widgets.ch02_gradients import ClippingExplorer, LayerSpeedExplorer, SignalExplorer
    from widgets.ch03_activations import DeadReluExplorer, FunctionExplorer, SaturationExplorer
    for cls, key, off, on in ((SignalExplorer, "scale", {"init": "he"}, {"init": "scaled"}),
                              (LayerSpeedExplorer, "scale", {"init": "he"}, {"init": "scaled"}),
                              (SaturationExplorer, "std", {"init": "xavier"}, {"init": "normal"}),
                              (FunctionExplorer, "param", {"fn": "tanh"}, {"fn": "elu"}),
                              (ClippingExplorer, "threshold", {"clip": "none"}, {"clip": "norm"}),
                              (DeadReluExplorer, "slope", {"activation": "relu"}, {"activation": "leaky_relu"})):
        e = cls(**off)
        assert e.control_widgets[key].disabled, (cls.__name__, key)
        e.set(**on)
        assert not e.control_widgets[key].disabled, (cls.__name__, key)


def test_softmax_explorer_naive_bars_follow_the_temperature():
    import numpy as np
    from widgets.ch03_activations import SoftmaxExplorer
    e = SoftmaxExplorer(T=2.0)
    assert np.allclose(e.data["naive"], e.data["p"], atol=1e-6)   # no overflow: both formulas agree
    e.set(scale=500.0, T=1.0)
    assert not e.data["ok"]
    e.set(T=30.0)                                                   # z/T = 50 at most: back in float32 range
    assert e.data["ok"] and np.allclose(e.data["naive"], e.data["p"], atol=1e-6)


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=_ids(EXPLORERS))
def test_explorer_keeps_its_data_in_view_at_every_extreme(name, cls):
    """Every finite point an explorer draws lies inside its axes' limits, whatever the controls say
    (issue 9: ELU with alpha = 3 ran off the bottom of f(x) and off the top of f'(x))."""
    e = cls()
    e.raise_errors = True
    failures = []
    for s in extreme_settings(cls):
        e.set(**{**{k: c.value for k, c in cls.controls.items()}, **s})
        failures += [f"{s}: {b}" for b in out_of_view(e.fig)]
    assert not failures, f"{name}: data outside the axes:\n" + "\n".join(failures[:12])


def _cold_settings(e, base: dict) -> dict:
    """``base`` made cheap and new: every integer slider at its minimum (depth, width, epochs, seeds:
    the cheapest run) and one active float control nudged off its value (a cache miss; without one,
    every cached experiment result is forgotten instead)."""
    s = {**base, **{k: c.min for k, c in e.controls.items() if isinstance(c, IntSlider)}}
    off = e.inactive(**{**e.settings, **s})
    for k, c in e.controls.items():
        if k in off or not isinstance(c, (FloatSlider, LogSlider)):
            continue
        lo, hi = (c.min, c.max) if isinstance(c, FloatSlider) else (c.base ** c.min_exp, c.base ** c.max_exp)
        v = s.get(k, c.value) + 0.0013 * (hi - lo)
        s[k] = v if v <= hi else s.get(k, c.value) - 0.0013 * (hi - lo)
        return s
    clear_experiment_caches()
    return s


def clear_experiment_caches():
    import importlib
    import pkgutil

    import dlcore.cache
    import dlcore.experiments as pkg
    dlcore.cache.clear_caches()
    for m in pkgutil.iter_modules(pkg.__path__):          # and any plain functools.lru_cache
        for obj in vars(importlib.import_module(f"{pkg.__name__}.{m.name}")).values():
            if callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


@pytest.mark.parametrize("name, cls", TRAINING, ids=_ids(TRAINING))
def test_training_explorer_progress_bar_moves_while_it_trains(name, cls, monkeypatch):
    """Issue 9: the bar never appeared (one report at 0 % before the threshold). Now every training
    explorer reports while it trains: with the threshold at 0 an uncached update must show the bar
    and move it through three or more increasing values, then hide it. (A run that diverges at
    once trains for a few steps only: the defaults and then each benchmark setting are tried until
    one trains.)"""
    e = cls()
    monkeypatch.setattr(e, "progress_after_s", 0.0)
    seen = []
    e.progress_bar.observe(lambda ch: seen.append(("value", ch["new"])), names="value")
    e.progress_bar.layout.observe(lambda ch: seen.append(("visibility", ch["new"])), names="visibility")
    defaults = {k: c.value for k, c in cls.controls.items()}
    tried = []
    for base in [{}, *cls.bench_settings]:
        seen.clear()
        e.set(**_cold_settings(e, {**defaults, **base}))
        assert e.last_error is None
        assert e.progress_bar.layout.visibility == "hidden"      # hidden again when the update is done
        first = seen.index(("visibility", "visible")) if ("visibility", "visible") in seen else len(seen)
        shown = [v for what, v in seen[first:] if what == "value" and v > 0]
        assert all(b > a for a, b in zip(shown, shown[1:])), f"{name}: the bar went back: {shown}"
        tried.append((e.settings, shown))
        if len(shown) >= 3:
            return
    pytest.fail(f"{name}: the bar never showed three increasing values (settings, values shown): {tried}")
