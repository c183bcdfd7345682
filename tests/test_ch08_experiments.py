"""Chapter 08's claims, asserted over seeds 0-4 with margins (the numbers the chapter prints)."""
import numpy as np
import pytest

from dlcore.experiments.common import SEEDS, over_seeds
from dlcore.experiments.dropout_ensemble import (matched_l2, mc_depth_sweep, noisy_cost, rate_sweep, scaling_check,
                                                 subnetworks)
from dlcore.experiments.regularisation import DECAYS, METHODS, adam_decay, compare_methods, reg_run
from dlcore.experiments.regularisation_capacity import capacity_sweep, data_sweep, random_features_sweep


@pytest.fixture(scope="module")
def methods():
    return compare_methods()


def test_big_mlp_on_noisy_digits_every_regulariser_helps(methods):
    none = methods["none"]["val_acc"]
    assert methods["none"]["train_acc"].min() > 0.9            # it memorises most of the wrong labels
    for m in ("L2", "dropout", "max-norm", "early stopping", "dropout + max-norm", "dropout + early stopping"):
        assert methods[m]["val_acc"].mean() > none.mean() + 0.03, m
    assert methods["L1"]["val_acc"].mean() > none.mean() + 0.01
    # dropout beats no regulariser on every seed, by 2 points or more, on seeds 5-9 too
    assert np.all(methods["dropout"]["val_acc"] - none > 0.02)
    more = compare_methods(("none", "dropout"), seeds=(5, 6, 7, 8, 9))
    assert np.all(more["dropout"]["val_acc"] - more["none"]["val_acc"] > 0.02)
    # augmentation at equal steps gains little against wrong labels; trained 3x longer it loses
    aug, aug3 = methods["augmentation"]["val_acc"], methods["augmentation, 3x steps"]["val_acc"]
    assert none.mean() - 0.01 < aug.mean() < none.mean() + 0.04
    assert aug3.mean() < none.mean() and np.all(aug3 < aug)
    assert methods["augmentation, 3x steps"]["train_acc"].min() > 0.98       # it memorises all the wrong labels


def test_weights_l1_sparse_l2_small_maxnorm_bounded(methods):
    none = methods["none"]
    assert np.all(methods["L1"]["w_small"] > 3 * none["w_small"])
    assert np.all(methods["L2"]["w1_norm"] < 0.8 * none["w1_norm"])
    assert np.all(methods["max-norm"]["w1_norm"] <= np.sqrt(128) * 1.0 + 1e-3)
    assert np.all(methods["early stopping"]["best_epoch"] < 80)
    # early stopping chose on the first half of the validation digits; on the untouched half it still helps
    assert methods["early stopping"]["test_acc"].mean() > methods["none"]["test_acc"].mean() + 0.01
    assert methods["none"]["w_hist"].shape == (5, 60)


def test_capacity_and_data_size():
    c = capacity_sweep()
    ve, te = c["val_err"].mean(1), c["train_err"].mean(1)
    w = list(c["widths"])
    assert te[w.index(2)] > 0.2 and ve[w.index(2)] > 0.3          # under-fit
    assert np.all(te[w.index(32):] < 0.01) and np.all(ve[w.index(32):] < 0.08)
    d = data_sweep()
    dv = d["val_err"].mean(1)
    assert dv[0] > 0.25 and dv[-1] < 0.06 and np.all(np.diff(dv) < 0.01)


def test_double_descent_random_features_least_squares():
    r = random_features_sweep()
    f, ve, te = list(r["features"]), r["val_err"].mean(1), r["train_err"].mean(1)
    peak = max(ve[f.index(200)], ve[f.index(220)])
    assert f[int(np.argmax(ve))] in (200, 220)                      # the peak sits at n = 200 training digits
    assert peak > 2 * ve[f.index(100)] and peak > 2 * ve[f.index(400)]
    assert ve[-1] < ve[f.index(100)]                                  # far past it, better than the best below
    assert np.all(te[f.index(200):] == 0)                             # interpolates from N = n on


def test_sgd_nets_do_not_reach_the_interpolation_peak():
    c = capacity_sweep(label_noise=0.2)
    ve = c["val_err"].mean(1)
    w = list(c["widths"])
    big = ve[w.index(16):]
    assert np.all(big < ve[-1] + 0.05)                              # within the seed spread of the widest
    assert c["train_err"].mean(1)[-1] < 0.02                         # the widest interpolates the noisy labels


