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
# # 01 · Backpropagation by hand, and how to check it
#
# Every later chapter asks *why a gradient is small, large or wrong*. Before
# we can answer, we need to be able to compute a gradient ourselves and to
# **prove** that a piece of code computes it correctly. This chapter does both
# on the smallest network that still has a hidden layer.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 1.1 | How does backpropagation compute $\partial E/\partial w$ for every weight, concretely, number by number? | 反向传播具体怎样一步步算出每个权重的偏导数？ |
# | 1.2 | What does one step of gradient descent change, and where does the error go after many steps? | 一次梯度下降更新了什么？迭代很多次以后误差如何变化？ |
# | 1.3 | How do we know a backward pass is right? What is gradient checking and what does "relative error" mean? | 怎样确认反向传播写对了？什么是梯度检验，相对误差指什么？ |
# | 1.4 | Why central differences, why float64, and how small should the step $h$ be? | 为什么用中心差分和双精度？步长 h 取多小合适？ |
# | 1.5 | Why does backprop cost about two forward passes, while finite differences cost two per parameter? | 为什么反向传播只相当于约两次前向计算，而有限差分每个参数要两次？ |
#
# Every number below is computed by the cells of this notebook with the
# book's library, `dlcore`; none is typed in.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore import check_module, numerical_gradient, rel_error
from dlcore.exercises import ch01
from dlcore.experiments import backprop as ex
from dlcore.experiments import gradchecking as gx
from dlcore.experiments.backprop_cost import gradient_cost
from widgets.ch01_backprop import GradCheckExplorer, WorkedExampleExplorer
from widgets.ch01_plots import plot_convergence, plot_gradcheck, plot_network, plot_training
from widgets.notebook import setup

setup(precision=8)   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 1.1 The network
#
# Two inputs $i_1=0.05,\ i_2=0.10$, two hidden sigmoid units $h_1, h_2$, two
# sigmoid outputs $o_1, o_2$ with targets $0.01$ and $0.99$. The weights
# $w_1\dots w_8$ and the biases $b_1=0.35$ (hidden) and $b_2=0.60$ (output)
# are the classic starting point of this example (Matt Mazur's, reproduced in
# many interview notes). The error is the squared error with a factor ½:
#
# $$E = \tfrac12 (t_1 - o_1)^2 + \tfrac12 (t_2 - o_2)^2 .$$
#
# In `dlcore` the net is `Linear(2,2) → Sigmoid → Linear(2,2) → Sigmoid`, and a
# weight matrix has one row per input, so $W^{(1)} = \begin{pmatrix} w_1 & w_3 \\ w_2 & w_4\end{pmatrix}$
# and $W^{(2)} = \begin{pmatrix} w_5 & w_7 \\ w_6 & w_8\end{pmatrix}$.

# %%
net = ex.worked_net()
print(net)
plot_network(ex.named_weights(net))
plt.show()

# %% [markdown]
# ## 1.2 Forward pass
#
# Each unit forms its net input and squashes it with $\sigma(z) = 1/(1+e^{-z})$:
#
# $$net_{h_1} = w_1 i_1 + w_2 i_2 + b_1, \qquad out_{h_1} = \sigma(net_{h_1}),$$
# $$net_{o_1} = w_5\, out_{h_1} + w_6\, out_{h_2} + b_2, \qquad out_{o_1} = \sigma(net_{o_1}).$$

# %%
fw = ex.forward_trace()
for k in ("net_h", "out_h", "net_o", "out_o", "E_o"):
    print(f"{k:6s}", "  ".join(f"{v:.9f}" for v in fw[k]))
print(f"E_total {fw['E_total']:.9f}")

# %% [markdown]
# > **Errata: the notes disagree with themselves.** The source notes print
# > $out_{o_1}$ once as 0.75136079 and once as 0.75136507, and write the
# > sigmoid as $1/(1+e^{1.105905967})$, which drops the minus sign. The cell
# > below computes all three; only 0.75136507 is the forward pass, and the
# > sign slip would give a completely different number.

