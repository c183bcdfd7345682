"""Chapter 02: why the initial weights must be random (symmetry breaking), and where Xavier's
:math:`\\mathrm{Var}(W) = 2/(n_{in}+n_{out})` comes from, measured.

* :func:`symmetry_breaking`: train the same net from all-zero, all-equal and Xavier weights and count
  how many different hidden units it ends with.
* :func:`xavier_gains`: the forward and backward variance gains of one layer drawn with a given
  variance, measured on Gaussian signals, beside :math:`n_{in}\\mathrm{Var}(W)` and :math:`n_{out}\\mathrm{Var}(W)`.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..diagnostics import trace
from ..layers import mlp
from ..rng import spawn
from ..train import fit
from .common import digits_data, init_spec

__all__ = ["distinct_units", "symmetry_breaking", "xavier_gains"]


def distinct_units(W, rtol: float = 1e-4) -> int:
    """How many different units a layer has: its weight columns ``W[:, j]`` (the incoming weights of
    unit ``j``) grouped when they agree to ``rtol`` times the largest column norm (0 for all-zero ``W``)."""
    W = np.asarray(W, dtype=np.float64)
    scale = np.max(np.linalg.norm(W, axis=0)) if W.size else 0.0
    if scale == 0:
        return 0
    reps: list[np.ndarray] = []
    for j in range(W.shape[1]):
        if not any(np.linalg.norm(W[:, j] - r) <= rtol * scale for r in reps):
            reps.append(W[:, j])
    return len(reps)


@cached(maxsize=16)
def symmetry_breaking(init: str = "zero", activation: str = "tanh", width: int = 32, depth: int = 2,
                      steps: int = 300, lr: float = 0.1, batch_size: int = 32, rng=0) -> dict:
    """Train ``64 -> width x depth -> 10`` on the digits from ``init`` (``"zero"``: every weight 0;
    ``"constant"``: every weight 0.1; or a random one such as ``"xavier"``); biases start at 0.

    Units of a layer that start equal get equal gradients (each sees the same inputs and sends its
    output through equal outgoing weights), so SGD keeps them equal: the layer acts as one unit. With
    all-zero weights and tanh, every hidden output is 0 and no weight below the output bias ever moves.

    Returns ``distinct`` (depth,) the number of different units per hidden layer after training
    (:func:`distinct_units`), ``hidden_rank`` (depth,) the numerical rank of each hidden layer's outputs
    on the validation set (relative tolerance 1e-3), ``val_acc``, ``loss`` (steps,) and ``checks``.
    """
    X, y, Xv, yv = digits_data()
    g_init, g_batch = spawn(rng, 2)
    name, kw = init_spec(init)
    net = mlp([X.shape[1]] + [int(width)] * int(depth) + [10], activation=activation, init=name,
              init_kwargs=kw, rng=g_init, dtype=np.float32)
    h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=batch_size, rng=g_batch, val=(Xv, yv),
            on_divergence="stop", eval_train=False)
    weights = [p.data for _, p in net.named_parameters() if p.role == "weight"]
    hs = trace(net, Xv).h
    ranks = []
    for H in hs:
        s = np.linalg.svd(np.asarray(H, dtype=np.float64), compute_uv=False)
        ranks.append(int(np.sum(s > 1e-3 * s[0])) if s.size and s[0] > 0 else 0)
    return dict(distinct=np.array([distinct_units(W) for W in weights[:-1]]), hidden_rank=np.array(ranks),
                val_acc=float(h.evals[-1]["val_acc"]), loss=np.asarray(h.loss, dtype=float),
                checks=tuple(h.checks))


@cached(maxsize=16)
def xavier_gains(n_in: int = 256, n_out: int = 64, var: str = "xavier", n: int = 4000, rng=0) -> dict:
    """Forward and backward variance gains of one linear layer ``z = x W`` (``W``: ``n_in x n_out``).

    Forward, :math:`\\mathrm{Var}(z_j) = n_{in}\\mathrm{Var}(W)\\mathrm{Var}(x)`; backward,
    :math:`\\mathrm{Var}(\\partial C/\\partial x_i) = n_{out}\\mathrm{Var}(W)\\mathrm{Var}(\\partial C/\\partial z)`.
    Keeping both gains at 1 needs :math:`\\mathrm{Var}(W) = 1/n_{in}` and :math:`1/n_{out}` at once, which
    only equal widths allow; Glorot and Bengio take the compromise :math:`2/(n_{in}+n_{out})`, whose two gains
    are :math:`2n_{in}/(n_{in}+n_{out})` and :math:`2n_{out}/(n_{in}+n_{out})` (product at most 1, equal to 1
    for equal widths).

    ``var`` is ``"fan_in"`` (:math:`1/n_{in}`), ``"fan_out"`` (:math:`1/n_{out}`) or ``"xavier"``. Returns
    ``var_w``, ``forward``/``backward`` (measured on ``n`` standard normal inputs and output gradients)
    and ``forward_pred``/``backward_pred``.
    """
    table = {"fan_in": 1.0 / n_in, "fan_out": 1.0 / n_out, "xavier": 2.0 / (n_in + n_out)}
    if var not in table:
        raise ValueError(f"var must be one of {', '.join(table)}, got {var!r}")
    v = table[var]
    g_w, g_x, g_d = spawn(rng, 3)
    W = g_w.standard_normal((int(n_in), int(n_out))) * np.sqrt(v)
    x = g_x.standard_normal((int(n), int(n_in)))
    d = g_d.standard_normal((int(n), int(n_out)))
    return dict(var_w=v, forward=float(np.var(x @ W)), backward=float(np.var(d @ W.T)),
                forward_pred=n_in * v, backward_pred=n_out * v)
