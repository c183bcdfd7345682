"""Chapter 09's claims, each over the five seeds of :data:`dlcore.experiments.common.SEEDS`, seed by
seed, with margins that are not knife-edge. The chapter's net: 64-100x4-10 ReLU, SGD lr 0.1, 300 steps
of 64, noisy BN with n_mu = 1, n_sigma = 2. Measured (seeds 0-4, Haswell) in each docstring."""
import numpy as np

from dlcore.experiments import ics
from dlcore.experiments.common import CHANCE, SEEDS


def test_all_three_nets_train(ch09_runs):
    """Final validation accuracy: none 0.966 ± 0.007, BN 0.973 ± 0.003, noisy BN 0.967 ± 0.008."""
    for k in ics.NETS:
        assert np.all(ch09_runs[k]["val_acc"][:, -1] > 0.93), k
    assert abs(ch09_runs["noisy"]["val_acc"][:, -1].mean() - ch09_runs["batch"]["val_acc"][:, -1].mean()) < 0.03


def test_bn_reduces_the_drift_of_layer_inputs(ch09_runs):
    """W1 between the probe's layer inputs 20 steps apart, mean over the run, per layer:
    none [0.023, 0.050, 0.093, 0.144], BN [0.006, 0.009, 0.011, 0.014]; without BN it grows with depth."""
    d_none = np.nanmean(ch09_runs["none"]["drift"], axis=1)
    d_bn = np.nanmean(ch09_runs["batch"]["drift"], axis=1)
    assert np.all(2 * d_bn < d_none)
    assert np.all(np.diff(d_none, axis=1) > 0)                  # deeper layers drift more without BN


def test_noisy_bn_has_more_drift_than_no_bn(ch09_runs):
    """Noisy BN drift [0.50, 0.49, 0.44, 0.43]: more than no BN at every layer and seed, 30-80x BN's."""
    d = {k: np.nanmean(ch09_runs[k]["drift"], axis=1) for k in ics.NETS}
    assert np.all(d["noisy"] > 1.5 * d["none"])
    assert np.all(d["noisy"] > 10 * d["batch"])


def test_gradient_shift_with_and_without_bn(ch09_runs):
    """Santurkar's ICS, cos(G, G') mean over the run per layer: none [0.94, 0.70, 0.43, 0.20], BN [0.97,
    0.95, 0.96, 0.98], noisy BN with its draw frozen [0.96, 0.92, 0.92, 0.96]; |G - G'|/|G|: none [0.43,
    0.69, 0.86, 1.00], BN [0.25, 0.33, 0.34, 0.27]. Here BN makes the gradient shift smaller; noisy BN's
    parameter-update part of it (draw frozen) is almost as small as BN's."""
    cos = {k: ch09_runs[k]["ics_cos"].mean(axis=1) for k in ics.NETS}
    rel = {k: ch09_runs[k]["ics_rel"].mean(axis=1) for k in ics.NETS}
    assert np.all(cos["batch"][:, 1:] > cos["none"][:, 1:] + 0.1)
    assert np.all(rel["batch"] < rel["none"])
    assert np.all(cos["noisy"][:, 1:] > cos["none"][:, 1:] + 0.1)
    assert np.all(rel["noisy"].mean(axis=1) < rel["none"].mean(axis=1))


def test_bn_smooths_the_landscape_along_the_gradient(ch09_runs):
    """Largest gradient change over the step sizes, at steps 0 / 100 / 300: none 9 / 31 / 21, BN 2.9 /
    0.17 / 0.03; loss range none 2.5 / 11 / 6, BN 1.7 / 0.04 / 0.003; largest beta none 14 / 22 / 25,
    BN 4.8 / 1.9 / 1.9. Beta ratio none / BN at step 100 per seed: 8-16 (Haswell, Sandybridge, Prescott: 6.9-16;
    seeds 5-9: 2.8-14.5)."""
    n, b = ch09_runs["none"], ch09_runs["batch"]
    gd_n, gd_b = n["land_gdiff"].max(axis=2), b["land_gdiff"].max(axis=2)
    assert np.all(10 * gd_b[:, 1:] < gd_n[:, 1:])
    lr_n, lr_b = np.ptp(n["land_loss"], axis=2), np.ptp(b["land_loss"], axis=2)
    assert np.all(10 * lr_b[:, 1:] < lr_n[:, 1:])
    ratio = n["land_beta"].max(axis=2)[:, 1] / b["land_beta"].max(axis=2)[:, 1]
    assert np.all(ratio > 2) and ratio.mean() > 5


def _at(runs, step):
    return list(runs["batch"]["rec_steps"][0]).index(step)


def test_relu_bn_is_faster_and_noisy_bn_keeps_only_part_of_it(ch09_runs):
    """Accuracy at step 40: none 0.826 ± 0.026 (0.811-0.872), BN 0.944 ± 0.006 (0.939-0.953), noisy 0.86 ± 0.04;
    seeds 5-9 (Prescott, review): none 0.74 ± 0.11, BN 0.940 ± 0.017, noisy 0.88 ± 0.05."""
    i = _at(ch09_runs, 40)
    acc = {k: ch09_runs[k]["val_acc"][:, i] for k in ics.NETS}
    assert np.all(acc["batch"] > acc["none"] + 0.04)
    assert acc["noisy"].mean() < acc["batch"].mean() - 0.03


