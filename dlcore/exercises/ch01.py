"""Exercise checkers for chapter 01 (backprop by hand, gradient checking).

Pen-and-paper answers are accepted at the precision the exercise asks for (``DIGITS``: an answer
correctly rounded to that many significant figures passes, and so does any more precise one).
Every checker answers any input with feedback, never with a traceback.
"""
from __future__ import annotations

import functools

import numpy as np

from ..activations.basic import sigmoid
from ..experiments import backprop as ex
from ..gradcheck import numerical_gradient, rel_error
from .feedback import Feedback, compare_function, compare_scalar, precision_tolerance

__all__ = ["DIGITS", "check_output", "check_partial", "check_updated_weight", "check_sigmoid_derivative",
           "check_linear_backward"]

_PLACEHOLDER = "Replace None with your answer (a number)."
#: significant figures each pen-and-paper exercise asks for
DIGITS = {"check_output": 4, "check_partial": 4, "check_updated_weight": 4}


def _answers_anything(fn):
    """A checker that turns any unexpected input into feedback instead of an exception."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # the reader's input: explain, never crash the notebook
            return Feedback(False, f"could not check this answer ({type(e).__name__}: {e}); "
                                   "give a plain number (or a function, where one is asked for).")
    return wrapper


def _number(value):
    """``value`` as a float if it is one number (a one-element list or array counts), else None."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
        return None
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(a.ravel()[0]) if a.size == 1 and np.isfinite(a).all() else None


def _near(value, target, sig) -> bool:
    return value is not None and abs(value - target) <= float(precision_tolerance(target, sig=sig))


def _name(name, table) -> str | None:
    return name if isinstance(name, str) and name in table else None


@_answers_anything
def check_output(name: str, value) -> Feedback:
    """Your hand-computed forward value (4 significant figures or more): ``name`` in out_h1, out_h2,
    out_o1, out_o2, net_o2, E_total."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    f = ex.forward_trace()
    table = {"out_h1": f["out_h"][0], "out_h2": f["out_h"][1], "out_o1": f["out_o"][0],
             "out_o2": f["out_o"][1], "E_total": f["E_total"], "net_o2": f["net_o"][1]}
    if _name(name, table) is None:
        return Feedback(False, f"unknown quantity {name!r}; choose from {sorted(table)}.")
    sig = DIGITS["check_output"]
    fb = compare_scalar(name, value, float(table[name]), sig=sig)
    v = _number(value)
    if fb or v is None:
        return fb
    if name.startswith("out_"):
        z = float(f["net_" + name[4]][int(name[-1]) - 1])
        if _near(v, z, sig):
            return Feedback(False, f"{name}: that is the net input; apply the sigmoid to it.")
        if _near(v, 1 / (1 + np.exp(z)), sig):
            return Feedback(False, f"{name}: you computed 1/(1 + e^(+net)), the sign slip of the notes' "
                                   "errata; the sigmoid is 1/(1 + e^(-net)).")
    return fb


@_answers_anything
def check_partial(name: str, value) -> Feedback:
    """Your hand-computed dE_total/d(name) (4 significant figures or more), for name in w1..w8,
    b_h1, b_h2, b_o1, b_o2."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    hb = ex.hand_backward()
    g = hb["grads"]
    if _name(name, g) is None:
        return Feedback(False, f"unknown parameter {name!r}; choose from {sorted(g)}.")
    sig = DIGITS["check_partial"]
    fb = compare_scalar(f"dE/d{name}", value, g[name], sig=sig)
    v = _number(value)
    if fb or v is None:
        return fb
    fw = ex.forward_trace()
    oo, oh = fw["out_o"], fw["out_h"]
    if name in ("w5", "w6", "w7", "w8"):
        k = 0 if name in ("w5", "w6") else 1
        if _near(v, g[name] / (oo[k] * (1 - oo[k])), sig):
            return Feedback(False, f"dE/d{name}: you left out d out_o/d net_o = out_o(1 - out_o) "
                                   f"= {oo[k] * (1 - oo[k]):.6f}.")
    if name in ("w1", "w2", "w3", "w4"):
        j = 0 if name in ("w1", "w2") else 1                 # the hidden unit the weight feeds
        x = ex.WORKED["x"][0][0 if name in ("w1", "w3") else 1]
        W2 = ex.WORKED["W2"]
        d_o, d_h = hb["delta_o"], hb["delta_h"]
        slope = oh[j] * (1 - oh[j])
        if _near(v, d_h[j], sig):
            return Feedback(False, f"dE/d{name}: that is delta_h{j + 1}, the error signal of h{j + 1}; "
                                   f"multiply it by the input the weight carries (i{1 if x == 0.05 else 2} = {x:g}).")
        one_path = [d_o[k] * W2[j, k] * slope * x for k in (0, 1)]
        if any(_near(v, p, sig) for p in one_path):
            return Feedback(False, f"dE/d{name}: you followed one path only. h{j + 1} feeds BOTH outputs: "
                                   f"sum the two paths, delta_o1 * w + delta_o2 * w, before multiplying "
                                   f"by out_h(1 - out_h) and the input.")
    return fb


