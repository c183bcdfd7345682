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
# # 08 · Dropout and regularisation
#
# A net with more parameters than training examples can fit its training
# set exactly, including whatever in it is accidental. *Regularisation* is
# everything we do to make it fit less of the accident and more of the
# rule: penalties on the weights (L1, L2), a bound on their size
# (max-norm), stopping early, more (augmented) data, and dropout. The
# popular notes list them; this chapter measures each on the 8×8 digits,
# over five seeds, and checks the notes' reasons: "0.5 is best because it
# makes the most sub-networks", "dropout shrinks the weights like L2",
# "with dropout the cost function is no longer defined".
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 8.1 | What are bias and variance, and how do model size and data size move them? Is there a "double descent"? | 什么是偏差和方差？模型大小和数据量如何影响它们？会出现“双下降”吗？ |
# | 8.2 | Why regularise, and what does each regulariser (L2, L1, max-norm, early stopping, augmentation) do to a net that over-fits? Why is L1 sparse and L2 small? Is L2 the same as weight decay? | 为什么要正则化？L2、L1、max-norm、提前终止、数据增强各起什么作用？为什么 L1 稀疏、L2 让权重变小？L2 和权重衰减是一回事吗？ |
# | 8.2.1 | With Adam, does the best L2 coefficient or AdamW decay move with the learning rate, and is AdamW better once both are tuned? | 用 Adam 时，最佳的 L2 系数或 AdamW 衰减会随学习率变化吗？两者都调好后 AdamW 更好吗？ |
# | 8.3 | How does dropout work, what is "inverted" dropout, and which factor goes where at test time? | dropout 怎么实现？什么是反向（inverted）dropout？测试时该乘什么系数？ |
# | 8.4 | Which dropout rate: 0.5 for hidden units, ~0.2 for the input? Is 0.5 best because it gives the most sub-networks? | dropout 率怎么选？隐藏层 0.5、输入层 0.8 保留？0.5 最好真的是因为子网络最多吗？ |
# | 8.5 | Why is dropout an ensemble, and how good is the test-time scaling as an average of the sub-networks? | 为什么说 dropout 相当于集成？测试时按比例缩放能多好地近似子网络的平均？ |
# | 8.6 | Does dropout shrink the weights like L2? | dropout 真的像 L2 一样压缩权重吗？ |
# | 8.7 | Dropout's drawback: the cost curve is no longer a clean signal. How do we debug then? | dropout 的缺点：代价函数不再单调下降，如何调试？ |
#
# Every number in the text is printed by a cell of this notebook. To stay
# within the chapter's 30 s, some sweeps here are shorter than the ones
# `tests/test_ch08_experiments.py` runs (more widths, rates and depths,
# same functions and seeds); where the text states a result of the longer
# sweeps it says so. One grid (8.2.1, a minute of CPU) is read from a
# stored run that the tests re-check.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore import Dropout
from dlcore.exercises import ch08
from dlcore.experiments import dropout_ensemble as de
from dlcore.experiments import regularisation as rg
from dlcore.experiments import regularisation_adamw as ra
from dlcore.experiments import regularisation_capacity as rc
from dlcore.experiments.common import SEEDS, over_seeds, pm
from widgets.ch08_panels import plot_adamw_grid
from widgets.ch08_plots import plot_bias_variance, plot_mc, plot_methods, plot_noisy_cost, plot_rates, plot_weights
from widgets.ch08_regularisation import BiasVarianceExplorer, RegulariserExplorer
from widgets.notebook import setup

setup(precision=6)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 8.1 Bias and variance: capacity and data size
#
# **Intuition.** A model can be wrong on new data for two reasons. It may be
# unable to represent the rule at all (*bias*: it is wrong on its own
# training data too), or it may represent so much that it fits the
# particular sample it was given, noise included (*variance*: it would have
# fitted a different sample differently). For squared error this is an
# identity. Let the target be $y = y^*(x) + \varepsilon$, with $y^*$ the
# noise-free target and noise $\varepsilon$ of mean 0 and variance
# $\sigma^2$, independent of the training set $D$; averaging over training
# sets and over the noise,
#
# $$E_{D,\varepsilon}\big[(f_D(x) - y)^2\big] = \underbrace{(\bar f(x) - y^*(x))^2}_{\text{bias}^2}
#   + \underbrace{E_D\big[(f_D(x) - \bar f(x))^2\big]}_{\text{variance}} + \underbrace{\sigma^2}_{\text{noise}},$$
#
# with $\bar f = E_D f_D$ the average predictor. For a classifier the split
# is not this clean, but Ng's **diagnostic** is the same: **high training
# error points to bias; a large gap between training and validation error
# to variance.** It is a diagnostic, not the definition: the formula's bias
# is the error of the *average* predictor on new $x$, which a net with zero
# training error can still have. Capacity lowers the first; data (and
# regularisation) lower the second.
#
# **Measured.** A one-hidden-layer ReLU net, 1500 SGD steps (batch 50, lr
# 0.1) whatever the data size, five seeds: first the width at 200 training
# digits, then the number of digits at width 64.

# %%
bv = {"capacity": rc.capacity_sweep(widths=(2, 8, 32, 128), n_train=200),
      "data": rc.data_sweep(sizes=(25, 100, 400, 1079), width=64)}
for w, te, ve, n in zip(bv["capacity"]["widths"], bv["capacity"]["train_err"], bv["capacity"]["val_err"],
                        bv["capacity"]["n_params"]):
    print(f"width {w:4d} ({n:6d} parameters): training error {pm(te)}, validation error {pm(ve)}")
for n, te, ve in zip(bv["data"]["sizes"], bv["data"]["train_err"], bv["data"]["val_err"]):
    print(f"{n:5d} digits, width 64:  training error {pm(te)}, validation error {pm(ve)}")
plot_bias_variance(bv)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * Width 2 *under-fits*: its training error is itself high (bias). From
#   width 32 on the net fits its 200 digits exactly and the validation
#   error stops improving: more capacity no longer helps, the remaining
#   error is variance.
# * At a fixed width the validation error falls steadily with the number of
#   digits (from a third wrong at 25 digits to a few percent at 1079): more
#   data is the most reliable regulariser there is, when you can have it.
# * **Double descent** (validation error rising to a peak where the model
#   can just interpolate its training set, then falling again as it grows)
#   is not reached by these nets. Nakkiran et al. (2019) place the peak at
#   the *interpolation threshold* of the whole training procedure: the size
#   at which training error just reaches 0. With clean labels every width
#   from 32 on fits the 200 digits exactly and nothing happens there; with
#   20 % wrong labels the tests sweep eight widths from 2 to 256, and within
#   the 1500 steps the training error keeps falling slowly up to the widest
#   net (a few wrong labels are still unfitted at widths 64-128), so the
#   threshold sits at the end of the sweep and the sweep never straddles it:
#   the validation error of every width from 16 on stays within the seed
#   spread of the widest net's.
#
# The same 200 digits show the textbook curve as soon as the training
# procedure is one that interpolates exactly at a known size: fix $N$
# random ReLU features $\max(0, xV)$ ($V$ Gaussian, not trained) and fit
# the output weights by minimum-norm least squares (`np.linalg.pinv`) to
# the one-hot labels (Belkin et al. 2019). With $N < 200$ features it is
# ordinary least squares; at $N = 200$ the system is square and nearly
# singular; beyond, it picks the smallest-norm interpolating solution:

# %%
rf = rc.random_features_sweep(features=(50, 100, 150, 200, 220, 250, 400, 1000, 2000))
print("random ReLU features + min-norm least squares, 200 clean digits, validation error:")
for f, ve, te in zip(rf["features"], rf["val_err"], rf["train_err"]):
    print(f"  N = {f:4d} features: {pm(ve)}  (training error {pm(te)})")

# %% [markdown]
# The validation error falls, rises to a peak at $N \approx n = 200$
# (where the nearly singular system makes the fitted weights huge) and falls
# again, ending below the best $N < n$: double descent, with no wrong labels
# needed. The SGD-trained
# nets above never show it because their training procedure is different:
# a small random start, a fixed budget of steps and no exact interpolation
# at a sharp size are themselves a regulariser (an *implicit* one) that
# damps the peak. We do not claim the peak never appears for trained nets.
#
# The explorer: choose a width and a number of digits (or 20 % wrong
# labels) and see where the setting sits on both curves; the info line
# names the regime. Each new setting trains up to 9 small nets per seed (cached).

# %%
# NBVAL_IGNORE_OUTPUT
BiasVarianceExplorer()

# %% [markdown]
# ## 8.2 A big net that over-fits, and what each regulariser does
#
# **The set-up.** On the clean 200 digits the 64-128-128-10 net already
# scores 0.94 and hidden dropout at any rate up to 0.5 moves that by under
# a point (the tests' rate sweep, 8.4): there is little over-fitting to
# cure. To see what each remedy does, we give the net something to
# over-fit: **20 % of the 200 training labels are replaced by a wrong
# class**. The net memorises them (training accuracy on the labels it was
# given near 1), which costs it validation accuracy; a regulariser should
# stop it from fitting the wrong labels while it still fits the rule.
#
# **The regularisers**, all in `dlcore` (SGD, lr 0.1, batch 50, 100 epochs):
#
# * **L2**: train on $L + \frac\lambda2\sum W^2$ (`Penalty("l2", λ)`); the
#   gradient gains $\lambda W$, so each SGD step is
#   $W \leftarrow (1-\eta\lambda)W - \eta\,\partial L/\partial W$: every
#   weight decays by the same *factor*. Small weights, rarely zero.
# * **L1**: train on $L + \lambda\sum|W|$ (`Penalty("l1", λ)`); the gradient
#   gains $\lambda\,\mathrm{sign}(W)$: every weight moves towards 0 by the
#   same *amount*, so weights whose loss gradient is smaller than
#   $\lambda$ are pushed to 0 and stay near it. Sparse weights.
# * **max-norm**: after each step, any unit whose incoming weight vector is
#   longer than $c$ is scaled back to length $c$ (`MaxNorm(c)`). Here
#   $c = 1$, small enough that every first-layer unit ends at the bound
#   (first-layer norm $\sqrt{128} \approx 11.3$, printed below): an
#   always-active constraint, not a safety net.
# * **early stopping**: evaluate every 5 epochs, stop when the validation
#   loss has not improved for 4 evaluations, and restore the best weights
#   (`EarlyStopping`). It uses validation data to choose, so a claim about
#   the chosen model needs data it did not see. The 718 validation digits
#   are therefore split: `fit` evaluates (and early stopping chooses) on the
#   first 359; the second 359, the **held-out half**, are never looked at
#   during training. The table prints both the whole 718 and the held-out half.
# * **augmentation**: add two copies of each image rotated by up to ±5°
#   (`dlcore.augment`). That triples the training set, so 100 epochs would
#   be three times the SGD steps; the row "augmentation" trains 34 epochs
#   (408 steps, like the 400 of the others), the row "augmentation, 3x
#   steps" the full 100, to separate the two effects. And **dropout** (8.3),
#   alone and combined.

# %%
methods = rg.compare_methods(("none", "L2", "L1", "max-norm", "early stopping", "augmentation",
                              "augmentation, 3x steps", "dropout", "dropout + max-norm", "dropout + early stopping"))
none = methods["none"]
for name, r in methods.items():
    extra = f", best epoch (restored) {pm(r['best_epoch'])}" if "early" in name else ""
    print(f"{name:25s} validation {pm(r['val_acc'])}  held-out half {pm(r['test_acc'])}  "
          f"training (labels given) {pm(r['train_acc'])}{extra}")
for name in ("dropout", "augmentation", "augmentation, 3x steps", "early stopping"):
    gain = methods[name]["val_acc"] - none["val_acc"]
    print(f"{name} minus none, paired by seed: {pm(gain)}  (per seed from {gain.min():+.2f} to {gain.max():+.2f})")
for half, key in (("selection half (early stopping chose on it)", "sel_acc"), ("held-out half", "test_acc")):
    print(f"early stopping minus none on the {half}: {pm(methods['early stopping'][key] - none[key])}")
plot_methods(methods)
plt.show()

# %% [markdown]
# **What to notice.** Every penalty and constraint recovers part of the
# loss, and all of them work the same way: the training accuracy on the
# given labels falls from ~0.96 to 0.8-0.9, i.e. the net stops fitting the
# wrong labels. Dropout gains the most, on every seed (the paired gain is
# printed; on five further seeds, 5-9, it is between +0.03 and +0.11, in
# the tests). Adding max-norm or early stopping to dropout changes nothing
# beyond the seed spread here. Srivastava et al. (2014) pair max-norm with
# dropout for another reason, which this set-up does not test: the bound
# lets them use very large learning rates with momentum without the
# weights blowing up.
#
# **Augmentation** at equal steps gains little against wrong labels (the
# paired gain is small and not on every seed): each rotated copy carries
# its image's label, *wrong ones included*. Trained three times longer on
# the tripled set it *loses* against no regulariser: the longer training
# memorises every wrong label (training accuracy 1.00), and that is most
# of the harm, not the augmentation itself. Augmentation is a remedy for
# too little data, not for bad labels. (On the clean digits, in the tests
# at equal steps, rotations up to ±5° change nothing within a point and
# 1-pixel shifts with ±10° rotations cost about two points. A likely
# reason: the digits of this data set are centred and scaled to fill the
# 8×8 box, so a shifted digit is unlike those of the validation set. An
# augmentation has to be a symmetry of the data you will be tested on.)
#
# **Selection on the validation set.** Early stopping chose its epoch on
# the selection half; its gain over no regulariser on that half is larger
# than on the held-out half, which nothing in training saw (both printed).
# The difference is the *optimism* of choosing on the data you report; here
# it is a point or two, small but not zero. (The two halves also differ
# in difficulty, so compare each method with "none" on the same half.)
#
# **The weights.** L1 and L2 leave different marks on the first layer
# (the histograms' end bins collect every weight beyond ±0.6):

