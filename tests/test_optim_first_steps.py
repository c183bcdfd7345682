"""Hand-computed first steps of every optimiser, and the chapter-05 findings about them.

Every test starts at p = (1, -2) with the gradient g = (2, -0.5) (unless it says otherwise); the
numbers in the comments are worked out by hand (a calculator for the roots) and the code checks
them. Then: the two momentum conventions, AdamW vs L2 inside Adam, RMSprop vs Adadelta, Rprop's
sign rule, and the inspectable state.
"""
import math

import numpy as np
import pytest

from dlcore.module import Module
from dlcore.optim import (OPTIMIZERS, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Momentum, Nadam, Nesterov,
                          RMSprop, Rprop, get_optimizer)

P0 = np.array([1.0, -2.0])
G = np.array([2.0, -0.5])


class Vec(Module):
    """One parameter vector; declared a weight so that weight decay applies to it."""
    param_roles = {"w": "weight"}

    def __init__(self, w=P0):
        super().__init__()
        self.params = {"w": np.array(w, dtype=np.float64)}
        self.grads = {"w": np.zeros_like(self.params["w"])}


def steps(cls, grads, p0=P0, **kw):
    """The updates (p_t - p_{t-1}) of ``cls`` fed the gradients ``grads`` in turn."""
    m = Vec(p0)
    opt = cls(m, **kw)
    out = []
    for g in grads:
        m.grads["w"] = np.array(g, dtype=np.float64)
        before = m.params["w"].copy()
        opt.step()
        out.append(m.params["w"] - before)
    return np.array(out), opt


def first(cls, **kw):
    return steps(cls, [G], **kw)[0][0]


