r"""Two-dimensional test surfaces with analytic gradients, for watching optimisers move (chapter 05).

Each surface has ``value(P)`` and ``grad(P)`` for points ``P`` of shape ``(..., 2)`` (one point,
a path or a whole grid), its minima, a starting point and a plotting window. Gradients are
checked against central differences in ``tests/test_ch05_experiments.py``.

* :class:`Quadratic` -- :math:`f(p) = \tfrac12 p^\top H p`, :math:`H = R_\alpha\,\mathrm{diag}(1, \kappa)\,R_\alpha^\top`:
  an ill-conditioned bowl (condition number :math:`\kappa`), its long axis turned by :math:`\alpha`.
* :class:`Rosenbrock` -- :math:`f = (a-x)^2 + b\,(y-x^2)^2`: a curved, flat-bottomed valley.
* :class:`Saddle` -- :math:`f = x^2 + \tfrac14 y^4 - \tfrac12 y^2`: a saddle at the origin
  (curvatures 2 and -1) between two minima :math:`(0, \pm 1)`, :math:`f^* = -\tfrac14`.
* :class:`NoisyBowl` -- the quadratic, but every gradient carries Gaussian noise of standard
  deviation ``noise`` (a stand-in for a mini-batch gradient), drawn from ``seed``.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["Surface", "Quadratic", "Rosenbrock", "Saddle", "NoisyBowl", "SURFACES", "get_surface"]


def _points(P):
    P = np.asarray(P, dtype=np.float64)
    if P.shape[-1:] != (2,):
        raise ValueError(f"points must have shape (..., 2), got {P.shape}")
    return P


class Surface:
    """Base class. Subclasses set ``minima`` (k, 2), ``f_min``, ``start`` (2,), ``xlim``, ``ylim``."""

    name = "surface"

    def value(self, P) -> np.ndarray:
        return self._f(_points(P))

    def grad(self, P) -> np.ndarray:
        return self._g(_points(P))

    def grid(self, n: int = 101):
        """``(X, Y, Z)`` on the plotting window, ``n`` x ``n`` points (for contour plots)."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.value(np.stack([X, Y], axis=-1))

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params().items())})"

    def params(self) -> dict:
        return {}


class Quadratic(Surface):
    r""":math:`f(p) = \tfrac12 p^\top H p` with eigenvalues 1 and :math:`\kappa` (the condition number),
    the low-curvature axis at angle ``angle`` (radians) from the x axis. Gradient :math:`Hp`, minimum 0
    at the origin. Plain gradient descent is stable for :math:`\eta < 2/\kappa` and fastest at
    :math:`\eta = 2/(1+\kappa)`, where the error shrinks by :math:`(\kappa-1)/(\kappa+1)` per step."""

    name = "quadratic"

    def __init__(self, kappa: float = 10.0, angle: float = 0.0):
        kappa, angle = float(kappa), float(angle)
        if not (math.isfinite(kappa) and kappa >= 1):
            raise ValueError(f"kappa must be a finite number >= 1, got {kappa}")
        self.kappa, self.angle = kappa, angle
        c, s = math.cos(angle), math.sin(angle)
        R = np.array([[c, -s], [s, c]])
        self.H = R @ np.diag([1.0, kappa]) @ R.T
        self.eigenvalues = np.array([1.0, kappa])
        self.minima, self.f_min = np.zeros((1, 2)), 0.0
        self.start = R @ np.array([-2.0, 2.0 / math.sqrt(kappa)])      # equal energy in both directions
        self.xlim, self.ylim = (-2.5, 2.5), (-2.5, 2.5)

    def params(self):
        return {"kappa": self.kappa, "angle": self.angle}

    def _f(self, P):
        return 0.5 * np.einsum("...i,ij,...j->...", P, self.H, P)

    def _g(self, P):
        return P @ self.H.T


class Rosenbrock(Surface):
    r""":math:`f = (a-x)^2 + b\,(y-x^2)^2`, minimum 0 at :math:`(a, a^2)`; gradient
    :math:`\big(-2(a-x) - 4bx(y-x^2),\ 2b(y-x^2)\big)`."""

    name = "rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a, self.b = float(a), float(b)
        self.minima, self.f_min = np.array([[self.a, self.a ** 2]]), 0.0
        self.start = np.array([-1.2, 1.0])
        self.xlim, self.ylim = (-2.0, 2.0), (-1.0, 3.0)

    def params(self):
        return {"a": self.a, "b": self.b}

    def _f(self, P):
        x, y = P[..., 0], P[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x ** 2) ** 2

    def _g(self, P):
        x, y = P[..., 0], P[..., 1]
        r = y - x ** 2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r], axis=-1)


class Saddle(Surface):
    r""":math:`f = x^2 + \tfrac14 y^4 - \tfrac12 y^2`: gradient :math:`(2x,\ y^3 - y)`, a saddle at the
    origin (Hessian diag(2, -1)), minima :math:`(0, \pm1)` with :math:`f^* = -\tfrac14`. The default
    start lies ``offset`` = 1e-3 off the ridge :math:`y=0`, where the gradient along y is tiny."""

    name = "saddle"

    def __init__(self, offset: float = 1e-3):
        self.offset = float(offset)
        self.minima, self.f_min = np.array([[0.0, 1.0], [0.0, -1.0]]), -0.25
        self.start = np.array([1.5, self.offset])
        self.xlim, self.ylim = (-2.0, 2.0), (-1.6, 1.6)

    def params(self):
        return {"offset": self.offset}

    def _f(self, P):
        x, y = P[..., 0], P[..., 1]
        return x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2

    def _g(self, P):
        x, y = P[..., 0], P[..., 1]
        return np.stack([2 * x, y ** 3 - y], axis=-1)


class NoisyBowl(Quadratic):
    r"""The :class:`Quadratic` bowl with noisy gradients: :math:`Hp + \sigma z`, :math:`z \sim N(0, I)`,
    :math:`\sigma` = ``noise``. The values are exact; only what an optimiser sees is noisy, as with a
    mini-batch gradient. The noise comes from ``seed`` (an int, :func:`dlcore.rng.as_generator`): a new
    surface with the same seed gives every optimiser the same noise sequence."""

    name = "noisy"

    def __init__(self, kappa: float = 10.0, angle: float = 0.0, noise: float = 1.0, seed: int = 0):
        super().__init__(kappa, angle)
        noise = float(noise)
        if not (math.isfinite(noise) and noise >= 0):
            raise ValueError(f"noise must be a finite number >= 0, got {noise}")
        from .rng import as_generator
        self.noise, self.seed = noise, int(seed)
        self._rng = as_generator(self.seed)

    def params(self):
        return {"kappa": self.kappa, "angle": self.angle, "noise": self.noise, "seed": self.seed}

    def exact_grad(self, P):
        """The gradient without noise."""
        return Quadratic._g(self, _points(P))

    def _g(self, P):
        g = Quadratic._g(self, P)
        return g + self.noise * self._rng.standard_normal(g.shape) if self.noise else g


SURFACES = {"quadratic": Quadratic, "rosenbrock": Rosenbrock, "saddle": Saddle, "noisy": NoisyBowl}


def get_surface(name, **kwargs) -> Surface:
    """A surface by name (``"quadratic"``, ``"rosenbrock"``, ``"saddle"``, ``"noisy"``) with its settings;
    a :class:`Surface` is passed through."""
    if isinstance(name, Surface):
        return name
    if not isinstance(name, str) or name.lower() not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; known: {', '.join(sorted(SURFACES))}")
    return SURFACES[name.lower()](**kwargs)
