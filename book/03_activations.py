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
# # 03 · Activation functions: why, which, and what each does to training
#
# A layer computes $z = xW + b$ and then applies a function $f$ to every
# entry. This chapter asks why $f$ must exist at all, what properties of $f$
# matter, and what the popular choices do to a network while it trains.
# Every claim is measured on a real (small) network, and every function in
# the zoo is gradient-checked by the book's contract tests from $x=-1000$ to
# $x=1000$ in float64 (in float32 they check that $f$ and $f'$ stay finite over that range).
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 3.1 | Why does a network need a nonlinear activation at all? | 网络为什么非得用非线性激活函数不可？ |
# | 3.2 | Which properties matter: nonlinear, differentiable, monotonic, $f(x)\approx x$ near 0, bounded or not? | 激活函数应具备哪些性质（非线性、可导、单调、零点附近近似恒等、值域）？ |
# | 3.3 | What are the common functions, their formulas, derivatives and shapes? | 常用激活函数的公式、导数和图像各是什么？ |
# | 3.4 | ReLU is made of two straight lines; why is it nonlinear? | ReLU 两段都是直线，为什么算非线性？ |
# | 3.5 | What are dead ReLUs? Is "zero derivative for negative input" an advantage? | 什么是"死亡" ReLU？负半轴导数为零真的是优点吗？ |
# | 3.6 | Why does tanh converge faster than sigmoid? | 为什么 tanh 比 sigmoid 收敛得快？ |
# | 3.7 | How and when do units saturate during training? | 训练过程中神经元何时、如何饱和？ |
# | 3.8 | What is softmax, how does it serve multi-class outputs, and how is it computed safely? | softmax 的定义和作用？怎样用于多分类、怎样避免溢出？ |
# | 3.9 | How to choose: hidden layers vs output layer; when is a linear activation right? | 如何选择激活函数？输出层和隐藏层各用什么？何时用线性激活？ |
#
# Every number below is computed by the cells of this notebook with `dlcore`.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore import ACTIVATIONS, get_activation
from dlcore.activations import softmax_jacobian, zoo
from dlcore.exercises import ch03
from dlcore.experiments import activations as ex          # analytic experiments
from dlcore.experiments import activations_speed as sp    # §3.6: training speed, tanh vs sigmoid
from dlcore.experiments import activations_train as tr    # §3.5, §3.7: dead units, saturation
from dlcore.experiments.common import CHANCE, SEEDS, over_seeds, pm, pm_steps
from widgets.ch03_activations import (DeadReluExplorer, FunctionExplorer, NonlinearExplorer, SaturationExplorer,
                                      SoftmaxExplorer, SpeedExplorer, ZigzagExplorer)
from widgets.ch03_plots import (ZOO_PLOT_PARAMS, plot_boundaries, plot_curves, plot_dead, plot_mish_errata,
                                plot_saturation, plot_softmax, plot_zigzag, plot_zoo)
from widgets.notebook import setup

setup(precision=4)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 3.1 Why a nonlinearity?
#
# **Intuition.** Without $f$, each layer is an affine map, and an affine map
# of an affine map is affine. However many layers you stack, the network can
# only draw one straight boundary.
#
# **Derivation.** Two layers without activation:
#
# $$ (XW_1 + b_1)W_2 + b_2 = X\,\underbrace{W_1W_2}_{W} + \underbrace{b_1W_2 + b_2}_{b}. $$
#
# By induction, $L$ layers equal the single layer $(W_1\cdots W_L,\ b)$.
# `ex.collapse_linear` computes that product from a trained linear stack; we
# check the stack and the single matrix give the same outputs, then train the
# same architecture with `tanh` in between.
#
# A training run's outcome depends on its seed (here: the data set drawn, the initial weights and the
# order of the mini-batches, three independent streams spawned from it by `dlcore.rng.spawn`),
# and its last digits even on the CPU's BLAS kernel, which rounds matrix products in its own order.
# So every training outcome in this chapter is stated over the five seeds `SEEDS`, as
# mean ± standard deviation (`pm`, from `dlcore.experiments.common`, shared by every chapter), at the
# precision that spread justifies. The figures show seed 0.

# %%
moons = ex.why_nonlinear("moons", "tanh", depth=3, width=16)          # seed 0, drawn below
print("3 hidden layers of 16 units collapse to W of shape", moons["W_product"].shape)
nl = {d: over_seeds(ex.why_nonlinear, dataset=d, activation="tanh", depth=3, width=16) for d in ("moons", "spirals")}
diff = max(float(r["max_diff_stack_vs_matrix"].max()) for r in nl.values())
print("stack(X) and XW + b agree to float32 rounding:",
      f"max difference < 1e-5 in all {2 * len(SEEDS)} runs" if diff < 1e-5 else f"NO, max difference {diff:.1e}")
print(f"train accuracy, mean ± sd over seeds {SEEDS}:")
for d, r in nl.items():
    print(f"{d:8s} linear stack {pm(r['acc_linear'])}   with tanh {pm(r['acc_nonlinear'])}")
plot_boundaries(moons)
plt.show()

# %% [markdown]
# ### 3.4 ReLU is piecewise linear, so why is it nonlinear?
#
# "Nonlinear" means $f(ax+by) \ne af(x)+bf(y)$ for some inputs, and ReLU fails
# linearity as soon as signs differ: $\mathrm{ReLU}(1) + \mathrm{ReLU}(-1) = 1 \ne \mathrm{ReLU}(0)$.
# A sum of ReLUs with different kinks, $\sum_j v_j\max(0, w_jx+b_j)$, bends at
# every kink, so it can follow any curve with enough pieces. The ReLU net
# below draws its boundary out of straight segments and gets most of the spirals right,
# where the linear stack stays near chance (1/3 for three classes).

# %%
spirals_relu = ex.why_nonlinear("spirals", "relu", depth=3, width=16)          # seed 0, drawn below
relu_seeds = over_seeds(ex.why_nonlinear, dataset="spirals", activation="relu", depth=3, width=16)
print(f"spirals, ReLU net: train accuracy {pm(relu_seeds['acc_nonlinear'])} over seeds {SEEDS} "
      f"(linear stack {pm(relu_seeds['acc_linear'])})")
plot_boundaries(spirals_relu)
plt.show()

# %% [markdown]
# ### Explorer: linear vs nonlinear, side by side
# Change depth and width: the linear net's boundary stays a straight line.

# %%
# NBVAL_IGNORE_OUTPUT
NonlinearExplorer()

