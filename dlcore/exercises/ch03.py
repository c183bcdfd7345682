"""Checkers for chapter 03's exercises (activation functions)."""
from __future__ import annotations

import numpy as np

from ..activations import ACTIVATIONS, Activation, get_activation, sigmoid
from .feedback import (Feedback, Reject, as_array, as_number, call_reader, checker, compare_values, describe,
                       run_reader)
from .reader import timeout_message

__all__ = ["check_elu_derivative", "check_swish_derivative", "mystery_derivative", "check_identify",
           "check_output_activations"]

_XS = np.array([-30.0, -5.0, -2.0, -1.0, -0.5, -0.1, 0.1, 0.5, 1.0, 2.0, 5.0, 30.0])


def _need_function(fn, what):
    if fn is None:
        return Feedback(False, f"replace None with a function of a NumPy array x that returns {what}.")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {describe(fn)}.")
    return None


def _setting(value, what, lo, hi) -> float:
    """A checker's setting (alpha, beta): one finite number in [lo, hi], else Reject."""
    v = as_number(value, what)
    if not lo <= v <= hi:
        raise Reject(f"{what} must be between {lo:g} and {hi:g}, got {v:g}.")
    return v


def _call_once(fn, what):
    """The reader's ``fn`` at the test points, called once (under the time limit): ``(raw, values)``
    where ``values`` is a float array of the test points' shape or None. Complex output is refused:
    the derivative of a real function is real (``np.asarray(..., dtype=float)`` would silently drop
    the imaginary part, e.g. of ``np.exp(x + 0j)``)."""
    raw = call_reader(fn, _XS.copy(), what=what)
    try:
        cplx = isinstance(raw, complex) or np.iscomplexobj(raw)
    except Exception:  # a ragged list, an object with a broken __array__: as_array explains below
        cplx = False
    if cplx:
        raise Reject(f"{what} returned complex numbers ({np.asarray(raw).dtype}); the derivative of a real "
                     "function is real: work with real arrays (no 1j, no complex dtype).")
    try:
        v = as_array(raw, what, finite=False)
    except Reject:
        return raw, None
    return raw, (v if v.shape == _XS.shape else None)


def _close(values, target, mask=slice(None)) -> bool:
    return values is not None and bool(np.allclose(values[mask], target[mask]))


@checker(answers=lambda: [dict(fn=lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))), alpha=1.0),
                          dict(fn=lambda x: np.where(x > 0, 1.0, 2 * np.exp(np.minimum(x, 0))), alpha=2.0)])
def check_elu_derivative(fn, alpha: float = 1.0) -> Feedback:
    """``fn(x)`` must return ELU's derivative: 1 for x > 0, :math:`\\alpha e^x` otherwise."""
    alpha = _setting(alpha, "alpha", 0.0, 100.0)
    bad = _need_function(fn, f"ELU's derivative (alpha={alpha:g})")
    if bad is not None:
        return bad
    what = f"your ELU derivative (alpha={alpha:g})"
    raw, got = _call_once(fn, "your ELU derivative")
    ref = get_activation("elu", alpha=alpha)
    fb = compare_values(what, _XS, raw, ref.derivative(_XS))
    if not fb.ok:
        neg = _XS < 0
        if _close(got, alpha * (np.exp(_XS) - 1), neg):
            return Feedback(False, fb.message + " For x < 0 you returned f(x) = alpha(e^x - 1) itself; "
                                   "its derivative is alpha e^x (= f(x) + alpha).")
        return fb
    return _no_overflow(fn, fb, "ELU's derivative")


_LARGE = np.array([-1000.0, -100.0, 100.0, 710.0, 1000.0])


def _no_overflow(fn, fb, what):
    """The exercise asks to avoid overflow: call ``fn`` at |x| up to 1000 with overflow made an error
    (``np.where(x > 0, 1, np.exp(x))`` computes exp(1000) = inf before discarding it)."""
    out = run_reader(fn, _LARGE.copy(), errstate={"over": "raise", "invalid": "raise", "under": "ignore"})
    if out.status == "raised" and isinstance(out.error, FloatingPointError):
        return Feedback(False, f"{what} is right on [-30, 30], but at |x| up to 1000 it overflows ({out.error}): "
                               "np.where evaluates both branches, so exp(x) is computed for x = 1000 too. "
                               "Apply exp to np.minimum(x, 0) instead.")
    if out.status == "raised":
        return Feedback(False, f"{what} raised {type(out.error).__name__} at |x| up to 1000: {out.error}")
    if out.status == "timeout":
        return Feedback(False, timeout_message(f"{what} at |x| up to 1000"))
    try:
        v = as_array(out.value, f"{what} at |x| up to 1000", shape=_LARGE.shape, finite=False)
    except Reject as r:
        return Feedback(False, r.message)
    if not np.all(np.isfinite(v)):
        return Feedback(False, f"{what} is not finite at |x| up to 1000: got {v.tolist()}.")
    return Feedback(True, fb.message + " No overflow at x = +-1000.")


def _right_dswish(x, beta=1.0):
    s = 1 / (1 + np.exp(-beta * x))
    return s + beta * x * s * (1 - s)


