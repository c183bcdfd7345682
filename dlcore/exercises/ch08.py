"""Exercise checkers for chapter 08 (dropout and regularisation).

Each ``check_*`` answers any input with a :class:`~dlcore.exercises.feedback.Feedback` (``@checker``)
and names the usual slip (the factor q on the wrong side, keep and drop rate swapped, L1's sign(W)
for L2's W, ...).
"""
from __future__ import annotations

import numpy as np

from .feedback import Feedback, Reject, as_array, as_name, as_number, call_reader, checker, precision_tolerance

__all__ = ["EX_DROP_P", "EX_X", "EX_MASK", "EX_H", "EX_EVAL_P", "EX_W", "EX_DW", "EX_LAM", "CURVES", "REMEDIES",
           "check_inverted_dropout", "check_eval_activation", "check_l2_gradient", "check_regulariser_choice"]

#: E8.1: drop rate, a batch and a mask (1 = kept)
EX_DROP_P = 0.25
EX_X = np.array([[1.0, -2.0, 0.5, 3.0], [0.2, 4.0, -1.0, 2.0]])
EX_MASK = np.array([[1, 0, 1, 1], [0, 1, 1, 0]], dtype=float)
#: E8.2: a unit's output when kept, and the drop rate
EX_H, EX_EVAL_P = 2.5, 0.2
#: E8.3: weights, their loss gradient, the L2 weight
EX_W = np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 0.8]])
EX_DW = np.array([[0.1, 0.2], [-0.4, 0.05], [0.0, -0.3]])
EX_LAM = 0.01

#: E8.4: three learning curves (final training error, final validation error, what the validation loss did)
CURVES = {
    "A": {"train_err": 0.31, "val_err": 0.33, "val_loss": "falls to a plateau and stays there"},
    "B": {"train_err": 0.00, "val_err": 0.21, "val_loss": "falls, then rises steadily from epoch 20 to 150"},
    "C": {"train_err": 0.00, "val_err": 0.05, "val_loss": "falls, then stays within its noise"},
}
#: E8.4: what to do for each curve
REMEDIES = ("more capacity", "regularise", "nothing")
_RIGHT = {"A": "more capacity", "B": "regularise", "C": "nothing"}
_ALIASES = {"bigger model": "more capacity", "bigger net": "more capacity", "wider": "more capacity",
            "less regularisation": "more capacity", "regularize": "regularise", "dropout": "regularise",
            "l2": "regularise", "weight decay": "regularise", "early stopping": "regularise",
            "more data": "regularise", "augmentation": "regularise", "none": "nothing", "keep": "nothing",
            "train longer": "more capacity", "more training": "more capacity"}


def _inverted(x, m, p):
    return x * m / (1 - p)


#: tolerance of the array checkers: an answer computed in float32 (as every net of the chapter is) is
#: right to about 1e-7 relative; a slip is off by a factor
_RTOL, _ATOL = 1e-5, 1e-8


def _close(got, want) -> bool:
    return bool(np.allclose(got, want, rtol=_RTOL, atol=_ATOL))


def _rounding_note(got, want) -> str:
    """`` (right up to float32 rounding)`` when ``got`` is right but not to float64 precision."""
    return "" if np.allclose(got, want, rtol=1e-12, atol=1e-14) else " (right up to float32 rounding)"


