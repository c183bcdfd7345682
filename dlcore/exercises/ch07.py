"""Exercise checkers for chapter 07 (normalisation layers).

Each ``check_*`` answers any input with a :class:`~dlcore.exercises.feedback.Feedback` (``@checker``)
and names the usual slip, e.g. "that is the unbiased variance (divide by B − 1): BN normalises
with the biased one".
"""
from __future__ import annotations

import numpy as np

from ..norm import BatchNorm1d
from .feedback import Feedback, Reject, as_array, as_name, call_reader, checker, precision_tolerance

__all__ = ["EX_BN_X", "EX_GAMMA", "EX_BETA", "EX_EPS", "bn_forward_answer", "check_bn_forward",
           "check_bn_backward", "check_norm_for_batch2", "NORM_CHOICES"]

#: E7.1: one feature of a batch of four, and BN's scale, shift and ε
EX_BN_X = (1.0, 2.0, 4.0, 9.0)
EX_GAMMA, EX_BETA, EX_EPS = 2.0, 0.5, 1e-5


def _bn(x, gamma, beta, eps, ddof=0):
    x = np.asarray(x, float)
    return gamma * (x - x.mean()) / np.sqrt(x.var(ddof=ddof) + eps) + beta


def bn_forward_answer() -> np.ndarray:
    """E7.1's answer: BN's training-mode output for :data:`EX_BN_X`."""
    return _bn(EX_BN_X, EX_GAMMA, EX_BETA, EX_EPS)


@checker(answers=lambda: [dict(y=bn_forward_answer()), dict(y=np.round(bn_forward_answer(), 3))])
def check_bn_forward(y) -> Feedback:
    """BN's output (training mode) for the batch :data:`EX_BN_X` with γ = ``EX_GAMMA``, β = ``EX_BETA``,
    to 3 decimal places."""
    if y is None:
        return Feedback(False, "Replace None with your four outputs (a list or array).")
    g = as_array(y, "your outputs", shape=(4,))
    exp = bn_forward_answer()
    x, ga, be, eps = np.asarray(EX_BN_X), EX_GAMMA, EX_BETA, EX_EPS
    if np.all(np.abs(g - exp) <= precision_tolerance(exp, decimals=3)):
        return Feedback(True, f"μ = {x.mean():g}, σ² = {x.var():g} (biased), x̂ = {np.round((x - x.mean()) / np.sqrt(x.var() + eps), 4)}, "
                              f"y = γ x̂ + β = {np.round(exp, 3)}.")
    slips = {
        "that is the unbiased variance (divide by B − 1 = 3): BN normalises the batch with the biased one "
        "(divide by B); the unbiased one only enters the running average": _bn(x, ga, be, eps, ddof=1),
        "you stopped at x̂: the output is γ x̂ + β": _bn(x, 1.0, 0.0, eps),
        "you divided by the variance σ², not by the standard deviation √(σ² + ε)":
            ga * (x - x.mean()) / (x.var() + eps) + be,
        "you applied the shift before the scale, γ (x̂ + β); BN computes γ x̂ + β": ga * (_bn(x, 1.0, 0.0, eps) + be),
        "you did not subtract the mean: BN centres first": ga * x / np.sqrt(x.var() + eps) + be,
        "γ and β are swapped": _bn(x, be, ga, eps),
    }
    for msg, v in slips.items():
        if np.all(np.abs(g - v) <= precision_tolerance(v, decimals=3) + 2e-3):
            return Feedback(False, msg + ".")
    if np.all(np.abs(g - exp) <= 0.02):
        return Feedback(False, f"close, but give three decimal places (largest difference {np.max(np.abs(g - exp)):.3g}).")
    i = int(np.argmax(np.abs(g - exp)))
    return Feedback(False, f"output {i} is {g[i]:.4g}, expected about {exp[i]:.4g}. Check μ = {x.mean():g} and the "
                           "biased variance (divide by B) first.")


# ---------------------------------------------------------------- E7.2: backward in closed form

def _library_backward(x, dy, gamma, eps):
    bn = BatchNorm1d(x.shape[1], eps=eps)
    bn.params["gamma"][:] = gamma
    bn.forward(x, training=True)
    return bn.backward(dy)


def _reference_backward(dy, x, gamma, eps, ddof=0):
    """The closed form (float64): dx = γ/(N σ) (N dy − Σ dy − x̂ Σ(dy x̂)) (``ddof=1``: the slip of using
    the unbiased variance in it)."""
    N = x.shape[0]
    mu, var = x.mean(0), x.var(0, ddof=ddof)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    return gamma / (N * std) * (N * dy - dy.sum(0) - xhat * (dy * xhat).sum(0))