# %%
z = fw["net_o"][0]
print(f"sigma(net_o1)            = {1 / (1 + np.exp(-z)):.8f}   <- the forward pass")
print(f"1/(1+e^(+net_o1)) (slip) = {1 / (1 + np.exp(z)):.8f}")
print(f"first printed value       = {0.75136079:.8f}   (differs by {abs(0.75136079 - fw['out_o'][0]):.1e})")

# %% [markdown]
# ## 1.3 Backward pass, by the chain rule
#
# **Output weights.** $w_5$ influences $E$ only through $net_{o_1}$, so
#
# $$\frac{\partial E}{\partial w_5}
#   = \underbrace{\frac{\partial E}{\partial out_{o_1}}}_{out_{o_1}-t_1}
#     \cdot \underbrace{\frac{\partial out_{o_1}}{\partial net_{o_1}}}_{out_{o_1}(1-out_{o_1})}
#     \cdot \underbrace{\frac{\partial net_{o_1}}{\partial w_5}}_{out_{h_1}}
#   = \delta_{o_1}\, out_{h_1}, \qquad
#   \delta_{o_k} := (out_{o_k}-t_k)\, out_{o_k}(1-out_{o_k}).$$
#
# The ½ in the cost is there so that the 2 of the square cancels.
#
# **Hidden weights.** $h_1$ feeds *both* outputs, so its error signal is a sum
# over the two paths:
#
# $$\delta_{h_1} = \big(\delta_{o_1} w_5 + \delta_{o_2} w_7\big)\, out_{h_1}(1-out_{h_1}),
#   \qquad \frac{\partial E}{\partial w_1} = \delta_{h_1}\, i_1 .$$
#
# In matrix form this is exactly what `Linear.backward` and `Sigmoid.backward`
# do: $\delta^{(1)} = (\delta^{(2)} W^{(2)\top}) \odot \sigma'(z^{(1)})$ and
# $\partial E/\partial W^{(1)} = x^\top \delta^{(1)}$. The function
# `ex.hand_backward` writes the scalar chain rule out, unit by unit; the table
# puts it next to `dlcore`'s matrix backward.
#
# **The four equations, in general (Nielsen, ch. 2).** For any depth, with
# $z^l = a^{l-1} W^{l} + b^l$, $a^l = \sigma(z^l)$ and $\delta^l := \partial C/\partial z^l$
# (rows are examples, `dlcore`'s layout; Nielsen writes the transposes):
#
# $$\begin{aligned}
# &\text{(BP1)}\quad \delta^L = \nabla_{a^L} C \odot \sigma'(z^L) &&\text{the output layer's error}\\
# &\text{(BP2)}\quad \delta^l = \big(\delta^{l+1}\, W^{l+1\,\top}\big) \odot \sigma'(z^l) &&\text{passed down one layer}\\
# &\text{(BP3)}\quad \partial C/\partial b^l_j = \delta^l_j &&\text{a bias gets its unit's error}\\
# &\text{(BP4)}\quad \partial C/\partial w^l_{kj} = a^{l-1}_k\, \delta^l_j &&\text{input of the weight} \times \text{error at its end}
# \end{aligned}$$
#
# In the worked example $\delta_{o}$ is BP1 (with $\nabla_a C = out_o - t$),
# $\delta_h$ is BP2, the `b_` rows of the table below are BP3 and every
# weight row is BP4.

# %%
hb = ex.hand_backward()
print("delta_o =", hb["delta_o"], "  delta_h =", hb["delta_h"])
print(f"{'param':6s} {'by hand':>14s} {'dlcore backward':>16s} {'difference':>11s}")
for k, v in hb["grads"].items():
    print(f"{k:6s} {v:14.9f} {hb['dlcore'][k]:16.9f} {abs(v - hb['dlcore'][k]):11.1e}")

# %% [markdown]
# **What to notice.** The hidden weights' gradients (about $4\times10^{-4}$ to
# $10^{-3}$) are roughly a hundred times smaller than the output weights'
# ($2\times10^{-2}$ to $8\times10^{-2}$). Part of it is the tiny inputs
# (0.05 and 0.10); part is BP2: on the way down each path multiplies the error
# by $w\,\sigma'(z)$, the weight it crosses times the slope of the unit below.
# $\sigma' \le \tfrac14$, but the weight is not bounded, so the factor per
# layer is $|w\,\sigma'(z)| \le |w|/4$: below 1 whenever $|w| < 4$ (here
# $|w| \le 0.55$), and able to exceed 1 only for $|w| > 4$ and net inputs in a
# window around 0 (Nielsen, ch. 5), a window that narrows as the unit saturates.