# %%
for name in ("none", "L2", "L1", "max-norm", "dropout"):
    r = methods[name]
    print(f"{name:9s} first-layer norm {pm(r['w1_norm'])}   weights with |w| < 0.01: {pm(r['w_small'], scale=100)} %")
plot_weights(methods)
plt.show()

# %% [markdown]
# L2 shrinks the whole distribution (a narrower histogram, a norm about 30 %
# smaller) without making weights exactly zero; L1 piles weights up at 0
# (the share of $|w| < 0.01$ four times larger) and leaves the rest nearly
# as large as before. Plain SGD with the L1 subgradient makes weights
# *hover* around 0 (each step overshoots by up to $\eta\lambda$) rather
# than land on it; proximal methods (soft thresholding) give exact zeros.
# Dropout hardly changes the first layer, which receives no dropped units;
# 8.6 looks at the layers that do.
#
# **L2 is weight decay, except with Adam.** With SGD the penalty's gradient
# $\lambda W$ and "decay each weight by $\eta\lambda W$" are the same step.
# `dlcore.optim`'s `weight_decay` adds $\lambda W$ to the gradient (like
# PyTorch's `Adam`); `AdamW` instead subtracts $\eta\lambda W$, computed
# from the old weights, alongside the adaptive step (Loshchilov & Hutter
# 2019; the $\eta\lambda$ form is PyTorch's: the paper multiplies
# $\lambda$ by the schedule's multiplier $\eta_t$, not by the learning
# rate, so its $\lambda$ values and PyTorch's differ by a factor of the
# learning rate). With Adam the two differ,
# because Adam divides the whole gradient, penalty included, by its running
# RMS. An extreme case shows it: the 8 input pixels that are 0 in every
# training image get no loss gradient, only the penalty's. Adam then
# normalises $\lambda W$ to a step of size $\eta$ *whatever* $\lambda$ is:

# %%
dec = {m: over_seeds(rg.adam_decay, mode=m, lam=1e-4) for m in ("L2 in Adam", "AdamW")}
for m, r in dec.items():
    print(f"Adam, lambda = 1e-4, {m:10s}: weights from the {r['n_dead'][0]} never-lit pixels {pm(r['rms_dead'])} "
          f"of their initial size, "
          f"others {pm(r['rms_live'])}; validation {pm(r['val_acc'])}")

# %% [markdown]
# A penalty of $10^{-4}$, far too small to matter with SGD, wipes out the
# unused weights under Adam (they fall to a small fraction of their start in 600 steps),
# while AdamW's decay at the same $\lambda$ is what the number says: with
# Adam's learning rate $\eta = 10^{-3}$, $\eta\lambda = 10^{-7}$ and
# $(1-\eta\lambda)^{600} \approx 0.99994$. Conversely, a weight with a large
# loss gradient is hardly decayed by L2-in-Adam. Hence AdamW.
#
# ### 8.2.1 Adam + L2 or AdamW: λ and the learning rate together
#
# Loshchilov & Hutter (2019, ICLR version, Fig. 1) tune both over a grid of learning
# rates $\eta$ and decays $\lambda$ and report three things: Adam + L2's
# good settings are coupled, running *diagonally* (its best $\lambda$
# changes with $\eta$, so the two must be searched together), AdamW's run *horizontally* (its best
# $\lambda$ hardly depends on $\eta$: tune one, then the other), and AdamW's
# best is better. We measure the same on the chapter's net and its noisy
# digits. (Noisy, because there plain Adam memorises the wrong labels,
# training accuracy 1.00 at $\eta \ge 10^{-3}$, and a decay has something
# to cure; on the clean digits there is little, as 8.2 found for SGD.)
# 600 Adam steps of batch 50, five learning rates, seven values of
# $\lambda$ half a decade apart, 5 seeds per cell, $\lambda$ in each
# method's own units: the L2 coefficient of `Adam(weight_decay=λ)` (the
# gradient gains $\lambda\theta$), and AdamW's decoupled decay
# (`AdamW(weight_decay=λ)`: each weight matrix
# $W \leftarrow (1-\eta\lambda)W$ each step, PyTorch's convention for the
# factor; `dlcore` decays weight matrices only, not biases, while PyTorch's
# `AdamW` decays every parameter it is given unless told otherwise). The
# paper's decay is $\eta_t\lambda$ with $\eta_t$ the schedule's multiplier
# (1 here), so **the paper's $\lambda$ is our $\eta\lambda$**, the fraction
# shrunk per step, up to a constant factor (its figures use a "normalised"
# $\lambda$, rescaled by the batch size and the length of training, both
# fixed within a grid). The grid is 375 runs,
# a minute of CPU, too long for this chapter: the cell reads the stored
# run (`regularisation_adamw.write_adamw_sweep`, this machine's default
# BLAS kernel), and `tests/test_ch08_adamw.py` re-runs six of its cells on
# whatever kernel it runs under. Best $\lambda$ in brackets: at that
# $\eta$ no $\lambda$ helps (none gains more than 0.02 over plain Adam),
# and the column's best is noise. In the figure the bottom row of each map
# is plain Adam, the white dots mark the best $\lambda$ of each $\eta$
# where $\lambda$ helps, hatched columns those where none does, the white
# square the cell chosen on the selection half among the columns where
# $\lambda$ helps; on the AdamW map the dashed lines hold $\eta\lambda$,
# the paper's $\lambda$, fixed. Colours stop at 0.7.

# %%
aw = ra.adamw_sweep_table()
ridges = {m: ra.ridge(aw, m) for m in ra.ADAMW_METHODS}
lrs = aw["lrs"]
print(f"noisy 200 digits, {aw['steps']} Adam steps; mean validation accuracy over seeds "
      f"{aw['seeds'].min()}-{aw['seeds'].max()} (stored sweep)")
