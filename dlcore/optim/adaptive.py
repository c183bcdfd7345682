r"""Per-coordinate learning rates from past squared gradients: Adagrad, Adadelta, RMSprop (chapter 05).

All operations are elementwise: each coordinate of each parameter gets its own effective
learning rate, which shrinks where gradients have been large. Square roots and divisions are
elementwise; :math:`\epsilon` keeps the division finite where a coordinate never had a gradient.
The rules are PyTorch's (``torch.optim.Adagrad``, ``RMSprop``, ``Adadelta``, same defaults for
``eps`` and the same place for it), checked against trajectories it produced
(``tests/test_optim_reference.py``).

**How RMSprop and Adadelta are related** (checked in ``tests/test_optim_first_steps.py``). Both
divide by the RMS of the same running average :math:`E[g^2]_t` (same :math:`\rho`). Adadelta's
step is RMSprop's step with :math:`\epsilon` inside the root and a per-coordinate learning rate
:math:`\eta_t = \eta\,\mathrm{RMS}[\Delta\theta]_{t-1} = \eta\sqrt{E[\Delta\theta^2]_{t-1}+\epsilon}`
that changes every step. Hence:

1. If the numerator :math:`\mathrm{RMS}[\Delta\theta]_{t-1}` is replaced by a constant :math:`c`,
   Adadelta *is* RMSprop with learning rate :math:`\eta c`, the same :math:`\rho`, and
   :math:`\epsilon` inside the root (``RMSprop(eps_in_sqrt=True)``): the same path to rounding.
   (A decay of 1 for the average of squared updates, which Zeiler's algorithm does not have,
   freezes it at :math:`c = \sqrt\epsilon`.) This is the only sense in which "RMSprop is a special
   case of Adadelta", as the notes say; the notes' intermediate formula
   :math:`\Delta\theta_t = -\eta\, g_t/\sqrt{n_t+\epsilon}` is exactly this RMSprop.
2. With the numerator live they coincide on the **first step only**: :math:`E[\Delta\theta^2]_0 = 0`,
   so Adadelta's first step is RMSprop's with :math:`\eta_{RMSprop} = \eta\sqrt{\epsilon}`
   (:math:`10^{-3}` for :math:`\epsilon = 10^{-6}`). That step is non-zero wherever
   :math:`g_1 \ne 0`, so :math:`E[\Delta\theta^2]_1 > 0` and the numerator grows: from step 2 on
   Adadelta's rate differs from any constant-rate RMSprop's, and no setting of :math:`\rho,
   \epsilon, \eta` makes the two paths equal (unless every gradient is 0).
3. With :math:`\epsilon` outside the root (PyTorch's and Keras's RMSprop, the default here) even
   the first steps differ, by the factor :math:`\sqrt{n+\epsilon}/(\sqrt{n}+\epsilon)`, a relative
   :math:`\approx \epsilon/(2n) - \epsilon/\sqrt n` (:math:`3\cdot 10^{-5}` for
   :math:`n = 0.0125, \epsilon = 10^{-6}`).

On a fixed gradient sequence Adadelta's step divided by that first-step RMSprop's
(:math:`\eta\sqrt\epsilon`, :math:`\epsilon` inside) is exactly
:math:`\sqrt{(E[\Delta\theta^2]_{t-1}+\epsilon)/\epsilon}`: 1 at step 1, then growing as Adadelta's
own steps build up (1.41, 2.9, 4.9 at steps 2, 10, 100 for :math:`\rho = 0.95, \epsilon = 10^{-6}`
and gradients near (2, -0.5)): Adadelta is an RMSprop that raises its own learning rate.
"""
from __future__ import annotations

import numpy as np

from ..validate import boolean, nonneg_float
from .base import Optimizer, check_beta, check_eps, register, zeros_state

__all__ = ["Adagrad", "Adadelta", "RMSprop"]


