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
# sweeps it says so.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore import Dropout
from dlcore.exercises import ch08
from dlcore.experiments import dropout_ensemble as de
from dlcore.experiments import regularisation as rg
from dlcore.experiments import regularisation_capacity as rc
from dlcore.experiments.common import SEEDS, over_seeds, pm
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
# identity: averaging over training sets $D$,
#
# $$E_D\big[(f_D(x) - y)^2\big] = \underbrace{(\bar f(x) - y^*)^2}_{\text{bias}^2}
#   + \underbrace{E_D\big[(f_D(x) - \bar f(x))^2\big]}_{\text{variance}} + \text{noise},$$
#
# with $\bar f = E_D f_D$ and $y^*$ the noise-free target. For a classifier
# the split is not this clean, but the diagnosis is the same: **high
# training error = bias; a large gap between training and validation error
# = variance.** Capacity lowers the first; data (and regularisation) lower
# the second.
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
# * **Double descent** (validation error rising near the width where the
#   net can just interpolate its training set, then falling again) does not
#   show at this scale. The tests sweep eight widths from 2 to 256, with
#   clean labels and with 20 % of the labels wrong (where the bump is most
#   often reported): the validation error of every width from 16 on stays
#   within the seed spread of the widest net's. SGD with a fixed budget and
#   no explicit regulariser already damps the peak at this size; we do not
#   claim it never appears.
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
#   longer than $c$ is scaled back to length $c$ (`MaxNorm(c)`).
# * **early stopping**: evaluate every 5 epochs, stop when the validation
#   loss has not improved for 4 evaluations, and restore the best weights
#   (`EarlyStopping`). It uses the validation set to choose, so a claim
#   about the final model needs a separate test set.
# * **augmentation**: add two copies of each image rotated by up to ±5°
#   (`dlcore.augment`); and **dropout** (8.3), alone and combined.

# %%
methods = rg.compare_methods(("none", "L2", "L1", "max-norm", "early stopping", "augmentation", "dropout",
                              "dropout + max-norm", "dropout + early stopping"))
none = methods["none"]
for name, r in methods.items():
    extra = f", stopped at epoch {pm(r['best_epoch'])}" if "early" in name else ""
    print(f"{name:25s} validation {pm(r['val_acc'])}  training (labels given) {pm(r['train_acc'])}{extra}")
wins = int(np.sum(methods["dropout"]["val_acc"] > none["val_acc"] + 0.04))
print(f"dropout beats no regulariser by more than 0.04 on {wins} of {len(SEEDS)} seeds")
plot_methods(methods)
plt.show()

# %% [markdown]
# **What to notice.** Every regulariser except augmentation recovers part of
# the loss, and all of them work the same way: the training accuracy on the
# given labels falls from ~0.96 to 0.8-0.9, i.e. the net stops fitting
# the wrong labels. Dropout gains the most; adding max-norm (which
# Srivastava et al. 2014 pair with it) or early stopping changes nothing
# beyond the seed spread here. Augmentation does nothing here: each
# rotated copy carries its image's label, *wrong ones included*, so it
# gives the net more of the same mistakes to memorise. It is a remedy for
# too little data, not for bad labels. (On the clean digits it gains
# nothing either, in the tests: rotations up to ±5° leave 0.940 ± 0.013 at
# 0.940 ± 0.010, 1-pixel shifts with ±10° rotations give 0.931 ± 0.013. A
# likely reason: the digits of this data set are centred and scaled to fill
# the 8×8 box, so a shifted digit is unlike those of the validation set. An
# augmentation has to be a symmetry of the data you will be tested on.)
#
# **The weights.** L1 and L2 leave different marks on the first layer:

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
# Dropout hardly moves the weights at all; 8.6 looks at what it does
# instead.
#
# **L2 is weight decay, except with Adam.** With SGD the penalty's gradient
# $\lambda W$ and "decay each weight by $\eta\lambda W$" are the same step.
# `dlcore.optim`'s `weight_decay` adds $\lambda W$ to the gradient (like
# PyTorch's `Adam`); `AdamW` instead subtracts $\eta\lambda W$ *after* the
# adaptive step (Loshchilov & Hutter 2019). With Adam the two differ,
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
# while AdamW's decay at the same $\lambda$ is what the number says:
# $(1-\eta\lambda)^{600} \approx 0.9994$. Conversely, a weight with a large
# loss gradient is hardly decayed by L2-in-Adam. Hence AdamW.
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
# factor out even lowers the loss a little: the dropout-trained net is
# under-confident at the scaled activations; that is calibration, not the
# rule.) With sigmoid or tanh units, or a loss that reads the logits'
# size, the wrong factor costs accuracy too.
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
s = rates["sub"]
print("typical sub-networks of 256 hidden units, log2: " +
      ", ".join(f"p={p:.1f}: {v:.0f}" for p, v in zip(s["p"], s["log2_typical"])) + " (all sub-networks: 256 at every p)")
