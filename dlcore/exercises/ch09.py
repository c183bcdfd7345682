"""Exercise checkers for chapter 09 (internal covariate shift, measured).

Each ``check_*`` answers any input with a :class:`~dlcore.exercises.feedback.Feedback` (``@checker``)
and names the usual slip, e.g. "that is the difference of the means: W1 compares whole distributions".
"""
from __future__ import annotations

import numpy as np

from ..noisy_norm import wasserstein1
from .feedback import Feedback, as_name, as_number, checker, precision_tolerance

__all__ = ["EX_A", "EX_B", "EX_ETAS", "EX_NETS", "EX_G", "EX_G2", "EX_BN", "check_w1", "check_smoother",
           "check_grad_shift", "check_bn_scale"]

#: E9.1: one unit's input on the same five probe examples at two training steps
EX_A = (0.2, 1.4, -0.6, 0.9, 2.1)
EX_B = (1.5, -1.0, 0.9, 0.7, 3.0)
#: E9.2: step sizes, and for each net the gradient norm and the gradient changes at those steps
EX_ETAS = (0.1, 0.2, 0.4)
EX_NETS = {"A": {"gnorm": 0.5, "gdiff": (0.20, 0.45, 1.0)}, "B": {"gnorm": 4.0, "gdiff": (0.6, 1.3, 2.8)}}
#: E9.3: a layer's gradient before (G) and after (G') the earlier layers took their step
EX_G = (3.0, 0.0, 4.0)
EX_G2 = (2.0, 2.0, 4.0)
#: E9.4: a weight layer followed by BN (eps -> 0): |W_t|, |grad L(W_t)|, the SGD rate, and the factor c
EX_BN = {"wnorm": 2.0, "gnorm": 0.5, "eta": 0.1, "c": 4.0}


def _none(value, what):
    return Feedback(False, f"Replace None with {what}.") if value is None else None


def _close(got, value, sig=2):
    return abs(got - value) <= precision_tolerance(value, sig=sig)


@checker(answers=lambda: [dict(value=float(wasserstein1(EX_A, EX_B))), dict(value=0.38)])
def check_w1(value) -> Feedback:
    """W1 between the empirical distributions of ``EX_A`` and ``EX_B`` (two significant figures)."""
    if (fb := _none(value, "your W1 distance (a number)")) is not None:
        return fb
    v = as_number(value, "your distance")
    a, b = np.array(EX_A), np.array(EX_B)
    right = float(wasserstein1(a, b))
    if _close(v, right):
        return Feedback(True, f"W1 = mean |a_(k) − b_(k)| over the sorted values = {right:.2f}: the average "
                              "distance each unit of probability mass moves.")
    slips = {"that is the difference of the means: W1 compares whole distributions (sort both, pair them up)":
             abs(a.mean() - b.mean()),
             "you paired the values in the order given: sort each sample first (the examples' identities do "
             "not matter to a distribution)": np.abs(a - b).mean(),
             "you summed the sorted differences: W1 is their mean": np.abs(np.sort(a) - np.sort(b)).sum(),
             "that is the largest sorted difference: W1 averages them": np.abs(np.sort(a) - np.sort(b)).max(),
             "that is the difference of the standard deviations": abs(a.std() - b.std())}
    for msg, val in slips.items():
        if _close(v, val):
            return Feedback(False, msg + ".")
    if _close(v, right, 1) and float(f"{v:.1g}") == v:
        return Feedback(False, f"{v:g} is right to one significant figure; give two.")
    return Feedback(False, f"{v:.3g} is {'too large' if v > right else 'too small'}. Sort both samples, take "
                           "the absolute difference of the k-th smallest values, and average.")


def _betas():
    e = np.array(EX_ETAS)
    return {k: np.array(n["gdiff"]) / (e * n["gnorm"]) for k, n in EX_NETS.items()}


