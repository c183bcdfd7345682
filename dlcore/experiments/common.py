"""What every chapter's experiments share: the seeds claims are made over, the digits data,
the initialiser that matches an activation, and how a result over seeds is stacked and printed.

A training run's last digits depend on its seed and even on the CPU's BLAS kernel (README,
"What nbval compares"); the phenomenon a chapter describes does not. So each claim about a
training outcome is measured over :data:`SEEDS` with :func:`over_seeds` and printed with its
spread by :func:`pm` (or :func:`pm_steps` for "steps to a target").

Conventions (``dlcore.rng``, ``dlcore.cache``): an experiment takes ``rng`` (an int, so that it
can be cached) and draws its independent streams with ``dlcore.rng.spawn``; a sweep takes
``seeds`` (a tuple of ints, each passed as ``rng``).
"""
from __future__ import annotations

import numpy as np

from ..cache import cached, freeze
from ..data import digits
from ..rng import as_generator
from ..layers import Sequential
from ..losses import softmax_cross_entropy

__all__ = ["train_step", "batches", "SAMPLINGS", "SEEDS", "SEEDS10", "CHANCE", "MATCHING_INIT", "matching_init", "INITS", "init_spec", "digits_data",
           "over_seeds", "pm", "pm_steps"]

#: the seeds the book's claims about training outcomes are made over
SEEDS = (0, 1, 2, 3, 4)
#: for runs that scatter from seed to seed (deep nets trained at a large step): with 5 seeds their
#: standard deviation itself varies by more than a factor 3 between two sets of seeds or two BLAS kernels
SEEDS10 = tuple(range(10))

#: the initialisations chapter 02 names: ``"normal"`` N(0, 1), ``"small"`` 0.02 N(0, 1), ``"scaled"``
#: N(0, s^2/n_in) with a scale ``s``, ``"xavier"`` N(0, 2/(n_in + n_out)), ``"he"`` N(0, 2/n_in),
#: and ``"zero"`` / ``"constant"`` (every weight 0, or every weight 0.1: no symmetry breaking)
INITS = ("normal", "small", "scaled", "xavier", "he", "zero", "constant")


def init_spec(init: str, scale: float = 1.0) -> tuple[str, dict]:
    """``(dlcore init name, init_kwargs)`` for one of :data:`INITS` (``scale`` is used by ``"scaled"``)."""
    table = {"normal": ("normal", {"std": 1.0}), "small": ("normal", {"std": 0.02}),
             "scaled": ("scaled_normal", {"scale": float(scale)}), "xavier": ("xavier", {}), "he": ("he", {}),
             "zero": ("constant", {"value": 0.0}), "constant": ("constant", {"value": 0.1})}
    if init not in table:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
    return table[init]

#: a digits net (10 classes) whose accuracy is below this is "at chance": predicting one class
#: scores about 0.10, and the book's nets that learn anything score above 0.2
CHANCE = 0.15

#: the initialiser that keeps the activations' variance steady for a hidden activation (chapter 02);
#: functions not listed (the ReLU family and its smooth cousins) take He
MATCHING_INIT = {"sigmoid": "xavier", "tanh": "xavier", "hard_tanh": "xavier", "hard_sigmoid": "xavier",
                 "selu": "lecun", "identity": "xavier"}


def matching_init(activation) -> str:
    """The initialiser name :data:`MATCHING_INIT` gives ``activation`` (a registry name), ``"he"``
    for any other name and ``"xavier"`` for anything that is not a name (an Activation class)."""
    if not isinstance(activation, str):
        return "xavier"
    return MATCHING_INIT.get(activation.lower().replace("-", "_"), "he")


@cached(maxsize=8)
def digits_data(n_train: int | None = None, rng=0) -> tuple:
    """The digits as float32 ``(X_train, y_train, X_val, y_val)`` (read-only), the first ``n_train``
    training rows (all 1079 with ``None``). ``rng`` draws the split; ``rng=0`` is the book's."""
    if n_train is not None and not (isinstance(n_train, (int, np.integer)) and n_train >= 1):
        raise ValueError(f"n_train must be a positive int or None, got {n_train!r}")
    ds = digits(np.float32, rng=rng)
    return ds.X_train[:n_train], ds.y_train[:n_train], ds.X_val, ds.y_val


