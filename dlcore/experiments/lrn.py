"""Chapter 07: local response normalisation (Krizhevsky, Sutskever & Hinton 2012) across channels.

.. math::
    b_c = a_c \\Big/ \\Big(k + \\frac{\\alpha}{n}\\sum_{j=c-\\lfloor n/2\\rfloor}^{c+\\lfloor (n-1)/2\\rfloor} a_j^2\\Big)^{\\beta}

(:class:`~dlcore.norm_groups.LocalResponseNorm`, PyTorch's convention: α divided by n; AlexNet's
paper writes α without the 1/n, so its α = 1e-4 with n = 5 is ``alpha=5e-4`` here).

* :func:`lrn_stack`: one pixel's stack of channel activations through LRN: input, denominator,
  the factor each activation is multiplied by, and the output;
* :func:`lrn_inhibition`: lateral inhibition: the response of one channel as its neighbour grows;
* :func:`lrn_factor_on_digits`: the factor LRN applies to a conv layer's ReLU outputs on the digits,
  at AlexNet's parameters: nearly a constant, i.e. LRN barely normalises at these scales;
* :func:`lrn_conv_run`: the conv digits net with LRN after each ReLU (AlexNet's place), BN, or nothing.
"""
from __future__ import annotations

import time

import numpy as np

from ..cache import cached
from ..layers import Sequential
from ..norm_groups import LocalResponseNorm
from ..norm_nets import conv_net
from ..rng import spawn
from ..train import evaluate, fit
from .common import digits_data

__all__ = ["ALEXNET", "stack_profile", "lrn_stack", "lrn_inhibition", "lrn_factor_on_digits", "lrn_conv_run"]

#: AlexNet's LRN in this library's convention (n = 5, k = 2, α = 1e-4 · n, β = 0.75)
ALEXNET = {"size": 5, "alpha": 5e-4, "beta": 0.75, "k": 2.0}


def stack_profile(channels: int = 16, peak: float = 10.0, level: float = 2.0, where: int = 8) -> np.ndarray:
    """A stack of ``channels`` activations at one pixel: ``level`` everywhere, ``peak`` at channel ``where``."""
    a = np.full(int(channels), float(level))
    a[int(where)] = float(peak)
    return a


