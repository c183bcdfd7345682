"""Group and instance normalisation, and local response normalisation (chapter 07).

* :class:`GroupNorm` (Wu & He 2018): the C channels of each example split into G groups of C/G
  consecutive channels; each group normalised over its channels and pixels. Nothing depends on the
  other examples of the batch, so training and evaluation compute the same thing, at any batch size.
  ``G = 1`` is layer normalisation over (C, H, W); ``G = C`` is instance normalisation.
* :class:`InstanceNorm`: one example's one channel normalised over its pixels (GroupNorm with G = C).
* :class:`LocalResponseNorm` (Krizhevsky et al. 2012), across channels, PyTorch's convention:

  .. math:: b_c = a_c \\Big/ \\Big(k + \\frac{\\alpha}{n}\\textstyle\\sum_{c'=c-\\lfloor n/2\\rfloor}^{c+\\lfloor (n-1)/2\\rfloor} a_{c'}^2\\Big)^{\\beta}

  (channels outside 0..C-1 count as zeros, and the sum is divided by ``n`` even at the edges).
  The AlexNet paper writes :math:`k + \\alpha\\sum`, without the ``1/n``: its
  :math:`k=2, n=5, \\alpha=10^{-4}, \\beta=0.75` is ``LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2)`` here.
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument
from .module import Module, ShapeError
from .norm import _Norm, normalise, normalise_backward
from .validate import float_dtype, nonneg_float, positive_float, positive_int

__all__ = ["GroupNorm", "InstanceNorm", "LocalResponseNorm", "channel_window_sum"]


class GroupNorm(_Norm):
    """Group normalisation of input ``(N, C, *spatial)`` (``(N, C)`` and ``(N, C, H, W)`` alike).

    Parameters
    ----------
    num_groups : int
        G; it must divide ``num_channels``.
    num_channels : int
        C; gamma and beta have one entry per channel (roles "scale" and "bias").
    eps, affine, dtype : as :class:`~dlcore.norm.BatchNorm1d`.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 dtype=np.float64):
        super().__init__()
        self.num_groups = positive_int("num_groups", num_groups)
        self.num_channels = positive_int("num_channels", num_channels)
        if self.num_channels % self.num_groups:
            raise InvalidArgument(f"num_groups={self.num_groups} must divide num_channels={self.num_channels} "
                                  f"(each group takes C/G consecutive channels)")
        self._setup((self.num_channels,), eps, affine, dtype)

    def _check_input(self, X):
        if X.ndim < 2 or X.shape[1] != self.num_channels:
            raise ShapeError(f"{self.name} expects input of shape (N, C, ...) with C={self.num_channels}, got {X.shape}")

    def forward(self, X, training=None):
        X = np.asarray(X)
        self._check_input(X)
        Xg = X.reshape(X.shape[0], self.num_groups, -1)
        xhat, inv_std, _, _ = normalise(Xg, (2,), self.eps)
        xhat = xhat.reshape(X.shape)
        pshape = (1, self.num_channels) + (1,) * (X.ndim - 2)
        self._cache = {"xhat": xhat, "inv_std": inv_std, "shape": X.shape}
        return self._scale_shift(xhat, pshape)

    def backward(self, dY):
        dY = self._check_dY(dY)
        c = self._cache
        shape = c["shape"]
        pshape = (1, self.num_channels) + (1,) * (len(shape) - 2)
        red = (0,) + tuple(range(2, len(shape)))
        g = self._param_grads(dY, c["xhat"], pshape, red)
        N, G = shape[0], self.num_groups
        dX = normalise_backward(g.reshape(N, G, -1), c["xhat"].reshape(N, G, -1), c["inv_std"], (2,))
        return dX.reshape(shape)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(2, 4, dtype=dtype)
        m.params["gamma"] = (1 + 0.3 * rng.standard_normal(4)).astype(dtype)
        m.params["beta"] = (0.2 * rng.standard_normal(4)).astype(dtype)
        return m, (2, 4, 2, 3)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps:g}, affine={self.affine}"


