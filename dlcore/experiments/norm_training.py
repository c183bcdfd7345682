"""Chapter 07: what a normalisation changes in training an MLP on the digits.

* :func:`norm_run`: one run of ``norm_mlp`` (any norm, before or after the nonlinearity, shuffled or
  class-sorted batches) at a learning rate; the learning-rate tolerance sweep and the placement and
  shuffling comparisons are loops over it;
* :func:`remedies_bn_row`: chapter 02's remedies-table protocol with BN before every sigmoid;
* :func:`step_cost`: the CPU time of one training step with a normalisation, relative to none.
"""
from __future__ import annotations

import time

import numpy as np

from ..cache import cached
from ..losses import softmax_cross_entropy
from ..norm_nets import norm_mlp
from ..optim import get_optimizer
from ..rng import spawn
from ..train import evaluate, fit
from .common import digits_data, matching_init

__all__ = ["LRS", "norm_run", "lr_sweep", "step_cost", "remedies_bn_row"]

#: the learning rates of the tolerance sweep
LRS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


@cached(maxsize=512)
def norm_run(norm: str | None = "batch", lr: float = 0.1, rng=0, steps: int = 300, batch_size: int = 32,
             sizes=(64, 100, 100, 10), activation: str = "relu", placement: str = "before",
             order: str = "shuffled") -> dict:
    """Train ``norm_mlp(sizes, activation, norm, placement)`` (float32, plain SGD at ``lr``) for ``steps``
    steps of ``batch_size`` on the 1079 training digits (each epoch's short last batch skipped). ``order``: ``"shuffled"`` (a new permutation each
    epoch) or ``"sorted"`` (the training set sorted by class, batches taken in that order, so each
    batch holds one or two classes). Returns ``val_acc`` (evaluation mode), ``train_loss``
    (evaluation mode, NaN after a divergence) and ``diverged``."""
    X, y, Xv, yv = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    if order not in ("shuffled", "sorted"):
        raise ValueError(f"order must be 'shuffled' or 'sorted', got {order!r}")
    if order == "sorted":
        idx = np.argsort(y, kind="stable")
        X, y = X[idx], y[idx]
    net = norm_mlp(list(sizes), activation, norm=norm, placement=placement, init=matching_init(activation),
                   rng=init_rng, dtype=np.float32)
    h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=int(batch_size), rng=order_rng,
            shuffle=order == "shuffled", on_divergence="stop", eval_train=False, drop_last=True)
    diverged = h.divergence is not None
    net.eval()
    with np.errstate(over="ignore", invalid="ignore"):
        ev = evaluate(net, Xv, yv)
        tr = evaluate(net, X, y)
    acc = float(ev["acc"]) if not diverged else float("nan")
    return {"val_acc": acc, "train_loss": float(tr["loss"]) if not diverged else float("nan"),
            "diverged": bool(diverged)}


def lr_sweep(norms=(None, "batch"), lrs=LRS, seeds=(0, 1, 2, 3, 4), **settings) -> dict:
    """:func:`norm_run` over norms × lrs × seeds: ``val_acc[name]`` and ``diverged[name]`` arrays
    ``(len(lrs), len(seeds))`` (a diverged run's accuracy is NaN), ``lrs``, ``seeds``."""
    out = {"lrs": np.array(lrs), "seeds": np.array(seeds), "val_acc": {}, "diverged": {}}
    for norm in norms:
        name = "none" if norm is None else norm
        runs = [[norm_run(norm, lr, rng=s, **settings) for s in seeds] for lr in lrs]
        out["val_acc"][name] = np.array([[r["val_acc"] for r in row] for row in runs])
        out["diverged"][name] = np.array([[r["diverged"] for r in row] for row in runs])
    return out


def step_cost(norm: str | None, batch_size: int = 64, sizes=(64, 100, 100, 10), repeats: int = 200, rng=0) -> float:
    """CPU seconds of one training step (forward, loss, backward, SGD update) of ``norm_mlp(sizes,
    norm=norm)`` in float32, the median of ``repeats`` steps after 20 untimed ones (not cached: a
    measurement, noisy on a shared machine; compare ratios to ``norm=None`` measured alongside)."""
    X, y, _, _ = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    net = norm_mlp(list(sizes), "relu", norm=norm, rng=init_rng, dtype=np.float32)
    opt = get_optimizer("sgd", net, lr=0.01)
    gen = np.random.default_rng(order_rng)
    times = []
    for i in range(int(repeats) + 20):                  # 20 untimed warm-up steps
        idx = gen.integers(0, len(X), int(batch_size))
        t0 = time.process_time()
        out = net.forward(X[idx], training=True)
        _, d = softmax_cross_entropy(out, y[idx])
        net.backward(d, input_grad=False)
        opt.step()
        if i >= 20:
            times.append(time.process_time() - t0)
    return float(np.median(times))


@cached(maxsize=8)
def remedies_bn_row(depth: int = 8, width: int = 32, steps: int = 300, lr: float = 0.1, batch_size: int = 32,
                    seeds: tuple = (0, 1, 2, 3, 4)) -> dict:
    """Chapter 02's remedies table (:func:`dlcore.experiments.gradients_shape.remedies_table`: a
    ``depth``-hidden-layer sigmoid net of ``width``, weights N(0, 1/n_in), ``steps`` SGD steps at ``lr``
    on batches of ``batch_size``, float32, the same seed streams) with BN before every sigmoid.
    Returns ``acc`` (per seed, validation, evaluation mode), ``mean``, ``std`` (ddof 0, as that table)
    and ``first_grad``: the mean over seeds of the first layer's ‖dL/dW‖ at initialisation on the
    first 500 training digits (training mode)."""
    X, y, Xv, yv = digits_data()
    acc, first = [], []
    for seed in seeds:
        g_init, g_batch = spawn(seed, 2)
        net = norm_mlp([X.shape[1]] + [int(width)] * int(depth) + [10], "sigmoid", norm="batch",
                       init="scaled_normal", rng=g_init, dtype=np.float32)
        _, d = softmax_cross_entropy(net.forward(X[:500], training=True), y[:500])
        net.backward(d)
        first.append(float(np.linalg.norm(net.layers[0].grads["W"])))
        h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=int(batch_size), rng=g_batch, val=(Xv, yv),
                on_divergence="stop", eval_train=False)
        acc.append(np.nan if h.divergence else h.evals[-1]["val_acc"])
    acc = np.array(acc)
    return {"acc": acc, "mean": float(acc.mean()), "std": float(acc.std()), "first_grad": float(np.mean(first))}