# %% [markdown]
# **What to notice.** The linear stack and its single matrix agree to float32
# rounding, and depth doesn't help a linear net: on moons it stays at the
# accuracy of one straight cut. One nonlinearity between the layers is enough
# to bend the boundary. On the spirals the ReLU net, built of straight pieces, does as well as the
# smooth tanh net. How well a given seed does varies (the weakest tanh seed is several points
# below the others), and the exact numbers even depend on the CPU's rounding: hence mean ± sd.
#
# ## 3.2 The properties, read off numerically
#
# The notes list five properties. Each one can be measured:
#
# * **nonlinear**, which §3.1 showed is the one property we can't do without;
# * **differentiable**, needed for gradient descent. Kinks (ReLU at 0) are
#   harmless, but the code must pick a value there: **`dlcore` uses
#   $\mathrm{ReLU}'(0)=0$** (as PyTorch and TensorFlow do; any value in $[0,1]$ is a
#   valid subgradient), and every function states its choice in `kink_convention`
#   (printed in §3.3). An input that is exactly 0.0 is rare in float arithmetic, so the choice
#   almost never matters;
# * **monotonic**, $f'(x) \ge 0$ everywhere. Swish/SiLU, GELU and Mish are not,
#   and they train fine (SiLU and Mish are in §3.6's table), so this is a convenience rather than a requirement;
# * **$f(x)\approx x$ near 0**, i.e. $f(0)=0$ and slope 1 on *both* sides of 0. With small initial
#   weights every pre-activation is near 0, so the net then starts close to a linear one whose signal
#   shrinks only slowly with depth (with $\mathrm{Var}(W)=1/n$: in chapter 02's tanh net like a power law,
#   about $1/\sqrt{2l}$ at layer $l$, not by a constant factor per layer). A kink breaks
#   this: ReLU has $f(0)=0$ and slope 1 on the right, but slope 0 on the left, so half of the signal is
#   cut at every layer: at $\mathrm{Var}(W)=1/n$ a ReLU layer loses a factor $1/\sqrt2$ (chapter 02), and
#   He's $2/n$ exists to make up for it;
# * **range**: bounded (sigmoid, tanh) or not (ReLU family). Bounded functions
#   saturate, and unbounded ones can blow up.
#
# We add **zero-centred** ($\mathbb E f(Z)\approx 0$ for $Z\sim N(0,1)$,
# which matters in §3.6) and the **largest slope** $\max|f'|$ (which matters in
# chapter 02: it multiplies every backpropagated gradient).

# %%
print(f"{'function':13s} {'range':>15s} {'monotonic':>9s} {'E f(Z)':>7s} {'centred':>7s} {'max|df|':>7s} "
      f"{'slopes at 0':>11s} {'f~x at 0':>8s}")
for p in ex.properties_table():
    rng_txt = f"({p['range_min']:.3g}, {p['range_max']:.3g})"
    slopes = f"{p['slope_left']:.2f}|{p['slope_right']:.2f}"
    print(f"{p['name']:13s} {rng_txt:>15s} {str(p['monotonic']):>9s} {p['mean_normal']:7.3f} "
          f"{str(p['zero_centred']):>7s} {p['max_abs_df']:7.3f} {slopes:>11s} {str(p['identity_near_0']):>8s}")

# %% [markdown]
# How to read it: the range is the infimum and supremum over the whole real line ("inf": $f$ keeps
# growing linearly). GELU, Swish/SiLU and Mish dip below 0 before they flatten out, to
# $-0.17$, $-0.28$ and $-0.31$: the dip is what makes them non-monotonic. "centred" means
# $|\mathbb E f(Z)| < 0.1\,\mathrm{sd}\,f(Z)$; $\max|f'|$ is taken on $[-6,6]$ (softplus's
# supremum 1 is only reached at $+\infty$, hence 0.998). "slopes at 0" are the one-sided slopes
# $\frac{f(0)-f(-h)}{h}\,|\,\frac{f(h)-f(0)}{h}$ with $h=10^{-6}$, measured on $f$ itself (so they do not
# depend on the value the code picks at a kink); "$f\approx x$ at 0" asks for $|f(0)|<10^{-3}$ and both
# slopes within 0.05 of 1. SELU fails it on purpose: its slopes are $\lambda\alpha=1.76$ and
# $\lambda=1.05$. PReLU is shown at its initial slope 0.25 (Leaky ReLU at its default 0.01), RReLU at its
# evaluation slope $(l+u)/2$.
#
# **What to notice.** Only tanh, hard tanh and SELU are zero-centred; sigmoid's mean output is 0.5
# and its slope never exceeds 0.25 (hard sigmoid: $\frac16$), the two facts §3.6 turns into
# training speed. Only tanh, hard tanh and ELU (with $\alpha=1$) are "identity near 0". The ReLU
# family has slope 1 on the right only (0, 0.01, 0.25 and 0.23 on the left), so a ReLU net with small
# weights is not close to a linear one: about half of every layer's units are off. Sigmoid, softplus,
# GELU, Swish and Mish are smooth at 0 but have the wrong slope there ($\frac14$, $\frac12$,
# $\frac12$, $\frac12$ and $\tanh\ln2=0.6$), and sigmoid and softplus also miss $f(0)=0$.
#
# ### Explorer: any function, its derivative and its properties
# Pick a function; the slider moves its parameter (Leaky ReLU's slope,
# ELU/PReLU's $\alpha$, softplus/Swish's $\beta$). Red bars mark saturation.

# %%
# NBVAL_IGNORE_OUTPUT
FunctionExplorer()

