"""Chapter 05's claims, with numbers: optimisers on 2-D surfaces, and input normalisation.

The surface experiments are deterministic (analytic gradients, fixed starts), so they need no
seeds; the normalisation experiment draws its data and is checked on 5 seeds.
"""
import math

import numpy as np
import pytest

from dlcore.experiments.normalisation import (gd_path, gd_steps_closed_form, least_squares_problem,
                                              normalisation_gd, normalisation_table, scale_features)
from dlcore.experiments.optimisers import (kappa_sweep, lr_sweep, notes_adadelta_path, optimiser_path,
                                           polyak_momentum, settle_step, steps_to_tolerance)
from dlcore.surfaces import SURFACES, NoisyBowl, Quadratic, Rosenbrock, Saddle, get_surface

# ---- the surfaces ------------------------------------------------------------------------------
SURFS = [Quadratic(kappa=30, angle=0.7), Quadratic(), Rosenbrock(), Rosenbrock(a=0.5, b=10), Saddle(),
         NoisyBowl(kappa=30, angle=0.7, noise=0.0)]


@pytest.mark.parametrize("s", SURFS, ids=repr)
def test_gradients_match_central_differences(s):
    rng = np.random.default_rng(0)
    P = np.column_stack([rng.uniform(*s.xlim, 20), rng.uniform(*s.ylim, 20)])
    h = 1e-6
    num = np.stack([(s.value(P + h * e) - s.value(P - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)
    g = s.grad(P)
    assert g.shape == P.shape
    rel = np.abs(num - g) / np.maximum(1.0, np.abs(g))
    assert rel.max() < 1e-6
    np.testing.assert_allclose(s.value(s.minima), s.f_min, atol=1e-15)
    np.testing.assert_allclose(s.grad(s.minima), 0.0, atol=1e-15)


def test_surface_settings_and_errors():
    q = Quadratic(kappa=100, angle=0.3)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.H), [1, 100])
    assert q.value(q.start) == pytest.approx(4.0)                 # the same start energy for every kappa
    X, Y, Z = get_surface("rosenbrock").grid(11)
    assert X.shape == Y.shape == Z.shape == (11, 11)
    with pytest.raises(ValueError, match="unknown surface 'beale'; known: noisy, quadratic, rosenbrock, saddle"):
        get_surface("beale")
    with pytest.raises(ValueError, match="kappa must be"):
        Quadratic(kappa=0.5)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        Quadratic().value(np.zeros(3))
    assert set(SURFACES) == {"quadratic", "rosenbrock", "saddle", "noisy"}


def test_noisy_bowl_is_the_bowl_plus_reproducible_noise():
    b, q = NoisyBowl(kappa=20, angle=0.4, noise=0.5, seed=3), Quadratic(20, 0.4)
    P = np.array([[0.3, -1.0], [1.0, 2.0]])
    np.testing.assert_array_equal(b.value(P), q.value(P))
    g1 = [b.grad(P) for _ in range(200)]
    g2 = [NoisyBowl(kappa=20, angle=0.4, noise=0.5, seed=3).grad(P) for _ in range(1)]
    np.testing.assert_array_equal(g1[0], g2[0])                    # same seed, same noise
    dev = np.array(g1) - q.grad(P)
    assert abs(dev.std() - 0.5) < 0.05 and abs(dev.mean()) < 0.05
    with pytest.raises(ValueError, match="noise"):
        NoisyBowl(noise=-1)


# ---- helpers -------------------------------------------------------------------------------------
def test_settle_step_means_stays_below():
    assert settle_step([1, 1e-7, 1, 1e-7, 1e-8], 1e-6) == 3
    assert settle_step([1e-7, 1e-8], 1e-6) == 0
    assert settle_step([1, 1e-7, 1], 1e-6) == -1
    assert settle_step([1, np.nan], 1e-6) == -1


def test_path_shapes_divergence_and_read_only_results():
    r = optimiser_path("quadratic", "sgd", 2 / 11, 60, surface_args={"kappa": 10.0})
    assert r["path"].shape == (61, 2) and not r["diverged"] and r["gap"][-1] < 1e-6
    with pytest.raises(ValueError):
        r["path"][0, 0] = 1.0
    r = optimiser_path("quadratic", "sgd", 0.25, 400, surface_args={"kappa": 10.0})   # 2/kappa = 0.2: unstable
    assert r["diverged"] and np.isnan(r["path"][-1]).all()
    assert steps_to_tolerance("quadratic", "sgd", 0.25, surface_args={"kappa": 10.0})["steps"] == -1


# ---- momentum on the ill-conditioned bowl -------------------------------------------------------
FRACS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 1.7, 1.9)


