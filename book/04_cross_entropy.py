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
# # 04 · Cross-entropy and softmax, derived and tested
#
# A sigmoid output that is confidently wrong learns *slowly* under the
# quadratic cost, and the worse it is, the slower it learns. Cross-entropy
# removes that slowdown. This chapter derives why (one line of algebra in
# which $\sigma'(z)$ cancels), watches it happen on one neuron and on the
# digits, and then looks at the parts the popular notes skip: why
# cross-entropy is a cost at all, what softmax adds, and how to compute it
# without getting `inf` or `NaN`.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 4.1 | What are $\partial C/\partial w$ and $\partial C/\partial b$ for a sigmoid neuron under the quadratic cost and under cross-entropy, and why does $\sigma'(z)$ disappear in the second? | 对 sigmoid 神经元，平方代价和交叉熵代价分别对 w、b 求导得到什么？为什么交叉熵里 σ'(z) 被约掉了？ |
# | 4.2 | Does the quadratic cost really stall when a neuron starts saturated, and does cross-entropy really not? | 神经元一开始就饱和时，平方代价真的会学得很慢、交叉熵真的不会吗？ |
# | 4.3 | Why is cross-entropy a sensible cost (non-negative, near zero when right), and what has it to do with likelihood and KL divergence? | 交叉熵凭什么能当代价函数（非负、预测对时接近 0）？它和最大似然、KL 散度有什么关系？ |
# | 4.4 | What is softmax, how is it used for several classes, and what is the gradient of softmax + cross-entropy? | softmax 是什么、怎样用于多分类？softmax 加交叉熵的梯度是什么？ |
# | 4.5 | On a real task, how do sigmoid + quadratic, sigmoid + cross-entropy and softmax + cross-entropy compare? | 在真实任务上，sigmoid+均方误差、sigmoid+交叉熵、softmax+交叉熵三种搭配效果差多少？ |
# | 4.6 | Why compute cross-entropy from logits with log-sum-exp instead of from probabilities? | 为什么交叉熵要用 logits 和 log-sum-exp 来算，而不是先算概率再取对数？ |
# | 4.7 | What do the two cost surfaces look like, and where does gradient descent go on them? | 两种代价函数的曲面长什么样？梯度下降在上面怎么走？ |
#
# Every number in the text is printed by a cell of this notebook.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore import bce_with_logits, numerical_gradient, rel_error, softmax, softmax_cross_entropy
from dlcore.exercises import ch04
from dlcore.experiments import crossentropy as ex
from dlcore.experiments import crossentropy_digits as dx
from dlcore.experiments.common import pm
from widgets.ch04_crossentropy import DigitsCostExplorer, LandscapeExplorer, SingleNeuronExplorer
from widgets.ch04_plots import plot_ce_cost, plot_coin, plot_digits, plot_landscape, plot_neuron, plot_stability
from widgets.notebook import setup

setup(precision=6)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 4.1 Two costs, one neuron: the derivation
#
# **Intuition.** Gradient descent moves a weight in proportion to
# $\partial C/\partial w$. If that derivative contains $\sigma'(z)$, and the
# neuron's $z$ is far from 0, then $\sigma'(z)\approx 0$ and the weight barely
# moves, *however wrong the output is*. A good cost should make the step
# large when the error is large.
#
# **Setting.** One sigmoid neuron with input $x$, weight $w$, bias $b$:
# $z = wx + b$, output $a = \sigma(z) = 1/(1+e^{-z})$, target $y$. We use
#
# $$\sigma'(z) = \sigma(z)\big(1-\sigma(z)\big) = a(1-a) \le \tfrac14 .$$
#
# **Quadratic cost** $C_Q = \tfrac12 (a-y)^2$. The chain rule through $a$ and $z$:
#
# $$\frac{\partial C_Q}{\partial w}
#   = \frac{\partial C_Q}{\partial a}\,\frac{\partial a}{\partial z}\,\frac{\partial z}{\partial w}
#   = (a-y)\,\sigma'(z)\,x, \qquad
#   \frac{\partial C_Q}{\partial b} = (a-y)\,\sigma'(z).$$
#
# **Cross-entropy** $C_{CE} = -\big[y\ln a + (1-y)\ln(1-a)\big]$. First the
# derivative with respect to the output:
#
# $$\frac{\partial C_{CE}}{\partial a} = -\frac{y}{a} + \frac{1-y}{1-a}
#   = \frac{-y(1-a) + (1-y)a}{a(1-a)} = \frac{a-y}{a(1-a)} .$$
#
# Then the same chain:
#
# $$\frac{\partial C_{CE}}{\partial w}
#   = \frac{a-y}{a(1-a)}\cdot \underbrace{a(1-a)}_{\sigma'(z)} \cdot x = (a-y)\,x,
#   \qquad \frac{\partial C_{CE}}{\partial b} = a-y .$$
#
# The $\sigma'(z)$ from the sigmoid is exactly cancelled by the $a(1-a)$ in
# the denominator of $\partial C/\partial a$. The gradient is now the error
# $a-y$ itself: large error, large step. For $n$ examples both costs are
# averaged, so every gradient becomes the mean of the per-example ones, e.g.
# $\partial C_{CE}/\partial w = \frac1n\sum_i (a_i - y_i)\,x_i$.
#
# **Where the cost comes from.** Nielsen (chapter 3) runs the argument
# backwards, and it explains the cost better than any definition: *which*
# cost would give $\partial C/\partial b = a - y$, with no $\sigma'(z)$? The
# chain rule says $\partial C/\partial b = C'(a)\,\sigma'(z) = C'(a)\,a(1-a)$,
# so we need
#
# $$C'(a) = \frac{a-y}{a(1-a)} = \frac{1-y}{1-a} - \frac{y}{a}
#   \quad\Longrightarrow\quad C(a) = -\big[y\ln a + (1-y)\ln(1-a)\big] + \text{const},$$
#
# the cross-entropy. (With $z = wx + b$ the same $C$ then gives
# $\partial C/\partial w = x(a-y)$.) Integrating $C'(a)$ numerically gives the
# same curve:

# %%
route = ex.cost_from_wanted_gradient(y=0.2, a=np.linspace(0.05, 0.95, 7))
print("integral of (a - y)/(a(1 - a)) from 0.5:", np.round(route["integrated"], 4) + 0.0)
print("C_CE(a) - C_CE(0.5), closed form      :", np.round(route["closed_form"], 4) + 0.0)
print(f"max difference {'< 1e-6: the same function' if route['max_abs_diff'] < 1e-6 else route['max_abs_diff']}")

# %% [markdown]
# **Check.** Each formula is a plain function in
# `dlcore.experiments.crossentropy` (`neuron_grads`, `softmax_ce_grad`,
# ...). `check_derivations` compares every one with central differences in
# float64 at random points, with soft targets $y\in(0,1)$ and 5 examples; the
# softmax rows belong to section 4.4.

# %%
for name, err in ex.check_derivations(rng=0).items():
    print(f"{name:28s} rel. error {'< 1e-7' if err < 1e-7 else f'{err:.1e}'}  {'ok' if err < 1e-7 else 'WRONG'}")

# %% [markdown]
# The formulas also agree with the library's losses, which the training loop
# uses: `bce_with_logits` returns $\partial L/\partial z = (\sigma(z)-y)/n$,
# so $\sum_i x_i\,\partial L/\partial z_i$ must equal our $\partial C_{CE}/\partial w$.

# %%
rng = np.random.default_rng(1)
x, y = rng.normal(size=5), rng.uniform(size=5)
w, b = 0.7, -0.3
_, dZ = bce_with_logits((w * x + b)[:, None], y[:, None])
print(f"dC/dw derived: {ex.neuron_grads(w, b, x, y, 'cross_entropy')[0]:.12f}")
print(f"dC/dw library: {np.sum(dZ[:, 0] * x):.12f}")

# %% [markdown]
# ## 4.2 The single-neuron experiment
#
# This is the experiment of chapter 3 of Nielsen's *Neural Networks and Deep
# Learning*: input $x = 1$, target $y = 0$, learning rate $\eta = 0.15$,
# 300 epochs of gradient descent, from two starts: $w=0.6, b=0.9$ (output
# about 0.82) and $w=2, b=2$ (output about 0.98, badly saturated).

# %%
starts = {"good (0.6, 0.9)": (0.6, 0.9), "bad (2, 2)": (2.0, 2.0)}
print(f"{'start':16s} {'cost':14s} {'a at 0':>7s} {'a at 50':>8s} {'a at 300':>9s} {'cost gone by 50':>16s} {'half cost at':>13s}")
for label, (w0, b0) in starts.items():
    for cost in ex.COSTS:
        r = ex.train_neuron(w0, b0, 0.15, 300, cost)
        s = ex.plateau_stats(r, first=50)
        print(f"{label:16s} {cost:14s} {r['output'][0]:7.3f} {r['output'][50]:8.3f} {r['output'][300]:9.3f} "
              f"{100 * s['drop_first']:15.1f}% {s['half_epoch']:>9d} ep.")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
plot_neuron({cost: ex.train_neuron(2.0, 2.0, 0.15, 300, cost) for cost in ex.COSTS}, axes,
            title="start w=2, b=2, η=0.15")
plt.show()

# %% [markdown]
# **What to notice.** From the good start both costs learn. From the bad start
# the quadratic cost sits on a **plateau**: after 50 epochs the output is
# still above 0.97 and only about one percent of the cost has gone; it needs
# more than 200 epochs to halve it. Cross-entropy from the same start halves
# its cost within the first 10 epochs. The ratio of the two initial
# gradients is $1/\sigma'(4)$:

# %%
dq = ex.neuron_grads(2.0, 2.0, cost="quadratic")[0]
dc = ex.neuron_grads(2.0, 2.0, cost="cross_entropy")[0]
print(f"dC/dw at (2, 2): quadratic {dq:.5f}, cross-entropy {dc:.5f}, ratio {dc / dq:.1f}")

