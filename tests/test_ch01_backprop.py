"""Chapter 01: the worked example and gradient checking, asserted with numbers."""
import math

import numpy as np
import pytest

from dlcore.experiments import backprop as ex


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
    none = ex.catch_bug("none")
    assert none.passed(1e-6) and max(r.rel_error for r in none.results) < 1e-7
    wrong_arrays = {
        "sigmoid: forgot the chain rule": {"input", "0.W", "0.b"},   # the layer below the bug and the input
        "sigmoid: derivative sigma(1-x)": {"input", "0.W", "0.b"},
        "linear: bias gradient averaged": {"0.b", "2.b"},            # the biases, nothing else
        "linear: W not transposed": {"input", "0.W", "0.b"},
    }
    assert set(wrong_arrays) == set(ex.BUGS) - {"none"}
    for bug, expected in wrong_arrays.items():
        rep = ex.catch_bug(bug)
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
    bad = ex.catch_bug("linear: bias gradient averaged").table(floor=1e-7)
    assert "0.75  WRONG" in bad and "< 1e-07  ok" in bad


def test_relative_error_vs_step_is_a_v_in_float64_and_useless_in_float32():
    g64 = ex.gradcheck_vs_h()
    assert g64["best_error"] < 1e-9
    assert 1e-6 <= g64["best_h"] <= 1e-4                              # the floor of the V (measured 3.2e-5)
    at_1e5 = g64["rel_error"][np.isclose(g64["h"], 1e-5)]
    assert at_1e5.shape == (1,) and at_1e5[0] < 1e-9                   # printed as "< 1e-9"; measured 2.5e-10
    errs = g64["rel_error"]
    assert errs[0] > 100 * g64["best_error"] and errs[-1] > 100 * g64["best_error"]   # both arms rise
    g32 = ex.gradcheck_vs_h(dtype=np.float32)
    assert g32["best_error"] > 1e-5 and g32["best_h"] >= 1e-3        # measured 7e-5 .. 9e-5 at h = 1e-2
    bug = ex.gradcheck_vs_h(bug="sigmoid: derivative sigma(1-x)")
    assert bug["rel_error"].min() > 0.5                                 # 0.549 at every h


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown bug"):
        ex.buggy_net("typo")
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
