"""Chapter 09: batch norm makes the loss invariant to the scale of the weights before it.

With BN right after a linear layer (``Linear -> BN``), the batch statistics divide out any factor
:math:`c > 0` of that layer's weights :math:`W`: in training mode, :math:`L(cW) = L(W)` (exactly when
BN's :math:`\\epsilon` is 0; with :math:`\\epsilon > 0` while :math:`c^2\\sigma^2 \\gg \\epsilon`).
Differentiating that identity gives the three statements :func:`scale_invariance` checks numerically
(Ioffe & Szegedy 2015, section 3.3; van Laarhoven 2017; Arora, Li & Lyu 2019; derived in chapter 07,
section 7.4, and measured here in chapter 09, section 9.6):

* :math:`\\nabla L(cW) = \\nabla L(W) / c` (the gradient of a scaled layer is scaled by :math:`1/c`);
* :math:`W \\cdot \\nabla_W L = 0` (the gradient is orthogonal to the weights; per unit, since BN
  normalises each unit on its own: :math:`w_j \\cdot \\nabla_{w_j} L = 0` for every column :math:`j`);
* under plain SGD, :math:`\\lVert W_{t+1}\\rVert^2 = \\lVert W_t\\rVert^2 + \\eta^2\\lVert\\nabla L\\rVert^2`:
  the norm can only grow, and the effective learning rate :math:`\\eta / \\lVert W\\rVert^2` falls.

With :math:`\\epsilon > 0`, :math:`L_\\epsilon(cW) = L_{\\epsilon/c^2}(W)`: scaling the weights is changing
:math:`\\epsilon`. The invariance does not reach the last layer or BN's :math:`\\gamma, \\beta`; at a rate
that is too large (10 here) those blow up while the layers before BN brake (``gamma``, ``wnorm[:, 4]``).

The nets are the chapter's (64-100x4-10, ReLU, He initialisation) in float64, so that "equal" means
"equal to float64 rounding"; the last layer has no BN after it and serves as the contrast, with the
same net without BN.
"""
from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ..cache import cached
from ..layers import Linear, Sequential
from ..losses import softmax_cross_entropy
from ..norm import BatchNorm1d
from ..optim import get_optimizer
from ..rng import spawn
from .common import batches, digits_data, train_step

__all__ = ["SCALES", "SIZES", "EPS_ZERO", "scale_net", "scale_invariance"]

#: the factors the weights are scaled by
SCALES = (0.1, 1.0, 10.0)
#: the chapter's net
SIZES = (64, 100, 100, 100, 100, 10)
#: BN's epsilon "zero": far below any batch variance here, so var + eps == var in float64
EPS_ZERO = 1e-30


def scale_net(bn: bool = True, eps: float = 1e-5, sizes=SIZES, rng=0) -> Sequential:
    """The chapter's net in float64, ``Linear -> BN(eps) -> ReLU`` per hidden layer (``bn``) or
    ``Linear -> ReLU``, then a plain ``Linear``; the same initial weights with and without BN."""
    sizes = [int(s) for s in sizes]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init="he", rng=rng, dtype=np.float64))
        if i < len(sizes) - 2:
            layers += ([BatchNorm1d(b, eps=eps, dtype=np.float64)] if bn else []) + [get_activation("relu")]
    return Sequential(layers)


def _loss_grads(net, X, y):
    value, d = softmax_cross_entropy(net.forward(X, training=True), y)
    net.backward(d, input_grad=False)
    return float(value)


def _cos(a, b, axis=None):
    num = np.sum(a * b, axis=axis)
    den = np.linalg.norm(a, axis=axis) * np.linalg.norm(b, axis=axis)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


