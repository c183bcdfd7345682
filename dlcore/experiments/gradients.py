"""Chapter 02: why gradients vanish or explode with depth, measured.

Pure functions, settings + ``rng`` in, dicts of arrays out (``@cached``). The notebook
``book/02_vanishing_exploding.py`` and the explorers in
``widgets/ch02_gradients.py`` call them; ``tests/test_ch02_*.py`` assert the
chapter's claims over seeds. Training experiments with remedies (clipping,
residual nets, depth vs width, the remedies table) are in :mod:`.gradients_shape`.

Initialisations are named as in the text (``common.INITS``): ``"normal"``
:math:`\\mathcal N(0,1)`, ``"small"`` :math:`0.02\\,\\mathcal N(0,1)`,
``"scaled"`` :math:`\\mathcal N(0, s^2/n_{in})` with the scale slider ``s``,
``"xavier"`` :math:`\\mathcal N(0, 2/(n_{in}+n_{out}))` and ``"he"``
:math:`\\mathcal N(0, 2/n_{in})`.
"""
from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ..cache import cached
from ..diagnostics import param_grad_norms, rms as _rms, trace
from ..layers import mlp
from ..losses import softmax_cross_entropy
from ..rng import as_generator, spawn
from ..train import fit
from .common import INITS, digits_data, init_spec

__all__ = [
    "layer_speeds", "theory_rms_factor", "mean_field_rms", "rms_factor", "forward_signal",
    "effective_rank", "jacobian_product", "mean_effective_rank",
]


def _check_depth_width(depth, width, lo=1):
    if int(depth) < lo or int(width) < 1:
        raise ValueError(f"depth must be >= {lo} and width >= 1, got depth={depth}, width={width}")


# --------------------------------------------------------------- experiment 1
@cached(maxsize=32)
def layer_speeds(depth: int = 4, width: int = 30, activation: str = "sigmoid", init: str = "scaled",
                 scale: float = 1.0, steps: int = 300, lr: float = 0.1, batch_size: int = 64,
                 record_every: int = 10, rng=0, n_probe: int = 500) -> dict:
    """Nielsen's "speed of learning" of each hidden layer, at initialisation and while training.

    A net ``64 -> width x depth -> 10`` on the digits (softmax cross-entropy).
    The speed of hidden layer :math:`l` is :math:`\\lVert\\delta^l\\rVert`, the
    norm of the bias gradient :math:`\\partial C/\\partial b^l` (mean over the
    examples). Backprop gives :math:`\\delta^l = (\\delta^{l+1} W^{l+1\\top})
    \\odot f'(z^l)`, so each layer back multiplies by a weight matrix and by
    derivatives :math:`f'\\le 1/4` for a sigmoid.

    Taking squared norms, with :math:`W^{l+1}` independent of the rest and
    :math:`s^2 = n_l\\,\\mathrm{Var}(W^{l+1})`:
    :math:`\\lVert\\delta^l\\rVert \\approx s\\,\\mathrm{RMS}(f'(z^l))\\,\\lVert\\delta^{l+1}\\rVert`.

    Returns ``init_speed`` (depth,) on ``n_probe`` training examples before
    training, ``slope_rms`` (depth,) :math:`\\mathrm{RMS}(f'(z^l))` on the same examples,
    ``predicted_ratio`` (depth - 1,) :math:`s\\,\\mathrm{RMS}(f'(z^l))` (the predicted
    ``init_speed[l] / init_speed[l+1]``, with :math:`s` measured from the drawn weights),
    ``steps`` (R,) and ``speed`` (R, depth) recorded every
    ``record_every`` steps on the mini-batch, ``loss`` (steps,), ``val_acc``.
    """
    _check_depth_width(depth, width)
    X, y, Xv, yv = digits_data()
    name, kw = init_spec(init, scale)
    g_init, g_batch = spawn(rng, 2)
    net = mlp([X.shape[1]] + [int(width)] * int(depth) + [10], activation=activation, init=name,
              init_kwargs=kw, rng=g_init, dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        tr = trace(net, X[:n_probe])
        _, dout = softmax_cross_entropy(tr.output, y[:n_probe])
        net.backward(dout)
    init_speed = param_grad_norms(net, "b")[1][:-1]
    slope_rms = np.array([_rms(d) for d in tr.df])                          # one per hidden activation
    weights = [p.data for n, p in net.named_parameters() if p.role == "weight"]
    s_w = np.array([np.sqrt(W.shape[0] * np.var(W, dtype=np.float64)) for W in weights[1:-1]])
    h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=batch_size, rng=g_batch,
            val=(Xv, yv), diagnostics=record_every, on_divergence="stop", eval_train=False)
    hidden = [i for i, l in enumerate(net.layers) if "b" in l.params][:-1]
    rec_steps = np.array([d["step"] for d in h.diagnostics], dtype=int)
    speed = np.array([[d["layers"][i]["bias_grad_norm"] for i in hidden] for d in h.diagnostics]).reshape(-1, len(hidden))
    return dict(init_speed=init_speed, slope_rms=slope_rms, predicted_ratio=s_w * slope_rms[:-1],
                steps=rec_steps, speed=speed, loss=np.asarray(h.loss),
                val_acc=float(h.evals[-1].get("val_acc", np.nan)), checks=tuple(h.checks),
                diverged=h.divergence is not None)


