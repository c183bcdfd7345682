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
# # 06 · Batch size, measured
#
# Every training step averages the gradient over a *batch* of $B$ examples.
# The popular notes make many claims about the choice of $B$: that a larger
# batch "points more accurately", that a batch that is too small "does not
# converge", that a larger batch "needs more epochs", that "powers of two are
# faster", that Rprop "needs the full batch", that very large batches
# "generalise worse". This chapter measures each one on the 8×8 digits and
# on a two-weight regression, on this CPU, over five seeds, and says which
# hold, which hold only under a condition the notes leave out, and which do
# not show at all.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 6.1 | What does a mini-batch gradient estimate, and how noisy is it? | 小批量梯度估计的是什么？它有多大的噪声？ |
# | 6.2 | Does the noise fall like $1/B$, and does sampling with or without replacement matter? | 噪声是否按 1/B 下降？有放回与无放回抽样有区别吗？ |
# | 6.3 | Does a larger batch give a more accurate direction, and does that stop improving at some size? | 批越大，下降方向越准吗？大到一定程度方向就基本不变了吗？ |
# | 6.4 | Beyond which batch size does a larger batch stop saving steps? (the gradient noise scale) | 批大小超过多少后，再加大也几乎不能减少迭代步数？（梯度噪声尺度） |
# | 6.5 | Steps, epochs and time to a target accuracy against $B$, with the learning rate fixed, $\propto B$ and $\propto\sqrt B$: does a too small batch fail to converge, does a larger one need more epochs? | 达到同一精度所需的步数、epoch 数和时间怎样随 B 变化？学习率固定、线性放大、按 √B 放大各如何？批太小真的不收敛、批越大真的需要更多 epoch 吗？ |
# | 6.6 | Are powers of two faster? | 批大小取 2 的幂真的更快吗？ |
# | 6.7 | What does batch size 1 do on an elliptical error surface ("every example pulls its own way")? | B = 1 时在椭圆形误差面上怎么走？真的“各自为政、难以收敛”吗？ |
# | 6.8 | Why does Rprop need the full batch? | 为什么 Rprop 只适用于全批量？换成小批量会怎样？ |
# | 6.9 | Do very large batches generalise worse? | 批很大时泛化真的更差吗？ |
#
# Every number in the text is printed by a cell of this notebook.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore.exercises import ch06
from dlcore.experiments import batch_noise as bn
from dlcore.experiments import batch_outcomes as bo
from dlcore.experiments import batch_paths as bp
from dlcore.experiments import batch_training as bt
from dlcore.experiments.common import SEEDS, pm
from widgets.ch06_batch import BatchSweepExplorer, NoiseScatterExplorer, PathsExplorer, scatter_home
from widgets.ch06_plots import plot_noise, plot_paths, plot_rprop, plot_scatter, plot_step_times, plot_sweep
from widgets.notebook import setup

setup(precision=6)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 6.1 What a batch gradient estimates
#
# **Setting.** The training loss is a mean over the $N$ training examples,
# $L(\theta) = \frac1N\sum_{i=1}^N \ell_i(\theta)$, so its gradient is the mean
# of the per-example gradients, $G = \frac1N\sum_i g_i$ with
# $g_i = \nabla\ell_i$. A step on a batch $\mathcal B$ of $B$ examples uses
#
# $$g_B = \frac1B\sum_{i\in\mathcal B} g_i ,$$
#
# an estimate of $G$ that costs $B$ instead of $N$ examples. The full batch
# ($B = N$) is exact and expensive; $B = 1$ is cheap and noisy; everything
# this chapter measures follows from how noisy $g_B$ is, and what a step costs.
#
# **The model.** The digits net of the chapter: 64-32-10, ReLU, He
# initialisation, softmax cross-entropy, the book's 1079 training images
# ($N = 1079$, $P = 2410$ parameters). To measure the noise we need every
# $g_i$ exactly. For a Linear layer $z = hW + b$ the weight gradient of
# example $i$ is the outer product $h_i^\top \delta_i$ of the layer's input row
# and the gradient reaching its output, row $i$; one forward and one backward
# pass of the *summed* loss gives all the $\delta_i$ at once
# (`bn.per_example_grads`). Two checks: their mean is the library's batch
# gradient, and one row is that example's gradient computed alone.

# %%
state0 = bn.gradient_state(0, 0)
X, y, _, _ = bn.digits_data()
net = bn.digits_net(np.random.default_rng(3))
G5 = bn.per_example_grads(net, X[:5].astype(float), y[:5])
alone = bn.batch_grad(net, X[4:5].astype(float), y[4:5])
print(f"per-example gradients: {state0['G'].shape[0]} examples x {state0['G'].shape[1]} parameters")
print(f"mean of the rows vs the library's batch gradient: rel. difference "
      f"{'< 1e-12: the same' if state0['check'] < 1e-12 else state0['check']}")
err = np.linalg.norm(G5[4] - alone) / np.linalg.norm(alone)
print(f"row 4 vs example 4 alone: rel. difference {'< 1e-12: the same' if err < 1e-12 else err}")

# %% [markdown]
# ## 6.2 The noise falls like $1/B$, and a bit faster without replacement
#
# **Derivation.** Let $\Sigma = \frac1N\sum_i (g_i - G)(g_i-G)^\top$ be the
# covariance of the per-example gradients over the training set, and
# $\operatorname{tr}\Sigma = \frac1N\sum_i\lVert g_i - G\rVert^2$ their mean
# squared distance from $G$.
#
# *With replacement* the $B$ draws are independent, each with mean $G$ and
# covariance $\Sigma$, so the mean of $B$ of them has covariance $\Sigma/B$:
#
# $$E\lVert g_B - G\rVert^2 = \frac{\operatorname{tr}\Sigma}{B}.$$
#
# *Without replacement* (one shuffled epoch cut into batches, what
# `dlcore.fit` does) two different draws are negatively correlated: the
# deviations $g_i - G$ sum to zero over the training set, so
# $\operatorname{Cov}(g_{(1)}, g_{(2)}) = -\Sigma/(N-1)$. Summing the
# $B$ variances and $B(B-1)$ covariances and dividing by $B^2$:
#
# $$E\lVert g_B - G\rVert^2 = \frac{\operatorname{tr}\Sigma}{B}\Big(1 - \frac{B-1}{N-1}\Big)
#   = \frac{N-B}{N-1}\cdot\frac{\operatorname{tr}\Sigma}{B},$$
#
# the finite-population correction of survey sampling: 0 at $B = N$ (the
# batch *is* the training set), half the with-replacement value at
# $B \approx N/2$, and negligible for $B \ll N$.
#
# **Measured.** 200 batches per size and per sampling scheme, at the initial
# weights and after 300 steps of SGD ($B = 32$, lr 0.1; 94 % validation accuracy):

