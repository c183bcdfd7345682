"""Chapter 05 figures: optimisers on surfaces, the condition-number sweep, the digits sweep,
schedules, warm-up and input normalisation.

Each figure only draws results of :mod:`dlcore.experiments.optimisers*` and
:mod:`dlcore.experiments.normalisation*` that the caller computed. The explorers of
:mod:`widgets.ch05_optimisers` draw the panels defined here.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from matplotlib.patches import Polygon

from widgets.plots import Panel, axes, data_range, fit_limits

__all__ = ["COLORS", "LABELS", "GAP_TOP", "contour_lines", "SurfacePanel", "SweepPanel", "CurvesPanel", "SchedulePanel", "WarmupPanel",
           "ZigzagNormPanel", "plot_surface", "plot_kappa", "plot_sweep", "plot_curves", "plot_schedules",
           "plot_warmup", "plot_zigzag_norm", "plot_tables", "plot_first_steps"]

COLORS = {"sgd": "C0", "momentum": "C1", "nesterov": "C2", "adagrad": "C4", "rmsprop": "C5", "adam": "C3",
          "adadelta": "C6", "polyak": "C8", "adam (aligned)": "C3", "adamax": "C7", "nadam": "C9"}
LABELS = {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "adagrad": "Adagrad", "rmsprop": "RMSprop",
          "adam": "Adam", "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam"}
ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamax", "nadam")
#: marker and line style per optimiser, so that a line lying on another one stays visible
STYLE = {"sgd": ("o", "-"), "momentum": ("s", "-"), "nesterov": ("^", "--"), "adagrad": ("v", "-"),
         "rmsprop": ("s", "-"), "adam": ("o", "--"), "adamax": ("D", ":"), "nadam": ("^", "-.")}
#: log-axis stops shared by the loss-gap axes (few distinct limits: cached backgrounds are reused)
GAP_STOPS = tuple(10.0 ** k for k in range(-16, 5, 2))
#: the gap axis's range: gaps are clipped to it (a diverging run leaves through the top edge, float64
#: round-off sits on the bottom one), so its limits never change and never cost a background redraw
GAP_FLOOR, GAP_TOP = 1e-16, 1e4
GAP_HOME = (GAP_FLOOR, GAP_TOP)
#: usual limits of the training-loss axes, and the only other limits they take
LOSS_HOME = (0.03, 3.0)
LOSS_STOPS = (1e-4, 1e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6)


def _band(ax, color):
    return ax.add_patch(Polygon(np.ones((1, 2)), color=color, alpha=0.18, lw=0))


def _set_band(patch, x, lo, hi):
    ok = np.isfinite(lo) & np.isfinite(hi)
    x, lo, hi = np.asarray(x)[ok], np.asarray(lo)[ok], np.asarray(hi)[ok]
    patch.set_xy(np.r_[np.c_[x, lo], np.c_[x[::-1], hi[::-1]]] if len(x) else np.ones((1, 2)))


# ---------------------------------------------------------------- surfaces
def contour_lines(grid) -> list:
    """``[(x, y), ...]``: one NaN-separated polyline per level of ``grid`` (``optimisers_demo.contour_grid``)."""
    import contourpy
    gen = contourpy.contour_generator(grid["x"], grid["y"], grid["L"], line_type="ChunkCombinedNan")
    out = []
    for level in grid["levels"]:
        pts = gen.lines(float(level))[0][0]
        out.append((pts[:, 0], pts[:, 1]) if pts is not None else ([], []))
    return out


def surface_title(grid) -> str:
    """A title that names the surface and every setting its contours depend on."""
    pr = grid.get("params", {})
    if grid["name"] in ("quadratic", "noisy"):
        return f"bowl: κ = {pr['kappa']:.4g}, long axis at {math.degrees(pr['angle']):.4g}°"
    if grid["name"] == "rosenbrock":
        return f"Rosenbrock valley (a = {pr['a']:g}, b = {pr['b']:g})"
    return f"saddle, start {pr.get('offset', 0):.2g} off the ridge" if grid["name"] == "saddle" else grid["surface"]


class SurfacePanel(Panel):
    """Left: the surface's contour lines (log-spaced levels of :math:`f - f^*`, dark = low), its minima
    (crosses), the start (red dot) and each optimiser's path; right: :math:`f - f^*` against the step
    (log; clipped at :data:`GAP_TOP`, so a diverging run leaves through the top). ``update(surface_paths(...))``.
    Paths beyond the window are clipped; a diverged path stops where it left the finite world."""

    ncols, figsize = 2, (8.2, 3.4)
    levels = 12

    def __init__(self, ax, optimisers=ORDER, title: str | None = None):
        super().__init__(ax)
        self.ax_s, self.ax_g = ax
        shades = np.linspace(0.15, 0.8, self.levels)
        # the contours, minima and start change only with the surface (:attr:`surface_changed`): an
        # explorer keeps them in its background and redraws that when they change
        self.contours = [self.changes(self.ax_s.plot([], [], color=(c, c, 0.45 + 0.5 * c), lw=0.8)[0])
                         for c in shades]
        self.minima = self.ax_s.plot([], [], "x", color="k", ms=7, mew=2)[0]
        self.start = self.ax_s.plot([], [], "o", color="C3", ms=6, mec="white")[0]
        self.paths, self.gaps = {}, {}
        for name in optimisers:
            c = COLORS[name]
            self.paths[name] = self.changes(self.ax_s.plot([], [], "-", color=c, lw=1.4, label=LABELS[name])[0])
            self.gaps[name] = self.changes(self.ax_g.plot([], [], color=c, lw=1.4, label=LABELS[name])[0])
        self.ax_s.set(xlabel="$x$", ylabel="$y$", title=title)
        self.auto_title = title is None
        self.ax_g.set(xlabel="step", ylabel="$f - f^*$", yscale="log", ylim=GAP_HOME)
        self.ax_g.grid(True, alpha=0.3)
        self.ax_g.legend(handles=list(self.gaps.values()), fontsize=7.5, loc="lower left", ncol=2, framealpha=0.8)
        self._grid_key = None
        #: whether the last update changed the contours (an explorer then redraws its background)
        self.surface_changed = False

    def update(self, r):
        g = r["grid"]
        self.surface_changed = g["surface"] != self._grid_key
        if self.surface_changed:                            # contours: computed only when the surface changes
            self._grid_key = g["surface"]
            if self.auto_title:
                self.ax_s.set_title(surface_title(g), fontsize=9)
            lines = contour_lines(g)
            for line, (x, y) in zip(self.contours, lines):
                line.set_data(x, y)
            x0, x1, y0, y1 = g["extent"]
            if (x0, x1) != tuple(self.ax_s.get_xlim()) or (y0, y1) != tuple(self.ax_s.get_ylim()):
                self.ax_s.set_xlim(x0, x1)
                self.ax_s.set_ylim(y0, y1)
            self.minima.set_data(g["minima"][:, 0], g["minima"][:, 1])
            self.start.set_data(g["start"][:1], g["start"][1:])
        steps, gaps = 1, []
        for name, line in self.paths.items():
            p = r["paths"].get(name)
            line.set_visible(p is not None)                   # an invisible artist costs nothing to blit
            self.gaps[name].set_visible(p is not None)
            if p is None:
                line.set_data([], [])
                self.gaps[name].set_data([], [])
                continue
            path, gap = np.asarray(p["path"]), np.asarray(p["gap"], dtype=float)
            x0, x1, y0, y1 = g["extent"]                      # a path that leaves runs along the edge
            line.set_data(np.clip(path[:, 0], x0, x1), np.clip(path[:, 1], y0, y1))
            gap = np.where(gap > 0, np.clip(gap, GAP_FLOOR, GAP_TOP), np.nan)
            self.gaps[name].set_data(np.arange(len(gap)), gap)
            steps = max(steps, len(gap) - 1)
            gaps.append(gap)
        right = 100 * -(-steps // 100)                       # few distinct limits: cached backgrounds
        if tuple(self.ax_g.get_xlim()) != (0, right):
            self.ax_g.set_xlim(0, right)
        if gaps:
            lo, hi = data_range(*gaps, positive=True)
            fit_limits(self.ax_g, lo, hi, margin=0.05, stops=GAP_STOPS, home=GAP_HOME)
        return self


def plot_surface(r, ax=None, title: str | None = None):
    """:class:`SurfacePanel` of ``optimisers_demo.surface_paths(...)`` (only its optimisers in the legend);
    returns the axes pair."""
    ax = SurfacePanel.plot(r, ax, title=title, optimisers=tuple(r["paths"]))
    steps = int(r["settings"]["steps"])                   # a static figure: the axes fit this run's data
    gaps = [np.asarray(p["gap"], dtype=float) for p in r["paths"].values()]
    gaps = [np.clip(g[np.isfinite(g) & (g > 0)], GAP_FLOOR, GAP_TOP) for g in gaps]
    gaps = [g for g in gaps if g.size]
    ax[1].set_xlim(0, steps)
    if gaps:
        lo, hi = min(float(g.min()) for g in gaps), max(float(g.max()) for g in gaps)
        ax[1].set_ylim(lo / 3, hi * 3)
    return ax


def plot_kappa(r: dict, adam_rotated: dict, adam_aligned: dict, ax=None):
    """Steps to :math:`f - f^* \\le 10^{-6}` against :math:`\\kappa` (log-log) from
    ``optimisers.kappa_sweep()`` and two ``optimisers_demo.kappa_sweep_adaptive("adam", ...)``
    (bowl turned 45 degrees, and axis-aligned); dotted: the rates' predictions."""
    ax = axes(ax, figsize=(6.2, 4.0))
    k = np.asarray(r["kappas"])
    ax.plot(k, r["gd"], "o-", color=COLORS["sgd"], label="GD at $2/(1+\\kappa)$")
    ax.plot(k, r["gd_theory"], ":", color=COLORS["sgd"], lw=2, label="$\\ln(f_0/\\mathrm{tol})\\,/\\,2\\ln\\frac{\\kappa+1}{\\kappa-1}$")
    ax.plot(k, r["polyak"], "s-", color=COLORS["polyak"], label="heavy ball, Polyak's $\\eta, \\mu$")
    ax.plot(k, r["polyak_theory"], ":", color=COLORS["polyak"], lw=2,
            label="$\\ln(f_0/\\mathrm{tol})\\,/\\,2\\ln\\frac{\\sqrt{\\kappa}+1}{\\sqrt{\\kappa}-1}$")
    ax.plot(k, r["momentum"], "^-", color=COLORS["momentum"], ms=8, mfc="none", mew=1.5, zorder=4,
            label="momentum $\\mu=0.9$, best $\\eta$")
    for res, ls, lab in ((adam_rotated, "-", "Adam, best $\\eta$, bowl turned 45°"),
                         (adam_aligned, "--", "Adam, best $\\eta$, axis-aligned bowl")):
        st = np.where(np.asarray(res["steps"]) > 0, res["steps"], np.nan)
        ax.plot(res["kappas"], st, "D" + ls, color=COLORS["adam"], ms=4, label=lab)
    ax.set(xscale="log", yscale="log", xlabel="condition number $\\kappa$",
           ylabel="steps until $f - f^* \\leq 10^{-6}$ for good")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_first_steps(rows: dict, ax=None):
    """The size of the first steps :math:`|\\Delta_t|/\\eta` under a constant gradient, per optimiser:
    ``rows = {label: first_steps(...)["ratio"][:, 0]}`` (log y)."""
    ax = axes(ax, figsize=(6, 3.4))
    styles = (("o", "-", 5), ("s", "--", 4), ("^", "-.", 4), ("v", ":", 3))
    for i, (label, ratio) in enumerate(rows.items()):
        ratio = np.abs(np.asarray(ratio))
        mk, ls, ms = styles[i % len(styles)]
        ax.plot(np.arange(1, len(ratio) + 1), ratio, marker=mk, ls=ls, ms=ms, mfc="none", color=f"C{i}",
                label=label, zorder=3 + i)
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
    ax.set(xscale="log", yscale="log", xlabel="step $t$", ylabel="$|\\Delta\\theta_t| / \\eta$")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7.5)
    return ax


