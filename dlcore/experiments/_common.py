"""Helpers shared by the experiment modules."""
from __future__ import annotations

import numpy as np

__all__ = ["readonly"]


def readonly(d: dict | None = None, **arrays) -> dict:
    """Mark every array in ``d`` (or in the keyword arguments) read-only and return the dict.

    Experiment results are cached with ``functools.lru_cache``: a caller that
    modified a returned array in place would silently change every later
    result, so the arrays are frozen instead.
    """
    out = dict(d or {}, **arrays)
    for v in out.values():
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    return out