def lrn_stack(a, size: int = 5, alpha: float = 1.0, beta: float = 0.75, k: float = 2.0) -> dict:
    """One pixel's channel stack ``a`` (C,) through LRN, step by step: ``a``, ``window_sum``
    (Σ a_j² over each channel's window), ``denominator`` (k + α/n · window_sum), ``factor``
    (denominator^-β) and ``b`` (a · factor); ``library``: :class:`LocalResponseNorm`'s output."""
    a = np.asarray(a, dtype=np.float64).ravel()
    n = int(size)
    sq = np.pad(a ** 2, (n // 2, (n - 1) // 2))
    window = np.array([sq[c:c + n].sum() for c in range(len(a))])
    den = float(k) + float(alpha) / n * window
    factor = den ** -float(beta)
    lib = LocalResponseNorm(n, alpha=alpha, beta=beta, k=k).forward(a[None, :], training=True)[0]
    return {"a": a, "window_sum": window, "denominator": den, "factor": factor, "b": a * factor,
            "library": lib, "size": n, "alpha": float(alpha), "beta": float(beta), "k": float(k)}


def lrn_inhibition(neighbour=np.linspace(0, 20, 81), own: float = 1.0, size: int = 5, alpha: float = 1.0,
                   beta: float = 0.75, k: float = 2.0, distance: int = 1) -> dict:
    """Lateral inhibition: channel 0 of a stack has activation ``own``; the channel ``distance`` away
    has activation ``neighbour`` (each value in turn), the rest 0. Returns ``neighbour`` and
    ``response`` (channel 0's output): it falls as the neighbour grows while the neighbour is inside
    the window (``distance <= (size - 1) // 2``), and not at all outside it."""
    nb = np.asarray(neighbour, dtype=np.float64).ravel()
    C = 2 * int(distance) + 1
    A = np.zeros((len(nb), C))
    A[:, 0] = own
    A[:, int(distance)] = nb if distance else own
    B = LocalResponseNorm(int(size), alpha=alpha, beta=beta, k=k).forward(A, training=True)
    return {"neighbour": nb, "response": B[:, 0], "own": float(own)}


@cached(maxsize=16)
def lrn_factor_on_digits(size: int = 5, alpha: float = 5e-4, beta: float = 0.75, k: float = 2.0, rng=0,
                         channels: int = 16) -> dict:
    """The first conv layer (``channels`` 3×3 filters, He init) and ReLU of :func:`conv_net` on the
    validation digits, then LRN: the factor ``denominator^-β`` at every (image, channel, pixel) whose
    activation is positive. Returns ``factor`` quantiles (``q01``, ``q50``, ``q99``), ``k_beta``
    (k^-β, the factor with nothing in the window), ``act_q99`` (the 99th percentile of the positive
    activations) and ``spread``: q99 / q01 of the factor."""
    _, _, Xv, _ = digits_data()
    net = conv_net(None, channels=(int(channels),), rng=spawn(rng, 1)[0])
    A = net.layers[2].forward(net.layers[1].forward(net.layers[0].forward(Xv.astype(np.float64))))
    lrn = LocalResponseNorm(int(size), alpha=alpha, beta=beta, k=k)
    B = lrn.forward(A, training=True)
    pos = A > 0
    factor = B[pos] / A[pos]
    q = np.percentile(factor, [1, 50, 99])
    return {"q01": float(q[0]), "q50": float(q[1]), "q99": float(q[2]), "k_beta": float(k) ** -float(beta),
            "act_q99": float(np.percentile(A[pos], 99)), "spread": float(q[2] / q[0])}


def _insert_lrn(net: Sequential, lrn: dict) -> Sequential:
    from ..activations import Activation
    layers = []
    for layer in net.layers:
        layers.append(layer)
        if isinstance(layer, Activation) and len(layers) < len(net.layers):
            layers.append(LocalResponseNorm(**lrn, dtype=np.float32))
    return Sequential(layers)


@cached(maxsize=64)
def lrn_conv_run(norm: str | None = "lrn", rng=0, epochs: float = 4.0, lr: float = 0.1, batch_size: int = 32,
                 channels=(8, 16), size: int = 5, alpha: float = 5e-4, beta: float = 0.75, k: float = 2.0) -> dict:
    """Train :func:`conv_net` (float32, plain SGD) with ``norm``: ``"lrn"`` (no norm in conv_net, an LRN
    after each ReLU, as in AlexNet), ``"batch"`` or ``None``, for ``epochs`` passes at ``batch_size``.
    Returns ``val_acc`` (evaluation mode), ``diverged``, ``seconds`` (CPU time of the training)."""
    X, y, Xv, yv = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    if norm == "lrn":
        net = _insert_lrn(conv_net(None, channels=tuple(channels), rng=init_rng, dtype=np.float32),
                          {"size": size, "alpha": alpha, "beta": beta, "k": k})
    elif norm in (None, "batch"):
        net = conv_net(norm, channels=tuple(channels), rng=init_rng, dtype=np.float32)
    else:
        raise ValueError(f"norm must be 'lrn', 'batch' or None, got {norm!r}")
    steps = int(np.ceil(float(epochs) * len(X) / int(batch_size)))
    t0 = time.process_time()
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=int(batch_size), rng=order_rng, on_divergence="stop",
            eval_train=False, drop_last=True)
    seconds = time.process_time() - t0
    net.eval()
    return {"val_acc": float(evaluate(net, Xv, yv)["acc"]), "diverged": h.divergence is not None,
            "seconds": seconds}
