"""Losses on a batch: each returns ``(loss, dL/d(input))`` (chapters 01, 04).

Conventions: rows are examples; losses are **summed over outputs and
averaged over the batch** (``reduction="mean"``) or summed over both
(``reduction="sum"``). The classification losses take *logits* ``Z`` (the
output of the last Linear layer) and never form ``log(p)`` from a rounded
probability, so they stay finite for logits of any size.

=========================  ==========================================  ==========================
loss                       per example                                 gradient (per example)
=========================  ==========================================  ==========================
``quadratic``              :math:`c\\sum_k (\\hat y_k - y_k)^2`          :math:`2c(\\hat y - y)`
``bce_with_logits``        :math:`\\sum_k \\log(1+e^{z_k}) - y_k z_k`    :math:`\\sigma(z) - y`
``softmax_cross_entropy``  :math:`-\\sum_k y_k \\log \\mathrm{softmax}(z)_k`  :math:`\\mathrm{softmax}(z) - y`
=========================  ==========================================  ==========================

with :math:`c = \\tfrac12` by default in ``quadratic`` (the convention of
the worked example in chapter 01, which makes the gradient :math:`\\hat y - y`).
"""
from __future__ import annotations

import numpy as np

from .activations.basic import sigmoid
from .errors import DataError, InvalidType, ShapeError
from .validate import class_labels, distributions, finite_data, float_array, one_of, show

__all__ = [
    "logsumexp", "softmax", "log_softmax", "quadratic", "bce_with_logits",
    "softmax_cross_entropy", "LOSSES", "get_loss",
]