def over_seeds(experiment, seeds=SEEDS, **settings) -> dict:
    """``experiment(rng=s, **settings)`` for each of ``seeds``, every result stacked over seeds (first axis).

    Numbers and booleans become arrays ``(n_seeds,)``, arrays ``(n_seeds, *shape)``. A run that
    diverged stops early and has fewer records: its rows are padded with NaN at the end (so
    ``r["inactive"][:, -1]`` is NaN for a seed with no record at the last step). Other values
    (names, labels) are kept from the first seed. Adds ``seeds``. Each run is cached by the
    experiment; the stacked result is frozen (read-only) like every experiment result.
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("need at least one seed")
    runs = [experiment(rng=s, **settings) for s in seeds]
    out = {"seeds": np.array(seeds)}
    for k, first in runs[0].items():
        vals = [r[k] for r in runs]
        if isinstance(first, (bool, int, float, np.number, np.bool_)):
            out[k] = np.array(vals)
        elif isinstance(first, np.ndarray) and first.dtype.kind in "biuf" and first.ndim >= 1:
            if len({v.shape for v in vals}) == 1:
                out[k] = np.stack(vals)
            else:
                n = max(v.shape[0] for v in vals)
                padded = np.full((len(vals), n, *first.shape[1:]), np.nan)
                for i, v in enumerate(vals):
                    padded[i, :len(v)] = v
                out[k] = padded
        else:
            out[k] = first
    return freeze(out)


def pm(values, digits: int | None = None, scale: float = 1.0) -> str:
    """``"m ± s"``: mean and sample standard deviation (``ddof=1``) over seeds of ``values`` times ``scale``.

    NaN entries (runs that diverged) are left out. ``digits=None`` prints ``s`` to one significant
    digit, or two when they are 10 to 35 (the Particle Data Group's rule: "0.014", not "0.01", which
    would claim a spread up to 30% smaller), and ``m`` to the same decimal place (``0.978 ± 0.003``,
    ``0.690 ± 0.014``, ``0.4 ± 0.2``, ``66 ± 11``; 2 decimals if ``s`` is 0, at most 3): the precision
    the seed spread justifies. A 2-D ``values`` ``(n_seeds, k)`` gives one
    ``m ± s`` per column, in brackets (``[0.62 ± 0.02, 0.80 ± 0.02]``, e.g. one per layer).
    ``scale=100`` gives percent.
    """
    v = np.asarray(values, dtype=float) * scale
    if v.ndim == 2:
        return "[" + ", ".join(pm(v[:, j], digits) for j in range(v.shape[1])) + "]"
    v = v.ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "nan"
    m, sd = float(v.mean()), (float(v.std(ddof=1)) if v.size > 1 else 0.0)
    if digits is None:
        if sd == 0:
            digits = 2
        else:
            e = int(np.floor(np.log10(sd)))
            two = round(sd / 10.0 ** (e - 2)) < 355          # leading three digits 100..354: two significant
            digits = int(np.clip(-e + (1 if two else 0), 0, 3))
    return f"{m:.{digits}f} ± {sd:.{digits}f}"


def pm_steps(hits, steps: int) -> str:
    """``"m ± s steps (k of n seeds)"`` over the seeds that reached a target (``hits``: the step, per seed;
    -1 or more than ``steps`` for a miss), or ``"not within <steps> steps (0 of n seeds)"``."""
    h = np.asarray(hits)
    ok = h[(h > 0) & (h <= steps)]
    if ok.size == 0:
        return f"not within {steps} steps (0 of {h.size} seeds)"
    return f"{pm(ok):>8s} steps ({ok.size} of {h.size} seeds)"


def train_step(net, opt, Xb, yb) -> float:
    """One step of ``opt`` on ``net`` for the batch ``(Xb, yb)`` with softmax cross-entropy, the calls
    ``dlcore.fit`` makes, for experiments that need their own loop (sampling with replacement, stopping
    at a target, recording inside an epoch). Returns the batch loss; a non-finite loss leaves the net
    as it was (the caller decides: a divergence)."""
    value, d = softmax_cross_entropy(net.forward(Xb, training=True), yb)
    if np.isfinite(value):
        if isinstance(net, Sequential):
            net.backward(d, input_grad=False)         # the data need no gradient
        else:
            net.backward(d)
        opt.step()
    return value


def train_recording(net, opt, X, y, stream, steps: int, grid, record) -> bool:
    """``steps`` steps of :func:`train_step` on the batches of ``stream`` (index arrays into ``X, y``),
    calling ``record()`` before each step whose number is in ``grid`` (and after the last step if
    ``steps`` is in it). Returns ``True`` if a loss became non-finite (training stops there; the net is
    as it was before that step), else ``False``."""
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(int(steps) + 1):
            if step in grid:
                record()
            if step == steps:
                return False
            idx = next(stream)
            if not np.isfinite(train_step(net, opt, X[idx], y[idx])):
                return True
    return False


#: how :func:`batches` draws a batch
SAMPLINGS = ("shuffle", "replace")


def batches(n: int, batch_size: int, rng, sampling: str = "shuffle", drop_last: bool = False):
    """Endless stream of index arrays. ``"shuffle"``: a new permutation each epoch, cut into batches
    (the last one smaller unless ``drop_last``; with ``drop_last`` and ``batch_size > n`` nothing is
    ever drawn, so that is an error); ``"replace"``: every batch drawn independently with replacement."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    gen = as_generator(rng)
    b = int(batch_size)
    if sampling == "replace":
        while True:
            yield gen.integers(0, n, b)
    if drop_last and b > n:
        raise ValueError(f"drop_last with batch_size {b} > n {n} gives no batch at all")
    while True:
        order = gen.permutation(n)
        for s in range(0, n, b):
            idx = order[s:s + b]
            if drop_last and len(idx) < b:
                break
            yield idx
