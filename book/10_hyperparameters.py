# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (dlbook)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Hyper-parameters, search, a practical recipe; convolution arithmetic
#
# Everything the previous chapters set by hand — the learning rate, the
# width, the weight decay, the batch size — is a *hyper-parameter*: a
# setting chosen before training that training itself does not change. This
# chapter measures how to choose them on a budget (grid, random and
# model-based search), what goes wrong when the test set takes part in the
# choice, and the checks that catch a broken setup before any search starts.
# It ends with the arithmetic of convolution and pooling layers, which the
# notes ask about, a measured demo of transfer learning, and where the book
# ends.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 10.1 | What is a hyper-parameter, and do they all matter equally? | 什么是超参数？它们同样重要吗？ |
# | 10.2 | Why does random search beat a grid when only a few hyper-parameters matter? | 只有少数超参数重要时，为什么随机搜索胜过网格搜索？ |
# | 10.3 | What does a model-based ("Bayesian") search do, and does it need many settings of its own? | 基于模型的（贝叶斯）搜索在做什么？它本身真需要很多参数吗？ |
# | 10.4 | Grid, random and model-based search under the same budget on a real net: which finds the better configuration? | 同样的预算下，网格、随机、基于模型的搜索在真实网络上谁找得更好？ |
# | 10.4.1 | Successive halving (Hyperband's building block): stop bad configurations early — does it beat random search at the same number of training steps, and when does it drop the winner? | 逐次减半（Hyperband 的基础）：提前淘汰差的配置，同样训练步数下能胜过随机搜索吗？何时会误删最优配置？ |
# | 10.5 | Train / validation / test: what leaks if we choose on the test set, and by how much? | 训练/验证/测试集怎样分工？在测试集上挑选会高估多少？ |
# | 10.6 | A practical recipe: initial loss, over-fit a tiny subset, learning-rate range test, then scale up — each with a pass/fail signal | 实用流程：初始损失检查、先在小子集上过拟合、学习率区间测试、再扩大规模 |
# | 10.7 | Convolution output size $(W-F+2P)/S+1$ — and when it is not a whole number; parameter counts; receptive fields | 卷积输出尺寸公式，不整除时怎么办？参数量？感受野？ |
# | 10.8 | Max vs average pooling | 最大池化与平均池化 |
# | 10.9 | Transfer learning: reuse the lower layers? | 迁移学习：复用低层特征？ |
#
# Every number in the text is printed by a cell of this notebook.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

from dlcore.exercises import ch10
from dlcore.experiments import conv_arith as ca
from dlcore.experiments import halving_digits as hd
from dlcore.experiments import recipe as rc
from dlcore.experiments import search_digits as sd
from dlcore.experiments import search_toy as st
from dlcore.experiments.common import SEEDS, over_seeds, pm
from dlcore.halving import halving_cost, rung_plan
from dlcore.search import Choice, Int, LogUniform, grid_levels, search
from widgets.ch10_conv import ConvArithExplorer, PoolingExplorer
from widgets.ch10_halving import plot_halving
from widgets.ch10_plots import (plot_conv_arith, plot_irrelevant_axis, plot_optimism, plot_pooling, plot_recipe,
                                plot_search_curves, plot_search_trials)
from widgets.ch10_search import IrrelevantAxisExplorer, SearchExplorer
from widgets.notebook import setup

setup(precision=6)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 10.1 Hyper-parameters, and which of them matter
#
# A net's *parameters* $\theta$ (weights, biases) are set by the optimiser
# to minimise the training loss. Its *hyper-parameters* $\lambda$ (learning
# rate, width, depth, weight decay, batch size, number of epochs, the
# activation...) fix the problem the optimiser solves and how it solves it.
# They cannot be chosen by the training loss: a wider net or a longer run
# always fits the training set better. They are chosen by the loss on data
# the training did not see, the *validation set*:
#
# $$\lambda^\star = \arg\min_\lambda\; L_{val}\big(\theta^\star(\lambda)\big), \qquad
# \theta^\star(\lambda) = \arg\min_\theta L_{train}(\theta; \lambda).$$
#
# Each evaluation of the outer objective is a whole training run, so the
# search has a *budget*: a number of trials.
#
# **The test bed.** To compare search methods honestly we need many searches
# over many seeds, which would be thousands of trainings. So we trained every
# configuration of a lattice once, in advance: the digits MLP 64-width-10
# (ReLU, He), AdamW for 3 epochs, with
#
# * learning rate $10^{-4}, 10^{-3.5}, \dots, 1$ (9 values),
# * width 4, 8, ..., 128 (6), weight decay $10^{-4} \dots 1$ (5), batch size 16, 64, 256 (3):
#
# 810 configurations, 8 to 30 s of CPU depending on the machine's load
# (`scripts/search_table.py`, which writes the validation and test accuracy
# of each into `dlcore/experiments/search_table.py`; a test retrains a few
# rows and checks that they agree). A search then proposes settings in the
# continuous space, each is rounded to the nearest trained configuration (in
# log scale), and its validation accuracy is read from the table. One
# training of a configuration is one draw of the training noise
# (initialisation and batch order), and a single draw can flatter or hide a
# method. So the table was trained **five times** (draws 0-4, `rng=draw`), and
# every claim of 10.1, 10.4 and 10.5 is computed on each draw and reported as
# m ± s over the five. (The searched hyper-parameters do not include dropout,
# which the notes mention: the batch size is cheaper to vary in a 3-epoch
# table and, unlike dropout, interacts with the learning rate, which makes
# the search less trivial. Chapter 08 measures dropout itself.)
#
# How much does each hyper-parameter matter? For each one, take its best
# value and its worst value, each with the other three chosen best: the
# spread of the reachable validation accuracy.

# %%
t = sd.table()
print(f"{t['val'].size} configurations; draw 0: validation accuracy from {t['val'].min():.3f} to {t['val'].max():.3f}")
for ax, (k, v) in enumerate(sd.importance().items()):
    best = t["val"].max(axis=tuple(a for a in range(4) if a != ax))
    print(f"  {k:13s} spread {v:.3f}; best reachable at each value: " + " ".join(f"{b:.2f}" for b in best))
print(f"spread over the {len(sd.DRAWS)} draws: "
      + ", ".join(f"{k} {pm(v)}" for k, v in sd.importance_over_draws().items()))
narrow = [sd.table(d)["val"][2:7].max(axis=(1, 2, 3)) for d in sd.DRAWS]     # lr 1e-3 ... 1e-1 only
print(f"learning rate restricted to 1e-3 ... 1e-1: spread {pm([b.max() - b.min() for b in narrow])}")
by_batch = np.array([sd.table(d)["val"].max(axis=(0, 1, 2)) for d in sd.DRAWS])
print("best reachable with batch 16 / 64 / 256: " + " / ".join(pm(c) for c in by_batch.T)
      + f"; 256 the worst in {(by_batch.argmin(1) == 2).sum()} of {len(sd.DRAWS)} draws")

