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
# # 07 · Normalisation layers: BN, LN, IN, GN, WN and LRN, side by side
#
# A normalisation layer rescales the numbers flowing through a net so that
# they keep a fixed mean and spread, whatever the weights before it do. The
# layers differ in *which numbers* they average over: the examples of a
# batch (batch norm), the features of one example (layer norm), the pixels
# of one channel (instance norm), a group of channels (group norm), or no
# activations at all but the weights (weight norm). Local response
# normalisation, AlexNet's layer, divides each channel by its neighbours'
# energy. This chapter builds each one in `dlcore`, derives batch norm's
# backward pass, and measures on the 8×8 digits what the popular notes claim
# about them: faster training, larger learning rates, trouble with small
# batches, the need to shuffle, the cost of weight norm, the "competition"
# of LRN.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 7.1 | What does batch norm compute, step by step, and what changes between training and evaluation (running averages, momentum, biased or unbiased variance, a batch of one)? | BN 的计算流程是什么？训练和推理时有什么不同（滑动平均、动量、有偏/无偏方差、批大小为 1）？ |
# | 7.2 | What is batch norm's backward pass in closed form? | BN 的反向传播闭式解是什么？ |
# | 7.3 | Why does BN speed up training? (the BN paper's first figure on the digits) | BN 为什么能加快训练？（在 digits 上重现 BN 论文的第一张图） |
# | 7.4 | Does BN let us use larger learning rates, and why? | BN 真的能用更大的学习率吗？为什么？ |
# | 7.5 | Before or after the nonlinearity? And why must the data be shuffled? | BN 放在激活函数之前还是之后？为什么训练前必须充分打乱数据？ |
# | 7.6 | Layer, instance and group norm: what do they average over, and what happens to BN and GN as the batch shrinks? | LN、IN、GN 各在哪些维度上求均值方差？批变小时 BN 与 GN 的表现如何？ |
# | 7.7 | Weight norm against batch norm: batch dependence, noise, cost, initialisation | 权重归一化与批归一化比较：是否依赖批、噪声、计算开销、初始化 |
# | 7.8 | What does local response normalisation do, with which parameters, and why did BN replace it? | 局部响应归一化（LRN）做了什么？参数是什么？为什么后来被 BN 取代？ |
#
# Every number in the text is printed by a cell of this notebook. Claims about
# training are over 5 seeds (3 where a sweep would not fit the chapter's 30 s;
# the text says where, and the tests run the full sweeps over 5 seeds).

# %%
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

import dlcore
from dlcore.exercises import ch07
from dlcore.experiments import batchnorm as bnx
from dlcore.experiments import lrn
from dlcore.experiments import norm_weight as nw
from dlcore.experiments.common import SEEDS, over_seeds, pm
from dlcore.experiments.norm_batch import conv_sweep_table, norm_batch_run, norm_batch_sweep
from dlcore.experiments.norm_sorted import sorted_bn_diagnosis
from dlcore.experiments.norm_training import lr_sweep, norm_run, step_cost
from widgets.ch07_batchnorm import BNStepsExplorer, bn_batch
from widgets.ch07_lrn import LRNExplorer, lrn_result
from widgets.ch07_panels import plot_curves, plot_lr_sweep, plot_lrn
from widgets.ch07_weightnorm import NormCurvesExplorer
from widgets.ch07_plots import plot_batch_size, plot_bn_paper, plot_bn_steps
from widgets.notebook import setup

setup(precision=4)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 7.1 Batch norm, step by step
#
# **Intuition.** A unit's input $x$ (one feature, one column of the layer's
# output) takes a value per example. Over a batch of $B$ examples these values
# have a mean and a spread that drift as the weights before the unit change.
# Batch norm removes both, then gives the unit a learned mean and spread back.
#
# **The algorithm** (Ioffe & Szegedy 2015), for each feature separately, on a
# batch $x_1,\dots,x_B$:
#
# $$\mu = \frac1B\sum_{i=1}^B x_i,\qquad
#   \sigma^2 = \frac1B\sum_{i=1}^B (x_i-\mu)^2,\qquad
#   \hat x_i = \frac{x_i-\mu}{\sqrt{\sigma^2+\varepsilon}},\qquad
#   y_i = \gamma\,\hat x_i + \beta .$$
#
# $\varepsilon$ (`1e-5`) keeps the division finite; $\gamma$ and $\beta$ are
# learned, one pair per feature. With $\gamma = \sqrt{\sigma^2+\varepsilon}$ and
# $\beta = \mu$ the layer is the identity (with the population statistics, as
# in the paper; in training mode $\mu$ and $\sigma$ change with every batch,
# so it is the identity only on average), so normalising takes nothing
# away from what the net can represent: it changes how the net is
# *parametrised* (the mean and spread are now two parameters, not a
# consequence of all the weights before).
#
# `bnx.bn_steps` computes every stage for a batch and checks the result
# against `dlcore.BatchNorm1d` (in the figure the horizontal bar is the batch
# mean and the vertical segment $\mu\pm\sigma$):

# %%
X8 = bn_batch(8, mean=3.0, spread=2.0, seed=0)[:, :1]     # one feature, 8 examples drawn from N(3, 2²)
st = bnx.bn_steps(X8, gamma=1.5, beta=-0.5)
print("batch      ", np.round(st["x"][:, 0], 3))
print(f"mean {st['mean'][0]:.4f}, variance (biased, /B) {st['var'][0]:.4f}, (unbiased, /(B-1)) {st['var_unbiased'][0]:.4f}")
print("x̂          ", np.round(st["xhat"][:, 0], 3))
print(f"x̂: mean {'0 up to rounding' if abs(st['xhat'].mean()) < 1e-12 else st['xhat'].mean()}, "
      f"variance {st['xhat'].var():.6f} (= σ²/(σ²+ε))")
print("y = γx̂ + β ", np.round(st["y"][:, 0], 3))
same = np.max(np.abs(st["y"] - st["library"])) < 1e-12
print("dlcore.BatchNorm1d gives", "the same output (difference < 1e-12)" if same else "a different output")
plot_bn_steps(st)
plt.show()

# %% [markdown]
# **Training vs evaluation.** At test time there may be one example, and its
# prediction must not depend on which other examples happen to be in its
# batch. So in training mode BN also keeps *running averages* of the batch
# means and variances,
#
# $$\mu_{run} \leftarrow (1-m)\,\mu_{run} + m\,\mu,\qquad
#   \sigma^2_{run} \leftarrow (1-m)\,\sigma^2_{run} + m\,\tfrac{B}{B-1}\sigma^2,$$
#
# with momentum $m = 0.1$ (PyTorch's convention and `dlcore`'s; Keras writes
# the same average as `momentum=0.99`, the weight of the *old* value), and in
# evaluation mode it normalises with $\mu_{run}$ and $\sigma^2_{run}$, a fixed
# affine map. The running variance uses the *unbiased* batch variance
# $\frac{B}{B-1}\sigma^2$: the biased one underestimates the true variance by
# the factor $(B-1)/B$, which matters at small batches. We feed 300 batches of
# 200 features drawn from $\mathcal N(2, 9)$ and average the last 100 values of
# the running statistics, 5 seeds:

# %%
for B in (2, 4, 16):
    rs = over_seeds(bnx.running_stats, batch_size=B, steps=300)
    print(f"B = {B:2d}: running mean {pm(rs['mean_run'][:, -100:].mean(1))}, running variance: unbiased update "
          f"{pm(rs['var_run'][:, -100:].mean(1))}, biased update {pm(rs['var_run_biased'][:, -100:].mean(1))} "
          f"(9 (B-1)/B = {9 * (B - 1) / B:.2f})")

# %% [markdown]
# **A batch of one.** With $B = 1$, $x_1 - \mu = 0$: every output is $\beta$,
# whatever the input, and the gradient through $\hat x$ is zero. A BN layer in
# training mode cannot learn from one example, so `dlcore` refuses (as PyTorch
# does), and says what to use instead:

# %%
try:
    dlcore.BatchNorm1d(3).forward(np.ones((1, 3)), training=True)
except ValueError as err:
    print(type(err).__name__ + ":", err)
print("evaluation mode is fine:", dlcore.BatchNorm1d(3).forward(np.full((1, 3), 5.0), training=False))

# %% [markdown]
# **Explore.** Move the batch's mean and spread: $\hat x$ does not move
# (normalisation removes both); γ and β then set the output's spread and mean.
# At $B = 2$ the two normalised values are always $\pm1$ (a little less, by
# ε's share). The diamond is the running mean after this one step from 0 and
# the hollow circles what evaluation mode would output with the running
# averages: far from the training outputs after one step, equal to them only
# with momentum 1 (and then only up to the unbiased/biased factor).

# %%
# NBVAL_IGNORE_OUTPUT
BNStepsExplorer()

# %% [markdown]
# **What to notice.** Training mode normalises with the batch's own
# statistics, evaluation mode with running averages that lag behind the
# weights by about $1/m = 10$ steps. The two agree only when the batches are
# representative of the data and the weights change slowly; section 7.5 breaks
# the first condition on purpose, and finds that unrepresentative batches do
# their harm during training, not through the running averages.
#
# ## 7.2 The backward pass in closed form
#
# Let $g_i = \partial L/\partial y_i$ (one feature; every sum runs over the
# batch). Then $\partial L/\partial\gamma = \sum_i g_i\hat x_i$,
# $\partial L/\partial\beta = \sum_i g_i$, and $\partial L/\partial\hat x_i = \gamma g_i$.
# The trap is that $\mu$ and $\sigma$ depend on *every* $x_i$. Write
# $s = \sqrt{\sigma^2+\varepsilon}$. From $\partial\mu/\partial x_j = 1/B$ and
# $\partial\sigma^2/\partial x_j = \frac2B(x_j-\mu)$ (the term through $\mu$
# vanishes because $\sum_i(x_i-\mu)=0$):
#
# $$\frac{\partial\hat x_i}{\partial x_j}
#   = \frac{\delta_{ij} - 1/B}{s} - \frac{(x_i-\mu)}{s^3}\cdot\frac{x_j-\mu}{B}
#   = \frac1{s}\Big(\delta_{ij} - \frac1B - \frac{\hat x_i\hat x_j}{B}\Big).$$
#
# Summing $\gamma g_i\,\partial\hat x_i/\partial x_j$ over $i$:
#
# $$\boxed{\;\frac{\partial L}{\partial x_j} = \frac{\gamma}{B\,s}
#   \Big(B\,g_j - \sum_i g_i - \hat x_j\sum_i g_i\hat x_i\Big)\;}$$
#
# Two consequences can be read off: $\sum_j \partial L/\partial x_j = 0$ (adding a
# constant to every $x_j$ changes nothing, so the gradient has no component
# along $(1,\dots,1)$), and, since $\sum_j\hat x_j^2 = B\sigma^2/s^2$,
# $\sum_j \hat x_j\,\partial L/\partial x_j = \gamma\,\varepsilon\sum_i g_i\hat x_i/s^3$:
# zero for $\varepsilon = 0$ (scaling the centred batch changes nothing), and of
# relative size $\varepsilon/\sigma^2$ with it. We check the formula
# against the library's backward and against finite differences, in float64:

# %%
rng = np.random.default_rng(1)
x, g = rng.normal(1.0, 2.0, (6, 3)), rng.normal(size=(6, 3))
gamma = np.array([0.5, 1.0, 2.0])
layer = dlcore.BatchNorm1d(3)
layer.params["gamma"][:] = gamma
layer.forward(x, training=True)
lib = layer.backward(g)
s = np.sqrt(x.var(0) + 1e-5)
xh = (x - x.mean(0)) / s
closed = gamma / (6 * s) * (6 * g - g.sum(0) - xh * (g * xh).sum(0))


def loss_of(xx):
    return float(np.sum(g * dlcore.BatchNorm1d(3).forward(xx, training=True) * gamma))


h = 1e-6
fd = np.zeros_like(x)
for idx in np.ndindex(*x.shape):
    e = np.zeros_like(x)
    e[idx] = h
    fd[idx] = (loss_of(x + e) - loss_of(x - e)) / (2 * h)
print(f"closed form vs library: rel. error {'< 1e-12' if np.abs(closed - lib).max() / np.abs(lib).max() < 1e-12 else 'LARGE'}")
print(f"closed form vs finite differences: rel. error {'< 1e-7' if np.abs(closed - fd).max() / np.abs(fd).max() < 1e-7 else 'LARGE'}")
print(f"column sums of dL/dx: {'0 up to rounding' if np.abs(lib.sum(0)).max() < 1e-12 else lib.sum(0)}")
dot, eps_term = (xh * lib).sum(0), gamma * 1e-5 * (g * xh).sum(0) / s ** 3
print(f"x̂ · dL/dx per column: largest {np.abs(dot).max():.0e}, not 0 but γ ε Σ g x̂ / s³ "
      f"{'(rel. difference < 1e-6)' if np.abs(dot - eps_term).max() < 1e-6 * np.abs(dot).max() else '(MISMATCH)'}")

# %% [markdown]
# **The same gradient, node by node.** If the closed form looks like magic,
# back-propagate through the forward pass as a graph of small steps (the way
# CS231n's assignment does it): $\mu = \frac1B\sum x$, $d = x - \mu$,
# $v = \frac1B\sum d^2$, $s = \sqrt{v + \varepsilon}$, $\hat x = d/s$,
# $y = \gamma\hat x + \beta$. Each step's local derivative is one line, and
# a node used twice ($d$ feeds both $v$ and $\hat x$; $x$ feeds both $\mu$ and
# $d$) adds the gradients arriving along each path:

# %%
bn_eps = 1e-5
bn_mu = x.mean(0)
bn_d = x - bn_mu
bn_v = (bn_d ** 2).mean(0)
bn_s = np.sqrt(bn_v + bn_eps)
bn_xhat = bn_d / bn_s
g_xhat = gamma * g                                  # y = γ x̂ + β
g_s = -(g_xhat * bn_d / bn_s ** 2).sum(0)           # x̂ = d / s, through s (summed over the batch)
g_d = g_xhat / bn_s                                 # x̂ = d / s, through d
g_v = g_s / (2 * bn_s)                              # s = sqrt(v + ε)
g_d = g_d + g_v * 2 * bn_d / len(x)                 # v = mean(d²): d's second path
g_mu = -g_d.sum(0)                                  # d = x − μ, through μ
g_x = g_d + g_mu / len(x)                           # d = x − μ and μ = mean(x): x's two paths
print(f"staged backward vs closed form: rel. error "
      f"{'< 1e-12' if np.abs(g_x - closed).max() / np.abs(closed).max() < 1e-12 else 'LARGE'}")

# %% [markdown]
# Collecting the staged terms gives the boxed formula in two lines. With
# $d = s\hat x$, the node $s$ receives $g_s = -\frac{\gamma}{s}\sum_i g_i\hat x_i$
# and $g_v = g_s/(2s)$, so $d$'s two paths add up to
# $g_{d,j} = \frac{\gamma g_j}{s} - \frac{\hat x_j}{Bs}\,\gamma\sum_i g_i\hat x_i$.
# The two paths of $x$ then subtract the mean, $g_{x,j} = g_{d,j} - \frac1B\sum_i g_{d,i}$,
# and since $\sum_i\hat x_i = 0$ the mean of $g_d$ is $\frac{\gamma}{Bs}\sum_i g_i$:
# $g_{x,j} = \frac{\gamma}{Bs}\big(Bg_j - \sum_i g_i - \hat x_j\sum_i g_i\hat x_i\big)$,
# the box. Both need the same two sums over the batch; the closed form is
# what a library keeps because it makes fewer element-wise passes and keeps
# no intermediate array but $\hat x$ (`BatchNorm1d.backward` is written that
# way). Timed on a batch of 256 × 100, each version given what the forward
# pass keeps ($d$ and $s$ for the staged one, $\hat x$ and $s$ for the closed
# form), 200 calls each, CPU time (it varies from run to run; the closed form
# was the faster by a factor of 1.4 to 2 when this was written):