@pytest.fixture(scope="module")
def sweep():
    return kappa_sweep((10, 100, 1000), 1e-6, 0.0, FRACS)


def test_gd_at_its_best_rate_needs_steps_proportional_to_kappa(sweep):
    gd, th = sweep["gd"], sweep["gd_theory"]
    np.testing.assert_allclose(gd, th, rtol=0.03)                 # 38, 381, 3801 vs theory 38, 380, 3800
    assert 9 < gd[1] / gd[0] < 11 and 9 < gd[2] / gd[1] < 11        # x10 per decade of kappa


def test_polyak_momentum_needs_steps_proportional_to_sqrt_kappa(sweep):
    p = sweep["polyak"]                                            # 17, 60, 210
    assert 2.5 < p[1] / p[0] < 4.5 and 2.5 < p[2] / p[1] < 4.5     # about sqrt(10) = 3.2 per decade
    assert sweep["gd"][1] > 5 * p[1] and sweep["gd"][2] > 15 * p[2]


def test_momentum_09_costs_about_140_steps_whatever_kappa(sweep):
    """The rate of beta=0.9 is at best sqrt(0.9) per step: ln(4e6)/ln(1/0.9) = 144 steps for f to fall
    from 4 to 1e-6. Slower than plain GD at kappa=10, 2.7x faster at 100, 25x at 1000."""
    m, gd = sweep["momentum"], sweep["gd"]
    assert np.all((m > 110) & (m < 180)), m
    assert m[0] > 2 * gd[0]
    assert gd[1] > 2 * m[1] and gd[2] > 15 * m[2]


def test_gd_grid_finds_nothing_better_than_two_over_one_plus_kappa():
    sw = lr_sweep("quadratic", "sgd", tuple(f * 2 / 100 for f in FRACS + (0.99, 1.0, 1.01)), 1e-6, 5000,
                  surface_args={"kappa": 100.0})
    best_theory = steps_to_tolerance("quadratic", "sgd", 2 / 101, 1e-6, 5000, surface_args={"kappa": 100.0})
    assert best_theory["steps"] <= sw["best_steps"] + 2
    assert sw["steps"][-1] == -1 and sw["diverged"][-1]           # beyond 2/kappa it diverges
    pk = polyak_momentum(100)
    assert pk["rate"] == pytest.approx(9 / 11) and pk["momentum"] == pytest.approx((9 / 11) ** 2)


# ---- adaptive methods ----------------------------------------------------------------------------
def test_adagrad_erases_axis_aligned_ill_conditioning_not_rotated():
    """A per-coordinate rate rescales x and y separately: that is Newton's method when the bowl's
    axes are the coordinate axes, and no help when the bowl is turned 45 degrees."""
    kw = dict(tol=1e-6, max_steps=3000)
    aligned = lr_sweep("quadratic", "adagrad", (0.3, 1.0, 3.0), surface_args={"kappa": 100.0, "angle": 0.0}, **kw)
    turned = lr_sweep("quadratic", "adagrad", (0.3, 1.0, 3.0), surface_args={"kappa": 100.0, "angle": math.pi / 4},
                      **kw)
    assert aligned["best_steps"] <= 20 and turned["best_steps"] >= 10 * aligned["best_steps"]


