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
setting ``state.stop = True`` ends training after the current step. A plain
function in ``callbacks`` is an error (fit cannot know when to call it): wrap
it, ``LambdaCallback(on_step_end=fn)``.

Every argument is checked once before the first step (:mod:`dlcore.fit_args`):
counts are ints >= 1, ``lr`` a finite number > 0, ``shuffle`` a bool, targets
in range for the loss, and NaN/inf in ``X`` is reported as a
:class:`~dlcore.errors.DataError` before training, not as a divergence.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .diagnostics import layer_stats
from .divergence import Divergence, DivergenceError, find_nonfinite_forward, find_nonfinite_grad, grads_finite, hint
from .errors import ShapeError
from .fit_args import (LambdaCallback, check_callbacks, check_counts, check_data, check_lr, check_model,
                       prepare_targets)
from .layers import Sequential
from .losses import UNCHECKED, bce_with_logits, get_loss, softmax_cross_entropy
from .module import Module, as_generator
from .optim import Optimizer, get_optimizer
from .progress import Progress, current_reporter, reporting
from .sanity import chance_loss, initial_loss_check, stuck_check
from .validate import boolean, float_array, one_of, pair

__all__ = ["fit", "evaluate", "History", "TrainState", "DivergenceError", "Divergence", "predict", "Progress",
           "reporting", "LambdaCallback"]


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


def predict(model: Module, X) -> np.ndarray:
    """The model's output in evaluation mode (does not change the model's mode)."""
    check_model(model, trainable=False)
    return model.forward(float_array("X", X, allow_empty=True), training=False)


def evaluate(model: Module, X, y, loss="cross_entropy") -> dict:
    """Loss and (for classification) accuracy on ``(X, y)`` in evaluation mode.

    Accuracy (``"acc"``) is reported whenever the targets are class labels: integer labels, or
    integer-valued floats such as ``[0., 2., 1.]``, for a classification loss."""
    check_model(model, trainable=False)
    return _evaluate(model, check_data("X", X), y, get_loss(loss))


def _evaluate(model, X, y, loss_fn, prepared=None) -> dict:
    out = model.forward(X, training=False)
    T, labels = prepared if prepared is not None else prepare_targets(loss_fn, y, out.shape[1], len(X), out.dtype)
    value, _ = loss_fn(out, T)
    res = {"loss": value}
    if labels is not None:
        if out.shape[1] == 1:
            thresh = 0.0 if loss_fn is bce_with_logits else 0.5
            pred = (out[:, 0] > thresh).astype(int)
        else:
            pred = out.argmax(axis=1)
        res["acc"] = float(np.mean(pred == labels.reshape(-1)))
    return res


