"""A small 2-D convolution, pooling, and reshaping layers (chapter 07: the digits as images).

Images are ``(N, C, H, W)``. Along each spatial dimension a window of size F moved by stride S over
an input of size W padded by P on each side gives

.. math:: W_{out} = \\frac{W - F + 2P}{S} + 1,

which must be a whole number >= 1 (here a fraction is an error rather than silently flooring, so
a layer never ignores the last rows of its input).

:class:`Conv2d` uses im2col: every receptive field becomes a row of a matrix ``cols`` of shape
``(N·H_out·W_out, C_in·kh·kw)``, the convolution is one product ``cols @ W.reshape(C_out, -1).T``
and its backward is two products plus col2im (the rows added back into the image, overlaps summed).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import InvalidType
from .init import get_init
from .module import Module, ShapeError, as_generator
from .validate import float_dtype, nonneg_int, positive_int, show

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Reshape", "conv_output_size"]


def _pair(name, v, check):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise InvalidType(f"{name} must be an int or a pair of ints (height, width), got {show(v)}")
        return check(f"{name}[0]", v[0]), check(f"{name}[1]", v[1])
    x = check(name, v)
    return x, x


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, what: str = "input") -> int:
    """:math:`(W - F + 2P)/S + 1`, or an error naming the numbers when it is not a whole number >= 1."""
    span = size - kernel + 2 * padding
    if span < 0:
        raise ShapeError(f"the window ({kernel}) is larger than the padded {what} ({size} + 2*{padding} = "
                         f"{size + 2 * padding}): (W - F + 2P)/S + 1 = ({size} - {kernel} + 2*{padding})/{stride} + 1 "
                         "is below 1")
    if span % stride:
        raise ShapeError(f"(W - F + 2P)/S + 1 = ({size} - {kernel} + 2*{padding})/{stride} + 1 is not a whole number "
                         f"for the {what}; change the padding or the stride so that S divides W - F + 2P = {span}")
    return span // stride + 1


def _windows(Xp, kh, kw, sh, sw):
    """View ``(N, C, H_out, W_out, kh, kw)`` of the windows of the (padded) input."""
    return sliding_window_view(Xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def _col2im(dwin, shape, kh, kw, sh, sw):
    """Add window gradients ``(N, C, H_out, W_out, kh, kw)`` back into an array of ``shape``."""
    d = np.zeros(shape, dtype=dwin.dtype)
    Ho, Wo = dwin.shape[2], dwin.shape[3]
    for i in range(kh):
        for j in range(kw):
            d[:, :, i:i + sh * (Ho - 1) + 1:sh, j:j + sw * (Wo - 1) + 1:sw] += dwin[:, :, :, :, i, j]
    return d


class _Spatial(Module):
    """Shared input check and output size of the layers that slide a window over ``(N, C, H, W)``."""

    def _out_hw(self, X, C=None):
        X = np.asarray(X)
        if X.ndim != 4 or (C is not None and X.shape[1] != C):
            want = f"(N, {C}, H, W)" if C is not None else "(N, C, H, W)"
            raise ShapeError(f"{self.name} expects input of shape {want}, got {X.shape}")
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return (X, conv_output_size(X.shape[2], kh, sh, ph, "height"),
                conv_output_size(X.shape[3], kw, sw, pw, "width"))


class Conv2d(_Spatial):
    """2-D convolution (cross-correlation, as in every framework): ``(N, C_in, H, W) -> (N, C_out, H_out, W_out)``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding : int or (int, int)
        Zero padding of ``padding`` on each side.
    init : str
        Initialiser of :mod:`dlcore.init` with fan_in = C_in·kh·kw and fan_out = C_out·kh·kw ("he").
    bias : bool
        Learn a bias per output channel.

    ``W`` is ``(C_out, C_in, kh, kw)`` (role "weight"), ``b`` is ``(C_out,)``.
    """

    param_roles = {"W": "weight", "b": "bias"}

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, init="he",
                 rng=None, dtype=np.float64, bias: bool = True):
        super().__init__()
        self.in_channels = positive_int("in_channels", in_channels)
        self.out_channels = positive_int("out_channels", out_channels)
        self.kernel_size = _pair("kernel_size", kernel_size, positive_int)
        self.stride = _pair("stride", stride, positive_int)
        self.padding = _pair("padding", padding, nonneg_int)
        self.dtype = float_dtype("dtype", dtype)
        if not isinstance(bias, (bool, np.bool_)):
            raise InvalidType(f"bias must be True or False, got {show(bias)}")
        kh, kw = self.kernel_size
        shape = (self.out_channels, self.in_channels, kh, kw)
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        W = get_init(init)(shape, fan_in, fan_out, rng=as_generator(rng), dtype=self.dtype)
        self.params = {"W": np.asarray(W, dtype=self.dtype)}
        if bias:
            self.params["b"] = np.zeros(self.out_channels, dtype=self.dtype)
        self.grads = {k: np.zeros_like(p) for k, p in self.params.items()}
        self._cache = None

    def forward(self, X, training=None):
        X, Ho, Wo = self._out_hw(X, self.in_channels)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        Xp = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else X
        N = X.shape[0]
        cols = _windows(Xp, kh, kw, sh, sw).transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, -1)
        Wm = self.params["W"].reshape(self.out_channels, -1)
        Y = cols @ Wm.T
        if "b" in self.params:
            Y = Y + self.params["b"]
        self._cache = (cols, Xp.shape, X.shape, Ho, Wo)
        return Y.reshape(N, Ho, Wo, self.out_channels).transpose(0, 3, 1, 2)

    def _dYm(self, dY):
        if self._cache is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        _, _, xshape, Ho, Wo = self._cache
        dY = np.asarray(dY)
        want = (xshape[0], self.out_channels, Ho, Wo)
        if dY.shape != want:
            raise ShapeError(f"{self.name}.backward: dY must have shape {want}, got {dY.shape}")
        return dY.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)

    def backward_params(self, dY) -> None:
        """Gradients of W and b only (the first layer of a net needs no gradient for the data)."""
        dYm = self._dYm(dY)
        cols = self._cache[0]
        self.grads["W"] = (dYm.T @ cols).reshape(self.params["W"].shape)
        if "b" in self.params:
            self.grads["b"] = dYm.sum(axis=0)

    def backward(self, dY):
        self.backward_params(dY)
        dYm = self._dYm(dY)
        _, pshape, xshape, Ho, Wo = self._cache
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        N, C = xshape[0], self.in_channels
        dcols = (dYm @ self.params["W"].reshape(self.out_channels, -1)).reshape(N, Ho, Wo, C, kh, kw)
        dXp = _col2im(dcols.transpose(0, 3, 1, 2, 4, 5), pshape, kh, kw, sh, sw)
        return dXp[:, :, ph:ph + xshape[2], pw:pw + xshape[3]]

    @classmethod
    def example(cls, rng, dtype=np.float64):
        m = cls(2, 3, 3, stride=2, padding=1, init="xavier", rng=rng, dtype=dtype)
        m.params["b"] = (0.1 * rng.standard_normal(3)).astype(dtype)
        return m, (2, 2, 5, 5)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")


class _Pool(_Spatial):
    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _pair("kernel_size", kernel_size, positive_int)
        self.stride = self.kernel_size if stride is None else _pair("stride", stride, positive_int)
        self.padding = (0, 0)
        self._cache = None

    def _check_dY(self, dY):
        if self._cache is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        if dY.shape != self._cache[-1]:
            raise ShapeError(f"{self.name}.backward: dY must have shape {self._cache[-1]}, got {dY.shape}")
        return dY

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool):
    """The maximum of each window (``stride`` defaults to the window size); the gradient goes to the
    first maximal entry of each window."""

    def forward(self, X, training=None):
        X, Ho, Wo = self._out_hw(X)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        win = _windows(X, kh, kw, sh, sw).reshape(X.shape[0], X.shape[1], Ho, Wo, kh * kw)
        arg = win.argmax(axis=-1)
        Y = np.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
        self._cache = (arg, X.shape, Y.shape)
        return Y

    def backward(self, dY):
        dY = self._check_dY(dY)
        arg, xshape, _ = self._cache
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        onehot = (arg[..., None] == np.arange(kh * kw)) * dY[..., None]
        return _col2im(onehot.reshape(*dY.shape, kh, kw).astype(dY.dtype, copy=False), xshape, kh, kw, sh, sw)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(2), (2, 2, 4, 6)


class AvgPool2d(_Pool):
    """The mean of each window (``stride`` defaults to the window size)."""

    def forward(self, X, training=None):
        X, Ho, Wo = self._out_hw(X)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        Y = _windows(X, kh, kw, sh, sw).mean(axis=(-2, -1))
        self._cache = (X.shape, Y.shape)
        return Y

    def backward(self, dY):
        dY = self._check_dY(dY)
        xshape = self._cache[0]
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        each = np.broadcast_to((dY / (kh * kw))[..., None, None], dY.shape + (kh, kw))
        return _col2im(each, xshape, kh, kw, sh, sw)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(3, stride=1), (2, 2, 4, 5)


class Flatten(Module):
    """``(N, d1, d2, ...) -> (N, d1·d2·...)``."""

    def __init__(self):
        super().__init__()
        self._shape = None

    def forward(self, X, training=None):
        X = np.asarray(X)
        if X.ndim < 2:
            raise ShapeError(f"{self.name} expects input of shape (N, ...), got {X.shape}")
        self._shape = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dY):
        if self._shape is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        n = int(np.prod(self._shape[1:]))
        if dY.shape != (self._shape[0], n):
            raise ShapeError(f"{self.name}.backward: dY must have shape {(self._shape[0], n)}, got {dY.shape}")
        return dY.reshape(self._shape)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(), (2, 3, 2, 2)


class Reshape(Module):
    """``(N, d) -> (N, *shape)``, e.g. ``Reshape((1, 8, 8))`` to feed the 64 features of a digit to a
    convolution (``fit`` takes 2-D ``X``, so an image net starts with this)."""

    def __init__(self, shape):
        super().__init__()
        if not isinstance(shape, (tuple, list)) or not shape:
            raise InvalidType(f"shape must be a non-empty tuple of ints such as (1, 8, 8), got {show(shape)}")
        self.shape = tuple(positive_int(f"shape[{i}]", s) for i, s in enumerate(shape))
        self._in = None

    def forward(self, X, training=None):
        X = np.asarray(X)
        n = int(np.prod(self.shape))
        if X.ndim < 2 or int(np.prod(X.shape[1:])) != n:
            raise ShapeError(f"{self.name} expects input of shape (N, {n}) to reshape to (N, "
                             f"{', '.join(map(str, self.shape))}), got {X.shape}")
        self._in = X.shape
        return X.reshape((X.shape[0],) + self.shape)

    def backward(self, dY):
        if self._in is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        want = (self._in[0],) + self.shape
        if dY.shape != want:
            raise ShapeError(f"{self.name}.backward: dY must have shape {want}, got {dY.shape}")
        return dY.reshape(self._in)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls((2, 3)), (4, 6)

    def extra_repr(self):
        return f"{self.shape}"
