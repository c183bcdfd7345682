import numpy as np
import pytest

from dlcore import SGD, Linear, mlp
from dlcore.optim import get_optimizer


def test_sgd_step_is_minus_lr_times_grad():
    lin = Linear(2, 2, W=np.eye(2), b=[1.0, 2.0])
    lin.grads = {"W": np.full((2, 2), 0.5), "b": np.array([1.0, -1.0])}
    opt = SGD(lin, lr=0.1, track_updates=True)
    opt.step()
    assert np.allclose(lin.params["W"], np.eye(2) - 0.05)
    assert np.allclose(lin.params["b"], [0.9, 2.1])
    assert np.allclose(opt.last_updates["W"], -0.05) and opt.t == 1


def test_weight_decay_shrinks_weights_not_biases():
    lin = Linear(2, 2, W=np.full((2, 2), 2.0), b=[1.0, 1.0])
    lin.zero_grad()
    SGD(lin, lr=0.1, weight_decay=0.5).step()
    assert np.allclose(lin.params["W"], 2.0 - 0.1 * 0.5 * 2.0)
    assert np.allclose(lin.params["b"], 1.0)


def test_optimizer_updates_nested_params_in_place():
    net = mlp([3, 4, 2], rng=0)
    W0 = net[0].params["W"]
    before = W0.copy()
    net.zero_grad()
    net[0].grads["W"] = np.ones_like(W0)
    SGD(net, lr=1.0).step()
    assert net[0].params["W"] is W0 and np.allclose(W0, before - 1)


def test_errors():
    net = mlp([2, 2], rng=0)
    with pytest.raises(ValueError, match="learning rate"):
        SGD(net, lr=0)
    with pytest.raises(ValueError, match="weight_decay"):
        SGD(net, lr=0.1, weight_decay=-1)
    with pytest.raises(ValueError, match="unknown optimiser 'lion'"):
        get_optimizer("lion", net, lr=0.1)
    with pytest.raises(TypeError, match="dlcore Module"):
        SGD([np.zeros(2)], lr=0.1)


def test_named_parameters_yields_name_parameter_pairs_like_pytorch():
    """Issue 10 (6): (name, p) pairs, gradient reachable as p.grad; roles instead of key names."""
    from dlcore import mlp
    from dlcore.module import Parameter
    net = mlp([3, 4, 2], activation="prelu", init="he", rng=0, dtype=np.float64)
    net.forward(np.ones((5, 3)))
    net.backward(np.ones((5, 2)))
    pairs = list(net.named_parameters())
    assert all(len(t) == 2 and isinstance(t[1], Parameter) for t in pairs)
    names = [n for n, _ in pairs]
    assert names[:2] == ["0.W", "0.b"] and "1.alpha" in names
    p = dict(pairs)["0.W"]
    assert p.data is net.layers[0].params["W"] and p.grad is net.layers[0].grads["W"]
    assert {n: q.role for n, q in pairs} == {"0.W": "weight", "0.b": "bias", "1.alpha": "other",
                                             "2.W": "weight", "2.b": "bias"}


def test_weight_decay_chooses_parameters_by_role_not_by_key_name():
    from dlcore.module import Module

    class Odd(Module):
        """A layer whose weight matrix is not called "W" and whose vector is."""
        def __init__(self):
            super().__init__()
            self.params = {"kernel": np.ones((2, 2)), "W": np.ones(2)}
            self.grads = {"kernel": np.zeros((2, 2)), "W": np.zeros(2)}
    m = Odd()
    opt = SGD(m, lr=0.1, weight_decay=0.5)
    opt.step()
    assert np.allclose(m.params["kernel"], 1 - 0.1 * 0.5)      # decayed: a matrix, role "weight"
    assert np.allclose(m.params["W"], 1.0)                      # a vector: role "other", not decayed
    Odd.param_roles = {"W": "weight"}                            # a module can declare roles
    SGD(m, lr=0.1, weight_decay=0.5).step()
    assert np.allclose(m.params["W"], 0.95)
