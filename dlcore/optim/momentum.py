"""Momentum methods: heavy ball (Polyak 1964) and Nesterov's accelerated gradient (chapter 05).

Both keep a velocity :math:`m` per parameter, in PyTorch's convention (the learning rate
multiplies the velocity, so changing ``lr`` mid-run, as a schedule does, rescales the whole step).
"""
from __future__ import annotations

import numpy as np

from .base import Optimizer, check_beta, register

__all__ = ["Momentum", "Nesterov"]


@register("momentum")
class Momentum(Optimizer):
    r"""Heavy-ball momentum: a running sum of past gradients, decayed by :math:`\mu`.

    .. math::
        m_t = \mu\, m_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, m_t, \qquad m_0 = 0.

    With a constant gradient the step grows to :math:`\eta g/(1-\mu)` (10x for :math:`\mu=0.9`);
    along a direction where the gradient flips sign each step, the terms cancel. On a quadratic
    :math:`\tfrac12\theta^\top H\theta` each eigen-direction (curvature :math:`\lambda`) follows
    the linear recurrence
    :math:`\theta_{t+1} = (1 + \mu - \eta\lambda)\,\theta_t - \mu\,\theta_{t-1}` (chapter 05).
    """

    def __init__(self, model, lr: float = 0.01, momentum: float = 0.9, weight_decay: float = 0.0,
                 track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.momentum = check_beta("momentum", momentum)

    def delta(self, key, p, g):
        s = self.state.setdefault(key, {"m": np.zeros_like(g, dtype=np.result_type(g, np.float32))})
        s["m"] = self.momentum * s["m"] + g
        return -self.lr * s["m"]

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g}, momentum={self.momentum:g})"


@register("nesterov")
class Nesterov(Momentum):
    r"""Nesterov's accelerated gradient: the gradient is taken where the momentum is about to carry us.

    As published (Sutskever et al. 2013, in the notes' form), with the look-ahead point
    :math:`\tilde\theta = \theta_{t-1} - \eta\mu\, m_{t-1}`:

    .. math::
        g_t = \nabla f(\theta_{t-1} - \eta\mu\, m_{t-1}), \quad
        m_t = \mu\, m_{t-1} + g_t, \quad \theta_t = \theta_{t-1} - \eta\, m_t.

    An optimiser only sees the gradient at the parameters it holds, so (like PyTorch) this class
    holds the look-ahead point :math:`\phi_t = \theta_t - \eta\mu\, m_t` itself; substituting gives

    .. math::
        m_t = \mu\, m_{t-1} + \nabla f(\phi_{t-1}), \qquad
        \phi_t = \phi_{t-1} - \eta\,\big(\nabla f(\phi_{t-1}) + \mu\, m_t\big),

    the same sequence of look-ahead points (checked in the tests) with :math:`\phi_0=\theta_0`.
    """

    def delta(self, key, p, g):
        s = self.state.setdefault(key, {"m": np.zeros_like(g, dtype=np.result_type(g, np.float32))})
        s["m"] = self.momentum * s["m"] + g
        return -self.lr * (g + self.momentum * s["m"])
