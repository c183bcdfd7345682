r"""Chapter 05 experiments: optimisers on 2-D surfaces, and how fast gradient descent converges.

Everything here is deterministic (analytic surfaces, fixed starting points): no seeds. The
optimisers are the library's own (:mod:`dlcore.optim`), driven through a one-parameter module
holding the point :math:`p = (x, y)`, so what the pictures show is what ``fit`` does to a net.

* :func:`optimiser_path` -- the path of one optimiser on one surface, ``steps`` steps.
* :func:`steps_to_tolerance` -- how many steps until :math:`f - f^*` falls below ``tol`` for good.
* :func:`lr_sweep` -- that count over a grid of learning rates (the best fixed rate of a method).
* :func:`kappa_sweep` -- steps to ``tol`` against the condition number :math:`\kappa` for gradient
  descent at its best rate :math:`2/(1+\kappa)` (steps grow like :math:`\kappa`), heavy-ball
  momentum with Polyak's tuning (like :math:`\sqrt\kappa`) and momentum 0.9 at its best rate.

Input normalisation (the zig-zag) is in :mod:`dlcore.experiments.normalisation`.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..module import Module
from ..optim import get_optimizer
from ..schedules import get_schedule
from ..surfaces import get_surface

__all__ = ["momentum_kappa_limit", "optimiser_path", "steps_to_tolerance", "settle_step", "lr_sweep", "kappa_sweep", "polyak_momentum",
           "notes_adadelta_path", "DIVERGED"]

#: a point farther than this from the origin counts as diverged (the run stops there)
DIVERGED = 1e6


class _Point(Module):
    """The point (x, y) as the one parameter of a module, so that any dlcore optimiser can move it."""
    param_roles = {"p": "other"}

    def __init__(self, p):
        super().__init__()
        self.params = {"p": np.array(p, dtype=np.float64)}
        self.grads = {"p": np.zeros(2)}


def _setup(surface, optimiser, lr, start, hyper, surface_args):
    s = get_surface(surface, **dict(surface_args or {}))
    p0 = s.start if start is None else np.asarray(start, dtype=np.float64)
    pt = _Point(p0)
    opt = get_optimizer(optimiser, pt, lr=lr, **dict(hyper or {}))
    return s, pt, opt


def _step(s, pt, opt):
    """One optimiser step; False if the point left the finite world."""
    pt.grads["p"] = s._g(pt.params["p"])
    opt.step()
    return bool(np.all(np.abs(pt.params["p"]) < DIVERGED))        # False for NaN too


@cached(maxsize=512)
def optimiser_path(surface="quadratic", optimiser="sgd", lr: float = 0.01, steps: int = 100, start=None,
                   hyper=None, surface_args=None, schedule=None) -> dict:
    """Run ``optimiser`` (a name of :data:`dlcore.optim.OPTIMIZERS`, with ``hyper`` keywords such as
    ``{"momentum": 0.9}``) for ``steps`` steps on ``surface`` (a name of
    :data:`dlcore.surfaces.SURFACES`, settings in ``surface_args``), from ``start`` (default: the
    surface's own). ``schedule``: a spec ``(name, {settings})`` for :func:`dlcore.schedules.get_schedule`
    (started at ``lr``), e.g. ``("cosine", {"total": 500})``; the rate is set before each step.

    Returns ``path`` (steps+1, 2), ``loss`` (steps+1,) :math:`f(p_t)`, ``gap`` :math:`f(p_t) - f^*`,
    ``diverged`` (the point went beyond :data:`DIVERGED` or to NaN; the rest of the path is NaN)
    and ``surface`` (its repr).
    """
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"steps must be a non-negative int, got {steps!r}")
    s, pt, opt = _setup(surface, optimiser, lr, start, hyper, surface_args)
    sched = None if schedule is None else get_schedule(schedule[0], lr, **dict(schedule[1]))
    path = np.full((steps + 1, 2), np.nan)
    path[0] = pt.params["p"]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            if sched is not None:
                opt.lr = sched(t)
            if not _step(s, pt, opt):
                diverged = True
                break
            path[t + 1] = pt.params["p"]
        loss = s.value(path)
    return {"path": path, "loss": loss, "gap": loss - s.f_min, "diverged": diverged, "surface": repr(s)}


def settle_step(gap, tol: float) -> int:
    """The first index from which ``gap`` stays <= ``tol`` to the end of the array; -1 if the last
    value is above ``tol`` (or NaN). A momentum method's loss can dip below ``tol`` for one step while
    it still swings (both coordinates crossing 0 together), so "reached" means "stays"."""
    gap = np.asarray(gap, dtype=np.float64)
    ok = gap <= tol                               # NaN compares False
    if len(ok) == 0 or not ok[-1]:
        return -1
    bad = np.nonzero(~ok)[0]
    return int(bad[-1] + 1) if len(bad) else 0


@cached(maxsize=2048)
def steps_to_tolerance(surface="quadratic", optimiser="sgd", lr: float = 0.01, tol: float = 1e-6,
                       max_steps: int = 10_000, start=None, hyper=None, surface_args=None) -> dict:
    """Steps until :math:`f - f^*` stays below ``tol``: the run stops once the gap has been below
    ``tol/100`` for 10 steps in a row (or after ``max_steps``), and the answer is
    :func:`settle_step` of the gaps so far.

    Returns ``steps`` (-1 if not reached), ``reached``, ``diverged``, ``ran`` (steps run) and
    ``final_gap``.
    """
    s, pt, opt = _setup(surface, optimiser, lr, start, hyper, surface_args)
    gaps = [float(s.value(pt.params["p"]) - s.f_min)]
    diverged, below = False, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(max_steps)):
            if not _step(s, pt, opt):
                diverged = True
                break
            gaps.append(float(s._f(pt.params["p"])) - s.f_min)
            below = below + 1 if gaps[-1] <= tol / 100 else 0
            if below >= 10:
                break
    k = -1 if diverged else settle_step(gaps, tol)
    return {"steps": k, "reached": k >= 0, "diverged": diverged, "ran": len(gaps) - 1,
            "final_gap": gaps[-1] if not diverged else math.inf}


@cached(maxsize=256)
def lr_sweep(surface="quadratic", optimiser="sgd", lrs=(0.01,), tol: float = 1e-6, max_steps: int = 10_000,
             start=None, hyper=None, surface_args=None) -> dict:
    """:func:`steps_to_tolerance` for each learning rate of ``lrs``.

    Returns ``lrs``, ``steps`` (int array, -1 where not reached), ``diverged`` (bool array),
    ``best_lr`` and ``best_steps`` (the fewest steps; NaN and -1 if no rate reached ``tol``).
    """
    lrs = np.asarray(lrs, dtype=np.float64)
    runs = [steps_to_tolerance(surface, optimiser, float(lr), tol, max_steps, start, hyper, surface_args)
            for lr in lrs]
    steps = np.array([r["steps"] for r in runs], dtype=int)
    ok = steps >= 0
    if ok.any():
        i = int(np.argmin(np.where(ok, steps, np.iinfo(int).max)))
        best_lr, best_steps = float(lrs[i]), int(steps[i])
    else:
        best_lr, best_steps = math.nan, -1
    return {"lrs": lrs, "steps": steps, "diverged": np.array([r["diverged"] for r in runs]),
            "best_lr": best_lr, "best_steps": best_steps}


def polyak_momentum(kappa: float, L: float | None = None) -> dict:
    r"""Polyak's optimal heavy-ball settings for a quadratic with curvatures in :math:`[\mu, L]`,
    :math:`\kappa = L/\mu` (default :math:`\mu = 1`, :math:`L = \kappa`, as :class:`~dlcore.surfaces.Quadratic`):
    :math:`\eta = 4/(\sqrt L + \sqrt\mu)^2`, :math:`\beta = \big((\sqrt\kappa-1)/(\sqrt\kappa+1)\big)^2`,
    and the rate :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)` at which the error then shrinks per step
    (gradient descent's best is :math:`(\kappa-1)/(\kappa+1)`)."""
    kappa = float(kappa)
    L = kappa if L is None else float(L)
    mu, sq = L / kappa, math.sqrt(kappa)
    return {"lr": 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, "momentum": ((sq - 1) / (sq + 1)) ** 2,
            "rate": (sq - 1) / (sq + 1), "gd_lr": 2 / (L + mu), "gd_rate": (kappa - 1) / (kappa + 1)}


def momentum_kappa_limit(mu: float = 0.9) -> float:
    r"""The largest condition number for which heavy-ball momentum with a *fixed* :math:`\mu` can reach
    its floor rate :math:`\sqrt\mu` per step: both roots of every direction's recurrence
    :math:`z^2 - (1+\mu-\eta\lambda)z + \mu` are complex (modulus :math:`\sqrt\mu`) for all
    :math:`\lambda \in [\ell, L]` iff :math:`(1-\sqrt\mu)^2 < \eta\ell` and :math:`\eta L < (1+\sqrt\mu)^2`,
    possible iff :math:`\kappa < ((1+\sqrt\mu)/(1-\sqrt\mu))^2` (about 1443 for :math:`\mu = 0.9`).
    Beyond it some direction has a real root larger than :math:`\sqrt\mu` and the steps grow with
    :math:`\kappa` again, unless :math:`\mu` grows with it (Polyak's tuning)."""
    r = math.sqrt(float(mu))
    return ((1 + r) / (1 - r)) ** 2


@cached(maxsize=32)
def kappa_sweep(kappas=(10, 30, 100, 300, 1000), tol: float = 1e-6, angle: float = 0.0,
                momentum_fracs=tuple(np.round(np.linspace(0.1, 1.9, 19), 2))) -> dict:
    r"""Steps for :math:`f - f^*` to stay below ``tol`` on :class:`~dlcore.surfaces.Quadratic` (start
    :math:`f = 4`) against :math:`\kappa`, for

    * ``gd``: gradient descent at its best fixed rate :math:`2/(1+\kappa)`;
    * ``polyak``: heavy ball with Polyak's :math:`\eta, \beta` (:func:`polyak_momentum`);
    * ``momentum``: heavy ball with :math:`\beta=0.9`, at the best rate of the grid
      ``momentum_fracs`` x :math:`2/\kappa` (``momentum_lr`` holds it);

    and the theoretical counts :math:`\ln(f_0/\mathrm{tol}) / (2\ln(1/r))` for the rates ``r``
    of the first two (``gd_theory``, ``polyak_theory``).
    """
    out = {k: [] for k in ("gd", "polyak", "momentum", "momentum_lr", "gd_theory", "polyak_theory")}
    for kappa in kappas:
        sa = {"kappa": float(kappa), "angle": float(angle)}
        pk = polyak_momentum(kappa)
        steps_max = int(20 * kappa + 1000)
        out["gd"].append(steps_to_tolerance("quadratic", "sgd", pk["gd_lr"], tol, steps_max, surface_args=sa)["steps"])
        out["polyak"].append(steps_to_tolerance("quadratic", "momentum", pk["lr"], tol, steps_max,
                                                hyper={"momentum": pk["momentum"]}, surface_args=sa)["steps"])
        sw = lr_sweep("quadratic", "momentum", tuple(f * 2 / kappa for f in momentum_fracs), tol, steps_max,
                      hyper={"momentum": 0.9}, surface_args=sa)
        out["momentum"].append(sw["best_steps"])
        out["momentum_lr"].append(sw["best_lr"])
        f0 = 4.0
        out["gd_theory"].append(math.log(f0 / tol) / (2 * math.log(1 / pk["gd_rate"])))
        out["polyak_theory"].append(math.log(f0 / tol) / (2 * math.log(1 / pk["rate"])))
    res = {k: np.array(v) for k, v in out.items()}
    res["kappas"] = np.asarray(kappas, dtype=np.float64)
    return res


@cached(maxsize=32)
def notes_adadelta_path(surface="quadratic", steps: int = 100, rho: float = 0.95, eps: float = 1e-6,
                        start=None, surface_args=None) -> dict:
    r"""The notes' "Adadelta" taken literally (an errata experiment), beside the real one.

    The notes write :math:`\Delta x_t = -\sqrt{\sum_{r=1}^{t-1}\Delta x_r}\,/\sqrt{E[g^2]_t+\epsilon}`:
    a sum of past *updates* (not a running average of their squares) and no :math:`g_t`. The sum is
    empty at :math:`t = 1`, so the first update is 0, and so is every later one: the point never
    moves. (Were it to move, the update would not depend on the gradient's sign, and the sum of
    signed updates could go negative under the root.) Returns ``notes`` (steps+1, 2), the literal
    rule's path, and ``adadelta`` (steps+1, 2), :class:`dlcore.optim.Adadelta`'s.
    """
    s = get_surface(surface, **dict(surface_args or {}))
    p = (s.start if start is None else np.asarray(start, dtype=np.float64)).copy()
    eg2, total = np.zeros(2), np.zeros(2)
    path = [p.copy()]
    with np.errstate(invalid="ignore"):
        for _ in range(int(steps)):
            g = s.grad(p)
            eg2 = rho * eg2 + (1 - rho) * g * g
            dx = -np.sqrt(total) / np.sqrt(eg2 + eps)
            total = total + dx
            p = p + dx
            path.append(p.copy())
    real = optimiser_path(surface, "adadelta", 1.0, steps, start, {"rho": rho, "eps": eps}, surface_args)["path"]
    return {"notes": np.array(path), "adadelta": np.array(real)}