# %%
for steps in (0, 300):
    r = bn.noise_vs_batch(0, steps)
    print(f"after {steps} steps: tr Σ = {r['trace']:.3g}, |G|² = {r['g2']:.3g}")
    print("   B                      " + "".join(f"{b:>7d}" for b in r["B"]))
    print("   with / (tr Σ / B)      " + "".join(f"{v:7.2f}" for v in r["with"] / r["theory_with"]))
    inner = r["B"] < r["N"]
    ratio = np.r_[r["without"][inner] / r["theory_without"][inner], np.nan]
    print("   without / (FPC theory) " + "".join(f"{v:7.2f}" if np.isfinite(v) else "      -" for v in ratio))
    print("   without / (tr Σ / B)   " + "".join(f"{v:7.2f}" for v in r["without"] / r["theory_with"]))
    print(f"   without replacement at B = N: {'0 up to float32 rounding' if r['without'][-1] < 1e-9 * r['trace'] else r['without'][-1]}")
    z_with = (r["with"] - r["theory_with"]) / r["with_sem"]
    z_wo = (r["without"][inner] - r["theory_without"][inner]) / r["without_sem"][inner]
    print(f"   (measured − theory) / standard error of the 200 batches: largest |z| {np.max(np.abs(z_with)):.1f} with, "
          f"{np.max(np.abs(z_wo)):.1f} without; |z| < 2 for {int(np.sum(np.abs(z_with) < 2) + np.sum(np.abs(z_wo) < 2))} "
          f"of {z_with.size + z_wo.size}")

# %%
plot_noise(bn.noise_vs_batch(0, 0))
plt.show()

# %% [markdown]
# **What to notice.** Measured and predicted agree within the sampling error
# of 200 batches (ratios 0.97-1.05 with replacement; 0.86-1.15 without, after
# training, where a few examples with large gradients make the average
# jumpy; in units of the standard error, the last line of each table, the
# differences are those of chance): the noise power falls as $1/B$ over three decades of $B$. Without replacement it
# follows the corrected curve: the same as with replacement up to
# $B\approx 100$ ($N = 1079$), half of it at $B = 540$ (ratio 0.50), and
# exactly zero at $B = N$. The tests assert this on five initialisations.
#
# Note the size: at the start $\operatorname{tr}\Sigma \approx 19$ against
# $\lVert G\rVert^2 \approx 0.54$. One example's gradient differs from the
# full gradient by about six times the full gradient's length: a single
# example says little about the direction of the whole training set.
#
# ## 6.3 A more accurate direction, up to a point
#
# The right panel above is the claim "a larger batch gives a more accurate
# descent direction": the mean cosine between $g_B$ and $G$. Since
# $E\lVert g_B\rVert^2 = \lVert G\rVert^2 + \operatorname{tr}\Sigma/B$ (with
# replacement), a rough guide is
# $\cos \approx \big(1 + B_{simple}/B\big)^{-1/2}$ with
# $B_{simple} = \operatorname{tr}\Sigma/\lVert G\rVert^2$: the direction
# improves quickly while $B \ll B_{simple}$ and hardly at all once
# $B \gg B_{simple}$. Without replacement $\operatorname{tr}\Sigma/B$ carries
# the factor $(N-B)/(N-1)$, and so does $B_{simple}/B$ in the guide.
# The guide is the cosine of the expectations,
# $E[g_B\cdot G]/(\lVert G\rVert\sqrt{E\lVert g_B\rVert^2})$, not the expected
# cosine: the two agree when $\lVert g_B\rVert$ hardly varies from batch to
# batch (noise spread over many directions, large $B$); at $B = 1$, where it
# varies most, the guide is only approximate.

# %%
for steps in (0, 300):
    r = bn.noise_vs_batch(0, steps)
    bs = r["trace"] / r["g2"]
    pick = [list(r["B"]).index(b) for b in (1, 8, 64, 540)]
    print(f"after {steps:3d} steps (B_simple = {bs:.1f}): mean cos(g_B, G) with replacement  "
          + "  ".join(f"B={r['B'][k]}: {r['cos_with'][k]:.2f}" for k in pick))
    print(f"{'':31s} without replacement               "
          + "  ".join(f"B={r['B'][k]}: {r['cos_without'][k]:.2f}" for k in pick))
    print(f"{'':31s} rough guide (1 + B_simple/B)^-1/2 "
          + "  ".join(f"B={r['B'][k]}: {(1 + bs / r['B'][k]) ** -0.5:.2f}" for k in pick))
    fpc = [(r["N"] - r["B"][k]) / (r["N"] - 1) for k in pick]
    print(f"{'':31s} with the correction (N-B)/(N-1)   "
          + "  ".join(f"B={r['B'][k]}: {(1 + bs * f / r['B'][k]) ** -0.5:.2f}" for k, f in zip(pick, fpc)))

# %% [markdown]
# **What to notice.** The claim holds, with the condition the notes leave
# out: *how large* a batch must be for an accurate direction depends on the
# ratio $B_{simple}$, and that ratio grows during training. At the start, 64
# examples give a direction within about 37° of the full gradient's (cos 0.8);
# after 300 steps the same 64 examples give cos 0.36: $\lVert G\rVert^2$ has
# fallen 26-fold, 0.542 to 0.021 ($\lVert G\rVert$ five-fold; the easy
# examples are learned), while $\operatorname{tr}\Sigma$, the disagreement
# between examples, has only halved (19.1 to 10.3). "Half the data gives almost
# the same gradient" (one of the notes): half the training set without
# replacement gives cos 0.98 at the start, 0.84 after 300 steps, close to the
# corrected guide (0.83; without the correction 0.72).
#
# ### Explorer: batch gradients around the full gradient
#
# The left panel projects 300 batch gradients on a plane: the horizontal axis
# is the direction of $G$, the vertical one the direction of largest
# per-example spread across it. The view is that of $B = 1$ (its middle 98 %;
# a note in the corner counts the points outside) and stays fixed,
# so the cloud shrinks like $1/\sqrt B$; without replacement it collapses onto
# $G$ at $B = N$. (The plane shows 2 of 2410 dimensions: most of the noise is
# in the others, which is why the spread in the plane is smaller than
# $\operatorname{tr}\Sigma/B$.)