# %% [markdown]
# ## 3.3 The zoo
#
# | function | $f(x)$ | $f'(x)$ |
# |---|---|---|
# | sigmoid | $\sigma(x)=1/(1+e^{-x})$ | $\sigma(1-\sigma)\le\frac14$ |
# | tanh | $2\sigma(2x)-1$ | $1-\tanh^2 x\le 1$ |
# | ReLU | $\max(0,x)$ | $[x>0]$ (so $\mathrm{ReLU}'(0)=0$) |
# | Leaky ReLU | $\max(x, ax)$, $0\le a<1$ | $1$ or $a$ |
# | PReLU | as Leaky, $a$ **learned** | $1$ or $a$; $\ \partial f/\partial a = x[x\le0]$ |
# | RReLU | as Leaky, $a\sim U[l,u]$ in training, $\frac{l+u}2$ in evaluation | $1$ or the drawn $a$ |
# | ELU | $x$ or $\alpha(e^x-1)$ | $1$ or $\alpha e^x=f(x)+\alpha$ |
# | SELU | $\lambda\,\mathrm{ELU}_\alpha(x)$, $\lambda\approx1.0507$, $\alpha\approx1.6733$ | $\lambda$ or $\lambda\alpha e^x$ |
# | GELU | $x\Phi(x)$ | $\Phi(x)+x\varphi(x)$ |
# | GELU, tanh approx. | $\frac x2(1+\tanh u)$, $u=c(x+0.044715x^3)$, $c=\sqrt{2/\pi}$ | $\frac12(1+\tanh u)+\frac x2(1-\tanh^2u)\,c\,(1+0.134145x^2)$ |
# | softplus | $\frac1\beta\ln(1+e^{\beta x})$ | $\sigma(\beta x)$ |
# | Swish / SiLU | $x\sigma(\beta x)$ ($\beta=1$: SiLU) | $\sigma(\beta x)+\beta x\sigma(\beta x)(1-\sigma(\beta x))$ |
# | Mish | $x\tanh s$, $s=\ln(1+e^x)$ | $\tanh s + x(1-\tanh^2 s)\sigma(x)$ |
# | hard sigmoid | $\mathrm{clip}(\frac x6+\frac12,0,1)$ | $\frac16$ for $|x|<3$, else $0$ |
# | hard tanh | $\mathrm{clip}(x,-1,1)$ | $1$ for $|x|<1$, else $0$ |
# | softmax | $s_i=e^{z_i/T}/\sum_j e^{z_j/T}$ (a vector) | the Jacobian $\frac1T s_i(\delta_{ij}-s_j)$, §3.8 |
#
# **Deriving the derivatives.** Every row follows from three rules: the chain rule, the
# product rule and $\sigma'=\sigma(1-\sigma)$.
#
# * *ELU*, $x\le0$: $\frac{d}{dx}\alpha(e^x-1)=\alpha e^x$, and since $f=\alpha e^x-\alpha$ this is $f+\alpha$
#   (the backward pass can reuse the output). At $x=0$ the two sides give $1$ and $\alpha$: ELU is
#   smooth there only for $\alpha=1$. SELU is $\lambda$ times ELU, so its derivative is $\lambda$ times ELU's.
# * *GELU*: product rule with $\Phi'=\varphi$, the normal density: $\frac{d}{dx}x\Phi(x)=\Phi(x)+x\varphi(x)$.
#   For the tanh form, $\frac{d}{dx}\tanh u=(1-\tanh^2u)\,u'$ with $u'=c(1+3\cdot0.044715\,x^2)$.
# * *softplus with $\beta$*: $\frac{d}{dx}\frac1\beta\ln(1+e^{\beta x})=\frac1\beta\cdot\frac{\beta e^{\beta x}}{1+e^{\beta x}}=\sigma(\beta x)$.
#   Large $\beta$ makes it a sharper ReLU; its derivative is then a steeper sigmoid.
# * *Swish with $\beta$*: product rule and chain rule: $\sigma(\beta x)+x\cdot\beta\,\sigma(\beta x)(1-\sigma(\beta x))$.
#   When $\beta$ is learned, $\partial f/\partial\beta = x^2\sigma(\beta x)(1-\sigma(\beta x))$.
#   $\beta=0$ gives $x/2$ and $\beta\to\infty$ gives ReLU.
# * *Mish*: product rule, then the chain rule through $\tanh$ and $s$ with $s'(x)=\sigma(x)$:
#   $\tanh s + x\,(1-\tanh^2 s)\,\sigma(x)$.
# * *hard sigmoid / hard tanh*: slopes $\frac16$ and $1$ between the kinks, $0$ outside (at the kinks
#   `dlcore` takes the flat side, 0).
#
# The code sits under the same formulas (`ACTIVATIONS[name].formula`, `.derivative_formula`,
# in `dlcore/activations/zoo.py`; the learned, random and vector-valued ones in `special.py`),
# and every derivative is checked against finite differences by the contract tests.
# Solid lines are $f$, dashed lines are $f'$ (broken where it jumps). Swish is drawn with $\beta=2$,
# since with $\beta=1$ it is SiLU, the next panel:

# %%
plot_zoo({n: ex.properties(n, ZOO_PLOT_PARAMS.get(n), lo=-4, hi=4, n=801) for n in ex.ZOO})
plt.show()

# %% [markdown]
# **What to notice.** The smooth functions are ReLU with a rounded corner. Softplus's derivative is
# simply a sigmoid; those of GELU, Swish, SiLU and Mish overshoot 1 a little (up to 1.13 for GELU)
# and go slightly negative on the left, where the functions themselves dip below 0 (the
# non-monotonic part). SELU's derivative jumps
# at 0 from $\lambda\alpha=1.76$ to $\lambda=1.05$; ELU's is continuous only because $\alpha=1$.
# The hard functions are piecewise linear with slopes $\frac16$ and 1.
#
# **Numerics.** A literal $\ln(1+e^{x})$ overflows at $x\approx 89$ in float32;
# the library computes $\max(x,0)+\ln(1+e^{-|x|})$, so no exponential ever
# sees a positive argument. The same trick covers ELU/SELU ($e^{\min(x,0)}$),
# Mish and sigmoid. GELU needs the Gaussian CDF $\Phi(x)=\frac12\mathrm{erfc}(-x/\sqrt2)$;
# NumPy has no `erf`, so `dlcore` vectorises Python's `math.erfc` (exact to a few ulp,
# and `erfc` keeps full precision in the left tail). The cheaper tanh formula is the option `approximate="tanh"`:

# %%
x = np.linspace(-6, 6, 2001)
gap = np.abs(get_activation("gelu").f(x) - get_activation("gelu", approximate="tanh").f(x))
print(f"GELU: max |exact - tanh approximation| on [-6, 6] = {gap.max():.2e} at x = {x[gap.argmax()]:.2f}")
selu = get_activation("selu")
print(f"SELU constants: lambda = {zoo.SELU_LAMBDA!r}, alpha = {zoo.SELU_ALPHA!r}; "
      f"SELU(1) = {float(selu.f(np.array([1.0]))[0])!r}, SELU(-1000) = {float(selu.f(np.array([-1000.0]))[0])!r}")
with np.errstate(over="ignore"):
    print(f"naive ln(1+e^x) at x=100 in float32: {np.log(1 + np.exp(np.float32(100)))};  "
          f"stable: {get_activation('softplus').f(np.array([100.0], np.float32))[0]}")
for name in ("relu", "leaky_relu", "elu", "hard_tanh"):
    print(f"{name:10s} kink: {ACTIVATIONS[name].kink_convention}")

