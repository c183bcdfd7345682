"""Chapter 10: grid, random and TPE search on the digits MLP, and what selecting on a set does to its score.

Every configuration of the lattice :data:`LATTICE` (learning rate x width x weight decay x batch size,
9 x 6 x 5 x 3 = 810 nets 64-width-10, ReLU, He, AdamW, 3 epochs, one training seed each) was trained
per *draw* of the training noise (``rng=draw``, draws :data:`DRAWS`) by ``scripts/search_table.py`` with
:func:`train_config`, and its validation and test accuracies (correct counts out of 359) stored in
:mod:`dlcore.experiments.search_table`; the searches look the table up (:func:`objective`: a setting is
rounded to the nearest lattice point in log scale), so a search of 50 trials costs milliseconds instead
of 50 trainings. Every statistic is computed per draw and reported over the draws (``*_over_draws``):
one draw of the training noise can flatter or hide a method. ``tests/test_ch10_search.py`` retrains a
few rows of several draws and checks that the script reproduces them.
"""
from __future__ import annotations

import functools
import itertools
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

__all__ = ["LATTICE", "SPACE", "EPOCHS", "N_EVAL", "SEARCH_SEEDS", "BUDGETS", "DRAWS", "train_config", "table",
           "lattice_index", "objective", "search_digits", "search_curves", "curves_over_draws", "grid_orders",
           "selection_optimism", "optimism_over_draws", "importance", "importance_over_draws", "tpe_settings"]

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
#: draws of the training noise in the shipped table (train_config's rng)
DRAWS = (0, 1, 2, 3, 4)


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


@cached(maxsize=8)
def table(draw: int = 0) -> dict:
    """One draw of the shipped table: ``val``, ``test`` accuracies as arrays of :func:`lattice_shape`, and
    the lattice."""
    from .search_table import DRAWS as shipped, TEST, VAL
    if int(draw) not in shipped:
        raise ValueError(f"draw must be one of {shipped}, got {draw!r}")
    i = shipped.index(int(draw))
    shape = lattice_shape()
    return {"val": np.array(VAL[i], float).reshape(shape) / N_EVAL,
            "test": np.array(TEST[i], float).reshape(shape) / N_EVAL, "draw": int(draw),
            **{k: np.array(v, float) for k, v in LATTICE.items()}}


def lattice_index(params: dict) -> tuple:
    """The nearest lattice point (in log scale) of a setting, as indices."""
    return tuple(int(np.argmin(np.abs(np.log(np.array(v)) - math.log(params[k])))) for k, v in LATTICE.items())


def objective(params: dict, draw: int = 0) -> float:
    """Validation error of the nearest trained configuration (what a search minimises)."""
    return 1.0 - float(table(draw)["val"][lattice_index(params)])


@cached
def search_digits(method: str, budget: int, rng=0, draw: int = 0, order=None, gamma: float = 0.25,
                  n_candidates: int = 24, n_startup: int = 5) -> dict:
    """One search of the digits table: ``best_val`` (best validation accuracy so far, per trial), ``test``
    (test accuracy of the configuration chosen after each trial), ``idx`` (lattice indices tried).
    ``order``: the order of the dimensions (a grid gives its extra levels to the first ones); ``gamma``,
    ``n_candidates``, ``n_startup``: TPE's settings (:func:`dlcore.search.search`)."""
    space = SPACE if order is None else {k: SPACE[k] for k in order}
    r = search(functools.partial(objective, draw=int(draw)), space, method=method, budget=budget, rng=rng,
               gamma=gamma, n_candidates=n_candidates, n_startup=n_startup)
    t = table(draw)
    idx = [lattice_index(p) for p in r["params"]]
    val = np.array([t["val"][i] for i in idx])
    test = np.array([t["test"][i] for i in idx])
    run_best = np.array([int(np.argmax(val[:n + 1])) for n in range(len(val))])
    return {"best_val": np.maximum.accumulate(val), "test": test[run_best], "val": val,
            "idx": np.array(idx), "u": r["u"], "levels": np.array(r.get("levels", []))}


