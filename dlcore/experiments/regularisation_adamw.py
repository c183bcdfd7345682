r"""Chapter 08, section 8.2.1: Adam with an L2 penalty against AdamW over a grid of (learning rate, λ).

Loshchilov & Hutter (2019, Fig. 1) train with Adam + L2 and with AdamW over a grid of learning rates
and decay factors and find that AdamW's good settings form a band in which the best decay hardly
depends on the learning rate, while Adam + L2's are coupled to it (diagonal). :func:`adamw_run` trains the
chapter's net (64-128-128-10, ReLU, He, float32) on its 200 digits with 20 % wrong labels, 600 Adam
steps of batch 50, with ``Adam(weight_decay=λ)`` (``"L2 in Adam"``: :math:`\lambda\theta` added to the
gradient, then through Adam's moments) or ``AdamW(weight_decay=λ)`` (``"AdamW"``: every weight shrunk
by the factor :math:`1-\eta\lambda` per step, PyTorch's convention; the paper's decay is
:math:`\eta_t\lambda` with :math:`\eta_t` the schedule's multiplier, 1 here, so the paper's
:math:`\lambda` is our :math:`\eta\lambda`, the per-step shrink). :func:`adamw_sweep` runs the grid;
the full grid (about 300 runs, a minute of CPU) is stored by :func:`write_adamw_sweep` in
``tests/fixtures/ch08_adamw_sweep.json`` and read back by :func:`adamw_sweep_table`;
:func:`ridge` reads off the best λ per learning rate and how it moves.

Every run reports its accuracy on the two halves of the validation digits separately: the best cell
is chosen on the first half (``sel_acc``) and reported on the second (``test_acc``), which the choice
never saw.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np

from ..cache import cached
from ..train import evaluate, fit
from .common import SEEDS
from .regularisation_capacity import noisy_digits_net

__all__ = ["ADAMW_METHODS", "ADAMW_LRS", "ADAMW_LAMS", "ADAMW_SWEEP", "ADAMW_SWEEP_FILE", "adamw_run",
           "adamw_sweep", "write_adamw_sweep", "adamw_sweep_table", "ridge", "per_lr_duel"]

#: the two ways of adding weight decay to Adam
ADAMW_METHODS = ("L2 in Adam", "AdamW")
#: the learning rates of the grid (Adam's default 1e-3 in the middle)
ADAMW_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
#: λ of each method, in its own units: the L2 coefficient of ``Adam(weight_decay=λ)``; AdamW's decoupled
#: decay (per-step shrink ηλ, at most 0.1 on the grid); half-decade steps, three decades each
ADAMW_LAMS = {"L2 in Adam": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
              "AdamW": (1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0, 10.0)}
#: the stored sweep's settings
ADAMW_SWEEP = {"lrs": ADAMW_LRS, "lams": ADAMW_LAMS, "seeds": SEEDS, "steps": 600, "label_noise": 0.2}
#: where :func:`write_adamw_sweep` stores it
ADAMW_SWEEP_FILE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "ch08_adamw_sweep.json"
_KEYS = ("val_acc", "sel_acc", "test_acc", "train_acc", "w_norm")


@cached(maxsize=512)
def adamw_run(method: str = "AdamW", lr: float = 1e-3, lam: float = 1.0, steps: int = 600, n_train: int = 200,
              label_noise: float = 0.2, batch_size: int = 50, rng=0) -> dict:
    """The noisy-digits net trained ``steps`` Adam steps with ``lam`` as an L2 penalty (``"L2 in Adam"``)
    or as AdamW's decoupled decay (``"AdamW"``); ``lam=0`` is plain Adam for both. Returns ``val_acc``
    (all 718 validation digits), ``sel_acc`` and ``test_acc`` (its first and second half), ``train_acc``
    (on the labels trained on, wrong ones included), ``w_norm`` (Frobenius norm of all weight matrices)
    and ``diverged``."""
    from ..optim import Adam, AdamW
    if method not in ADAMW_METHODS:
        raise ValueError(f"method must be one of {ADAMW_METHODS}, got {method!r}")
    X, y, Xv, yv, net, g_order = noisy_digits_net(n_train, label_noise, rng)
    opt = (Adam if method == "L2 in Adam" else AdamW)(net, lr=float(lr), weight_decay=float(lam))
    h = fit(net, X, y, optimizer=opt, steps=int(steps), batch_size=int(batch_size), rng=g_order,
            eval_train=False, on_divergence="stop")
    half = len(yv) // 2
    w = [np.asarray(p.data, np.float64) for _, p in net.named_parameters() if p.role == "weight"]
    return {"val_acc": evaluate(net, Xv, yv)["acc"], "sel_acc": evaluate(net, Xv[:half], yv[:half])["acc"],
            "test_acc": evaluate(net, Xv[half:], yv[half:])["acc"], "train_acc": evaluate(net, X, y)["acc"],
            "w_norm": float(np.sqrt(sum(np.sum(a * a) for a in w))), "diverged": h.divergence is not None}


def adamw_sweep(lrs=ADAMW_LRS, lams=None, seeds=SEEDS, methods=ADAMW_METHODS, **settings) -> dict:
    """:func:`adamw_run` over ``lams[method]`` × ``lrs`` × ``seeds`` for each method, and at λ = 0 (plain
    Adam, ``"none"``). Returns ``lrs``, ``seeds``, ``lams`` ({method: array}) and, for each key of
    ``val_acc, sel_acc, test_acc, train_acc, w_norm, diverged``, ``{method: array (n_lam, n_lr, n_seeds)}``
    with ``"none"``: ``(1, n_lr, n_seeds)``."""
    lams = dict(ADAMW_LAMS if lams is None else lams)
    out = {"lrs": np.array(lrs, float), "seeds": np.array(seeds), "lams": {m: np.array(lams[m], float) for m in methods}}
    grids = {m: (m, lams[m]) for m in methods}
    grids["none"] = ("AdamW", (0.0,))
    for key in (*_KEYS, "diverged"):
        out[key] = {}
    for name, (method, lam_list) in grids.items():
        runs = [[[adamw_run(method, lr, lam, rng=int(s), **settings) for s in seeds] for lr in lrs] for lam in lam_list]
        for key in (*_KEYS, "diverged"):
            out[key][name] = np.array([[[r[key] for r in cell] for cell in row] for row in runs])
    return out


def write_adamw_sweep(path=None) -> dict:
    """Run :func:`adamw_sweep` with :data:`ADAMW_SWEEP` and store it in ``path`` (default
    :data:`ADAMW_SWEEP_FILE`) with the NumPy version, the machine and the BLAS kernel variable it ran
    under. Run by hand (``python -m dlcore.experiments.regularisation_adamw``) when the protocol changes;
    ``tests/test_ch08_adamw.py`` re-runs cells of it and checks they agree."""
    import os
    s = ADAMW_SWEEP
    sw = adamw_sweep(s["lrs"], s["lams"], s["seeds"], steps=s["steps"], label_noise=s["label_noise"])
    data = {"settings": {"lrs": list(s["lrs"]), "lams": {m: list(v) for m, v in s["lams"].items()},
                         "seeds": list(s["seeds"]), "steps": s["steps"], "label_noise": s["label_noise"]},
            "made_with": {"numpy": np.__version__, "machine": platform.machine(),
                          "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(default)")}}
    for key in (*_KEYS, "diverged"):
        data[key] = {k: np.asarray(v).tolist() for k, v in sw[key].items()}
    Path(path or ADAMW_SWEEP_FILE).write_text(json.dumps(data, indent=1) + "\n")
    return data


@cached(maxsize=2)
def adamw_sweep_table(path: str | None = None) -> dict:
    """The stored sweep (:func:`write_adamw_sweep`) in the layout of :func:`adamw_sweep`, with ``made_with``."""
    data = json.loads(Path(path or ADAMW_SWEEP_FILE).read_text())
    st = data["settings"]
    out = {"lrs": np.array(st["lrs"], float), "seeds": np.array(st["seeds"]),
           "lams": {m: np.array(v, float) for m, v in st["lams"].items()}, "steps": st["steps"],
           "label_noise": st["label_noise"], "made_with": data["made_with"]}
    for key in (*_KEYS, "diverged"):
        out[key] = {k: np.array(v) for k, v in data[key].items()}
    return out


def ridge(table: dict, method: str, key: str = "val_acc", matters: float = 0.02) -> dict:
    """Where the good settings of ``method`` lie in a sweep (:func:`adamw_sweep` or the stored table).

    ``mean`` (n_lam, n_lr): the seed mean of ``key``; ``best_lam`` per learning rate (the λ of the row's
    best mean), ``shrink`` = lr · best_lam (AdamW's per-step decay there); ``gain`` per learning rate: the
    best mean minus plain Adam's (λ = 0); ``helps``: the learning rates where that gain exceeds
    ``matters`` (elsewhere every λ of the grid scores alike and the row's best λ is noise); ``slope``:
    least-squares slope of log10 best_lam against log10 lr over those (0: the best λ does not move with
    the learning rate; -1: it moves as 1/lr, i.e. ηλ is what matters; NaN with fewer than two);
    ``corr``: the correlation of log lr and log λ over their cells, weighted by how far each cell's mean
    is above its column's median (the tilt of the whole good band, not only of its top; NaN if the band
    has no tilt to measure); ``best`` (i_lam, i_lr): the cell with the best mean on the selection half
    (``sel_acc``) among the learning rates where λ ``helps`` (a best cell in a column where no λ helps
    would be plain Adam under another name; all columns if none helps), ``best_lam_lr`` its (λ, lr),
    ``best_test`` its held-out-half accuracy per seed, ``best_val`` its ``key`` per seed, and
    ``best_any`` (i_lam, i_lr): the selection half's best cell over every column."""
    acc = np.asarray(table[key][method], float)
    mean = acc.mean(axis=-1)
    lams, lrs = np.asarray(table["lams"][method]), np.asarray(table["lrs"])
    best_lam = lams[mean.argmax(axis=0)]
    gain = mean.max(axis=0) - np.asarray(table[key]["none"], float).mean(axis=-1)[0]
    helps = gain > matters
    x, yl = np.log10(lrs), np.log10(best_lam)
    slope = round(float(np.polyfit(x[helps], yl[helps], 1)[0]), 9) + 0.0 if helps.sum() >= 2 else float("nan")
    w = np.clip(mean - np.median(mean, axis=0), 0, None)[:, helps]
    L, R = np.meshgrid(np.log10(lams), x[helps], indexing="ij")
    corr = float("nan")
    if w.sum() > 0:
        mx, my = np.sum(w * R) / w.sum(), np.sum(w * L) / w.sum()
        vx, vy = np.sum(w * (R - mx) ** 2), np.sum(w * (L - my) ** 2)
        if vx > 0 and vy > 0:
            corr = float(np.sum(w * (R - mx) * (L - my)) / np.sqrt(vx * vy))
    sel = np.asarray(table["sel_acc"][method], float).mean(axis=-1)
    ia = np.unravel_index(int(sel.argmax()), sel.shape)
    ib = np.unravel_index(int(np.where(helps if helps.any() else True, sel, -np.inf).argmax()), sel.shape)
    return {"mean": mean, "best_lam": best_lam, "shrink": lrs * best_lam, "gain": gain, "helps": helps,
            "slope": slope, "corr": corr, "best": (int(ib[0]), int(ib[1])), "best_any": (int(ia[0]), int(ia[1])),
            "best_lam_lr": (float(lams[ib[0]]), float(lrs[ib[1]])),
            "best_test": np.asarray(table["test_acc"][method], float)[ib], "best_val": acc[ib]}


def per_lr_duel(table: dict, methods=ADAMW_METHODS) -> dict:
    """The two methods compared where their decays act: at each learning rate, each method's λ chosen on
    the selection half (best seed-mean ``sel_acc`` in that column) and scored on the held-out half.
    Returns ``lrs``, ``lam`` ({method: best λ per lr}), ``test`` ({method: (n_lr, n_seeds)} held-out
    accuracy there) and ``diff`` (n_lr, n_seeds): ``methods[1]`` minus ``methods[0]``, paired by seed."""
    out = {"lrs": np.asarray(table["lrs"]), "lam": {}, "test": {}}
    for m in methods:
        sel = np.asarray(table["sel_acc"][m], float).mean(axis=-1)          # (n_lam, n_lr)
        i = sel.argmax(axis=0)
        out["lam"][m] = np.asarray(table["lams"][m])[i]
        test = np.asarray(table["test_acc"][m], float)
        out["test"][m] = test[i, np.arange(test.shape[1])]
    out["diff"] = out["test"][methods[1]] - out["test"][methods[0]]
    return out


if __name__ == "__main__":       # python -m dlcore.experiments.regularisation_adamw: refresh the stored sweep
    import time
    t = time.process_time()
    write_adamw_sweep()
    print(f"wrote {ADAMW_SWEEP_FILE} in {time.process_time() - t:.0f} s CPU")
