"""Exercise checkers for chapter 04 (cross-entropy and softmax).

Each ``check_*`` returns a :class:`~dlcore.exercises.feedback.Feedback` that
says what is wrong, e.g. "your dC/db is (a - y) * sigma'(z): that is the
quadratic cost's formula".
"""
from __future__ import annotations

import math

import numpy as np

from ..experiments import crossentropy as ex
from ..losses import logsumexp, softmax
from .feedback import (Feedback, Reject, as_array, as_name, as_number, call_reader, checker, compare_arrays,
                       describe, precision_tolerance)

__all__ = ["EX_LOGITS", "EX_LABEL", "EX_START", "P_DECIMALS", "RATIO_SIG", "check_ce_bias_gradient", "check_p_minus_y",
           "check_faster_cost", "check_logsumexp"]

#: exercise 2: the logit vector and the true class; answers to 2 decimals pass
EX_LOGITS = np.array([2.0, 1.0, -1.0, 0.5])
EX_LABEL = 2
P_DECIMALS = 2
#: exercise 3: the starting point (w0, b0), x = 1, target 0; the ratio to 3 significant figures
EX_START = (-1.0, 3.5)
RATIO_SIG = 3


def _none(answer, what):
    if answer is None:
        return Feedback(False, f"Replace None with {what}.")
    return None


def _points():
    g = np.random.default_rng(404)
    return [(float(w), float(b), g.normal(size=4), g.uniform(0, 1, size=4)) for w, b in g.normal(0, 2, size=(6, 2))]


def _sig(z):
    return 1 / (1 + np.exp(-z))


@checker(answers=lambda: [dict(fn=lambda w, b, x, y: np.mean(_sig(w * x + b) - y))])
def check_ce_bias_gradient(fn) -> Feedback:
    """``fn(w, b, x, y)`` -> dC/db of the mean binary cross-entropy of one sigmoid neuron
    over the examples ``x``, ``y`` (1-D arrays)."""
    if (fb := _none(fn, "a function dC_db(w, b, x, y)")) is not None:
        return fb
    if not callable(fn):
        return Feedback(False, f"expected a function dC_db(w, b, x, y), got {describe(fn)}.")
    worst = None
    for w, b, x, y in _points():
        where = f" at w={w:.3g}, b={b:.3g}"
        raw = call_reader(fn, w, b, x.copy(), y.copy(), what="your function", where=where)
        if raw is None:
            return Feedback(False, "your function returns None: replace `return None` with your formula.")
        if isinstance(raw, (list, tuple, np.ndarray)) and as_array(raw, f"your dC/db{where}", finite=False).size != 1:
            return Feedback(False, f"your dC/db has shape {np.shape(raw)}: average the per-example values "
                                   "(np.mean) to get one number.")
        got = as_number(raw, f"your dC/db{where}")
        exp = ex.neuron_grads(w, b, x, y, "cross_entropy")[1]
        if not abs(got - exp) <= 1e-6 * max(1.0, abs(exp)):
            a = _sig(w * x + b)
            hints = {
                "(a - y) * sigma'(z): that is the quadratic cost's formula; in CE the sigma'(z) cancels":
                    np.mean((a - y) * a * (1 - a)),
                "with the sign flipped: C has a minus sign in front, dC/db = mean(a - y)": -exp,
                "summed instead of averaged over the examples (divide by n)": np.sum(a - y),
                "mean((a - y) * x): that is dC/dw; for b the input x is replaced by 1": np.mean((a - y) * x),
            }
            hint = next((h for h, v in hints.items() if abs(got - v) < 1e-6 * max(1.0, abs(v))), None)
            worst = (f"at w={w:.3g}, b={b:.3g} your dC/db is {got:.6g}, finite differences give {exp:.6g}"
                     + (f"; it equals {hint}." if hint else "."))
            break
    if worst:
        return Feedback(False, worst)
    return Feedback(True, "your dC/db = mean(sigma(z) - y) agrees with finite differences at 6 random points.")


@checker(answers=lambda: [dict(answer=softmax(EX_LOGITS) - np.eye(len(EX_LOGITS))[EX_LABEL]),
                          dict(answer=[0.61, 0.22, -0.97, 0.14])])
def check_p_minus_y(answer) -> Feedback:
    """``answer``: dC/dz for ``EX_LOGITS`` with true class ``EX_LABEL`` (softmax + CE), shape (4,)."""
    if (fb := _none(answer, f"dC/dz for z = {EX_LOGITS.tolist()} and true class {EX_LABEL} (4 numbers)")) is not None:
        return fb
    p = softmax(EX_LOGITS)
    y = np.eye(len(p))[EX_LABEL]
    expected = p - y
    g = as_array(answer, "dC/dz", finite=False)
    tol = 0.5 * 10.0 ** -P_DECIMALS
    if g.shape == expected.shape and np.all(np.isfinite(g)):
        if np.allclose(g, p, rtol=0, atol=tol) and not np.allclose(g, expected, rtol=0, atol=tol):
            return Feedback(False, "that is p = softmax(z) itself; subtract the one-hot target y.")
        if np.allclose(g, -expected, rtol=0, atol=tol):
            return Feedback(False, "the sign is flipped: the gradient is p - y, not y - p.")
        for k in range(len(p)):
            if k != EX_LABEL and np.allclose(g, p - np.eye(len(p))[k], rtol=0, atol=tol):
                return Feedback(False, f"you subtracted 1 at index {k}; the true class is {EX_LABEL}, counted from 0 "
                                       f"(entry number {EX_LABEL + 1}).")
        if not abs(g.sum()) <= len(g) * tol:
            fb = compare_arrays("dC/dz", g, expected, decimals=P_DECIMALS)
            return Feedback(False, fb.message + f" Hint: p - y always sums to 0; yours sums to {g.sum():.3g}.")
    fb = compare_arrays("dC/dz", g, expected, decimals=P_DECIMALS)
    if fb:
        return Feedback(True, f"dC/dz = p - y = {np.round(expected, 4).tolist()}; it sums to 0, and only the "
                              "true class has a negative entry.")
    return fb


