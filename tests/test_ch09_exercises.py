"""Chapter 09 exercise checkers: right answers at the asked precision pass, the usual slips are named,
odd input gets feedback."""
import numpy as np

from dlcore.exercises import ch09
from dlcore.noisy_norm import wasserstein1


def test_w1():
    right = wasserstein1(ch09.EX_A, ch09.EX_B)
    assert np.isclose(right, 0.38)
    assert ch09.check_w1(0.38) and ch09.check_w1(right)
    assert "difference of the means" in ch09.check_w1(0.22).message
    assert "sort each sample" in ch09.check_w1(1.26).message
    assert "summed" in ch09.check_w1(1.9).message
    assert "largest" in ch09.check_w1(0.9).message
    assert not ch09.check_w1(0.4) and not ch09.check_w1(float("nan"))
    assert "Replace None" in ch09.check_w1(None).message


def test_smoother():
    assert ch09.check_smoother("B", 1.75) and ch09.check_smoother(" b ", 1.8)
    assert "distance moved" in ch09.check_smoother("A", 5.0).message
    assert "A's effective" in ch09.check_smoother("B", 5.0).message
    assert "divided by η only" in ch09.check_smoother("B", 7.0).message
    assert "smallest ratio" in ch09.check_smoother("B", 1.5).message
    assert "raw gradient change" in ch09.check_smoother("B", 2.8).message
    assert not ch09.check_smoother("C", 1.75)


def test_grad_shift():
    assert ch09.check_grad_shift(0.898, 0.447)
    assert "dot product" in ch09.check_grad_shift(22, 0.447).message
    assert "1 − cos" in ch09.check_grad_shift(0.102, 0.447).message
    assert "‖G′‖" in ch09.check_grad_shift(0.898, 0.456).message
    assert "squared" in ch09.check_grad_shift(0.898, 1.0).message
    assert "divide by ‖G‖" in ch09.check_grad_shift(0.898, 2.24).message
    assert not ch09.check_grad_shift(0.9, 0.45)


def test_answers_at_lower_precision_and_swapped_answers_are_named():
    assert "one significant figure" in ch09.check_w1(0.4).message
    fb = ch09.check_grad_shift(0.9, 0.45)
    assert not fb and fb.message.count("two significant figures") == 2
    assert "swapped" in ch09.check_grad_shift(0.447, 0.898).message
    assert "too small" in ch09.check_w1(0.3).message