def grid_orders(budgets=BUDGETS, draw: int = 0) -> np.ndarray:
    """Best validation accuracy of the grid for each of the 24 orders of the dimensions (which ones get
    the extra levels when the budget is not a power): ``(24, n_budgets)``."""
    return np.array([[search_digits("grid", int(b), draw=draw, order=o)["best_val"][-1] for b in budgets]
                     for o in itertools.permutations(SPACE)])


@cached
def search_curves(budgets=BUDGETS, seeds=SEARCH_SEEDS, draw: int = 0) -> dict:
    """Best validation accuracy found, and the test accuracy of that choice, against the budget, on one
    draw of the table: ``{method: (n_seeds, n_budgets)}`` for random and TPE (one search of the largest
    budget per seed, read at each budget), the deterministic grid in the order of :data:`SPACE`
    (``(1, n_budgets)``) and over all 24 orders of the dimensions (``grid_orders``)."""
    budgets = tuple(int(b) for b in budgets)
    out = {"budgets": np.array(budgets), "best_possible": float(table(draw)["val"].max()), "draw": int(draw)}
    for m in METHODS:
        if m == "grid":
            rs = [search_digits("grid", b, draw=draw) for b in budgets]
            out["grid_val"] = np.array([[r["best_val"][-1] for r in rs]])
            out["grid_test"] = np.array([[r["test"][-1] for r in rs]])
            out["grid_n"] = np.array([len(r["val"]) for r in rs])
            out["grid_orders"] = grid_orders(budgets, draw)
        else:
            rs = [search_digits(m, max(budgets), rng=s, draw=draw) for s in seeds]
            out[m + "_val"] = np.array([[r["best_val"][b - 1] for b in budgets] for r in rs])
            out[m + "_test"] = np.array([[r["test"][b - 1] for b in budgets] for r in rs])
    return out


@cached
def curves_over_draws(budgets=BUDGETS, seeds=SEARCH_SEEDS, draws=DRAWS) -> dict:
    """:func:`search_curves` on every draw of the table, summarised per draw (rows) and budget (columns):
    means over the search seeds of ``random``, ``tpe``; the grid in :data:`SPACE`'s order (``grid``) and its
    mean, min and max over the 24 orders of the dimensions; TPE strictly better than / tied with random
    search (``tpe_wins``, ``ties``: counts of seeds); the table's best (``best_possible``, per draw)."""
    cs = [search_curves(budgets, seeds, d) for d in draws]
    out = {"budgets": np.array(budgets), "draws": np.array(draws), "n_seeds": len(seeds),
           "grid_n": cs[0]["grid_n"], "best_possible": np.array([c["best_possible"] for c in cs])}
    for m in ("random", "tpe"):
        out[m] = np.array([c[m + "_val"].mean(0) for c in cs])
        out[m + "_test"] = np.array([c[m + "_test"].mean(0) for c in cs])
    out["grid"] = np.array([c["grid_val"][0] for c in cs])
    for f in ("mean", "min", "max"):
        out["grid_" + f] = np.array([getattr(c["grid_orders"], f)(0) for c in cs])
    out["tpe_wins"] = np.array([(c["tpe_val"] > c["random_val"]).sum(0) for c in cs])
    out["ties"] = np.array([(c["tpe_val"] == c["random_val"]).sum(0) for c in cs])
    return out


@cached
def tpe_settings(budget: int = 32, seeds=tuple(range(10)), draws=DRAWS, settings=None) -> dict:
    """TPE's own settings, one at a time away from the defaults (gamma 0.25, 24 candidates, 5 start-up
    trials): ``{name: (n_draws,)}`` mean best validation accuracy over ``seeds`` after ``budget`` trials,
    per draw of the table, for each setting and for random search (``"random"``) and the defaults."""
    settings = settings or {"defaults": {}, "gamma 0.1": {"gamma": 0.1}, "gamma 0.5": {"gamma": 0.5},
                            "4 candidates": {"n_candidates": 4}, "64 candidates": {"n_candidates": 64},
                            "2 start-up": {"n_startup": 2}, "16 start-up": {"n_startup": 16}}
    def best(d, s, kw):       # the defaults: the first ``budget`` trials of search_curves' longer searches
        r = search_digits("tpe", max(BUDGETS), rng=s, draw=d) if not kw else search_digits("tpe", budget, s, d, **kw)
        return r["best_val"][budget - 1]

    budget = int(budget)
    out = {name: np.array([np.mean([best(d, s, kw) for s in seeds]) for d in draws]) for name, kw in settings.items()}
    out["random"] = np.array([np.mean([search_digits("random", max(BUDGETS), rng=s, draw=d)["best_val"][budget - 1]
                                       for s in seeds]) for d in draws])
    return out


