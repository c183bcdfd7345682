import numpy as np
import pytest

from dlcore import init


@pytest.mark.parametrize("name, kwargs, var", [
    ("normal", {"std": 1.0}, lambda i, o: 1.0),
    ("normal", {"std": 0.02}, lambda i, o: 0.02 ** 2),
    ("uniform", {"a": 0.3}, lambda i, o: 0.09 / 3),
    ("scaled_normal", {"scale": 2.0}, lambda i, o: 4.0 / i),
    ("xavier_uniform", {}, lambda i, o: 2.0 / (i + o)),
    ("xavier_normal", {}, lambda i, o: 2.0 / (i + o)),
    ("he_uniform", {}, lambda i, o: 2.0 / i),
    ("he_normal", {}, lambda i, o: 2.0 / i),
    ("lecun_normal", {}, lambda i, o: 1.0 / i),
    ("lecun_uniform", {}, lambda i, o: 1.0 / i),
])
def test_empirical_variance_matches_formula(name, kwargs, var):
    n_in, n_out = 400, 300
    W = init.get_init(name, **kwargs)((n_in, n_out), n_in, n_out, rng=np.random.default_rng(0))
    assert W.shape == (n_in, n_out)
    assert abs(W.mean()) < 4 * np.sqrt(var(n_in, n_out) / W.size)
    assert W.var() == pytest.approx(var(n_in, n_out), rel=0.02)
    assert init.init_variance(name, n_in, n_out, **kwargs) == pytest.approx(var(n_in, n_out))


def test_uniform_bounds_and_constant():
    W = init.he_uniform((50, 50), 50, 50, rng=1)
    assert np.abs(W).max() <= np.sqrt(6 / 50)
    assert np.all(init.constant((3, 2), value=0.5) == 0.5)


def test_determinism_and_dtype():
    a = init.xavier_normal((5, 4), 5, 4, rng=np.random.default_rng(3), dtype=np.float32)
    b = init.xavier_normal((5, 4), 5, 4, rng=np.random.default_rng(3), dtype=np.float32)
    assert a.dtype == np.float32 and np.array_equal(a, b)


def test_errors():
    with pytest.raises(ValueError, match="unknown initialiser 'kaiming'.*known:.*he_normal"):
        init.get_init("kaiming")
    with pytest.raises(ValueError, match="fan_in and fan_out must be positive"):
        init.he_normal((2, 2), 0, 2, rng=0)
    with pytest.raises(TypeError, match="global RNG"):
        init.normal((2, 2), rng=None)