# %% [markdown]
# **What to notice.** Two of the four matter, on every draw: the learning
# rate (0.34 at $10^{-4}$, 0.96 at $10^{-2.5}$) and the width (a 4-unit layer
# reaches at best 0.62). The batch size matters little at this budget and
# the weight decay hardly at all, *once the other three are chosen well*
# (AdamW shrinks the weights by a fraction $\eta\lambda$ per step, which only
# matters at large rates, and those are bad anyway). That is the usual
# situation (Bergstra and Bengio 2012 found it on many data sets): few
# hyper-parameters matter, and which ones depends on the problem — and on
# the ranges searched: the learning rate spans four decades here; between
# $10^{-3}$ and $10^{-1}$ alone its spread is only about 0.03. (fANOVA, Hutter et
# al. 2014, is the standard way to measure importance from a table of trials.)
# The notes advise batches of "64 or 128; too large easily over-fits": in
# this table batch 256 is the worst of the three after 3 epochs on every
# draw because it takes 4 times fewer steps than 64, not because it
# over-fits (chapter 06 separates the two).
#
# ## 10.2 Why random search beats a grid when few dimensions matter
#
# A grid with $k$ values per hyper-parameter in $d$ dimensions costs $k^d$
# trials but tries only $k$ distinct values of each one. If only one
# dimension matters, $k^d$ trials buy $k$ useful ones. Random search draws
# every trial's values afresh: $n$ trials try $n$ distinct values of every
# dimension, including the one that matters.
#
# The smallest example: a score that depends on $x$ only, a narrow peak at
# $x = 0.62$; $y$ does nothing. Nine trials.

# %%
irr = st.irrelevant_axis(9)
print(f"grid 3 x 3: {irr['grid_distinct_x']} distinct values of x, best score {irr['grid_best']:.2f}")
print(f"random, 9 trials: best score {pm(irr['random_best'])} over {len(irr['seeds'])} seeds; "
      f"better than the grid in {(irr['random_best'] > irr['grid_best']).sum()} of {len(irr['seeds'])}")
print(f"TPE (10.3), 9 trials: {pm(irr['tpe_best'])}")
pk = st.over_peaks(9)
print(f"peak placed at random in [0, 1] ({len(pk['peaks'])} placements): best score grid {pk['grid_best'].mean():.2f}, "
      f"random {pk['random_best'].mean():.2f}; random better in {100 * (pk['random_best'] > pk['grid_best']).mean():.0f} %; "
      f"best > 0.9 in {100 * (pk['grid_best'] > 0.9).mean():.0f} % (grid) vs {100 * (pk['random_best'] > 0.9).mean():.0f} % (random)")
plot_irrelevant_axis(irr)
plt.show()

# %% [markdown]
# **What to notice.** (Left: darker = higher score.) The grid's nine squares
# stand on three vertical lines: six of its trials repeat an $x$ it already
# tried and learn nothing about the score. Random search's nine points fall
# on nine different $x$. A grid can be lucky (move the budget to 16 in the
# explorer: a 4 × 4 grid puts $x = 0.625$ right on the peak) but its luck
# depends on where the peak is, which we do not know. The peak at 0.62 is an
# unlucky place for the 3 × 3 grid (its nearest $x$, 0.5, is two widths
# away), so the "9 of 10" above overstates random search's edge; the third
# line places the peak at random and is the fair comparison: random search
# is better in about two placements of three, and twice as often close to
# the peak.

# %%
# NBVAL_IGNORE_OUTPUT
IrrelevantAxisExplorer()

# %% [markdown]
# ## 10.3 Model-based search: TPE on one page
#
# Random search ignores what it has seen. A model-based search fits a model
# of "where the good trials are" to the trials so far and proposes the next
# trial where the model expects an improvement. Gaussian processes with
# expected improvement are one choice; `dlcore.search` implements the other
# classic, the **Tree-structured Parzen Estimator** (Bergstra, Bardenet,
# Bengio and Kégl 2011; the default of hyperopt and optuna), in about 60
# lines of NumPy:
#
# 1. Run `n_startup` = 5 random trials.
# 2. Split the trials at the $\gamma = 0.25$ quantile of their losses into
#    *good* and *bad*. Model the density of each: $l(\lambda)$ from the good
#    trials, $g(\lambda)$ from the bad ones (per dimension: a Gaussian on
#    each trial, as wide as the gap to its neighbours, plus a flat prior; a
#    categorical `Choice` uses smoothed counts).
# 3. Draw 24 candidates from $l$ and evaluate the one with the largest
#    $l(\lambda)/g(\lambda)$.
#
# Why the ratio: with $y^\ast$ the $\gamma$-quantile of the losses, the
# expected improvement $\mathrm{EI}(\lambda) = \int_{-\infty}^{y^\ast}
# (y^\ast - y)\, p(y \mid \lambda)\, dy$ is, by Bayes' rule with
# $p(\lambda \mid y) = l(\lambda)$ below $y^\ast$ and $g(\lambda)$ above it,
# proportional to $\big(\gamma + (1 - \gamma)\, g(\lambda)/l(\lambda)\big)^{-1}$:
# it grows with $l/g$. So TPE needs no model of the loss itself, only two
# densities of the settings. Its own settings are five: $\gamma$, the number
# of candidates and of start-up trials, and, less visibly, the bandwidth rule
# and the weight of the flat prior. 10.4 measures the first three on the
# digits table: the candidates and the start-up trials hardly matter, but
# $\gamma$ does ($\gamma = 0.5$ loses the whole advantage over random
# search). So the notes' worry that Bayesian optimisation "needs many
# parameters of its own" is half right for TPE: few settings, one of which
# must be kept small.
#
# Why not use optuna or hyperopt: `dlcore` is NumPy-only; optuna brings
# SQLAlchemy, alembic, colorlog and PyYAML with it, hyperopt networkx and
# SciPy; and the method fits on this page. The tests check it on known
# functions: with 40 trials on a 4-D bowl where 2 dimensions matter its
# median best loss is about 15 times smaller than random search's.
#
# The notes list two more families. *Local* optimisers such as BOBYQA (used
# by dlib/MITIE) refine a setting from a good starting point with a local
# model of the objective; they need that start, which the learning-rate
# range test of 10.6 can provide, and they get stuck if it is in the wrong
# basin. *LIPO* (also dlib) keeps an upper bound on the objective from the
# trials so far under the assumption that it is Lipschitz, and evaluates
# only where the bound could beat the best trial; it is "parameter-free" in
# that it estimates the Lipschitz constant from the trials, and its
# guarantee over random search holds under that assumption. Neither is
# implemented here.
#
# A search space and an objective (here a made-up one: the loss is smallest
# at a learning rate of $10^{-2.2}$, width 64 and 2 layers; the optimum is off
# the centre of the log range on purpose, where a 3-level grid would sit on
# it):

# %%
space = {"lr": LogUniform(1e-5, 1.0), "width": Choice([16, 32, 64, 128]), "layers": Int(1, 4)}


def toy_loss(p):
    return (math.log10(p["lr"]) + 2.2) ** 2 + (p["width"] != 64) + 0.1 * abs(p["layers"] - 2)


