"""Chapter 03, §3.6: why does tanh train faster than sigmoid? Training speed by activation, at one
learning rate and at each function's tuned one; the two causes (derivative bound and centring)
separated in a 2x2 experiment, with and without equalising the second moment of every layer's
input; the zig-zag of all-positive inputs, and how much a mini-batch cancels it.

The nets are the chapter's 64-64-64-10 MLP on the digits (float32, plain SGD, batch 32). Every
function takes settings and ``rng`` (an int; the initial weights and the batch order are two
streams spawned from it) or ``seeds`` (a tuple of ints), and returns a frozen dict (``dlcore.cache``).
"""
from __future__ import annotations

import numpy as np

from ..activations import Activation, sigmoid
from ..cache import cached
from ..diagnostics import rms, trace
from ..layers import Sequential, mlp
from ..losses import get_loss
from ..rng import as_generator, spawn
from ..train import fit, predict
from .common import digits_data, matching_init

__all__ = ["ShiftedSigmoid", "normalise_preactivations", "training_speed", "tuned_speed", "FACTORIAL",
           "sigmoid_factorial", "FACTORIAL_LRS", "tuned_factorial", "zigzag", "batch_sign_agreement"]


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


def _net(spec, rng, init=None) -> Sequential:
    """64-64-64-10, float32. ``spec``: a registry name or ``("shifted", s, c)`` (:class:`ShiftedSigmoid`)."""
    if isinstance(spec, str):
        return mlp((64, 64, 64, 10), spec, init=init or matching_init(spec), rng=rng, dtype=np.float32)
    return mlp((64, 64, 64, 10), ShiftedSigmoid, init=init or "xavier", rng=rng, dtype=np.float32,
               activation_kwargs={"scale": spec[1], "shift": spec[2]})


def normalise_preactivations(model: Sequential, X) -> Sequential:
    """Rescale each Linear layer's weights, first to last, so that its output has RMS 1 on ``X``
    (the LSUV initialisation of Mishkin & Matas, 2016, without its orthogonal start). Every layer then
    receives inputs of the same second moment whatever the activation's mean. Changes ``model`` in place
    (the biases must be 0) and returns it."""
    for i, layer in enumerate(model.layers):
        if "W" in layer.params:
            if np.any(layer.params["b"] != 0):
                raise ValueError("normalise_preactivations needs zero biases")
            layer.params["W"] /= np.asarray(rms(trace(model, X)[i].output), dtype=layer.params["W"].dtype)
    return model


class _AccProbe:
    """Training accuracy on a fixed probe of the training set every ``every`` steps; with ``stop_at``
    set, training ends at the first check where the accuracy reaches it."""

    def __init__(self, X, y, every, stop_at=None):
        self.X, self.y, self.every, self.steps, self.acc, self.stop_at = X, y, every, [], [], stop_at

    def on_step_end(self, state):
        if state.step % self.every == 0:
            self.steps.append(state.step)
            self.acc.append(float(np.mean(predict(state.model, self.X).argmax(1) == self.y)))
            if self.stop_at is not None and self.acc[-1] >= self.stop_at:
                state.stop = True


@cached(maxsize=512)
def _run(spec, rng, steps, lr, target, every, init=None, stop_at_target=False) -> dict:
    """One training run of :func:`_net` (``init="lsuv"``: Xavier, then :func:`normalise_preactivations`).

    ``h_rms``/``z_rms``: RMS of each hidden layer's output/input at initialisation, on 300 training images.
    ``stop_at_target=True`` ends training at the first check that reaches ``target``: the same ``hit``
    as the full run (the steps before it are the same), for a fraction of the cost; ``acc`` is then the
    accuracy at that step."""
    X, y, _, _ = digits_data()
    init_rng, batch_rng = spawn(rng, 2)
    net = _net(spec, init_rng, init="xavier" if init == "lsuv" else init)
    if init == "lsuv":
        normalise_preactivations(net, X[:300])
    t = trace(net, X[:300])
    probe = _AccProbe(X[:300], y[:300], every, target if stop_at_target else None)
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=batch_rng, callbacks=[probe], on_divergence="stop")
    s, a = np.array(probe.steps), np.array(probe.acc)
    loss = np.full(steps, np.nan)
    loss[:len(h.loss)] = h.loss
    return {"loss": loss, "hit": int(s[np.argmax(a >= target)]) if np.any(a >= target) else -1,
            "acc": float(h.evals[-1]["train_acc"]) if h.divergence is None else float("nan"),
            "h_rms": np.array([rms(v) for v in t.h]), "z_rms": np.array([rms(v) for v in t.z])}