def test_rate_sweep_hidden_and_input():
    h = rate_sweep("hidden")
    m = h["val_acc"].mean(1)
    p = list(h["p"])
    assert m[p.index(0.5)] > m.max() - 0.02
    assert m[p.index(0.0)] < m.max() - 0.05 and m[p.index(0.8)] < m.max() - 0.05
    i = rate_sweep("input")
    mi = i["val_acc"].mean(1)
    pi = list(i["p"])
    assert max(mi[pi.index(0.2)], mi[pi.index(0.3)], mi[pi.index(0.4)]) > mi.max() - 0.01
    assert mi[pi.index(0.8)] < mi.max() - 0.05
    s = subnetworks(256, h["p"])
    assert s["p"][np.argmax(s["log2_typical"])] == 0.5 and np.all(s["log2_all"][1:] == 256)


def test_weight_scaling_vs_monte_carlo_gap_grows_with_depth():
    r = mc_depth_sweep()
    d = list(r["depths"])
    tv = r["tv"].mean(1)
    assert tv[d.index(4)] > tv[d.index(1)] + 0.05 and np.all(np.diff(tv) > 0)
    assert np.all(r["agree"][:3] > 0.95)
    for k in range(3):                                             # depths 1-3: same accuracy within 2 points
        assert abs(r["acc_mc"][k, :, -1].mean() - r["acc_ws"][k].mean()) < 0.02
    assert np.all(r["acc_mc"][:, :, 0] < r["acc_ws"] - 0.03)         # one sampled net is worse than either
    assert np.all(r["loss_ws"].mean(1) < r["loss_mc"][:, :, -1].mean(1) - 0.05)   # the scaled net is more confident
    # most of the gap is geometric vs arithmetic mean: weight scaling stays close to the geometric mean
    assert np.all(r["tv_ws_ngm"] < 0.07) and np.all(r["tv_ws_ngm"] < 0.4 * r["tv_ngm_am"])
    assert np.all(np.abs(r["acc_ngm"] - r["acc_ws"]) < 0.03)


def test_dropout_vs_matched_l2():
    r = matched_l2()
    drop, l2, none = r["dropout"], r["l2"], r["none"]
    assert abs(drop["val_acc"].mean() - l2["val_acc"].mean()) < 0.03
    assert np.all(drop["w_norm"] > 0.9 * none["w_norm"])             # the total norm is mostly the init
    assert np.all(l2["w_norm"] < 0.6 * none["w_norm"])
    # the output layer, which receives dropped units, shrinks under dropout on every seed
    assert np.all(drop["w_norms"][:, -1] < 0.9 * none["w_norms"][:, -1])
    assert np.all(l2["w_norms"] < none["w_norms"])
    assert np.all(drop["act_zero"] > none["act_zero"] + 0.08)         # it sparsifies the activations
    assert np.all(l2["act_zero"] < drop["act_zero"] - 0.15)
    assert np.all(drop["act_mean"] < 0.6 * none["act_mean"])


def test_noisy_cost_curve_and_the_recipe():
    on = over_seeds(noisy_cost, p=0.5)
    off = over_seeds(noisy_cost, p=0.0)
    assert np.all(on["rises"] > 0.3) and np.all(off["rises"] == 0)
    assert np.all(on["clean_rises"] < 0.1)


def test_classic_dropout_scaling():
    r = over_seeds(scaling_check)
    assert np.all(np.abs(r["train_mean"] / r["eval_mean"] - 1) < 0.05)
    assert np.all(np.abs(r["acc_right"] - r["acc_none"]) < 0.03)
    assert np.all(r["loss_inverse"] > r["loss_right"] + 0.3)


def test_l2_in_adam_is_not_weight_decay():
    res = {m: over_seeds(adam_decay, mode=m, lam=1e-4) for m in DECAYS}
    assert np.all(res["L2 in Adam"]["rms_dead"] < 0.2)              # tiny lambda, yet the unused weights vanish
    assert np.all(res["AdamW"]["rms_dead"] > 0.99) and np.all(res["none"]["rms_dead"] > 0.999)


def test_augmentation_gains_nothing_on_the_clean_centred_digits():
    none = over_seeds(reg_run, label_noise=0.0)["val_acc"].mean()
    # at equal steps (three times the images, a third of the epochs)
    rot = over_seeds(reg_run, label_noise=0.0, augment_copies=2, shift=0, max_angle=5.0, epochs=34)["val_acc"].mean()
    both = over_seeds(reg_run, label_noise=0.0, augment_copies=2, shift=1, max_angle=10.0, epochs=34)["val_acc"].mean()
    assert abs(rot - none) < 0.01 and both < none + 0.01


def test_input_dropout_shrinks_softmax_regression_weights():
    none = over_seeds(reg_run, label_noise=0.2, hidden=())
    drop = over_seeds(reg_run, label_noise=0.2, hidden=(), p_input=0.5)
    assert np.all(drop["w_norm"] < none["w_norm"]) and drop["w_norm"].mean() < 0.85 * none["w_norm"].mean()
    assert abs(drop["val_acc"].mean() - none["val_acc"].mean()) < 0.02
