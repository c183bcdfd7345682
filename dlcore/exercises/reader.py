"""Calling a reader's function from a checker: under a time limit, with the reader's errors told apart.

:func:`call_reader` runs ``fn(*args)`` and returns its value, or raises
:class:`~dlcore.exercises.answers.Reject` with a message that blames the reader only for what the
reader's function did: it raised ("your function raised ZeroDivisionError: ..."), or it did not
return within the time limit. Converting what it returned (``as_number``, ``as_array``) is a
separate step with its own messages ("what your function returned: expected ..., got str 'abc'"),
so a failure of the checker's own conversion is never reported as "your function raised".

The time limit (:data:`READER_TIMEOUT` seconds per call, :data:`CHECK_BUDGET` seconds of the
reader's time per check) can be enforced in two ways; :data:`MECHANISM` chooses:

* ``"thread"`` (the default): the function runs in a daemon thread and the checker waits at most the
  time limit, then answers. This is the only way that *guarantees* the checker returns, on every
  platform and from any thread. A thread cannot be killed: at the timeout the checker asks CPython to
  raise an exception in it (``PyThreadState_SetAsyncExc``), which stops a Python loop
  (``while True: pass``, a loop that never converges) at its next bytecode; a ``time.sleep`` or a long
  C call ends on its own in the background, and a loop that swallows every exception
  (``except BaseException: pass`` inside ``while True``) keeps running in the background thread. The
  notebook is not blocked; restart the kernel if it gets slow.
* ``"alarm"`` (Unix, main thread only, no other interval timer running; otherwise the thread is used):
  SIGALRM interrupts the function in the main thread, so it really stops, ``time.sleep`` included, and
  nothing is left running. But a function that catches the interruption in an endless loop cannot be
  stopped this way, and the checker would hang with it; hence not the default.

Either way, code that spends the whole time in one C call holding the GIL (``sum(range(10**12))``) is
noticed only when that call returns.

Within one check (the ``checker`` decorator opens a :func:`reader_session`), the first timeout is
final: every later call to the reader's function fails at once with the same message, so a checker
that calls the function 6 times pays the time limit once, not 6 times.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .answers import Reject

__all__ = ["READER_TIMEOUT", "CHECK_BUDGET", "MECHANISM", "Outcome", "run_reader", "call_reader", "reader_session",
           "reader_time_limit"]

#: seconds one call of a reader's function may take (the functions of the exercises take microseconds)
READER_TIMEOUT = 2.0
#: seconds of the reader's time one check may spend over all its calls
CHECK_BUDGET = 6.0
#: how the time limit is enforced: "thread" (default, always returns) or "alarm" (SIGALRM; see above)
MECHANISM = "thread"

_local = threading.local()


class _ReaderTimeout(BaseException):
    """Raised inside the reader's function when its time is up (a BaseException, so that the
    reader's own ``except Exception`` does not swallow it)."""


@dataclass
class Outcome:
    """What a call of the reader's function did: ``status`` is "returned", "raised" or "timeout"."""
    status: str
    value: Any = None
    error: BaseException | None = None
    seconds: float = 0.0
    mechanism: str = ""
    thread: threading.Thread | None = None     # the watchdog's thread (still alive after a timeout?)


def _limits():
    return getattr(_local, "limits", (READER_TIMEOUT, CHECK_BUDGET))


@contextlib.contextmanager
def reader_time_limit(per_call: float | None = None, per_check: float | None = None):
    """Temporarily change the time limits in this thread (tests use short ones)."""
    old = getattr(_local, "limits", None)
    cur = _limits()
    _local.limits = (cur[0] if per_call is None else float(per_call), cur[1] if per_check is None else float(per_check))
    try:
        yield
    finally:
        if old is None:
            del _local.limits
        else:
            _local.limits = old


@contextlib.contextmanager
def reader_session():
    """One check: the reader's time is summed, and a timeout ends every later call at once.
    Nested sessions (a checker calling another) share the outer one."""
    if getattr(_local, "session", None) is not None:
        yield _local.session
        return
    _local.session = {"spent": 0.0, "timed_out": None}
    try:
        yield _local.session
    finally:
        _local.session = None


def _alarm_usable() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0)