def _right_ratio():
    w0, b0 = EX_START
    return ex.neuron_grads(w0, b0, cost="cross_entropy")[1] / ex.neuron_grads(w0, b0, cost="quadratic")[1]


@checker(answers=lambda: [dict(faster="cross_entropy", ratio=float(_right_ratio())),
                          dict(faster="Cross-entropy", ratio=14.3), dict(faster="ce", ratio=14.26)])
def check_faster_cost(faster, ratio) -> Feedback:
    """From ``EX_START`` (x = 1, target 0): which cost's gradient is larger (``"quadratic"`` or
    ``"cross_entropy"``) and by what factor (dC_CE/db divided by dC_Q/db)."""
    if (fb := _none(faster, '"quadratic" or "cross_entropy"')) is not None:
        return fb
    if (fb := _none(ratio, "the ratio of the two initial gradients (a number)")) is not None:
        return fb
    w0, b0 = EX_START
    gq = ex.neuron_grads(w0, b0, cost="quadratic")[1]
    gc = ex.neuron_grads(w0, b0, cost="cross_entropy")[1]
    expected = gc / gq
    runs = {c: ex.plateau_stats(ex.train_neuron(w0, b0, 0.15, 300, c)) for c in ex.COSTS}
    story = (f" Measured with eta = 0.15: the cost halves after {runs['cross_entropy']['half_epoch']} epochs "
             f"with cross-entropy and after {runs['quadratic']['half_epoch']} with the quadratic cost.")
    if not isinstance(faster, str):
        return Feedback(False, f'faster must be "quadratic" or "cross_entropy", got {describe(faster)}.')
    try:
        faster = as_name(faster, ex.COSTS, "faster", aliases={"ce": "cross_entropy", "mse": "quadratic",
                                                              "quadratic cost": "quadratic"})
    except Reject:
        shown = repr(faster) if len(faster) <= 60 else describe(faster)
        return Feedback(False, f'faster must be "quadratic" or "cross_entropy", got {shown}.')
    if faster != "cross_entropy":
        return Feedback(False, "the quadratic gradient carries the factor sigma'(z) <= 1/4, so it is never the "
                               "larger one." + story)
    r = as_number(ratio, "ratio")
    close = lambda v: abs(r - v) <= precision_tolerance(v, sig=RATIO_SIG)  # noqa: E731
    if close(expected):
        return Feedback(True, f"the ratio is 1/sigma'(z) = {expected:.4g} at z = {w0 + b0:g}." + story)
    a = 1 / (1 + math.exp(-(w0 + b0)))
    if close(1 / expected):
        return Feedback(False, "you inverted the ratio: divide the CE gradient by the quadratic one.")
    if close(1 / a) or close(a * (1 - a)):
        return Feedback(False, f"close: the ratio is (a - y) / ((a - y) sigma'(z)) = 1/sigma'(z), with "
                               f"a = sigma({w0 + b0:g}).")
    return Feedback(False, f"the ratio {r:.4g} is off by {abs(r - expected):.3g}; compute 1/sigma'(z) at "
                           f"z = w0*x + b0 = {w0 + b0:g}.")


def _right_logsumexp(z):
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))


@checker(answers=lambda: [dict(fn=_right_logsumexp),
                          dict(fn=lambda z: np.max(z, keepdims=True) + np.log(np.sum(np.exp(z - np.max(z, keepdims=True)))))])
def check_logsumexp(fn) -> Feedback:
    """``fn(z)`` -> log(sum(exp(z))) for a 1-D array, finite for logits in the thousands."""
    if (fb := _none(fn, "a function my_logsumexp(z)")) is not None:
        return fb
    if not callable(fn):
        return Feedback(False, f"expected a function my_logsumexp(z), got {describe(fn)}.")
    # the maximum far from the mean and from z[0] (shifting by either overflows), in either order
    tests = [np.array([1.0, 2.0, 3.0]), np.array([-5.0, 0.0, 5.0, 2.5]), np.array([1000.0, 999.0, -1000.0]),
             np.array([-1000.0, -1001.0]), np.array([710.0, 0.0]), np.array([1000.0, -1000.0]),
             np.array([-1000.0, 1000.0]), np.array([-1000.0, -1000.0, 1000.0, 0.0])]
    for z in tests:
        raw = call_reader(fn, z.copy(), what="your function", where=f" on z = {z.tolist()}")
        if raw is None:
            return Feedback(False, "your function returns None: return the value.")
        got = as_number(raw, f"on z = {z.tolist()} your function's value", finite=False)
        exp = float(logsumexp(z))
        if not math.isfinite(got):
            return Feedback(False, f"on z = {z.tolist()} you return {got}: exp overflows (or underflows to 0 "
                                   "before the log). Subtract max(z) first and add it back after the log.")
        if not abs(got - exp) <= 1e-9 * max(1.0, abs(exp)):
            return Feedback(False, f"on z = {z.tolist()} you return {got:.10g}, expected {exp:.10g}"
                                   + (" (did you forget to add max(z) back?)" if abs(got - exp + z.max()) < 1e-6 else "."))
    return Feedback(True, f"finite and exact on all {len(tests)} test vectors, including logits of +-1000 "
                          "with the largest one anywhere in the vector.")
