"""Weight initialisers (chapters 01, 02).

Each initialiser is a function ``init(shape, fan_in, fan_out, rng, dtype)``
returning a fresh array; :func:`get_init` looks one up by name with
parameters. For a ``Linear`` layer ``W`` has shape ``(fan_in, fan_out)``.

=================  =====================================  =====================
name               distribution                           variance
=================  =====================================  =====================
``constant``       every entry = ``value``                0
``normal``         :math:`\\mathcal N(0, \\sigma^2)`         :math:`\\sigma^2`
``uniform``        :math:`U(-a, a)`                       :math:`a^2/3`
``scaled_normal``  :math:`\\mathcal N(0, (s/\\sqrt{n_{in}})^2)`  :math:`s^2/n_{in}`
``xavier_uniform`` :math:`U(-a,a),\\ a=\\sqrt{6/(n_{in}+n_{out})}`  :math:`2/(n_{in}+n_{out})`
``xavier_normal``  normal with that variance              :math:`2/(n_{in}+n_{out})`
``he_uniform``     :math:`U(-a,a),\\ a=\\sqrt{6/n_{in}}`   :math:`2/n_{in}`
``he_normal``      normal with that variance              :math:`2/n_{in}`
``lecun_normal``   normal                                 :math:`1/n_{in}`
``lecun_uniform``  :math:`U(-a,a),\\ a=\\sqrt{3/n_{in}}`   :math:`1/n_{in}`
=================  =====================================  =====================

Glorot & Bengio (2010) derive the Xavier variance from keeping both the
forward and backward variance constant for a linear (or tanh near 0) unit;
He et al. (2015) double it because a ReLU zeroes half its inputs.
"""
from __future__ import annotations

import inspect
from functools import partial

import numpy as np

from .errors import InvalidArgument, InvalidType
from .module import as_generator
from .validate import finite_float, nonneg_float, one_of, positive_int, show

__all__ = [
    "constant", "normal", "uniform", "scaled_normal",
    "xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
    "lecun_normal", "lecun_uniform", "INITIALISERS", "get_init", "init_variance",
]


def _check(shape, fan_in, fan_out):
    try:
        positive_int("fan_in", fan_in), positive_int("fan_out", fan_out)
    except (InvalidArgument, InvalidType) as e:
        raise type(e)(f"fan_in and fan_out must be positive ints, got {show(fan_in)}, {show(fan_out)}") from None
    return tuple(positive_int("shape", s) for s in shape)


def constant(shape, fan_in=1, fan_out=1, rng=None, dtype=np.float64, value=0.0):
    """Every entry equal to ``value`` (zeros by default: fine for biases, fatal for weights)."""
    return np.full(_check(shape, fan_in, fan_out), finite_float("value", value), dtype=dtype)


def normal(shape, fan_in=1, fan_out=1, rng=None, dtype=np.float64, std=1.0):
    """:math:`\\mathcal N(0, \\mathrm{std}^2)`, ignoring the fans (``std=1``: the classic bad start)."""
    std = nonneg_float("std", std)
    return (std * as_generator(rng).standard_normal(_check(shape, fan_in, fan_out))).astype(dtype)


def uniform(shape, fan_in=1, fan_out=1, rng=None, dtype=np.float64, a=0.05):
    """:math:`U(-a, a)`, ignoring the fans."""
    a = nonneg_float("a", a)
    return as_generator(rng).uniform(-a, a, _check(shape, fan_in, fan_out)).astype(dtype)


def scaled_normal(shape, fan_in=1, fan_out=1, rng=None, dtype=np.float64, scale=1.0):
    """:math:`\\mathcal N(0, (\\mathrm{scale}/\\sqrt{n_{in}})^2)`: the family Xavier/He/LeCun belong to."""
    _check(shape, fan_in, fan_out)
    return normal(shape, fan_in, fan_out, rng, dtype, std=nonneg_float("scale", scale) / np.sqrt(fan_in))


def xavier_uniform(shape, fan_in, fan_out, rng=None, dtype=np.float64, gain=1.0):
    _check(shape, fan_in, fan_out)
    a = nonneg_float("gain", gain) * np.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, fan_in, fan_out, rng, dtype, a=a)