# --------------------------------------------------------------- experiment 2
def theory_rms_factor(activation: str, weight_var_times_n: float) -> float:
    """Predicted per-layer factor of the RMS signal, :math:`\\sqrt{q_l/q_{l-1}}`, for equal widths.

    With :math:`z = hW`, :math:`\\mathrm{Var}(W_{ij}) = v`, width :math:`n` and
    :math:`q_l = \\mathbb E[h_l^2]`: :math:`\\mathrm{Var}(z) = n v\\, q_{l-1}`.
    ReLU keeps half of the second moment, :math:`q_l = \\tfrac{n v}{2} q_{l-1}`
    (He: :math:`nv=2` gives factor 1; Xavier: :math:`nv=1` gives
    :math:`1/\\sqrt2`). A linear unit (and tanh near 0) keeps it all:
    :math:`\\sqrt{nv}`.
    """
    a = activation.lower()
    if a == "relu":
        return float(np.sqrt(weight_var_times_n / 2))
    if a in ("identity", "linear", "tanh"):
        return float(np.sqrt(weight_var_times_n))
    raise ValueError(f"the simple prediction covers relu, tanh (near 0) and identity, not {activation!r}")


_GH = np.polynomial.hermite_e.hermegauss(81)    # nodes, weights for E[g(xi)], xi ~ N(0, 1)


def mean_field_rms(activation: str, weight_var_times_n: float, depth: int, q0: float = 1.0) -> np.ndarray:
    """RMS of each layer's output predicted for infinite width ("mean field"), shape ``(depth,)``.

    With zero biases :math:`z^l = h^{l-1}W^l` is Gaussian for wide layers, with
    variance :math:`n\\mathrm{Var}(W)\\,q_{l-1}`, so

    .. math:: q_l = \\mathbb E\\big[f\\big(\\sqrt{n\\mathrm{Var}(W)\\,q_{l-1}}\\;\\xi\\big)^2\\big],
              \\quad \\xi\\sim\\mathcal N(0,1), \\qquad \\mathrm{RMS}_l = \\sqrt{q_l},

    computed by Gauss-Hermite quadrature from :math:`q_0` (the inputs' second moment).
    For ReLU it reduces to :math:`q_l = \\tfrac{nv}{2} q_{l-1}`; for tanh at
    :math:`nv = 1` it gives the slow power law :math:`q_l \\approx 1/(2l)`
    (:math:`\\tanh^2 z \\approx z^2 - \\tfrac23 z^4`, so :math:`q_l \\approx q_{l-1} - 2q_{l-1}^2`).
    """
    nv, q = float(weight_var_times_n), float(q0)
    if not (np.isfinite(nv) and nv >= 0 and np.isfinite(q) and q >= 0) or int(depth) < 1:
        raise ValueError(f"need n Var(W) >= 0, q0 >= 0 and depth >= 1, got {nv}, {q}, {depth}")
    f = get_activation(activation).f
    x, w = _GH
    w = w / w.sum()
    out = np.empty(int(depth))
    with np.errstate(under="ignore"):
        for l in range(int(depth)):
            q = float(np.sum(w * np.square(f(np.sqrt(nv * q) * x))))
            out[l] = np.sqrt(q)
    return out


def rms_factor(rms) -> float:
    """Measured per-layer factor: the geometric mean of ``rms[l] / rms[l-1]``.

    0 if the signal reached exactly 0, ``inf`` if it overflowed, NaN for fewer than two layers.
    """
    rms = np.asarray(rms, dtype=np.float64)
    if rms.size < 2:
        return float("nan")
    if not np.all(np.isfinite(rms)):
        return float("inf")
    if not np.all(rms > 0):
        return 0.0
    return float(np.exp((np.log(rms[-1]) - np.log(rms[0])) / (rms.size - 1)))


@cached(maxsize=8)
def _gaussians(rng, n: int, width: int, depth: int):
    """Standard normal inputs ``(n, width)`` and weights ``(depth, width, width)``, float32, cached:
    only their scale depends on the initialisation, so a slider move reuses them."""
    g_x, g_w = spawn(rng, 2)
    X = g_x.standard_normal((n, width), dtype=np.float32)
    Ws = g_w.standard_normal((depth, width, width), dtype=np.float32)
    return X, Ws