row = lambda label, cells: print(f"{label:34s}" + "".join(f"{c:>8s}" for c in cells))   # noqa: E731
row("learning rate η", [f"{lr:g}" for lr in lrs])
row("plain Adam (λ = 0)", [f"{a:.2f}" for a in aw["val_acc"]["none"][0].mean(-1)])
for m, r in ridges.items():
    row(f"{m}: best λ", [f"{v:g}" if h else f"({v:g})" for v, h in zip(r["best_lam"], r["helps"])])
    row(f"{m}: accuracy there", [f"{a:.2f}" for a in r["mean"].max(0)])
    row(f"{m}: gain over plain Adam", [f"{g:+.2f}" for g in r["gain"]])
row("AdamW: per-step shrink ηλ there", [f"{v:.0e}" if h else "" for v, h in zip(ridges["AdamW"]["shrink"], ridges["AdamW"]["helps"])])
row("AdamW: decay time 1/(ηλ), steps", [f"{1 / v:.0f}" if h else "" for v, h in zip(ridges["AdamW"]["shrink"], ridges["AdamW"]["helps"])])
for m, r in ridges.items():
    print(f"{m}: log10 best λ against log10 η (where λ gains): slope {r['slope']:+.2f}, "
          f"correlation over the good cells {r['corr']:+.2f}")
duel = ra.per_lr_duel(aw)
print("AdamW minus Adam + L2 at each η, λ of each chosen on the selection half, held-out half, paired by seed:")
for lr, h, dd in zip(lrs, ridges["AdamW"]["helps"], duel["diff"]):
    if h:
        print(f"  η = {lr:g}: {pm(dd)} (AdamW ahead on {int(np.sum(dd > 0))} of {len(dd)} seeds)")
for m, r in ridges.items():
    lam, lr = r["best_lam_lr"]
    print(f"{m:10s} best cell on the selection half, where λ helps: λ = {lam:g}, η = {lr:g}; "
          f"on the held-out half {pm(r['best_test'])}")
ia, ja = ridges["AdamW"]["best_any"]
print(f"AdamW best cell over all η: λ = {aw['lams']['AdamW'][ia]:g}, η = {lrs[ja]:g}, where no λ helps; "
      f"held-out {pm(aw['test_acc']['AdamW'][ia, ja])}")
print(f"plain Adam at η = {lrs[0]:g}: held-out half {pm(aw['test_acc']['none'][0, 0])}, "
      f"training accuracy on the labels given {pm(aw['train_acc']['none'][0, 0])}")
for m, lam in (("none", 0.0), ("L2 in Adam", 0.03), ("AdamW", 3.0)):
    i = 0 if m == "none" else list(aw["lams"][m]).index(lam)
    print(f"weight norm, {m} λ = {lam:g}: " + ", ".join(f"η = {lr:g}: {pm(w)}" for lr, w in zip(lrs[1:], aw["w_norm"][m][i, 1:])))
plot_adamw_grid(aw)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * **Both ridges run horizontally here, from $\eta = 10^{-3}$ to
#   $10^{-2}$.** The best L2 coefficient is 0.03 and the best AdamW decay 3
#   at each of those learning rates, the runner-up $\lambda$ 0.03 to 0.04
#   behind (the seed spread of a 5-seed mean is about 0.01); slope 0.00,
#   and the correlation of $\log\eta$ and $\log\lambda$ over the good
#   cells is near 0 for both. The paper's diagonal for Adam + L2 does not
#   appear. At $\eta = 3\cdot10^{-4}$ the same $\lambda$ comes out best on
#   seeds 0-4, but narrowly (L2's by 0.009 over $\lambda = 0.01$), and on
#   seeds 5-9 L2's best there is 0.01: 0.01 or 0.03, not settled (next
#   point). At $\eta = 10^{-4}$ no $\lambda$ helps (the largest still
#   hurts: 0.71 for L2 at 0.1, 0.83 for AdamW at 10): 600 small steps have
#   not memorised the wrong labels yet (training accuracy 0.80 against
#   1.00 at larger $\eta$).
# * **Why flat, for both.** Where does each run settle? Adam + L2 stops
#   moving where the average of $g + \lambda\theta$ is 0: the minimum of
#   $L + \frac\lambda2\lVert\theta\rVert^2$, which has no $\eta$ in it.
#   AdamW stops where $\eta\lambda\theta = -\eta\,\hat m/(\sqrt{\hat v}+\epsilon)$,
#   i.e. $\lambda\theta = -\hat m/(\sqrt{\hat v}+\epsilon)$: $\eta$ cancels
#   again. The learning rate decides how fast a run gets there (and how
#   much it rattles around it), not where it is. How fast: AdamW's decay
#   time $1/(\eta\lambda)$ at $\lambda = 3$ is about 1100, 330, 110 and 33 steps
#   at $\eta = 3\cdot10^{-4}$ to $10^{-2}$, so in 600 steps the runs at
#   $\eta \ge 10^{-3}$ reach the fixed point and the run at
#   $3\cdot10^{-4}$ has done about half a decay time. The weight norms
#   agree: at the best $\lambda$ they are 7.0-7.5 for L2 and 10-12 for
#   AdamW at every $\eta$ from $10^{-3}$ to $10^{-2}$ (a fifth or less of
#   change for a tenfold $\eta$), against 28-32 without decay: set mostly by
#   $\lambda$. At $3\cdot10^{-4}$ they are still 12.5 and 15.8, on their
#   way down.
# * **This is the mirror image of the paper's figure.** In the paper's
#   units (its $\lambda$ is our $\eta\lambda$, the dashed lines) AdamW's
#   ridge is diagonal: it crosses the dashed lines, its best per-step shrink
#   growing in proportion to $\eta$ (from $9\cdot10^{-4}$ to
#   $3\cdot10^{-2}$ above), while Adam + L2's is horizontal. The paper
#   found the reverse: Adam + L2 diagonal, AdamW horizontal. The
#   fixed-point argument predicts our picture for any net whose runs reach
#   their fixed point: in the paper's units it reads
#   $\lambda_{\text{paper}}\theta = -\eta\,\hat m/(\sqrt{\hat v}+\epsilon)$,
#   which moves with $\eta$. The paper's result needs something this net
#   lacks (below).
# * **Neither wins.** Compared where the decays act, at each $\eta$ from
#   $3\cdot10^{-4}$ to $10^{-2}$ (each method's $\lambda$ chosen on the
#   selection half, scored on the held-out half, paired by seed), AdamW
#   minus Adam + L2 is $+0.004$, $-0.018$, $-0.017$ and $-0.002$, each
#   within its seed spread, AdamW ahead on 1 or 2 seeds of 5: if anything
#   Adam + L2 is nominally ahead. The best cells where $\lambda$ helps tie
#   too. AdamW's best cell over the whole grid sits at $\eta = 10^{-4}$,
#   where no $\lambda$ helps: plain Adam under another name, and it scores
#   like plain Adam there (0.896 against 0.897). With a fixed budget of
#   steps, a small learning rate is early stopping in disguise.
# * **What a tuned decay buys: it rescues a learning rate that is too
#   large, mostly.** Plain Adam falls from 0.89 at $\eta = 10^{-4}$ to 0.83
#   at $10^{-3}$ and 0.80 at $10^{-2}$, memorising the wrong labels; the
#   best decay brings these back to 0.88 (L2) and 0.87 (AdamW) at
#   $10^{-3}$, 0.85 and 0.84 at $10^{-2}$: most of the loss, not all of it.
#   Whether a decayed run at a large $\eta$ also gets there in fewer steps
#   we have not measured (every run here takes 600).
# * **The good band is thin**: one row below a cliff. Three times the best
#   $\lambda$ loses between 0.1 and 0.6 of accuracy for both at
#   $\eta \ge 10^{-3}$.
#
# Why the paper differs we have not measured. Its nets are Shake-Shake
# ResNets with batch normalisation, trained on CIFAR-10 for 100 epochs
# (fixed, step-drop and cosine schedules). The weights that feed a BN layer are scale-invariant:
# shrinking them does not change the function, it enlarges the effective
# step (the mechanism of chapter 07, 7.4), so there the decay acts through
# the learning rate and the two interact (van Laarhoven 2017; Zhang et
# al. 2019). This net has no normalisation, and its decay acts as a
# regulariser of the function. The paper's per-coordinate argument,
# that L2 in Adam barely decays weights with large gradients, holds here
# (the never-lit pixels above); on this net it does not cost accuracy
# once $\lambda$ is tuned.
#
# ### Explorer: any mix of regularisers
#
# The explorer trains one run with any mix (drop rates, L1/L2 and λ,
# max-norm, early stopping, clean or noisy labels) in about 0.15 s and draws
# its accuracy curves and first-layer histogram against the same seed's
# unregularised run.

