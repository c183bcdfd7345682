r"""Adam and its relatives: AdamW, Adamax and Nadam (chapter 05).

Adam = momentum (a running average of gradients, the "first moment") divided by the RMS of
recent gradients (the "second moment", as in RMSprop), each corrected for starting at zero.
The step count :math:`t` is counted per parameter (from its first update) and kept in its state.
The rules and the place of :math:`\epsilon` are PyTorch's (``torch.optim.Adam``, ``AdamW``,
``Adamax``, ``NAdam``), checked against trajectories it produced (``tests/test_optim_reference.py``).
"""
from __future__ import annotations

import math

import numpy as np

from ..validate import boolean, nonneg_float
from .base import Optimizer, check_betas, check_eps, register, zeros_state

__all__ = ["Adam", "AdamW", "Adamax", "Nadam"]


class _AdamBase(Optimizer):
    STATE = {"t": "this parameter's step count (int)", "m": "first moment m_t (running average of g)",
             "v": "second moment v_t (running average of g^2)"}

    def __init__(self, model, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        self.beta1, self.beta2 = check_betas(betas)
        self.eps = check_eps(eps)

    def _moments(self, key, g):
        """Advance this parameter's step count and first moment; return the state dict."""
        s = self.state.get(key)
        if s is None:
            s = self.state[key] = {"t": 0, "m": zeros_state(g), "v": zeros_state(g)}
        s["t"] += 1
        m = s["m"]
        m *= self.beta1
        m += (1 - self.beta1) * g
        return s

    def _second(self, s, g):
        v = s["v"]
        v *= self.beta2
        v += (1 - self.beta2) * (g * g)
        return v

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g}, betas=({self.beta1:g}, {self.beta2:g}))"


@register("adam")
class Adam(_AdamBase):
    r"""Adam (Kingma and Ba 2015), with bias correction.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \\
        \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    :math:`m_0 = v_0 = 0`, defaults :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`,
    :math:`\epsilon = 10^{-8}` (added after the root and the correction, as in PyTorch; the paper's
    Algorithm 1 too). Without the correction the first step would be
    :math:`(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.2` times :math:`\eta` (the second moment starts
    further below its true value than the first); with it the first step is
    :math:`\eta\,\mathrm{sign}(g_1)` in every coordinate (up to :math:`\epsilon`), whatever the
    gradient's scale (``bias_correction=False`` shows the uncorrected rule:
    :math:`\theta_t = \theta_{t-1} - \eta\, m_t/(\sqrt{v_t}+\epsilon)`).

    ``amsgrad=True`` (Reddi et al. 2018) divides by the root of the largest :math:`\hat v` so far
    (PyTorch's form: :math:`\max_{s\le t} v_s` corrected by :math:`1-\beta_2^t`), so the
    effective rate never grows.

    ``weight_decay`` :math:`\lambda` adds :math:`\lambda\theta` to :math:`g_t` (an L2 penalty, as
    PyTorch's ``Adam``), so the decay goes through :math:`m, v` and is divided by
    :math:`\sqrt{\hat v_t}` like the loss gradient: where gradients are large the weight is hardly
    decayed, and in the first step the decay is absorbed into :math:`\mathrm{sign}(g_1+\lambda\theta)`.
    :class:`AdamW`'s decoupled decay is not this.

    State: ``t``, ``m``, ``v`` (and ``v_max`` with ``amsgrad``).
    """

    STATE = dict(_AdamBase.STATE, v_max="largest v so far (amsgrad only)")

    def __init__(self, model, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False, bias_correction: bool = True,
                 amsgrad: bool = False):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates)
        self.bias_correction = boolean("bias_correction", bias_correction)
        self.amsgrad = boolean("amsgrad", amsgrad)

    def delta(self, key, p, g):
        s = self._moments(key, g)
        v = self._second(s, g)
        if self.amsgrad:
            vmax = s.get("v_max")
            if vmax is None:
                vmax = s["v_max"] = v.copy()
            else:
                np.maximum(vmax, v, out=vmax)
            v = vmax
        if not self.bias_correction:          # only to show what the correction is for (chapter 05)
            return -self.lr * s["m"] / (np.sqrt(v) + self.eps)
        t = s["t"]
        c2 = math.sqrt(1 - self.beta2 ** t)                 # m_hat/(sqrt(v_hat)+eps) = c2 m/(sqrt(v)+eps c2)/c1
        d = np.sqrt(v)
        d += self.eps * c2
        np.divide(s["m"], d, out=d)
        d *= -self.lr * c2 / (1 - self.beta1 ** t)
        return d


