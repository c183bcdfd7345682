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
# # 05 · Optimisers, learning-rate schedules and input normalisation
#
# The popular notes list the update rules of SGD, Momentum, Nesterov, Adagrad,
# Adadelta, RMSprop and Adam one after the other, each with a few adjectives
# ("accelerates", "damps the oscillation", "adapts the learning rate"). This
# chapter puts the rules side by side and *watches each term work*: first on
# two-dimensional surfaces where every step can be drawn and the exact
# convergence rates can be derived, then on a real network, where the only
# honest comparison is each optimiser at the learning rate a sweep finds for
# it. Then the learning rate itself over time (schedules, warm-up), and the
# other half of the story: rescaling the *inputs* changes the surface the
# optimiser has to walk on.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 5.1 | What exactly do the update rules of GD, momentum, Nesterov, Adagrad, RMSprop, Adadelta and Adam compute, side by side? | 各种优化器（GD、动量、Nesterov、Adagrad、RMSprop、Adadelta、Adam）的更新公式分别在算什么？放在一起比较有何异同？ |
# | 5.2 | Why does gradient descent zig-zag in a long narrow valley, what is the largest learning rate it survives, and how much faster can momentum be? | 为什么梯度下降在狭长山谷里走"之"字形？学习率最大能取多少？动量能快多少？ |
# | 5.3 | What do the adaptive methods do to the step: Adagrad's shrinking step, Adam's first step and its bias correction; when does a per-coordinate learning rate help? | 自适应方法对步长做了什么：Adagrad 的步长为何越来越小？Adam 第一步多大、偏差修正有什么用？按坐标调学习率什么时候才有用？ |
# | 5.4 | Do these methods get stuck at saddle points, and how do they cope with a curved valley (Rosenbrock) and noisy gradients? | 这些方法会卡在鞍点吗？在弯曲的山谷（Rosenbrock）和有噪声的梯度下表现如何？ |
# | 5.5 | On a real network, what is each optimiser's best learning rate, and which one is least sensitive to it? | 在真实网络上，每个优化器的最佳学习率是多少？哪个对学习率最不敏感？ |
# | 5.6 | What do learning-rate schedules (step, exponential, 1/t, cosine, warm-up) do, what are their parameters, and when does warm-up matter? | 学习率衰减策略（阶梯、指数、1/t、余弦、预热）各做什么？常用参数有哪些？预热什么时候有用？ |
# | 5.7 | Why does normalising the inputs speed up gradient descent, and which scaling (min-max, z-score, log) to use? | 为什么输入归一化能加快梯度下降？线性归一化、标准化、对数变换该选哪个？ |
# | 5.8 | Where are the notes' formulas wrong (Adadelta, "RMSprop is a special case of Adadelta", momentum's two forms, Adam's "bounded" step)? | 笔记里哪些公式有误（Adadelta、"RMSprop 是 Adadelta 的特例"、动量的两种写法、Adam 的"步长有确定范围"）？ |
#
# Every number in the text is printed by a cell of this notebook.

# %%
# %matplotlib inline
import math
import time

import matplotlib.pyplot as plt
import numpy as np

from dlcore.exercises import ch05
from dlcore.experiments import normalisation as nx
from dlcore.experiments import normalisation_tables as tx
from dlcore.experiments import optimisers as ox
from dlcore.experiments import optimisers_demo as dx
from dlcore.experiments import optimisers_reference as rx
from dlcore.experiments import optimisers_sweep as sx
from dlcore.experiments.common import pm
from dlcore.surfaces import Quadratic
from widgets.ch05_optimisers import (NormalisationExplorer, ScheduleExplorer, SurfaceExplorer, SweepExplorer,
                                     WarmupExplorer)
from widgets.ch05_plots import (plot_curves, plot_first_steps, plot_kappa, plot_schedules, plot_surface, plot_sweep,
                                plot_tables, plot_warmup, plot_zigzag_norm)
from widgets.notebook import setup

setup(precision=6)   # one BLAS thread (small matrices), print and figure defaults
T0 = time.process_time()

# %% [markdown]
# ## 5.1 The update rules, side by side
#
# Every optimiser here turns the gradient $g_t = \nabla f(\theta_{t-1})$ into a
# step $\Delta\theta_t = \theta_t - \theta_{t-1}$. Products, squares, roots and
# divisions act on each coordinate separately; $\eta$ is the learning rate.
#
# | method | state | step |
# |---|---|---|
# | gradient descent (GD) | — | $\Delta\theta_t = -\eta\, g_t$ |
# | momentum (heavy ball) | $m_t = \mu m_{t-1} + g_t$ | $\Delta\theta_t = -\eta\, m_t$ |
# | Nesterov | $m_t = \mu m_{t-1} + \nabla f(\theta_{t-1} - \eta\mu m_{t-1})$ | $\Delta\theta_t = -\eta\, m_t$ |
# | Adagrad | $n_t = n_{t-1} + g_t^2$ | $\Delta\theta_t = -\eta\, g_t / (\sqrt{n_t} + \epsilon)$ |
# | RMSprop | $n_t = \rho n_{t-1} + (1-\rho) g_t^2$ | $\Delta\theta_t = -\eta\, g_t / (\sqrt{n_t} + \epsilon)$ |
# | Adadelta | $E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2$, $\;E[\Delta\theta^2]_t = \rho E[\Delta\theta^2]_{t-1} + (1-\rho)\Delta\theta_t^2$ | $\Delta\theta_t = -\dfrac{\sqrt{E[\Delta\theta^2]_{t-1}+\epsilon}}{\sqrt{E[g^2]_t+\epsilon}}\, g_t$ |
# | Adam | $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$, $\;v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2$ | $\Delta\theta_t = -\eta\, \dfrac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}$ |
# | Adamax | $m_t$ as Adam, $\;u_t = \max(\beta_2 u_{t-1}, \lvert g_t\rvert)$ | $\Delta\theta_t = -\eta\, \dfrac{m_t/(1-\beta_1^t)}{u_t}$ |
# | Nadam (constant $\beta_1$) | $m_t, v_t$ as Adam | $\Delta\theta_t = -\eta\, \dfrac{\beta_1 m_t/(1-\beta_1^{t+1}) + (1-\beta_1) g_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}$ |
#
# Read the table by columns. **Momentum** replaces the gradient by a decaying
# *sum* of gradients: components that keep their sign add up (up to
# $1/(1-\mu)$ times, 10 for $\mu = 0.9$), components that flip sign cancel.
# **Nesterov** evaluates the gradient where the momentum is about to carry the
# point. **Adagrad, RMSprop, Adadelta** divide each coordinate by the
# root of its own past squared gradients (RMSprop and Adadelta: their running
# mean; Adagrad: their *sum*, $\sqrt t$ times the RMS, which is why its step
# shrinks): a coordinate with large
# gradients gets a small step and vice versa (a *per-coordinate* learning
# rate). **Adam** does both: momentum on top, RMSprop below, each average
# corrected for starting at zero. *Batch*, *stochastic* and *mini-batch*
# gradient descent are not different rules but different $g_t$: the gradient of
# the loss on all examples, on one, or on a batch of them (chapter 06).
#
# All of them are in `dlcore.optim` (one interface; each checked step by step
# against an independent implementation of the published rule). PyTorch's
# `torch.optim` ran each once, 20 steps in float64 on a Rosenbrock function and
# on a small linear regression, and its paths are stored with the repository;
# dlcore's classes, with the settings that match torch's, retrace them:

# %%
ref = rx.reference_table()
print(f"reference: torch {ref['versions']['torch']}, {ref['steps']} steps per run, float64")
worst = {}
for (name, problem), row in ref["rows"].items():
    w = worst.setdefault(name, {"first": 0.0, "worst": 0.0, "moved": np.inf})
    w["first"], w["worst"] = max(w["first"], row["first"]), max(w["worst"], row["worst"])
    w["moved"] = min(w["moved"], row["moved"])
level = lambda d: "< 1e-14" if d < 1e-14 else f"{d:.1e}"   # float64 rounding (its last bits vary with the CPU)
print(f"{'torch setting':18s} {'after step 1':>14s} {'over 20 steps':>14s}   (torch moved by at least)")
for name, w in worst.items():
    print(f"{name:18s} {level(w['first']):>14s} {level(w['worst']):>14s}   {w['moved']:.2g}")

# %% [markdown]
# Every optimiser agrees with PyTorch to float64 rounding (the largest
# difference over all paths is below $10^{-14}$, while the points move by
# $10^{-2}$ or more), including momentum in PyTorch's "dampened" form, AMSGrad,
# AdamW and Rprop. The experiments below move a single point $p = (x, y)$ with
# these same classes.

