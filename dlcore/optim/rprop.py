r"""Rprop: steps from the *sign* of the gradient only, with a step size per coordinate (chapter 05).

Riedmiller and Braun (1993) dropped the gradient's magnitude altogether: each coordinate keeps
its own step size :math:`\Delta_i`, grown by :math:`\eta^+ = 1.2` while the gradient keeps its
sign and cut by :math:`\eta^- = 0.5` when it flips (the last step jumped over a minimum). The
variant here is **iRprop−** (Igel and Hüsken 2000, "Improving the Rprop learning algorithm"),
the one PyTorch's ``torch.optim.Rprop`` implements: after a sign change the step size is cut,
*no step is taken* in that coordinate and its stored gradient is set to 0, so the next step
counts as "no sign information" (step size kept). Plain Rprop− would step with the cut size at
once; Rprop+ would also take back the previous step (weight-backtracking); neither is this.

Rprop needs the **full-batch** gradient: with mini-batches the sign flips from noise alone and
the step sizes collapse to their lower bound.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument, InvalidType
from ..validate import positive_float, show
from .base import Optimizer, register

__all__ = ["Rprop"]


def _pair(name, v, what):
    if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != 2:
        raise InvalidType(f"{name} must be a pair {what}, got {show(v)}")
    return positive_float(f"{name}[0]", v[0]), positive_float(f"{name}[1]", v[1])


@register("rprop")
class Rprop(Optimizer):
    r"""Rprop, the iRprop− variant (as ``torch.optim.Rprop``). Per coordinate, with
    :math:`s = \mathrm{sign}(g_t\, g_{t-1})` (:math:`g_{t-1}` the *stored* gradient, 0 at the start):

    .. math::
        \Delta_t = \begin{cases} \min(\eta^+\Delta_{t-1}, \Delta_{max}) & s > 0 \\
                                 \max(\eta^-\Delta_{t-1}, \Delta_{min}) & s < 0 \ (\text{then } g_t := 0) \\
                                 \Delta_{t-1} & s = 0 \end{cases}
        \qquad \theta_t = \theta_{t-1} - \mathrm{sign}(g_t)\,\Delta_t, \qquad g_{t-1} \leftarrow g_t.

    :math:`\Delta_0 = \eta` (``lr``, default 0.01), ``etas`` :math:`= (\eta^-, \eta^+) = (0.5, 1.2)`,
    ``step_sizes`` :math:`= (\Delta_{min}, \Delta_{max}) = (10^{-6}, 50)` (PyTorch's defaults and
    argument order). The first step is :math:`\eta\,\mathrm{sign}(g_1)`. ``lr`` only sets
    :math:`\Delta_0`: changing it later (a schedule) has no effect.

    State: ``state[key]["prev"]`` (the stored gradient, zeroed where the sign flipped) and
    ``state[key]["step"]`` (the step sizes :math:`\Delta_t`).
    """

    STATE = {"prev": "previous gradient (0 where the sign just flipped)", "step": "per-coordinate step sizes"}

    def __init__(self, model, lr: float = 0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0),
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.eta_minus, self.eta_plus = _pair("etas", etas, "(eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus")
        if not (self.eta_minus < 1 < self.eta_plus):
            raise InvalidArgument(f"etas must be (eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus, got {etas!r}")
        self.step_min, self.step_max = _pair("step_sizes", step_sizes, "(min, max) with 0 < min <= max")
        if self.step_min > self.step_max:
            raise InvalidArgument(f"step_sizes must be (min, max) with min <= max, got {step_sizes!r}")

    def delta(self, key, p, g):
        s = self.state.get(key)
        if s is None:
            dt = np.result_type(g, np.float32)
            s = self.state[key] = {"prev": np.zeros_like(g, dtype=dt), "step": np.full_like(g, self.lr, dtype=dt)}
        sign = np.sign(g * s["prev"])
        step = s["step"]
        step *= np.where(sign > 0, self.eta_plus, np.where(sign < 0, self.eta_minus, 1.0))
        np.clip(step, self.step_min, self.step_max, out=step)
        g = np.where(sign < 0, 0.0, g)
        s["prev"][...] = g
        return -np.sign(g) * step

    def __repr__(self):
        return f"Rprop(lr={self.lr:g}, etas=({self.eta_minus:g}, {self.eta_plus:g}))"
