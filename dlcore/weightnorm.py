"""Weight normalisation (Salimans & Kingma 2016), chapter 07.

Each output unit's weight vector is a direction times a length,

.. math::
    w_j = g_j\\,\\frac{v_j}{\\lVert v_j\\rVert}, \\qquad
    \\nabla_{g_j} L = \\frac{v_j\\cdot\\nabla_{w_j}L}{\\lVert v_j\\rVert}, \\qquad
    \\nabla_{v_j} L = \\frac{g_j}{\\lVert v_j\\rVert}\\Big(\\nabla_{w_j}L - \\frac{v_j\\cdot\\nabla_{w_j}L}{\\lVert v_j\\rVert^2}\\,v_j\\Big).

So :math:`\\nabla_{v_j}L \\perp v_j`: a plain gradient step :math:`v \\leftarrow v - \\eta\\nabla_v L`
adds a perpendicular vector and :math:`\\lVert v_j\\rVert` can only grow (Pythagoras), which
lowers the effective step size :math:`g_j\\eta/\\lVert v_j\\rVert` on its own.

The data-dependent initialisation (:meth:`WeightNormLinear.init_from_batch`) sets g and b from one
batch so that every unit's pre-activation has mean 0 and variance 1 on that batch.
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument
from .module import Module, ShapeError, as_generator
from .validate import finite_data, float_array, float_dtype, positive_float, positive_int

__all__ = ["WeightNormLinear"]


class WeightNormLinear(Module):
    """Affine layer :math:`Y = XW + b` with :math:`W_{:,j} = g_j v_{:,j}/\\lVert v_{:,j}\\rVert`.

    Parameters
    ----------
    n_in, n_out : int
        Widths. ``v`` is ``(n_in, n_out)`` (a column per output unit, like :class:`~dlcore.layers.Linear`'s W),
        ``g`` and ``b`` are ``(n_out,)``.
    rng : int or Generator
        Draws ``v`` from N(0, 0.05²) as the paper does (only its direction matters); g starts at 1, b at 0.

    Roles: ``v`` "weight", ``g`` "scale", ``b`` "bias".
    """

    param_roles = {"v": "weight", "g": "scale", "b": "bias"}

    def __init__(self, n_in: int, n_out: int, rng=None, dtype=np.float64):
        super().__init__()
        self.n_in, self.n_out = positive_int("n_in", n_in), positive_int("n_out", n_out)
        self.dtype = float_dtype("dtype", dtype)
        v = (0.05 * as_generator(rng).standard_normal((self.n_in, self.n_out))).astype(self.dtype)
        self.params = {"v": v, "g": np.ones(self.n_out, dtype=self.dtype), "b": np.zeros(self.n_out, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(p) for k, p in self.params.items()}
        self._cache = None

    @property
    def W(self) -> np.ndarray:
        """The effective weight matrix ``(n_in, n_out)``."""
        v = self.params["v"]
        return v * (self.params["g"] / np.linalg.norm(v, axis=0))

    def forward(self, X, training=None):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_in:
            raise ShapeError(f"{self.name} expects input of shape (N, {self.n_in}), got {X.shape}")
        v = self.params["v"]
        norm = np.linalg.norm(v, axis=0)
        W = v * (self.params["g"] / norm)
        self._cache = (X, norm)
        return X @ W + self.params["b"]

    def backward(self, dY):
        self.backward_params(dY)
        return dY @ self.W.T

    def backward_params(self, dY) -> None:
        """The gradients of v, g and b only (see :meth:`dlcore.layers.Linear.backward_params`)."""
        if self._cache is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        X, norm = self._cache
        dY = np.asarray(dY)
        if dY.shape != (X.shape[0], self.n_out):
            raise ShapeError(f"{self.name}.backward: dY must have shape {(X.shape[0], self.n_out)}, got {dY.shape}")
        v, g = self.params["v"], self.params["g"]
        dW = X.T @ dY
        vdw = np.sum(v * dW, axis=0)                     # v_j . dL/dw_j
        self.grads["g"] = vdw / norm
        self.grads["v"] = (g / norm) * (dW - v * (vdw / norm ** 2))
        self.grads["b"] = dY.sum(axis=0)

    def init_from_batch(self, X, init_scale: float = 1.0) -> "WeightNormLinear":
        """Salimans & Kingma's data-dependent initialisation: with :math:`t = X v/\\lVert v\\rVert`,
        set :math:`g = s/\\sigma[t]` and :math:`b = -s\\,\\mu[t]/\\sigma[t]` (biased std, per unit), so
        that on this batch every pre-activation has mean 0 and standard deviation ``init_scale``
        (:math:`s`). Returns the layer."""
        X = finite_data("X", float_array("X", X, ndim=2))
        if X.shape[1] != self.n_in:
            raise ShapeError(f"{self.name}.init_from_batch expects X of shape (N, {self.n_in}), got {X.shape}")
        if X.shape[0] < 2:
            raise InvalidArgument(f"init_from_batch needs at least 2 rows to measure a spread, got {X.shape[0]}")
        s = positive_float("init_scale", init_scale)
        v = self.params["v"]
        t = X @ (v / np.linalg.norm(v, axis=0))
        mu, sd = t.mean(axis=0), t.std(axis=0)
        if np.any(sd == 0):
            raise InvalidArgument("init_from_batch: some unit has the same pre-activation on every row of X "
                                  "(zero spread); use a batch with varied rows")
        self.params["g"] = (s / sd).astype(self.dtype)
        self.params["b"] = (-s * mu / sd).astype(self.dtype)
        return self

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(5, 3, rng=rng, dtype=dtype)
        m.params["g"] = (1 + 0.3 * rng.standard_normal(3)).astype(dtype)
        m.params["b"] = (0.1 * rng.standard_normal(3)).astype(dtype)
        return m, (4, 5)

    def extra_repr(self):
        return f"{self.n_in}, {self.n_out}"
