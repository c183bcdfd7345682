"""Loading the reader's own data from .npz or .csv files (chapter 10 and the exercises).

Errors name the file, the 1-based line and the column, and say how to fix the
problem (a 1-D ``X``, NaNs, non-numeric labels, a wrong delimiter).
"""
from __future__ import annotations

import csv
import os

import numpy as np

from .dataset import DataError, Dataset, check as _check, train_val_test_split

__all__ = ["load_npz", "load_csv"]


def _check_Xy(X, y, src):
    _check(X.ndim == 2, f"{src}: X must be 2-D (N, features), got shape {X.shape}"
           + ("; for one feature use X.reshape(-1, 1)" if X.ndim == 1 else ""))
    _check(len(X) == len(y), f"{src}: X has {len(X)} rows but y has {len(y)}")
    _check(X.dtype.kind in "biuf", f"{src}: X must be numeric, got dtype {X.dtype}")
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        raise DataError(f"{src}: X has NaN or inf at row {bad[0][0]}, column {bad[0][1]}")
    if y.dtype.kind not in "biuf":
        ex = y.ravel()[0].item() if y.size else None
        raise DataError(f"{src}: labels must be numeric, got {ex!r} (dtype {y.dtype}); "
                        "encode classes as 0..K-1")
    _check(np.isfinite(y).all(), f"{src}: y has NaN or inf at row "
           f"{int(np.argmax(~np.isfinite(y).reshape(len(y), -1).all(1)))}")
    _check(len(X) >= 5, f"{src}: need at least 5 rows, got {len(X)}")


def load_npz(path, X_key="X", y_key="y", **split_kwargs) -> Dataset:
    """Load X (N, d) and y (N,) from an ``.npz`` file and split them.

    Extra keyword arguments go to :func:`train_val_test_split`
    (default name: file stem).
    """
    path = os.fspath(path)
    _check(os.path.isfile(path), f"file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = list(z.keys())
            missing = [k for k in (X_key, y_key) if k not in keys]
            _check(not missing, f"{path}: key(s) {missing} not found; keys present: {keys}")
            X, y = z[X_key], z[y_key]
    except DataError:
        raise
    except Exception as e:  # BadZipFile, pickled objects, truncated files, ...
        raise DataError(f"{path}: cannot read as .npz ({type(e).__name__}: {e})") from e
    _check_Xy(X, y, path)
    split_kwargs.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    return train_val_test_split(X, y, **split_kwargs)


def _num(s):
    try:
        return float(s)
    except ValueError:
        return None


def load_csv(path, target=-1, header="infer", delimiter=",", **split_kwargs) -> Dataset:
    """Load a numeric CSV; column ``target`` (index, or name if there is a header) is y.

    ``header``: "infer" (header iff the first row has a non-numeric cell), True or
    False. Errors name the file line (1-based) and column. Labels must be numeric.
    Extra keyword arguments go to :func:`train_val_test_split`.
    """
    path = os.fspath(path)
    _check(os.path.isfile(path), f"file not found: {path}")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rd = csv.reader(f, delimiter=delimiter)
        rows = [(rd.line_num, [c.strip() for c in r]) for r in rd if any(c.strip() for c in r)]
    _check(rows, f"{path}: file is empty")
    if header == "infer":
        header = any(_num(c) is None for c in rows[0][1])
    names = rows.pop(0)[1] if header else None
    width = len(names) if names else len(rows[0][1]) if rows else 0
    hint = f" (is delimiter={delimiter!r} right?)"
    _check(width >= 2, f"{path}: need at least 2 columns, found {width}" + hint)
    if isinstance(target, str):
        _check(names is not None, f"{path}: target {target!r} given by name but file has no header")
        _check(target in names, f"{path}: no column {target!r}; columns: {names}")
        t = names.index(target)
    else:
        _check(-width <= target < width, f"{path}: target index {target} out of range for {width} columns")
        t = target % width

    data = np.empty((len(rows), width))
    for i, (line, cells) in enumerate(rows):
        _check(len(cells) == width, lambda: f"{path}: line {line} has {len(cells)} cells, expected {width}")
        for j, c in enumerate(cells):
            v = _num(c)
            if v is None or not np.isfinite(v):
                where = f"line {line}, " + (f"column {names[j]!r} (index {j})" if names else f"column index {j}")
                if c == "":
                    raise DataError(f"{path}: missing value at {where}")
                if j == t and v is None:
                    raise DataError(f"{path}: labels must be numeric; {where.split(', ')[1]} has {c!r} "
                                    f"at line {line} — encode classes as 0..K-1")
                bad = "non-numeric" if v is None else "non-finite"
                raise DataError(f"{path}: {bad} value {c!r} at {where}"
                                + (hint if any(d in c for d in ",;\t|") else ""))
            data[i, j] = v
    _check(len(rows) >= 5, f"{path}: need at least 5 data rows, got {len(rows)}")
    split_kwargs.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    return train_val_test_split(np.delete(data, t, axis=1), data[:, t], **split_kwargs)
