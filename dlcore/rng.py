"""Randomness in dlcore: one convention, used by every function that draws.

* A function that draws takes ``rng``: an int seed, a ``numpy.random.SeedSequence`` or a
  ``numpy.random.Generator``. :func:`as_generator` is the one converter. ``None`` is refused:
  reproducibility is the book's promise, so dlcore never touches a global random state.
* An experiment that needs several independent streams (one per seed of a sweep, one for the
  initial weights and one for the mini-batch order, ...) gets them from :func:`spawn`, which
  uses ``SeedSequence.spawn``: streams that are independent by construction. Never derive
  seeds by offsets (``seed + 1``, ``seed + 1000``): nearby seeds of some generators are
  correlated, and an offset collides with another run's seed.
* Experiments take an int ``rng`` so that their results can be cached (``dlcore.cache``);
  passing a Generator works too, and bypasses the cache.

Used from chapter 01 on (initialisers, data sets, mini-batches, every experiment).
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgument, InvalidType

__all__ = ["as_generator", "spawn", "RNG_TYPES"]

RNG_TYPES = (int, np.integer, np.random.SeedSequence, np.random.Generator)


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed (>= 0), a SeedSequence or a Generator
    (returned as it is, so the caller's stream advances)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if rng is None:
        raise InvalidType(f"{name}: pass a seed (int) or a numpy.random.Generator; dlcore never uses a global RNG")
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise InvalidArgument(f"{name}: a seed must be a non-negative int, got {rng}")
        return np.random.default_rng(int(rng))
    raise InvalidType(f"{name} must be an int seed, a numpy.random.SeedSequence or a numpy.random.Generator, "
                    f"got {type(rng).__name__} {rng!r}")


def spawn(rng, n: int) -> list[np.random.Generator]:
    """``n`` independent Generators derived from ``rng`` (``SeedSequence.spawn``).

    From an int or a SeedSequence the children are the same on every call; from a Generator
    each call gives new children (and leaves the parent's own stream untouched).
    """
    if not (isinstance(n, (int, np.integer)) and n >= 0):
        raise InvalidArgument(f"n must be a non-negative int, got {n!r}")
    if isinstance(rng, np.random.Generator):
        return list(rng.spawn(int(n)))
    if isinstance(rng, np.random.SeedSequence):
        seq = rng
    else:
        as_generator(rng)                      # the same checks and messages
        seq = np.random.SeedSequence(int(rng))
    return [np.random.default_rng(s) for s in seq.spawn(int(n))]