# %%
# NBVAL_IGNORE_OUTPUT
def bn_staged(d, s, g, gamma):
    g_xhat = gamma * g
    g_s = -(g_xhat * d / s ** 2).sum(0)
    g_d = g_xhat / s + (g_s / (2 * s)) * 2 * d / len(d)
    return g_d - g_d.sum(0) / len(d)


def bn_closed(xh, s, g, gamma):
    B = len(xh)
    return gamma / (B * s) * (B * g - g.sum(0) - xh * (g * xh).sum(0))


bn_x, bn_g = rng.normal(size=(256, 100)), rng.normal(size=(256, 100))
bn_d = bn_x - bn_x.mean(0)
bn_s = np.sqrt((bn_d ** 2).mean(0) + 1e-5)
bn_args = {"staged": (bn_staged, bn_d), "closed": (bn_closed, bn_d / bn_s)}
bn_times = {}
for name, (f, first) in bn_args.items():
    t0 = time.process_time()
    for _ in range(200):
        f(first, bn_s, bn_g, 1.5)
    bn_times[name] = time.process_time() - t0
same = np.allclose(bn_staged(bn_d, bn_s, bn_g, 1.5), bn_closed(bn_d / bn_s, bn_s, bn_g, 1.5))
print(f"staged {bn_times['staged'] * 5:.2f} ms per call, closed form {bn_times['closed'] * 5:.2f} ms "
      f"(same result: {same})")

# %% [markdown]
# **What to notice.** The naive backward $\gamma g_j/s$ (treating $\mu$ and
# $\sigma$ as constants) is what you get if you forget that the statistics
# come from the batch; it is wrong by the two projection terms, which remove
# from the gradient exactly the directions the normalisation makes invisible
# (a shift and a scale of the batch). Exercise E7.2 asks for this function.
#
# ## 7.3 Why BN speeds up training: the BN paper's first figure on the digits
#
# Ioffe & Szegedy's first figure trains a 3-hidden-layer net of 100 sigmoid
# units on MNIST with and without BN, and plots the test accuracy and the
# 15th, 50th and 85th percentiles of one last-hidden-layer unit's input over
# training. We do the same on the digits: 64-100-100-100-10, sigmoid, Xavier
# initialisation, SGD at $\eta = 0.5$ on batches of 60, BN before each sigmoid.
# Figure: seed 0 over 400 steps; the numbers below it: 5 seeds at 200 steps.

# %%
paper = {"bn": bnx.bn_paper_run(True, steps=400), "plain": bnx.bn_paper_run(False, steps=400)}
plot_bn_paper(paper)
plt.show()
bn200, plain200 = (over_seeds(bnx.bn_paper_run, bn=b, steps=200) for b in (True, False))
print(f"val. accuracy after 200 steps: with BN {pm(bn200['final_acc'])}, without {pm(plain200['final_acc'])}")
spread = {k: (r["q85"] - r["q15"])[:, -1] for k, r in (("bn", bn200), ("plain", plain200))}
print(f"15-85 % range of the unit's input at step 200: with BN {pm(spread['bn'])}, without {pm(spread['plain'], 3)}")

# %% [markdown]
# **What to notice.** Without BN the sigmoid net sits at chance for 200 steps
# or more (about 300 on seed 0): the input of the last layer's unit has collapsed to a narrow band
# (its 15-85 % range is a few hundredths), so the unit says nearly the same
# thing for every image, and the gradient that reaches the first layers is
# tiny (chapter 02's vanishing gradient: the backward pass multiplies it at
# each layer by $W^\top\mathrm{diag}(\sigma')$, with $\sigma' \le \frac14$). With BN the same unit's input keeps a spread of order 1 from the
# first step: BN holds every pre-activation at mean β and spread γ, in the
# range where $\sigma'$ is not small, and the net learns at once.
#
# **How this differs from the paper's figure.** In Ioffe & Szegedy's Figure 1
# the baseline *trains*, only more slowly and to a lower accuracy, and the
# percentile panels contrast a baseline whose distribution drifts over
# training with a BN net whose distribution stays put. Ours does not show
# that: our plain net is stuck at $\eta = 0.5$ (a saturation failure: its
# three percentiles lie almost on top of each other until it starts to learn,
# around step 300), and it is the *BN* net's percentiles that drift (on seed
# 0 the median from 0 to about 0.4, the 15th and 85th percentiles from ±1 to
# about −1.5 and 1.4), as γ and β learn. What the figure shows is
# narrower: BN keeps the units out of saturation. (In the right panel the
# thin lines are the 15th and 85th percentiles, the thick one the median;
# without BN the three coincide.)
#
# Whether this is *because* BN removes "internal covariate shift" (the drift of
# each layer's input distribution) is a separate question; chapter 09 tests it.
#
# ## 7.4 Larger learning rates
#
# **Why BN should tolerate them.** For a layer $z = xW$ followed by BN, scaling
# the weights by $a > 0$ scales $z$, its batch mean and its batch standard
# deviation by $a$, so $\hat z$ and the loss are unchanged: $L(aW) = L(W)$.
# Differentiating in $a$ at $a = 1$ gives $\langle W, \nabla_W L\rangle = 0$:
# the gradient is orthogonal to $W$. Differentiating $L(aW) = L(W)$ in $W$
# gives $\nabla L(aW) = \frac1a\nabla L(W)$. So (i) a gradient step can only
# *increase* $\lVert W\rVert$ (it adds an orthogonal vector: Pythagoras), and
# (ii) the larger $\lVert W\rVert$, the smaller the change in *direction*,
# the only thing the loss sees: the effective step is $\eta/\lVert W\rVert^2$. A
# learning rate that is too large inflates $\lVert W\rVert$ and so lowers itself;
# the weights before a BN layer cannot blow the activations up. Weight norm
# has the same identities (section 7.7). (This is the argument of van
# Laarhoven 2017 and of Arora, Li & Lyu 2019, "auto rate-tuning". It assumes
# plain SGD without weight decay; with weight decay $\lVert W\rVert$ settles
# where the decay's shrinking balances the steps' growth, the usual regime in
# practice.)
#
# **Measured.** The 64-100-100-10 ReLU MLP with and without BN before each
# ReLU, 300 SGD steps of 32 (He initialisation), learning rates from 0.1
# to 10, 5 seeds each:

# %%
LRS = (0.1, 0.3, 1.0, 2.0, 10.0)
sweep = lr_sweep(norms=(None, "batch"), lrs=LRS, seeds=SEEDS)
def outcome(a):
    a = np.nan_to_num(a)                     # a diverged run counts as 0
    return pm(a) if a.min() > 0.9 else ("below 0.9" if a.max() < 0.9 else "mixed")


print("lr    " + "".join(f"{lr:>16g}" for lr in LRS))
for name in ("none", "batch"):
    print(f"{name:6s}" + "".join(f"{outcome(a):>16s}" for a in sweep["val_acc"][name]))
print("(5 seeds per cell; 'below 0.9': every seed below 0.9, diverged runs counted as 0)")
plot_lr_sweep(sweep)
plt.show()

