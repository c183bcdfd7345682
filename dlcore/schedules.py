r"""Learning-rate schedules: small callables ``lr(t)`` and the callback that applies them (chapter 05).

``t`` is the number of optimiser steps already taken, so ``lr(0)`` is the rate of the first step.
A schedule is used by :func:`dlcore.train.fit` through :class:`LRScheduler`, which sets
``optimizer.lr = schedule(t)`` before every step::

    fit(net, X, y, optimizer="momentum", lr=0.1, steps=500,
        callbacks=[LRScheduler(Warmup(Cosine(0.1, total=450), steps=50))])

========================  ==============================================================================
schedule                  :math:`\eta(t)`
========================  ==============================================================================
``Constant(lr)``          :math:`\eta_0`
``StepDecay``             :math:`\eta_0\, d^{\lfloor t/s \rfloor}` (drop ``d`` every ``s`` steps)
``Exponential``           :math:`\eta_0\, r^{t/s}` (``decay_rate`` r, ``decay_steps`` s; ``staircase``: :math:`\lfloor t/s\rfloor`)
``InverseTime``           :math:`\eta_0 / (1 + r\, t/s)`
``Cosine``                :math:`\eta_{min} + \tfrac12(\eta_0-\eta_{min})(1+\cos(\pi \min(t,T)/T))`
``Warmup(after, W)``      :math:`\eta_{after}(0)\,(t+1)/W` for :math:`t<W`, then :math:`\eta_{after}(t-W)`
========================  ==============================================================================

A schedule composes with every optimiser of :mod:`dlcore.optim`: ``lr`` multiplies the step of
each (Adadelta's too; AdamW's decoupled decay is scaled with it), except Rprop, whose ``lr`` is only
its initial step size and which ignores later changes.

The parameters of the exponential decay are the ones TensorFlow's ``exponential_decay`` names
(``learning_rate, decay_steps, decay_rate, staircase``), the usual answer to "which parameters
does a learning-rate decay have".
"""
from __future__ import annotations

import math

import numpy as np

from .errors import InvalidArgument, InvalidType
from .validate import boolean, fraction, nonneg_float, nonneg_int, positive_float, positive_int, show

__all__ = ["Schedule", "Constant", "StepDecay", "Exponential", "InverseTime", "Cosine", "Warmup",
           "LRScheduler", "SCHEDULES", "get_schedule"]


def _positive(name, v):
    return positive_float(name, v)


def _count(name, v):
    return positive_int(name, v)


class Schedule:
    """Base class: ``schedule(t)`` is the learning rate of step ``t + 1`` (``t`` steps already taken)."""

    def __call__(self, t) -> float:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)):
            raise InvalidType(f"t (steps taken) must be a non-negative int, got {show(t)}")
        if t < 0:
            raise InvalidArgument(f"t (steps taken) must be a non-negative int, got {t!r}")
        return float(self.rate(int(t)))

    def rate(self, t: int) -> float:
        raise NotImplementedError

    def values(self, n: int) -> np.ndarray:
        """The rates of the first ``n`` steps, ``[lr(0), ..., lr(n-1)]`` (for plotting)."""
        return np.array([self(t) for t in range(int(n))])

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    r""":math:`\eta(t) = \eta_0`."""

    def __init__(self, lr: float):
        self.lr = _positive("lr", lr)

    def rate(self, t):
        return self.lr


