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

__all__ = ["Control", "FloatSlider", "IntSlider", "LogSlider", "Dropdown", "Checkbox", "Debounce"]

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
        """``value`` coerced to the control's type, or ValueError naming the control."""
        raise NotImplementedError

    def samples(self) -> list:
        """A few representative values (used by scripts/bench.py)."""
        raise NotImplementedError

    def _widget(self, continuous_update: bool) -> W.ValueWidget:
        raise NotImplementedError

    def _bad(self, value: Any, allowed: str) -> ValueError:
        return ValueError(f"control {self.name!r}: got {value!r}, expected {allowed}")

    def _number(self, value: Any, lo: float, hi: float) -> float:
        allowed = f"a number in [{lo:g}, {hi:g}]"
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise self._bad(value, allowed)
        x, tol = float(value), 1e-9 * max(1.0, abs(lo), abs(hi))
        if not (math.isfinite(x) and lo - tol <= x <= hi + tol):
            raise self._bad(value, allowed)
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
            raise self._bad(value, f"an integer in [{self.min}, {self.max}]")
        return int(x)

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
        return self._number(value, self.base ** self.min_exp, self.base ** self.max_exp)

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
        for v in self.values():
            if v == value and isinstance(v, bool) == isinstance(value, bool):  # no True == 1
                return v
        raise self._bad(value, f"one of {self.values()!r}")

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
            raise self._bad(value, "True or False")
        return bool(value)

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