# %% [markdown]
# ## 5.2 The narrow valley: zig-zag, the largest learning rate, and momentum
#
# **Setting.** The bowl $f(p) = \tfrac12 p^\top H p$ with eigenvalues $1$ and
# $\kappa$ (the *condition number*), axes along $x$ and $y$ for now. Its
# gradient is $Hp$, so one step of gradient descent is
# $p_t = (I - \eta H)\,p_{t-1}$: along each eigen-direction $i$ (curvature
# $\lambda_i$) the coordinate is multiplied by $1 - \eta\lambda_i$ per step.
#
# **The largest learning rate.** The step converges iff
# $|1 - \eta\lambda_i| < 1$ for every $i$, i.e.
#
# $$0 < \eta < \frac{2}{L}, \qquad L = \lambda_{\max}.$$
#
# Above $2/L$ the steepest direction overshoots by more than it corrected and
# grows. Below it but above $1/L$ that direction *overshoots and flips sign
# every step*: the zig-zag. Meanwhile the shallow direction moves by the
# factor $1 - \eta\lambda_{\min} \ge 1 - 2/\kappa$: it crawls.
#
# **The best fixed rate.** The error shrinks by
# $\max_i |1-\eta\lambda_i|$ per step; this is smallest when the two extreme
# factors are equal and opposite, $1 - \eta\ell = -(1 - \eta L)$, i.e.
# $\eta^* = 2/(L+\ell)$ ($\ell = \lambda_{\min}$, $\kappa = L/\ell$), where the factor is
#
# $$r_{GD} = \frac{L-\ell}{L+\ell} = \frac{\kappa-1}{\kappa+1}.$$
#
# Since $f$ is quadratic, $f - f^*$ shrinks by $r^2$ per step, and reaching
# $f - f^* \le \mathrm{tol}$ from $f_0$ takes about
# $\ln(f_0/\mathrm{tol})/(2\ln(1/r)) \approx \tfrac{\kappa}{4}\ln(f_0/\mathrm{tol})$ steps:
# **proportional to $\kappa$**.
#
# **Momentum.** With $m_t = \mu m_{t-1} + g_t$ each eigen-coordinate follows
# the two-term recurrence $\theta_{t+1} = (1 + \mu - \eta\lambda)\theta_t - \mu\theta_{t-1}$,
# whose characteristic roots have modulus $\sqrt\mu$ whenever they are complex.
# Polyak's choice $\eta = 4/(\sqrt L + \sqrt{\ell})^2$,
# $\mu = r_{HB}^2$ makes them complex (or double) for every $\lambda \in [\ell, L]$, so every
# direction shrinks at the same rate
#
# $$r_{HB} = \sqrt\mu = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},$$
#
# and the steps grow only like $\sqrt\kappa$. (Its stability limit is
# $\eta L < 2(1+\mu)$, 3.8/L at $\mu = 0.9$: about twice plain GD's.)
#
# First, what the zig-zag looks like: GD at $\eta = 0.018$ (just below
# $2/L = 0.02$, $\kappa = 100$) against momentum 0.9 at the same rate and at
# $\eta = 0.004$, and Nesterov at 0.004:

# %%
zz = {"GD, η=0.018": dx.zigzag("sgd", 0.018, 30),
      "momentum 0.9, η=0.018": dx.zigzag("momentum", 0.018, 30, {"momentum": 0.9}),
      "momentum 0.9, η=0.004": dx.zigzag("momentum", 0.004, 30, {"momentum": 0.9}),
      "Nesterov 0.9, η=0.004": dx.zigzag("nesterov", 0.004, 30, {"momentum": 0.9})}
print(f"{'30 steps on the κ=100 bowl':24s} {'y-step sign flips':>18s} {'mean |y|, last 15':>18s} {'|x| left of start':>18s} {'f - f*':>9s}")
for k, z in zz.items():
    print(f"{k:24s} {z['flips']:18d} {z['y_amp']:18.4f} {z['x_left']:18.3f} {z['gap'][-1]:9.3f}")
nest_018 = dx.zigzag("nesterov", 0.018, 30, {"momentum": 0.9})
print(f"Nesterov 0.9 at η=0.018: f after 30 steps = {nest_018['gap'][-1]:.3g} (diverged: "
      f"its limit is η·L < 2(1+μ)/(1+2μ) = {2 * 1.9 / 2.8:.3f}, i.e. η < {2 * 1.9 / 2.8 / 100:.4f})")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), layout="constrained")
plot_surface(dx.surface_paths("quadratic", {"kappa": 100.0}, ("sgd", "momentum"), 0.018, 0.9, 0.999, 30), axes,
             title="κ = 100, η = 0.018, 30 steps")
plt.show()

# %% [markdown]
# Momentum against Nesterov at $\eta = 0.004$, $\mu = 0.9$ (same start, 60
# steps). `dlcore`'s Nesterov, like PyTorch's, stores the *look-ahead* point
# $\varphi_t = \theta_t - \eta\mu m_t$ (where the next gradient is taken), so
# the drawn Nesterov path is the $\varphi$ sequence; it decays at the same
# rates as $\theta_t$ of the table in 5.1.

# %%
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), layout="constrained")
plot_surface(dx.surface_paths("quadratic", {"kappa": 100.0}, ("momentum", "nesterov"), 0.004, 0.9, 0.999, 60), axes,
             title="κ = 100, η = 0.004, μ = 0.9, 60 steps")
plt.show()

# %% [markdown]
# **What to notice.** GD's step along the steep axis $y$ flips sign at *every*
# step (29 flips in 30 steps): $1 - 0.018\cdot100 = -0.8$. After 30 steps it
# has covered less than half of the shallow direction ($|x|$ is still 0.58 of
# its start: $0.982^{30}$). Momentum at the same rate flips half as often and
# gets four times closer in $f$: along $x$ the gradient keeps its sign and
# the velocity builds up, along $y$ consecutive gradients partly cancel in the
# velocity. Its $y$ swings are *larger*, though, and slower: with
# $\mu = 0.9$ both roots of each direction's recurrence have modulus
# $\sqrt{0.9} = 0.949$, so momentum does not so much damp the zig-zag as
# *equalise* the directions: the steep one now decays at 0.949 per step
# (GD: 0.8), the shallow one at 0.949 too (GD: 0.982), and the shallow one is
# what decides the total. Nesterov's look-ahead, which sees the gradient
# *after* the momentum step, is what damps the oscillation: its steep
# direction decays at $\sqrt{\mu(1-\eta\lambda)} = 0.73$ per step at
# $\eta = 0.004$, and its $y$ swings are a hundred times smaller than
# momentum's at the same settings. The price: its recurrence has
# $(1+\mu)(1-\eta\lambda)$ where momentum's has $1+\mu-\eta\lambda$, so its
# stability limit is lower, and at $\eta = 0.018$ it diverges.
#
# **The κ sweep.** Steps to bring $f - f^*$ from 4 to below $10^{-6}$ for good,
# against $\kappa$: GD at its best rate $2/(1+\kappa)$, heavy ball with
# Polyak's settings, momentum 0.9 at the best rate of a grid, and Adam at the
# best of 7 rates on the same bowl turned by 45° (and axis-aligned):

# %%
ks = ox.kappa_sweep()
adam_rot = dx.kappa_sweep_adaptive("adam", angle=math.pi / 4)
adam_al = dx.kappa_sweep_adaptive("adam", angle=0.0)
print("kappa                    " + "".join(f"{k:>7.0f}" for k in ks["kappas"]))
for key, name in (("gd", "GD at 2/(1+κ)"), ("gd_theory", "  theory (κ-1)/(κ+1)"), ("polyak", "heavy ball, Polyak"),
                  ("polyak_theory", "  theory (√κ-1)/(√κ+1)"), ("momentum", "momentum 0.9, best η")):
    print(f"{name:25s}" + "".join(f"{v:>7.0f}" for v in ks[key]))
print(f"{'Adam, bowl turned 45°':25s}" + "".join(f"{v:>7d}" for v in adam_rot["steps"]))
print(f"{'Adam, axis-aligned':25s}" + "".join(f"{v:>7d}" for v in adam_al["steps"]))
adam_b5 = {key: dx.kappa_sweep_adaptive("adam", kappas=(10, 100, 1000), angle=ang, hyper={"betas": (0.5, 0.999)})
           for key, ang in (("aligned", 0.0), ("turned", math.pi / 4))}
two_sig = lambda v: f"{int(float(f'{v:.2g}'))}"       # long runs: their last digits vary with the CPU
print("Adam with β1 = 0.5, κ = 10, 100, 1000 (2 significant figures): aligned "
      + ", ".join(two_sig(v) for v in adam_b5["aligned"]["steps"])
      + "; turned 45° " + ", ".join(two_sig(v) for v in adam_b5["turned"]["steps"]))