@checker(answers=lambda: [dict(smoother="B", beta=1.75), dict(smoother="b", beta=1.8)])
def check_smoother(smoother, beta) -> Feedback:
    """Which net of ``EX_NETS`` is smoother along its gradient ("A" or "B"), and its effective beta
    (the largest gradient change per unit distance moved, two significant figures)."""
    for val, what in ((smoother, 'the name of the smoother net ("A" or "B")'), (beta, "its effective β (a number)")):
        if (fb := _none(val, what)) is not None:
            return fb
    name = as_name(smoother, ["A", "B"], "smoother net")
    b = as_number(beta, "effective β")
    betas = _betas()
    e = np.array(EX_ETAS)
    if name == "A":
        return Feedback(False, "net A's gradient changes less in absolute terms, but it also moves less: its "
                               "gradient is 8 times shorter, so a step η moves it only η‖g‖. Divide each "
                               "gradient change by the distance moved, η‖g‖, before comparing.")
    right = float(betas["B"].max())
    if _close(b, right):
        return Feedback(True, f"B: effective β = max ‖Δ∇L‖ / (η‖g‖) = {right:.3g}, against {betas['A'].max():.3g} "
                              "for A. B's gradient is the better guide for a long step.")
    slips = {"that is A's effective β, the rougher net's": betas["A"].max(),
             "you divided by η only: the distance moved is η‖g‖": (np.array(EX_NETS["B"]["gdiff"]) / e).max(),
             "that is the smallest ratio: the effective β is the largest (the worst case over the steps)":
                 betas["B"].min(),
             "you did not divide at all: that is the largest raw gradient change": max(EX_NETS["B"]["gdiff"])}
    for msg, val in slips.items():
        if _close(b, val):
            return Feedback(False, f"B is right, but the β: {msg}.")
    return Feedback(False, f"B is right; β = {b:.3g} is not: take ‖Δ∇L‖ / (η‖g‖) at each η and keep the largest.")


def _shift():
    g, g2 = np.array(EX_G), np.array(EX_G2)
    return float(g @ g2 / (np.linalg.norm(g) * np.linalg.norm(g2))), float(np.linalg.norm(g - g2) / np.linalg.norm(g))


@checker(answers=lambda: [dict(cos=_shift()[0], rel=_shift()[1]), dict(cos=0.898, rel=0.447)])
def check_grad_shift(cos, rel) -> Feedback:
    """:math:`\\cos(G, G')` and :math:`\\lVert G - G'\\rVert / \\lVert G\\rVert` for ``EX_G`` and ``EX_G2``
    (three significant figures)."""
    for val, what in ((cos, "the cosine (a number)"), (rel, "the relative change (a number)")):
        if (fb := _none(val, what)) is not None:
            return fb
    c, r = as_number(cos, "cos"), as_number(rel, "relative change")
    g, g2 = np.array(EX_G), np.array(EX_G2)
    rc, rr = _shift()
    if _close(c, rr, 3) and _close(r, rc, 3):
        return Feedback(False, "you swapped them: the cosine is the first answer, the relative change the second.")
    msgs = []
    if not _close(c, rc, 3):
        if _close(c, float(g @ g2), 3):
            msgs.append("your cosine is the dot product G·G′: divide by ‖G‖ ‖G′‖")
        elif _close(c, 1 - rc, 3):
            msgs.append("that is 1 − cos, the cosine distance; the cosine itself is asked")
        elif c > 1 or c < -1:
            msgs.append("a cosine lies in [−1, 1]")
        elif _close(c, rc, 2) and float(f"{c:.2g}") == c:
            msgs.append(f"cos = {c:g} is right to two significant figures; give three")
        else:
            msgs.append(f"cos = {c:.3g} is off: G·G′ / (‖G‖ ‖G′‖)")
    if not _close(r, rr, 3):
        if _close(r, float(np.linalg.norm(g - g2) / np.linalg.norm(g2)), 3):
            msgs.append("you divided by ‖G′‖: the change is relative to the gradient before, ‖G‖")
        elif _close(r, float(np.sum((g - g2) ** 2) / np.linalg.norm(g)), 3):
            msgs.append("you used the squared norm of G − G′: take its square root")
        elif _close(r, float(np.linalg.norm(g - g2)), 3):
            msgs.append("that is ‖G − G′‖ itself: divide by ‖G‖")
        elif _close(r, rr, 2) and float(f"{r:.2g}") == r:
            msgs.append(f"the relative change {r:g} is right to two significant figures; give three")
        else:
            msgs.append(f"the relative change {r:.3g} is off: ‖G − G′‖ / ‖G‖")
    if msgs:
        return Feedback(False, "; ".join(msgs) + ".")
    return Feedback(True, f"cos = {rc:.3f}, ‖G − G′‖/‖G‖ = {rr:.3f}: the gradient kept its direction to "
                          f"{np.degrees(np.arccos(rc)):.0f}°, and changed by {100 * rr:.0f} % of its length.")


