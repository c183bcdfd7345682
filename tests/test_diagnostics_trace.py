"""dlcore.diagnostics.trace: the one way to see z, h and f'(z) per layer (Nielsen's zs / activations)."""
import numpy as np
import pytest

from dlcore import mlp
from dlcore.diagnostics import activation_rms, rms, trace


def _net():
    return mlp([4, 5, 3, 2], activation="tanh", init="xavier", rng=0, dtype=np.float64)


def test_trace_gives_nielsens_zs_and_activations():
    net = _net()
    X = np.random.default_rng(1).standard_normal((6, 4))
    t = trace(net, X)
    lin0, lin1 = net.layers[0], net.layers[2]
    z1 = X @ lin0.params["W"] + lin0.params["b"]
    np.testing.assert_allclose(t.z[0], z1)
    np.testing.assert_allclose(t.h[0], np.tanh(z1))
    np.testing.assert_allclose(t.z[1], np.tanh(z1) @ lin1.params["W"] + lin1.params["b"])
    np.testing.assert_allclose(t.df[0], 1 - np.tanh(z1) ** 2)          # tanh' = 1 - tanh^2
    np.testing.assert_allclose(t.output, net.forward(X))
    assert [r.name for r in t] == ["0:Linear", "1:Tanh", "2:Linear", "3:Tanh", "4:Linear"]
    assert [r.df is None for r in t] == [True, False, True, False, True]


def test_df_is_the_derivative_by_central_differences():
    net = mlp([3, 4, 2], activation="gelu", init="he", rng=2, dtype=np.float64)
    X = np.random.default_rng(3).standard_normal((5, 3))
    t = trace(net, X)
    act = t.activations[0].layer
    z, h = t.z[0], 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(t.df[0], numeric, rtol=1e-6, atol=1e-9)


def test_trace_of_the_last_forward_pass_and_errors():
    net = _net()
    with pytest.raises(ValueError, match="not run forward"):
        trace(net)
    X = np.ones((2, 4))
    net.forward(X)
    np.testing.assert_allclose(trace(net).output, net.forward(X))
    with pytest.raises(TypeError, match="Sequential"):
        trace(net.layers[0], X)


def test_rms_and_activation_rms():
    assert rms(np.array([3.0, -4.0])) == pytest.approx(np.sqrt(12.5))
    assert rms(np.full(10, 1e30, dtype=np.float32)) == pytest.approx(1e30, rel=1e-6)   # no float32 overflow
    net = _net()
    X = np.random.default_rng(1).standard_normal((6, 4))
    np.testing.assert_allclose(activation_rms(net, X), [np.sqrt(np.mean(h ** 2)) for h in trace(net, X).h])
