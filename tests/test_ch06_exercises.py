"""Chapter 06 exercise checkers: right answers at the asked precision pass, the usual slips are named,
odd input gets feedback (never a traceback, never "Correct" for NaN/inf)."""
import numpy as np
import pytest

from dlcore.exercises import ch06


def test_noise_at_b():
    right = 15 / 19 * 12 / 5                                                  # N = 20, B = 5, tr Σ = 12: 1.8947
    assert (ch06.EX_NOISE_1, ch06.EX_N, ch06.EX_B) == (12.0, 20, 5)
    assert ch06.check_noise_at_b(1.89) and ch06.check_noise_at_b(1.895) and ch06.check_noise_at_b(right)
    assert "(N − B)/(N − 1)" in ch06.check_noise_at_b(2.40).message           # forgot the correction
    assert "(N − B)/N" in ch06.check_noise_at_b(1.80).message
    assert "B − 1" in ch06.check_noise_at_b(2.37).message                   # (N−B)/(N−1) tr Σ/(B−1) = 2.368
    assert "(N − B − 1)" in ch06.check_noise_at_b(1.77).message
    assert "B²" in ch06.check_noise_at_b(right / 5).message
    assert "standard deviation" in ch06.check_noise_at_b(right * np.sqrt(5)).message
    assert "two significant" in ch06.check_noise_at_b(1.9).message           # rounded: not wrong, not precise
    assert not ch06.check_noise_at_b(1.9) and not ch06.check_noise_at_b(2.0)


def test_steps_per_epoch():
    assert ch06.check_steps_per_epoch(17, 16, 55)
    assert "swapped" in ch06.check_steps_per_epoch(16, 17, 55).message
    assert "N mod B" in ch06.check_steps_per_epoch(17, 16, 9).message
    assert "whole number" in ch06.check_steps_per_epoch(1079 / 64, 16, 55).message
    assert "ceil" in ch06.check_steps_per_epoch(18, 16, 55).message


def test_time_budget():
    assert ch06.check_time_budget(64, 0.011, 16) and ch06.check_time_budget(64, 0.0112, 16)
    assert "fewest steps" in ch06.check_time_budget(1024, 0.011, 16).message
    assert "cheapest step" in ch06.check_time_budget(1, 0.011, 16).message
    assert "time of one step" in ch06.check_time_budget(64, 1.6e-4, 16).message
    assert "not the smallest" in ch06.check_time_budget(64, 0.011, 64).message
    assert "over the budget" in ch06.check_time_budget(64, 0.011, 4).message
    assert "not one of" in ch06.check_time_budget(50, 0.011, 16).message


def test_b_simple():
    assert ch06.check_b_simple(40) and ch06.check_b_simple(40.4)
    assert "|G|² first" in ch06.check_b_simple(34.6).message
    assert "tr Σ alone" in ch06.check_b_simple(20).message
    assert not ch06.check_b_simple(41)


@pytest.mark.parametrize("bad", [None, "abc", "40", float("nan"), float("inf"), -np.inf, [1, 2], True, 1j,
                                 10 ** 400, object(), np.array([np.nan])])
def test_any_input_gets_feedback_and_nonfinite_is_never_correct(bad):
    for fb in (ch06.check_noise_at_b(bad), ch06.check_b_simple(bad), ch06.check_steps_per_epoch(bad, 16, 55),
               ch06.check_steps_per_epoch(17, 16, bad), ch06.check_time_budget(64, bad, 16),
               ch06.check_time_budget(bad, 0.011, 16)):
        assert isinstance(fb, ch06.Feedback) and not fb.ok and fb.message