def test_rmsprop_at_a_constant_rate_ends_bouncing_at_lr_over_two():
    """Its step tends to lr*sign(g), so it cannot settle: a 2-cycle at |x| = |y| = lr/2, loss
    (1 + kappa) lr^2 / 8. Adam's long second-moment memory (beta2 = 0.999) lets it settle."""
    for lr in (0.001, 0.01):
        r = optimiser_path("quadratic", "rmsprop", lr, 3000, surface_args={"kappa": 100.0})
        np.testing.assert_allclose(np.abs(r["path"][-100:]), lr / 2, rtol=1e-3)
        assert r["gap"][-1] == pytest.approx(101 * lr ** 2 / 8, rel=1e-3)
    adam = optimiser_path("quadratic", "adam", 0.01, 3000, surface_args={"kappa": 100.0})
    assert 400 < settle_step(adam["gap"], 1e-6) < 900
    # a decaying rate lets RMSprop settle too: the bounce shrinks with the rate
    dec = optimiser_path("quadratic", "rmsprop", 0.01, 3000, surface_args={"kappa": 100.0},
                         schedule=("exponential", {"decay_rate": 0.1, "decay_steps": 1000}))
    assert dec["gap"][-1] < 1e-7 and 0 < settle_step(dec["gap"], 1e-6) < 2500      # 1.2e-9, from step 1542


def test_errata_the_notes_adadelta_never_moves_the_real_one_does():
    r = notes_adadelta_path("quadratic", 200, surface_args={"kappa": 10.0})
    np.testing.assert_array_equal(r["notes"], np.tile(Quadratic(10).start, (201, 1)))
    q = Quadratic(10)
    assert q.value(r["adadelta"][-1]) < 0.5 * q.value(q.start)     # Adadelta (slow start) is on its way
    first = np.abs(r["adadelta"][1] - r["adadelta"][0])              # sqrt(eps / (1 - rho)) = 4.5e-3 per coordinate
    np.testing.assert_allclose(first, np.sqrt(1e-6) / np.sqrt(0.05 + 1e-6 / np.abs(q.grad(q.start)) ** 2), rtol=1e-9)


def test_adam_bias_correction_first_step():
    """Without the correction the first step is lr (1 - beta1)/sqrt(1 - beta2) = 3.16 lr; with it, lr."""
    a = optimiser_path("quadratic", "adam", 0.01, 1, surface_args={"kappa": 10.0})["path"]
    b = optimiser_path("quadratic", "adam", 0.01, 1, hyper={"bias_correction": False},
                       surface_args={"kappa": 10.0})["path"]
    np.testing.assert_allclose(np.abs(a[1] - a[0]), 0.01, rtol=1e-6)
    np.testing.assert_allclose(np.abs(b[1] - b[0]), 0.01 * 0.1 / np.sqrt(0.001), rtol=1e-6)


# ---- Rosenbrock and the saddle ------------------------------------------------------------------
def test_rosenbrock_valley_gd_crawls_momentum_and_adam_arrive():
    gd = optimiser_path("rosenbrock", "sgd", 1e-3, 3000)["gap"]
    mom = optimiser_path("rosenbrock", "momentum", 1e-3, 3000, hyper={"momentum": 0.9})["gap"]
    adam = optimiser_path("rosenbrock", "adam", 0.03, 3000)["gap"]
    assert gd[-1] > 1e-2                                            # 2.5e-2: still in the valley
    assert mom[-1] < 1e-8 and adam[-1] < 1e-8                       # 1.5e-12 and 4.4e-11
    assert settle_step(mom, 1e-4) < 1200 and settle_step(gd, 1e-4) == -1


def _escape(r, level=0.5):
    i = np.nonzero(np.abs(r["path"][:, 1]) > level)[0]
    return int(i[0]) if len(i) else -1