# %% [markdown]
# **PReLU and RReLU.** PReLU's slope is a parameter with its own gradient,
# $\partial L/\partial a = \sum \partial L/\partial y\cdot x[x\le 0]$, so the data choose it.
# RReLU draws a fresh slope for every element at every training step (the
# layer owns its Generator) and uses the mean slope at evaluation. The backward
# pass must use the *same* slopes as the forward pass:

# %%
rrelu = get_activation("rrelu", lower=0.1, upper=0.3, rng=0)
xneg = -np.ones((1, 5))
print("training slopes:", rrelu.forward(xneg, training=True) / xneg)
print("their gradient :", rrelu.backward(np.ones((1, 5))))
print("evaluation     :", rrelu.forward(xneg, training=False) / xneg)

# %% [markdown]
# ## 3.5 Dead ReLUs
#
# **Intuition.** A ReLU unit whose input $z=xw+b$ is negative for *every*
# training example outputs 0 and passes back gradient $0\cdot\ldots = 0$ for
# its weights. Nothing can change them again, so the unit is dead. Two things
# put units there: one big update (a large learning rate) that throws $w, b$
# far into the negative side, or an initial bias that starts them there.
#
# **Measurement.** A 64-64-64-10 net on the digits, SGD (batch 32, 300 steps), He init. A unit is
# counted *inactive* if $z\le0$ on all of 300 training images. For ReLU, inactive means dead
# (for as long as the layers below keep feeding it the same kind of inputs). Each setting runs
# with the five seeds; a net is *at chance* if its training accuracy stays below `CHANCE` = 0.15
# (predicting one class scores about 0.10).

# %%
settings = {
    "ReLU, lr 0.3": dict(activation="relu", lr=0.3),
    "ReLU, lr 2.0": dict(activation="relu", lr=2.0),
    "ReLU, lr 0.3, bias -1": dict(activation="relu", lr=0.3, bias=-1.0),
    "ELU, lr 0.3, bias -1": dict(activation="elu", lr=0.3, bias=-1.0),
    "ELU, lr 1.0": dict(activation="elu", lr=1.0),
}
runs = {k: over_seeds(tr.dead_relu, **kw) for k, kw in settings.items()}
print(f"mean ± sd over seeds {SEEDS}; inactive fraction [layer 1, layer 2]")
for k, r in runs.items():
    print(f"{k:22s} inactive at step 0 {pm(r['inactive'][:, 0], 2)}, at step 300 {pm(r['inactive'][:, -1], 2)}")
    print(f"{'':22s} train acc {pm(r['acc'])}, at chance in {np.sum(r['acc'] < CHANCE)} of {len(r['acc'])} seeds, "
          f"diverged in {np.sum(r['diverged'])}")
r = runs["ReLU, lr 0.3"]
print(f"ReLU, lr 0.3: inactive fraction per seed and layer from {np.min(r['inactive'][:, [0, -1]]):.2f} "
      f"to {np.max(r['inactive'][:, [0, -1]]):.2f} (at step 0 and at step 300)")
print(f"ReLU, lr 0.3, after training: {pm(r['zero_fraction'][:, -1].mean(1), 0, 100)} % of all (image, unit) pairs "
      f"are 0 (sparsity), but only {pm(r['inactive'][:, -1].mean(1), 0, 100)} % of the units are 0 on every image (dead)")
plot_dead(runs)
plt.show()

# %% [markdown]
# How large must Leaky ReLU's slope be to rescue the units that bias $-1$ switches off?

# %%
for sl in (0.01, 0.1, 0.3):
    r = over_seeds(tr.dead_relu, activation="leaky_relu", lr=0.3, bias=-1.0, slope=sl)
    print(f"Leaky ReLU slope {sl:4.2f}, lr 0.3, bias -1: inactive at step 300 {pm(r['inactive'][:, -1], 2)}, "
          f"train acc {pm(r['acc'])}, above 0.8 in {np.sum(r['acc'] > 0.8)} of {len(r['acc'])} seeds")
r = over_seeds(tr.dead_relu, activation="leaky_relu", lr=2.0, slope=0.1)
print(f"Leaky ReLU slope 0.10, lr 2.0: diverged in {np.sum(r['diverged'])} of {len(r['diverged'])} seeds, "
      f"at step {pm(r['steps_run'])}")

# %% [markdown]
# The default slope 0.01 keeps a gradient, but one so small that after 300 steps these nets are
# still far behind (some seeds have barely left chance, none is above 0.5); 0.1 and 0.3 rescue every seed. Slopes are not free either: at lr 2.0, where ReLU's
# dead units stop every update, a slope of 0.1 keeps the gradient flowing and the weights grow until
# the loss overflows within a few steps. (With the default slope 0.01, Leaky ReLU at lr 1 to 2 sits on
# the edge of stability: whether its loss overflows within 300 steps depends on the seed, and even on
# the rounding of the CPU's BLAS kernel. That is a learning rate that is too large, not a property of
# the activation.)
#
# ### Explorer: kill them, then rescue them
# Raise the learning rate, or push the initial bias below 0, and watch the
# ReLU curves climb to 1. Then switch to Leaky ReLU (and raise its slope) or ELU.
# The explorer trains one seed (seed 0).

# %%
# NBVAL_IGNORE_OUTPUT
DeadReluExplorer()