# %%
# NBVAL_IGNORE_OUTPUT
RegulariserExplorer()

# %% [markdown]
# ## 8.3 Dropout, inverted and original
#
# **Mechanism.** In training, each unit of a layer is kept with probability
# $q = 1-p$ and set to 0 otherwise, with a fresh mask $m\sim$ Bernoulli$(q)$
# on every step; a unit cannot rely on any particular other unit being
# there (Hinton et al. 2012; Srivastava et al. 2014). At evaluation no unit
# is dropped, so the next layer would see inputs $1/q$ times larger on
# average than in training. Two fixes, the same up to where the factor goes:
#
# * **original** (`Dropout(p, mode="classic")`): training $y = m\odot x$,
#   evaluation $y = q\,x$;
# * **inverted** (`Dropout(p)`, what every framework does): training
#   $y = m\odot x/q$, evaluation $y = x$.
#
# Either way $E_m[y_{\text{train}}] = y_{\text{eval}}$. Inverted dropout
# puts the work in training, so the deployed net is the plain net. Backward
# multiplies by the same $m/q$ (or $m$). Check the expectation:

# %%
d = Dropout(0.2, rng=0)
x = np.full((100_000, 1), 2.5)
yt = d.forward(x, training=True)
print(f"kept fraction {np.mean(yt != 0):.3f} (q = 0.8); kept value {yt.max():.4g} = 2.5 / 0.8; "
      f"mean in training {yt.mean():.3f}; at evaluation {d.forward(x, training=False).mean():.3f}")
sc = over_seeds(de.scaling_check)
print(f"original dropout net, first hidden layer: mean in training {pm(sc['train_mean'])}, "
      f"at evaluation (x q) {pm(sc['eval_mean'])}")
for k, lab in (("right", "x q (right)"), ("none", "no factor"), ("inverse", "x 1/q")):
    print(f"  evaluated {lab:12s} accuracy {pm(sc['acc_' + k])}, validation loss {pm(sc['loss_' + k])}")

# %% [markdown]
# **What to notice.** With the right factor the evaluation-mode activation
# equals the training average. In a ReLU net the wrong factor barely changes
# the *predicted class* (scaling every hidden activation by a constant
# scales the logits nearly uniformly: ReLU is positively homogeneous, only
# the biases break it) but it changes the confidence: dividing by $q$
# instead of multiplying doubles the validation loss here. (Leaving the
# factor out even lowers the loss, by about a third: this dropout-trained
# net is *under-confident* at the correctly scaled activations, and a
# larger scale sharpens its softmax; that is calibration, not the rule. 8.5
# meets the same under-confidence from the other side.) Where the decision
# itself depends on the scale (a threshold on a probability, a sigmoid or
# tanh layer after the dropout layer) the wrong factor costs accuracy too.
#
# ## 8.4 Which rate? The sub-network count and the accuracy
#
# **The notes' argument.** A layer of $n$ droppable units has $2^n$
# sub-networks. With drop rate $p$ every one of them has non-zero
# probability, so the *number* of sub-networks is $2^n$ for every
# $0<p<1$. What peaks at $p = 0.5$ is how many of them are *typical*:
# the masks that carry almost all the probability number about
# $2^{nH_2(p)}$, with $H_2(p) = -p\log_2 p - (1-p)\log_2(1-p)$ the entropy
# of one coin (the asymptotic equipartition property), largest at $1/2$.
# That is a fact about coins, not about accuracy. Measured:

# %%
rates = {"hidden": de.rate_sweep("hidden", ps=(0.0, 0.2, 0.5, 0.8)),
         "input": de.rate_sweep("input", ps=(0.0, 0.2, 0.5, 0.8)),
         "sub": de.subnetworks(256, (0.1, 0.2, 0.5, 0.8))}
for where in ("hidden", "input"):
    r = rates[where]
    print(f"dropout on the {where:6s}: " + ", ".join(f"p={p:.1f}: {pm(a)}" for p, a in zip(r["p"], r["val_acc"])))
print(f"hidden p = 0.8: training accuracy on the true labels {pm(rates['hidden']['clean_train_acc'][-1])} "
      f"(p = 0.5: {pm(rates['hidden']['clean_train_acc'][2])})")
s = rates["sub"]
print("typical sub-networks of 256 hidden units, log2: " +
      ", ".join(f"p={p:.1f}: {v:.0f}" for p, v in zip(s["p"], s["log2_typical"])) + " (all sub-networks: 256 at every p)")
plot_rates(rates)
plt.show()