for method in ("grid", "random", "tpe"):
    r = search(toy_loss, space, method=method, budget=30, rng=0)
    print(f"{method:6s} {len(r['values']):2d} trials, best loss {r['best_value']:.3f} at lr {r['best']['lr']:.2g}, "
          f"width {r['best']['width']}, layers {r['best']['layers']}")
print("grid levels per dimension within 30 trials:", grid_levels(space, 30),
      "| the grid's numbers of layers:", sorted({p["layers"] for p in search(toy_loss, space, "grid", 30)["params"]}))

# %% [markdown]
# The 3-level grid takes the centres of three equal thirds of each range, so
# on `Int(1, 4)` it tries 1, 3 and 4 layers and never the best, 2; random
# search and TPE reach every value.
#
# ## 10.4 Equal budgets on the digits net
#
# Now the real question: on the digits table, with the same number of
# trainings, which method finds the better configuration? Random search and
# TPE over 20 seeds (a search is a table look-up, so seeds are cheap) on each
# of the five draws of the table; the grid is deterministic, the largest
# as-equal-as-possible grid within each budget (2 × 2 × 2 × 2 = 16 points at
# 16; 54 at 64, since $3^4 = 81$ does not fit). When the budget is not a
# power, a grid must decide in advance which dimensions get the extra levels:
# we give them to the first ones in the order (learning rate, width, weight
# decay, batch size) — the important ones, which a real user does not know —
# and also report the grid averaged over all 24 orders.
#
# First one draw (draw 0) in detail, then every draw.

# %%
curves = sd.search_curves()
low = (curves["random_val"][:, 0] < 0.5).sum()
print(f"draw 0. 4 random trials: best below 0.5 in {low} of {len(curves['random_val'])} seeds")
for j, b in enumerate(curves["budgets"]):
    r_, t_ = curves["random_val"][:, j], curves["tpe_val"][:, j]
    go = curves["grid_orders"][:, j]
    print(f"budget {b:2d}: grid {curves['grid_val'][0, j]:.3f} (any order {go.min():.2f}-{go.max():.2f}, "
          f"{curves['grid_n'][j]:2d} points)  random {pm(r_)}  TPE {pm(t_)}  TPE better / tied / worse "
          f"in {(t_ > r_).sum():2d} / {(t_ == r_).sum():2d} / {(t_ < r_).sum():2d} seeds")
print(f"best configuration in the table: {curves['best_possible']:.3f}")
j = list(curves["budgets"]).index(32)
print(f"at 32 trials, test accuracy of the configuration chosen: random {pm(curves['random_test'][:, j])}, "
      f"TPE {pm(curves['tpe_test'][:, j])}")
plot_search_curves(curves)
plt.show()

# %% [markdown]
# Now all five draws. Each number is a mean over the 20 search seeds of one
# draw; printed is m ± s of those five means (accuracies, and differences
# in points of accuracy).

# %%
cd = sd.curves_over_draws()
for j, b in enumerate(cd["budgets"]):
    gain, grid = 100 * (cd["tpe"][:, j] - cd["random"][:, j]), 100 * (cd["grid_mean"][:, j] - cd["random"][:, j])
    print(f"budget {b:2d}: random {pm(cd['random'][:, j])}   TPE - random {pm(gain)} (> 0 on {(gain > 0).sum()} of "
          f"{len(gain)} draws)   grid (any order) - random {pm(grid)}")
print("best in the table per draw:", " ".join(f"{v:.3f}" for v in cd["best_possible"]))
ts = sd.tpe_settings()
print(f"TPE's own settings, 32 trials, 10 seeds x {len(sd.DRAWS)} draws, change from the defaults (gamma 0.25, "
      "24 candidates, 5 start-up), points:")
print("   " + ";  ".join(f"{k} {pm(100 * (v - ts['defaults']))}" for k, v in ts.items() if k != "defaults"))

# %% [markdown]
# **What to notice.** With 4 trials nothing works reliably (a fifth of the
# random searches never leave the bad region; TPE is still in its random
# start-up and makes the same trials as random search, hence the ties); the
# grid's 4 points happen to include a good learning rate in the chapter's
# order, but in another order the same grid can fail completely (0.31).
# From 16 trials on, TPE is ahead of random search on average, on every draw
# of the table, by about half a point to a point of accuracy, and its spread
# over seeds is smaller: after its 5 random start-up trials it spends its
# budget near the good learning rates and widths (the explorer below shows
# where each method's trials land). Per seed it is not a sure thing: at 16
# trials TPE is strictly better in about half the seeds. The grid, averaged
# over the orders of the dimensions, is below random search at every budget
# from 8 on, clearly at 16 (where $2^4$ gives it two values of each), and
# has no way to improve between $2^4$ and $3^4$ points; with the lucky order
# (learning rate first) it ties random search at 32 and 64. The gains are
# small in absolute terms because this space is small and forgiving — and
# coarse: the lattice has only 9 learning rates, so random search's
# advantage from 10.2 (a new value of the important dimension in every
# trial) is capped at 9 values here. They matter more when a trial costs
# hours. Of TPE's settings, the number of candidates and of start-up trials
# change the result by a few tenths of a point; $\gamma = 0.5$ (half the
# trials called "good") costs about 1.5 points and falls below random search:
# keep $\gamma$ at 0.25 or less.

# %%
plot_search_trials({"search": sd.search_digits("grid", 16), "table": t, "method": "grid"})
plt.show()

# %%
# NBVAL_IGNORE_OUTPUT
SearchExplorer()

# %% [markdown]
# ### 10.4.1 Successive halving: stop the bad ones early
#
# Random search pays a full training for every configuration, even for
# those whose first few steps already show they are hopeless: after 1/27 of
# its training, most of the lattice is still near chance. *Successive
# halving* (Jamieson and Talwalkar, 2016; the building block of Hyperband,
# Li et al., 2018) spends the budget where it matters. Draw $n$
# configurations at random, train each with a small resource $r_0$ (a few
# steps), keep the best $1/\eta$ of them, train those with $\eta$ times the
# resource, and repeat: rung $i$ evaluates $n_i = \lfloor n/\eta^i \rfloor$
# configurations at $r_i = r_0\,\eta^i$. Each rung costs about $n r_0$, so
# $s$ halvings plus the first rung cost $\sum_i n_i r_i \approx (s+1)\,n r_0$.
# We count every evaluation from scratch, as the papers do. Continuing the
# survivors' training instead would save about a quarter; here that would
# be free to model (a rung's score is a checkpoint of the one training), but
# we keep the papers' accounting so the numbers compare with theirs.
#
# Here the resource is a fraction of the 3-epoch training of 10.4: 1/27,
# 1/9, 1/3 and 1 ($\eta = 3$). Every configuration of the lattice was
# trained once per draw of the training noise, and its validation accuracy
# was recorded on the way (`scripts/halving_table.py`). The last checkpoint is
# exactly 10.4's table, so halving is a table look-up too. One full training
# is one unit of budget: 3 epochs, so the same number of training examples
# whatever the batch size. A *bracket* $s$ (Hyperband's name) starts $s$ rungs
# below the full training; with $n = T\,3^s/(s+1)$ configurations it costs
# $T$ units, the budget of $T$ random-search trials. (Bracket 2 costs a
# little less, because its last rung holds $\lfloor n/9 \rfloor$
# configurations: 3.7 units instead of 4.) A unit is not what every
# machine pays, though. Time on a CPU goes more nearly with the number of
# steps, and the batch size is searched: a configuration with batches of 16
# takes 204 steps to finish, one with batches of 256 takes 15 (each of 256
# examples). So we count steps as well, and the examples actually
# processed. The unit slightly undercharges the first rung: with batches of
# 256, 1/27 of the training is rounded up to one step, 1/15 of it.

