"""Chapter 04 on a real task: three output/cost pairings on the 8x8 digits.

=====================  =====================================  ============================================
setup                  network output                         cost (``dlcore.losses``)
=====================  =====================================  ============================================
``sigmoid+quadratic``  :math:`a = \\sigma(z)` (a Sigmoid layer)  ``quadratic``: :math:`\\tfrac12\\lVert a-y\\rVert^2`
``sigmoid+CE``         logits :math:`z`                       ``bce_with_logits`` (sigmoid inside)
``softmax+CE``         logits :math:`z`                       ``softmax_cross_entropy``
=====================  =====================================  ============================================

The output-layer error :math:`\\partial C/\\partial z_k` is
:math:`(a_k-y_k)\\,\\sigma'(z_k)` for the first and :math:`a_k - y_k` (resp.
:math:`p_k - y_k`) for the other two, so an output unit that is saturated on
the *wrong* side (:math:`|a_k - y_k| > 0.97`) barely learns with the
quadratic cost. We record that fraction over training, on the validation set.
"""
from __future__ import annotations

import copy

import numpy as np

from ..activations.basic import sigmoid
from ..cache import Partial, cached
from ..data import digits, one_hot
from ..layers import mlp
from ..losses import softmax
from ..rng import spawn
from ..train import evaluate, fit

__all__ = ["SETUPS", "output_probabilities", "saturation", "train_setup", "compare_setups", "tuned_comparison",
           "hidden_saturation"]

#: setup name -> (output_activation of the mlp, loss name for fit)
SETUPS = {
    "sigmoid+quadratic": ("sigmoid", "quadratic"),
    "sigmoid+CE": (None, "bce"),
    "softmax+CE": (None, "cross_entropy"),
}


def _setup(name):
    if name not in SETUPS:
        raise ValueError(f"setup must be one of {list(SETUPS)}, got {name!r}")
    return SETUPS[name]


def output_probabilities(setup: str, out: np.ndarray) -> np.ndarray:
    """The per-class outputs in [0, 1] the cost compares with the targets: ``(N, 10)``."""
    _setup(setup)
    if setup == "sigmoid+quadratic":
        return out
    if setup == "sigmoid+CE":
        return sigmoid(out)
    return softmax(out)


def saturation(P: np.ndarray, labels: np.ndarray, threshold: float = 0.97) -> dict:
    """Fractions of output units that are saturated, and saturated on the wrong side.

    ``saturated``: :math:`a < 1-t` or :math:`a > t`; ``wrong``: :math:`|a - y| > t`
    (confidently wrong: where :math:`\\sigma'(z)` kills the quadratic cost's gradient).
    """
    P = np.asarray(P)
    Y = one_hot(np.asarray(labels), P.shape[1]).astype(P.dtype)
    return {"saturated": float(np.mean((P < 1 - threshold) | (P > threshold))),
            "wrong": float(np.mean(np.abs(P - Y) > threshold))}


class _Recorder:
    def __init__(self, setup, X, y):
        self.setup, self.X, self.y = setup, X, y
        self.rows = []

    def on_eval(self, state):
        P = output_probabilities(self.setup, state.model.forward(self.X, training=False))
        s = saturation(P, self.y)
        self.rows.append((state.step, s["saturated"], s["wrong"]))


