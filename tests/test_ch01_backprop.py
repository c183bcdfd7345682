"""Chapter 01: the worked example and gradient checking, asserted with numbers."""
import math

import numpy as np
import pytest

from dlcore.experiments import backprop as ex
from dlcore.experiments import gradchecking as gx


def _sig(z):
    return 1 / (1 + math.exp(-z))


def test_forward_values_from_first_principles():
    f = ex.forward_trace()
    # recomputed here with plain math, independent of dlcore
    h1 = _sig(0.15 * 0.05 + 0.20 * 0.10 + 0.35)
    h2 = _sig(0.25 * 0.05 + 0.30 * 0.10 + 0.35)
    o1 = _sig(0.40 * h1 + 0.45 * h2 + 0.60)
    o2 = _sig(0.50 * h1 + 0.55 * h2 + 0.60)
    assert f["net_h"][0] == pytest.approx(0.3775, abs=1e-15)
    assert np.allclose(f["out_h"], [h1, h2], atol=1e-15, rtol=0)
    assert np.allclose(f["out_o"], [o1, o2], atol=1e-15, rtol=0)
    assert f["out_o"][0] == pytest.approx(0.75136507, abs=5e-9)   # not 0.75136079 (the notes' other value)
    assert f["E_total"] == pytest.approx(0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2, abs=1e-15)
    assert f["E_total"] == pytest.approx(0.298371109, abs=5e-10)


def test_hand_chain_rule_equals_dlcore_backward_and_finite_differences():
    b = ex.hand_backward()
    for k, v in b["grads"].items():
        assert v == pytest.approx(b["dlcore"][k], abs=1e-15), k
    assert b["grads"]["w5"] == pytest.approx(0.082167041, abs=1e-9)
    assert b["grads"]["w1"] == pytest.approx(0.000438568, abs=1e-9)
    # and against central differences on the total error
    from dlcore import numerical_gradient
    from dlcore.losses import quadratic
    net = ex.worked_net()
    W2 = net.layers[2].params["W"]

    def E(v):
        saved = W2.copy()
        W2[...] = v
        out = net.forward(ex.WORKED["x"])
        W2[...] = saved
        return quadratic(out, ex.WORKED["t"])[0]
    num = numerical_gradient(E, W2)
    assert num[0, 0] == pytest.approx(b["grads"]["w5"], rel=1e-8)
    assert num[1, 1] == pytest.approx(b["grads"]["w8"], rel=1e-8)


def test_one_update_and_many():
    r = ex.train_worked(10000)
    names = r["names"]
    w1 = dict(zip(names, r["weights"][1]))
    assert w1["w5"] == pytest.approx(0.40 - 0.5 * 0.082167041, abs=1e-9)      # 0.35891648
    assert w1["w1"] == pytest.approx(0.15 - 0.5 * 0.000438568, abs=1e-9)      # 0.14978072
    assert w1["b_o1"] == 0.60, "the classic example keeps the biases fixed"
    assert r["error"][1] == pytest.approx(0.291027774, abs=1e-9)
    assert r["error"][10000] == pytest.approx(3.51019e-05, rel=1e-4)
    assert np.all(np.diff(r["error"]) < 0), "error falls at every step on this example"
    rb = ex.train_worked(10000, update_biases=True)
    assert rb["error"][10000] < r["error"][10000] / 10
    assert not r["weights"].flags.writeable


def test_gradient_check_catches_every_bug():
    """Every array is either right to rounding (r < 1e-7, measured <= 9e-9 on four BLAS kernels) or off by
    order 1 (r > 0.1): no threshold sits near a measured value, so the printed verdicts hold on any CPU."""
    none = gx.catch_bug("none")
    assert none.passed(1e-6) and max(r.rel_error for r in none.results) < 1e-7
    wrong_arrays = {
        "sigmoid: forgot the chain rule": {"input", "0.W", "0.b"},   # the layer below the bug and the input
        "sigmoid: derivative sigma(1-x)": {"input", "0.W", "0.b"},
        "linear: bias gradient averaged": {"0.b", "2.b"},            # the biases, nothing else
        "linear: W not transposed": {"input", "0.W", "0.b"},
    }
    assert set(wrong_arrays) == set(gx.BUGS) - {"none"}
    for bug, expected in wrong_arrays.items():
        rep = gx.catch_bug(bug)
        assert not rep.passed(1e-2), bug
        assert rep.worst.rel_error > 0.1, bug
        assert {r.name for r in rep.results if r.rel_error > 0.1} == expected, bug
        assert all(r.rel_error < 1e-7 for r in rep.results if r.name not in expected), bug


