"""Chapter 08, sections 8.3-8.6: dropout's rate, dropout as an ensemble, dropout vs L2, and its noisy cost curve.

* :func:`subnetworks`: how many sub-networks a rate ``p`` makes "typical" (the notes' argument for 0.5);
* :func:`rate_sweep`: validation accuracy against the drop rate, hidden or input;
* :func:`mc_run` / :func:`mc_depth_sweep`: weight scaling (evaluation mode) against averaging the
  predictions of many sampled masks, and how far apart they are as the net gets deeper;
* :func:`scaling_check`: a net trained with the original (non-inverted) dropout evaluated with the
  right factor ``q``, with none, and with ``1/q``;
* :func:`matched_l2`: dropout against the L2 weight whose accuracy is closest, weights and activations;
* :func:`noisy_cost`: the training loss with and without dropout, and the loss of the same net with
  dropout switched off, step by step.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..dropout import dropout_mlp, set_dropout
from ..losses import softmax
from ..rng import spawn
from ..train import LambdaCallback, evaluate, fit
from .common import SEEDS, digits_data, over_seeds
from .regularisation import NOISE, reg_run

__all__ = ["subnetworks", "RATES", "rate_sweep", "mc_run", "mc_depth_sweep", "DEPTHS", "scaling_check",
           "L2_GRID", "matched_l2", "noisy_cost"]

#: the drop rates of the sweep of section 8.3
RATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
#: hidden layers of the Monte-Carlo comparison of section 8.4
DEPTHS = (1, 2, 3, 4)
#: the L2 weights searched for the one matching dropout's accuracy (section 8.5)
L2_GRID = (3e-3, 1e-2, 2e-2, 3e-2, 5e-2)


def subnetworks(n: int, ps) -> dict:
    """For ``n`` droppable units and drop rates ``ps``: ``log2_all`` (every mask is possible for
    ``0 < p < 1``: :math:`2^n` sub-networks, whatever ``p``), ``log2_typical`` (:math:`n H_2(p)` bits,
    the log2 of how many masks carry almost all the probability) and ``log2_mode`` (log2 of
    :math:`\\binom{n}{k}` for the most likely number ``k`` of kept units). The last two peak at ``p = 0.5``."""
    ps = np.asarray(ps, dtype=float)
    h = np.where((ps > 0) & (ps < 1), -(ps * np.log2(np.where(ps > 0, ps, 1)) +
                                        (1 - ps) * np.log2(np.where(ps < 1, 1 - ps, 1))), 0.0)
    k = np.round(n * (1 - ps)).astype(int)
    mode = np.array([(math.lgamma(n + 1) - math.lgamma(kk + 1) - math.lgamma(n - kk + 1)) / math.log(2) for kk in k])
    return {"p": ps, "log2_all": np.where((ps > 0) & (ps < 1), float(n), 0.0), "log2_typical": n * h,
            "log2_mode": mode, "n": int(n)}


def rate_sweep(where: str = "hidden", ps=RATES, seeds=SEEDS, label_noise: float = NOISE, **settings) -> dict:
    """:func:`~dlcore.experiments.regularisation.reg_run` with dropout at rate ``p`` on the hidden layers
    (``where="hidden"``) or on the input only (``"input"``), for each of ``ps`` and ``seeds``: arrays
    ``(n_ps, n_seeds)`` of ``val_acc``, ``val_loss``, ``train_acc``, ``clean_train_acc`` (on the true labels)
    and ``best_p`` (the rate with the
    highest mean validation accuracy)."""
    if where not in ("hidden", "input"):
        raise ValueError(f"where must be 'hidden' or 'input', got {where!r}")
    key = "p_hidden" if where == "hidden" else "p_input"
    runs = [over_seeds(reg_run, seeds, label_noise=label_noise, **{**settings, key: float(p)}) for p in ps]
    out = {k: np.stack([r[k] for r in runs]) for k in ("val_acc", "val_loss", "train_acc", "clean_train_acc")}
    out.update(p=np.asarray(ps, float), where=where, best_p=float(np.asarray(ps)[np.argmax(out["val_acc"].mean(1))]))
    return out


def _mc_probs(net, X, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The softmax outputs and the log-softmax (float64) of ``n`` forward passes, each with fresh dropout
    masks (training mode), shape ``(n, N, C)``: the caller averages the first ``k`` for each count it reports."""
    P, logP = [], []
    for _ in range(n):
        z = net.forward(X, training=True)
        P.append(softmax(z))
        z64 = np.asarray(z, np.float64)
        z64 = z64 - z64.max(1, keepdims=True)
        logP.append(z64 - np.log(np.exp(z64).sum(1, keepdims=True)))
    return np.stack(P), np.stack(logP)


