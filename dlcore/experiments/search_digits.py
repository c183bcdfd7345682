"""Chapter 10: grid, random and TPE search on the digits MLP, and what selecting on a set does to its score.

Every configuration of the lattice :data:`LATTICE` (learning rate x width x weight decay x batch size,
9 x 6 x 5 x 3 = 810 nets 64-width-10, ReLU, He, AdamW, 3 epochs, one training seed each) was trained
once by ``scripts/search_table.py`` with :func:`train_config`, and its validation and test accuracies
(correct counts out of 359) stored in :mod:`dlcore.experiments.search_table`; the searches look the
table up (:func:`objective`: a setting is rounded to the nearest lattice point in log scale), so a
search of 50 trials costs milliseconds instead of 50 trainings. ``tests/test_ch10_search.py`` retrains
a few rows and checks that the script reproduces them.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..data import digits
from ..layers import mlp
from ..optim import AdamW
from ..rng import as_generator, spawn
from ..search import LogUniform, METHODS, grid_levels, search
from ..train import fit
from .common import SEEDS

__all__ = ["LATTICE", "SPACE", "EPOCHS", "N_EVAL", "SEARCH_SEEDS", "BUDGETS", "train_config", "table",
           "lattice_index", "objective", "search_digits", "search_curves", "selection_optimism",
           "importance"]

#: the trained lattice: every combination was trained once (scripts/search_table.py)
LATTICE = {"lr": tuple(float(10.0 ** e) for e in np.arange(-4.0, 0.01, 0.5)),
           "width": (4, 8, 16, 32, 64, 128),
           "weight_decay": (1e-4, 1e-3, 1e-2, 1e-1, 1.0),
           "batch_size": (16, 64, 256)}
#: the search space: each lattice value owns an equal share of its log axis
SPACE = {"lr": LogUniform(10 ** -4.25, 10 ** 0.25), "width": LogUniform(2 ** 1.5, 2 ** 7.5),
         "weight_decay": LogUniform(10 ** -4.5, 10 ** 0.5), "batch_size": LogUniform(2 ** 3, 2 ** 9)}
EPOCHS = 3
#: validation and test examples (the accuracies in the table are counts out of this)
N_EVAL = 359
#: searches are table look-ups, so their claims are made over 20 seeds
SEARCH_SEEDS = tuple(range(20))
BUDGETS = (4, 8, 16, 32, 64)


def train_config(lr: float, width: int, weight_decay: float, batch_size: int, rng=0) -> tuple[int, int]:
    """Train one configuration; ``(validation correct, test correct)`` out of 359 each."""
    ds = digits(np.float32, rng=0)
    g_init, g_order = spawn(rng, 2)
    net = mlp([64, int(width), 10], "relu", "he", rng=g_init, dtype=np.float32)
    opt = AdamW(net, lr=float(lr), weight_decay=float(weight_decay))
    fit(net, ds.X_train, ds.y_train, optimizer=opt, epochs=EPOCHS, batch_size=int(batch_size), rng=g_order,
        on_divergence="stop", eval_train=False)
    with np.errstate(all="ignore"):
        pv, pt = net.forward(ds.X_val).argmax(1), net.forward(ds.X_test).argmax(1)
    return int((pv == ds.y_val).sum()), int((pt == ds.y_test).sum())


def lattice_shape() -> tuple:
    return tuple(len(v) for v in LATTICE.values())


@cached(maxsize=1)
def table() -> dict:
    """The shipped table: ``val``, ``test`` accuracies as arrays of :func:`lattice_shape`, and the lattice."""
    from .search_table import TEST, VAL
    shape = lattice_shape()
    return {"val": np.array(VAL, float).reshape(shape) / N_EVAL,
            "test": np.array(TEST, float).reshape(shape) / N_EVAL,
            **{k: np.array(v, float) for k, v in LATTICE.items()}}


def lattice_index(params: dict) -> tuple:
    """The nearest lattice point (in log scale) of a setting, as indices."""
    return tuple(int(np.argmin(np.abs(np.log(np.array(v)) - math.log(params[k])))) for k, v in LATTICE.items())


def objective(params: dict) -> float:
    """Validation error of the nearest trained configuration (what a search minimises)."""
    return 1.0 - float(table()["val"][lattice_index(params)])


@cached
def search_digits(method: str, budget: int, rng=0) -> dict:
    """One search of the digits table: ``best_val`` (best validation accuracy so far, per trial), ``test``
    (test accuracy of the configuration chosen after each trial), ``idx`` (lattice indices tried)."""
    r = search(objective, SPACE, method=method, budget=budget, rng=rng)
    t = table()
    idx = [lattice_index(p) for p in r["params"]]
    val = np.array([t["val"][i] for i in idx])
    test = np.array([t["test"][i] for i in idx])
    run_best = np.array([int(np.argmax(val[:n + 1])) for n in range(len(val))])
    return {"best_val": np.maximum.accumulate(val), "test": test[run_best], "val": val,
            "idx": np.array(idx), "u": r["u"], "levels": np.array(r.get("levels", []))}


@cached
def search_curves(budgets=BUDGETS, seeds=SEARCH_SEEDS) -> dict:
    """Best validation accuracy found, and the test accuracy of that choice, against the budget:
    ``{method: (n_seeds, n_budgets)}`` for random and TPE (one search of the largest budget per seed,
    read at each budget), and the deterministic grid (one grid per budget, ``(1, n_budgets)``)."""
    budgets = tuple(int(b) for b in budgets)
    out = {"budgets": np.array(budgets), "best_possible": float(table()["val"].max())}
    for m in METHODS:
        if m == "grid":
            rs = [search_digits("grid", b) for b in budgets]
            out["grid_val"] = np.array([[r["best_val"][-1] for r in rs]])
            out["grid_test"] = np.array([[r["test"][-1] for r in rs]])
            out["grid_n"] = np.array([len(r["val"]) for r in rs])
        else:
            rs = [search_digits(m, max(budgets), rng=s) for s in seeds]
            out[m + "_val"] = np.array([[r["best_val"][b - 1] for b in budgets] for r in rs])
            out[m + "_test"] = np.array([[r["test"][b - 1] for b in budgets] for r in rs])
    return out


def importance() -> dict:
    """How much each hyper-parameter matters in the table: the spread (max - min) over its values of the
    best validation accuracy reachable with that value (the other three chosen best)."""
    v = table()["val"]
    out = {}
    for ax, k in enumerate(LATTICE):
        other = tuple(a for a in range(v.ndim) if a != ax)
        best = v.max(axis=other)
        out[k] = float(best.max() - best.min())
    return out


@cached
def selection_optimism(ks=(1, 3, 10, 30, 100), repeats: int = 5000, rng=0) -> dict:
    """Choose the best of ``k`` random configurations on one set, report its accuracy on that set and on the
    other: ``gap[k]`` (repeats,) = score on the selection set - score on the untouched set, for selection
    on the test set (the leak) and on the validation set (the protocol); ``optimism_*``: the same with the
    mean difference of the two sets over all configurations (``offset``, test - val) taken out, so that it
    is 0 on average for k = 1. Among the configurations that learned (validation accuracy > 0.5)."""
    gen = as_generator(rng)
    t = table()
    ok = t["val"].ravel() > 0.5
    val, test = t["val"].ravel()[ok], t["test"].ravel()[ok]
    out = {"ks": np.array(ks), "n_configs": int(ok.sum())}
    leak, proto, reported_leak, reported_proto = [], [], [], []
    for k in ks:
        pick = np.array([gen.choice(len(val), size=int(k), replace=False) for _ in range(repeats)])
        it = pick[np.arange(repeats), np.argmax(test[pick], axis=1)]
        iv = pick[np.arange(repeats), np.argmax(val[pick], axis=1)]
        leak.append(test[it] - val[it])
        proto.append(val[iv] - test[iv])
        reported_leak.append(test[it])
        reported_proto.append(test[iv])
    offset = float(np.mean(test - val))      # the test split is a little easier than the validation split
    out.update(offset=offset, optimism_leak=np.array(leak) - offset, optimism_protocol=np.array(proto) + offset,
               gap_leak=np.array(leak), gap_protocol=np.array(proto),
               reported_leak=np.array(reported_leak), reported_protocol=np.array(reported_proto))
    return out