# %% [markdown]
# **What to notice.** At lr 0.3 only a few units are dead, at the start and at the end: about 5% on
# average, between 2% and 14% of a layer depending on the seed. At lr 2.0 about 90% of the first layer and all of the second die within the first
# hundred steps, and every seed ends at chance (10 classes, so 0.1). (At lr 1.0 most units die too, but
# the accuracy left over varies from seed to seed: that setting is on the edge. We show lr 2.0, where
# the outcome is the same for every seed.) With bias $-1$, about 55% of the first layer and all of the second
# are dead *from step 0*, and these fractions never change: the flat green lines. The second layer's
# curve at lr 2.0 goes up *and down* before it settles at 1: a unit there is dead only with respect to
# its current inputs, and while the first layer still changes, some units come back. A first-layer unit
# sees fixed inputs, the images, so once it is off on every training image it is dead for good; its curve
# rises almost monotonically (the small dips are units still firing on images outside the 300 we probe).
# ELU, starting from the same bias $-1$, revives most of its units (layer 2: about 65% inactive at the start,
# 4% at the end) and trains as well as the healthy ReLU net. Leaky ReLU units, too, can be inactive but not
# dead: their gradient is $a\ne0$, and with a slope of 0.1 or more they rescue every seed from the same
# bias $-1$. ELU isn't a cure-all though: at lr 1.0 it fails in every seed (every unit pushed deep into
# its flat left tail, where $f'=e^{x}\approx0$).
#
# > **Errata: "its derivative is 0 for negative inputs" is not an advantage.**
# > The notes list it among ReLU's advantages. A zero derivative is exactly
# > the mechanism of the dead units measured above: once all inputs of a unit
# > are negative, no gradient reaches its weights, and the lr 2.0 nets end with about 90% of their
# > first-layer units and all of their second-layer units dead, at chance accuracy. What the notes may
# > mean is *sparsity*: for any one input many activations are
# > exactly 0 (printed above: about half, for the healthy lr 0.3 net), which is cheap and harmless because
# > each unit is on for some inputs and off for others. A unit that is zero for **every** input is
# > wasted capacity. Leaky ReLU/ELU exist precisely to make that derivative non-zero.
#
# ## 3.6 Why does tanh train faster than sigmoid?
#
# The notes' answer is "tanh's gradient vanishes less". That is one of *two* separate reasons:
#
# 1. **The derivative bound.** $\sigma'(x)\le\frac14$, $\tanh'(x)\le 1$. Backpropagation
#    carries the error down one layer as $\delta^{l} = (\delta^{l+1}W^\top)\odot f'(z^{l})$
#    (Nielsen's BP2, chapter 01), so along one path through the net it multiplies by $w\,f'(z)$ per
#    layer, not by $f'(z)$ alone. For a sigmoid that factor is $|w\,\sigma'(z)| \le |w|/4$: below 1
#    while $|w| < 4$, as with Xavier-sized weights, but the weights count as much as $\sigma'$.
# 2. **Zero-centred outputs.** The gradient of a weight is
#    $\partial L/\partial w_{ij} = a_i\,\delta_j$ (input activation times the unit's error).
#    Sigmoid outputs are all positive, so for one example every weight into unit $j$
#    moves in the **same direction** (the sign of $\delta_j$). To increase one weight and decrease
#    another, the optimiser has to zig-zag.
#
# When does $|w\,\sigma'(z)|$ exceed 1? Along one path, with $z = wa+b$, only if $|w| > 4$, and then only
# for inputs $a$ in a window of width $\frac{2}{|w|}\ln\!\big(\frac{|w|(1+\sqrt{1-4/|w|})}{2}-1\big)$
# (Nielsen, chapter 5): a large $w$ also pushes $z$ into the flat tails. Across a layer of $n$ units the
# paths add up, and the RMS of $\delta$ changes by about $\mathrm{std}(w)\sqrt n\cdot\mathrm{rms}\,\sigma'(z)$,
# which `ex.backward_gain` measures in a 6-layer sigmoid net of width 64 with $N(0,1)$ inputs:

# %%
g = ex.sigmoid_gain_window()
print("one path through a sigmoid unit, the factor |w sigma'(wa + b)|:")
print(f"{'|w|':>6s} {'largest, |w|/4':>15s} {'width of the window of inputs a where it is >= 1: measured':>60s} {'formula':>8s}")
for w, mx, wd, wf in zip(g["weights"], g["max_gain"], g["width"], g["width_formula"]):
    print(f"{w:6.1f} {mx:15.3f} {wd:60.3f} {wf:8.3f}")
print("one layer of 64 sigmoid units, weights N(0, std^2):")
for std, label in ((1 / 8, "Xavier's std for 64 -> 64"), (0.5, ""), (1.0, "N(0, 1)"), (2.0, ""), (4.0, "")):
    b = ex.backward_gain("sigmoid", std=std)
    print(f"  std {std:5.3f}: mean sigma'(z) {b['mean_df']:.3f}, gradient RMS x {b['factor']:.2f} per layer (going down)  "
          f"{label}".rstrip())

# %% [markdown]
# So "a sigmoid net shrinks gradients by at least $4\times$ per layer" is true only for small weights.
# The window where one path amplifies is never wider than about 0.45 (at $|w|\approx 6.9$), yet a whole
# layer amplifies once its weights are large enough (std 2 here): most units are saturated (mean
# $\sigma'$ a few hundredths), and the few that are not, summed over 64 paths, still grow the gradient.
# $N(0,1)$ weights (std 1.0) are not large enough: the layer still shrinks the gradient, only far less
# than with Xavier weights (×0.84 per layer instead of ×0.23); only std 2 and more amplifies. (Chapter 02
# sees the same in its $N(0,1)$ digits net: the gradient still shrinks going down, about 1.6× per layer.)
# With Xavier weights the layer shrinks the gradient about fourfold, and that is the regime the
# comparison below is in.
#
# First the plain comparison, each function with its matching initialisation
# (Xavier for sigmoid/tanh, He for the ReLU family, LeCun for SELU), the five seeds. Same 64-64-64-10 net,
# SGD with lr 0.1 and batch 32; "steps to 90%" is checked every 10 steps on 300 fixed training images:

# %%
speed = sp.training_speed(("sigmoid", "tanh", "relu", "elu", "selu", "silu", "mish"), seeds=SEEDS, steps=400)
print(f"steps to {speed['target']:.0%} training accuracy, and final training accuracy; mean ± sd over seeds {SEEDS}:")
for a, h, acc in zip(speed["activations"], speed["steps_to_target"], speed["final_acc"]):
    print(f"{a:8s} {pm_steps(h, 400):36s} final acc {pm(acc)}")
plot_curves(speed)
plt.show()

# %% [markdown]
# One learning rate for all is not a fair race: a function that passes less gradient back can take a
# larger step. Each of the two on its own grid of learning rates, a factor of ten wide and ending
# where it still trains. Both are fastest at the top of their grids, and one step further up (tanh
# at lr 1, sigmoid at lr 10) neither reaches 90% in any seed (printed last): past the edge of stability.

# %%
tuned = sp.tuned_speed(("sigmoid", "tanh"), lrs=((0.3, 1.0, 3.0), (0.03, 0.1, 0.3)), seeds=SEEDS, steps=400)
print(f"steps to {tuned['target']:.0%} training accuracy, mean ± sd over seeds {SEEDS}:")
for a, lrs, hits, best in zip(tuned["activations"], tuned["lrs"], tuned["steps_to_target"], tuned["best_steps"]):
    for i, (lr, h) in enumerate(zip(lrs, hits)):
        print(f"{a if i == 0 else '':8s} lr {lr:4.2f}: {pm_steps(h, 400)}")
    print(f"{'':8s} at its best learning rate: {pm(best)} steps")
