"""Chapter 10: convolution and pooling arithmetic (output sizes, parameters, receptive fields) and
max vs average pooling on a digit.

Along one spatial axis a window of size F, moved by stride S over an input of size W padded by P on
each side, fits ``(W - F + 2P)/S + 1`` times when ``S`` divides ``W - F + 2P``. When it does not,
frameworks take the floor (PyTorch ``Conv2d`` / ``MaxPool2d``, Keras ``padding="valid"``): the last
``(W - F + 2P) mod S`` rows *of the padded input* are never covered by a window; up to ``P`` of them are
right padding, so ``max(0, (W - F + 2P) mod S - P)`` input rows are lost. Pooling layers with
``ceil_mode=True`` take the ceiling instead (a last, partial window that must start inside the input or
its left padding); convolutions have no such mode (:func:`stack` applies ``"ceil"`` to pooling layers
only). TensorFlow/Keras ``padding="same"`` is a third rule: ``ceil(W / S)`` outputs, the padding
computed (:func:`same_padding`). dlcore's own :class:`~dlcore.conv.Conv2d` refuses the fraction
(``conv_output_size``).
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..conv import AvgPool2d, MaxPool2d
from .common import digits_data

__all__ = ["MODES", "output_size", "same_padding", "conv_params", "stack", "pool_digit"]

MODES = ("floor", "ceil", "strict")


def output_size(W: int, F: int, S: int = 1, P: int = 0, mode: str = "floor") -> dict:
    """``out`` (the output size under ``mode``), ``exact`` ((W - F + 2P)/S + 1 as a float), ``uncovered``
    (trailing rows of the *padded* input no window reaches under floor), ``lost`` (how many of those are
    input rows rather than right padding: ``max(0, uncovered - P)``), ``whole`` (S divides W - F + 2P)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    W, F, S, P = int(W), int(F), int(S), int(P)
    if F < 1 or S < 1 or P < 0 or W < 1:
        raise ValueError(f"need W, F, S >= 1 and P >= 0, got W={W}, F={F}, S={S}, P={P}")
    span = W - F + 2 * P
    if span < 0:
        raise ValueError(f"the window F={F} is larger than the padded input W + 2P = {W + 2 * P}")
    whole = span % S == 0
    if mode == "strict" and not whole:
        raise ValueError(f"(W - F + 2P)/S + 1 = ({W} - {F} + 2*{P})/{S} + 1 = {span / S + 1:g} is not whole")
    out = span // S + 1
    if mode == "ceil" and not whole:
        out = -(-span // S) + 1
        if (out - 1) * S >= W + P:           # PyTorch: the last window must start inside the input
            out -= 1
    return {"out": int(out), "exact": span / S + 1, "uncovered": int(span % S), "lost": max(0, int(span % S) - P),
            "whole": bool(whole)}


def same_padding(W: int, F: int, S: int = 1) -> dict:
    """TensorFlow/Keras ``padding="same"``: ``out = ceil(W / S)``, with total padding
    ``max((out - 1) S + F - W, 0)`` split ``left`` = half (rounded down), ``right`` = the rest. At stride 1
    and odd F this is P = (F - 1)/2 on each side, which keeps the size."""
    W, F, S = int(W), int(F), int(S)
    out = -(-W // S)
    total = max((out - 1) * S + F - W, 0)
    return {"out": int(out), "left": total // 2, "right": total - total // 2}


def conv_params(c_in: int, c_out: int, F: int, bias: bool = True) -> int:
    """Parameters of a conv layer with ``c_out`` filters ``F x F x c_in``: ``c_out (F² c_in + 1)``."""
    return int(c_out) * (int(F) * int(F) * int(c_in) + (1 if bias else 0))


def stack(layers, W: int = 28, C: int = 1, mode: str = "floor") -> dict:
    """Sizes, parameters and receptive fields through a stack of layers. ``mode`` applies to the pooling
    layers; convolutions always take the floor (no framework rounds a convolution up), or refuse a
    fraction when ``mode`` is ``"strict"``.

    ``layers``: dicts ``{"kind": "conv" | "max" | "avg", "F", "S", "P", "C"}`` (``C``: filters of a conv).
    Returns per layer (index 0 is the input) ``size``, ``channels``, ``params``, ``rf`` (receptive field
    of one output unit on the input, ``r_l = r_{l-1} + (F_l - 1) j_{l-1}``), ``jump`` (input pixels
    between neighbouring units, ``j_l = j_{l-1} S_l``), ``start`` (centre of the first unit's field in
    input coordinates), ``exact`` (the size before rounding) and the total ``n_params``.
    """
    size, ch, r, j, start = [int(W)], [int(C)], [1], [1], [0.5]
    params, exact = [0], [float(W)]
    for L in layers:
        F, S, P = int(L.get("F", 3)), int(L.get("S", 1)), int(L.get("P", 0))
        conv = L.get("kind", "conv") == "conv"
        o = output_size(size[-1], F, S, P, "floor" if conv and mode == "ceil" else mode)
        c_out = int(L.get("C", ch[-1])) if L.get("kind", "conv") == "conv" else ch[-1]
        params.append(conv_params(ch[-1], c_out, F) if L.get("kind", "conv") == "conv" else 0)
        start.append(start[-1] + ((F - 1) / 2 - P) * j[-1])
        r.append(r[-1] + (F - 1) * j[-1])
        j.append(j[-1] * S)
        size.append(o["out"])
        exact.append(o["exact"])
        ch.append(c_out)
    return {"size": np.array(size), "channels": np.array(ch), "params": np.array(params), "rf": np.array(r),
            "jump": np.array(j), "start": np.array(start), "exact": np.array(exact),
            "n_params": int(sum(params)), "kinds": tuple(L.get("kind", "conv") for L in layers)}


@cached
def pool_digit(index: int = 0, F: int = 2, S: int = 2) -> dict:
    """A validation digit (8x8) and its F x F max and average pooling with stride S (dlcore's pooling layers)."""
    _, _, X_val, y_val = digits_data()
    x = X_val[int(index)].astype(np.float64).reshape(1, 1, 8, 8)
    return {"image": x[0, 0], "max": MaxPool2d(F, S).forward(x)[0, 0], "avg": AvgPool2d(F, S).forward(x)[0, 0],
            "label": int(y_val[int(index)]), "F": int(F), "S": int(S)}
