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
# | 9.6 | What BN does and does not do, from the evidence | 综合证据：BN 做了什么，没做什么 |
#
# Every number in the text is printed by a cell of this notebook.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore.exercises import ch09
from dlcore.experiments import ics
from dlcore.experiments.common import CHANCE, pm
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
#   at every step (`NoisyBatchNorm1d`, Santurkar et al.'s §2 experiment).
#   At step $t$ the layer first draws its noise distribution, a mean shift
#   $m_t \sim U(-1, 1)$ and a scale range $r_t \sim U(1, 2)$, then per unit
#   $j$ a scale $s_j = r_t^{u_j}$ with $u_j \sim U(-1, 1)$ (between $1/2$ and $2$,
#   median 1) and a shift $c_j \sim N(m_t, 0.5^2)$, and outputs
#   $s_j\,\mathrm{BN}(x)_j + c_j$. In evaluation mode it is plain BN.
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
# All three train to about 97 %: the comparison that follows is between nets
# that learn, not between one that learns and one that is stuck.
#
# ## 9.2 The inputs do drift, most in the deep layers, and BN keeps them still
#
# The drift of each layer's input, W1 between the probe's activations 20
# steps apart, averaged over the units and the run; and, for scale, the
# typical spread (standard deviation) of a unit's input:

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
plot_drift(runs, layer=3, record=5, unit=1)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * Without BN the inputs drift, and the deeper the layer the more: 0.02
#   per 20 steps at weight layer 2, 0.14 at weight layer 5, because each
#   layer's input moves with every layer below it. Over the run, the last
#   layer's input moves by about its own spread (W1 from step 0 to 300
#   ≈ 0.7, spread ≈ 0.6). That is internal covariate shift, and it is real.
# * With BN the drift is 4-10 times smaller (0.006-0.014) and nearly the
#   same at every depth: BN does what it was designed to do. It is not zero:
#   $\gamma$ and $\beta$ are learned, and the batch statistics change.
# * Noisy BN has the largest drift of the three, about 0.5 per 20 steps at
#   every layer: 3-20 times that of no BN, 30-80 times that of BN. By
#   Ioffe & Szegedy's definition it has far more ICS than a net without any
#   normalisation.
#
# ### Explorer: a layer's input over training
#
# Pick the layer, the unit, and a step $t$; the info line gives each net's
# drift between $t-20$ and $t$.

# %%
# NBVAL_IGNORE_OUTPUT
DriftExplorer()

# %% [markdown]
# ## 9.3 How much a layer's gradient changes when the layers below update
#
# Santurkar et al.'s ICS, per weight layer (layer 1 has nothing below it),
# mean over the run:

# %%
print("                          " + row([f"weight layer {l + 2}" for l in range(4)]))
for name, key in (("cos(G, G')", "ics_cos"), ("|G - G'| / |G|", "ics_rel")):
    for k in ics.NETS:
        v = runs[k][key].mean(axis=1)
        print(f"{name:15s} {ics.NET_LABELS[k]:9s} " + row([pm(v[:, l]) for l in range(4)]))

# %%
plot_grad_shift(runs, layer=2)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * Without BN the gradient of a deep layer changes a lot when the layers
#   below take one step: at weight layer 5 its direction turns by about 80°
#   on average ($\cos \approx 0.2$), and the change is as large as the gradient
#   itself. The update layer 5 takes was computed for a net that, by the time
#   the step is applied, no longer exists.
# * With BN the same change is 2-4 times smaller, more so in the deeper
#   layers ($\cos \ge 0.95$ at every layer). In this MLP BN does reduce ICS
#   in Santurkar's sense too. (In their VGG on CIFAR-10 the BN nets had a
#   similar or larger gradient shift, and in deep *linear* nets a much larger
#   one; here it is the other way. A measurement of one net, not a law.)
# * Noisy BN, with 30-80 times BN's distribution drift, has a gradient shift
#   almost as small as BN's ($\cos$ 0.92-0.96). The two measures of ICS
#   disagree: what moves the distributions of noisy BN (a scale and shift
#   after normalisation, forgotten at the next step) barely moves the
#   gradients.
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
for name, rr in (("ReLU, lr 0.1", runs), ("sigmoid, lr 0.5", sig)):
    print(name)
    for k in ics.NETS:
        acc = rr[k]["val_acc"][:, -1]
        drift = np.nanmean(rr[k]["drift"], axis=(1, 2))
        stuck = int(np.sum(acc < CHANCE))
        note = f"   at chance in {stuck} of 5 seeds" if stuck else ""
        print(f"  {ics.NET_LABELS[k]:9s} accuracy {pm(acc)}   mean drift {pm(drift)}{note}")

