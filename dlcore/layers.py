"""Linear layers, the Sequential container and the ``mlp`` builder (chapter 01 on).

Notation (rows are examples): ``X`` is ``(N, n_in)``, ``W`` is
``(n_in, n_out)``, ``b`` is ``(n_out,)`` and

.. math::
    Y = XW + b, \\qquad
    \\frac{\\partial L}{\\partial W} = X^\\top \\frac{\\partial L}{\\partial Y}, \\qquad
    \\frac{\\partial L}{\\partial b} = \\textstyle\\sum_n \\frac{\\partial L}{\\partial Y_n}, \\qquad
    \\frac{\\partial L}{\\partial X} = \\frac{\\partial L}{\\partial Y} W^\\top.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import Activation, get_activation
from .init import get_init
from .errors import InvalidArgument, InvalidType
from .module import Module, ShapeError, as_generator
from .validate import finite_float, float_array, float_dtype, positive_int, show

__all__ = ["Linear", "Sequential", "mlp"]


class Linear(Module):
    """Affine layer :math:`Y = XW + b`.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths.
    init : str or callable
        Weight initialiser name (see :mod:`dlcore.init`), e.g. ``"he"``,
        ``"xavier"``, ``"normal"`` (with ``init_kwargs={"std": 1}``).
    rng : int or numpy.random.Generator
        Source of the initial weights.
    W, b : array, optional
        Explicit initial values (copied); they override ``init``.
    bias : float
        Constant initial bias when ``b`` is not given.
    """

    param_roles = {"W": "weight", "b": "bias"}

    def __init__(self, n_in: int, n_out: int, init="he", rng=None, dtype=np.float64,
                 W=None, b=None, bias: float = 0.0, init_kwargs: dict | None = None):
        super().__init__()
        self.n_in, self.n_out = positive_int("n_in", n_in), positive_int("n_out", n_out)
        self.dtype = float_dtype("dtype", dtype)
        bias = finite_float("bias", bias)
        if init_kwargs is not None and not isinstance(init_kwargs, dict):
            raise InvalidType(f"init_kwargs must be a dict such as {{'std': 0.01}}, got {show(init_kwargs)}")
        source = {"W": "the W given" if W is not None else f"init={init!r}", "b": "the b given"}
        if W is None:
            fn = get_init(init, **(init_kwargs or {}))
            W = fn((self.n_in, self.n_out), self.n_in, self.n_out, rng=as_generator(rng), dtype=self.dtype)
        W = np.array(float_array("W", W, allow_empty=True), dtype=self.dtype, copy=True)
        if W.shape != (self.n_in, self.n_out):
            raise ShapeError(f"Linear W must have shape ({self.n_in}, {self.n_out}), got {W.shape}")
        b = np.full(self.n_out, bias, dtype=self.dtype) if b is None else np.array(float_array("b", b, allow_empty=True), dtype=self.dtype, copy=True)
        if b.shape != (self.n_out,):
            raise ShapeError(f"Linear b must have shape ({self.n_out},), got {b.shape}")
        for key, A in (("W", W), ("b", b)):
            if not np.isfinite(A).all():
                raise InvalidArgument(f"Linear {key} has {A.size - int(np.isfinite(A).sum())} NaN or inf entries "
                                      f"(from {source[key]})")
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self._X = None

    def forward(self, X, training=None):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_in:
            raise ShapeError(f"{self.name} expects input of shape (N, {self.n_in}), got {X.shape}")
        self._X = X
        return X @ self.params["W"] + self.params["b"]

    def backward(self, dY):
        self.backward_params(dY)
        return dY @ self.params["W"].T

    def backward_params(self, dY) -> None:
        """The parameters' gradients only, without :math:`\\partial L/\\partial X`: what the first layer of a
        net needs in training, where nothing uses the gradient with respect to the data (it would cost
        one more matrix product, as large as the layer's forward pass)."""
        if self._X is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        dY = np.asarray(dY)
        if dY.shape != (self._X.shape[0], self.n_out):
            raise ShapeError(f"{self.name}.backward: dY must have shape {(self._X.shape[0], self.n_out)}, got {dY.shape}")
        self.grads["W"] = self._X.T @ dY
        self.grads["b"] = dY.sum(axis=0)

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(5, 3, init="xavier", rng=rng, dtype=dtype, bias=0.1), (4, 5)

    def extra_repr(self):
        return f"{self.n_in}, {self.n_out}"


class Sequential(Module):
    """Apply layers in order; backward runs them in reverse.

    After a forward pass ``inputs[i]`` and ``outputs[i]`` are the input and output of layer
    ``i`` (read them through :func:`dlcore.diagnostics.trace`); after a backward pass
    ``output_grads[i]`` is :math:`\\partial L/\\partial` (output of layer ``i``).
    """

    def __init__(self, *layers: Module):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, l in enumerate(layers):
            if not isinstance(l, Module):
                raise TypeError(f"Sequential item {i} is a {type(l).__name__}, not a Module")
        self.layers = list(layers)
        self.inputs: list[np.ndarray] = []
        self.outputs: list[np.ndarray] = []
        self.output_grads: list[np.ndarray] = []

    def children(self):
        return self.layers

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def forward(self, X, training=None):
        training = self._mode(training)
        ins, outs = [], []
        for layer in self.layers:
            ins.append(X)
            X = layer.forward(X, training=training)
            outs.append(X)
        self.inputs, self.outputs = ins, outs
        return X

    def backward(self, dY, input_grad: bool = True):
        """Back-propagate ``dY``; returns :math:`\\partial L/\\partial X`. With ``input_grad=False`` (what
        ``fit`` asks) a first layer that can (``backward_params``) skips the gradient with respect to the
        data, and ``None`` is returned."""
        grads = [None] * len(self.layers)
        for i in range(len(self.layers) - 1, -1, -1):
            grads[i] = dY
            if i == 0 and not input_grad and hasattr(self.layers[0], "backward_params"):
                self.layers[0].backward_params(dY)
                dY = None
            else:
                dY = self.layers[i].backward(dY)
        self.output_grads = grads
        return dY

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return mlp([5, 4, 3], activation="tanh", init="xavier", rng=rng, dtype=dtype), (4, 5)

    def __repr__(self):
        inner = "\n".join(f"  ({i}) {l!r}" for i, l in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


def _sizes(sizes) -> list[int]:
    """``sizes`` as a list of positive ints, at least two (the input and output widths)."""
    ok = isinstance(sizes, (list, tuple)) or (isinstance(sizes, np.ndarray) and sizes.ndim == 1)
    if not ok:
        raise InvalidType(f"sizes must be a list of layer widths from input to output, e.g. [64, 100, 10]; "
                          f"got {show(sizes)}")
    if len(sizes) < 2:
        raise ShapeError(f"sizes needs at least two widths (input, output), e.g. [64, 10]; got {list(sizes)!r}")
    return [positive_int(f"sizes[{i}]", s) for i, s in enumerate(sizes)]


def mlp(sizes: Sequence[int], activation="relu", init="he", rng=None, dtype=np.float64,
        output_activation=None, init_kwargs: dict | None = None, bias: float = 0.0,
        activation_kwargs: dict | None = None) -> Sequential:
    """A multilayer perceptron ``Linear -> act -> ... -> Linear [-> output_activation]``.

    Parameters
    ----------
    sizes : sequence of int
        Widths from input to output, e.g. ``[64, 100, 100, 10]``.
    activation : str or Activation
        Hidden activation (registry name, see :mod:`dlcore.activations`).
    init : str or callable
        Weight initialiser for every Linear layer; ``init_kwargs`` go to it.
    rng : int or numpy.random.Generator
        One Generator drawn from in layer order, so the same seed gives the same net.
    output_activation : str, optional
        Usually ``None``: the losses take logits.
    """
    sizes = _sizes(sizes)
    rng = as_generator(rng)
    dtype = float_dtype("dtype", dtype)
    for what, kw in (("init_kwargs", init_kwargs), ("activation_kwargs", activation_kwargs)):
        if kw is not None and not isinstance(kw, dict):
            raise InvalidType(f"{what} must be a dict of parameters, got {show(kw)}")
    act_kwargs = activation_kwargs or {}
    if isinstance(activation, Activation) and len(sizes) > 2:
        raise InvalidArgument("pass the activation by name so each hidden layer gets its own instance")
    if not isinstance(activation, Activation):
        get_activation(activation, **act_kwargs)         # a bad name is an error even for a net without hidden layers
    layers: list[Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, rng=rng, dtype=dtype, bias=bias, init_kwargs=init_kwargs))
        if i < len(sizes) - 2:
            layers.append(get_activation(activation, **act_kwargs))
    if output_activation is not None:
        layers.append(get_activation(output_activation))
    return Sequential(layers)