# %% [markdown]
# **What to notice** (noisy labels, as in 8.2): on the **hidden** layers
# accuracy rises up to $p \approx 0.5$, then drops fast: at $p = 0.8$ the
# net no longer fits even the *true* labels of its training digits
# (printed), it under-fits. On the **input**, 0.2 is at least as good as
# 0.5. The tests' sweep of 9 rates (0 to 0.8 in steps of 0.1) refines
# this: the best hidden rates are 0.5-0.6 (0.4 and 0.7 within about two
# points), the best input rates 0.2-0.4 (keep 0.6-0.8), and input accuracy
# starts to fall at lower rates than hidden (from 0.5 rather than 0.7): dropping pixels destroys information the hidden layers cannot
# recover. The usual advice (keep ≈ 0.8 for inputs, 0.5 for hidden
# units) fits. On the clean digits (tests) no hidden rate from 0 to 0.5
# gains more than the seed spread. The
# hidden layers' peak happens to sit near 0.5, but the sub-network count
# peaks at 0.5 for every data set and every layer, input included, where
# the best rates are lower and on clean data no rate helps: the count does not explain the optimum. What a rate
# trades is noise (regularisation) against signal (capacity); the best
# trade depends on the layer and on how much over-fitting there is to fight.
#
# ## 8.5 Dropout as an ensemble: weight scaling vs Monte-Carlo averaging
#
# **Why an ensemble.** Each training step trains one sampled sub-network,
# all of them sharing weights. The ensemble prediction would average the
# sub-networks' outputs, $\bar p(x) = E_m[\mathrm{softmax}(f(x; m))]$,
# which costs many forward passes. The evaluation-mode net (weights scaled
# by $q$, or nothing with inverted dropout) is one pass. But there are two
# ensembles. The **arithmetic mean** above (what Monte-Carlo dropout
# computes) and the normalised **geometric mean**
# $\mathrm{NGM}(x) \propto \exp E_m[\log \mathrm{softmax}(f(x; m))]$.
# When the only dropout layer sits right before the last linear layer and
# the softmax (our one-hidden-layer net), weight scaling computes the
# geometric mean *exactly*: $\log\mathrm{softmax}_k(z) = z_k -
# \log\sum_j e^{z_j}$, the second term is the same for every class, so
# $\mathrm{NGM}_k \propto \exp E_m[z_k(m)]$, and $E_m[z(m)]$ is the
# scaled net's logit because $z$ is linear in the mask (Hinton et al.
# 2012). With dropout deeper in the net it is an approximation; Baldi &
# Sadowski (2013) show its errors tend to cancel rather than accumulate
# with depth. Measured: nets of 1-4 hidden layers (width 128, dropout 0.5
# after each, 200 clean digits), predicting the validation set by scaling
# and by both averages of $k$ sampled masks (50 for the geometric mean):

# %%
mc = de.mc_depth_sweep(depths=(1, 2, 4), samples=(1, 2, 5, 10, 20, 50))
for i, dd in enumerate(mc["depths"]):
    print(f"{dd} hidden: scaled {pm(mc['acc_ws'][i])}, average of 50 {pm(mc['acc_mc'][i][:, -1])}, "
          f"one sampled net {pm(mc['acc_mc'][i][:, 0])};  TV distance {pm(mc['tv'][i])}, "
          f"same class {pm(mc['agree'][i], scale=100)} %;  loss scaled {pm(mc['loss_ws'][i])}, "
          f"averaged {pm(mc['loss_mc'][i][:, -1])}")
for i, dd in enumerate(mc["depths"]):
    share = (mc["tv_ngm_am"][i] / mc["tv"][i]).mean()
    print(f"{dd} hidden: TV distance scaled vs geometric mean {pm(mc['tv_ws_ngm'][i])}, geometric vs arithmetic "
          f"mean {pm(mc['tv_ngm_am'][i])} (a fraction {share:.2f} of scaled vs arithmetic); "
          f"accuracy of the geometric mean {pm(mc['acc_ngm'][i])}")
plot_mc(mc)
plt.show()

# %% [markdown]
# **What to notice.** One sampled sub-network is much worse than either.
# At one and two hidden layers the arithmetic average of a few dozen
# reaches the scaled net's accuracy and the two predict the same class for
# 98-99 % of digits; at four it stays a little below.
# The scaled net's *probabilities* and the arithmetic average's drift apart
# with depth (total-variation distance from 0.08 at one hidden layer to
# about 0.2 at four; the tests assert it grows at every step from 1 to 4).
# But that is mostly the difference between the two *ensembles*, not weight
# scaling failing: the geometric mean of the same 50 sampled nets stays
# close to the scaled net at every depth (the distance at one layer, exact
# in theory, is the sampling noise of 50 masks), it has the scaled net's
# accuracy, and the geometric-arithmetic gap accounts for nearly all of the
# scaled-arithmetic distance, already at one layer. A normalised geometric
# mean is sharper than an arithmetic one: the scaled net has the *lower*
# validation loss, and here that pays (the flip side of 8.3's
# under-confidence). So: weight scaling is a cheap, close approximation of
# the geometric-mean ensemble even at four layers; Monte-Carlo averaging
# (Gal & Ghahramani's "MC dropout") gives the arithmetic-mean ensemble, a
# different, less confident average, at $k$ times the cost.
#
# ## 8.6 Does dropout shrink the weights like L2?
#
# The notes repeat a lecture's intuition: a unit whose inputs can vanish
# spreads its weight over all of them, "shrinking the squared norm of the
# weights, like L2". For generalised linear models (softmax regression
# included) Wager, Wang & Liang (2013) make this precise: to second order,
# dropout of the inputs at rate $p$ adds the penalty
#
# $$R(\beta) = \frac{\delta}{2}\sum_j \beta_j^2 \sum_i A''(x_i\cdot\beta)\,x_{ij}^2,
#   \qquad \delta = \frac{p}{1-p},$$
#
# an L2 penalty on the *weights* scaled per feature by the diagonal of the
# Fisher information: each feature's second moment, weighted at each
# example by the model's predictive variance ($p_i(1-p_i)$ for a logistic
# output; confident examples contribute nothing). The notes end their
# answer (Q24) by saying the decay differs from weight to weight and depends
# on the size of the activations it multiplies: that *is* this result, and
# the notes are right there. In the deep ReLU net we look per layer: dropout
# 0.5 against the L2 weight of the grid that comes closest to its accuracy
# (noisy 200 digits, five seeds), and softmax regression with input
# dropout, Wager's own setting.

# %%
mt = de.matched_l2(grid=(1e-2, 3e-2, 5e-2))
print("L2 grid, mean validation accuracy: " + ", ".join(f"{lam:g}: {a:.3f}" for lam, a in zip(mt["grid"], mt["grid_acc"]))
      + f"; closest to dropout's: {mt['lam']:g}")