@checker(answers=lambda: [dict(fn=lambda x, mask, p: x * mask / (1 - p))])
def check_inverted_dropout(fn) -> Feedback:
    """``fn(x, mask, p)``: the training-mode output of inverted dropout with drop rate ``p`` and the
    given 0/1 ``mask`` (1 = kept), checked on ``EX_X``, ``EX_MASK``, ``EX_DROP_P`` and on a second case."""
    if fn is None:
        return Feedback(False, "Replace None with your function inverted_dropout(x, mask, p).")
    note = ""
    cases = [(EX_X, EX_MASK, EX_DROP_P), (np.full((3, 5), 2.0), (np.arange(15).reshape(3, 5) % 3 > 0) * 1.0, 0.6)]
    for x, m, p in cases:
        try:
            got = as_array(call_reader(fn, x.copy(), m.copy(), p, what="your inverted_dropout"),
                           "what your function returned", shape=x.shape)
        except Reject as r:
            return Feedback(False, r.message)
        want = _inverted(x, m, p)
        if _close(got, want):
            note = note or _rounding_note(got, want)
            continue
        q = 1 - p
        slips = {"the kept entries are not scaled: inverted dropout divides them by the keep probability "
                 "q = 1 − p, so that E[y] = x in training and the layer is the identity at evaluation": x * m,
                 "you multiplied by q: that is the *evaluation* rule of the original (non-inverted) dropout; "
                 "in inverted dropout training divides by q": x * m * q,
                 "you divided by p, the drop rate: divide by the keep probability q = 1 − p": x * m / p,
                 "you used 1 − mask: the mask is 1 where a unit is kept": x * (1 - m) / q,
                 "the dropped entries must be 0; only the kept ones are scaled": x / q}
        for msg, val in slips.items():
            if _close(got, val):
                return Feedback(False, f"With p = {p:g}: {msg}.")
        i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
        return Feedback(False, f"With p = {p:g}, entry {tuple(int(k) for k in i)}: x = {x[i]:g}, mask = {m[i]:g}, "
                               f"expected {want[i]:.10g}, your function gave {got[i]:.10g} "
                               f"(difference {got[i] - want[i]:.3g}).")
    return Feedback(True, "y = x ⊙ m / (1 − p): E[y] = x, so evaluation uses the layer as the identity" + note + ".")


@checker(answers=lambda: [dict(classic_eval=2.0, inverted_kept=3.125, inverted_eval=2.5),
                          dict(classic_eval=2, inverted_kept=3.13, inverted_eval=2.50)])
def check_eval_activation(classic_eval, inverted_kept, inverted_eval) -> Feedback:
    """A unit computes ``EX_H`` (before dropout); drop rate ``EX_EVAL_P``. Give: the original dropout's output
    at evaluation, inverted dropout's training output when the unit is kept, and its output at evaluation."""
    h, p = EX_H, EX_EVAL_P
    q = 1 - p
    vals = {}
    for name, v in (("classic_eval", classic_eval), ("inverted_kept", inverted_kept), ("inverted_eval", inverted_eval)):
        if v is None:
            return Feedback(False, f"Replace None in {name} with a number.")
        vals[name] = as_number(v, name)
    tol = lambda want: precision_tolerance(want, sig=3)       # noqa: E731
    c, k, e = vals["classic_eval"], vals["inverted_kept"], vals["inverted_eval"]
    if abs(c - q * h) > tol(q * h):
        if abs(c - h / q) <= tol(h / q):
            return Feedback(False, f"classic_eval: {c:g} is h / q. The original dropout leaves kept units unscaled in "
                                   f"training, so their average output is q·h; at evaluation it multiplies by q = {q:g}.")
        if abs(c - h) <= tol(h):
            return Feedback(False, "classic_eval: without the factor q the evaluation output is larger than the "
                                   "training output's average q·h; the original dropout multiplies by q at test time.")
        if abs(c - p * h) <= tol(p * h):
            return Feedback(False, f"classic_eval: {c:g} is p·h; the factor is the keep probability q = 1 − p = {q:g}.")
        return Feedback(False, f"classic_eval: {c:g} is not it. In training the unit gives h with probability q "
                               "and 0 otherwise: what is its average?")
    if abs(k - h / q) > tol(h / q):
        if abs(k - h) <= tol(h):
            return Feedback(False, "inverted_kept: inverted dropout scales the kept units in training, by 1/q.")
        if abs(k - h / p) <= tol(h / p):
            return Feedback(False, f"inverted_kept: {k:g} is h / p; divide by the keep probability q = {q:g}.")
        if abs(k - q * h) <= tol(q * h):
            return Feedback(False, f"inverted_kept: {k:g} is q·h, the original dropout's factor at evaluation; "
                                   "inverted dropout *divides* the kept units by q in training.")
        return Feedback(False, f"inverted_kept: {k:g} is not h/q = {h:g}/{q:g} (to 3 significant figures).")
    if abs(e - h) > tol(h):
        return Feedback(False, f"inverted_eval: inverted dropout is the identity at evaluation (its training "
                               f"output averages q · h/q = h), so the output is h = {h:g}.")
    return Feedback(True, f"Original dropout: {h:g} or 0 in training (mean {q * h:g}), {q * h:g} at evaluation. "
                          f"Inverted: {h / q:g} or 0 in training (mean {h:g}), {h:g} at evaluation. Same mean, "
                          "the factor q only moves between the phases.")


