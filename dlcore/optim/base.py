"""The optimiser interface, plain gradient descent and the registry (chapter 01; chapter 05 adds the rest).

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

from ..module import Module

__all__ = ["Optimizer", "SGD", "OPTIMIZERS", "get_optimizer", "register", "check_beta", "check_eps"]


def check_beta(name: str, value) -> float:
    """``value`` as a float in [0, 1) (a decay rate or momentum factor), else a ValueError naming it."""
    v = float(value)
    if not (0.0 <= v < 1.0):
        raise ValueError(f"{name} must lie in [0, 1), got {value}")
    return v


def check_eps(value, name: str = "eps") -> float:
    """``value`` as a positive finite float, else a ValueError."""
    v = float(value)
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return v


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
    """Plain gradient descent :math:`\\theta_t = \\theta_{t-1} - \\eta\\, g_t` (chapter 01)."""

    name = "sgd"

    def delta(self, key, p, g):
        return -self.lr * g


#: name -> class; every optimiser of dlcore.optim registers itself here
OPTIMIZERS: dict[str, type] = {"sgd": SGD}


def register(name: str):
    """Class decorator: make an optimiser available to :func:`get_optimizer` (and ``fit``) by name."""
    def deco(cls):
        OPTIMIZERS[name] = cls
        cls.name = name
        return cls
    return deco


def get_optimizer(name, model: Module, **kwargs) -> Optimizer:
    """Build an optimiser by name (``"sgd"``, ``"adam"``, ... see :data:`OPTIMIZERS`) or pass an
    instance through. Keyword arguments go to its constructor (``lr``, ``momentum``, ``betas`` ...)."""
    if isinstance(name, Optimizer):
        return name
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; known: {', '.join(sorted(OPTIMIZERS))}")
    return OPTIMIZERS[name.lower()](model, **kwargs)
