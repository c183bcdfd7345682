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
# # 09 · Internal covariate shift, measured
#
# Batch normalisation was introduced (Ioffe & Szegedy, 2015) as a cure for
# *internal covariate shift* (ICS): while a deep network trains, every update
# of the lower layers changes the distribution of the inputs that the upper
# layers see, so the upper layers "keep having to adapt to a moving target".
# The popular notes repeat this as the reason BN works. Santurkar, Tsipras,
# Ilyas and Mądry (2018, *How does batch normalization help optimization?*)
# tested it and argued otherwise. This chapter repeats their tests on the 8×8
# digits, over five seeds, and lets you look at the evidence yourself.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 9.1 | What is internal covariate shift, and how can it be measured? | 什么是内部协变量偏移（ICS）？怎样把它量出来？ |
# | 9.2 | Do the layers' input distributions drift during training, and does BN keep them still? | 训练时各层输入的分布真的在漂移吗？BN 能让它们稳定吗？ |
# | 9.3 | How much does a layer's gradient change when the layers below it update? | 下面各层更新之后，一层的梯度会改变多少？ |
# | 9.4 | Does BN work *because* it removes ICS? (BN with injected shift: noisy BN) | BN 有效是因为消除了 ICS 吗？人为注入分布漂移后还训练得好吗？ |
# | 9.5 | What does BN do to the loss along the gradient (smoothness)? | BN 让沿梯度方向的损失和梯度变得更平滑了吗？ |
# | 9.6 | Why does the scale of the weights before BN not matter, and what does that do to the learning rate and weight decay? | 为什么 BN 前一层权重的尺度无关紧要？这对学习率和权重衰减意味着什么？ |
# | 9.7 | What BN does and does not do, from the evidence | 综合证据：BN 做了什么，没做什么 |
#
# Every number in the text is printed by a cell of this notebook.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore.exercises import ch09
from dlcore.experiments import bn_scale, ics
from dlcore.experiments.common import CHANCE, SEEDS, over_seeds, pm
from dlcore.noisy_norm import gaussian_kl, wasserstein1
from widgets.ch09_ics import DriftExplorer, LandscapeExplorer
from widgets.ch09_plots import plot_drift, plot_grad_shift, plot_landscape, plot_training
from widgets.notebook import setup

setup(precision=4)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 9.1 What internal covariate shift is, and two ways to measure it
#
# **Covariate shift** is a term from statistics: the distribution of the
# inputs $p(x)$ changes between training and use while the rule that maps
# inputs to labels, $p(y\mid x)$, stays the same. Ioffe and Szegedy applied it
# *inside* a network: layer $l$ receives $h^{l-1}$, whose distribution
# depends on all the weights below it. Each step changes those weights, so
# layer $l$ is trained on inputs drawn from a distribution that moves. Their
# claim: this slows training, and BN, which fixes the mean and variance of
# each unit over the batch, removes the shift and so speeds training up.
#
# To test the claim we need ICS as a number. Two definitions:
#
# **(a) Distributional ICS** (Ioffe & Szegedy's picture). Fix a *probe*
# batch of $n = 256$ training digits. At step $t$ run it through the net and
# keep the input $h^{l-1}_t$ of weight layer $l$: $n$ values per unit. The
# drift of unit $j$ over $k$ steps is the distance between the distribution
# of its $n$ values at $t - k$ and at $t$. We use the 1-D
# **Wasserstein-1** (earth mover's) distance
#
# $$W_1(P, Q) = \int_{-\infty}^{\infty} \lvert F_P(x) - F_Q(x)\rvert\,dx
#   \;=\; \frac1n\sum_{i=1}^n \lvert a_{(i)} - b_{(i)}\rvert
#   \quad\text{(two samples of } n\text{, sorted)},$$
#
# the average distance each bit of probability mass has to move, in the
# units of the activations; layer $l$'s drift is its mean over the units.
# Why not the KL divergence of two fitted Gaussians,
# $\mathrm{KL} = \ln\frac{\sigma_Q}{\sigma_P} + \frac{\sigma_P^2 + (\mu_P-\mu_Q)^2}{2\sigma_Q^2} - \frac12$?
# It sees the mean and the variance only, and ReLU activations are far from
# Gaussian (a spike at 0 and a long tail). Two samples with the same mean and
# variance and different shapes show the difference:

# %%
rng = np.random.default_rng(0)
two_points = np.repeat([-1.0, 1.0], 5000)                      # mean 0, variance 1
gauss = rng.standard_normal(10000)
gauss = (gauss - gauss.mean()) / gauss.std()                   # mean 0, variance 1 exactly
kl = gaussian_kl(two_points, gauss)
print(f"±1 coin vs standard normal: Gaussian KL {'< 1e-9' if abs(kl) < 1e-9 else kl} (blind to the shape), "
      f"W1 {wasserstein1(two_points, gauss):.2f}")
print(f"N(0,1) vs N(0.5,1):         Gaussian KL {gaussian_kl(gauss, gauss + 0.5):.3f}, "
      f"W1 {wasserstein1(gauss, gauss + 0.5):.2f} (a shift by 0.5 moves all the mass by 0.5)")