print(f"momentum 0.9 can reach its floor √0.9 per step only while κ < ((1+√μ)/(1-√μ))² = {ox.momentum_kappa_limit(0.9):.0f}")
print(f"GD / Polyak at κ=1000: {ks['gd'][-1] / ks['polyak'][-1]:.0f}x;  "
      f"slope of log(steps) vs log(κ), κ=100..1000: GD {np.log10(ks['gd'][-1] / ks['gd'][2]):.2f}, "
      f"Polyak {np.log10(ks['polyak'][-1] / ks['polyak'][2]):.2f}")

# %%
plot_kappa(ks, adam_rot, adam_al)
plt.show()

# %% [markdown]
# **What to notice.** GD's counts sit on its theory line: ten times the
# condition number, ten times the steps (slope 1.00 on the log-log plot).
# Polyak-tuned momentum grows like $\sqrt\kappa$ (slope 0.54): 18 times fewer
# steps at $\kappa = 1000$. It needs more steps than its rate predicts
# (17 instead of 12 at $\kappa = 10$) because at Polyak's setting the two roots
# coincide and the error decays like $t\,r^t$, not $r^t$. **Momentum 0.9 at its
# best rate needs about 140 steps for every $\kappa$ of the sweep**: with $\mu$ fixed, its
# rate can never beat $\sqrt{\mu} = 0.949$ per step, so it loses to GD on
# well-conditioned problems ($\kappa \le 30$) and wins by a growing factor on
# badly conditioned ones. That floor holds only up to a bound: both roots
# have modulus $\sqrt\mu$ for every curvature only if
# $(1-\sqrt\mu)^2 < \eta\ell$ and $\eta L < (1+\sqrt\mu)^2$, possible while
# $\kappa < ((1+\sqrt\mu)/(1-\sqrt\mu))^2 \approx 1440$ at $\mu = 0.9$
# (printed above; the sweep stops at 1000). Beyond it the count grows again
# unless $\mu$ grows with $\kappa$, which is Polyak's tuning.
#
# Adam (β₁ = 0.9) on the axis-aligned bowl also needs about 140 steps: the
# same count as momentum 0.9, which has no per-coordinate scaling at all. So
# ~140 is the floor set by Adam's *momentum* β₁, not an effect of dividing by
# the gradient scale. The per-coordinate scaling shows at β₁ = 0.5 (printed
# row): the aligned bowl then takes a few dozen steps at every $\kappa$, the
# turned bowl about 1300 at $\kappa = 1000$. At β₁ = 0.9 the same contrast hides under
# the momentum floor until $\kappa \gtrsim 300$ (481 turned at $\kappa = 1000$).
# Section 5.3 looks at why the turn matters.
#
# ### Explorer: the surfaces
#
# Tick any optimisers; one learning rate for all of them. `μ / β₁` is
# momentum's and Nesterov's $\mu$ and Adam's $\beta_1$; `ρ / β₂` is RMSprop's
# $\rho$ and Adam's $\beta_2$ (Adamax's and Nadam's too). Things to try: on the bowl at $\kappa = 100$,
# $\eta = 0.018$, GD zig-zags tightly and crawls along $x$; momentum swings
# wider and slower but covers the valley ($|x|$ at 0.20 of its start after 30
# steps, GD at 0.58; the table above); tick Nesterov at $\eta = 0.004$ to see
# the swing damped; raise $\eta$ past 0.02
# and GD diverges (the info line says when) while momentum survives up to
# 0.038; turn the bowl (angle) with Adagrad ticked.

# %%
# NBVAL_IGNORE_OUTPUT
SurfaceExplorer()

# %% [markdown]
# ## 5.3 Adaptive steps: Adagrad, RMSprop, Adam, and the bias correction
#
# **Intuition.** Divide each coordinate's gradient by the RMS of its own
# recent gradients and every coordinate moves by about $\eta$ per step,
# however large or small its gradient: the step's *direction* comes from the
# signs, its *size* from $\eta$. The methods differ in what "recent" means:
# Adagrad remembers everything (its sum only grows, so its step only shrinks),
# RMSprop and Adam an exponential window of $1/(1-\rho)$ steps.
#
# **Adam's first step.** With $m_0 = v_0 = 0$,
# $m_1 = (1-\beta_1)g_1$ and $v_1 = (1-\beta_2)g_1^2$. The bias correction
# divides by $1-\beta_1^1$ and $1-\beta_2^1$, so $\hat m_1 = g_1$,
# $\hat v_1 = g_1^2$ and
#
# $$\Delta\theta_1 = -\eta\,\frac{g_1}{|g_1| + \epsilon} \approx -\eta\,\mathrm{sign}(g_1).$$
#
# **Why the correction.** For a stationary gradient with
# $\mathbb E[g_t] = \bar g$, $\mathbb E[g_t^2] = \bar s$,
# $\mathbb E[m_t] = (1-\beta_1)\sum_{i=1}^t \beta_1^{t-i}\,\bar g = (1-\beta_1^t)\,\bar g$
# (a geometric sum), and likewise $\mathbb E[v_t] = (1-\beta_2^t)\,\bar s$: the
# averages start at zero and are biased towards it by exactly these factors.
# Without the correction the first step is
#
# $$\frac{(1-\beta_1)\,g_1}{\sqrt{1-\beta_2}\,|g_1|}\,\eta = \frac{0.1}{\sqrt{0.001}}\,\eta = 3.16\,\eta,$$
#
# larger, not smaller, because $\sqrt{1-\beta_2}$ is much smaller than
# $1-\beta_1$; and under a constant gradient the ratio
# $(1-\beta_1^t)/\sqrt{1-\beta_2^t}$ keeps growing for a while before it falls
# back to 1. The first steps under the constant gradient $g = (1, 10^{-3})$:

# %%
g_const = (1.0, 1e-3)
fs = {"Adam": dx.first_steps("adam", g_const, 0.01, 1000)["ratio"][:, 0],
      "Adam, no bias correction": dx.first_steps("adam", g_const, 0.01, 1000, {"bias_correction": False})["ratio"][:, 0],
      "Adagrad": dx.first_steps("adagrad", g_const, 0.01, 1000)["ratio"][:, 0],
      "RMSprop ρ=0.9": dx.first_steps("rmsprop", g_const, 0.01, 1000)["ratio"][:, 0]}
first = dx.first_steps("adam", g_const, 0.01, 1)["ratio"][0]
print(f"Adam's first step / η per coordinate, gradients {g_const}: {np.abs(first).round(5)}")
nobc = np.abs(fs["Adam, no bias correction"])
print(f"without bias correction: step 1 = {nobc[0]:.3f} η, largest {nobc.max():.2f} η at step {nobc.argmax() + 1}, "
      f"step 1000 = {nobc[-1]:.3f} η")
print(f"Adagrad: steps 1, 4, 100 = " + ", ".join(f"{abs(fs['Adagrad'][t - 1]):.3f}" for t in (1, 4, 100))
      + " η  (η/√t)")
for name in ("adamax", "nadam"):
    r = np.abs(dx.first_steps(name, g_const, 0.01, 100)["ratio"][:, 0])
    print(f"{name}: step 1 = {r[0]:.3f} η, step 100 = {r[-1]:.3f} η")
silence = dx.first_steps("adam", tuple([(0.0,)] * 10_000 + [(1.0,)]), 0.01)["ratio"][-1, 0]
print(f"Adam after 10 000 zero gradients, then g = 1: step = {abs(silence):.3f} η "
      f"(Kingma and Ba's bound (1-β1)/√(1-β2) = {0.1 / math.sqrt(0.001):.3f})")
plot_first_steps(fs)
plt.show()

# %% [markdown]
# **What to notice.** Adam's first step is $\eta$ in *both* coordinates
# although their gradients differ by a factor 1000, and it stays $\eta$ under a
# constant gradient (Adamax's too: its max-norm needs no correction; Nadam's
# look-ahead counts the current gradient twice, so its first step is
# $(1 + \beta_1/(1+\beta_1))\,\eta = 1.47\,\eta$). Without the correction Adam starts at $3.16\,\eta$ and
# swells to $6.6\,\eta$ at step 12 before the averages warm up; with
# $\eta$ tuned for the corrected rule that is a six-fold overshoot in the first
# steps. Adagrad's step is exactly $\eta/\sqrt t$: after 100 steps a tenth of
# the first, whatever happens next. RMSprop's average starts at zero too and
# has no correction: its first step is $\eta/\sqrt{1-\rho} = 3.16\,\eta$
# ($n_1 = 0.1\,g^2$), and it settles at $\eta$ within a few dozen steps.
#
# **Per-coordinate scaling helps only when the axes align.** Dividing by a
# per-coordinate RMS is a *diagonal* preconditioner. On an axis-aligned
# bowl it is exactly the right one (each coordinate's gradient is
# proportional to its own curvature); on a turned bowl both coordinates see
# both curvatures and the diagonal rescaling cannot undo the conditioning.
# Fewest steps to $10^{-6}$ over a grid of rates, $\kappa = 100$:

# %%
avr = dx.aligned_vs_rotated()
print(f"{'κ = 100':10s} {'axis-aligned':>14s} {'turned 45°':>12s}")
for name, r in avr.items():
    show = lambda s, lr: f"{s} (η {lr:.3g})" if s > 0 else "never (3000)"
    print(f"{name:10s} {show(r['aligned'], r['aligned_lr']):>14s} {show(r['rotated'], r['rotated_lr']):>18s}")
print("Adagrad, aligned, beyond the grid: η = 30 in "
      f"{ox.steps_to_tolerance('quadratic', 'adagrad', 30.0, 1e-6, 3000, surface_args={'kappa': 100.0})['steps']} steps")

# %%
fig, axes = plt.subplots(2, 2, figsize=(9.5, 7.0), layout="constrained")
for row, deg in zip(axes, (0, 45)):
    lr_ada = avr["adagrad"]["aligned_lr" if deg == 0 else "rotated_lr"]       # each bowl at its best rate
    plot_surface(dx.surface_paths("quadratic", {"kappa": 100.0, "angle": math.radians(deg)}, ("adagrad",),
                                  lr_ada, 0.9, 0.999, 100), row, title=f"κ = 100, turned {deg}°: Adagrad at η = {lr_ada:g}")
plt.show()

# %% [markdown]
# **What to notice.** GD is blind to the rotation (379 steps both ways).
# Adagrad solves the aligned bowl in 7 steps at $\eta = 3$, the grid's largest
# rate (larger rates do as well: 5 steps at 30), and needs 577 turned, at its
# best rate 0.3 (each panel is drawn at its own best rate). At $\eta = 3$ the
# first step is $\eta\,\mathrm{sign}(g) = 3$ in each coordinate, far past the
# minimum (the path leaves the window and $f$ jumps up); from there the steps
# shrink as $\eta/\sqrt t$ and land within a few more. On the
# aligned bowl coordinate $i$'s gradient is $\lambda_i p_i$, and Adagrad's step
# $\eta\,\lambda_i p_{i,t}/\sqrt{\sum_s \lambda_i^2 p_{i,s}^2}$ does not depend on
# $\lambda_i$ at all: it moves every coordinate as if its curvature were 1,
# which erases the conditioning (a diagonal rescaling can only do that when
# the curvature *is* diagonal). RMSprop at a constant rate never gets below $10^{-6}$ on either: its
# step tends to $\eta\,\mathrm{sign}(g)$, so it ends bouncing between
# $\pm\eta/2$; only a decaying rate (section 5.6) lets it settle. For Adam the
# count is set by how fast it can settle, not by $\kappa$, until the bowl is
# turned (the κ sweep above).
#
# ## 5.4 Saddles, curved valleys and noise
#
# **Saddle.** $f = x^2 + \tfrac14 y^4 - \tfrac12 y^2$ has a saddle at the origin
# (curvature 2 along $x$, $-1$ along $y$) and minima at $(0, \pm1)$. Started a
# distance $\delta$ off the ridge $y = 0$, GD multiplies $y$ by $1 + \eta$
# per step near the saddle, so it needs $\ln(0.5/\delta)/\ln(1+\eta)$ steps to
# get away: 24 more steps for every factor 10 closer to the ridge at
# $\eta = 0.1$. Steps until $|y| > 0.5$:

# %%
offsets = (1e-3, 1e-6, 1e-9, 1e-16)
print(f"{'start y =':12s}" + "".join(f"{o:>8.0e}" for o in offsets))
for name, hy in (("sgd", None), ("momentum", {"momentum": 0.9}), ("adagrad", None), ("rmsprop", None), ("adam", None)):
    print(f"{name:12s}" + "".join(f"{dx.escape_steps(name, 0.1, o, 400, hy):>8d}" for o in offsets))
print(f"GD, theory ln(0.5/δ)/ln(1.1) + few: {', '.join(f'{math.log(0.5 / o) / math.log(1.1):.0f}' for o in offsets)}")
print("exactly on the ridge (δ = 0):", {n: dx.escape_steps(n, 0.1, 0.0, 400) for n in ("sgd", "adam")})

# %%
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), layout="constrained")
plot_surface(dx.surface_paths("saddle", None, ("sgd", "momentum", "adam"), 0.1, 0.9, 0.999, 150), axes,
             title="saddle, start 0.001 off the ridge, η = 0.1")
plt.show()

# %% [markdown]
# **What to notice.** Near a saddle the gradient along the escape direction is
# proportional to the distance from the ridge, so GD's escape time grows with
# $\log(1/\delta)$ (67, 139, 212 steps). The adaptive methods divide that tiny
# gradient by its own tiny RMS and move by about $\eta$ at once (2-9 steps,
# whatever $\delta$, down to $10^{-16}$). Below $|g| \approx \epsilon$ that is
# $\epsilon$'s doing: Adam's step is then about $\eta\,g/\epsilon$, an effective
# rate $\eta/\epsilon = 10^7$ (the flip side of "first step
# $\approx \eta\,\mathrm{sign}(g)$"). Momentum is in between: near the saddle
# $y$ follows $y_{t+1} = (1+\mu+\eta)y_t - \mu y_{t-1}$, whose growing root is
# 1.316 per step at $\mu = 0.9$, $\eta = 0.1$, so 8.4 steps per decade of
# $\delta$ (25, 50, 75). *Exactly* on the ridge the
# gradient along $y$ is zero and no gradient method leaves; in practice the
# noise of mini-batch gradients supplies the offset.
#
# **Rosenbrock's valley** $f = (1-x)^2 + 100(y-x^2)^2$, 3000 steps:

# %%
gd_ros = dx.final_gap_sweep("rosenbrock", "sgd", (1e-3, 1.5e-3, 2e-3, 2.5e-3), 3000)
print("GD, f - f* after 3000 steps at η = " + ", ".join(f"{lr:g}: {g:.1e}" for lr, g in zip(gd_ros["lrs"], gd_ros["gaps"])))
for name, lr, hy in (("sgd", gd_ros["best_lr"], None), ("momentum", 1e-3, {"momentum": 0.9}), ("adam", 0.03, None)):
    gap = ox.optimiser_path("rosenbrock", name, lr, 3000, None, hy)["gap"]
    print(f"{name:9s} η={lr:<6g} f - f* after 3000 steps: {gap[-1]:.1e}")

# %% [markdown]
# GD at its best rate of the sweep ($2\cdot10^{-3}$; at $2.5\cdot10^{-3}$ it
# bounces across the valley and ends farther away) creeps along the curved
# floor of the valley and is still about $10^{-3}$ away after 3000 steps;
# momentum and Adam arrive.
# The **noisy bowl** adds Gaussian noise (standard deviation 1) to each
# gradient, a stand-in for mini-batches: at a constant rate nothing settles;
# GD jitters around the minimum at a level that grows with $\eta$ (mean
# $f - f^*$ over the last 500 of 1500 steps, $\kappa = 10$, 5 noise seeds):

# %%
for lr in (0.01, 0.1):
    floor = [np.mean(ox.optimiser_path("noisy", "sgd", lr, 1500, None, None,
                                       {"kappa": 10.0, "noise": 1.0, "seed": s})["gap"][-500:]) for s in range(5)]
    theory = sum(lr / (2 * (2 - lr * lam)) for lam in (1.0, 10.0))       # sigma = 1, see below
    print(f"GD at η = {lr:g}: f - f* stays around {pm(floor)}   (predicted {theory:.2g})")

# %% [markdown]
# The level is predictable: along a direction of curvature $\lambda$ the
# update $x \leftarrow (1-\eta\lambda)x - \eta\sigma z$ settles at the variance
# $\eta\sigma^2/(\lambda(2-\eta\lambda))$, so
# $\mathbb E[f - f^*] = \sum_i \eta\sigma^2/(2(2-\eta\lambda_i))$: 0.0051 at
# $\eta = 0.01$ and 0.076 at $\eta = 0.1$ for $\lambda = 1, 10$ — about
# proportional to $\eta$, as measured. That jitter is what a decaying schedule
# removes (5.6).
#
# ## 5.5 On a real network: each optimiser at the rate a sweep finds
#
# Comparing optimisers at their "default" rates compares the defaults, not the
# methods. So: the 64-32-10 ReLU net on the 8×8 digits (mini-batches of 32,
# 200 steps, about 6 epochs), each optimiser at 6-7 rates half a decade apart,
# 5 seeds each, scored by the validation loss after training.

# %%
t = time.process_time()
sweeps = sx.sweep_all()
sweep_cpu = time.process_time() - t
print(f"{sum(s['val_loss'].size for s in sweeps.values())} training runs of 200 steps\n")
print("best η: lowest median validation loss (k: seeds whose own best it is); loss and accuracy there: mean ± sd;\n"
      "good η: the rates whose median loss is at most 1.5 times the best median\n")