for a, lr in (("tanh", 1.0), ("sigmoid", 10.0)):
    h = sp.training_speed((a,), SEEDS, 400, lr)["steps_to_target"][0]
    print(f"{a:8s} lr {lr:4.1f} (one step above the grid): reaches 90% in {np.sum(h > 0)} of {len(h)} seeds")

# %% [markdown]
# Tuned, sigmoid does reach 90%, but it needs several times as many steps as tanh: the conclusion
# survives a fair race. Part of the lr-0.1 gap was the learning rate, not the function.
#
# Now the two causes, separated. The family $f(x) = s\,(\sigma(x)-c)$ has
# derivative bound $s/4$ and mean output about $s(\frac12-c)$, so it gives a
# 2×2 experiment: $s\in\{1,4\}$ (bound $\frac14$ or $1$) × $c\in\{0,\frac12\}$
# (not centred or centred). Note $4(\sigma(x)-\frac12) = 2\tanh(x/2)$ is tanh-like.

# %%
fac = sp.sigmoid_factorial(seeds=SEEDS, steps=400)
print(f"steps to {fac['target']:.0%} accuracy, and final accuracy; mean ± sd over seeds {SEEDS}:")
for lab, h, acc in zip(fac["labels"], fac["steps_to_target"], fac["final_acc"]):
    print(f"{lab:32s} {pm_steps(h, fac['steps']):36s} final acc {pm(acc)}")
plot_curves(fac)
plt.show()

# %% [markdown]
# The four arms differ in a third way too: the **second moment** of what each layer passes on.
# A non-centred output carries its mean, $\mathbb E f^2 = \mathrm{Var} f + (\mathbb E f)^2$, so with the same
# Xavier weights the next layer's inputs are several times larger, and the centred sigmoid at slope $\frac14$
# passes on almost nothing (RMS 0.03 by layer 2). To compare centring alone, we rescale every layer's
# weights at initialisation so that each pre-activation has RMS 1 on the training images (LSUV,
# Mishkin & Matas 2016; `sp.normalise_preactivations`). That equalises the *inputs* of $f$, not its
# outputs: those still carry the arm's $s$ and $c$ (printed first). But the next layer's weights are
# rescaled by about $1/s$, so at initialisation the arms with $s=1$ and $s=4$ compute nearly the same
# function; what $s$ still changes is how large a step each layer takes for a given learning rate. So
# the learning rate is now part of the comparison too: each arm runs on its own grid, a factor of ten
# wide (`sp.tuned_factorial`; a miss counts as 410 steps). The centred slope-1 arm and tanh are fastest at
# the top of theirs, 0.3: at 1.0 they miss 90% in most seeds, and the rest need 300 steps or more.

# %%
lsuv = sp.tuned_factorial(seeds=SEEDS, steps=400)
print("RMS of each hidden layer's output at initialisation [layer 1, layer 2], mean over seeds:")
for lab, x, n in zip(fac["labels"], fac["h_rms"], lsuv["h_rms"]):
    print(f"{lab:32s} Xavier [{x[0]:.2f}, {x[1]:.2f}]   LSUV [{n[0]:.2f}, {n[1]:.2f}]")
print(f"LSUV: steps to {lsuv['target']:.0%} accuracy (a miss counts as {lsuv['steps'] + 10}), mean ± sd over seeds {SEEDS}:")
for lab, lrs, hits, b in zip(lsuv["labels"], lsuv["lrs"], lsuv["steps_to_target"], lsuv["best"]):
    print(f"{lab:32s} " + "   ".join(f"lr {lr:4.2f}: {pm(h):>9s}" for lr, h in zip(lrs, hits)) + f"   best: lr {lrs[b]:4.2f}")
bs = dict(zip(lsuv["labels"], lsuv["best_steps"]))
sig, sigc, s4, s4c = (bs[lab] for lab, _, _ in sp.FACTORIAL)
print("at each arm's best rate, speed-up per seed (steps without the change / steps with it):")
print(f"  centring:               at f'<=1/4 {pm(sig / sigc)}x,   at f'<=1 {pm(s4 / s4c)}x")
print(f"  bound 1 instead of 1/4: not centred {pm(sig / s4)}x,   centred {pm(sigc / s4c)}x")

# %% [markdown]
# **The zig-zag, in two dimensions.** One linear neuron $\hat y = w\cdot x$ learns
# $w^*=(1,-1)$ by SGD with one example per step. The update is $-\eta(\hat y - t)\,x$:
# with sigmoid-like inputs ($x_1,x_2>0$) both weights always move together. Once $w = w^*$ exactly
# the updates are 0; those have no sign and are not counted.

# %%
zz_pos, zz_cen = sp.zigzag(centred=False), sp.zigzag(centred=True)          # seed 0, drawn below
print(f"mean ± sd over seeds {SEEDS}:")
for lab, c in (("all-positive inputs", False), ("zero-centred inputs", True)):
    r = over_seeds(sp.zigzag, centred=c)
    print(f"{lab}: same-sign {pm(r['same_sign'], 0, 100)} % of the non-zero updates, "
          f"within 0.1 of w* after {pm(r['steps_to_01'])} steps")
plot_zigzag(zz_pos, zz_cen)
plt.show()

# %% [markdown]
# That argument is about one example. A mini-batch sums $a_i\delta_j$ over examples whose errors
# $\delta_j$ differ in sign, so it can cancel the rule. How much, in the real net? The signs of the
# gradients of the 64 weights into each unit of layer 2, at initialisation (20 batches per size):

# %%
for a in ("sigmoid", "tanh"):
    r = over_seeds(sp.batch_sign_agreement, activation=a)
    print(f"{a:8s} pairs of weights into one unit with equal gradient signs, batch " +
          ", ".join(f"{b}: {pm(r['pairs'][:, j], 2)}" for j, b in enumerate(r["batch_sizes"][0])))
    print(f"{'':8s} units whose 64 weights all move the same way,      batch " +
          ", ".join(f"{b}: {pm(r['all_same'][:, j], 2)}" for j, b in enumerate(r["batch_sizes"][0])))

# %% [markdown]
# ### Explorers: speed by activation, and the zig-zag

# %%
# NBVAL_IGNORE_OUTPUT
SpeedExplorer()

# %%
# NBVAL_IGNORE_OUTPUT
ZigzagExplorer()