class StepDecay(Schedule):
    r"""Multiply by ``drop`` every ``every`` steps: :math:`\eta_0\, d^{\lfloor t/s\rfloor}`."""

    def __init__(self, lr: float, drop: float = 0.5, every: int = 100):
        self.lr = _positive("lr", lr)
        self.drop, self.every = fraction("drop", drop, lo_closed=False), _count("every", every)

    def rate(self, t):
        return self.lr * self.drop ** (t // self.every)


class Exponential(Schedule):
    r""":math:`\eta_0\, r^{t/s}` (or :math:`r^{\lfloor t/s\rfloor}` with ``staircase``): multiplied by
    ``decay_rate`` every ``decay_steps`` steps, smoothly in between."""

    def __init__(self, lr: float, decay_rate: float = 0.96, decay_steps: int = 100, staircase: bool = False):
        self.lr = _positive("lr", lr)
        self.decay_rate = fraction("decay_rate", decay_rate, lo_closed=False)
        self.decay_steps = _count("decay_steps", decay_steps)
        self.staircase = boolean("staircase", staircase)

    def rate(self, t):
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.lr * self.decay_rate ** p


class InverseTime(Schedule):
    r""":math:`\eta_0 / (1 + r\, t/s)`: the :math:`1/t` decay that stochastic-approximation theory asks for."""

    def __init__(self, lr: float, decay_rate: float = 1.0, decay_steps: int = 100, staircase: bool = False):
        self.lr = _positive("lr", lr)
        self.decay_rate, self.decay_steps = _positive("decay_rate", decay_rate), _count("decay_steps", decay_steps)
        self.staircase = boolean("staircase", staircase)

    def rate(self, t):
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.lr / (1 + self.decay_rate * p)


class Cosine(Schedule):
    r"""Cosine annealing (Loshchilov and Hutter 2017, one cycle): from :math:`\eta_0` at :math:`t=0`
    to :math:`\eta_{min}` at :math:`t=T`, then constant:
    :math:`\eta_{min} + \tfrac12(\eta_0-\eta_{min})\,(1+\cos(\pi\min(t,T)/T))`."""

    def __init__(self, lr: float, total: int, lr_min: float = 0.0):
        self.lr = _positive("lr", lr)
        self.total = _count("total", total)
        self.lr_min = nonneg_float("lr_min", lr_min)
        if self.lr_min > self.lr:
            raise InvalidArgument(f"lr_min must lie in [0, lr] = [0, {self.lr:g}], got {show(lr_min)}")

    def rate(self, t):
        return self.lr_min + 0.5 * (self.lr - self.lr_min) * (1 + math.cos(math.pi * min(t, self.total) / self.total))


class Warmup(Schedule):
    r"""Linear warm-up over ``steps`` steps, then ``after`` (a schedule, or a number for a constant)
    started afresh: :math:`\eta_{after}(0)\,(t+1)/W` for :math:`t < W`, :math:`\eta_{after}(t-W)` after.

    The first step already moves (rate :math:`\eta/W`, not 0) and step :math:`W` reaches
    :math:`\eta_{after}(0)`; warm-up lets Adam's second-moment estimate and a net's early, large
    gradients settle before the full rate is used (Goyal et al. 2017)."""

    def __init__(self, after, steps: int):
        self.after = after if isinstance(after, Schedule) else Constant(after)    # Constant checks a number
        self.steps = _count("steps", steps)

    def rate(self, t):
        if t < self.steps:
            return self.after(0) * (t + 1) / self.steps
        return self.after(t - self.steps)


SCHEDULES = {"constant": Constant, "step": StepDecay, "exponential": Exponential, "inverse_time": InverseTime,
             "cosine": Cosine}


def get_schedule(name, lr: float | None = None, warmup: int = 0, **kwargs) -> Schedule:
    """A schedule by name (``"step"``, ``"exponential"``, ``"inverse_time"``, ``"cosine"``,
    ``"constant"``) with its keyword arguments, preceded by ``warmup`` steps of linear warm-up if
    ``warmup > 0``; a :class:`Schedule` is passed through."""
    if isinstance(name, Schedule):
        return name
    if not isinstance(name, str) or name.lower() not in SCHEDULES:
        raise InvalidArgument(f"unknown schedule {name!r}; known: {', '.join(sorted(SCHEDULES))}")
    warmup = nonneg_int("warmup", warmup)
    s = SCHEDULES[name.lower()](lr, **kwargs)
    return Warmup(s, warmup) if warmup else s


class LRScheduler:
    """A :func:`dlcore.train.fit` callback: before each optimiser step, ``optimizer.lr = schedule(t)``
    with ``t`` the steps already taken. The rates used are recorded in ``history.extra["lr"]``."""

    def __init__(self, schedule):
        if not callable(schedule):
            raise InvalidType(f"schedule must be callable lr(t), got {type(schedule).__name__}")
        self.schedule = schedule

    def on_backward(self, state):
        lr = float(self.schedule(state.step - 1))
        if not (math.isfinite(lr) and lr >= 0):
            raise InvalidArgument(f"schedule gave learning rate {lr} at step {state.step}")
        state.optimizer.lr = lr
        state.history.extra.setdefault("lr", []).append(lr)