# %%
plan = rung_plan(hd.n_configs(32, 3), 1 / 27, eta=3, max_resource=1.0)
print("bracket 3 at the budget of 32 trials:", ",  ".join(f"{k} configs x {r * 27:.0f}/27" for k, r in plan),
      f"-> {halving_cost(hd.n_configs(32, 3), 1 / 27, 3, 1.0):.0f} full trainings "
      f"({halving_cost(hd.n_configs(32, 3), 1 / 27, 3, 1.0, resume=True):.0f} if the survivors kept training)")
run = hd.halving_digits(8, 3, rng=0, draw=0)
print(f"one run (budget 8, seed 0, draw 0): {run['n']} configurations; chosen {run['best_val']:.3f}, "
      f"the best of the {run['n']} had all been trained fully {run['oracle_val']:.3f} "
      f"(dropped after the {['1/27', '1/9', '1/3'][run['cut_rung']]} rung)")
plot_halving(run)
plt.show()

# %% [markdown]
# In the figure, the dashed red line is the configuration that would have
# won (learning rate $10^{-2}$): third of 54 at 1/27, third of 18 at 1/9,
# fourth of 6 at 1/3, four validation digits behind the two kept, and
# dropped there. Had
# it been trained fully, it would have ended at 0.955 against the chosen
# one's 0.933 (the same configuration with a learning rate of
# $3\cdot10^{-2}$). A smaller learning rate that looks worse early: the
# trap of the next paragraphs, in one run.

# %% [markdown]
# At the same budgets as 10.4 (each number is a mean over the 20 seeds of
# one draw; printed is m ± s over the five draws), with random search and
# TPE from 10.4. Halving with seed $k$ draws its configurations from the
# same stream as random search with seed $k$ (halving's 27 at budget 4
# start with random search's 4), a paired comparison. The search chose on
# validation; the test digits judge the choice:

# %%
hc = hd.halving_curves()
for j, b in enumerate(hc["budgets"]):
    gain = 100 * (hc["s3"][:, j] - hc["random"][:, j])
    print(f"budget {b:2d}: random {pm(hc['random'][:, j])}  TPE {pm(hc['tpe'][:, j])}  halving s=1 "
          f"{pm(hc['s1'][:, j])}  s=2 {pm(hc['s2'][:, j])}  s=3 {pm(hc['s3'][:, j])}  (s=3 - random "
          f"{pm(gain)} points, > 0 on {(gain > 0).sum()} of {len(gain)} draws)")
print("test accuracy of the configuration chosen:")
for j, b in enumerate(hc["budgets"]):
    gt = 100 * (hc["s3_test"][:, j] - hc["random_test"][:, j])
    print(f"budget {b:2d}: random {pm(hc['random_test'][:, j])}  TPE {pm(hc['tpe_test'][:, j])}  halving s=3 "
          f"{pm(hc['s3_test'][:, j])}  (s=3 - random {pm(gt)} points, > 0 on {(gt > 0).sum()} of {len(gt)} draws)")
print("cost of halving (s=3) against random search: steps and training examples (means over seeds and draws); "
      "random search given the same steps, seed by seed, validation and test:")
for j, b in enumerate(hc["budgets"]):
    print(f"budget {b:2d}: random {hc['random_steps'][:, j].mean():5.0f} steps;  s=3 {hc['s3_steps'][:, j].mean():5.0f} "
          f"steps ({hc['s3_steps'][:, j].mean() / hc['random_steps'][:, j].mean():.2f} x), examples "
          f"{hc['s3_examples'][:, j].mean() / hc['random_examples'][:, j].mean():.2f} x;  random with those steps "
          f"{pm(hc['s3_random_same_steps'][:, j])} vs halving {pm(hc['s3'][:, j])}, test "
          f"{pm(hc['s3_random_same_steps_test'][:, j])} vs {pm(hc['s3_test'][:, j])}")
print(f"share of batches of 16 among the configurations halving (s=3) trains fully: {pm(hc['s3_batch16'][:, 0])} "
      f"at budget 4, {pm(hc['s3_batch16'][:, -1])} at 64 (a third among those drawn)")

# %% [markdown]
# **Where halving can fail.** It trusts early scores. A small learning rate
# looks bad after a few steps and may still win at the end. Is that what
# happens here? Below: the best validation accuracy each learning rate can
# reach (the other three hyper-parameters chosen best) at each fraction of
# the training, on draw 0. Then, over the five draws, how well the early
# ranking of the lattice predicts the final one, and how often halving
# dropped the configuration that would have won.

# %%
el = hd.early_late(0)
print("lr      " + "".join(f"{v:>8.0e}" for v in el["lr"]))
for f, row in zip(["1/27", "1/9", "1/3", "1"], el["lr_curve"]):
    print(f"{f:>5s}   " + "".join(f"{v:8.2f}" for v in row))
els = [hd.early_late(d) for d in sd.DRAWS]
print("best learning rate at 1/27, 1/9, 1/3, 1 per draw:",
      "; ".join(" ".join(f"{e['lr'][i]:.0e}" for i in e["best_lr"]) for e in els))
rho = np.array([e["spearman"] for e in els])
print(f"rank correlation with the final score (configurations that learned): 1/27 {pm(rho[:, 0])}, "
      f"1/9 {pm(rho[:, 1])}, 1/3 {pm(rho[:, 2])}")
te = np.array([hd.top_early(d) for d in sd.DRAWS])
print(f"the 8 best configurations at the end were, at 1/27 of the training, at least in the top "
      f"{100 * (1 - te[:, 0].min()):.0f} % of the lattice (all draws)")
mk = hd.mistakes()
for j, b in enumerate(mk["budgets"]):
    print(f"budget {b:2d}: s=3 dropped the would-be winner in {mk['cut'][j]:2d} of {mk['runs']} runs "
          f"(after rung 1/27, 1/9, 1/3: {' / '.join(str(v) for v in mk['at_rung'][j][:3])}; its learning rate "
          f"smaller / equal / larger than the chosen one's: {' / '.join(str(v) for v in mk['lr'][j])}); "
          f"accuracy lost {100 * mk['regret_mean'][j]:.1f} points on average, at most {100 * mk['regret_max'][j]:.1f}; "
          f"by one validation digit in {mk['one_example'][j]} of them")