plot_rates(rates)
plt.show()

# %% [markdown]
# **What to notice** (noisy labels, as in 8.2; the full sweep of 9 rates in
# the tests): on the **hidden** layers accuracy rises up to $p \approx 0.5$
# and stays within noise of its best for $p$ from about 0.4 to 0.6
# (0.90), then drops fast: at $p = 0.8$ the net cannot fit even the correct
# labels. On the **input**, the best rates are 0.2-0.4 (keep 0.6-0.8) and
# 0.5 is no better (0.874 against 0.883 at 0.4); beyond it accuracy
# falls faster than with hidden dropout (0.84 against 0.88 at 0.7):
# dropping pixels destroys information the hidden layers cannot recover.
# The usual advice (keep ≈ 0.8 for inputs, 0.5 for hidden units) fits.
# On the clean digits every hidden rate
# from 0 to 0.5 scores the same within noise (0.94-0.95; tests). The
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
# by $q$, or nothing with inverted dropout) is one pass. For one linear
# layer followed by a softmax, Srivastava et al. show it computes the
# normalised *geometric* mean of the sub-networks' predictions exactly;
# with hidden nonlinearities it is an approximation, and there is no reason
# for it to stay equally good as layers stack up. Measured: nets of 1-4
# hidden layers (width 128, dropout 0.5 after each, 200 clean digits),
# predicting the validation set by scaling and by averaging $k$ sampled
# masks:

# %%
mc = de.mc_depth_sweep(depths=(1, 2, 4), samples=(1, 2, 5, 10, 20, 50))
for i, dd in enumerate(mc["depths"]):
    print(f"{dd} hidden: scaled {pm(mc['acc_ws'][i])}, average of 50 {pm(mc['acc_mc'][i][:, -1])}, "
          f"one sampled net {pm(mc['acc_mc'][i][:, 0])};  TV distance {pm(mc['tv'][i])}, "
          f"same class {pm(mc['agree'][i], scale=100)} %;  loss scaled {pm(mc['loss_ws'][i])}, "
          f"averaged {pm(mc['loss_mc'][i][:, -1])}")
plot_mc(mc)
plt.show()

# %% [markdown]
# **What to notice.** One sampled sub-network is much worse than either.
# At one and two hidden layers the average of a few dozen reaches the
# scaled net's accuracy and the two predict the same class for 98-99 % of
# digits; at four the average stays a little below.
# The *probabilities* drift apart with depth: the mean total-variation
# distance between the scaled net's and the ensemble's class distributions
# grows with every added layer (0.08 at one hidden layer to about 0.2 at
# four; the tests assert it grows at every step from 1 to 4), and the
# agreement on the class falls. The scaled net also has the *lower*
# validation loss: it is more confident than the average of sub-networks
# (a normalised geometric mean is sharper than an arithmetic one), and here
# that pays. Weight scaling is a
# good, cheap approximation of the ensemble's decision for shallow nets;
# Monte-Carlo averaging (Gal & Ghahramani's "MC dropout") is what gives the
# ensemble's own probabilities, at $k$ times the cost.
#
# ## 8.6 Does dropout shrink the weights like L2?
#
# The notes repeat a lecture's intuition: a unit whose inputs can vanish
# spreads its weight over all of them, "shrinking the squared norm of the
# weights, like L2". For a single linear layer Wager et al. (2013) make
# this precise: dropout is, to second order, an L2 penalty weighted by each
# feature's variance. In a deep ReLU net we can simply look, at **matched
# accuracy**: dropout 0.5 against the L2 weight whose validation accuracy
# comes closest (noisy 200 digits, five seeds).

