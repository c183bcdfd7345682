"""Chapter 01: the worked 2-2-2 sigmoid example, by hand and by dlcore, and how its training converges.

Gradient checking (the buggy backward passes) is in :mod:`dlcore.experiments.gradchecking`,
the cost of a gradient in :mod:`dlcore.experiments.backprop_cost`.

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

import numpy as np

from ..activations import Sigmoid
from ..cache import cached
from ..diagnostics import trace
from ..layers import Linear, Sequential
from ..losses import quadratic

__all__ = [
    "WORKED", "worked_net", "weight_names", "named_weights", "forward_trace", "hand_backward",
    "train_worked", "worked_at", "convergence", "lr_outcomes", "signal_factor",
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
