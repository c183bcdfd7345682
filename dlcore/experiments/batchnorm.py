"""Chapter 07: batch normalisation step by step, its running statistics, and the BN paper's first figure.

* :func:`bn_steps`: one batch through BN, every intermediate (mean, biased and unbiased variance,
  xhat, output), checked against :class:`~dlcore.norm.BatchNorm1d`;
* :func:`running_stats`: the running mean and variance of a BN layer fed batches of Gaussian data
  whose true mean and variance are known, with the unbiased (PyTorch's) and the biased update;
* :func:`bn_paper_run`: Ioffe & Szegedy's figure 1 on the digits: a 3×100 sigmoid net with and
  without BN before each sigmoid, validation accuracy over steps and the 15/50/85th percentiles
  of one last-hidden-layer unit's sigmoid input on the validation set.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..norm import BatchNorm1d
from ..norm_nets import norm_mlp
from ..optim import get_optimizer
from ..rng import as_generator, spawn
from .common import batches, digits_data, train_recording

__all__ = ["bn_steps", "running_stats", "bn_paper_run", "eval_grid"]


def bn_steps(X, gamma=1.0, beta=0.0, eps: float = 1e-5) -> dict:
    """Batch norm of ``X`` (N, C) in training mode, one stage at a time: ``x`` (the batch, float64),
    ``gamma``, ``beta``, ``mean``, ``var`` (biased,
    what normalises), ``var_unbiased`` (what enters the running average), ``std`` (sqrt(var + eps)),
    ``xhat``, ``y``; ``library`` is :class:`~dlcore.norm.BatchNorm1d`'s output on the same batch."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must be (N, C) with N >= 2, got shape {X.shape}")
    C = X.shape[1]
    gamma = np.broadcast_to(np.asarray(gamma, dtype=np.float64), (C,))
    beta = np.broadcast_to(np.asarray(beta, dtype=np.float64), (C,))
    mean = X.mean(axis=0)
    var = ((X - mean) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (X - mean) / std
    y = gamma * xhat + beta
    bn = BatchNorm1d(C, eps=eps)
    bn.params["gamma"][:] = gamma
    bn.params["beta"][:] = beta
    return {"x": X.copy(), "gamma": np.array(gamma), "beta": np.array(beta), "mean": mean, "var": var, "var_unbiased": var * len(X) / (len(X) - 1), "std": std, "xhat": xhat,
            "y": y, "library": bn.forward(X, training=True)}


@cached(maxsize=64)
def running_stats(batch_size: int = 4, momentum: float = 0.1, steps: int = 200, mean: float = 2.0,
                  var: float = 9.0, features: int = 200, rng=0) -> dict:
    """Feed ``steps`` batches of ``batch_size`` rows of ``features`` independent N(mean, var) features
    to a BN layer. Returns, after each step (index 0 = before), the running mean and variance averaged
    over the features: ``mean_run``, ``var_run`` (unbiased update, PyTorch's and the library's) and
    ``var_run_biased`` (the same stream with the biased batch variance), with ``true_mean``,
    ``true_var``. After many steps ``var_run`` is about ``var`` and ``var_run_biased`` about
    ``var (B-1)/B``."""
    gen = as_generator(rng)
    bn = BatchNorm1d(features, momentum=momentum)
    biased = np.ones(features)
    out = {"mean_run": [float(bn.buffers["running_mean"].mean())], "var_run": [1.0], "var_run_biased": [1.0]}
    for _ in range(int(steps)):
        X = mean + np.sqrt(var) * gen.standard_normal((int(batch_size), features))
        bn.forward(X, training=True)
        biased = (1 - momentum) * biased + momentum * X.var(axis=0)
        out["mean_run"].append(float(bn.buffers["running_mean"].mean()))
        out["var_run"].append(float(bn.buffers["running_var"].mean()))
        out["var_run_biased"].append(float(biased.mean()))
    res = {k: np.array(v) for k, v in out.items()}
    res.update(true_mean=float(mean), true_var=float(var), batch_size=int(batch_size), momentum=float(momentum))
    return res


def eval_grid(steps: int, n: int = 30) -> np.ndarray:
    """About ``n`` steps 0..steps, denser at the start (where the curves move)."""
    g = np.unique(np.round(np.geomspace(1, steps + 1, n) - 1).astype(int))
    return g


@cached(maxsize=64)
def bn_paper_run(bn: bool = True, rng=0, steps: int = 1500, batch_size: int = 60, lr: float = 0.5,
                 width: int = 100, depth: int = 3, unit: int = 0) -> dict:
    """The BN paper's figure-1 experiment on the digits (float32): ``norm_mlp([64] + [width]*depth + [10],
    "sigmoid", norm="batch" or None)`` (Xavier init), plain SGD on batches of ``batch_size``.

    Returns ``step`` (the evaluation grid), ``val_acc`` there, and ``q15``, ``q50``, ``q85``: the
    percentiles over the validation images of the input of the last hidden sigmoid's unit ``unit``
    (after the BN layer in the BN net) as training sees it: the validation set goes through in
    training mode, as one batch, and the running statistics are put back afterwards (so the
    percentiles do not depend on how far the running averages have caught up). ``val_acc`` is
    measured in evaluation mode (early on a BN net's running averages still lag: they start at
    mean 0, variance 1). Also ``final_acc``, ``diverged``."""
    X, y, Xv, yv = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    net = norm_mlp([64] + [int(width)] * int(depth) + [10], "sigmoid", norm="batch" if bn else None,
                   init="xavier", rng=init_rng, dtype=np.float32)
    opt = get_optimizer("sgd", net, lr=lr)
    stream = batches(len(X), int(batch_size), order_rng)
    grid = eval_grid(int(steps))
    sig_index = len(net.layers) - 2                      # the last hidden sigmoid
    acc, q = [], []

    def record():
        out = net.forward(Xv, training=False)
        acc.append(float(np.mean(out.argmax(1) == yv)))
        saved = net.state_dict()
        net.forward(Xv, training=True)
        z = net.inputs[sig_index][:, unit].astype(np.float64)
        net.load_state_dict(saved)
        q.append(np.percentile(z, [15, 50, 85]))

    diverged = train_recording(net, opt, X, y, stream, int(steps), grid, record)
    q = np.array(q)
    n = len(acc)
    return {"step": grid[:n], "val_acc": np.array(acc), "q15": q[:, 0], "q50": q[:, 1], "q85": q[:, 2],
            "final_acc": acc[-1], "diverged": diverged}