# %% [markdown]
# **What to notice.** At lr 0.1 sigmoid doesn't reach 90% within 400 steps in any seed (its final
# accuracy is about 0.4, and varies a lot between seeds); tanh gets there in about 70 steps, and so do
# the ReLU family and SELU (about 50 to 100). At each function's best learning rate sigmoid gets
# there in about 230 steps and tanh in about 35: still about seven times slower.
#
# In the Xavier 2×2 table at lr 0.1, fixing *either* cause alone looks insufficient: with slope 1 but
# all-positive outputs every seed gets there, slowly (about 240 steps), and centring at slope $\frac14$
# misses the target in every seed. But that centred arm starves its layers (output RMS 0.03), and one
# learning rate favours some arms over others. With equal pre-activation scales (LSUV) and each arm at
# its own best rate, the two causes come apart. **Centring** is what matters: it makes training about
# 3.5 times faster at slope $\frac14$ (about 130 steps to 40) and about 8 times at slope 1 (about 220 to
# 30), in every seed. The **derivative bound** buys nothing consistent: not centred, slope 1 is even
# *slower* than slope $\frac14$ (about 220 vs 130 steps, in every seed), and centred it is a little faster
# (about 30 vs 40 steps, a speed-up of 1.4 ± 0.5 that goes the other way in one seed). Under LSUV the scale $s$ is absorbed by the next layer's weights, and what is
# left of it, a different step size per layer, the tuned learning rate takes up: the slope-$\frac14$
# arms simply want a larger rate (1.0 against 0.1–0.3). Centred at slope 1, the arm matches tanh, as
# $2\tanh(x/2)$ should.
#
# In 2-D, positive inputs make every update same-signed, while zero-centred ones do so only about
# half the time (the signs of two independent inputs agree with probability $\frac12$), and the path
# zig-zags to $w^*$ several times more slowly. Mini-batches soften the rule only a little for sigmoid
# units: their outputs sit near $\frac12$ with a small spread, so a batch's sum is dominated by
# $\frac12\sum\delta_j$, and at batch 32 most units still move all their weights the same way. For tanh
# units, pairs agree half the time at any batch size.
#
# ## 3.7 Saturation over training
#
# A tanh unit is *saturated* when $|\tanh z| > 0.97$: its derivative is then
# below $1-0.97^2\approx0.06$ and it learns slowly. How many units saturate depends on the initial
# weight scale. We record the fraction per hidden layer while a 4-layer tanh net trains. Nets
# saturated by $N(0,1)$ weights scatter more from seed to seed, so they run with ten seeds
# (`seeds10`); the others, whose runs are nearly alike, with the usual five.

# %%
seeds10 = tuple(range(10))
sat = {"tanh, N(0,1) init": over_seeds(tr.saturation_over_training, seeds10, activation="tanh", init="normal"),
       "tanh, Xavier init": over_seeds(tr.saturation_over_training, activation="tanh", init="xavier")}
print(f"tanh'(z) where |tanh z| = 0.97: {1 - 0.97**2:.4f}")
print("mean ± sd over seeds; [layer 1, layer 2, layer 3]")
for k, r in sat.items():
    print(f"{k} ({len(r['seeds'])} seeds): std of z at init {pm(r['z_std'])}")
    print(f"   saturated at step 10 {pm(r['saturated'][:, 0], 2)}, at 300 {pm(r['saturated'][:, -1], 2)}")
    print(f"   most saturated at any record {pm(np.nanmax(r['saturated'], axis=(1, 2)))}; "
          f"train acc {pm(r['acc'], 2)}")
plot_saturation(sat)
plt.show()
print(f"|z| beyond which a unit counts as saturated: tanh {np.arctanh(0.97):.2f}, sigmoid {np.log(0.97 / 0.03):.2f}")
per_act = {}
for a, init in (("sigmoid", "normal"), ("hard_tanh", "normal"), ("sigmoid", "xavier")):
    r = per_act[a, init] = over_seeds(tr.saturation_over_training, seeds10 if a == "hard_tanh" else SEEDS,
                                      activation=a, init=init)
    print(f"{a}, {init} init ({len(r['seeds'])} seeds): saturated at step 10 {pm(r['saturated'][:, 0], 2)}, at 300 {pm(r['saturated'][:, -1], 2)}")
    print(f"   train acc {pm(r['acc'], 2)}")
    if a == "hard_tanh":
        below = np.sum(r["acc"] < sat["tanh, N(0,1) init"]["acc"] - 0.03)
        print(f"   below tanh's accuracy (same seed, same init) by more than 0.03 in {below} of {len(r['acc'])} seeds")
    if init == "xavier":
        below = np.sum(r["acc"] < per_act["sigmoid", "normal"]["acc"] - 0.3)
        print(f"   below sigmoid with N(0,1) weights (same seed) by more than 0.3 in {below} of {len(r['acc'])} seeds")

# %% [markdown]
# ### Explorer: saturation by activation, initialisation and learning rate

# %%
# NBVAL_IGNORE_OUTPUT
SaturationExplorer()

# %% [markdown]
# **What to notice.** With $N(0,1)$ weights a unit's pre-activation $z=\sum_i x_iw_i$ has standard
# deviation $\sqrt{\sum_i x_i^2}$: about 3.8 for the images (their pixels are in $[0,1]$), and about 7
# in the hidden layers, whose 64 inputs are tanh outputs near $\pm1$. So about 60–80% of the units
# are saturated at step 10, more (70–87%) at step 300, and the nets reach about 0.91 training accuracy
# against 0.98 with Xavier init, where $z$ has standard deviation about 0.4 and at most about 1% of
# the units are saturated at any record. Saturation is a property of the scale of the inputs to $f$,
# and the initialisation sets it (chapter 02).
#
# Per activation, with the same $N(0,1)$ weights: hard tanh saturates even more (85–92% at step 10)
# and, since its derivative there is exactly 0, learns worst (about 0.75, below tanh in every seed).
# Sigmoid saturates less (about 35–55%), because its threshold sits at $|z|>3.48$ rather than 2.09.
# It even beats sigmoid with Xavier init by far, in every seed: with Xavier weights and lr 0.1 the
# sigmoid net has barely left chance after 300 steps. The large weights partly make up for the $\frac14$
# slope bound (§3.6: with them a layer still shrinks the gradient, but by ×0.84 rather than ×0.23), at the
# price of the saturated units.
#
# ## 3.8 Softmax
#
# For a vector of scores $z\in\mathbb R^K$ and temperature $T>0$:
#
# $$ s_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}},\qquad
#    \frac{\partial s_i}{\partial z_j} = \tfrac1T\,s_i(\delta_{ij}-s_j). $$
#
# The outputs are positive and sum to 1, which makes them the probabilities of a multi-class output
# (chapter 04 pairs them with cross-entropy). Softmax is **not** pointwise: every output depends on every
# input, so its backward pass multiplies by the full Jacobian. Since $J$ is symmetric,
# $\partial L/\partial z = J\,g = \tfrac1T\,s\odot(g - \sum_j g_j s_j)$, with no $K\times K$ matrix built.
# Small $T$ sharpens towards the arg-max, large $T$ flattens towards uniform.

