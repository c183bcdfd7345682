r"""Chapter 05: why normalising the inputs speeds up gradient descent (the zig-zag).

Linear least squares with two features and a bias, :math:`\theta = (w_1, w_2, b)`,
:math:`A = [X, \mathbf 1]`,

.. math::
    L(\theta) = \frac1{2n}\lVert A\theta - y\rVert^2, \qquad \nabla L = \frac1n A^\top(A\theta - y),
    \qquad H = \frac1n A^\top A .

Gradient descent from :math:`\theta_0 = 0` with a fixed rate :math:`\eta` moves each eigen-direction
of :math:`H` (curvature :math:`\lambda_i`) by the factor :math:`1-\eta\lambda_i` per step, so

.. math::
    L(\theta_k) - L^* = \tfrac12 \sum_i \lambda_i\, (1-\eta\lambda_i)^{2k}\, c_i^2, \qquad
    c_i = v_i^\top(\theta_0 - \theta^*),

and at its best fixed rate :math:`\eta = 2/(\lambda_{max}+\lambda_{min})` the error shrinks by
:math:`(\kappa-1)/(\kappa+1)` per step: the steps needed grow like the condition number
:math:`\kappa = \lambda_{max}/\lambda_{min}` of :math:`A^\top A`. Features on different scales
(and far from 0, which couples them to the bias) make :math:`\kappa` large; the rate is then set
by the steep direction and the descent crawls, zig-zagging, along the shallow one.

Scalings (statistics of the training set): ``"raw"``; ``"zscore"``
:math:`(x-\bar x)/s`; ``"minmax"`` :math:`(x-\min)/(\max-\min)` (range [0, 1], mean not removed).
The scaled problem has the same predictions, :math:`L(0)` and :math:`L^*` (an affine change of
each feature is absorbed by the weights and the bias), so step counts compare like with like.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..rng import as_generator
from .common import SEEDS

__all__ = ["SCALINGS", "PARTIAL_SCALINGS", "scale_features", "least_squares_problem", "gd_steps_closed_form", "gd_path",
           "normalisation_gd", "normalisation_table"]

SCALINGS = ("raw", "zscore", "minmax")
#: z-score's two halves alone: subtract the mean (``"centre"``) or divide by the sd (``"scale"``)
PARTIAL_SCALINGS = ("centre", "scale")


def scale_features(X, scheme: str) -> np.ndarray:
    """``X`` (n, d) scaled column by column with the statistics of ``X`` itself."""
    X = np.asarray(X, dtype=np.float64)
    if scheme == "raw":
        return X.copy()
    if scheme == "zscore":
        s = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(s > 0, s, 1.0)
    if scheme == "minmax":
        lo, hi = X.min(axis=0), X.max(axis=0)
        return (X - lo) / np.where(hi > lo, hi - lo, 1.0)
    if scheme == "centre":
        return X - X.mean(axis=0)
    if scheme == "scale":
        s = X.std(axis=0)
        return X / np.where(s > 0, s, 1.0)
    raise ValueError(f"unknown scaling {scheme!r}; known: {', '.join(SCALINGS + PARTIAL_SCALINGS)}")


def least_squares_problem(rng=0, n: int = 200, means=(50.0, 2.0), sds=(10.0, 0.5), corr: float = 0.0,
                          weights=(0.1, 2.0), bias: float = 1.0, noise: float = 0.5):
    """Features ``X`` (n, 2): normal with the given ``means``, ``sds`` and correlation ``corr``
    (think "age in years" and "rooms"); targets :math:`y = Xw + b + \\text{noise}`. Returns ``(X, y)``."""
    if not (-1 < corr < 1):
        raise ValueError(f"corr must lie in (-1, 1), got {corr}")
    g = as_generator(rng)
    Z = g.standard_normal((n, 2))
    Z[:, 1] = corr * Z[:, 0] + math.sqrt(1 - corr ** 2) * Z[:, 1]
    X = np.asarray(means) + np.asarray(sds) * Z
    y = X @ np.asarray(weights, dtype=np.float64) + bias + noise * g.standard_normal(n)
    return X, y


def gd_steps_closed_form(H, theta_star, lr: float, tol: float, theta0=None) -> int:
    """The first ``k`` with :math:`(L(\\theta_k)-L^*)/(L(\\theta_0)-L^*) \\le` ``tol`` for gradient descent
    on :math:`\\tfrac12(\\theta-\\theta^*)^\\top H(\\theta-\\theta^*)` (exact, by bisection on the
    eigen-decomposition: the sum of decaying modes is monotone); -1 if ``lr`` is unstable."""
    lam, V = np.linalg.eigh(np.asarray(H, dtype=np.float64))
    theta0 = np.zeros_like(theta_star) if theta0 is None else theta0
    c = V.T @ (np.asarray(theta0, dtype=np.float64) - theta_star)
    w = 0.5 * lam * c ** 2
    g0 = w.sum()
    f = np.abs(1 - lr * lam)
    if np.any(f[w > 0] >= 1):
        return -1

    def rel(k):
        return float(np.sum(w * f ** (2.0 * k)) / g0)

    if rel(0) <= tol:
        return 0
    hi = 1
    while rel(hi) > tol:
        hi *= 2
    lo = hi // 2                                       # rel(lo) > tol >= rel(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if rel(mid) > tol else (lo, mid)
    return hi


def gd_path(A, y, lr: float, steps: int) -> np.ndarray:
    """Gradient descent on :math:`\\frac1{2n}\\lVert A\\theta-y\\rVert^2` from 0: the parameters (steps+1, d)."""
    n, d = A.shape
    G, r = A.T @ A / n, A.T @ y / n
    th = np.zeros(d)
    out = [th]
    for _ in range(int(steps)):
        th = th - lr * (G @ th - r)
        out.append(th)
    return np.array(out)


@cached(maxsize=128)
def normalisation_gd(scheme: str = "raw", rng=0, n: int = 200, means=(50.0, 2.0), sds=(10.0, 0.5),
                     corr: float = 0.0, tol: float = 1e-6, path_steps: int = 50) -> dict:
    """Gradient descent at its best fixed rate on one least-squares problem, features scaled by ``scheme``.

    Returns ``cond`` (condition number of :math:`A^\\top A`, bias column included), ``eigenvalues``
    of :math:`H = A^\\top A/n`, ``lr`` = :math:`2/(\\lambda_{max}+\\lambda_{min})`, ``steps`` (until the
    loss gap is ``tol`` times the initial one; exact, :func:`gd_steps_closed_form`), ``H``,
    ``theta_star``, and the first ``path_steps`` steps of the actual descent: ``path``
    (path_steps+1, 3) and ``rel_gap`` (path_steps+1,) the loss gap relative to the start.
    """
    X, y = least_squares_problem(rng, n, means, sds, corr)
    A = np.column_stack([scale_features(X, scheme), np.ones(len(X))])
    H = A.T @ A / len(A)
    theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
    lam = np.linalg.eigvalsh(H)
    lr = 2.0 / (lam[-1] + lam[0])
    path = gd_path(A, y, lr, path_steps)
    E = path - theta_star
    gaps = 0.5 * np.einsum("ki,ij,kj->k", E, H, E)
    return {"scheme": scheme, "cond": float(lam[-1] / lam[0]), "eigenvalues": lam, "lr": lr,
            "steps": gd_steps_closed_form(H, theta_star, lr, tol), "H": H, "theta_star": theta_star,
            "path": path, "rel_gap": gaps / gaps[0]}


@cached(maxsize=32)
def normalisation_table(seeds=SEEDS, schemes=SCALINGS, n: int = 200, means=(50.0, 2.0), sds=(10.0, 0.5),
                        corr: float = 0.0, tol: float = 1e-6) -> dict:
    """:func:`normalisation_gd` over ``seeds`` for each scheme: ``{scheme: {"cond": (n_seeds,),
    "steps": (n_seeds,)}}`` plus ``seeds``."""
    out = {"seeds": np.asarray(seeds)}
    for sc in schemes:
        runs = [normalisation_gd(sc, s, n, means, sds, corr, tol) for s in seeds]
        out[sc] = {"cond": np.array([r["cond"] for r in runs]), "steps": np.array([r["steps"] for r in runs])}
    return out
