"""Chapter 10's experiments besides the search table: convolution arithmetic (checked against dlcore's
Conv2d and pooling layers), the irrelevant-axis demo, the recipe's pass/fail signals and transfer,
each claim over seeds 0-4 (or 10 seeds for the cheap search demo) with a margin."""
import numpy as np
import pytest

from dlcore.conv import AvgPool2d, Conv2d, MaxPool2d, conv_output_size
from dlcore.experiments import conv_arith as ca
from dlcore.experiments import recipe as rc
from dlcore.experiments import search_toy as st
from dlcore.experiments.common import SEEDS, over_seeds, pm


@pytest.mark.parametrize("W,F,S,P", [(5, 3, 2, 0), (6, 3, 2, 0), (7, 2, 2, 0), (28, 5, 1, 2), (8, 3, 3, 1),
                                     (32, 3, 2, 1), (9, 4, 3, 0)])
def test_output_size_floor_is_what_a_layer_computes_on_the_covered_input(W, F, S, P):
    o = ca.output_size(W, F, S, P)
    assert o["exact"] == (W - F + 2 * P) / S + 1 and o["whole"] == (o["uncovered"] == 0)
    # floor: the same as dlcore's strict layer on the input with the uncovered rows cut off
    Wc = W - o["uncovered"]
    assert conv_output_size(Wc, F, S, P) == o["out"]
    X = np.random.default_rng(0).normal(size=(1, 2, Wc, Wc))
    assert Conv2d(2, 3, F, S, P, rng=0).forward(X).shape == (1, 3, o["out"], o["out"])
    if o["whole"]:
        assert ca.output_size(W, F, S, P, "strict")["out"] == o["out"] == ca.output_size(W, F, S, P, "ceil")["out"]
    else:
        with pytest.raises(ValueError):
            ca.output_size(W, F, S, P, "strict")
        assert o["out"] <= ca.output_size(W, F, S, P, "ceil")["out"] <= o["out"] + 1


def test_uncovered_rows_of_the_padded_input_and_lost_input_rows():
    """W 32, F 5, S 2, P 1: padded indices 0..33, windows start at 0, 2, ..., 28 (15 windows), the last
    covers 28..32; the one index never reached is 33, the right padding zero: no input row is lost.
    With P = 0 (W 28, F 3, S 2) the uncovered row is an input row."""
    o = ca.output_size(32, 5, 2, 1)
    assert o["out"] == 15 and o["uncovered"] == 1 and o["lost"] == 0
    assert (o["out"] - 1) * 2 + 5 - 1 == 32                   # the last window ends on the last input row
    o = ca.output_size(28, 3, 2, 0)
    assert o["out"] == 13 and o["uncovered"] == o["lost"] == 1
    assert ca.output_size(10, 4, 3, 1)["uncovered"] == 2 and ca.output_size(10, 4, 3, 1)["lost"] == 1
    # the notes' 7x7x3 example: 3x3 output with stride 2 and padding 1 only if 7 is the already padded 5
    assert ca.output_size(5, 3, 2, 1)["out"] == 3 and ca.output_size(7, 3, 2, 1)["out"] == 4
    assert ca.output_size(7, 3, 2, 0)["out"] == 3