def test_first_steps_by_hand():
    # SGD, lr 0.1: -0.1 g = (-0.2, 0.05)
    np.testing.assert_allclose(first(SGD, lr=0.1), [-0.2, 0.05], rtol=1e-15)
    # Momentum (sum), lr 0.1, mu 0.9: m_1 = g, step -0.1 g = (-0.2, 0.05); a second equal gradient:
    # m_2 = 0.9 g + g = 1.9 g, step (-0.38, 0.095)
    d, _ = steps(Momentum, [G, G], lr=0.1, momentum=0.9)
    np.testing.assert_allclose(d, [[-0.2, 0.05], [-0.38, 0.095]], rtol=1e-14)
    # Momentum (average): m_1 = 0.1 g, step -0.1 * 0.1 g = (-0.02, 0.005); m_2 = 0.09 g + 0.1 g = 0.19 g
    d, _ = steps(Momentum, [G, G], lr=0.1, momentum=0.9, convention="average")
    np.testing.assert_allclose(d, [[-0.02, 0.005], [-0.038, 0.0095]], rtol=1e-12)
    # ... with PyTorch's first buffer m_1 = g (undamped): (-0.2, 0.05), then m_2 = 0.9 g + 0.1 g = g
    d, _ = steps(Momentum, [G, G], lr=0.1, momentum=0.9, convention="average", first_velocity="grad")
    np.testing.assert_allclose(d, [[-0.2, 0.05], [-0.2, 0.05]], rtol=1e-14)
    # Nesterov: m_1 = g, step -lr (g + mu m_1) = -0.1 * 1.9 g = (-0.38, 0.095)
    np.testing.assert_allclose(first(Nesterov, lr=0.1, momentum=0.9), [-0.38, 0.095], rtol=1e-14)
    # Adagrad, lr 0.1: n = g^2 = (4, 0.25), step -0.1 g / (|g| + 1e-10) = (-0.1, 0.1) to 1e-10 relative
    np.testing.assert_allclose(first(Adagrad, lr=0.1), [-0.1, 0.1], rtol=1e-9)
    # ... with n_0 = 0.25: n = (4.25, 0.5), step -0.1 (2/2.06155, -0.5/0.70711) = (-0.097014, 0.070711)
    np.testing.assert_allclose(first(Adagrad, lr=0.1, initial_accumulator_value=0.25), [-0.0970143, 0.0707107],
                               rtol=1e-6)
    # RMSprop, lr 0.01, rho 0.9: n = 0.1 g^2 = (0.4, 0.025), sqrt = (0.632456, 0.158114);
    # step -0.01 g / sqrt(n) = -0.01 sign(g) / sqrt(0.1) = (-0.0316228, 0.0316228)
    np.testing.assert_allclose(first(RMSprop, lr=0.01, rho=0.9), [-0.0316228, 0.0316228], rtol=1e-6)
    # Adadelta, rho 0.9, eps 1e-6, lr 1: E[g^2] = (0.4, 0.025); numerator sqrt(0 + 1e-6) = 1e-3;
    # step -1e-3 g / sqrt(E + 1e-6) = (-0.002/0.6324563, 0.0005/0.1581171) = (-0.00316227, 0.00316221)
    np.testing.assert_allclose(first(Adadelta, rho=0.9, eps=1e-6), [-0.00316227371, 0.00316221442], rtol=1e-8)
    # Adam, lr 0.1: m_hat = g, v_hat = g^2, step -0.1 g/(|g| + 1e-8) = (-0.1, 0.1) to 1e-8 relative
    np.testing.assert_allclose(first(Adam, lr=0.1), [-0.1, 0.1], rtol=1e-7)
    # Adam without bias correction: m = 0.1 g, v = 0.001 g^2, step -0.1 * 0.1 g / (0.0316228 |g|)
    # = -0.316228 sign(g): sqrt(1000)/10 = 3.16 times the corrected step (eps = 1e-8 is 6e-7 of
    # sqrt(v) = 0.0158114 in the second coordinate: 0.005/(0.0158114 + 1e-8) = 0.3162276)
    np.testing.assert_allclose(first(Adam, lr=0.1, bias_correction=False), [-0.3162277, 0.3162276], rtol=3e-7)
    # Adam + L2 (weight_decay 0.1): g + 0.1 p = (2.1, -0.7): same signs, so the same step (-0.1, 0.1):
    # the penalty leaves no trace in Adam's first step
    np.testing.assert_allclose(first(Adam, lr=0.1, weight_decay=0.1), [-0.1, 0.1], rtol=1e-7)
    # AdamW (weight_decay 0.1): Adam's (-0.1, 0.1) minus lr * 0.1 * p = (0.01, -0.02): (-0.11, 0.12)
    np.testing.assert_allclose(first(AdamW, lr=0.1, weight_decay=0.1), [-0.11, 0.12], rtol=1e-7)
    # Adamax, lr 0.1: m = 0.1 g, u = |g| + 1e-8, step -0.1/(1 - 0.9) * 0.1 g / |g| = (-0.1, 0.1)
    np.testing.assert_allclose(first(Adamax, lr=0.1), [-0.1, 0.1], rtol=1e-7)
    # Nadam (constant mu = 0.9), lr 0.1: step -0.1 (1 + 0.9/1.9) sign(g) = (-0.147368, 0.147368)
    np.testing.assert_allclose(first(Nadam, lr=0.1), [-0.1473684, 0.1473684], rtol=1e-6)
    # Nadam with PyTorch's schedule: mu_1 = 0.9 (1 - 0.96^0.004 / 2) = 0.4500735, mu_2 = 0.4501469;
    # step -0.1 [(1 - mu_1)/(1 - mu_1) + mu_2 * 0.1/(1 - mu_1 mu_2)] sign(g) = -0.1056452 sign(g)
    np.testing.assert_allclose(first(Nadam, lr=0.1, momentum_decay=0.004), [-0.1056452, 0.1056452], rtol=1e-6)
    # Rprop, lr 0.01: no previous gradient, step -0.01 sign(g) = (-0.01, 0.01)
    np.testing.assert_allclose(first(Rprop, lr=0.01), [-0.01, 0.01], rtol=1e-15)


