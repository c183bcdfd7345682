"""Exercise checkers for chapter 01 (backprop by hand, gradient checking).

Pen-and-paper answers are accepted at the precision the exercise asks for (``DIGITS``: an answer
correctly rounded to that many significant figures passes, and so does any more precise one).
Every checker answers any input with feedback, never with a traceback.
"""
from __future__ import annotations

import numpy as np

from ..activations.basic import sigmoid
from ..experiments import backprop as ex
from ..gradcheck import numerical_gradient
from .feedback import (Feedback, Reject, as_array, as_number, call_reader, checker, compare_function,
                       compare_scalar, describe, precision_tolerance)

__all__ = ["DIGITS", "check_output", "check_partial", "check_updated_weight", "check_sigmoid_derivative",
           "check_linear_backward"]

_PLACEHOLDER = "Replace None with your answer (a number)."
#: significant figures each pen-and-paper exercise asks for
DIGITS = {"check_output": 4, "check_partial": 4, "check_updated_weight": 4}


def _number(value):
    """``value`` as a float if it is one finite number (a one-element list or array counts), else None."""
    try:
        return as_number(value)
    except Reject:
        return None


def _near(value, target, sig) -> bool:
    return value is not None and abs(value - target) <= float(precision_tolerance(target, sig=sig))


def _name(name, table, what: str) -> str:
    """``name`` if it is one of ``table``'s keys (outer spaces ignored), else Reject listing them."""
    if not isinstance(name, str):
        raise Reject(f"the first argument names the {what} (a string such as {next(iter(table))!r}), got "
                     f"{describe(name)}; choose from {list(table)}.")
    if name.strip() not in table:
        raise Reject(f"unknown {what} {name!r}; choose from {list(table)}.")
    return name.strip()


def _output_table():
    f = ex.forward_trace()
    return {"out_h1": f["out_h"][0], "out_h2": f["out_h"][1], "out_o1": f["out_o"][0],
            "out_o2": f["out_o"][1], "net_o2": f["net_o"][1], "E_total": f["E_total"]}


def _right_dsigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


def _right_linear_backward(X, W, dY):
    return dY @ W.T, X.T @ dY, dY.sum(axis=0)


@checker(answers=lambda: [dict(name=k, value=float(v)) for k, v in _output_table().items()])
def check_output(name: str, value) -> Feedback:
    """Your hand-computed forward value (4 significant figures or more): ``name`` in out_h1, out_h2,
    out_o1, out_o2, net_o2, E_total."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    f, table = ex.forward_trace(), _output_table()
    name = _name(name, table, "quantity")
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


@checker(answers=lambda: [dict(name=k, value=float(v)) for k, v in ex.hand_backward()["grads"].items()])
def check_partial(name: str, value) -> Feedback:
    """Your hand-computed dE_total/d(name) (4 significant figures or more), for name in w1..w8,
    b_h1, b_h2, b_o1, b_o2."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    hb = ex.hand_backward()
    g = hb["grads"]
    name = _name(name, g, "parameter")
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


@checker(answers=lambda: [dict(name=k, value=float(v), lr=0.5) for k, v in
                          zip(ex.train_worked(1)["names"], ex.train_worked(1)["weights"][1])])
def check_updated_weight(name: str, value, lr: float = 0.5) -> Feedback:
    """The value of weight ``name`` after one gradient step with learning rate ``lr`` (4 significant
    figures or more)."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    lr = as_number(lr, "lr")
    if not 0 < lr <= 10:
        return Feedback(False, f"lr: the learning rate must be positive and at most 10, got {lr:g}.")
    r = ex.train_worked(1, lr=lr)
    name = _name(name, dict.fromkeys(r["names"]), "parameter")
    idx = list(r["names"]).index(name)
    new, old = float(r["weights"][1, idx]), float(r["weights"][0, idx])
    sig = DIGITS["check_updated_weight"]
    fb = compare_scalar(f"updated {name}", value, new, sig=sig)
    if not fb and _near(_number(value), 2 * old - new, sig):
        return Feedback(False, f"updated {name}: you added the gradient; gradient DESCENT subtracts lr * dE/d{name}.")
    return fb


@checker(answers=lambda: [dict(fn=_right_dsigmoid)])
def check_sigmoid_derivative(fn) -> Feedback:
    """Your ``fn(x)`` should return sigma'(x) elementwise."""
    if fn is None:
        return Feedback(False, "Replace None with your function.")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {describe(fn)}.")
    xs = np.linspace(-6, 6, 25)
    return compare_function("your sigmoid derivative", fn, lambda x: sigmoid(x) * (1 - sigmoid(x)), xs)


@checker(answers=lambda: [dict(fn=_right_linear_backward)])
def check_linear_backward(fn) -> Feedback:
    """Your ``fn(X, W, dY) -> (dX, dW, db)`` for Y = X W + b, checked by finite differences."""
    if fn is None:
        return Feedback(False, "Replace None with your function.")
    if not callable(fn):
        return Feedback(False, f"expected a function, got {describe(fn)}.")
    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    dY = rng.standard_normal((4, 2))
    out = call_reader(fn, X.copy(), W.copy(), dY.copy(), what="your function")
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        return Feedback(False, f"your function returned {describe(out)}: return the three arrays as a tuple "
                               "(dX, dW, db).")
    dX, dW, db = out
    if dX is None or dW is None or db is None:
        return Feedback(False, "your function returned None for some of (dX, dW, db): replace the placeholders.")
    L = lambda X_, W_, b_: float(np.sum((X_ @ W_ + b_) * dY))  # noqa: E731
    want = {"dX": numerical_gradient(lambda v: L(v, W, b), X), "dW": numerical_gradient(lambda v: L(X, v, b), W),
            "db": numerical_gradient(lambda v: L(X, W, v), b)}
    got = {k: as_array(v, k, finite=False) for k, v in (("dX", dX), ("dW", dW), ("db", db))}
    for k in ("dX", "dW", "db"):
        if got[k].shape != want[k].shape:
            hint = " (a transpose?)" if got[k].shape == want[k].shape[::-1] else ""
            return Feedback(False, f"{k} has shape {got[k].shape}, expected {want[k].shape}{hint}.")
        as_array(got[k], k)                                   # NaN or inf: wrong, with the index
        err = np.linalg.norm(got[k] - want[k]) / max(np.linalg.norm(got[k]), np.linalg.norm(want[k]), 1e-300)
        if not err <= 1e-6:
            return Feedback(False, f"{k} is wrong: relative error {err:.2g} against finite differences.")
    return Feedback(True, "dX, dW and db all agree with finite differences (relative error < 1e-6).")
