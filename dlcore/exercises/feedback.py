"""The feedback object every exercise checker returns, the ``@checker`` decorator, and comparison helpers.

Writing a checker (chapter 05 on follow this)::

    @checker(answers=lambda: [dict(value=0.7729)])      # right answers, for the tests
    def check_thing(value) -> Feedback:
        if value is None:
            return Feedback(False, "Replace None with your answer (a number).")
        v = as_number(value, "thing")                     # finite float, or the reader is told why not
        out = call_reader(fn, x, what="your function")    # a reader's function: time limit, its own errors
        a = as_array(out, "what your function returned", shape=(4,))
        ...
        if not (err <= tol):                              # never `err > tol`: NaN > tol is False
            return Feedback(False, ...)

* :func:`checker` makes the function answer anything: a :class:`Reject` raised by the helpers
  becomes ``Feedback(False, message)``; any other exception is the *checker's* failure and is
  reported as such (never as "your function raised"); a wrong call (missing or unknown argument)
  gets the signature. NumPy warnings are silenced inside a check. ``answers`` (a function
  returning a list of keyword-argument dicts) declares answers the checker must accept:
  ``tests/test_bad_input_checkers.py`` finds every public ``check_*`` of every module of
  :mod:`dlcore.exercises` by itself, asserts each declares ``answers`` and accepts them, and feeds
  every argument arbitrary values, and the right answer with NaN/inf injected.
* :mod:`.answers`: :func:`as_number`, :func:`as_array`, :func:`as_name` (conversion, finiteness).
* :mod:`.reader`: :func:`call_reader` (the reader's function under a time limit).
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

import numpy as np

from .answers import NONFINITE_HINT, Reject, as_array, as_name, as_number, describe
from .reader import call_reader, reader_session, reader_time_limit, run_reader

__all__ = ["Feedback", "checker", "Reject", "as_number", "as_array", "as_name", "describe", "call_reader",
           "run_reader", "reader_time_limit", "compare_scalar", "compare_arrays", "compare_function",
           "compare_values", "precision_tolerance"]


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


def _signature(fn) -> str:
    params = inspect.signature(fn).parameters.values()
    return f"{fn.__name__}({', '.join(p.name if p.default is p.empty else f'{p.name}={p.default!r}' for p in params)})"


def checker(fn=None, *, answers=None):
    """Decorator: ``fn`` returns a :class:`Feedback` for any arguments whatsoever (see the module doc)."""
    def wrap(f):
        sig = inspect.signature(f)

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            try:
                sig.bind(*args, **kwargs)
            except TypeError as e:
                return Feedback(False, f"{e}; call it as {_signature(f)}.")
            with reader_session(), np.errstate(all="ignore"):
                try:
                    fb = f(*args, **kwargs)
                except Reject as r:
                    return Feedback(False, r.message)
                except Exception as e:  # the checker's own failure: say so, do not blame the reader
                    return Feedback(False, f"the checker could not check this answer ({type(e).__name__} in "
                                           f"{f.__name__}: {e}). Check that it has the form the exercise asks "
                                           f"for: {_signature(f)}.")
            if not isinstance(fb, Feedback):
                return Feedback(False, f"the checker {f.__name__} returned {describe(fb)} instead of feedback.")
            return fb

        wrapper.right_answers = answers
        wrapper.is_checker = True
        return wrapper
    return wrap(fn) if fn is not None else wrap


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
    (:func:`precision_tolerance`) instead of ``rtol``/``atol``. Anything that is not one finite
    real number is wrong, with the reason.
    """
    if decimals is not None or sig is not None:
        rtol, atol = 0.0, float(precision_tolerance(expected, decimals, sig))
    try:
        g = as_number(got, what)
    except Reject as r:
        return Feedback(False, r.message)
    tol = atol + rtol * abs(expected)
    with np.errstate(all="ignore"):
        err = abs(g - expected)
    if err <= tol:
        return Feedback(True, f"{what} = {expected:.9g}.")
    direction = "too large" if g > expected else "too small"
    hint = ""
    if expected != 0 and abs(g + expected) <= tol:
        hint = " The sign is flipped."
    elif expected != 0 and abs(g / expected - 2) < 1e-3:
        hint = " It is exactly twice the answer: check for a factor 2 (the 1/2 in the cost?)."
    elif expected != 0 and abs(g / expected - 0.5) < 1e-3:
        hint = " It is exactly half the answer: a factor 2 is missing."
    return Feedback(False, f"{what} is {direction}: off by {err:.3g} "
                           f"(relative {err / max(abs(expected), 1e-300):.2g}).{hint}")