for k in ("none", "dropout", "l2"):
    r = mt[k]
    print(f"{k:8s} validation {pm(r['val_acc'])}  weight norm {pm(r['w_norm'])}  "
          f"hidden activations at 0: {pm(r['act_zero'], scale=100)} %  mean activation {pm(r['act_mean'])}")
print("per weight matrix (W1 64x128, W2 128x128, W3 128x10; norm at He initialisation about 16, 16, 4.5):")
for k in ("none", "dropout", "l2"):
    r = mt[k]
    print(f"  {k:8s} norm " + " / ".join(pm(r["w_norms"][:, j]) for j in range(3))
          + "   moved from init " + " / ".join(pm(r["w_moved"][:, j]) for j in range(3)))
shrink = mt["dropout"]["w_norms"][:, 2] / mt["none"]["w_norms"][:, 2]
print(f"  output layer W3 under dropout / none: {pm(shrink)}, smaller on "
      f"{int(np.sum(shrink < 1))} of {len(shrink)} seeds")
sr = {p: over_seeds(rg.reg_run, label_noise=rg.NOISE, hidden=(), p_input=p) for p in (0.0, 0.5)}
for p, r in sr.items():
    print(f"softmax regression, input dropout {p}: validation {pm(r['val_acc'])}  weight norm {pm(r['w_norm'])}")
print(f"  smaller with dropout on {int(np.sum(sr[0.5]['w_norm'] < sr[0.0]['w_norm']))} of {len(SEEDS)} seeds")

# %% [markdown]
# **What to notice.** L2 never quite reaches dropout's accuracy on the grid
# (its best is about 0.02 below, about one seed-spread), so "matched" means
# L2 at its best. The two regularise by different means.
#
# * **The total norm hides where dropout acts.** It is dominated by W1 and
#   W2, and their norm is mostly their random initialisation: training moves
#   them by a distance of under 4 against an initial norm of 16, which adds
#   under a unit to the norm. A regulariser acting through the gradient can
#   hardly change that total; L2 can, because its decay acts on the
#   initial weights too (it moves them furthest). W1 receives no dropped
#   units (dropout sits after the hidden layers) and is untouched. The
#   output layer W3, which receives the dropped units, is where the notes'
#   argument applies: its norm is clearly smaller under dropout on every
#   seed, and its growth above the initial norm is about halved.
# * **Wager's setting.** In softmax regression input dropout 0.5 shrinks the
#   weight norm by about a fifth, on every seed, at unchanged accuracy: the
#   adaptive L2 of the formula above.
# * **The activations.** Dropout's largest mark is on the activations: more
#   hidden units are exactly 0 on a given digit and their mean falls by
#   more than half: sparse, redundant codes (the sparsity Srivastava et al.
#   report in their Fig. 8). L2 leaves them dense.
#
# So "dropout shrinks the weights like L2" is partly right: it shrinks the
# weights that receive dropped inputs, adaptively, as Wager et al. show;
# unlike L2 it leaves the rest of the net, random initialisation included,
# alone.
#
# ## 8.7 The noisy cost curve, and how to debug with dropout
#
# **The drawback.** With dropout every step computes the loss of a
# different sub-network, so the training loss it reports is noisy even with
# the full batch: it no longer has to fall at every step, and a curve that
# goes up tells you nothing. The cost itself is still well defined: it is
# the *expected* loss over masks, $E_m[L(\theta; m)]$, which is what the
# steps descend; each step sees one sample of it. Full-batch gradient
# descent (lr 0.05) on 200 digits, with and without dropout 0.5:

# %%
cost = {"off": de.noisy_cost(p=0.0, rng=0), "on": de.noisy_cost(p=0.5, rng=0)}
on, off = over_seeds(de.noisy_cost, p=0.5), over_seeds(de.noisy_cost, p=0.0)
print(f"steps on which the loss rose: no dropout {pm(off['rises'], scale=100)} %, "
      f"dropout (the step's own loss) {pm(on['rises'], scale=100)} %, "
      f"dropout net evaluated without dropout {pm(on['clean_rises'], scale=100)} %")
plot_noisy_cost(cost)
plt.show()

# %% [markdown]
# **What to notice.** Without dropout the full-batch loss falls at every
# step: a clean signal. With dropout the reported loss rises on nearly half
# the steps, although the *same net evaluated with dropout off* (the dashed
# curve) still falls almost monotonically. (The dashed curve is the
# evaluation-mode net's loss, a close relative of the objective
# $E_m[L(\theta; m)]$ but not the same function; the objective itself can be
# monitored by the loss averaged over a fixed set of, say, ten masks, the
# same masks at every step, which is not shown here.) **The recipe** of the notes
# (Ng's): first train with keep probability 1 (`set_dropout(net, p=0)`,
# or `p_hidden=0`) and check that the loss falls steadily (and, per
# chapter 01, that the gradients pass a gradient check); then turn dropout
# on. A second, cheaper check while dropout is on: log the training loss in
# evaluation mode now and then (what `fit`'s `eval_every` does); that curve
# is smooth again. Gradient-check a dropout net with its mask frozen
# (`Dropout.freeze()`): a new mask per forward pass makes finite
# differences compare different functions.
#
# ## Errata: what the notes get wrong or leave out
#
# | the notes say | verdict here | measured in |
# |---|---|---|
# | 0.5 is the best hidden rate "because it generates the most network structures" | **the count is wrong and the reason does not hold**: every mask is possible at any $0<p<1$ ($2^n$ sub-networks); the *typical* ones peak at 0.5 for every layer, yet on the input the best rates are 0.2-0.4 | 8.4 |
# | dropout shrinks the squared norm of the weights, like L2 | **partly**: the weights that receive dropped units shrink (the output layer here; softmax regression with input dropout by about a fifth, Wager et al.'s adaptive L2); weights far from the dropped units, and the random initialisation, are untouched, whereas L2 shrinks every layer; dropout's main mark is on the activations (more of them at 0) | 8.6 |
# | L2 "decays different weights differently, depending on the size of the activations it multiplies" (Q24's last remark) | **right**, and it is exactly Wager et al.'s result: dropout's penalty is L2 scaled per feature by the (Fisher-weighted) second moment of its input | 8.6 |
# | with dropout the cost function $J$ is "no longer well defined" | **it is defined** (the expected loss over masks); what is lost is a per-step monotone *measurement* of it; the loss with dropout off is still a clean signal | 8.7 |
# | "when using dropout, multiply all the parameters by $1/p$" ($p$ = keep probability) | **only in training, and it is the activations**: inverted dropout divides the kept activations by $q$ in training; the original multiplies by $q$ at test time; dividing at test time is the wrong way round (doubles the validation loss here) | 8.3 |
# | dropout "is equivalent to a simple ensemble" | **to the geometric-mean ensemble, closely**: exactly for one dropout layer before the softmax, within a small TV distance at four layers; the arithmetic mean of sampled nets (MC dropout) is a different, less confident average, and it drifts away from both with depth | 8.5 |
# | L1 gives sparse solutions, L2 small and smooth ones | **true** (first-layer weights with $\lvert w\rvert<0.01$: 4× more under L1; norm 30 % smaller under L2); with plain SGD L1 weights hover near 0 rather than land on it | 8.2 |
# | data augmentation (flips, rotations, crops) reduces over-fitting | **when it is a symmetry of the test data, and not against wrong labels**: on these centred digits (at equal steps) ±5° rotations change nothing, shifts with ±10° rotations cost about two points; with 20 % wrong labels it gains little at equal steps, and trained three times longer it loses | 8.2 |
# | max-norm "is very useful for dropout training" (Q25) | **not here**: with $c = 1$ adding it to dropout changes nothing beyond the seed spread; Srivastava et al.'s reason is that it allows very large learning rates with momentum, which this set-up does not use | 8.2 |
# | unsupervised pre-training helps dropout (Q25) | **historical**: Srivastava et al. fine-tuned pre-trained nets with dropout; with ReLU and He initialisation (chapters 02-03) these nets train from scratch and need none; not measured here | — |
# | weight regularisation (L1/L2) is a remedy for exploding gradients | **not tested** here; L2 limits the weights' growth over training, not the product of Jacobians at a given step (chapter 02); max-norm does bound it, since each factor's spectral norm is at most its Frobenius norm, at most $c\sqrt{n_{\text{out}}}$ | — |
#
# ## Exercises
#
# **E8.1 Inverted dropout.** Write `inverted_dropout(x, mask, p)`: the
# training-mode output for the 0/1 `mask` (1 = kept) and drop rate `p`.

