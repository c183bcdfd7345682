"""Axis limits that follow the data but change rarely: :func:`fit_limits` and :func:`data_range`.

Used by explorers (a limit change costs a background redraw, so limits should move
seldom and to few distinct values) and by the chapters' figure panels
(``widgets/chNN_plots.py``), so a static figure and its explorer choose the same limits
for the same result.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["fit_limits", "data_range"]


def fit_limits(ax, lo: float, hi: float, axis: str = "y", margin: float = 0.1, slack: float = 4.0,
               home: tuple | None = None, min_span: float = 0.0, stops=None) -> bool:
    """Make ``ax`` show ``[lo, hi]``, changing its limits only when needed.

    Limits change (costing one background redraw in an explorer, ~40 ms instead of
    ~4 ms, the first time these limits are drawn) only if the data leave the current
    range or fill less than ``1/slack`` of it; the new range adds ``margin`` of the
    data span on each side (in log space on a log axis) and is rounded outwards to a
    round step (whole decades on a log axis), so nearby data share limits. ``home``:
    the usual range, used whenever it holds the data (same settings, same picture; no
    redraw for most updates). ``min_span``: the smallest range shown around nearly
    constant data (in decades on a log axis). ``stops``: the only limit values allowed
    (sorted, in data units): each limit moves out to the nearest stop beyond the data
    and ``margin``, whatever the current limits (so few distinct limits occur, and the
    background drawn for each is reused; data beyond the last stop get data + margin).
    Non-finite ``lo``/``hi`` (no data) change nothing. Returns True if the limits changed.
    """
    log = (ax.get_yscale() if axis == "y" else ax.get_xscale()) == "log"
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    if not (math.isfinite(lo) and math.isfinite(hi)) or (log and lo <= 0):
        return False
    if home is not None and home[0] <= lo and hi <= home[1]:
        if all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-300) for u, v in zip(get(), home)):
            return False
        set_(*home)
        return True
    f, inv = (math.log10, lambda v: 10 ** v) if log else (float, float)
    cur = get()
    a, b = map(f, cur) if not (log and min(cur) <= 0) else (math.inf, -math.inf)   # (not drawable: reset)
    lo, hi = f(lo), f(hi)
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    span = max(hi - lo, 1e-9 * max(1.0, abs(lo), abs(hi)))
    if stops is not None:
        at = [f(v) for v in stops if v > 0 or not log]
        lo, hi = lo - margin * span, hi + margin * span
        new = (max([v for v in at if v <= lo], default=lo), min([v for v in at if v >= hi], default=hi))
        if all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12) for u, v in zip((a, b), new)):
            return False
        set_(*map(inv, new))
        return True
    if a <= lo and hi <= b and b - a <= slack * span:
        return False
    lo, hi = lo - margin * span, hi + margin * span
    raw = (hi - lo) / 8
    step = min(m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 5, 10)
               if m * 10.0 ** math.floor(math.log10(raw)) >= raw * (1 - 1e-9))
    if log and hi - lo >= 2:
        step = max(step, 1.0)
    set_(inv(math.floor(lo / step + 1e-9) * step), inv(math.ceil(hi / step - 1e-9) * step))
    return True


def data_range(*arrays, positive: bool = False, include=()) -> tuple[float, float]:
    """``(min, max)`` over the finite values of ``arrays`` (only the positive ones with
    ``positive=True``, for a log axis) and the numbers in ``include`` (e.g. 0, where a
    reference line is drawn); ``(nan, nan)`` if there are none, which :func:`fit_limits` ignores."""
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays] + [np.asarray(include, dtype=float).ravel()]
    v = np.concatenate(vals) if vals else np.empty(0)
    v = v[np.isfinite(v) & (v > 0)] if positive else v[np.isfinite(v)]
    return (float(v.min()), float(v.max())) if v.size else (math.nan, math.nan)