def test_every_optimiser_has_a_hand_computed_first_step():
    import inspect
    src = inspect.getsource(test_first_steps_by_hand)
    for cls in OPTIMIZERS.values():
        assert f"first({cls.__name__}," in src or f"steps({cls.__name__}," in src, cls.__name__


def test_rprop_sign_rule_by_hand():
    """iRprop-: grow by 1.2 while the sign holds; on a flip shrink by 0.5 and do not move; then go on."""
    g = [[1.0, 1.0], [1.0, -1.0], [1.0, -1.0], [1.0, 1.0]]
    d, opt = steps(Rprop, g, lr=0.1)
    np.testing.assert_allclose(d, [[-0.1, -0.1],         # step sizes 0.1
                                   [-0.12, 0.0],         # coord 0 grows to 0.12; coord 1 flipped: 0.05, no move
                                   [-0.144, 0.05],       # coord 1: stored gradient 0 -> no change, moves 0.05
                                   [-0.1728, 0.0]],      # coord 1 flipped again (-1 -> +1): 0.025, no move
                               rtol=1e-12)
    np.testing.assert_allclose(opt.state["w"]["step"], [0.1728, 0.025], rtol=1e-12)
    np.testing.assert_allclose(opt.state["w"]["prev"], [1.0, 0.0])      # the flipped coordinate's gradient zeroed


def test_momentum_conventions_differ_by_one_over_one_minus_mu():
    mu, lr, T = 0.9, 0.01, 300
    const = [np.array([1.0, -1.0])] * T
    s_sum, _ = steps(Momentum, const, lr=lr, momentum=mu)
    s_avg, _ = steps(Momentum, const, lr=lr, momentum=mu, convention="average")
    # steady state: sum -> lr g/(1 - mu) = 0.1, average -> lr g = 0.01; ratio 1/(1 - mu) = 10 at every step
    assert abs(s_sum[-1, 0]) == pytest.approx(lr / (1 - mu), rel=1e-12)
    assert abs(s_avg[-1, 0]) == pytest.approx(lr, rel=1e-12)
    np.testing.assert_allclose(s_sum / s_avg, 1 / (1 - mu), rtol=1e-12)
    # the same path for any gradients when lr_average = lr_sum/(1 - mu): a path-dependent gradient
    def run(**kw):
        m = Vec([1.0, -2.0])
        opt = Momentum(m, **kw)
        path = []
        for _ in range(100):
            w = m.params["w"]
            m.grads["w"] = np.array([3 * w[0] + w[1], w[0] + 2 * w[1]]) + 0.4 * w ** 3
            opt.step()
            path.append(w.copy())
        return np.array(path)
    a = run(lr=0.02, momentum=mu)
    b = run(lr=0.02 / (1 - mu), momentum=mu, convention="average")
    np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)
    assert np.abs(a - run(lr=0.02, momentum=mu, convention="average")).max() > 0.1   # same lr: different paths
    # Nesterov too: lr((1-mu) g + mu m_avg) = (1-mu) lr (g + mu m_sum)
    na = steps(Nesterov, const[:50], lr=lr, momentum=mu)[0]
    nb = steps(Nesterov, const[:50], lr=lr / (1 - mu), momentum=mu, convention="average")[0]
    np.testing.assert_allclose(na, nb, rtol=1e-12)


