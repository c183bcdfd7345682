r"""Chapter 05: what each term of an update rule does, measured on the 2-D surfaces.

Deterministic (analytic surfaces, fixed starts); the noisy bowl takes a seed. Each function returns
the numbers a claim of the chapter rests on, computed from :func:`optimiser_path` runs of the
library's optimisers.

* :func:`zigzag` -- the steep coordinate's sign flips and size, and progress along the shallow one.
* :func:`step_lengths` -- :math:`\lVert p_t - p_{t-1}\rVert` per step (Adagrad's shrinking step).
* :func:`first_steps` -- the first steps of an optimiser under a constant gradient (Adam's first
  step is :math:`\eta\,\mathrm{sign}(g)`, with or without bias correction).
* :func:`escape_steps` -- steps to leave a saddle.
* :func:`aligned_vs_rotated` -- best steps to a tolerance with the bowl's axes on the coordinate
  axes and turned 45 degrees: per-coordinate scaling helps only in the first case.
* :func:`kappa_sweep_adaptive` -- best steps against the condition number for an adaptive method.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..module import Module
from ..optim import get_optimizer
from .optimisers import _Point, lr_sweep, optimiser_path

__all__ = ["decay_vs_l2", "final_gap_sweep", "zigzag", "step_lengths", "first_steps", "escape_steps", "aligned_vs_rotated", "kappa_sweep_adaptive", "contour_grid",
           "PATH_OPTIMISERS", "path_hyper", "surface_paths",
           "ADAPTIVE_LRS"]

#: learning rates tried for the adaptive methods on the bowls (half decades; for Adagrad on the
#: axis-aligned bowl the best is the largest, and larger rates do as well: its step is eta sign(g) at first)
ADAPTIVE_LRS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


@cached(maxsize=32)
def final_gap_sweep(surface="rosenbrock", optimiser="sgd", lrs=(1e-3, 1.5e-3, 2e-3, 2.5e-3), steps: int = 3000,
                    hyper=None, surface_args=None) -> dict:
    """:math:`f - f^*` after ``steps`` steps for each rate of ``lrs`` (inf where the run diverged):
    ``lrs``, ``gaps``, ``best_lr`` and ``best_gap`` (the lowest final gap: a method's best rate for
    this budget, found rather than assumed)."""
    gaps = []
    for lr in lrs:
        r = optimiser_path(surface, optimiser, float(lr), int(steps), None, hyper, surface_args)
        g = float(r["gap"][-1])
        gaps.append(g if (not r["diverged"] and np.isfinite(g)) else math.inf)
    gaps = np.array(gaps)
    i = int(np.argmin(gaps))
    return {"lrs": np.asarray(lrs, dtype=float), "gaps": gaps, "best_lr": float(lrs[i]), "best_gap": float(gaps[i])}


class _Weights(Module):
    """One weight vector (role "weight", so that weight decay applies to it)."""
    param_roles = {"w": "weight"}

    def __init__(self, w):
        super().__init__()
        self.params = {"w": np.array(w, dtype=np.float64)}
        self.grads = {"w": np.zeros_like(self.params["w"])}


@cached(maxsize=8)
def decay_vs_l2(scales=(1.0, 0.01), lam: float = 0.01, lr: float = 0.01, steps: int = 200) -> dict:
    r"""Weight decay inside Adam (L2: :math:`\lambda w` added to the gradient) against AdamW's decoupled
    decay (:math:`w \leftarrow w - \eta\lambda w`, then Adam), on weights that start at 1 and receive
    gradients alternating in sign, of size ``scales`` (a busy weight and a quiet one). Returns
    ``l2``, ``adamw`` (len(scales),): each weight at the end divided by where it ends without decay
    (1: not decayed), and ``expected`` :math:`(1-\eta\lambda)^{steps}`, AdamW's factor for every weight."""
    sc = np.asarray(scales, dtype=np.float64)
    ends = {}
    for key, name, wd in (("free", "adam", 0.0), ("l2", "adam", lam), ("adamw", "adamw", lam)):
        m = _Weights(np.ones_like(sc))
        opt = get_optimizer(name, m, lr=float(lr), weight_decay=float(wd))
        for t in range(int(steps)):
            m.grads["w"] = sc * (-1.0) ** t
            opt.step()
        ends[key] = m.params["w"].copy()
    return {"l2": ends["l2"] / ends["free"], "adamw": ends["adamw"] / ends["free"],
            "expected": (1 - lr * lam) ** steps, "scales": sc}


