"""Chapter 04: cross-entropy and softmax, derived as plain functions and checked.

One sigmoid neuron :math:`a = \\sigma(z)`, :math:`z = wx + b`, examples
:math:`(x_i, y_i)`, costs averaged over the :math:`n` examples:

.. math::
    C_Q = \\frac1n\\sum_i \\tfrac12 (a_i - y_i)^2, \\qquad
    C_{CE} = -\\frac1n\\sum_i \\big[y_i\\ln a_i + (1-y_i)\\ln(1-a_i)\\big].

Their gradients (derived in the notebook):

.. math::
    \\frac{\\partial C_Q}{\\partial w} = \\frac1n\\sum_i (a_i-y_i)\\,\\sigma'(z_i)\\,x_i, \\qquad
    \\frac{\\partial C_{CE}}{\\partial w} = \\frac1n\\sum_i (a_i-y_i)\\,x_i,

and the same without :math:`x_i` for :math:`b`. For softmax outputs
:math:`p = \\mathrm{softmax}(z)` with :math:`C = -\\sum_k y_k \\ln p_k` and
:math:`\\sum_k y_k = 1`: :math:`\\partial C/\\partial z = p - y`.

The digits experiment lives in :mod:`dlcore.experiments.crossentropy_digits`.
"""
from __future__ import annotations

import math

import numpy as np

from ..activations.basic import sigmoid
from ..gradcheck import numerical_gradient, rel_error
from ..losses import log_softmax, logsumexp, softmax
from ..cache import cached
from ..rng import as_generator

__all__ = [
    "COSTS", "NIELSEN_STARTS", "neuron_cost", "neuron_grads", "softmax_ce", "softmax_ce_grad",
    "softmax_quadratic_grad", "check_derivations", "train_neuron", "plateau_stats",
    "cost_surface", "ce_stability", "bce_stability", "bce_table", "coin_likelihood",
    "kl_decomposition", "notes_softmax", "softmax_two_class_is_sigmoid",
]

COSTS = ("quadratic", "cross_entropy")
#: Nielsen's two starting points (chapter 3): output 0.82 (good) and 0.98 (saturated).
NIELSEN_STARTS = {"good": (0.6, 0.9), "bad": (2.0, 2.0)}


def _cost_name(cost):
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
    return cost


