"""Chapter 03: the fixed pointwise functions of the zoo, each with its derivative.

The ReLU family (Leaky ReLU, ELU, SELU), the smooth ReLU-like functions (GELU,
softplus, Swish/SiLU, Mish) and the piecewise-linear squashers (hard sigmoid,
hard tanh). The learned (PReLU), random (RReLU) and vector-valued (softmax) ones
are in :mod:`dlcore.activations.special`.

Every class is finite and warning-free for inputs from -1e3 to 1e3 in float32
and float64: exponentials are only ever taken of non-positive numbers (or
through :func:`~dlcore.activations.basic.sigmoid`), and ``log(1+e^x)`` is
computed as :math:`\\max(x,0)+\\log(1+e^{-|x|})`.

GELU's exact form needs :math:`\\Phi(x)=\\tfrac12\\operatorname{erfc}(-x/\\sqrt2)`.
NumPy has no erf, so it uses ``math.erfc`` vectorised (~1 ulp in float64, ~0.1 µs
per element); ``erfc`` rather than ``1+erf`` keeps full precision in the left tail.
"""
from __future__ import annotations

import math

import numpy as np

from .base import Activation, _check, register
from .basic import sigmoid

__all__ = ["LeakyReLU", "ELU", "SELU", "GELU", "Softplus", "Swish", "SiLU", "Mish", "HardSigmoid", "HardTanh",
           "softplus", "mish", "mish_log10", "gaussian_cdf", "SELU_LAMBDA", "SELU_ALPHA"]

SELU_LAMBDA = 1.0507009873554804934193349852946  #: SELU scale (Klambauer et al., 2017)
SELU_ALPHA = 1.6732632423543772848170429916717   #: SELU negative saturation
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _float(X):
    X = np.asarray(X)
    return X if np.issubdtype(X.dtype, np.floating) else X.astype(np.float64)


def softplus(X, beta: float = 1.0):
    """Stable :math:`\\tfrac1\\beta\\log(1+e^{\\beta x}) = \\max(x,0)+\\tfrac1\\beta\\log(1+e^{-\\beta|x|})`."""
    X = _float(X)
    bx = beta * X
    return (np.maximum(X, 0) + np.log1p(np.exp(-np.abs(bx))) / beta).astype(X.dtype, copy=False)


def gaussian_cdf(X):
    """:math:`\\Phi(x)=\\tfrac12\\operatorname{erfc}(-x/\\sqrt2)` via ``math.erfc`` (float64 accurate)."""
    X = _float(X)
    return (0.5 * _erfc(-np.asarray(X, dtype=np.float64) / math.sqrt(2))).astype(X.dtype, copy=False)


def mish(X):
    """:math:`x\\tanh(\\mathrm{softplus}(x))` with the natural log."""
    X = _float(X)
    return X * np.tanh(softplus(X))


def mish_log10(X):
    """The popular notes' WRONG Mish: softplus with ``log10`` instead of ``ln`` (errata only; not registered)."""
    X = _float(X)
    return X * np.tanh(softplus(X) / np.log(10).astype(X.dtype))


class _Tail:
    """Left-tail saturation (GELU, Swish, Mish, ELU, softplus): the unit is saturated where ``x < -3``."""

    def saturated(self, X, Y):
        return X < -3


@register("leaky_relu", "leakyrelu", "lrelu")
class LeakyReLU(Activation):
    r""":math:`f(x)=\max(x, ax)`, :math:`f'(x) = 1` for :math:`x>0`, :math:`a` otherwise (any shape in, same out).

    The negative side keeps a small gradient :math:`a`, so a unit cannot die (chapter 03, section 3.5).
    """
    formula = r"f(x) = \max(x, a x)\ (0 \le a < 1)"
    derivative_formula = r"f'(x) = 1 \text{ if } x > 0 \text{ else } a"
    kink_convention = "f'(0) = slope (the left branch), as for ReLU'(0) = 0"

    def __init__(self, slope: float = 0.01):
        super().__init__()
        _check(0 <= slope < 1, f"leaky_relu slope must be in [0, 1), got {slope}")
        self.slope = float(slope)

    def f(self, X):
        return np.where(X > 0, X, X * X.dtype.type(self.slope))

    def df(self, X, Y):
        return np.where(X > 0, 1, self.slope).astype(X.dtype)


