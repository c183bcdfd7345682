r"""Chapter 05: input scaling on two real tables, read from files with :func:`dlcore.load_csv`.

scikit-learn ships small data sets as files inside its package (``sklearn/datasets/data/``); we
read two of them *as a reader would read their own CSV*, through ``dlcore.load_csv``, without
importing scikit-learn:

* **wine** (178 wines, 13 chemical measurements, 3 cultivars): ``wine_data.csv``. Scales from
  0.1 (hue) to 1680 (proline), several skewed. Softmax regression (a linear classifier), full-batch
  gradient descent from zero weights at the rate :math:`2/\lambda_{max}(A^\top A/n)` (safe: the
  cross-entropy's curvature is at most half that of least squares), steps until the training loss
  is below ``target``.
* **diabetes** (442 patients, 10 measurements, a disease-progression score):
  ``diabetes_data_raw.csv.gz`` (space-separated, gzip) and ``diabetes_target.csv.gz``. Linear least
  squares, gradient descent at its best fixed rate, steps until the loss gap is ``tol`` times the
  initial one (exact, from the eigen-decomposition, as for the two-feature problem).

``load_csv`` reads both as shipped (:func:`table_files` holds the options): the wine file opens with a
metadata line (``178,13,class_0,class_1,class_2``: rows, columns, class names) that is not a header
(``skip_rows=1, header=False``); the diabetes data are gzip-compressed (read by their bytes),
space-separated (``delimiter=None``) and keep the target in a second file (``y=``), whole numbers
25..346 declared a regression target (``task="regression"``). Seeds draw the train/validation/test
split (``rng`` of ``load_csv``); the statistics of each scaling are those of the training rows.
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np

from ..cache import cached
from ..data_files import load_csv
from .common import SEEDS
from .normalisation import gd_steps_closed_form

__all__ = ["TABLE_SCALINGS", "sklearn_data_dir", "table_files", "table_csv", "load_table", "scale_table", "wine_steps",
           "diabetes_steps", "table_comparison"]

#: raw, min-max, z-score, and log then z-score (``log1p`` of the value minus the training minimum)
TABLE_SCALINGS = ("raw", "minmax", "zscore", "logz")


def sklearn_data_dir() -> str:
    """The folder of scikit-learn's bundled data files (scikit-learn is located, not imported)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("scikit-learn is not installed: its bundled CSV files are where the tables come from")
    return os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data")


def table_files(name: str) -> dict:
    """The arguments of ``dlcore.load_csv`` that read table ``"wine"`` or ``"diabetes"`` from scikit-learn's
    files as shipped: ``{"path": ..., <options>}``."""
    src = sklearn_data_dir()
    if name == "wine":
        return {"path": os.path.join(src, "wine_data.csv"), "skip_rows": 1, "header": False,
                "task": "classification"}
    if name == "diabetes":
        return {"path": os.path.join(src, "diabetes_data_raw.csv.gz"), "delimiter": None,
                "y": os.path.join(src, "diabetes_target.csv.gz"), "task": "regression"}
    raise ValueError(f"unknown table {name!r}; known: wine, diabetes")


def table_csv(name: str) -> str:
    """The path of the shipped file holding table ``name``'s features (see :func:`table_files`)."""
    return table_files(name)["path"]


@cached(maxsize=16)
def load_table(name: str = "wine", rng=0):
    """``dlcore.load_csv`` of scikit-learn's file(s) of table ``name`` (:func:`table_files`), split 60/20/20
    drawn with ``rng``; diabetes as regression."""
    kw = table_files(name)
    return load_csv(kw.pop("path"), rng=rng, name=name, **kw)


def scale_table(X_train, X, scheme: str) -> np.ndarray:
    """``X`` scaled column by column with the statistics of ``X_train`` (one of :data:`TABLE_SCALINGS`)."""
    X_train, X = np.asarray(X_train, dtype=np.float64), np.asarray(X, dtype=np.float64)
    if scheme == "raw":
        return X.copy()
    if scheme == "minmax":
        lo, hi = X_train.min(axis=0), X_train.max(axis=0)
        return (X - lo) / np.where(hi > lo, hi - lo, 1.0)
    if scheme in ("zscore", "logz"):
        if scheme == "logz":
            lo = X_train.min(axis=0)
            X_train, X = np.log1p(X_train - lo), np.log1p(np.maximum(X - lo, -0.5))
        mu, sd = X_train.mean(axis=0), X_train.std(axis=0)
        return (X - mu) / np.where(sd > 0, sd, 1.0)
    raise ValueError(f"unknown scaling {scheme!r}; known: {', '.join(TABLE_SCALINGS)}")