def test_saddle_gd_escape_time_grows_with_log_offset_adam_escapes_at_once():
    offsets = (1e-3, 1e-6, 1e-9)
    gd = [_escape(optimiser_path("saddle", "sgd", 0.1, 400, surface_args={"offset": o})) for o in offsets]
    adam = [_escape(optimiser_path("saddle", "adam", 0.1, 400, surface_args={"offset": o})) for o in offsets]
    per_decade = math.log(10) / math.log(1.1)                       # y grows by 1 + lr per step near the saddle
    assert abs((gd[1] - gd[0]) / 3 - per_decade) < 1.5 and abs((gd[2] - gd[1]) / 3 - per_decade) < 1.5
    assert max(adam) <= 10 and min(gd) > 50
    for name in ("sgd", "momentum", "adam"):                        # exactly on the ridge nobody escapes
        r = optimiser_path("saddle", name, 0.1, 400, surface_args={"offset": 0.0})
        assert _escape(r) == -1 and abs(r["loss"][-1]) < 1e-12      # they stop at the saddle, f = 0


# ---- input normalisation --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def table():
    return normalisation_table()


def test_zscore_cuts_the_condition_number_and_the_steps_by_orders_of_magnitude(table):
    raw, z, mm = table["raw"], table["zscore"], table["minmax"]
    assert np.all(raw["cond"] > 5e4) and np.all(z["cond"] < 2)      # about 1e5 vs 1.1
    assert np.all(raw["cond"] / z["cond"] > 1e4)
    assert np.all(raw["steps"] > 1e5) and np.all(z["steps"] <= 5)
    assert np.all(raw["steps"] / z["steps"] > 1e4)
    # min-max fixes the scales but leaves the means at ~0.5, coupled to the bias: in between
    assert np.all((mm["cond"] > 20) & (mm["cond"] < 300)) and np.all((mm["steps"] > 100) & (mm["steps"] < 1000))
    assert np.all(raw["steps"] / mm["steps"] > 300) and np.all(mm["steps"] / z["steps"] > 30)


def test_normalising_fixes_scales_not_correlation():
    t = normalisation_table(corr=0.8, schemes=("zscore",))
    assert np.all((t["zscore"]["cond"] > 5) & (t["zscore"]["cond"] < 15))   # (1 + 0.8)/(1 - 0.8) = 9


@pytest.mark.parametrize("scheme", ["zscore", "minmax"])
def test_closed_form_step_count_equals_running_gradient_descent(scheme):
    for seed in range(5):
        X, y = least_squares_problem(seed)
        A = np.column_stack([scale_features(X, scheme), np.ones(len(X))])
        r = normalisation_gd(scheme, seed)
        path = gd_path(A, y, r["lr"], r["steps"] + 5)
        E = path - r["theta_star"]
        gap = 0.5 * np.einsum("ki,ij,kj->k", E, r["H"], E)
        first = int(np.nonzero(gap / gap[0] <= 1e-6)[0][0])
        assert r["steps"] == gd_steps_closed_form(r["H"], r["theta_star"], r["lr"], 1e-6)
        assert abs(first - r["steps"]) <= 1          # equal here; 1 step of slack for rounding at the boundary


def test_the_zigzag_steep_direction_flips_every_step_shallow_one_never():
    r = normalisation_gd("minmax", 0)
    lam, V = np.linalg.eigh(r["H"])
    d = np.diff(r["path"], axis=0)
    steep, shallow = d @ V[:, -1], d @ V[:, 0]
    assert np.all(np.sign(steep[1:]) != np.sign(steep[:-1]))
    assert np.all(np.sign(shallow) == np.sign(shallow[0]))
    rate = (r["cond"] - 1) / (r["cond"] + 1)                        # the slowest modes shrink by this per step
    assert 0.05 < r["rel_gap"][-1] <= rate ** 100 + 1e-12          # 50 steps: still far away (0.14)


def test_normalisation_errors():
    with pytest.raises(ValueError, match="unknown scaling 'log'; known: raw, zscore, minmax, centre, scale"):
        scale_features(np.ones((3, 2)), "log")
    with pytest.raises(ValueError, match="corr"):
        least_squares_problem(0, corr=1.0)
    assert gd_steps_closed_form(np.diag([1.0, 4.0]), np.ones(2), lr=0.6, tol=1e-6) == -1   # 0.6 > 2/4
