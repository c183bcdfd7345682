"""Chapter 03: the activation zoo beyond the contract tests (reference values, parameters, registry)."""
import math
import warnings

import numpy as np
import pytest

import dlcore
from dlcore import check_module, get_activation
from dlcore.activations import (ELU, GELU, SELU, LeakyReLU, PReLU, RReLU, Softmax, Swish, gaussian_cdf, mish,
                                mish_log10, softmax_jacobian, softplus)
from dlcore.gradcheck import numerical_gradient, rel_error

ZOO = ["leaky_relu", "prelu", "rrelu", "elu", "selu", "gelu", "softplus", "swish", "silu", "mish",
       "hard_sigmoid", "hard_tanh", "softmax"]


def test_every_zoo_name_is_registered_with_formulas():
    names = dlcore.activation_names()
    for n in ZOO:
        assert n in names
        cls = dlcore.ACTIVATIONS[n]
        assert cls.formula and cls.derivative_formula, n


def test_registry_errors_are_clear():
    with pytest.raises(ValueError, match="unknown activation 'swishh'.*known:.*mish.*swish"):
        get_activation("swishh")
    with pytest.raises(ValueError, match="elu alpha must be >= 0"):
        get_activation("elu", alpha=-1)
    with pytest.raises(ValueError, match="lower <= upper"):
        get_activation("rrelu", lower=0.5, upper=0.1, rng=0)
    with pytest.raises(ValueError, match="slope must be in"):
        get_activation("leaky_relu", slope=-0.1)
    with pytest.raises(ValueError, match="approximate must be"):
        get_activation("gelu", approximate="fast")
    with pytest.raises(ValueError, match="temperature must be > 0"):
        get_activation("softmax", temperature=0)
    with pytest.raises(ValueError, match="beta must be > 0"):
        get_activation("softplus", beta=0)
    with pytest.raises(TypeError, match="pass a seed"):
        get_activation("rrelu")
    with pytest.raises(ValueError, match="no parameter 'slope'.*its parameters: alpha"):
        get_activation("elu", slope=0.1)
    assert get_activation("Leaky-ReLU", slope=0.2).slope == 0.2


def test_kink_conventions_stated_and_used():
    assert LeakyReLU(0.1).derivative(np.array([0.0]))[0] == pytest.approx(0.1)
    assert ELU(2.0).derivative(np.array([0.0]))[0] == pytest.approx(2.0)
    for n in ["leaky_relu", "prelu", "rrelu", "elu", "hard_tanh", "hard_sigmoid"]:
        assert "f'(" in dlcore.ACTIVATIONS[n].kink_convention


def _selu_constants():
    """alpha and lambda from the fixed-point conditions E f(Z) = 0, E f(Z)^2 = 1 for Z ~ N(0, 1), in closed form
    (Klambauer et al. 2017), computed here with the math module: the moments of the two pieces are
    E[Z; Z>0] = 1/sqrt(2 pi), E[Z^2; Z>0] = 1/2, E[e^(kZ); Z<=0] = e^(k^2/2) Phi(-k)."""
    Phi = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))                      # noqa: E731
    e1, e2 = math.exp(0.5) * Phi(-1.0), math.exp(2.0) * Phi(-2.0)           # E[e^Z; Z<=0], E[e^2Z; Z<=0]
    alpha = (1 / math.sqrt(2 * math.pi)) / (0.5 - e1)                        # mean 0
    lam = 1 / math.sqrt(0.5 + alpha ** 2 * (e2 - 2 * e1 + 0.5))              # second moment 1
    return alpha, lam


def test_selu_constants_solve_the_fixed_point():
    alpha, lam = _selu_constants()
    # the published digits (Klambauer et al. 2017, 32 significant digits) and the closed form agree ...
    assert alpha == pytest.approx(1.6732632423543772848170429916717, rel=1e-14)
    assert lam == pytest.approx(1.0507009873554804934193349852946, rel=1e-14)
    # ... and dlcore's SELU uses them to float64 precision
    assert dlcore.activations.zoo.SELU_ALPHA == pytest.approx(alpha, rel=1e-14)
    assert dlcore.activations.zoo.SELU_LAMBDA == pytest.approx(lam, rel=1e-14)
    y = SELU().f(np.array([1.0, -1.0, -50.0]))
    np.testing.assert_allclose(y, [lam, lam * alpha * (math.exp(-1) - 1), -lam * alpha], rtol=1e-14)
    # the fixed point itself: N(0,1) in -> mean 0, variance 1 out (by quadrature of dlcore's SELU)
    z = np.linspace(-10, 10, 200001)
    w = np.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (z[1] - z[0])
    y = SELU().f(z)
    assert abs(np.sum(w * y)) < 1e-6 and abs(np.sum(w * y * y) - 1) < 1e-6