# %%
sc = bn.scatter_2d(0, 0)
fig, axs = plt.subplots(1, 3, figsize=(11, 3.3), layout="constrained", sharex=True, sharey=True)
clouds = {b: np.asarray(bn.project_batches(sc, b, rng=0)["points"]) for b in (1, 16, 256)}
for a, (b, pts) in zip(axs, clouds.items()):
    plot_scatter(bn.project_batches(sc, b, rng=0), ax=a, home=scatter_home(sc))
for a, (b, pts) in zip(axs, clouds.items()):          # counted in the shared view, once all are drawn
    (x0, x1), (y0, y1) = a.get_xlim(), a.get_ylim()
    out = int(np.sum((pts[:, 0] < x0) | (pts[:, 0] > x1) | (pts[:, 1] < y0) | (pts[:, 1] > y1)))
    a.texts[0].set_text("")
    a.set_title(f"B = {b} (without replacement)" + (f"; {out} of {len(pts)} outside the view" if out else ""),
                fontsize=9)
plt.show()

# %%
# NBVAL_IGNORE_OUTPUT
NoiseScatterExplorer()

# %% [markdown]
# ## 6.4 The gradient noise scale: where more batch stops saving steps
#
# McCandlish, Kaplan, Amodei et al. (2018, "An Empirical Model of
# Large-Batch Training") turn 6.3 into a prediction. For a loss that is
# locally quadratic with Hessian $H$, the best improvement one step of
# size $\varepsilon$ along $g_B$ can make is reached at
# $\varepsilon_{opt}(B) = \varepsilon_{max}/(1 + B_{noise}/B)$ with
#
# $$B_{noise} = \frac{\operatorname{tr}(H\Sigma)}{G^\top H G}, \qquad
#   B_{simple} = \frac{\operatorname{tr}\Sigma}{\lVert G\rVert^2}\ \ (\text{the same if } H \propto I),$$
#
# and the improvement per step is then that of the full batch divided by
# $1 + B_{noise}/B$. Summed over training this gives the trade-off between
# the steps $S$ and the examples $E = BS$ needed to reach a target:
#
# $$\frac{S}{S_{min}} - 1 = \frac{B_{noise}}{B}, \qquad \frac{E}{E_{min}} - 1 = \frac{B}{B_{noise}} .$$
#
# Below $B_{noise}$ doubling the batch nearly halves the steps (the same number
# of examples); above it, doubling the batch saves few steps and doubles the
# examples.
#
# **$B_{simple}$ two ways.** Exactly, from the per-example gradients; and by
# the paper's cheap estimator (its appendix A.1), which needs only batch
# gradients at two sizes. Since
# $E\lVert g_B\rVert^2 = \lVert G\rVert^2 + \operatorname{tr}\Sigma/B$ (with replacement),
#
# $$|\mathcal G|^2 = \frac{B_{big}\lVert g_{B_{big}}\rVert^2 - B_{small}\lVert g_{B_{small}}\rVert^2}{B_{big} - B_{small}},\qquad
#   \mathcal S = \frac{\lVert g_{B_{small}}\rVert^2 - \lVert g_{B_{big}}\rVert^2}{1/B_{small} - 1/B_{big}}$$
#
# are unbiased for $\lVert G\rVert^2$ and $\operatorname{tr}\Sigma$; averaged
# over 200 pairs ($B_{small} = 8$, $B_{big} = 256$) their ratio estimates
# $B_{simple}$:

# %%
print(f"{'SGD steps done':>15s} {'val. acc.':>10s} {'B_simple exact':>15s} {'two-batch estimate':>19s}")
for steps in (0, 30, 100, 300):
    st, ns = bn.gradient_state(0, steps), bn.noise_scale(0, steps)
    print(f"{steps:15d} {st['val_acc']:10.2f} {ns['exact']:15.1f} {ns['estimate']:19.1f}")
ratio = [bn.noise_scale(s, 0)["estimate"] / bn.noise_scale(s, 0)["exact"] for s in SEEDS]
print(f"at initialisation over {len(SEEDS)} seeds: B_simple {pm([bn.noise_scale(s, 0)['exact'] for s in SEEDS])}, "
      f"estimate / exact {pm(ratio)}")

# %% [markdown]
# **What to notice.** The estimator works (within about 10-15 % here), at the cost of
# two batch gradients: it is how one measures $B_{simple}$ on a model too
# large for per-example gradients. And $B_{simple}$ is not a constant of the
# problem: it differs between initialisations (27 ± 9 over five) and grows more
# than tenfold as the net learns, as the paper reports for its tasks. What the steps-to-target curve measures (6.5) is an average
# over the part of training the target covers.
#
# ## 6.5 Steps, epochs and time to a target
#
# **Experiment.** Train the digits net from the same five initialisations at
# $B = 1, 4, 16, 64, 256$ and $1079$ (full batch) until the validation
# accuracy first reaches 90 %, with three learning-rate rules anchored at
# lr 0.3 for $B = 16$: **fixed** (0.3 at every $B$), **linear**
# ($0.3\,B/16$, Goyal et al. 2017) and **square root** ($0.3\sqrt{B/16}$,
# the rule that keeps the noise of a step, $\varepsilon^2\operatorname{tr}\Sigma/B$,
# constant). A run gives up after 2000 steps (1000 for the full batch), or
# when it is back at chance after 200 steps (a ReLU net whose units a too large
# step has killed does not come back). The accuracy is checked on a grid of
# steps 2 % apart, so a step count is exact to about 2 %.

# %%
sweep = bt.batch_sweep()
B = sweep["B"]
for rule in bt.LR_RULES:
    d = sweep[rule]
    print(f"lr {rule}:")
    for i, b in enumerate(B):
        hits = int(d["hit"][i].sum())
        line = (f"{pm(d['steps'][i]):>10s} steps {pm(d['epochs'][i]):>12s} epochs" if hits
                else f"never; best val. acc. {pm(d['best_acc'][i])}")
        print(f"   B = {b:4d}  lr {d['lr'][i]:6.3g}: {hits} of 5 seeds reach 90 %, {line}")
