"""Batch norm with injected distribution shift (chapter 09), and two distances between distributions.

:class:`NoisyBatchNorm1d` is a variant of Santurkar et al.'s "noisy BN" (2018, *How does batch
normalization help optimization?*, §2): a :class:`~dlcore.norm.BatchNorm1d` whose output is, in
training mode, scaled and shifted by random amounts that change at every step, so that the next layer
sees a distribution that moves *more* than it would without any normalisation. The paper adds i.i.d.
noise to every activation of every sample, from a distribution (non-zero mean, non-unit variance) that
changes at every step; by default this layer draws **one scale and one shift per unit for the whole
batch** instead, which moves the distribution the next layer sees without adding per-example noise
(a per-step affine change of the next layer's input: the "moving target" and nothing else).
``per_sample=True`` draws them per activation instead, as the paper does (the step's :math:`m_t, r_t`
are still shared by the batch). The distributions and the defaults below are this book's choices, not
the paper's. In step :math:`t`, for the layer:

.. math::
    m_t \\sim U(-n_\\mu, n_\\mu), \\quad r_t \\sim U(1, n_\\sigma) \\quad\\text{(the step's noise
    distribution: its mean shift and its spread of scales)},

    s_j = r_t^{\\,u_j},\\ u_j \\sim U(-1, 1), \\qquad c_j \\sim N(m_t, (n_\\mu/2)^2)
    \\quad\\text{(one scale and one shift per unit } j\\text{)},

    y'_{ij} = s_j\\, y_{ij} + c_j ,

with :math:`y` BN's output (normalised, then :math:`\\gamma\\hat x+\\beta`). The scale is log-uniform
in :math:`[1/r_t, r_t]` (median 1) and the shift has mean 0 over steps, so the noise-free layer is the
"average" one: in evaluation mode the layer is plain BN (running statistics, no noise). The backward pass multiplies :math:`\\partial L/\\partial y'` by
:math:`s` and continues through BN. ``redraw = False`` keeps the last draw (two passes that must see
the same noise, such as a gradient before and after an update, chapter 09).

:func:`wasserstein1` and :func:`gaussian_kl` compare two samples column by column (one column per unit).
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument
from .module import as_generator
from .norm import _BatchNorm
from .validate import positive_float

__all__ = ["NoisyBatchNorm1d", "noisy_bn_mlp", "wasserstein1", "gaussian_kl"]


class NoisyBatchNorm1d(_BatchNorm):
    """BatchNorm1d followed, in training mode, by a random per-unit scale and shift drawn anew at each
    forward pass (see the module docstring). ``n_mu``: range of the step's mean shift (default 1);
    ``n_sigma``: largest scale factor (default 2, so scales from 1/2 to 2); ``per_sample``: one scale
    and shift per activation (per sample and unit) instead of per unit. Other parameters as
    :class:`~dlcore.norm.BatchNorm1d`; ``rng`` draws the noise."""

    ndim = 2
    stochastic = True
    gradcheck_training = False

    def __init__(self, num_features: int, n_mu: float = 1.0, n_sigma: float = 2.0, rng=None, eps: float = 1e-5,
                 momentum: float = 0.1, affine: bool = True, dtype=np.float64, per_sample: bool = False):
        super().__init__(num_features, eps=eps, momentum=momentum, affine=affine, dtype=dtype)
        self.n_mu = float(n_mu)
        if not np.isfinite(self.n_mu) or self.n_mu < 0:
            raise InvalidArgument(f"n_mu must be a finite number >= 0, got {n_mu!r}")
        self.n_sigma = positive_float("n_sigma", n_sigma)
        if self.n_sigma < 1:
            raise InvalidArgument(f"n_sigma must be >= 1 (scales from 1/n_sigma to n_sigma), got {n_sigma!r}")
        self.rng = as_generator(rng)
        self.per_sample = bool(per_sample)
        self.redraw = True
        self.noise = None             # (scale, shift) of the last training pass
        self._noise_used = None

    def draw(self, dtype=np.float64, n: int = 1):
        """A new ``(scale, shift)`` pair, one entry per unit, or ``(n, units)`` with ``per_sample`` (the
        step's distribution drawn first)."""
        C, g = self.num_features, self.rng
        shape = (int(n), C) if self.per_sample else C
        m = g.uniform(-self.n_mu, self.n_mu)
        r = g.uniform(1.0, self.n_sigma)
        scale = r ** g.uniform(-1.0, 1.0, shape)
        shift = m + 0.5 * self.n_mu * g.standard_normal(shape)
        return scale.astype(dtype), shift.astype(dtype)

    def forward(self, X, training=None):
        Y = super().forward(X, training)
        if not self._mode(training):
            self._noise_used = None
            return Y
        if self.redraw or self.noise is None or (self.per_sample and self.noise[0].shape[0] != len(Y)):
            self.noise = self.draw(Y.dtype, len(Y))
        s, c = (a.astype(Y.dtype, copy=False) for a in self.noise)
        self._noise_used = s
        return Y * s + c

    def backward(self, dY):
        dY = self._check_dY(dY)
        if self._noise_used is not None:
            dY = dY * self._noise_used
        return super().backward(dY)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(3, rng=rng, dtype=dtype)
        m.params["gamma"] = (1 + 0.3 * rng.standard_normal(3)).astype(dtype)
        m.params["beta"] = (0.2 * rng.standard_normal(3)).astype(dtype)
        return m, (5, 3)

    def extra_repr(self):
        return (super().extra_repr() + f", n_mu={self.n_mu:g}, n_sigma={self.n_sigma:g}"
                + (", per_sample=True" if self.per_sample else ""))


def noisy_bn_mlp(sizes, activation="relu", n_mu: float = 1.0, n_sigma: float = 2.0, init="he", rng=None,
                 noise_rng=None, dtype=np.float64, per_sample: bool = False):
    """``norm_mlp(sizes, activation, norm="batch", init=init, rng=rng)`` (``Linear -> BN -> act`` per
    hidden layer, the same initial weights for the same ``rng``) with every BN replaced by a
    :class:`NoisyBatchNorm1d` of the same width, each drawing its noise from its own stream spawned from
    ``noise_rng`` (None: from ``rng`` after the weights are drawn); ``per_sample`` as there."""
    from .norm_nets import norm_mlp
    from .rng import spawn
    gen = as_generator(rng)
    net = norm_mlp(sizes, activation, norm="batch", init=init, rng=gen, dtype=dtype)
    streams = spawn(gen if noise_rng is None else noise_rng, len(net.layers))
    for i, layer in enumerate(net.layers):
        if type(layer).__name__ == "BatchNorm1d":
            net.layers[i] = NoisyBatchNorm1d(layer.num_features, n_mu, n_sigma, rng=streams[i], dtype=dtype,
                                             per_sample=per_sample)
    return net


def _columns(a, name):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 1:
        raise InvalidArgument(f"{name} must be a sample (n,) or samples by column (n, units), got shape {a.shape}")
    return a


def wasserstein1(a, b) -> np.ndarray:
    """1-D Wasserstein-1 (earth mover's) distance between the empirical distributions of ``a`` and ``b``,
    column by column: :math:`W_1 = \\int |F_a(x) - F_b(x)|\\,dx` with :math:`F` the empirical CDFs (for
    equal sizes, the mean of :math:`|a_{(k)} - b_{(k)}|` over the sorted values). ``a`` ``(n,)`` or
    ``(n, units)``, ``b`` ``(m,)`` or ``(m, units)``; returns one distance per column (a float for 1-D input).
    In the units of the values: the distance a unit's distribution moved."""
    one = np.ndim(a) == 1 and np.ndim(b) == 1
    A, B = _columns(a, "a"), _columns(b, "b")
    if A.shape[1] != B.shape[1]:
        raise InvalidArgument(f"a and b need the same number of columns, got {A.shape[1]} and {B.shape[1]}")
    n, m = len(A), len(B)
    if n == m:
        d = np.abs(np.sort(A, axis=0) - np.sort(B, axis=0)).mean(axis=0)
    else:
        allv = np.sort(np.concatenate([A, B]), axis=0)
        widths = np.diff(allv, axis=0)
        out = []
        for j in range(A.shape[1]):
            x = allv[:-1, j]
            Fa = np.searchsorted(np.sort(A[:, j]), x, side="right") / n
            Fb = np.searchsorted(np.sort(B[:, j]), x, side="right") / m
            out.append(np.sum(np.abs(Fa - Fb) * widths[:, j]))
        d = np.array(out)
    return float(d[0]) if one else d


def gaussian_kl(a, b, eps: float = 1e-12) -> np.ndarray:
    """:math:`\\mathrm{KL}(N(\\mu_a,\\sigma_a^2)\\,\\|\\,N(\\mu_b,\\sigma_b^2))` of Gaussians fitted to ``a``
    and ``b`` (mean and biased variance) column by column:
    :math:`\\ln\\frac{\\sigma_b}{\\sigma_a} + \\frac{\\sigma_a^2 + (\\mu_a-\\mu_b)^2}{2\\sigma_b^2} - \\frac12` (nats).
    Blind to anything but the first two moments; ``eps`` is added to the variances."""
    one = np.ndim(a) == 1 and np.ndim(b) == 1
    A, B = _columns(a, "a"), _columns(b, "b")
    if A.shape[1] != B.shape[1]:
        raise InvalidArgument(f"a and b need the same number of columns, got {A.shape[1]} and {B.shape[1]}")
    va, vb = A.var(axis=0) + eps, B.var(axis=0) + eps
    d = 0.5 * np.log(vb / va) + (va + (A.mean(axis=0) - B.mean(axis=0)) ** 2) / (2 * vb) - 0.5
    return float(d[0]) if one else d