def _examples(x, y):
    """``x``, ``y`` as float64 1-D arrays (n,) of the same length, with ``y`` in [0, 1]."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    y = np.atleast_1d(np.asarray(y, dtype=np.float64))
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of the same length, got {x.shape} and {y.shape}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("targets y must lie in [0, 1]")
    return x, y


def _logits_and_target(z, y):
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if z.ndim != 1 or z.shape != y.shape:
        raise ValueError(f"z and y must be 1-D of the same length K, got {z.shape} and {y.shape}")
    return z, y


def neuron_cost(w, b, x=1.0, y=0.0, cost="quadratic"):
    """Cost of one sigmoid neuron, mean over examples; ``w``, ``b`` broadcast (for grids).

    ``x``, ``y``: scalars or 1-D arrays of examples (``y`` in [0, 1]). The
    cross-entropy is computed from the logit as
    :math:`\\ln(1+e^{z}) - yz = \\max(z,0) - yz + \\ln(1+e^{-|z|})`, finite for any ``z``.
    Returns an array of the broadcast shape of ``w`` and ``b``.
    """
    _cost_name(cost)
    x, y = _examples(x, y)
    w = np.asarray(w, dtype=np.float64)[..., None]
    b = np.asarray(b, dtype=np.float64)[..., None]
    z = w * x + b
    if cost == "quadratic":
        per = 0.5 * (sigmoid(z) - y) ** 2
    else:
        per = np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return per.mean(axis=-1)


def neuron_grads(w, b, x=1.0, y=0.0, cost="quadratic"):
    """``(dC/dw, dC/db)`` from the derived formulas (see the module docstring).

    Quadratic: :math:`\\delta = (a-y)\\sigma'(z)`; cross-entropy: :math:`\\delta = a-y`
    (the :math:`\\sigma'(z)` cancelled). Then :math:`\\partial C/\\partial w = \\overline{\\delta x}`,
    :math:`\\partial C/\\partial b = \\overline{\\delta}`. Scalars ``w``, ``b``; returns floats.
    """
    _cost_name(cost)
    x, y = _examples(x, y)
    a = sigmoid(w * x + b)
    delta = (a - y) * a * (1 - a) if cost == "quadratic" else a - y
    return float(np.mean(delta * x)), float(np.mean(delta))


def softmax_ce(z, y) -> float:
    """:math:`-\\sum_k y_k \\ln \\mathrm{softmax}(z)_k` for one logit vector ``z`` (K,), target ``y`` (K,)."""
    z, y = _logits_and_target(z, y)
    return float(-np.sum(y * log_softmax(z)))


def softmax_ce_grad(z, y) -> np.ndarray:
    """:math:`\\partial C/\\partial z = p - y` for logits ``z`` (K,) and a target ``y`` (K,)
    with :math:`\\sum_k y_k = 1` (one-hot or soft); returns (K,)."""
    z, y = _logits_and_target(z, y)
    if not np.isclose(y.sum(), 1.0):
        raise ValueError(f"p - y needs a target that sums to 1, this one sums to {y.sum():g}")
    return softmax(z) - y


def softmax_quadratic_grad(z, y) -> np.ndarray:
    """Gradient of :math:`\\tfrac12\\lVert p-y\\rVert^2` w.r.t. logits: :math:`J^\\top(p-y)`,
    :math:`J = \\mathrm{diag}(p) - pp^\\top` (softmax saturates too: this vanishes when p is confidently wrong)."""
    z, y = _logits_and_target(z, y)
    p = softmax(z)
    d = p - y
    return p * d - p * np.dot(p, d)


def check_derivations(rng=0, n=5, h=1e-6) -> dict[str, float]:
    """Relative error between every derived gradient and central differences (float64).

    Random ``w, b`` and ``n`` random examples (soft targets in (0, 1)) for the
    neuron; a random 6-class logit vector and a one-hot and a soft target for
    the softmax. Returns ``{name: rel_error}``; all should be below 1e-7.
    """
    g = as_generator(rng)
    x, y = g.normal(size=n), g.uniform(0.05, 0.95, size=n)
    w, b = g.normal(size=2)
    out = {}
    for cost in COSTS:
        dw, db = neuron_grads(w, b, x, y, cost)
        num = numerical_gradient(lambda v: neuron_cost(v[0], v[1], x, y, cost), np.array([w, b]), h)
        out[f"{cost} dC/dw"] = rel_error(dw, num[0])
        out[f"{cost} dC/db"] = rel_error(db, num[1])
    z = g.normal(size=6) * 2
    soft = g.dirichlet(np.ones(6))
    for name, t in (("one-hot", np.eye(6)[2]), ("soft", soft)):
        num = numerical_gradient(lambda v: softmax_ce(v, t), z, h)
        out[f"softmax+CE dC/dz ({name})"] = rel_error(softmax_ce_grad(z, t), num)
    num = numerical_gradient(lambda v: 0.5 * np.sum((softmax(v) - soft) ** 2), z, h)
    out["softmax+quadratic dC/dz"] = rel_error(softmax_quadratic_grad(z, soft), num)
    return out


@cached
def train_neuron(w0=2.0, b0=2.0, eta=0.15, epochs=300, cost="quadratic", x=1.0, y=0.0) -> dict:
    """Gradient descent on one sigmoid neuron and one example (Nielsen, chapter 3).

    Returns read-only arrays of length ``epochs + 1`` (index 0 = the start):
    ``epoch``, ``w``, ``b``, ``output`` (:math:`a`), ``cost``. Cached.
    """
    _cost_name(cost)
    if not (isinstance(epochs, (int, np.integer)) and 1 <= epochs <= 100_000):
        raise ValueError(f"epochs must be an int in [1, 100000], got {epochs!r}")
    if not (eta > 0 and math.isfinite(eta)):
        raise ValueError(f"eta must be a positive number, got {eta!r}")
    if not 0 <= y <= 1:
        raise ValueError(f"target y must lie in [0, 1], got {y!r}")
    w, b, x, y = float(w0), float(b0), float(x), float(y)
    W, B, A, C = [w], [b], [], []
    for _ in range(epochs + 1):
        z = w * x + b
        a = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
        A.append(a)
        if cost == "quadratic":
            C.append(0.5 * (a - y) ** 2)
            delta = (a - y) * a * (1 - a)
        else:
            C.append(max(z, 0) - y * z + math.log1p(math.exp(-abs(z))))
            delta = a - y
        if len(A) > epochs:
            break
        w, b = w - eta * delta * x, b - eta * delta
        W.append(w)
        B.append(b)
    return {"epoch": np.arange(epochs + 1), "w": np.array(W), "b": np.array(B),
            "output": np.array(A), "cost": np.array(C)}


def cost_from_wanted_gradient(y: float, a, a0: float = 0.5, n: int = 20001) -> dict:
    """Nielsen's route to cross-entropy, done numerically: if :math:`\\partial C/\\partial b = a - y`
    is wanted, the chain rule :math:`\\partial C/\\partial b = C'(a)\\,\\sigma'(z) = C'(a)\\,a(1-a)` forces
    :math:`C'(a) = (a-y)/(a(1-a))`. Integrate that from ``a0`` to each ``a`` (trapezoid rule on
    ``n`` points) and compare with :math:`C_{CE}(a) - C_{CE}(a_0)` in closed form.

    Returns ``a``, ``integrated``, ``closed_form`` and ``max_abs_diff``.
    """
    a = np.atleast_1d(np.asarray(a, dtype=np.float64))
    if not (0 < a0 < 1 and np.all((a > 0) & (a < 1))):
        raise ValueError("a and a0 must lie strictly between 0 and 1")
    ce = lambda v: -(y * np.log(v) + (1 - y) * np.log1p(-v))  # noqa: E731
    out = np.empty_like(a)
    for i, ai in enumerate(a):
        t = np.linspace(a0, ai, n)
        f = (t - y) / (t * (1 - t))
        out[i] = np.sum((f[1:] + f[:-1]) * np.diff(t)) / 2
    closed = ce(a) - ce(a0)
    return {"a": a, "integrated": out, "closed_form": closed, "max_abs_diff": float(np.max(np.abs(out - closed)))}


def plateau_stats(run: dict, first: int = 50) -> dict:
    """How fast a run learns: relative cost drop over the first ``first`` epochs,
    and the epoch at which the cost first falls below half its start (None if never)."""
    c = run["cost"]
    first = min(first, len(c) - 1)
    below = np.nonzero(c <= 0.5 * c[0])[0]
    return {"drop_first": float(1 - c[first] / c[0]), "first": first,
            "half_epoch": int(below[0]) if below.size else None,
            "initial_slope": float(c[0] - c[1])}


@cached
def cost_surface(cost="quadratic", w_lim=(-4.0, 4.0), b_lim=(-4.0, 4.0), n=81, x=1.0, y=0.0) -> dict:
    """The cost over a (w, b) grid: ``w`` (n,), ``b`` (n,), ``cost`` (n, n) indexed [b, w]. Cached.

    With one example the cost depends on :math:`z = wx+b` only, so its contours are straight lines.
    """
    _cost_name(cost)
    w = np.linspace(*map(float, w_lim), int(n))
    b = np.linspace(*map(float, b_lim), int(n))
    Wg, Bg = np.meshgrid(w, b)
    return {"w": w, "b": b, "cost": neuron_cost(Wg, Bg, float(x), float(y), cost)}


def ce_stability(scales, target=2, dtype=np.float64) -> dict:
    """Softmax cross-entropy three ways on logits ``s * [1, 0, -1]`` for each scale ``s`` (S,).

    ``target`` is the true class: 0 (the largest logit: the net is right), 1 (the middle one)
    or 2 (the smallest: confidently wrong).

    * ``naive``: :math:`-\\ln(e^{z_k}/\\sum_j e^{z_j})`. Once :math:`e^{s}` overflows the sum is
      inf: NaN (inf/inf) for target 0, inf (:math:`-\\ln 0`) otherwise; the ratio also
      underflows to 0 (inf) when :math:`z_k` is far below the largest logit.
    * ``shifted``: stable softmax then :math:`-\\ln p_k`: no overflow, but :math:`p_k` underflows
      to 0 (inf) for a large gap :math:`\\max_j z_j - z_k`.
    * ``logsumexp``: :math:`\\mathrm{logsumexp}(z) - z_k`, finite.

    ``exact`` is the float64 value :math:`s\\,k + \\ln(1+e^{-s}+e^{-2s})`. Returns arrays (S,)
    for each method and ``scale``, plus ``fails`` (per method, the first scale whose loss is not
    finite, or None) and ``nan`` (per method, whether any value is NaN rather than inf).
    """
    if target not in (0, 1, 2):
        raise ValueError(f"target must be a class index 0, 1 or 2, got {target!r}")
    s = np.asarray(scales, dtype=dtype)
    Z = s[:, None] * np.array([1, 0, -1], dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        E = np.exp(Z)
        naive = -np.log(E[:, target] / E.sum(axis=1))
        shifted = -np.log(softmax(Z)[:, target])
    stable = logsumexp(Z, axis=1) - Z[:, target]
    s64 = s.astype(np.float64)
    exact = s64 * target + np.log1p(np.exp(-s64) + np.exp(-2 * s64))
    out = {"scale": s, "naive": naive, "shifted": shifted, "logsumexp": stable, "exact": exact}
    out["fails"] = {k: (float(s[~np.isfinite(out[k])][0]) if np.any(~np.isfinite(out[k])) else None)
                    for k in ("naive", "shifted", "logsumexp")}
    out["nan"] = {k: bool(np.any(np.isnan(out[k]))) for k in ("naive", "shifted", "logsumexp")}
    return out


def bce_stability(zs, y=0.0, dtype=np.float64) -> dict:
    """Binary CE from the probability :math:`a=\\sigma(z)` (``naive``) and from the logit (``logits``)."""
    z = np.asarray(zs, dtype=dtype)
    a = sigmoid(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = -(y * np.log(a) + (1 - y) * np.log(1 - a))
    stable = np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return {"z": z, "naive": naive, "logits": stable}


def bce_table(a_values, y_values) -> np.ndarray:
    """:math:`-[y\\ln a + (1-y)\\ln(1-a)]` for every (y, a): array ``(len(y_values), len(a_values))``."""
    a = np.asarray(a_values, dtype=np.float64)[None, :]
    y = np.asarray(y_values, dtype=np.float64)[:, None]
    if np.any((a <= 0) | (a >= 1)):
        raise ValueError("outputs a must lie strictly inside (0, 1)")
    return -(y * np.log(a) + (1 - y) * np.log1p(-a))


def coin_likelihood(heads: int, n: int, ps) -> dict:
    """Maximum likelihood = minimum cross-entropy, for ``heads`` out of ``n`` coin flips.

    ``ce`` is the mean binary CE of the model p over the flips, ``nll`` is
    :math:`-\\ln L(p)/n`; they are the same curve, minimised at p = heads/n.
    """
    if not (0 <= heads <= n and n > 0):
        raise ValueError(f"need 0 <= heads <= n, n > 0; got heads={heads}, n={n}")
    ps = np.asarray(ps, dtype=np.float64)
    y = np.r_[np.ones(heads), np.zeros(n - heads)]
    ce = bce_table(ps, y).mean(axis=0)
    likelihood = ps ** heads * (1 - ps) ** (n - heads)
    return {"p": ps, "ce": ce, "nll": -np.log(likelihood) / n, "likelihood": likelihood,
            "p_best": float(ps[np.argmin(ce)])}


def kl_decomposition(y, z) -> dict:
    """:math:`H(y,p) = H(y) + KL(y\\Vert p)` for a target distribution ``y`` and logits ``z``."""
    y = np.asarray(y, dtype=np.float64)
    logp = log_softmax(np.asarray(z, dtype=np.float64))
    nz = y > 0
    H = float(-np.sum(y[nz] * np.log(y[nz]))) + 0.0   # + 0.0: no -0.0
    kl = float(np.sum(y[nz] * (np.log(y[nz]) - logp[nz])))
    return {"cross_entropy": float(-np.sum(y * logp)), "entropy": H, "kl": kl, "p": np.exp(logp)}


def notes_softmax(z) -> np.ndarray:
    """The notes' softmax, with :math:`\\theta_i` (not :math:`\\theta_k`) in the denominator's sum:
    :math:`e^{z_i}/\\sum_{k=1}^K e^{z_i} = 1/K` for every class, whatever the logits."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z) / (z.shape[-1] * np.exp(z))


def softmax_two_class_is_sigmoid(z) -> float:
    """max |softmax([z, 0])_0 - sigmoid(z)| over the given z: softmax generalises the logistic function."""
    z = np.asarray(z, dtype=np.float64)
    p = softmax(np.stack([z, np.zeros_like(z)], axis=-1))[..., 0]
    return float(np.max(np.abs(p - sigmoid(z))))