# %% [markdown]
# **(b) Santurkar et al.'s ICS** asks what the "moving target" would do to
# the *optimisation*. Let $G_l = \nabla_{W_l} L(W_1, \dots, W_L)$ be the
# gradient of layer $l$'s weights on this step's batch, and let
# $G'_l = \nabla_{W_l} L(W_1', \dots, W_{l-1}', W_l, \dots, W_L)$ be the
# same gradient after the layers *below* $l$ took their step
# ($W_i' = W_i - \eta\,\nabla_{W_i} L$), on the same batch. If the shift of
# layer $l$'s inputs matters for layer $l$, $G'_l$ differs from the $G_l$
# its update was computed with. We report
# $\lVert G_l - G'_l\rVert / \lVert G_l\rVert$ and $\cos(G_l, G'_l)$
# (`ics.gradient_shift`).
#
# **The nets.** Five weight layers, 64-100-100-100-100-10, ReLU with He
# initialisation, float32, plain SGD at learning rate 0.1, batches of 64,
# 300 steps (18 epochs of the 1079 training digits), three versions with the
# same initial weights for each seed:
#
# * **no BN**: `Linear → ReLU` per hidden layer;
# * **BN**: `Linear → BN → ReLU` (`norm_mlp(..., norm="batch")`);
# * **noisy BN**: BN followed by a random per-unit scale and shift, drawn anew
#   at every step (`NoisyBatchNorm1d`), a variant of Santurkar et al.'s §2
#   experiment. At step $t$ the layer first draws its noise distribution, a
#   mean shift $m_t \sim U(-1, 1)$ and a scale range $r_t \sim U(1, 2)$, then per
#   unit $j$ a scale $s_j = r_t^{u_j}$ with $u_j \sim U(-1, 1)$ (between $1/2$ and
#   $2$, median 1) and a shift $c_j \sim N(m_t, 0.5^2)$, and outputs
#   $s_j\,\mathrm{BN}(x)_j + c_j$. In evaluation mode it is plain BN.
#   **How it differs from the paper's:** they add i.i.d. noise to *every
#   activation of every sample*, from a distribution whose mean and variance
#   change at every step; we draw one scale and one shift per unit, shared by
#   the whole batch. That moves the distribution the next layer sees without
#   adding noise between the examples of a batch: the "moving target" and
#   nothing else. The distributions and their ranges are this book's choice,
#   not the paper's. §9.4 also runs the paper's per-activation version
#   (`per_sample=True`).
#
# Each run (`ics.ics_run`) measures every 20 steps, on the probe batch in
# training mode (batch statistics and noise as the training step sees them),
# and puts the net back as it was.

# %%
runs = ics.ics_runs()        # 3 nets x 5 seeds
print("final validation accuracy (5 seeds):")
for k in ics.NETS:
    print(f"  {ics.NET_LABELS[k]:9s} {pm(runs[k]['val_acc'][:, -1])}")

# %% [markdown]
# All three end at about 97 %: the comparison that follows is between nets
# that learn, not between one that learns and one that is stuck. (They do
# not get there equally fast: §9.4.)
#
# ## 9.2 The inputs do drift, most in the deep layers, and BN keeps them still
#
# The drift of each layer's input, W1 between the probe's activations 20
# steps apart, averaged over the units and the run; for scale, the typical
# spread (standard deviation) of a unit's input; and the drift divided by
# that spread (scale-free: the layers' inputs have different widths):

# %%
def row(values):
    return "  ".join(f"{s:>15s}" for s in values)


print("layer (its input)         " + row([f"weight layer {l + 2}" for l in range(4)]))
for k in ics.NETS:
    d = np.nanmean(runs[k]["drift"], axis=1)
    print(f"W1 per 20 steps, {ics.NET_LABELS[k]:8s} " + row([pm(d[:, l]) for l in range(4)]))
for k in ics.NETS:
    s = np.sqrt(runs[k]["in_var"]).mean(axis=(1, 3))
    print(f"spread of a unit, {ics.NET_LABELS[k]:7s} " + row([pm(s[:, l]) for l in range(4)]))
for k in ics.NETS:
    rel = np.nanmean(runs[k]["drift"], axis=1) / np.sqrt(runs[k]["in_var"]).mean(axis=(1, 3))
    print(f"W1 / spread, {ics.NET_LABELS[k]:12s} " + row([pm(rel[:, l]) for l in range(4)]))

# %% [markdown]
# And the two moments Ioffe & Szegedy talk about, from step 0 to step 300:
# how far each unit's mean and standard deviation moved (mean over the units
# of the last hidden layer's output, the input of weight layer 5):

# %%
for k in ics.NETS:
    m, v = np.asarray(runs[k]["in_mean"]), np.asarray(runs[k]["in_var"])
    dm = np.abs(m[:, -1, 3] - m[:, 0, 3]).mean(axis=1)
    ds = np.abs(np.sqrt(v[:, -1, 3]) - np.sqrt(v[:, 0, 3])).mean(axis=1)
    print(f"{ics.NET_LABELS[k]:9s} |Δ mean| {pm(dm)}   |Δ std| {pm(ds)}   W1(step 0, step 300) {pm(runs[k]['drift0'][:, -1, 3])}")

# %% [markdown]
# **The figure.** Left: one unit's input over training (median and the
# 10th-90th percentile band of the probe batch, seed 0). Right: the layer's
# drift per 20 steps, mean over seeds with the min-max band (log scale).

# %%
plot_drift(runs, layer=3, record=5, unit=1, mark=False)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * Without BN the inputs drift, and the deeper the layer the more: per 20
#   steps, 9 % of a unit's spread at weight layer 2, 23 % at weight layer 5
#   (2.6 times more; in absolute units 0.02 → 0.14, but much of that is the
#   deeper activations being wider). Each layer's input moves with every
#   layer below it. Over the run, the last layer's input moves by about its
#   own spread (W1 from step 0 to 300 ≈ 0.7, spread ≈ 0.6). That is internal
#   covariate shift, and it is real.
# * With BN the drift is 9-11 times smaller relative to the spread (1.0-2.2 %
#   per 20 steps) and grows less with depth: BN does what it was designed to
#   do. It is not zero: $\gamma$ and $\beta$ are learned, and the batch
#   statistics change.
# * Noisy BN has the largest drift of the three, 64-81 % of a unit's spread
#   per 20 steps: 3-9 times that of no BN, 30-80 times that of BN. By the
#   distributional measure (which counts the injected shift, not only the
#   change that comes from the parameters) it has far more ICS than a net
#   without any normalisation.
#
# ### Explorer: a layer's input over training
#
# Pick the layer, the unit, and a step $t$; the info line gives each net's
# drift between $t-20$ and $t$. The menu *net* switches to the sigmoid nets
# of §9.4 (learning rate 0.5), the setting of Ioffe & Szegedy's Figure 1,
# which plots the percentiles of a sigmoid's *input* over training (their
# 15th, 50th and 85th, ours the 10th, 50th and 90th). Ours plots the weight
# layer's input, which for these nets is the sigmoid's *output*, in (0, 1):
# since the sigmoid is increasing, our percentiles are the sigmoid of theirs,
# the same information on a squeezed axis (0.2-0.8 on ours is about -1.4 to
# +1.4 on theirs). No BN's band is hatched, so that it stays visible under
# the other two. Their first selection trains
# those 15 nets (a few seconds) unless §9.4 has already run.

# %%
# NBVAL_IGNORE_OUTPUT
DriftExplorer()

# %% [markdown]
# ## 9.3 How much a layer's gradient changes when the layers below update
#
# Santurkar et al.'s ICS, per weight layer (layer 1 has nothing below it),
# mean over the run:

# %%
print("                           " + row([f"weight layer {l + 2}" for l in range(4)]))
for name, key in (("cos(G, G')", "ics_cos"), ("|G - G'| / |G|", "ics_rel")):
    for k in ics.NETS:
        v = runs[k][key].mean(axis=1)
        print(f"{name:15s} {ics.NET_LABELS[k]:10s} " + row([pm(v[:, l]) for l in range(4)]))
    v = runs["noisy"][key + "_fresh"].mean(axis=1)
    print(f"{name:15s} {'noisy, new':10s} " + row([pm(v[:, l]) for l in range(4)]))

# %%
plot_grad_shift(runs, layer=3)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * Without BN the gradient of a deep layer changes a lot when the layers
#   below take one step: at weight layer 5 its direction turns by about 80°
#   on average ($\cos \approx 0.2$), and the change is as large as the gradient
#   itself. The update layer 5 takes was computed for a net that, by the time
#   the step is applied, no longer exists.
# * With BN the same change is 1.7-3.7 times smaller, more so in the deeper
#   layers ($\cos \ge 0.95$ at every layer). In this MLP BN does reduce ICS
#   in Santurkar's sense too. (In their VGG on CIFAR-10 the BN nets had a
#   similar or larger gradient shift, and in deep *linear* nets a much larger
#   one; here it is the other way. A measurement of one net, not a law.)
# * Noisy BN needs two rows. Santurkar's definition has no noise term, so
#   the rows "noisy BN" keep one noise draw for $G$ and $G'$: they see only
#   the part of the shift that comes from the parameter update, and it is
#   nearly BN's ($\cos$ 0.92-0.96). The rows "noisy, new" compute $G'$ after
#   the update *and a fresh noise draw*, the gradient the next training step
#   actually uses: $\cos$ 0.16-0.33, a change larger than the gradient
#   itself. The injected shift turns noisy BN's layer gradients by 70-80°
#   from one step to the next, more than no BN's at weight layers 2-4 (the
#   figure shows weight layer 5, where the two are about equal: dashed red
#   and grey lines). Measured either way, noisy BN's layers aim at a moving
#   target.
#
# ## 9.4 Does BN work because it removes ICS? Noisy BN
#
# If BN helped *because* it keeps the layer inputs still, a BN net whose
# inputs are shaken at every step should lose the benefit. Noisy BN is that
# net. We compare the three on the ReLU net above, and on the same net with
# sigmoid units (Xavier initialisation, learning rate 0.5), the setting of the
# BN paper's first experiment, where a net without BN has a hard time:

# %%
sig = ics.ics_runs(activation="sigmoid", lr=0.5, checkpoints=())
at = {t: list(runs["batch"]["rec_steps"][0]).index(t) for t in (40, 100, 300)}
for name, rr in (("ReLU, lr 0.1", runs), ("sigmoid, lr 0.5", sig)):
    print(name, "  validation accuracy at step 40, 100 and 300; mean drift of the layer inputs")
    for k in ics.NETS:
        acc = rr[k]["val_acc"]
        drift = np.nanmean(rr[k]["drift"], axis=(1, 2))
        stuck = int(np.sum(acc[:, -1] < CHANCE))
        note = f"   at chance in {stuck} of 5 seeds" if stuck else ""
        print(f"  {ics.NET_LABELS[k]:9s} " + "  ".join(f"{pm(acc[:, i]):>13s}" for i in at.values())
              + f"   drift {pm(drift)}{note}")
more = ics.ics_runs(kinds=("none",), seeds=(5, 6, 7, 8, 9), activation="sigmoid", lr=0.5, every=300,
                    checkpoints=())["none"]["val_acc"][:, -1]
both = np.r_[sig["none"]["val_acc"][:, -1], more]
print(f"sigmoid, no BN, seeds 0-9: accuracy at step 300 below 0.25 on {int(np.sum(both < 0.25))} of 10 seeds, "
      f"at chance (< {CHANCE}) on {int(np.sum(both < CHANCE))}")

# %%
plot_training(runs, sig)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * **On the sigmoid net**, where BN is what makes training possible at this
#   rate, BN with injected shift trains almost as fast as BN: 0.90 ± 0.05
#   against 0.921 ± 0.026 at step 40, 0.958 against 0.962 at step 100 (middle
#   panel: the red and blue curves lie on each other). Without BN the net
#   ends at chance after 300 steps at learning rate 0.5 on seeds 0-4 (never
#   above 0.16 on the way), and at most barely above it on seeds 5-9 (last
#   line above; chapter 02 shows why the lower layers of a deep sigmoid net
#   barely move: their gradients vanish). At step 300
#   noisy BN's accuracy scatters more (one seed at 0.85).
# * **On the ReLU net at learning rate 0.1** all three *end* in the same
#   place, so the final accuracy tests nothing: BN has no final advantage to
#   lose. BN's benefit there is *speed* (step 40: 0.944 against 0.826 without
#   BN), and noisy BN keeps only part of it (0.86 at step 40, 0.930 at step
#   100, no better than no BN; left panel: the red curve runs between grey and
#   blue until everything has converged). The clean ReLU test is a larger
#   learning rate, below.
# * Accuracy does not follow the drift (right panel): BN and noisy BN are at
#   the top, 20-50 times apart on the drift axis. (The sigmoid net without BN
#   sits at the bottom with little drift, but that is a symptom: a net that
#   does not learn does not drift.) The drift explorer of §9.2, with the menu
#   on the sigmoid nets, shows it unit by unit: without BN the inputs of
#   weight layer 5 drift early and settle, those of weight layer 2 (the
#   output of a first layer whose gradient vanishes) hardly move at all;
#   BN's move little; noisy BN's jump at every step, and it trains all the
#   same.
#
# **A larger learning rate.** On the ReLU net, learning rate 1.0, ten times
# the one above, and the net without BN at 0.3:

# %%
fast = ics.ics_runs(lr=1.0, every=100, checkpoints=())
acc = fast["none"]["val_acc"][:, -1]
print(f"ReLU, lr 1.0, no BN     step 300 accuracy below 0.25 on {int(np.sum(acc < 0.25))} of 5 seeds")
for k in ("batch", "noisy"):
    acc = fast[k]["val_acc"]
    print(f"ReLU, lr 1.0, {ics.NET_LABELS[k]:9s} step 100 {pm(acc[:, 1])}   step 300 {pm(acc[:, -1])}")