# %% [markdown]
# **What to notice.** At the same number of full trainings, halving
# (bracket 3) beats random search on validation at every budget and on
# every draw. The gain is 13 points at 4 trials: four random configurations
# often miss the good region, while halving looks at 27. It is 3.6 points
# at 8 and under a point from 32 on, where random search has already found
# a good configuration. Halving is ahead of TPE at 4 and 8 trials and level
# with it from 16 on (within the spread), and it needs no model of the
# search space.
#
# On the test digits, which no search saw, the gain is the same up to 16
# trials (13.5, 3.7 and 1.2 points, on every draw). From 32 on it is gone:
# 0.2 ± 0.6 and 0.3 ± 0.5 points, positive on 3 of the 5 draws, so halving,
# TPE and random search are level there. The validation gain at 32 and 64
# is, at least in part, the optimism of choosing among more configurations
# on the same 359 digits: halving looks at 6.75 times as many as random
# search, and the best of more noisy scores is more flattered. Section 10.5
# measures this selection bias.
#
# Halving also spends more steps, 1.3 to 1.4 times random search's, and
# processes 1.13 times its examples (the first rungs are rounded up to whole
# steps). The configurations it keeps are mostly those with small batches,
# which learn more per epoch and take more steps per epoch. Given exactly
# those steps, seed by seed, random search still falls behind on validation
# at every budget on average (at 64, on one of the five draws, the two are
# level); on test, again only up to 16. We did not time the trainings here.
# On a CPU, where a step of a small net costs about the same at any batch
# size, time goes with steps; where it goes with the arithmetic done, what
# counts is examples times the size of each net, which we did not count
# either. Here the most
# aggressive bracket is the best one (s = 1 < s = 2 ≤ s = 3), because early
# scores are informative in this space.
#
# **Does the early score mislead here?** The mechanism is real. At 1/27 of
# the training, a learning rate of $10^{-3}$ is near chance (0.16), yet it
# ends at 0.94. The best learning rate also drifts down as training goes
# on: $10^{-2}$ to $3\cdot10^{-2}$ at 1/27, $3\cdot10^{-3}$ to
# $3\cdot10^{-2}$ at the end, one lattice step smaller on 4 of the 5 draws.
# That is the trap in miniature. But it does not decide the outcome in
# this space: the 8 best configurations at the end are in the top 10 % of
# the lattice already at 1/27 of the training, and a run's would-be winner
# is dropped at the first cut in at most 4 of 100 runs (none from 32 on).
# Halving's mistakes come mostly at the last cut (from 1/3 of the training
# to the full one), among near-ties: at 32 and 64, half or more of them
# lose a single validation digit. At budgets 4 to
# 16, the configuration dropped has a smaller learning rate than the chosen
# one about twice as often as a larger one (21 against 12 at budget 4); from
# 32 on, that is gone (7 against 9, then 2 against 9). These mistakes cost
# 0.6 to 2.1 points on average (15.6 at worst, once, at budget 4). Halving
# still comes out ahead because it sees about seven times as many
# configurations. The trap would matter where the ranking changes late. We
# did not measure such a case here; examples would be training much longer
# than 3 epochs (a small learning rate that overtakes), a learning-rate
# schedule whose decay comes at the end, or a regulariser that pays off
# only late.
#
# **Hyperband.** Hyperband (Li et al., 2018) hedges against that trap: it
# does not pick one bracket but runs all of them, here s = 3, 2, 1 and
# random search (s = 0), each with a quarter of the budget, and keeps the
# best validation score. (Li et al.'s own table, maximum resource 81 and
# $\eta = 3$, has five brackets: 81 configurations from 1 unit, 34 from 3,
# 15 from 9, 8 from 27 and 5 from 81.) What does the hedge cost here?

# %%
hb = hd.hyperband_curves()
for j, b in enumerate(hb["budgets"]):
    k = list(hc["budgets"]).index(b)
    print(f"budget {b:2d}: Hyperband (4 brackets, {b // 4} units each) validation {pm(hb['val'][:, j])}, test "
          f"{pm(hb['test'][:, j])};  s=3 alone {pm(hc['s3'][:, k])}, test {pm(hc['s3_test'][:, k])};  "
          f"won by bracket s=3/2/1/0 in {' / '.join(str(v) for v in hb['wins'][j])} of {hb['wins'][j].sum()} runs")

# %% [markdown]
# Hyperband lands about 0.2 to 0.4 points of validation accuracy below
# bracket 3 alone, and (from 32 on) level with it on test. Bracket 3 wins
# the hedge in about half of the runs; the others win when their quarter of
# the budget happens to hold a better configuration. On this net the
# insurance costs a little and buys nothing, because early scores rank
# well. Where the ranking changes late, the less aggressive brackets are
# what would still find the late winner; we have not measured such a case.

# %% [markdown]
# ## 10.5 Train, validation, test — and what choosing on the test set costs
#
# The protocol: fit the parameters on the training set, choose the
# hyper-parameters on the validation set, and look at the test set **once**,
# at the end, to report. The reason: the best of $k$ noisy scores is
# optimistic. A configuration's accuracy on 359 examples has a sampling
# spread of about $\sqrt{0.95 \cdot 0.05 / 359} \approx 0.012$; pick the
# largest of $k$ such scores and you pick partly the luckiest noise.
#
# We measure this with the table, where every configuration has two
# independent scores (validation and test, 359 examples each). Draw $k$
# configurations at random (among those that learned, validation accuracy
# > 0.5), choose the best on the test set and note how far its test score
# exceeds its validation score; choose the best of the same $k$ on the
# validation set and note how far its validation score exceeds its test
# score; repeat 5000 times. The two splits are not equally hard: the test
# split is easier on average, more for mediocre configurations than for good
# ones, and harder for some (printed below). That difference $d(c)$ enters
# the two gaps with opposite signs, so their **mean** cancels it without any
# model of it and leaves the selection effect alone — the optimism of
# choosing among $k$, exactly 0 for $k = 1$. We compute it on each draw of
# the table.

# %%
o0 = sd.selection_optimism()
print(f"draw 0: {o0['n_configs']} configurations; test easier for {o0['test_easier']}, harder for "
      f"{o0['test_harder']}, mean test - validation {o0['offset']:+.4f}")
for j, k in enumerate(o0["ks"]):
    gl, gp, m = (100 * o0[key][j] for key in ("gap_leak", "gap_protocol", "optimism"))
    print(f"  k = {k:3d}: chosen on test: test - val {gl.mean():+.2f};  chosen on val: val - test {gp.mean():+.2f};  "
          f"optimism (their mean) {m.mean():.2f} ± {2 * m.std(ddof=1) / np.sqrt(len(m)):.2f} (2 s.e.) points")
od = sd.optimism_over_draws()
print(f"over the {len(od['draws'])} draws, optimism in points: "
      + ",  ".join(f"k = {k}: {pm(100 * od['optimism'][:, j])}" for j, k in enumerate(od["ks"]) if k > 1))
lift = 100 * (od["reported_leak"] - od["reported_protocol"])
print("reported test score, chosen on test minus chosen on validation, k = 10 / 100: "
      f"{pm(lift[:, 2])} / {pm(lift[:, 4])} points")
plot_optimism(od)
plt.show()

