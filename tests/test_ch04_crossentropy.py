"""Chapter 04: the derived gradients, the single-neuron experiment, stability, CE as a cost."""
import math

import numpy as np
import pytest

from dlcore import bce_with_logits, quadratic, softmax_cross_entropy
from dlcore.experiments import crossentropy as ex
from dlcore.gradcheck import numerical_gradient, rel_error


# ----------------------------------------------------------------- derivations
def test_every_derived_gradient_matches_finite_differences():
    errs = ex.check_derivations(rng=0)
    assert len(errs) == 7
    for name, e in errs.items():
        assert e < 1e-7, name
    for seed in (1, 2, 3):
        assert max(ex.check_derivations(rng=seed).values()) < 1e-7


def test_neuron_gradients_by_hand_at_nielsens_bad_start():
    # a = sigma(4) for w = b = 2, x = 1, y = 0
    a = 1 / (1 + math.exp(-4))
    dw_q, db_q = ex.neuron_grads(2.0, 2.0, 1.0, 0.0, "quadratic")
    dw_ce, db_ce = ex.neuron_grads(2.0, 2.0, 1.0, 0.0, "cross_entropy")
    assert dw_q == pytest.approx(a * a * (1 - a), rel=1e-12)
    assert dw_ce == pytest.approx(a, rel=1e-12)
    assert db_q == dw_q and db_ce == dw_ce          # x = 1
    # the cross-entropy gradient is 1/sigma'(z) = 56x larger here
    assert dw_ce / dw_q == pytest.approx(1 / (a * (1 - a)), rel=1e-12)
    assert dw_ce / dw_q > 56


def test_derived_neuron_formulas_agree_with_dlcore_losses():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=7), rng.uniform(0, 1, size=7)
    w, b = 0.7, -0.3
    z = (w * x + b)[:, None]
    # bce_with_logits: dL/dz = (sigma(z) - y)/n  ->  dC/dw = sum x * dL/dz
    _, dz = bce_with_logits(z, y[:, None])
    assert ex.neuron_grads(w, b, x, y, "cross_entropy")[0] == pytest.approx(float(np.sum(dz[:, 0] * x)), rel=1e-12)
    loss, _ = bce_with_logits(z, y[:, None])
    assert float(ex.neuron_cost(w, b, x, y, "cross_entropy")) == pytest.approx(loss, rel=1e-12)
    a = 1 / (1 + np.exp(-z))
    lq, _ = quadratic(a, y[:, None])
    assert float(ex.neuron_cost(w, b, x, y, "quadratic")) == pytest.approx(lq, rel=1e-12)


def test_softmax_ce_gradient_is_p_minus_y_and_matches_dlcore():
    z = np.array([2.0, 1.0, 0.1])
    y = np.array([0.0, 1.0, 0.0])
    g = ex.softmax_ce_grad(z, y)
    p = np.exp(z) / np.exp(z).sum()
    assert np.allclose(g, p - y, atol=1e-15)
    assert g.sum() == pytest.approx(0.0, abs=1e-15)
    loss, dZ = softmax_cross_entropy(z[None, :], np.array([1]))
    assert np.allclose(dZ[0], g, atol=1e-15)
    assert ex.softmax_ce(z, y) == pytest.approx(loss, rel=1e-12)
    num = numerical_gradient(lambda v: ex.softmax_ce(v, y), z)
    assert rel_error(g, num) < 1e-8
    with pytest.raises(ValueError, match="sums to"):
        ex.softmax_ce_grad(z, np.array([1.0, 1.0, 0.0]))