def test_ceil_applies_to_pooling_only_and_same_padding():
    conv = [dict(kind="conv", F=3, S=2, P=1)]
    assert ca.stack(conv, W=28, mode="ceil")["size"].tolist() == ca.stack(conv, W=28)["size"].tolist() == [28, 14]
    assert ca.stack([dict(kind="conv", F=3, S=2)], W=28, mode="ceil")["size"].tolist() == [28, 13]
    assert ca.stack([dict(kind="max", F=2, S=2)], W=7, mode="ceil")["size"].tolist() == [7, 4]
    # TF/Keras "same": ceil(W / S); at stride 1 and odd F, P = (F - 1)/2 on each side keeps the size
    for F in (3, 5, 7):
        s = ca.same_padding(28, F, 1)
        assert s["out"] == 28 and s["left"] == s["right"] == (F - 1) // 2
        assert ca.output_size(28, F, 1, (F - 1) // 2)["out"] == 28
    assert ca.same_padding(28, 3, 2) == {"out": 14, "left": 0, "right": 1}
    assert ca.same_padding(224, 11, 4)["out"] == 56 and ca.output_size(224, 11, 4)["exact"] == 54.25


def test_ceil_mode_cases_as_pytorch():
    """PyTorch's pooling with ceil_mode=True rounds up unless the last window would start beyond the input
    and its left padding: W 7, F 2, S 2: 3.5 -> 4; W 6, F 3, S 2, P 1: 3.5 -> 4 (start 6 < W + P = 7);
    W 5, F 2, S 2, P 1: 3.5 -> 3 (start 6 = W + P: dropped); W 8, F 3, S 3, P 1: 3.33 -> 3."""
    assert ca.output_size(7, 2, 2, 0, "ceil")["out"] == 4
    assert ca.output_size(6, 3, 2, 1, "ceil")["out"] == 4
    assert ca.output_size(5, 2, 2, 1, "ceil")["out"] == 3
    assert ca.output_size(8, 3, 3, 1, "ceil")["out"] == 3
    with pytest.raises(ValueError):
        ca.output_size(3, 5, 1, 0)


def test_parameter_counts_match_the_layer():
    assert ca.conv_params(3, 2, 3) == 56                         # the notes' example: (3*3*3 + 1) * 2
    for c_in, c_out, F in ((1, 8, 3), (8, 16, 5), (3, 64, 7)):
        layer = Conv2d(c_in, c_out, F, rng=0)
        assert ca.conv_params(c_in, c_out, F) == sum(p.size for p in layer.params.values())


def test_receptive_field_is_where_the_gradient_reaches():
    """Conv 3x3 -> avg 2x2 s2 -> conv 3x3 -> avg 2x2 s2 -> conv 5x5 on 30x30: the input pixels on which one
    output unit depends (nonzero gradient, positive weights) span rf x rf = 26 x 26, starting where
    ``start`` and ``jump`` say."""
    layers = [dict(kind="conv", F=3, C=2), dict(kind="avg", F=2, S=2), dict(kind="conv", F=3, C=2),
              dict(kind="avg", F=2, S=2), dict(kind="conv", F=5, C=1)]
    s = ca.stack(layers, W=30, C=1)
    mods = []
    for L, c_in in zip(layers, s["channels"][:-1]):
        if L["kind"] == "conv":
            m = Conv2d(int(c_in), L["C"], L["F"], L.get("S", 1), L.get("P", 0), rng=0)
            m.params["W"][...] = 1.0
            mods.append(m)
        else:
            mods.append(AvgPool2d(L["F"], L["S"]))
    X = np.random.default_rng(0).normal(size=(1, 1, 30, 30))
    for m in mods:
        X = m.forward(X)
    assert X.shape[-1] == s["size"][-1]
    d = np.zeros_like(X)
    d[0, 0, 1, 1] = 1.0
    for m in reversed(mods):
        d = m.backward(d)
    rows = np.flatnonzero(np.abs(d[0, 0]).sum(1) > 0)
    assert rows.max() - rows.min() + 1 == s["rf"][-1] == 26 and s["size"][-1] == 2
    assert rows.min() == s["start"][-1] + s["jump"][-1] * 1 - s["rf"][-1] / 2 == 4     # unit 1's field


def test_stack_of_3x3_convs_grows_rf_by_2_and_params_like_a_5x5():
    one = ca.stack([dict(kind="conv", F=5, C=16)], W=32, C=16)
    two = ca.stack([dict(kind="conv", F=3, C=16)] * 2, W=32, C=16)
    assert one["rf"][-1] == two["rf"][-1] == 5 and one["size"][-1] == two["size"][-1] == 28
    assert two["n_params"] == 2 * (9 * 16 + 1) * 16 < one["n_params"] == (25 * 16 + 1) * 16


def test_pooling_a_digit():
    r = ca.pool_digit(0)
    x = r["image"]
    assert r["max"].shape == r["avg"].shape == (4, 4)
    assert r["max"][1, 2] == x[2:4, 4:6].max() and np.isclose(r["avg"][1, 2], x[2:4, 4:6].mean())
    assert np.all(r["max"] >= r["avg"]) and r["max"].sum() > r["avg"].sum()
    assert np.allclose(MaxPool2d(2).forward(x[None, None])[0, 0], r["max"])


def test_random_beats_grid_when_one_axis_is_irrelevant():
    """9 trials, peak at x=0.62 (width 0.06): the 3x3 grid tries 3 values of x (best 0.39); random search
    0.79 ± 0.26 over 10 seeds, better than the grid in 9 of 10; TPE 0.92 ± 0.09."""
    r = st.irrelevant_axis(9)
    assert r["grid_distinct_x"] == 3 and r["grid_best"] < 0.5
    assert (r["random_best"] > r["grid_best"]).sum() >= 8 and r["tpe_best"].mean() > r["random_best"].mean()


def test_random_beats_grid_over_peak_positions():
    """The peak placed uniformly in [0, 1] (20 000 placements): grid 0.61, random 0.78 on average; random
    better in 69 % of placements; best > 0.9 in 20 % (grid) vs 46 % (random)."""
    r = st.over_peaks()
    g, q = r["grid_best"], r["random_best"]
    assert np.allclose(r["grid_x"], [1 / 6, 1 / 2, 5 / 6])
    assert q.mean() > g.mean() + 0.1 and 0.6 < (q > g).mean() < 0.8
    assert (q > 0.9).mean() > 2 * (g > 0.9).mean() * 0.9


def test_initial_loss_check():
    """He init: 2.60 ± 0.20 (ratio ~1.1 to ln 10, passes in 5 of 5); N(0, 1) init: 225 ± 96, fails in 5 of 5."""
    he, normal = over_seeds(rc.initial_loss, init="he"), over_seeds(rc.initial_loss, init="normal")
    assert he["passed"].all() and np.all(np.abs(he["ratio"] - 1) < 0.5)
    assert not normal["passed"].any() and np.all(normal["ratio"] > 10)


def test_overfit_tiny_subset():
    """20 digits, 300 full-batch Adam steps: loss < 1e-3 and all right in 5 of 5; with every ReLU dead
    (bias -10) the loss stays at ~2.0 (acc 0.2) and the check fails in 5 of 5."""
    ok, dead = over_seeds(rc.overfit_tiny), over_seeds(rc.overfit_tiny, bias=-10.0)
    assert ok["passed"].all() and np.all(ok["loss"] < 0.01)
    assert not dead["passed"].any() and np.all(dead["loss"] > 1.5) and np.all(dead["acc"] < 0.5)


def test_lr_range_test_then_scale_up():
    """Minimum of the smoothed loss at lr 0.04-0.12 (seeds 0-4); a tenth of it, 4e-3-1.2e-2, trains to
    val. acc. ~0.95 in 10 epochs; 1e-4 (too small) 0.68 ± 0.07 and 1e-1 0.81 ± 0.08."""
    r = over_seeds(rc.lr_range_test)
    assert np.all((r["lr_min_loss"] > 0.01) & (r["lr_min_loss"] < 0.5)), r["lr_min_loss"]
    good = np.array([rc.scale_up(lr=float(lr), rng=s)["val_acc"] for lr, s in zip(r["suggested"], SEEDS)])
    small = over_seeds(rc.scale_up, lr=1e-4)["val_acc"]
    assert np.all(good > 0.92) and np.all(good > small + 0.1), (pm(good), pm(small))


def test_transfer_frozen_features_lose_to_scratch_here():
    """Digits 5-9 from 5 examples each (seeds 0-4): scratch 0.886 ± 0.034, frozen features of a 0-4 net
    0.72 ± 0.04 (lower in 5 of 5), only the first layer copied and frozen 0.83 ± 0.05 (between the two),
    fine-tuned 0.88 ± 0.04."""
    s, t, f, one = (over_seeds(rc.transfer, mode=m)["acc"] for m in ("scratch", "transfer", "finetune", "first"))
    assert np.all(t < s - 0.05) and abs(f.mean() - s.mean()) < 0.05
    assert t.mean() + 0.05 < one.mean() < s.mean() - 0.02 and (one < s).sum() >= 4
    assert rc.transfer(mode="first")["trainable"] == 64 * 64 + 64 + 64 * 5 + 5
    with pytest.raises(ValueError):
        rc.transfer(mode="last")


def test_range_test_suggestion_against_adams_default():
    """Seeds 0-4, 10 epochs: Adam's default 1e-3 0.959 ± 0.007, the range test's suggestion about the same
    (0.958 ± 0.010): the range test finds the scale of the rate, it does not beat a good default."""
    r = over_seeds(rc.lr_range_test)
    good = np.array([rc.scale_up(lr=float(lr), rng=s)["val_acc"] for lr, s in zip(r["suggested"], SEEDS)])
    default = over_seeds(rc.scale_up, lr=1e-3)["val_acc"]
    assert abs(good.mean() - default.mean()) < 0.02 and np.all(default > 0.93)
