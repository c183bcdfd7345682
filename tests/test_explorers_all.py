"""Every explorer in widgets/, discovered: builds without error, shares its state as JSON, and
survives moving each control (grows automatically with the chapters)."""
import matplotlib

matplotlib.use("Agg")

import json

import pytest

from widgets.discover import explorer_classes

EXPLORERS = explorer_classes()


def test_there_are_explorers():
    assert any(name.endswith("WorkedExampleExplorer") for name, _ in EXPLORERS)


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=[n.split(".")[-1] for n, _ in EXPLORERS])
def test_explorer_builds_updates_and_roundtrips(name, cls):
    e = cls()
    assert e.last_error is None, f"{name} failed at its default settings: {e.last_error}"
    assert e.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    state = json.loads(e.to_json())
    assert state["explorer"] == cls.__name__ and set(state["settings"]) == set(cls.controls)
    # move every control once, to a value other than its default
    for key, control in cls.controls.items():
        others = [v for v in control.samples() if v != e.settings[key]]
        if not others:
            continue
        n = e.n_updates
        e.set(**{key: others[-1]})
        assert e.n_updates == n + 1
        assert e.last_error is None, f"{name}: setting {key}={others[-1]!r} failed: {e.last_error}"
    # and restore the shared state in a fresh explorer
    f = cls().from_json(e.to_json())
    assert f.settings == e.settings
    with pytest.raises(ValueError):
        e.set(no_such_control=1)


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=[n.split(".")[-1] for n, _ in EXPLORERS])
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
