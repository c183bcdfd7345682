"""Chapter 03 experiments, analytic part: properties of each activation, why a nonlinearity,
what one sigmoid layer does to a backpropagated gradient, softmax (temperature, Jacobian,
overflow) and the Mish-with-log10 erratum.

The training experiments (dead ReLUs, speed, tanh vs sigmoid, saturation) live in
:mod:`dlcore.experiments.activations_train`; the seeds and the ``m ± s`` printing every chapter
shares in :mod:`dlcore.experiments.common`. The notebook imports each module it uses.
"""
from __future__ import annotations

import numpy as np

from ..activations import get_activation, mish, mish_log10, sigmoid, softmax_jacobian
from ..cache import cached
from ..data import moons, spirals
from ..diagnostics import trace
from ..layers import Sequential, mlp
from ..rng import spawn
from ..train import fit, predict
from .common import matching_init

__all__ = [
    "ZOO", "properties", "properties_table", "why_nonlinear", "collapse_linear", "sigmoid_gain_window",
    "backward_gain", "naive_softmax", "softmax_temperature", "softmax_overflow", "mish_errata",
]

#: the functions the chapter compares, in the order it shows them
ZOO = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "selu", "gelu", "softplus",
       "swish", "silu", "mish", "hard_sigmoid", "hard_tanh"]


def _act(name, params):
    params = dict(params or {})
    if name == "rrelu":
        params.setdefault("rng", 0)
    return get_activation(name, **params).eval()


def properties(name: str, params: dict | None = None, lo: float = -6.0, hi: float = 6.0, n: int = 1201) -> dict:
    """f and f' on a grid, and the properties read off them numerically.

    Returns ``x, y, dy`` (arrays of length ``n``), ``saturated`` (bool mask or all False),
    ``limit_left, limit_right`` (f at -1e3 and +1e3), ``range_min, range_max`` (the infimum and
    supremum of f over the real line: ``-inf``/``inf`` where f keeps growing linearly, i.e.
    :math:`|f(\\pm2000)| > |f(\\pm1000)| + 1`, otherwise the extreme value on a dense grid of
    [-1000, 1000]; GELU's minimum -0.17 is not a limit),
    ``monotonic`` (:math:`f' \\ge 0` on the grid), ``zero_centred`` (:math:`|E f(Z)| < 0.1\\,\\mathrm{sd} f(Z)`
    for :math:`Z\\sim N(0,1)`, by quadrature), ``max_abs_df`` (max :math:`|f'|` on the grid), ``f0``,
    ``df0`` (the derivative the code uses at 0: its kink convention, e.g. ReLU'(0) = 0),
    ``slope_left`` and ``slope_right`` (the one-sided slopes :math:`(f(0)-f(-h))/h` and
    :math:`(f(h)-f(0))/h`, :math:`h=10^{-6}`: measured on f itself, whatever the kink convention),
    ``identity_near_0`` (:math:`f(x)\\approx x` on both sides of 0: :math:`|f(0)| < 10^{-3}` and both
    one-sided slopes within 0.05 of 1; ReLU is not, its left slope is 0) and ``mean_normal``.
    RReLU is shown in evaluation mode (mean slope).
    """
    if str(name).lower() == "softmax":
        raise ValueError("softmax is not pointwise (it maps a vector to a vector); use softmax_temperature")
    if not (hi > lo and n >= 11):
        raise ValueError(f"need lo < hi and n >= 11, got lo={lo}, hi={hi}, n={n}")
    act = _act(name, params)
    x = np.linspace(lo, hi, int(n))
    y = act.f(x)
    dy = act.derivative(x)
    sat = act.saturated(x, y)
    sat = np.zeros_like(x, dtype=bool) if sat is None else np.asarray(sat, dtype=bool)
    ends = act.f(np.array([-2e3, -1e3, 1e3, 2e3]))
    dense = np.concatenate([-np.logspace(3, 1, 400), np.linspace(-10, 10, 4001), np.logspace(1, 3, 400)])
    fd = act.f(dense)
    rmin = -np.inf if ends[0] < ends[1] - 1 else float(min(fd.min(), y.min()))
    rmax = np.inf if ends[3] > ends[2] + 1 else float(max(fd.max(), y.max()))
    # E f(Z), Z ~ N(0,1), by quadrature on [-8, 8]
    z = np.linspace(-8, 8, 4001)
    w = np.exp(-z * z / 2)
    w /= w.sum()
    fz = act.f(z)
    mean = float(np.sum(w * fz))
    mean = 0.0 if abs(mean) < 1e-12 else mean          # no "-0.000" for odd functions
    sd = float(np.sqrt(np.sum(w * (fz - mean) ** 2)))
    h = 1e-6
    fm, f0, fp = (float(v) for v in act.f(np.array([-h, 0.0, h])))
    left, right = (f0 - fm) / h, (fp - f0) / h
    df0 = float(act.derivative(np.array([0.0]))[0])
    return {
        "name": name, "x": x, "y": y, "dy": dy, "saturated": sat,
        "limit_left": float(ends[1]) + 0.0, "limit_right": float(ends[2]) + 0.0,  # + 0.0: no "-0"
        "range_min": rmin + 0.0, "range_max": rmax + 0.0,
        "grid_min": float(y.min()), "grid_max": float(y.max()),
        "monotonic": bool(np.all(dy >= -1e-12)),
        "zero_centred": bool(abs(mean) < 0.1 * sd), "mean_normal": mean,
        "max_abs_df": float(np.abs(dy).max()), "f0": f0 + 0.0, "df0": df0, "slope_left": left, "slope_right": right,
        "identity_near_0": bool(abs(f0) < 1e-3 and abs(left - 1) < 0.05 and abs(right - 1) < 0.05),
    }


