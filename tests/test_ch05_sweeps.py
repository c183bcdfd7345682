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