mid = ics.ics_runs(kinds=("none",), lr=0.3, every=300, checkpoints=())["none"]["val_acc"][:, -1]
print(f"ReLU, lr 0.3, no BN     step 300 {pm(mid)}")

# %% [markdown]
# At this rate the net without BN does not train (below 0.25 on every seed;
# where exactly it ends, between 0.1 and 0.2, is chaotic and differs between
# BLAS kernels), while BN and noisy BN both do, noisy BN slightly lower
# (0.953 ± 0.018 against 0.969 ± 0.014). (At 0.3 the net without BN still
# trains: the rate it fails at lies between 0.3 and 1.0.) This is the clean
# ReLU version of the test: where BN makes the difference between training
# and not training, the difference survives the injected shift. So, on these nets, **BN's
# benefit does not come from keeping the distributions of the layer inputs
# still**. This is Santurkar et al.'s main experiment, reproduced on the
# sigmoid net and at the large learning rate; at the small ReLU rate, where
# BN only speeds training up, noisy BN keeps only part of the speed-up.
#
# **The paper's noise.** Santurkar et al. add the noise per activation, not
# per unit: every example of the batch gets its own scale and shift
# (`per_sample=True`). On the sigmoid net:

# %%
paper = ics.ics_runs(kinds=("noisy",), activation="sigmoid", lr=0.5, every=100, checkpoints=(),
                     per_sample=True)["noisy"]["val_acc"]
print(f"sigmoid, lr 0.5, noisy BN per activation: step 100 {pm(paper[:, 1])}   step 300 {pm(paper[:, -1])}")

# %% [markdown]
# The same result with the paper's noise: the net trains almost as BN does
# (0.955 at steps 100 and 300, BN 0.962 and 0.963). Per-activation noise also blurs the
# distribution within a batch, as dropout does; per-unit noise only moves
# it. Neither stops BN from working.
#
# How much noise does it take to hurt? Twice the noise ($n_\mu = 2$: mean
# shifts up to ±2; $n_\sigma = 3$: scales from 1/3 to 3), on the ReLU net:

# %%
strong = ics.ics_runs(kinds=("noisy",), n_mu=2.0, n_sigma=3.0, checkpoints=())["noisy"]
print(f"noisy BN, twice the noise: accuracy {pm(strong['val_acc'][:, -1])}, "
      f"mean drift {pm(np.nanmean(strong['drift'], axis=(1, 2)))}")

# %% [markdown]
# Now the noise costs accuracy (several points on average, more on some
# seeds), with a drift twice as large again. Noise is not free; the point is
# that a drift many times larger than a plain net's costs little or nothing.
#
# ## 9.5 What BN does to the loss along the gradient
#
# Santurkar et al.'s alternative explanation: BN makes the loss *smoother*,
# so the gradient stays a good guide over a longer step and larger learning
# rates are safe. To see it, stand at the weights $\theta$ of some training
# step, take the gradient $g$ of the loss on the probe batch, and move along
# it: for step sizes $\eta$ from a quarter of the learning rate to 16 times
# it (0.025 to 1.6), measure
#
# * the loss $L(\theta - \eta g)$ ("loss landscape variation"; we report how
#   far it *rises* above $L(\theta)$ anywhere on the line, 0 if it never does:
#   a fall is progress, not roughness), and
# * the change of the gradient, $\lVert\nabla L(\theta - \eta g) - g\rVert$,
#   and per unit of distance moved,
#   $\beta_{\text{eff}} = \max_\eta \lVert\nabla L(\theta - \eta g) - g\rVert / \lVert \eta g\rVert$,
#   the "effective β-smoothness" (a β-smooth function has
#   $\lVert\nabla L(x) - \nabla L(y)\rVert \le \beta\lVert x - y\rVert$ everywhere;
#   this is the same ratio, along the one direction the optimiser uses).
#
# (`ics.landscape`; the net is put back afterwards, noisy BN keeps one draw of
# its noise along the line.) At steps 0, 100 and 300:

# %%
steps = runs["batch"]["checkpoints"][0]
print("training step                  " + row([f"step {int(s)}" for s in steps]))
for name, f in (("loss L(θ)", lambda r: r["land_loss0"]),
                ("largest rise above L(θ)", lambda r: np.maximum(r["land_loss"].max(axis=2) - r["land_loss0"], 0)),
                ("gradient norm |g|", lambda r: r["land_gnorm"]),
                ("largest gradient change", lambda r: r["land_gdiff"].max(axis=2)),
                ("effective β", lambda r: r["land_beta"].max(axis=2))):
    for k in ics.NETS:
        v = f(runs[k])
        print(f"{name:23s} {ics.NET_LABELS[k]:8s}" + row([pm(v[:, c]) for c in range(len(steps))]))

# %%
for c in (0, 1):
    for k in ics.NETS:
        L = runs[k]["land_loss"][:, c]
        print(f"step {int(steps[c]):3d}, {ics.NET_LABELS[k]:9s} loss at η = 0.025: {pm(L[:, 0]):>13s}   "
              f"at η = 1.6: {pm(L[:, -1])}")
ratio = runs["none"]["land_beta"].max(axis=2)[:, 1] / runs["batch"]["land_beta"].max(axis=2)[:, 1]
print(f"step 100, effective β without BN / with BN: {pm(ratio)} over the seeds")

# %%
plot_landscape(runs, checkpoint=1)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * At step 100, along the gradient, the loss of the net without BN is flat
#   for small steps and then climbs, from η ≈ 0.2 (twice the training rate)
#   on, to tens of times its value: a step a little too long lands on a
#   wall. The BN net's loss keeps falling over the whole range.
# * Per unit of distance moved, the gradient of the BN net changes about 11
#   times less at step 100 (effective β 1.9 against 22). The ratio varies
#   with the seed (7-16 on these five seeds, depending a little on the BLAS
#   kernel too; about 3 to 15 on seeds 5-9). The raw gradient change (right panel, log scale) differs more than
#   100 times, but part of that is that the no-BN gradient is 3-9 times
#   longer, so the same η moves it farther (E9.2 is about exactly this), and
#   that the BN net is further along (loss 0.075 against 0.18): β corrects
#   for the first, not the second. The gradient measured at $\theta$ stays a
#   good description of the loss farther from $\theta$: consistent with BN
#   nets tolerating large steps, as the learning rate 1.0 of §9.4 shows.
# * Noisy BN lies in between, closer to BN (effective β 3.4). Its loss is
#   higher than BN's at every η (the frozen noise draw costs a little).
# * At step 0 the BN net's loss only falls along the line (from 2.7 to
#   below 1; it never rises above its start), while the net without BN falls
#   a little and rises again on some seeds: BN's smoothing shows most once
#   training has moved the weights, which is where the net without BN
#   develops its walls.
# * A caution: this landscape is that of nets trained at 0.1. The no-BN loss
#   rises from η ≈ 0.2 on, yet the no-BN net *trained* at 0.3 does fine
#   (0.974 ± 0.006 at step 300, §9.4): a net adapts its sharpness to the rate it is trained at, so the wall at
#   one point does not predict the largest stable rate one-to-one.
#
# ### Explorer: the loss and the gradient along the gradient
#
# Choose the training step and move the step size; the info line reads off
# each net's loss and gradient change at the measured η nearest the slider.

