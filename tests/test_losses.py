import warnings

import numpy as np
import pytest

from dlcore import bce_with_logits, logsumexp, numerical_gradient, quadratic, rel_error, softmax, softmax_cross_entropy
from dlcore.losses import get_loss, log_softmax


def _fd(loss, Z, Y, **kw):
    return numerical_gradient(lambda z: loss(z, Y, **kw)[0], Z)


def test_quadratic_values_by_hand():
    L, g = quadratic(np.array([[0.75, 0.77]]), np.array([[0.01, 0.99]]))
    assert L == pytest.approx(0.5 * (0.74 ** 2 + 0.22 ** 2))
    assert np.allclose(g, [[0.74, -0.22]])
    L, g = quadratic(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]), half=False)
    assert L == pytest.approx((1 + 9) / 2)            # mean over the 2 examples
    assert np.allclose(g, [[1.0], [3.0]])             # 2 * (yhat - y) / N
    L, _ = quadratic(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]), reduction="sum")
    assert L == pytest.approx(0.5 * 10)


def test_bce_values_by_hand():
    z, y = np.array([[0.0], [2.0]]), np.array([[1.0], [0.0]])
    L, g = bce_with_logits(z, y)
    expect = (np.log(2) + np.log(1 + np.exp(2.0))) / 2
    assert L == pytest.approx(expect)
    s = 1 / (1 + np.exp(-2.0))
    assert np.allclose(g, [[(0.5 - 1) / 2], [s / 2]])


def test_softmax_ce_values_by_hand():
    Z = np.array([[1.0, 2.0, 3.0]])
    p = np.exp(Z) / np.exp(Z).sum()
    L, g = softmax_cross_entropy(Z, np.array([2]))
    assert L == pytest.approx(-np.log(p[0, 2]))
    assert np.allclose(g, p - [[0, 0, 1]])           # p - y
    L2, g2 = softmax_cross_entropy(Z, np.array([[0.0, 0.0, 1.0]]))
    assert L2 == pytest.approx(L) and np.allclose(g, g2)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradients_by_finite_differences(reduction):
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((5, 4)) * 3
    T = rng.uniform(size=(5, 4))
    labels = rng.integers(0, 4, size=5)
    for loss, Y in ((quadratic, T), (bce_with_logits, T), (softmax_cross_entropy, labels),
                    (softmax_cross_entropy, softmax(rng.standard_normal((5, 4))))):
        _, g = loss(Z, Y, reduction=reduction)
        assert rel_error(g, _fd(loss, Z, Y, reduction=reduction)) < 1e-7, loss.__name__


@pytest.mark.parametrize("scale", [1e3, -1e3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_huge_logits(scale, dtype):
    Z = (scale * np.array([[1.0, -1.0, 0.5], [-0.2, 1.0, 0.3]])).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        L, g = softmax_cross_entropy(Z, np.array([1, 0]))
        Lb, gb = bce_with_logits(Z, (Z > 0).astype(dtype))
        Lw, gw = bce_with_logits(Z, (Z < 0).astype(dtype))
    for v in (L, Lb, Lw):
        assert np.isfinite(v)
    for a in (g, gb, gw):
        assert np.all(np.isfinite(a))
    # confidently right costs ~0, confidently wrong costs ~|logit| (a finite, honest number)
    assert Lb < 1e-6
    assert Lw == pytest.approx(abs(scale) * (1 + 1 + 0.5 + 0.2 + 1 + 0.3) / 2, rel=1e-3)


def test_logsumexp_and_log_softmax():
    Z = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    assert np.allclose(logsumexp(Z), [1000 + np.log(2), -1000 + np.log(2)])
    assert np.allclose(np.exp(log_softmax(Z)), 0.5)
    assert np.allclose(softmax(Z).sum(axis=1), 1)


def test_clear_errors():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) but target has shape \(2, 2\)"):
        quadratic(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="targets must lie in"):
        bce_with_logits(np.zeros((1, 1)), np.array([[2.0]]))
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        get_loss("hinge")
