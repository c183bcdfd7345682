"""Data sets, splits and mini-batches for the book (NumPy only at import time).

Every random choice goes through a ``numpy.random.Generator`` (or an int seed
turned into one), so the same seed always gives bit-identical arrays.
Bad input raises :class:`DataError` with a message naming the problem.
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import importlib.util
import os
from dataclasses import dataclass

import numpy as np

__all__ = ["DataError", "Dataset", "train_val_test_split", "one_hot", "standardize",
           "batches", "digits", "moons", "spirals", "blobs", "regression_1d",
           "load_npz", "load_csv"]


class DataError(ValueError):
    """Bad input data or arguments; the message names the file, column, row or shape."""


def _rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise DataError(f"rng must be a non-negative int seed or np.random.Generator, got {rng!r}")


def _check(cond, msg):
    if not cond:
        raise DataError(msg() if callable(msg) else msg)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train/validation/test splits of one data set.

    ``X_*`` have shape (N_split, n_features); ``y_*`` have shape (N_split,) int64
    for classification or (N_split,) / (N_split, 1) floats for regression.
    ``n_classes`` is None for regression.
    """
    name: str
    X_train: np.ndarray; y_train: np.ndarray  # noqa: E702
    X_val: np.ndarray; y_val: np.ndarray  # noqa: E702
    X_test: np.ndarray; y_test: np.ndarray  # noqa: E702
    task: str  # "classification" or "regression"
    n_classes: int | None

    @property
    def n_features(self) -> int:
        """Number of input features (product of the non-batch dimensions of X)."""
        return int(np.prod(self.X_train.shape[1:]))

    def subset(self, n_train, rng) -> "Dataset":
        """Random subset of ``n_train`` training rows (stratified for classification).

        Validation and test splits are shared unchanged. Every class gets at
        least one row when ``n_train >= n_classes``.
        """
        N = len(self.X_train)
        _check(isinstance(n_train, (int, np.integer)) and 1 <= n_train <= N,
               f"n_train must be an int in [1, {N}], got {n_train!r}")
        g = _rng(rng)
        if self.task == "classification":
            keep = _stratified(self.y_train, [int(n_train), N - int(n_train)], g, full=False)[0]
        else:
            keep = g.permutation(N)[:n_train]
        return dataclasses.replace(self, X_train=self.X_train[keep], y_train=self.y_train[keep])

    def __repr__(self):
        kind = (f"{self.n_classes} classes" if self.task == "classification" else "regression")
        return (f"Dataset({self.name!r}, {kind}, {self.n_features} features, "
                f"train={len(self.X_train)}, val={len(self.X_val)}, test={len(self.X_test)})")


def _stratified(y, totals, g, full=True):
    """Indices per split with class counts within 1 of proportional.

    The count matrix M (classes x splits) has exact row sums (class sizes) and
    column sums (``totals``); cells are floor or ceil of the proportional quota
    (Gale-Ryser filling of the remainders). Then swaps give every class with
    >= n_splits rows (``full``) or every class in split 0 (not ``full``) a row.
    """
    _, inv = np.unique(y, return_inverse=True)
    sizes = np.bincount(inv).astype(np.int64)
    T = np.asarray(totals, dtype=np.int64)
    N, K = int(sizes.sum()), len(T)
    prod = sizes[:, None] * T[None, :]
    M, rem = prod // N, prod % N
    row, col = sizes - M.sum(1), T - M.sum(0)
    for c in np.argsort(-row, kind="stable"):
        cols = np.lexsort((-rem[c], -col))[: row[c]]
        M[c, cols] += 1
        col[cols] -= 1
    assert (col == 0).all() and (M >= 0).all()
    P = (np.repeat(sizes[:, None] >= K, K, 1) if full
         else np.arange(K)[None, :].repeat(len(sizes), 0) == 0)
    for c, k in zip(*np.nonzero(P & (M == 0))):
        spare_j = M[c] - P[c]
        spare_j[k] = 0
        spare_c = M[:, k] - P[:, k]
        spare_c[c] = 0
        if spare_j.max() >= 1 and spare_c.max() >= 1:
            j, c2 = int(np.argmax(spare_j)), int(np.argmax(spare_c))
            M[c, k] += 1; M[c, j] -= 1; M[c2, k] -= 1; M[c2, j] += 1
    parts = [[] for _ in range(K)]
    for c in range(len(sizes)):
        idx = g.permutation(np.flatnonzero(inv == c))
        for k, chunk in enumerate(np.split(idx, np.cumsum(M[c])[:-1])):
            parts[k].append(chunk)
    return [g.permutation(np.concatenate(p)) for p in parts]


