"""Chapter 06: training the digits net at different batch sizes, to a target accuracy.

The library's :func:`dlcore.train.fit` draws each epoch's batches without replacement and keeps
the last, smaller batch. This chapter also needs sampling **with** replacement and ``drop_last``,
and it stops a run as soon as it reaches its target, so it has its own small loop
(:func:`batches`, :func:`train_to_target`) on the same model, loss and optimiser classes.

A run's "steps to target" is the first step at which the validation accuracy reaches
``target``; the accuracy is evaluated on a geometric grid of steps (every step up to 50, then
about every 2 %), so a step count is exact to about 2 %. "Epochs" are examples seen / N.
"""
from __future__ import annotations

import time

import numpy as np

from ..cache import cached
from ..optim import get_optimizer
from ..rng import as_generator, spawn
from ..schedules import get_schedule
from .batch_noise import digits_net
from .common import CHANCE, SAMPLINGS, batches, digits_data, train_step

__all__ = ["SAMPLINGS", "LR_RULES", "STUCK_AFTER", "batches", "digits_setup", "steps_per_epoch", "eval_steps", "scaled_lr", "train_to_target",
           "batch_sweep", "fit_noise_scale"]

LR_RULES = ("fixed", "linear", "sqrt")
#: a run whose validation accuracy is at chance at a check after this many steps is given up ("stuck"):
#: a ReLU net blown to all-dead units by a too large step does not come back
STUCK_AFTER = 200


def steps_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    """Batches in one pass over ``n`` examples: ``ceil(n/B)``, or ``floor(n/B)`` with ``drop_last``."""
    n, b = int(n), int(batch_size)
    if n < 1 or b < 1:
        raise ValueError(f"need n >= 1 and batch_size >= 1, got {n}, {b}")
    return n // b if drop_last else -(-n // b)


def digits_setup(n_train, rng, hidden, optimizer, lr):
    """What every run of this chapter starts from: the digits split (:func:`digits_data`), the float32
    digits net and its optimiser, and the batch-order stream (``rng`` spawns the initial weights' and the
    batch order's streams, in that order)."""
    data = digits_data(n_train)
    init_rng, order_rng = spawn(rng, 2)
    net = digits_net(init_rng, hidden, dtype=np.float32)
    return data, net, get_optimizer(optimizer, net, lr=lr), order_rng


def eval_steps(max_steps: int, every: float = 1.02) -> np.ndarray:
    """The steps at which a run is evaluated: 1..50, then a geometric grid of ratio ``every``."""
    s, out = 1, []
    while s <= max_steps:
        out.append(s)
        s = s + 1 if s < 50 else max(s + 1, int(np.ceil(s * every)))
    return np.array(out)


def scaled_lr(rule: str, lr: float, batch_size: int, ref_batch: int) -> float:
    """``lr`` at ``ref_batch``, scaled to ``batch_size``: ``"fixed"``, ``"linear"`` (x B/ref), ``"sqrt"`` (x sqrt(B/ref))."""
    if rule not in LR_RULES:
        raise ValueError(f"rule must be one of {LR_RULES}, got {rule!r}")
    f = {"fixed": 1.0, "linear": batch_size / ref_batch, "sqrt": np.sqrt(batch_size / ref_batch)}[rule]
    return float(lr * f)


