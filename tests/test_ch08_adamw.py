"""Chapter 08, section 8.2.1: Adam + L2 against AdamW over a grid of (learning rate, λ).

The full grid (5 learning rates × 7 λ per method × seeds 0-4, and plain Adam: 375 runs, about a minute
of CPU) is stored in tests/fixtures/ch08_adamw_sweep.json by ``regularisation_adamw.write_adamw_sweep``
and drawn by the chapter. These tests check the claims the chapter reads off the stored grid, and
re-run six of its cells (at η = 1e-3 and 1e-2: plain Adam and each method at its best λ, 5 seeds) to
check that the file still describes what the code does, on the kernel they run under.

Stored (default kernel, seeds 0-4, noisy 200 digits, 600 steps): best λ 0.03 (L2) and 3 (AdamW) at
every η from 3e-4 to 1e-2, slope 0.00 for both; gain over plain Adam 0.035-0.051 (L2), 0.033-0.043
(AdamW), none at η = 1e-4 (≤ 0.003); best cells on the selection half: L2 (0.03, 3e-4) held-out
0.890 ± 0.014, AdamW (1, 1e-4) 0.896 ± 0.014, paired +0.006 ± 0.024; plain Adam at η = 1e-4 0.897 ± 0.016.
"""
import numpy as np
import pytest

from dlcore.experiments.common import over_seeds, pm
from dlcore.experiments.regularisation_adamw import (ADAMW_METHODS, ADAMW_SWEEP, adamw_run, adamw_sweep,
                                                     adamw_sweep_table, ridge)


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
        assert np.all(r["best_lam"][1:] == lam), (m, r["best_lam"])                  # the same λ at every η
        assert abs(r["slope"]) < 0.3 and abs(r["corr"]) < 0.5, (m, r["slope"], r["corr"])   # 0.00; -0.11 / +0.13
        assert np.all(r["gain"][1:] > 0.025), (m, r["gain"])                         # measured ≥ 0.033
        # the next λ up (3x) is a cliff at η ≥ 1e-3: the good band is one cell wide there
        top = list(t["lams"][m])[-1]
        assert all(_cell(t, m, top, lr).mean() < 0.8 for lr in lrs[2:]), m
    # AdamW's per-step shrink at its best λ grows with η (the paper's units would see a diagonal)
    shrink = ridge(t, "AdamW")["shrink"][1:]
    assert np.allclose(np.diff(np.log10(shrink)), np.diff(np.log10(lrs[1:])))
    a, b = ridge(t, "L2 in Adam"), ridge(t, "AdamW")
    diff = b["best_test"] - a["best_test"]
    assert abs(diff.mean()) < 0.02 and np.std(diff, ddof=1) > abs(diff.mean()), pm(diff)   # +0.006 ± 0.024
    # plain Adam at the smallest η (600 steps: it has not fitted the wrong labels) is as good as either
    small = np.asarray(t["test_acc"]["none"][0, 0])
    assert abs(small.mean() - b["best_test"].mean()) < 0.02 and np.all(t["train_acc"]["none"][0, 0] < 0.85)


def test_weight_norm_at_the_best_lambda_does_not_depend_on_the_learning_rate():
    t = adamw_sweep_table()
    for m, lam in (("L2 in Adam", 0.03), ("AdamW", 3.0)):
        i = list(t["lams"][m]).index(lam)
        w = t["w_norm"][m][i, 2:].mean(-1)                      # η = 1e-3, 3e-3, 1e-2
        assert w.max() / w.min() < 1.3, (m, w)                 # measured 1.06 (L2), 1.20 (AdamW)
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
        box = [p for p in img.axes.patches if p.get_width() == 1][0]
        assert box.get_xy() == (r["best"][1] - 0.5, r["best"][0] + 0.5)
    with pytest.raises(ValueError, match="shape"):
        AdamWGridPanel(plt.subplots(1, 2)[1], shape=(3, 5)).update(t)
    plt.close("all")