# %%
fw = ex.forward_trace()
f = ex.signal_factor(ex.WORKED["W2"], fw["net_h"][:, None])     # row j: from h_j, column k: to o_k
print("|w sigma'(z_h)| on the four paths o -> h:", np.round(f["factor"].ravel(), 3))
for w in (2, 4, 6, 10, 20):
    g = ex.signal_factor(w)
    where = (f"above 1 for net inputs in a window of width {float(g['z_window']):.2f}" if g["z_window"] > 0
             else "never above 1")
    print(f"|w| = {w:2d}: |w sigma'(z)| <= {float(g['max_factor']):.2f}, {where}")

# %% [markdown]
# Stack more sigmoid layers and these factors multiply: with small weights
# that is chapter 02's vanishing gradient, already visible in a 2-2-2 net;
# with large ones (chapter 02's N(0, 1) weights) gradients can grow instead.
#
# ## 1.4 One update, then many
#
# Gradient descent with learning rate $\eta = 0.5$ moves every weight against
# its gradient, $w \leftarrow w - \eta\, \partial E / \partial w$. The classic
# example updates the weights only and keeps the biases fixed; we follow it,
# and show the version that trains the biases too.

# %%
run = ex.train_worked(10000)
before, after = dict(zip(run["names"], run["weights"][0])), dict(zip(run["names"], run["weights"][1]))
for k in ex.weight_names():
    print(f"{k}: {before[k]:.4f} -> {after[k]:.8f}")
print(f"error: {run['error'][0]:.9f} -> {run['error'][1]:.9f} after one update")

# %%
run_b = ex.train_worked(10000, update_biases=True)
for label, r in (("weights only", run), ("weights and biases", run_b)):
    o = r["out"][-1]
    print(f"{label:18s}: E after 10000 updates = {r['error'][-1]:.4e}, outputs = {o[0]:.6f}, {o[1]:.6f}")
plot_training({"weights only": run, "weights and biases": run_b})
plt.show()

# %% [markdown]
# The error falls at every step. How fast? Train for $10^5$ updates and
# measure the slope of the log-log curve over each decade, and the factor by
# which the error shrinks per 1000 updates at the end.

# %%
conv = ex.convergence(100000)
for (a, b), slope in zip(conv["decades"], conv["slopes"]):
    print(f"log-log slope from {a:>6d} to {b:>6d} updates: {slope:.2f}")
print(f"last 1000 updates: E multiplied by {conv['late_factor']:.4f}; E after 100000 updates = {conv['final_error']:.2e}")
z = conv["final_net_o"]
print(f"net inputs of o1, o2 after 100000 updates: {z[0]:.3f}, {z[1]:.3f};"
      f"  sigma(z) = 0.01, 0.99 at z = {conv['z_target'][0]:.3f}, {conv['z_target'][1]:.3f}")
plot_convergence(conv)
plt.show()

# %% [markdown]
# **What to notice.** The log-log curve is not a straight line, so this is no
# power law: its slope steepens decade after decade, and by the end the decay
# is *exponential*: a constant factor per 1000 updates, a straight line on the
# log-linear plot. Nor do the outputs need infinite net input: a sigmoid
# equals 0.01 at $z = \ln(0.01/0.99) = -4.6$ and 0.99 at $+4.6$, and the net
# inputs head straight there. The targets are reachable, so near the end $E$
# is a bowl around a real minimum, and gradient descent on a bowl shrinks the
# error by a constant factor per step. The factor is close to 1 because the
# bowl is flat: at the targets the outputs' slope is only
# $\sigma'(z) = t(1-t) = 0.0099$. The output units work close to saturation,
# which slows learning (chapter 04 shows the cure: the cross-entropy cost).
# Training the biases too gives two more free parameters and a lower error.
#
# ### Explorer: step through training
#
# Drag **updates** to see every weight at that point (dashed outline: the
# start); change the learning rate or let the biases train. Try $\eta=5$ or $10$: the
# error falls much faster on this single example.

