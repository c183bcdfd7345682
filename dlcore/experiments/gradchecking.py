"""Chapter 01: gradient checking. Four realistic bugs in a backward pass, caught (or not) by
central differences, and the relative error as the step h and the precision vary.

Every buggy net is a float64 ``n``-``n``-``n`` sigmoid net whose weights come from one spawned
stream of ``rng``; the inputs and the probe come from a second one (``dlcore.rng.spawn``).
"""
from __future__ import annotations

import copy

import numpy as np

from ..activations import Sigmoid
from ..cache import cached
from ..gradcheck import check_module, numerical_gradient, rel_error
from ..layers import Linear, Sequential
from ..rng import as_generator, spawn

__all__ = ["BUGS", "buggy_net", "catch_bug", "gradcheck_vs_h", "numerical_gradients"]


class _SigmoidForgotChain(Sigmoid):
    """Bug: returns sigma'(x) but forgets to multiply by dY."""
    def backward(self, dY):
        return np.broadcast_to(self._Y * (1 - self._Y), np.shape(dY)).copy()


class _SigmoidWrongDerivative(Sigmoid):
    """Bug: uses sigma(x)(1 - x) instead of sigma(x)(1 - sigma(x))."""
    def df(self, X, Y):
        return Y * (1 - X)


class _LinearMeanBias(Linear):
    """Bug: averages the bias gradient over the batch instead of summing it."""
    def backward(self, dY):
        dX = super().backward(dY)
        self.grads["b"] = dY.mean(axis=0)
        return dX


class _LinearNoTranspose(Linear):
    """Bug: passes dY @ W back instead of dY @ W.T (only visible when the layer is square)."""
    def backward(self, dY):
        super().backward(dY)
        return dY @ self.params["W"]


#: name -> (description, builder of the buggy 2-3-3-2 net given a Generator)
BUGS = {
    "none": "the correct backward",
    "sigmoid: forgot the chain rule": "sigmoid backward returns sigma'(x) instead of dY * sigma'(x)",
    "sigmoid: derivative sigma(1-x)": "sigmoid derivative written as sigma(x)(1-x)",
    "linear: bias gradient averaged": "bias gradient = mean of dY over the batch instead of the sum",
    "linear: W not transposed": "dX = dY W instead of dY W^T",
}


def buggy_net(bug: str = "none", rng=0, n=3) -> Sequential:
    """A float64 ``n``-``n``-``n`` sigmoid net carrying one named bug from :data:`BUGS`."""
    if bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; choose from {list(BUGS)}")
    rng = as_generator(rng)
    lin = {"linear: bias gradient averaged": _LinearMeanBias,
           "linear: W not transposed": _LinearNoTranspose}.get(bug, Linear)
    sig = {"sigmoid: forgot the chain rule": _SigmoidForgotChain,
           "sigmoid: derivative sigma(1-x)": _SigmoidWrongDerivative}.get(bug, Sigmoid)
    return Sequential(lin(n, n, init="xavier", rng=rng, bias=0.1), sig(),
                      lin(n, n, init="xavier", rng=rng, bias=0.1), Sigmoid())


def catch_bug(bug: str = "none", rng=0, h: float = 1e-6, batch: int = 4):
    """Gradient-check a buggy net: the :class:`~dlcore.gradcheck.GradCheckReport`.
    ``rng`` gives two independent streams: the net's weights, and the inputs and probe."""
    weights, data = spawn(rng, 2)
    net = buggy_net(bug, weights)
    return check_module(net, data.standard_normal((batch, 3)), rng=data, h=h)


def _probe(weights, data, batch: int, bug: str = "none"):
    """The net carrying ``bug`` (weights from the stream ``weights``), the inputs X and the probe R."""
    net = buggy_net(bug, weights)
    data = as_generator(data)
    return net, data.standard_normal((batch, 3)), data.standard_normal((batch, 3))


@cached(maxsize=64)
def numerical_gradients(hs, dtype, weights, data, batch: int) -> tuple:
    """Central differences of :math:`\\sum Y \\odot R` at each step in ``hs``, for the input and then
    every parameter, with the net stored and run in ``dtype``: one tuple of arrays per step.

    Only the forward pass is differentiated, and no bug of :data:`BUGS` touches it, so the numerical
    side of :func:`gradcheck_vs_h` is computed once per (steps, precision, seeds) and shared by every
    backward compared with it. ``weights``, ``data``: the two seed streams of the net and of X, R.
    """
    dtype = np.dtype(dtype)
    net, X, R = _probe(weights, data, batch)
    low = copy.deepcopy(net)                   # the same weights, stored in dtype below
    for layer in low.layers:
        for k in layer.params:
            layer.params[k] = layer.params[k].astype(dtype)
    Xd = X.astype(dtype)

    def f_param(p):
        def f(v):
            saved = p.copy()
            p[...] = v                      # rounds to dtype: that is the point
            try:
                return float(np.sum(low.forward(Xd).astype(np.float64) * R))
            finally:
                p[...] = saved
        return f

    def f_input(v):
        return float(np.sum(low.forward(v.astype(dtype)).astype(np.float64) * R))

    params = [p.data for _, p in low.named_parameters()]
    return tuple((numerical_gradient(f_input, X, h), *(numerical_gradient(f_param(p), p, h) for p in params))
                 for h in np.asarray(hs, dtype=float))


@cached(maxsize=64)
def gradcheck_vs_h(bug: str = "none", hs=None, dtype="float64", rng=0, batch: int = 4) -> dict:
    """Relative error of the worst array as the finite-difference step ``h`` varies.

    The analytic gradient comes from a float64 net; the numerical one from
    the same net stored and run in ``dtype`` (:func:`numerical_gradients`, shared by every bug). With a
    correct backward in float64 the curve is a V: truncation error :math:`\\propto h^2` on the
    right, rounding error :math:`\\propto \\epsilon_{mach}/h` on the left
    (:math:`\\epsilon_{mach}` = 2.2e-16 in float64, 1.2e-7 in float32). A bug
    lifts the whole curve to order 1.

    Returns ``{"h": (m,), "rel_error": (m,), "best_h", "best_error", "eps_mach"}``.
    """
    hs = np.logspace(-12, -1, 23) if hs is None else np.asarray(hs, dtype=float)
    dtype = np.dtype(dtype)
    # the net's weights; the inputs and the probe R (as seeds: the numerical side is cached on them)
    weights, data = (g.bit_generator.seed_seq for g in spawn(rng, 2))
    net, X, R = _probe(weights, data, batch, bug)
    net.forward(X)
    net.backward(R)
    analytic = [np.array(p.grad, copy=True) for _, p in net.named_parameters()]
    analytic.insert(0, net.backward(R))
    errs = np.asarray([max(rel_error(a, n) for a, n in zip(analytic, numeric))
                       for numeric in numerical_gradients(hs, dtype.name, weights, data, batch)])
    k = int(np.argmin(errs))
    return {"h": hs, "rel_error": errs, "best_h": float(hs[k]), "best_error": float(errs[k]),
            "eps_mach": float(np.finfo(dtype).eps)}
