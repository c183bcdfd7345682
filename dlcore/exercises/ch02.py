"""Exercise checkers of chapter 02 (vanishing and exploding gradients).

* :func:`check_decay_factor`: predict the per-layer RMS factor of a random ReLU net.
* :func:`check_clip_by_norm`: implement clipping by global norm.
* :func:`check_tanh_scale`: choose a weight scale that keeps a 30-layer tanh net alive.
"""
from __future__ import annotations

import numpy as np

import types

from .feedback import Feedback, Reject, as_array, as_number, call_reader, checker, describe

__all__ = ["DECAY_TASK", "check_decay_factor", "check_clip_by_norm", "TANH_TASK", "check_tanh_scale"]

#: The network of exercise 1: ReLU, every width 128, weights N(0, 1/128) (Xavier for equal widths).
DECAY_TASK = {"activation": "relu", "width": 128, "weight_var_times_n": 1.0}


def _number(x, what):
    """``(value, None)`` for one finite number, ``(None, Feedback)`` saying what is wrong otherwise."""
    if x is None:
        return None, Feedback(False, f"replace None with your {what} (a number).")
    try:
        return as_number(x, what), None
    except Reject as r:
        return None, Feedback(False, r.message)


@checker(answers=lambda: [dict(answer=float(np.sqrt(0.5)))])
def check_decay_factor(answer) -> Feedback:
    """Exercise 1: the factor by which the RMS of the signal changes per layer (see :data:`DECAY_TASK`).

    The answer is :math:`\\sqrt{n\\,\\mathrm{Var}(W)/2} = \\sqrt{1/2} \\approx 0.7071`.
    """
    v, bad = _number(answer, "predicted factor")
    if bad is not None:
        return bad
    expected = float(np.sqrt(DECAY_TASK["weight_var_times_n"] / 2))
    if abs(v - expected) <= 0.01 * expected:
        return Feedback(True, f"the RMS shrinks by sqrt(n Var(W) / 2) = {expected:.4f} per layer, so after 30 layers "
                              f"it is {expected ** 30:.2e} of what it was. The forward_signal experiment measures about the same.")
    if abs(v - 0.5) < 0.01:
        return Feedback(False, "0.5 is the factor of the *second moment* E[h^2]; the RMS is its square root.")
    if abs(v - 1.0) < 0.01:
        return Feedback(False, "1 would be right for He's variance 2/n (or for a linear unit with 1/n); "
                               "a ReLU zeroes half of its inputs, which costs half of the second moment.")
    if abs(v - np.sqrt(2)) < 0.01 or abs(v - 2) < 0.01:
        return Feedback(False, "the signal does not grow here: a ReLU keeps only half of E[z^2], and n Var(W) = 1.")
    return Feedback(False, f"{v:g} is {'too large' if v > expected else 'too small'}. Write Var(z) = n Var(W) E[h^2] "
                           "for the pre-activation, then ask what fraction of E[z^2] survives max(0, z).")


def _reference_clip(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    f = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * f for g in grads], norm


def _right_clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * factor for g in grads]


