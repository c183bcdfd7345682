"""Chapter 01: what a gradient costs, by backpropagation and by finite differences (Nielsen ch. 2).

Backpropagation gets every :math:`\\partial C/\\partial w` from one forward pass and one backward
pass, and the backward pass costs about as much as a forward one (the same matrix products,
transposed). Central differences need two forward passes *per parameter*. On a digits MLP with
a few thousand parameters that is thousands of forward passes instead of about two.
"""
from __future__ import annotations

import time

import numpy as np

from ..cache import cached
from ..gradcheck import rel_error
from ..layers import mlp
from ..losses import softmax_cross_entropy
from .common import digits_data

__all__ = ["gradient_cost"]


def _best_time(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@cached(maxsize=4)
def gradient_cost(sizes=(64, 30, 10), n: int = 100, probe: int = 100, rng=0, repeats: int = 20) -> dict:
    """One gradient of the mean cross-entropy of a sigmoid MLP on ``n`` digits, two ways.

    Counts: ``"params"`` P, forward passes of central differences ``"fd_forwards"`` = 2P, of
    backprop ``"bp_forwards"`` = 1 (plus one backward). Timings (best of ``repeats``, in seconds):
    ``"t_forward"``, ``"t_backprop"`` (forward + backward), ``"t_fd"`` (all 2P passes, extrapolated
    from ``probe`` parameters spread over every array), ``"backward_over_forward"``,
    ``"fd_over_backprop"``. ``"rel_error"``: backprop against central differences on the probed
    parameters (float64). Timings depend on the machine; the counts and their ratio do not.
    """
    X, y = digits_data(n)[:2]
    X = np.asarray(X, dtype=np.float64)
    net = mlp(list(sizes), "sigmoid", init="xavier", rng=rng)

    def loss():
        return softmax_cross_entropy(net.forward(X), y)[0]

    def backprop():
        _, dZ = softmax_cross_entropy(net.forward(X), y)
        net.backward(dZ)

    backprop()
    params = [p for _, p in net.named_parameters()]
    analytic = np.concatenate([p.grad.ravel() for p in params])
    P = analytic.size
    # probe parameters spread evenly over the flattened parameter vector
    idx = np.unique(np.linspace(0, P - 1, min(probe, P)).astype(int))
    starts = np.cumsum([0] + [p.data.size for p in params])
    h, numeric, calls = 1e-6, np.empty(idx.size), [0]

    def fd_probe():
        for j, i in enumerate(idx):
            a = int(np.searchsorted(starts, i, side="right") - 1)
            flat = params[a].data.reshape(-1)
            old = flat[i - starts[a]]
            flat[i - starts[a]] = old + h
            fp = loss()
            flat[i - starts[a]] = old - h
            fm = loss()
            flat[i - starts[a]] = old
            numeric[j] = (fp - fm) / (2 * h)
            calls[0] += 2

    t_fwd = _best_time(loss, repeats)
    t_bp = _best_time(backprop, repeats)
    t_probe = _best_time(fd_probe, max(2, repeats // 10))
    t_fd = t_probe * P / idx.size
    return {"params": P, "fd_forwards": 2 * P, "bp_forwards": 1, "probed": int(idx.size),
            "probe_forwards": calls[0] // max(2, repeats // 10),
            "t_forward": t_fwd, "t_backprop": t_bp, "t_fd": t_fd,
            "backward_over_forward": (t_bp - t_fwd) / t_fwd, "fd_over_backprop": t_fd / t_bp,
            "rel_error": rel_error(analytic[idx], numeric)}
