"""Chapter 10: the practical recipe, each step with a pass/fail signal (Karpathy 2019, CS231n).

1. :func:`initial_loss`: before training, the loss of a K-class softmax net should be near ln K.
2. :func:`overfit_tiny`: a net that cannot drive the loss of 20 examples to ~0 has a bug (or cannot learn).
3. :func:`lr_range_test`: raise the learning rate exponentially over one short run (Smith 2017); the loss
   falls, flattens, then blows up; take a rate a few times below the minimum of the smoothed loss.
4. :func:`scale_up`: train on all the data at the rate the test chose.
5. :func:`transfer`: reuse the hidden layer of a net trained on digits 0-4 for 5-9 with few examples.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..data import digits
from ..layers import mlp
from ..losses import softmax_cross_entropy
from ..optim import Adam
from ..rng import spawn
from ..train import fit
from .common import SEEDS, digits_data, train_step, batches

__all__ = ["initial_loss", "overfit_tiny", "lr_range_test", "scale_up", "transfer", "WIDTH"]

WIDTH = 64


def _net(rng, init="he", bias=0.0, width=WIDTH, out=10):
    kw = {"std": 1.0} if init == "normal" else None
    return mlp([64, width, width, out], "relu", init, rng=rng, dtype=np.float32, init_kwargs=kw, bias=bias)


@cached
def initial_loss(init: str = "he", rng=0) -> dict:
    """Loss on the training set before any step, and its ratio to ln 10 (the check passes in [0.5, 2])."""
    X, y, _, _ = digits_data()
    with np.errstate(all="ignore"):
        loss, _ = softmax_cross_entropy(_net(rng, init).forward(X), y)
    ratio = float(loss) / math.log(10)
    return {"loss": float(loss), "ratio": ratio, "passed": bool(0.5 <= ratio <= 2.0)}


@cached
def overfit_tiny(n: int = 20, steps: int = 300, lr: float = 1e-2, bias: float = 0.0, rng=0) -> dict:
    """Full-batch Adam on the first ``n`` training digits: final ``loss`` and ``acc`` on them, the loss per
    step; passes when the loss is below 0.05 and every example is right. ``bias=-10`` kills every ReLU
    (a broken net that must fail)."""
    X, y, _, _ = digits_data(n)
    net = _net(rng, bias=bias)
    opt = Adam(net, lr=lr)
    losses = np.array([train_step(net, opt, X, y) for _ in range(int(steps))])
    final, _ = softmax_cross_entropy(net.forward(X), y)
    acc = float((net.forward(X).argmax(1) == y).mean())
    return {"losses": losses, "loss": float(final), "acc": acc, "passed": bool(final < 0.05 and acc == 1.0)}


@cached
def lr_range_test(lr_min: float = 1e-5, lr_max: float = 3.0, steps: int = 150, batch_size: int = 32,
                  rng=0) -> dict:
    """Adam with the rate raised from ``lr_min`` to ``lr_max`` geometrically over ``steps`` steps; ``lrs``,
    ``losses``, ``smooth`` (exponential average, 0.9, debiased), ``lr_min_loss`` (the rate at the minimum of
    the smoothed loss) and ``suggested`` (a tenth of it); stops when the smoothed loss exceeds 4x its minimum."""
    X, y, _, _ = digits_data()
    g_init, g_batch = spawn(rng, 2)
    net = _net(g_init)
    opt = Adam(net, lr=lr_min)
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    losses, smooth, avg, best = [], [], 0.0, np.inf
    stream = batches(len(X), batch_size, g_batch)
    with np.errstate(all="ignore"):
        for t, lr in enumerate(lrs):
            opt.lr = float(lr)
            idx = next(stream)
            v = train_step(net, opt, X[idx], y[idx])
            if not np.isfinite(v):
                break
            avg = 0.9 * avg + 0.1 * v
            s = avg / (1 - 0.9 ** (t + 1))
            losses.append(v)
            smooth.append(s)
            best = min(best, s)
            if s > 4 * best:
                break
    smooth = np.array(smooth)
    i = int(np.argmin(smooth))
    return {"lrs": lrs[:len(smooth)], "losses": np.array(losses), "smooth": smooth,
            "lr_min_loss": float(lrs[i]), "suggested": float(lrs[i] / 10)}


@cached
def scale_up(lr: float, epochs: int = 10, rng=0) -> dict:
    """All 1079 training digits, Adam at ``lr``, batch 32: validation accuracy after ``epochs`` epochs."""
    X, y, Xv, yv = digits_data()
    g_init, g_order = spawn(rng, 2)
    net = _net(g_init)
    h = fit(net, X, y, optimizer=Adam(net, lr=float(lr)), epochs=epochs, batch_size=32, rng=g_order,
            val=(Xv, yv), eval_train=False, on_divergence="stop")
    return {"val_acc": float(h.evals[-1]["val_acc"]), "checks": len(h.checks)}


@cached
def transfer(n_per_class: int = 5, steps: int = 200, mode: str = "transfer", rng=0) -> dict:
    """Digits 5-9 from ``n_per_class`` examples each: a fresh net (``"scratch"``), or one whose two hidden
    layers come from a net trained on all the training digits 0-4 (``"transfer"``: hidden layers copied
    and frozen, a new output layer trained; ``"finetune"``: copied and trained on; ``"first"``: only the
    first hidden layer copied and frozen, the second and the output layer fresh and trained). Accuracy on
    the validation digits 5-9 (``acc``)."""
    if mode not in ("scratch", "transfer", "finetune", "first"):
        raise ValueError(f"mode must be scratch, transfer, finetune or first, got {mode!r}")
    ds = digits(np.float32, rng=0)
    g_base, g_pick, g_new, g_order = spawn(rng, 4)
    lo = ds.y_train < 5
    hi_tr = np.flatnonzero(ds.y_train >= 5)
    pick = np.concatenate([g_pick.choice(hi_tr[ds.y_train[hi_tr] == c], n_per_class, replace=False)
                           for c in range(5, 10)])
    X, y = ds.X_train[pick], ds.y_train[pick] - 5
    hv = ds.y_val >= 5
    Xv, yv = ds.X_val[hv], ds.y_val[hv] - 5
    net = _net(g_new, out=5)
    if mode != "scratch":
        base = _net(g_base, out=5)
        fit(base, ds.X_train[lo], ds.y_train[lo], optimizer=Adam(base, lr=1e-2), epochs=10, batch_size=32,
            rng=g_order, eval_train=False)
        for k in ((0,) if mode == "first" else (0, 2)):   # the Linear hidden layers copied
            for name, p in base.layers[k].params.items():
                net.layers[k].params[name][...] = p
    n_frozen = {"transfer": 4, "first": 2}.get(mode, 0)    # layers (Linear, ReLU, ...) kept fixed
    trainable = net.layers[n_frozen:]
    opt = Adam(net, lr=1e-2)
    frozen = [(p, p.copy()) for L in net.layers[:n_frozen] for p in L.params.values()]
    for _ in range(int(steps)):
        train_step(net, opt, X, y)
        for p, p0 in frozen:
            p[...] = p0
    acc = float((net.forward(Xv).argmax(1) == yv).mean())
    return {"acc": acc, "n_train": int(len(y)), "trainable": sum(p.size for L in trainable for p in L.params.values())}
