"""What :func:`dlcore.train.fit` and :func:`~dlcore.train.evaluate` check before the first step.

Everything a reader passes to ``fit`` is checked once, at entry, so that a typo is a clear
:mod:`dlcore.errors` exception naming the argument and the value (not a silent change of the
experiment, and not a NumPy error from deep inside the loop), and so that the per-step path stays
free of checks. NaN or inf in the data is reported as a data problem here, before training, rather
than as a divergence blamed on the weights.

Targets (:func:`prepare_targets`):

* ``cross_entropy``: labels ``(N,)`` must be integers 0..K-1 for K outputs (integer-valued floats
  are accepted); ``(N, K)`` soft targets must be rows of non-negative numbers summing to 1.
* ``quadratic`` / ``bce`` with K > 1 outputs and labels ``(N,)``: labels 0..K-1, one-hot encoded
  (so a label of -1 is an error, not the last class).
* ``bce``: targets in [0, 1].
* ``quadratic`` with one output: any finite real targets (regression).
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument, InvalidType, MissingMethod, ShapeError
from .losses import _unit_interval, bce_with_logits, quadratic, softmax_cross_entropy
from .module import Module
from .validate import (class_labels, distributions, finite_data, float_array, nonneg_int, one_of,
                       positive_float, positive_int, show)

__all__ = ["HOOKS", "LambdaCallback", "check_callbacks", "check_model", "check_data", "prepare_targets",
           "check_counts", "check_lr"]

#: the methods :func:`fit` calls on a callback, in the order they happen in a step
HOOKS = ("on_backward", "on_step_end", "on_eval", "on_train_end")


class LambdaCallback:
    """A callback from plain functions: ``LambdaCallback(on_step_end=lambda state: ...)``.

    ``fit`` does not guess which hook a bare function in ``callbacks`` is meant for (after
    backward? after the step? at evaluation?): it raises and points here."""

    def __init__(self, **hooks):
        for k, fn in hooks.items():
            one_of("hook", k, HOOKS)
            if not callable(fn):
                raise InvalidType(f"LambdaCallback {k} must be a function of the training state, got {show(fn)}")
            setattr(self, k, fn)

    def __repr__(self):
        return f"LambdaCallback({', '.join(k for k in HOOKS if hasattr(self, k))})"


def check_callbacks(callbacks) -> list:
    """``callbacks`` as a list of objects each having at least one of :data:`HOOKS` (callable)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise InvalidType(f"callbacks must be a list of callback objects, got {show(callbacks)}; "
                          "for one callback write callbacks=[cb]")
    out = list(callbacks)
    for i, cb in enumerate(out):
        hooks = [h for h in HOOKS if callable(getattr(cb, h, None))]
        if hooks:
            continue
        if callable(cb):
            raise InvalidType(
                f"callbacks[{i}] is a plain function ({getattr(cb, '__name__', show(cb))}); fit cannot tell when to "
                f"call it. A callback is an object with any of the methods {', '.join(HOOKS)} (each taking the "
                "training state); to run a function after every step write "
                "callbacks=[LambdaCallback(on_step_end=fn)] (from dlcore.train import LambdaCallback)")
        raise InvalidType(f"callbacks[{i}] = {show(cb)} has none of the methods {', '.join(HOOKS)}, "
                          "so fit would never call it")
    return out


def check_model(model, trainable: bool = True) -> None:
    if not isinstance(model, Module):
        raise InvalidType(f"model must be a dlcore Module (e.g. mlp([2, 16, 2], rng=0)), got {show(model)}")
    if trainable and type(model).backward is Module.backward:
        raise MissingMethod(f"model {type(model).__name__} does not define backward(dY), so it cannot be trained")


def check_data(name: str, X, n_features=None) -> np.ndarray:
    """``X`` as a non-empty, finite, 2-D floating array (ints converted to float64)."""
    X = float_array(name, X, ndim=2)
    if n_features is not None and X.shape[1] != n_features:
        raise ShapeError(f"{name} has {X.shape[1]} features (shape {X.shape}) but the training X has {n_features}")
    return finite_data(name, X)


def check_counts(epochs, steps, batch_size, eval_every, diagnostics):
    if (epochs is None) == (steps is None):
        raise InvalidArgument(f"give exactly one of epochs= or steps=, got epochs={epochs!r}, steps={steps!r}")
    epochs = None if epochs is None else positive_int("epochs", epochs)
    steps = None if steps is None else positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    eval_every = None if eval_every is None else positive_int("eval_every", eval_every)
    if isinstance(diagnostics, (bool, np.bool_)):
        diag_every = 1 if diagnostics else 0
    else:
        diag_every = nonneg_int("diagnostics", diagnostics)
    return epochs, steps, batch_size, eval_every, diag_every


def check_lr(lr):
    """A learning rate given to ``fit`` with an optimiser name: a finite number > 0."""
    try:
        return positive_float("lr", lr)
    except InvalidArgument:
        raise InvalidArgument(f"lr: the learning rate must be a positive finite number, got {show(lr)}") from None


def prepare_targets(loss_fn, y, n_out: int, n_rows: int, dtype, name: str = "y"):
    """``(T, labels)``: the targets the loss is called with (checked once here) and the int class
    labels used for accuracy (or None for regression or soft targets)."""
    if y is None:
        raise InvalidType(f"{name} is None; fit and evaluate need targets: class labels (N,) or values (N, K)")
    if isinstance(y, (str, bytes)):
        raise InvalidType(f"{name} must be an array of targets with one entry per row of X, got {show(y)}")
    if not isinstance(y, np.ndarray):                     # lists: numbers only, rectangular
        try:
            a = np.asarray(y)
        except (TypeError, ValueError):
            a = None
        y = a if a is not None and a.dtype.kind in "biuf" else float_array(name, y, allow_empty=True)
    if y.ndim == 0:
        raise InvalidType(f"{name} must be an array of targets with one entry per row of X, got {show(y)}")
    if len(y) != n_rows:
        raise ShapeError(f"X has {n_rows} rows but {name} has {len(y)}")
    if loss_fn not in (softmax_cross_entropy, quadratic, bce_with_logits):     # the reader's own loss: as given
        y = np.asarray(y)
        labels = y.reshape(-1) if y.ndim == 1 and y.dtype.kind in "iu" else None
        return (y.reshape(-1, 1).astype(dtype) if y.ndim == 1 and n_out == 1 else y), labels
    Y = float_array(name, y, ndim=(1, 2)) if not (isinstance(y, np.ndarray) and y.dtype.kind in "iu") else y
    if Y.ndim == 1 and (loss_fn is softmax_cross_entropy or n_out > 1):
        labels = class_labels(name, Y, n_classes=n_out)
        T = np.zeros((n_rows, n_out), dtype=dtype)
        T[np.arange(n_rows), labels] = 1
        return T, labels
    T = (Y.reshape(-1, 1) if Y.ndim == 1 else Y).astype(dtype)
    if T.shape[1] != n_out:
        raise ShapeError(f"the model has {n_out} outputs but {name} has shape {np.shape(y)}")
    finite_data(name, T)
    if loss_fn is softmax_cross_entropy:
        distributions(name, T)
        return T, None
    labels = None
    if loss_fn is bce_with_logits:
        _unit_interval(name, T)
    if Y.ndim == 1 and np.all(T == np.round(T)) and (loss_fn is bce_with_logits or Y.dtype.kind in "iu"):
        labels = T[:, 0].astype(np.int64)          # 0/1 labels for one output: accuracy by threshold
    return T, labels
