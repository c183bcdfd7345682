"""Chapter 05 claims on the 2-D surfaces (deterministic), the digits (over 5 seeds) and the two
tables (over 5 splits), with margins."""
import math

import numpy as np
import pytest

from dlcore.experiments import normalisation_tables as tx
from dlcore.experiments import optimisers as ox
from dlcore.experiments import optimisers_demo as dx
from dlcore.experiments import optimisers_sweep as sx


# ---- the zig-zag, Nesterov, first steps, saddles ----------------------------------------------
def test_gd_zigzags_momentum_damps_it_nesterov_damps_more():
    gd = dx.zigzag("sgd", 0.018, 30)
    mom = dx.zigzag("momentum", 0.018, 30, {"momentum": 0.9})
    mom4 = dx.zigzag("momentum", 0.004, 30, {"momentum": 0.9})
    nes4 = dx.zigzag("nesterov", 0.004, 30, {"momentum": 0.9})
    assert gd["flips"] == 29 and mom["flips"] <= 15 and mom4["flips"] <= 8
    assert mom["gap"][-1] < gd["gap"][-1] / 4 and mom["x_left"] < gd["x_left"] / 2
    assert nes4["y_amp"] < mom4["y_amp"] / 50                            # 3e-4 vs 4e-2
    # Nesterov's stability limit 2(1+mu)/(1+2mu)/L = 0.01357 at L = 100, momentum's 2(1+mu)/L = 0.038
    assert not dx.zigzag("nesterov", 0.0130, 300, {"momentum": 0.9})["gap"][-1] > 1
    assert math.isnan(dx.zigzag("nesterov", 0.0142, 300, {"momentum": 0.9})["gap"][-1])
    assert dx.zigzag("momentum", 0.037, 300, {"momentum": 0.9})["gap"][-1] < 1
    assert math.isnan(dx.zigzag("momentum", 0.039, 300, {"momentum": 0.9})["gap"][-1])


def test_first_steps_adam_sign_adagrad_inverse_sqrt_uncorrected_adam_overshoots():
    g = (1.0, 1e-3)
    adam = dx.first_steps("adam", g, 0.01, 1000)["ratio"]
    np.testing.assert_allclose(np.abs(adam), 1.0, rtol=2e-5)           # eta in both coordinates, every step
    nobc = np.abs(dx.first_steps("adam", g, 0.01, 1000, {"bias_correction": False})["ratio"][:, 0])
    assert nobc[0] == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-6)   # 3.16
    assert 6.4 < nobc.max() < 6.7 and nobc.argmax() + 1 == 12 and 1.1 < nobc[-1] < 1.4
    ada = np.abs(dx.first_steps("adagrad", g, 0.01, 100)["ratio"][:, 0])
    np.testing.assert_allclose(ada, 1 / np.sqrt(np.arange(1, 101)), rtol=1e-6)
    rms = np.abs(dx.first_steps("rmsprop", g, 0.01, 200)["ratio"][:, 0])
    assert rms[0] == pytest.approx(1 / math.sqrt(0.1), rel=1e-6) and abs(rms[-1] - 1) < 1e-3


def test_saddle_escape():
    esc = {n: [dx.escape_steps(n, 0.1, o, 400, h) for o in (1e-3, 1e-6, 1e-9)]
           for n, h in (("sgd", None), ("momentum", {"momentum": 0.9}), ("adagrad", None), ("rmsprop", None),
                        ("adam", None))}
    assert esc["sgd"] == [67, 139, 212] and max(esc["adam"] + esc["rmsprop"] + esc["adagrad"]) <= 10
    assert esc["sgd"][0] > esc["momentum"][0] > 10
    assert dx.escape_steps("sgd", 0.1, 0.0) == dx.escape_steps("adam", 0.1, 0.0) == -1