def test_gradcheck_table_shows_round_off_as_a_bound():
    from dlcore import check_module
    rng = np.random.default_rng(0)
    rep = check_module(ex.worked_net(), rng.standard_normal((4, 2)), rng=1)
    assert max(r.rel_error for r in rep.results) < 1e-7           # measured <= 8.6e-9 on four kernels
    t = rep.table(tol=1e-6, floor=1e-7)
    assert t.count("< 1e-07  ok") == 5 and "max |diff|" not in t and "e-09" not in t
    assert "max |diff|" in rep.table()                            # without floor: the digits, as before
    bad = gx.catch_bug("linear: bias gradient averaged").table(floor=1e-7)
    assert "0.75  WRONG" in bad and "< 1e-07  ok" in bad


def test_relative_error_vs_step_is_a_v_in_float64_and_useless_in_float32():
    g64 = gx.gradcheck_vs_h()
    assert g64["best_error"] < 1e-9
    assert 1e-6 <= g64["best_h"] <= 1e-4                              # the floor of the V (measured 3.2e-5)
    at_1e5 = g64["rel_error"][np.isclose(g64["h"], 1e-5)]
    assert at_1e5.shape == (1,) and at_1e5[0] < 1e-9                   # printed as "< 1e-9"; measured 2.5e-10
    errs = g64["rel_error"]
    assert errs[0] > 100 * g64["best_error"] and errs[-1] > 100 * g64["best_error"]   # both arms rise
    g32 = gx.gradcheck_vs_h(dtype=np.float32)
    assert g32["best_error"] > 1e-5 and g32["best_h"] >= 1e-3        # measured 7e-5 .. 9e-5 at h = 1e-2
    bug = gx.gradcheck_vs_h(bug="sigmoid: derivative sigma(1-x)")
    assert bug["rel_error"].min() > 0.5                                 # 0.549 at every h


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown bug"):
        gx.buggy_net("typo")
    with pytest.raises(ValueError, match="steps must be"):
        ex.train_worked(-1)
    with pytest.raises(ValueError, match="lr must be positive"):
        ex.train_worked(10, lr=0)


def test_exercise_checkers_accept_right_and_explain_wrong():
    from dlcore.exercises import ch01
    f = ex.forward_trace()
    assert ch01.check_output("out_o2", float(f["out_o"][1]))
    fb = ch01.check_output("out_o2", float(f["net_o"][1]))
    assert not fb and "apply the sigmoid" in fb.message
    assert "Replace None" in ch01.check_output("out_o1", None).message
    g = ex.hand_backward()["grads"]
    assert ch01.check_partial("w5", g["w5"])
    oo = f["out_o"][0]
    fb = ch01.check_partial("w5", g["w5"] / (oo * (1 - oo)))
    assert not fb and "out_o(1 - out_o)" in fb.message
    assert "twice" in ch01.check_partial("w6", 2 * g["w6"]).message
    assert ch01.check_updated_weight("w5", 0.40 - 0.5 * g["w5"])
    assert "DESCENT" in ch01.check_updated_weight("w5", 0.40 + 0.5 * g["w5"]).message
    import numpy as np
    s = lambda x: 1 / (1 + np.exp(-x))
    assert ch01.check_sigmoid_derivative(lambda x: s(x) * (1 - s(x)))
    fb = ch01.check_sigmoid_derivative(lambda x: s(x) * (1 - x))
    assert not fb and "off by" in fb.message and "at x=" in fb.message
    assert ch01.check_linear_backward(lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.sum(0)))
    assert "transpose" in ch01.check_linear_backward(lambda X, W, dY: (dY @ W.T, dY.T @ X, dY.sum(0))).message


# ------------------------------------------------- issue 10: one cache, one randomness convention

