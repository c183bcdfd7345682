"""Chapter 08, section 8.2.1: Adam + L2 against AdamW over a grid of (learning rate, λ).

The full grid (5 learning rates × 7 λ per method × seeds 0-4, and plain Adam: 375 runs, about a minute
of CPU) is stored in tests/fixtures/ch08_adamw_sweep.json by ``regularisation_adamw.write_adamw_sweep``
and drawn by the chapter. These tests check the claims the chapter reads off the stored grid, and
re-run six of its cells (at η = 1e-3 and 1e-2: plain Adam and each method at its best λ, 5 seeds) to
check that the file still describes what the code does, on the kernel they run under.

Stored (default kernel, seeds 0-4, noisy 200 digits, 600 steps): best λ 0.03 (L2) and 3 (AdamW) at
every η from 3e-4 to 1e-2, slope 0.00 for both; runner-up λ 0.027-0.042 behind at η ≥ 1e-3, but only
0.009 (L2) / 0.018 (AdamW) at 3e-4, where seeds 5-9 give L2 0.01 instead (review run: gain there 0.022);
gain over plain Adam 0.035-0.051 (L2), 0.033-0.043 (AdamW), none at η = 1e-4 (≤ 0.003). Per η, λ chosen
on the selection half, AdamW minus L2 held-out, paired: +0.004 ± 0.013, -0.018 ± 0.020, -0.017 ± 0.031,
-0.002 ± 0.033 (AdamW ahead on 2, 1, 2, 2 of 5). Best cells where λ helps: both at η = 3e-4, L2 0.890 ±
0.014, AdamW 0.894 ± 0.016; AdamW's best over the whole grid (1, 1e-4) 0.896 ± 0.014 = plain Adam at
1e-4, 0.897 ± 0.016. test_ridge_holds_on_seeds_5_to_9 re-runs the best λ and the next one down at
η = 1e-3 and 3e-3 on seeds 5-9 (review: gaps 0.03-0.04).
"""
import numpy as np
import pytest

from dlcore.experiments.common import over_seeds, pm
from dlcore.experiments.regularisation_adamw import (ADAMW_METHODS, ADAMW_SWEEP, adamw_run, adamw_sweep,
                                                     adamw_sweep_table, per_lr_duel, ridge)


def _cell(t, name, lam, lr):
    i = 0 if name == "none" else list(t["lams"][name]).index(lam)
    return np.asarray(t["val_acc"][name][i, list(t["lrs"]).index(lr)])


def test_stored_sweep_has_the_settings_of_the_code():
    t = adamw_sweep_table()
    assert list(t["lrs"]) == list(ADAMW_SWEEP["lrs"]) and list(t["seeds"]) == list(ADAMW_SWEEP["seeds"])
    assert t["steps"] == ADAMW_SWEEP["steps"] and t["label_noise"] == ADAMW_SWEEP["label_noise"]
    for m in ADAMW_METHODS:
        assert list(t["lams"][m]) == list(ADAMW_SWEEP["lams"][m])
        assert t["val_acc"][m].shape == (len(t["lams"][m]), len(t["lrs"]), len(t["seeds"]))
    assert t["val_acc"]["none"].shape == (1, len(t["lrs"]), len(t["seeds"]))
    assert not any(np.any(d) for d in t["diverged"].values())


