"""Chapter 09's claims, each over the five seeds of :data:`dlcore.experiments.common.SEEDS`, seed by
seed, with margins that are not knife-edge. The chapter's net: 64-100x4-10 ReLU, SGD lr 0.1, 300 steps
of 64, noisy BN with n_mu = 1, n_sigma = 2. Measured (seeds 0-4, Haswell) in each docstring."""
import numpy as np
import pytest

from dlcore.experiments import ics
from dlcore.experiments.common import CHANCE, SEEDS


@pytest.fixture(scope="module")
def relu():
    return ics.ics_runs()


@pytest.fixture(scope="module")
def sigmoid():
    return ics.ics_runs(activation="sigmoid", lr=0.5, checkpoints=())


def test_all_three_nets_train(relu):
    """Final validation accuracy: none 0.966 ± 0.007, BN 0.973 ± 0.003, noisy BN 0.967 ± 0.008."""
    for k in ics.NETS:
        assert np.all(relu[k]["val_acc"][:, -1] > 0.93), k
    assert abs(relu["noisy"]["val_acc"][:, -1].mean() - relu["batch"]["val_acc"][:, -1].mean()) < 0.03


def test_bn_reduces_the_drift_of_layer_inputs(relu):
    """W1 between the probe's layer inputs 20 steps apart, mean over the run, per layer:
    none [0.023, 0.050, 0.093, 0.144], BN [0.006, 0.009, 0.011, 0.014]; without BN it grows with depth."""
    d_none = np.nanmean(relu["none"]["drift"], axis=1)
    d_bn = np.nanmean(relu["batch"]["drift"], axis=1)
    assert np.all(2 * d_bn < d_none)
    assert np.all(np.diff(d_none, axis=1) > 0)                  # deeper layers drift more without BN


def test_noisy_bn_has_more_drift_than_no_bn(relu):
    """Noisy BN drift [0.50, 0.49, 0.44, 0.43]: more than no BN at every layer and seed, 30-80x BN's."""
    d = {k: np.nanmean(relu[k]["drift"], axis=1) for k in ics.NETS}
    assert np.all(d["noisy"] > 1.5 * d["none"])
    assert np.all(d["noisy"] > 10 * d["batch"])


def test_gradient_shift_with_and_without_bn(relu):
    """Santurkar's ICS, cos(G, G') mean over the run per layer: none [0.94, 0.70, 0.43, 0.20], BN [0.97,
    0.95, 0.96, 0.98], noisy BN [0.96, 0.92, 0.92, 0.96]; |G - G'|/|G|: none [0.43, 0.69, 0.86, 1.00],
    BN [0.25, 0.33, 0.34, 0.27]. Here BN makes the gradient shift smaller, and noisy BN (with far more
    distribution drift) keeps it almost as small as BN."""
    cos = {k: relu[k]["ics_cos"].mean(axis=1) for k in ics.NETS}
    rel = {k: relu[k]["ics_rel"].mean(axis=1) for k in ics.NETS}
    assert np.all(cos["batch"][:, 1:] > cos["none"][:, 1:] + 0.1)
    assert np.all(rel["batch"] < rel["none"])
    assert np.all(cos["noisy"][:, 1:] > cos["none"][:, 1:] + 0.1)
    assert np.all(rel["noisy"].mean(axis=1) < rel["none"].mean(axis=1))


def test_bn_smooths_the_landscape_along_the_gradient(relu):
    """Largest gradient change over the step sizes, at steps 0 / 100 / 300: none 9 / 31 / 21, BN 2.9 /
    0.17 / 0.03; loss range none 2.5 / 11 / 6, BN 1.7 / 0.04 / 0.003; largest beta none 14 / 22 / 25,
    BN 4.8 / 1.9 / 1.9."""
    n, b = relu["none"], relu["batch"]
    gd_n, gd_b = n["land_gdiff"].max(axis=2), b["land_gdiff"].max(axis=2)
    assert np.all(10 * gd_b[:, 1:] < gd_n[:, 1:])
    lr_n, lr_b = np.ptp(n["land_loss"], axis=2), np.ptp(b["land_loss"], axis=2)
    assert np.all(10 * lr_b[:, 1:] < lr_n[:, 1:])
    assert np.all(b["land_beta"].max(axis=2)[:, 1] * 3 < n["land_beta"].max(axis=2)[:, 1])


def test_sigmoid_net_trains_only_with_bn_noisy_or_not(sigmoid):
    """Sigmoid 64-100x4-10, lr 0.5: none at chance in 5 of 5 (0.100), BN 0.963 ± 0.010 (0.955-0.978), noisy BN
    0.94 ± 0.05 (0.852-0.969: its last-step accuracy scatters) with 20x the drift of no BN (0.167 vs 0.008)."""
    acc = {k: sigmoid[k]["val_acc"][:, -1] for k in ics.NETS}
    assert np.all(acc["none"] < CHANCE)
    assert np.all(acc["batch"] > 0.9) and np.all(acc["noisy"] > 0.75) and acc["noisy"].mean() > 0.9
    d = {k: np.nanmean(sigmoid[k]["drift"], axis=1).mean(axis=1) for k in ics.NETS}
    assert np.all(d["noisy"] > 3 * d["none"]) and np.all(d["noisy"] > 10 * d["batch"])


def test_measurements_leave_the_net_unchanged():
    X, y, _, _ = ics.digits_data()
    for kind in ics.NETS:
        net = ics.make_net(kind, rng=1)
        net.forward(X[:64], training=True)
        before = ics.snapshot(net)
        ics.gradient_shift(net, X[:64], y[:64], 0.1)
        ics.landscape(net, X[:64], y[:64], [0.1, 1.0])
        after = ics.snapshot(net)
        for (p0, b0), (p1, b1) in zip(before, after):
            assert all(np.array_equal(p0[k], p1[k]) for k in p0)
            assert all(np.array_equal(b0[k], b1[k]) for k in b0)


def test_gradient_shift_is_zero_without_an_update():
    X, y, _, _ = ics.digits_data()
    net = ics.make_net("batch", rng=2)
    r = ics.gradient_shift(net, X[:64], y[:64], 0.0)
    assert np.allclose(r["diff"], 0) and np.allclose(r["cos"], 1)
