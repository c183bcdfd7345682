"""Optimisers on one shared interface (chapter 01; chapter 05 adds the rest).

An optimiser is bound to a model and updates its parameters **in place**
(the model owns them) from the gradients its last backward pass left in
``module.grads``. Subclasses implement one method,

``delta(key, p, g) -> array``: the change to add to parameter ``p``,

where ``g`` already includes the L2 penalty's gradient
:math:`\\lambda W` when ``weight_decay`` :math:`=\\lambda > 0` (applied to
parameters whose role is ``"weight"``, the weight matrices; not to biases or
activation slopes),

and may keep per-parameter state in ``self.state[key]``. ``step()`` applies
all deltas and, with ``track_updates=True``, keeps them in
``last_updates`` (name -> delta) for the update:data ratio diagnostic.
"""
from __future__ import annotations

import numpy as np

from .module import Module

__all__ = ["Optimizer", "SGD", "OPTIMIZERS", "get_optimizer"]


class Optimizer:
    """Base class. ``lr`` may be changed between steps (schedules)."""

    def __init__(self, model: Module, lr: float, weight_decay: float = 0.0, track_updates: bool = False):
        if not isinstance(model, Module):
            raise TypeError(f"optimiser needs a dlcore Module, got {type(model).__name__}")
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"learning rate must be a positive finite number, got {lr}")
        if not np.isfinite(weight_decay) or weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.model = model
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.state: dict[str, dict] = {}
        self.track_updates = track_updates
        self.last_updates: dict[str, np.ndarray] = {}

    def delta(self, key: str, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def step(self) -> None:
        """Apply one update to every parameter of the model."""
        self.t += 1
        updates = {}
        for key, param in self.model.named_parameters():
            p, g = param.data, param.grad
            if g is None:
                continue
            if self.weight_decay and param.role == "weight":   # L2 penalty on weight matrices only
                g = g + self.weight_decay * p
            d = self.delta(key, p, g)
            p += d.astype(p.dtype, copy=False)
            if self.track_updates:
                updates[key] = d
        self.last_updates = updates

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Plain gradient descent :math:`\\theta \\leftarrow \\theta - \\eta\\, g`."""

    def delta(self, key, p, g):
        return -self.lr * g


OPTIMIZERS = {"sgd": SGD}


def get_optimizer(name, model: Module, **kwargs) -> Optimizer:
    """Build an optimiser by name (``"sgd"``) or pass an instance through."""
    if isinstance(name, Optimizer):
        return name
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; known: {', '.join(sorted(OPTIMIZERS))}")
    return OPTIMIZERS[name.lower()](model, **kwargs)
