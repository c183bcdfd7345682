"""Checks of what enters dlcore's public API, in one place.

Each function takes the argument's ``name`` (as the user wrote it, e.g. ``"batch_size"``) and the
value, and returns the cleaned value or raises a :mod:`dlcore.errors` exception whose message names
the argument, the value given and what is allowed::

    >>> positive_int("batch_size", 2.7)
    Traceback (most recent call last):
    ...
    dlcore.errors.InvalidType: batch_size must be a whole number (int) >= 1, got 2.7

Rules (deliberately strict: a reader's typo should be an error, not a different experiment):

* counts and sizes are Python or NumPy ints, never bools, floats (not even 4.0) or strings;
* rates and scales are real numbers (int or float, Python or NumPy), never bools or strings,
  and finite;
* data arrays may be given as ints or bools (converted to float64), never as strings, objects or
  complex numbers; parameter dtypes (``dtype=``) must be floating;
* class labels are non-negative integers (integer-valued floats are accepted) below
  :data:`MAX_CLASSES` or the number of classes of the model.

These run once where input enters (a builder, ``fit``, a loss, a loader), never inside the step.
"""
from __future__ import annotations

import difflib
import numbers

import numpy as np

from .errors import DataError, InvalidArgument, InvalidType

__all__ = ["MAX_CLASSES", "show", "positive_int", "nonneg_int", "positive_float", "nonneg_float", "finite_float",
           "fraction", "boolean", "one_of", "float_dtype", "float_array", "finite_data", "class_labels",
           "distributions", "pair"]

MAX_CLASSES = 10_000    # a label above this is far more likely a regression target or a typo than a class


def show(v, limit: int = 60) -> str:
    """``repr(v)`` shortened, with the type when the repr hides it (``'4'`` vs ``4``, numpy scalars)."""
    if isinstance(v, np.ndarray):
        return f"an array of shape {v.shape} and dtype {v.dtype}"
    try:
        r = repr(v)
    except Exception:                                   # a broken __repr__ must not hide the real error
        r = f"<{type(v).__name__}>"
    if len(r) > limit:
        r = r[:limit - 3] + "..."
    t = type(v).__name__
    return r if t in ("int", "float") else f"{r} ({t})"


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _int(name, v, lo, what):
    if not _is_int(v):
        hint = ""
        if isinstance(v, str):
            hint = "; write the number without quotes"
        elif isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
            hint = f"; write {int(v)}"
        raise InvalidType(f"{name} must be a whole number (int) {what}, got {show(v)}{hint}")
    if v < lo:
        raise InvalidArgument(f"{name} must be a whole number (int) {what}, got {show(v)}")
    return int(v)


def positive_int(name: str, v) -> int:
    """``v`` as an int >= 1 (rejects 4.7, 4.0, True, '43', numpy bools; accepts numpy ints)."""
    return _int(name, v, 1, ">= 1")


def nonneg_int(name: str, v) -> int:
    """``v`` as an int >= 0."""
    return _int(name, v, 0, ">= 0")


def _real(name, v, what) -> float:
    what = f" {what}" if what else ""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.integer, np.floating)):
        hint = "; write the number without quotes" if isinstance(v, str) else ""
        raise InvalidType(f"{name} must be a real number{what}, got {show(v)}{hint}")
    try:
        x = float(v)
    except OverflowError:                               # 10**400
        raise InvalidArgument(f"{name} must be a real number{what}, got {show(v)} (too large for a float)") from None
    if not np.isfinite(x):
        raise InvalidArgument(f"{name} must be a finite real number{what}, got {show(v)}")
    return x


def positive_float(name: str, v) -> float:
    """``v`` as a finite float > 0."""
    x = _real(name, v, "> 0")
    if not x > 0:
        raise InvalidArgument(f"{name} must be a finite real number > 0, got {show(v)}")
    return x


def nonneg_float(name: str, v) -> float:
    """``v`` as a finite float >= 0."""
    x = _real(name, v, ">= 0")
    if not x >= 0:
        raise InvalidArgument(f"{name} must be a finite real number >= 0, got {show(v)}")
    return x


def finite_float(name: str, v) -> float:
    """``v`` as a finite float."""
    return _real(name, v, "")


def fraction(name: str, v, lo_closed: bool = True, hi_closed: bool = True) -> float:
    """``v`` as a float in [0, 1], the ends included or not."""
    what = f"in {'[' if lo_closed else '('}0, 1{']' if hi_closed else ')'}"
    x = _real(name, v, what)
    if not ((x >= 0 if lo_closed else x > 0) and (x <= 1 if hi_closed else x < 1)):
        raise InvalidArgument(f"{name} must be a real number {what}, got {show(v)}")
    return x


def boolean(name: str, v) -> bool:
    """``v`` as a bool (True/False or a numpy bool; not 'no', 0 or None)."""
    if not isinstance(v, (bool, np.bool_)):
        raise InvalidType(f"{name} must be True or False, got {show(v)}")
    return bool(v)


def one_of(name: str, v, choices):
    """``v`` if it is one of ``choices`` (strings); otherwise an error listing them and the close matches."""
    choices = list(choices)
    if not isinstance(v, str):
        raise InvalidType(f"{name} must be one of {', '.join(map(repr, choices))}; got {show(v)}")
    if v in choices:
        return v
    close = difflib.get_close_matches(v, choices, n=3, cutoff=0.6)
    close += [c for c in choices if c.lower() == v.lower() and c not in close]
    did = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise InvalidArgument(f"unknown {name} {v!r}; known: {', '.join(map(repr, choices))}.{did}")