def zigzag(optimiser="sgd", lr: float = 0.018, steps: int = 30, hyper=None, kappa: float = 100.0) -> dict:
    """On the axis-aligned bowl (steep axis y, curvature ``kappa``; shallow axis x, curvature 1):
    ``flips`` -- how often the step along y changes sign in ``steps`` steps; ``y_amp`` -- the mean
    :math:`|y|` over the last half; ``x_left`` -- :math:`|x|` after ``steps`` steps relative to the start
    (1: no progress along the valley, 0: arrived); ``path``."""
    r = optimiser_path("quadratic", optimiser, float(lr), int(steps), None, hyper, {"kappa": float(kappa)})
    p = np.asarray(r["path"])
    dy = np.diff(p[:, 1])
    return {"flips": int(np.sum(np.sign(dy[1:]) != np.sign(dy[:-1]))), "y_amp": float(np.mean(np.abs(p[steps // 2:, 1]))),
            "x_left": float(abs(p[-1, 0]) / abs(p[0, 0])), "path": p, "gap": np.asarray(r["gap"])}


def step_lengths(surface="quadratic", optimiser="adagrad", lr: float = 0.3, steps: int = 100, hyper=None,
                 surface_args=None) -> np.ndarray:
    """:math:`\\lVert p_t - p_{t-1}\\rVert` for t = 1..steps (NaN after a divergence)."""
    p = np.asarray(optimiser_path(surface, optimiser, float(lr), int(steps), None, hyper, surface_args)["path"])
    return np.linalg.norm(np.diff(p, axis=0), axis=1)


@cached(maxsize=64)
def first_steps(optimiser="adam", grad=(1.0, 1e-3), lr: float = 0.01, steps: int = 5, hyper=None) -> dict:
    """The first ``steps`` updates :math:`\\Delta_t` of ``optimiser`` when every gradient is ``grad``
    (a constant gradient: a slope), or, if ``grad`` is 2-D (steps, d), the gradient ``grad[t]`` at step
    t (``steps`` is then ignored). Returns ``delta`` (steps, d) and ``ratio`` = :math:`\\Delta_t/\\eta`."""
    g = np.asarray(grad, dtype=np.float64)
    seq = g if g.ndim == 2 else np.broadcast_to(g, (int(steps), len(g)))
    pt = _Point(np.zeros(2))
    pt.params["p"] = np.zeros(seq.shape[1])
    opt = get_optimizer(optimiser, pt, lr=float(lr), **dict(hyper or {}))
    out = []
    for gt in seq:
        before = pt.params["p"].copy()
        pt.grads["p"] = gt.copy()
        opt.step()
        out.append(pt.params["p"] - before)
    d = np.array(out)
    return {"delta": d, "ratio": d / float(lr)}


def escape_steps(optimiser="sgd", lr: float = 0.1, offset: float = 1e-3, steps: int = 400, hyper=None,
                 level: float = 0.5) -> int:
    """Steps until :math:`|y| > ` ``level`` on :class:`~dlcore.surfaces.Saddle` started ``offset`` off the
    ridge (-1: not within ``steps``)."""
    p = np.asarray(optimiser_path("saddle", optimiser, float(lr), int(steps), None, hyper,
                                  {"offset": float(offset)})["path"])
    i = np.nonzero(np.abs(p[:, 1]) > level)[0]
    return int(i[0]) if len(i) else -1


@cached(maxsize=32)
def aligned_vs_rotated(optimisers=("sgd", "adagrad", "rmsprop", "adam"), kappa: float = 100.0, tol: float = 1e-6,
                       max_steps: int = 3000, lrs=ADAPTIVE_LRS) -> dict:
    """For each optimiser the fewest steps to ``tol`` over ``lrs`` (for ``"sgd"`` over fractions of
    :math:`2/\\kappa`), on the bowl with angle 0 and 45 degrees: ``{name: {"aligned", "rotated",
    "aligned_lr", "rotated_lr"}}`` (-1: no rate reached ``tol`` within ``max_steps``)."""
    out = {}
    for name in optimisers:
        grid = tuple(f * 2 / kappa for f in (0.5, 0.8, 0.9, 0.99)) if name == "sgd" else tuple(lrs)
        row = {}
        for key, angle in (("aligned", 0.0), ("rotated", math.pi / 4)):
            sw = lr_sweep("quadratic", name, grid, tol, max_steps, surface_args={"kappa": float(kappa), "angle": angle})
            row[key], row[key + "_lr"] = sw["best_steps"], sw["best_lr"]
        out[name] = row
    return out


@cached(maxsize=16)
def kappa_sweep_adaptive(optimiser="adam", kappas=(10, 30, 100, 300, 1000), angle: float = math.pi / 4,
                         tol: float = 1e-6, max_steps: int = 3000, lrs=ADAPTIVE_LRS, hyper=None) -> dict:
    """Settings ``hyper`` (e.g. ``{"betas": (0.5, 0.999)}``). Fewest steps to ``tol`` over ``lrs`` against :math:`\\kappa` (bowl turned by ``angle``):
    ``steps`` (-1 where no rate reached ``tol`` within ``max_steps``), ``best_lr``, ``kappas``."""
    st, best = [], []
    for k in kappas:
        sw = lr_sweep("quadratic", optimiser, tuple(lrs), tol, max_steps, hyper=hyper,
                      surface_args={"kappa": float(k), "angle": float(angle)})
        st.append(sw["best_steps"])
        best.append(sw["best_lr"])
    return {"kappas": np.asarray(kappas, dtype=float), "steps": np.array(st), "best_lr": np.array(best)}


@cached(maxsize=64)
def contour_grid(surface="quadratic", surface_args=None, n: int = 121, levels: int = 12) -> dict:
    r"""The surface on its plotting window, for contour lines: ``x`` (n,), ``y`` (n,), ``L`` (n, n)
    :math:`\log_{10}(f - f^* + \delta)` (:math:`\delta` a thousandth of the median gap, so the
    minimum's neighbourhood is not all lines), ``levels`` equally spaced between its 2nd and 98th
    percentiles, ``extent`` (x0, x1, y0, y1), ``minima``, ``start``, ``name``."""
    from ..surfaces import get_surface
    s = get_surface(surface, **dict(surface_args or {}))
    X, Y, Z = s.grid(n)
    gap = Z - s.f_min
    L = np.log10(np.maximum(gap, 0) + 1e-3 * max(float(np.percentile(gap, 50)), 1e-12))
    lo, hi = np.percentile(L, [2, 98])
    return {"x": X[0], "y": Y[:, 0], "L": L, "levels": np.linspace(lo, hi, levels), "extent": (*s.xlim, *s.ylim),
            "minima": np.asarray(s.minima), "start": np.asarray(s.start), "name": s.name, "surface": repr(s),
            "params": s.params()}


#: the optimisers the surfaces explorer offers, and how its two shared sliders map onto their settings
PATH_OPTIMISERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamax", "nadam")


def path_hyper(name: str, momentum: float = 0.9, beta2: float = 0.999) -> dict:
    """Settings of ``name`` from the two shared sliders: ``momentum`` is :math:`\\mu` of momentum and
    Nesterov and :math:`\\beta_1` of Adam, Adamax and Nadam; ``beta2`` is :math:`\\rho` of RMSprop and
    :math:`\\beta_2` of the Adam family."""
    if name in ("momentum", "nesterov"):
        return {"momentum": float(momentum)}
    if name == "rmsprop":
        return {"rho": float(beta2)}
    if name in ("adam", "adamax", "nadam"):
        return {"betas": (float(momentum), float(beta2))}
    return {}


def surface_paths(surface="quadratic", surface_args=None, optimisers=("sgd", "momentum", "adam"), lr: float = 0.05,
                  momentum: float = 0.9, beta2: float = 0.999, steps: int = 100) -> dict:
    """Everything the surfaces figure draws: ``grid`` (:func:`contour_grid`), ``paths`` ``{name:
    optimiser_path(...)}`` for each of ``optimisers`` at rate ``lr`` (settings from :func:`path_hyper`),
    ``f_min`` and ``settings``."""
    sa = dict(surface_args or {})
    from ..surfaces import get_surface
    paths = {name: optimiser_path(surface, name, float(lr), int(steps), None, path_hyper(name, momentum, beta2), sa)
             for name in optimisers}
    grid_sa = {k: v for k, v in sa.items() if k in ("kappa", "angle")} if surface == "noisy" else sa
    grid = contour_grid("quadratic" if surface == "noisy" else surface, grid_sa)    # the noise is not in f
    return {"grid": grid, "paths": paths, "f_min": get_surface(surface, **sa).f_min,
            "settings": {"lr": float(lr), "momentum": float(momentum), "beta2": float(beta2), "steps": int(steps)}}
