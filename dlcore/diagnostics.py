"""Per-layer diagnostics of a network (chapter 01 on; chapter 02 leans on them).

:func:`trace` is the one way to look inside a forward pass: per layer of a
:class:`~dlcore.layers.Sequential`, its input and output and, for an
activation layer, the pre-activation :math:`z^l`, the activation
:math:`h^l = f(z^l)` and :math:`f'(z^l)` (Nielsen's ``zs`` and
``activations`` lists; PyTorch gets the same with forward hooks).

:func:`layer_stats` reads the trace of the last forward pass and the
gradients of the last backward pass and returns one record per layer:

* parameterised layers (``Linear``): ``grad_norm`` (:math:`\\lVert\\partial L/\\partial W\\rVert_F`),
  ``bias_grad_norm`` (Nielsen's :math:`\\lVert\\delta^l\\rVert`, the bias
  gradient), ``weight_norm`` and, when the optimiser tracked its updates,
  ``update_ratio`` :math:`\\mathrm{std}(\\Delta W)/\\mathrm{std}(W)`
  (Karpathy's update:data ratio; about 1e-3 is healthy);
* activation layers: ``mean``, ``std`` and ``rms`` (:math:`\\sqrt{\\mathrm{mean}(Y^2)}`) of the outputs, ``saturated``
  (fraction of saturated units, for functions that saturate) and ``dead``
  (fraction of units whose derivative is 0 for every example of the batch).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation
from .errors import InvalidArgument, InvalidType
from .module import Module

__all__ = ["trace", "Trace", "LayerTrace", "rms", "layer_stats", "layer_names", "param_grad_norms",
           "activation_rms"]


def rms(a) -> float:
    """Root mean square :math:`\\sqrt{\\mathrm{mean}(a^2)}`, accumulated in float64."""
    return float(np.sqrt(np.mean(np.square(a, dtype=np.float64))))


@dataclass(frozen=True)
class LayerTrace:
    """One layer of a forward pass: ``input``, ``output`` and, for an activation layer,
    ``df`` = :math:`f'` at its input (else None). For an activation layer ``z`` (its input) is the
    pre-activation and ``h`` (its output) the activation."""
    index: int
    layer: Module
    input: np.ndarray
    output: np.ndarray
    df: np.ndarray | None

    @property
    def name(self) -> str:
        return f"{self.index}:{type(self.layer).__name__}"

    @property
    def is_activation(self) -> bool:
        return isinstance(self.layer, Activation)

    z = property(lambda self: self.input, doc="pre-activation (the layer's input)")
    h = property(lambda self: self.output, doc="activation (the layer's output)")


class Trace(tuple):
    """The :class:`LayerTrace` of every layer, in forward order, with the activation layers'
    ``z``, ``h`` and ``df`` as lists (one entry per activation layer, in forward order)."""

    @property
    def activations(self) -> list[LayerTrace]:
        return [t for t in self if t.is_activation]

    @property
    def z(self) -> list[np.ndarray]:
        return [t.z for t in self.activations]

    @property
    def h(self) -> list[np.ndarray]:
        return [t.h for t in self.activations]

    @property
    def df(self) -> list[np.ndarray]:
        return [t.df for t in self.activations]

    @property
    def output(self) -> np.ndarray:
        return self[-1].output


def trace(model: Module, X=None, training: bool = False) -> Trace:
    """What each layer of ``model`` (a Sequential) saw and produced.

    With ``X`` (shape ``(N, n_in)``) the model first runs ``forward(X, training)``; without it the
    trace is that of the model's last forward pass. Nested blocks (a residual block, say) are one
    layer here. ``df`` is computed for activation layers only.
    """
    if X is not None:
        model.forward(X, training=training)
    layers = getattr(model, "layers", None)
    if layers is None:
        raise InvalidType(f"trace() needs a Sequential (with .layers), got {type(model).__name__}")
    inputs, outputs = getattr(model, "inputs", []), getattr(model, "outputs", [])
    if len(inputs) != len(layers) or len(outputs) != len(layers):
        raise InvalidArgument("the model has not run forward yet: pass X, e.g. trace(model, X)")
    out = []
    for i, (layer, a, b) in enumerate(zip(layers, inputs, outputs)):
        df = layer.df(a, b) if isinstance(layer, Activation) else None
        out.append(LayerTrace(i, layer, a, b, df))
    return Trace(out)


def layer_names(model: Module) -> list[str]:
    """Short names ``"0:Linear"``, ``"1:Sigmoid"``, ... of a Sequential's layers."""
    layers = getattr(model, "layers", [model])
    return [f"{i}:{type(l).__name__}" for i, l in enumerate(layers)]


