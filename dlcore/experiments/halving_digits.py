"""Chapter 10: successive halving on the digits net of section 10.4, at the budget of random search.

The resource is a fraction of the 3-epoch training of :func:`search_digits.train_config`:
:data:`FRACTIONS` 1/27, 1/9, 1/3 and 1 of its steps (``round(f * steps)``, at least one step; with
batches of 16 that is 8, 23, 68 and 204 steps). ``scripts/halving_table.py`` trained every configuration
of the lattice once per draw of the training noise with :func:`train_rungs` and stored its validation
accuracy at the first three fractions in :mod:`dlcore.experiments.halving_table`; the fourth is the
table of section 10.4 (the same training, observed to its end). So halving, like the searches of 10.4,
is a table look-up, and a run of it is charged what it would cost to train: one full training is one
unit, a rung at 1/27 costs 1/27 of a unit per configuration, every evaluation from scratch (the
papers' accounting). With ``s`` rungs below the full training (Hyperband's bracket ``s``), ``n = T *
3**s / (s + 1)`` configurations cost ``T`` units, the budget of ``T`` random-search trials (bracket 2 a
little less at the chapter's budgets: its last rung holds ``floor(n / 9)``);
the steps each actually spends are counted as well (``steps``), since the batch size is searched too,
and the examples they process (``examples``: a rung at 1/27 with batches of 256 is one step, 1/15 of
that training's examples, not 1/27). :func:`hyperband_digits` runs Hyperband: brackets 3, 2, 1 and
random search (bracket 0), each at a quarter of the budget.
"""
from __future__ import annotations

import bisect
import math
from fractions import Fraction

import numpy as np

from ..cache import cached
from ..data import digits
from ..halving import successive_halving
from ..layers import mlp
from ..optim import AdamW
from ..rng import spawn
from ..train import LambdaCallback, fit
from .search_digits import (BUDGETS, DRAWS, EPOCHS, LATTICE, N_EVAL, SEARCH_SEEDS, SPACE, curves_over_draws,
                            lattice_shape, search_digits, table)

__all__ = ["FRACTIONS", "ETA", "BRACKETS", "steps_at", "examples_at", "hyperband_digits", "hyperband_curves", "train_rungs", "rung_table", "objective", "n_configs", "nearest",
           "halving_digits", "halving_curves", "random_at_steps", "mistakes", "top_early", "early_late"]

ETA = 3
FRACTIONS = (Fraction(1, 27), Fraction(1, 9), Fraction(1, 3), Fraction(1))
#: brackets compared: s rungs below the full training (s = 0 is random search)
BRACKETS = (1, 2, 3)
N_TRAIN = 1079


def steps_at(batch_size: int, fraction) -> int:
    """Steps of the first ``fraction`` of the 3-epoch training with this batch size (at least 1)."""
    total = EPOCHS * math.ceil(N_TRAIN / int(batch_size))
    return max(1, math.floor(Fraction(fraction) * total + Fraction(1, 2)))


def examples_at(batch_size: int, steps: int) -> int:
    """Training examples processed by ``steps`` steps with this batch size (an epoch's last batch is short)."""
    per = math.ceil(N_TRAIN / int(batch_size))
    full, rem = divmod(int(steps), per)
    return full * N_TRAIN + min(rem * int(batch_size), N_TRAIN)


def train_rungs(lr: float, width: int, weight_decay: float, batch_size: int, rng=0) -> tuple:
    """:func:`search_digits.train_config`'s training, with the validation correct count (out of 359)
    recorded after :func:`steps_at` each of :data:`FRACTIONS` (a run that diverges: its final net)."""
    ds = digits(np.float32, rng=0)
    g_init, g_order = spawn(rng, 2)
    net = mlp([64, int(width), 10], "relu", "he", rng=g_init, dtype=np.float32)
    opt = AdamW(net, lr=float(lr), weight_decay=float(weight_decay))
    marks = [steps_at(batch_size, f) for f in FRACTIONS]
    counts = {}

    def count():
        with np.errstate(all="ignore"):
            return int((net.forward(ds.X_val).argmax(1) == ds.y_val).sum())

    def on_step(state):
        if state.step in marks:
            counts[state.step] = count()

    fit(net, ds.X_train, ds.y_train, optimizer=opt, epochs=EPOCHS, batch_size=int(batch_size), rng=g_order,
        on_divergence="stop", eval_train=False, callbacks=[LambdaCallback(on_step_end=on_step)])
    return tuple(counts[m] if m in counts else count() for m in marks)