print(f"B = 1 at lr 0.3: given up at chance in {int(sweep['fixed']['stuck'][0].sum())} of 5 seeds, "
      f"val. acc. then {pm(sweep['fixed']['acc'][0])}")

# %%
warm = bt.batch_sweep(batch_sizes=(64, 256), rules=("linear",), warmup=100)["linear"]
print("lr linear, with 100 steps of linear warm-up (lr t/100 at step t):")
for i, b in enumerate((64, 256)):
    hits = int(warm["hit"][i].sum())
    line = (f"{pm(warm['steps'][i]):>10s} steps" if hits else
            f"never; best val. acc. {pm(warm['best_acc'][i])}, back at chance after the warm-up in "
            f"{int(warm['stuck'][i].sum())} of 5")
    print(f"   B = {b:4d}  lr {warm['lr'][i]:6.3g}: {hits} of 5 seeds reach 90 %, {line}")

# %%
best = np.nanmin(np.stack([np.where(np.isfinite(sweep[k]["steps"]), sweep[k]["steps"], np.inf) for k in bt.LR_RULES]),
                 axis=0)                                     # per B and seed: the fewest steps over the 3 rules
fits = [bt.fit_noise_scale(B, best[:, j]) for j in range(best.shape[1])]
print(f"S = S_min (1 + B_crit / B) fitted to the fewest steps at each B, per seed: "
      f"S_min = {pm([f['s_min'] for f in fits])} steps, B_crit = {pm([f['b_noise'] for f in fits])}, "
      f"E_min = S_min B_crit = {pm([f['e_min'] for f in fits])} examples")
mean_fit = bt.fit_noise_scale(B, best.mean(axis=1))
plot_sweep(sweep, fit=mean_fit)
plt.show()

# %% [markdown]
# **What to notice**, claim by claim:
#
# * **"Too small a batch does not converge."** Only at a learning rate chosen
#   for larger batches. At lr 0.3, good from $B = 4$ up, $B = 1$ gets nowhere
#   in any seed (it is back at chance, about 0.1, when it is given up); at its own smaller rate ($0.019$ or $0.075$)
#   $B = 1$ reaches 90 % in every seed, in *less than one epoch*. The noise
#   of a step is $\varepsilon^2\operatorname{tr}\Sigma/B$: a small batch needs
#   a small step.
# * **"A larger batch needs more epochs for the same accuracy."** Holds
#   here at a fixed rate: from about one epoch at $B \le 16$ to about 40 at
#   the full batch. Even with the rate scaled by $\sqrt B$ the epochs grow.
# * **Fewer steps, up to a point.** With the rate fixed, steps fall from
#   $B = 4$ to $B = 64$ and then hardly move: 256 and 1079 examples per step
#   buy almost nothing over 64. The fitted curve puts the knee at
#   $B_{crit}\approx 16$ (dashed), the batch size above which steps stop
#   halving; the paper calls the fitted value $B_{crit} = E_{min}/S_{min}$
#   (here $E_{min} \approx 500$ examples, half an epoch) and shows it
#   estimates $B_{noise}$ averaged over the run. Against $B_{simple}$ = 35 at
#   initialisation and 100-500 later on (6.4), the two agree in order of
#   magnitude, not better: $B_{noise}$ weighs the noise by the curvature
#   ($H\Sigma$), $B_{simple}$ does not; and the paper's $S(B)$ assumes the
#   learning rate tuned at each $B$, while here it takes at most three values
#   per $B$ (one at $B = 16$, the fit's anchor). Below, "$B_{noise}\approx 16$"
#   means this fitted estimate.
# * **Linear scaling has a limit.** Linear scaling (Goyal et al.) promises
#   the same *epochs* to the target as $B$ grows, i.e. steps $\propto 1/B$.
#   $\mathrm{lr}\propto B$ keeps the epochs about constant (0.81, 0.84, 0.99)
#   from $B = 1$ to $16 \approx B_{noise}$, its regime. At $B = 64$ (lr 1.2) it
#   still reaches 90 %, but in no fewer steps than $B = 16$ (77 ± 26 against
#   67 ± 13) and in 4.5 epochs, slower than the fixed rate at the same $B$
#   (47 ± 8 steps); from $B = 256$ (lr 4.8) it kills the net. The paper's
#   $\varepsilon_{opt} = \varepsilon_{max}/(1 + B_{noise}/B)$ is $\propto B$ only
#   for $B \ll B_{noise}$. The square-root rule lasts to $B = 256$.
#   Goyal et al.'s recipe is linear scaling *plus warm-up*; with 100 steps
#   of warm-up (second table) $B = 64$ loses its slow seeds (77 ± 26 → 69 ± 8 steps), and $B = 256$
#   climbs to about 0.7 during the warm-up, then collapses to chance once the
#   rate reaches 4.8 (no warm-up: best 0.24). Warm-up fixes the first steps,
#   not the limit: beyond $B_{noise}$ no schedule turns a 16× larger batch
#   into 16× fewer steps.
#
# **Time.** A step's cost grows with $B$ much more slowly than $B$ (6.6), so
# the time to the target is not the steps times $B$. In the same run
# (CPU seconds of the training steps, evaluation excluded; fixed and √B rules, relative to the
# fastest of both):

# %%
# NBVAL_IGNORE_OUTPUT
# CPU times of the training steps: printed as ratios to the fastest; they vary a little from run to run
secs = {rule: np.array([np.nanmean(row) if np.isfinite(row).any() else np.nan for row in sweep[rule]["seconds"]])
        for rule in ("fixed", "sqrt")}
fastest = min(np.nanmin(v) for v in secs.values())
for rule, v in secs.items():
    print(f"time to 90 %, lr {rule:5s}: " + "  ".join(f"B={b}: {t / fastest:.1f}x" if np.isfinite(t) else f"B={b}: never"
                                                  for b, t in zip(B, v)))

# %% [markdown]
# On this machine and this model the time to the target is shortest for
# batches of about 16-64 (within a factor of about 2 of each other), two to
# three times the shortest at $B = 256$, and three to twelve times at the
# extremes, $B \le 4$ and the full batch (CPU time, so a busy machine changes
# the ratios only a little from run to run): $B = 1$ pays a fixed overhead per step for one
# example, the full batch pays for 1079 examples per step and needs barely
# fewer steps than $B = 64$ (38 ± 5 against 47 ± 8). That is
# the notes' "time-optimal batch size", and where it lies depends on the
# machine (6.6) and on $B_{noise}$.
#
# ### Explorer: steps and epochs against B
#
# Each new learning rate trains 6 batch sizes × rules × seeds nets (about
# 0.1 s each, cached). Try a smaller rate (0.1: $B = 1$ converges at the
# fixed rate, the full batch needs many more steps) or a larger one (1: the
# linear rule dies earlier).

