"""Adam and its two variants from the same papers: Adamax and Nadam (chapter 05).

Adam = momentum (a running average of gradients, the "first moment") divided by the RMS of
recent gradients (the "second moment", as in RMSprop), each corrected for starting at zero.
The step count :math:`t` is counted per parameter (from its first update).
"""
from __future__ import annotations

import numpy as np

from .base import Optimizer, check_beta, check_eps, register

__all__ = ["Adam", "Adamax", "Nadam"]


def _zeros(g):
    return np.zeros_like(g, dtype=np.result_type(g, np.float32))


class _AdamBase(Optimizer):
    def __init__(self, model, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, weight_decay, track_updates)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.beta1, self.beta2 = check_beta("beta1", b1), check_beta("beta2", b2)
        self.eps = check_eps(eps)

    def _moments(self, key, g):
        """Advance this parameter's step count and first moment; return the state dict."""
        s = self.state.setdefault(key, {"t": 0, "m": _zeros(g), "v": _zeros(g)})
        s["t"] += 1
        s["m"] = self.beta1 * s["m"] + (1 - self.beta1) * g
        return s

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
    :math:`\epsilon = 10^{-8}`. Without the correction the first step would be
    :math:`(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.2` times :math:`\eta` (the second moment starts
    further below its true value than the first); with it the first step is
    :math:`\eta\,\mathrm{sign}(g_1)` in every coordinate (up to :math:`\epsilon`), whatever the
    gradient's scale (``bias_correction=False`` shows the uncorrected rule).

    ``weight_decay`` adds :math:`\lambda\theta` to :math:`g_t` (an L2 penalty, as PyTorch's ``Adam``),
    so the decay is rescaled by the adaptive denominator too; AdamW's decoupled decay is not this.
    """

    def __init__(self, model, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False, bias_correction: bool = True):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates)
        self.bias_correction = bool(bias_correction)

    def delta(self, key, p, g):
        s = self._moments(key, g)
        s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * g * g
        if not self.bias_correction:          # only to show what the correction is for (chapter 05)
            return -self.lr * s["m"] / (np.sqrt(s["v"]) + self.eps)
        m_hat = s["m"] / (1 - self.beta1 ** s["t"])
        v_hat = s["v"] / (1 - self.beta2 ** s["t"])
        return -self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


@register("adamax")
class Adamax(_AdamBase):
    r"""Adamax (Kingma and Ba 2015, section 7.1): Adam with the :math:`L^\infty` norm in place of the RMS.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        u_t = \max(\beta_2 u_{t-1},\, |g_t|), \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t + \epsilon},

    :math:`m_0 = u_0 = 0`; :math:`u_t` needs no bias correction (a max does not start biased to 0).
    Defaults :math:`\eta = 0.002`, :math:`\beta = (0.9, 0.999)`. :math:`\epsilon` (not in the paper)
    only guards coordinates whose gradient has always been 0. The step never exceeds
    :math:`\eta` in size in any coordinate.
    """

    def __init__(self, model, lr: float = 0.002, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates)

    def delta(self, key, p, g):
        s = self._moments(key, g)
        s["v"] = np.maximum(self.beta2 * s["v"], np.abs(g))
        return -self.lr / (1 - self.beta1 ** s["t"]) * s["m"] / (s["v"] + self.eps)


@register("nadam")
class Nadam(_AdamBase):
    r"""Nadam (Dozat 2016): Adam whose momentum step looks ahead, as Nesterov's does.

    With a constant :math:`\beta_1` (Dozat also decays it on a schedule; PyTorch's ``NAdam`` does so
    by default, ``momentum_decay=4e-3``; here it is constant), :math:`m_t, v_t, \hat v_t` as in Adam and

    .. math::
        \bar m_t = \frac{\beta_1\, m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1)\, g_t}{1-\beta_1^{t}}, \qquad
        \theta_t = \theta_{t-1} - \eta\, \frac{\bar m_t}{\sqrt{\hat v_t} + \epsilon}.

    Adam's step uses :math:`\hat m_t = (\beta_1 m_{t-1} + (1-\beta_1) g_t)/(1-\beta_1^t)`; Nadam
    replaces the old momentum :math:`m_{t-1}` there by the new :math:`m_t` (the look-ahead, with its
    own correction :math:`1-\beta_1^{t+1}`), so the current gradient counts twice. The first step
    is therefore :math:`\eta\,(1 + \beta_1/(1+\beta_1))\,\mathrm{sign}(g_1)`, 1.47 :math:`\eta`
    for :math:`\beta_1 = 0.9` (Adam's is :math:`\eta`). Default :math:`\eta = 0.002` (Dozat, Keras).
    """

    def __init__(self, model, lr: float = 0.002, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, track_updates: bool = False):
        super().__init__(model, lr, betas, eps, weight_decay, track_updates)

    def delta(self, key, p, g):
        s = self._moments(key, g)
        b1, t = self.beta1, s["t"]
        s["v"] = self.beta2 * s["v"] + (1 - self.beta2) * g * g
        v_hat = s["v"] / (1 - self.beta2 ** t)
        m_bar = b1 * s["m"] / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1 ** t)
        return -self.lr * m_bar / (np.sqrt(v_hat) + self.eps)