# ---------------------------------------------------------------- digits sweep
class SweepPanel(Panel):
    """Validation loss after training against the learning rate (log x), per optimiser: median over
    seeds (line), min-max band, the best rate (big dot); ``update({name: digits_lr_sweep(...)})``.
    Diverged runs count as +inf (drawn at the top edge)."""

    figsize = (6.4, 3.8)

    def __init__(self, ax, optimisers=ORDER, top: float = 2.5):
        super().__init__(ax)
        self.top = top
        self.lines, self.bands, self.best = {}, {}, {}
        for name in optimisers:
            c = COLORS[name]
            mk, ls = STYLE.get(name, ("o", "-"))
            self.lines[name] = self.changes(ax.plot([], [], marker=mk, ls=ls, ms=4, mfc="none", color=c,
                                                    label=LABELS[name])[0])
            self.bands[name] = self.changes(_band(ax, c))
            self.best[name] = self.changes(ax.plot([], [], "o", ms=9, color=c, mec="k")[0])
        ax.set(xscale="log", xlabel="learning rate $\\eta$", ylabel="validation loss after training\n(median; band: min–max over seeds)",
               ylim=(0, top), xlim=(5e-5, 5))
        ax.axhline(np.log(10), color="0.5", lw=0.8, ls="--")
        ax.text(6e-5, np.log(10) + 0.03, "chance (ln 10)", fontsize=7, color="0.4")
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(handles=list(self.lines.values()), fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=3, frameon=False)

    def update(self, sweeps):
        for name, line in self.lines.items():
            s = sweeps.get(name)
            if s is None:
                line.set_data([], [])
                self.best[name].set_data([], [])
                _set_band(self.bands[name], [], [], [])
                continue
            v = np.minimum(np.asarray(s["val_loss"], dtype=float), self.top)
            lrs = np.asarray(s["lrs"])
            line.set_data(lrs, np.median(v, axis=1))
            _set_band(self.bands[name], lrs, v.min(axis=1), v.max(axis=1))
            self.best[name].set_data([s["best_lr"]], [np.median(v, axis=1)[s["best"]]])
        return self