# %% [markdown]
# **What to notice.** Without BN this net trains at 0.1 and 0.3 and fails from
# 1 on; with BN every rate up to 2 gives over 0.9 on every seed, a range about
# seven times wider. Beyond that BN reaches its own edge: at $\eta = 3$ it still
# trains, but from 0.92 to 0.98 depending on the seed and the BLAS kernel
# (tests/test_ch07_experiments.py records the spread), so the table stops at
# 2; at 10 it fails too. Chapter 09 §9.6 measures why, on its deeper net
# (64-100×4-10, batches of 64): the layers before each BN do slow themselves
# down (their $\lVert W\rVert^2$ grows 1.6 to 2.8-fold in the first step), but the
# last, plain Linear layer and BN's $\gamma$, which the scale invariance does not
# cover, blow up (the last layer's $\lVert W\rVert^2$ 20 to 2600-fold and the
# largest $\gamma$ from 1 to between 4 and 120 in 20 steps), and the loss stays
# near chance.
# At the rates where both train BN's net is only slightly better, and each BN
# step costs more (section 7.7 measures it). (At $\eta = 1$ the plain net is on
# the edge: its accuracy ranges from chance to about 0.9 over seeds and BLAS
# kernels, so the table only says "below 0.9".)
#
# ## 7.5 Where to put it, and why shuffling matters
#
# **Before or after the nonlinearity?** The BN paper normalises the affine
# output $z = xW + b$ *before* the nonlinearity (and drops $b$: β replaces
# it); many implementations put it after. The two notes this chapter draws its
# questions from disagree with each other on this. Measured on the same MLP,
# $\eta = 0.1$, 300 steps, 5 seeds:
#
# **Shuffling.** BN's statistics are those of the batch. If a batch holds one
# or two classes only (the training set sorted by class and cut in order, the
# last thing one should do), every unit's batch mean is the mean of one class.
# The same 300 steps on the class-sorted training set, with BN, LN and no norm:

# %%
place = {p: over_seeds(norm_run, norm="batch", lr=0.1, placement=p)["val_acc"] for p in ("before", "after")}
print(f"BN before ReLU {pm(place['before'])}, after ReLU {pm(place['after'])}")
order = {(n, o): over_seeds(norm_run, norm=n, lr=0.1, order=o)["val_acc"]
         for n in ("batch", "layer", None) for o in ("shuffled", "sorted")}
for n in ("batch", "layer", None):
    print(f"{str(n or 'none'):6s} shuffled {pm(order[(n, 'shuffled')])}, class-sorted {pm(order[(n, 'sorted')])}")

# %% [markdown]
# **What to notice.** Before or after the ReLU makes no difference here (the
# two are within each other's spread). Class-sorted batches hurt every net
# (each step pulls towards one class, so the last classes seen win), but BN
# is hit hardest: it ends at about 0.2, far below the plain net on the same
# sorted stream.
#
# **Why BN is hit hardest.** The obvious suspect is evaluation mode: the
# running averages are those of the last classes seen, so the validation
# digits would be normalised with statistics that fit none of them. We test
# that directly (`norm_sorted.sorted_bn_diagnosis`, the same runs, 5 seeds):
# evaluate each trained net again (a) with its running statistics recomputed
# on the whole, mixed training set, and (b) on the validation set in training
# mode, normalised with its own (mixed) statistics; and (c) train a copy from
# the same initialisation on the same sorted batches with BN's statistics
# frozen at mean 0, variance 1 (`FixedStatsBatchNorm1d`: only γ and β act).

# %%
diag = over_seeds(sorted_bn_diagnosis)
print(f"class-sorted BN, as trained {pm(diag['as_trained'])};  (a) statistics recomputed on the mixed "
      f"training set {pm(diag['recomputed'])};  (b) validation set with its own statistics {pm(diag['own_batch'])}")
print(f"(c) trained with the statistics frozen at 0 / 1: {pm(diag['fixed_stats'])}")
print(f"at initialisation, share of a first-layer unit's variance that lies between the classes: "
      f"{pm(diag['between_share'], 3)} (median over units)")

# %% [markdown]
# **What to notice.** Correct statistics at test time change nothing: the net
# itself has learned badly, and the running averages are not the cause. With
# the statistics frozen, the same sorted stream gives about what the plain net
# and LN give: the damage is done by the *per-batch* statistics during
# training. Section 7.2's backward says how. BN subtracts each unit's batch
# mean, and in a batch of one class that mean *is* the class signal: at
# initialisation about 40 % of a first-layer unit's variance lies between the
# classes, and a class-pure batch removes all of it. The gradient through BN
# has no component along the batch mean (the columns of $\partial L/\partial x$
# sum to 0), so from class-pure batches the layers before BN cannot learn
# what tells one class from another; what can follow the current class is
# only what comes after the last BN (the output layer, its bias in
# particular: our reading, not measured). Shuffle before BN.
#
# The BN paper's own remark on shuffling is about something milder: with
# batches already mixed, Ioffe & Szegedy shuffled "more thoroughly", so that
# the same examples do not always appear in a mini-batch *together*, and
# gained about 1 % of validation accuracy, which they read as BN acting as a
# regulariser (each example's output depends on different companions in each
# epoch). More generally BN couples the examples of a batch: what a unit can
# learn from a batch depends on its companions, so batches must be
# representative of the data (a batch of near-duplicates has the same
# problem as a sorted one).
#
# ## 7.6 Layer, instance and group norm; BN and GN as the batch shrinks
#
# For an activation tensor of shape $(N, C, H, W)$ (batch, channels,
# height, width) every one of these layers computes $\hat x = (x-\mu)/\sqrt{\sigma^2+\varepsilon}$
# and $y = \gamma\hat x + \beta$ with one $\gamma, \beta$ per channel. They
# differ in the set of entries a mean and variance are taken over:
#
# | layer | statistics over | depends on the batch? |
# |---|---|---|
# | batch norm (`BatchNorm2d`) | $N, H, W$ for each channel | yes |
# | layer norm (`LayerNorm`; `GroupNorm(1, C)` on images) | $C, H, W$ for each example | no |
# | instance norm (`InstanceNorm`) | $H, W$ for each example and channel | no |
# | group norm (`GroupNorm(G, C)`) | $C/G$ channels and $H, W$, for each example and group | no |
#
# So GN with one group is LN and GN with $C$ groups is IN; checked on a random
# tensor:

# %%
T = np.random.default_rng(2).normal(size=(3, 8, 4, 4))
ln_vs_gn1 = np.abs(dlcore.GroupNorm(1, 8).forward(T) - ((T - T.mean((1, 2, 3), keepdims=True))
                                                       / np.sqrt(T.var((1, 2, 3), keepdims=True) + 1e-5))).max()
in_vs_gn8 = np.abs(dlcore.GroupNorm(8, 8).forward(T) - dlcore.InstanceNorm(8).forward(T)).max()
print(f"GN(G=1) vs layer norm over (C, H, W): max difference {'< 1e-12' if ln_vs_gn1 < 1e-12 else ln_vs_gn1}")
print(f"GN(G=C) vs instance norm: max difference {'< 1e-12' if in_vs_gn8 < 1e-12 else in_vs_gn8}")

# %% [markdown]
# **What each was made for.** Layer norm (Ba, Kiros & Hinton 2016) was
# designed for recurrent nets, where BN is awkward: it would need separate
# statistics for every time step, sequences have different lengths (a test
# sequence longer than every training one has no statistics for its last
# steps, and the batch at late steps shrinks as short sequences end), and
# the statistics would couple the examples of a batch at every step. LN's
# statistics come from one example at one step, the same in training and at
# test time; it is now the default normalisation of transformers. Instance
# norm came from style transfer (Ulyanov et al. 2016), where each image's own
# contrast should be removed; group norm (Wu & He 2018) from detection and
# segmentation, where memory allows only one or two images per GPU. Salimans
# & Kingma proposed weight norm for the same reason as LN, plus one more: in
# reinforcement learning and generative models the noise of BN's batch
# statistics hurts (their argument; the notes' "BN is unsuitable for
# noise-sensitive settings and dynamic structures" is this, not something
# this chapter measures).
#
# **As the batch shrinks** (Wu & He 2018). BN estimates a mean and a variance
# from the batch; at $B = 2$ the estimate is two numbers, and the normalised
# values are $\pm1$ whatever the input. LN and GN never look at the other
# examples. We train the digits MLP (64-100-100-10, ReLU, the norm before each
# ReLU) for 4 epochs at batch sizes 2 … 128, the learning rate scaled with the
# batch ($0.1\,B/32$, as Wu & He do), with BN, LN, GN and no normalisation at
# all, 3 seeds per point here (the tests run 5; the band in the figure is the
# min-max over seeds):

