import math

import numpy as np
import pytest

from dlcore import Linear, fit
from dlcore.schedules import (Constant, Cosine, Exponential, InverseTime, LRScheduler, StepDecay, Warmup,
                              get_schedule)


def test_step_decay_exact_values():
    s = StepDecay(0.1, drop=0.5, every=3)
    np.testing.assert_allclose(s.values(8), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], rtol=1e-15)


def test_exponential_smooth_and_staircase():
    s = Exponential(1.0, decay_rate=0.5, decay_steps=2)
    np.testing.assert_allclose(s.values(5), [1, 2 ** -0.5, 0.5, 2 ** -1.5, 0.25], rtol=1e-15)
    s = Exponential(1.0, decay_rate=0.5, decay_steps=2, staircase=True)
    np.testing.assert_allclose(s.values(5), [1, 1, 0.5, 0.5, 0.25], rtol=1e-15)
    assert Exponential(0.2, decay_rate=0.96, decay_steps=100)(1000) == pytest.approx(0.2 * 0.96 ** 10, rel=1e-14)


def test_inverse_time():
    np.testing.assert_allclose(InverseTime(1.0, decay_rate=1.0, decay_steps=1).values(4), [1, 1 / 2, 1 / 3, 1 / 4])


def test_cosine_ends_at_lr_min_and_halfway_is_the_mean():
    s = Cosine(0.1, total=10, lr_min=0.01)
    assert s(0) == 0.1 and s(5) == pytest.approx(0.055, abs=1e-15) and s(10) == pytest.approx(0.01, abs=1e-15)
    assert s(50) == s(10)
    assert s(2) == pytest.approx(0.01 + 0.045 * (1 + math.cos(math.pi / 5)), rel=1e-15)
    assert np.all(np.diff(s.values(11)) < 0)


def test_warmup_then_schedule():
    s = Warmup(StepDecay(0.4, drop=0.5, every=2), steps=4)
    np.testing.assert_allclose(s.values(9), [0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.2, 0.2, 0.1], rtol=1e-15)
    np.testing.assert_allclose(Warmup(0.3, steps=3).values(5), [0.1, 0.2, 0.3, 0.3, 0.3], rtol=1e-15)
    g = get_schedule("cosine", 0.1, total=4, warmup=2)
    np.testing.assert_allclose(g.values(7), [0.05, 0.1, 0.1, 0.5 * 0.1 * (1 + math.cos(math.pi / 4)), 0.05,
                                             0.5 * 0.1 * (1 + math.cos(3 * math.pi / 4)), 0.0], atol=1e-16)


