"""Hyper-parameter search (chapter 10): grid, random, and a model-based search (TPE), in NumPy.

A search space is a dict of dimensions, each mapping a *unit coordinate* ``u`` in [0, 1) to a value::

    space = {"lr": LogUniform(1e-4, 1.0), "width": Choice([16, 32, 64]), "wd": Uniform(0, 0.1),
             "layers": Int(1, 4)}
    r = search(objective, space, method="tpe", budget=30, rng=0)   # objective(params) -> loss to minimise
    r["best"], r["best_value"], r["best_so_far"]

* ``"grid"``: every combination of ``k_i`` evenly spaced levels per dimension (``(j + 1/2)/k_i`` in unit
  coordinates), the ``k_i`` as equal as the budget allows (``prod k_i <= budget``).
* ``"random"``: each trial's unit coordinates uniform and independent.
* ``"tpe"``: the Tree-structured Parzen Estimator of Bergstra, Bardenet, Bengio and Kégl (NeurIPS 2011),
  as hyperopt and optuna implement it, reduced to its core: after ``n_startup`` random trials, the
  trials are split at the ``gamma`` quantile of their losses into good and bad; per dimension a Parzen
  density ``l(u)`` (good) and ``g(u)`` (bad) is built from Gaussians centred on the trials (widths from
  the gaps to the neighbouring trials), each with a flat prior component; ``n_candidates`` points are drawn
  from ``l`` and the one with the largest ``l(u)/g(u)`` (the expected-improvement criterion of the
  paper) is evaluated next. A :class:`Choice` is categorical: its ``l`` and ``g`` are smoothed counts.

Why not optuna or hyperopt: dlcore is NumPy-only (optuna pulls in SQLAlchemy, alembic, colorlog, tqdm,
PyYAML; hyperopt pulls in networkx, cloudpickle, scipy), and the chapter wants the method on one page.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import InvalidArgument, InvalidType
from .rng import as_generator
from .validate import show

__all__ = ["Dim", "Uniform", "LogUniform", "Int", "Choice", "METHODS", "grid_levels", "grid_points",
           "search", "best_so_far"]

METHODS = ("grid", "random", "tpe")


class Dim:
    """A dimension of a search space: ``value(u)`` for a unit coordinate ``u`` in [0, 1)."""
    categorical = False
    n_values: int | None = None           # a finite number of distinct values (None: continuous)

    def value(self, u: float):
        raise NotImplementedError


class Uniform(Dim):
    """A real value uniform in ``[low, high]``."""

    def __init__(self, low: float, high: float):
        self.low, self.high = _bounds(low, high)

    def value(self, u):
        return float(self.low + (self.high - self.low) * u)

    def __repr__(self):
        return f"Uniform({self.low:g}, {self.high:g})"


class LogUniform(Dim):
    """A positive value whose logarithm is uniform in ``[log low, log high]`` (learning rates, decays)."""

    def __init__(self, low: float, high: float):
        self.low, self.high = _bounds(low, high)
        if self.low <= 0:
            raise InvalidArgument(f"LogUniform needs 0 < low, got low={show(low)}")

    def value(self, u):
        return float(math.exp(math.log(self.low) + (math.log(self.high) - math.log(self.low)) * u))

    def __repr__(self):
        return f"LogUniform({self.low:g}, {self.high:g})"


class Int(Dim):
    """An integer in ``low..high`` (both included), each equally likely under random search."""

    def __init__(self, low: int, high: int):
        for n, v in (("low", low), ("high", high)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
                raise InvalidType(f"Int needs integer bounds, got {n}={show(v)}")
        if high < low:
            raise InvalidArgument(f"Int needs low <= high, got {low}, {high}")
        self.low, self.high = int(low), int(high)
        self.n_values = self.high - self.low + 1

    def value(self, u):
        return self.low + min(int(u * self.n_values), self.n_values - 1)

    def __repr__(self):
        return f"Int({self.low}, {self.high})"


class Choice(Dim):
    """One of ``values`` (unordered: the model-based search treats it as categorical)."""
    categorical = True

    def __init__(self, values):
        values = list(values)
        if not values:
            raise InvalidArgument("Choice needs at least one value")
        self.values = values
        self.n_values = len(values)

    def value(self, u):
        return self.values[min(int(u * self.n_values), self.n_values - 1)]

    def index(self, u):
        return np.minimum((np.asarray(u) * self.n_values).astype(int), self.n_values - 1)

    def __repr__(self):
        return f"Choice({self.values!r})"


def _bounds(low, high):
    for n, v in (("low", low), ("high", high)):
        if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, bool) or not np.isfinite(v):
            raise InvalidType(f"a bound must be a finite number, got {n}={show(v)}")
    if not high > low:
        raise InvalidArgument(f"need low < high, got low={show(low)}, high={show(high)}")
    return float(low), float(high)


def _check_space(space) -> list[tuple[str, Dim]]:
    if not isinstance(space, dict) or not space:
        raise InvalidType(f"space must be a non-empty dict name -> Dim, got {show(space)}")
    for k, d in space.items():
        if not isinstance(d, Dim):
            raise InvalidType(f"space[{k!r}] must be a Uniform, LogUniform, Int or Choice, got {show(d)}")
    return list(space.items())


def grid_levels(space, budget: int) -> list[int]:
    """Levels per dimension of the largest grid of at most ``budget`` points, as equal as possible
    (a dimension with ``n`` distinct values gets at most ``n``): raise the smallest until none fits."""
    dims = _check_space(space)
    levels = [1] * len(dims)
    caps = [d.n_values or budget for _, d in dims]
    while True:
        order = sorted((lv, i) for i, lv in enumerate(levels) if lv < caps[i])
        grown = False
        for _, i in order:
            if math.prod(levels) // levels[i] * (levels[i] + 1) <= budget:
                levels[i] += 1
                grown = True
                break
        if not grown:
            return levels


def grid_points(space, budget: int) -> np.ndarray:
    """Unit coordinates ``(n, d)`` of the grid :func:`grid_levels` chooses: level ``j`` of ``k`` at ``(j + 1/2)/k``."""
    axes = [(np.arange(k) + 0.5) / k for k in grid_levels(space, budget)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def _params(dims, u):
    return {k: d.value(float(x)) for (k, d), x in zip(dims, u)}


# ------------------------------------------------------------------ TPE
def _parzen(points, prior_weight=1.0):
    """Centres, widths and weights of a 1-D Parzen mixture on [0, 1] with a flat prior N(1/2, 1)."""
    pts = np.sort(np.asarray(points, float))
    n = len(pts)
    mus = np.concatenate((pts, [0.5]))
    if n:
        ext = np.concatenate(([0.0], pts, [1.0]))
        sig = np.maximum(ext[1:-1] - ext[:-2], ext[2:] - ext[1:-1])
        sig = np.clip(sig, 1.0 / min(100.0, 1.0 + n), 1.0)
    else:
        sig = np.zeros(0)
    sigmas = np.concatenate((sig, [1.0]))
    w = np.concatenate((np.ones(n), [prior_weight]))
    return mus, sigmas, w / w.sum()


_SQRT2 = math.sqrt(2.0)


def _phi(x):
    x = np.asarray(x, float)
    return 0.5 * (1.0 + np.fromiter((math.erf(v / _SQRT2) for v in x.ravel()), float, x.size).reshape(x.shape))


def _log_density(x, mus, sigmas, w):
    """Log density at ``x`` of the mixture truncated to [0, 1] (each component renormalised)."""
    x = np.asarray(x, float)[:, None]
    mass = _phi((1 - mus) / sigmas) - _phi(-mus / sigmas)
    comp = np.exp(-0.5 * ((x - mus) / sigmas) ** 2) / (sigmas * math.sqrt(2 * math.pi) * mass)
    return np.log((comp * w).sum(axis=1) + 1e-300)      # no BLAS: the same on every kernel


def _sample(gen, n, mus, sigmas, w):
    k = gen.choice(len(w), size=n, p=w)
    out = gen.normal(mus[k], sigmas[k])
    for _ in range(20):                    # redraw those outside [0, 1): the truncated mixture
        bad = (out < 0) | (out >= 1)
        if not bad.any():
            break
        out[bad] = gen.normal(mus[k[bad]], sigmas[k[bad]])
    return np.clip(out, 0.0, np.nextafter(1.0, 0.0))


def tpe_suggest(dims, U, losses, gen, gamma=0.25, n_candidates=24) -> np.ndarray:
    """The next trial's unit coordinates from the trials so far (``U (n, d)``, ``losses (n,)``)."""
    U, losses = np.asarray(U, float), np.asarray(losses, float)
    losses = np.where(np.isfinite(losses), losses, np.inf)
    n_good = max(1, int(math.ceil(gamma * len(losses))))
    order = np.argsort(losses, kind="stable")
    good, bad = U[order[:n_good]], U[order[n_good:]]
    cand = np.empty((n_candidates, len(dims)))
    score = np.zeros(n_candidates)
    for j, (_, d) in enumerate(dims):
        if d.categorical:
            m = d.n_values
            cl = np.bincount(d.index(good[:, j]), minlength=m) + 1.0
            cg = np.bincount(d.index(bad[:, j]), minlength=m) + 1.0
            pl, pg = cl / cl.sum(), cg / cg.sum()
            idx = gen.choice(m, size=n_candidates, p=pl)
            cand[:, j] = (idx + 0.5) / m
            score += np.log(pl[idx]) - np.log(pg[idx])
        else:
            lm = _parzen(good[:, j])
            gm = _parzen(bad[:, j])
            x = _sample(gen, n_candidates, *lm)
            cand[:, j] = x
            score += _log_density(x, *lm) - _log_density(x, *gm)
    return cand[int(np.argmax(score))]


