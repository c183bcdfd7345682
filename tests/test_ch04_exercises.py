"""Chapter 04 exercise checkers accept right answers and explain wrong ones."""
import numpy as np
import pytest

from dlcore.exercises import ch04


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_ce_bias_gradient():
    assert not ch04.check_ce_bias_gradient(None) and "Replace None" in ch04.check_ce_bias_gradient(None).message
    assert ch04.check_ce_bias_gradient(lambda w, b, x, y: np.mean(_sig(w * x + b) - y))
    fb = ch04.check_ce_bias_gradient(lambda w, b, x, y: np.mean((_sig(w * x + b) - y) * _sig(w * x + b) * (1 - _sig(w * x + b))))
    assert not fb and "quadratic" in fb.message
    fb = ch04.check_ce_bias_gradient(lambda w, b, x, y: np.sum(_sig(w * x + b) - y))
    assert not fb and "divide by n" in fb.message
    fb = ch04.check_ce_bias_gradient(lambda w, b, x, y: np.mean(y - _sig(w * x + b)))
    assert not fb and "sign" in fb.message
    fb = ch04.check_ce_bias_gradient(lambda w, b, x, y: 1 / 0)
    assert not fb and "ZeroDivisionError" in fb.message


def test_p_minus_y():
    z = ch04.EX_LOGITS
    p = np.exp(z) / np.exp(z).sum()
    y = np.eye(4)[ch04.EX_LABEL]
    assert ch04.check_p_minus_y(p - y)
    assert "subtract" in ch04.check_p_minus_y(p).message
    assert "sign" in ch04.check_p_minus_y(y - p).message
    assert "sums to" in ch04.check_p_minus_y(p - np.eye(4)[0] + 0.1).message
    assert "shape" in ch04.check_p_minus_y([1.0, 2.0]).message
    assert "Replace None" in ch04.check_p_minus_y(None).message


def test_faster_cost():
    w0, b0 = ch04.EX_START
    a = _sig(w0 + b0)
    r = 1 / (a * (1 - a))
    fb = ch04.check_faster_cost("cross_entropy", r)
    assert fb and "halves after" in fb.message
    assert "never the larger" in ch04.check_faster_cost("quadratic", r).message
    assert "inverted" in ch04.check_faster_cost("cross_entropy", 1 / r).message
    assert "off by" in ch04.check_faster_cost("cross_entropy", 3.0).message
    assert "Replace None" in ch04.check_faster_cost(None, None).message


def test_logsumexp():
    def stable(z):
        m = np.max(z)
        return m + np.log(np.sum(np.exp(z - m)))
    assert ch04.check_logsumexp(stable)
    with np.errstate(over="ignore", divide="ignore"):
        fb = ch04.check_logsumexp(lambda z: np.log(np.sum(np.exp(z))))
    assert not fb and "Subtract max(z)" in fb.message
    fb = ch04.check_logsumexp(lambda z: np.log(np.sum(np.exp(z - np.max(z)))))
    assert not fb and "add max(z) back" in fb.message


def test_answers_at_the_asked_precision_pass():
    """Issue 11 (12): a 2-decimal E4.2 answer and 14.3 for E4.3 were rejected ("off by 0.0354")."""
    assert ch04.check_p_minus_y([0.61, 0.22, -0.97, 0.14])
    assert not ch04.check_p_minus_y([0.61, 0.22, -0.96, 0.14])          # a wrong second decimal
    assert ch04.check_faster_cost("cross_entropy", 14.3)
    assert ch04.check_faster_cost("cross_entropy", 14.26)
    assert not ch04.check_faster_cost("cross_entropy", 14.2)             # wrongly rounded
    assert "inverted" in ch04.check_faster_cost("cross_entropy", 0.0701).message


@pytest.mark.parametrize("bad", ["abc", [1.0], None, float("nan"), [[1, 2], [3, 4]], {"a": 1}])
def test_any_input_gets_feedback_not_a_traceback(bad):
    for fb in (ch04.check_p_minus_y(bad), ch04.check_faster_cost("cross_entropy", bad),
               ch04.check_faster_cost(bad, 14.3)):
        assert not fb.ok and isinstance(fb.message, str) and fb.message


def test_review_findings_on_the_checkers():
    """Expert review: E4.4 passed a shift by mean(z) or z[0] (inf on [1000, -1000]); a correct answer with
    keepdims was rejected; E4.2's off-by-one class got no hint; E4.3 refused 'Cross-entropy'."""
    shift_mean = lambda z: np.mean(z) + np.log(np.sum(np.exp(z - np.mean(z))))      # noqa: E731
    shift_first = lambda z: z[0] + np.log(np.sum(np.exp(z - z[0])))                  # noqa: E731
    with np.errstate(over="ignore"):
        assert not ch04.check_logsumexp(shift_mean) and not ch04.check_logsumexp(shift_first)
    m = lambda z: np.max(z, keepdims=True)                                           # noqa: E731
    assert ch04.check_logsumexp(lambda z: m(z) + np.log(np.sum(np.exp(z - m(z)))))
    assert "function" in ch04.check_logsumexp("abc").message
    assert "None" in ch04.check_logsumexp(lambda z: None).message
    p = np.exp(ch04.EX_LOGITS) / np.exp(ch04.EX_LOGITS).sum()
    fb = ch04.check_p_minus_y(p - np.eye(4)[1])
    assert not fb and "index 1" in fb.message and "counted from 0" in fb.message
    assert ch04.check_faster_cost("Cross-entropy", 14.3) and ch04.check_faster_cost("ce", 14.26)
    fb = ch04.check_ce_bias_gradient(lambda w, b, x, y: 1 / (1 + np.exp(-(w * x + b))) - y)
    assert not fb and "average" in fb.message