# %%
def inverted_dropout(x, mask, p):
    return None   # your code

ch08.check_inverted_dropout(None)   # pass inverted_dropout when it is written

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# `return x * mask / (1 - p)`: kept entries divided by the keep probability,
# so that the expected output equals `x` and the layer is the identity at
# evaluation.
# </details>
#
# **E8.2 The activation at evaluation.** A unit outputs $h =$ `ch08.EX_H`
# before dropout, drop rate $p =$ `ch08.EX_EVAL_P`. What does it output at
# evaluation with the original dropout? What does inverted dropout output
# in training when the unit is kept, and at evaluation?

# %%
print("h =", ch08.EX_H, " p =", ch08.EX_EVAL_P)
my_classic_eval, my_inverted_kept, my_inverted_eval = None, None, None
ch08.check_eval_activation(my_classic_eval, my_inverted_kept, my_inverted_eval)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Original: in training the unit gives $h$ with probability $q = 0.8$ and 0
# otherwise, mean $qh = 2$; at evaluation it outputs $qh = 2.0$. Inverted:
# a kept unit outputs $h/q = 3.125$ in training (mean $h$), and $h = 2.5$ at
# evaluation.
# </details>
#
# **E8.3 The L2 term in the gradient.** Write `l2_gradient(W, dW, lam)`:
# the gradient of $L + \frac\lambda2\sum W^2$ given $dW = \partial L/\partial W$.

# %%
def l2_gradient(W, dW, lam):
    return None   # your code

ch08.check_l2_gradient(None)   # pass l2_gradient when it is written

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# `return dW + lam * W`. With SGD the step is $W - \eta(dW + \lambda W) =
# (1-\eta\lambda)W - \eta\,dW$: every weight decays by the factor
# $1-\eta\lambda$, hence "weight decay". ($2\lambda W$ is the gradient of
# $\lambda\sum W^2$, the other common convention; $\lambda\,\mathrm{sign}(W)$
# is L1's.)
# </details>
#
# **E8.4 What does this learning curve need?** For each curve of
# `ch08.CURVES`, name one of `ch08.REMEDIES`.

# %%
for k, c in ch08.CURVES.items():
    print(k, c)
my_A, my_B, my_C = None, None, None
ch08.check_regulariser_choice(my_A, my_B, my_C)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# A: "more capacity" (training error 0.31: high bias; a regulariser would
# make it worse). B: "regularise" (training error 0, validation 0.21 and a
# rising validation loss: high variance; dropout, L2, early stopping or more
# data). C: "nothing" (a small gap and a flat validation loss).
# </details>
#
# ## Summary
#
# * High training error points to bias (more capacity); a large
#   train-validation gap to variance (more data, or regularise). On the
#   digits both curves are the textbook ones. Double descent shows with
#   random features and least squares (a peak at as many features as
#   digits); the SGD-trained nets here never reach their interpolation
#   threshold with wrong labels, and their training damps it.
# * On a net that memorises 20 % wrong labels, every penalty and constraint
#   helps by keeping it from fitting them; dropout the most (0.81 → 0.90);
#   augmentation gains little against wrong labels at equal steps, and
#   trained three times longer it loses. L1 makes first-layer weights
#   sparse, L2 small; under Adam, an L2 penalty is not weight decay (AdamW
#   is), yet tuned over (η, λ) on this net the two are equally good, and
#   each one's best λ holds at every learning rate from 3e-4 to 1e-2. Early stopping's gain is a point or two smaller on validation data
#   it did not choose on.
# * Inverted dropout divides by $q$ in training so the evaluation net is
#   the plain one. The best hidden rate here is about 0.5, the best input
#   rate 0.2-0.4; the "most sub-networks at 0.5" argument does not predict
#   either.
# * Weight scaling computes the geometric-mean ensemble of sub-networks
#   (exactly for one dropout layer before the softmax, closely at four); the
#   arithmetic mean (MC dropout) is a less confident average that drifts
#   away with depth. Dropout shrinks the weights that receive dropped units
#   (the output layer; softmax regression by about a fifth), not the rest
#   like L2; its main mark is sparser activations.
# * With dropout the per-step loss is noisy even with the full batch;
#   check the code with dropout off first, or watch the evaluation-mode
#   loss.
#
# What the anchors do better: Srivastava et al. (2014) measure dropout on
# far larger nets and data, where the ensemble view and max-norm matter
# more; d2l derives the bias-variance trade-off and weight decay in more
# depth; Zhang et al. (2017) and Nakkiran et al. (2019) study memorisation
# of wrong labels and double descent of trained nets (the peak at the
# interpolation threshold, epoch-wise too) at scales this chapter cannot
# reach; Srivastava et al. also cross dropout with the data-set size
# (their Fig. 10), which this chapter does not.
