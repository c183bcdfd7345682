"""Exercise checkers for chapter 05 (optimisers, learning rates, input scaling).

Each ``check_*`` answers any input with a :class:`~dlcore.exercises.feedback.Feedback` (the
``@checker`` decorator and the ``as_*`` helpers) and recognises the usual slips: Adam without its
bias correction, the stability limit 2/L taken at the wrong curvature, momentum's two conventions.
"""
from __future__ import annotations

import numpy as np

from .feedback import Feedback, as_array, as_number, checker, precision_tolerance

__all__ = ["EX_ADAM", "EX_FIRST", "EX_H", "EX_MOMENTUM", "SIG", "adam_steps", "check_adam_two_steps",
           "check_adam_first_step", "check_max_stable_lr", "check_momentum_convention", "EX_CORR",
           "check_correlated_condition"]

#: answers to 4 significant figures pass (and any more precise ones)
SIG = 4
#: E5.1: start, two gradients, rate and betas of two Adam steps by hand (eps = 1e-8)
EX_ADAM = {"theta": (0.5, -1.0), "grads": ((0.2, -3.0), (-0.1, -1.0)), "lr": 0.1, "betas": (0.9, 0.999)}
#: E5.2: a gradient with very different scales (one as small as eps = 1e-8), and Adam's rate
EX_FIRST = {"grad": (1e-8, 50.0), "lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}
#: E5.3: the Hessian of the quadratic f = 1/2 theta^T H theta
EX_H = np.array([[2.5, 1.5], [1.5, 2.5]])
#: E5.4: momentum with m = mu m + g at rate eta; the rate of the (1 - mu) convention that moves the same
EX_MOMENTUM = {"lr": 0.01, "momentum": 0.9}


def adam_steps(theta, grads, lr, betas=(0.9, 0.999), eps=1e-8, bias_correction=True, correct="mv",
               t_fixed=None, root=True):
    """Adam's parameters after each gradient of ``grads`` (reference for E5.1), shape (len(grads), d).
    The slips a checker recognises: ``correct`` -- which averages are bias-corrected (``"m"``, ``"v"``,
    ``"mv"``); ``t_fixed`` -- correct with this t at every step; ``root=False`` -- no square root of v."""
    b1, b2 = betas
    th = np.array(theta, dtype=float)
    m, v, out = np.zeros_like(th), np.zeros_like(th), []
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=float)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        tc = t if t_fixed is None else t_fixed
        mh = m / (1 - b1 ** tc) if bias_correction and "m" in correct else m
        vh = v / (1 - b2 ** tc) if bias_correction and "v" in correct else v
        th = th - lr * mh / ((np.sqrt(vh) if root else vh) + eps)
        out.append(th.copy())
    return np.array(out)


def _close(got, expected, sig: int = SIG) -> bool:
    tol = precision_tolerance(expected, sig=sig)
    return bool(np.all(np.abs(np.asarray(got) - expected) <= tol))


def _a1():
    return [{"theta2": adam_steps(EX_ADAM["theta"], EX_ADAM["grads"], EX_ADAM["lr"], EX_ADAM["betas"])[-1]}]