@checker(answers=lambda: [dict(fn=lambda W, dW, lam: dW + lam * W)])
def check_l2_gradient(fn) -> Feedback:
    """``fn(W, dW, lam)``: the gradient of ``L + lam/2 * sum(W**2)`` given ``dW`` = dL/dW."""
    if fn is None:
        return Feedback(False, "Replace None with your function l2_gradient(W, dW, lam).")
    W, dW, lam = EX_W, EX_DW, EX_LAM
    try:
        got = as_array(call_reader(fn, W.copy(), dW.copy(), lam, what="your l2_gradient"),
                       "what your function returned", shape=W.shape)
    except Reject as r:
        return Feedback(False, r.message)
    want = dW + lam * W
    if _close(got, want):
        return Feedback(True, "dW + λW" + _rounding_note(got, want) + ": with plain SGD the step "
                              "W − η(dW + λW) = (1 − ηλ)W − η dW shrinks every "
                              "weight by the same factor, which is why L2 is also called weight decay.")
    slips = {"that is 2λW: the gradient of λ·ΣW²; the penalty here is λ/2·ΣW², whose gradient is λW": dW + 2 * lam * W,
             "that is the L1 penalty's gradient, λ·sign(W); L2's is λW": dW + lam * np.sign(W),
             "the sign is wrong: the penalty's gradient λW is *added* (the step then shrinks W)": dW - lam * W,
             "the loss gradient dW is missing: return dL/dW + λW": lam * W,
             "the penalty's gradient is missing: add λW": dW,
             "you multiplied dW by λ: the penalty adds λW to dW": lam * dW + W}
    for msg, val in slips.items():
        if _close(got, val):
            return Feedback(False, msg + ".")
    return Feedback(False, f"not dW + λW: the largest difference from it is {np.max(np.abs(got - want)):.3g}.")


@checker(answers=lambda: [dict(A="more capacity", B="regularise", C="nothing"),
                          dict(A="bigger model", B="dropout", C="none")])
def check_regulariser_choice(A, B, C) -> Feedback:
    """For each learning curve of ``CURVES`` name what to do, one of ``REMEDIES``: ``"more capacity"``,
    ``"regularise"`` (a penalty, dropout, early stopping, more data...) or ``"nothing"``."""
    given = {}
    for key, v in (("A", A), ("B", B), ("C", C)):
        if v is None or (isinstance(v, str) and v.strip() == "None"):   # "None": str(None), not an answer
            return Feedback(False, f"Replace None in {key} with one of {list(REMEDIES)}.")
        given[key] = as_name(v, REMEDIES, what=key, aliases=_ALIASES)
    why = {"A": "training error 0.31 and validation 0.33: the net does not even fit its training data (high bias); "
                "a regulariser would make that worse; give it more capacity (or less regularisation, more training)",
           "B": "training error 0 and validation 0.21 with a rising validation loss: it fits the training set, "
                "noise included, and generalises badly (high variance): regularise (dropout, L2, early stopping, "
                "more or augmented data)",
           "C": "training error 0, validation 0.05 and a flat validation loss: a small gap and nothing getting worse; "
                "a regulariser might gain a little, but nothing here calls for one"}
    wrong = [k for k in "ABC" if given[k] != _RIGHT[k]]
    if wrong:
        return Feedback(False, " ".join(f"Curve {k}: {why[k]}." for k in wrong))
    return Feedback(True, " ".join(f"{k}: {why[k]}." for k in "ABC"))