# %%
MLP_NORMS = ("batch", "layer", "group", None)
bs = norm_batch_sweep(norms=MLP_NORMS, batches=(2, 8, 32, 128), seeds=(0, 1, 2), arch="mlp")
for name in ("batch", "layer", "group", "none"):
    print(f"{name:6s}" + "".join(f"  B={b}: {pm(a)}" for b, a in zip(bs["batches"], bs["val_acc"][name])))
print(f"BN at B = 2, the validation set normalised with its own statistics instead of the running averages: "
      f"{pm(bs['val_acc_batch']['batch'][0])}")
plot_batch_size(bs, norms=("batch", "layer", "group", "none"))
plt.show()

# %% [markdown]
# **What to notice.** Wu & He's shape, with a caveat they did not need. GN
# and LN are nearly flat (within about 0.03), BN is as good or better from
# $B = 8$ up and falls by about 0.2 at $B = 2$. But the plain net, with no
# normalisation at all, is as good as LN and GN at $B = 2$ and falls with $B$
# as they do: that slow fall is the fixed epoch budget (fewer steps at larger
# batches), not a property of LN or GN. So at $B = 2$ the problem is BN, not
# a lack of normalisation; from $B = 32$ up BN is the only one clearly above
# the plain net. Nor is BN's drop at $B = 2$ a matter of its running
# averages: normalising the validation set with its own (large-batch)
# statistics gains almost nothing. The net itself was trained badly. The noise BN
# injects can be measured directly: put one fixed digit into 100 random batches
# and look at how much its normalised value in the first layer moves with its
# companions (its spread across the batch is 1, so this is noise in units of
# the signal). 5 seeds:

# %%
for B in (2, 8, 32, 128):
    noise = over_seeds(nw.batch_dependence, norm="batch", batch_size=B)["noise_std"]
    print(f"B = {B:3d}: one example's BN output moves by {pm(noise)} with its batch;  × √B = {pm(noise * np.sqrt(B))}")
for n in ("layer", "weight"):
    v = over_seeds(nw.batch_dependence, norm=n, batch_size=8)["noise_std"].max()
    print(f"{n} norm at B = 8: {'0 up to rounding' if v < 1e-12 else v}")

# %% [markdown]
# The noise falls like $1/\sqrt B$ (the standard error of a mean of $B$
# values). At $B = 32$ it is a regulariser of about 0.2 of a unit's spread; at
# $B = 2$ it is almost as large as the signal.
#
# **Images.** On the convolutional net (`conv_net`: two blocks of 3×3
# convolution with 8 and 16 channels, norm, ReLU, 2×2 max-pooling)
# `BatchNorm2d` pools the statistics of each channel over $B\cdot H\cdot W$
# values, not $B$. The same protocol with BN, GN (4 groups), LN, IN and no
# norm, batch sizes 2 to 128, 5 seeds, takes about a minute of CPU, too long
# for this chapter: the cell below prints a stored run
# (`norm_batch.write_conv_sweep`, made on this machine's default BLAS kernel);
# tests/test_ch07_conv_sweep.py re-runs part of it and checks it, and every
# claim below, on every kernel.

# %%
for B in (2, 8):
    print(f"B = {B}: BatchNorm2d averages over {B * 8 * 8} values per channel in block 1, {B * 4 * 4} in block 2")
conv = conv_sweep_table()
for name in ("batch", "group", "layer", "instance", "none"):
    print(f"{name:8s}" + "".join(f"  B={b}: {pm(a)}" for b, a in zip(conv["batches"], conv["val_acc"][name])))
ax = plot_batch_size(conv, norms=("batch", "group", "layer", "instance", "none"))
ax.set_title("conv net: BN's statistics over B·H·W values (band: min-max over 5 seeds)", fontsize=9)
plt.show()

# %% [markdown]
# So on 8×8 digits BN does not degrade at $B = 2$ (0.95, as at $B = 8$ and
# 32): Wu & He's degradation needs statistics over few *values*, which is the
# MLP's case here and the case of detection and segmentation nets at one or
# two large images per GPU. On this net the four normalisations are within
# about 0.03 of each other from $B = 2$ to 32 (IN too, which Wu & He found
# clearly worse on ImageNet; we have not looked into why it is not here), and
# every one is above the plain net by 0.03 to 0.08. At $B = 128$ (34 steps at $\eta = 0.4$) every net
# suffers, the plain one most: that column measures the step budget, not the
# normalisations.
#
# ## 7.7 Weight norm against batch norm
#
# **The idea** (Salimans & Kingma 2016). Instead of normalising activations,
# write each unit's weight vector as a length times a direction,
# $w = g\,v/\lVert v\rVert$, and learn $g$ and $v$. Nothing depends on the
# batch, there is no running average, and a step costs a norm per unit.
#
# **The gradient.** With $\nabla_w L$ from backprop,
#
# $$\nabla_g L = \frac{v\cdot\nabla_w L}{\lVert v\rVert},\qquad
#   \nabla_v L = \frac{g}{\lVert v\rVert}\Big(I - \frac{vv^\top}{\lVert v\rVert^2}\Big)\nabla_w L .$$
#
# The projection makes $\nabla_v L \perp v$, so under plain gradient descent
# $\lVert v_{t+1}\rVert^2 = \lVert v_t\rVert^2 + \eta^2\lVert\nabla_v L\rVert^2$:
# $\lVert v\rVert$ never decreases, and the step this makes in $w$,
# $\eta\,(g/\lVert v\rVert)^2$ times the projected $\nabla_w L$, shrinks on its
# own as $\lVert v\rVert$ grows: the same mechanism as BN's in 7.4. Measured on a 64-50-10 tanh net with WN in the
# first layer, 30 full-batch steps at $\eta = 0.5$ (float64), 5 seeds:

# %%
ids = over_seeds(nw.wn_identities)
print(f"largest |cos(v, ∇v)| over units, steps and seeds: {'< 1e-14' if ids['cos_max'].max() < 1e-14 else ids['cos_max'].max()}")
pyth = np.abs(ids["norm_v"][:, 1:] - ids["predicted"]).max() / ids["norm_v"].max()
print(f"‖v‖ after each step vs sqrt(‖v‖² + η²‖∇v‖²): rel. difference {'< 1e-14' if pyth < 1e-14 else pyth}")
print(f"smallest change of any ‖v_j‖ in one step: {'≥ 0 (never decreases)' if np.diff(ids['norm_v'], axis=1).min() >= 0 else 'NEGATIVE'}; "
      f"growth of ‖v‖ over the 30 steps: ×{pm((ids['norm_v'][:, -1] / ids['norm_v'][:, 0]).mean(1), 3)} (mean over units)")

# %% [markdown]
# **Data-dependent initialisation.** WN does not hold the activations at a
# fixed scale during training; it only makes their scale a parameter, $g$.
# Salimans & Kingma set $g$ and $b$ once, from one batch, so that every unit's
# pre-activation has mean 0 and variance 1 on it: with $t = x\,v/\lVert v\rVert$,
# $g = 1/\sigma[t]$ and $b = -\mu[t]/\sigma[t]$ (`wn_init`, layer by layer).
# It is BN applied once, at step 0.
#
# **Measured**: validation accuracy over 300 steps of 32 at $\eta = 0.1$, the
# ReLU MLP with no norm, BN, WN with and without the data-dependent init (on
# 100 training digits); mean and min-max band over 5 seeds. Then $\eta = 1$:

# %%
curves = {"none": over_seeds(nw.wn_curves, norm=None), "batch": over_seeds(nw.wn_curves, norm="batch"),
          "weight": over_seeds(nw.wn_curves, norm="weight"),
          "weight_plain": over_seeds(nw.wn_curves, norm="weight", data_init=False)}