def test_per_coordinate_scaling_helps_only_axis_aligned():
    avr = dx.aligned_vs_rotated()
    assert avr["sgd"]["aligned"] == avr["sgd"]["rotated"] == 379
    assert avr["adagrad"]["aligned"] <= 10 and avr["adagrad"]["rotated"] > 50 * avr["adagrad"]["aligned"]
    assert avr["rmsprop"]["aligned"] == avr["rmsprop"]["rotated"] == -1      # bounces at lr/2 for ever
    al = dx.kappa_sweep_adaptive("adam", angle=0.0)["steps"]
    rot = dx.kappa_sweep_adaptive("adam", angle=math.pi / 4)["steps"]
    assert al.max() <= 1.1 * al.min()                                    # 139-144 for kappa 10..1000
    assert rot[-1] > 3 * rot[0] and rot[-1] > 3 * al[-1]                 # 481 vs 136; vs 144


def test_noisy_bowl_constant_rate_jitters_more_at_a_larger_rate():
    floors = []
    for lr in (0.01, 0.1):
        gaps = [np.mean(ox.optimiser_path("noisy", "sgd", lr, 1500, None, None,
                                          {"kappa": 10.0, "noise": 1.0, "seed": s})["gap"][-500:]) for s in range(5)]
        floors.append(np.median(gaps))
    assert floors[1] > 5 * floors[0]                                     # the jitter grows with the rate


# ---- digits --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sweeps():
    return sx.sweep_all()


def test_sweep_best_rates_are_inside_their_grids_and_train(sweeps):
    for name, s in sweeps.items():
        assert 0 < s["best"] < len(s["lrs"]) - 1, (name, s["best_lr"])     # not at an edge of the grid
        assert np.all(s["val_acc"][s["best"]] > 0.92), name
        assert np.all(s["val_loss"][s["best"]] < 0.3), name
    best = {n: s["best_lr"] for n, s in sweeps.items()}
    assert 0.1 <= best["sgd"] <= 1.0 and 0.003 <= best["rmsprop"] <= 0.03 and 0.01 <= best["adam"] <= 0.03
    assert best["sgd"] / min(best.values()) >= 10                        # the best rates differ by >= 10x


def test_sweep_every_good_range_is_at_most_a_decade_and_a_decade_off_costs(sweeps):
    for name, s in sweeps.items():
        g = sx.good_range(s)
        assert 0.4 < g["decades"] <= 1.01, (name, g)
        med, b, lrs = s["median"], s["best"], s["lrs"]
        for j in (b - 2, b + 2):                                          # a decade off, where the grid has it
            if 0 <= j < len(lrs):
                assert med[j] > 1.5 * med[b], (name, lrs[j])
    adam = sweeps["adam"]
    assert adam["median"][list(adam["lrs"]).index(0.001)] > 3 * adam["median"][adam["best"]]   # default 1e-3


def test_decaying_schedules_beat_a_constant_high_rate():
    r = sx.schedule_runs("sgd", 1.0)
    const = np.median(r["constant"]["val_loss"])
    for label in ("step (x0.1 at 2/3)", "exponential", "cosine", "warm-up + cosine"):
        assert np.median(r[label]["val_loss"]) < 0.85 * const, label
    rates = r["cosine"]["rate"]
    assert rates[0] == 1.0 and rates[-1] < 1e-4
    assert r["warm-up + cosine"]["rate"][0] == pytest.approx(1.0 / 30)


def test_warmup_rescues_the_too_large_initialisation():
    r = sx.warmup_rescue()
    assert not r["none"]["trained"].any() and np.all(r["none"]["val_acc"] < 0.35)
    assert r["warmup"]["trained"].all() and np.all(r["warmup"]["val_acc"] > 0.8)
    assert np.all(r["none"]["peak"] > 3 * r["none"]["loss"][:, 0])       # the loss explodes first
    assert np.all(r["warmup"]["peak"] < 1.2 * r["warmup"]["loss"][:, 0])  # with warm-up it never rises far
    assert np.all(r["none"]["loss"][:, -50:].mean(1) > 1.5)              # wrecked: near the chance loss 2.30
    assert r["warmup"]["rate"][0] == pytest.approx(0.003) and r["warmup"]["rate"][100] == 0.3
    off = sx.warmup_rescue(warmup=0, seeds=(0,))
    np.testing.assert_array_equal(off["warmup"]["val_acc"], off["none"]["val_acc"])