print(f"{'optimiser':10s} {'best η (k of 5)':>20s} {'val. loss at best':>18s} {'val. accuracy':>14s} {'good η':>22s}")
for name, s in sweeps.items():
    g = sx.good_range(s)
    b = s["best"]
    best = " ≈ ".join(f"{lr:g} ({k})" for lr, k in sx.best_rates(s))   # two rates: a tie of the medians
    print(f"{name:10s} {best:>20s} {pm(s['val_loss'][b]):>18s} {pm(s['val_acc'][b]):>14s}"
          f"    {g['lo']:g} .. {g['hi']:g} ({g['decades']:.1f} decades)")
adam = sweeps["adam"]
print(f"\nAdam at the frameworks' default η = 0.001, 200 steps: validation loss "
      f"{pm(adam['val_loss'][list(adam['lrs']).index(0.001)])} (at its best η = {adam['best_lr']:g}: {pm(adam['val_loss'][adam['best']])})")
long = sx.digits_lr_sweep("adam", (0.001, 0.01, 0.03), steps=1000)
print("the same with 1000 steps (30 epochs): " + ", ".join(f"η = {lr:g}: {pm(v)}" for lr, v in zip(long["lrs"], long["val_loss"])))

# %%
# NBVAL_IGNORE_OUTPUT
print(f"the sweep cost {sweep_cpu:.1f} s of CPU (cached afterwards)")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.9), layout="constrained")
plot_sweep({n: sweeps[n] for n in ("sgd", "momentum", "nesterov")}, axes[0])
plot_sweep({n: sweeps[n] for n in ("adagrad", "rmsprop", "adam", "adamax", "nadam")}, axes[1])
axes[0].set_title("SGD and momentum", fontsize=9)
axes[1].set_title("adaptive methods", fontsize=9)
plot_curves(sweeps, axes[2])
plt.show()

# %% [markdown]
# **What to notice.** Found, not assumed: the best rates differ by a factor 30
# (printed above), and for most optimisers most seeds agree on them (the count
# in brackets; Adamax's seeds split between 0.03 and 0.1; Nadam's 0.01 and 0.03
# tie on the median, so both are shown). They are the best
# rates *for this budget* of 200 steps; a longer run tolerates, and often
# prefers, a smaller rate. At its own best rate every optimiser reaches
# about the same validation loss (0.15-0.21) and accuracy (94-96 %) on this
# small problem; the differences between them are smaller than what a
# tenfold error in the learning rate costs any of them. In 200 steps (6
# epochs) Adam's framework default $10^{-3}$ is far from its best (a
# validation loss near 0.9, not 0.15); it is a slow rate, not a bad one: with
# 1000 steps (last printed line) the best rate moves down to 0.01 and the
# default ends within a factor 2 of it. A sweep answers "best for this
# budget"; change the budget and sweep again. None of them is "robust to the learning rate" in the sense of the
# notes' "no need to tune": every curve is a valley about one decade wide
# (at the 1.5x criterion, half a decade to a decade on this grid of
# half-decade steps), and a rate a decade off costs a factor 2 or more in
# validation loss. The
# adaptive methods' curves have the same shape as SGD's, shifted: their rate
# is in units of the parameters, SGD's in units of parameters per gradient.
# Adamax and Nadam (the last rows) behave like Adam: the same range, the same
# loss.
#
# **AdamW: weight decay outside Adam.** Weight decay (chapter 07) adds
# $\lambda w$ to the gradient ("L2"). Inside Adam that term is divided by
# $\sqrt{\hat v}$ like the rest of the gradient, so a weight whose gradients
# have been large is barely decayed and a quiet one is decayed hard. AdamW
# (Loshchilov and Hutter) takes the decay out of the adaptive step:
# $w \leftarrow w - \eta\lambda w$, then Adam's step, so every weight shrinks
# by the same factor. Two weights starting at 1, gradients alternating in sign
# of size 1 (busy) and 0.01 (quiet), $\eta = 0.01$, $\lambda = 0.01$, 200
# steps, each weight divided by where it ends without decay:

# %%
dvl = dx.decay_vs_l2()
print(f"L2 inside Adam: busy {dvl['l2'][0]:.3f}, quiet {dvl['l2'][1]:.3f};  AdamW: busy {dvl['adamw'][0]:.4f}, "
      f"quiet {dvl['adamw'][1]:.4f}  ((1 - ηλ)^200 = {dvl['expected']:.4f})")

# %% [markdown]
# With L2 the quiet weight ends at a sixth of its undecayed value and the busy
# one is almost untouched; AdamW shrinks both by the same 2 %, the decay the
# user asked for.
#
# ### Explorer: one optimiser's sweep
#
# Each new optimiser or number of seeds trains (6-7 rates) × seeds networks;
# the bar appears after half a second.

# %%
# NBVAL_IGNORE_OUTPUT
SweepExplorer()

# %% [markdown]
# ## 5.6 Schedules and warm-up
#
# A schedule sets $\eta_t$ before each step (`dlcore.schedules`, composable
# with any optimiser; $t$ counts the steps taken):
#
# | name | $\eta_t$ | parameters |
# |---|---|---|
# | step | $\eta_0\,d^{\lfloor t/s\rfloor}$ | drop $d$, every $s$ steps |
# | exponential | $\eta_0\,r^{t/T}$ ($r^{\lfloor t/T\rfloor}$ with `staircase`) | `decay_rate` $r$, `decay_steps` $T$, `staircase` |
# | 1/t (inverse time) | $\eta_0 / (1 + r\,t/T)$ | `decay_rate` $r$, `decay_steps` $T$ |
# | cosine | $\eta_{min} + \tfrac12(\eta_0-\eta_{min})(1+\cos(\pi t/T))$ | total steps $T$, $\eta_{min}$ |
# | linear warm-up | $\eta_0\,(t+1)/W$ for $t < W$, then the schedule | $W$ steps |
#
# These are the parameters the notes' question "what are the common
# parameters of learning-rate decay" refers to: TensorFlow's
# `exponential_decay(learning_rate, global_step, decay_steps, decay_rate,
# staircase)` is the second row, with `global_step` our $t$.
#
# **Why decay at all.** With noisy (mini-batch) gradients, a constant rate
# leaves the weights jittering around the minimum at a distance that grows with
# $\eta$ (the noisy bowl above); shrinking $\eta$ late shrinks the jitter while
# the early large steps still cover the distance. SGD at peak rate 1.0 (the top
# of its good range), 300 steps, 5 seeds:

# %%
sched = sx.schedule_runs("sgd", 1.0)
print(f"{'schedule':20s} {'val. loss':>14s} {'val. accuracy':>14s} {'train loss, last 30 steps':>26s} {'lower than constant':>20s}")
for label, v in sched.items():
    if label == "steps":
        continue
    wins = "" if label == "constant" else f"in {sx.paired_lower(v['val_loss'], sched['constant']['val_loss'])} of 5 seeds"
    print(f"{label:20s} {pm(v['val_loss']):>14s} {pm(v['val_acc']):>14s} {pm(v['loss'][:, -30:].mean(1)):>26s} {wins:>20s}")
plot_schedules(sched)
plt.show()

# %% [markdown]
# **What to notice.** At this high peak rate the decaying schedules end with
# a lower mean validation loss than the constant rate (about 0.14-0.15
# against 0.20), but not seed by seed: the last column counts the seeds (same
# seeds, same initial weights) in which each schedule beats the constant rate,
# and the constant rate's own spread over seeds is as large as the gap. The
# mean gap comes mostly from two seeds where the constant rate ends badly.
# Step, exponential and cosine end within each other's spread: the shape
# matters less than "large early, small late". At the best *constant*
# rate of the sweep, 0.3, decaying does not help in 300 steps: there is less
# noise to remove, and decaying shortens the distance travelled:

# %%
low = sx.schedule_runs("sgd", 0.3, specs=(sx.SCHEDULE_SPECS[0], sx.SCHEDULE_SPECS[1], sx.SCHEDULE_SPECS[4]))
print("peak rate 0.3: " + ";  ".join(f"{k} {pm(v['val_loss'])}" for k, v in low.items() if k != "steps"))
cos1, const03 = sched["cosine"]["val_loss"], low["constant"]["val_loss"]
print(f"cosine from peak 1.0: {pm(cos1)} against the best constant rate 0.3: {pm(const03)}; "
      f"lower in {sx.paired_lower(cos1, const03)} of 5 seeds")

# %% [markdown]
# The comparison that matters is the last line: a cosine schedule from the
# peak 1.0, a rate too high to keep constant, ends lower than the best
# constant rate seed by seed. A schedule is a way to use a *higher* peak rate
# safely, not a free gain at any rate.
#
# ### Explorer: one schedule against the constant rate