def _design(name, scheme, rng):
    ds = load_table(name, rng)
    A = np.column_stack([scale_table(ds.X_train, ds.X_train, scheme), np.ones(len(ds.X_train))])
    return ds, A


@cached(maxsize=64)
def wine_steps(scheme: str = "zscore", rng=0, target: float = 0.1, max_steps: int = 10_000) -> dict:
    """Softmax regression on wine, full-batch gradient descent from 0 at rate :math:`2/\\lambda_{max}`.

    Returns ``steps`` until the training cross-entropy is <= ``target`` (-1: not within
    ``max_steps``), ``loss`` (the loss after every step, up to the stop), ``lr``, ``cond`` (of
    :math:`A^\\top A`, bias column included), ``skew`` (per feature of the scaled training data)."""
    ds, A = _design("wine", scheme, rng)
    n, d = A.shape
    Y = np.eye(ds.n_classes)[ds.y_train]
    lam = np.linalg.eigvalsh(A.T @ A / n)
    lr = 2.0 / lam[-1]
    W = np.zeros((d, ds.n_classes))
    losses, steps = [], -1
    for t in range(int(max_steps) + 1):
        Z = A @ W
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(P[np.arange(n), ds.y_train] + 1e-300)))
        losses.append(loss)
        if loss <= target:
            steps = t
            break
        if t < max_steps:
            W -= lr * (A.T @ (P - Y) / n)
    Xs = A[:, :-1]
    sk = ((Xs - Xs.mean(0)) ** 3).mean(0) / np.maximum(Xs.std(0), 1e-300) ** 3
    return {"scheme": scheme, "steps": steps, "loss": np.array(losses), "lr": lr,
            "cond": float(lam[-1] / max(lam[0], 1e-300)), "skew": sk}


@cached(maxsize=64)
def diabetes_steps(scheme: str = "zscore", rng=0, tol: float = 1e-6) -> dict:
    """Least squares on diabetes (bias included), gradient descent from 0 at its best fixed rate
    :math:`2/(\\lambda_{max}+\\lambda_{min})`: ``steps`` until the loss gap is ``tol`` times the initial
    one (exact, :func:`~dlcore.experiments.normalisation.gd_steps_closed_form`), ``cond``, ``lr``."""
    ds, A = _design("diabetes", scheme, rng)
    y = np.asarray(ds.y_train, dtype=np.float64).ravel()
    H = A.T @ A / len(A)
    lam = np.linalg.eigvalsh(H)
    lr = 2.0 / (lam[-1] + lam[0])
    theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
    return {"scheme": scheme, "steps": gd_steps_closed_form(H, theta_star, lr, tol),
            "cond": float(lam[-1] / lam[0]), "lr": lr}


@cached(maxsize=8)
def table_comparison(seeds=SEEDS, schemes=TABLE_SCALINGS, wine_target: float = 0.1, wine_max_steps: int = 10_000,
                     diabetes_tol: float = 1e-6) -> dict:
    """Both tables, every scaling, every seed: ``{"wine": {scheme: {"steps", "cond"}}, "diabetes": {...}}``
    (arrays over ``seeds``), plus ``seeds``, ``wine_max_steps``."""
    out = {"seeds": np.asarray(seeds), "wine_max_steps": int(wine_max_steps)}
    for table, fn, kw in (("wine", wine_steps, {"target": wine_target, "max_steps": wine_max_steps}),
                          ("diabetes", diabetes_steps, {"tol": diabetes_tol})):
        out[table] = {}
        for sc in schemes:
            runs = [fn(sc, int(s), **kw) for s in seeds]
            out[table][sc] = {"steps": np.array([r["steps"] for r in runs]),
                              "cond": np.array([r["cond"] for r in runs])}
    return out
