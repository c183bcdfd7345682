"""Declarative control specs of the explorers: sliders, menus and checkboxes; and the debounce.

An :class:`~widgets.base.Explorer` declares ``controls = {"name": FloatSlider(...), ...}``;
each spec makes its ipywidgets widget, validates values set from code (the
error names the control, the bad value and what is allowed) and offers a few
sample values to the benchmark. :class:`Debounce` turns a drag of a slider into one update.
"""
from __future__ import annotations

import asyncio
import dataclasses
import math
import numbers
from typing import Any

import ipywidgets as W
import numpy as np

from dlcore.errors import InvalidArgument, InvalidType

__all__ = ["Control", "FloatSlider", "IntSlider", "LogSlider", "Dropdown", "Checkbox", "Debounce",
           "SettingError", "SettingTypeError"]


class SettingError(InvalidArgument):
    """A value a control does not allow (outside the slider's range, not one of the menu's options,
    an unknown control name, a bad saved state). A ``ValueError``."""


class SettingTypeError(InvalidType, ValueError):
    """A value of the wrong type for a control (a string for a slider, 1 for a checkbox).
    A ``TypeError``, and also a ``ValueError`` as these errors were before."""


def _kind(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Real):
        return "number"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def _show(value) -> str:
    """``value`` for an error message: its repr (cut at 60 characters) and, if not obvious, its type."""
    try:
        r = repr(value)
    except Exception:                  # a repr that raises: name the type only
        r = f"<{type(value).__name__}>"
    r = r if len(r) <= 60 else r[:57] + "..."
    obvious = isinstance(value, (bool, int, float, str)) or value is None
    return r if obvious else f"{r} ({type(value).__name__})"

@dataclasses.dataclass
class Control:
    """Declarative spec of one control. ``name`` is filled in from the key of
    ``Explorer.controls``; ``validate`` errors name the control."""

    name: str = dataclasses.field(default="", kw_only=True)

    def make_widget(self, continuous_update: bool = True) -> W.ValueWidget:
        """A fresh ipywidgets widget showing this control."""
        w = self._widget(continuous_update)
        w.description = self.description or self.name
        w.style.description_width = "initial"
        return w

    def validate(self, value: Any) -> Any:
        """``value`` coerced to the control's type, or :class:`SettingError` / :class:`SettingTypeError`
        (both ``ValueError``) naming the control, the value and what is allowed."""
        raise NotImplementedError

    def allowed(self) -> str:
        """What :meth:`validate` accepts, in words ("a number in [0, 3]")."""
        raise NotImplementedError

    def samples(self) -> list:
        """A few representative values (used by scripts/bench.py)."""
        raise NotImplementedError

    def _widget(self, continuous_update: bool) -> W.ValueWidget:
        raise NotImplementedError

    def _label(self) -> str:
        d = getattr(self, "description", "")
        return f"control {self.name!r}" + (f" ({d})" if d and d != self.name else "")

    def _bad(self, value: Any, allowed: str | None = None, wrong_type: bool = False) -> ValueError:
        cls = SettingTypeError if wrong_type else SettingError
        return cls(f"{self._label()}: got {_show(value)}, expected {allowed or self.allowed()}")

    def _number(self, value: Any, lo: float, hi: float, log: bool = False) -> float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise self._bad(value, wrong_type=True)
        try:
            x = float(value)
        except (OverflowError, ValueError, TypeError):       # 10**400, an odd Real
            raise self._bad(value) from None
        # a value off the range by rounding only (10**-12 computed as 9.99...e-13) is taken as the end
        # (on a log slider relative to each end: h = 0 is not 1e-12 "up to rounding")
        tol_lo, tol_hi = (1e-9 * lo, 1e-9 * hi) if log else (1e-9 * max(abs(lo), abs(hi), hi - lo),) * 2
        if not (math.isfinite(x) and lo - tol_lo <= x <= hi + tol_hi):
            raise self._bad(value)
        return min(max(x, lo), hi)