class InstanceNorm(GroupNorm):
    """Instance normalisation of input ``(N, C, H, W)`` (or ``(N, C, L)``): each example's each channel
    over its pixels; GroupNorm with G = C. Unlike PyTorch's ``InstanceNorm2d`` (``affine=False``,
    no running statistics) the affine parameters are on by default, as in the other layers here."""

    def __init__(self, num_channels: int, eps: float = 1e-5, affine: bool = True, dtype=np.float64):
        num_channels = positive_int("num_channels", num_channels)
        super().__init__(num_channels, num_channels, eps=eps, affine=affine, dtype=dtype)

    def _check_input(self, X):
        if X.ndim < 3 or X.shape[1] != self.num_channels:
            raise ShapeError(f"{self.name} expects input of shape (N, C, H, W) with C={self.num_channels}, "
                             f"got {X.shape}")
        if int(np.prod(X.shape[2:])) <= 1:
            raise InvalidArgument(f"{self.name}: Expected more than 1 spatial element per channel, got input of "
                                  f"shape {X.shape} (one pixel normalises to 0 whatever its value)")

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(3, dtype=dtype)
        m.params["gamma"] = (1 + 0.3 * rng.standard_normal(3)).astype(dtype)
        m.params["beta"] = (0.2 * rng.standard_normal(3)).astype(dtype)
        return m, (2, 3, 2, 3)

    def extra_repr(self):
        return f"{self.num_channels}, eps={self.eps:g}, affine={self.affine}"


def channel_window_sum(A: np.ndarray, before: int, after: int) -> np.ndarray:
    """``S[:, c] = sum of A[:, c - before .. c + after]`` along axis 1, with zeros outside."""
    C = A.shape[1]
    pad = [(0, 0)] * A.ndim
    pad[1] = (before + 1, after)
    cs = np.cumsum(np.pad(A, pad), axis=1)
    hi = np.take(cs, np.arange(C) + before + after + 1, axis=1)
    lo = np.take(cs, np.arange(C), axis=1)
    return hi - lo


class LocalResponseNorm(Module):
    """Local response normalisation across channels of input ``(N, C, ...)`` (module docstring).

    Parameters
    ----------
    size : int
        n, the number of neighbouring channels summed over (the depth radius is n // 2).
    alpha : float >= 0
        Divided by ``n`` (PyTorch's convention; default 1e-4).
    beta : float >= 0
        The exponent (0.75).
    k : float > 0
        The bias (1.0; AlexNet used 2).
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0, dtype=np.float64):
        super().__init__()
        self.size = positive_int("size", size)
        self.alpha = nonneg_float("alpha", alpha)
        self.beta = nonneg_float("beta", beta)
        self.k = positive_float("k", k)
        self.dtype = float_dtype("dtype", dtype)
        self._cache = None

    def forward(self, X, training=None):
        X = np.asarray(X)
        if X.ndim < 2:
            raise ShapeError(f"{self.name} expects input of shape (N, C, ...), got {X.shape}")
        n = self.size
        s = self.k + (self.alpha / n) * channel_window_sum(X * X, n // 2, (n - 1) // 2)
        s = s.astype(X.dtype, copy=False)
        p = s ** -self.beta
        self._cache = (X, s, p)
        return X * p

    def backward(self, dY):
        if self._cache is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        X, s, p = self._cache
        dY = np.asarray(dY)
        if dY.shape != X.shape:
            raise ShapeError(f"{self.name}.backward: dY must have shape {X.shape}, got {dY.shape}")
        n = self.size
        t = dY * X * p / s                              # dY_c a_c s_c^(-beta-1)
        back = channel_window_sum(t, (n - 1) // 2, n // 2)   # sum over the c whose window holds j
        return dY * p - (2 * self.beta * self.alpha / n) * X * back

    @classmethod
    def example(cls, rng, dtype=np.float64):
        # a large alpha so the normalisation does something visible at inputs of size ~1
        return cls(3, alpha=0.9, beta=0.75, k=1.0, dtype=dtype), (2, 5, 2, 2)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha:g}, beta={self.beta:g}, k={self.k:g}"