def _bn_scale():
    w, g, eta, c = (EX_BN[k] for k in ("wnorm", "gnorm", "eta", "c"))
    return g / c, float(np.sqrt(w ** 2 + eta ** 2 * g ** 2)), eta / w ** 2, eta / (c * w) ** 2


def _named_slip(v, right, slips: dict, part: str) -> str | None:
    """The message of the first slip in ``slips`` (message -> the value it gives) that ``v`` matches to two
    significant figures, or a request for the third when ``v`` is ``right`` rounded to two; else None."""
    for msg, val in slips.items():
        if _close(v, val, 2):
            return f"({part}) {msg}"
    if _close(v, right, 2) and float(f"{v:.2g}") == v:
        return f"({part}) {v:g} is right to two significant figures; give three"
    return None


def _bn_grad(v, right, w, g, eta, c):
    if _close(v, right, 3):
        return None
    slips = {"you multiplied by c: larger weights get a *smaller* gradient, ∇L(cW) = ∇L(W)/c": g * c,
             "you multiplied by c²: the gradient scales as 1/c": g * c * c,
             "you divided by c²: that is how the effective learning rate scales; the gradient scales as 1/c":
                 g / c ** 2,
             "the loss is unchanged, its gradient is not: differentiate L(cW) = L(W) in W, "
             "c ∇L(cW) = ∇L(W)": g}
    return _named_slip(v, right, slips, "a") or f"(a) {v:.3g} is off: ‖∇L(cW)‖ = ‖∇L(W)‖/c"


def _bn_norm(v, right, w, g, eta, c):
    if abs(v - right) <= precision_tolerance(right, decimals=4):
        return None
    slips = {"you added the lengths ‖W‖ + η‖g‖, as if W and g were parallel: they are orthogonal "
             "(W·∇L = 0), so the squares add, ‖W‖² + η²‖g‖²": w + eta * g,
             "you subtracted η‖g‖, as if the step pointed along W towards 0: g ⟂ W, so every step "
             "lengthens W (Pythagoras)": w - eta * g,
             "you added η‖g‖, the step's length, to ‖W‖²: Pythagoras adds squared lengths, η²‖g‖²":
                 np.sqrt(w ** 2 + eta * g),
             "you squared ‖g‖ but not η: the step is ηg, its squared length η²‖g‖²": np.sqrt(w ** 2 + eta * g ** 2),
             "you squared η but not ‖g‖: the step is ηg, its squared length η²‖g‖²": np.sqrt(w ** 2 + eta ** 2 * g),
             "that is ‖W_{t+1}‖²: take the square root": right ** 2,
             "you added η²‖g‖² to ‖W‖, not to ‖W‖²: Pythagoras adds squared lengths": w + eta ** 2 * g ** 2}
    for msg, val in slips.items():
        if abs(v - val) <= precision_tolerance(val, decimals=4):
            return f"(b) {msg}"
    if abs(v - w) <= precision_tolerance(w, decimals=4):
        return ("(b) to first order in η the norm does not change, but exactly it grows: ‖W_{t+1}‖² = "
                "‖W‖² + η²‖g‖²; give four decimals")
    if abs(v - right) <= precision_tolerance(right, decimals=3) and float(f"{v:.3f}") == v:
        return f"(b) {v:g} is right to three decimals; give four"
    return f"(b) {v:.5g} is off: ‖W_{{t+1}}‖² = ‖W_t‖² + η²‖g‖² since g ⟂ W"


