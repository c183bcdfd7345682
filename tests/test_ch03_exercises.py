"""Chapter 03 exercise checkers: right answers pass, typical wrong ones get a useful message."""
import numpy as np

from dlcore.exercises import ch03


def test_elu_derivative_checker():
    assert not ch03.check_elu_derivative(None) and "replace None" in ch03.check_elu_derivative(None).message
    right = lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))
    assert ch03.check_elu_derivative(right)
    wrong = lambda x: np.where(x > 0, 1.0, np.exp(x) - 1)
    fb = ch03.check_elu_derivative(wrong)
    assert not fb and "off by" in fb.message and "alpha e^x" in fb.message
    assert ch03.check_elu_derivative(lambda x: np.where(x > 0, 1.0, 2 * np.exp(np.minimum(x, 0))), alpha=2.0)


def test_swish_derivative_checker():
    s = lambda x: 1 / (1 + np.exp(-x))
    assert ch03.check_swish_derivative(lambda x: s(x) + x * s(x) * (1 - s(x)))
    fb = ch03.check_swish_derivative(s)
    assert not fb and "product rule" in fb.message


def test_identify_checker():
    assert ch03.check_identify("softplus")
    assert "SHAPE" in ch03.check_identify("sigmoid").message
    fb = ch03.check_identify("relu")
    assert not fb and "differs from the plot" in fb.message
    assert "not a function" in ch03.check_identify("relu6").message
    x, d = ch03.mystery_derivative()
    assert d[len(d) // 2] == 0.5


def test_output_activation_checker():
    assert ch03.check_output_activations({"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"})
    fb = ch03.check_output_activations({"binary": "sigmoid", "multiclass": "sigmoid", "regression": "identity"})
    assert not fb and "do not sum to 1" in fb.message
    fb = ch03.check_output_activations({"binary": "sigmoid", "multiclass": "softmax", "regression": "relu"})
    assert "negative targets" in fb.message
    assert "fill in" in ch03.check_output_activations({"binary": None, "multiclass": None, "regression": None}).message


def test_identify_checker_points_at_the_difference():
    fb = ch03.check_identify("silu")                    # SiLU's derivative overshoots 1 and goes negative
    assert not fb and "silu's derivative differs" in fb.message and "f'(0)" in fb.message
    assert ch03.check_identify(" SoftPlus ")            # case and spaces do not matter
    assert "not a function this book knows" in ch03.check_identify("swishh").message


def test_elu_derivative_that_overflows_is_caught():
    """Issue 11 (14): E3.1 asks to avoid overflow; a naive np.where(x > 0, 1, np.exp(x)) passed."""
    naive = ch03.check_elu_derivative(lambda x: np.where(x > 0, 1.0, np.exp(x)))
    assert not naive.ok and "overflow" in naive.message
    assert ch03.check_elu_derivative(lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))))


def test_checkers_accept_objects_and_spaces_reject_complex():
    """Review P2: E3.4 rejected 'sigmoid ' (E3.3 strips); E3.3 called an activation object 'not a function
    this book knows'; E3.1 accepted complex output."""
    from dlcore import ACTIVATIONS, get_activation
    assert ch03.check_output_activations({"binary": "sigmoid ", "multiclass": " Softmax", "regression": "linear"})
    assert ch03.check_output_activations({"binary": get_activation("sigmoid"), "multiclass": "softmax",
                                          "regression": get_activation("identity")})
    assert ch03.check_identify(get_activation("softplus")) and ch03.check_identify(ACTIVATIONS["softplus"])
    fb = ch03.check_identify(get_activation("relu"))
    assert not fb and "relu's derivative differs" in fb.message
    cplx = ch03.check_elu_derivative(lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)) + 0j))
    assert not cplx and "complex" in cplx.message
    s = lambda x: 1 / (1 + np.exp(-x))
    cplx = ch03.check_swish_derivative(lambda x: s(x) + x * s(x) * (1 - s(x)) + 0j)
    assert not cplx and "complex" in cplx.message
