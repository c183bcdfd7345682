"""Chapter 01: the worked 2-2-2 sigmoid example, by hand and by dlcore, and gradient checking.

The example (inputs .05/.10, targets .01/.99, weights .15 ... .55, biases
.35/.60, squared error with 1/2, learning rate .5) names its weights
:math:`w_1..w_8`: :math:`w_1, w_2` feed :math:`h_1` from :math:`i_1, i_2`,
:math:`w_3, w_4` feed :math:`h_2`, :math:`w_5, w_6` feed :math:`o_1` from
:math:`h_1, h_2` and :math:`w_7, w_8` feed :math:`o_2`. In dlcore's layout
(``W`` is ``(n_in, n_out)``) that is ``W1 = [[w1, w3], [w2, w4]]`` and
``W2 = [[w5, w7], [w6, w8]]``. The classic version updates the weights only
and keeps both biases fixed; ``update_biases=True`` trains them too.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..activations import Sigmoid
from ..gradcheck import check_module, numerical_gradient, rel_error
from ..layers import Linear, Sequential
from ..losses import quadratic
from ..module import as_generator
from ._common import readonly

__all__ = [
    "WORKED", "worked_net", "weight_names", "named_weights", "forward_trace", "hand_backward",
    "train_worked", "BUGS", "buggy_net", "gradcheck_vs_h", "catch_bug",
]

WORKED = {
    "x": np.array([[0.05, 0.10]]),
    "t": np.array([[0.01, 0.99]]),
    "W1": np.array([[0.15, 0.25], [0.20, 0.30]]),
    "b1": np.array([0.35, 0.35]),
    "W2": np.array([[0.40, 0.50], [0.45, 0.55]]),
    "b2": np.array([0.60, 0.60]),
    "lr": 0.5,
}

#: (layer index in the Sequential, row, column) of w1..w8
_WEIGHT_POS = {"w1": (0, 0, 0), "w2": (0, 1, 0), "w3": (0, 0, 1), "w4": (0, 1, 1),
               "w5": (2, 0, 0), "w6": (2, 1, 0), "w7": (2, 0, 1), "w8": (2, 1, 1)}


def weight_names() -> list[str]:
    return list(_WEIGHT_POS)


def worked_net() -> Sequential:
    """The 2-2-2 sigmoid net with the example's initial weights (float64)."""
    w = WORKED
    return Sequential(Linear(2, 2, W=w["W1"], b=w["b1"]), Sigmoid(),
                      Linear(2, 2, W=w["W2"], b=w["b2"]), Sigmoid())


def named_weights(net: Sequential, arrays=None) -> dict[str, float]:
    """``{"w1": ..., "w8": ..., "b_h1", "b_h2", "b_o1", "b_o2"}`` read from the net (or from ``arrays``,
    a dict of the same keys as ``net``'s params, e.g. its gradients)."""
    get = (lambda i, k: net.layers[i].params[k]) if arrays is None else (lambda i, k: arrays[i][k])
    out = {n: float(get(i, "W")[r, c]) for n, (i, r, c) in _WEIGHT_POS.items()}
    for i, layer in ((0, "h"), (2, "o")):
        b = get(i, "b")
        out[f"b_{layer}1"], out[f"b_{layer}2"] = float(b[0]), float(b[1])
    return out


def forward_trace(net: Sequential | None = None, x=None, t=None) -> dict[str, np.ndarray]:
    """Every forward quantity of the example: net_h, out_h, net_o, out_o, E_o (per output), E_total."""
    net = worked_net() if net is None else net
    x = WORKED["x"] if x is None else np.asarray(x, dtype=float).reshape(1, 2)
    t = WORKED["t"] if t is None else np.asarray(t, dtype=float).reshape(1, 2)
    out = net.forward(x)
    net_h, out_h, net_o = net.outputs[0], net.outputs[1], net.outputs[2]
    E_o = 0.5 * (t - out) ** 2
    return {"net_h": net_h[0], "out_h": out_h[0], "net_o": net_o[0], "out_o": out[0],
            "E_o": E_o[0], "E_total": float(E_o.sum())}


def hand_backward(net: Sequential | None = None, x=None, t=None) -> dict:
    """The chain rule written out for this net, scalar by scalar.

    Output layer: :math:`\\delta_{o_k} = (out_{o_k} - t_k)\\,out_{o_k}(1-out_{o_k})`,
    :math:`\\partial E/\\partial w = \\delta_{o_k}\\,out_{h_j}`.
    Hidden layer: :math:`\\delta_{h_j} = (\\sum_k \\delta_{o_k} w_{jk})\\,out_{h_j}(1-out_{h_j})`,
    :math:`\\partial E/\\partial w = \\delta_{h_j}\\,i_m`.

    Returns the deltas, ``dE/dw1..dw8``, ``dE/db`` of each unit's bias (the
    classic example shares one bias per layer and never updates it; dlcore
    gives each unit its own, whose derivative is that unit's delta) and
    dlcore's backward for comparison (``"dlcore"``, same keys).
    """
    net = worked_net() if net is None else net
    x = WORKED["x"] if x is None else np.asarray(x, dtype=float).reshape(1, 2)
    t = WORKED["t"] if t is None else np.asarray(t, dtype=float).reshape(1, 2)
    fw = forward_trace(net, x, t)
    i1, i2 = x[0]
    oh, oo = fw["out_h"], fw["out_o"]
    W2 = net.layers[2].params["W"]
    dE_dout = oo - t[0]                         # dE/dout_o
    dout_dnet = oo * (1 - oo)                   # sigmoid'
    d_o = dE_dout * dout_dnet                   # delta of o1, o2
    d_h = (W2 @ d_o) * oh * (1 - oh)            # delta of h1, h2
    g = {
        "w5": d_o[0] * oh[0], "w6": d_o[0] * oh[1], "w7": d_o[1] * oh[0], "w8": d_o[1] * oh[1],
        "w1": d_h[0] * i1, "w2": d_h[0] * i2, "w3": d_h[1] * i1, "w4": d_h[1] * i2,
        "b_h1": d_h[0], "b_h2": d_h[1], "b_o1": d_o[0], "b_o2": d_o[1],
    }
    # dlcore: the same net, its own backward
    _, dY = quadratic(net.forward(x), t, half=True)
    net.backward(dY)
    auto = named_weights(net, [dict(l.grads) for l in net.layers])
    return {"dE_dout_o": dE_dout, "dout_dnet_o": dout_dnet, "delta_o": d_o, "delta_h": d_h,
            "grads": {k: float(v) for k, v in g.items()}, "dlcore": auto}