def _Phi_quadrature(x: float) -> float:
    """The normal CDF without erf: Phi(-a) = phi(a) * int_0^inf exp(-a t - t^2/2) dt (a >= 0, Mills' ratio),
    by composite Gauss-Legendre quadrature on [0, 40]; Phi(x) = 1 - Phi(-x) for x > 0."""
    a = abs(x)
    nodes, weights = np.polynomial.legendre.leggauss(20)
    edges = np.linspace(0.0, 40.0, 401)
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    t = (mid[:, None] + half[:, None] * nodes[None, :]).ravel()
    wt = (half[:, None] * weights[None, :]).ravel()
    tail = math.exp(-a * a / 2) / math.sqrt(2 * math.pi) * float(np.sum(wt * np.exp(-a * t - t * t / 2)))
    return tail if x <= 0 else 1.0 - tail


def test_gaussian_cdf_against_quadrature_and_published_values():
    """Against a quadrature that never calls erf/erfc, relative accuracy even in the far left tail."""
    xs = np.array([-30.0, -8.0, -3.0, -1.0, -1e-3, 0.0, 0.5, 1.0, 2.5, 8.0])
    got = gaussian_cdf(xs)
    for x, g in zip(xs, got):
        assert g == pytest.approx(_Phi_quadrature(x), rel=1e-12, abs=0 if x <= 0 else 1e-15), x
    # reference values to 17 digits; Phi(-30) also follows from the asymptotic series of Mills' ratio,
    # phi(30) (1/30 - 1/30^3 + 3/30^5 - ...), Abramowitz & Stegun 26.2.12
    assert got[7] == pytest.approx(0.8413447460685429486, rel=1e-15)                 # Phi(1)
    assert got[2] == pytest.approx(0.0013498980316300945, rel=1e-14)                 # Phi(-3)
    assert got[1] == pytest.approx(6.2209605742717841e-16, rel=1e-12)                # Phi(-8)
    assert got[0] == pytest.approx(4.906713927148187e-198, rel=1e-12)                # Phi(-30): where 1 + erf = 0
    assert got[5] == 0.5


def test_gelu_values_and_tanh_approximation():
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    exact = GELU().f(x)
    assert exact[3] == pytest.approx(0.8413447460685429, abs=1e-15)
    approx = GELU("tanh").f(x)
    assert np.max(np.abs(exact - approx)) < 1e-3
    assert np.max(np.abs(exact - approx)) > 1e-6   # a genuinely different function
    for g in (GELU(), GELU("tanh")):
        assert check_module(g, np.linspace(-4, 4, 33).reshape(3, 11) + 1e-3, rng=0).passed(1e-7)


def test_softplus_stable_and_threshold():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is right
        y = softplus(x)
    assert y[2] == pytest.approx(math.log(2))
    assert y[-1] == 1000.0 and y[0] == 0.0
    sp = get_activation("softplus", beta=2.0, threshold=10)
    assert sp.f(np.array([6.0]))[0] == 6.0          # beta*x > threshold: returns x
    assert sp.f(np.array([1.0]))[0] == pytest.approx(0.5 * math.log1p(math.exp(2)))


def test_mish_natural_log_vs_log10():
    x = np.array([1.0])
    assert mish(x)[0] == pytest.approx(math.tanh(math.log(1 + math.e)), abs=1e-15)
    assert mish_log10(x)[0] == pytest.approx(math.tanh(math.log10(1 + math.e)), abs=1e-15)
    assert mish(x)[0] - mish_log10(x)[0] > 0.34
    assert "mish_log10" not in dlcore.ACTIVATIONS


def test_prelu_per_channel_gradient_and_shape_error():
    rng = np.random.default_rng(0)
    p = PReLU(n_channels=4, alpha=0.1)
    p.params["alpha"][:] = [0.1, 0.2, 0.3, 0.4]
    X = rng.standard_normal((6, 4))
    assert check_module(p, X, rng=1).passed(1e-7)
    Y = p.forward(X)
    assert np.allclose(Y[X < 0], (X * p.alpha)[X < 0])
    with pytest.raises(ValueError, match="4 channels but the input's last axis has 3"):
        p.forward(np.ones((2, 3)))
    # learning the slope: gradient descent on alpha moves it toward the data's slope
    target = np.where(X > 0, X, 0.5 * X)
    s = PReLU(alpha=0.0)
    for _ in range(200):
        Y = s.forward(X)
        s.backward(Y - target)
        s.params["alpha"] -= 0.05 * s.grads["alpha"] / len(X)
    assert s.alpha[0] == pytest.approx(0.5, abs=1e-3)