@cached(maxsize=512)
def train_to_target(batch_size=32, lr=0.1, rng=0, target=0.9, max_epochs=1000.0, max_steps=2000,
                    sampling="shuffle", drop_last=False, optimizer="sgd", n_train=None, hidden=32, warmup=0) -> dict:
    """Train the digits net (float32) at ``batch_size`` and ``lr`` until its validation accuracy
    reaches ``target`` or the budget (``max_epochs`` of examples, ``max_steps``) runs out.

    Returns ``hit`` (bool), ``steps`` (first step at target, or the steps done), ``epochs``
    (examples seen / N at that step), ``seconds`` (CPU time of the steps, ``time.thread_time``, evaluation excluded: robust to a busy machine),
    ``diverged`` (a non-finite loss), ``stuck`` (at chance, accuracy <= ``CHANCE``, at a check after
    ``STUCK_AFTER`` steps: the run is given up), ``acc`` (validation accuracy at the end), ``best_acc``.
    ``rng``: initial weights and batch order (two spawned streams). ``warmup``: steps of linear
    warm-up (Goyal et al. 2017; :func:`dlcore.schedules.get_schedule`): step ``t`` uses ``lr t/warmup``
    up to ``t = warmup``, then ``lr``.
    """
    (X, y, Xv, yv), net, opt, order_rng = digits_setup(n_train, rng, hidden, optimizer, lr)
    N = len(X)
    b = min(int(batch_size), N)
    sched = get_schedule("constant", float(lr), warmup=int(warmup)) if warmup else None
    limit = int(min(max_steps, np.ceil(max_epochs * N / b)))
    checks = set(eval_steps(limit).tolist())
    stream = batches(N, b, order_rng, sampling, drop_last)
    seen, secs, best, hit, diverged, stuck, step, acc = 0, 0.0, 0.0, False, False, False, 0, 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, limit + 1):
            idx = next(stream)
            if sched is not None:
                opt.lr = sched(step - 1)
            t0 = time.thread_time()
            if not np.isfinite(train_step(net, opt, X[idx], y[idx])):
                diverged = True
                break
            secs += time.thread_time() - t0
            seen += len(idx)
            if step in checks or step == limit:
                acc = float(np.mean(net.forward(Xv, training=False).argmax(1) == yv))
                best = max(best, acc)
                if acc >= target:
                    hit = True
                    break
                if step >= STUCK_AFTER and acc <= CHANCE:
                    stuck = True
                    break
    return {"hit": hit, "steps": step, "epochs": seen / N, "seconds": secs, "diverged": diverged, "stuck": stuck,
            "acc": acc if not diverged else float("nan"), "best_acc": best, "lr": float(lr), "B": b}


def batch_sweep(batch_sizes=(1, 4, 16, 64, 256, 1079), rules=LR_RULES, lr=0.3, ref_batch=16, seeds=(0, 1, 2, 3, 4),
                progress=None, **settings) -> dict:
    """:func:`train_to_target` for every batch size, learning-rate rule (:func:`scaled_lr`) and seed.

    Returns ``B`` and, per rule, arrays ``(n_B, n_seeds)``: ``steps``, ``epochs``, ``seconds``, ``hit``,
    ``diverged``, ``stuck``, ``acc``, ``best_acc``, and ``lr`` ``(n_B,)``. A run that missed has its steps/epochs set to NaN.
    """
    B = np.array(batch_sizes)
    out, total, done = {"B": B, "seeds": np.array(seeds)}, len(B) * len(rules) * len(seeds), 0
    for rule in rules:
        rows = {k: np.zeros((len(B), len(seeds))) for k in ("steps", "epochs", "seconds", "hit", "diverged", "stuck", "acc", "best_acc")}
        lrs = np.array([scaled_lr(rule, lr, int(b), ref_batch) for b in B])
        for i, b in enumerate(B):
            for j, s in enumerate(seeds):
                r = train_to_target(int(b), float(lrs[i]), rng=int(s), **settings)
                for k in rows:
                    rows[k][i, j] = r[k]
                done += 1
                if progress is not None:
                    progress(done / total)
        miss = rows["hit"] == 0
        for k in ("steps", "epochs", "seconds"):
            rows[k][miss] = np.nan
        for k in ("hit", "diverged", "stuck"):
            rows[k] = rows[k].astype(bool)
        out[rule] = {**rows, "lr": lrs}
    return out


def fit_noise_scale(B, steps) -> dict:
    """Least-squares fit of McCandlish et al.'s :math:`S = S_{min}(1 + B_{noise}/B)` to steps-to-target
    ``steps`` at batch sizes ``B`` (NaN entries left out): a straight line in :math:`1/B` with intercept
    :math:`S_{min}` and slope :math:`S_{min} B_{noise}`. Returns ``s_min``, ``b_noise`` and ``e_min``
    (= :math:`S_{min} B_{noise}`, the examples needed at small B: :math:`E = E_{min}(1 + B/B_{noise})`)."""
    B, S = np.asarray(B, dtype=float), np.asarray(steps, dtype=float)
    ok = np.isfinite(S)
    if ok.sum() < 2:
        raise ValueError("need at least two finite step counts to fit")
    slope, icpt = np.polyfit(1 / B[ok], S[ok], 1, w=1 / S[ok])     # relative residuals: every B counts
    return {"s_min": float(icpt), "b_noise": float(slope / icpt) if icpt > 0 else float("inf"),
            "e_min": float(slope)}