# %%
plot_training(runs, sig)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * Noisy BN trains as well as BN: on the ReLU net 0.967 ± 0.008 against
#   0.973 ± 0.003 (no BN 0.966); on the sigmoid net 0.94 ± 0.05 against
#   0.963 ± 0.010 (its accuracy at the last step scatters more from seed to
#   seed, one seed lower than the others), where the net without BN does not
#   learn at all in 300 steps (at chance on
#   every seed; chapter 02 shows why the lower layers of a deep sigmoid net
#   barely move: their gradients vanish).
# * Its inputs drift more than those of any other net (right panel: the red
#   points are the furthest right), yet its accuracy is BN's, not no-BN's.
#   Accuracy does not follow the drift: the right panel has BN and noisy BN
#   at the top, 30 times apart on the drift axis, and no BN on the sigmoid
#   net at the bottom with *less* drift than noisy BN.
# * So, on these nets, **BN's benefit does not come from keeping the
#   distributions of the layer inputs still**. It survives the distributions
#   being shaken more than they ever shake without BN. This is Santurkar et
#   al.'s main experiment, reproduced.
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
# * the loss $L(\theta - \eta g)$ ("loss landscape variation": how much it
#   changes over the range), and
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
for name, f in (("loss range over η", lambda r: np.ptp(r["land_loss"], axis=2)),
                ("largest gradient change", lambda r: r["land_gdiff"].max(axis=2)),
                ("effective β", lambda r: r["land_beta"].max(axis=2))):
    for k in ics.NETS:
        v = f(runs[k])
        print(f"{name:23s} {ics.NET_LABELS[k]:8s}" + row([pm(v[:, c]) for c in range(len(steps))]))

# %%
for k in ics.NETS:
    L = runs[k]["land_loss"][:, 1]
    print(f"step 100, {ics.NET_LABELS[k]:9s} loss at η = 0.025: {pm(L[:, 0])}   at η = 1.6: {pm(L[:, -1])}")

# %%
plot_landscape(runs, checkpoint=1, eta=0.4)
plt.show()

# %% [markdown]
# **What to notice.**
#
# * At step 100, along the gradient, the loss of the net without BN is flat
#   for small steps and then climbs, from η ≈ 0.2 (twice the training rate)
#   on, to tens of times its value: a step a little too long lands on a
#   wall. The BN net's loss keeps falling over the whole range.
# * The gradient of the BN net changes more than 100 times less along the
#   same path (right panel, log scale), and its effective β is about 10
#   times smaller. The gradient measured at $\theta$ stays a good description
#   of the loss far from $\theta$: what lets BN nets take large steps.
# * Noisy BN lies in between, closer to BN than to no BN on the log scale. Its loss
#   is higher than BN's at every η (the frozen noise draw costs a little);
#   its landscape is smooth.
# * At step 0 BN and no BN are much closer (the loss range 1.7 for BN
#   against 2.5 ± 2.2 without; noisy BN, with its frozen noise draw, 5 ± 4):
#   BN's smoothing shows most once training has moved the weights, which is
#   where the net without BN develops its walls.
#
# ### Explorer: the loss and the gradient along the gradient
#
# Choose the training step and move the step size; the info line reads off
# each net's loss and gradient change at the measured η nearest the slider.

# %%
# NBVAL_IGNORE_OUTPUT
LandscapeExplorer()

