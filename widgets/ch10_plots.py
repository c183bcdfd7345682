"""Chapter 10 figures: search curves on the digits table, one search's trials, the irrelevant-axis demo,
selection optimism, the recipe's signals, convolution arithmetic and pooling a digit.

Each figure only draws results of ``dlcore.experiments.search_digits``, ``search_toy``, ``recipe`` and
``conv_arith`` that the caller computed (widgets/plots.py's convention).
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon

from widgets.plots import Panel, data_range, fit_limits

__all__ = ["METHOD_COLORS", "SearchCurvesPanel", "SearchTrialsPanel", "IrrelevantAxisPanel", "OptimismPanel",
           "RecipePanel", "ConvArithPanel", "PoolingPanel", "plot_search_curves", "plot_search_trials",
           "plot_irrelevant_axis", "plot_optimism", "plot_recipe", "plot_conv_arith", "plot_pooling"]

METHOD_COLORS = {"grid": "C2", "random": "C0", "tpe": "C3"}
METHOD_LABELS = {"grid": "grid", "random": "random", "tpe": "TPE (model-based)"}


def _band(ax, color):
    return ax.add_patch(Polygon(np.ones((1, 2)), color=color, alpha=0.18, lw=0))


def _set_band(patch, x, lo, hi):
    x, lo, hi = (np.asarray(a, float) for a in (x, lo, hi))
    patch.set_xy(np.r_[np.c_[x, lo], np.c_[x[::-1], hi[::-1]]] if len(x) else np.ones((1, 2)))


class SearchCurvesPanel(Panel):
    """Best validation accuracy found against the budget (trials), over seeds: mean (line) and 10-90 %
    of the seeds (band) for random search and TPE, the deterministic grid as squares, the table's best
    as a dotted line. ``update(search_curves(...))``."""
    figsize = (6.2, 3.6)

    def __init__(self, ax):
        super().__init__(ax)
        self.lines, self.bands = {}, {}
        for m in ("random", "tpe"):
            self.bands[m] = self.changes(_band(ax, METHOD_COLORS[m]))
            self.lines[m] = self.changes(ax.plot([], [], "o-", color=METHOD_COLORS[m], ms=4,
                                                 label=METHOD_LABELS[m] + " (mean, 10-90 % of seeds)"
                                                 + (": random until trial 5" if m == "tpe" else ""))[0])
        self.grid = self.changes(ax.plot([], [], "s--", color=METHOD_COLORS["grid"], ms=6,
                                         label="grid (lr, width, decay, batch order)")[0])
        self.orders = self.changes(ax.plot([], [], "-", color=METHOD_COLORS["grid"], lw=5, alpha=0.35,
                                           label="grid, any order of the 4 (min-max)")[0])
        self.best = self.changes(ax.axhline(np.nan, color="k", ls=":", lw=1, label="best in the table"))
        ax.set(xscale="log", xlabel="budget (configurations trained)", ylabel="best validation accuracy")
        ax.legend(fontsize=8, loc="lower right")

    def update(self, r):
        b = np.asarray(r["budgets"], float)
        for m in ("random", "tpe"):
            v = np.asarray(r[m + "_val"])
            self.lines[m].set_data(b, v.mean(0))
            _set_band(self.bands[m], b, np.percentile(v, 10, axis=0), np.percentile(v, 90, axis=0))
        gn = np.asarray(r["grid_n"], float)
        self.grid.set_data(gn, np.asarray(r["grid_val"])[0])
        lows = [np.percentile(np.asarray(r[m + "_val"]), 10, axis=0) for m in ("random", "tpe")]
        if "grid_orders" in r:
            go = np.asarray(r["grid_orders"])
            nan = np.full(len(gn), np.nan)
            self.orders.set_data(np.c_[gn, gn, nan].ravel(), np.c_[go.min(0), go.max(0), nan].ravel())
            lows.append(go.min(0))
        fit_limits(self.ax, *data_range(*lows, r["grid_val"], include=(1.0,)), home=(0.5, 1.0), margin=0.05)
        self.best.set_ydata([r["best_possible"]] * 2)
        self.ax.set_xlim(b.min() / 1.3, b.max() * 1.3)
        self.ax.set_xticks(b, [str(int(x)) for x in b])
        self.ax.minorticks_off()
        return self


class SearchTrialsPanel(Panel):
    """One search of the digits table: left, its trials on the learning-rate x width plane over the best
    validation accuracy reachable at each (lr, width) (shade); right, the best accuracy so far against
    the trial. ``update({"search": search_digits(...), "table": table(), "method": ...})``."""
    ncols = 2
    figsize = (9.0, 3.6)

    def __init__(self, axs):
        super().__init__(axs)
        a, b = axs
        self.img = a.imshow(np.zeros((6, 9)), origin="lower", cmap="Greys", vmin=0.8, vmax=1, aspect="auto",
                            extent=(-0.5, 8.5, -0.5, 5.5))
        self.changes(self.img)
        self.pts = self.changes(a.plot([], [], "o", ms=6, mfc="none", mew=1.5)[0])
        self.star = self.changes(a.plot([], [], "*", ms=14, color="gold", mec="k", label="chosen")[0])
        a.set(xlabel="learning rate", ylabel="width", xticks=range(9), yticks=range(6))
        self.cbar = a.figure.colorbar(self.img, ax=a, label="best val. acc. (other two chosen best)")
        a.legend(fontsize=8, loc="upper left")
        self.curve = self.changes(b.plot([], [], "o-", ms=3)[0])
        self.best = self.changes(b.axhline(np.nan, color="k", ls=":", lw=1, label="best in the table"))
        b.set(xlabel="trial", ylabel="best validation accuracy so far", ylim=(0.8, 1.0))
        b.legend(fontsize=8, loc="lower right")
        self.labelled = False

    def update(self, r):
        a, b = self.ax
        t, s, m = r["table"], r["search"], r["method"]
        if not self.labelled:
            a.set_xticklabels([f"{x:.0e}".replace("e-0", "e-").replace("e+00", "") for x in t["lr"]],
                              rotation=60, fontsize=7)
            a.set_yticklabels([str(int(w)) for w in t["width"]])
            self.labelled = True
        self.img.set_data(t["val"].max(axis=(2, 3)).T)
        idx = np.asarray(s["idx"])
        jit = (np.arange(len(idx)) % 5 - 2) * 0.06
        self.pts.set_data(idx[:, 0] + jit, idx[:, 1] + jit[::-1])
        self.pts.set_color(METHOD_COLORS[m])
        k = int(np.argmax(s["val"]))
        self.star.set_data([idx[k, 0]], [idx[k, 1]])
        n = len(s["best_val"])
        self.curve.set_data(np.arange(1, n + 1), s["best_val"])
        self.curve.set_color(METHOD_COLORS[m])
        self.best.set_ydata([float(t["val"].max())] * 2)
        b.set_xlim(0.5, max(n, 4) + 0.5)
        # zoomed on 0.8-1 where the searches differ, widened when a search stays lower
        fit_limits(b, *data_range(s["best_val"], include=(1.0,)), home=(0.8, 1.0), margin=0.05)
        return self


class IrrelevantAxisPanel(Panel):
    """Left: the score on the (x, y) plane (it depends on x only) with the grid's and one random search's
    trials; right: the score against x with each trial's x marked below (grid: 3 values for 9 trials).
    ``update(irrelevant_axis(...))`` with ``score`` from ``search_toy``."""
    ncols = 2
    figsize = (9.0, 3.4)

    def __init__(self, axs, score=None):
        super().__init__(axs)
        from dlcore.experiments.search_toy import score as default
        self.score = score or default
        a, b = axs
        xs = np.linspace(0, 1, 200)
        a.imshow(np.tile(self.score(xs), (2, 1)), extent=(0, 1, 0, 1), origin="lower", cmap="Greys", vmin=0,
                 vmax=1.2, aspect="auto")
        self.g = self.changes(a.plot([], [], "s", color=METHOD_COLORS["grid"], ms=7, label="grid")[0])
        self.r = self.changes(a.plot([], [], "o", color=METHOD_COLORS["random"], ms=6, label="random")[0])
        a.set(xlabel="x (matters; darker = higher score)", ylabel="y (irrelevant)", xlim=(-0.03, 1.03),
              ylim=(-0.03, 1.03))
        a.legend(fontsize=8, loc="upper left", framealpha=0.9)
        b.plot(xs, self.score(xs), "k-", lw=1.2, label="score(x)")
        self.gx = self.changes(b.plot([], [], "|", color=METHOD_COLORS["grid"], ms=16, mew=2, label="grid's x")[0])
        self.rx = self.changes(b.plot([], [], "|", color=METHOD_COLORS["random"], ms=12, mew=1.5,
                                      label="random's x")[0])
        b.set(xlabel="x", ylabel="score", xlim=(0, 1), ylim=(0, 1.1))
        b.legend(fontsize=8, loc="upper left")

    def update(self, r):
        g, q = np.asarray(r["grid_xy"]), np.asarray(r["random_xy"])
        self.g.set_data(g[:, 0], g[:, 1])
        self.r.set_data(q[:, 0], q[:, 1])
        self.gx.set_data(g[:, 0], np.full(len(g), 0.1))
        self.rx.set_data(q[:, 0], np.full(len(q), 0.05))
        return self


class OptimismPanel(Panel):
    """How much the score on the set a choice was made on exceeds the untouched set's, against the number
    of configurations compared: the symmetric estimate (mean of choosing on test and on validation, which
    needs no model of how the two sets differ), one thin line per draw of the table, their mean and
    ± one standard deviation over draws (band). ``update(optimism_over_draws(...))``."""
    figsize = (6.0, 3.4)

    def __init__(self, ax):
        super().__init__(ax)
        self.draws = self.changes(ax.plot([], [], "-", color="C3", lw=0.8, alpha=0.45,
                                          label="one draw of the training noise")[0])
        self.band = self.changes(_band(ax, "C3"))
        self.mean = self.changes(ax.plot([], [], "o-", color="C3", ms=4, lw=2,
                                         label="mean over draws (band: ± s)")[0])
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set(xscale="log", xlabel="configurations compared k", ylabel="optimism (accuracy points)")
        ax.legend(fontsize=8, loc="upper left")

    def update(self, r):
        k = np.asarray(r["ks"], float)
        v = 100 * np.asarray(r["optimism"])
        nan = np.full((len(v), 1), np.nan)
        self.draws.set_data(np.c_[np.tile(k, (len(v), 1)), nan].ravel(), np.c_[v, nan].ravel())
        m, sd = v.mean(0), v.std(0, ddof=1) if len(v) > 1 else np.zeros(v.shape[1])
        self.mean.set_data(k, m)
        _set_band(self.band, k, m - sd, m + sd)
        fit_limits(self.ax, *data_range(v, m - sd, m + sd, include=(0,)))
        self.ax.set_xlim(k.min() / 1.5, k.max() * 1.5)
        return self


class RecipePanel(Panel):
    """Left: the training loss of 20 digits per step, a healthy net (passes: loss -> 0) and one with every
    ReLU dead (fails); right: the learning-rate range test, smoothed loss against the rate per seed, with
    the rate each seed suggests (a tenth of the minimum's). ``update({"ok": [...], "dead": [...],
    "range": [...]})``, lists of per-seed results."""
    ncols = 2
    figsize = (9.0, 3.4)

    def __init__(self, axs, n_seeds: int = 5):
        super().__init__(axs)
        a, b = axs
        self.ok = [self.changes(a.plot([], [], color="C0", lw=1, label="healthy net" if i == 0 else None)[0])
                   for i in range(n_seeds)]
        self.dead = [self.changes(a.plot([], [], color="C3", lw=1, label="every ReLU dead" if i == 0 else None)[0])
                     for i in range(n_seeds)]
        a.axhline(0.05, color="k", ls=":", lw=1, label="pass: loss < 0.05")
        a.set(yscale="log", xlabel="step (full batch of 20 digits)", ylabel="training loss")
        a.legend(fontsize=8, loc="lower left")
        self.curves = [self.changes(b.plot([], [], lw=1, color=f"C{i}")[0]) for i in range(n_seeds)]
        self.marks = [self.changes(b.plot([], [], "v", ms=7, color=f"C{i}")[0]) for i in range(n_seeds)]
        b.axhline(np.log(10), color="0.5", ls=":", lw=1)
        b.set(xscale="log", xlabel="learning rate (raised every step)", ylabel="smoothed training loss",
              ylim=(0, 4))
        b.text(0.02, 0.03, "▼ suggested rate (minimum / 10)", transform=b.transAxes, fontsize=8)

    def update(self, r):
        a, b = self.ax
        for line, run in zip(self.ok, r["ok"]):
            line.set_data(np.arange(1, len(run["losses"]) + 1), np.maximum(run["losses"], 1e-6))
        for line, run in zip(self.dead, r["dead"]):
            line.set_data(np.arange(1, len(run["losses"]) + 1), np.maximum(run["losses"], 1e-6))
        fit_limits(a, *data_range(*[np.maximum(x["losses"], 1e-6) for x in r["ok"] + r["dead"]], positive=True))
        a.set_xlim(0, max(len(x["losses"]) for x in r["ok"] + r["dead"]))
        for line, mark, run in zip(self.curves, self.marks, r["range"]):
            line.set_data(run["lrs"], run["smooth"])
            i = int(np.argmin(np.abs(np.log(run["lrs"] / run["suggested"]))))
            mark.set_data([run["suggested"]], [run["smooth"][i] + 0.25])
        lo, hi = data_range(*[x["lrs"] for x in r["range"]], positive=True)
        b.set_xlim(lo, hi)
        return self


class ConvArithPanel(Panel):
    """One spatial axis through a stack of layers: each layer's units (dots) at the centres of their fields
    in input pixels, the receptive field of the first unit of the last layer (shaded on every layer below:
    the units it depends on), uncovered input rows (red crosses); right, the size and receptive field per
    layer. ``update(stack(...))``."""
    ncols = 2
    figsize = (9.5, 3.6)

    def __init__(self, axs, max_layers: int = 8):
        super().__init__(axs)
        a, b = axs
        self.units = self.changes(a.plot([], [], "o", ms=3, color="C0", label="unit centres")[0])
        self.chain = self.changes(a.plot([], [], "o", ms=5, color="C3", label="feeds the first unit of the last layer")[0])
        self.field = self.changes(_band(a, "C3"))
        self.lost = self.changes(a.plot([], [], "x", ms=6, color="k", label="input row never covered (floor)")[0])
        a.set(xlabel="input pixel", ylabel="layer")
        self.size = self.changes(b.plot([], [], "o-", color="C0", label="output size (units)")[0])
        self.rf = self.changes(b.plot([], [], "s-", color="C3", label="receptive field (input pixels)")[0])
        b.set(xlabel="layer", ylabel="units or input pixels")
        b.legend(fontsize=8, loc="upper left")

    def update(self, s):
        a, b = self.ax
        n = len(s["size"])
        xs, ys, cx, cy = [], [], [], []
        for l in range(n):
            c = s["start"][l] + s["jump"][l] * np.arange(s["size"][l])
            xs.append(c)
            ys.append(np.full(len(c), l))
        # units of each layer inside the receptive field of the last layer's first unit
        centre, half = s["start"][-1], s["rf"][-1] / 2
        for l in range(n):
            h = (s["rf"][l] - 1) / 2
            keep = (xs[l] - h >= centre - half - 1e-9) & (xs[l] + h <= centre + half + 1e-9)
            cx.append(xs[l][keep])
            cy.append(ys[l][keep])
        self.units.set_data(np.concatenate(xs), np.concatenate(ys))
        self.chain.set_data(np.concatenate(cx), np.concatenate(cy))
        _set_band(self.field, [centre - half, centre + half], [-0.3, -0.3], [n - 1 + 0.3] * 2)
        W = int(s["size"][0])
        # input rows no window of the first layer covers (floor); the later layers' losses show as gaps
        covered = np.zeros(W, bool)
        last = s["start"][-1] + s["jump"][-1] * (s["size"][-1] - 1) + s["rf"][-1] / 2
        covered[: int(min(W, max(0, np.floor(last))))] = True
        lost = np.flatnonzero(~covered) + 0.5
        self.lost.set_data(lost, np.full(len(lost), -0.3))
        handles = [self.units, self.chain] + ([self.lost] if len(lost) else [])
        a.legend(handles=handles, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3,
                 frameon=False)
        allx = np.concatenate(xs)
        lo = min(0.0, centre - half, float(allx.min())) - 1
        hi = max(float(W), centre + half, float(allx.max())) + 1
        a.set_xlim(lo, hi)
        a.set_ylim(-0.8, n - 0.2)
        a.set_yticks(range(n), ["input"] + [f"{k} {i + 1}" for i, k in enumerate(s["kinds"])], fontsize=8)
        L = np.arange(n)
        self.size.set_data(L, s["size"])
        self.rf.set_data(L, s["rf"])
        b.set_xlim(-0.3, n - 0.7)
        b.set_xticks(L, ["input"] + [f"{k} {i + 1}" for i, k in enumerate(s["kinds"])], fontsize=7, rotation=45)
        fit_limits(b, *data_range(s["size"], s["rf"], include=(0,)))
        b.set_ylim(bottom=0)
        return self


def grey_bytes(v) -> np.ndarray:
    """Values in [0, 1] as grey levels 255 (0, white) to 0 (1, black), uint8."""
    return np.round(255 * (1 - np.clip(np.asarray(v, float), 0, 1))).astype(np.uint8)


class PoolingPanel(Panel):
    """A digit, its F x F max pooling and its F x F average pooling (stride S), each drawn on the same
    square. ``update(pool_digit(...))``."""
    ncols = 3
    figsize = (5.6, 2.1)

    def __init__(self, axs):
        super().__init__(axs)
        self.imgs = []
        for ax, title in zip(axs, ("digit (8x8)", "max pooling", "average pooling")):
            # grey levels as RGB bytes (0 white, 1 black, as cmap "Greys"): no colormap over the enlarged image
            # every image fills the same square (fixed limits: a new output size costs no redraw)
            self.imgs.append(self.changes(ax.imshow(np.zeros((2, 2, 3), np.uint8), interpolation="nearest",
                                                    extent=(0, 1, 1, 0))))
            ax.set(xlim=(0, 1), ylim=(1, 0))
            ax.set(title=title, xticks=[], yticks=[])

    def update(self, r):
        for img, key in zip(self.imgs, ("image", "max", "avg")):
            v = np.asarray(r[key])
            img.set_data(np.repeat(grey_bytes(v)[..., None], 3, axis=2))
        return self


def plot_search_curves(result, ax=None):
    return SearchCurvesPanel.plot(result, ax)


def plot_search_trials(result, ax=None):
    return SearchTrialsPanel.plot(result, ax)


def plot_irrelevant_axis(result, ax=None):
    return IrrelevantAxisPanel.plot(result, ax)


def plot_optimism(result, ax=None):
    return OptimismPanel.plot(result, ax)


def plot_recipe(result, ax=None):
    return RecipePanel.plot(result, ax, n_seeds=len(result["ok"]))


def plot_conv_arith(result, ax=None):
    return ConvArithPanel.plot(result, ax)


def plot_pooling(result, ax=None):
    return PoolingPanel.plot(result, ax)