at50 = list(curves["none"]["step"][0]).index(50)
for k, r in curves.items():
    final = (pm(r["final_acc"]) if k != "weight" else
             "below the plain net's on average" if r["final_acc"].mean() < curves["none"]["final_acc"].mean() else "not below")
    print(f"{k:13s} val. acc. at step 50 {pm(r['val_acc'][:, at50])}, at step 300 {final};  "
          f"first layer's pre-activation std at step 0: {pm(r['init_std'])}")
plot_curves(curves)
plt.show()
for k, kw in (("batch", {}), ("weight", {}), ("weight_plain", {"data_init": False})):
    r = over_seeds(nw.wn_curves, norm="batch" if k == "batch" else "weight", lr=1.0, **kw)
    a = np.where(r["diverged"], 0.0, r["final_acc"])
    print(f"lr 1: {k:13s} " + (pm(a) if a.min() > 0.9 else
                               "diverged on every seed" if r["diverged"].all() else "every seed below 0.9"))
for d in (True, False):
    sc = over_seeds(nw.wn_step_scale, data_init=d)
    print(f"WN {'with' if d else 'without'} data init: g {pm(sc['g'])}, ‖v‖ {pm(sc['norm_v'])}, "
          f"(g/‖v‖)² {pm(sc['factor'])} (hidden layers 1 and 2)")

# %% [markdown]
# **What to notice.** The data-dependent init does what it says (pre-activation
# spread 1 on held-out digits too) and yet, with plain SGD at $\eta = 0.1$,
# WN trains much *slower* than the plain net at first, and ends lower on
# average (its final accuracy varies so much from seed to seed, and from one
# BLAS kernel to another, that we print only that). The last line says why: a step on $v$ moves $w$ by $\eta\,(g/\lVert v\rVert)^2$ times
# the projected gradient, and with the paper's $v\sim\mathcal N(0, 0.05^2)$
# ($\lVert v\rVert \approx 0.05\sqrt{n_{in}} = 0.4$) and the data init's $g$
# that factor is about a hundred in the first layer: plain SGD at
# $\eta = 0.1$ on a WN net is SGD at about 10 on the first layer's weights.
# (Salimans & Kingma train with Adam; with SGD one would rescale $v$ or lower
# $\eta$. What Adam changes is measured below.)
# At $\eta = 1$, WN with that init diverges on every seed where BN trains:
# weight norm makes the *weights'* scale a parameter, but it does not hold
# the *activations* at a fixed scale during training, and it gives none of
# BN's learning-rate tolerance. Without the data init ($g = 1$, factor about 6)
# WN trains about like the plain net.
#
# **With Adam, as in the paper.** Adam divides each coordinate's step by a
# running estimate of that coordinate's gradient size, so a step on $v$ has
# about the same size, $\eta$ per coordinate, however large $\nabla_v L$ is:
# the square in $(g/\lVert v\rVert)^2$ goes. What is left is best counted
# not in units of $w$ but as a turn of the direction $v/\lVert v\rVert$: a
# step of about $\eta$ in each of $n_{in}$ coordinates turns it by about
# $\eta\sqrt{n_{in}}/\lVert v\rVert$ radians, and the plain net's $w$ by about
# $\eta\sqrt{n_{in}}/\lVert w\rVert$. The length $g$ drops out: it scales a
# unit's pre-activation and the change of that pre-activation alike. With the
# paper's $v\sim\mathcal N(0, 0.05^2)$, $\lVert v\rVert \approx 0.4$, against
# $\lVert w\rVert \approx 1.4$ for the plain net's He init, so WN's first layer
# turns about 3.6 times as fast as the plain net's at the same $\eta$, with or
# without the data init (both start from the same $v$). Since the forward
# pass ignores $\lVert v\rVert$, its initial scale is a learning-rate knob,
# one per layer. The control that tests this: after the data init, rescale
# each unit's $v$ to $\lVert v\rVert = g$ (`wn_curves(v_norm="g")`): then
# $w = v$, the net computes exactly the same function, and its direction
# turns about 2.8 times *slower* than the plain net's (its $w$ is that much
# longer, $g \approx 3.9$). Measured with Adam at its usual
# $\eta = 10^{-3}$ (β = 0.9, 0.999), the same nets, inits and batches,
# 5 seeds; then $\eta = 10^{-2}$:

# %%
sc = over_seeds(nw.wn_step_scale)
print("first hidden layer: ‖v‖ " + pm(sc["norm_v"][:, 0]) + ", the plain net's ‖w‖ " + pm(sc["norm_w_plain"][:, 0])
      + f": under Adam WN's direction turns about ×{(sc['norm_w_plain'][:, 0] / sc['norm_v'][:, 0]).mean():.1f} as fast")
adam_runs = (("none", {"norm": None}), ("batch", {"norm": "batch"}), ("weight", {"norm": "weight"}),
             ("weight ‖v‖=g", {"norm": "weight", "v_norm": "g"}))
adam = {k: over_seeds(nw.wn_curves, optimizer="adam", lr=1e-3, **kw) for k, kw in adam_runs}
for k, r in adam.items():
    print(f"Adam 1e-3: {k:13s} val. acc. at step 50 {pm(r['val_acc'][:, at50])}, at step 300 {pm(r['final_acc'])}")
for k in ("none", "weight ‖v‖=g"):
    ahead = adam["weight"]["val_acc"][:, at50] - adam[k]["val_acc"][:, at50]
    print(f"  WN + data init minus {k} at step 50: {pm(ahead)} (ahead on {(ahead > 0).sum()} of {len(ahead)} seeds)")
adam2 = {k: over_seeds(nw.wn_curves, optimizer="adam", lr=1e-2, **kw) for k, kw in adam_runs if k != "batch"}
for k, r in adam2.items():
    print(f"Adam 1e-2: {k:13s} val. acc. at step 50 {pm(r['val_acc'][:, at50])}, at step 300 {pm(r['final_acc'])}")
for k in ("weight", "weight ‖v‖=g"):
    print(f"  {k} minus none at step 300: {pm(adam2[k]['final_acc'] - adam2['none']['final_acc'])} (paired by seed)")

# %% [markdown]
# **What to notice.** At $\eta = 10^{-3}$ WN with the data init is the
# fastest of the four at step 50 (ahead of the plain net on every seed, and of
# BN on average), and all four end within 0.02 of each other at step 300.
# But the same net with $\lVert v\rVert = g$, which computes the same function
# at step 0, loses all of that lead (it is level with the plain net at
# step 50, although its direction turns 2.8 times slower than the plain
# net's, so the data init is worth something): the lead is bound up with the
# 3.6 times larger turn rate of a small $v$, a larger effective learning rate,
# and is not the data init's alone. The plain net given a larger step,
# $\eta = 10^{-2}$, is at about 0.92 by step 50 too. At $\eta = 10^{-2}$ the
# same extra speed hurts: WN + data init ends below the plain net on average (by 0.012 to 0.025
# over 10 seeds, depending on the BLAS kernel: a small effect, hence the
# paired $m\pm s$ above), while with $\lVert v\rVert = g$ it ends level with
# it. So under Adam, "WN + data init" with the paper's small $v$ is a net
# that runs at a few times the nominal learning rate; the scale of $v$ at
# initialisation is the knob that sets it. With plain SGD the factor is
# $(g/\lVert v\rVert)^2$ instead, and the cure is the same: a rescaled $v$
# or a smaller $\eta$.
#
# **Explore** the learning rate and the budget (1 to 5 seeds; each new setting
# trains 4 nets per seed, about 0.1 s each).

# %%
# NBVAL_IGNORE_OUTPUT
NormCurvesExplorer()

# %% [markdown]
# **Cost per step.** One training step (forward, loss, backward, update) of the
# 64-100-100-10 MLP at $B = 64$, CPU time, median of 200 steps, relative to the
# plain net (timings vary from run to run; the ratios were about 1.4 for WN and
# 1.9 to 2 for LN and BN when this was written, on a 2-core machine):

