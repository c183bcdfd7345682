"""Exercise checkers for chapter 10 (hyper-parameters, search, convolution arithmetic).

Each ``check_*`` answers any input with a :class:`~dlcore.exercises.feedback.Feedback` (``@checker``) and
names the usual slip (the fraction not rounded, the bias or the input channels left out of a parameter
count, the stride's effect on the receptive field forgotten, a grid within a budget).
"""
from __future__ import annotations

import math

from ..experiments.conv_arith import conv_params, output_size, stack
from .feedback import Feedback, as_name, as_number, checker, precision_tolerance

__all__ = ["EX_CONV", "EX_RF_LAYERS", "EX_SEARCH", "EX_CLASSES", "check_conv_layer", "check_receptive_field",
           "check_search_choice", "check_initial_loss"]

#: E10.1: input W x W x C_in, C_out filters F x F, stride S, padding P (PyTorch rounds down)
EX_CONV = {"W": 32, "C_in": 3, "C_out": 16, "F": 5, "S": 2, "P": 1}
#: E10.2: three 3x3 convolutions (stride 1), a 2x2 max pooling of stride 2, one more 3x3 convolution
EX_RF_LAYERS = [{"kind": "conv", "F": 3}] * 3 + [{"kind": "max", "F": 2, "S": 2}] + [{"kind": "conv", "F": 3}]
#: E10.3: trials you can afford, hyper-parameters searched, of which this many matter
EX_SEARCH = {"budget": 32, "dims": 5, "important": 2}
#: E10.4: classes of a softmax classifier
EX_CLASSES = 26


def _none(value, what):
    return Feedback(False, f"Replace None with {what}.") if value is None else None


@checker(answers=lambda: [dict(size=15, params=1216), dict(size=15.0, params=1216.0)])
def check_conv_layer(size, params) -> Feedback:
    """Output size (one side) and parameter count of the conv layer ``EX_CONV``."""
    for v, what in ((size, "the output size (an integer)"), (params, "the parameter count (an integer)")):
        if (fb := _none(v, what)) is not None:
            return fb
    s, p = as_number(size, "the output size"), as_number(params, "the parameter count")
    c = EX_CONV
    o = output_size(c["W"], c["F"], c["S"], c["P"])
    n = conv_params(c["C_in"], c["C_out"], c["F"])
    msgs = []
    if s == o["out"]:
        pass
    elif s == o["exact"]:
        msgs.append(f"(W − F + 2P)/S + 1 = {o['exact']:g} is not a whole number: a layer cannot output half a "
                    "row; PyTorch and Keras round down (the last row of the padded input — here the right "
                    "padding zero, so no input is lost — is never covered)")
    elif s == o["out"] + 1:
        msgs.append("that rounds up; convolutions in PyTorch and Keras round down (only pooling has ceil_mode)")
    elif s == (c["W"] - c["F"] + c["P"]) / c["S"] + 1 or s == (c["W"] - c["F"] + c["P"]) // c["S"] + 1:
        msgs.append("the padding goes on both sides: 2P, not P")
    elif s == o["out"] - 1 and s == (c["W"] - c["F"] + 2 * c["P"]) // c["S"]:
        msgs.append("the + 1 is missing: (W − F + 2P)/S counts the steps between windows, the windows are one "
                    "more")
    elif s == c["W"] - c["F"] + 2 * c["P"] + 1:
        msgs.append("that is the size at stride 1; divide W − F + 2P by the stride")
    else:
        msgs.append(f"the output size {s:g} is not right: use (W − F + 2P)/S + 1 and round as PyTorch does")
    if p == n:
        pass
    elif p == c["C_out"] * c["F"] ** 2 * c["C_in"]:
        msgs.append("the parameter count leaves out the biases (one per filter)")
    elif p == c["C_out"] * (c["F"] ** 2 + 1):
        msgs.append("each filter spans all C_in input channels: F·F·C_in weights, not F·F")
    elif p == n * o["out"] ** 2 or p == c["C_out"] * c["F"] ** 2 * c["C_in"] * o["out"] ** 2:
        msgs.append("the weights are shared over positions: the count does not grow with the output size")
    else:
        msgs.append(f"the parameter count {p:g} is not right: each of the C_out filters has F·F·C_in weights "
                    "and one bias")
    if msgs:
        return Feedback(False, "; ".join(msgs) + ".")
    return Feedback(True, f"({c['W']} − {c['F']} + 2·{c['P']})/{c['S']} + 1 = {o['exact']:g}, rounded down to "
                          f"{o['out']} (the one row of the padded input no window reaches is the right padding "
                          f"zero: {o['lost']} input rows lost); {c['C_out']}·({c['F']}·{c['F']}·{c['C_in']} + 1) = {n} parameters, "
                          "whatever the input size.")