# %% [markdown]
# **What to notice.** The raw gaps of draw 0 are lopsided (the test split is
# easier, so choosing on test looks worse than it is and choosing on
# validation looks better); their mean is the optimism, and it grows with
# the number of configurations compared, on every draw: about 0.15 of a
# point at $k = 3$, a third of a point at $k = 10$ and 0.5 to 1.5 points at
# $k = 100$ — up to a third of the error rate. Its size depends on the
# draw of the training noise (the band; up to a factor of 3 between draws
# at $k = 100$), which a single table would have hidden. The set that took no
# part in the choice is unbiased whatever $k$: not because we measured it
# (with two sets we cannot), but because its noise is independent of the
# choice. So choosing on the test set reports a test accuracy that the model
# will not have on new data; choosing on the validation set and reporting on
# the test set does not. The effect is small here only because the two sets
# are large compared with the differences between good configurations; with
# a small test set or a large search it grows (and chasing it with more
# searches is how benchmark numbers drift upwards).
#
# Two more leaks that the same reasoning catches: normalising inputs with
# statistics computed on all the data (the validation and test rows then
# shape the training inputs), and early stopping on the test set (a choice
# of the number of epochs, made on the test set).
#
# ## 10.6 The practical recipe, live
#
# Before any search, make sure the net *can* learn (Karpathy's "recipe for
# training neural networks", 2019; CS231n's sanity checks). Each step has a
# signal that passes or fails.
#
# **Step 1: the initial loss.** With small random weights a $K$-class softmax
# gives every class probability about $1/K$, so the loss before training is
# $-\ln(1/K) = \ln K$ (2.30 for the digits). Far above: the outputs start
# confident (initial weights too large, chapter 02). With He initialisation
# the output layer is not small, so the loss starts somewhat above $\ln K$
# (an exact $\ln K$ needs a small last layer, Karpathy's "init well"); the
# check therefore allows a factor of 2 either way. `dlcore.fit` runs this
# check itself and writes what it finds into `history.checks`.

# %%
for init in ("he", "normal"):
    r = over_seeds(rc.initial_loss, init=init)
    print(f"init {init:6s}: initial loss {pm(r['loss'])} (ln 10 = {math.log(10):.2f}); "
          f"passes (0.5 to 2 x ln 10) in {r['passed'].sum()} of {len(r['passed'])} seeds")

# %% [markdown]
# **Step 2: over-fit a tiny subset.** Twenty examples, full batch, no
# regularisation: a working net and training loop drive the loss to
# (nearly) zero and get every example right. If they cannot, something is
# broken — the loss, the gradients, the data pipeline, or the architecture
# (here: a net whose ReLUs are all dead, bias −10).
#
# **Step 3: the learning-rate range test** (Smith 2017). One short run in
# which the learning rate grows geometrically every step, from $10^{-5}$ to 3.
# The smoothed loss stays flat while the rate is too small, falls, reaches a
# minimum, and blows up. A good constant rate is well below the minimum's
# (a tenth of it is the usual rule): near the minimum the run was already
# on the edge of stability.

# %%
ok, dead = over_seeds(rc.overfit_tiny), over_seeds(rc.overfit_tiny, bias=-10.0)
print(f"healthy net: loss on the 20 examples {pm(ok['loss'])}, accuracy {pm(ok['acc'])}; "
      f"passes in {ok['passed'].sum()} of {len(SEEDS)} seeds")
print(f"dead ReLUs : loss {pm(dead['loss'])}, accuracy {pm(dead['acc'])}; passes in {dead['passed'].sum()} of {len(SEEDS)}")
rng_runs = [rc.lr_range_test(rng=s) for s in SEEDS]
lr_min = np.array([r["lr_min_loss"] for r in rng_runs])
print(f"range test: smoothed loss lowest at log10(lr) = {pm(np.log10(lr_min))} over {len(SEEDS)} seeds; "
      f"suggested rate: a tenth of it, log10(lr) = {pm(np.log10(lr_min) - 1)}")
plot_recipe({"ok": [rc.overfit_tiny(rng=s) for s in SEEDS], "dead": [rc.overfit_tiny(bias=-10.0, rng=s) for s in SEEDS],
             "range": rng_runs})
plt.show()

# %% [markdown]
# **Step 4: scale up.** All 1079 training digits at the rate each seed's
# range test suggested, 10 epochs; for comparison, the rate at the minimum
# itself (ten times larger), a rate far too small, and Adam's default
# $10^{-3}$.

# %%
suggested = [rc.scale_up(lr=r["suggested"], rng=s)["val_acc"] for r, s in zip(rng_runs, SEEDS)]
at_min = [rc.scale_up(lr=r["lr_min_loss"], rng=s)["val_acc"] for r, s in zip(rng_runs, SEEDS)]
small = over_seeds(rc.scale_up, lr=1e-4)["val_acc"]
default = over_seeds(rc.scale_up, lr=1e-3)["val_acc"]
print(f"val. accuracy after 10 epochs: suggested rate {pm(suggested)}, the minimum's rate {pm(at_min)}, "
      f"lr 1e-4 {pm(small)}, Adam's default 1e-3 {pm(default)}")

# %% [markdown]
# **What to notice.** Each check separates the healthy setup from the broken
# one in every seed: the $N(0, 1)$ initialisation starts with a loss about
# 100 times $\ln 10$; the dead net's hidden layer outputs zeros for every
# input, so it can only learn the label frequencies: its loss falls only to
# 2.03, just above the entropy of the 20 labels (2.02, the best a constant
# output can do), and it gets the commonest label's 20 % right — it cannot
# memorise 20 digits. The range test's suggestion trains to about 0.95
# straight away, better than the rate at its minimum — and no better than
# Adam's default. Its value is in finding the *scale* of the rate when there
# is no trusted default (plain SGD, a new architecture, a new loss), not in
# beating a good one. Only now is a search (10.4) worth its budget: a search
# over a broken setup finds the least broken configuration. By hand, a
# usable order is Nielsen's (2015, ch. 3): the learning rate's scale first,
# then the number of epochs (early stopping on the validation set), then
# the regularisation strength, the batch size last; 10.1 shows why the
# first matters most here.
#
# ## 10.7 Convolution arithmetic
#
# A convolution layer slides $C_{out}$ filters of $F \times F \times C_{in}$
# weights over its input (chapter 07's `Conv2d`). Along each spatial axis, a
# window of size $F$ moved by stride $S$ over an input of size $W$ padded by
# $P$ zeros on each side fits at positions $0, S, 2S, \dots$ as long as it
# ends inside the padded input, $kS + F \le W + 2P$:
#
# $$W_{out} = \left\lfloor \frac{W - F + 2P}{S} \right\rfloor + 1 .$$
#
# Here $W$ is the input *before* padding. The notes give the formula without
# the floor. When $S$ does not divide $W - F + 2P$, the last
# $(W - F + 2P) \bmod S$ rows *of the padded input* are never covered by a
# window; up to $P$ of them are right padding, so
# $\max\big(0, (W - F + 2P) \bmod S - P\big)$ input rows are lost. PyTorch
# (`Conv2d`, `MaxPool2d`) and Keras (`padding="valid"`) round down and
# silently ignore those rows; pooling layers with `ceil_mode=True` round up
# (a last, partial window, provided it starts inside the input or its left
# padding); convolutions have no such mode. A real case: AlexNet's
# $224 \times 224$ input with $F = 11$, $S = 4$ gives
# $(224 - 11)/4 + 1 = 54.25$ (the network really used 227, which gives 55).
# dlcore's `Conv2d` refuses the fraction and names the numbers, so that no
# row is dropped unnoticed.
#
# **Keeping the size.** At stride 1, $P = (F - 1)/2$ (odd $F$) gives
# $W_{out} = W$: "same" padding, which is what zero padding is mostly for.
# TensorFlow/Keras `padding="same"` generalises it to any stride as a third
# rule: $W_{out} = \lceil W / S \rceil$, with the padding computed (the
# extra zero, if any, on the right).
#
# **Parameters** do not depend on the input size: $C_{out}(F^2 C_{in} + 1)$
# (weights shared over positions, one bias per filter). The notes' example:
# two $3 \times 3 \times 3$ filters have $(27 + 1) \cdot 2 = 56$.
#
# **Receptive field.** A unit of layer $l$ sees $r_l$ input pixels along each
# axis; neighbouring units are $j_l$ input pixels apart. From $r_0 = j_0 = 1$:
#
# $$r_l = r_{l-1} + (F_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1} S_l .$$
#
# So stacked $3 \times 3$ convolutions grow the field by 2 each, and every
# stride or pooling multiplies what the later layers add. Two $3 \times 3$
# layers see as far as one $5 \times 5$ with $2 \cdot 9 = 18$ instead of 25
# weights per channel pair (the VGG argument). The test suite checks the
# formula against dlcore's layers: the input pixels on which one output unit's
# gradient is non-zero span exactly $r$.

