"""The CS231n sanity checks in fit: initial loss near ln K, and a net stuck at chance is flagged."""
import math

import numpy as np

from dlcore import digits, fit, mlp
from dlcore.losses import bce_with_logits, quadratic, softmax_cross_entropy
from dlcore.sanity import chance_loss, initial_loss_check, stuck_check


def test_chance_losses():
    assert chance_loss(softmax_cross_entropy, 10) == math.log(10)
    assert chance_loss(bce_with_logits, 3) == 3 * math.log(2)
    assert chance_loss(quadratic, 10) is None
    # the reference is what a net with no preference gets: all-zero logits
    Z = np.zeros((4, 10))
    assert abs(softmax_cross_entropy(Z, np.arange(4))[0] - math.log(10)) < 1e-12


def test_a_well_initialised_net_starts_near_ln_k_and_is_not_flagged():
    ds = digits()
    net = mlp([64, 32, 10], activation="relu", init="he", rng=0)
    h = fit(net, ds.X_train, ds.y_train, lr=0.1, steps=200, rng=0)
    assert abs(h.loss[0] - math.log(10)) < 0.7 and h.checks == []


def test_large_initial_weights_are_flagged_at_the_first_step():
    ds = digits()
    net = mlp([64, 32, 10], activation="tanh", init="normal", init_kwargs={"std": 1.0}, rng=0)
    h = fit(net, ds.X_train, ds.y_train, lr=0.01, steps=5, rng=0)
    assert h.loss[0] > 2 * math.log(10)
    assert len(h.checks) == 1 and "initial weights are probably too large" in h.checks[0]


def test_a_net_that_does_not_learn_is_flagged_as_stuck():
    ds = digits()
    net = mlp([64, 32, 32, 32, 32, 10], activation="sigmoid", init="normal", init_kwargs={"std": 0.01}, rng=0)
    h = fit(net, ds.X_train, ds.y_train, lr=0.01, steps=300, rng=0)
    assert any(c.startswith("stuck at chance") for c in h.checks)
    assert stuck_check([2.3] * 50, math.log(10)) is None          # too early to tell
    assert initial_loss_check(0.5, math.log(10)).startswith("initial loss 0.5 is only")
