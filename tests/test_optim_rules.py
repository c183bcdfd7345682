"""Chapter 05's optimisers against the published rules.

Each optimiser runs a few steps on a non-quadratic function in float64 and is compared with a
separate reference implementation written here, coordinate by coordinate with ``math``, from
the paper's equations; closed forms are checked where they exist.
"""
import math

import numpy as np
import pytest

from dlcore import Linear, fit
from dlcore.module import Module
from dlcore.optim import (OPTIMIZERS, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Momentum, Nadam, Nesterov,
                          RMSprop, Rprop, get_optimizer)

H = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, -0.5], [0.0, -0.5, 1.0]])
W0 = np.array([1.0, -2.0, 0.5])


def grad(w):
    """Gradient of f(w) = w.H.w/2 + 0.1 sum w^4: it depends on where the optimiser has gone."""
    return H @ w + 0.4 * w ** 3


class _Vec(Module):
    param_roles = {"w": "other"}

    def __init__(self, w):
        super().__init__()
        self.params = {"w": np.array(w, dtype=float)}
        self.grads = {"w": np.zeros_like(self.params["w"])}


class _WeightVec(_Vec):
    """The same vector, declared a weight (so that weight decay applies to it)."""
    param_roles = {"w": "weight"}


def run_dlcore(cls, steps, w0=W0, g=grad, **kw):
    m = (_WeightVec if kw.get("weight_decay") else _Vec)(w0)
    opt = cls(m, **kw)
    path = [m.params["w"].copy()]
    for _ in range(steps):
        m.grads["w"] = g(m.params["w"])
        opt.step()
        path.append(m.params["w"].copy())
    return np.array(path)


# ---- reference implementations: lists of floats, one coordinate at a time --------------------
def ref(rule, steps, w0=W0, g=grad, **hp):
    w = [float(x) for x in w0]
    n = len(w)
    st = {k: [0.0] * n for k in ("a", "b", "c")}
    if rule == "rprop":
        st["b"] = [hp["lr"]] * n                 # step sizes start at lr
    if rule == "adagrad":
        st["a"] = [hp.get("n0", 0.0)] * n
    path = [list(w)]
    for t in range(1, steps + 1):
        if rule == "nesterov":               # the notes' look-ahead form, tracked as theta
            lr, mu = hp["lr"], hp["momentum"]
            look = np.array([w[i] - lr * mu * st["a"][i] for i in range(n)])
            gl = g(look)
            for i in range(n):
                st["a"][i] = mu * st["a"][i] + gl[i]
                w[i] = w[i] - lr * st["a"][i]
            path.append([w[i] - lr * mu * st["a"][i] for i in range(n)])     # the look-ahead point
            continue
        gt = g(np.array(w))
        for i in range(n):
            gi = float(gt[i])
            if rule == "momentum":
                mu = hp["momentum"]
                st["a"][i] = mu * st["a"][i] + (1 - mu if hp.get("average") else 1) * gi
                w[i] -= hp["lr"] * st["a"][i]
            elif rule == "rprop":                # Igel & Huesken 2000, iRprop-
                s_ = gi * st["a"][i]
                if s_ > 0:
                    st["b"][i] = min(st["b"][i] * 1.2, 50.0)
                elif s_ < 0:
                    st["b"][i] = max(st["b"][i] * 0.5, 1e-6)
                    gi = 0.0
                st["a"][i] = gi
                w[i] -= (gi > 0) * st["b"][i] - (gi < 0) * st["b"][i]
            elif rule == "adagrad":
                st["a"][i] += gi * gi
                w[i] -= hp["lr"] / (math.sqrt(st["a"][i]) + hp["eps"]) * gi
            elif rule == "rmsprop":
                r = hp["rho"]
                st["a"][i] = r * st["a"][i] + (1 - r) * gi * gi
                w[i] -= hp["lr"] * gi / (math.sqrt(st["a"][i]) + hp["eps"])
            elif rule == "adadelta":          # Zeiler 2012, Algorithm 1
                r, e = hp["rho"], hp["eps"]
                st["a"][i] = r * st["a"][i] + (1 - r) * gi * gi                  # E[g^2]_t
                dx = -math.sqrt(st["b"][i] + e) / math.sqrt(st["a"][i] + e) * gi  # RMS[dx]_{t-1}/RMS[g]_t
                st["b"][i] = r * st["b"][i] + (1 - r) * dx * dx                  # E[dx^2]_t
                w[i] += dx
            elif rule in ("adam", "nadam", "adamax", "adamw"):
                b1, b2, e = hp["b1"], hp["b2"], hp["eps"]
                if rule == "adamw":              # Loshchilov & Hutter 2019: decay the weight, then Adam
                    w[i] -= hp["lr"] * hp["wd"] * w[i]
                st["a"][i] = b1 * st["a"][i] + (1 - b1) * gi
                if rule == "adamax":          # eps inside the max, as PyTorch
                    st["b"][i] = max(b2 * st["b"][i], abs(gi) + e)
                    w[i] -= hp["lr"] / (1 - b1 ** t) * st["a"][i] / st["b"][i]
                    continue
                st["b"][i] = b2 * st["b"][i] + (1 - b2) * gi * gi
                st["c"][i] = max(st["c"][i], st["b"][i])                         # AMSGrad's max of v
                vhat = (st["c"][i] if hp.get("amsgrad") else st["b"][i]) / (1 - b2 ** t)
                if rule in ("adam", "adamw"):
                    mhat = st["a"][i] / (1 - b1 ** t)
                elif "psi" in hp:             # Dozat's schedule mu_t = b1 (1 - 0.96^(t psi) / 2)
                    mu = [b1 * (1 - 0.5 * 0.96 ** (k * hp["psi"])) for k in range(1, t + 2)]
                    prod = math.prod(mu[:t])
                    mhat = mu[t] * st["a"][i] / (1 - prod * mu[t]) + (1 - mu[t - 1]) * gi / (1 - prod)
                else:                         # Dozat 2016, constant mu: mu_{t+1} m_t / (1 - prod^{t+1}) + ...
                    mhat = b1 * st["a"][i] / (1 - b1 ** (t + 1)) + (1 - b1) * gi / (1 - b1 ** t)
                w[i] -= hp["lr"] * mhat / (math.sqrt(vhat) + e)
        path.append(list(w))
    return np.array(path)