# %%
for W, F, S, P in ((5, 3, 2, 0), (28, 3, 2, 0), (32, 5, 2, 1), (7, 2, 2, 0), (224, 11, 4, 0)):
    o, c = ca.output_size(W, F, S, P), ca.output_size(W, F, S, P, "ceil")
    pad = " (the uncovered row is padding)" if o["uncovered"] > o["lost"] else ""
    print(f"W={W:3d} F={F:2d} S={S} P={P}: (W-F+2P)/S+1 = {o['exact']:5.2f} -> floor {o['out']:2d} "
          f"(pooling's ceil_mode: {c['out']:2d}); padded rows never covered {o['uncovered']}, "
          f"input rows lost {o['lost']}{pad}")
print("'same' at stride 1, P = (F-1)/2:", ", ".join(f"F={F}, P={(F - 1) // 2}: 28 -> {ca.output_size(28, F, 1, (F - 1) // 2)['out']}"
                                                     for F in (3, 5, 7)),
      f"| TF 'same' at stride 2: 28 -> {ca.same_padding(28, 3, 2)['out']}, 27 -> {ca.same_padding(27, 3, 2)['out']}")
print("the notes' example, 3x3 filters, stride 2, padding 1: a 5x5 input gives", ca.output_size(5, 3, 2, 1)["out"],
      "| a 7x7 input gives", ca.output_size(7, 3, 2, 1)["out"], "(their 7x7 already includes the padding)")
print("params of two 3x3x3 filters:", ca.conv_params(3, 2, 3), "| of a 3x3 conv 64 -> 128:", ca.conv_params(64, 128, 3))
net = [dict(kind="conv", F=3, C=8), dict(kind="max", F=2, S=2), dict(kind="conv", F=3, C=16), dict(kind="max", F=2, S=2)]
s = ca.stack(net, W=28)
print("28x28 through conv3-pool2-conv3-pool2: sizes", s["size"].tolist(), "receptive fields", s["rf"].tolist(),
      "params", s["n_params"])
plot_conv_arith(ca.stack(net, W=14))
plt.show()

# %% [markdown]
# The figure follows one axis of a 14-pixel input through the same four
# layers: each dot is a unit, placed at the centre of its field in input
# pixels; the red ones are those the first unit of the last layer depends
# on, and the shaded band is its receptive field. The explorer starts at
# $W = 28$, $F = 3$, $S = 2$, $P = 0$: 13.5 rounds down to 13 and the last
# input column is never covered (a cross); with $P = 1$ the size is 14 and
# nothing is lost. Its "ceil" choice rounds up the poolings only (tick the
# pooling box and try $W = 27$), as PyTorch's `ceil_mode` does.

# %%
# NBVAL_IGNORE_OUTPUT
ConvArithExplorer()

# %% [markdown]
# ## 10.8 Max vs average pooling
#
# Pooling has **no parameters**. It shrinks each feature map (here 8×8 to
# 4×4 with $2 \times 2$ windows of stride 2) and so the *next* layer's input:
# a dense layer after it has 4 times fewer weights. (The notes say pooling
# "reduces the number of parameters"; it is the layers after it whose count
# falls.) Max pooling keeps the strongest response in each window, so a
# stroke anywhere in the window survives at full strength (a shift within
# the window changes nothing); average pooling keeps the mean and blurs.
# (The figure draws each output on the same square as the digit.)

# %%
pool = ca.pool_digit(3)
print(f"a {pool['label']}: sum of pixels {pool['image'].sum():.1f}, after max pooling {pool['max'].sum():.1f}, "
      f"after average pooling {pool['avg'].sum():.1f} (x4 = {4 * pool['avg'].sum():.1f}: the mean keeps the total)")
plot_pooling(pool)
plt.show()

# %%
# NBVAL_IGNORE_OUTPUT
PoolingExplorer()

# %% [markdown]
# ## 10.9 Transfer learning, measured on a small scale
#
# The idea (notes 004): the lower layers of a net trained on a large task
# compute general features (edges, strokes); a new task with few examples can
# reuse them and train only the top. It works spectacularly for ImageNet
# features. Does it on the digits? Train a net (64-64-64, ReLU) on all
# training digits 0-4; then learn digits 5-9 from 5 examples each, either
# from scratch, or with the two hidden layers copied from the 0-4 net and
# frozen (only the new output layer trains: 325 parameters instead of 8645),
# or only the first hidden layer copied and frozen (the second hidden layer
# and the output layer fresh), or both copied and fine-tuned.

# %%
tr = {m: over_seeds(rc.transfer, mode=m)["acc"] for m in ("scratch", "transfer", "first", "finetune")}
print(f"digits 5-9 from 5 examples each, val. accuracy over {len(SEEDS)} seeds:")
print(f"  from scratch                  {pm(tr['scratch'])}")
print(f"  both 0-4 layers, frozen       {pm(tr['transfer'])}   below scratch in {(tr['transfer'] < tr['scratch']).sum()} of {len(SEEDS)}")
print(f"  first 0-4 layer only, frozen  {pm(tr['first'])}   below scratch in {(tr['first'] < tr['scratch']).sum()} of {len(SEEDS)}, "
      f"above both frozen in {(tr['first'] > tr['transfer']).sum()}")
print(f"  both 0-4 layers, fine-tuned   {pm(tr['finetune'])}")

