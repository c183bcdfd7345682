"""The book's data sets: the 8x8 digits (shipped with scikit-learn, no download) and small
generated ones (moons, spirals, blobs, 1-D regression); loaders for your own files
(``load_csv``, ``load_csv_array``, ``load_npz``, from :mod:`dlcore.data_files`) and the containers and splits of
:mod:`dlcore.dataset` are re-exported here, the one place to look.

Every random choice takes ``rng`` (an int seed or a Generator, :mod:`dlcore.rng`), so the same
seed always gives bit-identical arrays. Bad input raises :class:`DataError` naming the problem.
"""
from __future__ import annotations

import gzip
import importlib.util
import os

import numpy as np

from .data_files import load_csv, load_csv_array, load_npz
from .cache import cached
from .errors import InvalidArgument
from .validate import finite_data, float_array, float_dtype, nonneg_float, one_of, positive_float, positive_int, show
from .dataset import DataError, Dataset, batches, check as _check, generator as _rng, one_hot, standardize, train_val_test_split

__all__ = ["DataError", "Dataset", "train_val_test_split", "one_hot", "standardize",
           "batches", "digits", "moons", "spirals", "blobs", "regression_1d",
           "load_npz", "load_csv", "load_csv_array"]


@cached(maxsize=1)
def _digits_raw():
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise DataError("digits() needs scikit-learn's bundled data: pip install scikit-learn")
    base = list(spec.submodule_search_locations or [os.path.dirname(spec.origin)])[0]
    path = os.path.join(base, "datasets", "data", "digits.csv.gz")
    if os.path.exists(path):
        with gzip.open(path, "rt") as f:
            raw = np.loadtxt(f, delimiter=",")
        X, y = raw[:, :-1], raw[:, -1]
    else:  # pragma: no cover - layout changed in some sklearn version
        from sklearn.datasets import load_digits
        X, y = load_digits(return_X_y=True)
    return np.asarray(X, np.float64) / 16.0, np.asarray(y).astype(np.int64)     # frozen by the cache


def digits(dtype=np.float32, rng=0) -> Dataset:
    """The 8x8 digits bundled with scikit-learn (no download, sklearn not imported).

    1797 images, X shape (N, 64) with pixel/16 in [0, 1], y int64 in 0..9.
    Stratified 60/20/20 split drawn with ``rng`` (the split of ``rng=0`` is the book's):
    train 1079, val 359, test 359 rows; every class is in every split.
    Arrays are fresh copies on every call.
    """
    dtype = _v(float_dtype, "dtype", dtype)
    X, y = _digits_raw()
    return train_val_test_split(X.astype(dtype), y, rng=_rng(rng),
                                name="digits", task="classification")


def _v(check, name, value, *args):
    """A :mod:`dlcore.validate` check whose value errors are this module's :class:`DataError`."""
    try:
        return check(name, value, *args)
    except InvalidArgument as e:
        raise DataError(str(e)) from None


def _check_n_noise(n, noise, dtype=np.float32, what="noise"):
    _check(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) and n >= 10,
           f"n must be an int >= 10, got {show(n)}")
    _v(nonneg_float, what, noise)
    _v(float_dtype, "dtype", dtype)


def moons(n=600, noise=0.2, rng=0, dtype=np.float32) -> Dataset:
    """Two interleaving half circles (sklearn ``make_moons`` geometry), X (n, 2), 2 classes.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t), t in [0, pi], with
    n//2 and n - n//2 points; Gaussian noise of std ``noise``. Split 60/20/20.
    """
    _check_n_noise(n, noise, dtype)
    g = _rng(rng)
    t0, t1 = np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X = X + g.normal(scale=noise, size=X.shape)
    y = np.repeat(np.arange(2), [n // 2, n - n // 2])
    return train_val_test_split(X.astype(dtype), y, rng=g, name="moons", task="classification")


def spirals(n=600, n_classes=3, noise=0.2, turns=1.0, rng=0, dtype=np.float32) -> Dataset:
    """CS231n-style spiral arms, X (n, 2), ``n_classes`` classes (sizes differ by <= 1).

    Arm k: radius r = linspace(0, 1), angle 2*pi*(turns*r + k/K) + noise*N(0, 1).
    """
    _check_n_noise(n, noise, dtype)
    _check(isinstance(n_classes, (int, np.integer)) and not isinstance(n_classes, bool) and 2 <= n_classes <= n // 3,
           f"n_classes must be an int in [2, n//3], got {show(n_classes)}")
    _v(positive_float, "turns", turns)
    g = _rng(rng)
    y = np.arange(n) * n_classes // n  # sorted labels, class sizes differ by <= 1
    r = np.concatenate([np.linspace(0, 1, c) for c in np.bincount(y)])
    t = 2 * np.pi * (turns * r + y / n_classes) + noise * g.standard_normal(n)
    X = np.c_[r * np.sin(t), r * np.cos(t)]
    return train_val_test_split(X.astype(dtype), y, rng=g, name="spirals", task="classification")


def blobs(n=600, centers=3, std=1.0, dim=2, rng=0, dtype=np.float32) -> Dataset:
    """Isotropic Gaussian blobs, X (n, dim), one class per center.

    ``centers``: int K (centers drawn from U[-5, 5]^dim with rng) or array (K, dim).
    Class sizes differ by at most 1.
    """
    _check_n_noise(n, std, dtype, "std")
    g = _rng(rng)
    if np.ndim(centers) == 0:
        _check(isinstance(centers, (int, np.integer)) and not isinstance(centers, bool) and 2 <= centers <= n // 3,
               f"centers must be an int in [2, n//3] or an array (K, dim), got {show(centers)}")
        _v(positive_int, "dim", dim)
        C = g.uniform(-5, 5, size=(int(centers), dim))
    else:
        C = _v(lambda n, c: finite_data(n, float_array(n, c)), "centers", centers)
        _check(C.ndim == 2 and C.shape[1] == dim and 2 <= len(C) <= n // 3,
               f"centers array has shape {C.shape}; need (K, dim={dim}) with 2 <= K <= n//3")
    y = np.arange(n) * len(C) // n
    X = C[y] + std * g.standard_normal((n, C.shape[1]))
    return train_val_test_split(X.astype(dtype), y, rng=g, name="blobs", task="classification")


_FNS = {"sin": np.sin, "cubic": lambda x: x ** 3 / 9.0, "step": lambda x: np.where(x > 0, 1.0, -1.0)}


def regression_1d(n=200, noise=0.1, fn="sin", rng=0, dtype=np.float32) -> Dataset:
    """1-D regression: x ~ U[-3, 3], X (n, 1); y = f(x) + noise*N(0, 1), y (n, 1).

    ``fn``: "sin" (sin x), "cubic" (x**3 / 9) or "step" (-1 for x <= 0, else 1).
    """
    _check_n_noise(n, noise, dtype)
    _v(one_of, "fn", fn, sorted(_FNS))
    g = _rng(rng)
    x = g.uniform(-3, 3, size=(n, 1))
    y = _FNS[fn](x) + noise * g.standard_normal((n, 1))
    return train_val_test_split(x.astype(dtype), y.astype(dtype), rng=g,
                                name=f"regression_1d({fn})", task="regression")