# %%
# NBVAL_IGNORE_OUTPUT
ScheduleExplorer()

# %% [markdown]
# **Warm-up.** Start with a small rate and raise it linearly over $W$ steps.
# It matters when the first gradients are much larger than later ones, so a
# rate that is safe later is ruinous at the start. Here: plain SGD at
# $\eta = 0.3$ on a 64-64-64-10 ReLU net whose weights start $\mathcal N(0, 1)$
# (chapter 02's too-large initialisation: the initial loss is in the hundreds),
# with and without 100 steps of warm-up, 300 steps, 5 seeds:

# %%
wr = sx.warmup_rescue()
for key, name in (("none", "no warm-up"), ("warmup", "100 warm-up steps")):
    v = wr[key]
    print(f"{name:18s} trains (val. acc. > {sx.TRAINS}) in {int(v['trained'].sum())} of {len(v['trained'])} seeds; "
          f"val. accuracy {pm(v['val_acc'])}; largest mini-batch loss {np.median(v['peak']):.1e} (median); "
          f"training loss over the last 50 steps {pm(v['loss'][:, -50:].mean(1))}")
print(f"initial loss: {pm(wr['none']['loss'][:, 0], digits=0)}")
for lr in (0.01, 0.03, 0.1):                   # control: a smaller constant rate, no warm-up
    v = sx.warmup_rescue("sgd", lr, 0)["none"]
    print(f"control, constant η = {lr:<5g} trains in {int(v['trained'].sum())} of 5 seeds; val. accuracy {pm(v['val_acc'])}")
ws = sx.warmup_state()
for key, name in (("none", "no warm-up"), ("warmup", "100 warm-up steps")):
    print(f"after 100 steps, {name:18s}: dead hidden ReLUs {pm(ws[key]['dead'], digits=2)}, "
          f"weight norm {pm(ws[key]['norm'], digits=0)} (at the start {pm(ws[key]['norm0'], digits=0)})")
plot_warmup(wr)
plt.show()

# %% [markdown]
# **What to notice.** Without warm-up the first full-size steps drive the loss
# from the hundreds to the thousands (largest loss about 1500) and every seed
# ends near the chance loss $\ln 10 = 2.30$ (dashed line), at a near-chance
# accuracy: the net is wrecked before the gradients come back to scale. With warm-up the
# first steps are $0.003$, the loss comes down from its start without
# exploding (largest about 150, the initial loss itself), and by the time the
# rate reaches 0.3 it is safe: 5 of 5 seeds train. The mechanism, measured
# after 100 steps: without warm-up most hidden ReLUs are dead (their input
# negative on every training image, so they pass no gradient and never come
# back) and the weights have *grown* two- to fourfold; with warm-up a tenth
# or so are dead (in every seed far fewer than without) and the weights keep
# their initial size.
#
# Warm-up is not the only way to train this net: the controls show that a
# smaller constant rate (0.01-0.1) trains in every seed too, and ends at an
# accuracy only a little below warm-up's (0.86-0.88 for 0.01 and 0.03). What
# warm-up buys is *reaching* the higher rate, 0.3; on this small net and budget
# that is worth a percent or two of accuracy at most (how much varies with the
# CPU's arithmetic: these runs from $\mathcal N(0, 1)$ weights are chaotic). Warm-up repairs a start whose gradients are out of
# scale. The setting here (a bad initialisation) is a demonstration, not the
# usual use: Goyal et al. need warm-up for large-batch training, where the
# linear scaling rule raises the rate with the batch size (chapter 06), and
# Adam's first steps, when its second moment is estimated from a handful of
# gradients, are the other common case.

# %%
# NBVAL_IGNORE_OUTPUT
WarmupExplorer()

# %% [markdown]
# ## 5.7 Input normalisation
#
# **Intuition.** For a linear model with loss
# $L = \frac1{2n}\lVert A\theta - y\rVert^2$ ($A = [X, \mathbf 1]$), the
# Hessian is $H = A^\top A/n$: the second moments of the inputs. Features on
# very different scales, or far from zero (which couples them to the bias),
# make $H$ badly conditioned, and section 5.2 says what that costs: steps
# proportional to $\kappa(H)$, the zig-zag across the narrow direction. Scaling
# each feature to mean 0 and variance 1 (z-score) makes the diagonal of $H$
# all ones and removes the coupling to the bias; what is left is the features'
# correlation. Min-max scaling to $[0, 1]$ fixes the scales but not the means.
#
# **Two features:** "age" (mean 50, sd 10) and "rooms" (mean 2, sd 0.5), 200
# examples, gradient descent at its best fixed rate (the exact step count from
# the eigen-decomposition), 5 seeds:

# %%
nt = nx.normalisation_table()
print(f"{'scaling':8s} {'condition number of AᵀA':>24s} {'steps to 1e-6 of the start':>28s}")
for sc in nx.SCALINGS:
    print(f"{sc:8s} {pm(nt[sc]['cond'], digits=1) if sc != 'raw' else '%.1e .. %.1e' % (nt[sc]['cond'].min(), nt[sc]['cond'].max()):>24s}"
          f" {'%.1e .. %.1e' % (nt[sc]['steps'].min(), nt[sc]['steps'].max()) if sc == 'raw' else pm(nt[sc]['steps'], digits=0) if sc != 'zscore' else '%d .. %d' % (nt[sc]['steps'].min(), nt[sc]['steps'].max()):>28s}")
part = nx.normalisation_table(schemes=nx.PARTIAL_SCALINGS)       # z-score's two halves, one at a time
for sc, name in (("centre", "centre only"), ("scale", "scale only")):
    print(f"{name:11s} {'%.0f .. %.0f' % (part[sc]['cond'].min(), part[sc]['cond'].max()):>21s}"
          f" {'%d .. %d' % (part[sc]['steps'].min(), part[sc]['steps'].max()):>28s}")
print(f"speed-up of z-score over raw: {np.min(nt['raw']['steps'] / nt['zscore']['steps']):.1e} "
      f"to {np.max(nt['raw']['steps'] / nt['zscore']['steps']):.1e} x over the seeds")
plot_zigzag_norm({"raw": nx.normalisation_gd("raw", 0), "min-max": nx.normalisation_gd("minmax", 0),
                  "z-score": nx.normalisation_gd("zscore", 0)})
plt.show()

# %% [markdown]
# **What to notice.** The contours become round: the condition number drops
# from about $10^5$ to about 1, and the steps from hundreds of thousands to a
# handful. The figure shows the first 50 steps (seed 0) in the plane of the
# Hessian's shallowest and steepest eigen-directions, where each component of
# the error evolves on its own ($c_i \leftarrow (1-\eta\lambda_i)c_i$) and the
# contours are ellipses with axes $\propto 1/\sqrt{\lambda_i}$. Raw: the steep
# component flips sign at every step with a factor close to $-1$ and the
# shallow one does not visibly move; min-max: the classic zig-zag, bouncing
# across the valley while crawling along it; z-score: there in two steps.
# Min-max lies in between because features in $[0, 1]$ still have means near
# 0.5, which the bias has to compensate; its condition number stays between
# about 50 and 100.
#
# **Centring and scaling, one at a time** (the rows "centre only", subtract
# each feature's mean, and "scale only", divide by its standard deviation):
# neither is enough alone. Centring removes the coupling to the bias but
# leaves the two scales (κ in the hundreds); scaling equalises the scales but
# leaves "age" at a mean of 5 standard deviations from zero, which couples it
# to the bias (κ in the thousands). LeCun et al.'s *Efficient BackProp* gives
# both reasons: inputs that are all positive make every weight of a unit move
# in the same direction, and unequal scales make the zig-zag. Z-score does
# both. What it cannot remove is correlation: for two z-scored features with
# correlation $\rho$ the Hessian's eigenvalues are $1 \pm \rho$, so
# $\kappa = (1+|\rho|)/(1-|\rho|)$ (9 at $\rho = 0.8$; the explorer's
# correlation slider). Removing it takes *whitening* (rotating to the
# principal axes of the inputs and scaling each), which costs a
# decomposition of the input covariance.
#
# ### Explorer: scales, means, correlation

# %%
# NBVAL_IGNORE_OUTPUT
NormalisationExplorer()

# %% [markdown]
# **Two real tables, read from files.** scikit-learn ships small data sets as
# CSV files inside its package. We read two as a reader would read their own
# data, with `dlcore.load_csv`, as shipped (the options they need are in the
# note below). **Wine**: 178 wines, 13 chemical
# measurements from 0.1 (hue) to 1680 (proline), 3 cultivars; softmax
# regression by full-batch gradient descent at the safe rate $2/\lambda_{\max}$,
# steps until the training cross-entropy is below 0.1. **Diabetes**: 442
# patients, 10 measurements, a disease score; least squares, gradient descent
# at its best rate, steps until the loss gap is $10^{-6}$ of the start,
# computed (not run) from the eigen-decomposition of $A^\top A/n$ as for the two
# features: $10^8$ steps cannot be run. Wine's rate $2/\lambda_{\max}$ is
# safe because the softmax cross-entropy's curvature is at most half that of
# least squares on the same inputs. Seeds
# draw the train/validation/test split; each scaling uses the training rows'
# statistics; "log" is $\log(1 + x - \min x)$ followed by z-score.