@_answers_anything
def check_updated_weight(name: str, value, lr: float = 0.5) -> Feedback:
    """The value of weight ``name`` after one gradient step with learning rate ``lr`` (4 significant
    figures or more)."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    r = ex.train_worked(1, lr=lr)
    if _name(name, r["names"]) is None:
        return Feedback(False, f"unknown parameter {name!r}; choose from {list(r['names'])}.")
    idx = r["names"].index(name)
    new, old = float(r["weights"][1, idx]), float(r["weights"][0, idx])
    sig = DIGITS["check_updated_weight"]
    fb = compare_scalar(f"updated {name}", value, new, sig=sig)
    if not fb and _near(_number(value), 2 * old - new, sig):
        return Feedback(False, f"updated {name}: you added the gradient; gradient DESCENT subtracts lr * dE/d{name}.")
    return fb


@_answers_anything
def check_sigmoid_derivative(fn) -> Feedback:
    """Your ``fn(x)`` should return sigma'(x) elementwise."""
    if fn is None:
        return Feedback(False, "Replace None with your function.")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {type(fn).__name__}.")
    xs = np.linspace(-6, 6, 25)
    return compare_function("your sigmoid derivative", fn, lambda x: sigmoid(x) * (1 - sigmoid(x)), xs)


@_answers_anything
def check_linear_backward(fn) -> Feedback:
    """Your ``fn(X, W, dY) -> (dX, dW, db)`` for Y = X W + b, checked by finite differences."""
    if fn is None:
        return Feedback(False, "Replace None with your function.")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {type(fn).__name__}.")
    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    dY = rng.standard_normal((4, 2))
    try:
        dX, dW, db = fn(X.copy(), W.copy(), dY.copy())
    except Exception as e:
        return Feedback(False, f"your function raised {type(e).__name__}: {e}")
    if dX is None or dW is None or db is None:
        return Feedback(False, "your function returned None for some of (dX, dW, db): replace the placeholders.")
    L = lambda X_, W_, b_: float(np.sum((X_ @ W_ + b_) * dY))
    want = {"dX": numerical_gradient(lambda v: L(v, W, b), X), "dW": numerical_gradient(lambda v: L(X, v, b), W),
            "db": numerical_gradient(lambda v: L(X, W, v), b)}
    got = {}
    for k, v in (("dX", dX), ("dW", dW), ("db", db)):
        try:
            got[k] = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            return Feedback(False, f"{k} is not an array of numbers ({type(v).__name__}).")
    for k in ("dX", "dW", "db"):
        if got[k].shape != want[k].shape:
            hint = " (a transpose?)" if got[k].shape == want[k].shape[::-1] else ""
            return Feedback(False, f"{k} has shape {got[k].shape}, expected {want[k].shape}{hint}.")
        err = rel_error(got[k], want[k])
        if not np.isfinite(err) or err > 1e-6:
            return Feedback(False, f"{k} is wrong: relative error {err:.2g} against finite differences.")
    return Feedback(True, "dX, dW and db all agree with finite differences (relative error < 1e-6).")
