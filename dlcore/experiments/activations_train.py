"""Chapter 03 experiments that train networks: dead ReLUs, training speed by activation,
tanh vs sigmoid split into its two causes, the zig-zag of all-positive inputs, saturation.

All use the digits data (64 inputs, 10 classes), float32 and plain SGD; every function takes
its settings and a seed and returns a dict of arrays (cached, read-only).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..activations import Activation, get_activation, sigmoid
from ..data import digits
from ..layers import Linear, Sequential
from ..module import as_generator
from ..train import fit
from ._common import readonly

__all__ = ["MATCHING_INIT", "ShiftedSigmoid", "make_net", "activity", "inactive_fraction", "dead_relu", "dead_relu_grid",
           "training_speed", "sigmoid_factorial", "zigzag", "saturation_over_training"]

#: the initialiser that keeps the activation variance steady for each function (chapter 02)
MATCHING_INIT = {"sigmoid": "xavier", "tanh": "xavier", "hard_tanh": "xavier", "hard_sigmoid": "xavier",
                 "selu": "lecun", "identity": "xavier"}


class ShiftedSigmoid(Activation):
    """:math:`f(x) = s\\,(\\sigma(x) - c)`, :math:`f'(x) = s\\,\\sigma(x)(1-\\sigma(x)) \\le s/4`.

    The 2x2 experiment: ``s`` sets the derivative bound (1/4 or 1), ``c = 1/2`` centres the output.
    ``s=4, c=1/2`` is :math:`2\\tanh(x/2)`.
    """

    def __init__(self, scale: float = 1.0, shift: float = 0.0):
        super().__init__()
        self.scale, self.shift = float(scale), float(shift)

    def f(self, X):
        return (self.scale * (sigmoid(X) - self.shift)).astype(X.dtype, copy=False)

    def df(self, X, Y):
        s = sigmoid(X)
        return (self.scale * s * (1 - s)).astype(X.dtype, copy=False)

    def saturated(self, X, Y):
        s = sigmoid(X)
        return (s < 0.03) | (s > 0.97)


def _data(n_train=None):
    ds = digits()
    X, y = ds.X_train, ds.y_train
    return (X, y) if n_train is None else (X[:n_train], y[:n_train])


def make_net(activation="relu", sizes=(64, 64, 64, 10), init=None, rng=0, dtype=np.float32, bias=0.0,
             activation_kwargs=None) -> Sequential:
    """``Linear -> act -> ... -> Linear``; ``activation`` is a registry name or a zero-argument factory.

    ``init=None`` picks :data:`MATCHING_INIT` (He for the ReLU family). RReLU gets its own Generator.
    """
    rng = as_generator(rng)
    name = activation if isinstance(activation, str) else None
    init = init or MATCHING_INIT.get(name, "he")
    kw = dict(activation_kwargs or {})
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, rng=rng, dtype=dtype, bias=bias))
        if i < len(sizes) - 2:
            if name == "rrelu":
                kw["rng"] = rng
            layers.append(get_activation(name, **kw) if name else activation())
    return Sequential(layers)


def activity(model: Sequential, X) -> tuple[np.ndarray, np.ndarray]:
    """Per hidden activation layer, on the rows of ``X`` ``(n, d)``: ``(inactive, zero_fraction)``, each ``(n_hidden,)``.

    ``inactive``: fraction of units whose input :math:`z` is :math:`\\le 0` for EVERY row (for ReLU these
    units are dead: zero output and zero gradient for all inputs, so their weights never change again).
    ``zero_fraction``: fraction of (row, unit) pairs with :math:`z \\le 0` (for ReLU: the sparsity of the
    activations, a different and harmless thing: each unit is off for some inputs and on for others).
    """
    idx = [i for i, layer in enumerate(model.layers) if isinstance(layer, Activation) and i > 0]
    model.forward(X, training=False)
    off = [model.outputs[i - 1] <= 0 for i in idx]
    return (np.array([float(np.mean(np.all(o, axis=0))) for o in off]),
            np.array([float(np.mean(o)) for o in off]))


def inactive_fraction(model: Sequential, X) -> np.ndarray:
    """Per hidden activation layer: fraction of units whose input is :math:`\\le 0` for EVERY row of ``X``."""
    return activity(model, X)[0]


def _predict(model, X):
    return model.forward(X, training=False)


class _Probe:
    def __init__(self, X, every):
        self.X, self.every, self.steps, self.values, self.zeros = X, every, [], [], []

    def record(self, step, model):
        inactive, zeros = activity(model, self.X)
        self.steps.append(step)
        self.values.append(inactive)
        self.zeros.append(zeros)

    def on_step_end(self, state):
        if state.step % self.every == 0:
            self.record(state.step, state.model)


@lru_cache(maxsize=64)
def _dead_relu(activation, lr, bias, steps, seed, every, slope):
    X, y = _data()
    kw = {"slope": slope} if activation == "leaky_relu" else {}
    net = make_net(activation, rng=seed, bias=bias, activation_kwargs=kw)
    probe = _Probe(X[:300], every)
    probe.record(0, net)
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=seed, callbacks=[probe], on_divergence="stop")
    acc = float(h.evals[-1]["train_acc"]) if h.evals else float("nan")
    return readonly({"steps": np.array(probe.steps), "inactive": np.array(probe.values),
                "zero_fraction": np.array(probe.zeros), "acc": acc,
                "diverged": h.divergence is not None, "loss": np.asarray(h.loss)})


def dead_relu(activation="relu", lr=0.1, bias=0.0, steps=300, seed=0, every=10, slope=0.01) -> dict:
    """Train a 64-64-64-10 net on digits and record the inactive fraction per hidden layer.

    Returns ``steps`` (records), ``inactive`` and ``zero_fraction`` ``(n_records, 2)`` (see :func:`activity`),
    final training ``acc``, ``loss`` per step and ``diverged``.
    """
    if lr <= 0 or steps < 1 or every < 1:
        raise ValueError(f"need lr > 0, steps >= 1, every >= 1; got {lr}, {steps}, {every}")
    return _dead_relu(str(activation), float(lr), float(bias), int(steps), int(seed), int(every), float(slope))


def dead_relu_grid(activations=("relu", "leaky_relu", "elu"), lrs=(0.05, 0.3, 1.0), biases=(0.0, -1.0),
                   steps=300, seed=0) -> dict:
    """Final inactive fraction (mean over layers) and accuracy, ``(n_act, n_lr, n_bias)`` each."""
    A, L, B = len(activations), len(lrs), len(biases)
    dead, acc = np.zeros((A, L, B)), np.zeros((A, L, B))
    for i, a in enumerate(activations):
        for j, lr in enumerate(lrs):
            for k, b in enumerate(biases):
                r = dead_relu(a, lr, b, steps, seed)
                dead[i, j, k], acc[i, j, k] = r["inactive"][-1].mean(), r["acc"]
    return readonly({"activations": list(activations), "lrs": np.array(lrs), "biases": np.array(biases),
                "inactive": dead, "acc": acc})


class _AccProbe:
    """Training accuracy on a fixed probe of the training set every ``every`` steps."""

    def __init__(self, X, y, every):
        self.X, self.y, self.every, self.steps, self.acc = X, y, every, [], []

    def on_step_end(self, state):
        if state.step % self.every == 0:
            out = _predict(state.model, self.X)
            self.steps.append(state.step)
            self.acc.append(float(np.mean(out.argmax(1) == self.y)))


def _run(spec, seed, steps, lr, target, every, init=None):
    """One training run, cached. ``spec``: a registry name or ``("shifted", s, c)``."""
    init = init or MATCHING_INIT.get(spec if isinstance(spec, str) else None, "he")
    return _run_cached(spec, seed, steps, lr, target, every, init)


@lru_cache(maxsize=256)
def _run_cached(spec, seed, steps, lr, target, every, init, sizes=(64, 64, 64, 10)):
    X, y = _data()
    act = spec if isinstance(spec, str) else (lambda: ShiftedSigmoid(spec[1], spec[2]))
    net = make_net(act, sizes=sizes, rng=seed, init=init)
    probe = _AccProbe(X[:300], y[:300], every)
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=seed, callbacks=[probe], on_divergence="stop")
    s, a = np.array(probe.steps), np.array(probe.acc)
    hit = int(s[np.argmax(a >= target)]) if np.any(a >= target) else -1
    loss = np.full(steps, np.nan)
    loss[:len(h.loss)] = h.loss
    loss.flags.writeable = False
    return loss, hit, float(h.evals[-1]["train_acc"])


@lru_cache(maxsize=32)
def _speed(activations, seeds, steps, lr, target, every):
    curves, hits, accs = [], [], []
    for a in activations:
        runs = [_run(a, s, steps, lr, target, every) for s in seeds]
        curves.append(np.mean([r[0] for r in runs], axis=0))
        hits.append([r[1] for r in runs])
        accs.append([r[2] for r in runs])
    return readonly({"activations": list(activations), "loss": np.array(curves), "steps_to_target": np.array(hits),
                "final_acc": np.array(accs), "target": target})


def training_speed(activations=("sigmoid", "tanh", "relu", "elu"), seeds=(0, 1, 2), steps=300, lr=0.1,
                   target=0.9, every=10) -> dict:
    """Same net (64-64-64-10), data and SGD for each activation with its matching initialiser.

    Returns ``loss`` ``(n_act, steps)`` (mean over seeds), ``steps_to_target`` ``(n_act, n_seeds)``
    (first check, every ``every`` steps, where the accuracy on 300 fixed training images is >= ``target``;
    -1 if never) and ``final_acc`` (whole training set).
    """
    return _speed(tuple(activations), tuple(int(s) for s in seeds), int(steps), float(lr), float(target), int(every))


#: the 2x2 design: (label, derivative bound s/4 via scale s, shift c)
FACTORIAL = (("sigmoid: f'<=1/4, mean 1/2", 1.0, 0.0), ("sigmoid-1/2: f'<=1/4, centred", 1.0, 0.5),
             ("4 sigmoid: f'<=1, mean 2", 4.0, 0.0), ("4 sigmoid-2: f'<=1, centred", 4.0, 0.5))


@lru_cache(maxsize=8)
def _factorial(seeds, steps, lr, target, every):
    labels, hits, accs, curves = [], [], [], []
    for label, s, c in FACTORIAL + (("tanh", None, None),):
        spec = "tanh" if s is None else ("shifted", s, c)
        runs = [_run(spec, sd, steps, lr, target, every, init="xavier") for sd in seeds]
        labels.append(label)
        curves.append(np.mean([r[0] for r in runs], axis=0))
        hits.append([r[1] if r[1] >= 0 else steps + every for r in runs])
        accs.append([r[2] for r in runs])
    return readonly({"labels": labels, "loss": np.array(curves), "steps_to_target": np.array(hits),
                "final_acc": np.array(accs), "target": target, "steps": steps})


def sigmoid_factorial(seeds=(0, 1, 2), steps=400, lr=0.1, target=0.9, every=10) -> dict:
    """Separate the two reasons tanh beats sigmoid: derivative bound (s) x zero-centred output (c).

    Four nets :math:`f = s(\\sigma(x)-c)` with ``s in {1, 4}``, ``c in {0, 1/2}``, plus tanh, all with
    Xavier init. ``steps_to_target`` ``(5, n_seeds)`` counts a miss as ``steps + every``.
    """
    return _factorial(tuple(int(s) for s in seeds), int(steps), float(lr), float(target), int(every))


def zigzag(centred=False, steps=200, lr=0.5, seed=0, w_star=(1.0, -1.0)) -> dict:
    """One linear neuron :math:`\\hat y = w\\cdot x` learning :math:`t = w^*\\cdot x` by SGD (batch 1).

    Inputs are sigmoid outputs (all positive) or, with ``centred=True``, tanh outputs of
    :math:`u\\sim N(0, 2^2)`. The update is :math:`-\\eta(\\hat y - t)x`: with all-positive ``x`` both
    weights move in the same direction every step, so reaching :math:`w^*=(1,-1)` takes a zig-zag.
    Returns ``path`` ``(steps+1, 2)``, ``same_sign`` (fraction of updates with equal signs),
    ``distance`` to :math:`w^*` per step and ``steps_to_01`` (first step within 0.1; -1 if never).
    """
    g = as_generator(seed)
    u = 2 * g.standard_normal((steps, 2))
    X = np.tanh(u) if centred else sigmoid(u)
    ws = np.asarray(w_star, dtype=float)
    w = np.zeros(2)
    path, same = [w.copy()], []
    for x in X:
        d = -lr * (w @ x - x @ ws) * x
        same.append(np.sign(d[0]) == np.sign(d[1]))
        w = w + d
        path.append(w.copy())
    path = np.array(path)
    dist = np.linalg.norm(path - ws, axis=1)
    hit = int(np.argmax(dist < 0.1)) if np.any(dist < 0.1) else -1
    return {"path": path, "same_sign": float(np.mean(same)), "distance": dist, "steps_to_01": hit, "w_star": ws}


@lru_cache(maxsize=32)
def _saturation(activation, init, std, lr, steps, seed, every):
    X, y = _data()
    kw = {"std": std} if init == "normal" else {}
    rng = as_generator(seed)
    sizes = (64, 64, 64, 64, 10)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, rng=rng, dtype=np.float32, init_kwargs=kw))
        if i < len(sizes) - 2:
            layers.append(get_activation(activation))
    net = Sequential(layers)
    idx = [i for i, l in enumerate(layers) if isinstance(l, Activation)]
    net.forward(X[:300], training=False)
    z_std = np.array([float(net.outputs[i - 1].std()) for i in idx])     # pre-activation scale at init
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=seed, diagnostics=every, on_divergence="stop")
    sat = np.array([[d["layers"][i].get("saturated", np.nan) for i in idx] for d in h.diagnostics],
                   dtype=float).reshape(-1, len(idx))                      # (0, 3) if it diverged at once
    steps_rec = np.array([d["step"] for d in h.diagnostics], dtype=int)
    acc = float(h.evals[-1]["train_acc"]) if h.evals else float("nan")
    return readonly({"steps": steps_rec, "saturated": sat, "acc": acc, "loss": np.asarray(h.loss), "z_std": z_std,
                "diverged": h.divergence is not None})


def saturation_over_training(activation="tanh", init="xavier", std=1.0, lr=0.1, steps=300, seed=0,
                             every=10) -> dict:
    """Fraction of saturated units per hidden layer (4-layer net on digits) while it trains.

    ``init="normal"`` uses N(0, ``std``^2) weights (large ``std`` saturates tanh at once).
    Returns ``steps``, ``saturated`` ``(n_records, 3)`` (NaN for functions with no saturation mask),
    final ``acc`` (NaN if it ``diverged``: the records then stop early), ``loss`` and ``z_std`` ``(3,)``: the standard deviation of each hidden layer's
    pre-activation :math:`z` at initialisation, on 300 training images (with N(0, 1) weights
    :math:`\\mathrm{Var}\\,z = \\sum_i x_i^2`, so it grows with the fan-in).
    """
    if init not in ("xavier", "he", "lecun", "normal"):
        raise ValueError(f"init must be xavier, he, lecun or normal, got {init!r}")
    return _saturation(str(activation), init, float(std), float(lr), int(steps), int(seed), int(every))
