"""Chapter 07: weight normalisation against batch normalisation on the digits MLP.

* :func:`wn_curves`: validation accuracy over steps for no norm, BN, and WN (with or without
  Salimans & Kingma's data-dependent initialisation), one seed;
* :func:`wn_identities`: the two identities of WN's gradient measured during plain gradient
  descent: :math:`v_j\\cdot\\nabla_{v_j}L = 0` and so :math:`\\lVert v_j\\rVert` never decreases;
* :func:`batch_dependence`: the noise BN adds: how much one example's normalised pre-activation
  moves when the *other* examples of its batch change (zero for WN and LN by construction).
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..norm_nets import norm_mlp
from ..optim import get_optimizer
from ..rng import as_generator, spawn
from ..weightnorm import WeightNormLinear
from .batchnorm import eval_grid
from .common import batches, digits_data, matching_init, train_recording

__all__ = ["wn_init", "rescale_v", "wn_curves", "wn_step_scale", "wn_identities", "batch_dependence"]


def wn_init(net, X) -> None:
    """Salimans & Kingma's data-dependent initialisation of every WeightNormLinear of ``net`` (a
    Sequential) in turn, from the batch ``X`` propagated through the layers before it (already
    initialised): each unit's pre-activation then has mean 0 and variance 1 on ``X``."""
    h = np.asarray(X)
    for layer in net.layers:
        if isinstance(layer, WeightNormLinear):
            layer.init_from_batch(h.astype(np.float64))
        h = layer.forward(h, training=False)


def rescale_v(net, v_norm="g") -> None:
    """Rescale each unit's :math:`v_j` of every WeightNormLinear of ``net`` to norm :math:`|g_j|`
    (``v_norm="g"``) or to a number. :math:`w = g\\,v/\\lVert v\\rVert` ignores :math:`\\lVert v\\rVert`, so
    the forward pass is unchanged; under Adam, whose step on :math:`v` is about :math:`\\eta` per coordinate,
    the direction then turns by about :math:`\\eta\\sqrt{n_{in}}/\\lVert v\\rVert` per step instead."""
    for m in net.layers:
        if isinstance(m, WeightNormLinear):
            v = m.params["v"]
            target = np.abs(m.params["g"]) if v_norm == "g" else float(v_norm)
            v[...] = (v * (target / np.linalg.norm(v, axis=0))).astype(v.dtype)


@cached(maxsize=128)
def wn_curves(norm: str | None = "weight", rng=0, steps: int = 300, lr: float = 0.1, batch_size: int = 32,
              sizes=(64, 100, 100, 10), activation: str = "relu", data_init: bool = True,
              init_batch: int = 100, optimizer: str = "sgd", v_norm: str | None = None) -> dict:
    """Train ``norm_mlp(sizes, activation, norm)`` (float32, plain SGD at ``lr`` or another ``optimizer``
    by name with its default settings, e.g. ``"adam"``, batches of
    ``batch_size`` without replacement) and record the validation accuracy (evaluation mode) on
    :func:`~dlcore.experiments.batchnorm.eval_grid`. ``norm="weight"`` with ``data_init`` first
    applies :func:`wn_init` on the first ``init_batch`` shuffled training examples; ``v_norm="g"`` then
    rescales each unit's :math:`v_j` to norm :math:`|g_j|` (:func:`rescale_v`: :math:`w` and the function
    are unchanged; under Adam the turn rate of :math:`v/\\lVert v\\rVert` changes). Returns ``step``,
    ``val_acc``, ``final_acc``, ``diverged``, and ``init_std``: the standard deviation over the
    validation set of the first hidden layer's pre-activations at step 0 (mean over units)."""
    X, y, Xv, yv = digits_data()
    init_rng, order_rng, pick_rng = spawn(rng, 3)
    net = norm_mlp(list(sizes), activation, norm=norm, init=matching_init(activation), rng=init_rng,
                   dtype=np.float32)
    if norm == "weight" and data_init:
        wn_init(net, X[as_generator(pick_rng).permutation(len(X))[:int(init_batch)]])
    if norm == "weight" and v_norm is not None:
        rescale_v(net, v_norm)
    net.forward(Xv, training=False)
    init_std = float(np.mean(np.std(net.layers[0].forward(Xv, training=False), axis=0)))
    opt = get_optimizer(optimizer, net, lr=lr)
    stream = batches(len(X), int(batch_size), order_rng, drop_last=True)
    grid = eval_grid(int(steps))
    acc = []
    diverged = train_recording(net, opt, X, y, stream, int(steps), grid,
                               lambda: acc.append(float(np.mean(net.forward(Xv, training=False).argmax(1) == yv))))
    return {"step": grid[:len(acc)], "val_acc": np.array(acc), "final_acc": acc[-1], "diverged": diverged,
            "init_std": init_std}


