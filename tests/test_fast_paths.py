"""The shortcuts fit takes each step give exactly what the plain calls give."""
import numpy as np
import pytest

from dlcore import SGD, fit, mlp
from dlcore.activations import get_activation
from dlcore.divergence import grads_finite


def _net(dtype=np.float64):
    return mlp([6, 5, 4, 3], activation="relu", rng=0, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_without_the_input_gradient_gives_the_same_parameter_gradients(dtype):
    X = np.random.default_rng(1).standard_normal((7, 6)).astype(dtype)
    dY = np.random.default_rng(2).standard_normal((7, 3)).astype(dtype)
    a, b = _net(dtype), _net(dtype)
    a.forward(X, training=True)
    b.forward(X, training=True)
    dX = a.backward(dY)
    assert dX.shape == X.shape
    assert b.backward(dY, input_grad=False) is None
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb and np.array_equal(pa.grad, pb.grad)
    assert all(np.array_equal(u, v) for u, v in zip(a.output_grads, b.output_grads))


def test_relu_backward_is_the_product_with_its_derivative_bit_for_bit():
    relu = get_activation("relu")
    X = np.array([[-1.0, 0.0, 2.0, -0.0], [3.0, -2.0, np.nan, 1e-30]])
    dY = np.array([[np.inf, -5.0, 1.5, -2.0], [-1.0, np.nan, 2.0, -3.0]])
    relu.forward(X)
    with np.errstate(invalid="ignore"):                       # inf * 0 is NaN, as it should be
        got = relu.backward(dY)
        want = dY * relu.df(X, relu.f(X))
    np.testing.assert_array_equal(got, want)                 # NaN where NaN, signed zeros alike
    assert np.array_equal(np.signbit(got), np.signbit(want))
    with pytest.raises(ValueError, match="dY has shape"):
        relu.backward(dY[:, :2])


def test_grads_finite_sees_nan_and_inf_and_ignores_an_overflowing_sum():
    net = _net(np.float32)
    net.forward(np.ones((2, 6), np.float32), training=True)
    net.backward(np.ones((2, 3), np.float32))
    params = list(net.named_parameters())
    assert grads_finite(net) and grads_finite(net, params)
    g = params[0][1].grad
    g[0, 0] = np.inf
    assert not grads_finite(net, params)
    g[0, 0] = np.nan
    assert not grads_finite(net, params)
    g[...] = 3e38                                             # finite entries whose float32 sum overflows
    with np.errstate(over="ignore"):
        assert grads_finite(net, params)


def test_sgd_step_with_the_listed_parameters_is_the_plain_step():
    a, b = _net(), _net()
    X = np.random.default_rng(3).standard_normal((5, 6))
    for net in (a, b):
        net.forward(X, training=True)
        net.backward(np.ones((5, 3)))
    SGD(a, lr=0.1).step()
    SGD(b, lr=0.1).step(list(b.named_parameters()))
    assert all(np.array_equal(p.data, q.data) for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()))


def test_fit_trains_identically_with_the_shortcuts():
    """fit's losses equal a loop of plain calls (forward, loss, backward with dX, step) to the bit."""
    from dlcore.losses import softmax_cross_entropy
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((40, 6)), rng.integers(0, 3, 40)
    hist = fit(_net(), X, y, lr=0.1, steps=12, batch_size=8, rng=0, shuffle=False, eval_train=False)
    net = _net()
    opt = SGD(net, lr=0.1)
    losses = []
    for t in range(12):
        sl = slice((t % 5) * 8, (t % 5) * 8 + 8)
        value, d = softmax_cross_entropy(net.forward(X[sl], training=True), y[sl])
        losses.append(value)
        net.backward(d)
        opt.step()
    assert hist.loss == losses


def test_drop_last_skips_the_short_batch_of_each_epoch():
    """1079 examples in batches of 2: 539 full batches per epoch, the single last example skipped
    (batch norm cannot train on a batch of one); without drop_last the epoch has 540 steps."""
    from dlcore import fit
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((11, 6)), rng.integers(0, 3, 11)
    seen = []

    class Sizes:
        def on_backward(self, state):
            seen.append(state.model.layers[0]._X.shape[0])

    h = fit(_net(), X, y, lr=0.1, epochs=2, batch_size=4, drop_last=True, callbacks=[Sizes()], rng=0)
    assert h.steps == 4 and seen == [4, 4, 4, 4]                  # 11 // 4 = 2 steps per epoch
    seen.clear()
    h = fit(_net(), X, y, lr=0.1, epochs=2, batch_size=4, callbacks=[Sizes()], rng=0)
    assert h.steps == 6 and seen == [4, 4, 3, 4, 4, 3]            # ceil(11 / 4) = 3
    with pytest.raises(TypeError, match="drop_last"):
        fit(_net(), X, y, epochs=1, drop_last="yes")