# %% [markdown]
# **What to notice.** Here transfer *hurts* when the features are frozen and
# does nothing when they are fine-tuned. Freezing only the first layer hurts
# less than freezing both: the lower layer transfers better than the upper
# one, the gradient Yosinski et al. (2014) measured layer by layer on
# ImageNet, here on a small scale. The second hidden layer of the 0-4 net
# learned what separates 0-4, which is not what separates 5-9; even the
# first is worse than learning from scratch, because 8×8 pixels are already
# low-level features and 25 examples suffice to learn good ones. Transfer
# pays when the source task is large and varied (its features are general)
# and the target task is data-poor but similar. The practical rule: try it,
# and compare with training from scratch on the same validation set.
#
# ## Errata: what the notes say about hyper-parameters and convolutions
#
# | the notes say | verdict here | measured in |
# |---|---|---|
# | try activation functions and compare them "on the validation set or the test set" | **the test set must not choose**: the chosen score is optimistic by about 0.25-1.5 points here for $k$ = 10 to 100 candidates, growing with $k$ | 10.5 |
# | Bayesian optimisation is hard because it needs many parameters of its own | **few for TPE**: of its settings, the candidates and start-up trials hardly matter; $\gamma$ does (keep it ≤ 0.25); defaults used throughout | 10.3, 10.4 |
# | grid search: try values spread evenly | **wasteful when few dimensions matter**: $k^d$ trials test only $k$ values of each | 10.2, 10.4 |
# | $W_2 = (W_1 - F + 2P)/S + 1$ | **needs a floor** when $S$ does not divide $W_1 - F + 2P$; frameworks drop the uncovered rows (of the padded input: some may be padding) | 10.7 |
# | a 7×7×3 input, 3×3 filters, stride 2, padding 1 gives 3×3 | **the 7×7 already includes the padding**: a 5×5 input gives $(5 - 3 + 2)/2 + 1 = 3$; a 7×7 input with padding 1 gives 4 | 10.7 |
# | batch size 64 or 128; "too large easily over-fits" | **at a fixed number of epochs, too large means too few steps**: batch 256 is the worst of three here after 3 epochs | 10.1 |
# | pooling "further reduces the number of parameters" | **pooling has none**; it shrinks the next layer's input (and a dense layer's weights after it) | 10.8 |
# | reuse the lower layers of a trained model: faster, with fewer samples | **not automatically**: from a 0-4 digits net to 5-9 with 25 examples, frozen features lose to scratch | 10.9 |
#
# ## Exercises
#
# **E10.1 Output size and parameters.** A conv layer takes a
# $32 \times 32 \times 3$ image and has 16 filters $5 \times 5$, stride 2,
# padding 1 (`ch10.EX_CONV`). What is one side of its output, as PyTorch
# computes it, and how many parameters does it have?

# %%
print(ch10.EX_CONV)
my_size, my_params = None, None
ch10.check_conv_layer(my_size, my_params)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $(32 - 5 + 2)/2 + 1 = 15.5$, rounded down: 15. The one index of the padded
# input (0 … 33) that no window reaches is 33, the right padding zero — the
# last window covers 28 … 32 — so no input is lost; with $P = 0$ it would be
# an input column. Parameters: $16\,(5 \cdot 5 \cdot 3 + 1) = 1216$, the same
# for any input size.
# </details>
#
# **E10.2 Receptive field.** Three $3 \times 3$ convolutions with stride 1,
# then a $2 \times 2$ max pooling with stride 2, then one more $3 \times 3$
# convolution (`ch10.EX_RF_LAYERS`). How many input pixels (along one side)
# does one unit of the last layer see?

# %%
my_rf = None
ch10.check_receptive_field(my_rf)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $r$: 1 → 3 → 5 → 7; the pooling adds $(2 - 1) \cdot 1$: 8, and doubles the
# spacing $j$ to 2; the last convolution adds $(3 - 1) \cdot 2$: **12**.
# </details>
#
# **E10.3 Choosing a search.** You can afford 32 trainings, search 5
# hyper-parameters, and expect 2 of them to matter (`ch10.EX_SEARCH`). How
# many distinct values of an important hyper-parameter does the largest grid
# with the same number of values per dimension try? How many does random
# search try? Which method do you use (`"grid"`, `"random"` or `"tpe"`)?

# %%
print(ch10.EX_SEARCH)
my_grid_values, my_random_values, my_method = None, None, None
ch10.check_search_choice(my_grid_values, my_random_values, my_method)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $2^5 = 32$: two values per dimension; random search: 32 values of every
# one. Random search or TPE — not the grid.
# </details>
#
# **E10.4 The initial-loss check.** What loss should a softmax classifier
# with 26 classes (`ch10.EX_CLASSES`) show before training? Three
# significant figures.

# %%
my_loss = None
ch10.check_initial_loss(my_loss)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $\ln 26 = 3.258$: every class starts with probability about $1/26$.
# </details>
#
# ## Summary
#
# * Hyper-parameters are chosen on the validation set, by trials that each
#   cost a training run. Few of them matter (here the learning rate and the
#   width), and which ones is not known in advance.
# * A grid spends $k^d$ trials on $k$ values of each dimension; random search
#   tries a new value of every dimension in every trial, so it wins when few
#   dimensions matter. A model-based search (TPE: $l(\lambda)/g(\lambda)$)
#   spends the budget near the good region; on the digits table it found
#   better configurations than random search from 16 trials on, on each of
#   five draws of the training noise, by half a point to a point.
# * Choosing on a set makes that set's score optimistic, more so the more
#   candidates: report on a test set that took no part in any choice.
# * Before searching: initial loss ≈ ln K, over-fit 20 examples, a
#   learning-rate range test, then scale up — each a pass/fail signal.
# * $W_{out} = \lfloor (W - F + 2P)/S \rfloor + 1$; $C_{out}(F^2 C_{in} + 1)$
#   parameters; receptive fields grow by $(F - 1)$ times the spacing, which
#   strides and pooling multiply. Pooling has no parameters.
# * Transfer learning is not free: frozen features from digits 0-4 were worse
#   for 5-9 than learning from 25 examples.
#
# ## Where the book ends
#
# The book asked one question — why are deep networks hard to train, and
# what does each standard remedy really do — and answered it on nets small
# enough to run in seconds. Gradients vanish or explode through products of
# layer Jacobians (02), and initialisation, non-saturating activations (03),
# the cross-entropy cost (04), adaptive optimisers and schedules (05),
# batch size (06), normalisation layers (07), regularisation (08) each act
# on one factor of that product or of the optimisation; whether batch norm
# works by removing "internal covariate shift" was tested rather than
# believed (09); and this chapter is how to choose among all those settings
# without fooling oneself. Every claim was measured here, over seeds, with
# its spread; where the popular notes were wrong, the errata boxes show the
# experiment.
#
# What the book leaves out, on purpose: large models and GPUs (the effects
# shown here appear at every scale, their constants do not), recurrent nets
# (their training problem — long products of Jacobians through time — is
# chapter 02's in another form), attention and transformers (which bring
# their own: softmax saturation, and the normalisation and warm-up choices
# of chapters 05 and 07), and second-order methods. The question
# index in the [preface](00_preface.ipynb) maps every question of the
# source notes to the section and the live experiment that answers it. The
# library (`dlcore`) is small enough to read in an afternoon: a good next
# step is to run its experiments on your own data
# (`dlcore.load_csv`) and see which of the book's conclusions survive.