@cached(maxsize=32)
def scale_invariance(bn: bool = True, eps: float = 1e-5, rng=0, scales=SCALES, batch_size: int = 64,
                     lr: float = 0.1, steps: int = 20) -> dict:
    """Check scale invariance on :func:`scale_net` (``bn``, ``eps``), training mode, on a batch of
    ``batch_size`` training digits. For each Linear layer ``l`` (the last has no BN after it), at the
    initial weights:

    ``loss0``; ``loss_rel (layers, scales)``: :math:`|L(cW_l) - L(W_l)| / L(W_l)`; ``grad_rel``:
    :math:`\\lVert c\\nabla L(cW_l) - \\nabla L(W_l)\\rVert / \\lVert\\nabla L(W_l)\\rVert` (0 when
    :math:`\\nabla L(cW) = \\nabla L(W)/c`); ``cos (layers,)``: :math:`\\cos(W_l, \\nabla_{W_l} L)`;
    ``cos_unit``: the largest :math:`|\\cos(w_j, \\nabla_{w_j} L)|` over the units (columns) ``j``;
    ``bias_grad``: :math:`\\lVert\\nabla b_l\\rVert / \\lVert\\nabla W_l\\rVert` (BN subtracts the mean).

    Then ``steps`` SGD steps at ``lr`` on shuffled batches: ``wnorm (steps + 1, layers)``
    :math:`\\lVert W_t\\rVert`, ``growth (steps, layers)`` :math:`\\eta^2\\lVert g_t\\rVert^2`, and
    ``resid``: :math:`(\\lVert W_{t+1}\\rVert^2 - \\lVert W_t\\rVert^2 - \\eta^2\\lVert g_t\\rVert^2)
    / (\\eta^2\\lVert g_t\\rVert^2)` (0 when the identity holds; NaN when :math:`g_t = 0`, e.g. once every
    ReLU of a layer is off at a rate that is too large), ``loss (steps,)`` (a non-finite loss skips the
    step, as in :func:`~dlcore.experiments.common.train_step`), and ``gamma (steps + 1,)``: the largest
    :math:`|\\gamma|` of the BN layers (the parameters the invariance does not cover; NaN without BN)."""
    X, y, _, _ = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    net = scale_net(bn, eps, SIZES, init_rng)
    lin = [m for m in net.layers if isinstance(m, Linear)]
    stream = batches(len(X), batch_size, order_rng, drop_last=True)
    idx = next(stream)
    Xb, yb = X[idx], y[idx]
    loss0 = _loss_grads(net, Xb, yb)
    G = [m.grads["W"].copy() for m in lin]
    out = {k: [] for k in ("loss_rel", "grad_rel", "cos", "cos_unit", "bias_grad")}
    for m, g in zip(lin, G):
        W = m.params["W"]
        W0 = W.copy()
        out["cos"].append(float(_cos(W0, g)))
        out["cos_unit"].append(float(np.max(np.abs(_cos(W0, g, axis=0)))))
        out["bias_grad"].append(float(np.linalg.norm(m.grads["b"]) / np.linalg.norm(g)))
        lrel, grel = [], []
        for c in scales:
            W[...] = c * W0
            Lc = _loss_grads(net, Xb, yb)
            lrel.append(abs(Lc - loss0) / loss0)
            grel.append(float(np.linalg.norm(c * m.grads["W"] - g) / np.linalg.norm(g)))
            W[...] = W0
        out["loss_rel"].append(lrel)
        out["grad_rel"].append(grel)
    opt = get_optimizer("sgd", net, lr=lr)
    sq = lambda: [float(np.sum(m.params["W"] ** 2)) for m in lin]      # noqa: E731
    bns = [m for m in net.layers if isinstance(m, BatchNorm1d)]
    gmax = lambda: max((float(np.max(np.abs(m.params["gamma"]))) for m in bns), default=np.nan)  # noqa: E731
    norms, growth, resid, losses, gammas = [sq()], [], [], [], [gmax()]
    for _ in range(steps):
        idx = next(stream)
        losses.append(float(train_step(net, opt, X[idx], y[idx])))
        stepped = np.isfinite(losses[-1])
        g2 = [lr ** 2 * float(np.sum(m.grads["W"] ** 2)) if stepped else 0.0 for m in lin]
        norms.append(sq())
        growth.append(g2)
        gammas.append(gmax())
        resid.append([(b - a - d) / d if d > 0 else np.nan for a, b, d in zip(norms[-2], norms[-1], g2)])
    res = {k: np.array(v, float) for k, v in out.items()}
    res.update(loss0=loss0, scales=np.array(scales, float), wnorm=np.sqrt(np.array(norms)),
               growth=np.array(growth), resid=np.array(resid), loss=np.array(losses), gamma=np.array(gammas),
               bn=bool(bn), eps=float(eps))
    return res