def test_callback_sets_the_optimiser_rate_before_each_step():
    """The update of step t+1 is -schedule(t) * gradient, inside fit."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 2))
    y = X @ np.array([[1.0], [-1.0]])
    lin = Linear(2, 1, rng=0)
    sched = Warmup(Exponential(0.1, decay_rate=0.5, decay_steps=3), steps=3)
    ratios = []

    class Watch:
        def on_backward(self, state):
            self.g = state.model.grads["W"].copy()

        def on_step_end(self, state):
            ratios.append(float(np.mean(-state.optimizer.last_updates["W"] / self.g)))

    from dlcore.optim import SGD
    opt = SGD(lin, lr=123.0, track_updates=True)
    w = Watch()
    h = fit(lin, X, y, loss="quadratic", optimizer=opt, steps=10, batch_size=16, callbacks=[LRScheduler(sched), w])
    np.testing.assert_allclose(ratios, sched.values(10), rtol=1e-12)
    np.testing.assert_allclose(h.extra["lr"], sched.values(10), rtol=0)
    assert opt.lr == sched(9)


def test_bad_settings():
    with pytest.raises(ValueError, match="lr must be a finite real number > 0, got -0.1"):
        StepDecay(-0.1)
    with pytest.raises(ValueError, match=r"drop must be a real number in \(0, 1\]"):
        StepDecay(0.1, drop=1.5)
    with pytest.raises(ValueError, match=r"every must be a whole number \(int\) >= 1"):
        StepDecay(0.1, every=0)
    with pytest.raises(ValueError, match=r"lr_min must lie in \[0, lr\]"):
        Cosine(0.1, total=10, lr_min=0.2)
    with pytest.raises(ValueError, match="non-negative int"):
        Constant(0.1)(-1)
    with pytest.raises(ValueError, match="unknown schedule 'linear'; known: constant, cosine, exponential"):
        get_schedule("linear", 0.1)
    with pytest.raises(TypeError, match="callable"):
        LRScheduler(0.1)


@pytest.mark.parametrize("make, error, words", [
    (lambda: Constant("0.1"), TypeError, "lr must be a real number > 0, got '0.1' (str); write the number"),
    (lambda: Constant(True), TypeError, "lr must be a real number > 0, got True (bool)"),
    (lambda: Constant(float("nan")), ValueError, "lr must be a finite real number > 0, got nan"),
    (lambda: Constant(float("inf")), ValueError, "lr must be a finite real number > 0, got inf"),
    (lambda: Constant(None), TypeError, "lr must be a real number > 0, got None"),
    (lambda: StepDecay(0.1, every=2.0), TypeError, "every must be a whole number (int) >= 1, got 2.0; write 2"),
    (lambda: StepDecay(0.1, drop=0), ValueError, "drop must be a real number in (0, 1], got 0"),
    (lambda: Exponential(0.1, decay_rate=1.2), ValueError, "decay_rate must be a real number in (0, 1], got 1.2"),
    (lambda: Exponential(0.1, staircase="yes"), TypeError, "staircase must be True or False, got 'yes' (str)"),
    (lambda: InverseTime(0.1, decay_rate=-1), ValueError, "decay_rate must be a finite real number > 0, got -1"),
    (lambda: Cosine(0.1, total=0), ValueError, "total must be a whole number (int) >= 1, got 0"),
    (lambda: Cosine(0.1, total=10, lr_min=-0.01), ValueError, "lr_min must be a finite real number >= 0"),
    (lambda: Warmup(0.1, steps=True), TypeError, "steps must be a whole number (int) >= 1, got True (bool)"),
    (lambda: Warmup("cosine", steps=5), TypeError, "lr must be a real number > 0, got 'cosine' (str)"),
    (lambda: get_schedule("cosine", 0.1, total=10, warmup=-1), ValueError, "warmup must be a whole number (int) >= 0"),
    (lambda: get_schedule("cosine", None, total=10), TypeError, "lr must be a real number > 0, got None"),
    (lambda: Constant(0.1)(2.0), TypeError, "t (steps taken) must be a non-negative int, got 2.0"),
])
def test_arguments_are_checked_and_named(make, error, words):
    with pytest.raises(error) as e:
        make()
    assert words in str(e.value)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw",
                                  "adamax", "nadam", "rprop"])
def test_schedules_compose_with_every_optimiser(name):
    """Warm-up then cosine, through fit's callback: the optimiser's lr follows the schedule for any optimiser,
    and a constant schedule reproduces the plain run bit for bit."""
    from dlcore.optim import get_optimizer
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    sched = Warmup(Cosine(0.05, total=20, lr_min=0.005), steps=5)
    lin = Linear(3, 1, rng=0, dtype=np.float64)
    opt = get_optimizer(name, lin, lr=0.05)
    h = fit(lin, X, y, loss="quadratic", optimizer=opt, steps=25, batch_size=32, callbacks=[LRScheduler(sched)])
    np.testing.assert_allclose(h.extra["lr"], sched.values(25), rtol=0)
    assert opt.lr == sched(24) and np.isfinite(h.loss[-1])
    a, b = Linear(3, 1, rng=0, dtype=np.float64), Linear(3, 1, rng=0, dtype=np.float64)
    fit(a, X, y, loss="quadratic", optimizer=name, lr=0.05, steps=10, batch_size=32)
    fit(b, X, y, loss="quadratic", optimizer=name, lr=0.05, steps=10, batch_size=32,
        callbacks=[LRScheduler(Constant(0.05))])
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