def compare_arrays(what: str, got, expected, rtol: float = 1e-6, atol: float = 1e-9,
                   decimals: int | None = None, sig: int | None = None) -> Feedback:
    """Compare arrays: type and shape first, then finiteness, then the worst entry
    (``decimals``/``sig`` as in :func:`compare_scalar`)."""
    expected = np.asarray(expected, dtype=float)
    if decimals is not None or sig is not None:
        rtol, atol = 0.0, precision_tolerance(expected, decimals, sig)
    try:
        g = as_array(got, what, shape=expected.shape)
    except Reject as r:
        return Feedback(False, r.message)
    with np.errstate(all="ignore"):
        diff = np.abs(g - expected)
        ok = diff <= atol + rtol * np.abs(expected)
    if ok.all():
        return Feedback(True, f"{what} matches (max difference {diff.max(initial=0.0):.2g}).")
    i = np.unravel_index(np.argmax(np.where(ok, -np.inf, diff)), diff.shape)
    return Feedback(False, f"{what}: {int((~ok).sum())} of {ok.size} entries are off; the worst, at index "
                           f"{list(map(int, i))}, is {g[i]:.6g} instead of {expected[i]:.6g}.")


def compare_values(what: str, xs, raw, expected, rtol: float = 1e-5, atol: float = 1e-8) -> Feedback:
    """Compare what the reader's function returned at the points ``xs`` (``raw``) with ``expected``."""
    if raw is None:
        return Feedback(False, f"{what} returned None: replace the placeholder with your formula.")
    xs, exp = np.asarray(xs, dtype=float), np.asarray(expected, dtype=float)
    try:
        got = as_array(raw, f"what {what} returned", finite=False)
    except Reject as r:
        return Feedback(False, r.message)
    if got.shape != exp.shape:
        return Feedback(False, f"{what}: called on an array of shape {xs.shape} it returned shape {got.shape}; "
                               "make it work elementwise on arrays.")
    finite = np.isfinite(got)
    if not finite.all():
        x = xs[~finite][0]
        return Feedback(False, f"{what} is not finite at x={x:g} (got {got[~finite][0]}). {NONFINITE_HINT}")
    with np.errstate(all="ignore"):
        diff = np.abs(got - exp)
        excess = diff - (atol + rtol * np.abs(exp))
    k = int(np.argmax(excess))
    if excess[k] <= 0:
        return Feedback(True, f"{what} agrees at all {xs.size} test points (max difference {diff.max():.2g}).")
    return Feedback(False, f"{what} is off by {diff[k]:.2g} at x={xs[k]:g} (yours {got[k]:.6g}, correct {exp[k]:.6g}).")


def compare_function(what: str, fn, reference, xs, rtol: float = 1e-5, atol: float = 1e-8) -> Feedback:
    """Call the reader's ``fn`` (under the time limit) and ``reference`` at the points ``xs``;
    report the worst point."""
    xs = np.asarray(xs, dtype=float)
    try:
        raw = call_reader(fn, xs.copy(), what=what)
    except Reject as r:
        return Feedback(False, r.message)
    return compare_values(what, xs, raw, reference(xs), rtol, atol)
