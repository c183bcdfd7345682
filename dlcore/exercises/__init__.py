"""Checkers for the book's exercises, one module per chapter (``ch01``, ``ch02``, ...).

Every ``check_*`` function takes the reader's answer and returns a
:class:`Feedback`: truthy when right, and a message that says *what* is
wrong when it is not ("your sigmoid derivative is off by 0.19 at x=2").
"""
from .feedback import Feedback, compare_arrays, compare_function, compare_scalar

__all__ = ["Feedback", "compare_arrays", "compare_function", "compare_scalar"]
