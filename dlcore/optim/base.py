"""The optimiser interface, plain gradient descent and the registry (chapter 01; chapter 05 adds the rest).

An optimiser is bound to a model and updates its parameters **in place**
(the model owns them) from the gradients its last backward pass left in
``module.grads``. Subclasses implement one method,

``delta(key, p, g) -> array``: the change to add to parameter ``p``,

where ``g`` already includes the L2 penalty's gradient
:math:`\\lambda W` when ``weight_decay`` :math:`=\\lambda > 0` (applied to
parameters whose role is ``"weight"``, the weight matrices; not to biases or
activation slopes). An optimiser with ``decoupled_decay = True`` (AdamW) instead
subtracts :math:`\\eta\\lambda W` from the parameter after its own step and leaves ``g`` alone.

**State.** ``opt.state[key]`` is a dict per parameter (``key`` as in
``model.named_parameters()``, e.g. ``"0.W"``) holding that parameter's named state arrays,
created on its first step; each class lists its entries in ``STATE`` (name -> meaning) and in
its docstring. The arrays are updated **in place** where that saves time: copy one to keep
its history. ``opt.t`` counts the ``step()`` calls.

``step()`` applies all deltas and, with ``track_updates=True``, keeps them in
``last_updates`` (name -> delta) for the update:data ratio diagnostic. ``lr`` may be changed
between steps (:mod:`dlcore.schedules`). Constructors check their arguments (the messages
name the argument); ``delta`` checks nothing, it runs every step.
"""
from __future__ import annotations

import difflib
import inspect

import numpy as np

from ..errors import InvalidArgument, InvalidType
from ..module import Module
from ..validate import boolean, fraction, nonneg_float, one_of, positive_float, show

__all__ = ["Optimizer", "SGD", "OPTIMIZERS", "get_optimizer", "register", "check_beta", "check_eps", "check_lr",
           "check_betas"]


def check_lr(value, name: str = "lr") -> float:
    """``value`` as a positive finite float (a learning rate or a step size)."""
    try:
        return positive_float(name, value)
    except InvalidArgument:
        raise InvalidArgument(f"{name}: the learning rate must be a positive finite number, got {show(value)}") \
            from None


def check_beta(name: str, value) -> float:
    """``value`` as a float in [0, 1) (a decay rate or momentum factor), else an error naming it."""
    return fraction(name, value, hi_closed=False)


def check_eps(value, name: str = "eps") -> float:
    """``value`` as a positive finite float."""
    return positive_float(name, value)


def check_betas(betas, names=("beta1", "beta2")) -> tuple[float, float]:
    """``betas`` as a pair of floats in [0, 1)."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise InvalidType(f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {show(betas)}")
    return check_beta(f"betas[0] ({names[0]})", betas[0]), check_beta(f"betas[1] ({names[1]})", betas[1])


def zeros_state(g) -> np.ndarray:
    """A zero state array shaped like ``g``, float32 or wider (float32 parameters keep float32 state)."""
    return np.zeros_like(g, dtype=np.result_type(g, np.float32))


class Optimizer:
    """Base class. ``lr`` may be changed between steps (schedules)."""

    #: state entries per parameter: name -> meaning (see the module docstring)
    STATE: dict[str, str] = {}
    #: True: weight decay is p <- p - lr*lambda*p after the step (AdamW); False: lambda*p is added to g (L2)
    decoupled_decay = False

    def __init__(self, model: Module, lr: float, weight_decay: float = 0.0, track_updates: bool = False):
        if not isinstance(model, Module):
            raise InvalidType(f"optimiser needs a dlcore Module (the model whose parameters it updates), "
                              f"got {type(model).__name__}")
        self.model = model
        self.lr = check_lr(lr)
        self.weight_decay = nonneg_float("weight_decay", weight_decay)
        self.track_updates = boolean("track_updates", track_updates)
        self.t = 0
        self.state: dict[str, dict] = {}
        self.last_updates: dict[str, np.ndarray] = {}

    def delta(self, key: str, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def step(self, params=None) -> None:
        """Apply one update to every parameter of the model (``params``: the model's
        ``list(named_parameters())`` when the caller has it already, as ``fit`` does)."""
        self.t += 1
        updates = {}
        wd, coupled, track = self.weight_decay, not self.decoupled_decay, self.track_updates
        for key, param in (self.model.named_parameters() if params is None else params):
            g = param.grad
            if g is None:
                continue
            p = param.data
            decay = wd and param.role == "weight"         # weight matrices only
            if decay and coupled:
                g = g + wd * p                             # L2 penalty: its gradient joins g
            d = self.delta(key, p, g)
            if decay and not coupled:
                d = d - (self.lr * wd) * p                 # decoupled: shrink p itself (before it moves)
            p += d if d.dtype == p.dtype else d.astype(p.dtype)
            if track:
                updates[key] = d
        self.last_updates = updates

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Plain gradient descent :math:`\\theta_t = \\theta_{t-1} - \\eta\\, g_t` (chapter 01). No state."""

    name = "sgd"
    STATE = {}

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
    if not isinstance(name, str):
        raise InvalidType(f"optimizer must be a name ({', '.join(sorted(OPTIMIZERS))}) or an Optimizer, "
                          f"got {show(name)}")
    if name.lower() not in OPTIMIZERS:
        one_of("optimiser", name, sorted(OPTIMIZERS))        # raises, listing the known names
    cls = OPTIMIZERS[name.lower()]
    known = [k for k in inspect.signature(cls.__init__).parameters if k not in ("self", "model")]
    for k in kwargs:
        if k not in known:
            close = difflib.get_close_matches(k, known, n=2)
            did = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise InvalidArgument(f"{cls.__name__} has no argument {k!r}; its arguments: {', '.join(known)}.{did}")
    return cls(model, **kwargs)