def test_softmax_with_quadratic_cost_also_saturates():
    # confidently wrong: the CE gradient is ~1, the quadratic one through softmax is ~e^-10
    z, y = np.array([10.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    ce = np.linalg.norm(ex.softmax_ce_grad(z, y))
    q = np.linalg.norm(ex.softmax_quadratic_grad(z, y))
    assert ce > 1.4 and q < 1e-3 and ce / q > 1000


# ----------------------------------------------------------------- single neuron
def test_nielsen_starting_outputs():
    assert ex.train_neuron(0.6, 0.9, 0.15, 300, "quadratic")["output"][0] == pytest.approx(0.82, abs=0.005)
    assert ex.train_neuron(2.0, 2.0, 0.15, 300, "quadratic")["output"][0] == pytest.approx(0.98, abs=0.005)


def test_quadratic_cost_plateaus_from_the_saturated_start():
    r = ex.train_neuron(2.0, 2.0, 0.15, 300, "quadratic")
    s = ex.plateau_stats(r, first=50)
    assert s["drop_first"] < 0.02            # < 2 % of the cost gone after 50 epochs (measured 1.2 %)
    assert r["output"][50] > 0.97            # still saturated
    assert s["half_epoch"] > 200             # half the cost gone only after ~212 epochs
    assert r["output"][-1] < 0.25            # ... but it does get there eventually


def test_cross_entropy_learns_at_once_from_the_same_start():
    r = ex.train_neuron(2.0, 2.0, 0.15, 300, "cross_entropy")
    s = ex.plateau_stats(r, first=50)
    assert s["drop_first"] > 0.95
    assert s["half_epoch"] <= 10             # measured 8
    q = ex.plateau_stats(ex.train_neuron(2.0, 2.0, 0.15, 300, "quadratic"))
    assert s["initial_slope"] > 1000 * q["initial_slope"]
    # Nielsen used eta = 0.005 for CE: 30x smaller, still starts 100x faster than quadratic at 0.15
    s5 = ex.plateau_stats(ex.train_neuron(2.0, 2.0, 0.005, 300, "cross_entropy"))
    assert s5["initial_slope"] > 100 * q["initial_slope"]


def test_quadratic_plateau_grows_about_e_fold_with_saturation_ce_does_not():
    z0s = (1, 2, 3, 4, 5, 6)
    half = {c: [ex.plateau_stats(ex.train_neuron(z / 2, z / 2, 0.15, 3000, c))["half_epoch"] for z in z0s]
            for c in ex.COSTS}
    q, c = np.array(half["quadratic"]), np.array(half["cross_entropy"])
    assert list(q) == [22, 40, 89, 212, 535, 1395]                 # measured
    growth = q[1:] / q[:-1]
    assert (np.diff(growth) > 0).all() and 2.5 < growth[-1] < np.e   # climbs towards e
    assert c.max() <= 11 and (np.diff(c) <= 2).all()                # CE: ~1 epoch more per unit of z0


def test_good_start_learns_with_both_costs():
    for cost in ex.COSTS:
        s = ex.plateau_stats(ex.train_neuron(0.6, 0.9, 0.15, 300, cost))
        assert s["half_epoch"] is not None and s["half_epoch"] < 40


def test_train_neuron_is_cached_read_only_and_validates():
    r = ex.train_neuron(1.0, 1.0, 0.1, 20, "quadratic")
    assert r is ex.train_neuron(1.0, 1.0, 0.1, 20, "quadratic")
    assert all(len(v) == 21 for v in r.values())
    with pytest.raises(ValueError):
        r["w"][0] = 3.0
    with pytest.raises(ValueError, match="cost"):
        ex.train_neuron(cost="hinge")
    with pytest.raises(ValueError, match="epochs"):
        ex.train_neuron(epochs=0)
    with pytest.raises(ValueError, match="eta"):
        ex.train_neuron(eta=-1.0)


def test_path_matches_formulas_step_by_step():
    r = ex.train_neuron(2.0, 2.0, 0.15, 3, "cross_entropy")
    for t in range(3):
        dw, db = ex.neuron_grads(r["w"][t], r["b"][t], 1.0, 0.0, "cross_entropy")
        assert r["w"][t + 1] == pytest.approx(r["w"][t] - 0.15 * dw, rel=1e-14)
        assert r["b"][t + 1] == pytest.approx(r["b"][t] - 0.15 * db, rel=1e-14)


# ----------------------------------------------------------------- landscape
def test_cost_surface_plateau_vs_slope():
    q = ex.cost_surface("quadratic", n=41)
    c = ex.cost_surface("cross_entropy", n=41)
    assert q["cost"].shape == (41, 41)
    # one example: the cost depends on w + b only (contours are lines)
    assert q["cost"][10, 30] == pytest.approx(q["cost"][30, 10], abs=1e-12)
    # at (w, b) = (4, 4) the quadratic surface is flat (slope ~ 1e-4), CE still slopes ~ 1
    g_q = np.hypot(*ex.neuron_grads(4.0, 4.0, cost="quadratic"))
    g_c = np.hypot(*ex.neuron_grads(4.0, 4.0, cost="cross_entropy"))
    assert g_q < 5e-4 and g_c > 1.4
    assert q["cost"].max() <= 0.5 and c["cost"].max() > 8


# ----------------------------------------------------------------- stability
def test_naive_softmax_ce_returns_nan_when_exp_overflows():
    r = ex.ce_stability([1.0, 50.0, 100.0, 300.0], target=0, dtype=np.float32)
    assert r["fails"]["naive"] == 100.0 and r["nan"]["naive"]
    assert r["fails"]["logsumexp"] is None
    r64 = ex.ce_stability([300.0, 709.0, 710.0], target=0)
    assert r64["fails"]["naive"] == 710.0 and r64["nan"]["naive"]


def test_naive_ce_is_nan_only_when_the_true_class_has_the_overflowing_logit():
    # exp(89) = inf in float32 (ln max = 88.72): inf/inf = NaN for the largest logit's class,
    # finite/inf = 0 -> -ln 0 = inf for any other class
    s = np.arange(1.0, 301.0)
    r0 = ex.ce_stability(s, target=0, dtype=np.float32)
    r1 = ex.ce_stability(s, target=1, dtype=np.float32)
    assert r0["fails"]["naive"] == 89.0 and np.isnan(r0["naive"][88:]).all()
    assert r1["fails"]["naive"] == 89.0 and np.isinf(r1["naive"][88:]).all() and not r1["nan"]["naive"]
    assert np.isfinite(r0["naive"][:88]).all() and np.isfinite(r1["naive"][:88]).all()
    # shifting removes the overflow, not the underflow of p_1 = e^-s / (...) below 1.4e-45 = e^-103.3
    assert r0["fails"]["shifted"] is None and r1["fails"]["shifted"] == 104.0
    assert r1["fails"]["logsumexp"] is None
    assert np.allclose(r1["logsumexp"], r1["exact"], rtol=1e-6)          # = s + ln(1 + e^-s + e^-2s)
    r64 = ex.ce_stability(np.arange(1.0, 1001.0), target=1)
    assert r64["fails"]["naive"] == 710.0 and r64["fails"]["shifted"] == 746.0


def test_probability_ce_is_inf_when_the_true_class_underflows():
    for dt, ok, bad in ((np.float32, 50.0, 60.0), (np.float64, 300.0, 400.0)):
        r = ex.ce_stability([ok, bad], target=2, dtype=dt)
        assert r["fails"]["naive"] == bad and r["fails"]["shifted"] == bad
        assert np.all(np.isinf(r["shifted"][1:]))
        assert r["fails"]["logsumexp"] is None
        assert np.allclose(r["logsumexp"], r["exact"], rtol=1e-6)


def test_bce_from_probabilities_overflows_but_from_logits_does_not():
    r = ex.bce_stability([5.0, 36.0, 40.0, 300.0], y=0.0)
    assert np.isfinite(r["naive"][:2]).all() and np.isinf(r["naive"][2:]).all()
    assert np.allclose(r["logits"][2:], [40.0, 300.0])
    r32 = ex.bce_stability([16.0, 20.0], y=0.0, dtype=np.float32)
    assert np.isfinite(r32["naive"][0]) and np.isinf(r32["naive"][1])


# ----------------------------------------------------------------- CE as a cost
def test_bce_is_non_negative_and_small_only_when_right_and_confident():
    a = np.linspace(0.001, 0.999, 999)
    t = ex.bce_table(a, [0.0, 1.0])
    assert (t > 0).all()
    assert t[0, 0] < 0.0011 and t[1, -1] < 0.0011       # right and confident
    assert t[0, -1] > 6.9 and t[1, 0] > 6.9              # confidently wrong
    # soft target: the minimum is the entropy of y (not 0), at a = y
    s = ex.bce_table(a, [0.3])[0]
    assert a[np.argmin(s)] == pytest.approx(0.3, abs=1e-3)
    assert s.min() == pytest.approx(-(0.3 * np.log(0.3) + 0.7 * np.log(0.7)), abs=1e-6)
    with pytest.raises(ValueError):
        ex.bce_table([0.0], [1.0])


def test_log_is_negative_on_01_but_defined_beyond():
    # the erratum: log's domain is (0, inf); it is negative on (0, 1), which is why -log >= 0
    assert np.log(2.0) > 0 and np.log(0.5) < 0


def test_min_cross_entropy_is_max_likelihood():
    ps = np.linspace(0.01, 0.99, 99)
    r = ex.coin_likelihood(7, 10, ps)
    assert r["p_best"] == pytest.approx(0.7)
    assert np.allclose(r["ce"], r["nll"], atol=1e-12)
    assert np.argmax(r["likelihood"]) == np.argmin(r["ce"])


def test_cross_entropy_is_entropy_plus_kl():
    y = np.array([0.7, 0.2, 0.1])
    d = ex.kl_decomposition(y, np.array([1.0, 0.5, -1.0]))
    assert d["cross_entropy"] == pytest.approx(d["entropy"] + d["kl"], abs=1e-12)
    assert d["kl"] > 0
    d0 = ex.kl_decomposition(y, np.log(y))
    assert d0["kl"] == pytest.approx(0.0, abs=1e-12)
    onehot = ex.kl_decomposition(np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.5, -1.0]))
    assert onehot["entropy"] == 0.0 and onehot["cross_entropy"] == pytest.approx(onehot["kl"])


