"""Chapter 06 claims, asserted over the seeds the chapter makes them for (batch size, measured)."""
import numpy as np
import pytest

from dlcore.experiments import batch_noise as bn
from dlcore.experiments import batch_outcomes as bo
from dlcore.experiments import batch_paths as bp
from dlcore.experiments import batch_training as bt
from dlcore.experiments.common import SEEDS, digits_data


# ------------------------------------------------------------------ per-example gradients
@pytest.mark.parametrize("steps", [0, 300])
def test_per_example_gradients_are_exact(steps):
    st = bn.gradient_state(0, steps)
    assert st["check"] < 1e-10                     # their mean is the library's batch gradient
    X, y, _, _ = digits_data()
    net = bn.digits_net(np.random.default_rng(3))
    G = bn.per_example_grads(net, X[:5].astype(float), y[:5])
    for i in (0, 4):                               # each row is that example's own gradient
        g = bn.batch_grad(net, X[i:i + 1].astype(float), y[i:i + 1])
        assert np.linalg.norm(G[i] - g) <= 1e-10 * np.linalg.norm(g)


# ------------------------------------------------------------------ noise against the theory
@pytest.mark.parametrize("seed", SEEDS)
def test_noise_follows_trace_over_b_and_the_finite_population_correction(seed):
    r = bn.noise_vs_batch(seed, 0)
    B, N = r["B"], r["N"]
    inner = B < N
    ratio_with = r["with"] / r["theory_with"]
    assert np.all((ratio_with > 0.8) & (ratio_with < 1.25))            # measured 0.96-1.03 (seed 0)
    ratio_without = r["without"][inner] / r["theory_without"][inner]
    assert np.all((ratio_without > 0.8) & (ratio_without < 1.25))
    assert r["without"][~inner][0] < 1e-9 * r["trace"]          # B = N: the full gradient itself (float32 rounding)
    half = B == 540                                                       # the correction halves the noise
    assert r["without"][half][0] < 0.65 * r["theory_with"][half][0]
    assert r["with"][half][0] > 0.8 * r["theory_with"][half][0]
    # the direction: cosine to the full gradient grows with B, is 1 at B = N without replacement
    assert np.all(np.diff(r["cos_without"]) > -0.02) and r["cos_without"][-1] > 1 - 1e-9
    assert r["cos_with"][0] < 0.3 and r["cos_with"][B == 64][0] > 0.7


def test_noise_after_training_too():
    r = bn.noise_vs_batch(0, 300)
    ratio = r["with"] / r["theory_with"]
    assert np.all((ratio > 0.75) & (ratio < 1.33))                        # heavier tails: measured 0.93-1.05


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_scale_two_ways_and_its_growth(seed):
    init, late = bn.noise_scale(seed, 0), bn.noise_scale(seed, 300)
    assert 0.75 < init["estimate"] / init["exact"] < 1.33                  # seed 0: 35.9 vs 35.3
    assert 0.6 < late["estimate"] / late["exact"] < 1.67                   # seed 0: 434 vs 491
    assert 15 < init["exact"] < 80 and late["exact"] > 4 * init["exact"]    # the noise scale grows


def test_scatter_projection_shrinks_as_one_over_b():
    sc = bn.scatter_2d(0, 0)
    a, b = bn.project_batches(sc, 4, rng=1), bn.project_batches(sc, 64, rng=1)
    assert 8 < a["mean_sq"] / b["mean_sq"] < 32                            # 16 x expected (FPC: 17)
    assert np.allclose(bn.project_batches(sc, sc["N"])["points"], sc["center"])


# ------------------------------------------------------------------ sampling
def test_batches_steps_per_epoch_and_drop_last():
    assert bt.steps_per_epoch(1079, 64) == 17 and bt.steps_per_epoch(1079, 64, drop_last=True) == 16
    assert bt.steps_per_epoch(1079, 1079) == 1 and bt.steps_per_epoch(1000, 1000, True) == 1
    it = bt.batches(10, 4, 0)
    sizes = [len(next(it)) for _ in range(6)]
    assert sizes == [4, 4, 2, 4, 4, 2]
    it = bt.batches(10, 4, 0, drop_last=True)
    first = [next(it) for _ in range(2)]
    assert [len(i) for i in first] == [4, 4] and len(set(np.concatenate(first))) == 8
    rep = bt.batches(10, 50, 0, sampling="replace")
    assert len(next(rep)) == 50                                            # with replacement, B > n is fine
    with pytest.raises(ValueError, match="drop_last"):
        next(bt.batches(10, 11, 0, drop_last=True))
    with pytest.raises(ValueError, match="sampling"):
        next(bt.batches(10, 2, 0, sampling="bootstrap"))


