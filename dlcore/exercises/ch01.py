"""Exercise checkers for chapter 01 (backprop by hand, gradient checking)."""
from __future__ import annotations

import numpy as np

from ..activations.basic import sigmoid
from ..experiments import backprop as ex
from ..gradcheck import numerical_gradient, rel_error
from .feedback import Feedback, compare_function, compare_scalar

__all__ = ["check_output", "check_partial", "check_updated_weight", "check_sigmoid_derivative", "check_linear_backward"]

_PLACEHOLDER = "Replace None with your answer (a number)."


def check_output(name: str, value) -> Feedback:
    """Your hand-computed forward value: ``name`` in out_h1, out_h2, out_o1, out_o2, E_total."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    f = ex.forward_trace()
    table = {"out_h1": f["out_h"][0], "out_h2": f["out_h"][1], "out_o1": f["out_o"][0],
             "out_o2": f["out_o"][1], "E_total": f["E_total"], "net_o2": f["net_o"][1]}
    if name not in table:
        return Feedback(False, f"unknown quantity {name!r}; choose from {sorted(table)}.")
    fb = compare_scalar(name, value, float(table[name]), rtol=1e-6)
    if not fb and name.startswith("out_") and abs(float(value) - float(f["net_" + name[4]][int(name[-1]) - 1])) < 1e-6:
        return Feedback(False, f"{name}: that is the net input; apply the sigmoid to it.")
    return fb


def check_partial(name: str, value) -> Feedback:
    """Your hand-computed dE_total/d(name), for name in w1..w8, b_h1, b_h2, b_o1, b_o2."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    g = ex.hand_backward()["grads"]
    if name not in g:
        return Feedback(False, f"unknown parameter {name!r}; choose from {sorted(g)}.")
    fb = compare_scalar(f"dE/d{name}", value, g[name], rtol=1e-5)
    if not fb:
        oo = ex.forward_trace()["out_o"]
        # a common slip: forgetting the sigmoid derivative factor of the output unit
        if name in ("w5", "w6", "w7", "w8"):
            k = 0 if name in ("w5", "w6") else 1
            if abs(float(value) - g[name] / (oo[k] * (1 - oo[k]))) < 1e-6:
                return Feedback(False, f"dE/d{name}: you left out d out_o/d net_o = out_o(1 - out_o) "
                                       f"= {oo[k] * (1 - oo[k]):.6f}.")
        if name in ("w1", "w2", "w3", "w4"):
            return Feedback(False, fb.message + " For a hidden weight, remember that h feeds BOTH outputs: "
                                                "sum the two paths delta_o1 * w + delta_o2 * w.")
    return fb


def check_updated_weight(name: str, value, lr: float = 0.5) -> Feedback:
    """The value of weight ``name`` after one gradient step with learning rate ``lr``."""
    if value is None:
        return Feedback(False, _PLACEHOLDER)
    r = ex.train_worked(1, lr=lr)
    idx = r["names"].index(name)
    new = float(r["weights"][1, idx])
    fb = compare_scalar(f"updated {name}", value, new, rtol=1e-7)
    old = float(r["weights"][0, idx])
    if not fb and abs(float(value) - (2 * old - new)) < 1e-7:
        return Feedback(False, f"updated {name}: you added the gradient; gradient DESCENT subtracts lr * dE/d{name}.")
    return fb


def check_sigmoid_derivative(fn) -> Feedback:
    """Your ``fn(x)`` should return sigma'(x) elementwise."""
    if fn is None:
        return Feedback(False, "Replace None with your function.")
    xs = np.linspace(-6, 6, 25)
    return compare_function("your sigmoid derivative", fn, lambda x: sigmoid(x) * (1 - sigmoid(x)), xs)


def check_linear_backward(fn) -> Feedback:
    """Your ``fn(X, W, dY) -> (dX, dW, db)`` for Y = X W + b, checked by finite differences."""
    if fn is None:
        return Feedback(False, "Replace None with your function.")
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
    got = {"dX": np.asarray(dX), "dW": np.asarray(dW), "db": np.asarray(db)}
    for k in ("dX", "dW", "db"):
        if got[k].shape != want[k].shape:
            hint = " (a transpose?)" if got[k].shape == want[k].shape[::-1] else ""
            return Feedback(False, f"{k} has shape {got[k].shape}, expected {want[k].shape}{hint}.")
        err = rel_error(got[k], want[k])
        if err > 1e-6:
            return Feedback(False, f"{k} is wrong: relative error {err:.2g} against finite differences.")
    return Feedback(True, "dX, dW and db all agree with finite differences (relative error < 1e-6).")