# %% [markdown]
# A fair objection: the two costs have different scales, so the same $\eta$
# is not the same step. Nielsen in fact used $\eta = 0.005$ for
# cross-entropy. Even with that 30 times smaller rate, cross-entropy's first
# step from the bad start reduces its (relative) cost far more than the
# quadratic cost's first step at $\eta = 0.15$ (more than ten times, printed
# below). The point is the *shape*: no initial plateau.

# %%
r_q, r_c5 = ex.train_neuron(2.0, 2.0, 0.15, 300, "quadratic"), ex.train_neuron(2.0, 2.0, 0.005, 300, "cross_entropy")
drop_q, drop_c5 = (ex.plateau_stats(r)["initial_slope"] / r["cost"][0] for r in (r_q, r_c5))
print(f"relative cost drop in epoch 1: quadratic (eta 0.15) {drop_q:.2e}, "
      f"cross-entropy (eta 0.005) {drop_c5:.2e}, ratio {drop_c5 / drop_q:.1f}")

# %% [markdown]
# **How long is the plateau?** Start at $w_0 = b_0 = z_0/2$ and count the
# epochs until the cost has halved:

# %%
z0s = (1, 2, 3, 4, 5, 6)
half = {c: [ex.plateau_stats(ex.train_neuron(z / 2, z / 2, 0.15, 3000, c))["half_epoch"] for z in z0s] for c in ex.COSTS}
print("z0 = w0 + b0          " + "".join(f"{z:>7d}" for z in z0s))
for c in ex.COSTS:
    print(f"epochs to halve, {c:13s}" + "".join(f"{h:>7d}" for h in half[c]))
print("quadratic, growth per unit of z0: " + " ".join(f"{b / a:.2f}x" for a, b in zip(half["quadratic"], half["quadratic"][1:])))

# %% [markdown]
# Each extra unit of $z_0$ multiplies the quadratic cost's plateau by a
# factor that climbs towards $e \approx 2.7$ (1.8 from $z_0=1$ to 2, 2.6 from
# 5 to 6): its gradient carries $\sigma'(z) \approx e^{-z}$ for large $z$.
# Cross-entropy's time to halve its cost grows by only about one epoch per unit.
#
# ### Explorer: start, learning rate, epochs
#
# Move the start further into the saturated corner ($w_0 + b_0$ large): the
# quadratic cost's plateau grows with $z_0 = w_0 + b_0$, cross-entropy has
# none. (Large *negative* $z_0$ is saturated too, but on the right side for
# target 0: both costs are then near 0 and neither needs to move.)

# %%
# NBVAL_IGNORE_OUTPUT
SingleNeuronExplorer()

# %% [markdown]
# ## 4.3 Why cross-entropy is a cost
#
# Two properties make $C_{CE} = -\frac1n\sum_x \big[y\ln a + (1-y)\ln(1-a)\big]$ usable as a cost:
#
# 1. **It is non-negative.** The output $a$ of a sigmoid lies in $(0,1)$, and
#    on $(0,1)$ the logarithm is *negative*, so $\ln a < 0$ and $\ln(1-a) < 0$;
#    with $y\in[0,1]$ both terms in the bracket are $\le 0$, and the leading
#    minus sign makes $C \ge 0$.
# 2. **It is near 0 exactly when the output is right and confident.** For
#    $y = 0$ the cost is $-\ln(1-a)$, near 0 only when $a \approx 0$; for
#    $y=1$ it is $-\ln a$, near 0 only when $a\approx1$. A confidently wrong
#    output costs a lot (and, unlike the quadratic cost, without bound).

# %%
a_vals = np.array([0.001, 0.01, 0.5, 0.99, 0.999])
t = ex.bce_table(a_vals, [0.0, 1.0])
print("a          " + "  ".join(f"{v:7.3f}" for v in a_vals))
for i, yv in enumerate((0, 1)):
    print(f"CE,  y={yv}   " + "  ".join(f"{v:7.3f}" for v in t[i]))
    print(f"quad, y={yv}  " + "  ".join(f"{0.5 * (v - yv) ** 2:7.3f}" for v in a_vals))

# %%
a_plot = np.linspace(0.001, 0.999, 400)
plot_ce_cost({"a": a_plot, "cross_entropy": ex.bce_table(a_plot, [0.0, 1.0]),
              "quadratic": np.array([0.5 * a_plot ** 2, 0.5 * (a_plot - 1) ** 2])})   # rows: y = 0, y = 1
plt.show()

# %% [markdown]
# > **Errata: "the logarithm's domain is (0, 1)".** The notes justify the
# > sign with "every term is negative because the log's domain is (0, 1)".
# > The domain of $\ln$ is $(0, \infty)$; the correct reason is that the
# > *arguments* $a$ and $1-a$ lie in $(0, 1)$, where the log is negative:
#
# %%
for v in (0.5, 0.999, 1.0, 2.0, 10.0):
    print(f"ln({v:g}) = {np.log(v):+.4f}")

# %% [markdown]
# Two more precise statements. With targets exactly 0 or 1 and a sigmoid
# output strictly inside $(0,1)$, $C > 0$ strictly: the value 0 is approached, never reached.
# With a *soft* target $y\in(0,1)$ the minimum over $a$ is not 0 but the
# entropy $H(y) = -y\ln y-(1-y)\ln(1-y)$, reached at $a = y$:

# %%
a_grid = np.linspace(0.001, 0.999, 999)
soft = ex.bce_table(a_grid, [0.3])[0]
print(f"y = 0.3: min CE {soft.min():.6f} at a = {a_grid[np.argmin(soft)]:.3f}; "
      f"H(0.3) = {-(0.3 * np.log(0.3) + 0.7 * np.log(0.7)):.6f}")

# %% [markdown]
# **Maximum likelihood.** If the net's output $a$ is read as the probability
# that $y = 1$, the probability the model gives to the observed labels is
# $L = \prod_i a_i^{y_i}(1-a_i)^{1-y_i}$, and
# $-\frac1n\ln L = C_{CE}$. Minimising cross-entropy *is* maximising the
# likelihood. A coin with 7 heads in 10 flips and a model "P(heads) = p":

# %%
coin = ex.coin_likelihood(7, 10, np.linspace(0.01, 0.99, 99))
print(f"argmin CE = {coin['p_best']:.2f}, argmax likelihood = {coin['p'][np.argmax(coin['likelihood'])]:.2f}, "
      f"max |CE - (-ln L / n)| {'< 1e-12: equal up to float64 rounding' if np.max(np.abs(coin['ce'] - coin['nll'])) < 1e-12 else 'TOO LARGE'}")
plot_coin(coin, title="7 heads in 10 flips")
plt.show()

# %% [markdown]
# **KL divergence.** For a target distribution $y$ and a prediction $p$,
#
# $$H(y, p) = -\sum_k y_k \ln p_k = \underbrace{-\sum_k y_k\ln y_k}_{H(y)} + \underbrace{\sum_k y_k \ln\frac{y_k}{p_k}}_{\mathrm{KL}(y\,\Vert\,p)\ \ge 0}.$$
#
# $H(y)$ does not depend on the model, so minimising cross-entropy minimises
# the KL divergence from $y$ to $p$; for one-hot $y$, $H(y) = 0$ and the two
# are equal.

# %%
for name, yv in (("soft y", np.array([0.7, 0.2, 0.1])), ("one-hot y", np.array([1.0, 0.0, 0.0]))):
    d = ex.kl_decomposition(yv, np.array([1.0, 0.5, -1.0]))
    print(f"{name:9s} p={np.round(d['p'], 4)}  H(y,p)={d['cross_entropy']:.6f}  "
          f"H(y)={d['entropy']:.6f}  KL={d['kl']:.6f}  H+KL={d['entropy'] + d['kl']:.6f}")

# %% [markdown]
# ## 4.4 Softmax and its gradient $p - y$
#
# For $K$ classes the last layer outputs logits $z\in\mathbb R^K$ and
#
# $$p_k = \mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_{j=1}^K e^{z_j}},$$
#
# which are positive and sum to 1. With two classes, $\mathrm{softmax}([z, 0])_0 = \sigma(z)$:
# softmax generalises the logistic function.

# %%
gap = ex.softmax_two_class_is_sigmoid(np.linspace(-30, 30, 301))
print(f"max |softmax([z,0])_0 - sigmoid(z)| for z in [-30, 30]: {'< 1e-12, equal up to float64 rounding' if gap < 1e-12 else gap}")

# %% [markdown]
# **Derivation.** $\ln p_k = z_k - \ln\sum_j e^{z_j}$, and
# $\partial/\partial z_j \ln\sum_i e^{z_i} = e^{z_j}/\sum_i e^{z_i} = p_j$. So
# for $C = -\sum_k y_k \ln p_k$:
#
# $$\frac{\partial C}{\partial z_j} = -\sum_k y_k\big(\delta_{kj} - p_j\big) = -y_j + p_j\sum_k y_k = p_j - y_j,$$
#
# using $\sum_k y_k = 1$. The same cancellation as in 4.1: the gradient with
# respect to the logits is the error $p - y$. (The gradient check above
# covered a one-hot and a soft target.) For $z = [2, 1, 0.1]$ and true class 1:

# %%
z = np.array([2.0, 1.0, 0.1])
yv = np.array([0.0, 1.0, 0.0])
g = ex.softmax_ce_grad(z, yv)
num = numerical_gradient(lambda v: ex.softmax_ce(v, yv), z)
_, dZ = softmax_cross_entropy(z[None, :], np.array([1]))
print("p - y        ", g)
print("finite diff. ", num, f" rel. error {'< 1e-7' if rel_error(g, num) < 1e-7 else rel_error(g, num)}")
print("dlcore loss  ", dZ[0], f" |sum of p - y| {'< 1e-12' if abs(g.sum()) < 1e-12 else g.sum()}")