# ---- tables --------------------------------------------------------------------------------------
def test_tables_load_through_load_csv():
    w, d = tx.load_table("wine", 0), tx.load_table("diabetes", 0)
    assert w.task == "classification" and w.n_classes == 3 and w.X_train.shape[1] == 13
    assert sum(len(v) for v in (w.y_train, w.y_val, w.y_test)) == 178
    assert d.task == "regression" and d.X_train.shape[1] == 10
    assert sum(len(v) for v in (d.y_train, d.y_val, d.y_test)) == 442
    assert w.X_train.max() > 1000 and w.X_train.min() < 0.2              # proline vs hue


def test_scaling_decides_whether_the_tables_train():
    t = tx.table_comparison()
    w, d = t["wine"], t["diabetes"]
    assert np.all(w["raw"]["steps"] == -1)                               # not within 10 000 steps
    assert np.all((w["zscore"]["steps"] > 0) & (w["zscore"]["steps"] <= 30))
    assert np.all((w["minmax"]["steps"] > 5 * w["zscore"]["steps"]))
    assert np.all(d["raw"]["steps"] > 1e4 * d["zscore"]["steps"])
    assert np.all((d["minmax"]["steps"] > 10 * d["zscore"]["steps"]) & (d["minmax"]["steps"] < d["raw"]["steps"]))
    assert np.all(d["logz"]["steps"] < d["zscore"]["steps"])             # the log helps diabetes further
    for table in (w, d):
        assert np.all(table["zscore"]["cond"] < table["minmax"]["cond"])
        assert np.all(table["minmax"]["cond"] < table["raw"]["cond"] / 100)


def test_scale_table_errors_and_statistics():
    X = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 50.0]])
    z = tx.scale_table(X, X, "zscore")
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(0), 1)
    np.testing.assert_allclose(tx.scale_table(X, X, "minmax").max(0), 1)
    with pytest.raises(ValueError, match="unknown scaling"):
        tx.scale_table(X, X, "log")
    with pytest.raises(ValueError, match="unknown table"):
        tx.table_csv("iris")


def test_dlcore_retraces_torch_optim_paths():
    from dlcore.experiments.optimisers_reference import SETTINGS, reference_table
    r = reference_table()
    assert {name for name, _ in r["rows"]} == set(SETTINGS) and len(r["rows"]) == 2 * len(SETTINGS)
    for key, row in r["rows"].items():
        assert row["worst"] < 1e-14 and row["moved"] > 0.05, key


# ---- after the expert read (review findings 2-7, 9, 11-13) ---------------------------------------
def test_schedules_paired_counts_and_cosine_beats_the_best_constant_rate():
    """The decaying schedules beat the constant rate 1.0 on the mean but not in every seed (the
    printed paired counts); cosine from peak 1.0 beats the best constant rate 0.3 seed by seed."""
    r = sx.schedule_runs("sgd", 1.0)
    const = r["constant"]["val_loss"]
    for label in ("step (x0.1 at 2/3)", "exponential", "1/t", "cosine", "warm-up + cosine"):
        k = sx.paired_lower(r[label]["val_loss"], const)
        assert 3 <= k <= 4, (label, k)                                    # not 5 of 5: the text says so
        assert r[label]["val_loss"].mean() < const.mean() - 0.01, label
    low = sx.schedule_runs("sgd", 0.3, specs=(sx.SCHEDULE_SPECS[0], sx.SCHEDULE_SPECS[1], sx.SCHEDULE_SPECS[4]))
    cos1, c03 = r["cosine"]["val_loss"], low["constant"]["val_loss"]
    assert sx.paired_lower(cos1, c03) == 5                                # 0.144/0.128/0.156/0.129/0.157 vs
    assert c03.mean() - cos1.mean() > 0.015                               # 0.200/0.159/0.157/0.157/0.165
    assert sx.paired_lower([1, 2, 3], [2, 2, 2]) == 1