# %%
# NBVAL_IGNORE_OUTPUT
WorkedExampleExplorer()

# %% [markdown]
# ### Why does even $\eta = 10$ not diverge?
#
# Not because anything keeps the *weights* small. The sigmoids bound the
# *error* ($0 < out < 1$, so $E < 1$) and the output gradients
# ($|\partial E/\partial w_5| = |(out_{o_1} - t_1)\,\sigma'(z_{o_1})\,out_{h_1}| \le \tfrac14$).
# A huge step cannot blow the error up; it throws the net inputs far out,
# where $\sigma' \approx 0$. The cell trains at larger rates:

# %%
lrs = ex.lr_outcomes((0.5, 10.0, 100.0, 300.0, 1000.0))
tiny = lambda v, fmt: fmt.format(v) if v >= 1e-10 else "< 1e-10"   # noqa: E731
print(f"{'lr':>6s} {'E after 10000':>13s} {'outputs':>15s} {'slope out(1-out) of o1, o2':>28s}  largest |dE/dw|")
for lr, E, o, sl, g in zip(lrs["lr"], lrs["final_error"], lrs["out"], lrs["slope"], lrs["max_grad"]):
    print(f"{lr:6g} {tiny(E, '{:.1e}'):>13s} {o[0]:7.4f} {o[1]:7.4f} {tiny(sl[0], '{:.4f}'):>13s} "
          f"{tiny(sl[1], '{:.4f}'):>13s}  {g:.3f}")

# %% [markdown]
# Up to $\eta = 100$ larger steps only help. At $\eta = 300$ the first update
# throws $o_1$'s net input to about $-28$: $o_1$ is pinned at 0, its slope is
# below $10^{-10}$, and the error freezes at $\tfrac12 0.01^2 = 5\times10^{-5}$
# for good. At $\eta = 1000$ both outputs are pinned, at 0 and 1, and $E$ freezes
# at $10^{-4}$. Nothing diverges, and nothing learns: that is **saturation**,
# the flat sigmoid that slows the end of the run above, reached in one step.
# The gradients stay small throughout (at most 0.09); the steps
# $\eta\,|\partial E/\partial w|$ do not.

# %% [markdown]
# ## 1.5 Gradient checking
#
# A backward pass that runs without error can still be wrong, and training
# with a wrong gradient often *still makes progress*, just worse. The check is
# to compare with a numerical derivative. The **central difference**
#
# $$\frac{\partial f}{\partial \theta_i} \approx \frac{f(\theta + h e_i) - f(\theta - h e_i)}{2h}$$
#
# has error $O(h^2)$ (the forward difference $[f(\theta+h e_i)-f(\theta)]/h$ has
# $O(h)$), so it is far more accurate for the same $h$. We compare the analytic
# gradient $a$ and the numerical one $n$ by their **relative error**
#
# $$r = \frac{\lVert a - n\rVert_2}{\max(\lVert a\rVert_2, \lVert n\rVert_2)},$$
#
# which does not depend on the scale of the gradient. In float64 with
# $h=10^{-6}$, a correct backward gives $r \approx 10^{-9}$ or less; $r > 10^{-6}$
# means a bug (unless an input sits exactly on a kink such as ReLU's 0).
# The digits of such a tiny $r$ are rounding noise: they change from one CPU
# (one BLAS kernel) to another, so the table shows what they mean, "below
# $10^{-7}$", not the digits.
#
# `check_module` does this for the input and every parameter of any `dlcore`
# module, by checking the scalar $L = \sum Y \odot R$ for a fixed random $R$.
# The test suite runs it on every layer the library has.

# %%
rng = np.random.default_rng(0)
print(check_module(ex.worked_net(), rng.standard_normal((4, 2)), rng=1).table(tol=1e-6, floor=1e-7))

# %% [markdown]
# ### Catching a bug
#
# Here are four backward passes with a deliberate, realistic mistake each.
# Every one of them still runs and produces gradients of the right shape.

