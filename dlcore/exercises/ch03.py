"""Checkers for chapter 03's exercises (activation functions)."""
from __future__ import annotations

import numpy as np

from ..activations import ACTIVATIONS, Activation, get_activation, sigmoid
from .feedback import Feedback, compare_function

__all__ = ["check_elu_derivative", "check_swish_derivative", "mystery_derivative", "check_identify",
           "check_output_activations"]

_XS = np.array([-30.0, -5.0, -2.0, -1.0, -0.5, -0.1, 0.1, 0.5, 1.0, 2.0, 5.0, 30.0])


def _values(fn):
    try:
        v = np.asarray(fn(_XS.copy()), dtype=float)
        return v if v.shape == _XS.shape else np.full_like(_XS, np.nan)
    except Exception:  # the reader's code: compare_function already reported it
        return np.full_like(_XS, np.nan)


def _need_function(fn, what):
    if fn is None:
        return Feedback(False, f"replace None with a function of a NumPy array x that returns {what}.")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {type(fn).__name__}.")
    return None


def _complex_output(fn, what):
    """A derivative of a real function is real: reject complex output (``np.asarray(..., dtype=float)``
    would silently drop the imaginary part, e.g. of ``np.exp(x + 0j)``)."""
    try:
        with np.errstate(all="ignore"):
            v = fn(_XS.copy())
    except Exception:  # the reader's code: compare_function reports it
        return None
    if np.iscomplexobj(v):
        return Feedback(False, f"{what} returned complex numbers ({np.asarray(v).dtype}); the derivative of a real "
                               "function is real: work with real arrays (no 1j, no complex dtype).")
    return None


def check_elu_derivative(fn, alpha: float = 1.0) -> Feedback:
    """``fn(x)`` must return ELU's derivative: 1 for x > 0, :math:`\\alpha e^x` otherwise."""
    bad = _need_function(fn, f"ELU's derivative (alpha={alpha:g})")
    if bad is None:
        bad = _complex_output(fn, "your ELU derivative")
    if bad is not None:
        return bad
    ref = get_activation("elu", alpha=alpha)
    with np.errstate(all="ignore"):
        fb = compare_function(f"your ELU derivative (alpha={alpha:g})", fn, ref.derivative, _XS)
        if not fb.ok:
            got = _values(fn)
            if np.allclose(got[_XS < 0], alpha * (np.exp(_XS[_XS < 0]) - 1)):
                return Feedback(False, fb.message + " For x < 0 you returned f(x) = alpha(e^x - 1) itself; "
                                       "its derivative is alpha e^x (= f(x) + alpha).")
    if fb.ok:
        return _no_overflow(fn, fb, "ELU's derivative")
    return fb


_LARGE = np.array([-1000.0, -100.0, 100.0, 710.0, 1000.0])


def _no_overflow(fn, fb, what):
    """The exercise asks to avoid overflow: call ``fn`` at |x| up to 1000 with overflow made an error
    (``np.where(x > 0, 1, np.exp(x))`` computes exp(1000) = inf before discarding it)."""
    try:
        with np.errstate(over="raise", invalid="raise", under="ignore"):
            v = np.asarray(fn(_LARGE.copy()), dtype=float)
    except FloatingPointError as e:
        return Feedback(False, f"{what} is right on [-30, 30], but at |x| up to 1000 it overflows ({e}): "
                               "np.where evaluates both branches, so exp(x) is computed for x = 1000 too. "
                               "Apply exp to np.minimum(x, 0) instead.")
    except Exception as e:  # the reader's code: report, do not crash
        return Feedback(False, f"{what} raised {type(e).__name__} at |x| up to 1000: {e}")
    if v.shape != _LARGE.shape or not np.all(np.isfinite(v)):
        return Feedback(False, f"{what} is not finite at |x| up to 1000: got {v.tolist()}.")
    return Feedback(True, fb.message + " No overflow at x = +-1000.")


def check_swish_derivative(fn, beta: float = 1.0) -> Feedback:
    """``fn(x)`` must return :math:`\\sigma(\\beta x) + \\beta x\\sigma(\\beta x)(1-\\sigma(\\beta x))`."""
    bad = _need_function(fn, f"the derivative of x*sigmoid({beta:g}x)")
    if bad is None:
        bad = _complex_output(fn, "your Swish derivative")
    if bad is not None:
        return bad
    ref = get_activation("swish", beta=beta)
    with np.errstate(all="ignore"):
        fb = compare_function(f"your Swish derivative (beta={beta:g})", fn, ref.derivative, _XS)
        if not fb.ok:
            got = _values(fn)
            if np.allclose(got, sigmoid(beta * _XS)):
                return Feedback(False, fb.message + " You returned sigmoid(beta x) only: the product rule "
                                       "also gives x times the derivative of sigmoid(beta x).")
    return fb


def mystery_derivative(n: int = 401):
    """``(x, dy)``: the derivative of the exercise's mystery function on [-6, 6] (it is softplus)."""
    x = np.linspace(-6, 6, n)
    return x, get_activation("softplus").derivative(x)


def _name_of(obj) -> str:
    """A registered activation's name for an activation object or class (``get_activation("softplus")``,
    ``Softplus``), else ``str(obj)`` lower-cased, with '-' as '_' and outer spaces stripped."""
    cls = obj if isinstance(obj, type) else type(obj)
    if isinstance(obj, Activation) or (isinstance(obj, type) and issubclass(obj, Activation)):
        if getattr(cls, "names", None) and ACTIVATIONS.get(cls.names[0]) is cls:
            return cls.names[0]
    return str(obj).lower().replace("-", "_").strip()


def check_identify(name) -> Feedback:
    """Which registered function has the derivative plotted by :func:`mystery_derivative`? ``name``: a name,
    or an activation object or class."""
    if name is None:
        return Feedback(False, "replace None with the function's name as a string, e.g. 'relu'.")
    key = _name_of(name)
    if key not in ACTIVATIONS:
        return Feedback(False, f"{name!r} is not a function this book knows; one of: "
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


def check_output_activations(choice) -> Feedback:
    """``choice`` maps ``"binary"``, ``"multiclass"``, ``"regression"`` to an output activation name."""
    if not isinstance(choice, dict):
        return Feedback(False, "give a dict like {'binary': ..., 'multiclass': ..., 'regression': ...}.")
    missing = [k for k in _OUTPUTS if choice.get(k) is None]
    if missing:
        return Feedback(False, f"fill in {', '.join(missing)} (replace None with a function name).")
    for task, (want, why) in _OUTPUTS.items():
        got = _name_of(choice[task])
        cls = ACTIVATIONS.get(got)
        if cls is None or cls is not ACTIVATIONS[want]:
            hint = ""
            if task == "regression" and got in ("relu", "softplus"):
                hint = " ReLU/softplus would forbid negative targets."
            if task == "multiclass" and got == "sigmoid":
                hint = " Independent sigmoids do not sum to 1 (that is multi-label, not multi-class)."
            if task == "binary" and got == "tanh":
                hint = " tanh's range is (-1, 1), not a probability."
            return Feedback(False, f"{task}: {choice[task]!r} is not the usual choice; the output must be {why}.{hint}")
    return Feedback(True, "sigmoid for binary, softmax for multi-class, identity for regression "
                          "(in dlcore the losses take logits and apply sigmoid/softmax themselves).")
