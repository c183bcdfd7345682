"""One cache for every experiment result of the book.

Experiments are pure functions of their settings and seed, and an explorer
asks for the same settings again and again (a slider dragged back, a chapter
re-run). :func:`cached` memoises them with one policy:

* **arguments are normalised**: bound to the signature with defaults filled
  in, lists and tuples alike, NumPy scalars as Python numbers, arrays by
  value. ``f(seeds=[0, 1])`` and ``f((0, 1))`` are one entry. A call with a
  ``numpy.random.Generator`` argument is never cached (its result depends on
  the generator's state), but its result is frozen all the same;
* **results are deeply immutable**: dicts become :class:`FrozenDict`, lists
  become tuples, arrays are read-only. A caller cannot change what the next
  caller gets; ``thaw(r)`` (or ``copy.deepcopy(r)``) gives a private,
  mutable copy;
* **runs continue**: with ``extend="epochs"`` a function whose run of ``n``
  epochs is the prefix of any longer run is called once with the longest
  length asked so far; a shorter request is cut from it, and a longer one
  continues it (the function receives the longest run so far as
  ``resume=``, a :class:`Partial`). Moving an epochs slider then costs only
  the epochs added;
* **one switch for tests**: :func:`clear_caches` empties every cache.

Chapters 02 on: every experiment function (``dlcore/experiments``) and
every explorer that needs memoisation uses this decorator, nothing else.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

__all__ = ["cached", "clear_caches", "freeze", "thaw", "FrozenDict", "Partial"]

_ALL: list = []          # every cached function, for clear_caches()


class FrozenDict(dict):
    """A dict that refuses to change: what a cached experiment returns.

    It is a real ``dict`` (``isinstance``, ``json``, ``**r`` and ``dict(r)`` work); copying it
    with ``copy.copy``/``copy.deepcopy`` or :func:`thaw` gives an ordinary, mutable dict.
    """

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError("this experiment result is cached and shared by every caller: "
                        "make a private copy first, e.g. dlcore.cache.thaw(result) or dict(result)")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self):
        return dict(self)

    def __deepcopy__(self, memo):
        return thaw(self)

    def __reduce__(self):
        return (FrozenDict, (dict(self),))

    def __repr__(self):
        return f"FrozenDict({dict.__repr__(self)})"


def freeze(obj):
    """A deeply immutable version of ``obj``: dicts -> :class:`FrozenDict`, lists -> tuples,
    arrays -> read-only (an array viewing another's memory is copied first). Other objects are
    returned as they are."""
    if isinstance(obj, FrozenDict):
        return obj
    if isinstance(obj, dict):
        return FrozenDict({k: freeze(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        items = tuple(freeze(v) for v in obj)
        return type(obj)(*items) if hasattr(obj, "_fields") else items
    if isinstance(obj, (set, frozenset)):
        return frozenset(obj)
    if isinstance(obj, np.ndarray):
        if obj.base is not None:           # a view: its owner could still change it
            obj = obj.copy()
        obj.flags.writeable = False
        return obj
    return obj


def thaw(obj):
    """A private, mutable deep copy of a frozen result (dicts, lists and writable arrays)."""
    if isinstance(obj, dict):
        return {k: thaw(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return [thaw(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.copy()
    return obj


class _Uncacheable(Exception):
    pass


def _key(value):
    """A hashable, normalised form of one argument value."""
    if value is None or isinstance(value, (bool, str, bytes)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple(sorted((str(k), _key(v)) for k, v in value.items()))
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.random.SeedSequence):
        return ("seed", value.entropy, tuple(value.spawn_key), value.pool_size)
    if isinstance(value, np.random.Generator):
        raise _Uncacheable
    if isinstance(value, type) or callable(value):
        return ("callable", getattr(value, "__module__", None), getattr(value, "__qualname__", repr(value)))
    if dataclasses.is_dataclass(value):
        return (type(value).__qualname__, _key(dataclasses.astuple(value)))
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"cannot cache on an argument of type {type(value).__name__}: {value!r}") from None
    return value


@dataclasses.dataclass
class Partial:
    """What an extendable experiment (``@cached(extend=...)``) returns: the run so far.

    ``result``: the run's data up to ``length`` (kept by the cache, frozen when returned);
    ``length``: how far it got; ``state``: what continuing needs (a network, a generator), handed
    back to the function as ``resume=``; ``final``: it stopped early (diverged), so any longer
    run is this one.
    """
    result: Any
    length: int
    state: Any = None
    final: bool = False


def cached(fn: Callable | None = None, *, maxsize: int = 256, extend: str | None = None,
           cut: Callable[[Any, int], Any] | None = None):
    """Memoise an experiment function (see the module docstring).

    ``extend``: the name of a length argument (``"epochs"``, ``"steps"``); the function then
    takes ``resume=None`` (a shorter :class:`Partial` of the same settings, or None) and returns a
    :class:`Partial`; ``cut(result, length)`` returns the part of a longer run's result up to
    ``length``. The wrapper has ``cache_clear()``, ``cache_info()`` and ``uncached`` (the plain
    function).
    """
    if fn is None:
        return functools.partial(cached, maxsize=maxsize, extend=extend, cut=cut)
    if (extend is None) != (cut is None):
        raise TypeError("extend= and cut= go together")
    sig = inspect.signature(fn)
    if extend is not None and ("resume" not in sig.parameters or extend not in sig.parameters):
        raise TypeError(f"{fn.__qualname__} needs parameters {extend!r} and 'resume' to be extendable")
    store: OrderedDict = OrderedDict()
    longest: OrderedDict = OrderedDict()
    info = {"hits": 0, "misses": 0}

    def remember(table, key, value):
        table[key] = value
        table.move_to_end(key)
        while len(table) > maxsize:
            table.popitem(last=False)

    def run(args: dict):
        if extend is None:
            return freeze(fn(**args))
        length = args[extend]
        try:
            other = tuple((k, _key(v)) for k, v in args.items() if k != extend)
        except _Uncacheable:                   # e.g. a Generator: computed once, nothing kept to extend
            part = fn(**args, resume=None)
            if not isinstance(part, Partial):
                raise TypeError(f"{fn.__qualname__} must return a dlcore.cache.Partial") from None
            return freeze(cut(part.result, length))
        part = longest.get(other)
        if part is None or not (part.final or part.length >= length):
            part = fn(**args, resume=part)
            if not isinstance(part, Partial):
                raise TypeError(f"{fn.__qualname__} must return a dlcore.cache.Partial")
            remember(longest, other, part)
        return freeze(cut(part.result, length))

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop("resume", None)
        try:
            key = tuple((k, _key(v)) for k, v in arguments.items())
        except _Uncacheable:
            return run(arguments)
        if key in store:
            info["hits"] += 1
            store.move_to_end(key)
            return store[key]
        info["misses"] += 1
        result = run(arguments)
        remember(store, key, result)
        return result

    def cache_clear():
        store.clear()
        longest.clear()
        info.update(hits=0, misses=0)

    wrapper.cache_clear = cache_clear
    wrapper.cache_info = lambda: {**info, "size": len(store), "runs": len(longest)}
    wrapper.uncached = fn
    _ALL.append(wrapper)
    return wrapper


def clear_caches() -> None:
    """Empty the cache of every :func:`cached` function (tests; or to free memory)."""
    for f in _ALL:
        f.cache_clear()