def test_adamw_decoupled_decay_vs_l2_inside_adam():
    # 1. no loss gradient, 10 steps at lr 0.01: L2 inside Adam moves each weight by about 10 lr = 0.1
    #    towards 0 whatever lambda (Adam normalises lambda p away); AdamW shrinks p by (1 - lr lambda)^10
    for lam in (0.01, 1.0):
        l2 = steps(Adam, [[0.0, 0.0]] * 10, lr=0.01, weight_decay=lam)[0].sum(axis=0)
        np.testing.assert_allclose(l2, [-0.0997, 0.0998], atol=2e-4)
        w = steps(AdamW, [[0.0, 0.0]] * 10, lr=0.01, weight_decay=lam)[0].sum(axis=0)
        np.testing.assert_allclose(w, P0 * ((1 - 0.01 * lam) ** 10 - 1), rtol=1e-12)
    # 2. gradients alternating in sign, of size 1 in one coordinate and 0.01 in the other, 200 steps:
    #    AdamW shrinks both weights by the same factor (1 - lr lambda)^200 = 0.9802 relative to no decay;
    #    L2 inside Adam divides the decay by the RMS gradient: 0.980 for the first, 0.176 for the second
    g = [np.array([1.0, 0.01]) * (-1) ** t for t in range(200)]

    def final(cls, lam):
        return P_ones + steps(cls, g, p0=P_ones, lr=0.01, weight_decay=lam)[0].sum(axis=0)
    P_ones = np.array([1.0, 1.0])
    free = final(Adam, 0.0)
    aw, l2 = final(AdamW, 0.01) / free, final(Adam, 0.01) / free
    np.testing.assert_allclose(aw, (1 - 0.01 * 0.01) ** 200, rtol=1e-4)
    assert l2[0] == pytest.approx(0.980, abs=0.002) and l2[1] == pytest.approx(0.176, abs=0.002)


def test_rmsprop_and_adadelta():
    rho, eps = 0.95, 1e-6
    gs = [G * (1 + 0.3 * np.sin(t)) for t in range(200)]       # a fixed sequence: both see the same E[g^2]
    ada = steps(Adadelta, gs, rho=rho, eps=eps)[0]
    rms = steps(RMSprop, gs, lr=math.sqrt(eps), rho=rho, eps=eps, eps_in_sqrt=True)[0]
    # first step: identical (numerator sqrt(0 + eps) = 1e-3 = RMSprop's lr)
    np.testing.assert_allclose(ada[0], rms[0], rtol=1e-15)
    # then Adadelta's rate grows: ratio sqrt((E[dx^2]_{t-1} + eps)/eps) = 1.414, 2.93, 4.90 at steps 2, 10, 100
    ratio = ada[:, 0] / rms[:, 0]
    np.testing.assert_allclose(ratio[[1, 9, 99]], [1.41421, 2.92606, 4.89632], rtol=1e-5)
    assert np.all(ratio[1:] > 1.4) and np.all(np.diff(ratio[:7]) > 0)     # never back to RMSprop's rate
    # PyTorch's RMSprop (eps outside the root) differs even in the first step, by a relative 3.1e-5 here
    out = steps(RMSprop, gs[:1], lr=math.sqrt(eps), rho=rho, eps=eps)[0]
    assert np.abs(out[0] / ada[0] - 1).max() == pytest.approx(3.1e-5, rel=0.01)
    # the numerator frozen at c: exactly RMSprop(lr=c, eps inside the root), for any c and gradients
    for c in (0.01, 0.3):
        m = Vec()
        opt = Adadelta(m, lr=1.0, rho=rho, eps=eps)
        opt.state["w"] = {"g2": np.zeros(2), "d2": np.full(2, c * c - eps)}
        frozen = []
        for gt in gs:
            opt.state["w"]["d2"][:] = c * c - eps
            m.grads["w"] = gt
            before = m.params["w"].copy()
            opt.step()
            frozen.append(m.params["w"] - before)
        ref = steps(RMSprop, gs, lr=c, rho=rho, eps=eps, eps_in_sqrt=True)[0]
        np.testing.assert_allclose(np.array(frozen), ref, rtol=1e-13)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_is_inspectable_and_documented(name):
    m = Vec()
    opt = get_optimizer(name, m, lr=0.01)
    m.grads["w"] = G.copy()
    opt.step()
    opt.step()
    st = opt.state.get("w", {})
    assert set(st) == set(type(opt).STATE) - ({"v_max"} if name in ("adam", "adamw") else set()), name
    for k, v in st.items():
        assert k in (type(opt).__doc__ or "") or k in type(opt).STATE
        if isinstance(v, np.ndarray):
            assert v.shape == (2,) and v.dtype == np.float64
    if "t" in st:
        assert st["t"] == 2
    assert opt.t == 2