@register("elu")
class ELU(_Tail, Activation):
    r""":math:`f(x)=x` for :math:`x>0`, :math:`\alpha(e^x-1)` otherwise; :math:`f'(x)=1` or
    :math:`\alpha e^x = f(x)+\alpha`. Saturates to :math:`-\alpha` on the left (``e^x`` is only
    evaluated at :math:`\min(x,0)`, so it never overflows)."""
    formula = r"f(x) = x \text{ if } x > 0 \text{ else } \alpha(e^{x}-1)"
    derivative_formula = r"f'(x) = 1 \text{ if } x > 0 \text{ else } \alpha e^{x} = f(x)+\alpha"
    kink_convention = "f'(0) = alpha (the left branch; smooth at 0 when alpha = 1)"

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        _check(alpha >= 0, f"elu alpha must be >= 0 (a negative alpha makes it non-monotonic), got {alpha}")
        self.alpha = float(alpha)

    def f(self, X):
        return np.where(X > 0, X, self.alpha * np.expm1(np.minimum(X, 0))).astype(X.dtype, copy=False)

    def df(self, X, Y):
        return np.where(X > 0, 1, self.alpha * np.exp(np.minimum(X, 0))).astype(X.dtype, copy=False)


@register("selu")
class SELU(_Tail, Activation):
    r""":math:`\lambda\,\mathrm{ELU}_\alpha(x)` with the constants of Klambauer et al. (2017) that make
    :math:`Z\sim N(0,1)` map to mean 0, variance 1; :math:`f'(x)=\lambda` or :math:`\lambda\alpha e^x`."""
    formula = r"f(x) = \lambda\,(x \text{ if } x>0 \text{ else } \alpha(e^x-1)),\ \lambda\approx1.0507,\ \alpha\approx1.6733"
    derivative_formula = r"f'(x) = \lambda \text{ if } x > 0 \text{ else } \lambda\alpha e^{x}"
    kink_convention = "f'(0) = lambda*alpha (the left branch)"

    def f(self, X):
        return (SELU_LAMBDA * np.where(X > 0, X, SELU_ALPHA * np.expm1(np.minimum(X, 0)))).astype(X.dtype, copy=False)

    def df(self, X, Y):
        return (SELU_LAMBDA * np.where(X > 0, 1, SELU_ALPHA * np.exp(np.minimum(X, 0)))).astype(X.dtype, copy=False)


@register("gelu")
class GELU(_Tail, Activation):
    """GELU, exact (``approximate="none"``, via erfc) or the tanh approximation."""
    formula = r"f(x) = x\,\Phi(x),\ \ \text{tanh approx.: } \tfrac x2\big(1+\tanh(\sqrt{2/\pi}(x+0.044715x^3))\big)"
    derivative_formula = r"f'(x) = \Phi(x) + x\,\varphi(x),\ \ \varphi(x)=e^{-x^2/2}/\sqrt{2\pi}"
    kink_convention = "none: smooth everywhere"

    _C = math.sqrt(2 / math.pi)

    def __init__(self, approximate: str = "none"):
        super().__init__()
        _check(approximate in ("none", "tanh"), f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def _u(self, X):
        return self._C * (X + 0.044715 * X ** 3)

    def _cdf(self, X, fresh=True):
        # f stores Phi(X); df called by backward right after reuses it (erfc is the expensive part)
        cache = getattr(self, "_cdf_cache", None)
        if not fresh and cache is not None and cache[0] is X:
            return cache[1]
        P = gaussian_cdf(X)
        self._cdf_cache = (X, P)
        return P

    def f(self, X):
        if self.approximate == "tanh":
            return 0.5 * X * (1 + np.tanh(self._u(X)))
        return X * self._cdf(X)

    def df(self, X, Y):
        if self.approximate == "tanh":
            t = np.tanh(self._u(X))
            return 0.5 * (1 + t) + 0.5 * X * (1 - t * t) * self._C * (1 + 3 * 0.044715 * X * X)
        pdf = np.exp(-0.5 * np.minimum(X * X, 1e4)) / X.dtype.type(math.sqrt(2 * math.pi))
        return (self._cdf(X, fresh=False) + X * pdf).astype(X.dtype, copy=False)


@register("softplus")
class Softplus(_Tail, Activation):
    """:math:`\\tfrac1\\beta\\ln(1+e^{\\beta x})`, :math:`f'(x)=\\sigma(\\beta x)`; returns ``x`` itself where
    :math:`\\beta x >` ``threshold`` (as PyTorch). Larger :math:`\\beta` bends it closer to ReLU."""
    formula = r"f(x) = \tfrac1\beta \ln(1+e^{\beta x})"
    derivative_formula = r"f'(x) = \sigma(\beta x)"
    kink_convention = "none: smooth (where beta*x > threshold it returns x; the jump there is ln(1+e^-threshold)/beta, 2e-9/beta at 20)"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        _check(beta > 0, f"softplus beta must be > 0, got {beta}")
        _check(threshold > 0, f"softplus threshold must be > 0, got {threshold}")
        self.beta, self.threshold = float(beta), float(threshold)

    def f(self, X):
        return np.where(self.beta * X > self.threshold, X, softplus(X, self.beta))

    def df(self, X, Y):
        return np.where(self.beta * X > self.threshold, X.dtype.type(1), sigmoid(self.beta * X))


@register("swish")
class Swish(_Tail, Activation):
    """:math:`x\\,\\sigma(\\beta x)`; with ``learn_beta=True`` :math:`\\beta` is a parameter with
    :math:`\\partial L/\\partial\\beta = \\sum \\partial L/\\partial y\\; x^2\\sigma(\\beta x)(1-\\sigma(\\beta x))`."""
    formula = r"f(x) = x\,\sigma(\beta x)"
    derivative_formula = r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)(1-\sigma(\beta x))"
    kink_convention = "none: smooth everywhere"

    def __init__(self, beta: float = 1.0, learn_beta: bool = False, dtype=np.float64):
        super().__init__()
        _check(np.isfinite(beta), f"swish beta must be a finite number, got {beta}")
        self.learn_beta = bool(learn_beta)
        if self.learn_beta:
            self.params = {"beta": np.array([beta], dtype=dtype)}
            self.grads = {"beta": np.zeros(1, dtype=dtype)}
        else:
            self._beta = float(beta)

    @property
    def beta(self):
        return float(self.params["beta"][0]) if self.learn_beta else self._beta

    def f(self, X):
        return X * sigmoid(X.dtype.type(self.beta) * X)

    def df(self, X, Y):
        b = X.dtype.type(self.beta)
        s = sigmoid(b * X)
        return s + b * X * s * (1 - s)

    def backward(self, dY):
        dX = super().backward(dY)
        if self.learn_beta:
            s = sigmoid(self._X.dtype.type(self.beta) * self._X)
            g = np.sum(np.asarray(dY) * self._X * self._X * s * (1 - s))
            self.grads["beta"] = np.array([g], dtype=self.params["beta"].dtype)
        return dX

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(beta=1.5, learn_beta=True, dtype=dtype), (4, 5)


