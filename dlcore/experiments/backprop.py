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

import copy

import numpy as np

from ..activations import Sigmoid
from ..cache import cached
from ..diagnostics import trace
from ..gradcheck import check_module, numerical_gradient, rel_error
from ..layers import Linear, Sequential
from ..losses import quadratic
from ..rng import as_generator, spawn

__all__ = [
    "WORKED", "worked_net", "weight_names", "named_weights", "forward_trace", "hand_backward",
    "train_worked", "worked_at", "BUGS", "buggy_net", "gradcheck_vs_h", "catch_bug",
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
    tr = trace(net, x)
    net_h, out_h, net_o, out = tr[0].output, tr[1].output, tr[2].output, tr[3].output
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


@cached(maxsize=16)
def train_worked(steps: int = 10000, lr: float = 0.5, update_biases: bool = False) -> dict:
    """Gradient descent on the single example: error, outputs and every weight after each step.

    Returns ``{"names", "weights" (steps+1, 12), "error" (steps+1,), "out" (steps+1, 2),
    "net_o" (steps+1, 2)}``; row ``s`` is the state after ``s`` updates (cached, read-only).
    """
    if steps < 0 or int(steps) != steps:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    steps, net = int(steps), worked_net()
    x, t = WORKED["x"], WORKED["t"]
    names = weight_names() + ["b_h1", "b_h2", "b_o1", "b_o2"]
    l1, l2 = net.layers[0], net.layers[2]
    # w1..w8 in the order of weight_names(): W1 = [[w1, w3], [w2, w4]], W2 = [[w5, w7], [w6, w8]]
    order = [0, 2, 1, 3]
    traj, errors = np.empty((steps + 1, len(names))), np.empty(steps + 1)
    outs, net_o = np.empty((steps + 1, 2)), np.empty((steps + 1, 2))
    for s in range(steps + 1):
        out = net.forward(x)
        E, dY = quadratic(out, t, half=True)
        errors[s], outs[s], net_o[s] = E, out[0], net.outputs[2][0]
        traj[s, :4] = l1.params["W"].ravel()[order]
        traj[s, 4:8] = l2.params["W"].ravel()[order]
        traj[s, 8:10], traj[s, 10:] = l1.params["b"], l2.params["b"]
        if s == steps:
            break
        net.backward(dY)
        for layer in (l1, l2):
            layer.params["W"] -= lr * layer.grads["W"]
            if update_biases:
                layer.params["b"] -= lr * layer.grads["b"]
    return {"names": names, "weights": traj, "error": errors, "out": outs, "net_o": net_o}


def worked_at(step: int, lr: float = 0.5, update_biases: bool = False, steps: int = 10000) -> dict:
    """The worked example's run of ``steps`` updates seen at update ``step``: what the training figure
    draws (``{"error", "step", "weights" (12,), "init" (12,), "out" (2,), "names", "w_range"}``)."""
    r = train_worked(steps, lr=lr, update_biases=update_biases)
    step = int(round(step))
    if not 0 <= step <= steps:
        raise ValueError(f"step must be in [0, {steps}], got {step}")
    return {"error": r["error"], "step": step, "weights": r["weights"][step], "init": r["weights"][0],
            "out": r["out"][step], "names": r["names"],
            "w_range": (float(r["weights"].min()), float(r["weights"].max()))}


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


def catch_bug(bug: str = "none", rng=0, h: float = 1e-6, batch: int = 4):
    """Gradient-check a buggy net: the :class:`~dlcore.gradcheck.GradCheckReport`.
    ``rng`` gives two independent streams: the net's weights, and the inputs and probe."""
    weights, data = spawn(rng, 2)
    net = buggy_net(bug, weights)
    return check_module(net, data.standard_normal((batch, 3)), rng=data, h=h)


@cached(maxsize=64)
def gradcheck_vs_h(bug: str = "none", hs=None, dtype="float64", rng=0, batch: int = 4) -> dict:
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
    weights, data = spawn(rng, 2)              # the net's weights; the inputs and the probe R
    net = buggy_net(bug, weights)
    low = copy.deepcopy(net)                   # the same weights, stored in dtype below
    for layer in low.layers:
        for k in layer.params:
            layer.params[k] = layer.params[k].astype(dtype)
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


# ---------------------------------------------------------------- how training converges

def convergence(steps: int = 100000, lr: float = 0.5, update_biases: bool = False) -> dict:
    """How the worked example's error falls: the log-log slope over each decade of updates
    (``"decades"`` (k, 2) and ``"slopes"`` (k,)), the factor per 1000 updates at the end
    (``"late_factor"``: a constant factor means exponential decay, a straight line on a log-linear
    plot), the final error and net inputs of the outputs, and the net inputs at which a sigmoid
    output equals its target exactly (``"z_target"`` = logit(t), finite: ±4.6 for 0.01/0.99)."""
    r = train_worked(steps, lr=lr, update_biases=update_biases)
    E = r["error"]
    ends = [10 ** k for k in range(1, int(np.log10(steps)) + 1)]
    decades = np.array(list(zip(ends[:-1], ends[1:])))
    slopes = np.array([np.log(E[b] / E[a]) / np.log(b / a) for a, b in decades])
    t = WORKED["t"][0]
    return {"decades": decades, "slopes": slopes, "late_factor": float(E[steps] / E[steps - 1000]),
            "final_error": float(E[steps]), "final_net_o": r["net_o"][steps], "final_out": r["out"][steps],
            "z_target": np.log(t / (1 - t)), "error": E}


def lr_outcomes(lrs=(0.5, 5.0, 10.0, 100.0, 1000.0), steps: int = 10000) -> dict:
    """Train the worked example at each learning rate: the final error and outputs, the largest
    \\|gradient\\| met on the way, and the sigmoid slope out(1 - out) of each output at the end.

    What keeps a large step from diverging here: the error is bounded (outputs lie in (0, 1), so
    E < 1) and every gradient is bounded (:math:`|\\partial E/\\partial w_5| = |\\delta_{o_1} out_{h_1}| \\le 1/4`);
    a huge step does not blow up, it throws the net inputs far out, where :math:`\\sigma' \\approx 0`:
    the outputs are pinned at 0 and 1 and the error freezes at :math:`\\tfrac12(0.01^2 + 0.01^2) = 10^{-4}`."""
    lrs = tuple(float(v) for v in lrs)
    rows = {"lr": np.array(lrs), "final_error": [], "out": [], "slope": [], "max_grad": [], "max_step": []}
    for lr in lrs:
        r = train_worked(steps, lr=lr)
        step = np.abs(np.diff(r["weights"][:, :8], axis=0)).max(axis=1)   # |Δw| = lr |∂E/∂w|
        o = r["out"][-1]
        rows["final_error"].append(r["error"][-1])
        rows["out"].append(o)
        rows["slope"].append(o * (1 - o))
        rows["max_step"].append(step.max())
        rows["max_grad"].append(step.max() / lr)
    return {k: np.asarray(v) for k, v in rows.items()}


def signal_factor(w, z=None) -> dict:
    """The factor :math:`|w\\,\\sigma'(z)|` by which one sigmoid layer scales a gradient flowing down
    (Nielsen ch. 5). :math:`\\sigma' \\le 1/4`, so the factor is at most :math:`|w|/4`: it can exceed 1 only
    when :math:`|w| > 4`, and then only for net inputs in a window around 0 where
    :math:`\\sigma'(z) > 1/|w|`, of width :math:`2\\ln\\big(\\tfrac{|w|}{2}(1+\\sqrt{1-4/|w|}) - 1\\big)` in z
    (divide by |w| for the width in the unit's input a, as Nielsen does).
    Returns ``{"w", "max_factor", "z_window"}`` (and ``"factor"`` at ``z`` if given)."""
    w = np.abs(np.asarray(w, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = w / 2 * (1 + np.sqrt(np.clip(1 - 4 / w, 0, None))) - 1
        width = np.where(w > 4, 2 * np.log(np.where(w > 4, inner, 1.0)), 0.0)
    out = {"w": w, "max_factor": w / 4, "z_window": width}
    if z is not None:
        s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        out["factor"] = w * s * (1 - s)
    return out