@register("adagrad")
class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan and Singer 2011): divide by the root of the *sum* of all squared gradients.

    .. math::
        n_t = n_{t-1} + g_t^2, \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{n_t} + \epsilon}\, g_t, \qquad
        n_0 = \text{initial\_accumulator\_value} \;(0).

    The sum only grows, so the effective learning rate :math:`\eta/\sqrt{n_t}` only falls: for a
    constant gradient :math:`g` it is :math:`\eta/(|g|\sqrt t)`, and the step is
    :math:`\eta\,\mathrm{sign}(g)/\sqrt t` (up to :math:`\epsilon`). Rarely-updated (sparse)
    coordinates keep a large rate. ``initial_accumulator_value`` (PyTorch's name; TensorFlow uses
    0.1) caps the first steps at :math:`\eta |g|/\sqrt{n_0}`. PyTorch's ``lr_decay`` is a 1/t
    schedule: use :class:`dlcore.schedules.InverseTime`.

    State: ``state[key]["n"]``, the sum of squared gradients :math:`n_t`.
    """

    STATE = {"n": "sum of squared gradients n_t"}

    def __init__(self, model, lr: float = 0.01, eps: float = 1e-10, weight_decay: float = 0.0,
                 track_updates: bool = False, initial_accumulator_value: float = 0.0):
        super().__init__(model, lr, weight_decay, track_updates)
        self.eps = check_eps(eps)
        self.initial_accumulator_value = nonneg_float("initial_accumulator_value", initial_accumulator_value)

    def delta(self, key, p, g):
        s = self.state.get(key)
        if s is None:
            s = self.state[key] = {"n": zeros_state(g) + self.initial_accumulator_value}
        n = s["n"]
        n += g * g
        return -self.lr * g / (np.sqrt(n) + self.eps)


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
    ``rho`` is PyTorch's ``alpha`` (its default 0.99; Hinton's and Keras's 0.9, used here).
    ``eps_in_sqrt=True`` divides by :math:`\sqrt{n_t+\epsilon}` instead (TensorFlow 1's placement; the
    form in which Adadelta with a frozen numerator is exactly RMSprop, see the module docstring).

    State: ``state[key]["n"]``, the running average of squared gradients :math:`n_t`.
    """

    STATE = {"n": "running average of squared gradients n_t"}

    def __init__(self, model, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False, eps_in_sqrt: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.rho = check_beta("rho", rho)
        self.eps = check_eps(eps)
        self.eps_in_sqrt = boolean("eps_in_sqrt", eps_in_sqrt)

    def delta(self, key, p, g):
        s = self.state.get(key)
        if s is None:
            s = self.state[key] = {"n": zeros_state(g)}
        n = s["n"]
        n *= self.rho
        n += (1 - self.rho) * (g * g)
        if self.eps_in_sqrt:
            return -self.lr * g / np.sqrt(n + self.eps)
        return -self.lr * g / (np.sqrt(n) + self.eps)


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
    schedules work; PyTorch's default :math:`\rho` is 0.9). The ratio of the two RMS has the units of
    :math:`\theta` ("correct units", Zeiler's approximate-Newton argument): no global learning rate is
    needed. The notes write the numerator as :math:`\sqrt{\sum_{r<t}\Delta x_r}`, a sum of raw
    updates with no squares and no decay (and drop :math:`g_t`); that is not Adadelta, and a sum of
    signed updates can be negative.

    Relation to RMSprop (module docstring): Adadelta is RMSprop (:math:`\epsilon` inside the root)
    with the per-coordinate rate :math:`\eta\sqrt{E[\Delta\theta^2]_{t-1}+\epsilon}`; with that
    numerator frozen at a constant :math:`c` it is exactly ``RMSprop(lr=lr*c, rho=rho, eps=eps,
    eps_in_sqrt=True)``; with it live, the two agree on the first step only (RMSprop's rate
    :math:`\eta\sqrt\epsilon`).

    State: ``state[key]["g2"]`` :math:`E[g^2]_t` and ``state[key]["d2"]`` :math:`E[\Delta\theta^2]_t`.
    """

    STATE = {"g2": "running average of squared gradients E[g^2]_t",
             "d2": "running average of squared updates E[dx^2]_t (before lr)"}

    def __init__(self, model, lr: float = 1.0, rho: float = 0.95, eps: float = 1e-6,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.rho = check_beta("rho", rho)
        self.eps = check_eps(eps)

    def delta(self, key, p, g):
        s = self.state.get(key)
        if s is None:
            s = self.state[key] = {"g2": zeros_state(g), "d2": zeros_state(g)}
        rho, eps, g2, d2 = self.rho, self.eps, s["g2"], s["d2"]
        g2 *= rho
        g2 += (1 - rho) * (g * g)
        d = -np.sqrt(d2 + eps) / np.sqrt(g2 + eps) * g
        d2 *= rho
        d2 += (1 - rho) * (d * d)
        return self.lr * d