# %%
z = np.array([1.0, 2.0, 3.0, 0.5])
temp = ex.softmax_temperature(z, [0.5, 1.0, 5.0])
for T, p, H in zip(temp["T"], temp["probs"], temp["entropy"]):
    print(f"T={T:3.1f}: probs {p.round(3)}, entropy {H:.3f} nats")
print("Jacobian at T=1 (rows sum to", softmax_jacobian(z).sum(1).round(12), "):")
print(softmax_jacobian(z).round(4))
plot_softmax(temp)
plt.show()

# %% [markdown]
# **Overflow.** $e^{z}$ overflows for $z>88.7$ in float32 and $z>709.8$ in
# float64, and then the literal formula gives $\infty/\infty=$ NaN. Softmax is unchanged when a
# constant is subtracted from every $z_i$, so the stable version subtracts $\max_j z_j$ first:
# the largest exponent becomes $e^0=1$.

# %%
for dt in (np.float32, np.float64):
    print(f"exp overflows above z = ln(max {np.dtype(dt).name}) = {np.log(np.finfo(dt).max):.2f}")
of = ex.softmax_overflow([1, 10, 30, 100], dtype=np.float32)
for s, nv, st, ok in zip(of["scales"], of["naive"], of["stable"], of["naive_ok"]):
    print(f"z = {s:5.0f}*(1,2,3): naive {nv}  stable {st}  naive ok: {ok}")

# %% [markdown]
# **What to notice.** Lowering $T$ to 0.5 puts 0.86 on the largest score; raising it to 5 brings
# every probability within 0.08 of uniform ($\frac14$), and the entropy climbs from 0.47 to 1.37 nats,
# close to its maximum $\ln 4=1.39$. Every row of the Jacobian sums to 0 (the outputs always sum to 1,
# so pushing one score up must take probability from the others) and the diagonal entries
# $s_i(1-s_i)$ are the only positive ones. In float32 the naive formula already fails at
# $z=30\cdot(1,2,3)$: the largest score, 90, is beyond 88.72; the stable one never does.
#
# ### Explorer: temperature, Jacobian, and where the naive formula breaks

# %%
# NBVAL_IGNORE_OUTPUT
SoftmaxExplorer()

# %% [markdown]
# ## 3.9 How to choose
#
# * **Output layer**: the task decides. A probability for two classes needs sigmoid.
#   $K$ exclusive classes need softmax. A real-valued target needs the identity
#   ("linear"), which is the main place a linear activation belongs. In `dlcore`
#   the losses take logits and apply sigmoid/softmax inside, which is more stable (chapter 04).
# * **Hidden layers**: start with ReLU and He init. If units die (§3.5), use
#   Leaky ReLU or ELU. SELU with LeCun init keeps activations normalised on its own.
#   GELU/Swish/Mish are smooth ReLU-like choices, a little costlier. Keep
#   sigmoid out of hidden layers (§3.6). tanh is fine with Xavier init.
#
# > **Errata: Mish uses the natural logarithm.** The notes' Mish code computes
# > softplus as `np.log10(1 + np.exp(x))`. Mish is $x\tanh(\ln(1+e^x))$. With
# > $\log_{10}$ the inner softplus is $\ln 10\approx 2.3$ times too small, so the
# > curve sags for moderate $x$ (and `np.exp(x)` overflows for $x>709$ as well).

# %%
me = ex.mish_errata()
print(f"log10(u) = ln(u) / {np.log(10):.4f}")
for x0, right, wrong in zip(me["points"], me["right_at"], me["wrong_at"]):
    print(f"x = {x0:5.1f}: Mish (ln) {right:9.6f}   with log10 {wrong:9.6f}   difference {right - wrong:9.6f}")
print(f"largest difference on [-5, 5]: {me['max_abs_diff']:.4f}")
plot_mish_errata(me)
plt.show()

# %% [markdown]
# ## Exercises
#
# **E3.1 ELU's derivative.** Write `delu(x)` for $\alpha=1$ (work on arrays, and avoid
# overflow for large positive $x$).

# %%
delu = None  # replace with a function of x
ch03.check_elu_derivative(delu)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# For $x>0$, $f(x)=x$ so $f'=1$. For $x\le0$, $f(x)=\alpha(e^x-1)$ so $f'=\alpha e^x = f(x)+\alpha$.
# ```python
# def delu(x):
#     return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))
# ```
# </details>
#
# **E3.2 Swish's derivative.** Write `dswish(x)` for $f(x)=x\,\sigma(x)$.

# %%
def dswish(x):
    s = 1 / (1 + np.exp(-x))
    return s  # not finished: this is only part of the product rule

ch03.check_swish_derivative(dswish)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Product rule: $f' = \sigma(x) + x\,\sigma'(x) = \sigma(x) + x\,\sigma(x)(1-\sigma(x))$.
# ```python
# def dswish(x):
#     s = 1 / (1 + np.exp(-x))
#     return s + x * s * (1 - s)
# ```
# </details>
#
# **E3.3 Name the function from its derivative.** Below is $f'$ of one function of
# the zoo. Which function is it? (Read off $f'(0)$ and the two limits.)

# %%
xm, dm = ch03.mystery_derivative()
plt.figure(figsize=(4, 2.5))
plt.plot(xm, dm)
plt.title("f'(x) of the mystery function")
plt.xlabel("x")
plt.show()

# %%
mystery = None  # a name such as "relu"
ch03.check_identify(mystery)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# The curve is $\sigma(x)$: smooth, from 0 to 1, $\frac12$ at 0. The function whose derivative is
# $\sigma$ is **softplus**, $\ln(1+e^x)$. (It is not sigmoid itself, whose derivative is a bump.)
# </details>
#
# **E3.4 Output activations.** Choose the output activation for each task.

# %%
choice = {"binary": None, "multiclass": None, "regression": None}
ch03.check_output_activations(choice)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# `{"binary": "sigmoid", "multiclass": "softmax", "regression": "identity"}`: a probability,
# a distribution over $K$ classes, and an unconstrained real number.
# </details>
