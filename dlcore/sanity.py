"""Sanity checks of a training run (CS231n's first two): the initial loss, and a net stuck at chance.

A classifier that starts with no preference among its K classes has a known initial loss:
:math:`\\ln K` for softmax cross-entropy (``-ln(1/K)``), :math:`K \\ln 2` for K sigmoid outputs with
binary cross-entropy (each output at 1/2). An initial loss far above it means the outputs start
confident, usually because the initial weights are too large (chapters 02 and 04); a loss still at
that level after hundreds of steps means the net has not learned anything (vanishing gradients,
dead units, a learning rate too small or too large). :func:`dlcore.train.fit` runs both checks and
writes what it finds to ``history.checks``.
"""
from __future__ import annotations

import math

import numpy as np

from .losses import bce_with_logits, softmax_cross_entropy

__all__ = ["chance_loss", "initial_loss_check", "stuck_check"]


def chance_loss(loss_fn, n_outputs: int) -> float | None:
    """The per-example loss of a classifier with no preference: ``ln K`` (softmax CE), ``K ln 2``
    (sigmoid outputs + BCE); None for a loss without such a reference (quadratic)."""
    if loss_fn is softmax_cross_entropy and n_outputs >= 2:
        return math.log(n_outputs)
    if loss_fn is bce_with_logits:
        return n_outputs * math.log(2.0)
    return None


def initial_loss_check(first_loss: float, reference: float | None, low: float = 0.5, high: float = 2.0) -> str | None:
    """A message if the first mini-batch's loss is outside ``[low, high]`` times the chance loss."""
    if reference is None or not math.isfinite(first_loss):
        return None
    ratio = first_loss / reference
    if ratio > high:
        return (f"initial loss {first_loss:.3g} is {ratio:.1f}x the loss of a classifier with no preference "
                f"({reference:.3g}): the outputs start confident, so the initial weights are probably too large")
    if ratio < low:
        return (f"initial loss {first_loss:.3g} is only {ratio:.2f}x the chance loss {reference:.3g} before any "
                "training: check for labels leaking into the inputs or a loss averaged twice")
    return None


def stuck_check(losses, reference: float | None, min_steps: int = 100, level: float = 0.95) -> str | None:
    """A message if, after at least ``min_steps`` steps, the mean loss of the last tenth of the
    steps is still at or above ``level`` times the chance loss."""
    losses = np.asarray(losses, dtype=float)
    if reference is None or len(losses) < min_steps:
        return None
    tail = losses[-max(len(losses) // 10, 1):]
    if not np.all(np.isfinite(tail)):
        return None
    if tail.mean() >= level * reference:
        return (f"stuck at chance: after {len(losses)} steps the loss is {tail.mean():.3g}, still the "
                f"{reference:.3g} of a classifier with no preference; the net is not learning (vanishing "
                "gradients, dead units, or a learning rate far off)")
    return None
