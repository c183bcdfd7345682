"""Chapter 07 library: Conv2d (im2col), pooling, Flatten and Reshape, against direct loops."""
import numpy as np
import pytest

from dlcore import AvgPool2d, Conv2d, Flatten, MaxPool2d, Reshape, check_module, conv_output_size
from dlcore.errors import InvalidArgument, InvalidType, ShapeError


def _x(shape, seed=100):
    X = np.random.default_rng(seed).standard_normal(shape)
    return X


def _conv_loop(X, W, b, stride, padding):
    N, C, H, Wd = X.shape
    F, _, kh, kw = W.shape
    (sh, sw), (ph, pw) = stride, padding
    Xp = np.zeros((N, C, H + 2 * ph, Wd + 2 * pw))
    Xp[:, :, ph:ph + H, pw:pw + Wd] = X
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    Y = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    Y[n, f, i, j] = np.sum(Xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw] * W[f]) + b[f]
    return Y


CASES = [  # (C_in, C_out, kernel, stride, padding, input H, W)
    (1, 2, 3, 1, 0, 5, 5),
    (2, 3, 3, 1, 1, 4, 6),
    (3, 2, 3, 2, 1, 5, 7),
    (2, 2, (2, 3), (1, 2), (0, 1), 4, 5),
    (1, 4, 1, 1, 0, 3, 3),
    (2, 1, 5, 1, 2, 5, 5),
    (1, 2, 4, 2, 1, 6, 8),
]


@pytest.mark.parametrize("cin,cout,k,s,p,H,W", CASES)
def test_conv_matches_a_direct_loop(cin, cout, k, s, p, H, W):
    conv = Conv2d(cin, cout, k, stride=s, padding=p, rng=0)
    conv.params["b"][:] = np.arange(cout) * 0.1
    X = _x((2, cin, H, W))
    Y = conv.forward(X)
    expect = _conv_loop(X, conv.params["W"], conv.params["b"], conv.stride, conv.padding)
    assert Y.shape == expect.shape
    assert np.allclose(Y, expect, atol=1e-12)


@pytest.mark.parametrize("cin,cout,k,s,p,H,W", CASES)
def test_conv_gradient_check(cin, cout, k, s, p, H, W):
    conv = Conv2d(cin, cout, k, stride=s, padding=p, rng=1)
    conv.params["b"][:] = 0.1
    rep = check_module(conv, _x((2, cin, H, W)), rng=3)
    assert rep.passed(1e-7), rep.table()


def test_conv_backward_params_equals_backward():
    a = Conv2d(2, 3, 3, padding=1, rng=0)
    X, dY = _x((2, 2, 4, 4)), _x((2, 3, 4, 4), seed=1)
    a.forward(X)
    a.backward(dY)
    gW, gb = a.grads["W"].copy(), a.grads["b"].copy()
    a.forward(X)
    a.backward_params(dY)
    assert np.array_equal(gW, a.grads["W"]) and np.array_equal(gb, a.grads["b"])


def test_conv_without_bias_and_float32():
    conv = Conv2d(1, 2, 3, rng=0, dtype=np.float32, bias=False)
    assert set(conv.params) == {"W"}
    Y = conv.forward(_x((2, 1, 4, 4)).astype(np.float32))
    assert Y.dtype == np.float32 and conv.backward(np.ones_like(Y)).dtype == np.float32


def test_conv_weight_role_and_he_scale():
    conv = Conv2d(8, 64, 3, rng=0)
    assert conv.params["W"].shape == (64, 8, 3, 3)
    assert dict((n, p.role) for n, p in conv.named_parameters()) == {"W": "weight", "b": "bias"}
    assert abs(conv.params["W"].std() / np.sqrt(2 / 72) - 1) < 0.05       # He with fan_in = C_in k k = 72


