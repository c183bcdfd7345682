"""Chapter 03: the claims the chapter makes, asserted with numbers on fixed seeds."""
import numpy as np
import pytest

from dlcore.experiments import activations as ex


# ---------------------------------------------------------------- properties
def test_properties_read_off_numerically():
    p = {n: ex.properties(n) for n in ex.ZOO}
    assert p["sigmoid"]["max_abs_df"] == pytest.approx(0.25, abs=1e-6)
    assert p["tanh"]["max_abs_df"] == pytest.approx(1.0, abs=1e-6)
    assert p["tanh"]["zero_centred"] and not p["sigmoid"]["zero_centred"] and not p["relu"]["zero_centred"]
    assert p["selu"]["zero_centred"] and abs(p["selu"]["mean_normal"]) < 1e-6
    for n in ("gelu", "swish", "silu", "mish"):
        assert not p[n]["monotonic"], n
    for n in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "hard_tanh"):
        assert p[n]["monotonic"], n
    assert p["tanh"]["identity_near_0"] and p["relu"]["identity_near_0"] and not p["sigmoid"]["identity_near_0"]
    assert (p["sigmoid"]["limit_left"], p["sigmoid"]["limit_right"]) == (0.0, 1.0)
    assert p["elu"]["limit_left"] == pytest.approx(-1.0)
    assert p["tanh"]["saturated"].any() and not p["relu"]["saturated"].any()
    # the true range, not the limits: GELU, Swish and Mish dip below 0 (hence non-monotonic)
    assert p["gelu"]["range_min"] == pytest.approx(-0.16997, abs=1e-4) and p["gelu"]["limit_left"] == 0.0
    assert p["swish"]["range_min"] == pytest.approx(-0.27846, abs=1e-4)
    assert p["mish"]["range_min"] == pytest.approx(-0.30884, abs=1e-4)
    assert p["selu"]["range_min"] == pytest.approx(-1.7581, abs=1e-4)
    assert p["leaky_relu"]["range_min"] == -np.inf and p["relu"]["range_max"] == np.inf
    assert (p["tanh"]["range_min"], p["tanh"]["range_max"]) == (-1.0, 1.0)
    assert p["hard_sigmoid"]["max_abs_df"] == pytest.approx(1 / 6)
    assert p["tanh"]["mean_normal"] == 0.0          # exactly 0.0, not -1e-17 (no "-0.000" in the table)
    assert p["selu"]["df0"] == pytest.approx(1.0507, abs=1e-4) and not p["selu"]["identity_near_0"]
    assert len(ex.properties_table(["relu", "tanh"])) == 2
    with pytest.raises(ValueError, match="lo < hi"):
        ex.properties("relu", lo=1, hi=0)
    with pytest.raises(ValueError, match="not pointwise"):
        ex.properties("softmax")
    with pytest.raises(ValueError, match="unknown activation"):
        ex.properties("relu6")


# ---------------------------------------------------------------- why nonlinear
def test_linear_stack_is_one_matrix_and_cannot_fit_moons():
    r = ex.why_nonlinear("moons", "tanh", depth=3, width=16, seed=0)
    assert r["W_product"].shape == (2, 2)
    assert r["max_diff_stack_vs_matrix"] < 1e-5          # float32 rounding only
    assert r["acc_linear"] < 0.90 and r["acc_nonlinear"] > 0.97
    s = ex.why_nonlinear("spirals", "tanh", seed=0)
    assert s["acc_linear"] < 0.4 and s["acc_nonlinear"] > 0.9
    with pytest.raises(ValueError, match="dataset must be"):
        ex.why_nonlinear("circles")


def test_collapse_refuses_nonlinear_layers():
    from dlcore import mlp
    with pytest.raises(ValueError, match="not linear"):
        ex.collapse_linear(mlp([2, 3, 2], "tanh", rng=0))


# ---------------------------------------------------------------- dead ReLUs
def test_large_lr_kills_relus_and_they_stay_dead():
    ok = ex.dead_relu("relu", lr=0.3)
    assert ok["inactive"][-1].max() < 0.1 and ok["acc"] > 0.95
    # sparsity is not death: ~45% of activations are 0, yet under 5% of the units are 0 on every image
    assert 0.4 < ok["zero_fraction"][-1].mean() < 0.5 and ok["inactive"][-1].mean() < 0.05
    bad = ex.dead_relu("relu", lr=1.0)
    assert bad["inactive"][0].max() < 0.1               # alive at the start
    assert bad["inactive"][-1].min() > 0.9 and bad["acc"] < 0.11                # 91% dead, chance accuracy
    assert bad["zero_fraction"][-1].min() > 0.99


def test_negative_bias_init_kills_relus_elu_recovers():
    relu = ex.dead_relu("relu", lr=0.3, bias=-1.0)
    assert relu["inactive"][0, 1] == 1.0 and relu["inactive"][-1, 1] == 1.0   # dead from step 0, forever
    assert np.all(relu["inactive"][:, 0] == relu["inactive"][0, 0]) and 0.5 < relu["inactive"][0, 0] < 0.6
    assert relu["acc"] < 0.15
    elu = ex.dead_relu("elu", lr=0.3, bias=-1.0)
    assert elu["inactive"][0, 1] > 0.5 and elu["inactive"][-1, 1] < 0.1       # same start, units come back
    assert elu["acc"] > 0.95