def test_rrelu_backward_uses_the_forward_slopes():
    r = RReLU(0.1, 0.3, rng=0)
    X = -np.abs(np.random.default_rng(1).standard_normal((5, 7))) - 0.1
    Y = r.forward(X, training=True)
    slopes = Y / X
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.01
    dX = r.backward(np.ones_like(Y))
    assert np.allclose(dX, slopes)
    # numerical check with the slopes frozen: the training-mode map is linear in X for X < 0
    assert np.allclose(r.backward(np.full_like(Y, 2.0)), 2 * slopes)
    # a new forward draws new slopes; eval uses the mean slope
    Y2 = r.forward(X, training=True)
    assert not np.allclose(Y2, Y)
    assert np.allclose(r.forward(X, training=False), 0.2 * X)
    assert np.allclose(r.backward(np.ones_like(Y)), 0.2)


def test_rrelu_same_seed_same_slopes():
    a, b = RReLU(rng=5), RReLU(rng=5)
    X = -np.ones((3, 3))
    assert np.array_equal(a.forward(X, training=True), b.forward(X, training=True))


def test_swish_learned_beta_gradient():
    s = Swish(beta=0.7, learn_beta=True)
    X = np.random.default_rng(3).standard_normal((5, 6)) * 2
    assert check_module(s, X, rng=2).passed(1e-7)
    assert Swish(beta=1.0).params == {}
    x = np.linspace(-3, 3, 7)
    assert np.allclose(get_activation("silu").f(x), x / (1 + np.exp(-x)))


def test_softmax_backward_is_the_full_jacobian_vector_product():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 5))
    for T in (1.0, 0.5, 3.0):
        sm = Softmax(temperature=T)
        S = sm.forward(z)
        assert np.allclose(S.sum(1), 1)
        g = rng.standard_normal(S.shape)
        dz = sm.backward(g)
        J = softmax_jacobian(z / T) / T
        assert np.allclose(dz, np.einsum("nij,ni->nj", J, g))
    # the Jacobian itself against finite differences
    z1 = rng.standard_normal(4)
    num = np.stack([numerical_gradient(lambda v, i=i: Softmax().f(v)[i], z1) for i in range(4)])
    assert rel_error(softmax_jacobian(z1), num) < 1e-8
    J = softmax_jacobian(z1)
    assert np.allclose(J, J.T) and np.allclose(J.sum(1), 0)


def test_all_functions_silent_over_a_dense_range():
    X = np.linspace(-1000, 1000, 4001)
    for n in dlcore.activation_names():
        act = get_activation(n, rng=0) if n == "rrelu" else get_activation(n)
        for dt in (np.float32, np.float64):
            with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
                warnings.simplefilter("error")
                y = act.forward(X.astype(dt)[None, :], training=False)
                d = act.backward(np.ones_like(y))
            assert np.all(np.isfinite(y)) and np.all(np.isfinite(d)) and y.dtype == dt, (n, dt)


# ---------------------------------------------------------------- derivatives derived by hand
def _sig(x):
    return 1 / (1 + math.exp(-x))


def _phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


# (name, params, x, f'(x) computed from the chapter's hand-derived formula with the math module)
HAND = [
    ("elu", {"alpha": 2.0}, -1.0, 2.0 * math.exp(-1.0)),                        # alpha e^x
    ("elu", {"alpha": 2.0}, 0.7, 1.0),
    ("selu", {}, -0.5, _selu_constants()[1] * _selu_constants()[0] * math.exp(-0.5)),  # lambda alpha e^x
    ("selu", {}, 0.5, _selu_constants()[1]),
    ("gelu", {}, 1.0, _Phi(1.0) + _phi(1.0)),                                   # Phi + x phi = 1.0833
    ("gelu", {}, -2.0, _Phi(-2.0) - 2.0 * _phi(-2.0)),
    ("gelu", {"approximate": "tanh"}, 1.0,
     0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * 1.044715))
     + 0.5 * (1 - math.tanh(math.sqrt(2 / math.pi) * 1.044715) ** 2) * math.sqrt(2 / math.pi) * (1 + 0.134145)),
    ("softplus", {"beta": 2.0}, 0.0, 0.5),                                      # sigma(beta x)
    ("softplus", {"beta": 3.0}, -1.0, _sig(-3.0)),
    ("swish", {"beta": 2.0}, 1.0, _sig(2.0) + 2.0 * _sig(2.0) * (1 - _sig(2.0))),
    ("swish", {"beta": 0.5}, -3.0, _sig(-1.5) - 1.5 * _sig(-1.5) * (1 - _sig(-1.5))),
    ("silu", {}, -1.278464542761074, 0.0),                                       # SiLU's minimum: f' = 0
    ("mish", {}, 0.0, math.tanh(math.log(2))),                                  # tanh(ln 2) = 0.6
    ("mish", {}, 1.0, math.tanh(math.log1p(math.e))
     + (1 - math.tanh(math.log1p(math.e)) ** 2) * _sig(1.0)),
    ("hard_sigmoid", {}, 2.9, 1 / 6), ("hard_sigmoid", {}, 3.1, 0.0),
    ("hard_tanh", {}, -0.99, 1.0), ("hard_tanh", {}, 1.01, 0.0),
    ("leaky_relu", {"slope": 0.2}, -4.0, 0.2), ("relu", {}, 0.0, 0.0),         # ReLU'(0) = 0: the convention
]