# %%
print(f"{'backward':32s} {'agree (r < 1e-7)':22s} wrong (r > 1e-6)")
for bug, what in gx.BUGS.items():
    rep = gx.catch_bug(bug)
    right = " ".join(r.name for r in rep.results if r.rel_error < 1e-7)
    wrong = ", ".join(f"{r.name} {r.rel_error:.2f}" for r in rep.results if r.rel_error > 1e-6)
    print(f"{bug:32s} {right:22s} {wrong or '-':30s} -> {'passes' if rep.passed(1e-6) else 'CAUGHT'}")

# %% [markdown]
# **What to notice.** No threshold is needed to tell the two apart: the
# correct backward agrees to rounding everywhere, every bug is off by a
# relative error of order 1. The columns also say *where* a bug is: a wrong
# sigmoid derivative or a missing transpose corrupts every gradient below it
# (the first layer and the input), while the layer above stays right; an
# averaged bias corrupts the biases and nothing else.

# %% [markdown]
# ### How small should $h$ be? Why float64?
#
# Two errors pull in opposite directions. Truncation error shrinks like $h^2$;
# rounding error grows like $\epsilon_{\text{mach}}/h$, because $f(\theta\pm h)$
# are nearly equal numbers whose difference loses digits. The best $h$ sits
# near $\epsilon_{\text{mach}}^{1/3}$: about $6\times10^{-6}$ in float64
# ($\epsilon = 2.2\times10^{-16}$) but $5\times10^{-3}$ in float32
# ($\epsilon = 1.2\times10^{-7}$), where even the best achievable relative error
# is far above the tolerance. That is why gradient checks run in float64.

# %%
curves = {
    "correct, float64": gx.gradcheck_vs_h(),
    "correct, float32": gx.gradcheck_vs_h(dtype="float32"),
    "bug: sigma(1-x), float64": gx.gradcheck_vs_h(bug="sigmoid: derivative sigma(1-x)"),
}
c64, c32, bug = curves.values()
at_1e5 = float(c64["rel_error"][np.isclose(c64["h"], 1e-5)][0])
print(f"correct, float64:         relative error {'< 1e-9' if at_1e5 < 1e-9 else '>= 1e-9'} at h = 1e-5   -> passes")
print(f"correct, float32:         relative error {'> 1e-5' if c32['best_error'] > 1e-5 else '<= 1e-5'} at every h"
      "  -> never passes the 1e-6 tolerance")
print(f"bug sigma(1-x), float64:  relative error {'> 0.5 ' if bug['best_error'] > 0.5 else '<= 0.5'} at every h"
      "  -> no h hides the bug")
plot_gradcheck({"curves": curves})
plt.show()

# %% [markdown]
# **What to notice.** The float64 curve is a V with its floor near $10^{-10}$,
# between $h=10^{-6}$ and $10^{-4}$ (where exactly, and the floor's last
# digits, are rounding noise); the float32 curve never gets below $10^{-5}$; the
# buggy backward sits near $1$ for every $h$, so no choice of $h$ hides it.
#
# ### Explorer: break the backward, change the precision, move $h$

# %%
# NBVAL_IGNORE_OUTPUT
GradCheckExplorer()

# %% [markdown]
# ### What each method costs
#
# Finite differences need two forward passes *per parameter*; backpropagation
# gets all $P$ partial derivatives from one forward and one backward pass, and
# the backward pass costs about as much as a forward one (the same matrix
# products, transposed; Nielsen, ch. 2). On a digits MLP:

# %%
cost = gradient_cost((64, 30, 10), n=100)
print(f"digits MLP 64-30-10 (sigmoid), 100 examples: P = {cost['params']} parameters")
print(f"central differences: 2P = {cost['fd_forwards']} forward passes for one gradient")
print(f"backprop:            {cost['bp_forwards']} forward + 1 backward pass "
      f"(the backward measured at {'less than 2' if cost['backward_over_forward'] < 2 else 'more than 2'} forward passes)")
print(f"measured time, finite differences / backprop: {'more than 1000x' if cost['fd_over_backprop'] > 1000 else 'less than 1000x'}")
print(f"backprop vs central differences on {cost['probed']} parameters: relative error "
      f"{'< 1e-7' if cost['rel_error'] < 1e-7 else '>= 1e-7'}")

