"""Activation layers: the shared base class and the name registry.

An activation is a pointwise :class:`~dlcore.module.Module`. Subclasses
implement ``f(X)`` and ``df(X, Y)`` (the derivative :math:`f'(X)`, given the
input and the already computed output so that e.g. sigmoid can use
:math:`\\sigma(1-\\sigma)`); the base class supplies ``forward`` and
``backward``:

.. math:: Y = f(X), \\qquad \\frac{\\partial L}{\\partial X} = \\frac{\\partial L}{\\partial Y} \\odot f'(X).

Activations with learned parameters (PReLU) or randomness (RReLU) override
``forward``/``backward`` as needed. Every class is registered under one or
more names; :func:`get_activation` builds one from a name and parameters and
raises a ``ValueError`` that lists what exists for an unknown name or a bad
parameter.
"""
from __future__ import annotations

import inspect

import numpy as np

from ..errors import DlcoreError, InvalidArgument, InvalidType
from ..module import Module
from ..validate import boolean, finite_float, float_dtype, one_of, show

__all__ = ["Activation", "ACTIVATIONS", "register", "get_activation", "activation_names"]

#: name -> Activation subclass. Filled by :func:`register`.
ACTIVATIONS: dict[str, type] = {}


def register(*names: str):
    """Class decorator adding an activation under the given names (lower case)."""
    def deco(cls):
        for n in names:
            key = n.lower()
            if key in ACTIVATIONS and ACTIVATIONS[key] is not cls:
                raise ValueError(f"activation name {key!r} registered twice")
            ACTIVATIONS[key] = cls
        cls.names = tuple(n.lower() for n in names)
        return cls
    return deco


def _check(cond, msg):
    """A constructor's range check: an :class:`~dlcore.errors.InvalidArgument` (a ValueError)."""
    if not cond:
        raise InvalidArgument(msg)


def activation_names() -> list[str]:
    """Canonical names (the first name each class registered), sorted."""
    return sorted({cls.names[0] for cls in ACTIVATIONS.values()})


class Activation(Module):
    """Base of every pointwise activation. See the module docstring."""

    #: LaTeX of the forward and derivative formulas, shown by the book.
    formula: str = ""
    derivative_formula: str = ""
    #: how non-differentiable points are handled, stated by the book.
    kink_convention: str = ""

    def __init__(self):
        super().__init__()
        self._X = None
        self._Y = None

    def f(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def df(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, X, training=None):
        X = np.asarray(X)
        Y = self.f(X)
        self._X, self._Y = X, Y
        return Y

    def backward(self, dY):
        if self._X is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        if dY.shape != self._Y.shape:
            raise ValueError(f"{self.name}.backward: dY has shape {dY.shape}, output had {self._Y.shape}")
        return dY * self.df(self._X, self._Y)

    def saturated(self, X: np.ndarray, Y: np.ndarray):
        """Boolean mask of saturated units, or ``None`` if the function does not saturate.

        Sigmoid and tanh define it by their output (``|tanh| > 0.97``, the
        threshold Karpathy uses; sigmoid below 0.03 or above 0.97).
        """
        return None

    def derivative(self, X) -> np.ndarray:
        """:math:`f'(X)` without touching the backward cache."""
        X = np.asarray(X)
        return self.df(X, self.f(X))

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(), (4, 5)

    def extra_repr(self):
        sig = inspect.signature(type(self).__init__)
        parts = [f"{p}={getattr(self, p)!r}" for p in sig.parameters
                 if p != "self" and hasattr(self, p) and p != "rng"]
        return ", ".join(parts)


def get_activation(name, **params) -> Activation:
    """Build an activation from its name (``"relu"``, ``"leaky_relu"`` with ``slope=0.1``).

    An :class:`Activation` instance is passed through unchanged (without params).
    """
    if isinstance(name, Activation):
        if params:
            raise InvalidArgument("parameters given together with an activation instance")
        return name
    if isinstance(name, type) and issubclass(name, Activation):
        return name(**params)
    if not isinstance(name, str):
        raise InvalidType(f"activation must be a name such as 'relu' or an Activation, got {show(name)}")
    key = name.lower().replace("-", "_")
    if key not in ACTIVATIONS:
        one_of("activation", key, activation_names())      # raises, with close matches
    cls = ACTIVATIONS[key]
    sig = inspect.signature(cls.__init__)
    allowed = [p for p in sig.parameters if p != "self"]
    bad = [p for p in params if p not in allowed]
    if bad:
        raise InvalidArgument(f"activation {key!r} has no parameter {', '.join(map(repr, bad))}; "
                              f"its parameters: {', '.join(allowed) or 'none'}")
    for p, v in params.items():          # the type by the default: a float parameter must be a finite number
        default = sig.parameters[p].default
        if p == "dtype":
            float_dtype(f"{key} dtype", v)
        elif isinstance(default, bool):
            boolean(f"{key} {p}", v)
        elif isinstance(default, float) or p in ("slope", "alpha", "beta", "lower", "upper", "temperature"):
            finite_float(f"{key} {p}", v)
    try:
        return cls(**params)
    except DlcoreError:
        raise
    except (TypeError, ValueError) as e:           # a constructor's own range check
        raise InvalidArgument(f"activation {key!r}: {e}") from None