# %%
mt = de.matched_l2(grid=(1e-2, 3e-2, 5e-2))
print(f"matched L2 weight: {mt['lam']:g}")
for k in ("none", "dropout", "l2"):
    r = mt[k]
    print(f"{k:8s} validation {pm(r['val_acc'])}  weight norm {pm(r['w_norm'])}  "
          f"hidden activations at 0: {pm(r['act_zero'], scale=100)} %  mean activation {pm(r['act_mean'])}")

# %% [markdown]
# **What to notice.** At the same accuracy the two regularise by different
# means. L2 shrinks the weights (norm well under half of the
# unregularised net's) and leaves the activations dense. Dropout leaves the
# weight norm within a few percent of the unregularised one and instead
# changes the *activations*: more hidden units are exactly 0 on a given
# digit and their mean falls by more than half: sparse, redundant codes
# rather than small weights (the sparsity Srivastava et al. report in
# their Fig. 8). "Adaptive shrinkage" is a fair description of dropout's
# effect on a linear model's *predictions*; "it shrinks the weights like
# L2" is not what happens in this net.
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
# curve) still falls almost monotonically. **The recipe** of the notes
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
# | dropout shrinks the squared norm of the weights, like L2 | **not in this net**: at matched accuracy the weight norm stays within a few percent, while L2's is under half; dropout sparsifies the activations instead | 8.6 |
# | with dropout the cost function $J$ is "no longer well defined" | **it is defined** (the expected loss over masks); what is lost is a per-step monotone *measurement* of it; the loss with dropout off is still a clean signal | 8.7 |
# | "when using dropout, multiply all the parameters by $1/p$" ($p$ = keep probability) | **only in training, and it is the activations**: inverted dropout divides the kept activations by $q$ in training; the original multiplies by $q$ at test time; dividing at test time is the wrong way round (doubles the validation loss here) | 8.3 |
# | dropout "is equivalent to a simple ensemble" | **approximately**: the scaled net matches the average of sampled nets' decisions for shallow nets; their probabilities drift apart with depth | 8.5 |
# | L1 gives sparse solutions, L2 small and smooth ones | **true** (first-layer weights with $\lvert w\rvert<0.01$: 4× more under L1; norm 30 % smaller under L2); with plain SGD L1 weights hover near 0 rather than land on it | 8.2 |
# | data augmentation (flips, rotations, crops) reduces over-fitting | **when it is a symmetry of the test data, and not against wrong labels**: on these centred digits ±5° rotations change nothing, shifts with ±10° rotations score a point lower, and with 20 % wrong labels augmentation gains nothing | 8.2 |
# | weight regularisation (L1/L2) is a remedy for exploding gradients | **not tested** here; it limits the weights' growth over training, not the product of Jacobians at a given step (chapter 02) | — |
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
# * High training error is bias (more capacity); a large train-validation
#   gap is variance (more data, or regularise). On the digits both curves
#   are the textbook ones; double descent does not show at this scale.
# * On a net that memorises 20 % wrong labels, every regulariser helps by
#   keeping it from fitting them; dropout the most (0.81 → 0.90);
#   augmentation cannot fix wrong labels. L1 makes first-layer weights sparse, L2 small; under Adam,
#   an L2 penalty is not weight decay (AdamW is).
# * Inverted dropout divides by $q$ in training so the evaluation net is
#   the plain one. The best hidden rate here is about 0.5, the best input
#   rate 0.2-0.4; the "most sub-networks at 0.5" argument does not predict
#   either.
# * Weight scaling approximates the ensemble of sub-networks well for the
#   decision, less well for the probabilities as depth grows. Dropout does
#   not shrink the weights like L2 here; it sparsifies the activations.
# * With dropout the per-step loss is noisy even with the full batch;
#   check the code with dropout off first, or watch the evaluation-mode
#   loss.
#
# What the anchors do better: Srivastava et al. (2014) measure dropout on
# far larger nets and data, where the ensemble view and max-norm matter
# more; d2l derives the bias-variance trade-off and weight decay in more
# depth; Zhang et al. (2017) and Nakkiran et al. (2020) study memorisation
# of wrong labels and double descent at scales this chapter cannot reach.