# %%
tab = tx.table_comparison()
wine = tx.load_table("wine", 0)
print(f"wine: {wine.X_train.shape[0]} training rows, feature ranges {wine.X_train.min():g} .. {wine.X_train.max():g}")
for table in ("wine", "diabetes"):
    print(f"\n{table:9s} {'steps to the target over 5 seeds':>34s} {'log10 cond.':>12s}")
    for sc in tx.TABLE_SCALINGS:
        st, cond = tab[table][sc]["steps"], tab[table][sc]["cond"]
        steps = (f"not within {tab['wine_max_steps']}" if np.all(st < 0) else
                 f"{st.min():.1e} .. {st.max():.1e}" if sc == "raw" else
                 f"{pm(st / 1000)} thousand" if table == "diabetes" else pm(st))
        print(f"{sc:9s} {steps:>34s} {pm(np.log10(cond), digits=1):>12s}")
for table in ("wine", "diabetes"):
    raw = tab[table]["raw"]["steps"]
    if np.all(raw > 0):
        print(f"{table}: z-score is {np.min(raw / tab[table]['zscore']['steps']):.1e} to "
              f"{np.max(raw / tab[table]['zscore']['steps']):.1e} times faster than raw")
plot_tables(tab)
plt.show()

# %% [markdown]
# **What to notice.** Raw wine does not reach the target in 10 000 steps
# (proline, in the hundreds, sets the rate; the small features barely move);
# z-score reaches it in about 19 steps. On diabetes the raw
# problem needs about $10^8$ steps, z-score about $10^3$, five orders of
# magnitude fewer. Min-max helps but far less than z-score (the means again).
# The log transform helps diabetes further (its condition number drops by
# another factor 5-10) and changes little for wine. Scaling is not a detail
# of convenience: on these tables it decides between "trains" and "does not".
#
# > **Reading these files with `load_csv`.** `wine_data.csv` starts with the
# > line `178,13,class_0,class_1,class_2` (rows, columns, class names), which
# > is not a header: read as one, the file fails at line 2 (14 cells, expected
# > 5). `load_csv(path, skip_rows=1, header=False)` skips it. The diabetes data
# > are gzip-compressed (read by their bytes, no option needed),
# > space-separated (`delimiter=None`: runs of spaces or tabs) and keep the
# > target in a second file (`y=` that file's path); the target, integers such
# > as 151, must be declared a regression target (`task="regression"`), or
# > the split infers classification. `normalisation_tables.table_files` holds
# > these options.
#
# ## 5.8 Errata
#
# > **Errata: the notes' Adadelta.** The notes write
# > $\Delta x_t = -\sqrt{\sum_{r=1}^{t-1}\Delta x_r}\,/\sqrt{E[g^2]_t+\epsilon}$:
# > a *sum* of past *updates* (no squares, no decay) and no gradient $g_t$.
# > Run literally, the sum is empty at $t = 1$, so the first update is 0, and
# > then every later one is 0 too. Zeiler's rule (table in 5.1) uses the
# > running average of *squared* updates and multiplies by $g_t$:

# %%
na = ox.notes_adadelta_path("quadratic", 200, surface_args={"kappa": 10.0})
bowl = Quadratic(10)
print(f"notes' rule: moved {np.abs(na['notes'] - na['notes'][0]).max():.1f} in 200 steps (f stays {bowl.value(na['notes'][-1]):.2f})")
print(f"Adadelta   : first step {np.abs(na['adadelta'][1] - na['adadelta'][0]).round(5)}, "
      f"f from {bowl.value(na['adadelta'][0]):.2f} to {bowl.value(na['adadelta'][-1]):.2f} in 200 steps")
for eps in (1e-4, 1e-6, 1e-8):
    pa = ox.optimiser_path("quadratic", "adadelta", 1.0, 200, None, {"rho": 0.95, "eps": eps}, {"kappa": 10.0})["path"]
    print(f"Adadelta, ε = {eps:.0e}: first step {np.abs(pa[1] - pa[0]).max():.2e} "
          f"(√ε/√(1-ρ) = {math.sqrt(eps / 0.05):.2e}), f after 200 steps "
          + (f"{bowl.value(pa[-1]):.3g}" if bowl.value(pa[-1]) > 1e-12 else "< 1e-12"))

# %% [markdown]
# > **Errata: "RMSprop is a special case of Adadelta (ρ = 0.5 gives the mean
# > of the squared gradients)".** $\rho = 0.5$ does not average the squared
# > gradients: it weights the latest by 1/2, the one before by 1/4, and so on.
# > The precise relation (`dlcore/optim/adaptive.py`, tested): both divide by
# > the RMS of the same running average $E[g^2]_t$. If Adadelta's numerator
# > $\sqrt{E[\Delta\theta^2]_{t-1}+\epsilon}$ were frozen at a constant $c$,
# > Adadelta *would be* RMSprop with rate $\eta c$ (and $\epsilon$ inside the
# > root). With the numerator live they agree on the **first step only**
# > ($E[\Delta\theta^2]_0 = 0$, so Adadelta's first step is RMSprop's at rate
# > $\eta\sqrt\epsilon$); from then on Adadelta's rate grows with its own
# > updates, and no choice of $\rho, \epsilon, \eta$ makes the two paths equal.
# > RMSprop is Adadelta's *first half*, not a special case of it.
# >
# > Two more claims of the notes. Their *first* "Adadelta" formula,
# > $n_t = \nu n_{t-1} + (1-\nu)g_t^2$, $\Delta\theta_t = -\eta\,g_t/\sqrt{n_t+\epsilon}$,
# > is exactly RMSprop with $\epsilon$ inside the root. And Adadelta "no longer
# > depends on a global learning rate": the ε lines above say otherwise. Its
# > first steps are $\sqrt\epsilon/\sqrt{1-\rho}$ and every later rate grows
# > from there, so ε is Adadelta's learning rate in disguise: each factor 100 in
# > ε is a factor 10 in the first step, and in 200 steps on this bowl the
# > difference between arriving ($\epsilon = 10^{-4}$), ending at $f = 0.71$
# > from 4.00 ($10^{-6}$) and ending at 3.2 ($10^{-8}$).

# %%
two = {name: ox.optimiser_path("quadratic", name, lr, 20, None, hy, {"kappa": 10.0})["path"]
       for name, lr, hy in (("adadelta", 1.0, {"rho": 0.9, "eps": 1e-6}),
                            ("rmsprop", 1e-3, {"rho": 0.9, "eps": 1e-6, "eps_in_sqrt": True}))}
d = np.linalg.norm(np.diff(two["adadelta"], axis=0), axis=1) / np.linalg.norm(np.diff(two["rmsprop"], axis=0), axis=1)
print("Adadelta's step / RMSprop's step (η = √ε = 1e-3, same ρ), steps 1, 2, 5, 20:",
      ", ".join(f"{d[t - 1]:.3f}" for t in (1, 2, 5, 20)))

# %% [markdown]
# > **Errata: momentum's two forms.** The notes write momentum as
# > $m_t = \mu m_{t-1} + g_t$ and Adam's first moment as
# > $m_t = \mu m_{t-1} + (1-\mu) g_t$. Both conventions are in use (PyTorch's
# > SGD uses the first; Adam's first moment, and several papers and libraries,
# > the second). They describe the *same method*: the averaged velocity is $(1-\mu)$
# > times the summed one at every step, so the two give the same path when
# > $\eta_{average} = \eta_{sum}/(1-\mu)$. At the same $\eta$ they differ by a
# > factor 10 at $\mu = 0.9$, so a rate copied from the other convention is a
# > decade off, which section 5.5 shows is the whole width of the good range.

# %%
sum_p = ox.optimiser_path("quadratic", "momentum", 0.01, 50, None, {"momentum": 0.9}, {"kappa": 10.0})["path"]
avg_p = ox.optimiser_path("quadratic", "momentum", 0.1, 50, None, {"momentum": 0.9, "convention": "average"},
                          {"kappa": 10.0})["path"]
avg_same = ox.optimiser_path("quadratic", "momentum", 0.01, 50, None, {"momentum": 0.9, "convention": "average"},
                             {"kappa": 10.0})["path"]
print(f"sum at η=0.01 vs average at η=0.1: largest difference over 50 steps "
      f"{'< 1e-12 (the same path)' if np.abs(sum_p - avg_p).max() < 1e-12 else np.abs(sum_p - avg_p).max()}")