def xavier_normal(shape, fan_in, fan_out, rng=None, dtype=np.float64, gain=1.0):
    _check(shape, fan_in, fan_out)
    return normal(shape, fan_in, fan_out, rng, dtype, std=nonneg_float("gain", gain) * np.sqrt(2.0 / (fan_in + fan_out)))


def he_uniform(shape, fan_in, fan_out=1, rng=None, dtype=np.float64):
    _check(shape, fan_in, fan_out)
    return uniform(shape, fan_in, fan_out, rng, dtype, a=np.sqrt(6.0 / fan_in))


def he_normal(shape, fan_in, fan_out=1, rng=None, dtype=np.float64):
    _check(shape, fan_in, fan_out)
    return normal(shape, fan_in, fan_out, rng, dtype, std=np.sqrt(2.0 / fan_in))


def lecun_normal(shape, fan_in, fan_out=1, rng=None, dtype=np.float64):
    _check(shape, fan_in, fan_out)
    return normal(shape, fan_in, fan_out, rng, dtype, std=np.sqrt(1.0 / fan_in))


def lecun_uniform(shape, fan_in, fan_out=1, rng=None, dtype=np.float64):
    _check(shape, fan_in, fan_out)
    return uniform(shape, fan_in, fan_out, rng, dtype, a=np.sqrt(3.0 / fan_in))


INITIALISERS = {
    "constant": constant, "zeros": constant, "normal": normal, "uniform": uniform,
    "scaled_normal": scaled_normal,
    "xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal, "xavier": xavier_normal,
    "glorot_uniform": xavier_uniform, "glorot_normal": xavier_normal,
    "he_uniform": he_uniform, "he_normal": he_normal, "he": he_normal,
    "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform, "lecun": lecun_normal,
}


def get_init(init, **kwargs):
    """Look up an initialiser by name (``"he"``, ``"normal"`` with ``std=...``) or pass a callable through.

    Raises :class:`~dlcore.errors.InvalidArgument` (a ``ValueError``) listing the known names for an
    unknown one, or naming a parameter the initialiser does not have or a value it cannot take.
    """
    if callable(init):
        return partial(init, **kwargs) if kwargs else init
    if not isinstance(init, str):
        raise InvalidType(f"init must be an initialiser name such as 'he' or a function, got {show(init)}")
    fn = INITIALISERS[one_of("initialiser", init.lower(), sorted(INITIALISERS))]
    if not kwargs:
        return fn
    own = [p for p in list(inspect.signature(fn).parameters)[5:]]       # after shape, fans, rng, dtype
    bad = [k for k in kwargs if k not in own]
    if bad:
        raise InvalidArgument(f"init_kwargs: initialiser {init!r} has no parameter {', '.join(map(repr, bad))}; "
                              f"its parameters: {', '.join(own) or 'none'}")
    for k, v in kwargs.items():            # checked now, not when the first layer is built
        (finite_float if k == "value" else nonneg_float)(f"init_kwargs[{k!r}]", v)
    return partial(fn, **kwargs)


def init_variance(init: str, fan_in: int, fan_out: int, **kwargs) -> float:
    """The variance each weight has under a named initialiser (used by chapter 02's predictions)."""
    name = init.lower()
    if name in ("constant", "zeros"):
        return 0.0
    if name == "normal":
        return kwargs.get("std", 1.0) ** 2
    if name == "uniform":
        return kwargs.get("a", 0.05) ** 2 / 3
    if name == "scaled_normal":
        return kwargs.get("scale", 1.0) ** 2 / fan_in
    if name in ("xavier_uniform", "xavier_normal", "xavier", "glorot_uniform", "glorot_normal"):
        return kwargs.get("gain", 1.0) ** 2 * 2.0 / (fan_in + fan_out)
    if name in ("he_uniform", "he_normal", "he"):
        return 2.0 / fan_in
    if name in ("lecun_normal", "lecun_uniform", "lecun"):
        return 1.0 / fan_in
    raise ValueError(f"unknown initialiser {init!r}; known: {', '.join(sorted(INITIALISERS))}")