# ------------------------------------------------------------------ output size
@pytest.mark.parametrize("W,F,S,P,out", [(8, 3, 1, 1, 8), (8, 3, 1, 0, 6), (7, 3, 2, 1, 4), (32, 5, 1, 2, 32),
                                         (227, 11, 4, 0, 55), (8, 2, 2, 0, 4), (1, 1, 1, 0, 1)])
def test_output_size_formula(W, F, S, P, out):
    assert conv_output_size(W, F, S, P) == out


def test_output_size_not_a_whole_number_is_a_clear_error():
    with pytest.raises(ShapeError, match=r"\(8 - 3 \+ 2\*0\)/2 \+ 1 is not a whole number"):
        conv_output_size(8, 3, 2, 0)
    with pytest.raises(ShapeError, match="not a whole number for the width"):
        Conv2d(1, 1, 3, stride=2, rng=0).forward(np.zeros((1, 1, 7, 8)))
    with pytest.raises(ShapeError, match="larger than the padded"):
        Conv2d(1, 1, 5, rng=0).forward(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ShapeError, match="not a whole number"):
        MaxPool2d(2).forward(np.zeros((1, 1, 5, 4)))


# ------------------------------------------------------------------ pooling
def _pool_loop(X, k, s, fn):
    N, C, H, W = X.shape
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    Y = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            Y[:, :, i, j] = fn(X[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return Y


@pytest.mark.parametrize("cls,fn", [(MaxPool2d, np.max), (AvgPool2d, np.mean)])
@pytest.mark.parametrize("k,s,H,W", [(2, 2, 4, 6), (3, 1, 4, 5), (2, 1, 3, 3), (3, 2, 5, 7)])
def test_pool_matches_a_direct_loop_and_its_gradient(cls, fn, k, s, H, W):
    X = _x((2, 3, H, W))
    pool = cls(k, stride=s)
    assert np.allclose(pool.forward(X), _pool_loop(X, k, s, fn), atol=1e-12)
    rep = check_module(pool, X, rng=2)
    assert rep.passed(1e-7), rep.table()


def test_maxpool_gradient_goes_to_the_maximum_only():
    X = np.array([[[[1.0, 3.0], [2.0, 0.0]]]])
    pool = MaxPool2d(2)
    assert pool.forward(X)[0, 0, 0, 0] == 3.0
    assert np.array_equal(pool.backward(np.array([[[[5.0]]]])), [[[[0.0, 5.0], [0.0, 0.0]]]])


def test_pool_stride_defaults_to_the_window():
    assert MaxPool2d(2).stride == (2, 2) and AvgPool2d(3, stride=1).stride == (1, 1)
    assert MaxPool2d(2).forward(np.zeros((1, 1, 8, 8))).shape == (1, 1, 4, 4)


# ------------------------------------------------------------------ Flatten and Reshape
def test_flatten_and_reshape_round_trip():
    X = _x((3, 64))
    r, f = Reshape((1, 8, 8)), Flatten()
    img = r.forward(X)
    assert img.shape == (3, 1, 8, 8) and np.array_equal(img[1, 0, 2], X[1, 16:24])   # row-major: row 2 of image 1
    assert np.array_equal(f.forward(img), X)
    dY = _x((3, 64), seed=1)
    assert np.array_equal(r.backward(f.backward(dY)), dY)


# ------------------------------------------------------------------ input checks
@pytest.mark.parametrize("make,exc,match", [
    (lambda: Conv2d(0, 2, 3, rng=0), InvalidArgument, "in_channels"),
    (lambda: Conv2d(1, 2.0, 3, rng=0), InvalidType, "out_channels"),
    (lambda: Conv2d(1, 2, 0, rng=0), InvalidArgument, "kernel_size"),
    (lambda: Conv2d(1, 2, (3, 3, 3), rng=0), InvalidType, "kernel_size"),
    (lambda: Conv2d(1, 2, 3, stride=0, rng=0), InvalidArgument, "stride"),
    (lambda: Conv2d(1, 2, 3, padding=-1, rng=0), InvalidArgument, "padding"),
    (lambda: Conv2d(1, 2, 3, rng=0, bias=1), InvalidType, "bias"),
    (lambda: Conv2d(1, 2, 3, rng=0, dtype=int), InvalidArgument, "dtype"),
    (lambda: MaxPool2d(0), InvalidArgument, "kernel_size"),
    (lambda: AvgPool2d(2, stride=1.5), InvalidType, "stride"),
    (lambda: Reshape((1, 0, 8)), InvalidArgument, r"shape\[1\]"),
    (lambda: Reshape(64), InvalidType, "shape"),
])
def test_construction_errors_name_the_argument(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("module,shape,match", [
    (Conv2d(2, 3, 3, rng=0), (4, 3, 5, 5), r"\(N, 2, H, W\), got \(4, 3, 5, 5\)"),
    (Conv2d(2, 3, 3, rng=0), (4, 50), r"\(N, 2, H, W\)"),
    (MaxPool2d(2), (4, 4, 4), r"\(N, C, H, W\)"),
    (AvgPool2d(2), (4, 16), r"\(N, C, H, W\)"),
    (Flatten(), (4,), r"\(N, \.\.\.\)"),
    (Reshape((1, 8, 8)), (4, 63), r"\(N, 64\)"),
])
def test_wrong_input_shapes_are_shape_errors(module, shape, match):
    with pytest.raises(ShapeError, match=match):
        module.forward(np.zeros(shape))


def test_backward_shape_is_checked():
    conv = Conv2d(1, 2, 3, padding=1, rng=0)
    conv.forward(np.zeros((2, 1, 4, 4)))
    with pytest.raises(ShapeError, match=r"dY must have shape \(2, 2, 4, 4\)"):
        conv.backward(np.zeros((2, 2, 3, 3)))


# ------------------------------------------------------------------ the digits as images
from dlcore import evaluate, fit  # noqa: E402
from dlcore.experiments.common import digits_data  # noqa: E402
from dlcore.norm_nets import NORMS, conv_net  # noqa: E402


@pytest.mark.parametrize("norm", [None, *NORMS])
def test_conv_net_gradient_check(norm):
    net = conv_net(norm, channels=(2, 3), rng=0, image=(1, 4, 4))
    rep = check_module(net, _x((3, 16)), rng=1, training=True)
    assert rep.passed(1e-6), rep.table()


def test_conv_net_shapes_and_errors():
    net = conv_net("batch", rng=0)
    assert net.forward(np.zeros((5, 64)), training=False).shape == (5, 10)
    assert [type(l).__name__ for l in net.layers][:5] == ["Reshape", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    assert "b" not in net[1].params and "b" in conv_net(None, rng=0)[1].params
    with pytest.raises(InvalidArgument, match="unknown norm 'btach'.*Did you mean 'batch'"):
        conv_net("btach", rng=0)
    with pytest.raises(InvalidArgument, match="does not halve"):
        conv_net(None, channels=(2, 2, 2, 2), rng=0)
    with pytest.raises(InvalidType, match="channels"):
        conv_net(None, channels=8, rng=0)


@pytest.mark.parametrize("norm", [None, *NORMS])
def test_conv_net_learns_the_digits(norm):
    """fit takes the 64 features as 2-D X; the net's Reshape makes them 1×8×8 images.
    Measured (float32, 3 seeds, validation accuracy): none 0.94-0.96 (lr 0.2, 200 steps);
    batch 0.91-0.95, group 0.91-0.92, layer 0.91-0.95, instance 0.93-0.96 (lr 0.1, 150 steps)."""
    X, y, Xv, yv = digits_data()
    lr, steps = (0.2, 200) if norm is None else (0.1, 150)
    for seed in (0, 1, 2):
        net = conv_net(norm, rng=seed, dtype=np.float32)
        fit(net, X, y, optimizer="sgd", lr=lr, steps=steps, batch_size=32, rng=seed)
        acc = evaluate(net.eval(), Xv, yv)["acc"]
        assert acc > 0.8, (norm, seed, acc)
