"""Chapter 10's checkers: the right answers pass, the usual slips are named, nonsense gets feedback."""
import math

import numpy as np
import pytest

from dlcore.exercises import ch10

CHECKERS = [ch10.check_conv_layer, ch10.check_receptive_field, ch10.check_search_choice, ch10.check_initial_loss]


@pytest.mark.parametrize("fn", CHECKERS, ids=lambda f: f.__name__)
def test_right_answers_pass(fn):
    for kw in fn.right_answers():
        fb = fn(**kw)
        assert fb, (fn.__name__, kw, fb.message)


@pytest.mark.parametrize("fn", CHECKERS, ids=lambda f: f.__name__)
def test_nonsense_gets_feedback(fn):
    n = len(fn.right_answers()[0])
    for bad in (None, "abc", float("nan"), 10 ** 400, [1, 2]):
        fb = fn(*([bad] * n))
        assert not fb and fb.message


def test_conv_layer_slips():
    assert "round down" in ch10.check_conv_layer(15.5, 1216).message
    assert "rounds up" in ch10.check_conv_layer(16, 1216).message
    assert "biases" in ch10.check_conv_layer(15, 1200).message
    assert "C_in" in ch10.check_conv_layer(15, 16 * 26).message
    assert "shared" in ch10.check_conv_layer(15, 1216 * 225).message
    assert "stride 1" in ch10.check_conv_layer(30, 1216).message
    assert "+ 1 is missing" in ch10.check_conv_layer(14, 1216).message
    fb = ch10.check_conv_layer(15.5, 1216).message                 # the uncovered row is padding, not input
    assert "padding zero" in fb and "no input is lost" in fb
    assert "0 input rows lost" in ch10.check_conv_layer(15, 1216).message


def test_receptive_field_slips():
    assert "2 input pixels apart" in ch10.check_receptive_field(10).message
    assert "three convolutions only" in ch10.check_receptive_field(7).message
    assert "after the pooling" in ch10.check_receptive_field(8).message
    assert not ch10.check_receptive_field(13)


def test_search_choice_slips():
    fb = ch10.check_search_choice(2, 32, "grid")
    assert not fb and "do not matter" in fb.message
    assert "k^5" in ch10.check_search_choice(32, 32, "random").message
    assert "afresh" in ch10.check_search_choice(2, 2, "random").message
    assert ch10.check_search_choice(2, 32, "Bayesian")


def test_initial_loss_slips():
    assert "log10" in ch10.check_initial_loss(math.log10(26)).message
    assert "log2" in ch10.check_initial_loss(math.log2(26)).message
    assert "probability" in ch10.check_initial_loss(1 / 26).message
    assert "ln 10" in ch10.check_initial_loss(2.30).message
    assert ch10.check_initial_loss(3.258)