# %%
# NBVAL_IGNORE_OUTPUT
LandscapeExplorer()

# %% [markdown]
# ## 9.6 Why the scale of the weights before BN does not matter
#
# Chapter 07 (§7.4) derived why BN tolerates large learning rates from one
# identity, which Ioffe & Szegedy (2015, §3.3) state in two lines: for a
# layer $z = XW + b$ followed by BN in training mode, scaling $W$ by $c > 0$
# scales each unit's batch mean and standard deviation by $c$ as well, so
# $\hat z$ and the loss do not change, $L(cW) = L(W)$ (with BN's
# $\epsilon = 0$; the bias cancels with the mean, so its gradient is 0, and
# since BN normalises each unit on its own, each column $w_j$ may take its own
# $c_j$). Here we check it to float64 rounding on this chapter's net and add
# what §7.4 left open: BN's $\epsilon$, how fast the norm actually grows, where
# the brake on a too-large learning rate stops, and weight decay. The three
# consequences of §7.4, as a recap:
#
# 1. $\nabla L(cW) = \nabla L(W)/c$: ten times larger weights, ten times
#    smaller gradient;
# 2. $W\cdot\nabla L(W) = 0$ (the derivative of $L(cW)$ in $c$ at $c = 1$):
#    the gradient is orthogonal to the weights, unit by unit;
# 3. for a plain SGD step $W_{t+1} = W_t - \eta g_t$:
#    $\lVert W_{t+1}\rVert^2 = \lVert W_t\rVert^2 + \eta^2\lVert g_t\rVert^2$
#    (Pythagoras, by 2): the norm can only grow, and the layer learns at the
#    **effective learning rate $\eta/\lVert W\rVert^2$** (by 1 with
#    $c = \lVert W\rVert$, a step turns $\hat W = W/\lVert W\rVert$ by about
#    $\eta\,\lVert\nabla L(\hat W)\rVert/\lVert W\rVert^2$).
#
# Ioffe & Szegedy conclude that BN "will stabilize the parameter growth";
# (3) says more precisely what happens under plain SGD: the norm never
# shrinks, only its growth slows, because $\lVert g\rVert$ falls as
# $1/\lVert W\rVert$. (All of this is for plain SGD. With momentum the step
# is not orthogonal to the current $W$; with Adam its size no longer scales
# with $\lVert g\rVert$, so the direction turns by about
# $\eta\sqrt{n_{in}}/\lVert W\rVert$ per step: the rate falls as
# $1/\lVert W\rVert$, not $1/\lVert W\rVert^2$, chapter 07 §7.7; and L2
# under Adam is not weight decay, chapter 08 §8.2.1.) With $\epsilon > 0$ the
# identity becomes $L_\epsilon(cW) = L_{\epsilon/c^2}(W)$: BN divides by
# $\sqrt{c^2\sigma^2 + \epsilon}$, so scaling the weights by $c$ is the same as
# changing $\epsilon$ to $\epsilon/c^2$, harmless while that stays far below
# the units' variances.
#
# The check (`bn_scale.scale_invariance`): the chapter's net in float64 on a
# batch of 64 digits, training mode, each weight layer's $W$ scaled by
# $c = 0.1$ and $10$, then 20 SGD steps at η = 0.1 (5 for the $\epsilon = 10^{-5}$ net and the
# no-BN contrast). Weight layers 1-4 have BN
# after them; weight layer 5 (the output) does not, and neither does any layer
# of the net without BN: the contrast. Each entry is the largest deviation
# from the statement (over the five seeds; 0 would mean it holds exactly).

# %%
exact = over_seeds(bn_scale.scale_invariance, SEEDS, eps=bn_scale.EPS_ZERO)     # BN with eps -> 0
usual = over_seeds(bn_scale.scale_invariance, SEEDS, eps=1e-5, steps=5)        # BN's usual eps
plain = over_seeds(bn_scale.scale_invariance, SEEDS, bn=False, steps=5)        # no BN


def worst(x, tol):
    x = float(np.max(np.abs(x)))
    return f"< {tol:.0e} ok" if x < tol else (f"{x:.2g}" if x >= 0.01 else f"{x:.0e}")


checks = (("L(cW) vs L(W), c = 0.1, 10", lambda r: r["loss_rel"][:, :, [0, 2]], 1e-12),
          ("c ∇L(cW) vs ∇L(W)", lambda r: r["grad_rel"][:, :, [0, 2]], 1e-12),
          ("cos(w_j, ∇w_j), worst unit", lambda r: r["cos_unit"][:, :, None], 1e-12),
          ("|W|² growth vs η²|g|²", lambda r: np.moveaxis(r["resid"], 1, 2), 1e-9))
print(f"{'':31s}" + "".join(f"{f'weight layer {l + 1}':>15s}" for l in range(5)))
for name, r in (("BN, eps -> 0", exact), ("BN, eps = 1e-5", usual), ("no BN", plain)):
    print(name)
    for what, f, tol in checks:
        print(f"  {what:29s}" + "".join(f"{worst(f(r)[:, l], tol):>15s}" for l in range(5)))
grow = {lr: over_seeds(bn_scale.scale_invariance, SEEDS, eps=bn_scale.EPS_ZERO, lr=lr)["wnorm"] for lr in (0.1, 1.0)}
print("growth of |W|² in 20 SGD steps, in %, BN (eps -> 0), weight layers 1-4:")
for lr, w in grow.items():
    g = 100 * ((w[:, -1, :4] / w[:, 0, :4]) ** 2 - 1)
    print(f"  lr {lr}:  " + "   ".join(pm(g[:, l]) for l in range(4)))