# %%
# NBVAL_IGNORE_OUTPUT
base = step_cost(None)
print("time per step relative to no norm: " + ", ".join(f"{n} {step_cost(n) / base:.2f}x" for n in ("weight", "layer", "batch")))

# %% [markdown]
# WN is the cheaper of the two at this size (its extra work is one norm per
# unit of a 64×100 and a 100×100 matrix; BN's is several passes over a
# $64\times100$ activation in the forward and the backward pass). The saving is
# a constant factor per step; whether it pays depends on how many steps each
# needs (in the figure above BN's curve is the first to 0.9).
#
# ## 7.8 Local response normalisation
#
# **The formula.** AlexNet (Krizhevsky et al. 2012) divides the ReLU output
# $a_c$ of channel $c$ at each pixel by the energy of the $n$ channels around it:
#
# $$b_c = a_c\Big/\Big(k + \frac{\alpha}{n}\sum_{j=c-\lfloor n/2\rfloor}^{c+\lfloor(n-1)/2\rfloor} a_j^2\Big)^{\beta}.$$
#
# Parameters: $n$ (the window, TensorFlow's `depth_radius` $r$ gives
# $n = 2r+1$), the bias $k$, the scale $\alpha$ and the exponent $\beta$.
# AlexNet used $n = 5, k = 2, \alpha = 10^{-4}, \beta = 0.75$, with $\alpha$ *not*
# divided by $n$; PyTorch and `dlcore` divide by $n$, so AlexNet's setting is
# `alpha=5e-4` here (`lrn.ALEXNET`). There is nothing learned and no batch
# statistic. On a stack of 16 channels at one pixel, all at 2 except one at 10,
# with a large $\alpha = 1$ so that the effect is visible:

# %%
stack = lrn.lrn_stack(lrn.stack_profile(16, peak=10.0, level=2.0, where=8), size=5, alpha=1.0, beta=0.75, k=2.0)
print("input   ", np.round(stack["a"], 2))
print("factor  ", np.round(stack["factor"], 3))
print("output  ", np.round(stack["b"], 3))
print(f"library LocalResponseNorm: {'the same' if np.abs(stack['b'] - stack['library']).max() < 1e-12 else 'different'}")
print(f"a weak channel next to the strong one: {stack['b'][7]:.3f};  a weak channel far from it (channel 3, "
      f"nothing strong in its window): {stack['b'][3]:.3f}")
strong = {p: lrn.lrn_stack(lrn.stack_profile(16, peak=p, level=2.0, where=8), size=5, alpha=1.0, beta=0.75,
                           k=2.0)["b"][8] for p in (10.0, 20.0)}
print(f"the strong channel's own output: input 10 → {strong[10.0]:.3f}, input 20 → {strong[20.0]:.3f}")
plot_lrn(lrn_result(size=5, k=2.0, alpha=1.0, beta=0.75, peak=10.0, level=2.0))
plt.show()

# %% [markdown]
# **Lateral inhibition** (right): a strong channel divides its neighbours'
# output, as neurons inhibit their neighbours in the retina; a channel outside
# the window is not affected. This is AlexNet's "competition for big
# activities": a weak response next to a strong one comes out smaller than
# the same weak response elsewhere (0.18 against 0.52 above). But the left
# panel also shows what LRN does *not* do: the strong channel is divided by
# the *same* factor as its four neighbours (their windows hold the same big
# square), so within the window the ratios stay as they were (0.889/0.178 =
# 10/2), and relative to channels far away the strong one is *damped*, not
# boosted. With $\beta > \frac12$ its output is not even increasing in its
# input: for a large $a$ alone in its window, $b \approx a^{1-2\beta}(n/\alpha)^{\beta}$,
# which falls (the last line above: a stronger input gives a weaker output).
#
# **At AlexNet's parameters**, on the ReLU outputs of a conv layer on the
# digits (16 channels, He initialisation, all validation images), the factor
# barely varies:

# %%
fac = lrn.lrn_factor_on_digits()
print(f"factor: 1st percentile {fac['q01']:.4f}, median {fac['q50']:.4f}, 99th {fac['q99']:.4f};  "
      f"k^-β = {fac['k_beta']:.4f};  99th percentile of the activations {fac['act_q99']:.2f}")
fac1 = lrn.lrn_factor_on_digits(alpha=1.0)
print(f"with α = 1: factor from {fac1['q01']:.3f} to {fac1['q99']:.3f}")
lrn_runs = {n: over_seeds(lrn.lrn_conv_run, norm=n, lr=0.5, seeds=(0, 1, 2))["val_acc"] for n in ("lrn", None, "batch")}
print("conv net, LRN after each ReLU vs none vs BN, lr 0.5, 4 epochs, 3 seeds: "
      + ", ".join(f"{n or 'none'} {pm(a)}" for n, a in lrn_runs.items()))

# %% [markdown]
# **What to notice.** With $\alpha/n = 10^{-4}$ and activations of order 1,
# the sum in the denominator is negligible next to $k = 2$: LRN multiplies
# everything by $k^{-\beta} = 0.59$, a constant that the next layer's weights
# (or the learning rate) absorb. It acts only when $\frac{\alpha}{n}\sum a_j^2$
# is comparable to $k$, i.e. activations of about 60 at AlexNet's setting (five
# equal channels: $10^{-4}\cdot 5a^2 = 2$), the scale AlexNet's inputs (raw
# pixel values, mean subtracted, not rescaled) produced. On the conv net it trains
# like no normalisation; BN beats both. This is why LRN disappeared: VGG
# (Simonyan & Zisserman 2015) reported that LRN did not improve their
# ImageNet results but cost memory and time, and BN, which does fix the
# scale of every channel whatever the input, took its place.
#
# **Explore** $n$, $k$, $\alpha$, $\beta$ and the stack. With $\alpha = 10^{-4}$
# every factor is $k^{-\beta}$; with $\beta = 0$ LRN is the identity.

# %%
# NBVAL_IGNORE_OUTPUT
LRNExplorer()

# %% [markdown]
# ## Errata: the notes' claims, one by one
#
# > **Errata: "LRN makes large responses relatively larger and suppresses the
# > smaller ones".** Half right (section 7.8). The weak neighbours of a strong
# > channel are suppressed, relative to weak channels elsewhere (0.18 against
# > 0.52 in the stack above): that is AlexNet's "competition". The strong one is
# > not enhanced: it is divided by the same factor as its neighbours, so the
# > ratios inside the window do not change, and relative to channels outside
# > it the strong one is damped (for $\beta > \frac12$ a stronger input can
# > even give a weaker output). And at AlexNet's parameters on activations of
# > order 1 nothing happens at all: the factor is $k^{-\beta}$ everywhere.
#
# > **Errata: the LRN window "sums n/2 channels on each side, n + 1 points".**
# > In AlexNet's formula ($n = 5$) the sum runs from $c-\lfloor n/2\rfloor$ to
# > $c+\lfloor n/2\rfloor$: 5 channels, not 6 (clipped at the first and last
# > channel). "$n + 1$" holds only if $n/2$ means TensorFlow's `depth_radius`
# > $r$, and then the window is $2r+1$. Counted below: the channels whose
# > window contains one active channel.

# %%
one = lrn.lrn_stack(np.eye(16)[8], size=5, alpha=1.0)
print(f"n = 5: channel 8 alone active is in the window of {int(np.sum(one['window_sum'] > 0))} channels: "
      f"{np.flatnonzero(one['window_sum'] > 0).tolist()}")