# ------------------------------------------------------------------ steps and epochs to a target
@pytest.fixture(scope="module")
def sweep():
    return bt.batch_sweep()


def test_too_small_a_batch_at_a_rate_for_larger_ones_does_not_converge(sweep):
    B = list(sweep["B"])
    fixed = sweep["fixed"]
    assert not fixed["hit"][B.index(1)].any()               # lr 0.3 at B = 1: never, 5 of 5 seeds ...
    assert np.all(fixed["best_acc"][B.index(1)] < 0.7)      # ... nowhere near (at chance at step 200: 0.10-0.15)
    assert fixed["hit"][B.index(4):].all()                  # the same rate from B = 4 up: 5 of 5
    for rule in ("linear", "sqrt"):                         # at its own smaller rate B = 1 converges
        assert sweep[rule]["hit"][B.index(1)].all()
        assert np.nanmax(sweep[rule]["epochs"][B.index(1)]) < 1.5


def test_larger_batch_needs_more_epochs_fewer_steps(sweep):
    B = list(sweep["B"])
    ep, st = sweep["fixed"]["epochs"], sweep["fixed"]["steps"]
    i4, i64, i1079 = B.index(4), B.index(64), B.index(1079)
    assert np.all(ep[i64] > 2 * ep[i4]) and np.all(ep[i1079] > 5 * ep[i64])    # every seed
    assert np.all(st[i4] > 2.5 * st[i64])                                       # steps fall ...
    assert np.nanmean(st[i1079]) > 0.6 * np.nanmean(st[i64])                    # ... then stop falling


def test_linear_scaling_breaks_at_large_batches(sweep):
    B = list(sweep["B"])
    lin = sweep["linear"]
    assert lin["hit"][B.index(64)].all()
    assert not lin["hit"][B.index(256):].any()                                 # lr 4.8 and 20: 5 of 5 lost
    assert np.all(lin["best_acc"][B.index(256):] < 0.7)


def test_warmup_helps_the_first_steps_not_the_limit(sweep):
    B = list(sweep["B"])
    warm = bt.batch_sweep(batch_sizes=(64, 256), rules=("linear",), warmup=100)["linear"]
    assert warm["hit"][0].all()                                                  # B = 64: 69 +- 8 steps
    assert np.nanstd(warm["steps"][0]) < np.nanstd(sweep["linear"]["steps"][B.index(64)])   # vs 77 +- 26
    assert not warm["hit"][1].any()                                              # B = 256, lr 4.8: 0 of 5
    assert np.all(warm["best_acc"][1] > 0.5)                                     # 0.67-0.76 during warm-up
    assert np.all(sweep["linear"]["best_acc"][B.index(256)] < 0.45)              # 0.17-0.33 without


def test_steps_fit_mccandlish_curve(sweep):
    best = np.nanmin(np.stack([sweep[r]["steps"] for r in bt.LR_RULES]), axis=0)     # (n_B, n_seeds)
    fits = [bt.fit_noise_scale(sweep["B"], best[:, j]) for j in range(best.shape[1])]
    bn_ = np.array([f["b_noise"] for f in fits])
    smin = np.array([f["s_min"] for f in fits])
    assert np.all((bn_ > 6) & (bn_ < 40))                   # measured 13-17
    assert np.all((smin > 15) & (smin < 60))                # measured 30-32


def test_fit_noise_scale_recovers_a_known_curve():
    B = np.array([1, 4, 16, 64, 256])
    f = bt.fit_noise_scale(B, 30 * (1 + 20 / B))
    assert f["s_min"] == pytest.approx(30) and f["b_noise"] == pytest.approx(20)


# ------------------------------------------------------------------ paths on a 2-D regression
@pytest.mark.parametrize("seed", SEEDS)
def test_paths_small_batches_wander_full_batch_descends(seed):
    r = bp.sgd_paths(lr=0.2, rng=seed)
    assert np.all(np.diff(r[256]["loss"]) <= 1e-12)                        # full batch: every step downhill
    assert np.sum(np.diff(r[1]["loss"]) > 0) > 25                          # B = 1: many steps uphill (42-50)
    assert r[1]["dist"] > 2 * r[256]["dist"]                                # ends further from the minimum


