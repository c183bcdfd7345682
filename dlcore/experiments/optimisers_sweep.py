r"""Chapter 05 on the digits: each optimiser's learning-rate sweep, schedules, and warm-up.

Every run is :func:`dlcore.experiments.optimisers_train.train_digits` (a 64-32-10 ReLU net, He init,
float32, mini-batches of 32, softmax cross-entropy), scored by its **validation loss after**
``steps`` **steps** (a run whose loss became NaN/inf scores :math:`+\infty`). Claims are over
:data:`~dlcore.experiments.common.SEEDS`.

* :func:`digits_lr_sweep` -- one optimiser over a grid of learning rates and seeds: the best rate
  is the one with the lowest *median* validation loss (found, not assumed), and each seed's own
  best rate shows how firmly the sweep pins it down.
* :func:`sweep_all` -- that for every optimiser of :data:`SWEEP_LRS`.
* :func:`good_range` -- the rates whose median loss is within a factor of the best: how robust an
  optimiser is to its learning rate, in decades.
* :func:`schedule_runs` -- one optimiser and rate under several schedules (:data:`SCHEDULE_SPECS`).
* :func:`warmup_rescue` -- the same run with and without linear warm-up, over seeds: warm-up rescues
  a net that starts with too-large weights at a rate that kills it without.
"""
from __future__ import annotations

import math

import numpy as np

from ..cache import cached
from ..schedules import get_schedule
from .common import SEEDS
from .optimisers_train import train_digits

__all__ = ["SWEEP_LRS", "SWEEP_HYPER", "SCHEDULE_SPECS", "digits_lr_sweep", "sweep_all", "good_range",
           "schedule_runs", "schedule_rates", "warmup_rescue", "warmup_state", "paired_lower", "seed_best_count", "best_rates",
           "TRAINS"]

#: the learning rates swept per optimiser (half decades, wide enough that the best is inside)
SWEEP_LRS = {
    "sgd": (0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
    "momentum": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3),
    "nesterov": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3),
    "adagrad": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
    "rmsprop": (1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1),
    "adam": (1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1),
    "adamax": (3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3),
    "nadam": (3e-4, 0.001, 0.003, 0.01, 0.03, 0.1),
}
#: settings other than the rate (the frameworks' defaults otherwise)
SWEEP_HYPER = {"momentum": {"momentum": 0.9}, "nesterov": {"momentum": 0.9}}


def _score(run) -> float:
    v = run["val_loss"]
    if run["diverged"] or len(v) == 0 or not np.isfinite(v[-1]):
        return math.inf
    return float(v[-1])


@cached(maxsize=64)
def digits_lr_sweep(optimiser: str = "sgd", lrs=(0.01, 0.1, 1.0), seeds=SEEDS, steps: int = 200, hidden=(32,),
                    batch_size: int = 32, hyper=None) -> dict:
    """``optimiser`` at each rate of ``lrs`` for each of ``seeds`` (``rng=seed``), ``steps`` steps.

    Returns ``lrs``; ``val_loss`` and ``val_acc`` (n_lrs, n_seeds) after training (inf / NaN where
    the run diverged); ``loss`` (n_lrs, n_seeds, steps) the mini-batch losses; ``median`` (n_lrs,)
    the median validation loss over seeds; ``best_lr`` (lowest median), ``best`` its index,
    ``seed_best_lr`` (n_seeds,) each seed's own best rate, and ``diverged`` (n_lrs, n_seeds).
    """
    lrs = tuple(float(v) for v in lrs)
    hyper = SWEEP_HYPER.get(optimiser) if hyper is None else hyper
    runs = [[train_digits(optimiser, lr, int(s), steps, tuple(hidden), batch_size, hyper, None, steps)
             for s in seeds] for lr in lrs]
    vl = np.array([[_score(r) for r in row] for row in runs])
    acc = np.array([[r["final_val_acc"] if not r["diverged"] else math.nan for r in row] for row in runs])
    med = np.median(vl, axis=1)
    best = int(np.argmin(med))
    return {"optimiser": optimiser, "lrs": np.array(lrs), "val_loss": vl, "val_acc": acc,
            "loss": np.array([[r["loss"] for r in row] for row in runs]), "median": med,
            "best": best, "best_lr": lrs[best], "seed_best_lr": np.array(lrs)[np.argmin(vl, axis=0)],
            "diverged": np.array([[r["diverged"] for r in row] for row in runs]), "seeds": np.asarray(seeds)}