@cached(maxsize=8)
def rung_table(draw: int = 0) -> dict:
    """Validation accuracy of every lattice configuration at each of :data:`FRACTIONS`: ``val``
    ``(4, *lattice_shape())``, ``test`` (full training only), ``steps`` per fraction and batch size."""
    from .halving_table import DRAWS as shipped, VAL_0, VAL_1, VAL_2
    i = shipped.index(int(draw))
    shape = lattice_shape()
    t = table(draw)
    val = np.stack([np.array(v[i], float).reshape(shape) / N_EVAL for v in (VAL_0, VAL_1, VAL_2)] + [t["val"]])
    steps = np.array([[steps_at(b, f) for b in LATTICE["batch_size"]] for f in FRACTIONS])
    return {"val": val, "test": t["test"], "steps": steps, "fractions": np.array([float(f) for f in FRACTIONS])}


#: log-scale midpoints between neighbouring lattice values: the nearest value by bisection
_MIDS = {k: [(math.log(a) + math.log(b)) / 2 for a, b in zip(v, v[1:])] for k, v in LATTICE.items()}


def nearest(params: dict) -> tuple:
    """:func:`search_digits.lattice_index` (the nearest lattice point in log scale), by bisection: the
    same indices, 10 times faster (halving looks up ~10^6 configurations)."""
    return tuple(bisect.bisect_left(m, math.log(params[k])) for k, m in _MIDS.items())


_RUNG = {float(f): k for k, f in enumerate(FRACTIONS)}


def _rung(resource: float) -> int:
    if resource in _RUNG:
        return _RUNG[resource]
    k = int(np.argmin([abs(math.log(resource / float(f))) for f in FRACTIONS]))
    if not math.isclose(resource, float(FRACTIONS[k]), rel_tol=1e-9):
        raise ValueError(f"resource must be one of {[str(f) for f in FRACTIONS]}, got {resource!r}")
    return k


def objective(params: dict, resource: float, seed=None, draw: int = 0) -> float:
    """Validation accuracy of the nearest lattice configuration after the fraction ``resource`` of its
    training (the seed is the table's draw: the same training at every rung)."""
    return float(rung_table(draw)["val"][(_rung(resource),) + nearest(params)])


def n_configs(budget: int, s: int) -> int:
    """Configurations of bracket ``s`` that cost ``budget`` full trainings: ``budget * 3**s / (s + 1)``
    (exactly the budget when that is a multiple of ``3**s``; else the last rungs hold a little fewer)."""
    n = Fraction(int(budget) * ETA ** int(s), int(s) + 1)
    if n.denominator != 1:
        raise ValueError(f"budget {budget} is not a multiple of {s + 1}: bracket {s} cannot match it exactly")
    return int(n)


