"""Chapter 02, experiment 3: the input-output Jacobian of a deep random net, a product of layer
Jacobians, and its effective rank. Re-exported by :mod:`.gradients` (``ex.jacobian_product``); the
explorer is ``widgets.ch02_gradients.JacobianExplorer``.
"""
from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ..cache import Partial, cached, freeze
from ..rng import as_generator

__all__ = ["effective_rank", "jacobian_product", "mean_effective_rank"]


def effective_rank(s) -> float:
    """Effective rank of a matrix from its singular values ``s`` (Roy & Vetterli 2007).

    .. math:: p_i = \\sigma_i / \\textstyle\\sum_j \\sigma_j, \\qquad
              \\mathrm{erank} = \\exp\\big(-\\textstyle\\sum_i p_i \\log p_i\\big).

    It is 1 when one direction carries everything and ``len(s)`` when all
    singular values are equal; in between it counts the directions that
    matter. Zero singular values contribute nothing (:math:`0\\log 0 = 0`).
    """
    s = np.asarray(s, dtype=np.float64)
    if s.ndim != 1 or s.size == 0 or np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError("effective_rank needs a non-empty 1-D array of finite singular values >= 0")
    total = s.sum()
    if total == 0:
        return 0.0
    p = s[s > 0] / total
    return float(np.exp(-np.sum(p * np.log(p))))


def jacobian_product(activation: str = "tanh", depth: int = 50, width: int = 64, scale: float = 1.0,
                     rng=0) -> dict:
    """The input-output Jacobian of a random deep net, layer by layer.

    Layer :math:`t` maps :math:`h_t \\mapsto h_{t+1} = f(W_t h_t)` with
    :math:`W_t \\sim \\mathcal N(0, s^2/n)`; its Jacobian is
    :math:`J_t = \\mathrm{diag}(f'(W_t h_t))\\, W_t` and the net's is the product
    :math:`P_L = J_L \\cdots J_1`. The product is renormalised after every
    factor (its log-scale is kept apart), so depths of hundreds neither
    overflow nor underflow.

    Returns ``depths`` (1..depth), ``log10_norm`` (depth,) of the spectral norm
    :math:`\\lVert P_L\\rVert_2`, ``sv`` (depth, width) singular values divided
    by the largest, ``erank`` (depth,) and ``log10_sv`` (depth, width) the
    actual singular values in log10 (``-inf`` for exact zeros).

    Cached: a product of ``depth`` factors is the first ``depth`` factors of any deeper one with the
    same settings, so a shallower one is cut from it and a deeper one continues it (one SVD per added
    factor), bit-identical to a product computed from scratch.
    """
    if int(depth) < 1 or int(width) < 1:
        raise ValueError(f"depth must be >= 1 and width >= 1, got depth={depth}, width={width}")
    if isinstance(rng, np.random.Generator):      # its stream moves: nothing to cache or continue
        return freeze(_jacobian_run.uncached(activation, int(depth), int(width), scale, rng).result)
    return _jacobian_run(activation, int(depth), int(width), scale, rng)


def _cut_depth(r: dict, depth: int) -> dict:
    return {k: v[:depth] for k, v in r.items()}


@cached(maxsize=64, extend="depth", cut=_cut_depth)
def _jacobian_run(activation: str, depth: int, width: int, scale: float, rng, resume=None) -> Partial:
    """:func:`jacobian_product` as a run that continues (``resume``: the deepest product so far)."""
    act = get_activation(activation)
    n = width
    if resume is None:
        rng = as_generator(rng)
        h = rng.standard_normal(n)
        P = np.eye(n)
        log_scale = 0.0
        log_norm, sv_rel, erank, log_sv = [], [], [], []
        done = 0
    else:
        rng, h, P, log_scale = resume.state
        r = resume.result
        log_norm, sv_rel, erank, log_sv = (list(r[k]) for k in ("log10_norm", "sv", "erank", "log10_sv"))
        done = resume.length
    # the added factors' weights in one draw (the same numbers, in the same order, as one draw per factor)
    Ws = rng.standard_normal((depth - done, n, n))
    Ws *= scale / np.sqrt(n)
    with np.errstate(divide="ignore"):
        for W in Ws:
            z = W @ h
            h = act.f(z)
            P = (act.df(z, h)[:, None] * W) @ P
            s = np.linalg.svd(P, compute_uv=False)      # ~80% of the time: one 64 x 64 SVD per factor
            top = s[0]
            if top == 0 or not np.isfinite(top):
                s_rel = np.zeros(n) if top == 0 else np.full(n, np.nan)
                log_norm.append(-np.inf if top == 0 else np.inf)
                sv_rel.append(s_rel)
                erank.append(0.0)
                log_sv.append(np.full(n, -np.inf))
                P = np.eye(n) * 0.0
                continue
            log_top = np.log10(top)
            log_norm.append(log_scale + log_top)
            sv_rel.append(s / top)
            erank.append(effective_rank(s))
            log_sv.append(log_scale + np.log10(s))
            log_scale += log_top
            P = P / top
    result = dict(depths=np.arange(1, depth + 1), log10_norm=np.asarray(log_norm),
                  sv=np.asarray(sv_rel), erank=np.asarray(erank), log10_sv=np.asarray(log_sv))
    return Partial(result, depth, state=(rng, h, P, log_scale))


def mean_effective_rank(activation: str = "tanh", scale: float = 1.0, depth: int = 50, width: int = 64,
                        seeds: tuple = (0, 1, 2)) -> np.ndarray:
    """Effective rank of :math:`P_L` for :math:`L = 1..\text{depth}`, averaged over random nets.

    One net's curve is noisy (each seed is a different product of random
    matrices); the mean over ``seeds`` is what chapter 02 quotes. Returns ``(depth,)``.
    """
    if not seeds:
        raise ValueError("mean_effective_rank needs at least one seed")
    return np.mean([jacobian_product(activation, depth=depth, width=width, scale=scale, rng=int(k))["erank"]
                    for k in seeds], axis=0)