def plot_sweep(sweeps: dict, ax=None):
    """:class:`SweepPanel` of ``{name: digits_lr_sweep(...)}`` (e.g. ``sweep_all()``; only those optimisers)."""
    return SweepPanel.plot(sweeps, ax, optimisers=tuple(n for n in ORDER if n in sweeps))


class CurvesPanel(Panel):
    """Mini-batch training loss against the step at each optimiser's best rate: median over seeds of a
    running mean over ``smooth`` steps, band min-max; ``update({name: digits_lr_sweep(...)})``."""

    figsize = (6.4, 3.6)

    def __init__(self, ax, optimisers=ORDER, smooth: int = 10):
        super().__init__(ax)
        self.smooth = smooth
        self.lines, self.bands = {}, {}
        for name in optimisers:
            c = COLORS[name]
            self.lines[name] = self.changes(ax.plot([], [], color=c, lw=1.3, label=LABELS[name])[0])
            self.bands[name] = self.changes(_band(ax, c))
        ax.set(xlabel="step", ylabel=f"training loss (mean of {smooth} steps)", yscale="log", ylim=LOSS_HOME)
        ax.grid(True, which="both", alpha=0.25)
        self.legend = ax.legend(handles=list(self.lines.values()), fontsize=7.5, loc="upper right", ncol=2)

    def _smooth(self, L):
        k = self.smooth
        c = np.cumsum(np.c_[np.zeros(len(L)), L], axis=1)
        return (c[:, k:] - c[:, :-k]) / k

    def update(self, sweeps):
        steps, bands = 1, []
        for name, line in self.lines.items():
            s = sweeps.get(name)
            if s is None:
                line.set_data([], [])
                _set_band(self.bands[name], [], [], [])
                continue
            L = self._smooth(np.asarray(s["loss"][s["best"]], dtype=float))
            x = np.arange(self.smooth, self.smooth + L.shape[1])
            line.set_data(x, np.median(L, axis=0))
            line.set_label(f"{LABELS[name]} $\\eta$={s['best_lr']:g}")
            _set_band(self.bands[name], x, L.min(axis=0), L.max(axis=0))
            steps = max(steps, x[-1])
            bands.append(L)
        if tuple(self.ax.get_xlim()) != (0, steps):
            self.ax.set_xlim(0, steps)
        if bands:
            fit_limits(self.ax, *data_range(*bands, positive=True), margin=0.02, home=LOSS_HOME, stops=LOSS_STOPS)
        return self