# %%
# NBVAL_IGNORE_OUTPUT
BatchSweepExplorer(seeds=2)   # starts from the (cached) runs above; each new setting trains 36 nets

# %% [markdown]
# ## 6.6 Are powers of two faster?
#
# The claim comes from GPUs, whose kernels work on tiles of fixed size
# (often multiples of 8, 32 or 64). On a CPU with OpenBLAS we can simply
# measure. A product $(B\times 256)(256\times 256)$ in float32, one BLAS
# thread, the median of 100 timings (CPU time) per size with the sizes interleaved,
# and the quartiles of those timings:

# %%
# NBVAL_IGNORE_OUTPUT
# timings on a shared machine: relative to B = 64, one decimal; they change from run to run by several percent
mm = bp.matmul_throughput()
ref = list(mm["B"]).index(64)
print("B                          " + "".join(f"{b:>7d}" for b in mm["B"]))
print("time per example / at B=64 " + "".join(f"{v:7.1f}" for v in mm["per_example"] / mm["per_example"][ref]))
print("GFLOP/s                    " + "".join(f"{v:7.0f}" for v in mm["gflops"]))
q = (mm["quartiles"] / mm["B"][:, None]) / mm["per_example"][ref]        # each size's timings, / median at 64
print("  its 25 % quantile        " + "".join(f"{v:7.2f}" for v in q[:, 0]))
print("  its 75 % quantile        " + "".join(f"{v:7.2f}" for v in q[:, 1]))
iqr = np.median((mm["quartiles"][:, 1] - mm["quartiles"][:, 0]) / mm["seconds"])
print(f"medians differ from B = 64 by at most {100 * np.max(np.abs(mm['per_example'] / mm['per_example'][ref] - 1)):.0f} %; "
      f"the interquartile range of one size's 100 timings is typically {100 * iqr:.0f} % of its median")
steps_t = bp.step_times()
print("training step of the digits net, time per example relative to B = 1079: "
      + "  ".join(f"B={b}: {v:.0f}x" for b, v in zip(steps_t["B"], steps_t["per_example"] / steps_t["per_example"][-1])))

# %%
# NBVAL_IGNORE_OUTPUT
# a timing figure (ratios): it changes a little from run to run
plot_step_times(steps_t)
plt.show()

# %% [markdown]
# **What to notice.** On this CPU the time per example is the same, to within the
# noise of the measurement, at 60, 64, 100, 127, 128 and 129 (the last line
# compares the differences between sizes with the spread of one size's own
# timings, in CPU time; on this machine, shared with other programs, the
# differences were no larger than that spread): no power-of-two
# advantage (and none of the one-off penalty at 129 that some GPU kernels
# show). What does matter is size: the training step of the small digits net
# costs about as much at $B = 1$ as at $B = 16$ (Python and call overhead,
# not arithmetic), so per example it is more than a hundred times dearer than
# at $B = 256$.
# The notes' "larger batches use the hardware better" holds; "powers of two"
# is a GPU rule of thumb that this CPU does not follow. Measure on your own
# hardware before believing either.
#
# ## 6.7 Batch size 1 on an elliptical bowl
#
# One note says that with $B = 1$ "each example pulls its own way" and the
# descent "has trouble converging". Take least squares with two weights,
# $L(w) = \frac1{2N}\lVert Xw - y\rVert^2$, $N = 256$, correlated features:
# its contours are ellipses. Example $i$'s own loss
# $\frac12(x_i^\top w - y_i)^2$ is zero on a whole *line* (one equation, two
# unknowns), and its gradient $(x_i^\top w - y_i)\,x_i$ points across that line.
# A step on one example pulls $w$ towards that example's line, wherever
# the minimum of $L$ is. 100 steps at lr 0.2 from the same start:

# %%
paths = bp.sgd_paths(lr=0.2, steps=100, rng=0)
for b in (1, 8, 64, 256):
    ups = int(np.sum(np.diff(paths[b]["loss"]) > 0))
    print(f"{'full batch' if b == 256 else f'B = {b}':>10s}: distance to the minimum at the end {paths[b]['dist']:.3f}, "
          f"{ups:3d} of 100 steps raise the training loss")
over = {b: [bp.sgd_paths(lr=0.2, rng=s)[b]["dist"] for s in SEEDS] for b in (1, 8, 64)}
print("over 5 batch orders: distance at the end " + ", ".join(f"B = {b}: {pm(v)}" for b, v in over.items()))
near = {b: [int(np.argmax(np.hypot(*(bp.sgd_paths(lr=0.2, rng=s)[b]["w"] - paths["w_star"]).T) < 0.5)) for s in SEEDS]
        for b in (1, 8, 64, 256)}
print("steps until first within 0.5 of the minimum: " + ", ".join(f"B = {b}: {pm(v)}" for b, v in near.items()))
x2 = np.sum(bp.regression_problem()["X"] ** 2, axis=1)
print(f"|x_i|² quantiles 50/90/99/100 %: {' / '.join(f'{v:.1f}' for v in np.quantile(x2, (0.5, 0.9, 0.99, 1.0)))}; "
      f"examples with lr |x_i|² > 2: {int(np.sum(0.2 * x2 > 2))} of {x2.size} at lr 0.2, "
      f"{int(np.sum(0.5 * x2 > 2))} at lr 0.5")
ws = paths["w_star"]
far = [np.max(np.hypot(*(bp.sgd_paths(lr=0.5, rng=s)[1]["w"] - ws).T)) for s in SEEDS]
print(f"at lr 0.5: B = 1 strays up to {', '.join(f'{v:.1e}' for v in far)} from the minimum (5 batch orders); "
      f"the full batch ends {bp.sgd_paths(lr=0.5, rng=0)[256]['dist']:.0e} from it")

# %%
ax = plot_paths(paths, bp.loss_surface())
ax.set_title("lr 0.2, 100 steps from the black dot (batch order 0)", fontsize=9)
plt.show()

