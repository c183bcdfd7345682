r"""Momentum methods: heavy ball (Polyak 1964) and Nesterov's accelerated gradient (chapter 05).

Both keep a velocity :math:`m` per parameter, and the learning rate multiplies the velocity
(PyTorch's convention), so changing ``lr`` mid-run, as a schedule does, rescales the whole step.

**Two conventions** are in use for the velocity, and both are here (``convention=``):

* ``"sum"`` (default; PyTorch, Sutskever et al. 2013): :math:`m_t = \mu\, m_{t-1} + g_t`;
* ``"average"`` (Andrew Ng's course, the notes, Keras's "EMA" form):
  :math:`m_t = \mu\, m_{t-1} + (1-\mu)\, g_t`, an exponential moving average of the gradients.

Both start at :math:`m_0 = 0` and both are linear in the gradients, so the averaged velocity is
*exactly* :math:`(1-\mu)` times the summed one at every step, whatever the gradients: the two
conventions give the **same path** when :math:`\eta_{average} = \eta_{sum}/(1-\mu)`. Nothing but the
meaning of the learning rate changes. For a constant gradient the summed step grows to
:math:`\eta g/(1-\mu)` (10 :math:`\eta g` at :math:`\mu = 0.9`), the averaged one to
:math:`\eta g`: at the same ``lr`` the "sum" convention takes :math:`1/(1-\mu)` times larger
steps at steady state (checked in ``tests/test_optim_first_steps.py``), so a rate tuned for one
convention is 10x off in the other at :math:`\mu = 0.9`.

``dampening=d`` is PyTorch's general form :math:`m_t = \mu m_{t-1} + (1-d)\, g_t` (``d = 0``: sum,
``d = \mu``: average). PyTorch starts its buffer at :math:`m_1 = g_1` undamped, which differs from
:math:`m_0 = 0` when :math:`d > 0`; ``first_velocity="grad"`` reproduces that.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument
from ..validate import one_of
from .base import Optimizer, check_beta, register

__all__ = ["Momentum", "Nesterov"]


@register("momentum")
class Momentum(Optimizer):
    r"""Heavy-ball momentum: a running sum (or average) of past gradients, decayed by :math:`\mu`.

    .. math::
        m_t = \mu\, m_{t-1} + (1-d)\, g_t, \qquad \theta_t = \theta_{t-1} - \eta\, m_t, \qquad m_0 = 0,

    with :math:`d = 0` for ``convention="sum"`` (default) and :math:`d = \mu` for
    ``convention="average"`` (or any ``dampening`` :math:`d \in [0, 1)`). See the module docstring
    for what changes between the conventions (only the scale of the learning rate, by
    :math:`1/(1-\mu)`). With a constant gradient the summed step grows to :math:`\eta g/(1-\mu)`;
    along a direction where the gradient flips sign each step, the terms cancel. On a quadratic
    :math:`\tfrac12\theta^\top H\theta` each eigen-direction (curvature :math:`\lambda`) follows
    the linear recurrence
    :math:`\theta_{t+1} = (1 + \mu - \eta\lambda)\,\theta_t - \mu\,\theta_{t-1}` (sum convention).

    ``first_velocity="grad"``: :math:`m_1 = g_1` undamped, as PyTorch's ``SGD(dampening=d)``.

    State: ``state[key]["m"]``, the velocity :math:`m_t`.
    """

    STATE = {"m": "velocity m_t"}

    def __init__(self, model, lr: float = 0.01, momentum: float = 0.9, weight_decay: float = 0.0,
                 track_updates: bool = False, convention: str | None = None, dampening: float | None = None,
                 first_velocity: str = "zero"):
        super().__init__(model, lr, weight_decay, track_updates)
        self.momentum = check_beta("momentum", momentum)
        if convention is not None:
            one_of("convention", convention, ("sum", "average"))
        d = 0.0 if dampening is None else check_beta("dampening", dampening)
        if convention is not None and dampening is not None and d != (0.0 if convention == "sum" else self.momentum):
            raise InvalidArgument(f"convention={convention!r} means dampening="
                                  f"{0.0 if convention == 'sum' else self.momentum:g}, got dampening={dampening!r}; "
                                  "give one of them")
        self.dampening = self.momentum if convention == "average" else d
        self.convention = convention or ("sum" if self.dampening == 0 else
                                         "average" if self.dampening == self.momentum else "dampened")
        self.first_velocity = one_of("first_velocity", first_velocity, ("zero", "grad"))
        self._gain = 1.0 - self.dampening                 # the factor of g_t in the velocity

    def _velocity(self, key, g):
        s = self.state.get(key)
        if s is None:                                     # first step: m_1 = (1-d) g_1, or g_1 (PyTorch)
            m = np.array(g, dtype=np.result_type(g, np.float32), copy=True)
            if self.first_velocity == "zero" and self._gain != 1.0:
                m *= self._gain
            self.state[key] = {"m": m}
            return m
        m = s["m"]
        m *= self.momentum
        if self._gain == 1.0:
            m += g
        else:
            m += self._gain * g
        return m

    def delta(self, key, p, g):
        return -self.lr * self._velocity(key, g)

    def __repr__(self):
        extra = "" if self.convention == "sum" else f", dampening={self.dampening:g}"
        return f"{type(self).__name__}(lr={self.lr:g}, momentum={self.momentum:g}{extra})"


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
    With ``convention="average"`` (dampening :math:`d`) the step is
    :math:`\eta\,((1-d)\, g_t + \mu\, m_t)`, again the sum form's path at :math:`\eta/(1-\mu)`.

    State: ``state[key]["m"]``, the velocity :math:`m_t`.
    """

    def delta(self, key, p, g):
        m = self._velocity(key, g)
        gg = g if self._gain == 1.0 else self._gain * g
        return -self.lr * (gg + self.momentum * m)