# %% [markdown]
# > **Errata: "put BN before the nonlinearity" vs "BN comes after the hidden
# > layer's activation".** The notes say both. Section 7.5: both places train
# > equally well here; the BN paper chose *before*, for a reason about the
# > shape of the distribution of $xW$ that the measurement does not need.
#
# > **Errata: "BN fails at small batches".** True when the statistics come from
# > few values: the MLP at $B = 2$ (section 7.6). On images `BatchNorm2d` pools
# > the pixels too, and the conv net trains at $B = 2$ on the digits (0.95, like
# > GN, LN and IN). What matters is the number of values per statistic, and
# > whether they are independent.
#
# > **Errata: "BN forces each layer's input to the standard normal
# > $\mathcal N(0, 1)$".** It fixes two numbers per unit, the batch mean and
# > variance, not the shape of the distribution (a skewed or two-peaked input
# > stays skewed or two-peaked), and then γ and β, learned, move the mean and
# > variance away from 0 and 1 (section 7.3: the median of one unit's input
# > drifts from 0 to 0.4 during training).
#
# > **Errata: "BN disrupts the data so that a sample is not picked too often,
# > +1 %".** A garbled version of the BN paper's remark that shuffling the
# > training data *more thoroughly*, so that the same examples do not always
# > share a mini-batch, gained about 1 % of validation accuracy (section 7.5).
# > BN does not shuffle anything; it needs shuffled batches, and with
# > class-sorted ones it fails (0.2), for a reason in its backward pass.
#
# > **Errata: "weight norm needs no care with initialisation" / "WN is just a
# > cheaper BN".** It is cheaper per step (7.7), and has no batch noise. But it
# > does not hold the activations at a fixed scale; with plain SGD its
# > data-dependent init made training slower here, and it gave none of BN's
# > learning-rate tolerance (diverged at $\eta = 1$ where BN trains).
#
# > **Errata: "BN works by removing internal covariate shift".** Not tested
# > here; chapter 09 measures it. What this chapter shows is narrower and
# > solid: BN keeps pre-activations in a range where the sigmoid has slope (7.3)
# > and makes the loss invariant to the scale of the weights before it (7.4).
#
# ## Exercises
#
# **E7.1 BN forward by hand.** One feature of a batch of four takes the values
# `ch07.EX_BN_X`; the layer has γ = `ch07.EX_GAMMA`, β = `ch07.EX_BETA`,
# ε = `ch07.EX_EPS`. Compute the four outputs in training mode (three decimal
# places).

# %%
print("x =", ch07.EX_BN_X, " γ =", ch07.EX_GAMMA, " β =", ch07.EX_BETA, " ε =", ch07.EX_EPS)
my_y = None   # four numbers
ch07.check_bn_forward(my_y)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $\mu = (1+2+4+9)/4 = 4$; $\sigma^2 = (9+4+0+25)/4 = 9.5$ (biased: divide by
# $B$); $\sqrt{9.5+10^{-5}} = 3.0822$; $\hat x = (-0.973, -0.649, 0, 1.622)$;
# $y = 2\hat x + 0.5 = (-1.447, -0.798, 0.500, 3.744)$. With the unbiased
# variance ($38/3$) you would get $(-1.186, -0.624, 0.5, 3.310)$: that variance
# belongs in the running average, not in the normalisation.
# `ch07.bn_forward_answer()` computes it.
# </details>
#
# **E7.2 BN backward in closed form.** Write `bn_backward(dy, x, gamma, eps)`
# returning $\partial L/\partial x$ for a batch `x` of shape (N, C) in training
# mode, given `dy` $=\partial L/\partial y$. The checker compares it with
# `BatchNorm1d.backward` on three batches.

# %%
def bn_backward(dy, x, gamma, eps):
    return None   # your closed form


ch07.check_bn_backward(bn_backward)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Section 7.2's boxed formula, per column:
#
# ```python
# def bn_backward(dy, x, gamma, eps):
#     N = x.shape[0]
#     s = np.sqrt(x.var(0) + eps)
#     xhat = (x - x.mean(0)) / s
#     return gamma / (N * s) * (N * dy - dy.sum(0) - xhat * (dy * xhat).sum(0))
# ```
#
# The usual slips, which the checker names: only $\gamma\,dy/s$ (the
# statistics treated as constants), one of the two projection terms missing,
# the unbiased variance, sums over the features (axis 1) instead of the batch,
# a sign error in either term.
# </details>
#
# **E7.3 A normalisation for batch size 2.** You must train the digits MLP at
# $B = 2$ (memory is short). Choose a normalisation from `ch07.NORM_CHOICES`
# and justify it with a run: pass the five validation accuracies of
# `norm_batch_run(norm, 2, arch="mlp", rng=s)` for s = 0 … 4 (about 2 s).

# %%
my_norm = None   # e.g. "layer"
my_accs = None   # [norm_batch_run(my_norm, 2, arch="mlp", rng=s)["val_acc"] for s in range(5)]
ch07.check_norm_for_batch2(my_norm, my_accs)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Layer norm or group norm (or weight norm): their statistics come from one
# example, so $B = 2$ changes nothing, and they reach about 0.96, every seed
# above every BN seed (section 7.6). They lose nothing at $B = 2$, but
# neither does the plain net (about 0.95): what $B = 2$ breaks is BN, about
# 0.2 lower. BN at $B = 2$ normalises every unit to $\pm1$ whatever the input,
# so its batch statistics are mostly noise and the net is trained badly: the
# running averages are not the problem (with the validation set's own
# statistics it gains only about 0.015).
# </details>
#
# ## Summary
#
# * BN normalises each feature with the batch's mean and biased variance,
#   then scales and shifts by learned γ, β; evaluation mode uses running
#   averages (momentum 0.1, unbiased variance). A batch of one cannot be
#   normalised in training mode.
# * Its backward pass is $\frac{\gamma}{Bs}(Bg - \sum g - \hat x\sum g\hat x)$:
#   the naive $\gamma g/s$ minus the shift and scale directions.
# * On the BN paper's sigmoid net BN trains at once where the plain net sits
#   at chance: it keeps each unit's input spread. It makes the loss invariant
#   to the scale of the weights before it, which buys a wider range of
#   learning rates (up to 2, with 3 on the edge, instead of 0.3 here).
# * Placement before or after the ReLU: no difference here. Unshuffled,
#   class-sorted batches break BN (0.2, against 0.5 without a norm): each
#   batch's mean is then the class signal, and BN removes it from what the
#   layers before it can learn; recomputing the statistics for evaluation
#   does not help, freezing them during training does.
# * LN, IN, GN average over one example's features, pixels or channel groups;
#   they do not depend on the batch. At $B = 2$ on the MLP, BN loses about
#   0.2 of accuracy and GN/LN nothing; BN's batch noise falls like $1/\sqrt B$.
#   BatchNorm2d on images pools pixels and is fine at $B = 2$ here.
# * WN reparametrises $w = g\,v/\lVert v\rVert$: $\nabla_v \perp v$, $\lVert v\rVert$
#   grows, no batch noise, cheaper steps than BN, but no fixed activation
#   scale and no learning-rate tolerance; its data-dependent init is BN once.
#   Under Adam the direction $v/\lVert v\rVert$ turns by about
#   $\eta\sqrt{n_{in}}/\lVert v\rVert$ per step, so the initial $\lVert v\rVert$
#   is a learning-rate knob: the paper's small $v$ is what makes WN fast at
#   $\eta = 10^{-3}$ and worse than no norm at $10^{-2}$.
# * LRN divides by neighbouring channels' energy; at AlexNet's parameters and
#   normal activation scales it is a constant factor $k^{-\beta}$, and BN
#   replaced it.
#
# **What the references do better.** The BN paper's MNIST figure uses 50 000
# steps and a real test set; Wu & He's comparison is on ImageNet with ResNet-50,
# where BN's degradation at $B = 2$ is about 10 points of error and GN's curve
# is flat over a factor of 16 in batch size; d2l's BN chapter trains BN-LeNet
# (BN before each sigmoid) on Fashion-MNIST, from scratch and with the
# framework's layers, and discusses BN as a regulariser; Salimans & Kingma compare WN, BN and their
# "mean-only BN" on CIFAR-10 with Adam, where WN's init behaves better than
# with our plain SGD.
