"""Find every explorer of the book: used by the benchmark and by the test that covers them all."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

__all__ = ["explorer_classes"]


def explorer_classes(modules=None) -> list[tuple[str, type]]:
    """``(dotted name, class)`` of every concrete Explorer defined in ``widgets.*`` (or in ``modules``)."""
    import widgets
    from widgets.base import Explorer

    if modules is None:
        modules = [f"widgets.{m.name}" for m in pkgutil.iter_modules(widgets.__path__)]
    found = []
    for name in modules:
        module = importlib.import_module(name) if isinstance(name, str) else name
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, Explorer) and cls.__module__ == module.__name__
                    and not inspect.isabstract(cls) and cls.controls
                    and not cls.__name__.startswith("_")):
                found.append((f"{module.__name__}.{cls.__name__}", cls))
    return found