CASES = [
    (Momentum, dict(lr=0.05, momentum=0.9), "momentum", dict(lr=0.05, momentum=0.9)),
    (Nesterov, dict(lr=0.05, momentum=0.8), "nesterov", dict(lr=0.05, momentum=0.8)),
    (Adagrad, dict(lr=0.3, eps=1e-10), "adagrad", dict(lr=0.3, eps=1e-10)),
    (RMSprop, dict(lr=0.05, rho=0.9, eps=1e-8), "rmsprop", dict(lr=0.05, rho=0.9, eps=1e-8)),
    (Adadelta, dict(rho=0.95, eps=1e-6), "adadelta", dict(rho=0.95, eps=1e-6)),
    (Adam, dict(lr=0.1, betas=(0.9, 0.999)), "adam", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8)),
    (Adam, dict(lr=0.1, betas=(0.5, 0.9), eps=1e-3), "adam", dict(lr=0.1, b1=0.5, b2=0.9, eps=1e-3)),
    (Adamax, dict(lr=0.1, betas=(0.9, 0.999)), "adamax", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8)),
    (Nadam, dict(lr=0.1, betas=(0.9, 0.999)), "nadam", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8)),
    (Nadam, dict(lr=0.1, momentum_decay=0.004), "nadam", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8, psi=0.004)),
    (Momentum, dict(lr=0.2, momentum=0.8, convention="average"), "momentum", dict(lr=0.2, momentum=0.8, average=1)),
    (Adagrad, dict(lr=0.3, initial_accumulator_value=0.5), "adagrad", dict(lr=0.3, eps=1e-10, n0=0.5)),
    (Adam, dict(lr=0.1, amsgrad=True), "adam", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8, amsgrad=True)),
    (AdamW, dict(lr=0.1, weight_decay=0.3), "adamw", dict(lr=0.1, b1=0.9, b2=0.999, eps=1e-8, wd=0.3)),
    (Rprop, dict(lr=0.05), "rprop", dict(lr=0.05)),
]