@pytest.mark.parametrize("name, params, x, want", HAND)
def test_derivative_matches_hand_derivation(name, params, x, want):
    got = get_activation(name, **params).derivative(np.array([x]))[0]
    assert got == pytest.approx(want, abs=1e-12), (name, params, x)


def test_mish_derivative_at_zero_is_tanh_ln2():
    """f'(0) = tanh(softplus(0)) = tanh(ln 2) = (2^2 - 1)/(2^2 + 1) = 3/5 exactly: dlcore's derivative, and central
    differences of dlcore's f (the chapter's "tanh ln2 = 0.6")."""
    act = get_activation("mish")
    assert act.derivative(np.array([0.0]))[0] == pytest.approx(0.6, abs=1e-15)
    h = 1e-5
    assert (act.f(np.array([h]))[0] - act.f(np.array([-h]))[0]) / (2 * h) == pytest.approx(0.6, abs=1e-9)


@pytest.mark.parametrize("name, params", [
    ("elu", {"alpha": 0.5}), ("elu", {"alpha": 2.0}), ("leaky_relu", {"slope": 0.3}),
    ("softplus", {"beta": 0.5}), ("softplus", {"beta": 4.0}), ("swish", {"beta": 0.3}), ("swish", {"beta": 3.0}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("mish", {}), ("selu", {}), ("silu", {}),
    ("hard_sigmoid", {}), ("hard_tanh", {}),
])
def test_derivative_matches_finite_differences_for_every_parameter(name, params):
    """The contract tests check the default parameters; here every parameter the chapter moves."""
    act = get_activation(name, **params)
    x = np.linspace(-7, 7, 94) + 0.0123              # no grid point on a kink (0, +-1, +-3)
    h = 1e-6
    num = (act.f(x + h) - act.f(x - h)) / (2 * h)
    assert np.max(np.abs(act.derivative(x) - num)) < 1e-7, (name, params)


def test_swish_limits_in_beta():
    x = np.linspace(-3, 3, 13)
    assert np.allclose(Swish(beta=0.0).f(x), x / 2)                               # beta = 0: x/2
    assert np.allclose(Swish(beta=50.0).f(x), np.maximum(x, 0), atol=1e-10)       # beta -> inf: ReLU
    with pytest.raises(ValueError, match="swish beta must be a finite number"):
        Swish(beta=float("nan"))


def test_zoo_is_split_into_pointwise_and_special_modules():
    from dlcore.activations import special, zoo
    for cls in (PReLU, RReLU, Softmax):
        assert cls.__module__ == "dlcore.activations.special"
    for cls in (ELU, GELU, SELU, LeakyReLU, Swish):
        assert cls.__module__ == "dlcore.activations.zoo"
    for mod in (special, zoo):
        n = len(open(mod.__file__).read().splitlines())
        assert n <= 300, (mod.__name__, n)
    assert dlcore.ACTIVATIONS["prelu"] is PReLU and dlcore.ACTIVATIONS["softmax"] is Softmax


def test_softmax_jacobian_with_temperature_against_finite_differences():
    z, T = np.array([0.3, -1.2, 2.0, 0.1]), 2.5
    sm = Softmax(temperature=T)
    num = np.stack([numerical_gradient(lambda v, i=i: sm.f(v)[i], z) for i in range(4)])
    s = sm.f(z)
    assert rel_error(softmax_jacobian(z / T) / T, num) < 1e-8          # (1/T) s_i (delta_ij - s_j)
    assert np.allclose(num, (np.diag(s) - np.outer(s, s)) / T, atol=1e-9)
