"""Chapter 10: why random search beats a grid when few hyper-parameters matter (Bergstra and Bengio 2012).

The score depends on ``x`` only, through a narrow peak; ``y`` is irrelevant. A 3 x 3 grid tries 9
settings but only 3 distinct values of ``x``; 9 random settings try 9.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..rng import as_generator
from ..search import Uniform, grid_points, search
from .common import SEEDS10

__all__ = ["PEAK", "WIDTH", "score", "irrelevant_axis", "over_peaks"]

PEAK, WIDTH = 0.62, 0.06
SPACE = {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}


def score(x, y=None):
    """The 2-D score: a peak of height 1 at ``x = PEAK`` (width ``WIDTH``) on a floor, whatever ``y``."""
    x = np.asarray(x, float)
    return 0.3 + 0.7 * np.exp(-0.5 * ((x - PEAK) / WIDTH) ** 2)


def _loss(p):
    return -float(score(p["x"]))


@cached
def irrelevant_axis(budget: int = 9, seeds=SEEDS10) -> dict:
    """Grid and random search of ``budget`` trials (and TPE) on :func:`score`: the trials of the first seed
    (``grid_xy``, ``random_xy``), the best score per seed (``random_best``, ``tpe_best``, ``grid_best``)
    and the number of distinct ``x`` values each tried (``grid_distinct_x``)."""
    g = search(_loss, SPACE, "grid", budget)
    rs = [search(_loss, SPACE, "random", budget, rng=s) for s in seeds]
    ts = [search(_loss, SPACE, "tpe", budget, rng=s, n_startup=min(5, budget)) for s in seeds]
    return {"grid_xy": g["u"], "random_xy": rs[0]["u"], "grid_best": -g["best_value"],
            "grid_distinct_x": int(len(np.unique(np.round(g["u"][:, 0], 12)))),
            "random_best": np.array([-r["best_value"] for r in rs]),
            "tpe_best": np.array([-r["best_value"] for r in ts]), "seeds": np.array(seeds), "budget": int(budget)}


@cached
def over_peaks(budget: int = 9, n: int = 20000, rng=0) -> dict:
    """The same comparison with the peak placed uniformly at random in [0, 1] (``n`` placements, each
    with its own random search): the best score of the grid (``grid_best``) and of random search
    (``random_best``) per placement. One placement (``PEAK``) can flatter either method; this cannot."""
    gen = as_generator(rng)
    peaks = gen.random(n)
    gx = np.unique(grid_points(SPACE, int(budget))[:, 0])
    rx = gen.random((n, int(budget)))

    def best(xs):
        return (0.3 + 0.7 * np.exp(-0.5 * ((xs - peaks[:, None]) / WIDTH) ** 2)).max(1)

    return {"peaks": peaks, "grid_best": best(np.broadcast_to(gx, (n, len(gx)))), "random_best": best(rx),
            "grid_x": gx, "budget": int(budget)}