# %% [markdown]
# ## 9.6 What BN does and does not do, from the evidence
#
# Each statement comes with the figure that shows it.
#
# | statement | evidence |
# |---|---|
# | Layer inputs drift during training, more in deeper layers (ICS exists). | 9.2, drift figure (no BN: 0.02 → 0.14 per 20 steps from layer 2 to 5) |
# | BN reduces that drift 4-10 times. | 9.2, drift figure (BN 0.006-0.014) |
# | Reducing the drift is **not** why BN helps: noisy BN has the most drift of all and trains as well as BN; without BN a sigmoid net does not train at all. | 9.4, training figure |
# | In this MLP, BN also keeps a layer's gradient steady when the layers below update ($\cos \ge 0.95$ vs 0.2-0.94), and noisy BN keeps most of that. Santurkar et al. found the opposite for their VGG and deep linear nets: this measure of ICS is not reliably reduced by BN. | 9.3, gradient-shift figure |
# | BN makes the loss along the gradient smoother: 100 times smaller gradient change, no wall at a few times the learning rate, and noisy BN keeps most of this. This is the property BN and noisy BN share, and the net without BN lacks. | 9.5, landscape figure |
# | What we have not shown: that smoothness *causes* the faster training (we measured it alongside), why it appears, or anything about conv nets, other data and larger learning rates. | — |
#
# The popular explanation gets one thing right: internal covariate shift
# exists, and BN reduces it. It gets the causation wrong: a network with
# more shift than any unnormalised one trains as well as BN, so the shift
# was not what held training back. What BN keeps, even under injected noise,
# is a well-behaved gradient: a smoother landscape along the direction the
# optimiser moves.
#
# ## Errata: the notes on internal covariate shift
#
# | the notes say | verdict here | measured in |
# |---|---|---|
# | BN works because it removes internal covariate shift | **not supported**: noisy BN has 30-80× BN's drift (3-20× no BN's) and the same accuracy | 9.4 |
# | each layer's input distribution changes as lower layers update, more so in higher layers | **true** (drift grows from layer 2 to layer 5 without BN) | 9.2 |
# | upper layers must keep re-adapting, which slows learning | **not supported as the mechanism**: re-adapting to noisy BN's shifting inputs costs nothing measurable; what differs between the nets is how steady and smooth the gradient is | 9.3-9.5 |
# | BN makes every layer's input the same distribution, N(0, 1) | **no**: BN fixes the batch mean and variance of the pre-activation *before* $\gamma$, $\beta$; the layer inputs (after ReLU) are not Gaussian, and they still drift, 4-10× less | 9.2 |
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
# $\beta_{\text{eff}} = 1.75$ (the largest ratio: the worst case along the
# line). Net A's raw changes are smaller only because its gradient is 8
# times shorter, so the same η moves it 8 times less far.
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
# ## Summary
#
# * Internal covariate shift can be measured as the drift of each layer's
#   input distribution (here W1 between probe activations 20 steps apart) or,
#   after Santurkar et al., as the change of a layer's gradient when the
#   layers below update.
# * Without BN the inputs drift, more in deeper layers; BN cuts the drift
#   4-10 times.
# * Noisy BN, with more drift than no BN at all, trains as well as BN, on a
#   ReLU net and on a sigmoid net that does not train without BN. Removing
#   distributional ICS is not why BN helps.
# * What BN and noisy BN share is a steadier gradient and a smoother loss
#   along the gradient (100 times smaller gradient change after a few
#   epochs, no wall at a few times the learning rate): consistent with
#   Santurkar et al.'s explanation, measured here alongside the training,
#   not proven to cause it.
#
# **What the sources still do better.** Santurkar et al. run these tests on
# VGG nets on CIFAR-10 and on deep linear nets, over a range of learning
# rates, and add a theory of why BN (and $\ell_p$ normalisations, which
# also help without any promise about distributions) improves the
# Lipschitzness of the loss; Ioffe & Szegedy's paper shows the drift of
# sigmoid inputs on MNIST with BN's speed-up on ImageNet. This chapter shows
# the same effects on a net small enough to rerun in seconds, with the
# spread over seeds, and lets you move through the measurements yourself.
