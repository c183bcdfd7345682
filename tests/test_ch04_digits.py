"""Chapter 04 on digits: cross-entropy learns faster and un-saturates wrong outputs."""
import numpy as np
import pytest

from dlcore.experiments import crossentropy_digits as dx

SETTINGS = dict(epochs=15, hidden=30, lr=0.5, init_std=1.0)


@pytest.fixture(scope="module")
def runs():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, "blas"):    # small matmuls: 4.5x faster on a busy machine
        return dx.compare_setups(seeds=(0, 1, 2), **SETTINGS)


def test_shapes_and_start(runs):
    n = len(runs["epoch"])
    assert runs["epoch"][0] == 0 and runs["epoch"][-1] == pytest.approx(15.0)
    for name in dx.SETUPS:
        for k in ("val_acc", "train_acc", "saturated", "wrong"):
            assert runs[name][k].shape == (3, n)
    # same seed -> same network -> same start for the two sigmoid-output setups
    assert np.array_equal(runs["sigmoid+quadratic"]["val_acc"][:, 0], runs["sigmoid+CE"]["val_acc"][:, 0])


def test_cross_entropy_beats_quadratic_on_every_seed(runs):
    q = runs["sigmoid+quadratic"]["val_acc"]
    for name in ("sigmoid+CE", "softmax+CE"):
        ce = runs[name]["val_acc"]
        assert (ce[:, -1] > q[:, -1] + 0.2).all()         # measured 0.92-0.96 vs 0.40-0.62 (seeds 0-2)
        assert (ce[:, 2] > q[:, 2] + 0.25).all()          # after one epoch: ~0.58 vs ~0.17
        assert ce[:, -1].min() > 0.9


def test_wrongly_saturated_outputs_are_fixed_by_ce_not_by_quadratic(runs):
    q = runs["sigmoid+quadratic"]["wrong"].mean(0)
    c = runs["sigmoid+CE"]["wrong"].mean(0)
    assert q[0] == c[0] and q[0] > 0.1                   # 15% of output units start confidently wrong
    assert c[2] < 0.01                                   # CE: < 1% after one epoch
    assert q[2] > 3 * c[2] and q[4] > 10 * c[4]          # quadratic lags far behind


def test_at_tuned_learning_rates_the_gap_is_saturation_not_step_size():
    """Issue 11 (9) and its review: compared at each cost's best rate, the quadratic cost catches up from a
    small start (nothing saturated: 0.950 vs 0.960) but not from the large one (0.85 vs 0.96, measured
    over seeds 0-4); about a third of the hidden units start saturated at std 1, none at std 0.2."""
    seeds = (0, 1, 2, 3, 4)
    small, large = dx.tuned_comparison(0.2, seeds=seeds), dx.tuned_comparison(1.0, seeds=seeds)
    q, c = "sigmoid+quadratic", "sigmoid+CE"
    assert small[q]["best"].mean() > small[c]["best"].mean() - 0.03 and small[q]["best"].min() > 0.92
    assert small[q]["best_lr"] >= 2.0                        # it needs the larger step
    assert large[c]["best"].mean() > large[q]["best"].mean() + 0.05
    assert (large[c]["best"] > large[q]["best"]).all()
    hid_large, hid_small = dx.hidden_saturation(1.0, seeds), dx.hidden_saturation(0.2, seeds)
    assert hid_large.min() > 0.2 and hid_small.max() == 0.0


def test_errors_and_cache():
    a = dx.train_setup("softmax+CE", rng=0, epochs=2)
    assert a is dx.train_setup("softmax+CE", rng=0, epochs=2)
    with pytest.raises(ValueError):
        a["val_acc"][0] = 1.0
    with pytest.raises(ValueError, match="setup"):
        dx.train_setup("tanh+hinge")
    with pytest.raises(ValueError, match="lr"):
        dx.train_setup(lr=0.0)


def test_saturation_helper():
    P = np.array([[0.99, 0.01], [0.5, 0.98]])
    s = dx.saturation(P, np.array([1, 0]))
    assert s["saturated"] == 0.75
    assert s["wrong"] == 0.75          # both units of row 0, and the 0.98 of row 1


def test_shorter_runs_are_sliced_and_longer_ones_resumed_exactly():
    kw = dict(rng=4, hidden=10)
    dx.train_setup("sigmoid+CE", epochs=2, **kw)
    long = dx.train_setup("sigmoid+CE", epochs=4, **kw)       # continues the 2-epoch run
    short = dx.train_setup("sigmoid+CE", epochs=3, **kw)      # sliced from the 4-epoch run
    info = dx.train_setup.cache_info()
    assert info["runs"] >= 1
    dx.train_setup.cache_clear()
    fresh = dx.train_setup("sigmoid+CE", epochs=4, **kw)      # trained from scratch in one go
    assert len(long["epoch"]) == 9 and long["epoch"][-1] == 4.0 and short["epoch"][-1] == 3.0
    for k in fresh:
        assert np.array_equal(long[k], fresh[k]), k           # bit for bit
        assert np.array_equal(short[k], fresh[k][:7]), k
    with pytest.raises(ValueError):
        short["val_acc"][0] = 1.0
    with pytest.raises(ValueError, match="evals_per_epoch"):
        dx.train_setup(evals_per_epoch=0)