def plot_curves(sweeps: dict, ax=None):
    """:class:`CurvesPanel` of ``{name: digits_lr_sweep(...)}``, each at its best rate; the legend gives it."""
    ax = CurvesPanel.plot(sweeps, ax)
    ax.legend(fontsize=7.5, loc="upper right", ncol=2)
    return ax


# ---------------------------------------------------------------- schedules and warm-up
class SchedulePanel(Panel):
    """Left: the learning rate of each schedule against the step; right: the training loss (median over
    seeds of a running mean over ``smooth`` steps). ``update(schedule_runs(...))`` draws the schedules
    it contains (labels of ``specs``)."""

    ncols, figsize = 2, (10, 3.6)

    def __init__(self, ax, labels, smooth: int = 20):
        super().__init__(ax)
        self.ax_r, self.ax_l = ax
        self.smooth = smooth
        self.rates, self.losses = {}, {}
        for i, label in enumerate(labels):
            c, ls = f"C{i}", "-" if i < 10 else "--"
            self.rates[label] = self.changes(self.ax_r.plot([], [], color=c, ls=ls, label=label)[0])
            self.losses[label] = self.changes(self.ax_l.plot([], [], color=c, ls=ls, label=label)[0])
        self.ax_r.set(xlabel="step", ylabel="learning rate $\\eta_t$")
        self.ax_l.set(xlabel="step", ylabel=f"training loss (mean of {smooth} steps,\nmedian over seeds)",
                      yscale="log", ylim=LOSS_HOME)
        for a in ax:
            a.grid(True, alpha=0.3)
        self.ax_r.legend(fontsize=7.5)

    def update(self, r):
        steps, top, meds = r["steps"], 0.0, []
        for label in self.rates:
            v = r.get(label)
            if v is None:
                self.rates[label].set_data([], [])
                self.losses[label].set_data([], [])
                continue
            self.rates[label].set_data(np.arange(steps), v["rate"])
            top = max(top, float(np.max(v["rate"])))
            L = np.asarray(v["loss"], dtype=float)
            k = self.smooth
            c = np.cumsum(np.c_[np.zeros(len(L)), L], axis=1)
            S = (c[:, k:] - c[:, :-k]) / k
            with warnings.catch_warnings():              # a step where every seed had diverged: NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                med = np.nanmedian(S, axis=0)
            self.losses[label].set_data(np.arange(k, k + S.shape[1]), med)
            meds.append(med)
        if meds:
            fit_limits(self.ax_l, *data_range(*meds, positive=True), margin=0.02, home=LOSS_HOME, stops=LOSS_STOPS)
        for a in (self.ax_r, self.ax_l):
            if tuple(a.get_xlim()) != (0, steps):
                a.set_xlim(0, steps)
        fit_limits(self.ax_r, 0, top, home=(0, 1.1 * top) if top else None, margin=0.05)
        return self