# %% [markdown]
# > **Errata: softmax does not cure saturation by itself.** One of the notes
# > says softmax is introduced "to make up for the sigmoid's saturating
# > derivative". Softmax saturates too; what cancels the saturation is the
# > **pairing** with the log in cross-entropy. With the quadratic cost on top
# > of softmax, a confidently wrong output again gets almost no gradient:
#
# %%
zw, yw = np.array([10.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
print(f"confidently wrong, z = {zw}: |grad| softmax+CE {np.linalg.norm(ex.softmax_ce_grad(zw, yw)):.4f}, "
      f"softmax+quadratic {np.linalg.norm(ex.softmax_quadratic_grad(zw, yw)):.2e}")

# %% [markdown]
# > **Errata: the notes' softmax formula.** One note writes
# > $P(i) = \exp(\theta_i^\top x)/\sum_{k=1}^K \exp(\theta_i^\top x)$, with
# > $\theta_i$ instead of $\theta_k$ inside the sum. Taken literally that is
# > $1/K$ for every class, whatever the input:
#
# %%
z3 = np.array([3.0, 1.0, -3.0])
print("as written in the notes:", ex.notes_softmax(z3))
print("softmax([3, 1, -3])    :", softmax(z3))

# %% [markdown]
# > The same note shows two separate figures: one where three inputs become
# > the probabilities $[0.05, 0.10, 0.85]$ (their logits are not given), and
# > one that maps the outputs $3, 1, -3$ to probabilities. They are two
# > examples, not one computation, so nothing there is inconsistent; the
# > second one's probabilities, which the note does not print, are above
# > (softmax of $[3, 1, -3]$ puts 0.879 on the first class). Also, softmax's values
# > lie in the *open* interval $(0, 1)$, not $[0, 1]$, in exact arithmetic;
# > in floating point they can round to exactly 0 or 1, which is the problem of 4.6.
#
# ## 4.5 On a real task: the 8×8 digits
#
# A 64-30-10 network with sigmoid hidden units, weights drawn from
# $\mathcal N(0,1)$ (large enough that many output units start saturated),
# mini-batches of 32, $\eta = 0.5$, float32, 15 epochs, three seeds, three
# pairings: sigmoid outputs + quadratic cost, sigmoid outputs + binary
# cross-entropy (on logits), softmax + cross-entropy. Besides accuracy we
# count the output units that are **confidently wrong**, $|a_k - y_k| > 0.97$:
# exactly the units whose quadratic-cost gradient is crushed by $\sigma'(z)$.

# %%
runs = dx.compare_setups(seeds=(0, 1, 2), epochs=15, hidden=30, lr=0.5, init_std=1.0)
ep = runs["epoch"]
i1 = int(np.argmin(np.abs(ep - 1)))
print(f"{'setup':18s} {'val acc ep 1':>13s} {'val acc ep 15 (min..max)':>26s} {'wrong units ep 0':>17s} {'ep 1':>7s} {'ep 15':>7s}")
for name in dx.SETUPS:
    acc, wr = runs[name]["val_acc"], runs[name]["wrong"]
    print(f"{name:18s} {acc[:, i1].mean():13.3f} {acc[:, -1].mean():12.3f} ({acc[:, -1].min():.3f}..{acc[:, -1].max():.3f})"
          f" {100 * wr[:, 0].mean():16.1f}% {100 * wr[:, i1].mean():6.2f}% {100 * wr[:, -1].mean():6.2f}%")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.3), layout="constrained")
plot_digits(runs, axes)
plt.show()

# %% [markdown]
# **What to notice.** Both cross-entropy pairings reach 92-96 %
# validation accuracy in 15 epochs on every seed (the ranges in brackets);
# sigmoid + quadratic is far behind after the same number of steps. The right panel shows why: the
# confidently wrong output units are repaired within the first epoch by
# cross-entropy and linger under the quadratic cost.
#
# That is not the whole story. Cross-entropy cancels $\sigma'(z)$ **only at
# the output layer**; a saturated *hidden* unit learns just as slowly under
# either cost (Nielsen makes the same point). And even an output unit that
# is not saturated at all carries $\sigma'(z) \le 1/4$ into the quadratic
# cost's gradient, while cross-entropy's gradient is the error itself; a
# larger learning rate can make up for that factor, so comparing the costs
# at one shared rate (0.5 above) confounds the cost with the step size. So:
# each cost at its best rate from a small grid, five seeds, from the large
# start (std 1) and from a small one (std 0.2, where nothing is saturated):

# %%
seeds5 = (0, 1, 2, 3, 4)
for std in (1.0, 0.2):
    start = dx.compare_setups(seeds=seeds5, setups=("sigmoid+quadratic",), epochs=15, hidden=30, lr=0.5, init_std=std)
    hid = dx.hidden_saturation(std, seeds5)
    print(f"init std {std}: saturated at the start: {100 * start['sigmoid+quadratic']['saturated'][:, 0].mean():.0f}% of "
          f"output units ({100 * start['sigmoid+quadratic']['wrong'][:, 0].mean():.0f}% confidently wrong), "
          f"{100 * hid.mean():.0f}% of hidden units")
    for name, t in dx.tuned_comparison(std, seeds=seeds5).items():
        print(f"    {name:18s}" + "   ".join(f"lr {lr:g}: {pm(acc)}" for lr, acc in zip(t["lrs"], t["acc"])))

