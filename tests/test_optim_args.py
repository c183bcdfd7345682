"""Every optimiser's constructor checks its arguments; the message names the argument and the value.

Wrong kinds (a string, a bool, None, a list) are ``InvalidType`` (a ``TypeError``); values out of
range (nan, inf, negative, a beta of 1) are ``InvalidArgument`` (a ``ValueError``). Nothing is
checked inside ``step()``.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import Linear
from dlcore.errors import InvalidArgument, InvalidType
from dlcore.optim import OPTIMIZERS, Adam, Momentum, Nadam, Rprop, get_optimizer

NET = Linear(2, 2, rng=0)
NAMES = sorted(OPTIMIZERS)
BETA_ARGS = {"momentum": ["momentum"], "nesterov": ["momentum"], "rmsprop": ["rho"], "adadelta": ["rho"]}
EPS_NAMES = ["adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax", "nadam"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lr, error, words", [
    ("0.1", InvalidType, "lr must be a real number > 0, got '0.1' (str); write the number without quotes"),
    (True, InvalidType, "lr must be a real number > 0, got True (bool)"),
    (None, InvalidType, "lr must be a real number > 0, got None"),
    ([0.1], InvalidType, "lr must be a real number > 0, got [0.1] (list)"),
    (float("nan"), InvalidArgument, "lr: the learning rate must be a positive finite number, got nan"),
    (float("inf"), InvalidArgument, "lr: the learning rate must be a positive finite number, got inf"),
    (-0.1, InvalidArgument, "lr: the learning rate must be a positive finite number, got -0.1"),
    (0, InvalidArgument, "lr: the learning rate must be a positive finite number, got 0"),
])
def test_bad_learning_rates(name, lr, error, words):
    with pytest.raises(error) as e:
        get_optimizer(name, NET, lr=lr)
    assert words in str(e.value)


@pytest.mark.parametrize("name", NAMES)
def test_weight_decay_and_track_updates(name):
    for wd, error in (("0.1", InvalidType), (-1e-3, InvalidArgument), (float("nan"), InvalidArgument)):
        with pytest.raises(error, match="weight_decay must be a"):
            get_optimizer(name, NET, lr=0.1, weight_decay=wd)
    with pytest.raises(InvalidType, match="track_updates must be True or False, got 'yes'"):
        get_optimizer(name, NET, lr=0.1, track_updates="yes")
    with pytest.raises(InvalidType, match="optimiser needs a dlcore Module"):
        OPTIMIZERS[name]([np.zeros(2)], lr=0.1)


@pytest.mark.parametrize("name", sorted(BETA_ARGS))
def test_decay_factors_in_zero_one(name):
    for arg in BETA_ARGS[name]:
        for bad in (1.0, -0.1, 1.5, float("nan")):
            with pytest.raises(InvalidArgument, match=rf"{arg} must be a .*real number in \[0, 1\)"):
                get_optimizer(name, NET, lr=0.1, **{arg: bad})
        with pytest.raises(InvalidType, match=rf"{arg} must be a real number in \[0, 1\), got '0.9' \(str\)"):
            get_optimizer(name, NET, lr=0.1, **{arg: "0.9"})


@pytest.mark.parametrize("name", ["adam", "adamw", "adamax", "nadam"])
def test_betas(name):
    for bad, words in (((0.9, 1.0), r"betas\[1\] \(beta2\) must be a real number in \[0, 1\), got 1.0"),
                       ((-0.1, 0.9), r"betas\[0\] \(beta1\) must be a real number in \[0, 1\), got -0.1"),
                       ((True, 0.9), r"betas\[0\] \(beta1\) must be a real number in \[0, 1\), got True \(bool\)")):
        with pytest.raises((InvalidArgument, InvalidType), match=words):
            get_optimizer(name, NET, lr=0.1, betas=bad)
    for bad in (0.9, (0.9,), (0.9, 0.99, 0.999), "ab"):
        with pytest.raises(InvalidType, match="betas must be a pair"):
            get_optimizer(name, NET, lr=0.1, betas=bad)


@pytest.mark.parametrize("name", EPS_NAMES)
def test_eps(name):
    for bad, error in ((0.0, InvalidArgument), (-1e-8, InvalidArgument), (float("nan"), InvalidArgument),
                       ("1e-8", InvalidType)):
        with pytest.raises(error, match="eps must be a"):
            get_optimizer(name, NET, lr=0.1, eps=bad)


def test_the_other_arguments():
    with pytest.raises(InvalidArgument, match="unknown convention 'avg'; known: 'sum', 'average'. Did you mean 'average'"):
        Momentum(NET, convention="avg")
    with pytest.raises(InvalidArgument, match="convention='average' means dampening=0.9, got dampening=0.5"):
        Momentum(NET, momentum=0.9, convention="average", dampening=0.5)
    with pytest.raises(InvalidArgument, match="unknown first_velocity 'g'"):
        Momentum(NET, first_velocity="g")
    with pytest.raises(InvalidType, match="bias_correction must be True or False, got 0"):
        Adam(NET, bias_correction=0)
    with pytest.raises(InvalidType, match="amsgrad must be True or False"):
        Adam(NET, amsgrad=None)
    with pytest.raises(InvalidArgument, match="momentum_decay must be a finite real number >= 0"):
        Nadam(NET, momentum_decay=-1)
    with pytest.raises(InvalidArgument, match="etas must be .* 0 < eta_minus < 1 < eta_plus, got \\(1.2, 0.5\\)"):
        Rprop(NET, etas=(1.2, 0.5))
    with pytest.raises(InvalidArgument, match=r"step_sizes\[0\] must be a finite real number > 0"):
        Rprop(NET, step_sizes=(0, 1))
    with pytest.raises(InvalidArgument, match="step_sizes must be \\(min, max\\) with min <= max"):
        Rprop(NET, step_sizes=(1.0, 0.5))
    with pytest.raises(InvalidType, match="etas must be a pair"):
        Rprop(NET, etas=1.2)


def test_unknown_names_and_arguments():
    with pytest.raises(InvalidArgument, match="unknown optimiser 'adma'.*Did you mean .*'adam'"):
        get_optimizer("adma", NET, lr=0.1)
    with pytest.raises(InvalidType, match="optimizer must be a name"):
        get_optimizer(3, NET)
    with pytest.raises(InvalidArgument, match="Adam has no argument 'beta'; its arguments: lr, betas, .* "
                                              "Did you mean 'betas'"):
        get_optimizer("adam", NET, lr=0.1, beta=0.9)
    with pytest.raises(InvalidArgument, match="Momentum has no argument 'nesterov'"):
        get_optimizer("momentum", NET, lr=0.1, nesterov=True)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(max_value=0.0), st.just(math.inf), st.just(math.nan), st.text(), st.booleans(), st.none()))
def test_any_bad_lr_is_refused_with_its_name(lr):
    name = ["sgd", "adam", "rprop"][hash(repr(lr)) % 3]
    with pytest.raises((InvalidArgument, InvalidType)) as e:
        get_optimizer(name, NET, lr=lr)
    assert str(e.value).startswith("lr")


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=1e-12, max_value=1e6))
def test_any_positive_finite_lr_is_accepted(lr):
    for name in ("sgd", "momentum", "adam", "rprop"):
        assert get_optimizer(name, NET, lr=lr).lr == lr
