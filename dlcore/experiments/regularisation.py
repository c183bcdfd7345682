"""Chapter 08: one training run of a regularised MLP on a small digits set, and the comparison of regularisers.

:func:`reg_run` is the one run every section of the chapter builds on: an MLP (ReLU, He init,
float32) trained with plain SGD on the first ``n_train`` digits with any mix of the chapter's
regularisers (L1 or L2 penalty, dropout on the input and the hidden layers, max-norm, early
stopping, augmented copies of the training set), returning the curves and the numbers the chapter
reads off it: accuracies, the first layer's weights as a histogram, weight norms and how many hidden
activations are zero.

:data:`METHODS` names the settings the comparison of section 8.2 uses; :func:`compare_methods`
runs them over seeds.
"""
from __future__ import annotations

import numpy as np

from ..augment import augment
from ..cache import cached
from ..diagnostics import trace
from ..dropout import dropout_mlp, dropout_layers
from ..layers import Linear
from ..regularise import EarlyStopping, MaxNorm, Penalty
from ..rng import spawn
from ..train import evaluate, fit
from .common import SEEDS, digits_data, over_seeds
from .regularisation_capacity import noisy_digits_net, noisy_labels

__all__ = ["reg_run", "NOISE", "METHODS", "DECAYS", "adam_decay", "method_settings", "compare_methods", "WEIGHT_BINS", "hidden_activations"]

#: bins of the first layer's weight histogram (weights beyond are counted in the end bins)
WEIGHT_BINS = np.linspace(-0.6, 0.6, 61)

#: the fraction of wrong training labels of section 8.2: a big net memorises them, which is over-fitting
#: a regulariser can visibly prevent (on the clean 200 digits the net scores 0.94 and hidden dropout up
#: to 0.5 changes that by under a point)
NOISE = 0.2

#: the comparison of section 8.2: name -> settings of :func:`reg_run`
METHODS = {
    "none": {},
    "L2": {"l2": 1e-2},
    "L1": {"l1": 1e-3},
    "dropout": {"p_hidden": 0.5},
    "max-norm": {"max_norm": 1.0},
    "early stopping": {"early": 4},
    # two extra copies triple the training set: 34 epochs of 12 batches is the 400 steps of 100 epochs on 200
    "augmentation": {"augment_copies": 2, "shift": 0, "max_angle": 5.0, "epochs": 34},
    "augmentation, 3x steps": {"augment_copies": 2, "shift": 0, "max_angle": 5.0},
    "dropout + max-norm": {"p_hidden": 0.5, "max_norm": 1.0},
    "dropout + early stopping": {"p_hidden": 0.5, "early": 4},
}


