r"""Chapter 05 on real training runs: optimisers on the digits, and why the learning rate is decayed.

Both are stochastic (initial weights, mini-batch order), so every claim is made over
:data:`~dlcore.experiments.common.SEEDS` (5 seeds) with its spread. Each run draws independent
streams from its ``rng`` with :func:`dlcore.rng.spawn` (initial weights or data, batch order).

* :func:`train_digits` -- one optimiser (any name of :data:`dlcore.optim.OPTIMIZERS`, optionally
  with a schedule) training a small ReLU net on the 8x8 digits.
* :func:`noise_floor` -- mini-batch SGD on a noisy linear regression: at a constant rate the
  weights keep jittering around the optimum at a distance that grows with the rate (the
  gradient noise); a decaying schedule shrinks the jitter. That is the reason for the notes'
  advice to "start with a normal rate and shrink it towards the end".

Schedules are given as specs ``(name, {settings})`` for :func:`dlcore.schedules.get_schedule`
(``("cosine", {"total": 300})``), so that results can be cached by value.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..layers import Linear, mlp
from ..optim import get_optimizer
from ..rng import spawn
from ..schedules import LRScheduler, get_schedule
from ..train import fit
from .common import SEEDS, digits_data

__all__ = ["DEFAULT_LRS", "train_digits", "race_digits", "noise_floor", "noise_floor_table"]

#: the usual starting rate of each optimiser (the papers' or the frameworks' defaults; SGD's a common choice)
DEFAULT_LRS = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01, "rmsprop": 0.001,
               "adadelta": 1.0, "adam": 0.001, "adamax": 0.002, "nadam": 0.002}


def _schedule_callbacks(schedule, lr):
    if schedule is None:
        return []
    name, kw = schedule
    return [LRScheduler(get_schedule(name, lr, **dict(kw)))]


@cached(maxsize=256)
def train_digits(optimiser: str = "sgd", lr: float | None = None, rng=0, steps: int = 300, hidden=(32,),
                 batch_size: int = 32, hyper=None, schedule=None, eval_every: int = 50, init: str = "he",
                 init_kwargs=None) -> dict:
    """Train ``64-hidden-10`` (ReLU, He init, float32) with softmax cross-entropy for ``steps`` steps.

    ``lr=None`` takes :data:`DEFAULT_LRS`; ``init``/``init_kwargs`` as for :func:`dlcore.layers.mlp`. Returns ``loss`` (steps,) the mini-batch losses,
    ``eval_steps``, ``val_loss``, ``val_acc`` (every ``eval_every`` steps and at the end),
    ``final_val_acc`` and ``diverged``.
    """
    lr = DEFAULT_LRS.get(optimiser, 0.01) if lr is None else float(lr)
    X, y, Xv, yv = digits_data()
    g_init, g_batch = spawn(rng, 2)
    net = mlp([X.shape[1], *hidden, 10], activation="relu", init=init, init_kwargs=dict(init_kwargs or {}),
              rng=g_init, dtype=np.float32)
    opt = get_optimizer(optimiser, net, lr=lr, **dict(hyper or {}))
    h = fit(net, X, y, optimizer=opt, steps=steps, batch_size=batch_size, rng=g_batch, val=(Xv, yv),
            eval_every=eval_every, on_divergence="stop", eval_train=False,
            callbacks=_schedule_callbacks(schedule, lr))
    s, acc = h.eval_series("val_acc")
    _, vloss = h.eval_series("val_loss")
    loss = np.full(steps, np.nan)
    loss[:len(h.loss)] = h.loss
    return {"loss": loss, "eval_steps": s, "val_loss": vloss, "val_acc": acc,
            "final_val_acc": float(acc[-1]) if len(acc) else float("nan"), "diverged": h.divergence is not None}


@cached(maxsize=32)
def race_digits(optimisers=tuple(DEFAULT_LRS), seeds=SEEDS, steps: int = 300, hidden=(32,),
                batch_size: int = 32) -> dict:
    """:func:`train_digits` for each optimiser at its default rate over ``seeds``:
    ``{name: {"loss": (n_seeds, steps), "final_val_acc": (n_seeds,), "lr": float}}`` plus ``seeds``."""
    out = {"seeds": np.asarray(seeds)}
    for name in optimisers:
        runs = [train_digits(name, None, s, steps, hidden, batch_size) for s in seeds]
        out[name] = {"loss": np.stack([r["loss"] for r in runs]),
                     "final_val_acc": np.array([r["final_val_acc"] for r in runs]),
                     "lr": DEFAULT_LRS.get(name, 0.01)}
    return out


@cached(maxsize=256)
def noise_floor(lr: float = 0.1, schedule=None, rng=0, steps: int = 2000, n: int = 500, d: int = 5,
                batch_size: int = 8, noise: float = 1.0) -> dict:
    """Mini-batch SGD on :math:`y = Xw + \\text{noise}` (``X`` standard normal, ``n`` x ``d``), quadratic
    loss, from zero weights, at rate ``lr`` (constant, or under ``schedule``).

    Returns ``err`` (steps,): :math:`\\lVert w_t - \\hat w\\rVert^2` to the least-squares solution
    :math:`\\hat w` of the training set after each step, ``final_err`` (mean over the last 10 %
    of steps) and ``lrs`` (the rate of each step).
    """
    g_data, g_batch = spawn(rng, 2)
    X = g_data.standard_normal((n, d))
    y = X @ g_data.standard_normal(d) + noise * g_data.standard_normal(n)
    A = np.column_stack([X, np.ones(n)])
    w_hat = np.linalg.lstsq(A, y, rcond=None)[0]
    lin = Linear(d, 1, W=np.zeros((d, 1)), b=np.zeros(1))
    errs = []

    class _Err:
        def on_step_end(self, state):
            w = np.concatenate([lin.params["W"][:, 0], lin.params["b"]])
            errs.append(float(np.sum((w - w_hat) ** 2)))

    h = fit(lin, X, y, loss="quadratic", optimizer="sgd", lr=lr, steps=steps, batch_size=batch_size,
            rng=g_batch, callbacks=_schedule_callbacks(schedule, lr) + [_Err()], eval_train=False)
    err = np.array(errs)
    lrs = np.array(h.extra.get("lr", [lr] * steps))
    return {"err": err, "final_err": float(err[-max(1, steps // 10):].mean()), "lrs": lrs}


@cached(maxsize=32)
def noise_floor_table(specs=(("constant 0.1", 0.1, None), ("constant 0.01", 0.01, None),
                             ("step 0.1 -> x0.1 at 1000", 0.1, ("step", {"drop": 0.1, "every": 1000})),
                             ("cosine 0.1 -> 0", 0.1, ("cosine", {"total": 2000}))),
                      seeds=SEEDS, steps: int = 2000) -> dict:
    """:func:`noise_floor` for each ``(label, lr, schedule)`` over ``seeds``:
    ``{label: {"err": (n_seeds, steps), "final_err": (n_seeds,)}}`` plus ``seeds``."""
    out = {"seeds": np.asarray(seeds)}
    for label, lr, sched in specs:
        runs = [noise_floor(lr, sched, s, steps) for s in seeds]
        out[label] = {"err": np.stack([r["err"] for r in runs]),
                      "final_err": np.array([r["final_err"] for r in runs])}
    return out