@checker(answers=lambda: [dict(fn=_right_dswish, beta=1.0), dict(fn=lambda x: _right_dswish(x, 2.0), beta=2.0)])
def check_swish_derivative(fn, beta: float = 1.0) -> Feedback:
    """``fn(x)`` must return :math:`\\sigma(\\beta x) + \\beta x\\sigma(\\beta x)(1-\\sigma(\\beta x))`."""
    beta = _setting(beta, "beta", -100.0, 100.0)
    bad = _need_function(fn, f"the derivative of x*sigmoid({beta:g}x)")
    if bad is not None:
        return bad
    raw, got = _call_once(fn, "your Swish derivative")
    ref = get_activation("swish", beta=beta)
    fb = compare_values(f"your Swish derivative (beta={beta:g})", _XS, raw, ref.derivative(_XS))
    if not fb.ok and _close(got, sigmoid(beta * _XS)):
        return Feedback(False, fb.message + " You returned sigmoid(beta x) only: the product rule "
                               "also gives x times the derivative of sigmoid(beta x).")
    return fb


def mystery_derivative(n: int = 401):
    """``(x, dy)``: the derivative of the exercise's mystery function on [-6, 6] (it is softplus)."""
    x = np.linspace(-6, 6, n)
    return x, get_activation("softplus").derivative(x)


def _name_of(obj) -> str | None:
    """A registered activation's name for an activation object or class (``get_activation("softplus")``,
    ``Softplus``); a string lower-cased, with '-' as '_' and outer spaces stripped; else None."""
    cls = obj if isinstance(obj, type) else type(obj)
    if isinstance(obj, Activation) or (isinstance(obj, type) and issubclass(obj, Activation)):
        if getattr(cls, "names", None) and ACTIVATIONS.get(cls.names[0]) is cls:
            return cls.names[0]
    if isinstance(obj, str):
        return obj.lower().replace("-", "_").strip()
    return None


def _shown(obj) -> str:
    return repr(obj) if isinstance(obj, str) and len(obj) <= 60 else describe(obj)


@checker(answers=lambda: [dict(name="softplus"), dict(name=" SoftPlus "), dict(name=get_activation("softplus"))])
def check_identify(name) -> Feedback:
    """Which registered function has the derivative plotted by :func:`mystery_derivative`? ``name``: a name,
    or an activation object or class."""
    if name is None:
        return Feedback(False, "replace None with the function's name as a string, e.g. 'relu'.")
    key = _name_of(name)
    if key is None:
        return Feedback(False, f"expected the function's name as a string (e.g. 'relu') or an activation, "
                               f"got {describe(name)}.")
    if key not in ACTIVATIONS:
        return Feedback(False, f"{_shown(name)} is not a function this book knows; one of: "
                               f"{', '.join(sorted({c.names[0] for c in ACTIVATIONS.values()}))}.")
    x, target = mystery_derivative()
    act = get_activation(key, rng=0) if key == "rrelu" else get_activation(key)
    if ACTIVATIONS[key] is ACTIVATIONS["softplus"]:
        return Feedback(True, "softplus: its derivative is the sigmoid, smooth, from 0 to 1, equal to 1/2 at 0.")
    d = act.derivative(x)
    if ACTIVATIONS[key] is ACTIVATIONS["sigmoid"]:
        return Feedback(False, "the plotted curve has the sigmoid's SHAPE, but it is a derivative: which function "
                               "has sigmoid(x) as its derivative?")
    k = int(np.argmax(np.abs(d - target)))
    return Feedback(False, f"{key}'s derivative differs from the plot by {abs(d[k] - target[k]):.2g} at "
                           f"x={x[k]:.2f} ({d[k]:.3g} instead of {target[k]:.3g}). Look at f'(0) and the limits.")


_OUTPUTS = {"binary": ("sigmoid", "one probability in (0, 1), trained with binary cross-entropy"),
            "multiclass": ("softmax", "K probabilities that sum to 1, trained with cross-entropy"),
            "regression": ("identity", "any real number: no squashing (the identity, 'linear')")}


@checker(answers=lambda: [dict(choice={"binary": "sigmoid", "multiclass": "softmax", "regression": "identity"}),
                          dict(choice={"binary": "sigmoid ", "multiclass": " Softmax", "regression": "linear"})])
def check_output_activations(choice) -> Feedback:
    """``choice`` maps ``"binary"``, ``"multiclass"``, ``"regression"`` to an output activation name."""
    if not isinstance(choice, dict):
        return Feedback(False, "give a dict like {'binary': ..., 'multiclass': ..., 'regression': ...}, "
                               f"got {describe(choice)}.")
    missing = [k for k in _OUTPUTS if choice.get(k) is None]
    if missing:
        return Feedback(False, f"fill in {', '.join(missing)} (replace None with a function name).")
    for task, (want, why) in _OUTPUTS.items():
        got = _name_of(choice[task])
        cls = ACTIVATIONS.get(got) if got is not None else None
        if cls is None or cls is not ACTIVATIONS[want]:
            hint = ""
            if task == "regression" and got in ("relu", "softplus"):
                hint = " ReLU/softplus would forbid negative targets."
            if task == "multiclass" and got == "sigmoid":
                hint = " Independent sigmoids do not sum to 1 (that is multi-label, not multi-class)."
            if task == "binary" and got == "tanh":
                hint = " tanh's range is (-1, 1), not a probability."
            return Feedback(False, f"{task}: {_shown(choice[task])} is not the usual choice; the output must be {why}.{hint}")
    return Feedback(True, "sigmoid for binary, softmax for multi-class, identity for regression "
                          "(in dlcore the losses take logits and apply sigmoid/softmax themselves).")
