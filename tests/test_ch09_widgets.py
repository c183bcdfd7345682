"""Headless tests of chapter 09's figures and explorers: each panel shows exactly the result it is
given (mean over seeds, min-max band), labels set, data in view; each explorer's controls move what
the text says they move."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

import widgets.ch09_plots as p
from dlcore.experiments import ics
from tests.test_explorers_all import out_of_view
from widgets.ch09_ics import DriftExplorer, LandscapeExplorer


def test_drift_panel(ch09_runs):
    ax_u, ax_d = p.plot_drift(ch09_runs, layer=2, record=5, unit=3)
    steps = ch09_runs["batch"]["rec_steps"][0]
    for line, k in zip(ax_u.lines, ics.NETS):
        assert np.array_equal(line.get_xdata(), steps)
        assert np.allclose(line.get_ydata(), ch09_runs[k]["in_pct"][0, :, 2, 3, 1])
    for line, k in zip(ax_d.lines, ics.NETS):
        assert np.allclose(line.get_ydata()[1:], ch09_runs[k]["drift"][:, 1:, 2].mean(0))
    assert ax_d.get_yscale() == "log" and "W₁" in ax_d.get_ylabel() and "layer 4" in ax_u.get_title()
    assert ax_u.lines[-1].get_xdata()[0] == steps[5]
    assert -0.5 < ax_u.get_ylim()[0] <= 0                  # ReLU inputs are >= 0
    assert not out_of_view(ax_u.figure)
    plt.close(ax_u.figure)
    ax_u, _ = p.plot_drift(ch09_runs, layer=2, record=5, unit=3, mark=False)
    assert not ax_u.lines[-1].get_visible()
    plt.close(ax_u.figure)


def test_grad_shift_panel(ch09_runs):
    ax_c, ax_r = p.plot_grad_shift(ch09_runs, layer=1)
    for line, k in zip(ax_c.lines, ics.NETS):
        assert np.allclose(line.get_ydata(), ch09_runs[k]["ics_cos"][:, :, 1].mean(0))
    for line, k in zip(ax_r.lines, ics.NETS):
        assert np.allclose(line.get_ydata(), ch09_runs[k]["ics_rel"][:, :, 1].mean(0))
    assert "cos" in ax_c.get_ylabel() and "G′" in ax_r.get_ylabel()
    assert np.allclose(ax_c.lines[3].get_ydata(), ch09_runs["noisy"]["ics_cos_fresh"][:, :, 1].mean(0))
    assert ax_c.get_ylim()[1] <= 1.02 and ax_r.get_ylim()[0] == 0      # a cosine <= 1, a norm ratio >= 0
    assert not out_of_view(ax_c.figure)
    plt.close(ax_c.figure)


def test_training_panel(ch09_runs, ch09_sigmoid):
    ax_a, ax_b, ax_s = p.plot_training(ch09_runs, ch09_sigmoid)
    for line, k in zip(ax_a.lines, ics.NETS):
        assert np.allclose(line.get_ydata(), ch09_runs[k]["val_acc"].mean(0))
    for line, k in zip(ax_b.lines, ics.NETS):
        assert np.allclose(line.get_ydata(), ch09_sigmoid[k]["val_acc"].mean(0))
    pts = {ln.get_label(): ln for ln in ax_s.lines}
    d = np.nanmean(ch09_sigmoid["noisy"]["drift"], axis=(1, 2))
    assert np.allclose(pts["noisy BN, sigmoid"].get_xdata(), d)
    assert np.allclose(pts["no BN, sigmoid"].get_ydata(), ch09_sigmoid["none"]["val_acc"][:, -1])
    assert ax_s.get_xscale() == "log" and "accuracy" in ax_s.get_ylabel()
    assert not out_of_view(ax_a.figure)
    plt.close(ax_a.figure)


def test_landscape_panel(ch09_runs):
    ax_l, ax_g = p.plot_landscape(ch09_runs, checkpoint=1, eta=0.4)
    etas = ch09_runs["batch"]["etas"][0]
    for line, k in zip(ax_l.lines, ics.NETS):
        assert np.allclose(line.get_xdata(), etas) and np.allclose(line.get_ydata(), ch09_runs[k]["land_loss"][:, 1].mean(0))
    for line, k in zip(ax_g.lines, ics.NETS):
        assert np.allclose(line.get_ydata(), ch09_runs[k]["land_gdiff"][:, 1].mean(0))
    assert "step 100" in ax_l.get_title() and ax_l.get_xscale() == "log"
    assert ax_l.lines[-1].get_xdata()[0] == 0.4
    assert not out_of_view(ax_l.figure)
    plt.close(ax_l.figure)


def test_drift_explorer_moves_the_layer_and_the_step():
    e = DriftExplorer()
    e.raise_errors = True
    before = e.panel.drift.lines["none"].get_ydata().copy()
    e.set(layer=3)
    after = e.panel.drift.lines["none"].get_ydata()
    assert np.nanmean(after) > np.nanmean(before)            # deeper layers drift more without BN
    e.set(step=200)
    assert e.panel.marks[0].get_xdata()[0] == 200 and "steps 180 and 200" in e.status_line.info.value
    assert "noisy BN" in e.status_line.info.value
    plt.close(e.fig)


def test_landscape_explorer_moves_the_mark_and_the_checkpoint():
    e = LandscapeExplorer()
    e.raise_errors = True
    e.set(eta=1.0)
    assert np.isclose(e.panel.marks[0].get_xdata()[0], 1.0)
    g100 = e.panel.gd.lines["none"].get_ydata().copy()
    e.set(checkpoint=0)
    assert "training step 0," in e.status_line.info.value
    assert not np.allclose(g100, e.panel.gd.lines["none"].get_ydata())
    assert "gradient change" in e.status_line.info.value
    plt.close(e.fig)


def test_drift_explorer_shows_the_sigmoid_nets(ch09_sigmoid):
    """Ioffe & Szegedy's figure on the sigmoid nets of §9.4: the left panel draws the sigmoid runs'
    percentiles (inputs in (0, 1)), the right their drift: noisy BN's above no BN's and BN's."""
    e = DriftExplorer(layer=3, unit=2)
    e.raise_errors = True
    relu = e.panel.med["batch"].get_ydata().copy()
    e.set(activation="sigmoid")
    for k in ics.NETS:
        assert np.allclose(e.panel.med[k].get_ydata(), ch09_sigmoid[k]["in_pct"][0, :, 3, 2, 1])
        assert np.allclose(e.panel.drift.lines[k].get_ydata()[1:], ch09_sigmoid[k]["drift"][:, 1:, 3].mean(0))
    assert not np.allclose(relu, e.panel.med["batch"].get_ydata())
    d = {k: np.nanmean(e.panel.drift.lines[k].get_ydata()) for k in ics.NETS}
    assert d["noisy"] > 3 * d["none"] and d["noisy"] > 3 * d["batch"]
    assert 0 < e.panel.ax_u.get_ylim()[1] <= 1.05 and "sigmoid net, lr 0.5" in e.status_line.info.value
    assert not out_of_view(e.fig)
    e.set(activation="relu")
    assert np.allclose(e.panel.med["batch"].get_ydata(), relu) and "ReLU net" in e.status_line.info.value
    plt.close(e.fig)


def test_drift_explorer_reports_progress_while_it_loads_the_sigmoid_runs(monkeypatch):
    e = DriftExplorer()
    monkeypatch.setattr(e, "progress_after_s", 0.0)
    seen = []
    e.progress_bar.observe(lambda ch: seen.append(ch["new"]), names="value")
    e.set(activation="sigmoid")
    assert e.last_error is None
    shown = [v for v in seen if v > 0]
    assert len(shown) >= 3 and all(b > a for a, b in zip(shown, shown[1:]))
    assert e.progress_bar.layout.visibility == "hidden"
    seen.clear()
    e.set(activation="relu")
    e.set(activation="sigmoid")                      # made sure of once: no second pass
    assert not [v for v in seen if v > 0]
    plt.close(e.fig)
