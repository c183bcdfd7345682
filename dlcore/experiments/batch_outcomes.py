"""Chapter 06: what very large batches and sign-based steps do to the outcome of training.

* :func:`train_to_fit`: train the digits net on a *small* training set until it fits it (training
  loss below ``loss_target``), then measure validation accuracy: the setting of Keskar et al.'s
  (2017) "generalisation gap" of large batches, checked at this scale over seeds
  (:func:`generalisation`).
* :func:`rprop_runs`: Rprop (Riedmiller and Braun 1993) adapts one step size per weight from the
  *sign* of successive gradients. With the full batch the signs are the true gradient's; with
  mini-batches they flip from batch to batch: under random signs iRprop−'s log step size drifts by
  (2/3)(½ ln 1.2 + ½ ln 0.5) ≈ −0.17 per step, so most step sizes fall to their floor and those
  weights stop learning, while a few with a persistent sign grow to the maximum step. Uses ``dlcore.optim.get_optimizer("rprop", model, lr=initial step)``.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..losses import softmax_cross_entropy
from .batch_noise import HIDDEN
from .batch_training import digits_setup
from .common import batches, train_step

__all__ = ["train_to_fit", "generalisation", "equal_budget", "rprop_available", "rprop_runs"]


@cached(maxsize=256)
def train_to_fit(batch_size=8, lr=0.1, rng=0, n_train=200, loss_target=0.02, max_steps=20000, hidden=32,
                 optimizer="sgd") -> dict:
    """Train the digits net (float32) on the first ``n_train`` training images until the training loss
    (whole training set, checked every ``ceil(n_train/B)`` steps = once an epoch) is below
    ``loss_target``. Returns ``fit`` (bool), ``steps``, ``epochs``, ``train_loss``, ``train_acc``,
    ``val_acc`` (the 359 validation images), ``diverged``."""
    (X, y, Xv, yv), net, opt, order_rng = digits_setup(n_train, rng, hidden, optimizer, lr)
    N = len(X)
    b = min(int(batch_size), N)
    stream = batches(N, b, order_rng)
    every = -(-N // b)
    fit, diverged, loss, step = False, False, float("nan"), 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, int(max_steps) + 1):
            idx = next(stream)
            if not np.isfinite(train_step(net, opt, X[idx], y[idx])):
                diverged = True
                break
            if step % every == 0 or step == max_steps:
                loss, _ = softmax_cross_entropy(net.forward(X, training=False), y)
                if loss < loss_target:
                    fit = True
                    break
    train_acc = float(np.mean(net.forward(X, training=False).argmax(1) == y))
    val_acc = float(np.mean(net.forward(Xv, training=False).argmax(1) == yv))
    return {"fit": fit, "steps": step, "epochs": step * b / N, "train_loss": float(loss), "train_acc": train_acc,
            "val_acc": val_acc if not diverged else float("nan"), "diverged": diverged}


def generalisation(settings=((8, 0.1), (200, 0.5)), seeds=(0, 1, 2, 3, 4), **kw) -> dict:
    """:func:`train_to_fit` for each ``(batch_size, lr)`` of ``settings`` and each seed: ``{B: {key:
    (n_seeds,) array}}`` with the keys of :func:`train_to_fit`, plus ``"paired"`` (val_acc of the
    first setting minus the last, per seed: the same initial weights)."""
    out = {}
    for b, lr in settings:
        runs = [train_to_fit(int(b), float(lr), rng=int(s), **kw) for s in seeds]
        out[int(b)] = {k: np.array([r[k] for r in runs]) for k in runs[0]}
    first, last = int(settings[0][0]), int(settings[-1][0])
    out["paired"] = out[first]["val_acc"] - out[last]["val_acc"]
    return out


def equal_budget(epochs=54, settings=((8, 0.1), (200, 0.5)), seeds=(0, 1, 2, 3, 4), n_train=200) -> dict:
    """The same runs as :func:`generalisation`, stopped after a fixed budget of ``epochs`` passes
    (``epochs * ceil(n_train/B)`` steps, never earlier: ``loss_target=0``) instead of at a training
    loss: Keskar et al.'s (2017) comparison at equal epochs. Same return layout."""
    out = {}
    for b, lr in settings:
        steps = int(round(epochs * -(-int(n_train) // min(int(b), int(n_train)))))
        runs = [train_to_fit(int(b), float(lr), rng=int(s), n_train=n_train, loss_target=0.0, max_steps=steps)
                for s in seeds]
        out[int(b)] = {k: np.array([r[k] for r in runs]) for k in runs[0]}
    first, last = int(settings[0][0]), int(settings[-1][0])
    out["paired"] = out[first]["val_acc"] - out[last]["val_acc"]
    return out


def rprop_available() -> bool:
    """Whether ``dlcore.optim`` has an optimiser registered as ``"rprop"``."""
    from ..optim import OPTIMIZERS
    return "rprop" in OPTIMIZERS


@cached(maxsize=64)
def rprop_runs(batch_size=1079, lr=0.01, rng=0, epochs=60, optimizer="rprop", n_train=None) -> dict:
    """Train the digits net with ``optimizer`` (Rprop by default, ``lr`` = its initial step) for
    ``epochs`` passes at ``batch_size``. Returns ``epoch`` and ``train_loss``/``val_acc`` after each
    epoch (index 0 = before training), ``weight_norm`` (the weight matrices' joint Frobenius norm) after
    each epoch, ``steps``, ``diverged``; and after each epoch (index 0 = before training), from the
    optimiser's per-coordinate step sizes (NaN for an optimiser without them): ``at_floor`` (share of
    step sizes at or near their lower bound: at most 10 Δ_min, i.e. 10⁻⁵), ``above_one`` (share > 1),
    and ``top10`` (share of the
    weight matrices' squared norm held by their 10 largest entries)."""
    (X, y, Xv, yv), net, opt, order_rng = digits_setup(n_train, rng, HIDDEN, optimizer, lr)
    N = len(X)
    b = min(int(batch_size), N)
    stream = batches(N, b, order_rng)
    per_epoch = -(-N // b)

    def record():
        loss, _ = softmax_cross_entropy(net.forward(X, training=False), y)
        norm = np.sqrt(sum(float(np.sum(p.data.astype(np.float64) ** 2)) for _, p in net.named_parameters()
                           if p.role == "weight"))
        return float(loss), float(np.mean(net.forward(Xv, training=False).argmax(1) == yv)), norm

    floor = getattr(opt, "step_min", None)

    def record_steps():
        w2 = np.sort(np.concatenate([p.data.astype(np.float64).ravel() ** 2 for _, p in net.named_parameters()
                                     if p.role == "weight"]))[::-1]
        top = float(w2[:10].sum() / w2.sum())
        if floor is None:
            return float("nan"), float("nan"), top
        if not opt.state:          # before the first step every step size is lr
            st = np.full(1, float(lr))
        else:
            st = np.concatenate([v["step"].ravel() for v in opt.state.values()]).astype(np.float64)
        return float(np.mean(st <= floor * 10)), float(np.mean(st > 1.0)), top

    losses, accs, norms, steps_rec = [], [], [], []
    l0, a0, n0 = record()
    losses.append(l0)
    accs.append(a0)
    norms.append(n0)
    steps_rec.append(record_steps())
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for e in range(int(epochs)):
            for _ in range(per_epoch):
                idx = next(stream)
                if not np.isfinite(train_step(net, opt, X[idx], y[idx])):
                    diverged = True
                    break
            if diverged:
                break
            lo, ac, no = record()
            losses.append(lo)
            accs.append(ac)
            norms.append(no)
            steps_rec.append(record_steps())
    st = np.array(steps_rec)
    return {"epoch": np.arange(len(losses)), "train_loss": np.array(losses), "val_acc": np.array(accs),
            "weight_norm": np.array(norms), "at_floor": st[:, 0], "above_one": st[:, 1], "top10": st[:, 2],
            "steps": len(losses[1:]) * per_epoch, "diverged": diverged, "B": b}