def _cases():
    rng = np.random.default_rng(7)
    out = []
    for N, C in ((4, 3), (7, 2), (2, 5)):
        x = rng.normal(1.0, 2.0, (N, C))
        dy = rng.normal(0.0, 1.0, (N, C))
        gamma = rng.uniform(0.5, 2.0, C)
        out.append((dy, x, gamma, 1e-5))
    return out


@checker(answers=lambda: [dict(fn=_reference_backward)])
def check_bn_backward(fn) -> Feedback:
    """``fn(dy, x, gamma, eps)`` → dL/dx of BN in training mode for ``x`` (N, C), checked against
    :class:`~dlcore.norm.BatchNorm1d`'s backward on three batches (N = 4, 7 and 2), to 1e-6 relative."""
    if fn is None:
        return Feedback(False, "Replace None with your function bn_backward(dy, x, gamma, eps).")
    for dy, x, gamma, eps in _cases():
        raw = call_reader(fn, dy.copy(), x.copy(), gamma.copy(), eps, what="your bn_backward",
                          where=f" on a batch of N = {x.shape[0]}")
        got = as_array(raw, "what your bn_backward returned", shape=x.shape)
        lib = _library_backward(x, dy, gamma, eps)
        scale = np.max(np.abs(lib))
        err = np.max(np.abs(got - lib)) / scale
        if err <= 1e-6:
            continue
        N = x.shape[0]
        mu, var = x.mean(0), x.var(0)
        std = np.sqrt(var + eps)
        xhat = (x - mu) / std
        slips = {
            "you kept only γ dy / σ: the mean and the variance depend on every x_i, which gives the two "
            "extra terms −Σdy/N and −x̂ Σ(dy x̂)/N": gamma * dy / std,
            "the term −x̂ Σ(dy x̂)/N (through the variance) is missing": gamma / std * (dy - dy.mean(0)),
            "the term −Σdy/N (through the mean) is missing": gamma / std * (dy - xhat * (dy * xhat).mean(0)),
            "γ is missing (dL/dx̂ = γ dy)": _reference_backward(dy, x, np.ones_like(gamma), eps),
            "you used the unbiased variance (N − 1): BN normalises with the biased one":
                _unbiased_backward(dy, x, gamma, eps),
            "your σ is the unbiased one (x.var(ddof=1), divide by N − 1): BN's forward, and so its backward, "
            "uses the biased variance (divide by N)": _reference_backward(dy, x, gamma, eps, ddof=1),
            "you summed over the features (axis 1): BN's sums run over the batch (axis 0)":
                gamma / (x.shape[1] * std) * (x.shape[1] * dy - dy.sum(1, keepdims=True)
                                              - xhat * (dy * xhat).sum(1, keepdims=True)),
            "your statistics and sums run over the features (axis 1, layer norm's axis): BN's run over the "
            "batch (axis 0), one mean and variance per feature": _reference_backward_rows(dy, x, gamma, eps),
            "the sign of the term x̂ Σ(dy x̂) is wrong: it is subtracted, dx = γ/(Nσ) (N dy − Σdy − x̂ Σ(dy x̂))":
                gamma / (N * std) * (N * dy - dy.sum(0) + xhat * (dy * xhat).sum(0)),
            "the sign of the term Σdy is wrong: it is subtracted, dx = γ/(Nσ) (N dy − Σdy − x̂ Σ(dy x̂))":
                gamma / (N * std) * (N * dy + dy.sum(0) - xhat * (dy * xhat).sum(0)),
        }
        for msg, v in slips.items():
            if np.max(np.abs(got - v)) / scale <= 1e-6:
                return Feedback(False, msg + f" (batch of N = {N}).")
        return Feedback(False, f"on a batch of N = {N} your dx differs from the library's by {err:.2g} "
                               "(relative to its largest entry). Derive dx from dx̂ = γ dy through x̂ = (x − μ)/σ, "
                               "with μ and σ functions of every x_i.")
    return Feedback(True, "matches BatchNorm1d.backward on batches of 4, 7 and 2 examples: "
                          "dx = γ/(Nσ) (N dy − Σdy − x̂ Σ(dy x̂)). Its columns sum to 0 (the mean is removed) "
                          "and are orthogonal to x̂ up to ε (so is the scale: x̂ · dx = γ ε Σ(dy x̂)/σ³).")