# ----------------------------------------------------------------- errata
def test_notes_softmax_formula_is_constant():
    z = np.array([3.0, 1.0, -3.0])
    assert np.allclose(ex.notes_softmax(z), 1 / 3)
    p = np.exp(z) / np.exp(z).sum()
    assert np.allclose(p, [0.8789, 0.1189, 0.0022], atol=1e-4)   # not [0.05, 0.10, 0.85]


def test_softmax_of_two_classes_is_the_sigmoid():
    assert ex.softmax_two_class_is_sigmoid(np.linspace(-30, 30, 301)) < 1e-15


def test_bad_input_gives_clear_errors():
    with pytest.raises(ValueError, match="same length"):
        ex.neuron_grads(1.0, 0.0, [1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ex.neuron_grads(1.0, 0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="same length K"):
        ex.softmax_ce_grad([1.0, 2.0, 3.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="same length K"):
        ex.softmax_quadratic_grad([[1.0, 2.0]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="target"):
        ex.ce_stability([1.0], target=3)
    with pytest.raises(ValueError, match="strictly inside"):
        ex.bce_table([1.0], [0.0])


def test_cross_entropy_is_the_cost_whose_gradient_is_a_minus_y():
    """Issue 11 (20), Nielsen ch. 3: integrating C'(a) = (a - y)/(a(1 - a)) gives cross-entropy."""
    for y in (0.0, 0.2, 1.0):
        r = ex.cost_from_wanted_gradient(y, np.linspace(0.05, 0.95, 7))
        assert r["max_abs_diff"] < 1e-6
    # and the quadratic cost is not that cost: its C'(a) = a - y integrates to (a - y)^2 / 2
    r = ex.cost_from_wanted_gradient(0.0, [0.9])
    assert abs(r["closed_form"][0] - (0.5 * 0.9 ** 2 - 0.5 * 0.5 ** 2)) > 0.5
    with pytest.raises(ValueError):
        ex.cost_from_wanted_gradient(0.5, [1.0])