@cached(maxsize=8)
def sweep_all(optimisers=tuple(SWEEP_LRS), seeds=SEEDS, steps: int = 200, hidden=(32,), batch_size: int = 32) -> dict:
    """:func:`digits_lr_sweep` of each optimiser over its grid :data:`SWEEP_LRS`: ``{name: sweep}``."""
    return {name: digits_lr_sweep(name, SWEEP_LRS[name], seeds, steps, hidden, batch_size) for name in optimisers}


def seed_best_count(sweep) -> int:
    """In how many seeds the sweep's best rate (lowest median) is also that seed's own best rate."""
    return int(np.sum(np.asarray(sweep["seed_best_lr"]) == sweep["best_lr"]))


def best_rates(sweep, tol: float = 0.02) -> list:
    """``[(rate, k), ...]`` in increasing rate: the rates whose median validation loss is within a factor
    ``1 + tol`` of the lowest (usually one; two when the grid's neighbours tie, so that which of them
    wins is a matter of the last digits), each with ``k`` the number of seeds whose own best rate it is."""
    med, lrs = np.asarray(sweep["median"]), np.asarray(sweep["lrs"])
    sb = np.asarray(sweep["seed_best_lr"])
    return [(float(r), int(np.sum(sb == r))) for r, m in zip(lrs, med) if m <= (1 + tol) * med.min()]


def paired_lower(a, b) -> int:
    """Seed by seed (same seeds, same order): in how many is ``a`` lower than ``b`` (a paired count:
    a difference of means can come from one or two seeds)."""
    return int(np.sum(np.asarray(a, dtype=float) < np.asarray(b, dtype=float)))


def good_range(sweep, factor: float = 1.5) -> dict:
    """The rates whose median validation loss is at most ``factor`` times the best median:
    ``lo``, ``hi`` (the extreme good rates of the grid) and ``decades`` = log10(hi/lo). A wide
    range: the optimiser forgives a badly chosen rate. (Only the grid's rates are tried, so the
    true range is up to half a decade wider on each side.)"""
    med, lrs = np.asarray(sweep["median"]), np.asarray(sweep["lrs"])
    ok = med <= factor * med.min()
    good = lrs[ok]
    return {"lo": float(good.min()), "hi": float(good.max()), "decades": float(np.log10(good.max() / good.min())),
            "ok": ok}


#: schedules compared on one run (``(label, spec)``; spec ``(name, settings)`` for get_schedule)
SCHEDULE_SPECS = (
    ("constant", ("constant", {})),
    ("step (x0.1 at 2/3)", ("step", {"drop": 0.1, "every": 200})),
    ("exponential", ("exponential", {"decay_rate": 0.1, "decay_steps": 300})),
    ("1/t", ("inverse_time", {"decay_rate": 1.0, "decay_steps": 30})),
    ("cosine", ("cosine", {"total": 300})),
    ("warm-up + cosine", ("cosine", {"total": 270, "warmup": 30})),
)


def schedule_rates(lr: float, steps: int, specs=SCHEDULE_SPECS) -> dict:
    """``{label: (steps,) array}``: the rate each schedule of ``specs`` uses at steps 0..steps-1."""
    return {label: np.array([get_schedule(name, lr, **dict(kw))(t) for t in range(steps)])
            for label, (name, kw) in specs}


@cached(maxsize=16)
def schedule_runs(optimiser: str = "sgd", lr: float = 0.3, specs=SCHEDULE_SPECS, seeds=SEEDS, steps: int = 300,
                  hidden=(32,), batch_size: int = 32, hyper=None) -> dict:
    """``optimiser`` at peak rate ``lr`` under each schedule of ``specs``, over ``seeds``:
    ``{label: {"loss": (n_seeds, steps), "val_loss", "val_acc": (n_seeds,), "rate": (steps,)}}``
    plus ``steps``."""
    rates = schedule_rates(lr, steps, specs)
    out = {"steps": steps}
    for label, spec in specs:
        runs = [train_digits(optimiser, lr, int(s), steps, tuple(hidden), batch_size, hyper,
                             None if spec[0] == "constant" and not spec[1] else spec, steps) for s in seeds]
        out[label] = {"loss": np.array([r["loss"] for r in runs]), "val_loss": np.array([_score(r) for r in runs]),
                      "val_acc": np.array([r["final_val_acc"] for r in runs]), "rate": rates[label]}
    return out