def plot_schedules(r, ax=None):
    """:class:`SchedulePanel` of ``optimisers_sweep.schedule_runs(...)``."""
    labels = [k for k in r if k != "steps"]
    return SchedulePanel.plot(r, ax, labels=labels)


class WarmupPanel(Panel):
    """Left: the rate with and without warm-up; right: each seed's mini-batch loss (log), without
    warm-up (grey) and with it (colour). ``update(warmup_rescue(...))``; NaN/inf ends a line."""

    ncols, figsize = 2, (10, 3.4)

    def __init__(self, ax, seeds: int = 5):
        super().__init__(ax)
        self.ax_r, self.ax_l = ax
        self.rate_none = self.changes(self.ax_r.plot([], [], color="0.5", label="no warm-up")[0])
        self.rate_warm = self.changes(self.ax_r.plot([], [], color="C3", label="linear warm-up")[0])
        self.none = [self.changes(self.ax_l.plot([], [], color="0.55", lw=0.8)[0]) for _ in range(seeds)]
        self.warm = [self.changes(self.ax_l.plot([], [], color="C3", lw=0.8)[0]) for _ in range(seeds)]
        self.ax_r.set(xlabel="step", ylabel="learning rate $\\eta_t$")
        self.ax_l.set(xlabel="step", ylabel="mini-batch loss (one line per seed)", yscale="log")
        self.ax_l.axhline(np.log(10), color="k", lw=0.8, ls="--")
        self.ax_r.legend(fontsize=7.5, loc="lower right")
        for a in ax:
            a.grid(True, alpha=0.3)

    def update(self, r):
        steps = r["none"]["loss"].shape[1]
        self.rate_none.set_data(np.arange(steps), r["none"]["rate"])
        self.rate_warm.set_data(np.arange(steps), r["warmup"]["rate"])
        for key, lines in (("none", self.none), ("warmup", self.warm)):
            L = np.asarray(r[key]["loss"], dtype=float)
            for i, line in enumerate(lines):
                line.set_data((np.arange(steps), L[i]) if i < len(L) else ([], []))
        for a in ax_pair(self):
            if tuple(a.get_xlim()) != (0, steps):
                a.set_xlim(0, steps)
        top = float(np.max(r["none"]["rate"]))
        fit_limits(self.ax_r, 0, top, home=(0, 1.1 * top), margin=0.05)
        lo, hi = data_range(r["none"]["loss"], r["warmup"]["loss"], positive=True)
        fit_limits(self.ax_l, lo, hi, margin=0.05, stops=tuple(10.0 ** k for k in range(-3, 7)))
        return self


