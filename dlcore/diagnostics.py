"""Per-layer diagnostics of a network (chapter 01 on; chapter 02 leans on them).

:func:`layer_stats` reads what the last forward and backward pass of a
:class:`~dlcore.layers.Sequential` left behind and returns one record per
layer:

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

import numpy as np

from .activations import Activation
from .module import Module

__all__ = ["layer_stats", "layer_names", "param_grad_norms", "activation_rms"]


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


def _activation_record(layer):
    X, Y = layer._X, layer._Y
    if Y is None:
        return {}
    rec = {"mean": float(np.mean(Y)), "std": float(np.std(Y)),
           "rms": float(np.sqrt(np.mean(np.square(Y, dtype=np.float64))))}
    sat = layer.saturated(X, Y)
    if sat is not None:
        rec["saturated"] = float(np.mean(sat))
    d = layer.df(X, Y)
    rec["dead"] = float(np.mean(np.all(d == 0, axis=0))) if Y.ndim == 2 else float(np.mean(d == 0))
    return rec


def layer_stats(model: Module, optimizer=None) -> list[dict]:
    """One dict per layer of ``model`` (a Sequential), from the last forward/backward pass.

    Each dict has ``index``, ``name`` and ``kind`` (``"param"``,
    ``"activation"`` or ``"other"``) plus the statistics listed in the module
    docstring.
    """
    layers = getattr(model, "layers", [model])
    out = []
    for i, layer in enumerate(layers):
        rec = {"index": i, "name": f"{i}:{type(layer).__name__}"}
        if isinstance(layer, Activation):
            rec["kind"] = "activation"
            rec.update(_activation_record(layer))
        elif "W" in layer.params:
            rec["kind"] = "param"
            rec.update(_linear_record(layer, f"{i}.", optimizer))
        else:
            rec["kind"] = "other"
            gn = [np.linalg.norm(g) for _, _, g in layer.named_parameters() if g is not None]
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
    for name, _, g in model.named_parameters():
        if name.rsplit(".", 1)[-1] == key and g is not None:
            names.append(name)
            norms.append(float(np.linalg.norm(g)))
    return names, np.asarray(norms)


def activation_rms(model: Module) -> np.ndarray:
    """RMS of the output of every activation layer of a Sequential after a forward pass, shape ``(n_act,)``."""
    layers = getattr(model, "layers", [model])
    out = [float(np.sqrt(np.mean(np.square(l._Y, dtype=np.float64))))
           for l in layers if isinstance(l, Activation) and l._Y is not None]
    return np.asarray(out)