#: a run "trains" if it ends above this validation accuracy (the nets here reach 0.9 or more when they train)
TRAINS = 0.5


@cached(maxsize=16)
def warmup_rescue(optimiser: str = "sgd", lr: float = 0.3, warmup: int = 100, seeds=SEEDS, steps: int = 300,
                  hidden=(64, 64), batch_size: int = 32, hyper=None, init: str = "normal",
                  init_kwargs=(("std", 1.0),)) -> dict:
    """The same runs with a constant rate and with ``warmup`` steps of linear warm-up to it (default:
    plain SGD at 0.3 on a 64-64-64-10 ReLU net whose weights start N(0, 1), chapter 02's too-large
    initialisation: the first gradients are far larger than later ones).

    Returns ``{"none": ..., "warmup": ...}``, each with ``loss`` (n_seeds, steps), ``val_acc``
    (n_seeds,), ``peak`` (n_seeds,) the largest mini-batch loss, ``diverged`` (n_seeds,) the loss
    became NaN/inf, ``trained`` (n_seeds,) ended above :data:`TRAINS` validation accuracy, and
    ``rate`` (steps,) the learning rate of each step."""
    out = {}
    for key, sched in (("none", None), ("warmup", ("constant", {"warmup": int(warmup)}) if warmup > 0 else None)):
        runs = [train_digits(optimiser, lr, int(s), steps, tuple(hidden), batch_size, hyper, sched, steps, init,
                             dict(init_kwargs)) for s in seeds]
        acc = np.array([r["final_val_acc"] for r in runs])
        loss = np.array([r["loss"] for r in runs])
        out[key] = {"loss": loss, "val_acc": acc, "peak": np.nanmax(np.where(np.isfinite(loss), loss, np.nan), axis=1),
                    "diverged": np.array([r["diverged"] for r in runs]),
                    "trained": np.nan_to_num(acc, nan=0.0) > TRAINS,
                    "rate": np.array([get_schedule(sched[0], lr, **sched[1])(t) for t in range(steps)])
                    if sched else np.full(steps, float(lr))}
    return out


@cached(maxsize=16)
def warmup_state(optimiser: str = "sgd", lr: float = 0.3, warmup: int = 100, seeds=SEEDS, at: int = 100,
                 hidden=(64, 64), batch_size: int = 32, init: str = "normal", init_kwargs=(("std", 1.0),)) -> dict:
    r"""The nets of :func:`warmup_rescue` after their first ``at`` steps, without (``"none"``) and with
    (``"warmup"``) warm-up: ``dead`` (n_seeds,) the fraction of hidden ReLUs whose input is <= 0 on
    every one of 300 training images (:func:`dlcore.experiments.activations_train.activity`; such a
    unit passes no gradient and never recovers), ``norm`` (n_seeds,) the weights' norm
    :math:`(\sum W^2)^{1/2}` over the layers, and ``norm0`` the same at the start."""
    from ..layers import mlp
    from ..optim import get_optimizer
    from ..rng import spawn
    from ..train import fit
    from .activations_train import activity
    from .common import digits_data
    from .optimisers_train import _schedule_callbacks
    X, y, _, _ = digits_data()
    out = {}
    for key, sched in (("none", None), ("warmup", ("constant", {"warmup": int(warmup)}))):
        dead, norm, norm0 = [], [], []
        for s in seeds:
            g_init, g_batch = spawn(int(s), 2)
            net = mlp([X.shape[1], *hidden, 10], activation="relu", init=init, init_kwargs=dict(init_kwargs),
                      rng=g_init, dtype=np.float32)
            wn = lambda: float(np.sqrt(sum(np.sum(np.asarray(v.data, dtype=np.float64) ** 2)
                                           for k, v in net.named_parameters() if k.endswith("W"))))
            norm0.append(wn())
            opt = get_optimizer(optimiser, net, lr=float(lr))
            fit(net, X, y, optimizer=opt, steps=int(at), batch_size=batch_size, rng=g_batch, on_divergence="stop",
                eval_train=False, callbacks=_schedule_callbacks(sched, float(lr)))
            dead.append(float(np.mean(activity(net, X[:300])[0])))
            norm.append(wn())
        out[key] = {"dead": np.array(dead), "norm": np.array(norm), "norm0": np.array(norm0)}
    return out