def train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), rng=0, stratify=True,
                         name="custom", task=None) -> Dataset:
    """Split (X, y) into train/val/test.

    Parameters
    ----------
    X : array, shape (N, ...)
    y : array, shape (N,) or (N, 1) (regression)
    fractions : three positive floats summing to 1. Val and test get
        ``round(N * f)`` rows (at least 1), train gets the rest.
    rng : int or np.random.Generator
    stratify : keep class proportions (within one row per class and split);
        every class with >= 3 rows appears in every split. Ignored for regression.
    task : "classification", "regression" or None. None infers: integer dtype or
        non-negative integer-valued 1-D labels -> classification, else regression.

    Returns
    -------
    Dataset; each split's rows are in random order. Inputs are not modified.
    """
    X, y = np.asarray(X), np.asarray(y)
    _check(X.ndim >= 1 and y.ndim in (1, 2), f"bad shapes X {X.shape}, y {y.shape}")
    _check(len(X) == len(y), f"X has {len(X)} rows but y has {len(y)}")
    fr = np.asarray(fractions, dtype=np.float64)
    _check(fr.shape == (3,) and (fr > 0).all() and abs(fr.sum() - 1) < 1e-6,
           f"fractions must be 3 positive numbers summing to 1, got {fractions!r}")
    N = len(X)
    n_val, n_test = (max(1, int(N * f + 0.5)) for f in fr[1:])
    _check(N - n_val - n_test >= 1, f"too few rows ({N}) to split with fractions {fractions!r}")
    if task is None:
        integral = (y.dtype.kind in "biu" or (y.dtype.kind == "f" and y.ndim == 1 and y.size
                    and np.isfinite(y).all() and (y == np.round(y)).all() and y.min() >= 0))
        task = "classification" if integral and y.ndim == 1 else "regression"
    _check(task in ("classification", "regression"), f"unknown task {task!r}")
    n_classes = None
    if task == "classification":
        _check(y.ndim == 1, f"classification labels must be 1-D, got shape {y.shape}")
        y = _int_labels(y)
        n_classes = int(y.max()) + 1 if y.size else 0
    g = _rng(rng)
    totals = [N - n_val - n_test, n_val, n_test]
    if task == "classification" and stratify:
        parts = _stratified(y, totals, g)
    else:
        parts = np.split(g.permutation(N), np.cumsum(totals)[:-1])
    arrs = [a[p] for p in parts for a in (X, y)]
    return Dataset(name, *arrs, task=task, n_classes=n_classes)


def _int_labels(y):
    y = np.asarray(y)
    _check(y.dtype.kind in "biuf", f"labels must be numeric, got dtype {y.dtype}")
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y) | (y != np.round(np.nan_to_num(y)))
        _check(not bad.any(), lambda: f"labels must be integers; found {y[bad][0].item()!r} "
                                      f"at index {int(np.argmax(bad))}")
    _check(not (y < 0).any(), lambda: f"labels must be >= 0; found {y[y < 0][0].item()!r} "
                                      "(for regression targets pass task='regression')")
    return y.astype(np.int64)


def one_hot(y, n_classes=None, dtype=np.float64):
    """One-hot encode integer labels: y shape (N,) in 0..K-1 -> array (N, K)."""
    y = np.asarray(y)
    _check(y.ndim == 1, f"one_hot expects 1-D labels, got shape {y.shape}")
    y = _int_labels(y)
    K = (int(y.max()) + 1 if y.size else 0) if n_classes is None else int(n_classes)
    _check(not (y >= K).any(), lambda: f"label {y.max()} >= n_classes={K}")
    out = np.zeros((len(y), K), dtype=dtype)
    out[np.arange(len(y)), y] = 1
    return out