def _stack(runs, miss):
    return {"loss": np.mean([r["loss"] for r in runs], axis=0), "hits": [r["hit"] if r["hit"] >= 0 else miss for r in runs],
            "accs": [r["acc"] for r in runs], "h_rms": np.mean([r["h_rms"] for r in runs], axis=0)}


@cached(maxsize=32)
def training_speed(activations=("sigmoid", "tanh", "relu", "elu"), seeds=(0, 1, 2), steps=300, lr=0.1,
                   target=0.9, every=10) -> dict:
    """Same net (64-64-64-10), data and SGD for each activation with its matching initialiser.

    Returns ``loss`` ``(n_act, steps)`` (mean over seeds), ``steps_to_target`` ``(n_act, n_seeds)``
    (first check, every ``every`` steps, where the accuracy on 300 fixed training images is >= ``target``;
    -1 if never) and ``final_acc`` (whole training set; NaN for a run that diverged).
    """
    rows = [_stack([_run(a, s, steps, lr, target, every) for s in seeds], -1) for a in activations]
    return {"activations": tuple(activations), "loss": np.array([r["loss"] for r in rows]),
            "steps_to_target": np.array([r["hits"] for r in rows]), "final_acc": np.array([r["accs"] for r in rows]),
            "target": target}


@cached(maxsize=8)
def tuned_speed(activations=("sigmoid", "tanh"), lrs=((0.3, 1.0, 3.0), (0.03, 0.1, 0.3)), seeds=(0, 1, 2),
                steps=400, target=0.9, every=10) -> dict:
    """:func:`training_speed` of each activation over its own grid of learning rates (``lrs[i]`` for
    ``activations[i]``, grids of equal length): each function at its tuned rate.

    ``steps_to_target`` and ``final_acc`` ``(n_act, n_lr, n_seeds)`` (a miss counts as ``steps + every``),
    ``mean_steps`` ``(n_act, n_lr)``, ``best`` ``(n_act,)``: the index of the rate with the fewest steps to
    the target (mean over seeds; ties: the smaller rate) and ``best_steps`` ``(n_act, n_seeds)``: its row.
    """
    grid = np.array(lrs, dtype=float)
    if grid.ndim != 2 or len(grid) != len(activations):
        raise ValueError("lrs must hold one grid of learning rates per activation, all of the same length")
    runs = [[training_speed((a,), seeds, steps, float(lr), target, every) for lr in row]
            for a, row in zip(activations, grid)]
    hits = np.array([[r["steps_to_target"][0] for r in row] for row in runs])
    hits = np.where(hits < 0, steps + every, hits)
    mean = hits.mean(axis=2)
    best = mean.argmin(axis=1)
    return {"activations": tuple(activations), "lrs": grid, "steps_to_target": hits,
            "final_acc": np.array([[r["final_acc"][0] for r in row] for row in runs]), "mean_steps": mean,
            "best": best, "best_steps": hits[np.arange(len(best)), best], "steps": steps, "target": target}


#: the 2x2 design: (label, derivative bound s/4 via scale s, shift c)
FACTORIAL = (("sigmoid: f'<=1/4, mean 1/2", 1.0, 0.0), ("sigmoid-1/2: f'<=1/4, centred", 1.0, 0.5),
             ("4 sigmoid: f'<=1, mean 2", 4.0, 0.0), ("4 sigmoid-2: f'<=1, centred", 4.0, 0.5))