@register("silu")
class SiLU(Swish):
    """Swish with :math:`\\beta = 1`: :math:`x\\sigma(x)`."""
    formula = r"f(x) = x\,\sigma(x)"
    derivative_formula = r"f'(x) = \sigma(x)\,(1 + x(1-\sigma(x)))"

    def __init__(self):
        super().__init__(beta=1.0)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(), (4, 5)


@register("mish")
class Mish(_Tail, Activation):
    r""":math:`f(x)=x\tanh(s)`, :math:`s=\ln(1+e^x)`; since :math:`s'=\sigma(x)`,
    :math:`f'(x)=\tanh s + x\,(1-\tanh^2 s)\,\sigma(x)`. The natural log (see :func:`mish_log10`)."""
    formula = r"f(x) = x\tanh(\ln(1+e^{x}))"
    derivative_formula = r"f'(x) = \tanh(s) + x\,(1-\tanh^2 s)\,\sigma(x),\ s = \ln(1+e^x)"
    kink_convention = "none: smooth everywhere"

    def f(self, X):
        return mish(X)

    def df(self, X, Y):
        t = np.tanh(softplus(X))
        return t + X * (1 - t * t) * sigmoid(X)


@register("hard_sigmoid", "hardsigmoid")
class HardSigmoid(Activation):
    r""":math:`\mathrm{clip}(x/6+\tfrac12, 0, 1)` (PyTorch's definition), :math:`f'=\tfrac16` on :math:`|x|<3`, else 0."""
    formula = r"f(x) = \min(\max(x/6 + 1/2, 0), 1)"
    derivative_formula = r"f'(x) = 1/6 \text{ for } |x| < 3 \text{ else } 0"
    kink_convention = "f'(+-3) = 0 (the flat side)"

    def f(self, X):
        return np.clip(X / X.dtype.type(6) + X.dtype.type(0.5), 0, 1)

    def df(self, X, Y):
        return np.where(np.abs(X) < 3, 1 / 6, 0).astype(X.dtype)

    def saturated(self, X, Y):
        return np.abs(X) >= 3


@register("hard_tanh", "hardtanh")
class HardTanh(Activation):
    r""":math:`\mathrm{clip}(x,-1,1)`, :math:`f'=1` on :math:`|x|<1`, else 0."""
    formula = r"f(x) = \min(\max(x, -1), 1)"
    derivative_formula = r"f'(x) = 1 \text{ for } |x| < 1 \text{ else } 0"
    kink_convention = "f'(+-1) = 0 (the flat side)"

    def f(self, X):
        return np.clip(X, -1, 1)

    def df(self, X, Y):
        return (np.abs(X) < 1).astype(X.dtype)

    def saturated(self, X, Y):
        return np.abs(X) >= 1