@checker(answers=lambda: [dict(fn=_right_clip)])
def check_clip_by_norm(fn) -> Feedback:
    """Exercise 2: ``fn(grads, max_norm) -> list of clipped arrays`` (clipping by *global* norm).

    Checked on three cases: a gradient whose norm is above the threshold, one
    below it (must come back unchanged), and arrays of different sizes (the
    norm is over all of them together, not per array). The input arrays must
    not be modified.
    """
    if fn is None:
        return Feedback(False, "replace None with your function clip_grads(grads, max_norm).")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {describe(fn)}.")
    rng = np.random.default_rng(0)
    cases = [("a large gradient", [rng.standard_normal((3, 4)) * 5, rng.standard_normal(4) * 5], 1.0),
             ("a small gradient", [rng.standard_normal((3, 4)) * 0.01, rng.standard_normal(4) * 0.01], 1.0),
             ("two arrays of very different norms", [np.full((2, 2), 3.0), np.full(3, 0.1)], 2.0)]
    for what, grads, c in cases:
        copies = [g.copy() for g in grads]
        given = list(grads)
        got = call_reader(fn, grads, c, what=f"on {what} your function")
        if len(grads) != len(given) or any(g is not g0 or not np.array_equal(g, c0)
                                           for g, g0, c0 in zip(grads, given, copies)):
            return Feedback(False, "your function modified the gradient arrays it was given; return new arrays.")
        exp, norm = _reference_clip(copies, c)
        if isinstance(got, (types.GeneratorType, map, zip, filter)):
            got = call_reader(list, got, what=f"on {what} your function (while producing its results)")
        if not isinstance(got, (list, tuple)) or len(got) != len(exp):
            n = len(got) if isinstance(got, (list, tuple)) else describe(got)
            return Feedback(False, f"on {what}: return a list with one array per gradient ({len(exp)}), got {n}.")
        got = [as_array(g, f"on {what}: clipped array {i}", finite=False) for i, g in enumerate(got)]
        if any(g.shape != e.shape for g, e in zip(got, exp)):
            return Feedback(False, f"on {what}: the clipped arrays must keep their shapes.")
        for i, g in enumerate(got):
            as_array(g, f"on {what}: clipped array {i}")         # NaN or inf: wrong, with the index
        if all(np.allclose(g, e, rtol=1e-6, atol=1e-12) for g, e in zip(got, exp)):
            continue
        got_norm = np.sqrt(sum(float(np.sum(g * g)) for g in got))
        if norm <= c:
            return Feedback(False, f"on {what} (norm {norm:.3g} <= max_norm {c:g}) the gradients must come back "
                                   f"unchanged; yours have norm {got_norm:.3g}.")
        per_array = [g * min(1.0, c / max(np.linalg.norm(g), 1e-300)) for g in copies]
        if all(np.allclose(g, e) for g, e in zip(got, per_array)):
            return Feedback(False, f"on {what} you clipped each array by its own norm. Clipping by *global* norm "
                                   "computes one norm over all arrays together and scales them all by the same factor.")
        if all(np.allclose(g, np.clip(e0, -c, c)) for g, e0 in zip(got, copies)):
            return Feedback(False, "that is clipping by value (element-wise). Scale the whole gradient instead.")
        return Feedback(False, f"on {what} (global norm {norm:.3g}, max_norm {c:g}) the result should have norm "
                               f"{min(norm, c):.4g} and the same direction; yours has norm {got_norm:.4g}.")
    return Feedback(True, "your clip_grads rescales all gradients by min(1, max_norm / ||g||) and keeps their direction.")


#: Exercise 3: a 30-layer tanh net, width 128, weights N(0, s^2/n); find s.
TANH_TASK = {"depth": 30, "width": 128, "min_last_rms": 0.1, "max_saturated": 0.05, "max_abs_log10_jacobian": 1.0}


@checker(answers=lambda: [dict(scale=1.1)])
def check_tanh_scale(scale) -> Feedback:
    """Exercise 3: a scale ``s`` (weights :math:`\\mathcal N(0, s^2/n)`) keeping a 30-layer tanh net alive.

    Alive means: the last layer's RMS is at least 0.1 (the signal has not
    collapsed), on average at most 5% of the units are saturated, and the
    norm of the input-output Jacobian after 30 layers is within a factor 10
    of 1 (gradients neither vanish nor explode). Measured with
    :func:`dlcore.experiments.gradients.forward_signal` and ``jacobian_product`` (rng 0).
    """
    from ..experiments.gradients import forward_signal, jacobian_product

    s, bad = _number(scale, "weight scale s")
    if bad is not None:
        return bad
    if not 0 < s <= 10:
        return Feedback(False, f"choose a scale between 0 and 10, got {s:g}.")
    if s < 0.01:
        return Feedback(False, f"with s = {s:g} the signal dies: each layer multiplies it by about s near 0, "
                               f"so s^30 = {s ** 30:.2g}. Try a larger scale.")
    t = TANH_TASK
    sig = forward_signal("tanh", "scaled", depth=t["depth"], width=t["width"], scale=round(s, 6))
    jac = jacobian_product("tanh", depth=t["depth"], width=t["width"], scale=round(s, 6))
    last, sat, lj = float(sig["rms"][-1]), float(sig["saturated"].mean()), float(jac["log10_norm"][-1])
    facts = f"(last-layer RMS {last:.3g}, saturated {sat:.1%}, Jacobian norm 10^{lj:.2f})"
    if not all(np.isfinite([last, sat, lj])):
        return Feedback(False, f"with s = {s:g} the measurement is not finite {facts}; try a scale near 1.")
    if last < t["min_last_rms"]:
        return Feedback(False, f"with s = {s:g} the signal dies: each layer multiplies it by about s near 0, "
                               f"so s^30 = {s ** 30:.2g} {facts}. Try a slightly larger scale.")
    if sat > t["max_saturated"]:
        return Feedback(False, f"with s = {s:g} too many units saturate {facts}: their derivative is ~0 and the "
                               "gradient dies in them. Try a smaller scale.")
    if abs(lj) > t["max_abs_log10_jacobian"]:
        return Feedback(False, f"with s = {s:g} the gradient {'explodes' if lj > 0 else 'vanishes'} through 30 layers "
                               f"{facts}. Move the scale {'down' if lj > 0 else 'up'} a little.")
    return Feedback(True, f"s = {s:g} keeps the signal and the gradient alive {facts}. The window is narrow and sits "
                          "just above 1: tanh is linear near 0, so s = 1 preserves the variance until the curvature "
                          "starts to bite.")