@checker(answers=_a1)
def check_adam_two_steps(theta2) -> Feedback:
    """E5.1: the parameters after two Adam steps from ``EX_ADAM`` (two numbers, 4 significant figures)."""
    if theta2 is None:
        return Feedback(False, "Replace None with the two parameters after the second step, e.g. [0.4, -0.9].")
    got = as_array(theta2, "your parameters", shape=(2,))
    e = EX_ADAM
    right = adam_steps(e["theta"], e["grads"], e["lr"], e["betas"])
    if _close(got, right[-1]):
        return Feedback(True, f"theta_2 = {np.round(right[-1], 6).tolist()}. The first step was lr * sign(g) in "
                              f"each coordinate, whatever the gradient's size; the second is slightly smaller where "
                              f"the gradient shrank or turned.")
    if _close(got, right[0]):
        return Feedback(False, "that is theta after the first step; take the second gradient too.")
    if _close(got, adam_steps(e["theta"], e["grads"], e["lr"], e["betas"], bias_correction=False)[-1]):
        return Feedback(False, "that is Adam without the bias correction: divide m_t by 1 - beta1^t and v_t by "
                               "1 - beta2^t (t = 1, then 2) before the step.")
    if _close(got, adam_steps(e["theta"], e["grads"], -e["lr"], e["betas"])[-1]):
        return Feedback(False, "the sign is flipped: the step goes against the gradient, theta - lr * m_hat / ...")
    sgd = np.asarray(e["theta"]) - e["lr"] * np.sum(e["grads"], axis=0)
    if _close(got, sgd):
        return Feedback(False, "that is two plain gradient-descent steps; Adam divides by sqrt(v_hat).")
    slips = (({"correct": "m"}, "only m is corrected here: v_hat = v_t/(1 - beta2^t) too (at t = 2, 1 - 0.999^2 = "
                                "0.001999)."),
             ({"correct": "v"}, "only v is corrected here: m_hat = m_t/(1 - beta1^t) too (at t = 2, 1 - 0.9^2 = 0.19)."),
             ({"t_fixed": 1}, "the correction at step 2 uses t = 2: divide by 1 - beta1^2 and 1 - beta2^2, not by "
                              "1 - beta1 and 1 - beta2 again."),
             ({"root": False}, "Adam divides by the square root of v_hat (an RMS), not by v_hat itself."))
    for kw, msg in slips:
        if _close(got, adam_steps(e["theta"], e["grads"], e["lr"], e["betas"], **kw)[-1]):
            return Feedback(False, msg)
    if _close(got, right[-1], sig=3):
        return Feedback(False, "right to three significant figures; give four (the exercise asks for four, and a "
                               "third Adam step would already disagree in the third).")
    err = np.abs(got - right[-1])
    return Feedback(False, f"off by {err.max():.3g} in coordinate {int(np.argmax(err)) + 1}. Step by step: "
                           "m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2, m_hat = m/(1 - beta1^t), "
                           "v_hat = v/(1 - beta2^t), theta -= lr m_hat/(sqrt(v_hat) + eps), for t = 1 and 2.")


def _first(bias_correction, eps=None, root=True):
    e = EX_FIRST
    return np.abs(adam_steps((0.0, 0.0), [e["grad"]], e["lr"], e["betas"], e["eps"] if eps is None else eps,
                             bias_correction=bias_correction, root=root)[0])


def _nosqrt_b2():
    """The large coordinate's uncorrected step with 1 - beta2 in place of sqrt(1 - beta2) (a slip)."""
    e = EX_FIRST
    g = abs(e["grad"][1])
    return e["lr"] * (1 - e["betas"][0]) * g / ((1 - e["betas"][1]) * g + e["eps"])


@checker(answers=lambda: [{"corrected": _first(True), "uncorrected": _first(False)}])
def check_adam_first_step(corrected, uncorrected) -> Feedback:
    """E5.2: the sizes |Delta theta| of Adam's first step in both coordinates for ``EX_FIRST``, with and
    without the bias correction (two pairs of numbers, 4 significant figures)."""
    if corrected is None or uncorrected is None:
        return Feedback(False, "Replace both None with a pair of numbers (one per coordinate).")
    c = np.abs(as_array(corrected, "your corrected step", shape=(2,)))
    u = np.abs(as_array(uncorrected, "your uncorrected step", shape=(2,)))
    rc, ru = _first(True), _first(False)
    msgs = []
    if not _close(c, rc):
        if _close(c, ru):
            msgs.append("your 'corrected' step is the uncorrected one (swapped?)")
        elif _close(c, EX_FIRST["lr"] * np.abs(EX_FIRST["grad"])):
            msgs.append("with the correction, m_hat = g and v_hat = g^2 at t = 1: the step is lr * g/(|g| + eps), "
                        "not lr * g")
        elif _close(c, _first(True, eps=0.0)):
            msgs.append("the corrected step is lr * g/(|g| + eps): for the first coordinate |g| = 1e-8 is as small "
                        "as eps, so eps is not negligible there (the step is lr/2)")
        elif _close(c, rc, sig=3):
            msgs.append("the corrected step is right to three significant figures; give four")
        else:
            msgs.append(f"the corrected step is off by {np.abs(c - rc).max():.3g}: at t = 1, m_hat = g_1 and "
                        "v_hat = g_1^2 exactly")
    if not _close(u, ru):
        if _close(u, rc):
            msgs.append("without the correction m_1 = (1 - beta1) g and v_1 = (1 - beta2) g^2: the step is "
                        "(1 - beta1)/sqrt(1 - beta2) times lr, not lr")
        elif _close(u, _first(False, eps=0.0)):
            msgs.append("without the correction the step is lr (1 - beta1) g/(sqrt(1 - beta2) |g| + eps): for the "
                        "first coordinate eps is larger than sqrt(1 - beta2) |g|, so it is not negligible there")
        elif _close(u[1:], [_nosqrt_b2()]):
            msgs.append("v_1 = (1 - beta2) g^2 enters under a square root: sqrt(1 - beta2) = 0.03162, not "
                        "1 - beta2 = 0.001")
        elif _close(u, ru, sig=3):
            msgs.append("the uncorrected step is right to three significant figures; give four")
        else:
            msgs.append(f"the uncorrected step is off by {np.abs(u - ru).max():.3g}")
    if msgs:
        return Feedback(False, "; ".join(msgs) + ".")
    return Feedback(True, f"with the correction {rc[1]:.4g} (lr) for the large gradient and {rc[0]:.4g} (lr/2: "
                          f"|g| = eps) for the tiny one; without it {ru[1]:.4g} ((1 - beta1)/sqrt(1 - beta2) = "
                          f"{ru[1] / EX_FIRST['lr']:.4g} times lr) and {ru[0]:.4g}, where eps dominates the "
                          f"denominator.")