# ------------------------------------------------------------------ search
def best_so_far(values) -> np.ndarray:
    """Running minimum of the losses (NaN counts as no improvement)."""
    v = np.asarray(values, float)
    return np.fmin.accumulate(np.where(np.isfinite(v), v, np.inf))


def search(objective, space, method: str = "random", budget: int = 20, rng=0, n_startup: int = 5,
           gamma: float = 0.25, n_candidates: int = 24) -> dict:
    """Minimise ``objective(params)`` over ``space`` with ``budget`` evaluations (grid: at most that many).

    Returns ``params`` (list of dicts, in the order evaluated), ``u`` (their unit coordinates, ``(n, d)``),
    ``values`` (the losses), ``best_so_far`` (running minimum), ``best`` (params of the smallest loss),
    ``best_value``, ``method``, ``levels`` (grid only). ``rng`` (seed or Generator) draws the random and
    TPE trials; the grid is deterministic.
    """
    dims = _check_space(space)
    if method not in METHODS:
        raise InvalidArgument(f"method must be one of {', '.join(METHODS)}, got {show(method)}")
    if not isinstance(budget, (int, np.integer)) or isinstance(budget, bool) or budget < 1:
        raise InvalidArgument(f"budget must be an int >= 1, got {show(budget)}")
    if not callable(objective):
        raise InvalidType(f"objective must be a function params -> loss, got {show(objective)}")
    gen = as_generator(rng)
    out = {"method": method}
    if method == "grid":
        U = grid_points(space, int(budget))
        out["levels"] = grid_levels(space, int(budget))
        values = [float(objective(_params(dims, u))) for u in U]
    else:
        U, values = [], []
        for t in range(int(budget)):
            if method == "random" or t < n_startup:
                u = gen.random(len(dims))
            else:
                u = tpe_suggest(dims, np.array(U), np.array(values), gen, gamma, n_candidates)
            U.append(u)
            values.append(float(objective(_params(dims, u))))
        U = np.array(U)
    values = np.array(values, float)
    out.update(u=U, values=values, best_so_far=best_so_far(values), params=[_params(dims, u) for u in U])
    i = int(np.argmin(np.where(np.isfinite(values), values, np.inf)))
    out.update(best=out["params"][i], best_value=float(values[i]))
    return out
