"""Chapter 03: activations that are not a fixed pointwise map.

* :class:`PReLU` learns its negative slope :math:`\\alpha` (a parameter with a gradient);
* :class:`RReLU` draws a random negative slope for every element while training
  (``stochastic = True``) and uses the mean slope in evaluation;
* :class:`Softmax` maps a vector to a vector: every output depends on every input,
  so its backward pass is a Jacobian-vector product, not an elementwise product.

The fixed pointwise functions (Leaky ReLU, ELU, SELU, GELU, softplus, Swish, Mish,
hard sigmoid/tanh) are in :mod:`dlcore.activations.zoo`.
"""
from __future__ import annotations

import numpy as np

from ..module import as_generator
from .base import Activation, register
from .zoo import _check, _float

__all__ = ["PReLU", "RReLU", "Softmax", "softmax_jacobian"]


@register("prelu")
class PReLU(Activation):
    """Leaky ReLU with a learned slope ``alpha``: one scalar, or one per channel (last axis).

    :math:`\\partial L/\\partial\\alpha_c = \\sum_{n} \\partial L/\\partial y_{nc}\\, x_{nc}[x_{nc}\\le 0]`.
    """
    formula = r"f(x) = x \text{ if } x > 0 \text{ else } \alpha x"
    derivative_formula = r"\partial f/\partial x = [x>0] + \alpha[x \le 0],\quad \partial f/\partial\alpha = x[x\le 0]"
    kink_convention = "f'(0) = alpha (the left branch)"

    def __init__(self, n_channels: int | None = None, alpha: float = 0.25, dtype=np.float64):
        super().__init__()
        _check(n_channels is None or int(n_channels) > 0, f"prelu n_channels must be positive, got {n_channels}")
        shape = (1,) if n_channels is None else (int(n_channels),)
        self.n_channels = n_channels
        self.params = {"alpha": np.full(shape, alpha, dtype=dtype)}
        self.grads = {"alpha": np.zeros(shape, dtype=dtype)}

    @property
    def alpha(self):
        return self.params["alpha"]

    def _a(self, X):
        a = self.params["alpha"].astype(X.dtype, copy=False)
        if self.n_channels is not None and X.shape[-1] != a.shape[0]:
            raise ValueError(f"prelu has {a.shape[0]} channels but the input's last axis has {X.shape[-1]}")
        return a if self.n_channels is not None else a[0]

    def f(self, X):
        return np.where(X > 0, X, self._a(X) * X)

    def df(self, X, Y):
        return np.where(X > 0, X.dtype.type(1), self._a(X) * np.ones_like(X))

    def backward(self, dY):
        dX = super().backward(dY)
        g = np.asarray(dY) * np.where(self._X > 0, 0, self._X)
        g = g.reshape(-1, g.shape[-1]).sum(axis=0) if self.n_channels is not None else np.array([g.sum()])
        self.grads["alpha"] = g.astype(self.params["alpha"].dtype)
        return dX

    @classmethod
    def example(cls, rng, dtype=np.float64):
        # scalar: the contract tests feed several input widths (per-channel is tested in test_ch03)
        return cls(alpha=0.2, dtype=dtype), (4, 5)


@register("rrelu")
class RReLU(Activation):
    """Randomised leaky ReLU: in training each element gets a slope :math:`a\\sim U[l,u]`,
    drawn from the layer's own Generator; in evaluation the mean slope :math:`(l+u)/2`.
    Backward reuses exactly the slopes of the last forward pass."""
    formula = r"f(x) = x \text{ if } x > 0 \text{ else } a x,\ a\sim U[l,u] \text{ (train)},\ a=\tfrac{l+u}2 \text{ (eval)}"
    derivative_formula = r"f'(x) = 1 \text{ if } x > 0 \text{ else } a"
    kink_convention = "f'(0) = a (the left branch)"
    stochastic = True
    gradcheck_training = False

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3, rng=None):
        super().__init__()
        _check(0 <= lower <= upper < 1, f"rrelu needs 0 <= lower <= upper < 1, got lower={lower}, upper={upper}")
        self.lower, self.upper = float(lower), float(upper)
        self.rng = as_generator(rng)
        self._slopes = None

    def _mean(self, X):
        return X.dtype.type((self.lower + self.upper) / 2)

    def forward(self, X, training=None):
        X = _float(X)
        s = (self.rng.uniform(self.lower, self.upper, X.shape).astype(X.dtype) if self._mode(training)
             else self._mean(X))
        Y = np.where(X > 0, X, s * X)
        self._X, self._Y, self._slopes = X, Y, s
        return Y

    def f(self, X):
        """The deterministic (evaluation) function, slope (l+u)/2."""
        return np.where(X > 0, X, self._mean(X) * X)

    def df(self, X, Y):
        s = self._slopes if X is self._X else self._mean(X)
        return np.where(X > 0, X.dtype.type(1), s * np.ones_like(X))

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(rng=rng), (4, 5)


def softmax_jacobian(z):
    """:math:`J_{ij} = \\partial s_i/\\partial z_j = s_i(\\delta_{ij} - s_j)`; ``z`` ``(..., K)`` -> ``(..., K, K)``."""
    z = _float(z)
    s = Softmax().f(z)
    return s[..., :, None] * (np.eye(z.shape[-1], dtype=z.dtype) - s[..., None, :])


@register("softmax")
class Softmax(Activation):
    """Softmax over the last axis with temperature ``T`` (NOT pointwise): ``X`` ``(..., K)`` -> ``(..., K)``.

    .. math:: s = \\mathrm{softmax}(z/T), \\qquad
              \\frac{\\partial L}{\\partial z} = \\tfrac1T\\, s \\odot \\Big(g - \\textstyle\\sum_j g_j s_j\\Big),\\ g = \\frac{\\partial L}{\\partial s}

    the full Jacobian-vector product (``softmax_jacobian`` gives the matrix). ``df``
    returns only the Jacobian's diagonal :math:`s(1-s)/T` (used by the diagnostics).
    """
    formula = r"s_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}"
    derivative_formula = r"\frac{\partial s_i}{\partial z_j} = \tfrac1T s_i(\delta_{ij} - s_j)"
    kink_convention = "none: smooth everywhere"

    def __init__(self, temperature: float = 1.0):
        super().__init__()
        _check(temperature > 0, f"softmax temperature must be > 0, got {temperature}")
        self.temperature = float(temperature)

    def f(self, X):
        Z = X / X.dtype.type(self.temperature)
        E = np.exp(Z - Z.max(axis=-1, keepdims=True))
        return E / E.sum(axis=-1, keepdims=True)

    def df(self, X, Y):
        return Y * (1 - Y) / X.dtype.type(self.temperature)

    def backward(self, dY):
        if self._X is None:
            raise RuntimeError("Softmax.backward called before forward")
        dY = np.asarray(dY)
        if dY.shape != self._Y.shape:
            raise ValueError(f"Softmax.backward: dY has shape {dY.shape}, output had {self._Y.shape}")
        Y = self._Y
        return Y * (dY - np.sum(dY * Y, axis=-1, keepdims=True)) / Y.dtype.type(self.temperature)

    def saturated(self, X, Y):
        return Y.max(axis=-1, keepdims=True) > 0.97 * np.ones_like(Y)