# a learning rate that is too large (chapter 07's lr 10): the brake, and where it stops
hot = {lr: over_seeds(bn_scale.scale_invariance, SEEDS, eps=bn_scale.EPS_ZERO, lr=lr) for lr in (1.0, 10.0)}
w10, w1 = ((r["wnorm"] / r["wnorm"][:, :1]) ** 2 for r in (hot[10.0], hot[1.0]))
last = lambda r: r["loss"][:, 15:].mean(axis=1)                        # noqa: E731  (steps 16-20)
print("lr 10, BN (eps -> 0), 5 seeds:")
print(f"  |W|² of weight layers 1-4: x {pm(w10[:, 1, :4])} after 1 step, x {pm(w10[:, -1, :4].mean(1))} after 20 "
      f"(lr 1.0: x {pm(w1[:, -1, :4].mean(1))})")
print(f"  no brake: |W|² of weight layer 5 x {pm(w10[:, -1, 4])}, largest |γ| 1.0 -> {pm(hot[10.0]['gamma'][:, -1])}"
      f" after 20 steps (lr 1.0: x {pm(w1[:, -1, 4])}, {pm(hot[1.0]['gamma'][:, -1])})")
print(f"  batch loss over steps 16-20: {pm(last(hot[10.0]))}  (lr 1.0: {pm(last(hot[1.0]))}; chance: ln 10 = 2.30)")

# %% [markdown]
# **What to notice.**
#
# * With $\epsilon \to 0$ every statement holds for weight layers 1-4 to
#   float64 rounding (deviations below $10^{-12}$, the identity of the norms
#   below $10^{-9}$ of the growth term), and fails by a wide margin where no
#   BN follows: at weight layer 5 of the BN net and at every layer of the
#   plain net.
# * With BN's usual $\epsilon = 10^{-5}$ (PyTorch's, and the chapter's nets')
#   the invariance is approximate: $L_\epsilon(0.1W) = L_{100\epsilon}(W)$, and
#   $100\epsilon = 10^{-3}$ is no longer negligible next to the smallest
#   variances of weight layer 1's units (0.03-0.045 over the seeds; those of
#   layers 2-4 are 0.19 or more). The loss moves by at most
#   $3\cdot10^{-4}$ of itself, but at $c = 0.1$ the gradient of weight layer 1
#   is off by 10 %: $\epsilon$ puts a floor under the scale.
# * Without BN, scaling one layer's weights by 10 multiplies the logits by
#   10 (the biases are 0 at initialisation and ReLU is homogeneous): the
#   same change of the loss whichever layer is scaled, and a gradient with a
#   component along $W$, so the norm identity fails by about ten times the
#   growth term or more.
# * The norm grows as the identity says, slowly at the chapter's rate: by
#   0.06-0.11 % in 20 steps at η = 0.1, by 2.4-5.4 % at η = 1.0 (the rate at
#   which §9.4 trains the BN nets). The growth term is $\eta^2\lVert g\rVert^2$
#   per step, but over 20 steps the ratio of the two rates' growth is about
#   45, not 100: at η = 1.0 the loss falls faster (0.18 against about 0.6 at
#   step 20), so the gradients, and the sum of their squares, are about half
#   as large. At these rates the effective learning rate changes by a few
#   per cent: nothing needs correcting.
# * At a rate that *is* too large, η = 10 (where chapter 07's BN net fails),
#   the brake is real: the norms of weight layers 1-4 grow 1.6-2.8-fold in
#   the first step and 7- to 860-fold in 20 (per seed and layer; the mean
#   printed is dominated by one seed), so their effective rate falls by as
#   much. And the net still fails: the batch loss over steps 16-20 is
#   1.8-3.7 per seed (chance is 2.30; 0.18 at η = 1.0), and 2.0-2.4 after 200
#   steps (tests/test_ch09_scale.py). The
#   parameters that no BN follows have no brake: the last layer's $\lVert W\rVert^2$
#   grows 20- to 2600-fold and the largest $\gamma$ goes from 1 to 4-120 in
#   the same 20 steps. Arora, Li & Lyu's (2019) "auto rate-tuning" assumes exactly
#   that those parameters get a learning rate that works; here they do not.
#   This answers §7.4's open question, why BN's net fails at 10 (measured
#   here on this chapter's deeper net; chapter 07's has the same unprotected
#   parts): not the layers before BN, which slow themselves down, but the
#   output layer and $\gamma$, $\beta$, which the invariance does not cover.
#
# **What it implies.** Weight decay on a layer followed by BN shrinks $W$ by
# $(1 - \eta\lambda)$ per step, which by the identity changes nothing the net
# computes (up to $\epsilon$: the identity with $c = 1 - \eta\lambda$); what it
# changes is the effective learning rate $\eta/\lVert W\rVert^2$, which it keeps from
# falling. With both at work the norm settles where the decay's shrink
# ($\approx 2\eta\lambda\lVert W\rVert^2$ per step) balances the growth
# $\eta^2\lVert g\rVert^2$ (van Laarhoven 2017); with
# $\lVert g\rVert = \lVert\nabla L(\hat W)\rVert/\lVert W\rVert$ the direction
# then turns by about $\sqrt{2\eta\lambda}$ per step, a number in which only
# the product $\eta\lambda$ appears (not measured here). So "L2 regularisation"
# of such a layer does not restrict the functions the net can compute; it is
# a learning-rate schedule (van Laarhoven 2017; Hoffer et al. 2018; Zhang,
# Wang, Xu & Grosse 2019, the "effective learning rate" mechanism of chapter
# 08 §8.2.1; Li & Arora 2020 show that with BN, weight decay is equivalent to
# an exponentially growing learning rate), under plain SGD.
#
# **What it does not prove.** It is a symmetry of BN's training-mode loss, not
# an account of BN's benefit. It holds only for the weights that feed a BN
# (not the last layer, not $\gamma$ and $\beta$), exactly only with
# $\epsilon = 0$, and in evaluation mode only once the running statistics
# have caught up with a new scale. Noisy BN has it too (its noise comes after
# the normalisation), and so does weight normalisation (chapter 07), which
# uses no batch statistics at all: it cannot tell BN from those, and it does
# not show that the smoothness of §9.5 or the speed of §9.4 come from it. It
# says how the step size of such a layer is set, not why the loss along the
# gradient is smooth; that smoothness is Santurkar et al.'s (2018) claim,
# which they support with bounds on the gradient with respect to the layer's
# output, not with this identity.

