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
    with pytest.raises(ValueError, match="lr must be a positive"):
        StepDecay(-0.1)
    with pytest.raises(ValueError, match=r"drop must lie in \(0, 1\]"):
        StepDecay(0.1, drop=1.5)
    with pytest.raises(ValueError, match="every must be a positive int"):
        StepDecay(0.1, every=0)
    with pytest.raises(ValueError, match=r"lr_min must lie in \[0, lr\]"):
        Cosine(0.1, total=10, lr_min=0.2)
    with pytest.raises(ValueError, match="non-negative int"):
        Constant(0.1)(-1)
    with pytest.raises(ValueError, match="unknown schedule 'linear'; known: constant, cosine, exponential"):
        get_schedule("linear", 0.1)
    with pytest.raises(TypeError, match="callable"):
        LRScheduler(0.1)