def test_sweep_seed_agreement_and_ties(sweeps):
    k = {n: sx.seed_best_count(s) for n, s in sweeps.items()}
    assert k["momentum"] == k["nesterov"] == k["adagrad"] == k["adam"] == 5
    assert k["sgd"] >= 4 and k["rmsprop"] >= 4
    for n in ("adamax", "nadam"):                                         # the Adam family, on the digits too
        assert 0.01 <= sweeps[n]["best_lr"] <= 0.03 and np.median(sweeps[n]["val_loss"][sweeps[n]["best"]]) < 0.2
    nadam = sx.best_rates(sweeps["nadam"])
    assert [lr for lr, _ in nadam] == [0.01, 0.03] and sum(c for _, c in nadam) == 5
    assert [lr for lr, _ in sx.best_rates(sweeps["adam"])] == [0.03]


def test_adam_default_rate_is_slow_not_bad_with_a_longer_budget():
    long = sx.digits_lr_sweep("adam", (0.001, 0.01, 0.03), steps=1000)
    med = long["median"]
    assert long["best_lr"] == 0.01                                        # the best rate moves down from 0.03
    assert med[0] < 2.0 * med[1] and med[0] < 0.25                        # the default within 2x (0.194 vs 0.108)
    short = sx.digits_lr_sweep("adam", sx.SWEEP_LRS["adam"])
    assert short["median"][2] > 4 * med[0]                                # 200 steps: 0.87 at 1e-3


def test_warmup_controls_and_mechanism():
    for lr in (0.01, 0.03, 0.1):                                          # smaller constant rates train too
        v = sx.warmup_rescue("sgd", lr, 0)["none"]
        assert v["trained"].all() and np.all(v["val_acc"] > 0.7), lr
        assert v["val_acc"].mean() < sx.warmup_rescue()["warmup"]["val_acc"].mean() + 0.01   # not better
    # (warm-up's 0.911 +- 0.014 here is 0.889 under OpenBLAS's Haswell kernel: chaotic runs; no ranking claimed)
    ws = sx.warmup_state()
    assert np.all(ws["none"]["dead"] > 0.5) and np.median(ws["warmup"]["dead"]) < 0.2   # 0.73-0.93 vs 0.04-0.17
    assert np.all(ws["none"]["dead"] > ws["warmup"]["dead"] + 0.3)       # seed by seed (Haswell: one seed 0.35)
    assert np.all(ws["none"]["norm"] > 1.5 * ws["none"]["norm0"])                       # the weights grow
    np.testing.assert_allclose(ws["warmup"]["norm"], ws["warmup"]["norm0"], rtol=0.05)


def test_beta1_sets_adams_floor_and_the_turn_shows_at_beta1_half():
    al = dx.kappa_sweep_adaptive("adam", kappas=(10, 100, 1000), angle=0.0, hyper={"betas": (0.5, 0.999)})
    tu = dx.kappa_sweep_adaptive("adam", kappas=(10, 100, 1000), angle=math.pi / 4, hyper={"betas": (0.5, 0.999)})
    assert np.all((al["steps"] > 0) & (al["steps"] < 100))                # 24, 62, 32
    assert tu["steps"][-1] > 10 * al["steps"][-1]                         # 1342 vs 32
    a9 = dx.kappa_sweep_adaptive("adam", angle=0.0)["steps"]
    m9 = ox.kappa_sweep()["momentum"]
    assert np.all(np.abs(a9 - m9) < 20)                                   # beta1 = 0.9: momentum 0.9's floor
    assert ox.momentum_kappa_limit(0.9) == pytest.approx(1442, abs=1)