@cached(maxsize=64)
def forward_signal(activation: str = "relu", init: str = "he", depth: int = 30, width: int = 128,
                   n: int = 128, scale: float = 1.0, rng=0, bins: int = 60,
                   value_range: tuple = (-3.0, 3.0)) -> dict:
    """Push Gaussian inputs ``(n, width)`` through ``depth`` random layers and measure each layer's output.

    Layer :math:`l` computes :math:`h_l = f(h_{l-1} W_l)` (zero biases, all widths equal to ``width``)
    with :math:`W_l` drawn i.i.d. :math:`\\mathcal N(0, v)` as the initialisation ``init`` prescribes.

    Returns ``rms`` (depth,), ``saturated`` (fraction of units at
    :math:`|{\\rm tanh}|>0.97` or sigmoid outside (0.03, 0.97); zeros for
    ReLU), ``dead_or_zero`` (fraction of exact zeros), ``hist`` (depth, bins)
    densities of the outputs over ``value_range`` (values outside the range are left out, not piled
    into the edge bins, which would draw a bright false column there), ``outside`` (depth,) the fraction
    of outputs outside the range, ``edges`` (bins + 1,), ``measured_factor`` (geometric mean of
    ``rms[l]/rms[l-1]``) and ``theory_factor`` (from :func:`theory_rms_factor`; NaN for
    sigmoid, and for tanh with :math:`n\\mathrm{Var}(W) \\ge 1`, where the curvature breaks the linear law) and
    ``theory_rms`` (depth,) the infinite-width prediction of :func:`mean_field_rms` for every activation.
    """
    _check_depth_width(depth, width)
    n_w, L = int(width), int(depth)
    wv = {"normal": n_w, "small": 0.02 ** 2 * n_w, "scaled": scale ** 2, "xavier": 1.0, "he": 2.0}
    if init not in wv:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(wv)}")
    wv = float(wv[init])
    std = np.float32(np.sqrt(wv / n_w))                    # Var(W) = (n Var(W)) / n, equal widths, zero biases
    X, Ws = _gaussians(rng, int(n), n_w, L)
    act = get_activation(activation)
    bins = int(bins)
    edges = np.linspace(value_range[0], value_range[1], bins + 1)
    Z = np.empty((L, int(n), n_w), dtype=np.float32)
    H = np.empty_like(Z)
    h = X
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for l in range(L):
            np.matmul(h, Ws[l] * std, out=Z[l])
            H[l] = h = act.f(Z[l])
        # statistics of all layers at once (one call each instead of one per layer)
        rms = np.sqrt(np.mean(np.square(H, dtype=np.float64), axis=(1, 2)))
        s_mask = act.saturated(Z, H)
        sat = np.zeros(L) if s_mask is None else np.mean(s_mask, axis=(1, 2))
        zero = np.mean(H == 0, axis=(1, 2))
        u = (H - np.float32(edges[0])) * np.float32(bins / (edges[-1] - edges[0]))   # float32: 2x faster
        u = np.nan_to_num(u, copy=False, nan=-1.0)
        inside = (u >= 0) & (u <= bins)                  # the right edge belongs to the last bin
        k = np.minimum(u, bins - 1).astype(np.int64)
        k += (np.arange(L) * bins)[:, None, None]
        k[~inside] = L * bins                            # outside the range: counted apart, not in an edge bin
        counts = np.bincount(k.ravel(), minlength=L * bins + 1)[:L * bins].reshape(L, bins)
        hist = counts / (int(n) * n_w * np.diff(edges))
        outside = 1.0 - np.mean(inside, axis=(1, 2))
    rms = np.asarray(rms)
    measured = rms_factor(rms)
    try:   # tanh follows the linear prediction only while it decays to 0 (n Var(W) < 1)
        theory = theory_rms_factor(activation, wv) if not (activation == "tanh" and wv >= 1) else float("nan")
    except ValueError:
        theory = float("nan")
    return dict(rms=rms, saturated=np.asarray(sat), dead_or_zero=np.asarray(zero), hist=np.asarray(hist),
                outside=np.asarray(outside),
                edges=edges, measured_factor=measured, theory_factor=theory, weight_var_times_n=float(wv),
                theory_rms=mean_field_rms(activation, wv, L, q0=float(np.mean(np.square(X, dtype=np.float64)))))


# --------------------------------------------------------------- experiment 3
from .gradients_jacobian import effective_rank, jacobian_product, mean_effective_rank  # noqa: E402,F401
