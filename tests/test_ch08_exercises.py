"""Chapter 08 exercise checkers: right answers pass, the usual slips are named, odd input gets feedback."""
import numpy as np

from dlcore.exercises import ch08


def test_inverted_dropout():
    assert ch08.check_inverted_dropout(lambda x, m, p: x * m / (1 - p))
    assert "not scaled" in ch08.check_inverted_dropout(lambda x, m, p: x * m).message
    assert "evaluation" in ch08.check_inverted_dropout(lambda x, m, p: x * m * (1 - p)).message
    assert "drop rate" in ch08.check_inverted_dropout(lambda x, m, p: x * m / p).message
    assert "1 − mask" in ch08.check_inverted_dropout(lambda x, m, p: x * (1 - m) / (1 - p)).message
    assert "must be 0" in ch08.check_inverted_dropout(lambda x, m, p: x / (1 - p)).message
    assert not ch08.check_inverted_dropout(lambda x, m, p: x[:1])
    # float32 answers are right answers (every net of the chapter is float32)
    fb = ch08.check_inverted_dropout(lambda x, m, p: (x * m / (1 - p)).astype(np.float32))
    assert fb and "float32" in fb.message
    assert ch08.check_inverted_dropout(lambda x, m, p: x.astype(np.float32) * m / np.float32(1 - p))
    fb = ch08.check_inverted_dropout(lambda x, m, p: x * m / (1 - p) + 0.01)
    assert not fb and "difference" in fb.message
    assert not ch08.check_inverted_dropout(None) and not ch08.check_inverted_dropout(3)


def test_eval_activation():
    assert ch08.check_eval_activation(2.0, 3.125, 2.5) and ch08.check_eval_activation(2, 3.13, 2.50)
    assert "h / q" in ch08.check_eval_activation(3.125, 3.125, 2.5).message
    assert "without the factor" in ch08.check_eval_activation(2.5, 3.125, 2.5).message
    assert "p·h" in ch08.check_eval_activation(0.5, 3.125, 2.5).message
    assert "scales the kept units" in ch08.check_eval_activation(2.0, 2.5, 2.5).message
    assert "h / p" in ch08.check_eval_activation(2.0, 12.5, 2.5).message
    assert "original dropout's factor" in ch08.check_eval_activation(2.0, 2.0, 2.5).message
    assert "significant" in ch08.check_eval_activation(2.0, 3.0, 2.5).message
    assert "identity at evaluation" in ch08.check_eval_activation(2.0, 3.125, 2.0).message
    assert not ch08.check_eval_activation(float("nan"), 3.125, 2.5)


def test_l2_gradient():
    assert ch08.check_l2_gradient(lambda W, dW, lam: dW + lam * W)
    fb = ch08.check_l2_gradient(lambda W, dW, lam: (dW + lam * W).astype(np.float32))
    assert fb and "float32" in fb.message
    assert "2λW" in ch08.check_l2_gradient(lambda W, dW, lam: dW + 2 * lam * W).message
    assert "L1" in ch08.check_l2_gradient(lambda W, dW, lam: dW + lam * np.sign(W)).message
    assert "sign is wrong" in ch08.check_l2_gradient(lambda W, dW, lam: dW - lam * W).message
    assert "missing" in ch08.check_l2_gradient(lambda W, dW, lam: lam * W).message
    assert "missing" in ch08.check_l2_gradient(lambda W, dW, lam: dW).message
    assert not ch08.check_l2_gradient(lambda W, dW, lam: 1 / 0)


def test_regulariser_choice():
    assert ch08.check_regulariser_choice("more capacity", "regularise", "nothing")
    assert ch08.check_regulariser_choice("Bigger model", "early stopping", "none")
    fb = ch08.check_regulariser_choice("regularise", "regularise", "nothing")
    assert not fb and "high bias" in fb.message and "Curve B" not in fb.message
    assert "high variance" in ch08.check_regulariser_choice("more capacity", "nothing", "nothing").message
    assert ch08.check_regulariser_choice("train longer", "regularise", "nothing")
    assert "unknown" in ch08.check_regulariser_choice("pray", "regularise", "nothing").message