def test_adagrad_aligned_best_is_the_grids_largest_rate_and_larger_does_as_well():
    avr = dx.aligned_vs_rotated()
    assert avr["adagrad"]["aligned_lr"] == max(dx.ADAPTIVE_LRS) and avr["adagrad"]["aligned"] <= 10
    assert avr["adagrad"]["rotated_lr"] == 0.3
    assert ox.steps_to_tolerance("quadratic", "adagrad", 30.0, 1e-6, 3000,
                                 surface_args={"kappa": 100.0})["steps"] <= avr["adagrad"]["aligned"]


def test_rosenbrock_gd_rate_swept():
    r = dx.final_gap_sweep("rosenbrock", "sgd", (1e-3, 1.5e-3, 2e-3, 2.5e-3), 3000)
    assert r["best_lr"] == 2e-3 and 5e-4 < r["best_gap"] < 5e-3           # 1.5e-3: still creeping
    assert r["gaps"][-1] > 10 * r["best_gap"]                             # 2.5e-3 bounces (0.12)
    mom = ox.optimiser_path("rosenbrock", "momentum", 1e-3, 3000, hyper={"momentum": 0.9})["gap"][-1]
    assert mom < 1e-6 * r["best_gap"]


def test_adamw_decays_every_weight_alike_l2_inside_adam_does_not():
    r = dx.decay_vs_l2()
    np.testing.assert_allclose(r["adamw"], r["expected"], rtol=1e-3)
    assert r["l2"][0] > 0.97 and r["l2"][1] < 0.25                        # busy 0.980, quiet 0.176


def test_adadelta_epsilon_is_its_learning_rate():
    firsts, ends = [], []
    bowl_f = lambda p: 0.5 * (p[0] ** 2 + 10 * p[1] ** 2)
    for eps in (1e-4, 1e-6, 1e-8):
        p = ox.optimiser_path("quadratic", "adadelta", 1.0, 200, None, {"rho": 0.95, "eps": eps},
                              {"kappa": 10.0})["path"]
        firsts.append(np.abs(p[1] - p[0]).max())
        ends.append(bowl_f(p[-1]))
        assert firsts[-1] == pytest.approx(math.sqrt(eps / 0.05), rel=1e-3)   # g^2 >> eps
    assert ends[0] < 1e-12 and 0.3 < ends[1] < 1.5 and ends[2] > 2.5


def test_centring_or_scaling_alone_is_not_enough():
    from dlcore.experiments import normalisation as nx
    part = nx.normalisation_table(schemes=nx.PARTIAL_SCALINGS)
    full = nx.normalisation_table()
    assert np.all((part["centre"]["cond"] > 100) & (part["centre"]["cond"] < 2000))      # 359-486
    assert np.all(part["scale"]["cond"] > 3 * part["centre"]["cond"])                    # 1755-2942
    assert np.all(part["centre"]["steps"] > 100 * full["zscore"]["steps"])
    assert np.all(part["scale"]["steps"] < full["raw"]["steps"] / 10)


def test_saddle_escape_down_to_1e16_and_momentums_root():
    assert dx.escape_steps("sgd", 0.1, 1e-16, 400) > 350                                 # 381
    for name in ("adagrad", "rmsprop", "adam"):
        assert 0 < dx.escape_steps(name, 0.1, 1e-16, 400) <= 10, name                   # eps: rate eta/eps
    mom = [dx.escape_steps("momentum", 0.1, d, 400, {"momentum": 0.9}) for d in (1e-3, 1e-6, 1e-9, 1e-16)]
    root = max(np.roots([1.0, -2.0, 0.9]).real)                                         # 1.316
    per_decade = math.log(10) / math.log(root)                                          # 8.4
    assert abs((mom[3] - mom[0]) / 13 - per_decade) < 0.3, mom