@cached(maxsize=8)
def sigmoid_factorial(seeds=(0, 1, 2), steps=400, lr=0.1, target=0.9, every=10, init="xavier") -> dict:
    """Separate the two reasons tanh beats sigmoid: derivative bound (s) x zero-centred output (c).

    Four nets :math:`f = s(\\sigma(x)-c)` with ``s in {1, 4}``, ``c in {0, 1/2}``, plus tanh. With
    ``init="xavier"`` the arms also differ in the second moment of each layer's input (``h_rms``); with
    ``init="lsuv"`` (:func:`normalise_preactivations`) every layer's pre-activation starts with RMS 1 in
    every arm, so what is left is the derivative bound and the mean. ``steps_to_target`` ``(5, n_seeds)``
    counts a miss as ``steps + every``; ``h_rms`` ``(5, 2)``: RMS of each hidden layer's output at
    initialisation (mean over seeds).
    """
    if init not in ("xavier", "lsuv"):
        raise ValueError(f"init must be 'xavier' or 'lsuv', got {init!r}")
    labels, rows = [], []
    for label, s, c in FACTORIAL + (("tanh", None, None),):
        # s(sigma - c) with s=1, c=0 is the sigmoid itself: the same run as training_speed's (one cache entry)
        spec = "tanh" if s is None else "sigmoid" if (s, c) == (1.0, 0.0) else ("shifted", s, c)
        labels.append(label)
        rows.append(_stack([_run(spec, sd, steps, lr, target, every, None if init == "xavier" else init)
                            for sd in seeds], steps + every))
    return {"labels": tuple(labels), "loss": np.array([r["loss"] for r in rows]),
            "steps_to_target": np.array([r["hits"] for r in rows]), "final_acc": np.array([r["accs"] for r in rows]),
            "h_rms": np.array([r["h_rms"] for r in rows]), "target": target, "steps": steps}


#: each arm's grid of learning rates for :func:`tuned_factorial`, a factor of ten wide. Measured on
#: 0.03-3 under LSUV init (5 seeds, four BLAS kernels): the slope-1/4 arms train best at 1.0, "4 sigmoid"
#: at 0.1; "4 sigmoid-2" and tanh are fastest at 0.3, the top of their grids, because above it they
#: stop training reliably (at 0.5 "4 sigmoid-2" is erratic, 20-320 steps or a miss; at 1.0 both miss 90 %
#: in 3 to 5 of 5 seeds, depending on the BLAS kernel, and the rest need 300 steps or more)
FACTORIAL_LRS = ((0.3, 1.0, 3.0), (0.3, 1.0, 3.0), (0.03, 0.1, 0.3), (0.03, 0.1, 0.3), (0.03, 0.1, 0.3))


@cached(maxsize=8)
def tuned_factorial(lrs=FACTORIAL_LRS, seeds=(0, 1, 2), steps=400, target=0.9, every=10, init="lsuv") -> dict:
    """:func:`sigmoid_factorial`'s five arms, each at its best learning rate from its own grid (``lrs[i]``
    for arm ``i``, grids of equal length): the 2x2 without the learning rate as a confound.

    Each run stops once it reaches ``target`` (only the steps to it are needed). ``steps_to_target``
    ``(5, n_lr, n_seeds)`` (a miss counts as ``steps + every``), ``mean_steps`` ``(5, n_lr)``, ``best``
    ``(5,)``: the index of the rate with the fewest steps (mean over seeds; ties: the smaller rate),
    ``best_lr`` and ``best_steps`` ``(5, n_seeds)``; ``h_rms`` ``(5, 2)``: RMS of each hidden layer's output
    at initialisation (mean over seeds; the same at every rate).
    """
    if init not in ("xavier", "lsuv"):
        raise ValueError(f"init must be 'xavier' or 'lsuv', got {init!r}")
    arms = FACTORIAL + (("tanh", None, None),)
    grid = np.array(lrs, dtype=float)
    if grid.ndim != 2 or len(grid) != len(arms):
        raise ValueError(f"lrs must hold one grid of learning rates per arm ({len(arms)}), all of the same length")
    hits, h_rms = [], []
    for (label, s, c), row in zip(arms, grid):
        spec = "tanh" if s is None else "sigmoid" if (s, c) == (1.0, 0.0) else ("shifted", s, c)
        runs = [[_run(spec, sd, steps, float(lr), target, every, None if init == "xavier" else init, True)
                 for sd in seeds] for lr in row]
        hits.append([[r["hit"] if r["hit"] >= 0 else steps + every for r in rr] for rr in runs])
        h_rms.append(np.mean([r["h_rms"] for r in runs[0]], axis=0))
    hits = np.array(hits)
    mean = hits.mean(axis=2)
    best = mean.argmin(axis=1)
    return {"labels": tuple(a[0] for a in arms), "lrs": grid, "steps_to_target": hits, "mean_steps": mean,
            "best": best, "best_lr": grid[np.arange(len(best)), best], "best_steps": hits[np.arange(len(best)), best],
            "h_rms": np.array(h_rms), "steps": steps, "target": target}