def fit(model: Module, X, y, loss="cross_entropy", optimizer="sgd", lr: float = 0.1,
        epochs: int | None = None, steps: int | None = None, batch_size: int = 32, rng=0,
        val: tuple | None = None, eval_every: int | None = None, callbacks=(),
        diagnostics: int | bool = False, on_divergence: str = "raise",
        shuffle: bool = True, eval_train: bool = True, drop_last: bool = False) -> History:
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
        Evaluated (with the training set) every ``eval_every`` steps (an int >= 1, or None:
        only at the end) and at the end.
    callbacks : list
        Objects with any of the methods ``on_backward``, ``on_step_end``, ``on_eval``,
        ``on_train_end`` (see the module docstring); wrap a plain function in
        :class:`LambdaCallback`.
    diagnostics : int or bool
        Record :func:`~dlcore.diagnostics.layer_stats` every that many steps (``True``: every step).
    on_divergence : {"raise", "stop"}
        On NaN/inf: raise :class:`DivergenceError` or stop and set ``history.divergence``.
    eval_train : bool
        Also evaluate the whole training set at each evaluation (``train_loss``,
        ``train_acc``); turn off to save time when only validation matters.
    drop_last : bool
        Skip each epoch's last batch when it is smaller than ``batch_size`` (``N // batch_size``
        steps per epoch instead of ``ceil(N / batch_size)``): what a batch-norm layer needs when
        the remainder would be a single example.

    ``history.checks`` lists what the sanity checks of :mod:`dlcore.sanity` found: an initial
    loss far from the chance loss (ln K for K classes), a net still at chance at the end.
    """
    # overflow on the way to a divergence is expected: the detector reports it instead
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _fit(model, X, y, loss, optimizer, lr, epochs, steps, batch_size, rng, val,
                    eval_every, callbacks, diagnostics, on_divergence, shuffle, eval_train, drop_last)


def _fit(model, X, y, loss, optimizer, lr, epochs, steps, batch_size, rng, val,
         eval_every, callbacks, diagnostics, on_divergence, shuffle, eval_train, drop_last=False) -> History:
    # every argument is checked here, once; the loop below has no checks of its own
    check_model(model)
    epochs, steps, batch_size, eval_every, diag_every = check_counts(epochs, steps, batch_size, eval_every,
                                                                      diagnostics)
    one_of("on_divergence", on_divergence, ("raise", "stop"))
    shuffle, eval_train = boolean("shuffle", shuffle), boolean("eval_train", eval_train)
    drop_last = boolean("drop_last", drop_last)
    callbacks = check_callbacks(callbacks)
    X = check_data("X", X)
    N = X.shape[0]
    batch_size = min(batch_size, N)
    rng = as_generator(rng)
    loss_fn = get_loss(loss)
    if not isinstance(optimizer, Optimizer):
        lr = check_lr(lr)
    try:
        probe = model.forward(X[:1], training=False)
    except ShapeError as e:
        raise ShapeError(f"X has shape {X.shape}, which the model cannot take: {e}") from None
    n_out = probe.shape[1]
    # targets in X's dtype as before (bit-identical losses), then once in the output's dtype
    t_dtype = probe.dtype if loss_fn is softmax_cross_entropy else X.dtype
    T, labels = prepare_targets(loss_fn, y, n_out, N, t_dtype)
    # evaluation builds its targets in the output's dtype (as evaluate() does); reuse T when that is the same
    train_targets = (T, labels) if np.dtype(t_dtype) == probe.dtype else None
    step_loss = UNCHECKED.get(loss_fn)
    if step_loss is None:
        step_loss = loss_fn
    elif T.dtype != probe.dtype:
        T = T.astype(probe.dtype)
    if train_targets is None:
        train_targets = prepare_targets(loss_fn, y, n_out, N, probe.dtype)
    if val is not None:
        Xv, yv = pair("val", val)
        Xv = check_data("val X", Xv, n_features=X.shape[1])
        v_dtype = model.forward(Xv[:1], training=False).dtype       # evaluate()'s dtype for these targets
        val = (Xv, yv, prepare_targets(loss_fn, yv, n_out, len(Xv), v_dtype, name="val y"))
    opt = get_optimizer(optimizer, model, lr=lr) if not isinstance(optimizer, Optimizer) else optimizer
    if diag_every and not opt.track_updates:
        opt.track_updates = True
    chance = chance_loss(loss_fn, n_out)
    per_epoch = N // batch_size if drop_last else int(np.ceil(N / batch_size))
    total = steps if steps is not None else epochs * per_epoch
    history = History()
    state = TrainState(model, opt, history)
    if current_reporter() is not None:
        callbacks.append(current_reporter().start(total))
    t0 = time.perf_counter()

    def do_eval():
        rec = {"step": state.step, "epoch": state.step / per_epoch}
        for prefix, (Xe, ye, prepared) in (("train", (X, y, train_targets) if eval_train else (None,) * 3),
                                            ("val", val)):
            if Xe is None:
                continue
            for k, v in _evaluate(model, Xe, ye, loss_fn, prepared).items():
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
        val = (None,) * 3
    model.train()
    params = list(model.named_parameters())     # listed once: the net's structure is fixed while it trains
    sequential = isinstance(model, Sequential)
    order = np.arange(N)
    while state.step < total and not state.stop:
        if shuffle:
            order = rng.permutation(N)
        for start in range(0, per_epoch * batch_size if drop_last else N, batch_size):
            if state.step >= total or state.stop:
                break
            idx = order[start:start + batch_size]
            state.step += 1
            state.epoch = (state.step - 1) // per_epoch
            out = model.forward(X[idx], training=True)
            value, dout = step_loss(out, T[idx])
            state.loss = value
            history.loss.append(value)
            if state.step == 1 and (msg := initial_loss_check(value, chance)):
                history.checks.append(msg)
            if not math.isfinite(value):
                layer = find_nonfinite_forward(model)
                return diverge("forward" if layer else "loss", layer)
            if sequential:
                model.backward(dout, input_grad=False)    # nothing uses dL/dX in training: skip its product
            else:
                model.backward(dout)
            if not grads_finite(model, params):
                return diverge("gradient", find_nonfinite_grad(model))
            for cb in callbacks:
                if hasattr(cb, "on_backward"):
                    cb.on_backward(state)
            opt.step(params)
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