def test_paths_at_a_large_step_b1_is_thrown_out_full_batch_converges():
    far = [np.max(np.hypot(*(bp.sgd_paths(lr=0.5, rng=s)[1]["w"] - bp.sgd_paths(lr=0.5, rng=s)["w_star"]).T))
           for s in SEEDS]
    assert sum(f > 10 for f in far) >= 4                   # measured 11, 55, 33, 4198, 4.0
    assert bp.sgd_paths(lr=0.5, rng=0)[256]["dist"] < 1e-3


# ------------------------------------------------------------------ cost of a step (qualitative only)
def test_per_example_cost_falls_with_batch_size():
    s = bp.step_times(batch_sizes=(1, 256), repeats=10)
    assert s["per_example"][0] > 10 * s["per_example"][1]                  # measured ~100x: fixed overhead
    m = bp.matmul_throughput(batch_sizes=(60, 64), repeats=5, width=64)
    assert m["seconds"].shape == (2,) and np.all(m["gflops"] > 0)


# ------------------------------------------------------------------ generalisation at full batch
def test_no_generalisation_gap_at_this_scale():
    g = bo.generalisation()
    assert g[8]["fit"].all() and g[200]["fit"].all()       # both fit the 200 images (train loss < 0.02)
    assert abs(np.mean(g["paired"])) < 0.02                # measured -0.003 +- 0.004: no gap
    assert np.all(g[200]["val_acc"] > 0.9)


def test_at_an_equal_epoch_budget_the_full_batch_is_behind():
    e54, e10 = bo.equal_budget(54), bo.equal_budget(10)
    assert np.all(e54["paired"] > -0.01) and np.mean(e54["paired"]) > 0.008     # 0.020 +- 0.012 (0.003-0.036)
    assert np.all(e54[200]["train_loss"] > 0.1)                                  # not fitted: 0.18-0.20
    assert np.all(e10["paired"] > 0.04)                                          # 0.17 +- 0.06


# ------------------------------------------------------------------ Rprop
@pytest.mark.skipif(not bo.rprop_available(), reason="dlcore.optim has no 'rprop' yet")
def test_rprop_needs_the_full_batch():
    full = [bo.rprop_runs(1079, 0.01, rng=s, epochs=40) for s in SEEDS]
    mini = [bo.rprop_runs(64, 0.01, rng=s, epochs=40) for s in SEEDS]
    rms = [bo.rprop_runs(64, 0.001, rng=s, epochs=40, optimizer="rmsprop") for s in SEEDS]
    assert all(r["val_acc"][-1] > 0.9 and r["train_loss"][-1] < 0.05 for r in full)      # 0.018 +- 0.004
    assert all(m["train_loss"][-1] > 10 * f["train_loss"][-1] for m, f in zip(mini, full))   # 1.5 +- 0.9
    assert all(m["train_loss"][-1] > 0.2 for m in mini)
    assert all(r["train_loss"][-1] < 0.3 for r in rms)                                  # 0.140 +- 0.006
    # the mechanism: random signs drive most step sizes to the floor (ln Δ drifts by ln(0.6)/3 a step);
    # a few weights with a persistent sign run away (norm 9 -> ~1e4 vs 3.4e2 full batch)
    assert all(m["at_floor"][-1] > 0.5 for m in mini)                       # measured 0.76-0.80
    assert all(f["at_floor"][-1] < 0.1 for f in full)                       # measured 0.03-0.06
    assert all(m["top10"][-1] > 0.9 for m in mini)                          # 10 weights hold |W|²: 0.997-1.000
    assert all(f["top10"][-1] < 0.7 for f in full)                          # 0.42-0.51
    assert all(m["weight_norm"][-1] > 10 * f["weight_norm"][-1] for m, f in zip(mini, full))
    assert all(np.isnan(r["at_floor"]).all() for r in rms)                  # RMSprop has no step sizes
    ends, lows = np.mean([m["train_loss"][-1] for m in mini]), np.mean([min(m["train_loss"]) for m in mini])
    assert ends > 3 * lows                                         # the loss turns and climbs: 1.5 vs 0.26