# %% [markdown]
# **What to notice.** From the small start, where no unit is saturated,
# the quadratic cost at a 4-8 times larger rate is as good as
# cross-entropy (about 0.95 against 0.96): at one shared rate, most of its
# lag was the step size, the $\sigma'(z) \le 1/4$ that a larger rate
# compensates. From the large start no rate rescues it (about 0.85 at best,
# with a wide spread, against 0.96): a saturated unit's $\sigma'(z)$ is not
# a quarter but nearly 0, and it differs from unit to unit, so no single
# step size can make up for it. Cross-entropy removes that factor at the
# output layer only: the hidden units that start saturated (about a third
# of them here) get no help from the choice of cost. On this small net
# cross-entropy recovers from them within 15 epochs (0.96 from either
# start); in deeper nets they are chapter 02's vanishing gradients, which
# the initialisation, not the cost, has to prevent.

# %% [markdown]
# ### Explorer: learning rate, initial weight scale, epochs, seeds
#
# Each new learning rate or weight scale trains 3 setups × `seeds` networks
# (a progress bar appears if that takes over a second); runs are cached,
# fewer epochs are cut from the longer runs and more epochs continue them. Try a small weight scale (0.2: nothing saturated) and a large learning
# rate (about 2: the quadratic cost catches up part of the way).

# %%
# NBVAL_IGNORE_OUTPUT
DigitsCostExplorer(epochs=15, seeds=3)   # starts from the (cached) runs above

# %% [markdown]
# ## 4.6 Numerical stability: cross-entropy from logits
#
# The textbook recipe "softmax, then log" breaks for large logits, which
# a badly initialised or diverging net produces easily. Take logits
# $z = s\cdot[1, 0, -1]$ for scales $s = 1, 2, \dots$ and each true class $k$:
#
# * **naive**: $-\ln\big(e^{z_k}/\sum_j e^{z_j}\big)$. Two things can go
#   wrong. (i) $e^{z}$ overflows to `inf` once the largest logit exceeds the
#   log of the largest float (88.7 in float32), so the sum is `inf`: if the
#   true class *is* that largest logit, the ratio is `inf/inf = NaN`; if it is
#   another class, it is (finite)/`inf` $= 0$ and $-\ln 0 =$ `inf`. (ii) Even
#   without overflow, the ratio underflows to exactly 0 when the true class's
#   logit lies more than 103.3 (float32) below the largest: `inf` again.
# * **shifted**: a stable softmax (subtract $\max_j z_j$ first), then $-\ln p_k$.
#   No overflow, but problem (ii) remains: $p_k$ of a very unlikely class
#   underflows to exactly 0 and $-\ln 0 = $ `inf`.
# * **log-sum-exp**: $-\ln p_k = \mathrm{logsumexp}(z) - z_k$ with
#   $\mathrm{logsumexp}(z) = m + \ln\sum_j e^{z_j - m}$, $m = \max_j z_j$.
#   Every exponent is $\le 0$ and the sum is $\ge 1$: finite for any finite
#   logits. This is what `dlcore.softmax_cross_entropy` does.
#
# The two thresholds, and the first failing scale for each true class:

# %%
for dt in (np.float32, np.float64):
    fi = np.finfo(dt)
    print(f"{fi.dtype.name}: exp(z) = inf for z > ln(max) = {np.log(fi.max):.1f};  "
          f"a ratio underflows to 0 below exp({np.log(fi.smallest_subnormal):.1f})")