@lru_cache(maxsize=32)
def _train_cached(steps, lr, update_biases):
    net = worked_net()
    x, t = WORKED["x"], WORKED["t"]
    names = weight_names() + ["b_h1", "b_h2", "b_o1", "b_o2"]
    traj = np.empty((steps + 1, len(names)))
    errors = np.empty(steps + 1)
    outs = np.empty((steps + 1, 2))
    for s in range(steps + 1):
        out = net.forward(x)
        E, dY = quadratic(out, t, half=True)
        errors[s], outs[s] = E, out[0]
        nw = named_weights(net)
        traj[s] = [nw[n] for n in names]
        if s == steps:
            break
        net.backward(dY)
        for layer in (net.layers[0], net.layers[2]):
            layer.params["W"] -= lr * layer.grads["W"]
            if update_biases:
                layer.params["b"] -= lr * layer.grads["b"]
    r = readonly(traj=traj, errors=errors, outs=outs)
    return names, r["traj"], r["errors"], r["outs"]


def train_worked(steps: int = 10000, lr: float = 0.5, update_biases: bool = False) -> dict:
    """Gradient descent on the single example: error, outputs and every weight after each step.

    Returns ``{"names", "weights" (steps+1, 12), "error" (steps+1,), "out" (steps+1, 2)}``;
    row ``s`` is the state after ``s`` updates. Results are cached (read-only arrays).
    """
    if steps < 0 or int(steps) != steps:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    names, traj, errors, outs = _train_cached(int(steps), float(lr), bool(update_biases))
    return {"names": names, "weights": traj, "error": errors, "out": outs}


# ---------------------------------------------------------------- gradient checking

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


def catch_bug(bug: str = "none", seed: int = 0, h: float = 1e-6, batch: int = 4):
    """Gradient-check a buggy net: the :class:`~dlcore.gradcheck.GradCheckReport`."""
    net = buggy_net(bug, np.random.default_rng(seed))
    data = np.random.default_rng(seed + 1)
    return check_module(net, data.standard_normal((batch, 3)), rng=data, h=h)


def gradcheck_vs_h(bug: str = "none", hs=None, dtype=np.float64, seed: int = 0, batch: int = 4) -> dict:
    """Relative error of the worst array as the finite-difference step ``h`` varies.

    The analytic gradient comes from a float64 net; the numerical one from
    the same net stored and run in ``dtype``. With a correct backward in
    float64 the curve is a V: truncation error :math:`\\propto h^2` on the
    right, rounding error :math:`\\propto \\epsilon_{mach}/h` on the left
    (:math:`\\epsilon_{mach}` = 2.2e-16 in float64, 1.2e-7 in float32). A bug
    lifts the whole curve to order 1.

    Returns ``{"h": (m,), "rel_error": (m,), "best_h", "best_error", "eps_mach"}``.
    """
    hs = np.logspace(-12, -1, 23) if hs is None else np.asarray(hs, dtype=float)
    dtype = np.dtype(dtype)
    net = buggy_net(bug, np.random.default_rng(seed))
    low = buggy_net(bug, np.random.default_rng(seed))
    for layer in low.layers:
        for k in layer.params:
            layer.params[k] = layer.params[k].astype(dtype)
    data = np.random.default_rng(seed + 1)
    X = data.standard_normal((batch, 3))
    R = data.standard_normal((batch, 3))
    net.forward(X)
    net.backward(R)
    analytic = [np.array(p.grad, copy=True) for _, p in net.named_parameters()]
    analytic.insert(0, net.backward(R))
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

    errs = []
    params = [p.data for _, p in low.named_parameters()]
    for h in hs:
        worst = rel_error(analytic[0], numerical_gradient(f_input, X, h))
        for g, p in zip(analytic[1:], params):
            worst = max(worst, rel_error(g, numerical_gradient(f_param(p), p, h)))
        errs.append(worst)
    errs = np.asarray(errs)
    k = int(np.argmin(errs))
    return {"h": hs, "rel_error": errs, "best_h": float(hs[k]), "best_error": float(errs[k]),
            "eps_mach": float(np.finfo(dtype).eps)}
