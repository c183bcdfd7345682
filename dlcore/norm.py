"""Batch normalisation and layer normalisation (chapter 07).

Every normalisation layer of dlcore computes, over some set of :math:`m` entries (which set is
what tells the layers apart),

.. math::
    \\mu = \\tfrac1m\\textstyle\\sum x, \\quad \\sigma^2 = \\tfrac1m\\sum (x-\\mu)^2, \\quad
    \\hat x = \\frac{x-\\mu}{\\sqrt{\\sigma^2+\\epsilon}}, \\quad y = \\gamma\\hat x + \\beta,

and back-propagates with the compact formula (one pass, no explicit Jacobian)

.. math::
    \\frac{\\partial L}{\\partial x} = \\frac{1}{m\\sqrt{\\sigma^2+\\epsilon}}
        \\Big(m\\,g - \\textstyle\\sum g - \\hat x \\sum g\\,\\hat x\\Big),
    \\qquad g = \\gamma\\,\\frac{\\partial L}{\\partial y}.

* :class:`BatchNorm1d` (``(N, C)``) and :class:`BatchNorm2d` (``(N, C, H, W)``): the set is one
  channel over the batch (and the pixels). Running statistics follow PyTorch's convention:
  ``running = (1 - momentum) * running + momentum * batch`` with ``momentum=0.1``; the running
  variance is updated with the *unbiased* batch variance (:math:`m/(m-1)\\,\\sigma^2`), while the
  batch itself is normalised with the *biased* one :math:`\\sigma^2`. Evaluation mode normalises
  with the running statistics (then the layer is a fixed affine map).
* :class:`LayerNorm`: the set is one example's last dims (``normalized_shape``).

:math:`\\gamma` has the role ``"scale"`` and :math:`\\beta` the role ``"bias"``: weight decay,
which applies to the role ``"weight"`` only, leaves both alone.
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument, InvalidType
from .module import Module, ShapeError
from .validate import boolean, float_dtype, fraction, positive_float, positive_int, show

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "normalise", "normalise_backward"]


def normalise(X: np.ndarray, axes, eps: float):
    """``(xhat, inv_std, mean, var)`` of ``X`` over ``axes`` (kept as size-1 dims); ``var`` biased."""
    mu = X.mean(axis=axes, keepdims=True)
    d = X - mu
    var = np.mean(d * d, axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + np.asarray(eps, dtype=X.dtype))
    return d * inv_std, inv_std, mu, var


def normalise_backward(g: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axes) -> np.ndarray:
    """:math:`\\partial L/\\partial x` from ``g`` :math:`=\\partial L/\\partial\\hat x` (the compact formula)."""
    m = xhat.size // inv_std.size
    sg = g.sum(axis=axes, keepdims=True)
    sgx = (g * xhat).sum(axis=axes, keepdims=True)
    return (inv_std / m) * (m * g - sg - xhat * sgx)


def _affine(shape, dtype, affine):
    """Parameters gamma = 1, beta = 0 of ``shape`` (or none when ``affine`` is False)."""
    if not affine:
        return {}
    return {"gamma": np.ones(shape, dtype=dtype), "beta": np.zeros(shape, dtype=dtype)}


class _Norm(Module):
    """Shared parts: the affine parameters, eps, the backward cache and its checks."""

    param_roles = {"gamma": "scale", "beta": "bias"}

    def _setup(self, shape, eps, affine, dtype):
        self.eps = positive_float("eps", eps)
        self.affine = boolean("affine", affine)
        self.dtype = float_dtype("dtype", dtype)
        self.params = _affine(shape, self.dtype, self.affine)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cache = None

    def _scale_shift(self, xhat, pshape):
        if not self.affine:
            return xhat
        return xhat * self.params["gamma"].reshape(pshape) + self.params["beta"].reshape(pshape)

    def _check_dY(self, dY):
        if self._cache is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        if dY.shape != self._cache["shape"]:
            raise ShapeError(f"{self.name}.backward: dY must have shape {self._cache['shape']}, got {dY.shape}")
        return dY

    def _param_grads(self, dY, xhat, pshape, red_axes):
        """gamma/beta gradients (summed over ``red_axes``) and g = dL/dxhat."""
        if not self.affine:
            return dY
        self.grads["gamma"] = (dY * xhat).sum(axis=red_axes).reshape(self.params["gamma"].shape)
        self.grads["beta"] = dY.sum(axis=red_axes).reshape(self.params["beta"].shape)
        return dY * self.params["gamma"].reshape(pshape)


class _BatchNorm(_Norm):
    """Batch normalisation over axis 1 (channels); see the module docstring for the conventions."""

    ndim = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 dtype=np.float64):
        super().__init__()
        self.num_features = positive_int("num_features", num_features)
        self.momentum = fraction("momentum", momentum)
        self._setup((self.num_features,), eps, affine, dtype)
        self.buffers = {"running_mean": np.zeros(self.num_features, dtype=self.dtype),
                        "running_var": np.ones(self.num_features, dtype=self.dtype)}

    @property
    def _axes(self):
        return (0,) + tuple(range(2, self.ndim))

    def _pshape(self):
        return (1, self.num_features) + (1,) * (self.ndim - 2)

    def forward(self, X, training=None):
        X = np.asarray(X)
        C = self.num_features
        if X.ndim != self.ndim or X.shape[1] != C:
            want = "(N, C)" if self.ndim == 2 else "(N, C, H, W)"
            raise ShapeError(f"{self.name} expects input of shape {want} with C={C}, got {X.shape}")
        pshape, axes = self._pshape(), self._axes
        if self._mode(training):
            m = X.size // C
            if m <= 1:
                raise InvalidArgument(f"{self.name}: Expected more than 1 value per channel when training, "
                                      f"got input of shape {X.shape} (a batch of one example"
                                      f"{' of one pixel' if self.ndim > 2 else ''} has no spread to normalise by); "
                                      "use a larger batch, evaluation mode, or GroupNorm/LayerNorm")
            xhat, inv_std, mu, var = normalise(X, axes, self.eps)
            mom = self.momentum
            rm, rv = self.buffers["running_mean"], self.buffers["running_var"]
            unbiased = var.reshape(C) * (m / (m - 1))
            self.buffers["running_mean"] = ((1 - mom) * rm + mom * mu.reshape(C)).astype(rm.dtype)
            self.buffers["running_var"] = ((1 - mom) * rv + mom * unbiased).astype(rv.dtype)
            self._cache = {"xhat": xhat, "inv_std": inv_std, "train": True, "shape": X.shape}
        else:
            rm = self.buffers["running_mean"].reshape(pshape).astype(X.dtype, copy=False)
            rv = self.buffers["running_var"].reshape(pshape).astype(X.dtype, copy=False)
            inv_std = 1.0 / np.sqrt(rv + np.asarray(self.eps, dtype=X.dtype))
            xhat = (X - rm) * inv_std
            self._cache = {"xhat": xhat, "inv_std": inv_std, "train": False, "shape": X.shape}
        return self._scale_shift(xhat, pshape)

    def backward(self, dY):
        dY = self._check_dY(dY)
        c = self._cache
        g = self._param_grads(dY, c["xhat"], self._pshape(), self._axes)
        if not c["train"]:
            return g * c["inv_std"]                      # evaluation: a fixed affine map
        return normalise_backward(g, c["xhat"], c["inv_std"], self._axes)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum:g}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features: input ``(N, C)``, statistics per feature over the batch.

    Parameters
    ----------
    num_features : int
        C.
    eps : float
        Added to the variance (PyTorch's 1e-5).
    momentum : float in [0, 1]
        Weight of the new batch in the running statistics (PyTorch's convention and default 0.1;
        Keras's ``momentum=0.99`` is our ``0.01``).
    affine : bool
        Learn gamma (role "scale", starts at 1) and beta (role "bias", starts at 0).
    """

    ndim = 2

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(3, dtype=dtype)
        m.params["gamma"] = (1 + 0.3 * rng.standard_normal(3)).astype(dtype)
        m.params["beta"] = (0.2 * rng.standard_normal(3)).astype(dtype)
        return m, (5, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of channels: input ``(N, C, H, W)``, statistics per channel over the
    batch and the pixels (:math:`m = N H W`). Parameters as :class:`BatchNorm1d`."""

    ndim = 4

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(2, dtype=dtype)
        m.params["gamma"] = (1 + 0.3 * rng.standard_normal(2)).astype(dtype)
        m.params["beta"] = (0.2 * rng.standard_normal(2)).astype(dtype)
        return m, (3, 2, 2, 3)


class LayerNorm(_Norm):
    """Layer normalisation (Ba et al. 2016): each example normalised over its last dims.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape normalised over, e.g. ``100`` for ``(N, 100)`` or ``(C, H, W)`` for images
        (as PyTorch's ``nn.LayerNorm``); gamma and beta have this shape.
    eps, affine, dtype : as :class:`BatchNorm1d`. Same computation in training and evaluation.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, affine: bool = True, dtype=np.float64):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)) and not isinstance(normalized_shape, bool):
            normalized_shape = (normalized_shape,)
        if not isinstance(normalized_shape, (tuple, list)) or not normalized_shape:
            raise InvalidType(f"normalized_shape must be an int or a non-empty tuple of ints such as (8, 4, 4), "
                              f"got {show(normalized_shape)}")
        self.normalized_shape = tuple(positive_int(f"normalized_shape[{i}]", s) for i, s in enumerate(normalized_shape))
        self._setup(self.normalized_shape, eps, affine, dtype)

    def _axes(self, ndim):
        return tuple(range(ndim - len(self.normalized_shape), ndim))

    def forward(self, X, training=None):
        X = np.asarray(X)
        k = len(self.normalized_shape)
        if X.ndim < k + 1 or X.shape[-k:] != self.normalized_shape:
            raise ShapeError(f"{self.name} expects input of shape (N, ..., {', '.join(map(str, self.normalized_shape))})"
                             f", got {X.shape}")
        xhat, inv_std, _, _ = normalise(X, self._axes(X.ndim), self.eps)
        self._cache = {"xhat": xhat, "inv_std": inv_std, "shape": X.shape}
        return self._scale_shift(xhat, self.normalized_shape)

    def backward(self, dY):
        dY = self._check_dY(dY)
        c = self._cache
        ndim, k = dY.ndim, len(self.normalized_shape)
        g = self._param_grads(dY, c["xhat"], self.normalized_shape, tuple(range(ndim - k)))
        return normalise_backward(g, c["xhat"], c["inv_std"], self._axes(ndim))

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls((2, 3), dtype=dtype)
        m.params["gamma"] = (1 + 0.3 * rng.standard_normal((2, 3))).astype(dtype)
        m.params["beta"] = (0.2 * rng.standard_normal((2, 3))).astype(dtype)
        return m, (4, 2, 3)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps:g}, affine={self.affine}"