def ax_pair(panel):
    return panel.ax_r, panel.ax_l


def plot_warmup(r, ax=None):
    """:class:`WarmupPanel` of ``optimisers_sweep.warmup_rescue(...)``."""
    return WarmupPanel.plot(r, ax, seeds=len(r["none"]["val_acc"]))


# ---------------------------------------------------------------- input normalisation
class ZigzagNormPanel(Panel):
    """Gradient descent on the least-squares problem seen in the plane of the Hessian's shallowest and
    steepest eigen-directions (horizontal and vertical): there each component of the error evolves on its
    own, :math:`c_i \\leftarrow (1-\\eta\\lambda_i)\\,c_i`, and the loss's contours are ellipses with axes
    :math:`\\propto 1/\\sqrt{\\lambda_i}`, so the picture is exact (bias included). Both coordinates are in
    units of the start's distance :math:`|w_0 - w^*|` (equal aspect). ``update({label: normalisation_gd(...)})``
    fills the axes in order; parts outside the square window are cut."""

    figsize = (9, 3.8)
    LIM = 1.3

    def __init__(self, ax, titles=("raw", "z-score")):
        super().__init__(ax)
        self.axs = list(np.atleast_1d(ax))
        self.ncols = len(self.axs)
        self.ell, self.path = [], []
        for a, title in zip(self.axs, titles):
            self.ell.append([self.changes(a.plot([], [], color="0.6", lw=0.8)[0]) for _ in range(5)])
            self.path.append(self.changes(a.plot([], [], "o-", color="C3", ms=2.5, lw=1)[0]))
            a.plot([0], [0], "x", color="k", ms=7, mew=2)
            a.set(xlim=(-self.LIM, self.LIM), ylim=(-self.LIM, self.LIM), aspect="equal",
                  xlabel="$(w - w^*)/|w_0 - w^*|$ along the shallowest eigen-direction",
                  ylabel="... along the steepest",
                  title=title)

    @classmethod
    def _inside(cls, pts):
        """Points outside the square window become NaN (a long ellipse is cut at the frame)."""
        pts = np.array(pts, dtype=float)
        pts[:, np.any(np.abs(pts) > cls.LIM, axis=0)] = np.nan
        return pts[0], pts[1]

    @classmethod
    def _ellipse(cls, level, lam, n=200):
        """The ellipse lam[0] x^2 + lam[1] y^2 = level inside the window, parametrised by x (a very long
        ellipse is cut at the frame into its upper and lower arcs, NaN between them)."""
        a_full = np.sqrt(level / lam[0])
        a = min(a_full, cls.LIM)
        x = np.linspace(-a, a, n)
        y = np.sqrt(np.maximum(level - lam[0] * x * x, 0.0) / lam[1])
        xs, ys = np.r_[x, x[::-1]], np.r_[y, -y[::-1]]
        if a < a_full:                                      # cut: no closing segments along the frame
            xs, ys = np.r_[x, np.nan, x[::-1]], np.r_[y, np.nan, -y[::-1]]
        else:
            xs, ys = np.r_[xs, xs[:1]], np.r_[ys, ys[:1]]
        keep = np.isnan(ys) | (np.abs(ys) <= cls.LIM)
        return np.where(keep, xs, np.nan), np.where(keep, ys, np.nan)

    def update(self, runs):
        for ells, path, r in zip(self.ell, self.path, runs.values()):
            lam, V = np.linalg.eigh(np.asarray(r["H"]))
            C = (np.asarray(r["path"]) - np.asarray(r["theta_star"])) @ V[:, [0, -1]]   # (shallow, steep)
            scale = max(float(np.linalg.norm(np.asarray(r["path"])[0] - np.asarray(r["theta_star"]))), 1e-300)
            C = C / scale
            ends = np.array([lam[0], lam[-1]])
            e0 = max(float(C[0] ** 2 @ ends), 1e-300)
            for j, line in enumerate(ells):
                line.set_data(*self._ellipse(e0 * 4.0 ** (-j), ends))
            path.set_data(*self._inside(C.T))
        return self


