"""Chapter 05 exercise checkers: right answers at the asked precision pass, the usual slips get their
own hint, and odd input gets Feedback (never 'Correct' for a non-finite answer)."""
import numpy as np
import pytest

from dlcore.exercises import ch05
from dlcore.exercises.feedback import Feedback

CHECKERS = (ch05.check_adam_two_steps, ch05.check_adam_first_step, ch05.check_max_stable_lr,
            ch05.check_momentum_convention, ch05.check_correlated_condition)


@pytest.mark.parametrize("check", CHECKERS, ids=lambda f: f.__name__)
def test_right_answers_pass_and_rounded_ones_too(check):
    for kw in check.right_answers():
        assert check(**kw).ok, check(**kw)
        rounded = {k: np.array([float(f"{x:.4g}") for x in np.ravel(v)]) if np.ndim(v) else float(f"{v:.4g}")
                   for k, v in kw.items()}                          # four significant figures
        assert check(**rounded).ok, (rounded, check(**rounded))


@pytest.mark.parametrize("check", CHECKERS, ids=lambda f: f.__name__)
def test_odd_input_gets_feedback_never_correct(check):
    names = list(check.right_answers()[0])
    for bad in (None, "0.5", np.nan, np.inf, [np.nan, 1.0], [[1.0, 2.0]], object(), -1.0, [], True):
        fb = check(**{n: bad for n in names})
        assert isinstance(fb, Feedback) and not fb.ok, (bad, fb)
        assert "checker could not check" not in fb.message, (bad, fb)


def test_adam_two_steps_recognises_the_slips():
    e = ch05.EX_ADAM
    right = ch05.adam_steps(e["theta"], e["grads"], e["lr"], e["betas"])
    assert np.allclose(right[0], [0.4, -0.9])                        # first step: lr * sign(g)
    assert "first step" in ch05.check_adam_two_steps(right[0]).message
    nobc = ch05.adam_steps(e["theta"], e["grads"], e["lr"], e["betas"], bias_correction=False)[-1]
    assert "bias correction" in ch05.check_adam_two_steps(nobc).message
    assert "sign is flipped" in ch05.check_adam_two_steps(ch05.adam_steps(e["theta"], e["grads"], -0.1)[-1]).message
    assert not ch05.check_adam_two_steps(np.round(right[-1], 2)).ok          # 2 decimals: not 4 figures


def test_adam_first_step_recognises_the_slips():
    right, lr = (0.005, 0.01), 0.01                                  # g = (1e-8, 50): eps matters in the first
    unc = (0.0009693, 0.031623)
    assert ch05.check_adam_first_step(right, unc).ok
    assert "swapped" in ch05.check_adam_first_step(unc, unc).message
    assert "lr * g/(|g| + eps)" in ch05.check_adam_first_step((lr * 1e-8, lr * 50), unc).message
    assert "(1 - beta1)/sqrt(1 - beta2)" in ch05.check_adam_first_step(right, right).message
    assert "as small as eps" in ch05.check_adam_first_step((0.01, 0.01), unc).message          # eps left out
    assert "eps is larger" in ch05.check_adam_first_step(right, (0.031623, 0.031623)).message
    assert "square root" in ch05.check_adam_first_step(right, (0.0009693, 1.0)).message       # 1 - beta2, no sqrt
    assert "three significant figures" in ch05.check_adam_first_step(right, (0.0009693, 0.0316)).message


def test_adam_two_steps_names_the_partial_corrections_and_precision():
    e = ch05.EX_ADAM
    msgs = {k: ch05.check_adam_two_steps(ch05.adam_steps(e["theta"], e["grads"], 0.1, **kw)[-1]).message
            for k, kw in (("m", {"correct": "m"}), ("v", {"correct": "v"}), ("t1", {"t_fixed": 1}),
                          ("root", {"root": False}))}
    assert "only m" in msgs["m"] and "only v" in msgs["v"] and "t = 2" in msgs["t1"] and "square root" in msgs["root"]
    assert "four" in ch05.check_adam_two_steps([0.373, -0.813]).message
    assert ch05.check_adam_two_steps([0.3734, -0.8129]).ok


def test_max_stable_lr_recognises_the_slips_and_runs_gradient_descent():
    assert np.allclose(np.linalg.eigvalsh(ch05.EX_H), [1, 4])
    fb = ch05.check_max_stable_lr(0.5)
    assert fb.ok and "diverges" not in fb.message.split("0.98 x")[1].split(",")[0]
    assert "smallest" in ch05.check_max_stable_lr(2.0).message
    assert "1/L" in ch05.check_max_stable_lr(0.25).message
    assert "diagonal" in ch05.check_max_stable_lr(0.8).message
    assert "too large" in ch05.check_max_stable_lr(0.6).message
    assert "fastest" in ch05.check_max_stable_lr(0.4).message                # 2/(L + l)
    assert "too small" in ch05.check_max_stable_lr(0.3).message
    assert "a little higher" in ch05.check_max_stable_lr(0.499).message
    assert "grows (x1.8e+03 in 200 steps)" in ch05.check_max_stable_lr(0.5).message
    assert not ch05.check_max_stable_lr(0.51).ok                     # 3 significant figures


def test_momentum_convention_recognises_the_slips():
    assert ch05.check_momentum_convention(0.1).ok
    assert "other way round" in ch05.check_momentum_convention(0.001).message
    assert "10 times less" in ch05.check_momentum_convention(0.01).message


def test_correlated_condition_number_and_its_slips():
    assert ch05.check_correlated_condition(9).ok and ch05.check_correlated_condition(9.0).ok
    assert "condition number of A" in ch05.check_correlated_condition(3).message
    assert "off-diagonal" in ch05.check_correlated_condition(1).message
    assert "ratio" in ch05.check_correlated_condition(1.8).message
    assert "at least 1" in ch05.check_correlated_condition(0.8).message
    fb = ch05.check_correlated_condition(9).message                  # the run: 31 steps vs 1 uncorrelated
    assert "needs 31 steps" in fb and "it needs 1." in fb
    lam = np.linalg.eigvalsh(ch05._corr_hessian(0.8))
    assert lam[-1] / lam[0] == pytest.approx(9.0)