@pytest.mark.parametrize("cls, kw, rule, hp", CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_matches_reference_implementation(cls, kw, rule, hp):
    mine, theirs = run_dlcore(cls, 12, **kw), ref(rule, 12, **hp)
    assert np.max(np.abs(mine - W0)) > 0.05            # it moved: the comparison means something
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_every_registered_optimiser_is_checked_here():
    assert set(OPTIMIZERS) - {"sgd"} == {c[2] for c in CASES}


# ---- closed forms ------------------------------------------------------------------------------
def const(c):
    return lambda w: np.full_like(w, c) * np.array([1.0, -1.0, 1.0])


def test_adam_first_step_is_lr_times_sign_whatever_the_scale():
    for scale in (1e-6, 1.0, 1e6):
        g1 = scale * np.array([2.0, -0.5, 3.0])
        d = run_dlcore(Adam, 1, g=lambda w: g1, lr=0.01)[1] - W0
        np.testing.assert_allclose(d, -0.01 * g1 / (np.abs(g1) + 1e-8), rtol=1e-12)     # exactly
        np.testing.assert_allclose(d, [-0.01, 0.01, -0.01], rtol=1e-8 / np.min(np.abs(g1)) + 1e-12)


def test_nadam_first_step_and_adamax_constant_gradient():
    d = run_dlcore(Nadam, 1, g=const(2.0), lr=0.01)[1] - W0
    np.testing.assert_allclose(d, -0.01 * (1 + 0.9 / 1.9) * np.array([1, -1, 1]), rtol=1e-7)
    p = run_dlcore(Adamax, 20, g=const(5.0), lr=0.01)
    np.testing.assert_allclose(np.diff(p, axis=0), np.tile([-0.01, 0.01, -0.01], (20, 1)), rtol=1e-8)


def test_adagrad_effective_rate_falls_like_one_over_sqrt_t():
    p = run_dlcore(Adagrad, 100, g=const(3.0), lr=0.1)
    steps = np.abs(np.diff(p, axis=0))[:, 0]
    t = np.arange(1, 101)
    np.testing.assert_allclose(steps, 0.1 / np.sqrt(t), rtol=1e-9)
    assert steps[99] / steps[0] == pytest.approx(0.1, rel=1e-9)


def test_rmsprop_rate_does_not_decay_and_momentum_builds_to_one_over_one_minus_mu():
    p = run_dlcore(RMSprop, 60, g=const(3.0), lr=0.1, rho=0.9)
    steps = np.abs(np.diff(p, axis=0))[:, 0]
    np.testing.assert_allclose(steps, 0.1 * 3 / (3 * np.sqrt(1 - 0.9 ** np.arange(1, 61)) + 1e-8), rtol=1e-12)
    assert steps[-1] == pytest.approx(0.1, rel=1e-3)
    p = run_dlcore(Momentum, 200, g=const(1.0), lr=0.01, momentum=0.9)
    steps = np.abs(np.diff(p, axis=0))[:, 0]
    np.testing.assert_allclose(steps, 0.01 * (1 - 0.9 ** np.arange(1, 201)) / 0.1, rtol=1e-9)
    assert steps[-1] == pytest.approx(0.1, rel=1e-8)             # 10x the plain step


def test_heavy_ball_on_a_quadratic_is_the_linear_recurrence():
    """theta_{t+1} = (I(1 + mu) - lr H) theta_t - mu theta_{t-1}, theta_1 = theta_0 - lr H theta_0."""
    lr, mu = 0.1, 0.7
    p = run_dlcore(Momentum, 50, g=lambda w: H @ w, lr=lr, momentum=mu)
    q = [W0, W0 - lr * H @ W0]
    for _ in range(49):
        q.append(((1 + mu) * np.eye(3) - lr * H) @ q[-1] - mu * q[-2])
    np.testing.assert_allclose(p, np.array(q), rtol=1e-10, atol=1e-13)
    # each eigen-direction's roots of z^2 - (1 + mu - lr lam) z + mu are complex here: modulus sqrt(mu)
    lam = np.linalg.eigvalsh(H)
    roots = [np.roots([1, -(1 + mu - lr * l), mu]) for l in lam]
    np.testing.assert_allclose(np.abs(roots), np.sqrt(mu), rtol=1e-12)
    # with less momentum the slowest direction has real roots, and the error contracts at the larger one
    mu = 0.3
    p = run_dlcore(Momentum, 200, g=lambda w: H @ w, lr=lr, momentum=mu)
    radius = max(np.max(np.abs(np.roots([1, -(1 + mu - lr * l), mu]))) for l in lam)
    ratio = (np.linalg.norm(p[200]) / np.linalg.norm(p[100])) ** (1 / 100)
    assert ratio == pytest.approx(radius, rel=1e-6)


def test_adaptive_methods_ignore_the_scale_of_the_gradient_sgd_does_not():
    for cls, kw in ((Adam, {}), (RMSprop, {}), (Adagrad, {}), (Adamax, {}), (Nadam, {})):
        a = run_dlcore(cls, 10, g=lambda w: grad(w), lr=0.05, eps=1e-12, **kw)
        b = run_dlcore(cls, 10, g=lambda w: 1000 * grad(w), lr=0.05, eps=1e-12, **kw)
        np.testing.assert_allclose(a, b, rtol=1e-8, err_msg=cls.__name__)
    a = run_dlcore(SGD, 2, lr=0.01)
    b = run_dlcore(SGD, 2, g=lambda w: 1000 * grad(w), lr=0.01)
    assert not np.allclose(a, b)


def test_adadelta_first_step_has_size_sqrt_eps_over_rms_g():
    d = run_dlcore(Adadelta, 1, g=const(2.0), rho=0.95, eps=1e-6)[1] - W0
    np.testing.assert_allclose(np.abs(d), math.sqrt(1e-6) / math.sqrt(0.05 * 4 + 1e-6) * 2.0, rtol=1e-12)


# ---- the optimisers inside the library -----------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fit_by_name_lowers_the_loss_and_keeps_float32(name):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5], dtype=np.float32))[:, None]
    lin = Linear(3, 1, rng=0, dtype=np.float32)
    lr = {"adadelta": 1.0, "sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.3}.get(name, 0.05)
    h = fit(lin, X, y, loss="quadratic", optimizer=name, lr=lr, steps=100, batch_size=64, rng=0)
    # Adadelta starts with steps of about sqrt(eps) = 1e-3 and needs many more steps to get going
    assert h.loss[-1] < (0.7 if name == "adadelta" else 0.1) * h.loss[0], (name, h.loss[0], h.loss[-1])
    assert lin.params["W"].dtype == np.float32


def test_weight_decay_applies_to_weights_only_for_every_optimiser():
    for name in sorted(OPTIMIZERS):
        lin = Linear(2, 2, W=np.full((2, 2), 2.0), b=[1.0, 1.0])
        lin.zero_grad()
        get_optimizer(name, lin, lr=0.1, weight_decay=0.5).step()
        assert np.all(lin.params["W"] < 2.0) and np.allclose(lin.params["b"], 1.0), name


def test_bad_settings_give_clear_errors():
    """More cases (every constructor, every argument) in tests/test_optim_args.py."""
    lin = Linear(2, 2, rng=0)
    with pytest.raises(ValueError, match="lr: the learning rate must be a positive"):
        Adam(lin, lr=-0.1)
    for bad in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"momentum must be a real number in \[0, 1\)"):
            Momentum(lin, momentum=bad)
        with pytest.raises(ValueError, match=r"betas\[1\] \(beta2\) must be a real number in \[0, 1\)"):
            Adam(lin, betas=(0.9, bad))
        with pytest.raises(ValueError, match=r"rho must be a real number in \[0, 1\)"):
            RMSprop(lin, rho=bad)
    for cls in (Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, Nadam):
        for bad in (0.0, -1e-8, float("nan")):
            with pytest.raises(ValueError, match="eps must be a .*real number > 0"):
                cls(lin, eps=bad)
    with pytest.raises(TypeError, match="betas must be a pair"):
        Adam(lin, betas=0.9)
    with pytest.raises(ValueError) as e:
        get_optimizer("adamz", lin, lr=0.1)
    assert "unknown optimiser 'adamz'; known: 'adadelta', 'adagrad', 'adam', 'adamax', 'adamw'" in str(e.value)
    assert "Did you mean 'adam'" in str(e.value)
