"""Interactive explorers of the book: each chapter's module subclasses :class:`Explorer`.

Widgets only draw; the experiments they show are pure functions in ``dlcore``.
"""
from widgets.base import (BUDGETS_MS, Checkbox, Control, Dropdown, Explorer,
                          FloatSlider, IntSlider, LogSlider)

__all__ = ["BUDGETS_MS", "Checkbox", "Control", "Dropdown", "Explorer",
           "FloatSlider", "IntSlider", "LogSlider"]