# %% [markdown]
# ## 9.7 What BN does and does not do, from the evidence
#
# Each statement comes with the figure that shows it.
#
# | statement | evidence |
# |---|---|
# | Layer inputs drift during training, more in deeper layers (ICS exists). | 9.2, drift figure (no BN: 9 % → 23 % of a unit's spread per 20 steps from layer 2 to 5) |
# | BN reduces that drift 9-11 times (relative to the spread). | 9.2, drift figure (BN 1.0-2.2 %) |
# | Reducing the drift is **not** why BN helps: noisy BN has the most drift of all, yet on the sigmoid net (lr 0.5) it trains almost as fast as BN where the net without BN does not leave chance in 300 steps, and on the ReLU net at lr 1.0 it trains (0.95) where the net without BN does not. On the ReLU net at lr 0.1, where BN only speeds training up, noisy BN keeps part of the speed-up. | 9.4, training figure and the lr 1.0 table |
# | In this MLP, BN keeps a layer's gradient steady when the layers below update ($\cos \ge 0.95$ vs 0.2-0.94 without). Noisy BN's gradient, with the noise redrawn as in training, is *less* steady than no BN's ($\cos$ 0.16-0.33), yet noisy BN trains: a steady gradient in this sense is not what BN's benefit needs either. (Santurkar et al. found BN did not reduce this measure for their VGG and deep linear nets.) | 9.3, gradient-shift figure |
# | BN makes the loss along the gradient smoother: effective β about 11 times smaller at step 100 (3-16 per seed over 10 seeds), no wall at a few times the learning rate; noisy BN is close to BN (β 3.4 against 1.9, no BN 22). | 9.5, landscape figure |
# | BN makes the training loss blind to the scale of the weights before it: their gradient is orthogonal to them, their norm grows under SGD and their effective learning rate $\eta/\lVert W\rVert^2$ falls (2.4-5.4 % in 20 steps at lr 1.0). At lr 10 that brake is real (norms ×7-860 in 20 steps) but the net still fails: the last layer and γ, which no BN follows, blow up. Weight decay on the layers before BN changes their rate, not the function. A symmetry that noisy BN and weight normalisation share, not by itself the reason BN helps. | 9.6, the table of checks (float64 rounding with $\epsilon \to 0$) and the lr 10 lines |
# | What we have not shown: that smoothness *causes* the faster training (we measured it alongside), why it appears, or anything about conv nets and other data. | — |
#
# Three explanations of BN were in play, and the evidence sorts them:
# (i) **BN stops the drift of the layer inputs**: refuted on these nets;
# noisy BN drifts more than anything and keeps BN's benefit where BN makes
# the difference (sigmoid, lr 0.5; ReLU, lr 1.0). (ii) **BN keeps the
# pre-activations at a sensible level**, out of the sigmoid's flat tails
# (the notes' "saturation" argument): *not* tested here; noisy BN's scales
# stay within 1/2 to 2 and its shifts around ±1-1.5, so it keeps that
# property, and twice the noise (scales up to 3, shifts up to ±2) does start
# to cost accuracy. (iii) **BN smooths the landscape**: supported; BN and
# noisy BN share it, the net without BN lacks it, and the large learning
# rate that only the smooth nets survive is what one would predict from it.
#
# The popular explanation gets one thing right: internal covariate shift
# exists, and BN reduces it. It gets the causation wrong: a network with
# more shift than any unnormalised one, and with less steady layer
# gradients, keeps BN's benefit where BN matters, so the shift was not what
# held training back. What BN and noisy BN share is a smoother loss along
# the direction the optimiser moves, and the larger learning rates that
# come with it.
#
# ## Errata: the notes on internal covariate shift
#
# | the notes say | verdict here | measured in |
# |---|---|---|
# | BN works because it removes internal covariate shift | **not supported**: noisy BN has 30-80× BN's drift (3-9× no BN's) and nearly BN's training curve on the sigmoid net, and it trains at a learning rate where the net without BN does not | 9.4 |
# | each layer's input distribution changes as lower layers update, more so in higher layers | **true** (drift grows from layer 2 to layer 5 without BN: 9 % → 23 % of the spread per 20 steps) | 9.2 |
# | a layer's output distribution differs from its input distribution, more so with depth, and that is ICS | **no**: every non-trivial layer changes the distribution it is given, at any moment; ICS is the change of *one* layer's input distribution *over training* | 9.1 |
# | upper layers must keep re-adapting, which slows learning | **not supported as the mechanism**: where BN makes the difference (sigmoid at lr 0.5, ReLU at lr 1.0), re-adapting to noisy BN's shifting inputs costs little (on the ReLU net at lr 0.1 it costs part of BN's speed-up); what BN and noisy BN share, and the net without BN lacks, is a smooth loss along the gradient, not a steady gradient | 9.3-9.5 |
# | BN makes every layer's input the same distribution, N(0, 1) | **no**: BN fixes the batch mean and variance of the pre-activation *before* $\gamma$, $\beta$; the layer inputs (after ReLU) are not Gaussian, and they still drift, 9-11× less relative to their spread | 9.2 |
# | ICS violates the i.i.d. assumption of machine learning | **a mix-up**: i.i.d. is about examples within one distribution; ICS is about the distribution changing *over training* | 9.1 |
#
# ## Exercises
#
# **E9.1 The distance of two batches.** One unit's input on the same five
# probe examples at two training steps is `ch09.EX_A` and `ch09.EX_B`.
# Compute the Wasserstein-1 distance between the two empirical distributions
# (two significant figures), by hand or with NumPy, but not with
# `wasserstein1`.

# %%
print("step t:    ", ch09.EX_A)
print("step t + k:", ch09.EX_B)
my_w1 = None   # a number
ch09.check_w1(my_w1)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# For two samples of the same size, $W_1$ is the mean absolute difference of
# the *sorted* values: `np.abs(np.sort(ch09.EX_A) - np.sort(ch09.EX_B)).mean()`
# $= (0.4 + 0.5 + 0 + 0.1 + 0.9)/5 = 0.38$. Pairing the values in the given
# order (1.26) measures how much each *example* moved, not the distribution;
# the difference of the means (0.22) misses the change of shape.
# </details>
#
# **E9.2 Which net is smoother?** Along the gradient of two nets, at step sizes
# `ch09.EX_ETAS`, you measured the gradient norm $\lVert g\rVert$ and the
# gradient change $\lVert\nabla L(\theta - \eta g) - g\rVert$ (`ch09.EX_NETS`).
# Which net is smoother along its gradient, and what is its effective β (two
# significant figures)?