def _run_gd(lr, steps=200):
    th = np.array([1.0, 0.0])
    for _ in range(steps):
        th = th - lr * (EX_H @ th)
        if not np.all(np.isfinite(th)) or np.abs(th).max() > 1e12:
            return np.inf
    return float(np.linalg.norm(th))


@checker(answers=lambda: [{"lr_max": 2 / np.linalg.eigvalsh(EX_H)[-1]}])
def check_max_stable_lr(lr_max) -> Feedback:
    """E5.3: the learning rate above which gradient descent on 1/2 theta^T EX_H theta diverges (the bound;
    3 significant figures). The checker also runs gradient descent just below and above your rate."""
    if lr_max is None:
        return Feedback(False, "Replace None with a learning rate (a number).")
    v = as_number(lr_max, "your learning rate")
    lam = np.linalg.eigvalsh(EX_H)
    right = 2 / lam[-1]
    below, above = _run_gd(0.98 * v), _run_gd(1.02 * v)
    def say(r):                                      # the start has |theta| = 1
        return ("diverges" if not np.isfinite(r) else f"grows (x{r:.2g} in 200 steps)" if r > 1
                else f"ends at |theta| = {r:.3g}")
    run = f" Ran 200 steps from (1, 0): at 0.98 x your rate gradient descent {say(below)}, at 1.02 x it {say(above)}."
    if abs(v - right) <= precision_tolerance(right, sig=3):
        return Feedback(True, f"2/L with L = {lam[-1]:.4g}, the largest eigenvalue of H: eta < {right:.4g}." + run)
    if v <= 0:
        return Feedback(False, "a learning rate is positive.")
    if abs(v - 2 / lam[0]) <= precision_tolerance(2 / lam[0], sig=3):
        return Feedback(False, "that is 2 over the *smallest* curvature: the steep direction (largest eigenvalue) "
                               "overshoots first." + run)
    if abs(v - 1 / lam[-1]) <= precision_tolerance(1 / lam[-1], sig=3):
        return Feedback(False, "1/L is the rate that lands on the minimum of the steepest direction in one step; "
                               "gradient descent still converges up to twice that." + run)
    fastest = 2 / (lam[0] + lam[-1])
    if abs(v - fastest) <= precision_tolerance(fastest, sig=3):
        return Feedback(False, "2/(L + l) is the *fastest* fixed rate (both extreme directions shrink by the same "
                               "factor), not the bound: gradient descent still converges above it." + run)
    if 0.9 * right <= v < right:
        return Feedback(False, "it converges, but the bound is a little higher: find the rate at which the steepest "
                               "direction's factor 1 - eta*L reaches -1 (at the bound itself it oscillates forever "
                               "without growing)." + run)
    if abs(v - 2 / np.max(np.diag(EX_H))) <= precision_tolerance(2 / np.max(np.diag(EX_H)), sig=3):
        return Feedback(False, "the diagonal of H is not its curvature along the eigen-directions: use the largest "
                               "eigenvalue." + run)
    return Feedback(False, ("too large: " if v > right else "too small (it converges, but it is not the bound): ")
                    + "on a quadratic each eigen-direction is multiplied by 1 - eta*lambda per step." + run)