def plot_zigzag_norm(runs: dict, ax=None):
    """:class:`ZigzagNormPanel` of ``{label: normalisation_gd(scheme, seed)}`` (titles: the labels)."""
    ax = axes(ax, ncols=len(runs), figsize=(4.5 * len(runs), 3.8))
    ZigzagNormPanel(ax, titles=tuple(runs)).update(runs)
    return ax


def plot_tables(t: dict, ax=None):
    """Steps of gradient descent to the target per scaling (log y; one dot per seed, bar = median) for
    each table of ``normalisation_tables.table_comparison()``; a run that missed the target is drawn at
    the step cap with an upward arrow."""
    tables = [k for k in ("wine", "diabetes") if k in t]
    ax = axes(ax, ncols=len(tables), figsize=(4.6 * len(tables), 3.4))
    for a, tb in zip(np.atleast_1d(ax), tables):
        schemes = list(t[tb])
        for i, sc in enumerate(schemes):
            st = np.asarray(t[tb][sc]["steps"], dtype=float)
            miss = st < 0
            cap = float(t.get("wine_max_steps", 1e4)) if tb == "wine" else np.nan
            st = np.where(miss, cap, st)
            a.bar(i, np.median(st), color=f"C{i}", alpha=0.5)
            a.plot(np.full(len(st), i) + np.linspace(-0.15, 0.15, len(st)), st, "o", color=f"C{i}", ms=3)
            if miss.any():
                a.annotate("not reached", (i, cap), xytext=(0, 8), textcoords="offset points", ha="center", fontsize=7,
                           arrowprops={"arrowstyle": "<-", "lw": 0.8})
        a.set(yscale="log", xticks=range(len(schemes)), xticklabels=schemes,
              ylabel="gradient-descent steps to the target", title=tb)
        a.grid(True, axis="y", which="both", alpha=0.25)
    return ax