# %%
print("step sizes:", ch09.EX_ETAS)
for name, net in ch09.EX_NETS.items():
    print(f"net {name}: |g| = {net['gnorm']}, gradient change = {net['gdiff']}")
my_smoother, my_beta = None, None   # "A" or "B", and a number
ch09.check_smoother(my_smoother, my_beta)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Divide each gradient change by the distance moved, $\eta\lVert g\rVert$:
# A gives 4.0, 4.5, 5.0; B gives 1.5, 1.625, 1.75. B is smoother, with
# $\beta_{\text{eff}} = 1.75$, 1.8 to two figures (the largest ratio: the
# worst case along the line). Net A's raw changes are smaller only because
# its gradient is 8 times shorter, so the same η moves it 8 times less far.
# </details>
#
# **E9.3 The gradient shift of one layer.** A layer's weight gradient was
# `ch09.EX_G` before the layers below it took their step and `ch09.EX_G2`
# after. Compute $\cos(G, G')$ and $\lVert G - G'\rVert / \lVert G\rVert$
# (three significant figures).

# %%
print("G  =", ch09.EX_G)
print("G' =", ch09.EX_G2)
my_cos, my_rel = None, None
ch09.check_grad_shift(my_cos, my_rel)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $G\cdot G' = 6 + 0 + 16 = 22$, $\lVert G\rVert = 5$,
# $\lVert G'\rVert = \sqrt{24} \approx 4.899$, so $\cos = 22/24.49 \approx 0.898$;
# $G - G' = (1, -2, 0)$, $\lVert G - G'\rVert = \sqrt5 \approx 2.236$, relative
# change $2.236/5 \approx 0.447$. In the chapter's nets, BN's layers have
# $\cos \ge 0.95$ and relative changes around 0.3; without BN, the deepest layer
# has $\cos \approx 0.2$ and a change as large as the gradient.
# </details>
#
# **E9.4 Rescaling the weights before BN (an interview question).** A weight
# layer is followed by BN (with $\epsilon \to 0$). At its weights $W_t$,
# $\lVert W_t\rVert = 2.0$ and $\lVert\nabla L(W_t)\rVert = 0.5$; plain SGD
# uses $\eta = 0.1$ (`ch09.EX_BN`). Someone multiplies the layer's weights by
# $c = 4$. Using §9.6, give (a) $\lVert\nabla L(cW_t)\rVert$, (b)
# $\lVert W_{t+1}\rVert$ after one SGD step from $W_t$ (unscaled; four
# decimals), and (c) the effective learning rate $\eta/\lVert W\rVert^2$
# before and after the scaling ((a) and (c) to three significant figures).

# %%
print(ch09.EX_BN)
my_grad, my_norm, my_lr_before, my_lr_after = None, None, None, None
ch09.check_bn_scale(my_grad, my_norm, my_lr_before, my_lr_after)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# (a) $L(cW) = L(W)$ for every $W$; differentiating in $W$ gives
# $c\,\nabla L(cW) = \nabla L(W)$, so $\lVert\nabla L(cW_t)\rVert = 0.5/4 =
# 0.125$: four times larger weights, a four times *smaller* gradient (not
# larger, and not $1/c^2$). (b) The step $-\eta g$ is orthogonal to $W_t$
# ($W\cdot\nabla L = 0$), so the squared lengths add:
# $\lVert W_{t+1}\rVert^2 = 4 + 0.1^2\cdot0.5^2 = 4.0025$ and
# $\lVert W_{t+1}\rVert \approx 2.0006$. Adding lengths, $2 + 0.05$, treats
# $W$ and $g$ as parallel; $\sqrt{4 + 0.05}$ adds the step's length where its
# square belongs; "unchanged" is right only to first order in $\eta$.
# (c) Before: $0.1/2^2 = 0.025$; after: $0.1/8^2 \approx 0.00156$, $c^2 = 16$
# times smaller. The gradient is $c$ times shorter and $W$ is $c$ times
# longer, so the same step turns the direction $W/\lVert W\rVert$ $c^2$ times
# less. The answer to the interview question: rescaling a layer that feeds
# BN changes nothing the net computes, only that layer's learning rate (which
# is also all that weight decay on it does).
# </details>
#
# ## Summary
#
# * Internal covariate shift can be measured as the drift of each layer's
#   input distribution (here W1 between probe activations 20 steps apart) or,
#   after Santurkar et al., as the change of a layer's gradient when the
#   layers below update.
# * Without BN the inputs drift, more in deeper layers; BN cuts the drift
#   9-11 times relative to the spread of the inputs.
# * Noisy BN, with more drift than no BN at all and, with its noise redrawn,
#   less steady layer gradients, keeps BN's benefit where BN makes the
#   difference: on a sigmoid net that does not leave chance without BN in 300
#   steps, and on a ReLU net at a learning rate (1.0) where the net without
#   BN fails. On the ReLU net at a small rate, where BN only speeds training
#   up, noisy BN keeps part of the speed-up. Removing distributional ICS is
#   not why BN helps.
# * What BN and noisy BN share is a smoother loss along the gradient
#   (effective β about 11 times smaller than without BN after 100 steps, no
#   wall at a few times the learning rate): consistent with Santurkar et
#   al.'s explanation, measured here alongside the training, not proven to
#   cause it.
# * BN makes the loss invariant to the scale of the weights that feed it
#   (exactly with $\epsilon = 0$): their gradient is orthogonal to them, so
#   plain SGD can only grow their norm, and the effective learning rate
#   $\eta/\lVert W\rVert^2$ falls; weight decay on such weights sets that rate
#   and leaves the function alone (E9.4 works this through on numbers).
#
# **What the sources still do better.** Santurkar et al. run these tests on
# VGG nets on CIFAR-10 and on deep linear nets, over a range of learning
# rates and at every training step, and add a theory of why BN (and $\ell_p$ normalisations, which
# also help without any promise about distributions) improves the
# Lipschitzness of the loss; Ioffe & Szegedy's paper shows the drift of
# sigmoid inputs on MNIST with BN's speed-up on ImageNet. This chapter shows
# the same effects on a net small enough to rerun in seconds, with the
# spread over seeds, and lets you move through the measurements yourself.
