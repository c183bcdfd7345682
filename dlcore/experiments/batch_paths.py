"""Chapter 06: mini-batch paths on a 2-D linear regression, and what a batch costs on this CPU.

**Paths.** Least squares with two weights, :math:`L(w) = \\frac1{2N}\\lVert Xw - y\\rVert^2`, whose
contours are ellipses. Each example's own loss :math:`\\frac12(x_i^\\top w - y_i)^2` is minimised on a
whole line (one equation, two unknowns), and its gradient points across that line: a batch of one
example pulls the weights towards its own line, not towards the minimum of :math:`L`.
:func:`sgd_paths` runs mini-batch gradient descent at several batch sizes from one start.

**Cost.** :func:`matmul_throughput` times a product :math:`(B\\times n)(n\\times n)` per batch size
(the median of many repeats, on whatever BLAS threads the caller allows: the book uses one), and
:func:`step_times` the chapter's digits-net training step. These are timings on a shared machine:
only ratios measured in the same run, at coarse precision, mean anything.
"""
from __future__ import annotations

import time

import numpy as np

from ..cache import cached
from ..losses import softmax_cross_entropy
from ..optim import get_optimizer
from ..rng import as_generator, spawn
from .batch_noise import digits_net
from .common import digits_data

__all__ = ["regression_problem", "loss_surface", "sgd_paths", "matmul_throughput", "step_times"]


@cached(maxsize=4)
def regression_problem(n: int = 256, rng=0, noise: float = 0.5) -> dict:
    """``X`` (n, 2) with correlated, unequally scaled features, ``y = X w_true + noise``, and the
    least-squares minimiser ``w_star``, the Hessian ``H`` = XᵀX/n and the loss at the minimum."""
    gen = as_generator(rng)
    z = gen.normal(size=(n, 2))
    X = np.c_[1.5 * z[:, 0], 0.6 * z[:, 0] + 0.5 * z[:, 1]]
    w_true = np.array([1.0, -1.0])
    y = X @ w_true + noise * gen.normal(size=n)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    H = X.T @ X / n
    return {"X": X, "y": y, "w_star": w_star, "H": H, "loss_star": float(np.mean((X @ w_star - y) ** 2) / 2)}


def _loss(X, y, W):
    """Loss at each row of ``W`` (k, 2)."""
    R = W @ X.T - y
    return np.mean(R * R, axis=1) / 2


@cached(maxsize=4)
def loss_surface(n: int = 256, rng=0, half_width: float = 3.0, grid: int = 81) -> dict:
    """The loss on a ``grid`` x ``grid`` square of half-width ``half_width`` around ``w_star``."""
    p = regression_problem(n, rng)
    a = np.linspace(-half_width, half_width, grid)
    W1, W2 = np.meshgrid(p["w_star"][0] + a, p["w_star"][1] + a)
    L = _loss(p["X"], p["y"], np.c_[W1.ravel(), W2.ravel()]).reshape(W1.shape)
    return {"w1": W1[0], "w2": W2[:, 0], "loss": L, "w_star": p["w_star"]}


@cached(maxsize=64)
def sgd_paths(batch_sizes=(1, 8, 64, 256), lr: float = 0.1, steps: int = 100, rng=0, start=(-1.45, 1.45),
              n: int = 256) -> dict:
    """Mini-batch gradient descent on :func:`regression_problem` from ``start``, ``steps`` steps of
    ``lr``, batches drawn as shuffled epochs (``rng``: one spawned stream per batch size).

    Returns ``{B: {"w": (steps + 1, 2) path, "loss": (steps + 1,), "dist": distance to w_star at the
    end}}`` and ``w_star``, ``loss_star``. Full batch is ``B = n``.
    """
    p = regression_problem(n, 0)
    X, y = p["X"], p["y"]
    out = {"w_star": p["w_star"], "loss_star": p["loss_star"]}
    for B, gen in zip(batch_sizes, spawn(rng, len(batch_sizes))):
        B = int(B)
        if not 1 <= B <= n:
            raise ValueError(f"batch sizes must lie in [1, {n}], got {B}")
        w = np.array(start, dtype=float)
        path = [w.copy()]
        order, pos = gen.permutation(n), 0
        Xo, yo = X[order], y[order]         # one epoch's rows in order: a batch is a slice
        for _ in range(int(steps)):
            if pos + B > n:
                order, pos = gen.permutation(n), 0
                Xo, yo = X[order], y[order]
            Xb, yb = Xo[pos:pos + B], yo[pos:pos + B]
            pos += B
            w = w - lr * Xb.T @ (Xb @ w - yb) / B
            path.append(w.copy())
        W = np.array(path)
        out[B] = {"w": W, "loss": _loss(X, y, W), "dist": float(np.linalg.norm(W[-1] - p["w_star"]))}
    return out


def matmul_throughput(batch_sizes=(60, 64, 100, 127, 128, 129), width: int = 256, repeats: int = 100,
                      inner: int = 3, rng=0, dtype=np.float32) -> dict:
    """Time :math:`(B\\times n)(n\\times n)` products: for each batch size, ``repeats`` timings of
    ``inner`` products, interleaved over the batch sizes (so a slow moment of the machine hits all of
    them); the median per product. Returns ``B``, ``seconds`` (median per product), ``per_example``
    (seconds / B), ``gflops`` (2 B n² / seconds / 1e9), and ``quartiles`` ``(n_B, 2)``: the 25 % and 75 %
    quantiles of each size's timings (the spread of the measurement). Timed in CPU time of this
    thread (``time.thread_time``), not wall time: on a shared machine a timing during which the
    thread was preempted would otherwise count another program's work. Not cached: a measurement, not a result."""
    gen = as_generator(rng)
    W = gen.standard_normal((width, width)).astype(dtype)
    Xs = {int(b): gen.standard_normal((int(b), width)).astype(dtype) for b in batch_sizes}
    times = {b: [] for b in Xs}
    for X in Xs.values():               # warm up
        X @ W
    for _ in range(int(repeats)):
        for b, X in Xs.items():
            t0 = time.thread_time()
            for _ in range(inner):
                X @ W
            times[b].append((time.thread_time() - t0) / inner)
    B = np.array(list(Xs))
    sec = np.array([np.median(times[b]) for b in Xs])
    q = np.array([np.quantile(times[b], (0.25, 0.75)) for b in Xs])
    return {"B": B, "seconds": sec, "per_example": sec / B, "gflops": 2 * B * width ** 2 / sec / 1e9,
            "quartiles": q}


def step_times(batch_sizes=(1, 4, 16, 64, 256, 1079), repeats: int = 30, rng=0) -> dict:
    """Median seconds of one training step (forward, loss, backward, SGD update) of the chapter's
    digits net (float32) per batch size, interleaved like :func:`matmul_throughput`. Not cached."""
    X, y, _, _ = digits_data()
    net = digits_net(rng, dtype=np.float32)
    opt = get_optimizer("sgd", net, lr=1e-6)
    gen = as_generator(rng)
    times = {int(b): [] for b in batch_sizes}
    for _ in range(int(repeats)):
        for b in times:
            idx = gen.integers(0, len(X), b)
            t0 = time.perf_counter()
            out = net.forward(X[idx], training=True)
            _, d = softmax_cross_entropy(out, y[idx])
            net.backward(d)
            opt.step()
            times[b].append(time.perf_counter() - t0)
    B = np.array(list(times))
    sec = np.array([np.median(times[b]) for b in times])
    return {"B": B, "seconds": sec, "per_example": sec / B}
