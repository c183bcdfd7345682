"""The four activations of chapters 01-02: identity, sigmoid, tanh, ReLU.

Chapter 03 adds the rest of the zoo in :mod:`dlcore.activations.zoo`.
All are finite and warning-free for inputs from -1e3 to 1e3 in float32 and
float64.
"""
from __future__ import annotations

import numpy as np

from .base import Activation, register

__all__ = ["Identity", "Sigmoid", "Tanh", "ReLU", "sigmoid"]


def sigmoid(X: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function :math:`1/(1+e^{-x})`.

    Uses :math:`e^{-|x|}`, which never overflows:
    :math:`\\sigma(x) = 1/(1+e^{-|x|})` for :math:`x \\ge 0` and
    :math:`e^{-|x|}/(1+e^{-|x|})` for :math:`x<0`.
    """
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    e = np.exp(-np.abs(X))
    return np.where(X >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(X.dtype, copy=False)


@register("identity", "linear")
class Identity(Activation):
    formula = r"f(x) = x"
    derivative_formula = r"f'(x) = 1"

    def f(self, X):
        return X.copy()

    def df(self, X, Y):
        return np.ones_like(X)


@register("sigmoid", "logistic")
class Sigmoid(Activation):
    formula = r"\sigma(x) = \frac{1}{1+e^{-x}}"
    derivative_formula = r"\sigma'(x) = \sigma(x)\,(1-\sigma(x)) \le \tfrac14"

    def f(self, X):
        return sigmoid(X)

    def df(self, X, Y):
        return Y * (1 - Y)

    def saturated(self, X, Y):
        return (Y < 0.03) | (Y > 0.97)


@register("tanh")
class Tanh(Activation):
    formula = r"\tanh(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}} = 2\sigma(2x)-1"
    derivative_formula = r"\tanh'(x) = 1-\tanh^2(x) \le 1"

    def f(self, X):
        return np.tanh(X)

    def df(self, X, Y):
        return 1 - Y * Y

    def saturated(self, X, Y):
        return np.abs(Y) > 0.97


@register("relu")
class ReLU(Activation):
    formula = r"\mathrm{ReLU}(x) = \max(0, x)"
    derivative_formula = r"\mathrm{ReLU}'(x) = [x > 0]"
    kink_convention = "ReLU'(0) = 0 (as PyTorch and TensorFlow); any value in [0, 1] is a valid subgradient"

    def f(self, X):
        return np.maximum(X, 0)

    def df(self, X, Y):
        return (X > 0).astype(X.dtype)

    def backward(self, dY):
        if self._X is None or np.shape(dY) != self._Y.shape:
            return super().backward(dY)                  # the base class names the problem
        return dY * (self._X > 0)                        # the mask directly: one array op fewer than dY * df