@cached
def halving_digits(budget: int, s: int = 3, rng=0, draw: int = 0) -> dict:
    """One run of successive halving on the digits table at the budget of ``budget`` random-search trials:
    ``best_val``, ``test`` (of the configuration chosen), ``cost`` (in full trainings), ``steps`` (optimiser
    steps spent), ``oracle_val`` (the best of its ``n`` configurations had they all been trained fully),
    ``cut_rung`` (the rung after which that one was dropped; -1 if it reached the last or the
    choice is as good), ``lr_best`` (index of
    the chosen learning rate), and per rung ``rungs`` (resource, lattice indices, scores, promoted)."""
    s, n = int(s), n_configs(budget, s)
    rt = rung_table(draw)
    val = rt["val"]

    def score(params, resource, seed=None):        # objective(), with the table looked up once
        return float(val[(_rung(resource),) + nearest(params)])

    r = successive_halving(score, SPACE, n, float(FRACTIONS[-1 - s]), ETA, rng=rng, max_resource=1.0)
    idx = np.array([nearest(p) for p in r["params"]])
    final = np.array([rt["val"][(-1,) + tuple(i)] for i in idx])
    oracle = int(np.argmax(final))
    steps = examples = 0
    for g in r["rungs"]:
        k = _rung(g["resource"])
        st = [int(rt["steps"][k, idx[j][3]]) for j in g["ids"]]
        steps += sum(st)
        examples += sum(examples_at(LATTICE["batch_size"][idx[j][3]], t) for j, t in zip(g["ids"], st))
    alive = [oracle in set(g["ids"].tolist()) for g in r["rungs"]]
    b = r["best_id"]
    cut = -1 if alive[-1] or final[b] >= final[oracle] else alive.index(False) - 1     # -1: no loss
    return {"best_val": r["best_score"], "test": float(rt["test"][tuple(idx[b])]), "cost": r["cost"],
            "steps": steps, "examples": examples, "oracle_val": float(final[oracle]), "cut_rung": cut, "lr_best": int(idx[b][0]),
            "n": n, "idx": idx, "final": final, "best_id": int(b),
            "rungs": [{"resource": g["resource"], "ids": g["ids"], "scores": g["scores"], "promoted": g["promoted"]}
                      for g in r["rungs"]]}


def random_at_steps(steps: int, seed: int, draw: int, _search=None, key: str = "best_val") -> float:
    """Best validation accuracy of random search (seed ``seed``, the searches of section 10.4 continued
    to 256 trials) within ``steps`` optimiser steps: its trials in order while their 3-epoch trainings fit
    (``key="test"``: the test accuracy of that choice)."""
    rt = rung_table(draw)
    r = _search if _search is not None else search_digits.uncached("random", 4 * max(BUDGETS), rng=seed, draw=draw)
    spent = np.cumsum([rt["steps"][-1, i[3]] for i in r["idx"]])
    k = int(np.searchsorted(spent, int(steps), side="right"))
    if k == len(spent):
        raise ValueError(f"{steps} steps is more than {len(spent)} random trials")
    return float(r[key][k - 1]) if k else 0.0


