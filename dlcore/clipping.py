"""Gradient clipping, by value and by global norm (chapter 02).

Both act **in place** on the gradients a backward pass left in a model's
``grads`` dicts (the model owns them; the caller's data are never touched),
between ``backward`` and the optimiser step.

* By value (element-wise): :math:`g_i \\leftarrow \\min(\\max(g_i, -c), c)`.
  Cheap, but it changes the *direction* of the gradient.
* By global norm (Pascanu, Mikolov & Bengio 2013): with
  :math:`\\lVert g\\rVert = \\sqrt{\\sum_{\\text{all params}} \\sum_i g_i^2}`,

  .. math:: g \\leftarrow g \\cdot \\min\\Big(1, \\frac{c}{\\lVert g\\rVert}\\Big),

  which keeps the direction and caps the step length at :math:`\\eta c`.

:class:`GradientClipper` is a callback for :func:`~dlcore.train.fit`; it
clips in ``on_backward`` and records the norm before and after clipping in
``history.extra["grad_norm_pre"]`` / ``["grad_norm_post"]`` (one value per
step) and ``["clipped"]`` (whether that step was changed).
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument, InvalidType
from .module import Module
from .validate import positive_float, show

__all__ = ["global_grad_norm", "clip_by_value", "clip_by_global_norm", "GradientClipper"]


def _grads(model: Module) -> list[np.ndarray]:
    if not isinstance(model, Module):
        raise InvalidType(f"expected a dlcore Module, got {type(model).__name__}")
    return [p.grad for _, p in model.named_parameters() if p.grad is not None]


def _threshold(c, what: str) -> float:
    try:
        return positive_float(f"{what} threshold", c)
    except InvalidArgument:
        raise InvalidArgument(f"{what} threshold must be a positive finite number, got {show(c)}") from None


def _norm(grads) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)))


def global_grad_norm(model: Module) -> float:
    """:math:`\\sqrt{\\sum_k \\lVert g_k\\rVert^2}` over every gradient array of ``model`` (float64)."""
    return _norm(_grads(model))


def clip_by_value(model: Module, clip_value: float) -> float:
    """Clip every gradient entry of ``model`` to ``[-clip_value, clip_value]`` in place.

    Returns the global gradient norm *before* clipping.
    """
    c = _threshold(clip_value, "clip_value")
    grads = _grads(model)
    norm = _norm(grads)
    for g in grads:
        np.clip(g, -c, c, out=g)
    return norm


def clip_by_global_norm(model: Module, max_norm: float) -> float:
    """Rescale all gradients of ``model`` together so their global norm is at most ``max_norm``.

    Returns the global norm *before* clipping (as ``torch.nn.utils.clip_grad_norm_`` does).
    A non-finite norm is returned unchanged and the gradients are left alone:
    clipping cannot repair a NaN, and the divergence detector should see it.
    """
    c = _threshold(max_norm, "max_norm")
    grads = _grads(model)
    norm = _norm(grads)
    if np.isfinite(norm) and norm > c:
        factor = c / norm
        for g in grads:
            g *= np.asarray(factor, dtype=g.dtype)
    return norm


class GradientClipper:
    """A :func:`~dlcore.train.fit` callback clipping every step's gradients.

    Parameters
    ----------
    mode : {"norm", "value", "none"}
        Clip by global norm, element-wise by value, or only record the norm
        (``"none"``: the unclipped baseline of a comparison).
    threshold : float
        ``max_norm`` or ``clip_value`` (ignored for ``"none"``).
    """

    def __init__(self, mode: str = "norm", threshold: float = 1.0):
        if not (isinstance(mode, str) and mode in ("norm", "value", "none")):
            raise InvalidArgument(f"mode must be 'norm', 'value' or 'none', got {show(mode)}")
        self.mode = mode
        self.threshold = float("inf") if mode == "none" else _threshold(threshold, "clipping")

    def on_backward(self, state) -> None:
        model = state.model
        if self.mode == "norm":              # the norm after rescaling is max_norm (to float rounding)
            pre = clip_by_global_norm(model, self.threshold)
            post = min(pre, self.threshold) if np.isfinite(pre) else pre
        elif self.mode == "value":
            pre = clip_by_value(model, self.threshold)
            post = global_grad_norm(model)
        else:
            pre = post = global_grad_norm(model)
        extra = state.history.extra
        extra.setdefault("grad_norm_pre", []).append(pre)
        extra.setdefault("grad_norm_post", []).append(post)
        extra.setdefault("clipped", []).append(bool(post < pre * (1 - 1e-6)))

    def __repr__(self):
        return f"GradientClipper(mode={self.mode!r}, threshold={self.threshold:g})"