# %% [markdown]
# Finite differences are a check, run once on a small net; backpropagation
# is what makes training a net with millions of parameters possible at all.
#
# ## Exercises
#
# **E1.1 Forward by hand.** Compute $out_{o_2}$ with pen and paper (or plain
# Python arithmetic, without `dlcore`) to 4 significant figures (or more) and
# check it.

# %%
my_out_o2 = None  # your number here
ch01.check_output("out_o2", my_out_o2)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $net_{o_2} = w_7\,out_{h_1} + w_8\,out_{h_2} + b_2 = 0.50\cdot0.593269992 + 0.55\cdot0.596884378 + 0.60 = 1.224921404$,
# and $out_{o_2} = \sigma(1.224921404) = 0.772928465$.
# </details>
#
# **E1.2 A hidden-layer partial.** Compute $\partial E/\partial w_1$ by the
# chain rule, to 4 significant figures (or more). Hint: $h_1$ feeds both outputs.

# %%
my_dE_dw1 = None
ch01.check_partial("w1", my_dE_dw1)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $\delta_{o_1} = (0.75136507-0.01)\cdot0.75136507\cdot(1-0.75136507) = 0.138498562$,
# $\delta_{o_2} = (0.77292847-0.99)\cdot0.77292847\cdot(1-0.77292847) = -0.038098237$,
# $\delta_{h_1} = (\delta_{o_1} w_5 + \delta_{o_2} w_7)\cdot out_{h_1}(1-out_{h_1}) = 0.036350306\cdot0.241300709 = 0.008771355$,
# and $\partial E/\partial w_1 = \delta_{h_1}\, i_1 = 0.000438568$.
# </details>
#
# **E1.3 Your own sigmoid derivative.** Write `dsigmoid(x)` that works on
# arrays; the checker compares it with the true derivative at 25 points.

# %%
def dsigmoid(x):
    return None  # replace with your formula

ch01.check_sigmoid_derivative(dsigmoid)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# ```python
# def dsigmoid(x):
#     s = 1 / (1 + np.exp(-x))
#     return s * (1 - s)
# ```
# </details>
#
# **E1.4 Backward of a linear layer.** Write `linear_backward(X, W, dY)` for
# $Y = XW + b$ (rows are examples) returning `(dX, dW, db)`. The checker
# compares each with finite differences and tells you which one is off.

# %%
def linear_backward(X, W, dY):
    return None, None, None  # replace

ch01.check_linear_backward(linear_backward)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# ```python
# def linear_backward(X, W, dY):
#     return dY @ W.T, X.T @ dY, dY.sum(axis=0)
# ```
# $\partial L/\partial b$ is a **sum** over the batch, because the same $b$
# is added to every row; averaging instead is one of the bugs caught above.
# </details>
#
# **E1.5 One update.** What is $w_5$ after the first update with $\eta = 0.5$?
# Give 4 significant figures (or more).

# %%
my_w5 = None
ch01.check_updated_weight("w5", my_w5)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $w_5 - \eta\,\partial E/\partial w_5 = 0.40 - 0.5 \cdot 0.082167041 = 0.358916480$.
# </details>
#
# ## Summary
#
# * Backpropagation is the chain rule organised so that each layer passes
#   $\partial E/\partial(\text{its input})$ back to the layer below:
#   $\delta^{(l)} = (\delta^{(l+1)} W^{(l+1)\top}) \odot f'(z^{(l)})$.
# * On the way down each sigmoid layer multiplies the signal by $|w\,\sigma'(z)|$:
#   at most $|w|/4$, so below 1 when $|w| < 4$ (here $|w| \le 0.55$, and the hidden
#   weights' gradients are ~100× smaller than the output weights'), above 1 only
#   for $|w| > 4$ in a narrow window of net inputs.
# * Backprop costs about two forward passes for all $P$ derivatives (BP1-BP4);
#   finite differences cost $2P$.
# * Gradient descent on the worked example reaches its targets at finite net
#   inputs ($\pm 4.6$); its error bends from a slow start into exponential decay,
#   slowed by the flat, nearly saturated sigmoids. A huge step does not
#   diverge: it saturates the outputs and freezes the error.
# * Check every backward pass against central differences in float64:
#   relative error ~1e-9 is right, ~1 is a bug, and no step size rescues a bug.