def logsumexp(Z: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """:math:`\\log\\sum_k e^{z_k}` computed as :math:`m + \\log\\sum_k e^{z_k-m}`, :math:`m=\\max_k z_k`."""
    Z = np.asarray(Z)
    m = Z.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = m + np.log(np.exp(Z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    """:math:`z_k - \\mathrm{logsumexp}(z)`: finite for any finite logits."""
    Z = np.asarray(Z)
    return Z - logsumexp(Z, axis=axis, keepdims=True)


def softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax :math:`e^{z_k - m}/\\sum_j e^{z_j - m}`."""
    Z = np.asarray(Z)
    E = np.exp(Z - np.max(Z, axis=axis, keepdims=True))
    return E / np.sum(E, axis=axis, keepdims=True)


def _check_pair(name, Yhat, Y):
    Yhat = float_array(f"{name}: prediction", Yhat, ndim=(1, 2))
    Y = float_array(f"{name}: target", Y, ndim=(1, 2))
    if Yhat.ndim == 1:
        Yhat = Yhat[:, None]
    if Y.ndim == 1 and Yhat.shape[1] == 1:
        Y = Y[:, None]
    if Yhat.shape != Y.shape:
        raise ShapeError(f"{name}: prediction has shape {Yhat.shape} but target has shape {Y.shape}")
    finite_data(f"{name}: target", Y)
    return Yhat, Y.astype(Yhat.dtype, copy=False)


def _reduce(per_example_sum, n, reduction):
    if reduction == "mean":
        return per_example_sum / n, 1.0 / n
    if reduction == "sum":
        return per_example_sum, 1.0
    one_of("reduction", reduction, ("mean", "sum"))
    raise AssertionError  # unreachable: one_of raised


def quadratic(Yhat, Y, half: bool = True, reduction: str = "mean"):
    """Squared error :math:`c\\,\\lVert\\hat y - y\\rVert^2` with :math:`c=\\tfrac12` (``half``) or 1.

    Returns ``(loss, dL/dYhat)``; ``Yhat`` and ``Y`` have shape ``(N, K)``
    (or ``(N,)``, treated as ``K=1``).
    """
    Yhat, Y = _check_pair("quadratic", Yhat, Y)
    return _quadratic(Yhat, Y, half, reduction)


def _quadratic(Yhat, Y, half=True, reduction="mean"):
    c = 0.5 if half else 1.0
    D = Yhat - Y
    loss, scale = _reduce(c * np.sum(D * D), Yhat.shape[0], reduction)
    return float(loss), (2 * c * scale) * D


def _unit_interval(name, Y):
    bad = (Y < 0) | (Y > 1)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{name}: targets must lie in [0, 1] (probabilities or 0/1 labels), got {Y[pos]:g} "
                        f"at {pos} ({int(bad.sum())} outside)")


def bce_with_logits(Z, Y, reduction: str = "mean"):
    """Binary cross-entropy of ``sigmoid(Z)`` against targets ``Y`` in [0, 1], from logits.

    Uses :math:`\\log(1+e^{z}) - yz = \\max(z,0) - yz + \\log(1+e^{-|z|})`,
    finite for any finite ``Z``. Gradient :math:`\\sigma(z) - y`.
    """
    Z, Y = _check_pair("bce_with_logits", Z, Y)
    _unit_interval("bce_with_logits", Y)
    return _bce(Z, Y, reduction)


def _bce(Z, Y, reduction="mean"):
    per = np.maximum(Z, 0) - Y * Z + np.log1p(np.exp(-np.abs(Z)))
    loss, scale = _reduce(np.sum(per), Z.shape[0], reduction)
    return float(loss), scale * (sigmoid(Z) - Y)


def _targets_as_probs(Y, N, K, dtype, name="softmax_cross_entropy: target"):
    """Integer labels (N,) as one-hot rows, or soft targets (N, K) checked to be distributions."""
    if Y is None:
        raise InvalidType(f"{name} must be labels (N,) or target distributions (N, K), got None")
    Y = np.asarray(Y) if isinstance(Y, np.ndarray) else float_array(name, Y, allow_empty=True)
    if Y.ndim == 1:
        if Y.shape[0] != N:
            raise ShapeError(f"softmax_cross_entropy: {N} rows of logits but {Y.shape[0]} labels")
        Y = class_labels(name, Y, n_classes=K)
        P = np.zeros((N, K), dtype=dtype)
        P[np.arange(N), Y] = 1
        return P
    if Y.shape != (N, K):
        raise ShapeError(f"softmax_cross_entropy: logits have shape {(N, K)} but targets have shape {Y.shape}")
    Y = float_array(name, Y)
    distributions(name, Y)
    return Y.astype(dtype, copy=False)


def softmax_cross_entropy(Z, Y, reduction: str = "mean"):
    """Cross-entropy of ``softmax(Z)`` against labels ``(N,)`` or target distributions ``(N, K)``.

    Labels must be integers 0..K-1 (integer-valued floats are accepted); soft targets must be
    rows of non-negative numbers summing to 1 (within 1e-6). Returns ``(loss, dL/dZ)`` with
    :math:`\\partial L/\\partial z = p - y` (divided by N for the mean).
    """
    Z = float_array("softmax_cross_entropy: logits", Z)
    if Z.ndim != 2:
        raise ShapeError(f"softmax_cross_entropy: logits must be (N, K), got shape {Z.shape}")
    N, K = Z.shape
    T = _targets_as_probs(Y, N, K, Z.dtype)
    return _sce(Z, T, reduction)


def _sce(Z, T, reduction="mean"):
    logp = log_softmax(Z)
    loss, scale = _reduce(-(T * logp).sum(), Z.shape[0], reduction)
    return float(loss), scale * (np.exp(logp) - T)


LOSSES = {
    "quadratic": quadratic, "mse": quadratic, "bce": bce_with_logits,
    "bce_with_logits": bce_with_logits, "cross_entropy": softmax_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy, "ce": softmax_cross_entropy,
}


#: the checked losses and their unchecked cores, for callers (``fit``) that validated the targets once
UNCHECKED = {quadratic: _quadratic, bce_with_logits: _bce, softmax_cross_entropy: _sce}


def get_loss(loss):
    """A loss function by name (``"cross_entropy"``, ``"bce"``, ``"quadratic"``) or a callable passed through."""
    if callable(loss):
        return loss
    if not isinstance(loss, str):
        raise InvalidType(f"loss must be a name such as 'cross_entropy' or a function, got {show(loss)}")
    return LOSSES[one_of("loss", loss.lower(), sorted(LOSSES))]