@checker(answers=lambda: [dict(rf=12), dict(rf=12.0)])
def check_receptive_field(rf) -> Feedback:
    """Receptive field (pixels along one side) of one unit after the layers ``EX_RF_LAYERS``."""
    if (fb := _none(rf, "the receptive field (an integer number of pixels)")) is not None:
        return fb
    r = as_number(rf, "the receptive field")
    right = int(stack(EX_RF_LAYERS, W=64)["rf"][-1])
    if r == right:
        return Feedback(True, "1 + 2 + 2 + 2 = 7 after the three convolutions, + 1 for the pooling = 8; the "
                              "pooling doubles the spacing of the units, so the last 3x3 adds 2·2: 12.")
    slips = {1 + 2 + 2 + 2 + 1 + 2: "after the pooling, neighbouring units are 2 input pixels apart: the last "
                                    "3x3 convolution adds (3 − 1)·2 = 4, not 2",
             1 + 2 + 2 + 2 + 2 * 2: "the pooling window itself adds (2 − 1)·1 = 1 pixel before the spacing doubles",
             3 * 3 + 2 + 3: "receptive fields do not add the window sizes: each layer adds (F − 1) times the spacing",
             7: "that is the field after the three convolutions only",
             8: "that is the field after the pooling; the last 3x3 convolution adds (3 − 1)·2 = 4 more"}
    if r in slips:
        return Feedback(False, slips[r] + ".")
    return Feedback(False, f"{r:g} is not right. Walk the layers: r ← r + (F − 1)·j, then j ← j·S, from r = j = 1.")


@checker(answers=lambda: [dict(grid_values=2, random_values=32, method="random"),
                          dict(grid_values=2, random_values=32, method="tpe")])
def check_search_choice(grid_values, random_values, method) -> Feedback:
    """With ``EX_SEARCH``: distinct values of one important hyper-parameter the largest equal grid within the
    budget tries, the same for random search, and the method you would use (``"grid"``, ``"random"``,
    ``"tpe"``)."""
    for v, what in ((grid_values, "an integer"), (random_values, "an integer"), (method, "a name")):
        if (fb := _none(v, what)) is not None:
            return fb
    g, r = as_number(grid_values, "grid_values"), as_number(random_values, "random_values")
    m = as_name(method, ["grid", "random", "tpe"], "method",
                aliases={"model based": "tpe", "bayesian": "tpe", "bayes": "tpe", "random search": "random",
                         "grid search": "grid"})
    e = EX_SEARCH
    levels = int(math.floor(e["budget"] ** (1 / e["dims"]) + 1e-9))
    msgs = []
    if g != levels:
        msgs.append(f"a grid with k values per hyper-parameter costs k^{e['dims']} trials; the largest k with "
                    f"k^{e['dims']} ≤ {e['budget']} is {levels}" + (" (you counted trials, not values)" if g == e["budget"] else ""))
    if r != e["budget"]:
        msgs.append("random search draws every trial's values afresh: each of the "
                    f"{e['budget']} trials tries a new value of every hyper-parameter")
    if m == "grid":
        msgs.append(f"the grid spends its {e['budget']} trials on {e['dims'] - e['important']} hyper-parameters that "
                    f"do not matter and tries only {levels} values of each one that does")
    if msgs:
        return Feedback(False, "; ".join(msgs) + ".")
    extra = (" TPE is a good choice too: after a few random trials it concentrates on the promising region "
             "(on the digits table it found better configurations than random search at 32 trials)."
             if m == "random" else " Random search would also do; TPE adds a model of where good trials lie.")
    return Feedback(True, f"{levels} vs {e['budget']} values of each important hyper-parameter." + extra)


@checker(answers=lambda: [dict(value=math.log(EX_CLASSES)), dict(value=3.26)])
def check_initial_loss(value) -> Feedback:
    """The softmax cross-entropy loss expected before training for ``EX_CLASSES`` classes (3 s.f.)."""
    if (fb := _none(value, "the expected initial loss (a number)")) is not None:
        return fb
    v = as_number(value, "the initial loss")
    k = EX_CLASSES
    exp = math.log(k)
    if abs(v - exp) <= precision_tolerance(exp, sig=3):
        return Feedback(True, f"ln {k} = {exp:.3f}: each class gets probability 1/{k}, and the loss is −ln(1/{k}).")
    slips = {math.log10(k): "that is log10; cross-entropy uses the natural logarithm",
             math.log2(k): "that is log2 (bits); the book's losses use the natural logarithm",
             1 / k: "that is the probability of each class; the loss is −ln of it",
             1 - 1 / k: "that is the error rate of guessing; the loss is −ln(1/K)",
             math.log(10): f"that is ln 10, the digits' K; here K = {k}"}
    for val, msg in slips.items():
        if abs(v - val) <= precision_tolerance(val, sig=3):
            return Feedback(False, msg + ".")
    return Feedback(False, f"{v:.4g} is {'too large' if v > exp else 'too small'}: with equal outputs every class "
                           "has probability 1/K.")
