"""Checkers for the book's exercises, one module per chapter (``ch01``, ``ch02``, ...).

Every ``check_*`` function takes the reader's answer and returns a
:class:`Feedback`: truthy when right, and a message that says *what* is
wrong when it is not ("your sigmoid derivative is off by 0.19 at x=2").
It answers ANY input that way (a string, NaN, 10**400, a function that
raises or never returns...), never with a traceback or a hang: see
:mod:`.feedback` (the ``@checker`` decorator), :mod:`.answers` (turning an
answer into a finite number or array) and :mod:`.reader` (calling a
reader's function under a time limit).
"""
from .answers import Reject, as_array, as_name, as_number
from .feedback import Feedback, checker, compare_arrays, compare_function, compare_scalar
from .reader import call_reader

__all__ = ["Feedback", "checker", "Reject", "as_number", "as_array", "as_name", "call_reader",
           "compare_arrays", "compare_function", "compare_scalar"]