@cached(maxsize=32)
def wn_step_scale(data_init: bool = True, rng=0, sizes=(64, 100, 100, 10), init_batch: int = 100) -> dict:
    """The factor :math:`(g_j/\\lVert v_j\\rVert)^2` by which weight norm multiplies the learning rate of
    the step it makes in :math:`w_j` (the projected gradient), at initialisation, averaged over the units
    of each WN layer of ``norm_mlp(sizes, "relu", norm="weight")`` built as :func:`wn_curves` builds it
    (same seeds). Returns ``factor`` (one per WN layer), ``g`` (mean g per layer), ``norm_v``, and
    ``norm_w_plain``: the mean :math:`\\lVert w_j\\rVert` of the same hidden layers of the plain net
    (``norm=None``, same init seed, He init), against which Adam's turn rate
    :math:`\\eta\\sqrt{n_{in}}/\\lVert v\\rVert` compares."""
    X, _, _, _ = digits_data()
    init_rng, _, pick_rng = spawn(rng, 3)
    net = norm_mlp(list(sizes), "relu", norm="weight", init=matching_init("relu"), rng=init_rng, dtype=np.float32)
    if data_init:
        wn_init(net, X[as_generator(pick_rng).permutation(len(X))[:int(init_batch)]])
    layers = [m for m in net.layers if isinstance(m, WeightNormLinear)]
    nv = [np.linalg.norm(m.params["v"].astype(np.float64), axis=0) for m in layers]
    g = [m.params["g"].astype(np.float64) for m in layers]
    plain = norm_mlp(list(sizes), "relu", norm=None, init=matching_init("relu"), rng=init_rng, dtype=np.float32)
    nw_plain = [np.linalg.norm(m.params["W"].astype(np.float64), axis=0).mean()
                for m in plain.layers if "W" in getattr(m, "params", {})][:len(layers)]
    return {"factor": np.array([np.mean((gi / n) ** 2) for gi, n in zip(g, nv)]),
            "g": np.array([gi.mean() for gi in g]), "norm_v": np.array([n.mean() for n in nv]),
            "norm_w_plain": np.array(nw_plain)}


@cached(maxsize=32)
def wn_identities(rng=0, steps: int = 30, lr: float = 0.5, n_train: int = 200, width: int = 50) -> dict:
    """A 64-``width``-10 tanh net whose first layer is weight-normalised (float64), full-batch gradient
    descent on ``n_train`` digits. Per step: ``cos_max``, the largest :math:`|\\cos(v_j, \\nabla_{v_j}L)|`
    over the units; ``norm_v`` ``(steps + 1, width)``, each unit's :math:`\\lVert v_j\\rVert`;
    ``predicted`` ``(steps, width)``: :math:`\\sqrt{\\lVert v_j\\rVert^2 + \\eta^2\\lVert\\nabla_{v_j}L\\rVert^2}`,
    what Pythagoras predicts for the next norm; ``loss``."""
    from ..activations import get_activation
    from ..layers import Linear, Sequential
    from ..losses import softmax_cross_entropy
    X, y, _, _ = digits_data(int(n_train))
    X = X.astype(np.float64)
    r1, r2 = spawn(rng, 2)
    net = Sequential([WeightNormLinear(64, int(width), rng=r1), get_activation("tanh"),
                      Linear(int(width), 10, rng=r2)])
    wn = net.layers[0]
    norms, pred, cos, losses = [np.linalg.norm(wn.params["v"], axis=0)], [], [], []
    for _ in range(int(steps)):
        value, d = softmax_cross_entropy(net.forward(X, training=True), y)
        net.backward(d)
        v, gv = wn.params["v"], wn.grads["v"]
        nv, ng = np.linalg.norm(v, axis=0), np.linalg.norm(gv, axis=0)
        cos.append(float(np.max(np.abs(np.sum(v * gv, 0)) / (nv * ng + 1e-300))))
        pred.append(np.sqrt(nv ** 2 + (lr * ng) ** 2))
        for layer in net.layers:
            for k in layer.params:
                layer.params[k] -= lr * layer.grads[k]
        norms.append(np.linalg.norm(wn.params["v"], axis=0))
        losses.append(float(value))
    return {"cos_max": np.array(cos), "norm_v": np.array(norms), "predicted": np.array(pred),
            "loss": np.array(losses)}


@cached(maxsize=64)
def batch_dependence(norm: str | None = "batch", batch_size: int = 8, rng=0, draws: int = 100,
                     sizes=(64, 100, 10)) -> dict:
    """The noise a batch-dependent normalisation adds. One fixed validation digit is put in ``draws``
    batches whose other ``batch_size - 1`` examples are drawn at random from the training set, and
    goes through a freshly initialised ``norm_mlp(sizes, "relu", norm)`` (float64) in training mode.
    Returns ``noise_std``: the standard deviation over the draws of that digit's first normalised layer
    output (after the norm, before the ReLU), averaged over units (0 for a norm that looks at one
    example only; BN's outputs have standard deviation about 1 over the examples of a batch, so this
    is the noise in units of the signal's spread); and ``logit_std``: the same spread of its logits."""
    X, _, Xv, _ = digits_data()
    X, x0 = X.astype(np.float64), Xv[:1].astype(np.float64)
    init_rng, draw_rng = spawn(rng, 2)
    net = norm_mlp(list(sizes), "relu", norm=norm, rng=init_rng)
    gen = as_generator(draw_rng)
    hidden, logits = [], []
    B = int(batch_size)
    for _ in range(int(draws)):
        idx = gen.choice(len(X), B - 1, replace=False)
        batch = np.vstack([x0, X[idx]])
        out = net.forward(batch, training=True)
        hidden.append(net.inputs[2][0] if norm in ("batch", "layer", "group") else net.inputs[1][0])
        logits.append(out[0])
    hidden, logits = np.array(hidden), np.array(logits)
    return {"noise_std": float(np.mean(hidden.std(axis=0))), "logit_std": float(np.mean(logits.std(axis=0))), "batch_size": B}
