r"""Regularisers as :func:`dlcore.fit` callbacks (chapter 08): L1/L2 penalties, max-norm, early stopping.

**Penalties as loss terms.** :class:`Penalty` adds the gradient of
:math:`\Omega(W)` to every weight matrix's gradient after backward and before the step, which is
what training on :math:`L + \Omega` does:

.. math::
    \Omega_{L2} = \tfrac{\lambda}{2}\textstyle\sum W^2, \quad \nabla = \lambda W; \qquad
    \Omega_{L1} = \lambda \textstyle\sum |W|, \quad \nabla = \lambda\,\mathrm{sign}(W).

Only parameters whose role is ``"weight"`` are penalised (not biases), as the optimisers'
``weight_decay`` does. The L2 term is the *same* thing as an optimiser's ``weight_decay``
(:mod:`dlcore.optim.base`: :math:`\lambda W` joins :math:`g` before the optimiser's own rule), so
``Penalty("l2", lam)`` with ``Adam`` equals ``Adam(weight_decay=lam)``; **decoupled** decay, which
shrinks the weight outside the adaptive rule, is ``AdamW(weight_decay=lam)``. With plain SGD the two
coincide (:math:`W \leftarrow W - \eta(g + \lambda W)`); with Adam they do not: the penalty's
gradient is divided by :math:`\sqrt{\hat v}` like the loss gradient, so weights with large gradients
are hardly decayed.

**Max-norm** (:class:`MaxNorm`, :func:`max_norm_`): after each step, every unit's incoming weight
vector (a column of ``W``, shape ``(n_in, n_out)``) longer than ``c`` is scaled back to length ``c``.

**Early stopping** (:class:`EarlyStopping`): watches a validation quantity at each evaluation, stops
after ``patience`` evaluations without improvement and puts back the weights of the best one.
"""
from __future__ import annotations

import numpy as np

from .module import Module
from .validate import nonneg_int, one_of, positive_float, nonneg_float

__all__ = ["Penalty", "penalty_value", "MaxNorm", "max_norm_", "EarlyStopping", "weight_arrays", "PENALTIES"]

#: the penalties :class:`Penalty` knows
PENALTIES = ("l1", "l2")


def weight_arrays(model: Module) -> list[np.ndarray]:
    """The model's weight matrices (parameters whose role is ``"weight"``), the arrays themselves."""
    return [p.data for _, p in model.named_parameters() if p.role == "weight"]


def penalty_value(model: Module, kind: str, lam: float) -> float:
    r""":math:`\Omega(W)`: ``lam/2 * sum W^2`` (``"l2"``) or ``lam * sum |W|`` (``"l1"``) over the weight matrices."""
    kind = one_of("kind", kind, PENALTIES)
    lam = nonneg_float("lam", lam)
    Ws = weight_arrays(model)
    if kind == "l2":
        return 0.5 * lam * float(sum(np.sum(np.square(W, dtype=np.float64)) for W in Ws))
    return lam * float(sum(np.sum(np.abs(W), dtype=np.float64) for W in Ws))


class Penalty:
    r"""Train on :math:`L + \Omega(W)`: adds :math:`\nabla\Omega` to the weights' gradients (``on_backward``).

    ``history.extra["penalty"]`` gets :math:`\Omega` at each step, so the full objective is
    ``history.loss[i] + history.extra["penalty"][i]``."""

    def __init__(self, kind: str = "l2", lam: float = 1e-4, record: bool = False):
        self.kind = one_of("kind", kind, PENALTIES)
        self.lam = nonneg_float("lam", lam)
        self.record = bool(record)

    def on_backward(self, state):
        if self.record:
            state.history.extra.setdefault("penalty", []).append(penalty_value(state.model, self.kind, self.lam))
        if not self.lam:
            return
        for m in state.model.modules():
            for k, W in m.params.items():
                if m.param_role(k) != "weight":
                    continue
                g = m.grads[k]
                if self.kind == "l2":
                    m.grads[k] = g + self.lam * W
                else:
                    m.grads[k] = g + self.lam * np.sign(W)

    def __repr__(self):
        return f"Penalty({self.kind!r}, lam={self.lam:g})"


