"""The feedback object every exercise checker returns, and comparison helpers."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "compare_scalar", "compare_arrays", "compare_function", "precision_tolerance"]


@dataclass(frozen=True)
class Feedback:
    """Result of checking an answer: ``ok`` and a message. Truthy when correct."""
    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __str__(self):
        return ("Correct. " if self.ok else "Not yet. ") + self.message

    __repr__ = __str__

    def _repr_markdown_(self):
        mark = "✅ **Correct.**" if self.ok else "❌ **Not yet.**"
        return f"{mark} {self.message}"


def precision_tolerance(expected, decimals: int | None = None, sig: int | None = None):
    """Half a unit of the last place an exercise asks for: an answer rounded correctly to
    ``decimals`` decimal places (or ``sig`` significant figures) passes, and so does any more
    precise one. ``expected`` may be an array (``sig`` then applies entry by entry)."""
    if (decimals is None) == (sig is None):
        raise ValueError("give exactly one of decimals= and sig=")
    e = np.abs(np.asarray(expected, dtype=float))
    if decimals is not None:
        tol = np.full_like(e, 0.5 * 10.0 ** -decimals)
    else:
        mag = np.floor(np.log10(np.where(e > 0, e, 1.0)))
        tol = 0.5 * 10.0 ** (mag - sig + 1)
    return tol * (1 + 1e-9) + 1e-15


def compare_scalar(what: str, got, expected: float, rtol: float = 1e-4, atol: float = 1e-8,
                   decimals: int | None = None, sig: int | None = None) -> Feedback:
    """Compare one number; the message gives the expected value only when the answer is right.

    With ``decimals`` or ``sig`` the tolerance is the precision the exercise asks for
    (:func:`precision_tolerance`) instead of ``rtol``/``atol``.
    """
    if decimals is not None or sig is not None:
        rtol, atol = 0.0, float(precision_tolerance(expected, decimals, sig))
    if isinstance(got, (list, tuple, np.ndarray)) and np.size(got) == 1:
        got = np.ravel(got)[0]
    try:
        g = float(got)
    except (TypeError, ValueError):
        return Feedback(False, f"{what}: expected a number, got {type(got).__name__} {got!r}.")
    if not np.isfinite(g):
        return Feedback(False, f"{what}: your value is {g}, not a finite number.")
    if abs(g - expected) <= atol + rtol * abs(expected):
        return Feedback(True, f"{what} = {expected:.9g}.")
    direction = "too large" if g > expected else "too small"
    hint = ""
    if expected != 0 and abs(g + expected) <= atol + rtol * abs(expected):
        hint = " The sign is flipped."
    elif expected != 0 and abs(g / expected - 2) < 1e-3:
        hint = " It is exactly twice the answer: check for a factor 2 (the 1/2 in the cost?)."
    elif expected != 0 and abs(g / expected - 0.5) < 1e-3:
        hint = " It is exactly half the answer: a factor 2 is missing."
    return Feedback(False, f"{what} is {direction}: off by {abs(g - expected):.3g} "
                           f"(relative {abs(g - expected) / max(abs(expected), 1e-300):.2g}).{hint}")


def compare_arrays(what: str, got, expected, rtol: float = 1e-6, atol: float = 1e-9,
                   decimals: int | None = None, sig: int | None = None) -> Feedback:
    """Compare arrays: shape first, then the worst entry (``decimals``/``sig`` as in :func:`compare_scalar`)."""
    expected = np.asarray(expected, dtype=float)
    if decimals is not None or sig is not None:
        rtol, atol = 0.0, precision_tolerance(expected, decimals, sig)
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"{what}: expected an array of numbers, got {type(got).__name__}.")
    if g.shape != expected.shape:
        return Feedback(False, f"{what}: expected shape {expected.shape}, got {g.shape}.")
    if not np.all(np.isfinite(g)):
        return Feedback(False, f"{what}: contains NaN or inf at index {np.argwhere(~np.isfinite(g))[0].tolist()}.")
    diff = np.abs(g - expected)
    bad = diff > atol + rtol * np.abs(expected)
    if not bad.any():
        return Feedback(True, f"{what} matches (max difference {diff.max():.2g}).")
    i = np.unravel_index(np.argmax(diff), diff.shape)
    return Feedback(False, f"{what}: {int(bad.sum())} of {bad.size} entries are off; the worst, at index "
                           f"{list(map(int, i))}, is {g[i]:.6g} instead of {expected[i]:.6g}.")


def compare_function(what: str, fn, reference, xs, rtol: float = 1e-5, atol: float = 1e-8) -> Feedback:
    """Call the reader's ``fn`` and ``reference`` at the points ``xs``; report the worst point."""
    xs = np.asarray(xs, dtype=float)
    try:
        raw = fn(xs.copy())
        if raw is None:
            return Feedback(False, f"{what} returned None: replace the placeholder with your formula.")
        got = np.asarray(raw, dtype=float)
    except Exception as e:  # the reader's code: report, do not crash the notebook
        return Feedback(False, f"{what} raised {type(e).__name__}: {e}")
    exp = np.asarray(reference(xs), dtype=float)
    if got.shape != exp.shape:
        return Feedback(False, f"{what}: called on an array of shape {xs.shape} it returned shape {got.shape}; "
                               "make it work elementwise on arrays.")
    diff = np.abs(got - exp)
    finite = np.isfinite(got)
    if not finite.all():
        x = xs[~finite][0]
        return Feedback(False, f"{what} is not finite at x={x:g} (got {got[~finite][0]}).")
    k = int(np.argmax(diff - (atol + rtol * np.abs(exp))))
    if diff[k] <= atol + rtol * abs(exp[k]):
        return Feedback(True, f"{what} agrees at all {xs.size} test points (max difference {diff.max():.2g}).")
    return Feedback(False, f"{what} is off by {diff[k]:.2g} at x={xs[k]:g} (yours {got[k]:.6g}, correct {exp[k]:.6g}).")
