"""Containers and splits of data: :class:`Dataset`, stratified train/val/test splits, one-hot
labels, standardisation and mini-batches (chapter 01 on).

Every random choice takes ``rng`` (an int seed or a Generator, :mod:`dlcore.rng`), so the same
seed always gives bit-identical arrays. Bad input raises :class:`DataError` with a message
naming the problem.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .rng import as_generator
from .validate import MAX_CLASSES, boolean, finite_data, float_array, one_of, positive_int

__all__ = ["DataError", "Dataset", "check", "generator", "train_val_test_split", "one_hot", "standardize", "batches"]


from .errors import DataError  # noqa: E402  (re-exported: dlcore.data.DataError, dlcore.dataset.DataError)


def generator(rng):
    """:func:`dlcore.rng.as_generator`, its errors reported as :class:`DataError`."""
    try:
        return as_generator(rng)
    except (TypeError, ValueError) as exc:
        raise DataError(str(exc)) from None


def check(cond, msg):
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
        check(isinstance(n_train, (int, np.integer)) and 1 <= n_train <= N,
               f"n_train must be an int in [1, {N}], got {n_train!r}")
        g = generator(rng)
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
    task : "classification", "regression" or None. None infers: 1-D labels that are whole
        numbers forming exactly 0..K-1 (every class present, K <= MAX_CLASSES) ->
        classification; any non-integer value -> regression; whole numbers that are not 0..K-1
        (negative, with gaps such as {0, 1000}, or huge such as 1e30) -> a DataError asking for
        ``task=`` (they could be either). With ``task="classification"`` labels must be whole
        numbers in 0..MAX_CLASSES-1 (n_classes = largest label + 1).

    Returns
    -------
    Dataset; each split's rows are in random order. Inputs are not modified.
    """
    X = finite_data("X", float_array("X", X)) if not _numeric(X) else np.asarray(X)
    y = float_array("y", y) if not _numeric(y) else np.asarray(y)
    check(X.ndim >= 1 and y.ndim in (1, 2), f"bad shapes X {X.shape}, y {y.shape}")
    check(len(X) == len(y), f"X has {len(X)} rows but y has {len(y)}")
    finite_data("X", X)
    finite_data("y", y)
    try:
        fr = np.asarray(fractions, dtype=np.float64)
    except (TypeError, ValueError):
        fr = np.zeros(0)
    check(fr.shape == (3,) and (fr > 0).all() and abs(fr.sum() - 1) < 1e-6,
           f"fractions must be 3 positive numbers summing to 1, got {fractions!r}")
    stratify = boolean("stratify", stratify)
    N = len(X)
    n_val, n_test = (max(1, int(N * f + 0.5)) for f in fr[1:])
    check(N - n_val - n_test >= 1, f"too few rows ({N}) to split with fractions {fractions!r}")
    if task is None:
        task = _infer_task(y)
    one_of("task", task, ("classification", "regression"))
    n_classes = None
    if task == "classification":
        check(y.ndim == 1, f"classification labels must be 1-D, got shape {y.shape}")
        y = _int_labels(y)
        n_classes = int(y.max()) + 1 if y.size else 0
    g = generator(rng)
    totals = [N - n_val - n_test, n_val, n_test]
    if task == "classification" and stratify:
        parts = _stratified(y, totals, g)
    else:
        parts = np.split(g.permutation(N), np.cumsum(totals)[:-1])
    arrs = [a[p] for p in parts for a in (X, y)]
    return Dataset(name, *arrs, task=task, n_classes=n_classes)


def _numeric(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind in "biuf"


def _infer_task(y) -> str:
    """See :func:`train_val_test_split`: classes only when the labels are exactly 0..K-1."""
    if y.ndim != 1 or y.size == 0:
        return "regression"
    if y.dtype.kind == "f" and (y != np.round(y)).any():
        return "regression"
    lo, hi = float(y.min()), float(y.max())
    present = np.unique(y)
    if lo == 0 and hi < MAX_CLASSES and len(present) == int(hi) + 1:
        return "classification"
    why = ("negative labels" if lo < 0 else f"a label of {hi:g}, more than {MAX_CLASSES - 1}" if hi >= MAX_CLASSES
           else f"gaps: {len(present)} distinct values spread over 0..{hi:g}")
    raise DataError(f"the labels are whole numbers ({lo:g}..{hi:g}, {why}) but not the classes 0..K-1, so "
                    "classification or regression is ambiguous: pass task='regression' if they are values to "
                    "predict, or re-encode them as 0..K-1 (np.unique(y, return_inverse=True)[1]) for classification")


def _int_labels(y):
    y = np.asarray(y)
    check(y.dtype.kind in "biuf", f"labels must be numeric, got dtype {y.dtype}")
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y) | (y != np.round(np.nan_to_num(y)))
        check(not bad.any(), lambda: f"labels must be integers; found {y[bad][0].item()!r} "
                                      f"at index {int(np.argmax(bad))}")
    check(not (y < 0).any(), lambda: f"labels must be >= 0; found {y[y < 0][0].item()!r} "
                                      "(for regression targets pass task='regression')")
    check(not (y >= MAX_CLASSES).any(), lambda: f"labels must be < {MAX_CLASSES} (at most {MAX_CLASSES} classes); "
                                       f"found {y.max().item():g} (for regression targets pass task='regression')")
    return y.astype(np.int64)


def one_hot(y, n_classes=None, dtype=np.float64):
    """One-hot encode integer labels: y shape (N,) in 0..K-1 -> array (N, K)."""
    y = np.asarray(y)
    check(y.ndim == 1, f"one_hot expects 1-D labels, got shape {y.shape}")
    y = _int_labels(y)
    K = (int(y.max()) + 1 if y.size else 0) if n_classes is None else positive_int("n_classes", n_classes)
    check(not (y >= K).any(), lambda: f"label {y.max()} >= n_classes={K}")
    out = np.zeros((len(y), K), dtype=dtype)
    out[np.arange(len(y)), y] = 1
    return out


def standardize(train, *others):
    """Standardize arrays with the mean/std of ``train`` (per column, axis 0).

    Columns with (numerically) zero std are divided by 1. Returns a tuple
    ``(train_std, *others_std)``, each the shape of its input; float inputs keep
    their dtype, others become float64.
    """
    t = finite_data("train", float_array("train", train)) if not _numeric(train) else np.asarray(train)
    others = tuple(float_array(f"others[{i}]", a, allow_empty=True) for i, a in enumerate(others))
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
    check(isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
           and batch_size > 0, f"batch_size must be a positive int, got {batch_size!r}")
    check(len(X) == len(y), f"X has {len(X)} rows but y has {len(y)}")
    check(not shuffle or rng is not None,
           "shuffle=True needs rng= (an int seed or np.random.Generator); or shuffle=False")
    order = generator(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    for s in range(0, len(X), batch_size):
        idx = order[s:s + batch_size]
        if drop_last and len(idx) < batch_size:
            return
        yield X[idx], y[idx]