def _linear_record(layer, prefix, optimizer):
    W, dW = layer.params["W"], layer.grads["W"]
    rec = {"grad_norm": float(np.linalg.norm(dW)), "weight_norm": float(np.linalg.norm(W))}
    if "b" in layer.grads:
        rec["bias_grad_norm"] = float(np.linalg.norm(layer.grads["b"]))
    if optimizer is not None and optimizer.last_updates:
        d = optimizer.last_updates.get(prefix + "W")
        if d is not None:
            sw = float(np.std(W))
            rec["update_ratio"] = float(np.std(d)) / sw if sw > 0 else float("inf")
    return rec


def _activation_record(t: LayerTrace):
    X, Y, layer = t.z, t.h, t.layer
    rec = {"mean": float(np.mean(Y)), "std": float(np.std(Y)), "rms": rms(Y)}
    sat = layer.saturated(X, Y)
    if sat is not None:
        rec["saturated"] = float(np.mean(sat))
    d = t.df
    rec["dead"] = float(np.mean(np.all(d == 0, axis=0))) if Y.ndim == 2 else float(np.mean(d == 0))
    return rec


def layer_stats(model: Module, optimizer=None) -> list[dict]:
    """One dict per layer of ``model`` (a Sequential), from the last forward/backward pass.

    Each dict has ``index``, ``name`` and ``kind`` (``"param"``,
    ``"activation"`` or ``"other"``) plus the statistics listed in the module
    docstring.
    """
    layers = getattr(model, "layers", [model])
    seen = trace(model) if getattr(model, "outputs", None) else None
    out = []
    for i, layer in enumerate(layers):
        rec = {"index": i, "name": f"{i}:{type(layer).__name__}"}
        if isinstance(layer, Activation):
            rec["kind"] = "activation"
            if seen is not None:
                rec.update(_activation_record(seen[i]))
        elif "W" in layer.params:
            rec["kind"] = "param"
            rec.update(_linear_record(layer, f"{i}.", optimizer))
        else:
            rec["kind"] = "other"
            gn = [np.linalg.norm(p.grad) for _, p in layer.named_parameters() if p.grad is not None]
            if gn:
                rec["grad_norm"] = float(np.sqrt(np.sum(np.square(gn))))
        out.append(rec)
    return out


def param_grad_norms(model: Module, key: str = "W") -> tuple[list[str], np.ndarray]:
    """Norms of every gradient named ``key`` (``"W"`` or ``"b"``), in forward order, nested blocks included.

    Returns ``(names, norms)``, e.g. ``(["0.W", "2.W", "4.0.0.W"], array([...]))``
    (the last is the Linear inside a residual block). With ``key="b"`` the
    norms are Nielsen's :math:`\\lVert\\delta^l\\rVert` summed over the batch.
    """
    names, norms = [], []
    for name, p in model.named_parameters():
        g = p.grad
        if name.rsplit(".", 1)[-1] == key and g is not None:
            names.append(name)
            norms.append(float(np.linalg.norm(g)))
    return names, np.asarray(norms)


def activation_rms(model: Module, X=None) -> np.ndarray:
    """RMS of the output of every activation layer of a Sequential (after ``forward(X)`` if ``X``
    is given, else of the last forward pass), shape ``(n_act,)``."""
    return np.asarray([rms(h) for h in trace(model, X).h])
