"""Progress of training, for explorers' progress bars (chapter 02 on).

:class:`Progress` is a callback for one :func:`~dlcore.train.fit`; :func:`reporting` makes every
``fit`` inside a block report, so a pure, cached experiment function needs no callback argument.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from .errors import InvalidType
from .validate import positive_int, show

__all__ = ["Progress", "reporting", "current_reporter"]


class Progress:
    """Callback reporting ``fraction`` of the ``total`` steps done to ``report(fraction)``,
    e.g. an explorer's ``progress`` method, every ``every`` steps."""

    def __init__(self, report, total: int, every: int = 10):
        if not callable(report):
            raise InvalidType(f"report must be a function of the fraction done, got {show(report)}")
        self.report, self.total, self.every = report, positive_int("total", total), positive_int("every", every)

    def on_step_end(self, state):
        if state.step % self.every == 0:
            self.report(min(state.step / self.total, 1.0))


class _Runs:
    """The reporter of a :func:`reporting` block: numbers the fits started inside it."""

    def __init__(self, report):
        self.report, self.runs = report, 0

    def start(self, total: int) -> Progress:
        run, self.runs = self.runs, self.runs + 1
        self.report(run, 0.0)
        return Progress(lambda fraction: self.report(run, fraction), total, every=max(int(total) // 50, 1))


_REPORTER: ContextVar = ContextVar("dlcore_fit_reporter", default=None)


@contextmanager
def reporting(report):
    """Inside this block every :func:`fit` calls ``report(run, fraction)`` while it trains.

    ``run`` numbers the fits started inside the block (0, 1, ...) and ``fraction`` is
    the share of that fit's steps done (about 50 reports per fit). An explorer's
    progress bar follows the training inside a pure, cached experiment function this
    way, without a callback argument (which would be part of the cache key); a result
    served from a cache trains nothing and reports nothing.
    """
    if not callable(report):
        raise InvalidType(f"report must be a function report(run, fraction), got {show(report)}")
    token = _REPORTER.set(_Runs(report))
    try:
        yield
    finally:
        _REPORTER.reset(token)


def current_reporter():
    """The reporter of the innermost :func:`reporting` block, or None."""
    return _REPORTER.get()