def properties_table(names=ZOO) -> list[dict]:
    """:func:`properties` of several functions without the arrays (one row each)."""
    rows = []
    for n in names:
        p = properties(n)
        rows.append({k: v for k, v in p.items() if not isinstance(v, np.ndarray)})
    return rows


def collapse_linear(model: Sequential) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map ``(W, b)`` equal to a stack of Linear (and identity) layers.

    :math:`(XW_1+b_1)W_2+b_2 = X(W_1W_2) + (b_1W_2+b_2)`.
    """
    W, b = None, None
    for layer in model.layers:
        if "W" in layer.params:
            Wl, bl = layer.params["W"], layer.params["b"]
            W, b = (Wl, bl) if W is None else (W @ Wl, b @ Wl + bl)
        elif type(layer).__name__ != "Identity":
            raise ValueError(f"layer {type(layer).__name__} is not linear; cannot collapse")
    return W, b


def _dataset(dataset, rng):
    ds = moons(n=400, noise=0.15, rng=rng) if dataset == "moons" else spirals(n=450, noise=0.15, rng=rng)
    return ds.X_train, ds.y_train


def _grid(X, grid_n):
    gx = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, grid_n, dtype=np.float32)
    gy = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, grid_n, dtype=np.float32)
    return gx, gy, np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)


@cached(maxsize=64)
def _boundary_run(dataset, act, depth, width, steps, lr, rng, grid_n):
    """One net of :func:`why_nonlinear`, cached on its own: the linear stack is shared by every activation.

    ``rng`` gives three streams: the data set, the initial weights, the mini-batch order."""
    data_rng, init_rng, batch_rng = spawn(rng, 3)
    X, y = _dataset(dataset, data_rng)
    sizes = [2] + [width] * depth + [int(y.max()) + 1]
    net = mlp(sizes, activation=act, init=matching_init(act), rng=init_rng, dtype=np.float32)
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=32, rng=batch_rng, optimizer="sgd")
    out = {"acc": float(h.evals[-1]["train_acc"]), "loss": np.asarray(h.loss),
           "grid": predict(net, _grid(X, grid_n)[2]).argmax(1).reshape(grid_n, grid_n)}
    if act == "identity":
        W, b = collapse_linear(net)
        single = X.astype(np.float64) @ W.astype(np.float64) + b
        out.update(W=W, b=b, max_diff=float(np.abs(predict(net, X) - single).max()))
    return out


@cached(maxsize=32)
def why_nonlinear(dataset: str = "moons", activation: str = "tanh", depth: int = 3, width: int = 16,
                  steps: int = 1000, lr: float = 0.3, rng=0, grid_n: int = 60) -> dict:
    """Train the same deep net twice on moons/spirals: all-linear, and with ``activation``.

    Returns ``acc_linear``, ``acc_nonlinear``, ``grid_linear``/``grid_nonlinear`` (predicted class on a
    ``grid_n x grid_n`` grid over ``gx, gy``), ``W_product, b_product`` (the single affine map the linear
    stack equals, :func:`collapse_linear`) and ``max_diff_stack_vs_matrix`` (max |stack(X) - (XW+b)|,
    float32 rounding only). ``rng`` (an int) draws the data set, the initial weights and the batch order
    (three spawned streams); both nets see the same data.
    """
    if dataset not in ("moons", "spirals"):
        raise ValueError(f"dataset must be 'moons' or 'spirals', got {dataset!r}")
    if depth < 1 or width < 1 or steps < 1:
        raise ValueError(f"depth, width and steps must be >= 1, got {depth}, {width}, {steps}")
    X, y = _dataset(dataset, spawn(rng, 3)[0])
    gx, gy, _ = _grid(X, grid_n)
    out = {"dataset": dataset, "X": X, "y": y, "gx": gx, "gy": gy}
    for tag, act in (("linear", "identity"), ("nonlinear", activation)):
        r = _boundary_run(dataset, act, int(depth), int(width), int(steps), float(lr), rng, int(grid_n))
        out[f"acc_{tag}"], out[f"loss_{tag}"], out[f"grid_{tag}"] = r["acc"], r["loss"], r["grid"]
        if tag == "linear":
            out["W_product"], out["b_product"], out["max_diff_stack_vs_matrix"] = r["W"], r["b"], r["max_diff"]
    return out


def sigmoid_gain_window(weights=(1.0, 2.0, 4.0, 5.0, 6.9, 10.0, 20.0), n: int = 400001) -> dict:
    """How much one path through a sigmoid unit scales a backpropagated gradient (Nielsen, ch. 5).

    Backpropagation multiplies a gradient by :math:`w\\,\\sigma'(z)` per layer, with :math:`z = wa + b`.
    Its largest value over the input :math:`a` is :math:`|w|/4` (at :math:`z = 0`), so it exceeds 1 only
    if :math:`|w| > 4`, and then only for inputs in an interval of width
    :math:`\\frac{2}{|w|}\\ln\\big(\\frac{|w|(1+\\sqrt{1-4/|w|})}{2} - 1\\big)`, at most about 0.45 (at
    :math:`|w|\\approx 6.9`): large weights also push :math:`z` into the flat tails.

    Returns ``weights``, ``max_gain`` (:math:`|w|/4`), ``width`` (measured: the length of the set of
    :math:`a \\in [-3, 3]` where :math:`|w\\sigma'(wa)| \\ge 1`, on a grid of ``n`` points; the bias only
    shifts it) and ``width_formula`` (the closed form above; 0 for :math:`|w| \\le 4`).
    """
    w = np.abs(np.asarray(weights, dtype=np.float64).reshape(-1))
    if np.any(w <= 0):
        raise ValueError("weights must be non-zero")
    a = np.linspace(-3.0, 3.0, int(n))
    s = sigmoid(w[:, None] * a[None, :])
    width = np.sum(w[:, None] * s * (1 - s) >= 1.0, axis=1) * (a[1] - a[0])
    with np.errstate(invalid="ignore"):
        r = np.sqrt(np.maximum(1 - 4 / w, 0.0))
        formula = np.where(w > 4, 2 / w * np.log(np.maximum(w * (1 + r) / 2 - 1, 1.0)), 0.0)
    return {"weights": w, "max_gain": w / 4, "width": width, "width_formula": formula}


@cached(maxsize=32)
def backward_gain(activation: str = "sigmoid", std: float = 1.0, width: int = 64, depth: int = 6,
                  n: int = 256, rng=0) -> dict:
    """The factor by which one layer of a deep net scales a backpropagated gradient, measured.

    A ``depth``-layer net of ``width`` units, weights :math:`N(0, \\mathrm{std}^2)`, inputs :math:`N(0, 1)`
    (``n`` rows), float64. A random :math:`N(0,1)` error :math:`\\delta^{L}` at the top is carried down by
    :math:`\\delta^{l} = (\\delta^{l+1} W^{\\top}) \\odot f'(z^{l})` (Nielsen's BP2), with :math:`z^l` and
    :math:`f'(z^l)` from :func:`dlcore.diagnostics.trace`. Per layer the RMS of :math:`\\delta` changes by
    about :math:`\\mathrm{std}\\sqrt{\\mathrm{width}}\\cdot\\mathrm{rms}\\,f'(z)`: the weights count as much as
    :math:`f'`. Returns ``rms_delta`` ``(depth,)`` (top layer last), ``factor`` (geometric mean of the
    per-layer ratios, going down) and ``mean_df`` (mean :math:`f'(z)` over all hidden layers).
    """
    data_rng, init_rng, err_rng = spawn(rng, 3)
    X = data_rng.standard_normal((int(n), int(width)))
    net = mlp([width] * (depth + 1), activation=activation, init="normal", init_kwargs={"std": float(std)},
              rng=init_rng, dtype=np.float64, output_activation=activation)
    t = trace(net, X)
    Ws = [layer.params["W"] for layer in net.layers if "W" in layer.params]
    delta = err_rng.standard_normal((int(n), int(width))) * t.df[-1]
    rms = [np.sqrt(np.mean(delta ** 2))]
    for W, df in zip(reversed(Ws[1:]), reversed(t.df[:-1])):
        delta = (delta @ W.T) * df
        rms.append(np.sqrt(np.mean(delta ** 2)))
    rms = np.array(rms[::-1])
    return {"rms_delta": rms, "factor": float(np.exp(np.mean(np.log(rms[:-1] / rms[1:])))),
            "mean_df": float(np.mean([np.mean(d) for d in t.df]))}


def naive_softmax(z) -> np.ndarray:
    """:math:`e^{z_i}/\\sum_j e^{z_j}` computed literally (overflows for :math:`z \\gtrsim 89` in float32, 710 in float64).

    Warnings are silenced so the NaN can be shown; never use this.
    """
    z = np.asarray(z, dtype=float) if not np.issubdtype(np.asarray(z).dtype, np.floating) else np.asarray(z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def softmax_temperature(z, temperatures) -> dict:
    """Probabilities, entropy and Jacobian of :math:`\\mathrm{softmax}(z/T)` for each ``T``.

    ``probs`` ``(nT, K)``, ``entropy`` ``(nT,)`` in nats, ``jacobians`` ``(nT, K, K)``
    (of :math:`s` with respect to :math:`z/T`; with respect to :math:`z` divide by ``T``).
    """
    z = np.asarray(z, dtype=np.float64)
    T = np.asarray(temperatures, dtype=np.float64).reshape(-1)
    if np.any(T <= 0):
        raise ValueError(f"temperatures must be > 0, got {T[T <= 0][0]}")
    P = np.stack([get_activation("softmax", temperature=float(t)).f(z) for t in T])
    ent = -np.sum(P * np.log(np.maximum(P, 1e-300)), axis=-1)
    J = np.stack([softmax_jacobian(z / t) for t in T])
    return {"T": T, "probs": P, "entropy": ent, "jacobians": J}


def softmax_overflow(scales, dtype=np.float32, base=(1.0, 2.0, 3.0)) -> dict:
    """Naive vs stable softmax of ``scale * base`` for each scale: where does the naive one break?

    Returns ``scales``, ``naive`` and ``stable`` ``(n, K)``, and ``naive_ok`` (finite and sums to 1).
    """
    base = np.asarray(base, dtype=dtype)
    S = np.asarray(scales, dtype=np.float64)
    naive = np.stack([naive_softmax(base * dtype(s)) for s in S])
    stable = np.stack([get_activation("softmax").f(base * dtype(s)) for s in S])
    ok = np.all(np.isfinite(naive), axis=1) & (np.abs(np.nan_to_num(naive).sum(1) - 1) < 1e-3)
    return {"scales": S, "naive": naive, "stable": stable, "naive_ok": ok}


def mish_errata(points=(-2.0, -1.0, 0.5, 1.0, 2.0, 5.0), lo=-5.0, hi=5.0, n=401) -> dict:
    """Mish with ``ln`` (right) and with ``log10`` (the notes' code), on a grid and at ``points``.

    For large x both tend to x; near 0 the wrong one is smaller by about the factor :math:`\\ln 10`
    inside the tanh, e.g. at x=1.
    """
    x = np.linspace(lo, hi, n)
    p = np.asarray(points, dtype=np.float64)
    return {"x": x, "right": mish(x), "wrong": mish_log10(x), "points": p,
            "right_at": mish(p), "wrong_at": mish_log10(p),
            "max_abs_diff": float(np.abs(mish(x) - mish_log10(x)).max())}
