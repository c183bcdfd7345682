"""The training loop: mini-batch gradient descent with callbacks and a history.

:func:`fit` runs ``forward -> loss -> backward -> callbacks -> optimiser step``
for a number of steps or epochs, records the loss of every step, evaluates
periodically and, on request, records per-layer diagnostics. If the loss or
any gradient becomes NaN or infinite it stops and reports the step, the layer
where the bad value first appeared and a hint, instead of carrying on and
drawing garbage (:class:`DivergenceError`, or ``history.divergence`` with
``on_divergence="stop"``).

Callbacks are objects with any of the methods ``on_backward(state)`` (after
backward, before the step: gradient clipping lives here),
``on_step_end(state)``, ``on_eval(state)`` and ``on_train_end(state)``;
setting ``state.stop = True`` ends training after the current step.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .diagnostics import layer_stats
from .divergence import Divergence, DivergenceError, find_nonfinite_forward, find_nonfinite_grad, grads_finite, hint
from .losses import bce_with_logits, get_loss, quadratic, softmax_cross_entropy
from .module import Module, as_generator
from .optim import Optimizer, get_optimizer
from .progress import Progress, current_reporter, reporting
from .sanity import chance_loss, initial_loss_check, stuck_check

__all__ = ["fit", "evaluate", "History", "TrainState", "DivergenceError", "Divergence", "predict", "Progress",
           "reporting"]


@dataclass
class History:
    """What :func:`fit` records. ``loss[i]`` is the mini-batch loss of step ``i + 1``."""
    loss: list = field(default_factory=list)
    evals: list = field(default_factory=list)        # dicts: step, epoch, train_loss, train_acc, val_loss, val_acc
    diagnostics: list = field(default_factory=list)  # dicts: step, layers (list of per-layer dicts)
    extra: dict = field(default_factory=dict)         # callbacks may record here
    divergence: Divergence | None = None
    steps: int = 0
    seconds: float = 0.0
    checks: list = field(default_factory=list)       # sanity findings (dlcore.sanity), as sentences

    def eval_series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of one evaluated quantity, e.g. ``"val_acc"``."""
        pts = [(e["step"], e[key]) for e in self.evals if key in e]
        if not pts:
            return np.zeros(0, int), np.zeros(0)
        s, v = zip(*pts)
        return np.asarray(s), np.asarray(v, dtype=float)

    def diag_series(self, layer_index: int, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of one diagnostic of one layer, e.g. ``(0, "grad_norm")``."""
        pts = [(d["step"], d["layers"][layer_index][key]) for d in self.diagnostics
               if key in d["layers"][layer_index]]
        if not pts:
            return np.zeros(0, int), np.zeros(0)
        s, v = zip(*pts)
        return np.asarray(s), np.asarray(v, dtype=float)


@dataclass
class TrainState:
    """Passed to callbacks."""
    model: Module
    optimizer: Optimizer
    history: History
    step: int = 0
    epoch: int = 0
    loss: float = float("nan")
    stop: bool = False


def _targets_for(loss_fn, y, n_out, dtype):
    """Integer labels become one-hot vectors for the losses that need them."""
    y = np.asarray(y)
    if loss_fn in (quadratic, bce_with_logits) and y.ndim == 1 and n_out > 1:
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError("integer class labels expected for a multi-output quadratic/BCE loss")
        T = np.zeros((len(y), n_out), dtype=dtype)
        T[np.arange(len(y)), y] = 1
        return T
    if y.ndim == 1 and n_out == 1 and loss_fn is not softmax_cross_entropy:
        return y.reshape(-1, 1).astype(dtype)
    return y


def predict(model: Module, X) -> np.ndarray:
    """The model's output in evaluation mode (does not change the model's mode)."""
    return model.forward(X, training=False)


def evaluate(model: Module, X, y, loss="cross_entropy") -> dict:
    """Loss and (for classification) accuracy on ``(X, y)`` in evaluation mode."""
    loss_fn = get_loss(loss)
    out = predict(model, X)
    T = _targets_for(loss_fn, y, out.shape[1], out.dtype)
    value, _ = loss_fn(out, T)
    res = {"loss": value}
    y = np.asarray(y)
    if np.issubdtype(y.dtype, np.integer):
        if out.shape[1] == 1:
            thresh = 0.0 if loss_fn is bce_with_logits else 0.5
            pred = (out[:, 0] > thresh).astype(int)
        else:
            pred = out.argmax(axis=1)
        res["acc"] = float(np.mean(pred == y.reshape(-1)))
    return res


def fit(model: Module, X, y, loss="cross_entropy", optimizer="sgd", lr: float = 0.1,
        epochs: int | None = None, steps: int | None = None, batch_size: int = 32, rng=0,
        val: tuple | None = None, eval_every: int | None = None, callbacks=(),
        diagnostics: int | bool = False, on_divergence: str = "raise",
        shuffle: bool = True, eval_train: bool = True) -> History:
    """Train ``model`` on ``(X, y)`` by mini-batch gradient descent.

    Parameters
    ----------
    X, y : arrays
        Training inputs ``(N, d)`` and targets (labels ``(N,)`` or ``(N, K)``).
    loss : str or callable
        ``"cross_entropy"`` (softmax on logits), ``"bce"`` (sigmoid on logits)
        or ``"quadratic"``; integer labels are one-hot encoded where needed.
    optimizer : str or Optimizer
        Name (built with ``lr``) or a ready optimiser bound to ``model``.
    epochs, steps : int
        Give exactly one: passes over the data, or optimiser steps.
    batch_size : int
        Mini-batch size; ``batch_size >= N`` is full-batch gradient descent.
    rng : int or Generator
        Shuffling order (the only randomness the loop uses).
    val : (X_val, y_val), optional
        Evaluated (with the training set) every ``eval_every`` steps and at the end.
    diagnostics : int or bool
        Record :func:`~dlcore.diagnostics.layer_stats` every that many steps (``True``: every step).
    on_divergence : {"raise", "stop"}
        On NaN/inf: raise :class:`DivergenceError` or stop and set ``history.divergence``.
    eval_train : bool
        Also evaluate the whole training set at each evaluation (``train_loss``,
        ``train_acc``); turn off to save time when only validation matters.

    ``history.checks`` lists what the sanity checks of :mod:`dlcore.sanity` found: an initial
    loss far from the chance loss (ln K for K classes), a net still at chance at the end.
    """
    # overflow on the way to a divergence is expected: the detector reports it instead
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _fit(model, X, y, loss, optimizer, lr, epochs, steps, batch_size, rng, val,
                    eval_every, callbacks, diagnostics, on_divergence, shuffle, eval_train)


def _fit(model, X, y, loss, optimizer, lr, epochs, steps, batch_size, rng, val,
         eval_every, callbacks, diagnostics, on_divergence, shuffle, eval_train) -> History:
    if (epochs is None) == (steps is None):
        raise ValueError("give exactly one of epochs= or steps=")
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {on_divergence!r}")
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (N, features), got shape {X.shape}")
    N = X.shape[0]
    if len(y) != N:
        raise ValueError(f"X has {N} rows but y has {len(y)}")
    if int(batch_size) <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    batch_size = min(int(batch_size), N)
    rng = as_generator(rng)
    loss_fn = get_loss(loss)
    opt = get_optimizer(optimizer, model, lr=lr) if not isinstance(optimizer, Optimizer) else optimizer
    diag_every = (1 if diagnostics is True else int(diagnostics)) if diagnostics else 0
    if diag_every and not opt.track_updates:
        opt.track_updates = True
    n_out = model.forward(X[:1], training=False).shape[1]
    T = _targets_for(loss_fn, y, n_out, X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64)
    chance = chance_loss(loss_fn, n_out)
    per_epoch = int(np.ceil(N / batch_size))
    total = steps if steps is not None else epochs * per_epoch
    history = History()
    state = TrainState(model, opt, history)
    callbacks = list(callbacks)
    if current_reporter() is not None:
        callbacks.append(current_reporter().start(total))
    t0 = time.perf_counter()

    def do_eval():
        rec = {"step": state.step, "epoch": state.step / per_epoch}
        for prefix, (Xe, ye) in (("train", (X, y) if eval_train else (None, None)), ("val", val)):
            if Xe is None:
                continue
            for k, v in evaluate(model, Xe, ye, loss_fn).items():
                rec[f"{prefix}_{k}"] = v
        history.evals.append(rec)
        for cb in callbacks:
            if hasattr(cb, "on_eval"):
                cb.on_eval(state)

    def diverge(where, layer):
        d = Divergence(state.step, where, layer, hint(history, where, opt.lr))
        history.divergence = d
        history.steps, history.seconds = state.step, time.perf_counter() - t0
        if on_divergence == "raise":
            raise DivergenceError(d, history)
        return history

    if val is None:
        val = (None, None)
    model.train()
    order = np.arange(N)
    while state.step < total and not state.stop:
        if shuffle:
            order = rng.permutation(N)
        for start in range(0, N, batch_size):
            if state.step >= total or state.stop:
                break
            idx = order[start:start + batch_size]
            state.step += 1
            state.epoch = (state.step - 1) // per_epoch
            out = model.forward(X[idx], training=True)
            value, dout = loss_fn(out, T[idx])
            state.loss = value
            history.loss.append(value)
            if state.step == 1 and (msg := initial_loss_check(value, chance)):
                history.checks.append(msg)
            if not np.isfinite(value):
                layer = find_nonfinite_forward(model)
                return diverge("forward" if layer else "loss", layer)
            model.backward(dout)
            if not grads_finite(model):
                return diverge("gradient", find_nonfinite_grad(model))
            for cb in callbacks:
                if hasattr(cb, "on_backward"):
                    cb.on_backward(state)
            opt.step()
            if diag_every and state.step % diag_every == 0:
                history.diagnostics.append({"step": state.step, "layers": layer_stats(model, opt)})
            for cb in callbacks:
                if hasattr(cb, "on_step_end"):
                    cb.on_step_end(state)
            if eval_every and state.step % eval_every == 0:
                do_eval()
    if not history.evals or history.evals[-1]["step"] != state.step:
        do_eval()
    if msg := stuck_check(history.loss, chance):
        history.checks.append(msg)
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end(state)
    history.steps, history.seconds = state.step, time.perf_counter() - t0
    return history
