r"""Per-coordinate learning rates from past squared gradients: Adagrad, Adadelta, RMSprop (chapter 05).

All operations are elementwise: each coordinate of each parameter gets its own effective
learning rate, which shrinks where gradients have been large. Square roots and divisions are
elementwise; :math:`\epsilon` keeps the division finite where a coordinate never had a gradient.
"""
from __future__ import annotations

import numpy as np

from .base import Optimizer, check_beta, check_eps, register

__all__ = ["Adagrad", "Adadelta", "RMSprop"]


def _zeros(g):
    return np.zeros_like(g, dtype=np.result_type(g, np.float32))


@register("adagrad")
class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan and Singer 2011): divide by the root of the *sum* of all squared gradients.

    .. math::
        n_t = n_{t-1} + g_t^2, \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{n_t} + \epsilon}\, g_t, \qquad n_0 = 0.

    The sum only grows, so the effective learning rate :math:`\eta/\sqrt{n_t}` only falls: for a
    constant gradient :math:`g` it is :math:`\eta/(|g|\sqrt t)`, and the step is
    :math:`\eta\,\mathrm{sign}(g)/\sqrt t` (up to :math:`\epsilon`). Rarely-updated (sparse)
    coordinates keep a large rate.
    """

    def __init__(self, model, lr: float = 0.01, eps: float = 1e-10, weight_decay: float = 0.0,
                 track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.eps = check_eps(eps)

    def delta(self, key, p, g):
        s = self.state.setdefault(key, {"n": _zeros(g)})
        s["n"] = s["n"] + g * g
        return -self.lr * g / (np.sqrt(s["n"]) + self.eps)


@register("rmsprop")
class RMSprop(Optimizer):
    r"""RMSprop (Hinton, lecture 6e, 2012): Adagrad with a *running average* instead of a sum.

    .. math::
        n_t = \rho\, n_{t-1} + (1-\rho)\, g_t^2, \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{n_t} + \epsilon}\, g_t, \qquad n_0 = 0.

    :math:`n_t` averages roughly the last :math:`1/(1-\rho)` squared gradients (10 for
    :math:`\rho=0.9`), so the effective rate no longer decays to zero: for a constant gradient the
    step tends to :math:`\eta\,\mathrm{sign}(g)`. (:math:`\rho=0.5` does not give "the mean of the
    squared gradients", as the notes say: it weights the latest one by 1/2, the one before by 1/4, ...)
    """

    def __init__(self, model, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.rho = check_beta("rho", rho)
        self.eps = check_eps(eps)

    def delta(self, key, p, g):
        s = self.state.setdefault(key, {"n": _zeros(g)})
        s["n"] = self.rho * s["n"] + (1 - self.rho) * g * g
        return -self.lr * g / (np.sqrt(s["n"]) + self.eps)


@register("adadelta")
class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012): RMSprop whose numerator is the RMS of the recent *updates*.

    Two running averages, of squared gradients and of squared updates:

    .. math::
        E[g^2]_t &= \rho\, E[g^2]_{t-1} + (1-\rho)\, g_t^2, \\
        \Delta\theta_t &= -\frac{\sqrt{E[\Delta\theta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t, \\
        E[\Delta\theta^2]_t &= \rho\, E[\Delta\theta^2]_{t-1} + (1-\rho)\, \Delta\theta_t^2, \\
        \theta_t &= \theta_{t-1} + \eta\, \Delta\theta_t,

    with both averages starting at 0, :math:`\rho = 0.95`, :math:`\epsilon = 10^{-6}` and
    :math:`\eta = 1` as in the paper (:math:`\eta` kept as a multiplier, as in PyTorch, so that
    schedules work). The ratio of the two RMS has the units of
    :math:`\theta` ("correct units", Zeiler's approximate-Newton argument): no global learning rate is
    needed. The notes write the numerator as :math:`\sqrt{\sum_{r<t}\Delta x_r}`, a sum of raw
    updates with no squares and no decay (and drop :math:`g_t`); that is not Adadelta, and a sum of
    signed updates can be negative.
    """

    def __init__(self, model, lr: float = 1.0, rho: float = 0.95, eps: float = 1e-6,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.rho = check_beta("rho", rho)
        self.eps = check_eps(eps)

    def delta(self, key, p, g):
        s = self.state.setdefault(key, {"g2": _zeros(g), "d2": _zeros(g)})
        rho, eps = self.rho, self.eps
        s["g2"] = rho * s["g2"] + (1 - rho) * g * g
        d = -np.sqrt(s["d2"] + eps) / np.sqrt(s["g2"] + eps) * g
        s["d2"] = rho * s["d2"] + (1 - rho) * d * d
        return self.lr * d
