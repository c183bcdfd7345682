"""Chapter 08, section 8.1: bias and variance on the digits, as capacity (hidden width) and data size vary.

:func:`capacity_run` trains a one-hidden-layer ReLU net of a given width on the first ``n_train``
digits (optionally with a fraction of the training labels replaced by wrong ones) for a fixed number
of SGD steps, whatever ``n_train``, and returns its training and validation error;
:func:`capacity_sweep` and :func:`data_sweep` run it over widths or training-set sizes and seeds;
:func:`random_features_sweep` is the least-squares double descent on random ReLU features.

The training error is measured against the labels the net was trained on (noisy ones included: a
net that has memorised them has training error 0); ``clean_train_err`` against the true labels.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..dropout import dropout_mlp
from ..layers import mlp
from ..rng import spawn
from ..train import evaluate, fit
from .common import SEEDS, digits_data, over_seeds

__all__ = ["capacity_run", "capacity_sweep", "data_sweep", "n_params", "noisy_labels", "WIDTHS", "SIZES",
           "RF_FEATURES", "random_features_run", "random_features_sweep"]

#: the widths of section 8.1
WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256)
#: the training-set sizes of section 8.1 (all 1079 digits at most)
SIZES = (25, 50, 100, 200, 400, 1079)


def n_params(width: int, n_in: int = 64, n_out: int = 10) -> int:
    """Parameters of ``n_in-width-n_out``."""
    return (n_in + 1) * width + (width + 1) * n_out


def noisy_labels(y, fraction: float, rng) -> np.ndarray:
    """``y`` with each label replaced, with probability ``fraction``, by one of the 9 other classes."""
    g = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    y = np.asarray(y)
    flip = g.random(len(y)) < fraction
    return np.where(flip, (y + g.integers(1, 10, len(y))) % 10, y)


def noisy_digits_net(n_train: int = 200, label_noise: float = 0.2, rng=0):
    """Chapter 08's over-fitting setting without dropout: ``n_train`` training digits with a fraction
    ``label_noise`` of wrong labels and the float32 64-128-128-10 ReLU net. Returns ``X, y`` (the labels
    trained on), ``Xv, yv``, the net and the generator of the batch order (the same draws, in the same
    order, for every experiment that uses it)."""
    X, y, Xv, yv = digits_data(int(n_train))
    g_net, g_order, g_noise = spawn(rng, 3)
    if label_noise:
        y = noisy_labels(y, label_noise, g_noise)
    net = dropout_mlp([64, 128, 128, 10], p_hidden=0.0, rng=g_net, dtype=np.float32)
    return X, y, Xv, yv, net, g_order


@cached(maxsize=1024)
def capacity_run(width: int = 32, n_train: int = 200, label_noise: float = 0.0, steps: int = 1500,
                 lr: float = 0.1, batch_size: int = 50, rng=0) -> dict:
    """Train ``64-width-10`` (ReLU, He, float32) with SGD for ``steps`` steps on ``n_train`` digits.

    Returns ``train_err`` (on the labels trained on), ``clean_train_err`` (on the true labels),
    ``val_err``, ``val_loss``, ``train_loss`` and ``n_params``."""
    X, y, Xv, yv = digits_data(int(n_train))
    g_net, g_order, g_noise = spawn(rng, 3)
    yt = noisy_labels(y, label_noise, g_noise) if label_noise else np.asarray(y)
    net = mlp([64, int(width), 10], rng=g_net, dtype=np.float32)
    fit(net, X, yt, lr=lr, steps=int(steps), batch_size=int(batch_size), rng=g_order, eval_train=False)
    tr, trc, va = evaluate(net, X, yt), evaluate(net, X, y), evaluate(net, Xv, yv)
    return {"train_err": 1 - tr["acc"], "clean_train_err": 1 - trc["acc"], "val_err": 1 - va["acc"],
            "train_loss": tr["loss"], "val_loss": va["loss"], "n_params": n_params(int(width))}


def capacity_sweep(widths=WIDTHS, n_train: int = 200, label_noise: float = 0.0, seeds=SEEDS, **kw) -> dict:
    """:func:`capacity_run` over ``widths`` and ``seeds``: arrays ``(n_widths, n_seeds)`` and ``widths``."""
    runs = [over_seeds(capacity_run, seeds, width=int(w), n_train=n_train, label_noise=label_noise, **kw)
            for w in widths]
    out = {k: np.stack([r[k] for r in runs]) for k in ("train_err", "clean_train_err", "val_err", "val_loss")}
    out.update(widths=np.asarray(widths), n_params=np.array([n_params(int(w)) for w in widths]),
               n_train=int(n_train), label_noise=float(label_noise))
    return out


def data_sweep(sizes=SIZES, width: int = 64, label_noise: float = 0.0, seeds=SEEDS, **kw) -> dict:
    """:func:`capacity_run` over training-set ``sizes`` and ``seeds``: arrays ``(n_sizes, n_seeds)``."""
    runs = [over_seeds(capacity_run, seeds, width=int(width), n_train=int(n), label_noise=label_noise, **kw)
            for n in sizes]
    out = {k: np.stack([r[k] for r in runs]) for k in ("train_err", "clean_train_err", "val_err", "val_loss")}
    out.update(sizes=np.asarray(sizes), width=int(width), label_noise=float(label_noise))
    return out


#: the numbers of random features of the least-squares double descent (section 8.1): n = 200 sits in the middle
RF_FEATURES = (50, 100, 150, 180, 200, 220, 250, 400, 1000, 4000)


@cached(maxsize=256)
def random_features_run(n_features: int = 200, n_train: int = 200, label_noise: float = 0.0, rng=0) -> dict:
    """Minimum-norm least squares on ``n_features`` random ReLU features ``max(0, x V)``, ``V ~ N(0, 1/64)``
    (fixed, not trained), fitted to one-hot targets of the first ``n_train`` digits with the pseudo-inverse.

    Below ``n_train`` features it is ordinary least squares, above it the smallest-norm interpolating
    solution; at ``n_features = n_train`` the system is square and badly conditioned. Returns
    ``train_err``, ``val_err`` and ``coef_norm`` (Frobenius norm of the fitted output weights)."""
    X, y, Xv, yv = digits_data(int(n_train))
    g_feat, g_noise = spawn(rng, 2)
    yt = noisy_labels(y, label_noise, g_noise) if label_noise else np.asarray(y)
    V = g_feat.normal(size=(64, int(n_features))) / 8.0
    F, Fv = np.maximum(np.asarray(X, float) @ V, 0), np.maximum(np.asarray(Xv, float) @ V, 0)
    B = np.linalg.pinv(F) @ np.eye(10)[yt]
    return {"train_err": float(np.mean((F @ B).argmax(1) != yt)),
            "val_err": float(np.mean((Fv @ B).argmax(1) != np.asarray(yv))),
            "coef_norm": float(np.linalg.norm(B))}


def random_features_sweep(features=RF_FEATURES, n_train: int = 200, seeds=SEEDS, **kw) -> dict:
    """:func:`random_features_run` over ``features`` and ``seeds``: arrays ``(n_features, n_seeds)``."""
    runs = [over_seeds(random_features_run, seeds, n_features=int(f), n_train=n_train, **kw) for f in features]
    out = {k: np.stack([r[k] for r in runs]) for k in ("train_err", "val_err", "coef_norm")}
    out.update(features=np.asarray(features), n_train=int(n_train))
    return out
