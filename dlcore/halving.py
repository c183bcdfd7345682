"""Successive halving and Hyperband (chapter 10): stop bad configurations early, give their budget to good ones.

Successive halving (Jamieson & Talwalkar, AISTATS 2016; in the form of Li et al., JMLR 2018) draws ``n``
configurations at random, trains each with a small *resource* ``r0`` (training steps, epochs, a fraction
of a full training), keeps the best ``1/eta`` of them, trains the survivors with ``eta`` times the
resource, and so on: rung ``i`` evaluates ``n_i = floor(n / eta**i)`` configurations at
``r_i = r0 * eta**i``, until one is left (or the next rung would exceed ``max_resource``)::

    r = successive_halving(objective, space, n=27, min_resource=1, eta=3, rng=0)
    # objective(params, resource, seed) -> validation score (HIGHER is better)
    r["best"], r["best_score"], r["rungs"], r["cost"]

Each rung costs about the same, ``n_i * r_i ~ n * r0``, so the whole run costs
``sum_i n_i * r_i`` (:func:`halving_cost`): every evaluation counted from scratch, as in the papers;
``resume=True`` counts only the extra resource of a promoted configuration (``n_i * (r_i - r_{i-1})``),
what a run that keeps training the survivors spends. ``objective`` receives the configuration's own
``seed`` (the same int at every rung), so a from-scratch retraining at a larger resource repeats the
same initial weights and batch order.

Hyperband (:func:`hyperband`) hedges over how aggressive to be: brackets ``s = s_max .. 0`` run
successive halving with ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations from
``max_resource / eta**s``; bracket 0 is plain random search at the full resource.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import InvalidArgument, InvalidType
from .rng import as_generator
from .search import _check_space, _params
from .validate import show

__all__ = ["rung_plan", "halving_cost", "successive_halving", "hyperband_brackets", "hyperband"]


def _count(name, v, low):
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise InvalidType(f"{name} must be an int, got {show(v)}")
    if v < low:
        raise InvalidArgument(f"{name} must be >= {low}, got {v}")
    return int(v)


def _resource(name, v):
    if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, bool):
        raise InvalidType(f"{name} must be a number, got {show(v)}")
    if not (np.isfinite(v) and v > 0):
        raise InvalidArgument(f"{name} must be a finite number > 0, got {show(v)}")
    return float(v)


def rung_plan(n: int, min_resource: float, eta: int = 3, max_resource: float | None = None) -> list[tuple[int, float]]:
    """``[(n_i, r_i), ...]``: how many configurations rung ``i`` evaluates, and with what resource.

    ``n_i = n // eta**i``, ``r_i = min_resource * eta**i``; rungs go on while ``n_i >= 1`` and (if
    ``max_resource`` is given) ``r_i <= max_resource``."""
    n = _count("n", n, 1)
    eta = _count("eta", eta, 2)
    r0 = _resource("min_resource", min_resource)
    if max_resource is not None:
        rmax = _resource("max_resource", max_resource)
        if r0 > rmax * (1 + 1e-12):
            raise InvalidArgument(f"min_resource ({r0:g}) must be <= max_resource ({rmax:g})")
    plan, i = [], 0
    while n // eta ** i >= 1:
        r = r0 * eta ** i
        if max_resource is not None and r > float(max_resource) * (1 + 1e-12):
            break
        plan.append((n // eta ** i, r))
        i += 1
    return plan


def halving_cost(n: int, min_resource: float, eta: int = 3, max_resource: float | None = None,
                 resume: bool = False) -> float:
    """Total resource of one run: ``sum_i n_i r_i`` (each rung from scratch), or with ``resume``
    ``n_0 r_0 + sum_{i>0} n_i (r_i - r_{i-1})`` (survivors keep training)."""
    plan = rung_plan(n, min_resource, eta, max_resource)
    if not resume:
        return float(sum(k * r for k, r in plan))
    prev = [0.0] + [r for _, r in plan[:-1]]
    return float(sum(k * (r - p) for (k, r), p in zip(plan, prev)))


def _score(v):
    v = float(v)
    return v if np.isfinite(v) else -np.inf      # a NaN or infinite score ranks last


def successive_halving(objective, space, n: int, min_resource: float, eta: int = 3, rng=0,
                       max_resource: float | None = None, resume: bool = False) -> dict:
    """Maximise ``objective(params, resource, seed)`` (a validation score) over ``space`` by successive halving.

    ``n`` configurations are drawn at random from ``space`` (unit coordinates uniform, as random search
    draws them, with ``rng``); rung ``i`` of :func:`rung_plan` evaluates ``n_i`` of them at ``r_i`` and
    the best ``n_{i+1}`` go on (ties: the one drawn first). Returns ``params`` and ``u`` of the ``n``
    configurations, ``seeds`` (one int each, passed to ``objective``), ``rungs`` (one dict per rung:
    ``resource``, ``ids`` evaluated, their ``scores``, ``promoted`` ids), ``best`` / ``best_id`` /
    ``best_score`` (the best of the last rung), ``cost`` (:func:`halving_cost`) and ``plan``."""
    dims = _check_space(space)
    if not callable(objective):
        raise InvalidType(f"objective must be a function (params, resource, seed) -> score, got {show(objective)}")
    plan = rung_plan(n, min_resource, eta, max_resource)
    gen = as_generator(rng)
    U = gen.random((int(n), len(dims)))
    seeds = [int(s) for s in gen.integers(0, 2 ** 31 - 1, size=int(n))]
    params = [_params(dims, u) for u in U]
    ids = np.arange(int(n))
    rungs = []
    for i, (k, r) in enumerate(plan):
        ids = ids[:k]
        scores = np.array([_score(objective(params[j], r, seeds[j])) for j in ids])
        order = np.argsort(-scores, kind="stable")            # best first; ties keep the drawing order
        keep = plan[i + 1][0] if i + 1 < len(plan) else 1
        promoted = ids[order[:keep]]
        rungs.append({"resource": r, "ids": ids.copy(), "scores": scores, "promoted": promoted.copy()})
        ids = promoted
    last = rungs[-1]
    best_id = int(last["promoted"][0])
    return {"params": params, "u": U, "seeds": seeds, "rungs": rungs, "plan": plan, "best_id": best_id,
            "best": params[best_id], "best_score": float(last["scores"][list(last["ids"]).index(best_id)]),
            "cost": halving_cost(n, min_resource, eta, max_resource, resume), "eta": int(eta)}


def hyperband_brackets(max_resource: float, min_resource: float, eta: int = 3) -> list[dict]:
    """Hyperband's brackets, most aggressive first: ``s``, ``n``, ``min_resource`` (= ``max_resource /
    eta**s``) for ``s = s_max .. 0`` with ``s_max = floor(log_eta(max_resource / min_resource))``."""
    eta = _count("eta", eta, 2)
    rmax, r0 = _resource("max_resource", max_resource), _resource("min_resource", min_resource)
    if r0 > rmax:
        raise InvalidArgument(f"min_resource ({r0:g}) must be <= max_resource ({rmax:g})")
    s_max = int(math.floor(math.log(rmax / r0) / math.log(eta) + 1e-9))
    return [{"s": s, "n": int(math.ceil((s_max + 1) / (s + 1) * eta ** s)), "min_resource": rmax / eta ** s}
            for s in range(s_max, -1, -1)]


def hyperband(objective, space, max_resource: float, min_resource: float, eta: int = 3, rng=0) -> dict:
    """Every bracket of :func:`hyperband_brackets` (independent configurations, streams from ``rng``);
    the best last-rung score over the brackets wins. Returns ``brackets`` (their results), ``best``,
    ``best_score``, ``best_bracket`` (index into ``brackets``) and ``cost`` (the sum)."""
    gen = as_generator(rng)
    runs = [successive_halving(objective, space, b["n"], b["min_resource"], eta, gen, max_resource=max_resource)
            for b in hyperband_brackets(max_resource, min_resource, eta)]
    scores = [r["best_score"] for r in runs]
    k = int(np.argmax(scores))                      # first of equal scores: the more aggressive bracket
    return {"brackets": runs, "best": runs[k]["best"], "best_score": scores[k], "best_bracket": k,
            "cost": float(sum(r["cost"] for r in runs))}
