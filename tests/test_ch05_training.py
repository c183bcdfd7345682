"""Chapter 05's claims about real training runs, over 5 seeds (every seed must agree)."""
import numpy as np
import pytest

from dlcore.experiments.common import SEEDS
from dlcore.experiments.optimisers_train import noise_floor, noise_floor_table, race_digits, train_digits


@pytest.fixture(scope="module")
def floors():
    return noise_floor_table()


def test_constant_rate_trades_speed_for_a_noise_floor_decay_gets_both(floors):
    c1, c01 = floors["constant 0.1"], floors["constant 0.01"]
    step, cos = floors["step 0.1 -> x0.1 at 1000"], floors["cosine 0.1 -> 0"]
    # fast start at 0.1, slow at 0.01: after 50 steps the error is 10x to 145x larger at 0.01
    assert np.all(c01["err"][:, 49] > 4 * c1["err"][:, 49])          # 10x to 145x
    # but 0.1 jitters around the optimum at ~0.03, 0.01 at ~6e-4
    assert np.all(c1["final_err"] > 10 * c01["final_err"])
    # the step schedule has both: 0.1's start, 0.01's floor; cosine ends lower still
    np.testing.assert_array_equal(step["err"][:, :1000], c1["err"][:, :1000])
    assert np.all(step["final_err"] < 2 * c01["final_err"]) and np.all(step["final_err"] < c1["final_err"] / 10)
    assert np.all(cos["final_err"] < step["final_err"] / 3) and np.all(cos["err"][:, 49] < 2 * c1["err"][:, 49])


def test_noise_floor_records_the_schedule():
    r = noise_floor(0.1, ("step", {"drop": 0.5, "every": 10}), 0, steps=30)
    np.testing.assert_allclose(r["lrs"], [0.1] * 10 + [0.05] * 10 + [0.025] * 10)


@pytest.fixture(scope="module")
def race():
    return race_digits(("sgd", "momentum", "adam"))


def test_momentum_at_lr_over_ten_behaves_like_sgd_at_lr(race):
    """Heavy ball with beta = 0.9 multiplies a slowly changing gradient by 1/(1-beta) = 10:
    momentum at 0.01 trains like SGD at 0.1 (final training loss within 10 %, every seed)."""
    sgd = np.nanmean(race["sgd"]["loss"][:, -50:], axis=1)
    mom = np.nanmean(race["momentum"]["loss"][:, -50:], axis=1)
    assert np.all(np.abs(mom / sgd - 1) < 0.10), (sgd, mom)                   # 0.4-2.4 %
    assert np.all(race["sgd"]["final_val_acc"] > 0.9) and np.all(race["momentum"]["final_val_acc"] > 0.9)


def test_adam_default_rate_is_not_the_fastest_here(race):
    """Adam at its default 1e-3 ends 300 steps with about twice SGD-at-0.1's training loss (0.60 vs 0.27)."""
    sgd = np.nanmean(race["sgd"]["loss"][:, -50:], axis=1)
    adam = np.nanmean(race["adam"]["loss"][:, -50:], axis=1)
    assert np.all(adam > 1.5 * sgd), (sgd, adam)


def test_train_digits_settings():
    r = train_digits("adam", 0.01, 0, steps=60, eval_every=30, schedule=("cosine", {"total": 60}))
    assert r["loss"].shape == (60,) and list(r["eval_steps"]) == [30, 60] and not r["diverged"]
    assert len(SEEDS) >= 5