def test_gradient_checks_take_rng_and_spawn_streams():
    """``rng`` (int, SeedSequence or Generator) replaces ``seed``; the weights and the data are two
    spawned streams, not seed and seed + 1."""
    from dlcore.rng import spawn
    a, b = gx.catch_bug("none", rng=3), gx.catch_bug("none", rng=np.random.SeedSequence(3))
    assert [r.rel_error for r in a.results] == [r.rel_error for r in b.results]
    assert gx.catch_bug("none", rng=np.random.default_rng(3)).passed(1e-6)
    w, d = spawn(3, 2)
    net = gx.buggy_net("none", spawn(3, 2)[0])
    assert np.array_equal(net.layers[0].params["W"], gx.buggy_net("none", w).layers[0].params["W"])
    g = gx.gradcheck_vs_h(rng=0)
    assert gx.gradcheck_vs_h(rng=0) is g and not g["rel_error"].flags.writeable
    import inspect
    src = inspect.getsource(ex) + inspect.getsource(gx)
    assert "seed + 1" not in src and "lru_cache" not in src and "readonly" not in src


# ------------------------------------------------- issue 11 item 3: how the worked example converges

def _book_text():
    from pathlib import Path
    return (Path(__file__).resolve().parents[1] / "book" / "01_backprop.py").read_text()


def test_worked_example_reaches_its_targets_and_ends_exponential():
    """Not a power law, and the targets are reached at finite net input (issue 11 item 3)."""
    c = ex.convergence(100000)
    assert c["decades"].tolist() == [[10, 100], [100, 1000], [1000, 10000], [10000, 100000]]
    assert np.allclose(c["slopes"], [-1.04, -1.26, -1.50, -3.71], atol=0.01)        # the curve bends
    assert c["late_factor"] == pytest.approx(0.9245, abs=0.0005)
    E = c["error"]
    per_1000 = E[np.arange(91000, 100001, 1000)] / E[np.arange(90000, 100000, 1000)]
    assert np.ptp(per_1000) < 2e-3 * per_1000.mean()           # a constant factor: exponential decay
    assert c["final_error"] == pytest.approx(6.77e-9, rel=0.01)
    assert np.allclose(c["z_target"], [-4.595, 4.595], atol=1e-3)
    assert np.allclose(c["final_net_o"], c["z_target"], atol=0.01)  # finite net inputs, almost there
    text = _book_text()
    assert "means a power law" not in text and "without reaching them" not in text
    assert "infinite net input" not in text.replace("Nor do the outputs need infinite net input", "")


# ------------------------------------------------- item 4: the factor per layer is |w sigma'(z)|

def test_signal_factor_is_w_times_slope_and_exceeds_one_only_for_large_w():
    z = np.linspace(-30, 30, 600001)
    s = 1 / (1 + np.exp(-z))
    for w in (0.5, 2, 4, 5, 6, 10, 20):
        f = ex.signal_factor(w, z)
        assert np.allclose(f["factor"], w * s * (1 - s))
        assert f["factor"].max() == pytest.approx(w / 4, rel=1e-9) and float(f["max_factor"]) == w / 4
        above = z[f["factor"] >= 1]
        width = above.max() - above.min() if above.size else 0.0
        assert float(f["z_window"]) == pytest.approx(width, abs=2e-4), w        # Nielsen's closed form
        assert (width > 0) == (w > 4)
    text = _book_text()
    assert "multiplies the signal by at most ¼" not in text
    assert "|w\\,\\sigma'(z)|" in text


# ------------------------------------------------- item 5: a huge step saturates, it does not diverge

def test_large_learning_rates_saturate_the_outputs_and_freeze_the_error():
    r = ex.lr_outcomes((0.5, 10.0, 100.0, 300.0, 1000.0))
    E, out, slope = r["final_error"], r["out"], r["slope"]
    assert E[1] < 1e-10 and E[2] < 1e-10 < E[0]                     # up to 100: larger steps help
    assert E[3] == pytest.approx(5e-5, rel=1e-6) and out[3, 0] < 1e-10 and slope[3, 0] < 1e-10
    assert E[4] == pytest.approx(1e-4, rel=1e-6) and out[4, 0] < 1e-10 and out[4, 1] > 1 - 1e-10
    assert (slope[4] < 1e-10).all()                                   # both pinned: sigma' ~ 0
    run = ex.train_worked(10000, lr=1000.0)
    assert np.ptp(run["error"][1:]) < 1e-12                            # frozen from the first update
    assert (r["max_grad"] <= 0.25).all() and r["max_step"][-1] > 50    # bounded gradients, huge steps
    assert np.isfinite(run["weights"]).all()
    assert "because the sigmoids bound every gradient" not in _book_text()


# ------------------------------------------------- item 17: BP1-BP4 and what a gradient costs

