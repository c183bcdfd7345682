"""Chapter 09, BN's scale invariance (dlcore.experiments.bn_scale): each statement of the section
checked on the five seeds, with tolerances at float64 rounding where the statement is exact (BN's
eps -> 0) and with the contrast (the last layer, which has no BN after it; the net without BN) far
from them. Measured (seeds 0-4, Haswell): loss and c*grad equal to ~1e-15, cos(W, grad) <= 1e-15,
the norm identity to ~2e-11 of eta^2 |g|^2; contrast: 0.14-6.5 relative, cos 0.03-0.12, residual
35-240 times the growth; without BN cos(W, grad) 0.007-0.11, L(0.1 W) off by 0.005-0.17."""
import numpy as np
import pytest

from dlcore.experiments import bn_scale as S
from dlcore.experiments.common import SEEDS, over_seeds

HIDDEN = slice(0, 4)          # the Linear layers followed by BN
LAST = 4                      # the output layer: no BN after it


@pytest.fixture(scope="module")
def exact():
    return over_seeds(S.scale_invariance, SEEDS, eps=S.EPS_ZERO)


@pytest.fixture(scope="module")
def plain():
    return over_seeds(S.scale_invariance, SEEDS, bn=False)


def test_the_loss_and_the_scaled_gradient_do_not_depend_on_the_scale(exact):
    """L(cW) = L(W) and c grad L(cW) = grad L(W) for c = 0.1, 1, 10, to float64 rounding."""
    assert np.all(exact["loss_rel"][:, HIDDEN] < 1e-13)
    assert np.all(exact["grad_rel"][:, HIDDEN] < 1e-12)
    assert np.all(exact["loss_rel"][:, LAST, [0, 2]] > 1e-2)          # the output layer is not invariant
    assert np.all(exact["grad_rel"][:, LAST, [0, 2]] > 0.1)


def test_the_gradient_is_orthogonal_to_the_weights_unit_by_unit(exact, plain):
    assert np.all(np.abs(exact["cos"][:, HIDDEN]) < 1e-13)
    assert np.all(exact["cos_unit"][:, HIDDEN] < 1e-12)
    assert np.all(exact["bias_grad"][:, HIDDEN] < 1e-12)             # BN subtracts the bias with the mean
    assert np.all(np.abs(exact["cos"][:, LAST]) > 1e-2)
    assert np.all(np.abs(plain["cos"]) > 1e-3) and np.all(plain["bias_grad"] > 0.1)


def test_under_sgd_the_weight_norm_grows_by_exactly_eta_squared_grad_squared(exact, plain):
    assert np.all(np.abs(exact["resid"][:, :, HIDDEN]) < 1e-8)
    assert np.all(np.diff(exact["wnorm"][:, :, HIDDEN], axis=1) > 0)   # it can only grow
    assert np.all(np.abs(exact["resid"][:, :, LAST]).max(axis=1) > 1)
    assert np.all(np.abs(plain["resid"]).max(axis=1) > 1)


def test_without_bn_the_loss_depends_on_the_scale(plain):
    assert np.all(plain["loss_rel"][:, :, [0, 2]] > 1e-3)
    assert np.all(plain["grad_rel"][:, :, [0, 2]] > 0.5)
    assert np.all(plain["loss_rel"][:, :, 1] == 0) and np.all(plain["grad_rel"][:, :, 1] == 0)


def test_with_the_usual_eps_the_invariance_holds_only_while_the_variance_dwarfs_eps():
    """eps = 1e-5: at c = 10 and the identity, deviations <= ~1e-5 .. 4e-3 (layer 4's units have the
    smallest variance); at c = 0.1 the gradient is off by 1e-3 to 0.1: eps sets a floor to the scale."""
    r = over_seeds(S.scale_invariance, SEEDS, eps=1e-5)
    assert np.all(r["loss_rel"][:, HIDDEN, 2] < 1e-4) and np.all(r["grad_rel"][:, HIDDEN, 2] < 1e-3)
    assert np.all(r["grad_rel"][:, HIDDEN, 0] > 1e-4)                 # c = 0.1: eps is felt
    assert np.all(r["grad_rel"][:, HIDDEN, 0].max(axis=1) > 1e-2)
    assert np.all(np.abs(r["resid"][:, :, HIDDEN]) < 0.1)


def test_the_effective_learning_rate_falls_faster_at_a_larger_rate(exact):
    """|W|^2 growth over 20 steps, hidden layers: lr 0.1 ~0.1 %, lr 1.0 2-5 % (the growth goes as eta^2)."""
    fast = over_seeds(S.scale_invariance, SEEDS, eps=S.EPS_ZERO, lr=1.0)
    grow = {k: r["wnorm"][:, -1, HIDDEN] ** 2 / r["wnorm"][:, 0, HIDDEN] ** 2 - 1 for k, r in
            (("slow", exact), ("fast", fast))}
    assert np.all(grow["slow"] > 0) and np.all(grow["slow"] < 0.005)
    assert np.all(grow["fast"] > 0.01) and np.all(grow["fast"] > 5 * grow["slow"])
    assert np.all(np.abs(fast["resid"][:, :, HIDDEN]) < 1e-8)


def test_it_is_cheap():
    import time
    t = time.process_time()
    S.scale_invariance.uncached(eps=S.EPS_ZERO, rng=7)
    assert time.process_time() - t < 1.0