def test_stored_claims_both_ridges_run_flat_and_neither_method_wins():
    t = adamw_sweep_table()
    lrs = list(t["lrs"])
    for m, lam in (("L2 in Adam", 0.03), ("AdamW", 3.0)):
        r = ridge(t, m)
        assert list(r["helps"]) == [False, True, True, True, True], (m, r["gain"])   # η = 1e-4: gain ≤ 0.003
        assert np.all(r["best_lam"][2:] == lam), (m, r["best_lam"])                  # the same λ at η ≥ 1e-3
        assert r["best_lam"][1] in (lam / 3, lam), (m, r["best_lam"])                # 3e-4: 0.01 or 0.03 (seeds)
        assert abs(r["slope"]) < 0.3 and abs(r["corr"]) < 0.5, (m, r["slope"], r["corr"])   # 0.00; -0.11 / +0.13
        assert np.all(r["gain"][2:] > 0.025) and r["gain"][1] > 0.015, (m, r["gain"])   # ≥ 0.033; seeds 5-9 0.022
        runner_up = np.sort(r["mean"], axis=0)[-2]
        assert np.all(r["mean"].max(0)[2:] - runner_up[2:] > 0.02), m                # 0.027-0.042: a clear ridge
        # the next λ up (3x) is a cliff at η ≥ 1e-3: the good band is one cell wide there
        top = list(t["lams"][m])[-1]
        assert all(_cell(t, m, top, lr).mean() < 0.8 for lr in lrs[2:]), m
        assert _cell(t, m, top, lrs[0]).mean() < _cell(t, "none", 0.0, lrs[0]).mean() - 0.03   # 1e-4: hurts
    # AdamW's per-step shrink at its best λ grows with η (the paper's units would see a diagonal)
    shrink = ridge(t, "AdamW")["shrink"][2:]
    assert np.allclose(np.diff(np.log10(shrink)), np.diff(np.log10(lrs[2:])))
    # neither wins where the decays act: per η ≥ 3e-4, λ of each chosen on the selection half, held out
    duel = per_lr_duel(t)
    for lr, d in zip(lrs[1:], duel["diff"][1:]):
        assert abs(d.mean()) < 0.03 and 0 < np.sum(d > 0) < len(d), (lr, pm(d))      # ≤ 0.018; 1-2 of 5 ahead
    assert abs(duel["diff"][1:].mean()) < 0.02                                        # -0.008 over all 20
    a, b = ridge(t, "L2 in Adam"), ridge(t, "AdamW")
    assert a["best"][1] > 0 and b["best"][1] > 0                                      # chosen where λ helps
    diff = b["best_test"] - a["best_test"]
    assert abs(diff.mean()) < 0.02 and np.std(diff, ddof=1) > abs(diff.mean()), pm(diff)   # +0.004 ± 0.013
    # AdamW's best over the whole grid is at η = 1e-4, where no λ helps: plain Adam under another name,
    # and plain Adam at the smallest η (600 steps: it has not fitted the wrong labels) is as good as either
    ia, ja = b["best_any"]
    small = np.asarray(t["test_acc"]["none"][0, 0])
    assert ja == 0 and abs(np.mean(t["test_acc"]["AdamW"][ia, ja]) - small.mean()) < 0.01
    assert abs(small.mean() - b["best_test"].mean()) < 0.02 and np.all(t["train_acc"]["none"][0, 0] < 0.85)


def test_ridge_holds_on_seeds_5_to_9():
    """The one-cell ridge at η = 1e-3 and 3e-3 is not a property of seeds 0-4: on seeds 5-9 the best λ
    still beats the next one down (review run: by 0.03-0.04)."""
    for lr in (1e-3, 3e-3):
        for m, lam in (("L2 in Adam", 0.03), ("AdamW", 3.0)):
            best, below = (over_seeds(adamw_run, method=m, lr=lr, lam=x, seeds=range(5, 10))["val_acc"]
                           for x in (lam, lam / 3))
            assert best.mean() - below.mean() > 0.01, (m, lr, pm(best), pm(below))


def test_weight_norm_at_the_best_lambda_does_not_depend_on_the_learning_rate():
    t = adamw_sweep_table()
    for m, lam in (("L2 in Adam", 0.03), ("AdamW", 3.0)):
        i = list(t["lams"][m]).index(lam)
        w = t["w_norm"][m][i, 2:].mean(-1)                      # η = 1e-3, 3e-3, 1e-2
        assert w.max() / w.min() < 1.3, (m, w)                 # measured 1.06 (L2), 1.20 (AdamW)
        assert t["w_norm"][m][i, 1].mean() > 1.15 * w.max()    # 3e-4: not settled yet (12.5 / 15.8)
    w0 = t["w_norm"]["none"][0, 2:].mean(-1)
    assert w0.max() / w0.min() > 1.1                           # without decay it grows with η (27.8 -> 32.3)


