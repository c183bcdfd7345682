"""Chapter 02 library additions: Residual, gradient clipping, the extended diagnostics."""
import numpy as np
import pytest

from dlcore import Linear, Sequential, ShapeError, check_module, fit, get_activation, mlp, moons
from dlcore.clipping import GradientClipper, clip_by_global_norm, clip_by_value, global_grad_norm
from dlcore.diagnostics import activation_rms, layer_stats, param_grad_norms
from dlcore.residual import Residual, residual_mlp


def _net_with_grads(seed=0):
    net = mlp([3, 5, 2], activation="tanh", init="normal", init_kwargs={"std": 2.0}, rng=seed)
    X = np.random.default_rng(seed).standard_normal((7, 3))
    out = net.forward(X)
    net.backward(np.ones_like(out) * 3.0)
    return net


# ---------------------------------------------------------------- residual
def test_residual_adds_the_input_and_gradchecks():
    rng = np.random.default_rng(0)
    inner = Sequential(Linear(4, 4, init="xavier", rng=rng), get_activation("sigmoid"))
    block = Residual(inner)
    X = rng.standard_normal((5, 4))
    assert np.allclose(block.forward(X), X + inner.forward(X))
    assert check_module(block, X, rng=1).passed(1e-7)


def test_residual_identity_path_keeps_the_gradient():
    # a branch with zero weights: the block is the identity, dX == dY exactly
    inner = Sequential(Linear(3, 3, W=np.zeros((3, 3))), get_activation("tanh"))
    block = Residual(inner)
    X = np.random.default_rng(1).standard_normal((2, 3))
    block.forward(X)
    dY = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(block.backward(dY), dY)


def test_residual_shape_mismatch_is_a_clear_error():
    block = Residual(Linear(4, 3, rng=0))
    with pytest.raises(ShapeError, match=r"keep the shape: input \(2, 4\), inner output \(2, 3\)"):
        block.forward(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="wraps a dlcore Module"):
        Residual(np.eye(3))


def test_residual_mlp_has_the_plain_nets_weights_and_nested_params():
    plain = mlp([6, 5, 5, 5, 2], activation="tanh", init="xavier", rng=3)
    res = residual_mlp(6, 5, 2, 2, activation="tanh", init="xavier", rng=3)
    p_plain = [p.data for n, p in plain.named_parameters() if n.endswith("W")]
    p_res = [p.data for n, p in res.named_parameters() if n.endswith("W")]
    assert len(p_plain) == len(p_res) == 4
    assert all(np.array_equal(a, b) for a, b in zip(p_plain, p_res))
    assert res.n_params() == plain.n_params()
    names, _ = param_grad_norms(res, "W")
    assert names[1] == "2.0.0.W"
    with pytest.raises(ValueError, match="branch_scale must be"):
        residual_mlp(6, 5, 2, 2, branch_scale=-1.0)
    small = residual_mlp(6, 5, 2, 2, activation="tanh", init="xavier", rng=3, branch_scale=0.1)
    w_small = [p.data for n, p in small.named_parameters() if n.endswith("W")]
    assert np.allclose(w_small[1], 0.1 * p_res[1]) and np.array_equal(w_small[0], p_res[0])


# ---------------------------------------------------------------- clipping
def test_clip_by_global_norm_rescales_all_together_and_returns_pre_norm():
    net = _net_with_grads()
    before = [p.grad.copy() for _, p in net.named_parameters()]
    norm = global_grad_norm(net)
    assert norm > 1.0
    pre = clip_by_global_norm(net, 1.0)
    assert pre == pytest.approx(norm)
    assert global_grad_norm(net) == pytest.approx(1.0, rel=1e-9)
    ratios = [p.grad / b for (_, p), b in zip(net.named_parameters(), before) if np.all(b != 0)]
    assert np.allclose(np.concatenate([r.ravel() for r in ratios]), 1.0 / norm)  # same direction


def test_clip_by_global_norm_leaves_small_gradients_alone():
    net = _net_with_grads()
    before = [p.grad.copy() for _, p in net.named_parameters()]
    clip_by_global_norm(net, 1e6)
    assert all(np.array_equal(p.grad, b) for (_, p), b in zip(net.named_parameters(), before))


def test_clip_by_value():
    net = _net_with_grads()
    pre = clip_by_value(net, 0.5)
    assert pre > 0.5
    assert max(np.abs(p.grad).max() for _, p in net.named_parameters()) <= 0.5
    with pytest.raises(ValueError, match="clip_value threshold must be a positive"):
        clip_by_value(net, 0)
    with pytest.raises(ValueError, match="max_norm threshold must be a positive"):
        clip_by_global_norm(net, float("nan"))


def test_clipper_callback_records_pre_and_post_norms():
    ds = moons(n=200, rng=0, dtype=np.float64)
    net = mlp([2, 16, 2], rng=0)
    h = fit(net, ds.X_train, ds.y_train, lr=0.1, steps=20, rng=0, callbacks=[GradientClipper("norm", 0.05)])
    pre, post = np.array(h.extra["grad_norm_pre"]), np.array(h.extra["grad_norm_post"])
    assert len(pre) == len(post) == 20
    assert np.all(post <= 0.05 + 1e-12) and np.all(pre >= post)
    assert h.extra["clipped"] == list(pre > 0.05)
    rec = GradientClipper("none")
    h2 = fit(mlp([2, 16, 2], rng=0), ds.X_train, ds.y_train, lr=0.1, steps=5, rng=0, callbacks=[rec])
    assert h2.extra["grad_norm_pre"] == h2.extra["grad_norm_post"] and not any(h2.extra["clipped"])
    with pytest.raises(ValueError, match="mode must be"):
        GradientClipper("l2")


# ---------------------------------------------------------------- diagnostics
def test_diagnostics_extensions_keep_old_keys():
    net = mlp([4, 6, 6, 3], activation="relu", rng=0)
    X = np.random.default_rng(0).standard_normal((10, 4))
    out = net.forward(X)
    net.backward(np.ones_like(out))
    stats = layer_stats(net)
    assert {"mean", "std", "dead", "rms"} <= set(stats[1])
    assert {"grad_norm", "bias_grad_norm", "weight_norm"} <= set(stats[0])
    assert stats[1]["rms"] == pytest.approx(np.sqrt(np.mean(net.outputs[1] ** 2)))
    names, norms = param_grad_norms(net, "b")
    assert names == ["0.b", "2.b", "4.b"] and norms[0] == pytest.approx(stats[0]["bias_grad_norm"])
    assert activation_rms(net).shape == (2,)