@cached
def halving_curves(budgets=BUDGETS, seeds=SEARCH_SEEDS, draws=DRAWS, brackets=BRACKETS) -> dict:
    """Per draw (rows) and budget (columns), means over ``seeds``: ``s{s}`` best validation accuracy of
    bracket ``s``, ``s{s}_test`` its test accuracy, ``s{s}_steps`` steps spent, ``s{s}_cut`` fraction of
    runs whose best configuration (had all been trained fully) was dropped, ``s{s}_regret`` mean
    shortfall from that configuration, ``s{s}_random_same_steps`` random search (same seed) given the
    steps that run spent (``_test``: the test accuracy of its choice), ``s{s}_examples`` training examples
    processed, ``s{s}_batch16`` the share of batches of 16 in the last rung; ``random``, ``random_test``, ``random_steps``, ``random_examples`` the same for random
    search, ``tpe`` for TPE (the searches of :func:`search_digits.search_curves`)."""
    out = {"budgets": np.array(budgets), "draws": np.array(draws), "brackets": np.array(brackets), "n_seeds": len(seeds)}

    def grid(fn):
        return np.array([[np.mean([fn(b, sd, d) for sd in seeds]) for b in budgets] for d in draws])

    rnd = {(sd, d): search_digits.uncached("random", 4 * max(budgets), rng=sd, draw=d) for sd in seeds for d in draws}
    for s in brackets:
        runs = {(b, sd, d): halving_digits(b, s, sd, d) for b in budgets for sd in seeds for d in draws}
        out[f"s{s}"] = grid(lambda b, sd, d: runs[b, sd, d]["best_val"])
        out[f"s{s}_test"] = grid(lambda b, sd, d: runs[b, sd, d]["test"])
        out[f"s{s}_steps"] = grid(lambda b, sd, d: runs[b, sd, d]["steps"])
        out[f"s{s}_examples"] = grid(lambda b, sd, d: runs[b, sd, d]["examples"])
        out[f"s{s}_cut"] = grid(lambda b, sd, d: runs[b, sd, d]["cut_rung"] >= 0)
        out[f"s{s}_regret"] = grid(lambda b, sd, d: runs[b, sd, d]["oracle_val"] - runs[b, sd, d]["best_val"])
        out[f"s{s}_batch16"] = grid(lambda b, sd, d: np.mean(runs[b, sd, d]["idx"][runs[b, sd, d]["rungs"][-1]["ids"], 3] == 0))
        out[f"s{s}_random_same_steps"] = grid(lambda b, sd, d: random_at_steps(runs[b, sd, d]["steps"], sd, d,
                                                                                _search=rnd[sd, d]))
        out[f"s{s}_random_same_steps_test"] = grid(lambda b, sd, d: random_at_steps(
            runs[b, sd, d]["steps"], sd, d, _search=rnd[sd, d], key="test"))
    cd = curves_over_draws(budgets, seeds, draws)
    for k in ("random", "tpe", "random_test", "tpe_test"):
        out[k] = cd[k]
    out["random_steps"] = grid(lambda b, sd, d: int(np.sum(rung_table(d)["steps"][-1, rnd[sd, d]["idx"][:b, 3]])))
    out["random_examples"] = grid(lambda b, sd, d: len(rnd[sd, d]["idx"][:b]) * EPOCHS * N_TRAIN)
    return out


def early_late(draw: int = 0) -> dict:
    """How well an early score predicts the final one, over the lattice: ``best_lr`` (index of the
    learning rate of the best configuration at each fraction; ties: the smaller), ``lr_curve``
    (``(4, 9)``: the best accuracy reachable with each learning rate at each fraction), and
    ``spearman`` (rank correlation of each fraction's scores with the final ones, configurations that
    learned at the end: final accuracy > 0.5)."""
    v = rung_table(draw)["val"]
    flat = v.reshape(len(FRACTIONS), -1)
    lr_curve = v.max(axis=(2, 3, 4))
    ok = flat[-1] > 0.5

    def ranks(x):
        order = np.argsort(x, kind="stable")
        r = np.empty(len(x))
        r[order] = np.arange(len(x))
        for u in np.unique(x):                       # average ranks of ties
            m = x == u
            r[m] = r[m].mean()
        return r

    rf = ranks(flat[-1][ok])
    rho = np.array([np.corrcoef(ranks(f[ok]), rf)[0, 1] for f in flat])
    return {"best_lr": np.array([int(np.argmax(c)) for c in lr_curve]), "lr_curve": lr_curve, "spearman": rho,
            "lr": np.array(LATTICE["lr"]), "fractions": np.array([float(f) for f in FRACTIONS])}


