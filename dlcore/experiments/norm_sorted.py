"""Chapter 07, section 7.5: *why* batch norm fails on class-sorted batches.

Two explanations compete. (a) The running averages are those of the last classes seen, so evaluation
mode normalises with statistics the net was never trained with. (b) In a batch of one class the batch
mean *is* the class signal, and BN subtracts it: its backward (section 7.2) has no component along the
batch mean (the columns of dL/dx sum to 0), so the layers before BN cannot learn from class-pure
batches what tells the classes apart.

:func:`sorted_bn_diagnosis` tests (a) directly: after the same class-sorted training as
:func:`~dlcore.experiments.norm_training.norm_run`, it evaluates the net (1) as trained, (2) with the
running statistics recomputed on the whole, mixed training set, (3) on the validation set in training
mode (normalised with its own, mixed statistics). If (a) were the cause, (2) and (3) would repair it.
It tests (b) by training the same net with BN's statistics frozen at their initial values (mean 0,
variance 1: only γ and β act), and measures at initialisation the share of each first-layer
pre-activation's variance that lies *between* the classes, what a class-pure batch's mean subtraction
removes.
"""
from __future__ import annotations

import copy

import numpy as np

from ..cache import cached
from ..norm import BatchNorm1d
from ..norm_nets import norm_mlp
from ..rng import spawn
from ..train import evaluate, fit
from .common import digits_data, matching_init

__all__ = ["FixedStatsBatchNorm1d", "sorted_bn_diagnosis"]


class FixedStatsBatchNorm1d(BatchNorm1d):
    """BatchNorm1d that normalises with its running statistics in training too, and never updates them:
    with the initial mean 0 and variance 1 it is the affine map γ x + β (up to ε); no batch statistic
    enters the forward or the backward pass."""

    def forward(self, X, training=None):
        return super().forward(X, training=False)


def _between_class_share(W, X, y) -> float:
    """Median over units of (variance of the class means of x W) / (variance of x W)."""
    Z = X @ W
    means = np.array([Z[y == c].mean(0) for c in np.unique(y)])
    between = ((means[np.searchsorted(np.unique(y), y)] - Z.mean(0)) ** 2).mean(0)
    return float(np.median(between / Z.var(0)))


@cached(maxsize=64)
def sorted_bn_diagnosis(rng=0, lr: float = 0.1, steps: int = 300, batch_size: int = 32,
                        sizes=(64, 100, 100, 10)) -> dict:
    """The 64-100-100-10 ReLU MLP with BN before each ReLU, trained as ``norm_run(norm="batch",
    order="sorted")`` (same seed streams, float32, plain SGD, class-sorted batches, drop_last).
    Returns validation accuracies ``as_trained`` (evaluation mode, running averages), ``recomputed``
    (running statistics replaced by the mean and unbiased variance of each BN input over the 1079
    mixed training digits), ``own_batch`` (validation set in training mode: its own statistics),
    ``fixed_stats`` (a second net, same init and batches, trained with :class:`FixedStatsBatchNorm1d`),
    and ``between_share`` (at initialisation, median over first-layer units of the between-class share
    of the pre-activation's variance, on the training digits)."""
    X, y, Xv, yv = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    idx = np.argsort(y, kind="stable")
    Xs, ys = X[idx], y[idx]
    out = {}
    for fixed in (False, True):
        net = norm_mlp(list(sizes), "relu", norm="batch", placement="before", init=matching_init("relu"),
                       rng=copy.deepcopy(init_rng), dtype=np.float32)
        if not fixed:
            out["between_share"] = _between_class_share(net.layers[0].params["W"].astype(np.float64),
                                                        X.astype(np.float64), y)
        bns = [l for l in net.layers if isinstance(l, BatchNorm1d)]
        if fixed:
            for layer in bns:
                layer.__class__ = FixedStatsBatchNorm1d      # same parameters, statistics frozen at 0 / 1
        h = fit(net, Xs, ys, lr=lr, steps=int(steps), batch_size=int(batch_size), rng=copy.deepcopy(order_rng),
                shuffle=False, on_divergence="stop", eval_train=False, drop_last=True)
        if h.divergence is not None:
            raise RuntimeError(f"sorted_bn_diagnosis: the run diverged ({h.divergence})")
        net.eval()
        if fixed:
            out["fixed_stats"] = float(evaluate(net, Xv, yv)["acc"])
            break
        out["as_trained"] = float(evaluate(net, Xv, yv)["acc"])
        out["own_batch"] = float(np.mean(net.forward(Xv, training=True).argmax(1) == yv))
        # population statistics: one pass over the mixed training set, layer by layer
        momenta = [layer.momentum for layer in bns]
        for layer in bns:
            layer.momentum = 1.0
        net.forward(X, training=True)
        for layer, m in zip(bns, momenta):
            layer.momentum = m
        net.eval()
        out["recomputed"] = float(evaluate(net, Xv, yv)["acc"])
    return out
