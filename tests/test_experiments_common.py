"""dlcore.experiments.common: the seeds, data, matching initialiser and m ± s printing every chapter shares."""
import ast
import pathlib

import numpy as np
import pytest

from dlcore.cache import cached
from dlcore.experiments import common
from dlcore.experiments.common import CHANCE, SEEDS, digits_data, matching_init, over_seeds, pm, pm_steps
from dlcore.rng import as_generator

EXPERIMENTS = pathlib.Path(common.__file__).parent


@cached
def _toy(rng=0, n=3, diverge_after=None):
    """A stand-in experiment: noise of length n (shorter if it 'diverged'), a number, a flag and a label."""
    g = as_generator(rng)
    length = n if diverge_after is None or rng % 2 == 0 else diverge_after
    return {"curve": g.standard_normal((length, 2)), "acc": float(g.uniform()), "diverged": length < n,
            "label": ("a", "b")}


def test_constants():
    assert SEEDS == (0, 1, 2, 3, 4) and 0.1 < CHANCE < 0.2


def test_over_seeds_stacks_pads_and_freezes():
    r = over_seeds(_toy, seeds=[0, 1, 2], n=4)
    assert list(r["seeds"]) == [0, 1, 2]
    assert r["curve"].shape == (3, 4, 2) and r["acc"].shape == (3,) and r["diverged"].dtype == bool
    assert r["label"] == ("a", "b")                                     # non-numbers: from the first seed
    for s in (0, 1, 2):                                                  # each row is that seed's run (rng=s)
        np.testing.assert_array_equal(r["curve"][s], _toy(rng=s, n=4)["curve"])
    with pytest.raises((TypeError, ValueError)):
        r["curve"][0, 0, 0] = 1.0                                        # read-only, like every result
    with pytest.raises(TypeError):
        r["acc"] = 0
    short = over_seeds(_toy, seeds=(0, 1), n=5, diverge_after=2)         # seed 1 'diverged' after 2 records
    assert short["curve"].shape == (2, 5, 2) and np.isnan(short["curve"][1, 2:]).all()
    assert not np.isnan(short["curve"][0]).any() and list(short["diverged"]) == [False, True]
    with pytest.raises(ValueError, match="at least one seed"):
        over_seeds(_toy, seeds=())


def test_pm_prints_the_precision_the_spread_justifies():
    assert pm([0.95, 0.97, 0.99]) == "0.970 ± 0.020"          # spread 0.020: two significant digits (PDG)
    assert pm([0.975, 0.977, 0.979]) == "0.977 ± 0.002"
    assert pm([0.2, 0.9, 0.4]) == "0.5 ± 0.4"
    assert pm([60, 70, 80, 50, 90]) == "70 ± 16"
    assert pm([0.1, 0.1]) == "0.10 ± 0.00" and pm([0.5]) == "0.50 ± 0.00"
    assert pm([0.5, np.nan, 0.7]) == "0.60 ± 0.14"                # a diverged run (NaN) is left out
    assert pm([np.nan]) == "nan" and pm([0.05, 0.06], 0, 100) == "6 ± 1"
    assert pm(np.array([[0.6, 0.8], [0.62, 0.79]]), 2) == "[0.61 ± 0.01, 0.80 ± 0.01]"
    # the spread is the sample standard deviation (ddof = 1), computed independently here
    v = [0.81, 0.86, 0.84, 0.90, 0.79]
    m, s = pm(v).split(" ± ")
    assert (m, s) == ("0.84", "0.04")                             # sd 0.043: one significant digit
    assert float(m) == pytest.approx(sum(v) / 5, abs=0.005)
    assert float(s) == pytest.approx((sum((x - sum(v) / 5) ** 2 for x in v) / 4) ** 0.5, abs=0.005)


def test_pm_steps():
    assert pm_steps(np.array([-1, -1]), 400) == "not within 400 steps (0 of 2 seeds)"
    assert pm_steps(np.array([60, 80, 410]), 400).split() == ["70", "±", "14", "steps", "(2", "of", "3", "seeds)"]


def test_matching_init():
    assert matching_init("sigmoid") == matching_init("tanh") == "xavier"
    assert matching_init("selu") == "lecun" and matching_init("relu") == "he" and matching_init("Leaky-ReLU") == "he"
    assert matching_init(object) == "xavier"                             # an Activation class: sigmoid-like


def test_digits_data_is_the_books_split_read_only():
    X, y, Xv, yv = digits_data()
    assert X.shape == (1079, 64) and X.dtype == np.float32 and Xv.shape == (359, 64)
    assert set(np.unique(y)) == set(range(10)) and not X.flags.writeable
    X2, y2, _, _ = digits_data(100)
    np.testing.assert_array_equal(X2, X[:100])
    np.testing.assert_array_equal(y2, y[:100])
    assert digits_data() is digits_data()                                # cached
    with pytest.raises(ValueError, match="n_train"):
        digits_data(0)


def test_no_experiment_module_imports_a_sibling():
    """Experiment modules share code through common.py only (issue 10): no sibling imports."""
    paths = sorted(EXPERIMENTS.glob("activations*.py"))
    assert len(paths) == 3
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module == "common", (path.name, node.module)