def importance(draw: int = 0) -> dict:
    """How much each hyper-parameter matters in one draw of the table: the spread (max - min) over its
    values of the best validation accuracy reachable with that value (the other three chosen best)."""
    v = table(draw)["val"]
    out = {}
    for ax, k in enumerate(LATTICE):
        other = tuple(a for a in range(v.ndim) if a != ax)
        best = v.max(axis=other)
        out[k] = float(best.max() - best.min())
    return out


def importance_over_draws(draws=DRAWS) -> dict:
    """:func:`importance` per draw: ``{name: (n_draws,)}``."""
    imp = [importance(d) for d in draws]
    return {k: np.array([i[k] for i in imp]) for k in LATTICE}


@cached
def selection_optimism(ks=(1, 3, 10, 30, 100), repeats: int = 5000, rng=0, draw: int = 0) -> dict:
    """Draw ``k`` random configurations, choose the best on one set, and compare its score on that set with
    its score on the other set (validation and test: 359 independent examples each). Per ``k`` and repeat:
    ``gap_leak`` = test - val of the configuration chosen on the test set, ``gap_protocol`` = val - test of
    the one chosen on the validation set (same k configurations), and ``optimism`` = their mean. The two
    splits differ by a configuration-dependent amount d(c) (test easier on average by ``offset``, more for
    mediocre configurations than for good ones); it enters the two gaps with opposite signs and cancels in
    their mean, so ``optimism`` is the selection effect alone (0 on average at k = 1, no model of d).
    Among the configurations that learned (validation accuracy > 0.5)."""
    gen = as_generator(rng)
    t = table(draw)
    ok = t["val"].ravel() > 0.5
    val, test = t["val"].ravel()[ok], t["test"].ravel()[ok]
    out = {"ks": np.array(ks), "n_configs": int(ok.sum()), "draw": int(draw)}
    leak, proto, reported_leak, reported_proto = [], [], [], []
    for k in ks:
        pick = np.array([gen.choice(len(val), size=int(k), replace=False) for _ in range(repeats)])
        it = pick[np.arange(repeats), np.argmax(test[pick], axis=1)]
        iv = pick[np.arange(repeats), np.argmax(val[pick], axis=1)]
        leak.append(test[it] - val[it])
        proto.append(val[iv] - test[iv])
        reported_leak.append(test[it])
        reported_proto.append(test[iv])
    leak, proto = np.array(leak), np.array(proto)
    out.update(offset=float(np.mean(test - val)), optimism=(leak + proto) / 2, gap_leak=leak, gap_protocol=proto,
               test_easier=int((test > val).sum()), test_harder=int((test < val).sum()),
               reported_leak=np.array(reported_leak), reported_protocol=np.array(reported_proto))
    return out


@cached
def optimism_over_draws(ks=(1, 3, 10, 30, 100), repeats: int = 5000, draws=DRAWS) -> dict:
    """:func:`selection_optimism` per draw of the table: ``optimism`` (n_draws, n_ks), the mean over
    repeats, with its standard error ``se``; ``reported_leak`` / ``reported_protocol`` the mean test
    score reported after choosing on the test / validation set; ``n_configs``, ``offset`` per draw."""
    rs = [selection_optimism(ks, repeats, 0, d) for d in draws]
    return {"ks": np.array(ks), "draws": np.array(draws),
            "optimism": np.array([r["optimism"].mean(1) for r in rs]),
            "se": np.array([r["optimism"].std(1, ddof=1) / np.sqrt(repeats) for r in rs]),
            "reported_leak": np.array([r["reported_leak"].mean(1) for r in rs]),
            "reported_protocol": np.array([r["reported_protocol"].mean(1) for r in rs]),
            "n_configs": np.array([r["n_configs"] for r in rs]), "offset": np.array([r["offset"] for r in rs])}