scales = np.arange(1.0, 1001.0)   # the first failing scale, to the nearest integer
cases = ((0, "the largest logit (right)"), (1, "the middle logit"), (2, "the smallest logit (wrong)"))
for dt in (np.float32, np.float64):
    for tgt, what in cases:
        r = ex.ce_stability(scales, target=tgt, dtype=dt)
        fails = ", ".join(f"{k}: {'NaN' if r['nan'][k] else 'inf'} from s={v:g}" if v is not None else f"{k}: finite"
                          for k, v in r["fails"].items())
        print(f"{np.dtype(dt).name}, true class {tgt} = {what:26s} {fails}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
plot_stability({t: ex.ce_stability(np.arange(1, 301), target=t, dtype=np.float32) for t in (0, 1, 2)}, axes[0])
plot_stability({t: ex.ce_stability(np.arange(1, 1001), target=t, dtype=np.float64) for t in (0, 1, 2)}, axes[1],
               labels=False)
plt.show()

# %% [markdown]
# **What to notice.** Each bar is one way of computing the loss for one true
# class; it turns orange where the loss is `inf` and red where it is `NaN`.
# The naive recipe gives `NaN` only when the true class has the largest
# logit and that logit passes 88.7 (float32); in the other rows it gives
# `inf`: from the same overflow at $s = 89$ (class 1), or earlier, as soon
# as the true class's logit lies more than 103.3 below the largest (class 2,
# at $s = 52$). The shifted softmax removes the overflow but not the
# underflow: it fails wherever that gap passes 103.3 (class 1 at
# $s = 104$, class 2 at $s = 52$). Log-sum-exp (bottom bar of each
# group) is finite everywhere. In float64 the thresholds move to about 710
# and 745, but they do not go away. In training, one non-finite mini-batch loss
# is enough to poison the weights; `dlcore.fit` treats it as a divergence
# and stops.
#
# The binary case has the same trap: $-\ln(1-\sigma(z))$ with $\sigma(z)$
# rounded to 1. The logit form
# $\ln(1+e^z) - yz = \max(z,0) - yz + \ln(1+e^{-|z|})$ used by
# `bce_with_logits` stays exact:

# %%
zs = np.array([5.0, 16.0, 17.0, 36.0, 37.0, 300.0])
for dt in (np.float32, np.float64):
    r = ex.bce_stability(zs, y=0.0, dtype=dt)
    print(f"{np.dtype(dt).name}: z       ", "  ".join(f"{v:8.2f}" for v in r["z"]))
    print(f"{np.dtype(dt).name}: naive   ", "  ".join(f"{v:8.2f}" for v in r["naive"]))
    print(f"{np.dtype(dt).name}: logits  ", "  ".join(f"{v:8.2f}" for v in r["logits"]))

# %% [markdown]
# In float32, $\sigma(z)$ rounds to exactly 1 once $e^{-z}$ drops below half
# the float spacing near 1 ($2^{-24}$, i.e. $z > 16.6$): the naive loss is
# already wrong at $z = 16$ (15.94 instead of 16.00) and `inf` from 17. In
# float64 the same happens from $z > 36.7$. The logit form is exact in both.
#
# ## 4.7 The loss landscape over $(w, b)$
#
# With one example and $x=1$ the cost depends only on $z = w + b$, so its
# contours are straight lines and both gradient components are equal: the
# path runs along the diagonal. The surfaces differ in shape: the quadratic
# cost is bounded by ½ and **flat** in the saturated corner (large $w+b$),
# while cross-entropy keeps a slope of about $\sqrt2$ there (it grows like $z$).

# %%
for cost in ex.COSTS:
    gw, gb = ex.neuron_grads(4.0, 4.0, cost=cost)
    r = ex.train_neuron(2.0, 2.0, 0.15, 300, cost)
    step = np.hypot(np.diff(r["w"]), np.diff(r["b"]))
    print(f"{cost:14s} |grad C| at (w, b) = (4, 4): {np.hypot(gw, gb):.2e};  path from (2, 2): "
          f"first step {step[0]:.4f}, longest step {step.max():.4f} (epoch {np.argmax(step) + 1})")
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.5), layout="constrained")
plot_landscape({cost: ex.train_neuron(2.0, 2.0, 0.15, 300, cost) for cost in ex.COSTS},
               {cost: ex.cost_surface(cost) for cost in ex.COSTS}, axes)
plt.show()

# %% [markdown]
# **What to notice.** The dots of the path are ten epochs apart. On the
# quadratic surface they are crowded near the start (the plateau: the first
# step is 0.0037 long) and the longest step comes after about 200 epochs; on
# the cross-entropy surface the first step is the longest and the dots are
# widely spaced at once (numbers printed above). Both paths run down the
# diagonal, and both stop short of the bottom left: the costs only approach
# 0 as $w + b \to -\infty$.
#
# ### Explorer: the same four controls, on the surfaces

# %%
# NBVAL_IGNORE_OUTPUT
LandscapeExplorer()

# %% [markdown]
# ## Errata: the notes' derivation, formula by formula
#
# Every formula of the notes' cross-entropy section, checked against the
# tested code of this chapter:
#
# | the notes write | verdict | checked by |
# |---|---|---|
# | $a=\sigma(z)$, $z=\sum_j w_j x_j + b$ (inputs called $i_j$) | correct | `neuron_cost` |
# | $C = -\frac1n\sum_x[y\ln a + (1-y)\ln(1-a)]$ | correct | equals `bce_with_logits` (test) |
# | "$C>0$ because the log's domain is $(0,1)$" | **wrong reason**: domain $(0,\infty)$; negative on $(0,1)$ where $a$, $1-a$ live. Each term is $\le 0$, not $<0$ ($y\ln a = 0$ when $y=0$). $C>0$ holds for 0/1 targets; for soft targets the minimum is $H(y)$ | section 4.3 |
# | the chain-rule step for $\partial C/\partial w_j$ | **not shown**: it fails to render (a LaTeX `eqnarray` error) in one note and is missing in another; derived in 4.1 | `check_derivations` |
# | $\sigma'(z) = \sigma(z)(1-\sigma(z))$ | correct | `check_derivations` |
# | $\partial C/\partial w_j = \frac1n\sum_x x_j(\sigma(z)-y)$ | correct | `check_derivations`, tests |
# | $\partial C/\partial b = \frac1n\sum_x(\sigma(z)-y)$ | correct | `check_derivations`, tests |
# | $P(i) = e^{\theta_i^\top x}/\sum_{k} e^{\theta_i^\top x}$ | **wrong**: $\theta_k$ in the sum; as written it is $1/K$ | `notes_softmax`, 4.4 |
# | $S_i = e^{V_i}/\sum_j e^{V_j}$ | correct | `dlcore.softmax` |
# | $[0.05, 0.10, 0.85]$ and "3, 1, −3 map to (0, 1)" | correct: two separate figures (an earlier version of this table wrongly read them as one softmax); softmax$([3,1,-3]) = [0.879, 0.119, 0.002]$ | 4.4 |
# | softmax values in $[0,1]$ | $(0,1)$ exactly; rounding to 0 is what breaks naive CE | 4.4, 4.6 |
# | softmax "makes up for" sigmoid saturation | **incomplete**: softmax + quadratic saturates too; the cure is the CE pairing | 4.4 |
# | MSE + sigmoid gradient contains $\sigma'$, CE's does not | correct | 4.1 |
#
# ## Exercises
#
# **E4.1 The bias gradient.** Write `dC_db(w, b, x, y)`: the derivative of
# the *mean* binary cross-entropy of one sigmoid neuron over the examples
# `x`, `y` (1-D arrays) with respect to $b$. The checker compares it with
# finite differences at 6 random points and recognises the usual slips.