def test_sigmoid_net_trains_only_with_bn_noisy_or_not(ch09_sigmoid):
    """Sigmoid 64-100x4-10, lr 0.5: none at chance in 5 of 5 (0.100; seeds 5-9 0.097-0.195), BN 0.963 ± 0.010
    (0.955-0.978), noisy BN 0.94 ± 0.05 (0.852-0.969: its last-step accuracy scatters) with 20x the drift of no
    BN (0.167 vs 0.008). Step 40: noisy 0.90 ± 0.05 (min 0.836; seeds 5-9 0.916 ± 0.029), BN 0.921 ± 0.026, none
    0.113 (max 0.159); step 100: noisy 0.958 ± 0.008 (min 0.944), BN 0.962 ± 0.013."""
    acc = {k: ch09_sigmoid[k]["val_acc"][:, -1] for k in ics.NETS}
    assert np.all(acc["none"] < 0.25)
    early = {k: ch09_sigmoid[k]["val_acc"][:, _at(ch09_sigmoid, 40)] for k in ics.NETS}
    assert np.all(early["none"] < 0.25) and np.all(early["noisy"] > 0.75)
    assert early["noisy"].mean() > early["batch"].mean() - 0.08
    assert np.all(ch09_sigmoid["noisy"]["val_acc"][:, _at(ch09_sigmoid, 100)] > 0.9)
    assert np.all(acc["batch"] > 0.9) and np.all(acc["noisy"] > 0.75) and acc["noisy"].mean() > 0.9
    d = {k: np.nanmean(ch09_sigmoid[k]["drift"], axis=1).mean(axis=1) for k in ics.NETS}
    assert np.all(d["noisy"] > 3 * d["none"]) and np.all(d["noisy"] > 10 * d["batch"])


def test_large_learning_rate_trains_only_with_bn_noisy_or_not():
    """ReLU net at lr 1.0, step 300: none 0.12 ± 0.04 (chaotic: 0.100-0.198 over the four kernels), BN 0.969 ± 0.014 (min 0.944), noisy BN
    0.953 ± 0.018 (min 0.930); seeds 5-9: none 0.097-0.131, BN min 0.964, noisy min 0.877 (Haswell) / 0.905
    (Prescott)."""
    fast = ics.ics_runs(lr=1.0, every=100, checkpoints=())
    acc = {k: fast[k]["val_acc"][:, -1] for k in ics.NETS}
    assert np.all(acc["none"] < 0.3) and np.all(acc["batch"] > 0.9) and np.all(acc["noisy"] > 0.8)


def test_noisy_bn_with_the_papers_per_activation_noise_trains_the_sigmoid_net():
    """Sigmoid, lr 0.5, per_sample noise: 0.955 ± 0.009 at step 100, 0.955 ± 0.008 at step 300 (min 0.942)."""
    acc = ics.ics_runs(kinds=("noisy",), activation="sigmoid", lr=0.5, every=100, checkpoints=(),
                       per_sample=True)["noisy"]["val_acc"]
    assert np.all(acc[:, 1:] > 0.9)


def test_noisy_bn_gradient_shift_with_a_fresh_draw(ch09_runs):
    """cos(G, G') of noisy BN, mean over the run, per layer: frozen draw [0.957, 0.924, 0.923, 0.960], fresh
    draw [0.170, 0.161, 0.186, 0.33]; no BN [0.936, 0.70, 0.43, 0.20]. With the noise redrawn, as the next
    training step sees it, noisy BN's gradients turn more than no BN's at layers 2-4."""
    fresh = ch09_runs["noisy"]["ics_cos_fresh"].mean(axis=1)
    frozen = ch09_runs["noisy"]["ics_cos"].mean(axis=1)
    assert np.all(fresh < 0.6) and np.all(fresh < frozen - 0.4)
    assert np.all(fresh.mean(0)[:3] < ch09_runs["none"]["ics_cos"].mean(axis=1).mean(0)[:3])
    assert np.array_equal(ch09_runs["batch"]["ics_cos_fresh"], ch09_runs["batch"]["ics_cos"])


def test_measurements_leave_the_net_unchanged():
    X, y, _, _ = ics.digits_data()
    for kind in ics.NETS:
        net = ics.make_net(kind, rng=1)
        net.forward(X[:64], training=True)
        before = ics.snapshot(net)
        noisy = [m for m in net.modules() if hasattr(m, "redraw")]
        start = [m.rng.bit_generator.state for m in noisy]
        ics.gradient_shift(net, X[:64], y[:64], 0.1)
        after = [m.rng.bit_generator.state for m in noisy]
        for m, st in zip(noisy, start):
            m.rng.bit_generator.state = st
        ics.gradient_shift(net, X[:64], y[:64], 0.1, fresh=True)      # the fresh draws are put back
        assert after == [m.rng.bit_generator.state for m in noisy]
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
