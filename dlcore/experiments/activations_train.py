"""Chapter 03 experiments that train networks: dead ReLUs, training speed by activation,
tanh vs sigmoid split into its two causes, the zig-zag of all-positive inputs, saturation.

All use the digits data (64 inputs, 10 classes), float32 and plain SGD; every function takes
its settings and a seed and returns a dict of arrays (cached, read-only). The chapter states
each outcome over several seeds (:data:`SEEDS`, :func:`over_seeds`) with its spread (:func:`pm`):
a single run's last digits depend on the CPU's BLAS kernel, the phenomenon does not.
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

__all__ = ["MATCHING_INIT", "SEEDS", "CHANCE", "ShiftedSigmoid", "make_net", "activity", "inactive_fraction", "dead_relu",
           "dead_relu_grid", "training_speed", "sigmoid_factorial", "zigzag", "saturation_over_training", "over_seeds",
           "pm", "pm_steps"]

#: the seeds the chapter's claims about training outcomes are made over
SEEDS = (0, 1, 2, 3, 4)

#: a digits net whose training accuracy is below this is "at chance" (10 classes: predicting
#: one class scores about 0.10; the nets of this chapter that learn anything score above 0.2)
CHANCE = 0.15

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
                "diverged": h.divergence is not None, "steps_run": len(h.loss), "loss": np.asarray(h.loss)})


def dead_relu(activation="relu", lr=0.1, bias=0.0, steps=300, seed=0, every=10, slope=0.01) -> dict:
    """Train a 64-64-64-10 net on digits and record the inactive fraction per hidden layer.

    Returns ``steps`` (records), ``inactive`` and ``zero_fraction`` ``(n_records, 2)`` (see :func:`activity`),
    final training ``acc`` (NaN if it ``diverged``), ``loss`` per step, ``diverged`` and ``steps_run``
    (the step at which a diverging run stopped, else ``steps``).
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
        # s(sigma - c) with s=1, c=0 is the sigmoid itself: the same run as training_speed's (one cache entry)
        spec = "tanh" if s is None else "sigmoid" if (s, c) == (1.0, 0.0) else ("shifted", s, c)
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
    Returns ``path`` ``(steps+1, 2)``, ``same_sign`` (fraction of the non-zero updates whose two
    components have equal signs: once :math:`w=w^*` exactly, updates are 0 and are not counted),
    ``distance`` to :math:`w^*` per step and ``steps_to_01`` (first step within 0.1; -1 if never).
    The dot products are written out (no BLAS call), so every CPU gives the same path to the last bit.
    """
    g = as_generator(seed)
    u = 2 * g.standard_normal((steps, 2))
    X = np.tanh(u) if centred else sigmoid(u)
    ws = np.asarray(w_star, dtype=float)
    w = np.zeros(2)
    path, same = [w.copy()], []
    for x in X:
        err = (w[0] * x[0] + w[1] * x[1]) - (ws[0] * x[0] + ws[1] * x[1])
        d = -lr * err * x
        if d[0] != 0 or d[1] != 0:
            same.append(np.sign(d[0]) == np.sign(d[1]))
        w = w + d
        path.append(w.copy())
    path = np.array(path)
    dist = np.sqrt(((path - ws) ** 2).sum(axis=1))
    hit = int(np.argmax(dist < 0.1)) if np.any(dist < 0.1) else -1
    return {"path": path, "same_sign": float(np.mean(same)) if same else float("nan"), "distance": dist,
            "steps_to_01": hit, "w_star": ws}


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
                "diverged": h.divergence is not None, "steps_run": len(h.loss)})


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


def over_seeds(experiment, seeds=SEEDS, **settings) -> dict:
    """``experiment(seed=s, **settings)`` for each of ``seeds``, every result stacked over seeds (first axis).

    Numbers and booleans become arrays ``(n_seeds,)``, arrays ``(n_seeds, *shape)``. A run that
    diverged stops early and has fewer records: its rows are padded with NaN at the end (so
    ``r["inactive"][:, -1]`` is NaN for a seed with no record at the last step). Other values
    (names, labels) are kept from the first seed. Adds ``seeds``. Each run is cached by the experiment.
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("need at least one seed")
    runs = [experiment(seed=s, **settings) for s in seeds]
    out = {"seeds": np.array(seeds)}
    for k, first in runs[0].items():
        vals = [r[k] for r in runs]
        if isinstance(first, (bool, int, float, np.number, np.bool_)):
            out[k] = np.array(vals)
        elif isinstance(first, np.ndarray) and first.dtype.kind in "biuf" and first.ndim >= 1:
            if len({v.shape for v in vals}) == 1:
                out[k] = np.stack(vals)
            else:
                n = max(v.shape[0] for v in vals)
                padded = np.full((len(vals), n, *first.shape[1:]), np.nan)
                for i, v in enumerate(vals):
                    padded[i, :len(v)] = v
                out[k] = padded
        else:
            out[k] = first
    return readonly(out)


def pm(values, digits: int | None = None, scale: float = 1.0) -> str:
    """``"m ± s"``: mean and sample standard deviation (``ddof=1``) over seeds of ``values`` times ``scale``.

    NaN entries (runs that diverged) are left out. ``digits=None`` prints ``s`` to one significant
    digit, or two when they are 10 to 35 (the Particle Data Group's rule: "0.014", not "0.01", which
    would claim a spread up to 30% smaller), and ``m`` to the same decimal place (``0.978 ± 0.003``,
    ``0.690 ± 0.014``, ``0.4 ± 0.2``, ``66 ± 11``; 2 decimals if ``s`` is 0, at most 3): the precision
    the seed spread justifies. A 2-D ``values`` ``(n_seeds, k)`` gives one
    ``m ± s`` per column, in brackets (``[0.62 ± 0.02, 0.80 ± 0.02]``, e.g. one per layer).
    ``scale=100`` gives percent.
    """
    v = np.asarray(values, dtype=float) * scale
    if v.ndim == 2:
        return "[" + ", ".join(pm(v[:, j], digits) for j in range(v.shape[1])) + "]"
    v = v.ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "nan"
    m, sd = float(v.mean()), (float(v.std(ddof=1)) if v.size > 1 else 0.0)
    if digits is None:
        if sd == 0:
            digits = 2
        else:
            e = int(np.floor(np.log10(sd)))
            two = round(sd / 10.0 ** (e - 2)) < 355          # leading three digits 100..354: two significant
            digits = int(np.clip(-e + (1 if two else 0), 0, 3))
    return f"{m:.{digits}f} ± {sd:.{digits}f}"


def pm_steps(hits, steps: int) -> str:
    """``"m ± s steps (k of n seeds)"`` over the seeds that reached a target (``hits``: the step, per seed;
    -1 or more than ``steps`` for a miss, as :func:`training_speed` and :func:`sigmoid_factorial` count),
    or ``"not within <steps> steps (0 of n seeds)"``."""
    h = np.asarray(hits)
    ok = h[(h > 0) & (h <= steps)]
    if ok.size == 0:
        return f"not within {steps} steps (0 of {h.size} seeds)"
    return f"{pm(ok):>8s} steps ({ok.size} of {h.size} seeds)"