@checker(answers=lambda: [{"lr": EX_MOMENTUM["lr"] / (1 - EX_MOMENTUM["momentum"])}])
def check_momentum_convention(lr) -> Feedback:
    """E5.4: the rate eta' for which m = mu m + (1 - mu) g, theta -= eta' m moves exactly as
    m = mu m + g, theta -= eta m with ``EX_MOMENTUM`` (4 significant figures)."""
    if lr is None:
        return Feedback(False, "Replace None with a learning rate (a number).")
    v = as_number(lr, "your rate")
    e = EX_MOMENTUM
    right = e["lr"] / (1 - e["momentum"])
    if abs(v - right) <= precision_tolerance(right, sig=SIG):
        return Feedback(True, f"eta' = eta/(1 - mu) = {right:.4g}: the (1 - mu) convention's velocity is (1 - mu) "
                              "times the other's at every step, so its rate must be 1/(1 - mu) times larger.")
    if abs(v - e["lr"] * (1 - e["momentum"])) <= precision_tolerance(e["lr"] * (1 - e["momentum"]), sig=SIG):
        return Feedback(False, "the other way round: the averaged velocity is the smaller one, so its rate must be "
                               "larger.")
    if abs(v - e["lr"]) <= precision_tolerance(e["lr"], sig=SIG):
        return Feedback(False, "the same rate moves 1 - mu = 10 times less: the velocity is an average of "
                               "gradients, not their (decayed) sum.")
    return Feedback(False, "write both velocities for a constant gradient g: the sum tends to g/(1 - mu), the "
                           "average to g. The two methods move alike when eta' times the second equals eta times "
                           "the first, at every step.")


#: E5.5: two z-scored features with this correlation, and the bias column
EX_CORR = {"rho": 0.8}


def _corr_hessian(rho):
    """H = A^T A / n for two z-scored features of correlation ``rho`` and a bias column (exact: the
    features have mean 0, variance 1, so the bias decouples)."""
    return np.array([[1.0, rho, 0.0], [rho, 1.0, 0.0], [0.0, 0.0, 1.0]])


def _gd_steps(H, tol=1e-6, max_steps=100_000):
    """Gradient descent at its best rate 2/(L + l) on 1/2 e^T H e from e = (1, 1, 1)/sqrt(3): steps until
    the loss is below ``tol`` times the start."""
    lam = np.linalg.eigvalsh(H)
    lr = 2 / (lam[0] + lam[-1])
    e = np.ones(3) / np.sqrt(3)
    f0 = 0.5 * e @ H @ e
    for t in range(1, max_steps + 1):
        e = e - lr * (H @ e)
        if 0.5 * e @ H @ e <= tol * f0:
            return t
    return -1


@checker(answers=lambda: [{"kappa": (1 + EX_CORR["rho"]) / (1 - EX_CORR["rho"])}])
def check_correlated_condition(kappa) -> Feedback:
    """E5.5: the condition number of H = A^T A / n for two z-scored features with correlation
    ``EX_CORR["rho"]`` plus the bias column (2 significant figures)."""
    if kappa is None:
        return Feedback(False, "Replace None with a condition number (a number >= 1).")
    v = as_number(kappa, "your condition number")
    rho = EX_CORR["rho"]
    H = _corr_hessian(rho)
    lam = np.linalg.eigvalsh(H)
    right = lam[-1] / lam[0]
    run = (f" Gradient descent at its best rate 2/(L + l) needs {_gd_steps(H)} steps to 1e-6 of the start here; "
           f"with uncorrelated features (kappa = 1) it needs {_gd_steps(_corr_hessian(0.0))}.")
    near = lambda x: abs(v - x) <= precision_tolerance(x, sig=2)
    if near(right):
        return Feedback(True, f"the features' block [[1, rho], [rho, 1]] has eigenvalues 1 + rho = {1 + rho:g} and "
                              f"1 - rho = {1 - rho:.2g} (the bias adds 1, in between): kappa = {right:.2g}. Z-score "
                              "fixes scales and means, not correlation; whitening would." + run)
    if v < 1:
        return Feedback(False, "a condition number is the largest eigenvalue over the smallest: at least 1.")
    if near(1.0):
        return Feedback(False, "z-scoring makes the diagonal of H all ones, but the off-diagonal rho stays: the "
                               "eigenvalues of [[1, rho], [rho, 1]] are 1 + rho and 1 - rho." + run)
    if near(np.sqrt(right)):
        return Feedback(False, "that is the condition number of A (ratio of singular values); H = A^T A / n squares "
                               "it." + run)
    if near(1 + rho) or near(1 / (1 - rho)):
        return Feedback(False, "use both extreme eigenvalues, 1 + rho and 1 - rho, and take their ratio." + run)
    if near(1 / (1 - rho) ** 2) or near(1 + rho + 1 / (1 - rho)):
        return Feedback(False, "the eigenvalues of [[1, rho], [rho, 1]] are 1 + rho and 1 - rho (and the bias "
                               "column's 1): kappa is their largest over their smallest." + run)
    return Feedback(False, ("too large" if v > right else "too small")
                    + ": write H = A^T A / n for z-scored features (ones on the diagonal, rho off it, the bias "
                      "decoupled because the means are 0) and take its extreme eigenvalues." + run)
