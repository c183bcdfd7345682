"""Finite-difference gradient checking (chapter 01; used by every test).

Central differences approximate a derivative with error :math:`O(h^2)`:

.. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}.

An analytic gradient ``a`` is compared with the numerical one ``n`` by the
**relative error**

.. math:: r = \\frac{\\lVert a - n \\rVert_2}{\\max(\\lVert a \\rVert_2, \\lVert n \\rVert_2)},

which is scale-free (it does not care whether gradients are 1e-3 or 1e3).
In float64 with :math:`h = 10^{-6}` a correct backward gives :math:`r`
around 1e-9 or smaller; anything above about 1e-6 (unless the input sits on a
kink such as ReLU at 0) means a bug. In float32 the same check is useless:
rounding error of order 1e-7/h swamps the difference, which is why every
check here runs in float64.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, InvalidArgument, InvalidType
from .module import Module, as_generator
from .validate import finite_data, float_array, positive_float, show

__all__ = ["numerical_gradient", "rel_error", "GradCheckResult", "GradCheckReport", "check_module", "check_function"]


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``f`` is called with arrays of ``x``'s shape; ``x`` itself is never
    modified (a float64 copy is perturbed).
    """
    x = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(x))
        flat[i] = old - h
        fm = float(f(x))
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return grad


def rel_error(a, b) -> float:
    """:math:`\\lVert a-b\\rVert / \\max(\\lVert a\\rVert, \\lVert b\\rVert)`; 0 when both are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise InvalidArgument(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    denom = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


@dataclass
class GradCheckResult:
    """One compared array: its name, both gradients and the errors."""
    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: float
    max_abs_diff: float


@dataclass
class GradCheckReport:
    """All compared arrays of one check. ``passed(tol)`` is True when every rel_error <= tol."""
    results: list = field(default_factory=list)

    def passed(self, tol: float = 1e-6) -> bool:
        return all(r.rel_error <= tol for r in self.results)

    @property
    def worst(self) -> GradCheckResult:
        return max(self.results, key=lambda r: r.rel_error)

    def __getitem__(self, name) -> GradCheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no result named {name!r}; have {[r.name for r in self.results]}")

    def table(self, tol: float = 1e-6, floor: float | None = None) -> str:
        """A small table in the spirit of Karpathy's ``cmp``: name, rel. error, max |diff|, verdict.

        With ``floor`` (e.g. ``1e-7``) a relative error below it is shown as ``< 1e-07`` and the
        max |diff| column is left out: below the floor the digits are round-off, and they differ
        from one BLAS kernel (CPU) to another; what they mean ("agrees to rounding") does not.
        """
        w = max([len(r.name) for r in self.results] + [4])
        if floor is None:
            lines = [f"{'name':<{w}}  {'rel. error':>10}  {'max |diff|':>10}  verdict"]
        else:
            lines = [f"{'name':<{w}}  {'rel. error':>10}  verdict"]
        for r in self.results:
            verdict = "ok" if r.rel_error <= tol else "WRONG"
            if floor is None:
                lines.append(f"{r.name:<{w}}  {r.rel_error:>10.2e}  {r.max_abs_diff:>10.2e}  {verdict}")
            else:
                err = f"< {floor:.0e}" if r.rel_error < floor else f"{r.rel_error:.2g}"
                lines.append(f"{r.name:<{w}}  {err:>10}  {verdict}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def _result(name, a, n):
    a = np.asarray(a, dtype=np.float64)
    return GradCheckResult(name, a, n, rel_error(a, n), float(np.max(np.abs(a - n))) if a.size else 0.0)


def check_module(module: Module, X, rng=0, h: float = 1e-6, training: bool = True,
                 params: bool = True) -> GradCheckReport:
    """Compare ``module.backward`` with central differences, for the input and every parameter.

    The scalar checked is :math:`L = \\sum Y \\odot R` for a fixed random
    ``R`` (so every output element matters with a different weight). Run it
    on a float64 module (a module with a float32 or float16 parameter is refused: finite differences
    in low precision are rounding noise, about 1e-2 relative error for a correct backward).
    Parameters are perturbed in place and restored. ``X`` needs at least one row: with none the
    check compares empty arrays and would pass any backward.
    """
    if not isinstance(module, Module):
        raise InvalidType(f"check_module needs a dlcore Module, got {show(module)}")
    h = positive_float("h", h)
    for name, p in module.named_parameters():
        if p.data.dtype != np.float64:
            raise InvalidArgument(
                f"check_module needs a float64 module, but parameter {name} is {p.data.dtype}: finite "
                f"differences with h={h:g} in {p.data.dtype} are rounding noise (a correct backward shows a "
                "relative error around 1e-2). Build the module with dtype=np.float64 to check it.")
    rng = as_generator(rng)
    X = np.array(float_array("X", X, allow_empty=True), dtype=np.float64, copy=True)
    if X.ndim == 0 or X.shape[0] == 0:
        raise DataError(f"X must have at least one row for check_module, got shape {X.shape}: "
                        "with no rows every gradient is empty and any backward would pass")
    finite_data("X", X)
    Y = module.forward(X, training=training)
    R = rng.standard_normal(np.shape(Y))

    def loss_of_input(x):
        return np.sum(module.forward(x, training=training) * R)

    module.forward(X, training=training)
    dX = module.backward(R)
    analytic = {"input": np.array(dX, copy=True)}
    for name, p in module.named_parameters():
        analytic[name] = np.array(p.grad, copy=True)

    report = GradCheckReport()
    report.results.append(_result("input", analytic["input"], numerical_gradient(loss_of_input, X, h)))
    if params:
        for name, p in [(n, q.data) for n, q in module.named_parameters()]:
            def loss_of_param(v, p=p):
                saved = p.copy()
                p[...] = v
                try:
                    return np.sum(module.forward(X, training=training) * R)
                finally:
                    p[...] = saved
            report.results.append(_result(name, analytic[name], numerical_gradient(loss_of_param, p, h)))
    return report


def check_function(f, grad, x, h: float = 1e-6) -> GradCheckResult:
    """Check a scalar function ``f(x)`` against your gradient ``grad(x)`` (for exercises)."""
    x = np.asarray(x, dtype=np.float64)
    return _result("x", np.asarray(grad(x), dtype=np.float64), numerical_gradient(f, x, h))
