"""Interactive explorers of the book: each chapter's module subclasses :class:`Explorer`.

Widgets only draw; the experiments they show are pure functions in ``dlcore``.
The names below come from :mod:`widgets.base` when first used, so ``from widgets.notebook import
setup`` (the preface's import cell) does not import ipywidgets and Matplotlib's figure machinery.
"""
__all__ = ["BUDGETS_MS", "Checkbox", "Control", "Dropdown", "Explorer",
           "FloatSlider", "IntSlider", "LogSlider"]


def __getattr__(name):
    if name in __all__:
        from widgets import base
        return getattr(base, name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")
