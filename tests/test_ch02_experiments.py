"""Chapter 02's claims, asserted with numbers on fixed seeds (dlcore.experiments.gradients*)."""
import numpy as np
import pytest

from dlcore.experiments import gradients as ex
from dlcore.experiments import gradients_shape as exs


# ---------------------------------------------------------------- 1. per-layer speed (Nielsen ch. 5)
def test_earlier_layers_learn_slower_in_a_sigmoid_net():
    r = ex.layer_speeds(depth=5, width=30, activation="sigmoid", init="scaled", scale=1.0, seed=0)
    s = r["init_speed"]
    assert s.shape == (5,)
    assert np.all(s[1:] / s[:-1] > 2.0), s          # every layer back is at least 2x slower
    assert s[-1] / s[0] > 100                       # last hidden layer vs first: measured ~470x
    ratio_training = np.median(r["speed"][:, -1] / r["speed"][:, 0])
    assert ratio_training > 100                     # and it stays that way while training
    r1 = ex.layer_speeds(depth=5, width=30, activation="sigmoid", init="normal", seed=0)
    assert r1["init_speed"][-1] / r1["init_speed"][0] > 4   # N(0,1): still >= 4x (measured ~11x)


def test_layer_speed_errors():
    with pytest.raises(ValueError, match="unknown initialisation 'glorot'"):
        ex.layer_speeds(init="glorot")
    with pytest.raises(ValueError, match="depth must be >= 1"):
        ex.layer_speeds(depth=0)


# ---------------------------------------------------------------- 2. forward signal
@pytest.mark.parametrize("act,init,theory", [("relu", "he", 1.0), ("relu", "xavier", np.sqrt(0.5)),
                                             ("tanh", "small", 0.02 * np.sqrt(128))])
def test_measured_rms_factor_matches_theory(act, init, theory):
    r = ex.forward_signal(act, init, depth=30, width=128)
    assert r["theory_factor"] == pytest.approx(theory)
    assert r["measured_factor"] == pytest.approx(theory, rel=0.03)


def test_signal_saturates_with_unit_normal_and_dies_with_xavier_relu():
    r = ex.forward_signal("tanh", "normal")
    assert r["saturated"].mean() > 0.8
    assert ex.forward_signal("sigmoid", "normal")["saturated"].mean() > 0.5
    he, xa = ex.forward_signal("relu", "he"), ex.forward_signal("relu", "xavier")
    assert 0.5 < he["rms"][-1] / he["rms"][0] < 2
    assert xa["rms"][-1] < 1e-3 * xa["rms"][0]
    assert ex.forward_signal("tanh", "small")["rms"][-1] < 1e-15
    assert r["hist"].shape == (30, 60) and np.allclose((r["hist"] * np.diff(r["edges"])).sum(1), 1)


# ---------------------------------------------------------------- 3. products of Jacobians
def test_effective_rank_definition():
    assert ex.effective_rank(np.ones(7)) == pytest.approx(7)
    assert ex.effective_rank([3.0, 0, 0]) == pytest.approx(1)
    assert 1 < ex.effective_rank([1.0, 0.1, 0.01]) < 2
    with pytest.raises(ValueError, match="singular values >= 0"):
        ex.effective_rank([-1.0, 2.0])


def test_effective_rank_collapses_with_depth_faster_for_relu():
    er = {a: np.mean([ex.jacobian_product(a, depth=30, width=64, scale=sc, seed=s)["erank"] for s in range(3)], axis=0)
          for a, sc in (("tanh", 1.0), ("relu", np.sqrt(2)))}
    for a in er:
        assert er[a][0] > 3 * er[a][-1], a
        assert er[a][29] < er[a][9] < er[a][0]
    assert er["relu"][29] < 0.6 * er["tanh"][29]
    assert er["relu"][9] < er["tanh"][9]


def test_weight_scale_moves_the_product_from_vanishing_to_exploding():
    lo = ex.jacobian_product("tanh", depth=50, scale=0.5)["log10_norm"][-1]
    mid = ex.jacobian_product("tanh", depth=50, scale=1.0)["log10_norm"][-1]
    hi = ex.jacobian_product("tanh", depth=50, scale=4.0)["log10_norm"][-1]
    assert lo < -10 and abs(mid) < 2 and hi > 5


# ---------------------------------------------------------------- 4. exploding, clipping
def test_exploding_run_is_caught_and_clipping_keeps_it_stable():
    bad = ex.explode_and_clip("none", lr=0.1, init_scale=2.0)
    d = bad["divergence"]
    assert d is not None and 1 < d["step"] <= 10 and d["layer"].endswith("Linear")
    assert f"step {d['step']}" in d["message"]
    assert bad["grad_norm"][0] > 50
    for mode, th in (("norm", 1.0), ("value", 0.1)):
        good = ex.explode_and_clip(mode, th, lr=0.1, init_scale=2.0)
        assert good["divergence"] is None and good["val_acc"] > 0.8, mode
        assert good["grad_norm"][0] == pytest.approx(bad["grad_norm"][0], rel=1e-5)  # the same run
    norm = ex.explode_and_clip("norm", 1.0, lr=0.1, init_scale=2.0)
    assert np.all(norm["grad_norm_post"] <= 1.0 + 1e-6)


# ---------------------------------------------------------------- 5-7. shape and remedies
def test_residual_keeps_the_first_layer_alive():
    r = exs.residual_vs_plain(depth=20, width=32, activation="sigmoid", init="xavier")
    assert r["plain"]["grad_norms"][0] < 1e-10
    assert r["residual"]["grad_norms"][0] > 0.1
    assert r["residual"]["final_acc"] > r["plain"]["final_acc"] + 0.3


def test_width_for_params():
    for depth in (1, 2, 5):
        w = exs.width_for_params(6000, depth)
        assert abs(exs.n_params_mlp([64] + [w] * depth + [10]) - 6000) < 6000 * 0.05
    assert exs.n_params_mlp([64, 10]) == 650
    sizes = exs.shape_sizes("funnel 3 layers", 6000)
    assert sizes[1] > sizes[2] > sizes[3]


def test_shape_comparison_equal_budget():
    r = exs.shape_comparison()
    assert np.all(np.abs(r["n_params"] - 6000) < 300)
    m = dict(zip(r["shapes"], r["mean"]))
    assert m["8 layers"] < m["2 layers"] - 0.02          # here, deeper at equal budget is not better
    assert m["funnel 3 layers"] <= m["constant 3 layers"] + 0.01   # and a funnel does not win


def test_remedies_table():
    r = exs.remedies_table()
    m = dict(zip(r["remedies"], r["mean"]))
    base = m["baseline (sigmoid, N(0,1/n))"]
    assert base < 0.15
    assert m["clip by norm 1"] < 0.15                    # clipping does nothing for vanishing gradients
    assert m["L2 penalty 1e-3"] < 0.15                   # nor does a weight penalty
    assert m["ReLU + He"] > 0.85 and m["tanh + Xavier"] > 0.8
    assert m["residual"] > base + 0.3