def max_norm_(model: Module, c: float) -> int:
    """Scale every weight matrix's columns (a unit's incoming weights) longer than ``c`` back to length
    ``c``, in place. Returns how many columns were clipped."""
    c = positive_float("c", c)
    clipped = 0
    for W in weight_arrays(model):
        if W.ndim != 2:
            continue
        norms = np.sqrt(np.sum(np.square(W, dtype=np.float64), axis=0))
        over = norms > c
        if over.any():
            W[:, over] *= (c / norms[over]).astype(W.dtype)
            clipped += int(over.sum())
    return clipped


class MaxNorm:
    """The max-norm constraint as a callback: :func:`max_norm_` after every optimiser step
    (``on_step_end``). ``history.extra["max_norm_clipped"]`` counts the clipped columns per step if
    ``record``."""

    def __init__(self, c: float = 3.0, record: bool = False):
        self.c = positive_float("c", c)
        self.record = bool(record)

    def on_step_end(self, state):
        n = max_norm_(state.model, self.c)
        if self.record:
            state.history.extra.setdefault("max_norm_clipped", []).append(n)

    def __repr__(self):
        return f"MaxNorm(c={self.c:g})"


class EarlyStopping:
    """Stop when ``monitor`` (a key of ``history.evals``, e.g. ``"val_loss"`` or ``"val_acc"``) has not
    improved for ``patience`` evaluations, and restore the best weights at the end (``restore=True``).

    "Improved" means lower by more than ``min_delta`` for a loss, higher for an accuracy (``mode``:
    ``"min"``, ``"max"``, or ``"auto"``: max if the name ends in ``acc``). Give ``fit`` a ``val`` set
    and an ``eval_every``. After training, ``best_step``, ``best_value`` and ``stopped_step`` tell what
    happened (also in ``history.extra["early_stopping"]``)."""

    def __init__(self, monitor: str = "val_loss", patience: int = 10, min_delta: float = 0.0,
                 mode: str = "auto", restore: bool = True):
        self.monitor = str(monitor)
        self.patience = nonneg_int("patience", patience)
        self.min_delta = nonneg_float("min_delta", min_delta)
        mode = one_of("mode", mode, ("auto", "min", "max"))
        self.mode = ("max" if self.monitor.endswith("acc") else "min") if mode == "auto" else mode
        self.restore = bool(restore)
        self.best_value = None
        self.best_step = None
        self.best_state = None
        self.stopped_step = None
        self._wait = 0

    def _better(self, v) -> bool:
        if self.best_value is None:
            return True
        if self.mode == "min":
            return v < self.best_value - self.min_delta
        return v > self.best_value + self.min_delta

    def on_eval(self, state):
        rec = state.history.evals[-1]
        if self.monitor not in rec:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, but the evaluation has only "
                           f"{sorted(k for k in rec if k not in ('step', 'epoch'))}; pass val=(X_val, y_val) to fit")
        v = float(rec[self.monitor])
        if self._better(v):
            self.best_value, self.best_step, self._wait = v, rec["step"], 0
            self.best_state = state.model.state_dict()
        else:
            self._wait += 1
            if self._wait >= self.patience:
                self.stopped_step = rec["step"]
                state.stop = True

    def on_train_end(self, state):
        if self.restore and self.best_state is not None:
            state.model.load_state_dict(self.best_state)
        state.history.extra["early_stopping"] = {"best_step": self.best_step, "best_value": self.best_value,
                                                 "stopped_step": self.stopped_step}

    def __repr__(self):
        return f"EarlyStopping({self.monitor!r}, patience={self.patience})"