def test_backprop_costs_two_passes_and_finite_differences_two_per_parameter():
    from dlcore.experiments.backprop_cost import gradient_cost
    c = gradient_cost((64, 30, 10), n=100)
    assert c["params"] == 64 * 30 + 30 + 30 * 10 + 10 == 2260
    assert c["fd_forwards"] == 4520 and c["bp_forwards"] == 1
    assert c["probe_forwards"] == 2 * c["probed"] == 200              # counted, not assumed
    assert c["rel_error"] < 1e-7                                       # the same gradient
    assert c["backward_over_forward"] < 3                              # measured 0.6-0.9
    assert c["fd_over_backprop"] > 300                                 # measured 6500-8700, printed "> 1000x"
    text = _book_text()
    for eq in ("(BP1)", "(BP2)", "(BP3)", "(BP4)"):
        assert eq in text


# ------------------------------------------------- items 12, 13: checkers

def test_checkers_accept_the_precision_the_exercise_asks_for():
    from dlcore.exercises import ch01
    assert ch01.DIGITS == {"check_output": 4, "check_partial": 4, "check_updated_weight": 4}
    for v in (0.7729, 0.77293, 0.772928465):
        assert ch01.check_output("out_o2", v), v
    assert not ch01.check_output("out_o2", 0.773)                      # 3 figures: not what is asked
    assert not ch01.check_output("out_o2", 0.7731)
    assert ch01.check_updated_weight("w5", 0.3589) and ch01.check_updated_weight("w5", 0.35892)
    assert not ch01.check_updated_weight("w5", 0.3590)
    assert ch01.check_partial("w1", 0.0004386) and ch01.check_partial("w1", 0.000438568)
    assert not ch01.check_partial("w1", 0.0004385)
    text = _book_text()
    assert text.count("4 significant figures") >= 3


def test_checkers_diagnose_the_actual_slip():
    from dlcore.exercises import ch01
    hb, fw = ex.hand_backward(), ex.forward_trace()
    fb = ch01.check_output("out_o2", 0.2271)                            # sigma with e^(+z): the errata's slip
    assert not fb and "e^(+net)" in fb.message
    fb = ch01.check_partial("w1", round(float(hb["delta_h"][0]), 6))    # delta_h1: forgot i1
    assert not fb and "delta_h1" in fb.message and "i1" in fb.message and "sum the two paths" not in fb.message
    s = fw["out_h"][0] * (1 - fw["out_h"][0])
    one_path = hb["delta_o"][0] * 0.40 * s * 0.05
    fb = ch01.check_partial("w1", one_path)
    assert not fb and "sum the two paths" in fb.message
    fb = ch01.check_partial("w1", 0.0005)                              # an unrelated number: no invented hint
    assert not fb and "sum the two paths" not in fb.message and "delta_h1" not in fb.message
    assert "twice" in ch01.check_partial("w1", 2 * hb["grads"]["w1"]).message


ODD = [None, "abc", "0.77", b"x", [0.7729], np.array([0.7729]), np.array([1.0, 2.0]), [], {}, (1, 2),
       float("nan"), float("inf"), 1e308, -0.0, object(), np.array("x"), [[0.7729]], 1j, True, ch01_fn := (lambda x: x)]


@pytest.mark.parametrize("value", ODD, ids=range(len(ODD)))
def test_every_checker_answers_any_input_without_a_traceback(value):
    from dlcore.exercises import ch01
    from dlcore.exercises.feedback import Feedback
    calls = [lambda v: ch01.check_output("out_o2", v), lambda v: ch01.check_output(v, 0.7729),
             lambda v: ch01.check_partial("w1", v), lambda v: ch01.check_partial(v, 0.1),
             lambda v: ch01.check_updated_weight("w5", v), lambda v: ch01.check_updated_weight(v, 0.3589),
             ch01.check_sigmoid_derivative, ch01.check_linear_backward,
             lambda v: ch01.check_linear_backward(lambda X, W, dY: (v, v, v)),
             lambda v: ch01.check_sigmoid_derivative(lambda x: v)]
    for call in calls:
        fb = call(value)
        assert isinstance(fb, Feedback) and isinstance(fb.message, str) and fb.message
    if isinstance(value, (list, np.ndarray)) and np.size(value) == 1 and np.asarray(value).dtype.kind == "f":
        assert ch01.check_output("out_o2", value)                       # a one-element array is a number