@cached(maxsize=256)
def mc_run(depth: int = 2, p: float = 0.5, width: int = 128, n_train: int = 200, epochs: int = 100,
           samples=(1, 2, 5, 10, 20, 50, 100), label_noise: float = 0.0, rng=0) -> dict:
    """Train a ReLU MLP with ``depth`` hidden layers of ``width`` and dropout ``p`` after each, then
    predict the validation set by weight scaling (evaluation mode: one pass) and by averaging the
    softmax of ``k`` passes with sampled masks (Monte-Carlo), for each ``k`` in ``samples``.

    Returns ``acc_ws``, ``loss_ws`` (cross-entropy of the scaled net's probabilities), ``acc_mc`` and
    ``loss_mc`` (one per ``k``), ``tv`` (mean total-variation distance between the scaled net's and
    the largest average's class probabilities, per example) and ``agree`` (fraction of validation
    examples on which the two predict the same class); and for the normalised *geometric* mean of
    the largest sample (softmax of the mean log-probability, the average weight scaling computes exactly
    for one dropout layer before the softmax): ``acc_ngm``, ``loss_ngm``, ``tv_ws_ngm`` (its distance from
    the scaled net) and ``tv_ngm_am`` (from the arithmetic mean)."""
    X, y, Xv, yv = digits_data(int(n_train))
    g_net, g_order, g_mc, g_noise = spawn(rng, 4)
    if label_noise:
        from .regularisation_capacity import noisy_labels
        y = noisy_labels(y, label_noise, g_noise)
    net = dropout_mlp([64, *[int(width)] * int(depth), 10], p_hidden=p, rng=g_net, dtype=np.float32)
    fit(net, X, y, lr=0.1, epochs=int(epochs), batch_size=50, rng=g_order, eval_train=False)
    for d in net.modules():                       # the masks at test time come from their own stream
        if type(d).__name__ == "Dropout":
            d.rng = np.random.default_rng(g_mc.integers(2**63 - 1))
    yv = np.asarray(yv)
    P_ws = softmax(net.forward(Xv, training=False)).astype(np.float64)
    K = max(samples)
    P, logP = _mc_probs(net, Xv, K)
    P = P.astype(np.float64)
    # the normalised geometric mean of the sub-networks' predictions: softmax of the mean log-probability
    P_ngm = softmax(logP.mean(0))
    csum = np.cumsum(P, axis=0)
    idx = np.arange(len(yv))

    def score(Pk):
        return float(np.mean(Pk.argmax(1) == yv)), float(-np.mean(np.log(np.maximum(Pk[idx, yv], 1e-12))))

    mc = [score(csum[k - 1] / k) for k in samples]
    P_mc = csum[-1] / K
    acc_ws, loss_ws = score(P_ws)
    acc_ngm, loss_ngm = score(P_ngm)
    tv = lambda a, b: float(0.5 * np.abs(a - b).sum(1).mean())   # noqa: E731
    return {"acc_ws": acc_ws, "loss_ws": loss_ws, "acc_ngm": acc_ngm, "loss_ngm": loss_ngm,
            "tv_ws_ngm": tv(P_ws, P_ngm), "tv_ngm_am": tv(P_ngm, P_mc), "acc_mc": np.array([a for a, _ in mc]),
            "loss_mc": np.array([l for _, l in mc]), "samples": np.asarray(samples),
            "tv": float(0.5 * np.abs(P_ws - P_mc).sum(1).mean()),
            "agree": float(np.mean(P_ws.argmax(1) == P_mc.argmax(1))), "depth": int(depth)}


def mc_depth_sweep(depths=DEPTHS, seeds=SEEDS, **settings) -> dict:
    """:func:`mc_run` over ``depths`` and ``seeds``: ``acc_ws``, ``loss_ws``, ``tv``, ``agree``
    ``(n_depths, n_seeds)``, ``acc_mc``, ``loss_mc`` ``(n_depths, n_seeds, n_samples)``."""
    runs = [over_seeds(mc_run, seeds, depth=int(d), **settings) for d in depths]
    out = {k: np.stack([r[k] for r in runs]) for k in ("acc_ws", "loss_ws", "tv", "agree", "acc_mc", "loss_mc",
                                                       "acc_ngm", "loss_ngm", "tv_ws_ngm", "tv_ngm_am")}
    out.update(depths=np.asarray(depths), samples=np.asarray(runs[0]["samples"])[0])
    return out


