"""Turning whatever a reader typed into a finite number, array or name, or explaining what is wrong.

A checker never trusts its input: ``as_number(value, "out_o2")`` returns a finite ``float`` or
raises :class:`Reject` with a message for the reader, e.g.

* ``'abc'``            -> "out_o2: expected a number, got str 'abc'."
* ``'0.77'``           -> "... got str '0.77': remove the quotes."
* ``0.75+0j``          -> "... got the complex number (0.75+0j); give a real number."
* ``[0.75]``           -> 0.75 (a one-element list or array is one number)
* ``np.array([1, 2])`` -> "out_o2: expected one number, got 2 (shape (2,))."
* ``10**400``          -> "out_o2: the integer 1000...000 (401 digits) is too large for a float (max about 1.8e308)."
* ``nan``, ``inf``     -> "out_o2: your value is nan, not a finite number. ..."
* ``True``             -> "out_o2: expected a number, got the boolean True."

Checkers decorated with :func:`dlcore.exercises.feedback.checker` turn a :class:`Reject` into a
``Feedback(False, message)``. The helpers here only convert; they never call the reader's code
(see :mod:`dlcore.exercises.reader` for that).
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["Reject", "describe", "as_number", "as_array", "as_name", "NONFINITE_HINT"]

#: appended to every "not finite" message
NONFINITE_HINT = "NaN or inf usually comes from an overflow (exp of a large number), 0/0 or log(0)."
_MAX_ITEMS = 100_000          # object arrays are converted entry by entry up to this size


class Reject(Exception):
    """An answer that cannot be accepted; ``message`` is what the reader is told."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def describe(value, limit: int = 60) -> str:
    """A short description of ``value`` for a message: its type and a truncated repr."""
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {bool(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 30:
        digits = len(str(abs(value)))
        return f"the integer {str(value)[:4]}...{str(value)[-3:]} ({digits} digits)"
    if isinstance(value, (str, bytes)):
        r = repr(value)
        return f"{type(value).__name__} {r if len(r) <= limit else r[:limit - 4] + '...' + r[-1]}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if callable(value) and not isinstance(value, np.generic):
        return f"a function ({getattr(value, '__name__', type(value).__name__)})"
    try:
        r = repr(value)
    except Exception:  # a reader's object with a broken __repr__
        r = "?"
    if len(r) > limit:
        r = r[:limit - 3] + "..."
    return f"{type(value).__name__} {r}"


def _text_is_number(s) -> bool:
    try:
        float(s)
        return True
    except (TypeError, ValueError):
        return False


def _scalar(value, what: str, expected: str) -> float:
    """One Python/NumPy scalar as a float (finite or not), or Reject."""
    if value is None:
        raise Reject(f"{what}: expected {expected}, got None.")
    if isinstance(value, (bool, np.bool_)):
        raise Reject(f"{what}: expected {expected}, got {describe(value)}.")
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        hint = ": remove the quotes" if _text_is_number(value) else ""
        raise Reject(f"{what}: expected {expected}, got {describe(value)}{hint}.")
    if isinstance(value, (complex, np.complexfloating)):
        raise Reject(f"{what}: expected {expected}, got the complex number {value}; give a real number.")
    if isinstance(value, numbers.Integral):
        try:
            return float(value)
        except OverflowError:
            raise Reject(f"{what}: {describe(value)} is too large for a float (max about 1.8e308).") from None
    if isinstance(value, (numbers.Real, np.floating)) or hasattr(value, "__float__"):
        try:
            return float(value)
        except OverflowError:
            raise Reject(f"{what}: {describe(value)} is too large for a float (max about 1.8e308).") from None
        except Exception:  # an object whose __float__ fails
            pass
    if callable(value):
        raise Reject(f"{what}: expected {expected}, got {describe(value)}; call it, or give the value it computes.")
    raise Reject(f"{what}: expected {expected}, got {describe(value)}.")


def _has_bool(value, depth=0) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, (list, tuple)) and depth < 32:
        return any(_has_bool(v, depth + 1) for v in value[:_MAX_ITEMS])
    return False


def _float_array(value, what: str, expected: str) -> np.ndarray:
    """Any array-like (or scalar) as a float64 array, not yet checked for finiteness, or Reject."""
    if not isinstance(value, (list, tuple, np.ndarray)) and not hasattr(value, "__array__"):
        return np.asarray(_scalar(value, what, expected))
    if isinstance(value, (list, tuple)) and _has_bool(value):
        raise Reject(f"{what}: expected {expected}, got a {type(value).__name__} containing booleans (True/False).")
    try:
        a = np.asarray(value)
    except Exception:  # ragged nested lists, objects with a broken __array__
        raise Reject(f"{what}: expected {expected}, got a {type(value).__name__} that is not a regular array "
                     "(rows of different lengths?).") from None
    if not isinstance(a, np.ndarray):
        raise Reject(f"{what}: expected {expected}, got {describe(value)}.")
    kind = a.dtype.kind
    if kind in "iuf":
        with np.errstate(over="ignore"):
            return a.astype(np.float64)
    if kind == "b":
        raise Reject(f"{what}: expected {expected}, got booleans (True/False), dtype {a.dtype}.")
    if kind == "c":
        raise Reject(f"{what}: expected {expected}, got complex numbers (dtype {a.dtype}); give real numbers.")
    if kind in "US":
        raise Reject(f"{what}: expected {expected}, got text (dtype {a.dtype}): give numbers, not strings.")
    if kind == "O" and a.size <= _MAX_ITEMS:
        out = np.empty(a.shape)
        for i, v in zip(np.ndindex(a.shape), a.flat):
            where = f"{what} at index {list(i)}" if a.ndim else what
            out[i] = _scalar(v, where, "a number")
        return out
    raise Reject(f"{what}: expected {expected}, got {describe(value)}.")


def _nonfinite(what: str, a: np.ndarray) -> Reject:
    bad = np.argwhere(~np.isfinite(a))
    i = tuple(bad[0])
    where = f" at index {list(map(int, i))}" if a.ndim else ""
    n = f" ({len(bad)} of {a.size} entries)" if a.size > 1 else ""
    return Reject(f"{what}: your value is {a[i]}{where}, not a finite number{n}. {NONFINITE_HINT}")


def as_number(value, what: str = "your answer", finite: bool = True) -> float:
    """``value`` as one finite float (a one-element list or array counts), else :class:`Reject`
    (``finite=False``: NaN and inf are returned, for a checker that explains them itself)."""
    a = _float_array(value, what, "a number")
    if a.size != 1:
        got = "an empty array" if a.size == 0 else f"{a.size} (shape {a.shape})"
        raise Reject(f"{what}: expected one number, got {got}.")
    v = float(a.reshape(-1)[0])
    if finite and not np.isfinite(v):
        raise Reject(f"{what}: your value is {v}, not a finite number. {NONFINITE_HINT}")
    return v


def as_array(value, what: str = "your answer", shape: tuple | None = None, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array (of ``shape`` if given; entries finite unless ``finite=False``),
    else :class:`Reject`. A shape that is the transpose of ``shape`` gets a hint."""
    a = _float_array(value, what, "an array of numbers")
    if shape is not None and a.shape != tuple(shape):
        hint = " (a transpose?)" if a.ndim == 2 and a.shape == tuple(shape)[::-1] else ""
        raise Reject(f"{what}: expected shape {tuple(shape)}, got {a.shape}{hint}.")
    if finite and not np.all(np.isfinite(a)):
        raise _nonfinite(what, a)
    return a


def as_name(value, choices, what: str = "name", aliases: dict | None = None) -> str:
    """``value`` as one of ``choices`` (strings); case, outer spaces and '-'/'_'/' ' do not matter.

    ``aliases`` maps other normalised spellings to a choice. Anything else -> :class:`Reject` that
    lists the choices."""
    choices = list(choices)
    if not isinstance(value, (str, np.str_)):
        raise Reject(f"{what}: expected a name (a string) from {choices}, got {describe(value)}.")
    norm = lambda s: " ".join(str(s).strip().lower().replace("-", " ").replace("_", " ").split())  # noqa: E731
    table = {norm(c): c for c in choices}
    table.update({norm(k): v for k, v in (aliases or {}).items()})
    key = norm(value)
    if key not in table:
        raise Reject(f"{what}: unknown {value!r}; choose from {choices}.")
    return table[key]