print(f"sum vs average at the same η=0.01: after 50 steps f = {Quadratic(10).value(sum_p[-1]):.3g} vs "
      f"{Quadratic(10).value(avg_same[-1]):.3g}")

# %% [markdown]
# > **Precisely: momentum "enlarges the update while oscillating around a
# > minimum, to jump out of it" and "reduces the update when the gradient
# > changes direction".** Both describe the same recurrence (5.2): where the
# > gradient flips sign the velocity's terms partly cancel (fewer sign flips),
# > but the oscillation decays at $\sqrt\mu$ per step instead of GD's
# > $|1-\eta\lambda|$, so it can last longer and swing wider. Leaving a minimum
# > takes velocity built up *before* it, not oscillation inside it.
# >
# > **Precisely: Adam's step "has a definite range".** True for the
# > *corrected* rule, with the right range. Kingma and Ba show
# > $|\Delta\theta_t| \le \eta\,(1-\beta_1)/\sqrt{1-\beta_2}$ ($3.16\,\eta$ at the
# > defaults), reached only when a coordinate's gradient was 0 for a long time
# > and then is not; under a steady gradient the step is $\eta$. Without the
# > correction the same settings take $6.6\,\eta$ steps at the start (5.3):
# > the bound is a property of the correction, not of moment estimates.
# >
# > **Precisely: Adagrad "amplifies small gradients early and restrains large
# > ones later".** Its first step is $\eta\,g_1/|g_1| = \eta\,\mathrm{sign}(g_1)$:
# > small first gradients are amplified and large ones shrunk, to the same
# > size. Later steps shrink as $\eta/\sqrt t$ under a steady gradient
# > *whatever its size* (5.3): "later" is what restrains them, not "large".
#
# ## Exercises
#
# **E5.1 Two Adam steps by hand.** From $\theta_0 =$ `ch05.EX_ADAM["theta"]`,
# with the gradients `ch05.EX_ADAM["grads"]` at steps 1 and 2, $\eta = 0.1$,
# $\beta = (0.9, 0.999)$, $\epsilon = 10^{-8}$: what is $\theta_2$? (Four
# significant figures.)

# %%
print(ch05.EX_ADAM)
my_theta2 = None   # e.g. [0.4, -0.9]
ch05.check_adam_two_steps(my_theta2)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Step 1: $m_1 = 0.1 g_1$, $v_1 = 0.001 g_1^2$, corrected $\hat m_1 = g_1$,
# $\hat v_1 = g_1^2$, so $\theta_1 = \theta_0 - 0.1\,\mathrm{sign}(g_1) = (0.4, -0.9)$.
# Step 2: $m_2 = 0.9 m_1 + 0.1 g_2$, $v_2 = 0.999 v_1 + 0.001 g_2^2$,
# $\hat m_2 = m_2/(1-0.81)$, $\hat v_2 = v_2/(1-0.998001)$, then
# $\theta_2 = \theta_1 - 0.1\,\hat m_2/(\sqrt{\hat v_2}+\epsilon) \approx (0.3734, -0.8129)$.
#
# ```python
# ch05.adam_steps(ch05.EX_ADAM["theta"], ch05.EX_ADAM["grads"], 0.1)[-1]
# ```
# </details>
#
# **E5.2 The size of Adam's first step.** For the gradient
# `ch05.EX_FIRST["grad"]` (one coordinate as small as $\epsilon = 10^{-8}$, one
# large) and $\eta = 0.01$, predict $|\Delta\theta_1|$ in each coordinate with
# the bias correction and without it (four significant figures; $\epsilon$ is
# added to $\sqrt{\hat v}$, as in the table of 5.1).

# %%
print(ch05.EX_FIRST)
my_corrected = None     # [.., ..]
my_uncorrected = None   # [.., ..]
ch05.check_adam_first_step(my_corrected, my_uncorrected)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# With the correction $\hat m_1 = g$, $\hat v_1 = g^2$, so the step is
# $\eta\,|g|/(|g|+\epsilon)$: $0.01$ for $g = 50$ (to 4 figures), and
# $0.01\cdot 10^{-8}/(2\cdot10^{-8}) = 0.005$ for $g = 10^{-8}$, where $\epsilon$
# is as large as $|g|$. Without the correction
# $\eta(1-\beta_1)|g|/(\sqrt{1-\beta_2}\,|g|+\epsilon)$: $0.01\cdot 0.1/0.031623 = 0.03162$
# for $g = 50$, and $0.01\cdot 10^{-9}/(0.031623\cdot10^{-8} + 10^{-8}) = 0.0009693$
# for $g = 10^{-8}$: there $\epsilon$ dominates the denominator.
# </details>
#
# **E5.3 The stability bound.** Gradient descent on
# $f(\theta) = \tfrac12\theta^\top H\theta$ with $H =$ `ch05.EX_H`: what is the
# learning rate above which it diverges (the bound; three significant figures)?
# The checker runs gradient descent at 0.98 and 1.02 times your answer.

# %%
print(ch05.EX_H)
my_lr_max = None
ch05.check_max_stable_lr(my_lr_max)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# The eigenvalues of $H$ are 1 and 4 (`np.linalg.eigvalsh(ch05.EX_H)`); the
# steepest direction flips and grows once $|1-4\eta| > 1$, so $\eta < 2/4 = 0.5$.
# Not the diagonal entries (2.5), not the smallest eigenvalue, and not
# $2/(L+\ell) = 0.4$, which is the *fastest* fixed rate. At exactly 0.5 the
# steep direction oscillates forever without growing.
# </details>
#
# **E5.4 Momentum's two conventions.** `dlcore`'s momentum at $\eta = 0.01$,
# $\mu = 0.9$ uses $m_t = \mu m_{t-1} + g_t$. What rate $\eta'$ makes
# $m_t = \mu m_{t-1} + (1-\mu)g_t$, $\theta_t = \theta_{t-1} - \eta' m_t$
# follow exactly the same path?

# %%
my_rate = None
ch05.check_momentum_convention(my_rate)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# By induction the averaged velocity is $(1-\mu)$ times the summed one at every
# step, so $\eta' = \eta/(1-\mu) = 0.1$.
# </details>
#
# **E5.5 Correlation survives z-scoring.** Two features are z-scored (mean 0,
# variance 1 on the training rows) and have correlation $\rho =$
# `ch05.EX_CORR["rho"]`. With the bias column, $A = [X, \mathbf 1]$: what is the
# condition number of $H = A^\top A/n$ (two significant figures)? The checker
# also runs gradient descent on that $H$.

# %%
print(ch05.EX_CORR)
my_kappa = None
ch05.check_correlated_condition(my_kappa)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# The means are 0, so the bias decouples: $H$ is $[[1, \rho], [\rho, 1]]$ plus a
# 1 for the bias. The features' block has eigenvectors $(1, 1)/\sqrt2$ and
# $(1, -1)/\sqrt2$ with eigenvalues $1 \pm \rho$, so
# $\kappa = (1+\rho)/(1-\rho) = 1.8/0.2 = 9$. Not 3 (that is the condition number
# of $A$ itself), and not 1: z-score fixes scales and means, not correlation.
# </details>
#
# ## Summary
#
# * On a quadratic, gradient descent converges for $\eta < 2/L$ and at best by
#   $(\kappa-1)/(\kappa+1)$ per step: steps grow like $\kappa$. Tuned heavy-ball
#   momentum gets $(\sqrt\kappa-1)/(\sqrt\kappa+1)$, steps like $\sqrt\kappa$;
#   momentum 0.9 has a floor of $\sqrt{0.9}$ per step (about 140 steps to
#   $10^{-6}$ here, for every $\kappa$ up to about 1440; beyond, $\mu$ must
#   grow with $\kappa$).
# * Adaptive methods divide each coordinate by its own gradient RMS: Adam's
#   first step is $\eta\,\mathrm{sign}(g)$ thanks to the bias correction (3.16
#   to 6 times larger without it); Adagrad's step decays as $\eta/\sqrt t$. A
#   per-coordinate rate removes ill-conditioning only along the coordinate axes.
# * They escape saddles in a few steps where GD needs $\log(1/\delta)$ of them.
# * On the digits every optimiser reaches about the same loss at its own best
#   rate; those rates differ by a factor 30, and each good range is about a
#   decade wide. Sweep the rate; do not copy it.
# * Decaying schedules help when the rate is high and the gradients noisy;
#   warm-up rescues starts whose first gradients are out of scale.
# * Scaling the inputs changes the Hessian: z-score takes the two-feature
#   problem from $\kappa \approx 10^5$ to 1 and the real tables from
#   "does not train" to tens or thousands of steps.

# %%
# NBVAL_IGNORE_OUTPUT
print(f"this notebook's experiments: {time.process_time() - T0:.1f} s of CPU")
