"""Chapter 03 experiments that train networks: dead ReLUs (§3.5) and saturation (§3.7).
(Training speed and tanh vs sigmoid, §3.6, are in :mod:`dlcore.experiments.activations_speed`.)

All use the digits data (64 inputs, 10 classes; :func:`~dlcore.experiments.common.digits_data`),
float32 and plain SGD. Every function takes its settings and ``rng`` (an int: the initial weights
and the mini-batch order are two streams spawned from it, :func:`dlcore.rng.spawn`) and returns a
frozen dict (``dlcore.cache``). The chapter states each outcome over several seeds with its
spread (:mod:`dlcore.experiments.common`): a single run's last digits depend on the CPU's BLAS
kernel, the phenomenon does not.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..diagnostics import trace
from ..layers import Sequential, mlp
from ..rng import spawn
from ..train import fit
from .common import digits_data, matching_init

__all__ = ["activity", "inactive_fraction", "dead_relu", "dead_relu_grid", "saturation_over_training"]

SIZES = (64, 64, 64, 10)          #: the chapter's net: two hidden layers of 64 between the 64 pixels and 10 classes


def _net(activation, rng, init=None, bias=0.0, sizes=SIZES, activation_kwargs=None, init_kwargs=None):
    """The chapter's float32 MLP (``dlcore.layers.mlp``) with the activation's matching initialiser."""
    return mlp(sizes, activation=activation, init=init or matching_init(activation), rng=rng, dtype=np.float32,
               bias=bias, activation_kwargs=activation_kwargs, init_kwargs=init_kwargs)


def activity(model: Sequential, X) -> tuple[np.ndarray, np.ndarray]:
    """Per activation layer, on the rows of ``X`` ``(n, d)``: ``(inactive, zero_fraction)``, each ``(n_act,)``.

    ``inactive``: fraction of units whose input :math:`z` is :math:`\\le 0` for EVERY row (for ReLU these
    units are dead: zero output and zero gradient for all inputs, so their weights never change again).
    ``zero_fraction``: fraction of (row, unit) pairs with :math:`z \\le 0` (for ReLU: the sparsity of the
    activations, a different and harmless thing: each unit is off for some inputs and on for others).
    The pre-activations :math:`z` come from :func:`dlcore.diagnostics.trace`.
    """
    off = [z <= 0 for z in trace(model, X).z]
    return (np.array([float(np.mean(np.all(o, axis=0))) for o in off]),
            np.array([float(np.mean(o)) for o in off]))


def inactive_fraction(model: Sequential, X) -> np.ndarray:
    """Per activation layer: fraction of units whose input is :math:`\\le 0` for EVERY row of ``X``."""
    return activity(model, X)[0]


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


@cached(maxsize=64)
def dead_relu(activation="relu", lr=0.1, bias=0.0, steps=300, rng=0, every=10, slope=0.01) -> dict:
    """Train a 64-64-64-10 net on digits and record the inactive fraction per hidden layer.

    Returns ``steps`` (records), ``inactive`` and ``zero_fraction`` ``(n_records, 2)`` (see :func:`activity`,
    on 300 training images), final training ``acc`` (NaN if it ``diverged``), ``loss`` per step, ``diverged``
    and ``steps_run`` (the step at which a diverging run stopped, else ``steps``). ``slope``: Leaky ReLU's.
    """
    if lr <= 0 or steps < 1 or every < 1:
        raise ValueError(f"need lr > 0, steps >= 1, every >= 1; got {lr}, {steps}, {every}")
    X, y, _, _ = digits_data()
    init_rng, batch_rng = spawn(rng, 2)
    kw = {"slope": float(slope)} if activation == "leaky_relu" else None
    net = _net(activation, init_rng, bias=bias, activation_kwargs=kw)
    probe = _Probe(X[:300], every)
    probe.record(0, net)
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=batch_rng, callbacks=[probe], on_divergence="stop")
    acc = float(h.evals[-1]["train_acc"]) if h.evals else float("nan")
    return {"steps": np.array(probe.steps), "inactive": np.array(probe.values), "zero_fraction": np.array(probe.zeros),
            "acc": acc, "diverged": h.divergence is not None, "steps_run": len(h.loss), "loss": np.asarray(h.loss)}


@cached(maxsize=8)
def dead_relu_grid(activations=("relu", "leaky_relu", "elu"), lrs=(0.05, 0.3, 1.0), biases=(0.0, -1.0),
                   steps=300, rng=0) -> dict:
    """Final inactive fraction (mean over layers) and accuracy, ``(n_act, n_lr, n_bias)`` each."""
    A, L, B = len(activations), len(lrs), len(biases)
    dead, acc = np.zeros((A, L, B)), np.zeros((A, L, B))
    for i, a in enumerate(activations):
        for j, lr in enumerate(lrs):
            for k, b in enumerate(biases):
                r = dead_relu(a, lr, b, steps, rng)
                dead[i, j, k], acc[i, j, k] = r["inactive"][-1].mean(), r["acc"]
    return {"activations": tuple(activations), "lrs": np.array(lrs), "biases": np.array(biases),
            "inactive": dead, "acc": acc}


@cached(maxsize=64)
def saturation_over_training(activation="tanh", init="xavier", std=1.0, lr=0.1, steps=300, rng=0,
                             every=10) -> dict:
    """Fraction of saturated units per hidden layer (4-layer net on digits) while it trains.

    ``init="normal"`` uses N(0, ``std``^2) weights (large ``std`` saturates tanh at once).
    Returns ``steps``, ``saturated`` ``(n_records, 3)`` (NaN for functions with no saturation mask),
    final ``acc`` (NaN if it ``diverged``: the records then stop early), ``loss`` and ``z_std`` ``(3,)``:
    the standard deviation of each hidden layer's pre-activation :math:`z` at initialisation, on 300
    training images (with N(0, 1) weights :math:`\\mathrm{Var}\\,z = \\sum_i x_i^2`, so it grows with the fan-in).
    """
    if init not in ("xavier", "he", "lecun", "normal"):
        raise ValueError(f"init must be xavier, he, lecun or normal, got {init!r}")
    X, y, _, _ = digits_data()
    init_rng, batch_rng = spawn(rng, 2)
    net = _net(activation, init_rng, init=init, sizes=(64, 64, 64, 64, 10),
               init_kwargs={"std": float(std)} if init == "normal" else None)
    z_std = np.array([float(z.std()) for z in trace(net, X[:300]).z])      # pre-activation scale at init
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=batch_rng, diagnostics=every, on_divergence="stop")
    sat = np.array([[rec.get("saturated", np.nan) for rec in d["layers"] if rec["kind"] == "activation"]
                    for d in h.diagnostics], dtype=float).reshape(-1, len(z_std))   # (0, 3) if it diverged at once
    return {"steps": np.array([d["step"] for d in h.diagnostics], dtype=int), "saturated": sat,
            "acc": float(h.evals[-1]["train_acc"]) if h.evals else float("nan"), "loss": np.asarray(h.loss),
            "z_std": z_std, "diverged": h.divergence is not None, "steps_run": len(h.loss)}
