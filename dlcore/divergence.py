"""Divergence detection for the training loop: where a NaN or inf first appeared, and a hint.

:func:`dlcore.train.fit` stops at the first non-finite loss, activation or gradient and reports
the step, the layer and what to try (:class:`Divergence`, :class:`DivergenceError`), instead of
carrying on and drawing garbage.
"""
from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np

from .errors import DlcoreError

__all__ = ["Divergence", "DivergenceError", "hint", "find_nonfinite_forward", "find_nonfinite_grad", "grads_finite"]


@dataclass
class Divergence:
    """Where training first produced a non-finite number."""
    step: int
    where: str       # "loss", "forward" or "gradient"
    layer: str       # e.g. "3:Sigmoid" or "0:Linear.W"; "" for the loss itself
    hint: str

    def __str__(self):
        loc = f" in layer {self.layer}" if self.layer else ""
        return f"non-finite {self.where}{loc} at step {self.step}. {self.hint}"


class DivergenceError(DlcoreError, FloatingPointError):
    """Raised by :func:`fit` when the loss or a gradient becomes NaN or inf (a :class:`~dlcore.errors.DlcoreError`
    and a ``FloatingPointError``)."""

    def __init__(self, divergence: Divergence, history):
        super().__init__(str(divergence))
        self.divergence = divergence
        self.history = history


def hint(history, where: str, lr: float) -> str:
    losses = [l for l in history.loss if np.isfinite(l)]
    if len(losses) >= 3 and losses[-1] > 2 * min(losses):
        return (f"The loss was growing before it blew up ({min(losses):.3g} -> {losses[-1]:.3g}): "
                f"the learning rate {lr:g} is probably too high; try a smaller one or clip the gradients.")
    if len(history.loss) <= 1:
        return ("It happened at once: the initial weights are probably far too large "
                "(check the initialiser's scale) or the inputs contain huge values.")
    return f"Try a smaller learning rate than {lr:g}, gradient clipping, or a smaller initial weight scale."


def find_nonfinite_forward(model):
    for i, Y in enumerate(getattr(model, "outputs", [])):
        if not np.all(np.isfinite(Y)):
            return f"{i}:{type(model.layers[i]).__name__}"
    return ""


def find_nonfinite_grad(model):
    """Name of the first parameter, in backward order, whose gradient is not finite (or None)."""
    names = getattr(model, "layers", None)
    for name, p in reversed(list(model.named_parameters())):   # backward order: where it first appeared
        g = p.grad
        if g is not None and not np.all(np.isfinite(g)):
            if names is not None:
                top = int(name.split(".")[0])
                return f"{top}:{type(names[top]).__name__}.{name.split('.', 1)[1]}"
            return name
    return None


_sum = np.add.reduce


def grads_finite(model, params=None) -> bool:
    """Whether every gradient is finite (``params``: ``list(model.named_parameters())`` if at hand)."""
    # one sum per array is far cheaper than isfinite on every entry (NaN and inf survive a sum; an
    # overflow of the sum itself is a false alarm): confirm on a hit. np.add.reduce and math.isfinite
    # skip two layers of NumPy's Python wrappers: this runs every step.
    for _, p in (model.named_parameters() if params is None else params):
        g = p.grad
        if g is not None and not math.isfinite(_sum(g, None)):
            return find_nonfinite_grad(model) is None
    return True