# %% [markdown]
# **What to notice.** The full batch walks down the contours and never goes
# uphill. $B = 1$ zig-zags, raises the training loss at about half its steps,
# and does not settle: with a constant step it keeps bouncing in a region
# around the minimum whose size is set by the noise and the step
# (distance 0.2-0.3 here, against 0.04 for the full batch and $B = 64$). It does not
# diverge and does reach the neighbourhood as fast as the others (within 0.5
# of the minimum after about 40 steps, like the full batch's 44): "hard to
# converge" is right about the last stretch only, and a decaying step size
# (chapter 05) removes it. $B = 64$ is already indistinguishable from the
# full batch in distance, though it still goes uphill at some steps.
#
# A larger step separates them further. The full batch is stable up to
# $\mathrm{lr} = 2/\lambda_{max}(H) = 0.73$. A step on example $i$ alone
# multiplies its residual by $1 - \varepsilon\lVert x_i\rVert^2$, so it
# overshoots that example's own line when $\varepsilon\lVert x_i\rVert^2 > 2$
# (Kaczmarz's relaxation condition); $\lVert x_i\rVert^2$ reaches 39 here, and
# the condition fails for 12 of the 256 examples at lr 0.2 (the heavy tail of
# $B = 1$'s distances) and for 59 at lr 0.5, where the
# extreme examples throw $B = 1$ far out of the bowl (printed above: more
# than 10 from the minimum in four of five batch orders, thousands in one), while the full
# batch converges. This is the digits result of 6.5 in two dimensions: a
# small batch needs a small step.

# %%
# NBVAL_IGNORE_OUTPUT
PathsExplorer()

# %% [markdown]
# ## 6.8 Rprop needs the full batch
#
# Rprop (Riedmiller and Braun 1993; `dlcore.optim.Rprop`, the iRprop−
# variant of PyTorch) ignores the size of the gradient: each weight has its
# own step $\Delta_i$, taken in the direction $-\mathrm{sign}(g_i)$, grown by
# 1.2 while the sign stays and halved when it flips. With the full batch the
# sign is the true gradient's, and a steady sign means "keep going"; that is
# how the notes' "different weights need very different step sizes" is
# solved. With mini-batches the sign of a coordinate is the sign of a noisy
# mean: wherever $|G_i|$ is small next to its noise, it flips at random.
#
# **What random signs do to $\Delta_i$.** In iRprop− a flip halves $\Delta_i$,
# skips the step and zeroes the stored gradient, so the next step is
# "no sign information" and keeps $\Delta_i$. With signs that are independent
# coin flips, a coordinate is in the normal state 2/3 of the time (from it:
# agree with probability ½, $\Delta_i \times 1.2$; flip with probability ½,
# $\Delta_i \times 0.5$ and one neutral step follows) and in the neutral state
# 1/3 of the time. The mean change of $\ln\Delta_i$ per step is
#
# $$\tfrac23\big(\tfrac12\ln 1.2 + \tfrac12\ln 0.5\big) = \tfrac13\ln 0.6 \approx -0.17 :$$
#
# noise makes the step sizes *shrink*, geometrically, to their floor
# $\Delta_{min} = 10^{-6}$. A step size grows only where successive signs agree
# more often than $\ln 2/\ln 2.4 \approx 79\,\%$ of the time (then
# $p\ln1.2 + (1-p)\ln0.5 > 0$). Five seeds, 40 epochs, initial step 0.01, and RMSprop (the
# "compromise" the note names: it divides by a running RMS of the gradient
# instead of taking its sign) at the same mini-batch size:

# %%
rp = {"Rprop, full batch": [bo.rprop_runs(1079, 0.01, rng=s, epochs=40) for s in SEEDS],
      "Rprop, B = 64": [bo.rprop_runs(64, 0.01, rng=s, epochs=40) for s in SEEDS],
      "RMSprop, B = 64 (lr 0.001)": [bo.rprop_runs(64, 0.001, rng=s, epochs=40, optimizer="rmsprop") for s in SEEDS]}
full_end = np.array([r["train_loss"][-1] for r in rp["Rprop, full batch"]])
for label, runs in rp.items():
    start = np.array([r["train_loss"][0] for r in runs])
    end = np.array([r["train_loss"][-1] for r in runs])
    print(f"{label:27s} training loss {pm(start)} -> {pm(end)}, val. acc. {pm([r['val_acc'][-1] for r in runs])}, "
          f"log10 |W| {pm(np.log10([r['weight_norm'][0] for r in runs]))} -> "
          f"{pm(np.log10([r['weight_norm'][-1] for r in runs]))}")
mini_end = np.array([r["train_loss"][-1] for r in rp["Rprop, B = 64"]])
print(f"Rprop's final loss at B = 64 is more than 10x the full batch's (same seed) in "
      f"{int(np.sum(mini_end > 10 * full_end))} of 5 seeds; the ratio, per seed: {pm(mini_end / full_end)}")
low = [int(np.argmin(r["train_loss"])) for r in rp["Rprop, B = 64"]]
print(f"Rprop at B = 64: lowest training loss {pm([r['train_loss'].min() for r in rp['Rprop, B = 64']])}, "
      f"after {pm(low)} epochs")
print("Rprop's step sizes Δ_i, share of the 2410 (5 seeds):")
for label in ("Rprop, full batch", "Rprop, B = 64"):
    runs = rp[label]
    print(f"   {label:17s}: at the floor (≤ 10 Δ_min) after 10 epochs {pm([r['at_floor'][10] for r in runs])}, "
          f"after 40 {pm([r['at_floor'][-1] for r in runs])}; Δ_i > 1 after 40: {pm([r['above_one'][-1] for r in runs], scale=100)} %; "
          f"share of |W|² in the 10 largest weights {pm([r['top10'][-1] for r in runs])}")
floor64 = np.array([r["at_floor"][-1] for r in rp["Rprop, B = 64"]])
floorfb = np.array([r["at_floor"][-1] for r in rp["Rprop, full batch"]])
print(f"more than half the step sizes at the floor at B = 64 in {int(np.sum(floor64 > 0.5))} of 5 seeds, "
      f"less than a tenth with the full batch in {int(np.sum(floorfb < 0.1))} of 5")

# %%
plot_rprop(rp)
plt.show()

