"""Chapter 10 figure: one run of successive halving on the digits table, rung by rung.

Draws a result of ``dlcore.experiments.halving_digits.halving_digits`` that the caller computed
(widgets/plots.py's convention).
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from widgets.plots import Panel, data_range, fit_limits

__all__ = ["HalvingPanel", "plot_halving"]


class HalvingPanel(Panel):
    """Validation accuracy against the fraction of the full training (log scale), one line per
    configuration up to the last rung it reached: dropped ones grey, the ones promoted to the last rung
    in colour, the chosen one thick with a star. Hollow circles: where each dropped configuration would
    have ended had it been trained fully (what halving did not see); dashed red: the configuration that would
    have won, if halving dropped it, from its rungs to its full-training score. ``update(halving_digits(...))``."""
    figsize = (8.2, 3.6)

    def __init__(self, ax):
        super().__init__(ax)
        self.dropped = self.changes(ax.add_collection(LineCollection([], colors="0.6", lw=0.9, alpha=0.8,
                                                                     label="dropped at a rung")))
        self.kept = self.changes(ax.add_collection(LineCollection([], colors="C0", lw=1.6,
                                                                  label="promoted to the full training")))
        self.pts = self.changes(ax.plot([], [], "o", color="0.45", ms=3)[0])
        self.would = self.changes(ax.plot([], [], "o", mfc="none", mec="C3", ms=6, mew=1.2,
                                          label="a dropped one, had it been trained fully")[0])
        self.winner = self.changes(ax.plot([], [], "--", color="C3", lw=1.8, marker="o", ms=4, markevery=[-1],
                                           label="the would-be winner, dropped")[0])
        self.best = self.changes(ax.plot([], [], "-*", color="C1", lw=2.4, ms=13, mec="k", markevery=[-1],
                                         label="chosen")[0])
        ax.set(xscale="log", xlabel="fraction of the 3-epoch training (resource)", ylabel="validation accuracy")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)

    def update(self, r):
        rungs = r["rungs"]
        res = np.array([g["resource"] for g in rungs], float)
        score = {}                                    # config -> scores at the rungs it reached
        for g in rungs:
            for j, v in zip(np.asarray(g["ids"]).tolist(), np.asarray(g["scores"], float)):
                score.setdefault(j, []).append(v)
        last = set(np.asarray(rungs[-1]["ids"]).tolist())
        best = int(r["best_id"]) if "best_id" in r else int(rungs[-1]["promoted"][0])
        segs_d, segs_k = [], []
        for j, v in score.items():
            seg = np.c_[res[:len(v)], v]
            (segs_k if j in last else segs_d).append(seg)
        self.dropped.set_segments(segs_d)
        self.kept.set_segments(segs_k)
        allx = np.concatenate([res[:len(v)] for v in score.values()])
        ally = np.concatenate([v for v in score.values()])
        self.pts.set_data(allx, ally)
        final = np.asarray(r["final"], float)
        gone = [j for j in score if j not in last]
        self.would.set_data(np.full(len(gone), res[-1] * 1.12), final[gone])
        self.best.set_data(res[:len(score[best])], score[best])
        win = int(np.argmax(final))
        if int(r.get("cut_rung", -1)) >= 0 and win in score:   # dropped: its rungs, then where it would have ended
            v = score[win]
            self.winner.set_data(np.r_[res[:len(v)], res[-1] * 1.12], np.r_[v, final[win]])
        else:
            self.winner.set_data([], [])
        fit_limits(self.ax, *data_range(ally, final[gone], include=(1.0,)), home=(0.0, 1.0), margin=0.04)
        self.ax.set_xlim(res[0] / 1.5, res[-1] * 1.5)
        self.ax.set_xticks(res, [_frac(x) for x in res])
        self.ax.minorticks_off()
        return self


def _frac(x):
    return "1" if x >= 1 else f"1/{round(1 / x)}"


def plot_halving(result, ax=None):
    """One successive-halving run (:class:`HalvingPanel`)."""
    return HalvingPanel.plot(result, ax)
