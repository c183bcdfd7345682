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


def test_bn_scale_right_answers():
    a, b, lb, la = ch09._bn_scale()
    assert np.isclose(a, 0.125) and np.isclose(b, 2.000625, atol=1e-6) and np.isclose(lb, 0.025)
    assert np.isclose(la, 0.1 / 64)
    assert ch09.check_bn_scale(0.125, 2.0006, 0.025, 0.00156) and ch09.check_bn_scale(a, b, lb, la)
    assert ch09.check_bn_scale(grad=0.125, norm=2.000625, lr_before=0.0250, lr_after=0.0015625)


def _bn_msg(**kw):
    right = dict(grad=0.125, norm=2.0006, lr_before=0.025, lr_after=0.00156)
    fb = ch09.check_bn_scale(**{**right, **kw})
    assert not fb
    return fb.message


def test_bn_scale_slips_are_named():
    # (a) the gradient at cW
    assert "multiplied by c:" in _bn_msg(grad=2.0)
    assert "multiplied by c²" in _bn_msg(grad=8.0)
    assert "divided by c²" in _bn_msg(grad=0.031)
    assert "its gradient is not" in _bn_msg(grad=0.5)
    # (b) one SGD step: parallel, subtracted, missing squares, no square root, first order only
    assert "parallel" in _bn_msg(norm=2.05)
    assert "towards 0" in _bn_msg(norm=1.95)
    assert "the step's length" in _bn_msg(norm=2.0125)
    assert "squared ‖g‖ but not η" in _bn_msg(norm=2.0062)
    assert "squared η but not ‖g‖" in _bn_msg(norm=2.0012)
    assert "square root" in _bn_msg(norm=4.0025)
    assert "to ‖W‖, not to ‖W‖²" in _bn_msg(norm=2.0025)
    assert "first order" in _bn_msg(norm=2.0)
    # (c) the effective learning rate before and after
    assert "not by ‖W‖²" in _bn_msg(lr_before=0.05)
    assert "not by ‖W‖²" in _bn_msg(lr_after=0.0125)
    assert "multiplied η by ‖W‖²" in _bn_msg(lr_before=0.4)
    assert "η itself" in _bn_msg(lr_before=0.1)
    assert "instead of c²" in _bn_msg(lr_after=0.00625)
    assert "instead of dividing" in _bn_msg(lr_after=0.4)
    assert "rate before scaling" in _bn_msg(lr_after=0.025)
    # every wrong part is named, and only those
    msg = _bn_msg(grad=2.0, norm=2.05, lr_before=0.05, lr_after=0.0125)
    assert all(p in msg for p in ("(a)", "(b)", "(c, before)", "(c, after)"))
    assert "(a)" not in _bn_msg(norm=2.05) and "(b)" not in _bn_msg(grad=2.0)


def test_bn_scale_precision_and_garbage():
    assert "two significant figures" in _bn_msg(grad=0.13)
    assert "three decimals" in _bn_msg(norm=2.001)
    assert "two significant figures" in _bn_msg(lr_after=0.0016)
    assert "is off" in _bn_msg(lr_after=0.00157) and "is off" in _bn_msg(grad=0.2)
    assert "Replace None" in ch09.check_bn_scale(None, 2.0006, 0.025, 0.00156).message
    assert "Replace None" in ch09.check_bn_scale(0.125, 2.0006, 0.025, None).message
    for bad in ("x", float("nan"), float("inf"), [0.125, 0.1], {"a": 1}):
        assert not ch09.check_bn_scale(bad, 2.0006, 0.025, 0.00156)
        assert not ch09.check_bn_scale(0.125, 2.0006, 0.025, bad)
    assert "call it as" in ch09.check_bn_scale(0.125).message