# %% [markdown]
# **What to notice.** With the full batch Rprop drives the training loss
# down by two orders of magnitude in 40 steps. With batches of 64 it starts
# faster (17 steps per epoch against one: its lowest loss, about 0.26, comes
# after 3-4 epochs), then the loss turns and climbs, to tens or hundreds of
# times the full batch's at the end (the per-seed ratio printed above), while
# the validation accuracy freezes near 0.91.
# The optimiser's own state says why, as the drift above predicts. After 10
# epochs about three quarters of the step sizes sit at (or within a factor
# 10 of) the floor $10^{-6}$, about 78 % after 40: the sign flips have halved
# them away and those weights have stopped learning, which is why the
# accuracy freezes. A few coordinates (about 0.2 %) whose sign persists grow to
# steps above 1 and run away: the 10 largest weights hold practically all of
# $\lVert W\rVert^2$, whose norm grows from 9 to about $10^{4}$, the logits
# grow, and the examples the net gets wrong are got wrong ever more
# confidently: that is what raises the loss. With the full batch only about
# 4 % of the step sizes are at the floor, and the 10 largest weights hold
# under half of $\lVert W\rVert^2$. RMSprop keeps the magnitude (it divides
# by a running RMS instead of taking the sign) and converges with the same
# batches. The notes are right: mini-batch noise cancels Rprop's progress
# (sign flips shrink the steps to their floor and learning stops), and the
# few weights with a persistent sign blow up the loss.
#
# ## 6.9 Do very large batches generalise worse?
#
# Two of the notes say so ("a too large batch converges to poor local
# optima", "too large overfits easily"); Keskar et al. (2017) reported a
# generalisation gap of large batches on big image models. At this scale:
# train on 200 digits until the training loss is below 0.02 (every seed fits
# them perfectly) with $B = 8$ (lr 0.1) and with the full batch $B = 200$
# (lr 0.5), from the same initial weights, and compare validation accuracy
# on the 359 validation images:

# %%
gen = bo.generalisation()
for b in (8, 200):
    g = gen[b]
    print(f"B = {b:3d}: fits in {int(g['fit'].sum())} of 5 seeds after {pm(g['epochs'])} epochs; "
          f"train acc. {pm(g['train_acc'])}, val. acc. {pm(g['val_acc'])}")
print(f"paired difference (B = 8 minus full batch, same initial weights): {pm(gen['paired'])}")
print("the same runs stopped after a fixed number of epochs instead:")
for ep in (10, 54):
    eq = bo.equal_budget(ep)
    print(f"   {ep:2d} epochs: B = 8 val. acc. {pm(eq[8]['val_acc'])} (train loss {pm(eq[8]['train_loss'])}), "
          f"B = 200 {pm(eq[200]['val_acc'])} (train loss {pm(eq[200]['train_loss'])}); paired difference {pm(eq['paired'])}")

# %% [markdown]
# **What to notice.** Trained to the same training loss, no gap shows: the
# difference is a few thousandths and smaller than its spread over seeds. But
# the full batch needed about 280 epochs for that, against about 54 for
# $B = 8$. At an *equal epoch budget* a gap does show:
# at 54 epochs the full batch is about 0.02 worse (printed: the paired
# difference over five seeds), at 10 epochs 0.17 worse, and its training loss
# is still far from zero. So here the gap is a budget effect: a large batch
# takes fewer steps per epoch and needs more epochs to fit (6.5), and once it
# is trained to the same loss the gap is gone, as Hoffer et al. (2017, "Train
# longer, generalize better") and Shallue et al. (2019) found on large models,
# rather than the sharp-minimum effect Keskar et al. (2017) proposed. This does not
# refute the large-batch results of bigger models; it says that on a small
# net and a small data set, "large batch, worse generalisation" is a
# statement about the training budget. (The
# related note that small batches "escape poor local minima and saddle
# points" is not tested here; chapter 05 looks at saddles.)
#
# ## Errata: the notes' batch-size claims, one by one
#
# | the notes say | verdict here | measured in |
# |---|---|---|
# | the full batch's direction better represents the whole data set | **true**: $g_B$ is unbiased, its noise $\operatorname{tr}\Sigma/B$ | 6.2 |
# | "half the data gives almost the same gradient as all of it" | **depends on when**: cos 0.98 at the start, 0.84 after 300 steps | 6.3 |
# | Rprop works with the full batch; with mini-batches its steps cancel | **true**: random signs make $\ln\Delta$ drift by $\frac13\ln 0.6 \approx -0.17$ a step, ~78 % of the step sizes end at the floor and learning stops; a few weights with a persistent sign run away (weights ~10⁴), so the loss ends tens to hundreds of times the full batch's | 6.8 |
# | $B = 1$: every example pulls its own way, hard to converge | **partly**: it reaches the neighbourhood of the minimum, then bounces; at a rate meant for larger batches it fails, at its own rate it converges in < 1 epoch | 6.5, 6.7 |
# | larger batch: more accurate direction, less oscillation | **true**, and saturating once $B \gg B_{simple}$ | 6.3 |
# | larger batch: fewer steps per epoch, faster per example | **true**: per-example step time falls a hundredfold from $B = 1$ | 6.6 |
# | larger batch: more epochs (time) for the same accuracy | **true** at a fixed rate: 1 → 40 epochs from $B = 16$ to the full batch; and with the rate scaled too (√B: 0.50 → 12 epochs; linear: 0.81 → 4.5), as McCandlish's $E/E_{min} - 1 = B/B_{noise}$ says it must even at the best rate per $B$ | 6.5 |
# | beyond some size the direction no longer changes | **true**: the noise scale $B_{simple}$ (35 at the start, hundreds later) | 6.3, 6.4 |
# | a too small batch makes the error soar | **only** at a learning rate too large for it | 6.5 |
# | there is a time-optimal batch size | **true** here (16-64 on this CPU, 2-3× longer at 256), machine-dependent | 6.5 |
# | too large a batch → poor local optima / overfitting | **a budget effect** here: at an equal epoch budget the full batch is worse (about 0.02 at 54 epochs), trained to the same training loss the gap is gone (−0.003 ± 0.004); as Hoffer et al. 2017 and Shallue et al. 2019 report; no sign of Keskar et al.'s sharp-minimum effect | 6.9 |
# | powers of two (16, 32, 64, 128) are faster than multiples of 10 | **not on this CPU** (a GPU rule of thumb) | 6.6 |
# | a larger batch needs more memory; memory may not hold a large batch | **true, not measured here**: the activations kept for the backward pass grow in proportion to $B$; tiny for the digits net, the limit on large models | — |
# | there is a batch size with the best *final* accuracy | **not tested**: every run here stops at a target or at a training loss | — |
# | small batches escape poor local minima and saddle points | **not tested** here (chapter 05 looks at saddles) | — |
# | "use 64 or 128; too small is slow, too large overfits" | 64 is in the time-optimal range here, 128 is no faster than 127 or 129; "too small is slow" holds in time, not in epochs; "too large overfits" is a budget effect | 6.5, 6.6, 6.9 |
# | second-order methods need batches of thousands | **not tested**: dlcore has no second-order optimiser; the reason given (curvature estimates are noisier than gradients) is plausible | — |
#
# ## Exercises
#
# **E6.1 Noise at B from noise at 1.** The mean squared distance of a single
# example's gradient from the full gradient is `ch06.EX_NOISE_1` on a
# training set of `ch06.EX_N` examples. Predict $E\lVert g_B - G\rVert^2$ at
# $B =$ `ch06.EX_B` for batches drawn **without** replacement (three
# significant figures).