def test_leaky_relu_keeps_learning_at_large_lr():
    leaky = ex.dead_relu("leaky_relu", lr=1.0)
    relu = ex.dead_relu("relu", lr=1.0)
    assert leaky["acc"] > relu["acc"] + 0.4
    assert 0.6 < leaky["acc"] < 0.7                  # learns, though it does not reach the lr 0.3 accuracy
    # at bias -1 the default slope 0.01 is alive but too small to help in 300 steps; 0.1 rescues
    assert ex.dead_relu("leaky_relu", lr=0.3, bias=-1.0, slope=0.01)["acc"] < 0.15
    assert ex.dead_relu("leaky_relu", lr=0.3, bias=-1.0, slope=0.1)["acc"] > 0.9
    big = ex.dead_relu("leaky_relu", lr=1.0, slope=0.1)
    assert big["diverged"] and len(big["loss"]) < 100 and np.isnan(big["acc"])
    g = ex.dead_relu_grid(("relu", "elu"), lrs=(0.3,), biases=(0.0, -1.0))
    assert g["inactive"].shape == (2, 1, 2) and g["acc"][1, 0, 1] > g["acc"][0, 0, 1] + 0.5


# ---------------------------------------------------------------- speed, tanh vs sigmoid
def test_tanh_trains_faster_than_sigmoid():
    r = ex.training_speed(("sigmoid", "tanh", "relu"), seeds=(0, 1), steps=400)
    hits = r["steps_to_target"]
    assert np.all(hits[0] == -1)              # sigmoid never reaches 90% in 400 steps
    assert np.all((hits[1] > 0) & (hits[1] <= 80)) and np.all((hits[2] > 0) & (hits[2] <= 80))
    assert np.all(r["final_acc"][0] < 0.7) and np.all(r["final_acc"][1] > 0.97)
    assert r["loss"].shape == (3, 400) and r["loss"][1, -1] < r["loss"][0, -1] / 4


def test_both_causes_matter_derivative_bound_and_centring():
    r = ex.sigmoid_factorial(seeds=(0, 1), steps=400)
    med = np.median(r["steps_to_target"], axis=1)   # misses count as 410
    plain, centred, steep, both, tanh = med
    assert plain == 410 and centred == 410           # slope 1/4: no 90% in 400 steps, centred or not
    assert steep < 300                               # slope 1 alone helps
    assert both < steep / 3                          # centring on top: 3x faster again
    assert abs(both - tanh) <= 30                    # 4 sigmoid - 2 = 2 tanh(x/2) behaves like tanh
    acc = r["final_acc"].mean(1)
    assert acc[1] > acc[0]                           # centring helps at slope 1/4 too


def test_zigzag_all_positive_inputs_same_sign_updates():
    pos, cen = ex.zigzag(centred=False), ex.zigzag(centred=True)
    assert pos["same_sign"] == 1.0
    assert cen["same_sign"] < 0.85
    assert pos["steps_to_01"] > 3 * cen["steps_to_01"] > 0


# ---------------------------------------------------------------- saturation
def test_saturation_depends_on_init():
    big = ex.saturation_over_training("tanh", "normal", std=1.0)
    good = ex.saturation_over_training("tanh", "xavier")
    assert big["saturated"].shape[1] == 3
    assert big["saturated"][0, 1] > 0.5 and good["saturated"][0].max() < 0.01
    assert big["saturated"][-1].min() > big["saturated"][0].min()            # it gets worse, not better
    assert good["saturated"].max() < 0.01 and big["acc"] < good["acc"] - 0.03
    # std of z = sqrt(sum x_i^2): ~3.9 on the images, ~7.3 behind 64 tanh units near +-1
    assert 3.5 < big["z_std"][0] < 4.5 and np.all(big["z_std"][1:] > 7) and np.all(good["z_std"] < 0.5)
    relu = ex.saturation_over_training("relu", "he", steps=20)
    assert np.all(np.isnan(relu["saturated"]))
    # per activation, same N(0,1) weights: hard tanh saturates most and learns worst; sigmoid least
    ht, sg = (ex.saturation_over_training(a, "normal") for a in ("hard_tanh", "sigmoid"))
    assert ht["saturated"][0].min() > 0.8 and ht["acc"] < 0.8
    assert sg["saturated"][0].max() < big["saturated"][0].min() + 0.01 and sg["acc"] > 0.85
    assert ex.saturation_over_training("sigmoid", "xavier")["acc"] < 0.15
    # an unbounded function with N(0,1) weights blows up at once: reported, not an IndexError
    elu = ex.saturation_over_training("elu", "normal")
    assert elu["diverged"] and elu["saturated"].shape == (0, 3) and np.isnan(elu["acc"])


# ---------------------------------------------------------------- softmax
def test_softmax_temperature_and_overflow():
    r = ex.softmax_temperature([1.0, 2.0, 3.0], [0.5, 1.0, 5.0])
    assert np.all(np.diff(r["entropy"]) > 0)
    assert r["probs"][0, 2] > 0.85 and r["probs"][2].max() < 0.45
    assert np.allclose(r["jacobians"].sum(-1), 0)
    o = ex.softmax_overflow([1, 10, 30, 100], dtype=np.float32)
    assert o["naive_ok"].tolist() == [True, True, False, False]
    assert np.all(np.isfinite(o["stable"])) and np.allclose(o["stable"].sum(1), 1)
    o64 = ex.softmax_overflow([100, 300], dtype=np.float64)
    assert o64["naive_ok"].tolist() == [True, False]


# ---------------------------------------------------------------- errata
def test_mish_log10_erratum_values():
    r = ex.mish_errata(points=(1.0, 5.0))
    assert r["right_at"][0] == pytest.approx(0.865098, abs=1e-6)
    assert r["wrong_at"][0] == pytest.approx(0.515611, abs=1e-6)
    assert r["max_abs_diff"] > 0.4