@cached(maxsize=64)
def scaling_check(p: float = 0.5, depth: int = 2, width: int = 128, n_train: int = 200, epochs: int = 100,
                  rng=0) -> dict:
    """A net trained with the original dropout (``mode="classic"``: kept units not scaled in training)
    evaluated three ways: activations times ``q = 1 - p`` at test (right), not scaled (forgotten), and
    divided by ``q`` (the factor written the wrong way round). Validation ``acc_*`` and ``loss_*`` for
    ``right``, ``none``, ``inverse``; and the mean of the first hidden layer's dropped-out output in
    training against its value at evaluation (``train_mean``, ``eval_mean``: equal in expectation)."""
    X, y, Xv, yv = digits_data(int(n_train))
    g_net, g_order = spawn(rng, 2)
    net = dropout_mlp([64, *[int(width)] * int(depth), 10], p_hidden=p, rng=g_net, dtype=np.float32, mode="classic")
    fit(net, X, y, lr=0.1, epochs=int(epochs), batch_size=50, rng=g_order, eval_train=False)
    q = 1 - p
    out = {}
    for name, factor in (("right", q), ("none", 1.0), ("inverse", 1 / q)):
        # evaluate the classic net with its dropout layers multiplying by `factor`
        set_dropout(net, mode="inverted")            # inverted eval = identity; the factor is applied below
        scale_layers = [d for d in net.modules() if type(d).__name__ == "Dropout"]
        H = np.asarray(Xv)
        for layer in net.layers:
            H = layer.forward(H, training=False)
            if layer in scale_layers:
                H = H * np.float32(factor)
        e = evaluate_probs(H, yv)
        out[f"acc_{name}"], out[f"loss_{name}"] = e
        set_dropout(net, mode="classic")
    first = [i for i, l in enumerate(net.layers) if type(l).__name__ == "Dropout"][0]
    net.forward(Xv, training=True)
    out["train_mean"] = float(np.mean(net.outputs[first]))
    net.forward(Xv, training=False)
    out["eval_mean"] = float(np.mean(net.outputs[first]))
    return out


def evaluate_probs(logits, y) -> tuple[float, float]:
    """``(accuracy, mean cross-entropy)`` of ``logits`` against labels ``y``."""
    P = softmax(np.asarray(logits, np.float64))
    y = np.asarray(y)
    return float(np.mean(P.argmax(1) == y)), float(-np.mean(np.log(np.maximum(P[np.arange(len(y)), y], 1e-12))))


def matched_l2(p_hidden: float = 0.5, grid=L2_GRID, seeds=SEEDS, label_noise: float = NOISE, **settings) -> dict:
    """Dropout at ``p_hidden`` against the L2 weight of ``grid`` whose mean validation accuracy is
    closest to dropout's, and no regulariser: ``{"dropout": ..., "l2": ..., "none": ...}``
    (:func:`over_seeds` results of ``reg_run``), ``lam`` (the matched weight) and ``grid_acc`` (mean
    accuracy per grid weight)."""
    drop = over_seeds(reg_run, seeds, label_noise=label_noise, p_hidden=p_hidden, **settings)
    l2s = [over_seeds(reg_run, seeds, label_noise=label_noise, l2=float(l), **settings) for l in grid]
    accs = np.array([r["val_acc"].mean() for r in l2s])
    i = int(np.argmin(np.abs(accs - drop["val_acc"].mean())))
    none = over_seeds(reg_run, seeds, label_noise=label_noise, **settings)
    return {"dropout": drop, "l2": l2s[i], "none": none, "lam": float(grid[i]), "grid": np.asarray(grid),
            "grid_acc": accs}


@cached(maxsize=64)
def noisy_cost(p: float = 0.5, steps: int = 300, lr: float = 0.05, n_train: int = 200, width: int = 128,
               batch_size: int = 200, rng=0) -> dict:
    """Full-batch (``batch_size = n_train``) gradient descent on ``64-width-width-10`` with dropout ``p``
    after each hidden layer. Returns ``loss`` (the loss the step computed, with its masks), ``clean_loss``
    (the same net's training loss with dropout off, after each step, the quantity that should fall),
    ``rises`` and ``clean_rises`` (fraction of steps on which each went up) and the final accuracies."""
    X, y, Xv, yv = digits_data(int(n_train))
    g_net, g_order = spawn(rng, 2)
    net = dropout_mlp([64, int(width), int(width), 10], p_hidden=p, rng=g_net, dtype=np.float32)
    clean = []
    rec = LambdaCallback(on_step_end=lambda s: clean.append(evaluate(s.model, X, y)["loss"]))
    h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=int(batch_size), rng=g_order, callbacks=[rec],
            eval_train=False)
    loss, clean = np.asarray(h.loss, float), np.asarray(clean, float)
    return {"loss": loss, "clean_loss": clean, "rises": float(np.mean(np.diff(loss) > 0)),
            "clean_rises": float(np.mean(np.diff(clean) > 0)), "train_acc": evaluate(net, X, y)["acc"],
            "val_acc": evaluate(net, Xv, yv)["acc"]}