# %%
print("noise at B = 1:", ch06.EX_NOISE_1, " N =", ch06.EX_N, " B =", ch06.EX_B)
my_noise = None   # a number
ch06.check_noise_at_b(my_noise)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# At $B = 1$ both formulas give $\operatorname{tr}\Sigma$ (with or without
# replacement, one draw is one draw), so
# $\operatorname{tr}\Sigma =$ `EX_NOISE_1` and the answer is
# $\frac{N-B}{N-1}\cdot\frac{\operatorname{tr}\Sigma}{B}$:
# `(ch06.EX_N - ch06.EX_B) / (ch06.EX_N - 1) * ch06.EX_NOISE_1 / ch06.EX_B`
# $= \frac{15}{19}\cdot\frac{12}{5} \approx 1.89$.
# Forgetting the correction gives $\operatorname{tr}\Sigma/B = 2.40$, which is
# noticeably too large when $B$ is a sizeable share of $N$; the factor
# $(N-B)/N$ instead of $(N-B)/(N-1)$ gives 1.80 (wrong at $B = 1$, where the
# factor must be 1).
# </details>
#
# **E6.2 Steps per epoch.** For $N =$ `ch06.EX_EPOCH_N` examples and
# batches of `ch06.EX_EPOCH_B`, how many steps make one epoch with the last
# partial batch kept, and how many with `drop_last`? How many examples does
# `drop_last` skip per epoch?

# %%
print("N =", ch06.EX_EPOCH_N, " B =", ch06.EX_EPOCH_B)
my_steps, my_steps_drop, my_skipped = None, None, None   # three integers
ch06.check_steps_per_epoch(my_steps, my_steps_drop, my_skipped)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Kept: $\lceil N/B\rceil$ steps (the last one smaller). `drop_last`:
# $\lfloor N/B\rfloor$ steps, and the $N \bmod B$ examples left over are not
# seen in that epoch (a different few each epoch, since the order is
# reshuffled). `bt.steps_per_epoch(N, B, drop_last)` computes both.
# </details>
#
# **E6.3 A batch size for a time budget.** `ch06.EX_STEP_TIMES` gives the
# measured seconds per step and `ch06.EX_STEPS` the steps to the target at
# each batch size, on some machine. Which batch size reaches the target
# fastest, and how many seconds does it take (two significant figures)?
# Then: which is the *smallest* batch size that reaches the target within
# `ch06.EX_BUDGET` seconds?

# %%
print("B           ", ch06.EX_BATCHES)
print("s per step  ", ch06.EX_STEP_TIMES)
print("steps       ", ch06.EX_STEPS)
print("budget (s)  ", ch06.EX_BUDGET)
my_fastest_b, my_time, my_smallest_b = None, None, None
ch06.check_time_budget(my_fastest_b, my_time, my_smallest_b)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Time to target = seconds per step × steps, at each $B$:
# `t = np.array(ch06.EX_STEP_TIMES) * np.array(ch06.EX_STEPS)`; the fastest
# is `ch06.EX_BATCHES[np.argmin(t)]`, and the smallest batch within the
# budget is the first $B$ with `t <= EX_BUDGET`. The per-step time grows
# slowly at small $B$ (overhead) and linearly at large $B$, while the steps
# fall like $1 + B_{noise}/B$: the product has a minimum in between.
# </details>
#
# **E6.4 B_simple from two batch sizes.** You measured
# $\lVert g_{B}\rVert^2$ averaged over many batches at two sizes:
# `ch06.EX_PAIR` $= (B_{small}, \overline{\lVert g_{small}\rVert^2}, B_{big}, \overline{\lVert g_{big}\rVert^2})$.
# Estimate $B_{simple}$ (two significant figures).

# %%
print("(B_small, mean |g_small|^2, B_big, mean |g_big|^2) =", ch06.EX_PAIR)
my_b_simple = None
ch06.check_b_simple(my_b_simple)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $E\lVert g_B\rVert^2 = \lVert G\rVert^2 + \operatorname{tr}\Sigma/B$: two
# equations, two unknowns. $\operatorname{tr}\Sigma = (s - b)/(1/B_s - 1/B_b)$,
# $\lVert G\rVert^2 = (B_b b - B_s s)/(B_b - B_s)$, and
# $B_{simple} = \operatorname{tr}\Sigma/\lVert G\rVert^2$.
# </details>
#
# ## Summary
#
# * A batch gradient is an unbiased estimate of the full gradient with noise
#   $\operatorname{tr}\Sigma/B$ (with replacement) or
#   $\frac{N-B}{N-1}\operatorname{tr}\Sigma/B$ (without); measured on the
#   digits net within a few percent.
# * A larger batch points more accurately, until $B$ passes the noise scale
#   $B_{simple} = \operatorname{tr}\Sigma/\lVert G\rVert^2$; after that it
#   buys few steps and costs proportionally more examples
#   ($S/S_{min} - 1 = B_{noise}/B$). The noise scale grows during training.
# * A too small batch fails only at a step size meant for larger ones; a
#   larger batch needs more epochs; linear learning-rate scaling keeps the
#   epochs constant up to $B \approx B_{noise}$ (16 here) and breaks down
#   beyond it; the time-optimal batch depends on the machine.
# * Powers of two are not faster on this CPU. Rprop does need the full batch:
#   with mini-batches most of its step sizes shrink to their floor and a few
#   weights run away. A generalisation gap of large batches shows here only
#   at an equal epoch budget and is gone once the full batch is trained to
#   the same training loss: a budget effect.
