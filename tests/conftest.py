import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """The book's matrices are small: one BLAS thread is faster (80x for a 128x128 matmul on a
    busy 2-core machine, measured in chapter 02), and pytest-xdist already uses both cores."""
    from widgets.notebook import one_blas_thread
    with one_blas_thread():
        yield


@pytest.fixture(scope="session")
def ch09_runs():
    """Chapter 09's ReLU runs (3 nets x 5 seeds), shared by its experiment and widget tests."""
    from dlcore.experiments import ics
    return ics.ics_runs(**ics.ACTIVATION_RUNS["relu"])


@pytest.fixture(scope="session")
def ch09_sigmoid():
    """Chapter 09's sigmoid runs (§9.4, lr 0.5), shared by its experiment and widget tests."""
    from dlcore.experiments import ics
    return ics.ics_runs(**ics.ACTIVATION_RUNS["sigmoid"])
