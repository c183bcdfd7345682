"""Small nets with a normalisation layer in them (chapter 07).

* :func:`conv_net`: the 8×8 digits as images, ``Reshape((1, 8, 8))`` first so that ``fit`` (which
  takes 2-D ``X``) can train it on the 64 features as they are;
* :func:`norm_mlp`: an MLP with a normalisation after every hidden affine layer, before or after the
  nonlinearity (the BN paper's 3×100 sigmoid net is ``norm_mlp([64, 100, 100, 100, 10], "sigmoid")``).
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .conv import Conv2d, Flatten, MaxPool2d, Reshape
from .errors import InvalidArgument, InvalidType
from .layers import Linear, Sequential, _sizes
from .module import Module, as_generator
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .norm_groups import GroupNorm, InstanceNorm
from .validate import float_dtype, one_of, positive_int, show
from .weightnorm import WeightNormLinear

__all__ = ["NORMS", "conv_net", "norm_mlp", "channel_norm"]

#: what ``norm=`` accepts (None: no normalisation)
NORMS = ("batch", "group", "layer", "instance")


def channel_norm(norm: str, channels: int, groups: int = 4, dtype=np.float64) -> Module:
    """A normalisation of ``(N, C, H, W)`` by name. ``"layer"`` is GroupNorm with one group (Wu & He's
    LN: all of (C, H, W) normalised together, gamma and beta per channel); ``"group"`` uses
    ``min(groups, channels)`` groups."""
    one_of("norm", norm, NORMS)
    if norm == "batch":
        return BatchNorm2d(channels, dtype=dtype)
    if norm == "group":
        g = min(positive_int("groups", groups), channels)
        if channels % g:
            raise InvalidArgument(f"groups={g} must divide the channel count {channels}")
        return GroupNorm(g, channels, dtype=dtype)
    if norm == "layer":
        return GroupNorm(1, channels, dtype=dtype)
    return InstanceNorm(channels, dtype=dtype)


def conv_net(norm: str | None = None, channels=(8, 16), n_classes: int = 10, groups: int = 4,
             activation="relu", rng=None, dtype=np.float64, image=(1, 8, 8)) -> Sequential:
    """``Reshape(image) -> [Conv 3×3 (pad 1) -> norm -> act -> MaxPool 2] per entry of channels ->
    Flatten -> Linear(n_classes)``.

    With the default two blocks an 8×8 digit becomes 8×8×8, 8×4×4, 16×4×4, 16×2×2, then 64 features.
    With a normalisation the convolutions have no bias (the norm's beta plays its part).
    """
    if norm is not None:
        one_of("norm", norm, NORMS)
    if not isinstance(channels, (tuple, list)) or not channels:
        raise InvalidType(f"channels must be a non-empty tuple of channel counts such as (8, 16), got {show(channels)}")
    channels = [positive_int(f"channels[{i}]", c) for i, c in enumerate(channels)]
    n_classes = positive_int("n_classes", n_classes)
    if not isinstance(image, (tuple, list)) or len(image) != 3:
        raise InvalidType(f"image must be (C, H, W), got {show(image)}")
    C, H, W = (positive_int(f"image[{i}]", s) for i, s in enumerate(image))
    dtype = float_dtype("dtype", dtype)
    get_activation(activation)
    rng = as_generator(rng)
    layers: list[Module] = [Reshape((C, H, W))]
    for c in channels:
        if H % 2 or W % 2:
            raise InvalidArgument(f"{len(channels)} blocks halve a {image[1]}×{image[2]} image {len(channels)} times, "
                                  f"but a {H}×{W} map does not halve into whole pixels; use fewer channel entries")
        layers.append(Conv2d(C, c, 3, padding=1, rng=rng, dtype=dtype, bias=norm is None))
        if norm is not None:
            layers.append(channel_norm(norm, c, groups, dtype))
        layers += [get_activation(activation), MaxPool2d(2)]
        C, H, W = c, H // 2, W // 2
    layers += [Flatten(), Linear(C * H * W, n_classes, rng=rng, dtype=dtype)]
    return Sequential(layers)


def norm_mlp(sizes, activation="relu", norm: str | None = "batch", placement: str = "before", init="he",
             rng=None, dtype=np.float64, groups: int = 4) -> Sequential:
    """``Linear -> norm -> act`` (``placement="before"`` the nonlinearity, as the BN paper) or
    ``Linear -> act -> norm`` (``"after"``) for every hidden layer, then a plain ``Linear``.

    ``norm``: ``"batch"`` (BatchNorm1d), ``"layer"`` (LayerNorm), ``"group"`` (GroupNorm over the features),
    ``"weight"`` (the hidden Linear layers weight-normalised, no extra layer) or ``None``.
    """
    sizes = _sizes(sizes)
    if norm is not None:
        one_of("norm", norm, ("batch", "layer", "group", "weight"))
    one_of("placement", placement, ("before", "after"))
    dtype = float_dtype("dtype", dtype)
    get_activation(activation)
    rng = as_generator(rng)
    layers: list[Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        if norm == "weight" and not last:
            layers.append(WeightNormLinear(a, b, rng=rng, dtype=dtype))
        else:
            layers.append(Linear(a, b, init=init, rng=rng, dtype=dtype))
        if last:
            break
        block = [get_activation(activation)]
        if norm in ("batch", "layer", "group"):
            n = {"batch": lambda: BatchNorm1d(b, dtype=dtype), "layer": lambda: LayerNorm(b, dtype=dtype),
                 "group": lambda: GroupNorm(_divisor(groups, b), b, dtype=dtype)}[norm]()
            block = [n] + block if placement == "before" else block + [n]
        layers += block
    return Sequential(layers)


def _divisor(groups, width):
    g = min(positive_int("groups", groups), width)
    while width % g:
        g -= 1
    return g