def _run_with_alarm(fn, args, kwargs, timeout, errstate) -> Outcome:
    state = {"armed": False}

    def on_alarm(signum, frame):
        if state["armed"]:
            raise _ReaderTimeout()

    t0 = time.perf_counter()
    try:
        old = signal.signal(signal.SIGALRM, on_alarm)
    except (ValueError, OSError):  # not the main interpreter after all
        return _run_in_thread(fn, args, kwargs, timeout, errstate)
    try:
        try:
            state["armed"] = True
            signal.setitimer(signal.ITIMER_REAL, timeout, 0.25)
            with np.errstate(**errstate):
                value = fn(*args, **kwargs)
        finally:
            state["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        return Outcome("returned", value, seconds=time.perf_counter() - t0, mechanism="alarm")
    except _ReaderTimeout:
        return Outcome("timeout", seconds=time.perf_counter() - t0, mechanism="alarm")
    except (Exception, SystemExit) as e:  # the reader's code raised (KeyboardInterrupt goes through)
        return Outcome("raised", error=e, seconds=time.perf_counter() - t0, mechanism="alarm")
    finally:
        signal.signal(signal.SIGALRM, old)


def _stop_thread(thread: threading.Thread) -> None:
    """Best effort: ask CPython to raise _ReaderTimeout in ``thread`` at its next bytecode."""
    try:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_ReaderTimeout))
    except Exception:  # not CPython: the thread ends when the function returns
        pass


def _run_in_thread(fn, args, kwargs, timeout, errstate) -> Outcome:
    box: dict = {}

    def target():
        try:
            try:
                with np.errstate(**errstate):
                    box["value"] = fn(*args, **kwargs)
            except _ReaderTimeout:
                raise
            except BaseException as e:  # the reader's code raised
                box["error"] = e
        except _ReaderTimeout:  # stopped by the checker after the timeout: end quietly
            pass

    t0 = time.perf_counter()
    th = threading.Thread(target=target, name="dlcore-reader-call", daemon=True)
    th.start()
    th.join(timeout)
    dt = time.perf_counter() - t0
    if th.is_alive():
        _stop_thread(th)
        return Outcome("timeout", seconds=dt, mechanism="thread", thread=th)
    if "error" in box:
        return Outcome("raised", error=box["error"], seconds=dt, mechanism="thread")
    return Outcome("returned", box.get("value"), seconds=dt, mechanism="thread")


def run_reader(fn, *args, timeout: float | None = None, errstate: dict | None = None,
               mechanism: str | None = None, **kwargs) -> Outcome:
    """Call the reader's ``fn(*args, **kwargs)`` under a time limit; never raises (except
    KeyboardInterrupt). ``errstate``: NumPy floating-point error handling during the call
    (default: all ignored; ``{"over": "raise"}`` makes an overflow raise FloatingPointError).
    ``mechanism``: "thread" or "alarm" (default :data:`MECHANISM`)."""
    per_call, budget = _limits()
    timeout = per_call if timeout is None else float(timeout)
    session = getattr(_local, "session", None)
    if session is not None:
        if session["timed_out"] is not None:
            return Outcome("timeout", seconds=0.0, mechanism="skipped")
        timeout = min(timeout, budget - session["spent"])
        if timeout <= 0:
            session["timed_out"] = budget
            return Outcome("timeout", seconds=0.0, mechanism="budget")
    errstate = {"all": "ignore"} if errstate is None else errstate
    if (mechanism or MECHANISM) == "alarm" and _alarm_usable():
        out = _run_with_alarm(fn, args, kwargs, timeout, errstate)
    else:
        out = _run_in_thread(fn, args, kwargs, timeout, errstate)
    if session is not None:
        session["spent"] += out.seconds
        if out.status == "timeout":
            session["timed_out"] = timeout
    return out


def timeout_message(what: str) -> str:
    per_call, budget = _limits()
    return (f"{what} did not return within {per_call:g} s (the checker allows {per_call:g} s per call and "
            f"{budget:g} s in all): is there an endless loop, or a sleep? The checker stopped waiting.")


def raised_message(what: str, error: BaseException, where: str = "") -> str:
    return f"{what} raised {type(error).__name__}{where}: {error}"


def call_reader(fn, *args, what: str = "your function", where: str = "", errstate: dict | None = None,
                timeout: float | None = None, **kwargs):
    """``fn(*args, **kwargs)``'s value; :class:`Reject` if ``fn`` is not callable, raised, or did not
    return in time. ``where`` (e.g. " on z = [1.0, 2.0]") is added to the "raised" message."""
    if not callable(fn):
        from .answers import describe
        raise Reject(f"expected a function, got {describe(fn)}.")
    out = run_reader(fn, *args, timeout=timeout, errstate=errstate, **kwargs)
    if out.status == "timeout":
        raise Reject(timeout_message(what))
    if out.status == "raised":
        raise Reject(raised_message(what, out.error, where))
    return out.value