@register("adamw")
class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter 2019): Adam with **decoupled** weight decay.

    The Adam step on the loss gradient alone, and the weights shrunk directly:

    .. math::
        \theta_t = \theta_{t-1} - \eta\,\lambda\,\theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    (PyTorch's ``AdamW``: ``p *= 1 - lr*weight_decay`` before the Adam step; default
    :math:`\lambda = 0.01`), applied to weight matrices only (role ``"weight"``), as the L2
    penalty of the other optimisers. Every weight loses the same *fraction*
    :math:`\eta\lambda` per step whatever its gradient history. With ``Adam(weight_decay=λ)`` the
    decay :math:`\lambda\theta` is added to the gradient, then averaged and divided by
    :math:`\sqrt{\hat v}`: the fraction lost depends on the coordinate's gradient scale (tiny where
    gradients are large) and, with no loss gradient, the step is :math:`\eta\,\mathrm{sign}(\theta)`
    whatever :math:`\lambda` (``tests/test_optim_first_steps.py`` shows both). The schedule scales
    the decay too, since :math:`\eta` multiplies it.
    """

    decoupled_decay = True

    def __init__(self, model, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, track_updates: bool = False, bias_correction: bool = True,
                 amsgrad: bool = False):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates, bias_correction, amsgrad)

    def __repr__(self):
        return f"AdamW(lr={self.lr:g}, betas=({self.beta1:g}, {self.beta2:g}), weight_decay={self.weight_decay:g})"


@register("adamax")
class Adamax(_AdamBase):
    r"""Adamax (Kingma and Ba 2015, section 7.1): Adam with the :math:`L^\infty` norm in place of the RMS.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        u_t = \max(\beta_2 u_{t-1},\, |g_t| + \epsilon), \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t},

    :math:`m_0 = u_0 = 0`; :math:`u_t` needs no bias correction (a max does not start biased to 0).
    Defaults :math:`\eta = 0.002`, :math:`\beta = (0.9, 0.999)`. :math:`\epsilon` is not in the
    paper; it sits inside the max as in PyTorch, and only guards coordinates whose gradient has
    always been 0. The step never exceeds :math:`\eta` in size in any coordinate.

    State: ``t``, ``m`` and ``v`` (:math:`u_t`, the decayed max of :math:`|g|`).
    """

    STATE = dict(_AdamBase.STATE, v="u_t, decayed max of |g| (+eps)")

    def __init__(self, model, lr: float = 0.002, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates)

    def delta(self, key, p, g):
        s = self._moments(key, g)
        u = s["v"]
        u *= self.beta2
        np.maximum(u, np.abs(g) + self.eps, out=u)
        return (-self.lr / (1 - self.beta1 ** s["t"])) * s["m"] / u


@register("nadam")
class Nadam(_AdamBase):
    r"""Nadam (Dozat 2016): Adam whose momentum step looks ahead, as Nesterov's does.

    With momentum coefficients :math:`\mu_t`, their product :math:`\Pi_t = \prod_{i\le t}\mu_i`,
    :math:`m_t, v_t, \hat v_t` as in Adam (:math:`m_t` with the constant :math:`\beta_1`):

    .. math::
        \bar m_t = \frac{\mu_{t+1}\, m_t}{1-\Pi_t\,\mu_{t+1}} + \frac{(1-\mu_t)\, g_t}{1-\Pi_t}, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{\bar m_t}{\sqrt{\hat v_t} + \epsilon}.

    ``momentum_decay=None`` (default): :math:`\mu_t = \beta_1` constant, :math:`\Pi_t = \beta_1^t`.
    ``momentum_decay=ψ``: Dozat's warming schedule :math:`\mu_t = \beta_1(1 - \tfrac12\, 0.96^{t\psi})`,
    which PyTorch's ``NAdam`` uses by default with :math:`\psi = 0.004` (Dozat's :math:`t/250`); it
    starts at :math:`\mu_1 \approx \beta_1/2` and approaches :math:`\beta_1` only after thousands
    of steps.

    Adam's step uses :math:`\hat m_t = (\beta_1 m_{t-1} + (1-\beta_1) g_t)/(1-\beta_1^t)`; Nadam
    replaces the old momentum :math:`m_{t-1}` there by the new :math:`m_t` (the look-ahead, with its
    own correction), so the current gradient counts twice. With constant :math:`\mu` the first step
    is :math:`\eta\,(1 + \beta_1/(1+\beta_1))\,\mathrm{sign}(g_1)`, 1.47 :math:`\eta` for
    :math:`\beta_1 = 0.9` (Adam's is :math:`\eta`). Default :math:`\eta = 0.002` (Dozat, Keras).

    State: ``t``, ``m``, ``v`` and ``mu_product`` (:math:`\Pi_t`, a float).
    """

    STATE = dict(_AdamBase.STATE, mu_product="product of the momentum coefficients mu_1..mu_t (float)")

    def __init__(self, model, lr: float = 0.002, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False, momentum_decay: float | None = None):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates)
        self.momentum_decay = None if momentum_decay is None else nonneg_float("momentum_decay", momentum_decay)

    def mu(self, t: int) -> float:
        """The momentum coefficient :math:`\\mu_t` of step ``t`` (1-based)."""
        if self.momentum_decay is None:
            return self.beta1
        return self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def delta(self, key, p, g):
        s = self._moments(key, g)
        t = s["t"]
        v = self._second(s, g)
        mu, mu_next = self.mu(t), self.mu(t + 1)
        s["mu_product"] = prod = s.get("mu_product", 1.0) * mu
        denom = np.sqrt(v / (1 - self.beta2 ** t))
        denom += self.eps
        c_g = -self.lr * (1.0 - mu) / (1.0 - prod)
        c_m = -self.lr * mu_next / (1.0 - prod * mu_next)
        return (c_g * g + c_m * s["m"]) / denom