def method_settings(name: str) -> dict:
    """The :func:`reg_run` settings of one of :data:`METHODS`."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    return dict(METHODS[name])


def hidden_activations(net, X) -> list[np.ndarray]:
    """The outputs of each hidden activation in evaluation mode (``dlcore.diagnostics.trace``), in order."""
    return [np.asarray(h) for h in trace(net, X).h]


@cached(maxsize=512)
def reg_run(n_train: int = 200, hidden: tuple = (128, 128), lr: float = 0.1, epochs: int = 100,
            batch_size: int = 50, l1: float = 0.0, l2: float = 0.0, p_hidden: float = 0.0, p_input: float = 0.0,
            max_norm: float = 0.0, early: int = 0, augment_copies: int = 0, eval_every: int = 5,
            dropout_mode: str = "inverted", label_noise: float = 0.0, shift: int = 1, max_angle: float = 10.0, rng=0) -> dict:
    """Train ``64-hidden-10`` on the first ``n_train`` digits with the given regularisers.

    ``l1``/``l2``: penalty weights (:class:`~dlcore.regularise.Penalty`, weights only); ``p_hidden``,
    ``p_input``: dropout rates; ``max_norm``: the column-norm bound (0: none); ``early``: patience in
    epochs of :class:`~dlcore.regularise.EarlyStopping` on the validation loss (0: none; the best
    weights are restored); ``augment_copies``: transformed copies of each training image added
    (1-pixel shifts, rotations up to 10 degrees); evaluation every ``eval_every`` epochs.

    Returns the validation and training accuracy and loss at the end (after early stopping's
    restore), their curves per evaluation (``curve_epoch``, ``curve_val_acc``, ``curve_train_acc``,
    ``curve_val_loss``, ``curve_train_loss``, measured on the unaugmented training set), the
    mini-batch losses ``step_loss``, the first layer's weight histogram ``w_hist`` over
    :data:`WEIGHT_BINS`, ``w_norm`` (Frobenius norm of all weight matrices), ``w_small`` (fraction of
    first-layer weights with ``|w| < 0.01``), ``act_zero`` (fraction of hidden activations exactly 0 on
    the validation set), ``act_mean`` (their mean), ``stopped_epoch`` and ``best_epoch``.
    """
    X, y, Xv, yv = digits_data(int(n_train))
    y_true = np.asarray(y)
    g_net, g_order, g_aug, g_noise = spawn(rng, 4)
    if label_noise:
        y = noisy_labels(y, label_noise, g_noise)
    sizes = [64, *[int(h) for h in hidden], 10]
    net = dropout_mlp(sizes, p_hidden=p_hidden, p_input=p_input, rng=g_net, dtype=np.float32, mode=dropout_mode)
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    W0 = [np.array(layer.params["W"], np.float64) for layer in linears]
    # the validation digits split in two: the first half is what fit evaluates (curves, early stopping's
    # choice), the second half is never looked at during training (``test_acc``)
    half = len(yv) // 2
    Xs, ys, Xh, yh = Xv[:half], yv[:half], Xv[half:], yv[half:]
    Xt, yt = (augment(X, y, copies=int(augment_copies), shift=int(shift), max_angle=float(max_angle), rng=g_aug) if augment_copies else (X, y))
    per_epoch = int(np.ceil(len(Xt) / batch_size))
    callbacks = []
    if l1:
        callbacks.append(Penalty("l1", l1))
    if l2:
        callbacks.append(Penalty("l2", l2))
    if max_norm:
        callbacks.append(MaxNorm(max_norm))
    es = EarlyStopping("val_loss", patience=int(early)) if early else None
    if es is not None:
        callbacks.append(es)

    curves = {k: [] for k in ("epoch", "val_acc", "train_acc", "val_loss", "train_loss")}

    class Record:
        def on_eval(self, state):
            e = evaluate(state.model, X, y)
            rec = state.history.evals[-1]
            curves["epoch"].append(state.step / per_epoch)
            curves["val_acc"].append(rec["val_acc"])
            curves["val_loss"].append(rec["val_loss"])
            curves["train_acc"].append(e["acc"])
            curves["train_loss"].append(e["loss"])

    # Record first: early stopping reads the same evaluation
    h = fit(net, Xt, yt, lr=lr, epochs=int(epochs), batch_size=int(batch_size), rng=g_order, val=(Xs, ys),
            eval_every=per_epoch * int(eval_every), callbacks=[Record(), *callbacks], eval_train=False)
    tr, va = evaluate(net, X, y), evaluate(net, Xv, yv)
    W1 = np.asarray(linears[0].params["W"])
    Ws = [np.asarray(layer.params["W"], np.float64) for layer in linears]
    hist, _ = np.histogram(np.clip(W1, WEIGHT_BINS[0], WEIGHT_BINS[-1]), WEIGHT_BINS)
    acts = hidden_activations(net, Xv)
    allw = [np.asarray(p.data, np.float64) for _, p in net.named_parameters() if p.role == "weight"]
    out = {
        "val_acc": va["acc"], "train_acc": tr["acc"], "val_loss": va["loss"], "train_loss": tr["loss"],
        "gap": tr["acc"] - va["acc"], "clean_train_acc": evaluate(net, X, y_true)["acc"],
        "sel_acc": evaluate(net, Xs, ys)["acc"], "test_acc": evaluate(net, Xh, yh)["acc"],
        "w_norms": np.array([np.linalg.norm(w) for w in Ws]),
        "w_moved": np.array([np.linalg.norm(w - w0) for w, w0 in zip(Ws, W0)]),
        **{f"curve_{k}": np.asarray(v, float) for k, v in curves.items()},
        "step_loss": np.asarray(h.loss, float),
        "w_hist": hist, "w_norm": float(np.sqrt(sum(np.sum(w * w) for w in allw))),
        "w1_norm": float(np.linalg.norm(np.asarray(W1, np.float64))),
        "w_small": float(np.mean(np.abs(W1) < 0.01)),
        "act_zero": float(np.mean([np.mean(a == 0) for a in acts])) if acts else float("nan"),
        "act_mean": float(np.mean([np.mean(a) for a in acts])) if acts else float("nan"),
        "stopped_epoch": float(h.steps / per_epoch),
        "best_epoch": float(es.best_step / per_epoch) if es is not None and es.best_step else float(h.steps / per_epoch),
        "n_dropout": len(dropout_layers(net)),
    }
    return out


def compare_methods(methods=tuple(METHODS), seeds=SEEDS, label_noise: float = NOISE, **settings) -> dict:
    """``{method: over_seeds(reg_run, ...)}`` for each name of :data:`METHODS` (``settings`` shared)."""
    return {m: over_seeds(reg_run, seeds, label_noise=label_noise, **{**settings, **method_settings(m)})
            for m in methods}


#: the three ways of section 8.2's L2-with-Adam comparison
DECAYS = ("none", "L2 in Adam", "AdamW")


@cached(maxsize=64)
def adam_decay(mode: str = "L2 in Adam", lam: float = 1e-2, steps: int = 600, lr: float = 1e-3,
               n_train: int = 200, label_noise: float = NOISE, rng=0) -> dict:
    """The noisy-digits MLP trained with Adam and an L2 penalty (``"L2 in Adam"``: ``Adam(weight_decay=lam)``,
    the penalty's gradient goes through Adam's moments), decoupled decay (``"AdamW"``: ``AdamW(weight_decay=lam)``)
    or neither (``"none"``). Returns ``val_acc``, and the root-mean-square of the first layer's weights from
    the pixels that are 0 in every training image (``rms_dead``: no loss gradient ever reaches them) and from
    the others (``rms_live``), each divided by its value at initialisation."""
    from ..optim import Adam, AdamW
    if mode not in DECAYS:
        raise ValueError(f"mode must be one of {DECAYS}, got {mode!r}")
    X, y, Xv, yv, net, g_order = noisy_digits_net(n_train, label_noise, rng)
    W1 = net.layers[0].params["W"]
    dead = np.all(np.asarray(X) == 0, axis=0)
    rms = lambda W, rows: float(np.sqrt(np.mean(np.square(W[rows], dtype=np.float64))))   # noqa: E731
    r0 = rms(W1, dead), rms(W1, ~dead)
    opt = {"none": lambda: Adam(net, lr=lr), "L2 in Adam": lambda: Adam(net, lr=lr, weight_decay=lam),
           "AdamW": lambda: AdamW(net, lr=lr, weight_decay=lam)}[mode]()
    fit(net, X, y, optimizer=opt, steps=int(steps), batch_size=50, rng=g_order, eval_train=False)
    W1 = net.layers[0].params["W"]
    return {"val_acc": evaluate(net, Xv, yv)["acc"], "rms_dead": rms(W1, dead) / r0[0],
            "rms_live": rms(W1, ~dead) / r0[1], "n_dead": int(dead.sum())}