FRESH = [("none", 0.0, 1e-3), ("none", 0.0, 1e-2), ("L2 in Adam", 0.03, 1e-3), ("L2 in Adam", 0.03, 1e-2),
         ("AdamW", 3.0, 1e-3), ("AdamW", 3.0, 1e-2)]


def _fresh(name, lam, lr):
    method = "AdamW" if name == "none" else name
    return over_seeds(adamw_run, method=method, lr=lr, lam=lam)["val_acc"]


@pytest.mark.parametrize("name,lam,lr", FRESH)
def test_fresh_runs_agree_with_the_stored_sweep(name, lam, lr):
    t = adamw_sweep_table()
    fresh, stored = _fresh(name, lam, lr), _cell(t, name, lam, lr)
    assert abs(fresh.mean() - stored.mean()) < 0.03, (name, lam, lr, pm(fresh), pm(stored))


def test_fresh_runs_decay_gains_over_plain_adam():
    for lr in (1e-3, 1e-2):
        none = _fresh("none", 0.0, lr)
        for m, lam in (("L2 in Adam", 0.03), ("AdamW", 3.0)):
            gain = _fresh(m, lam, lr) - none
            assert gain.mean() > 0.02, (m, lr, pm(gain))          # stored 0.033-0.051


def test_zero_lambda_is_plain_adam_for_both_methods():
    a = adamw_run("L2 in Adam", 1e-3, 0.0, steps=40, rng=3)
    b = adamw_run("AdamW", 1e-3, 0.0, steps=40, rng=3)
    assert a["val_acc"] == b["val_acc"] and a["w_norm"] == b["w_norm"]


def test_sweep_layout_and_bad_method():
    sw = adamw_sweep(lrs=(1e-3,), lams={"L2 in Adam": (1e-2,), "AdamW": (1.0, 3.0)}, seeds=(0, 1), steps=20)
    assert sw["val_acc"]["AdamW"].shape == (2, 1, 2) and sw["val_acc"]["none"].shape == (1, 1, 2)
    assert sw["val_acc"]["L2 in Adam"].shape == (1, 1, 2)
    with pytest.raises(ValueError, match="method"):
        adamw_run("SGDW")


def test_panel_draws_the_stored_means_on_one_colour_scale():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from widgets.ch08_panels import AdamWGridPanel, plot_adamw_grid
    t = adamw_sweep_table()
    axs = plot_adamw_grid(t)
    imgs = [ax.images[0] for ax in axs]
    assert imgs[0].get_clim() == imgs[1].get_clim()
    for img, m in zip(imgs, ADAMW_METHODS):
        data = np.asarray(img.get_array())
        assert np.allclose(data[1:], t["val_acc"][m].mean(-1)) and np.allclose(data[0], t["val_acc"]["none"][0].mean(-1))
        r = ridge(t, m)
        box = [p for p in img.axes.patches if p.get_gid() == "best"][0]
        assert box.get_xy() == (r["best"][1] - 0.5, r["best"][0] + 0.5)
        grey = [p.get_visible() for p in img.axes.patches if p.get_gid() == "no-help"]
        assert grey == [not h for h in r["helps"]]
    lines = [ln for ln in axs[1].lines if ln.get_linestyle() == "--"]
    assert len(lines) == 4 and not [ln for ln in axs[0].lines if ln.get_linestyle() == "--"]
    lrs, lams = t["lrs"], t["lams"]["AdamW"]
    fx, fy = np.polyfit(np.log10(lrs), np.arange(5), 1), np.polyfit(np.log10(lams), np.arange(1, 8), 1)
    for ln in lines:                                        # constant ηλ: log η + log λ the same at both ends
        x, y = ln.get_data()
        s = (np.asarray(x) - fx[1]) / fx[0] + (np.asarray(y) - fy[1]) / fy[0]
        assert len(x) == 2 and abs(s[0] - s[1]) < 1e-9
    with pytest.raises(ValueError, match="shape"):
        AdamWGridPanel(plt.subplots(1, 2)[1], shape=(3, 5)).update(t)
    plt.close("all")