def float_dtype(name: str, dtype) -> np.dtype:
    """``dtype`` as a floating NumPy dtype (float16/32/64); ints, bools, complex and strings are errors."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise InvalidType(f"{name} must be a floating dtype such as np.float64 or np.float32, got {show(dtype)}") from None
    if not np.issubdtype(dt, np.floating):
        raise InvalidArgument(f"{name} must be a floating dtype such as np.float64 or np.float32, got {dt} "
                              "(weights and gradients need fractions)")
    return dt


def float_array(name: str, X, ndim=None, allow_empty: bool = False, dtype=None) -> np.ndarray:
    """``X`` as a floating array: floats kept as they are (or cast to ``dtype``), ints and bools
    converted to float64; strings, objects, complex numbers, ragged lists are errors. ``ndim``: an
    int or a tuple of allowed ranks. Empty arrays are errors unless ``allow_empty``."""
    if X is None:
        raise InvalidType(f"{name} must be an array of numbers, got None")
    if isinstance(X, (str, bytes)):
        raise InvalidType(f"{name} must be an array of numbers, got {show(X)}")
    try:
        A = np.asarray(X)
    except (ValueError, TypeError) as e:                 # ragged nested lists
        raise InvalidArgument(f"{name} must be a rectangular array of numbers; np.asarray failed: {e}") from None
    kind = A.dtype.kind
    if kind in "fiub":
        if kind != "f" or dtype is not None:
            A = A.astype(dtype or np.float64)
    else:
        what = {"c": "complex numbers", "U": "strings", "S": "bytes", "O": "Python objects", "M": "dates",
                "m": "time deltas", "V": "records"}.get(kind, A.dtype)
        raise InvalidType(f"{name} must be an array of real numbers, got {what} (dtype {A.dtype})")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if A.ndim not in allowed:
            raise InvalidArgument(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                                  f"got shape {A.shape}")
    if not allow_empty and A.size == 0:
        raise DataError(f"{name} is empty (shape {A.shape}); it needs at least one row")
    return A


def finite_data(name: str, X) -> np.ndarray:
    """``X`` unchanged if every entry is finite; otherwise a :class:`DataError` with the first bad
    position, its value and how many there are."""
    ok = np.isfinite(X)
    if not ok.all():
        bad = np.argwhere(~ok)
        n = len(bad)
        pos = tuple(int(i) for i in bad[0])
        where = f"row {pos[0]}" + (f", column {pos[1]}" if len(pos) == 2 else "") if pos else "its value"
        if len(pos) > 2:
            where = f"index {pos}"
        raise DataError(f"{name} contains {n} NaN or inf value{'s' * (n > 1)} (first at {where}: "
                        f"{X[pos] if pos else X}); clean or drop them first")
    return X


def class_labels(name: str, y, n_classes=None) -> np.ndarray:
    """``y`` as a 1-D int64 array of class labels 0 .. n_classes-1 (integer-valued floats accepted).
    Without ``n_classes`` the cap is :data:`MAX_CLASSES`."""
    A = float_array(name, y, ndim=1) if not _int_array(y) else np.asarray(y)
    if A.ndim != 1:
        raise InvalidArgument(f"{name} must be a 1-D array of class labels, got shape {A.shape}")
    if A.size == 0:
        raise DataError(f"{name} is empty; it needs at least one label")
    if A.dtype.kind == "f":
        finite_data(name, A)
        frac = A != np.round(A)
        if frac.any():
            i = int(np.argmax(frac))
            raise DataError(f"{name} must be whole-number class labels, got {A[i]:g} at index {i}; "
                            "for a regression target use a regression loss (e.g. 'quadratic')")
    cap = MAX_CLASSES if n_classes is None else int(n_classes)
    lo, hi = A.min(), A.max()
    if lo < 0 or hi >= cap:
        i = int(np.argmin(A)) if lo < 0 else int(np.argmax(A))
        what = f"{n_classes} classes" if n_classes is not None else f"at most {MAX_CLASSES} classes"
        raise DataError(f"{name}: class labels must lie in 0..{cap - 1} ({what}), got {A[i]:g} at index {i} "
                        f"(labels range {lo:g}..{hi:g})")
    return A.astype(np.int64, copy=False)


def _int_array(y) -> bool:
    return isinstance(y, np.ndarray) and y.dtype.kind in "iu"


def distributions(name: str, Y, atol: float = 1e-6) -> np.ndarray:
    """``Y`` (N, K) if each row is a probability distribution: entries >= 0, rows summing to 1 within ``atol``."""
    if np.ndim(Y) != 2:
        raise InvalidArgument(f"{name}: soft targets must be a 2-D array (N, K) of probabilities, got shape {np.shape(Y)}")
    finite_data(name, Y)
    neg = Y < 0
    if neg.any():
        pos = tuple(int(i) for i in np.argwhere(neg)[0])
        raise DataError(f"{name}: soft targets must be non-negative probabilities, got {Y[pos]:g} at {pos}")
    s = Y.sum(axis=-1)
    off = np.abs(s - 1) > atol
    if off.any():
        i = int(np.argmax(off))
        raise DataError(f"{name}: each row of soft targets must sum to 1 (within {atol:g}), row {i} sums to {s[i]:g}")
    return Y


def pair(name: str, v):
    """``v`` as an ``(X, y)`` pair (a tuple or list of two items)."""
    if not isinstance(v, (tuple, list)) or len(v) != 2:
        got = show(v) if not isinstance(v, (tuple, list)) else f"a {type(v).__name__} of {len(v)} items"
        raise InvalidType(f"{name} must be a pair (X, y), got {got}")
    return v[0], v[1]