def _train(setup, rng, epochs, hidden, lr, init_std, batch_size, evals_per_epoch, resume=None):
    """Train from scratch, or continue ``resume`` (a :class:`Partial` of a shorter run with the same
    settings, whose state is ``(net, shuffle generator)``) up to ``epochs``."""
    out_act, loss = SETUPS[setup]
    ds = digits(dtype=np.float32)
    steps_per_epoch = int(np.ceil(len(ds.X_train) / batch_size))
    every = max(1, steps_per_epoch // evals_per_epoch)
    rec = _Recorder(setup, ds.X_val, ds.y_val)
    if resume is None:
        init_rng, shuffle_rng = spawn(rng, 2)          # independent streams: weights, batch order
        net = mlp([64, hidden, 10], activation="sigmoid", init="normal", init_kwargs={"std": init_std},
                  rng=init_rng, dtype=np.float32, output_activation=out_act)
        done = 0
        rec.on_eval(_Start(net))
        first = {"epoch": [0.0], "val_acc": [evaluate(net, ds.X_val, ds.y_val, loss)["acc"]],
                 "train_acc": [evaluate(net, ds.X_train, ds.y_train, loss)["acc"]]}
    else:
        # copies: an interrupted update must not leave a half-trained net in the cache
        net, shuffle_rng = copy.deepcopy(resume.state)
        done = resume.length
    h = fit(net, ds.X_train, ds.y_train, loss=loss, lr=lr, epochs=epochs - done, batch_size=batch_size,
            rng=shuffle_rng, val=(ds.X_val, ds.y_val), eval_every=every, callbacks=[rec], on_divergence="stop")
    steps, val_acc = h.eval_series("val_acc")
    _, train_acc = h.eval_series("train_acc")
    r = np.array(rec.rows).reshape(-1, 3)
    new = {"epoch": done + steps / steps_per_epoch, "val_acc": val_acc, "train_acc": train_acc,
           "saturated": r[:, 1], "wrong": r[:, 2]}
    if resume is None:
        first.update(saturated=r[:1, 1], wrong=r[:1, 2])
        new = {k: np.r_[first[k], v if k in ("epoch", "val_acc", "train_acc") else v[1:]] for k, v in new.items()}
    else:
        new = {k: np.r_[resume.result[k], v] for k, v in new.items()}
    # a diverged run is final: any longer run stops at the same step
    return Partial(new, epochs, state=(net, shuffle_rng), final=h.divergence is not None)


class _Start:
    def __init__(self, model):
        self.model, self.step = model, 0


def _check_settings(epochs, hidden, lr, init_std, batch_size):
    if not (isinstance(epochs, (int, np.integer)) and 1 <= epochs <= 500):
        raise ValueError(f"epochs must be an int in [1, 500], got {epochs!r}")
    if not (isinstance(hidden, (int, np.integer)) and hidden >= 1):
        raise ValueError(f"hidden must be a positive int, got {hidden!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    if not init_std > 0:
        raise ValueError(f"init_std must be positive, got {init_std!r}")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")


def _cut(run, epochs):
    keep = run["epoch"] <= epochs + 1e-9
    return {k: v[keep] for k, v in run.items()}


@cached(extend="epochs", cut=_cut)
def train_setup(setup="softmax+CE", rng=0, epochs=15, hidden=30, lr=0.5, init_std=1.0,
                batch_size=32, evals_per_epoch=2, resume=None) -> dict:
    """Train a 64-hidden-10 sigmoid net (weights N(0, init_std^2), float32) with one setup.

    Returns read-only arrays over evaluation points (index 0 = before training):
    ``epoch``, ``val_acc``, ``train_acc``, ``saturated`` and ``wrong`` (fractions of
    validation output units, see :func:`saturation`). ``rng`` seeds the initial weights and the
    batch order (two spawned streams). Cached (:mod:`dlcore.cache`): a shorter run is cut from a
    longer one already trained with the same settings (it is its prefix), and a longer one
    continues the longest cached run (``resume`` is how the cache hands it over); both are
    bit-identical to training from scratch.
    """
    _setup(setup)
    _check_settings(epochs, hidden, lr, init_std, batch_size)
    if not (isinstance(evals_per_epoch, (int, np.integer)) and evals_per_epoch >= 1):
        raise ValueError(f"evals_per_epoch must be a positive int, got {evals_per_epoch!r}")
    per_epoch = -(-len(digits(dtype=np.float32).X_train) // batch_size)
    if per_epoch % max(1, per_epoch // evals_per_epoch) != 0:
        resume = None                  # the last evaluation of an epoch would be an extra one
    return _train(setup, rng, int(epochs), int(hidden), float(lr), float(init_std), int(batch_size),
                  int(evals_per_epoch), resume)


def compare_setups(seeds=(0, 1, 2), setups=tuple(SETUPS), progress=None, **settings) -> dict:
    """:func:`train_setup` for every setup and seed (``rng=seed``): ``{setup: {key: (n_seeds, n_evals)
    array}}`` plus ``"epoch"``. ``progress(fraction)`` is called after each run."""
    out, total, done = {}, len(seeds) * len(setups), 0
    for name in setups:
        runs = []
        for s in seeds:
            runs.append(train_setup(name, rng=s, **settings))
            done += 1
            if progress is not None:
                progress(done / total)
        out[name] = {k: np.stack([r[k] for r in runs]) for k in ("val_acc", "train_acc", "saturated", "wrong")}
        out["epoch"] = runs[0]["epoch"]
    return out


def tuned_comparison(init_std=1.0, lrs=None, seeds=(0, 1, 2, 3, 4), epochs=15, hidden=30) -> dict:
    """Each setup at its best learning rate (the mean final validation accuracy over ``seeds``).

    ``lrs``: ``{setup: learning rates}`` (default: the quadratic cost gets larger rates, since its
    gradient carries :math:`\\sigma'(z) \\le 1/4`). Returns ``{setup: {"lrs", "acc" (n_lr, n_seeds),
    "best_lr", "best" (n_seeds,)}}``: comparing at one shared rate confounds the cost with the step size.
    """
    lrs = lrs or {"sigmoid+quadratic": (0.5, 2.0, 4.0, 8.0), "sigmoid+CE": (0.5, 2.0)}
    out = {}
    for name, grid in lrs.items():
        acc = np.array([[train_setup(name, rng=s, epochs=epochs, hidden=hidden, lr=float(lr), init_std=init_std)
                         ["val_acc"][-1] for s in seeds] for lr in grid])
        k = int(np.argmax(acc.mean(axis=1)))
        out[name] = {"lrs": np.array(grid, dtype=float), "acc": acc, "best_lr": float(grid[k]), "best": acc[k]}
    return out


def hidden_saturation(init_std=1.0, seeds=(0, 1, 2, 3, 4), hidden=30, threshold=0.97) -> np.ndarray:
    """Per seed: the fraction of (validation image, hidden unit) pairs with the hidden sigmoid outside
    ``[1 - threshold, threshold]`` at initialisation (the same weights :func:`train_setup` starts from).
    Cross-entropy cancels :math:`\\sigma'` at the output only; these units learn slowly under any cost."""
    from ..diagnostics import trace
    ds = digits(dtype=np.float32)
    fracs = []
    for s in seeds:
        init_rng, _ = spawn(s, 2)
        net = mlp([64, hidden, 10], activation="sigmoid", init="normal", init_kwargs={"std": init_std},
                  rng=init_rng, dtype=np.float32)
        h = trace(net, ds.X_val).h[0]
        fracs.append(float(np.mean((h < 1 - threshold) | (h > threshold))))
    return np.array(fracs)