def _reference_backward_rows(dy, x, gamma, eps):
    """The slip of taking the statistics and sums over axis 1 (per example, layer norm's axes)."""
    C = x.shape[1]
    std = np.sqrt(x.var(1, keepdims=True) + eps)
    xhat = (x - x.mean(1, keepdims=True)) / std
    return gamma / (C * std) * (C * dy - dy.sum(1, keepdims=True) - xhat * (dy * xhat).sum(1, keepdims=True))


def _unbiased_backward(dy, x, gamma, eps):
    """The backward of BN computed (wrongly) with the unbiased variance."""
    N = x.shape[0]
    mu, var = x.mean(0), x.var(0, ddof=1)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    return gamma / std * (dy - dy.mean(0) - xhat * (dy * xhat).sum(0) / (N - 1))


# ---------------------------------------------------------------- E7.3: a normalisation for B = 2

#: what E7.3 accepts as a name (the MLP has no spatial axes: no instance norm)
NORM_CHOICES = ("batch", "layer", "group", "weight", "none")


def over_seeds_b2(norm, key="val_acc"):
    """``key`` of ``norm_batch_run(norm, 2, arch="mlp", rng=s)`` for s = 0..4."""
    from ..experiments.common import over_seeds
    from ..experiments.norm_batch import norm_batch_run
    return over_seeds(norm_batch_run, norm=None if norm == "none" else norm, batch_size=2, arch="mlp")[key]


def _runs(norm):
    return over_seeds_b2(norm)


def _right_answers():
    _runs("batch")      # the check compares with BN's run: computed (and cached) here, once
    return [dict(norm="layer", accs=_runs("layer")), dict(norm="group", accs=_runs("group"))]


@checker(answers=_right_answers)
def check_norm_for_batch2(norm, accs) -> Feedback:
    """``norm``: the normalisation you choose for the digits MLP trained at batch size 2 (one of
    :data:`NORM_CHOICES`); ``accs``: the five validation accuracies of ``norm_batch_run(norm, 2,
    arch="mlp", rng=s)`` for s = 0..4, your run that justifies it."""
    if norm is None:
        return Feedback(False, "Replace None with the name of a normalisation, e.g. 'layer'.")
    n = as_name(norm, NORM_CHOICES, "your normalisation", aliases={"bn": "batch", "ln": "layer", "gn": "group",
                                                                   "wn": "weight", "layernorm": "layer",
                                                                   "groupnorm": "group", "batchnorm": "batch"})
    if accs is None:
        return Feedback(False, "Replace None with the five accuracies of your run (seeds 0-4).")
    a = as_array(accs, "your accuracies", shape=(5,))
    if np.any((a < 0) | (a > 1)):
        raise Reject("your accuracies: each must be between 0 and 1 (a fraction, not a percentage).")
    measured = np.asarray(_runs(n), float)
    if np.max(np.abs(a - measured)) > 0.02:
        return Feedback(False, f"these are not the accuracies of norm_batch_run({n!r}, 2, arch='mlp') for seeds 0-4 "
                               f"on this machine ({np.round(measured, 3)}): run it and pass its val_acc values.")
    bn = np.asarray(_runs("batch"), float)
    m = float(measured.mean())
    if n == "batch":
        own = float(np.mean(over_seeds_b2("batch", "val_acc_batch")))
        return Feedback(False, f"your run shows it: BN at B = 2 reaches {m:.3f} on average (LN, GN and even no norm "
                               "≈ 0.95). With two examples every unit's x̂ is ±1 whatever the values: the batch "
                               "statistics are mostly noise and the net is trained badly (the running averages are "
                               f"not the problem: with the validation set's own statistics it gets {own:.3f}). "
                               "Choose a norm whose statistics come from one example.")
    if n == "none":
        return Feedback(False, f"no normalisation trains ({m:.3f}), about as well as LN or GN here: at B = 2 the "
                               "problem is BN, not a lack of normalisation. But the question asks for a "
                               "normalisation (you may want one for a deeper net or larger learning rates): pick one "
                               "that normalises each example on its own.")
    if m < 0.9:
        return Feedback(False, f"{n} norm does not depend on the batch, but this net with it reaches only {m:.3f} "
                               "at B = 2 in this budget; layer or group norm reach about 0.96.")
    why = ("normalises the weights, not the activations: nothing in it depends on the batch" if n == "weight" else
           "computes its statistics from each example alone")
    return Feedback(True, f"{n} norm {why}, so B = 2 changes nothing: "
                          f"{m:.3f} on average over 5 seeds, against BN's {bn.mean():.3f}, "
                          + ("and every one of your seeds is above every BN seed." if measured.min() > bn.max() else
                             "though not every one of your seeds is above every BN seed.")
                          + " (No norm at all gets about the same: what B = 2 breaks is BN.)")