def _bn_lr(v, right, part, wn, eta, c):
    """``wn`` is the norm of the weights in this part (‖W‖ before, ‖cW‖ after)."""
    if _close(v, right, 3):
        return None
    slips = {f"you divided η by ‖W‖ = {wn:g}, not by ‖W‖²": eta / wn,
             "you multiplied η by ‖W‖²: the effective rate is η/‖W‖²": eta * wn ** 2,
             "that is η itself: the rate at which the direction W/‖W‖ turns is η/‖W‖²": eta}
    if part == "after":
        w = wn / c
        slips = {"you divided by c instead of c²: the effective rate η/‖W‖² falls as 1/c², "
                 "because ‖cW‖² = c²‖W‖²": eta / (c * w ** 2),
                 "you multiplied by c² instead of dividing: larger weights turn *more slowly*":
                     eta * c ** 2 / w ** 2,
                 "that is the rate before scaling: the loss is the same at cW, the effective rate is not "
                 "(the gradient is c times shorter, W is c times longer)": eta / w ** 2, **slips}
    return (_named_slip(v, right, slips, f"c, {part}")
            or f"(c, {part}) {v:.3g} is off: η/‖W‖² with the norm of the weights {part} scaling")


@checker(answers=lambda: [dict(grad=_bn_scale()[0], norm=_bn_scale()[1], lr_before=_bn_scale()[2],
                               lr_after=_bn_scale()[3]),
                          dict(grad=0.125, norm=2.0006, lr_before=0.025, lr_after=0.00156)])
def check_bn_scale(grad, norm, lr_before, lr_after) -> Feedback:
    """E9.4 with ``EX_BN`` (BN after the layer, eps -> 0): (a) ‖∇L(cW)‖, (b) ‖W_{t+1}‖ after one SGD step
    from W_t (four decimals), (c) the effective learning rate η/‖W‖² before and after scaling by c
    ((a) and (c) to three significant figures)."""
    for val, what in ((grad, "(a) the gradient norm at cW (a number)"), (norm, "(b) ‖W_{t+1}‖ (a number)"),
                      (lr_before, "(c) the effective rate before scaling (a number)"),
                      (lr_after, "(c) the effective rate after scaling (a number)")):
        if (fb := _none(val, what)) is not None:
            return fb
    a, b = as_number(grad, "gradient norm"), as_number(norm, "‖W_{t+1}‖")
    lb, la = as_number(lr_before, "effective rate before"), as_number(lr_after, "effective rate after")
    w, g, eta, c = (EX_BN[k] for k in ("wnorm", "gnorm", "eta", "c"))
    ra, rb, rlb, rla = _bn_scale()
    msgs = [m for m in (_bn_grad(a, ra, w, g, eta, c), _bn_norm(b, rb, w, g, eta, c),
                        _bn_lr(lb, rlb, "before", w, eta, c), _bn_lr(la, rla, "after", c * w, eta, c)) if m]
    if msgs:
        return Feedback(False, "; ".join(msgs) + ".")
    return Feedback(True, f"‖∇L(cW)‖ = {ra:.3g}, ‖W_{{t+1}}‖ = {rb:.7g} (‖W‖² grew by η²‖g‖² = "
                          f"{eta ** 2 * g ** 2:g}), effective rate {rlb:.3g} -> {rla:.3g}: c² = {c * c:g} times "
                          "smaller. Scaling the weights before BN changes that layer's learning rate, not the "
                          "function.")
