"""How nbval compares the book's printed outputs: every character, except that numbers are read as numbers.

The committed outputs were computed on one CPU. Another CPU's BLAS kernel rounds matrix products
differently (see README, "What nbval compares"), so a training run's last digits differ from machine to
machine even though the experiment, and the claim the chapter makes from it, are the same. The book
prints each such number at the precision its seed spread justifies; this comparison then accepts

* a decimal number (it has a ``.`` or an exponent) that differs by at most one unit of its last printed
  digit (``0.85`` vs ``0.86``; not ``0.85`` vs ``0.87``): the rounding of the last digit may flip;
* ``m ± s`` (or ``m +- s``, a mean and the spread over seeds): the cell states its own uncertainty.
  ``m`` may move by ``2 s`` (``s`` the larger of the two spreads) and ``s`` by a factor of 5. When
  a different kernel sends each seed down a different path, the mean of n = 5 seeds moves with
  standard deviation ``s * sqrt(2 / n) = 0.63 s``, so ``2 s`` is about three of those; and the
  ratio of two spreads of 5 seeds (an F(4, 4) variable, squared) exceeds 5 with probability
  under 1 %. Tighter bounds failed about one such line in ten between two kernels;
* an integer only if it is identical ("5 of 5 seeds", "step 300", "64 units" are claims, not noise).

All other text must match exactly, after nbval's regex sanitisers (``book/sanitize.cfg``, for wall-clock
timings). Images are not compared by nbval; ``tests/`` checks what the figures show.
"""
from __future__ import annotations

import copy
import math
import re

__all__ = ["numbers_agree", "harmonise"]

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_PM = re.compile(r"\s*(?:±|\+-|\+/-)\s*")


def _parse(text: str):
    """Split ``text`` into a skeleton (numbers replaced by ``#``, whitespace collapsed) and its numbers.

    Each number is ``(value, unit, spread_index)``: ``unit`` is one unit of its last printed digit
    (``None`` for an integer), ``spread_index`` the index of the number that follows it after ``±``.
    """
    numbers, parts, last = [], [], 0
    matches = list(_NUMBER.finditer(text))
    for i, m in enumerate(matches):
        parts.append(text[last:m.start()])
        parts.append("#")
        last = m.end()
        tok = m.group()
        mant, _, exp = tok.lower().partition("e")
        decimal = "." in mant or bool(exp)
        if decimal:
            places = len(mant.split(".")[1]) if "." in mant else 0
            unit = 10.0 ** (int(exp or 0) - places)
        else:
            unit = None
        spread = None
        if i + 1 < len(matches) and _PM.fullmatch(text[m.end():matches[i + 1].start()]):
            spread = i + 1
        numbers.append((float(tok), unit, spread))
    parts.append(text[last:])
    skeleton = " ".join("".join(parts).split())
    return skeleton, numbers


def numbers_agree(ref: str, test: str) -> bool:
    """True if ``test`` equals ``ref`` up to the tolerances described in this module's docstring."""
    if ref == test:
        return True
    (sk_r, num_r), (sk_t, num_t) = _parse(ref), _parse(test)
    if sk_r != sk_t or len(num_r) != len(num_t):
        return False
    tol, ratio = [None] * len(num_r), [None] * len(num_r)
    for i, (value, unit, spread) in enumerate(num_r):
        if spread is not None and num_t[i][2] == spread:   # m ± s in both
            s_ref, s_test = abs(num_r[spread][0]), abs(num_t[spread][0])
            tol[i] = 2 * max(s_ref, s_test)
            ratio[spread] = (s_ref, s_test)
    for i, ((a, ua, _), (b, ub, _)) in enumerate(zip(num_r, num_t)):
        if ratio[i] is not None:                     # a spread: within a factor 5 (or one printed unit)
            s_ref, s_test = ratio[i]
            unit = max(u for u in (ua, ub, 0.0) if u is not None)
            if abs(s_ref - s_test) <= unit * (1 + 1e-9) or s_ref / 5 <= s_test <= 5 * s_ref:
                continue
            return False
        if ua is None and ub is None and tol[i] is None:
            if a != b:                               # integers are exact
                return False
            continue
        units = [u for u in (ua, ub) if u is not None]
        allowed = max([tol[i] or 0.0, *units])
        if not (math.isfinite(a) and math.isfinite(b)) or abs(a - b) > allowed * (1 + 1e-9):
            return False
    return True


_TEXT_KEYS = ("text", "text/plain", "text/html", "text/markdown", "text/latex")


def _texts(outputs):
    """``(key, container, field)`` of every text field of ``outputs``, in order."""
    found = []
    for out in outputs:
        if "text" in out:
            found.append(("stream:" + out.get("name", ""), out, "text"))
        for key in _TEXT_KEYS[1:]:
            if key in out.get("data", {}):
                found.append((key, out["data"], key))
    return found


def _join(value):
    return "".join(value) if isinstance(value, list) else value


def harmonise(test, ref):
    """A copy of ``ref`` in which each text that agrees with its counterpart in ``test`` (in the sense
    of :func:`numbers_agree`) is replaced by that counterpart, so nbval's exact comparison passes
    and any remaining difference is reported as nbval always does."""
    ref = copy.deepcopy(ref)
    by_key = {}
    for key, box, field in _texts(test):
        by_key.setdefault(key, []).append(_join(box[field]))
    seen = {}
    for key, box, field in _texts(ref):
        i = seen[key] = seen.get(key, -1) + 1
        candidates = by_key.get(key, [])
        if i < len(candidates) and numbers_agree(_join(box[field]), candidates[i]):
            box[field] = candidates[i]
    return ref


def _install():
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:          # nbval not installed: nothing to adapt
        return
    if getattr(IPyNbCell.compare_outputs, "_dlbook", False):
        return
    original = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return original(self, test, harmonise(test, ref), skip_compare)

    compare_outputs._dlbook = True
    IPyNbCell.compare_outputs = compare_outputs


_install()
