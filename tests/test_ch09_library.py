"""Chapter 09's library pieces: the noisy batch norm layer and the two distribution distances, against
hand-computed values (the contract test covers NoisyBatchNorm1d's gradients in evaluation mode)."""
import numpy as np
import pytest

from dlcore import BatchNorm1d, InvalidArgument, check_module
from dlcore.noisy_norm import NoisyBatchNorm1d, gaussian_kl, noisy_bn_mlp, wasserstein1
from dlcore.norm_nets import norm_mlp


def test_wasserstein_hand_values():
    assert wasserstein1([0, 1], [1, 2]) == pytest.approx(1.0)          # a shift by 1 moves all mass by 1
    assert wasserstein1([0], [0, 3]) == pytest.approx(1.5)             # half the mass moves by 3
    assert wasserstein1([0, 0, 0, 3], [0, 3]) == pytest.approx(0.75)   # |F_a - F_b| = 1/4 over [0, 3]
    assert wasserstein1([3, 1, 2], [2, 3, 1]) == 0.0                   # order does not matter
    assert wasserstein1([0, 4], [1, 1]) == pytest.approx(2.0)          # (1 + 3) / 2
    a = np.array([[0.0, 5.0], [1.0, 5.0]])
    b = np.array([[1.0, 5.0], [2.0, 7.0]])
    assert np.allclose(wasserstein1(a, b), [1.0, 1.0])                 # one distance per column


def test_wasserstein_unequal_sizes_matches_the_quantile_formula():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(30), rng.standard_normal(45) + 0.5
    q = (np.arange(90) + 0.5) / 90                                     # 90 is a multiple of 30 and 45
    ref = np.mean(np.abs(np.sort(a)[(q * 30).astype(int)] - np.sort(b)[(q * 45).astype(int)]))
    assert wasserstein1(a, b) == pytest.approx(ref, rel=1e-12)


def test_gaussian_kl_hand_values():
    # N(1, 1) vs N(2, 1): (mu_a - mu_b)^2 / 2 = 0.5
    assert gaussian_kl([0, 2], [1, 3]) == pytest.approx(0.5, abs=1e-9)
    # N(1, 1) vs N(2, 4): ln 2 + (1 + 1)/8 - 1/2
    assert gaussian_kl([0, 2], [0, 4]) == pytest.approx(np.log(2) - 0.25, abs=1e-9)
    assert gaussian_kl([1, 2, 3], [3, 2, 1]) == pytest.approx(0.0, abs=1e-9)
    # blind to shape: a two-point and a Gaussian sample with the same mean and variance are "the same"
    g = np.random.default_rng(1).standard_normal(100000)
    assert gaussian_kl([-1, 1], (g - g.mean()) / g.std()) == pytest.approx(0.0, abs=1e-9)
    assert wasserstein1(np.repeat([-1.0, 1.0], 50000), (g - g.mean()) / g.std()) > 0.2


def test_distances_refuse_mismatched_columns():
    with pytest.raises(InvalidArgument):
        wasserstein1(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(InvalidArgument):
        gaussian_kl(np.zeros((3, 2)), np.zeros((4, 3)))


def _pair(rng=0):
    bn = BatchNorm1d(5)
    nb = NoisyBatchNorm1d(5, rng=rng)
    X = np.random.default_rng(3).normal(2.0, 3.0, (16, 5))
    return bn, nb, X


def test_noisy_bn_is_bn_in_evaluation_and_scaled_shifted_bn_in_training():
    bn, nb, X = _pair()
    assert np.array_equal(bn.forward(X, training=False), nb.forward(X, training=False))
    y, yn = bn.forward(X, training=True), nb.forward(X, training=True)
    s, c = nb.noise
    assert np.allclose(yn, y * s + c)
    assert np.all((s >= 1 / nb.n_sigma) & (s <= nb.n_sigma))
    assert not np.allclose(nb.forward(X, training=True), yn)             # a new draw every pass
    bn.forward(X, training=True)
    assert np.allclose(bn.buffers["running_mean"], nb.buffers["running_mean"])   # running stats of x, not y'


def test_noisy_bn_noise_statistics():
    """Scales log-uniform in [1/r, r] (median 1), shifts centred on 0 over steps."""
    nb = NoisyBatchNorm1d(200, rng=1)
    draws = [nb.draw() for _ in range(400)]
    s = np.concatenate([d[0] for d in draws])
    c = np.concatenate([d[1] for d in draws])
    assert abs(np.median(np.log(s))) < 0.02 and s.min() >= 0.5 and s.max() <= 2.0
    assert abs(c.mean()) < 0.1 and 0.5 < c.std() < 1.0           # U(-1, 1) mean plus N(0, 0.5^2): sd 0.76
    step_means = np.array([d[1].mean() for d in draws])
    assert step_means.std() > 0.4                                  # the distribution itself moves each step


def test_noisy_bn_gradient_with_a_frozen_draw():
    nb = NoisyBatchNorm1d(4, rng=2)
    X = np.random.default_rng(4).standard_normal((6, 4))
    nb.forward(X, training=True)
    nb.redraw = False
    assert check_module(nb, X, rng=1, training=True).passed(1e-6)


def test_noisy_bn_mlp_has_the_bn_nets_weights():
    a = norm_mlp([8, 6, 6, 3], "relu", norm="batch", rng=5)
    b = noisy_bn_mlp([8, 6, 6, 3], "relu", rng=5)
    assert [type(l).__name__ for l in b.layers].count("NoisyBatchNorm1d") == 2
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        assert np.array_equal(p.data, q.data)


def test_noisy_bn_refuses_bad_settings():
    with pytest.raises(InvalidArgument):
        NoisyBatchNorm1d(3, n_sigma=0.5, rng=0)
    with pytest.raises(InvalidArgument):
        NoisyBatchNorm1d(3, n_mu=-1, rng=0)


def test_noisy_bn_per_sample_draws_one_scale_and_shift_per_activation():
    X = np.random.default_rng(0).standard_normal((6, 4))
    per_unit, per_sample = NoisyBatchNorm1d(4, rng=3), NoisyBatchNorm1d(4, rng=3, per_sample=True)
    per_unit.forward(X, training=True)
    per_sample.forward(X, training=True)
    assert per_unit.noise[0].shape == (4,) and per_sample.noise[0].shape == (6, 4)
    assert len(np.unique(per_sample.noise[0][:, 0])) == 6          # different for every sample
    per_sample.redraw = False
    s = per_sample.noise[0].copy()
    per_sample.forward(X[:3], training=True)                        # another batch size: a new draw
    assert per_sample.noise[0].shape == (3, 4)
    Y = per_sample.forward(X[:3], training=True)
    assert np.allclose(per_sample.backward(np.ones_like(Y)), per_sample.backward(np.ones_like(Y)))
    assert s.shape == (6, 4) and "per_sample=True" in repr(per_sample)