def standardize(train, *others):
    """Standardize arrays with the mean/std of ``train`` (per column, axis 0).

    Columns with (numerically) zero std are divided by 1. Returns a tuple
    ``(train_std, *others_std)``, each the shape of its input; float inputs keep
    their dtype, others become float64.
    """
    t = np.asarray(train)
    dt = t.dtype if t.dtype.kind == "f" else np.float64
    mu = t.mean(axis=0, dtype=np.float64)
    sd = t.std(axis=0, dtype=np.float64)
    sd = np.where(sd <= 1e-12 * np.maximum(np.abs(mu), 1.0), 1.0, sd)
    return tuple(((np.asarray(a, dtype=np.float64) - mu) / sd).astype(dt) for a in (t, *others))


def batches(X, y, batch_size, rng=None, shuffle=True, drop_last=False):
    """Yield mini-batches ``(Xb, yb)`` (copies), Xb shape (B, ...), yb shape (B, ...).

    One epoch: every row exactly once (``drop_last`` drops a final short batch).
    ``shuffle=True`` orders rows by ``rng.permutation(N)`` and needs ``rng``
    (int seed or Generator; pass a Generator to get a new order each epoch).
    """
    X, y = np.asarray(X), np.asarray(y)
    _check(isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
           and batch_size > 0, f"batch_size must be a positive int, got {batch_size!r}")
    _check(len(X) == len(y), f"X has {len(X)} rows but y has {len(y)}")
    _check(not shuffle or rng is not None,
           "shuffle=True needs rng= (an int seed or np.random.Generator); or shuffle=False")
    order = _rng(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    for s in range(0, len(X), batch_size):
        idx = order[s:s + batch_size]
        if drop_last and len(idx) < batch_size:
            return
        yield X[idx], y[idx]


@functools.lru_cache(maxsize=1)
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
    X, y = np.asarray(X, np.float64) / 16.0, np.asarray(y).astype(np.int64)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def digits(dtype=np.float32, seed=0) -> Dataset:
    """The 8x8 digits bundled with scikit-learn (no download, sklearn not imported).

    1797 images, X shape (N, 64) with pixel/16 in [0, 1], y int64 in 0..9.
    Stratified 60/20/20 split with ``np.random.default_rng(seed)``:
    train 1079, val 359, test 359 rows; every class is in every split.
    Arrays are fresh copies on every call.
    """
    X, y = _digits_raw()
    return train_val_test_split(X.astype(dtype), y, rng=np.random.default_rng(seed),
                                name="digits", task="classification")


def _check_n_noise(n, noise):
    _check(isinstance(n, (int, np.integer)) and n >= 10, f"n must be an int >= 10, got {n!r}")
    _check(noise >= 0, f"noise must be >= 0, got {noise!r}")


def moons(n=600, noise=0.2, rng=0, dtype=np.float32) -> Dataset:
    """Two interleaving half circles (sklearn ``make_moons`` geometry), X (n, 2), 2 classes.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t), t in [0, pi], with
    n//2 and n - n//2 points; Gaussian noise of std ``noise``. Split 60/20/20.
    """
    _check_n_noise(n, noise)
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
    _check_n_noise(n, noise)
    _check(isinstance(n_classes, (int, np.integer)) and 2 <= n_classes <= n // 3,
           f"n_classes must be an int in [2, n//3], got {n_classes!r}")
    _check(turns > 0, f"turns must be > 0, got {turns!r}")
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
    _check_n_noise(n, std)
    g = _rng(rng)
    if np.ndim(centers) == 0:
        _check(isinstance(centers, (int, np.integer)) and 2 <= centers <= n // 3,
               f"centers must be an int in [2, n//3] or an array (K, dim), got {centers!r}")
        _check(isinstance(dim, (int, np.integer)) and dim >= 1, f"dim must be >= 1, got {dim!r}")
        C = g.uniform(-5, 5, size=(int(centers), dim))
    else:
        C = np.asarray(centers, dtype=np.float64)
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
    _check_n_noise(n, noise)
    _check(fn in _FNS, f"unknown fn {fn!r}; choose one of {sorted(_FNS)}")
    g = _rng(rng)
    x = g.uniform(-3, 3, size=(n, 1))
    y = _FNS[fn](x) + noise * g.standard_normal((n, 1))
    return train_val_test_split(x.astype(dtype), y.astype(dtype), rng=g,
                                name=f"regression_1d({fn})", task="regression")


from .data_files import load_csv, load_npz  # noqa: E402  (re-exported: dlcore.data is the one place to look)