@cached
def mistakes(budgets=BUDGETS, seeds=SEARCH_SEEDS, draws=DRAWS, s: int = 3) -> dict:
    """When bracket ``s`` drops the best of its configurations (the one that would have won had all been
    trained fully), per budget over all runs (seeds x draws): ``runs``, ``cut`` (how many such runs),
    ``at_rung`` ``(n_budgets, s + 1)`` (after which rung it was dropped), ``lr`` ``(n_budgets, 3)`` (its
    learning rate smaller / equal / larger than the chosen one's), ``regret_mean`` / ``regret_max``
    (validation accuracy lost in those runs), ``one_example`` (how many of them lost at most one of the
    359 validation digits)."""
    out = {"budgets": np.array(budgets), "runs": len(seeds) * len(draws), "cut": [], "at_rung": [], "lr": [],
           "regret_mean": [], "regret_max": [], "one_example": []}
    for b in budgets:
        rs = [halving_digits(b, s, sd, d) for sd in seeds for d in draws]
        cut = [r for r in rs if r["cut_rung"] >= 0]
        out["cut"].append(len(cut))
        out["at_rung"].append(np.bincount([r["cut_rung"] for r in cut], minlength=s + 1))
        sign = [int(np.sign(r["idx"][int(np.argmax(r["final"]))][0] - r["lr_best"])) + 1 for r in cut]
        out["lr"].append(np.bincount(sign, minlength=3))
        reg = [r["oracle_val"] - r["best_val"] for r in cut] or [0.0]
        out["one_example"].append(sum(x <= 1.5 / N_EVAL for x in reg) if cut else 0)
        out["regret_mean"].append(float(np.mean(reg)))
        out["regret_max"].append(float(np.max(reg)))
    return {k: np.array(v) if isinstance(v, list) else v for k, v in out.items()}


def top_early(draw: int = 0, top: int = 8) -> np.ndarray:
    """Where the ``top`` configurations of the lattice after the full training stood earlier: for each
    early fraction, the smallest share of the 810 configurations they were strictly better than."""
    v = rung_table(draw)["val"].reshape(len(FRACTIONS), -1)
    best = np.argsort(-v[-1], kind="stable")[:int(top)]
    return np.array([(v[k][None, :] < v[k][best][:, None]).mean(1).min() for k in range(len(FRACTIONS) - 1)])


@cached
def hyperband_digits(budget: int, rng=0, draw: int = 0) -> dict:
    """Hyperband at the budget of ``budget`` random-search trials: brackets 3, 2, 1 (:func:`halving_digits`
    at ``budget / 4``, seeds ``1000 (s + 1) + rng``) and random search with ``budget / 4`` trials (seed
    ``1000 + rng``); the best validation score wins (ties: the more aggressive bracket). ``best_val``,
    ``test`` of that choice, ``bracket`` (its ``s``), ``cost`` (full trainings) and ``steps``."""
    q = int(budget) // 4
    if 4 * q != int(budget):
        raise ValueError(f"budget {budget} is not a multiple of 4: four brackets cannot share it")
    runs = [halving_digits(q, s, 1000 * (s + 1) + int(rng), draw) for s in (3, 2, 1)]
    rs = search_digits.uncached("random", q, rng=1000 + int(rng), draw=draw)
    rt = rung_table(draw)
    vals = [r["best_val"] for r in runs] + [float(rs["best_val"][-1])]
    k = int(np.argmax(vals))
    test = runs[k]["test"] if k < 3 else float(rs["test"][-1])
    steps = sum(r["steps"] for r in runs) + int(np.sum(rt["steps"][-1, rs["idx"][:, 3]]))
    return {"best_val": vals[k], "test": test, "bracket": 3 - k, "cost": sum(r["cost"] for r in runs) + q,
            "steps": steps}


@cached
def hyperband_curves(budgets=(16, 32, 64), seeds=SEARCH_SEEDS, draws=DRAWS) -> dict:
    """Per draw (rows) and budget (columns), means over ``seeds`` of :func:`hyperband_digits`: ``val``,
    ``test``, ``steps``; ``wins`` ``(n_budgets, 4)``: how many runs each bracket s = 3, 2, 1, 0 won."""
    runs = {(b, sd, d): hyperband_digits(b, sd, d) for b in budgets for sd in seeds for d in draws}
    out = {"budgets": np.array(budgets)}
    for k in ("val", "test", "steps"):
        key = "best_val" if k == "val" else k
        out[k] = np.array([[np.mean([runs[b, sd, d][key] for sd in seeds]) for b in budgets] for d in draws])
    out["wins"] = np.array([np.bincount([3 - runs[b, sd, d]["bracket"] for sd in seeds for d in draws], minlength=4)
                            for b in budgets])
    return out
