r"""Dropout (chapter 08): inverted (the form every framework uses) and the original, scaled at test time.

In training each unit is kept with probability :math:`q = 1 - p` (``p`` is the *drop* rate, as in
PyTorch's ``nn.Dropout(p)``) and zeroed otherwise, with a fresh mask :math:`m \sim \mathrm{Bernoulli}(q)`
on every forward pass:

* **inverted** (``mode="inverted"``, the default): :math:`y = x \odot m / q` in training and
  :math:`y = x` at evaluation. The expectation over masks is :math:`\mathbb E[y] = x`, so the layer
  is the identity at evaluation and nothing has to change when the net is deployed.
* **classic** (``mode="classic"``, Srivastava et al. 2014 as first written): :math:`y = x \odot m`
  in training and :math:`y = q\,x` at evaluation (the "weight scaling inference rule": the next
  layer's weights are, in effect, multiplied by :math:`q`).

The two give the same function at evaluation up to a factor :math:`q` the next layer absorbs; they
differ in which phase carries the scaling. Backward: :math:`\partial L/\partial x = m/q \odot
\partial L/\partial y` (inverted) or :math:`m \odot \partial L/\partial y` (classic), with the mask
of the last forward pass.

The layer has no parameters. It draws from its own ``Generator`` (``rng``), so a net built with
one seed drops the same units in the same order every run. ``stochastic = True`` (training output
is random) and ``gradcheck_training = False`` (a new mask on every forward pass, so finite
differences in training mode would compare different functions; :func:`Dropout.freeze` fixes the
mask to check the training-mode gradient, as ``tests/test_ch08_library.py`` does).
"""
from __future__ import annotations

import numpy as np

from .module import Module, as_generator
from .validate import fraction, one_of

__all__ = ["Dropout", "MODES", "dropout_layers", "dropout_mlp", "set_dropout"]

#: the two forms of dropout
MODES = ("inverted", "classic")


class Dropout(Module):
    """Zero each entry with probability ``p`` in training (see the module docstring).

    Parameters
    ----------
    p : float in [0, 1)
        Drop rate (keep probability ``q = 1 - p``). ``p = 0`` is the identity.
    rng : int or Generator
        Source of the masks.
    mode : {"inverted", "classic"}
        Where the factor ``q`` goes: divided out in training (inverted) or multiplied in at evaluation.
    """

    stochastic = True
    gradcheck_training = False

    def __init__(self, p: float = 0.5, rng=None, mode: str = "inverted"):
        super().__init__()
        self.p = fraction("p", p, hi_closed=False)
        self.mode = one_of("mode", mode, MODES)
        self.rng = as_generator(rng)
        self.mask = None          # the last training mask (as 0/1 in X's dtype)
        self._scale = None        # what backward multiplies dY by
        self._frozen = False

    @property
    def q(self) -> float:
        """The keep probability ``1 - p``."""
        return 1.0 - self.p

    def freeze(self, frozen: bool = True) -> "Dropout":
        """Keep reusing the last mask instead of drawing a new one (for gradient checks in training mode)."""
        self._frozen = bool(frozen)
        return self

    def forward(self, X, training=None):
        X = np.asarray(X)
        training = self._mode(training)
        dt = X.dtype if X.dtype.kind == "f" else np.float64
        if not training or self.p == 0.0:
            s = self.q if (not training and self.mode == "classic") else 1.0
            self._scale = np.asarray(s, dtype=dt)
            return X * self._scale if s != 1.0 else X.astype(dt, copy=True)
        if not (self._frozen and self.mask is not None and self.mask.shape == X.shape):
            self.mask = (self.rng.random(X.shape) >= self.p).astype(dt)
        self._scale = self.mask / dt.type(self.q) if self.mode == "inverted" else self.mask
        return X * self._scale

    def backward(self, dY):
        if self._scale is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        return np.asarray(dY) * self._scale

    @classmethod
    def example(cls, rng, dtype=np.float64):
        return cls(0.3, rng=int(rng.integers(2**31))), (6, 5)

    def extra_repr(self):
        return f"p={self.p:g}, mode={self.mode!r}"


def dropout_layers(model: Module) -> list[Dropout]:
    """The :class:`Dropout` layers of ``model``, in order."""
    return [m for m in model.modules() if isinstance(m, Dropout)]


def set_dropout(model: Module, p: float | None = None, mode: str | None = None) -> Module:
    """Change every dropout layer's rate (``p``) and/or ``mode`` in place (the debugging recipe: train
    with ``p = 0`` first, then turn dropout on); returns ``model``."""
    for m in dropout_layers(model):
        if p is not None:
            m.p = fraction("p", p, hi_closed=False)
        if mode is not None:
            m.mode = one_of("mode", mode, MODES)
    return model


def dropout_mlp(sizes, p_hidden: float = 0.5, p_input: float = 0.0, activation="relu", init="he", rng=None,
                dtype=np.float64, mode: str = "inverted") -> "Sequential":
    """An MLP with dropout: ``[Dropout(p_input)] -> Linear -> act -> Dropout(p_hidden) -> ... -> Linear``.

    Dropout layers are placed after each hidden activation (rate ``p_hidden``) and, if ``p_input > 0``,
    on the input (rate ``p_input``); none after the output layer. The weights are drawn as
    ``mlp(sizes, ..., rng=<first stream>)`` would draw them, and the masks from a second stream of
    ``rng`` (``dlcore.rng.spawn``), so the same seed gives the same initial weights whatever the rates."""
    from .layers import Linear, Sequential, mlp
    from .rng import spawn
    g_w, g_mask = spawn(rng, 2)
    base = mlp(sizes, activation=activation, init=init, rng=g_w, dtype=dtype)
    layers: list[Module] = []
    n_drop = sum(isinstance(l, Linear) for l in base.layers)
    seeds = g_mask.integers(0, 2**63 - 1, size=n_drop)
    if p_input > 0:
        layers.append(Dropout(p_input, rng=int(seeds[0]), mode=mode))
    k = 1
    for layer in base.layers:
        layers.append(layer)
        if not isinstance(layer, Linear):          # an activation: dropout after it
            layers.append(Dropout(p_hidden, rng=int(seeds[k]), mode=mode))
            k += 1
    return Sequential(layers)
