"""dlcore's own exception types.

Every error dlcore raises about what it was given is a :class:`DlcoreError`, and also a
``ValueError`` or ``TypeError`` so ``except ValueError`` code keeps working:

* :class:`InvalidArgument` (``ValueError``): a value of the right kind but not allowed
  (a width of 0, a learning rate of nan, an unknown activation name);
* :class:`InvalidType` (``TypeError``): a value of the wrong kind (the string ``'0.1'`` for a
  learning rate, ``4.7`` for a width, ``True`` for a count);
* :class:`DataError` (an :class:`InvalidArgument`): the data themselves are unusable (empty,
  NaN or inf, labels out of range, a file that cannot be read);
* :class:`ShapeError` (an :class:`InvalidArgument`): an array has the wrong shape for the layer
  or loss it meets;
* :class:`MissingMethod` (``NotImplementedError``): a Module subclass without ``forward`` or
  ``backward``.

:class:`dlcore.divergence.DivergenceError` (training produced NaN/inf) is a ``DlcoreError`` and
a ``FloatingPointError``. The messages name the argument, the value given and what is allowed;
the checks that produce them live in :mod:`dlcore.validate`.
"""
from __future__ import annotations

__all__ = ["DlcoreError", "InvalidArgument", "InvalidType", "DataError", "ShapeError", "MissingMethod"]


class DlcoreError(Exception):
    """Base class of every error dlcore raises about its input or its training run."""


class InvalidArgument(DlcoreError, ValueError):
    """An argument of the right type but with a value that is not allowed."""


class InvalidType(DlcoreError, TypeError):
    """An argument of the wrong type (e.g. a string where a number is needed)."""


class DataError(InvalidArgument):
    """Bad input data: empty, NaN/inf, labels out of range, an unreadable file."""


class ShapeError(InvalidArgument):
    """An array has the wrong shape or dimension for the layer it meets."""


class MissingMethod(DlcoreError, NotImplementedError):
    """A :class:`~dlcore.module.Module` subclass does not define a method of the contract."""