# %%
def dC_db(w, b, x, y):
    return None  # replace with your formula


ch04.check_ce_bias_gradient(dC_db)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $\partial C/\partial b = \frac1n\sum_i (\sigma(w x_i + b) - y_i)$: the
# derivation of 4.1 with $\partial z/\partial b = 1$ instead of $x$.
#
# ```python
# def dC_db(w, b, x, y):
#     a = 1 / (1 + np.exp(-(w * x + b)))
#     return np.mean(a - y)
# ```
# </details>
#
# **E4.2 p − y by hand.** For the logits `ch04.EX_LOGITS` and true class
# `ch04.EX_LABEL`, compute $\partial C/\partial z$ of softmax + cross-entropy
# (four numbers, by hand or with a calculator; two decimals are enough).

# %%
print("logits", ch04.EX_LOGITS, "true class", ch04.EX_LABEL)
my_grad = None  # e.g. np.array([...])
ch04.check_p_minus_y(my_grad)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $p = \mathrm{softmax}(z) = e^{z}/\sum_j e^{z_j}$, then subtract 1 at the
# true class: `softmax(ch04.EX_LOGITS) - np.eye(4)[ch04.EX_LABEL]`, about
# $[0.6095, 0.2242, -0.9697, 0.1360]$. The entries sum to 0; only the true
# class is negative (its logit goes up, the others go down).
# </details>
#
# **E4.3 Which cost learns faster, and by how much?** From the start
# $(w_0, b_0) =$ `ch04.EX_START`, with $x=1$ and target 0: which cost has the
# larger initial gradient, and what is the ratio
# $\frac{\partial C_{CE}/\partial b}{\partial C_Q/\partial b}$ (to three
# significant figures)? Predict first, then the checker runs both trainings.

# %%
print("start (w0, b0) =", ch04.EX_START)
my_faster = None   # "quadratic" or "cross_entropy"
my_ratio = None    # a number
ch04.check_faster_cost(my_faster, my_ratio)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Cross-entropy, always: the ratio is $(a-y)/\big((a-y)\sigma'(z)\big) = 1/\sigma'(z)$
# $\ge 4$. Here $z = -1 + 3.5 = 2.5$, $a = \sigma(2.5) \approx 0.924$,
# $\sigma'(2.5) \approx 0.0701$, ratio $\approx 14.26$.
# </details>
#
# **E4.4 A stable log-sum-exp.** Write `my_logsumexp(z)` for a 1-D array that
# stays finite for logits of $\pm 1000$.

# %%
def my_logsumexp(z):
    return np.log(np.sum(np.exp(z)))   # naive: overflows for large z; fix it


with np.errstate(over="ignore", divide="ignore"):
    print(ch04.check_logsumexp(my_logsumexp))

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# ```python
# def my_logsumexp(z):
#     m = np.max(z)
#     return m + np.log(np.sum(np.exp(z - m)))
# ```
# After the shift the largest exponent is $e^0 = 1$, so the sum lies in
# $[1, K]$: no overflow, and no $\ln 0$.
# </details>
#
# ## Summary
#
# * With a sigmoid output, the quadratic cost's gradient is $(a-y)\sigma'(z)x$;
#   cross-entropy's is $(a-y)x$. The $\sigma'(z)$ cancels against
#   $\partial C/\partial a = (a-y)/(a(1-a))$.
# * A saturated, wrong neuron therefore stalls for hundreds of epochs under
#   the quadratic cost and learns at once under cross-entropy. On the digits,
#   compared at each cost's best learning rate, the two costs tie when no
#   unit starts saturated; from a saturated start no rate rescues the
#   quadratic cost. Cross-entropy cancels $\sigma'$ at the output layer only.
# * Cross-entropy is non-negative because its arguments lie in $(0,1)$ where
#   the log is negative; minimising it is maximum likelihood and minimises
#   $\mathrm{KL}(y\Vert p)$.
# * Softmax + cross-entropy has gradient $p-y$ with respect to the logits;
#   compute the loss from logits with log-sum-exp, never as `log(softmax(z))`.
