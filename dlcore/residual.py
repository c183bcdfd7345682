"""Residual (skip) connections: :math:`y = x + F(x)` (chapter 02).

Wrapping a block :math:`F` (any :class:`~dlcore.module.Module` whose output
has the shape of its input) gives

.. math::
    y = x + F(x), \\qquad
    \\frac{\\partial L}{\\partial x} = \\frac{\\partial L}{\\partial y}
        + \\frac{\\partial L}{\\partial y}\\,\\frac{\\partial F}{\\partial x},

so the Jacobian of the block is :math:`I + \\partial F/\\partial x`: the
identity path carries the gradient back unchanged however small
:math:`\\partial F/\\partial x` becomes. That is why a stack of residual
blocks keeps its first layers' gradients alive (He et al. 2016).
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .layers import Linear, Sequential
from .errors import InvalidType
from .module import Module, ShapeError, as_generator
from .validate import nonneg_float, nonneg_int, positive_int

__all__ = ["Residual", "residual_mlp"]


class Residual(Module):
    """``y = x + inner(x)``; ``inner`` must map ``(N, d)`` to ``(N, d)``.

    Parameters
    ----------
    inner : Module
        The residual branch :math:`F` (e.g. ``Sequential(Linear(d, d), ReLU())``).
        Its parameters are this block's parameters (as child ``0``).
    """

    def __init__(self, inner: Module):
        super().__init__()
        if not isinstance(inner, Module):
            raise InvalidType(f"Residual wraps a dlcore Module, got {type(inner).__name__}")
        self.inner = inner
        self._shape = None

    def children(self):
        return [self.inner]

    def forward(self, X, training=None):
        X = np.asarray(X)
        F = self.inner.forward(X, training=self._mode(training))
        if F.shape != X.shape:
            raise ShapeError(f"Residual needs its inner block to keep the shape: input {X.shape}, "
                             f"inner output {F.shape}. Make the branch map width {X.shape[-1]} "
                             f"back to {X.shape[-1]} (or add a projection outside the block).")
        self._shape = X.shape
        return X + F

    def backward(self, dY):
        if self._shape is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        if dY.shape != self._shape:
            raise ShapeError(f"{self.name}.backward: dY must have shape {self._shape}, got {dY.shape}")
        return dY + self.inner.backward(dY)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        inner = Sequential(Linear(4, 4, init="xavier", rng=rng, dtype=dtype, bias=0.1),
                           get_activation("tanh"))
        return cls(inner), (3, 4)

    def extra_repr(self):
        return repr(self.inner).replace("\n", "\n  ")


def residual_mlp(n_in: int, width: int, n_blocks: int, n_out: int, activation="relu",
                 init="he", rng=None, dtype=np.float64, init_kwargs: dict | None = None,
                 branch_scale: float = 1.0) -> Sequential:
    """``Linear(n_in, width) -> act -> [Residual(Linear(width, width) -> act)] * n_blocks -> Linear(width, n_out)``.

    ``branch_scale`` multiplies the initial weights of each residual branch
    (a small value starts every block close to the identity; with ReLU + He an
    unscaled branch makes :math:`\\mathbb E[(x+F(x))^2] > 2\\,\\mathbb E[x^2]` per block). With the same
    ``rng`` the plain ``mlp([n_in] + [width] * (n_blocks + 1) + [n_out])``
    draws exactly the same initial weights (``branch_scale=1``): the only
    difference between the two nets is the skip connections.
    """
    n_blocks = nonneg_int("n_blocks", n_blocks)
    n_in, width, n_out = positive_int("n_in", n_in), positive_int("width", width), positive_int("n_out", n_out)
    branch_scale = nonneg_float("branch_scale", branch_scale)
    rng = as_generator(rng)
    kw = {"init": init, "rng": rng, "dtype": dtype, "init_kwargs": init_kwargs}
    layers: list[Module] = [Linear(n_in, width, **kw), get_activation(activation)]
    for _ in range(n_blocks):
        lin = Linear(width, width, **kw)
        lin.params["W"] *= np.asarray(branch_scale, dtype=lin.params["W"].dtype)
        layers.append(Residual(Sequential(lin, get_activation(activation))))
    layers.append(Linear(width, n_out, **kw))
    return Sequential(layers)
