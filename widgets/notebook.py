"""What every chapter's import cell needs: one call to :func:`setup`, and the BLAS-thread limit.

The book's networks multiply small matrices (64 x 30, say). For those, a
second OpenBLAS thread costs more in synchronisation than it gains, and on a
busy 2-core machine it made chapter 04's digits runs 4.5x slower (8.8 s
instead of 1.9 s, measured). ``setup()`` therefore limits NumPy's BLAS to one
thread for the kernel, and sets the book's print and figure defaults so every
chapter looks the same.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["setup", "one_blas_thread"]

_LIMIT = None


@lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


def one_blas_thread():
    """Context manager: NumPy's BLAS on one thread inside the ``with`` block."""
    return _controller().limit(limits=1, user_api="blas")


def _sharp_inline_figures() -> None:
    """Static figures at twice the pixel density, shown at the same size ("retina" PNGs):
    sharp on high-density screens. Only inside an IPython kernel."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:             # not in Jupyter: nothing to configure
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def setup(precision: int = 6) -> None:
    """Book defaults for a notebook kernel: one BLAS thread, fixed print options, figure style,
    static figures rendered at 2x pixel density.

    Idempotent; call it once in the import cell of every chapter.
    """
    global _LIMIT
    if _LIMIT is None:
        _LIMIT = one_blas_thread()          # kept alive for the whole kernel
    np.set_printoptions(precision=precision, suppress=True)
    _sharp_inline_figures()
    import matplotlib as mpl
    mpl.rcParams.update({
        "figure.dpi": 80, "savefig.dpi": 80, "figure.figsize": (6, 3.4),
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
        "legend.fontsize": 8, "font.size": 10,
    })
