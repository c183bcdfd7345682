"""What every chapter's import cell needs: one call to :func:`setup`, and the BLAS-thread limit.

The book's networks multiply small matrices (64 x 30, say). For those, a
second OpenBLAS thread costs more in synchronisation than it gains, and on a
busy 2-core machine it made chapter 04's digits runs 4.5x slower (8.8 s
instead of 1.9 s, measured). ``setup()`` therefore limits NumPy's BLAS to one
thread for the kernel, and sets the book's print and figure defaults so every
chapter looks the same. It changes nothing else; :func:`summary` lists what it
changes, and the preface prints that list.
"""
from __future__ import annotations

import numbers
from functools import lru_cache

import numpy as np

from dlcore.errors import InvalidArgument, InvalidType

__all__ = ["setup", "summary", "one_blas_thread", "RC_PARAMS", "MAX_PRECISION"]

_LIMIT = None

#: the Matplotlib rcParams :func:`setup` sets (nothing else of Matplotlib's is changed)
RC_PARAMS = {
    "figure.dpi": 80, "savefig.dpi": 80, "figure.figsize": (6, 3.4),
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "legend.fontsize": 8, "font.size": 10,
}
#: digits after the decimal point: float64 holds 17 significant digits, more would print noise
MAX_PRECISION = 17


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


def _check_precision(precision) -> int:
    allowed = f"an integer from 0 to {MAX_PRECISION} (digits NumPy prints after the decimal point)"
    if isinstance(precision, (bool, np.bool_)) or not isinstance(precision, numbers.Integral):
        raise InvalidType(f"setup(precision={precision!r}): precision must be {allowed}, "
                          f"not {type(precision).__name__}")
    if not 0 <= precision <= MAX_PRECISION:
        raise InvalidArgument(f"setup(precision={precision!r}): precision must be {allowed}")
    return int(precision)


def summary(precision: int = 6) -> str:
    """What :func:`setup` with this ``precision`` changes in the running kernel, one line each."""
    p = _check_precision(precision)
    rc = ", ".join(f"{k}={v}" for k, v in RC_PARAMS.items())
    return "\n".join([
        "setup() changes, for this kernel only:",
        f"- NumPy printing: np.set_printoptions(precision={p}, suppress=False): {p} digits after the point, "
        "small numbers stay visible (np.array([1e-9, 2e-9]) prints [1.e-09 2.e-09])",
        "- NumPy's BLAS (matrix products): 1 thread (faster for the book's small matrices)",
        f"- Matplotlib rcParams: {rc}",
        "- static figures in Jupyter: 'retina' PNGs (drawn at 2x, shown at 1x)",
    ])


def setup(precision: int = 6, *, show: bool = False) -> None:
    """Book defaults for a notebook kernel. Idempotent; call it once in the import cell of every chapter.

    It changes exactly these, and nothing else:

    * NumPy's print options: ``np.set_printoptions(precision=precision, suppress=False)``
      (``precision``: an integer from 0 to 17, digits after the decimal point). ``suppress``
      stays off, so tiny values print as ``1e-09`` instead of ``0.``: in a book about
      vanishing gradients they matter;
    * NumPy's BLAS (threadpoolctl): one thread for the whole kernel;
    * Matplotlib's rcParams (:data:`RC_PARAMS`): ``figure.dpi`` and ``savefig.dpi`` 80,
      ``figure.figsize`` (6, 3.4), ``axes.grid`` True with ``grid.alpha`` 0.3, ``axes.spines.top``
      and ``axes.spines.right`` False, ``legend.fontsize`` 8, ``font.size`` 10;
    * in a Jupyter kernel, inline figures as "retina" PNGs (drawn at 2x, shown at 1x).

    ``show=True`` also prints that list (:func:`summary`), as the preface does. A bad
    ``precision`` raises :class:`dlcore.errors.InvalidType` / :class:`~dlcore.errors.InvalidArgument`
    before anything is changed.
    """
    global _LIMIT
    p = _check_precision(precision)
    if not isinstance(show, (bool, np.bool_)):
        raise InvalidType(f"setup(show={show!r}): show must be True or False")
    if _LIMIT is None:
        _LIMIT = one_blas_thread()          # kept alive for the whole kernel
    np.set_printoptions(precision=p, suppress=False)
    _sharp_inline_figures()
    import matplotlib as mpl
    mpl.rcParams.update(RC_PARAMS)
    if show:
        print(summary(p))