@cached(maxsize=64)
def zigzag(centred=False, steps=200, lr=0.5, rng=0, w_star=(1.0, -1.0)) -> dict:
    """One linear neuron :math:`\\hat y = w\\cdot x` learning :math:`t = w^*\\cdot x` by SGD (batch 1).

    Inputs are sigmoid outputs (all positive) or, with ``centred=True``, tanh outputs of
    :math:`u\\sim N(0, 2^2)`. The update is :math:`-\\eta(\\hat y - t)x`: with all-positive ``x`` both
    weights move in the same direction every step, so reaching :math:`w^*=(1,-1)` takes a zig-zag.
    Returns ``path`` ``(steps+1, 2)``, ``same_sign`` (fraction of the non-zero updates whose two
    components have equal signs: once :math:`w=w^*` to round-off, the updates are 0 or round-off noise,
    below ``1e-12``, and are not counted), ``n_updates`` (how many updates counted), ``distance`` to
    :math:`w^*` per step and
    ``steps_to_01`` (first step within 0.1; -1 if never). The dot products are written out (no BLAS
    call), so every CPU gives the same path to the last bit.
    """
    u = 2 * as_generator(rng).standard_normal((steps, 2))
    X = np.tanh(u) if centred else sigmoid(u)
    ws = np.asarray(w_star, dtype=float)
    w = np.zeros(2)
    path, same = [w.copy()], []
    for x in X:
        err = (w[0] * x[0] + w[1] * x[1]) - (ws[0] * x[0] + ws[1] * x[1])
        d = -lr * err * x
        if abs(d[0]) > 1e-12 or abs(d[1]) > 1e-12:        # not round-off
            same.append(np.sign(d[0]) == np.sign(d[1]))
        w = w + d
        path.append(w.copy())
    path = np.array(path)
    dist = np.sqrt(((path - ws) ** 2).sum(axis=1))
    hit = int(np.argmax(dist < 0.1)) if np.any(dist < 0.1) else -1
    return {"path": path, "same_sign": float(np.mean(same)) if same else float("nan"), "n_updates": len(same),
            "distance": dist, "steps_to_01": hit, "w_star": ws}


@cached(maxsize=32)
def batch_sign_agreement(activation="sigmoid", batch_sizes=(1, 32, 1079), batches=20, rng=0) -> dict:
    """Does a mini-batch undo the zig-zag? Signs of the gradient of the weights into layer 2, at initialisation.

    For one example, :math:`\\partial L/\\partial w_{ij} = a_i\\delta_j`: with all-positive inputs :math:`a_i`
    (sigmoid outputs) every weight into unit ``j`` gets the sign of :math:`\\delta_j`. A batch sums
    :math:`a_i\\delta_j` over examples whose :math:`\\delta_j` differ in sign, which can break that.
    For each batch size (``batches`` batches each, in a random order), returns ``pairs``: the fraction of
    pairs of weights into the same unit whose gradients have equal signs (0.5: no rule; 1: one sign per
    unit) and ``all_same``: the fraction of units whose 64 incoming weights all get one sign; mean over
    batches and units.
    """
    X, y, _, _ = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    net = _net(activation, init_rng)
    W2 = [layer for layer in net.layers if "W" in layer.params][1]
    loss, order = get_loss("cross_entropy"), order_rng.permutation(len(X))
    pairs, same = [], []
    for B in batch_sizes:
        p, a = [], []
        for k in range(batches):
            idx = order[(k * B) % len(X):][:B]
            _, d = loss(net.forward(X[idx], training=True), y[idx])
            net.backward(d)
            sign = np.sign(W2.grads["W"])                  # (64 inputs, 64 units)
            n, npos, nneg = sign.shape[0], (sign > 0).sum(0), (sign < 0).sum(0)
            p.append(np.mean((npos * (npos - 1) + nneg * (nneg - 1)) / (n * (n - 1))))
            a.append(np.mean((npos == n) | (nneg == n)))
        pairs.append(np.mean(p))
        same.append(np.mean(a))
    return {"batch_sizes": np.array(batch_sizes), "pairs": np.array(pairs), "all_same": np.array(same)}