@dataclasses.dataclass
class FloatSlider(Control):
    min: float
    max: float
    step: float
    value: float
    description: str = ""
    readout_format: str = ".3g"

    def _widget(self, cu):
        return W.FloatSlider(min=self.min, max=self.max, step=self.step, value=self.value,
                             readout_format=self.readout_format, continuous_update=cu)

    def validate(self, value):
        return self._number(value, self.min, self.max)

    def allowed(self):
        return f"a number in [{self.min:g}, {self.max:g}]"

    def samples(self):
        return [self.min, (self.min + self.max) / 2, self.max]


@dataclasses.dataclass
class IntSlider(Control):
    min: int
    max: int
    step: int
    value: int
    description: str = ""

    def _widget(self, cu):
        return W.IntSlider(min=self.min, max=self.max, step=self.step, value=self.value,
                           continuous_update=cu)

    def validate(self, value):
        x = self._number(value, self.min, self.max)
        if x != int(x):
            raise self._bad(value, wrong_type=True)
        return int(x)

    def allowed(self):
        return f"an integer in [{self.min}, {self.max}]"

    def samples(self):
        return sorted({self.min, (self.min + self.max) // 2, self.max})


@dataclasses.dataclass
class LogSlider(Control):
    """Slider over ``base**min_exp .. base**max_exp``; ``step`` is in exponent units."""
    min_exp: float
    max_exp: float
    value: float
    base: float = 10
    description: str = ""
    step: float = 0.1
    readout_format: str = ".3g"

    def _widget(self, cu):
        return W.FloatLogSlider(min=self.min_exp, max=self.max_exp, base=self.base, step=self.step,
                                value=self.value, readout_format=self.readout_format, continuous_update=cu)

    def validate(self, value):
        return self._number(value, self.base ** self.min_exp, self.base ** self.max_exp, log=True)

    def allowed(self):
        return f"a number in [{self.base ** self.min_exp:.3g}, {self.base ** self.max_exp:.3g}]"

    def samples(self):
        return [self.base ** e for e in (self.min_exp, (self.min_exp + self.max_exp) / 2, self.max_exp)]


@dataclasses.dataclass
class Dropdown(Control):
    """``options``: a list of values, or of ``(label, value)`` pairs."""
    options: list
    value: Any
    description: str = ""

    def values(self) -> list:
        return [o[1] if isinstance(o, tuple) else o for o in self.options]

    def _widget(self, cu):
        return W.Dropdown(options=list(self.options), value=self.value)

    def validate(self, value):
        kind = _kind(value)
        for v in self.values():
            try:
                same = _kind(v) == kind and bool(v == value)    # no True == 1, no array == 'a' broadcasting
            except Exception:
                same = False
            if same:
                return v
        labels = {o[0]: o[1] for o in self.options if isinstance(o, tuple)}
        hint = f" ({value!r} is the menu label of {labels[value]!r})" if isinstance(value, str) and value in labels else ""
        raise self._bad(value, self.allowed() + hint,
                        wrong_type=kind not in {_kind(v) for v in self.values()})

    def allowed(self):
        return f"one of {self.values()!r}"

    def samples(self):
        return self.values()[:3]


@dataclasses.dataclass
class Checkbox(Control):
    value: bool
    description: str = ""

    def _widget(self, cu):
        return W.Checkbox(value=self.value, indent=False)

    def validate(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise self._bad(value, wrong_type=True)
        return bool(value)

    def allowed(self):
        return "True or False"

    def samples(self):
        return [False, True]


class Debounce:
    """Call ``fn()`` once, ``ms`` milliseconds after the last of a burst of calls, when an asyncio
    loop runs (the Jupyter kernel's); at once when none runs (a script, a test) or ``ms <= 0``."""

    def __init__(self, fn, ms: float):
        self.fn, self.ms, self._pending = fn, ms, None

    def __call__(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.ms <= 0:
            self.fn()
            return
        self.cancel()
        self._pending = loop.call_later(self.ms / 1000, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self.fn()

    def cancel(self) -> None:
        """Forget a pending call."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
