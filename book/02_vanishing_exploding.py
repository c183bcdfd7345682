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
# # 02 · Vanishing and exploding gradients
#
# Why does a deeper net train worse, and what does each remedy actually do?
# This chapter measures the answer: the gradient that reaches a layer is a
# product of one factor per layer above it, and products of many factors
# shrink or grow geometrically. Every remedy (initialisation, ReLU, clipping,
# residual connections) is a way of keeping those factors near 1, or of
# capping what happens when they are not.
#
# **Questions this chapter answers**
#
# | # | question | 问题（意译） |
# |---|---|---|
# | 2.1 | Why does the gradient shrink or grow geometrically with depth? | 为什么梯度会随层数成倍地变小或变大？ |
# | 2.2 | Do the earlier layers of a deep sigmoid net really learn more slowly, and by how much? | 深层 sigmoid 网络里靠前的层真的学得更慢吗？慢多少？ |
# | 2.3 | How does the initialisation (N(0,1), 0.02·randn, scale/√n, Xavier, He) decide whether the signal survives 30 layers? | 各种初始化怎样决定信号能否穿过几十层？ |
# | 2.4 | What is the "degeneration" of a product of weight matrices, and why is it faster for ReLU nets? | 权重矩阵连乘的“退化”指什么？为什么 ReLU 网络退化得更快？ |
# | 2.5 | How does a loss turn into NaN, and what do clipping by value and by norm do about it? | 损失是怎样变成 NaN 的？按值裁剪和按范数裁剪分别有什么作用？ |
# | 2.6 | Why do residual (skip) connections keep a 20-layer net trainable? | 残差连接为什么能让 20 层的网络仍然可训练？ |
# | 2.7 | More layers or more neurons? A funnel or a constant width? | 该加层数还是加每层神经元？漏斗形还是等宽？ |
# | 2.8 | Which remedy fixes which problem (init, ReLU, clipping, weight penalties, batch norm, residuals, pretraining, LSTM)? | 各种补救办法分别治什么问题？ |
# | 2.9 | Why is tanh said to converge faster than sigmoid? | 为什么说 tanh 比 sigmoid 收敛得快？ |
#
# Every number below is computed by a cell of this notebook with `dlcore`.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from dlcore.exercises import ch02
from dlcore.experiments import gradients as ex
from dlcore.experiments import gradients_shape as exs
from dlcore.experiments import init_symmetry as sy
from dlcore.experiments.common import SEEDS, SEEDS10, over_seeds, pm
from dlcore.experiments.norm_training import remedies_bn_row
from widgets.ch02_gradients import (ClippingExplorer, JacobianExplorer, LayerSpeedExplorer, ResidualExplorer,
                                    SignalExplorer, plot_clipping, plot_jacobian, plot_layer_speeds, plot_residual,
                                    plot_shapes, plot_signal)
from widgets.notebook import setup

setup()   # one BLAS thread (small matrices), print and figure defaults

# %% [markdown]
# ## 2.1 The gradient is a product, one factor per layer
#
# Write a net as $z^l = h^{l-1} W^l + b^l$, $h^l = f(z^l)$ (rows are examples,
# as in `dlcore`). Backpropagation carries the error
# $\delta^l = \partial C/\partial z^l$ downwards:
#
# $$\delta^l = \big(\delta^{l+1}\, W^{l+1\,\top}\big) \odot f'(z^l),
# \qquad \frac{\partial C}{\partial b^l} = \delta^l, \qquad \frac{\partial C}{\partial W^l} = h^{l-1\,\top}\delta^l .$$
#
# In column notation the same step is a Jacobian: $h_{t+1} = f(W_t h_t)$ has
# $\partial h_{t+1}/\partial h_t = \mathrm{diag}\big(f'(W_t h_t)\big)\, W_t$, and by the
# chain rule the gradient at the bottom is the gradient at the top multiplied by the
# transpose of a product of Jacobians:
#
# $$\nabla_{h_1} C = \big(J_L \cdots J_2 J_1\big)^{\top}\, \nabla_{h_{L+1}} C, \qquad J_t = \mathrm{diag}\big(f'(W_t h_t)\big)\, W_t .$$
#
# Each factor has two parts: the weights and the slopes of the activation.
# For a sigmoid $f' = \sigma(1-\sigma) \le \tfrac14$, so unless the weights are
# large, every layer shrinks the gradient by a roughly constant factor and
# $L$ layers shrink it by that factor to the power $L$. If the factors are
# above 1 the same product explodes. Nothing in between is stable *by
# default*: that is the whole problem.
#
# ## 2.2 Earlier layers learn slower (Nielsen, chapter 5)
#
# Michael Nielsen measured the "speed of learning" of each hidden layer as
# $\lVert\delta^l\rVert$, the norm of the bias gradient. We repeat it on the
# 8×8 digits: `64 → 30 → 30 → 30 → 30 → 30 → 10`, sigmoid, weights
# $\mathcal N(0, 1/n_{in})$, softmax cross-entropy, 500 training images.
#
# **How much slower, predicted.** Take the squared norm of the backprop step.
# With $W^{l+1}$ of shape $n_l\times n_{l+1}$ drawn independently of $\delta^{l+1}$,
# each entry of $\delta^{l+1}W^{l+1\top}$ has variance $\mathrm{Var}(W)\,\lVert\delta^{l+1}\rVert^2$;
# summing over the $n_l$ entries and multiplying by the slopes,
#
# $$\lVert\delta^l\rVert \approx s\;\mathrm{RMS}\big(f'(z^l)\big)\;\lVert\delta^{l+1}\rVert,
# \qquad s^2 = n_l\,\mathrm{Var}(W^{l+1}).$$
#
# With $\mathrm{Var}(W) = 1/n$, $s = 1$, and the pre-activations are small
# enough that $\sigma'(z) \approx \sigma'(0) = \tfrac14$: each layer back should be
# about 4× slower. The cell measures $\mathrm{RMS}(\sigma'(z^l))$ in the same net and
# prints the prediction beside the measurement.

# %%
r = ex.layer_speeds(depth=5, width=30, activation="sigmoid", init="scaled", scale=1.0)
s = r["init_speed"]
print("||delta^l|| at initialisation, layer 1 .. 5:", "  ".join(f"{v:.2e}" for v in s))
print("each layer vs the one below it:         ", "  ".join(f"{b / a:.2f}x" for a, b in zip(s[:-1], s[1:])))
print("predicted, 1 / (s RMS(sigma'(z^l))):     ", "  ".join(f"{1 / p:.2f}x" for p in r["predicted_ratio"]))
print("RMS(sigma'(z^l)), layer 1 .. 5 (max 0.25):", "  ".join(f"{v:.3f}" for v in r["slope_rms"]))
print(f"last hidden layer / first hidden layer: {s[-1] / s[0]:.0f}x")
runs = [ex.layer_speeds(depth=5, width=30, activation="sigmoid", init="scaled", scale=1.0, rng=k) for k in SEEDS]
med = [np.median(v["speed"][:, -1] / v["speed"][:, 0]) for v in runs]
print(f"median of that ratio over training, {len(med)} seeds (nets and batches): {pm(med)}x")
stuck = sum(any("stuck at chance" in c for c in v["checks"]) for v in runs)
print(f"after 300 steps: validation accuracy at chance (< 0.15) in {sum(v['val_acc'] < 0.15 for v in runs)} "
      f"of {len(runs)} seeds, loss "
      f"{pm([np.mean(v['loss'][-20:]) for v in runs])} (ln 10 = {np.log(10):.2f}); "
      f"fit flags 'stuck at chance' in {stuck} of {len(runs)} seeds")
nie = [ex.layer_speeds(depth=5, width=30, activation="sigmoid", init="normal", rng=k) for k in SEEDS]
grow = np.array([(v["init_speed"][-1] / v["init_speed"][0]) ** 0.25 for v in nie])
pred = np.array([np.exp(-np.mean(np.log(v["predicted_ratio"]))) for v in nie])
print(f"with N(0,1) weights (Nielsen's), {len(nie)} seeds: per layer {pm(grow)}x measured, {pm(pred)}x predicted "
      f"(s = {np.sqrt(30):.1f}, RMS(sigma') = {pm([v['slope_rms'].mean() for v in nie])})")
print(f"   and this net trains: validation accuracy {pm([v['val_acc'] for v in nie])} after 300 steps")
plot_layer_speeds(r)
plt.show()

# %% [markdown]
# **What to notice.** Every layer back learns about 4–5 times more slowly than
# the layer above it, as the derivation predicts (the slopes sit just below
# their maximum ¼, and $s=1$), and the gaps stay while training runs (right
# panel: the colours stay in order, more than two decades apart from first to
# last, and the median ratio is in the hundreds, above 100× in each of the five seeds: tested). Say it
# plainly: this net does not learn at all. After 300 steps its loss is still
# $\ln 10$, the loss of a classifier with no preference, and its accuracy is
# chance, in every seed (`fit` flags it in `history.checks`): the first layer
# barely moves, and the last one has nothing useful to pass on either.
#
# Nielsen's net, the one that does train, starts from $\mathcal N(0,1)$
# weights. There the ratio is much smaller: the weights give $s=\sqrt{30}$
# instead of 1, which more than offsets the slopes, although those are now far
# below ¼ because many units saturate; and the net learns (the last line).
# Here the prediction is short: it gives about 1.4× per layer while the
# measurement is larger on average and scatters from net to net. The
# derivation assumed that each unit's slope $\sigma'(z^l_j)$ is independent
# of the signal $\delta^{l+1}W^{l+1\top}$ it multiplies, and that all
# examples look alike. With $\mathcal N(0,1)$ weights $|z|$ is typically 3–4:
# most units are saturated for a given example, a few carry the gradient, and
# which ones depends on the same weights that carry $\delta$ back; the bias
# gradient is also a mean over 500 examples, whose terms cancel differently in
# each layer. The product "weights × slopes" is still the right mechanism,
# and the notes' remark that vanishing depends on both is right, but with
# saturated units its size is only a rough guide.
#
# ### Explorer: per-layer learning speed
#
# Change the depth (the first layer gets slower with every layer you add),
# the activation (ReLU with He initialisation removes the geometric decay)
# and the initialisation. Each change trains the net for 300 steps.

# %%
# NBVAL_IGNORE_OUTPUT
LayerSpeedExplorer()

# %% [markdown]
# ## 2.3 The forward signal: what the initialisation must preserve
#
# The same product governs the forward pass. With independent weights of
# variance $\mathrm{Var}(W)$, fan-in $n$ and $q_{l} = \mathbb E[(h^l)^2]$,
#
# $$\mathrm{Var}(z^l) = n\,\mathrm{Var}(W)\, q_{l-1}.$$
#
# * A linear unit (and tanh near 0) passes it on: the RMS changes by
#   $\sqrt{n\mathrm{Var}(W)}$ per layer. With $0.02\cdot\mathcal N(0,1)$ and
#   $n=128$ that is $0.02\sqrt{128}$ per layer: the signal collapses.
# * A ReLU keeps half of the second moment: $q_l = \tfrac{n\mathrm{Var}(W)}{2}\, q_{l-1}$.
#   **He** ($\mathrm{Var}(W)=2/n$) gives factor 1; **Xavier/Glorot**
#   ($2/(n_{in}+n_{out})$, i.e. $1/n$ for equal widths) gives $1/\sqrt2$ per layer.
# * With $\mathcal N(0,1)$ weights $\mathrm{Var}(z)$ is about $n$ times the
#   input's: tanh and sigmoid units sit in their flat tails (*saturated*).
#
# 30 random layers of width 128, 128 Gaussian inputs:

# %%
cases = {"ReLU, He": ("relu", "he"), "ReLU, Xavier": ("relu", "xavier"), "tanh, 0.02·N(0,1)": ("tanh", "small"),
         "tanh, Xavier": ("tanh", "xavier"), "tanh, N(0,1)": ("tanh", "normal"), "sigmoid, N(0,1)": ("sigmoid", "normal")}
sig = {k: ex.forward_signal(a, i, depth=30) for k, (a, i) in cases.items()}
print(f"{'':18s} {'factor: theory':>15s} {'measured':>9s} {'RMS layer 1':>12s} {'RMS layer 30':>13s} "
      f"{'mean field':>11s} {'saturated':>10s}")
for k, v in sig.items():
    th = f"{v['theory_factor']:.4f}" if np.isfinite(v["theory_factor"]) else "-"
    print(f"{k:18s} {th:>15s} {v['measured_factor']:9.4f} {v['rms'][0]:12.2e} {v['rms'][-1]:13.2e} "
          f"{v['theory_rms'][-1]:11.2e} {v['saturated'].mean():10.1%}")
t = sig["tanh, Xavier"]["rms"]
print("tanh, Xavier: RMS at layer 5, 10, 30:", "  ".join(f"{t[l - 1]:.3f}" for l in (5, 10, 30)),
      "  power law 1/sqrt(2l):", "  ".join(f"{1 / np.sqrt(2 * l):.3f}" for l in (5, 10, 30)))
plot_signal({k: sig[k] for k in ("ReLU, He", "ReLU, Xavier", "tanh, 0.02·N(0,1)", "tanh, N(0,1)")})
plt.show()

# %% [markdown]
# **What to notice.** The measured per-layer factor (the geometric mean of
# $\mathrm{RMS}_l/\mathrm{RMS}_{l-1}$) sits next to the prediction: 1 for He,
# $1/\sqrt2$ for Xavier with ReLU (after 30 layers the signal is
# $2^{-15}$ of its start), $0.02\sqrt{128}$ for the tiny initialisation. The
# heat maps (layer upwards, activation value across, colour = density) show
# the three failure shapes: a spike at 0 that narrows layer after layer
# (collapse), mass piled at $\pm1$ (saturation), and a stable spread (He).
#
# **Beyond the linear law.** For a wide layer $z^l$ is Gaussian, so the second
# moment follows the *mean-field* recursion
# $q_l = \mathbb E\big[f\big(\sqrt{n\mathrm{Var}(W)\,q_{l-1}}\,\xi\big)^2\big]$, $\xi\sim\mathcal N(0,1)$
# (`ex.mean_field_rms`: the "mean field" column, thin dotted lines in the figure; no data line is dotted). It
# covers the cases without a simple factor. tanh with Xavier
# ($n\mathrm{Var}(W)=1$) is the interesting one: $\tanh^2 z \approx z^2 - \tfrac23 z^4$ and
# $\mathbb E[z^4] = 3q^2$ give $q_l \approx q_{l-1} - 2q_{l-1}^2$, i.e.
# $1/q_l \approx 1/q_{l-1} + 2$: the signal decays as a **power law**,
# $\mathrm{RMS}_l \approx 1/\sqrt{2l}$, not geometrically (last printed line; the
# "measured factor", a geometric mean, means little for that row).
#
# > **Errata: "a sigmoid with N(0,1) weights makes the variance grow layer
# > after layer because it is not zero-centred."** Measured above: the RMS of a
# > sigmoid net with $\mathcal N(0,1)$ weights does not grow (its per-layer
# > factor is the one printed in the table, and the mean-field recursion, which
# > knows nothing of "zero-centred", predicts the same plateau). What happens is
# > that the pre-activations have a standard deviation of about
# > $\sqrt{n\cdot\mathbb E[h^2]}$ (about 11 for the Gaussian input of layer 1,
# > $n=128$), so most units are saturated from layer 1 on. The outputs of a
# > sigmoid are bounded by 1; their variance cannot grow without limit.
# > Saturation, not growth, is what kills the gradient.
#
# ### Explorer: the forward signal per initialisation
#
# The heat map shows each layer's distribution of outputs, the right panel
# its RMS with the mean-field prediction (dotted, as in the figure above), and the text box the
# measured per-layer factor beside the simple linear law where it applies. With the *scale/√n* initialisation, move the scale through 1 for
# tanh, or through $\sqrt2$ for ReLU.

# %%
# NBVAL_IGNORE_OUTPUT
SignalExplorer()

# %% [markdown]
# ### Why the weights must be random, and where Xavier's $2/(n_{in}+n_{out})$ comes from
#
# If every weight starts at 0, or at the same constant, then all units of a
# layer compute the same function: each sees the same inputs through equal
# weights and sends its output out through equal weights, so each gets the
# same gradient, and SGD keeps them equal for ever. A layer of 32 units then
# works as one unit (d2l calls this the symmetry to be broken). With all-zero
# weights and tanh it is worse: every hidden output is $\tanh 0 = 0$, so no
# weight below the output biases gets a gradient at all. The cell trains a
# `64 → 32 → 32 → 10` tanh net from each start (300 steps, $\eta = 0.1$,
# 5 seeds) and counts the different units per hidden layer
# (`init_symmetry.symmetry_breaking`).

# %%
for init in ("zero", "constant", "xavier"):
    v = over_seeds(sy.symmetry_breaking, SEEDS, init=init, activation="tanh")
    print(f"{init:9s} different units per hidden layer: {' / '.join(f'{m:.0f}' for m in v['distinct'].mean(0))}"
          f"   rank of the hidden outputs: {' / '.join(f'{m:.0f}' for m in v['hidden_rank'].mean(0))}"
          f"   val. accuracy " + (pm(v["val_acc"]) if init == "xavier" else
                                  f"at chance (< 0.15) in {np.sum(v['val_acc'] < 0.15)} of {len(v['seeds'])} seeds"))

# %% [markdown]
# Zero and constant starts end with at most one unit per layer and chance
# accuracy in every seed; random Xavier weights give 32 different units and a
# net that learns. (Randomness breaks the symmetry; the *scale* of the random
# weights is what the rest of this chapter is about.)
#
# **Xavier's compromise.** Take one linear layer $z = xW$ with $n_{in}$ inputs,
# $n_{out}$ outputs, independent zero-mean entries. Forward, each $z_j$ is a
# sum of $n_{in}$ terms: $\mathrm{Var}(z_j) = n_{in}\mathrm{Var}(W)\,\mathrm{Var}(x)$.
# Backward, $\partial C/\partial x_i = \sum_j W_{ij}\,\partial C/\partial z_j$ is a sum
# of $n_{out}$ terms: $\mathrm{Var}(\partial C/\partial x_i) = n_{out}\mathrm{Var}(W)\,\mathrm{Var}(\partial C/\partial z)$.
# Keeping the signal steady forward needs $\mathrm{Var}(W) = 1/n_{in}$; keeping
# the gradient steady backward needs $1/n_{out}$. Both hold only when
# $n_{in} = n_{out}$; Glorot and Bengio (2010) take the compromise
#
# $$\mathrm{Var}(W) = \frac{2}{n_{in} + n_{out}},$$
#
# the variance whose inverse is the mean of the two fan-ins,
# $\tfrac12(n_{in} + n_{out})$. Its gains are $2n_{in}/(n_{in}+n_{out})$ forward and
# $2n_{out}/(n_{in}+n_{out})$ backward: neither is 1 when the widths differ,
# but neither is as far off as with either pure choice. Measured on a
# $256 \to 64$ layer (`init_symmetry.xavier_gains`):

# %%
print("Var(W)                 forward gain (pred.)   backward gain (pred.)")
for var, label in (("fan_in", "1/n_in"), ("fan_out", "1/n_out"), ("xavier", "2/(n_in + n_out)")):
    g = sy.xavier_gains(256, 64, var)
    print(f"{label:18s} {g['forward']:10.2f} ({g['forward_pred']:.2f}) {g['backward']:14.2f} ({g['backward_pred']:.2f})")

# %% [markdown]
# ## 2.4 Products of Jacobians and the effective rank
#
# The notes describe a "degeneration of the weight-matrix product": as more
# matrices are multiplied, the product becomes more and more degenerate, and
# faster in nets with hard-saturating units such as ReLU. We can make this
# precise. Take the input-output Jacobian $P_L = J_L\cdots J_1$ of a random
# net with $W_t \sim \mathcal N(0, s^2/n)$ and look at its singular values
# $\sigma_1 \ge \dots \ge \sigma_n$: its norm $\sigma_1$ says whether the
# gradient vanishes or explodes; their *spread* says how many directions of
# the input the gradient can still tell apart.
#
# **Effective rank** (Roy & Vetterli, 2007): with $p_i = \sigma_i/\sum_j\sigma_j$,
#
# $$\operatorname{erank}(P) = \exp\Big(-\sum_i p_i \log p_i\Big),$$
#
# the exponential of the entropy of the normalised spectrum. It is $n$ when all
# singular values are equal and 1 when one direction carries everything.
#
# Width 64, each activation at the weight scale that keeps the norm roughly
# constant (tanh: $s=1$; ReLU: $s=\sqrt2$, He; sigmoid: $s=4$, which makes
# $s\,\sigma'(0) = 1$), mean over 3 random nets:

# %%
er = {"tanh, s=1": ex.mean_effective_rank("tanh", 1.0), "ReLU, s=√2": ex.mean_effective_rank("relu", np.sqrt(2)),
      "sigmoid, s=4": ex.mean_effective_rank("sigmoid", 4.0)}
print(f"{'effective rank at depth':24s}" + "".join(f"{d:>8d}" for d in (1, 10, 30, 50)))
for k, v in er.items():
    print(f"{k:24s}" + "".join(f"{v[d - 1]:8.2f}" for d in (1, 10, 30, 50)))
for s in (0.5, 1.0, 2.0):
    print(f"tanh, s={s}: log10 ||P_50|| = {ex.jacobian_product('tanh', depth=50, width=64, scale=s)['log10_norm'][-1]:+.1f}")
plot_jacobian({"tanh, s=1": ex.jacobian_product("tanh", depth=50, width=64, scale=1.0),
               "ReLU, s=√2": ex.jacobian_product("relu", depth=50, width=64, scale=np.sqrt(2)),
               "tanh, s=0.5": ex.jacobian_product("tanh", depth=50, width=64, scale=0.5)}, at=30)
plt.show()

# %% [markdown]
# **What to notice.** Even when the norm is kept near 1, the spectrum spreads
# with depth (right panel: singular values at depth 30) and the effective rank
# falls: the gradient reaching the first layers lives in fewer and fewer
# directions. A ReLU Jacobian zeroes about half of its rows at every layer,
# so its effective rank collapses faster than tanh's. The scale alone moves
# the norm from vanishing ($s=0.5$) through roughly constant ($s=1$) to
# exploding ($s=2$): that is the knob initialisation turns.
#
# ### Explorer: weight scale, activation and depth
#
# For tanh, move the weight scale from 0.5 to 2: the norm line (left) tilts
# from falling to rising and crosses the flat line near $s = 1$. Switch to ReLU
# at $s \approx 1.41$ (He): the norm stays flat, but the effective rank (middle)
# falls faster than tanh's and the spectrum (right) drops to exact zeros.

# %%
# NBVAL_IGNORE_OUTPUT
JacobianExplorer()

# %% [markdown]
# ## 2.5 Exploding to NaN, and gradient clipping
#
# If the per-layer factors are above 1, the gradient explodes; one step of
# SGD with it throws the weights far away, the next forward pass overflows,
# and the loss becomes `inf`, then `nan`. `fit` checks every step and stops
# with the step and the layer where the first non-finite number appeared.
#
# **Clipping** caps the step without touching the model:
#
# * by value: $g_i \leftarrow \min(\max(g_i, -c), c)$ for every entry (cheap, changes the direction);
# * by global norm (Pascanu et al. 2013): $g \leftarrow g\cdot\min\big(1, c/\lVert g\rVert\big)$ with
#   $\lVert g\rVert$ over *all* parameters together (keeps the direction; the step is at most $\eta c$).
#
# `dlcore.clipping` has both, and `GradientClipper` is the callback that
# applies one between backward and the optimiser step. Below: an 8-layer
# ReLU net on the digits, weights $\mathcal N(0, s^2/n)$ with $s=2.25$ (too
# large: each layer multiplies the signal by about $s/\sqrt2$), SGD with
# $\eta=0.1$, 200 steps. Each setting runs on the same 10 seeds (a seed fixes
# the initial weights and the mini-batches), so the four rows share their
# starting points; the figure shows seed 0.

# %%
CLIP = {"no clipping": ("none", 1.0), "clip by norm, c=1": ("norm", 1.0),
        "clip by value, c=0.1": ("value", 0.1), "clip by norm, c=100": ("norm", 100.0)}
over = {k: exs.clipping_over_seeds(c, th, lr=0.1, init_scale=2.25, seeds=SEEDS10) for k, (c, th) in CLIP.items()}
g0 = over["no clipping"]["first_grad_norm"]
print(f"first gradient norm ||g||: {g0.min():.1e} to {g0.max():.1e} over the seeds (the same in every row)")
print(f"{'':22s} {'diverged':26s} {'val. accuracy':15s} fraction of steps clipped")
for k, v in over.items():
    n, nd = len(v["diverged"]), int(v["diverged"].sum())
    steps = v["diverged_at"][v["diverged"]]
    div = f"{nd} of {n}" + ("" if not nd else f", at step {steps.min()}" if steps.min() == steps.max() else
                            f", at steps {steps.min()} to {steps.max()}")
    acc = f"{np.nanmean(v['val_acc']):.2f} ± {np.nanstd(v['val_acc']):.2f}" if nd < n else "-"
    frac = f"{v['clipped_fraction'].mean():.2f}" if CLIP[k][0] != "none" else "-"
    print(f"{k:22s} {div:26s} {acc:15s} {frac}")
runs = {k: exs.explode_and_clip(c, th, lr=0.1, init_scale=2.25, rng=0) for k, (c, th) in CLIP.items()}
print("seed 0 without clipping:", runs["no clipping"]["divergence"]["message"].split(".")[0])
plot_clipping(runs)
plt.show()

# %% [markdown]
# **What to notice.** For a given seed all four runs start from the same
# weights and see the same mini-batches, so their first gradient norm is the
# same. The right panel is the norm the optimiser actually used: at most $c$ for
# clipping by norm, smaller but not capped at $c$ for clipping by value (each
# entry is). Without clipping the norm grows by orders of magnitude within a
# few steps, every seed diverges, and the detector names the step and the
# layer. Both kinds of clipping keep the *same* runs finite, and they then
# learn. Even a loose threshold, above the first gradient's norm, keeps every
# run finite: it only acts on the few steps where the norm spikes (a few
# percent of them), though those runs learn less in the same budget, and how
# much less varies a lot from seed to seed (the spread). Clipping treats the
# symptom of explosion (a huge step); it does nothing for a vanishing
# gradient, which section 2.8 shows.
#
# ### Explorer: threshold, learning rate, initial scale
#
# Without clipping the run diverges (the text box names the step and the
# layer). Choose clipping by global norm: the run is stable, and the right
# panel shows the norm before (blue) and after (orange) clipping. Loosen the
# threshold to 100 and it only acts on the first spikes. Set the initial scale
# to 1 with no clipping: a sane initialisation needs none. Raise the learning
# rate to 1 there: the run stays finite but stops learning (chance accuracy, in
# each of the 5 seeds); at an initial scale of 1.5 the same learning rate
# diverges again.

# %%
# NBVAL_IGNORE_OUTPUT
ClippingExplorer()

# %% [markdown]
# ## 2.6 Residual connections
#
# A residual block computes $y = x + F(x)$, so its Jacobian is
#
# $$\frac{\partial y}{\partial x} = I + \frac{\partial F}{\partial x},$$
#
# and the backward pass is `dx = dy + F.backward(dy)`. However small
# $\partial F/\partial x$ becomes, the identity carries the gradient down
# unchanged. `dlcore.residual.Residual` wraps any block whose output has the
# shape of its input. We compare a 20-hidden-layer sigmoid net, Xavier
# initialisation, with and without the skips, from *identical* weights
# (`residual_mlp` draws exactly the weights `mlp` draws), 200 SGD steps at
# $\eta = 0.3$, over 5 seeds (the figure shows seed 0).

# %%
RES_SIG = dict(depth=20, activation="sigmoid", init="xavier", steps=200, lr=0.3)
rs = exs.residual_over_seeds(**RES_SIG)
for k in ("plain", "residual"):
    v = rs[k]
    print(f"{k:9s} first-layer ||dL/dW|| at init {v['first_grad'].min():.0e} to {v['first_grad'].max():.0e}"
          f"   largest / smallest layer {v['grad_spread'].min():.0e} to {v['grad_spread'].max():.0e}"
          f"   val. accuracy after 200 steps {v['final_acc'].mean():.2f} ± {v['final_acc'].std():.2f}")
plot_residual(rs["runs"][0])
plt.show()

# %% [markdown]
# **What to notice.** In the plain net the layers' gradients span about
# twelve orders of magnitude (the printed largest/smallest ratio): the first
# layers do not learn at all, and the net stays at chance accuracy (0.1) for
# 200 steps, in every seed. With skips the spread is under two orders of
# magnitude (only the output layer stands out), and the same weights learn.
#
# **Residual blocks need small branches.** With ReLU and He initialisation,
# $F(x)$ has the second moment of $x$, and both are non-negative after a ReLU,
# so $\mathbb E[(x + F(x))^2] = \mathbb E[x^2] + \mathbb E[F^2] + 2\,\mathbb E[xF] > 2\,\mathbb E[x^2]$:
# the signal grows by more than $\sqrt2$ per block, and 19 blocks blow it up by
# over $2^{9.5}\approx 700$. Real ResNets scale their branches down (a small or zero
# last-layer initialisation, normalisation). `residual_mlp(..., branch_scale=)`
# multiplies the branch weights at initialisation (5 seeds, $\eta = 0.1$):

# %%
RES_RELU = dict(depth=20, activation="relu", init="he", steps=200, eval_every=200)   # scored at the end only
for bs in (1.0, 0.1):
    v = exs.residual_over_seeds(**RES_RELU, lr=0.1, branch_scale=bs, kinds=("residual",))["residual"]
    div = v["diverged_at"] >= 0
    end = (f"NaN in {div.sum()} of {len(div)} seeds, by step {v['diverged_at'].max()}" if div.any() else
           f"val. accuracy {v['final_acc'].mean():.2f} ± {v['final_acc'].std():.2f}")
    print(f"ReLU + He, branch scale {bs:3.1f}: RMS of block 20 / layer 1 = {v['rms_growth'].min():.1e} to "
          f"{v['rms_growth'].max():.1e}   residual: {end}")

# %% [markdown]
# Unscaled, the residual ReLU net's signal grows by four orders of magnitude
# and the first few SGD steps throw it to NaN, in every seed; with branches at a
# tenth of He's scale it trains to about 90%. What about the *plain* 20-layer
# ReLU net with the same weights? It has no vanishing gradient at the start
# (its first layer's gradient is of order 0.1 to 1, where the sigmoid net's was
# $10^{-13}$). Below it is compared with the
# residual net and with a plain net of only 2 hidden layers, at two learning
# rates (a setting that is good for one net may be bad for another); 10 seeds
# for the plain 20-layer net, whose runs scatter widely, 5 for the other two:

# %%
LRS = (0.1, 0.03)
plain = {d: {lr: exs.residual_over_seeds(**{**RES_RELU, "depth": d}, lr=lr, branch_scale=0.1, kinds=("plain",),
                                        seeds=SEEDS10 if d == 20 else SEEDS)["plain"] for lr in LRS} for d in (2, 20)}
res = {lr: exs.residual_over_seeds(**RES_RELU, lr=lr, branch_scale=0.1, kinds=("residual",))["residual"] for lr in LRS}
g = plain[20][0.1]["first_grad"]
print(f"plain, 20 hidden layers: first-layer ||dL/dW|| at init {g.min():.1f} to {g.max():.1f} (no vanishing)")
print(f"{'val. accuracy after 200 steps':32s}" + "".join(f"{'lr = ' + str(lr):>16s}" for lr in LRS))
rows = {"plain, 2 hidden layers": plain[2], "plain, 20 hidden layers": plain[20], "residual, 20 hidden layers": res}
for name, by_lr in rows.items():
    print(f"{name:32s}" + "".join(f"{by_lr[lr]['final_acc'].mean():>9.2f} ± {by_lr[lr]['final_acc'].std():.2f}"
                                  for lr in LRS))

# %% [markdown]
# **What to notice.** At both learning rates the plain 20-layer net is far
# behind both the residual net with the same weights and the shallow plain
# net; its best (at $\eta = 0.03$) is well below what the 2-layer net reaches
# at $\eta = 0.1$ (at $\eta = 0.01$ it does no better, about 0.3: tested), and
# its training loss stays high too (tested), so this is a
# failure to *optimise*, not overfitting. Depth hurts optimisation in ways other
# than a vanishing gradient, and the identity path of a residual net helps
# there as well (He et al. 2016 called it the *degradation* problem: deeper
# plain nets reach a higher training error). In the explorer, choose ReLU and He
# and move the branch scale.

# %%
# NBVAL_IGNORE_OUTPUT
ResidualExplorer()

# %% [markdown]
# ## 2.7 The shape of a net: depth vs width, funnel vs constant
#
# The notes give two rules of thumb: "a funnel (fewer neurons in each layer)
# is best practice" and "you gain more by adding layers than by adding
# neurons". We test both at an equal budget of about 6000 parameters on the
# digits, ReLU + He, 400 SGD steps at $\eta = 0.03$, 5 seeds per shape. (At
# $\eta = 0.1$ the 8-layer net is on the edge of stability: its loss spikes, and
# whether a run derails depends on the seed and even on the rounding of the
# CPU's matrix products. $\eta = 0.03$ keeps every shape off that edge.)

# %%
shp = exs.shape_comparison()
for name, sizes, p, m, sd in zip(shp["shapes"], shp["sizes"], shp["n_params"], shp["mean"], shp["std"]):
    print(f"{name:18s} {sizes!s:40s} {p:5d} parameters   val. accuracy {m:.3f} ± {sd:.3f}")
plot_shapes(shp)
plt.show()

# %% [markdown]
# **What to notice.** Here, at this budget, the shallow nets are at least as
# good as the deep ones (the 8-layer net is the worst shape), and the funnel
# does not beat the constant width.
#
# > **Errata, or rather: a rule of thumb is not a law.** Depth pays when the
# > function has structure that composes (images at scale, language) *and*
# > the net is trainable at that depth (the remedies of this chapter). On a
# > small problem with a fixed step budget, a deep narrow net pays for its
# > depth in optimisation (this chapter's whole subject) and gains little.
# > The funnel rule is a habit, not a result; measure on your problem.
#
# ## 2.8 The remedies in one table
#
# One baseline, an 8-hidden-layer sigmoid net of width 32 with weights
# $\mathcal N(0, 1/n_{in})$, fixed by one change at a time; 300 SGD steps at
# $\eta = 0.1$, mean ± standard deviation over 5 seeds. The one exception is
# ReLU + He, at $\eta = 0.05$: at 0.1 this deep ReLU net's loss spikes and some
# runs derail (which ones depends on the seed and even on the CPU's rounding).
# The last column is the first layer's gradient norm at initialisation.

# %%
rem = exs.remedies_table()
for name, m, sd, g in zip(rem["remedies"], rem["mean"], rem["std"], rem["first_grad"]):
    print(f"{name:30s} val. accuracy {m:.2f} ± {sd:.2f}   first-layer ||dL/dW|| {g:.1e}")
bnr = remedies_bn_row()   # chapter 07: BN before every sigmoid, the same protocol and seeds
print(f"{'batch norm (chapter 07)':30s} val. accuracy {bnr['mean']:.2f} ± {bnr['std']:.2f}   first-layer ||dL/dW|| {bnr['first_grad']:.1e}")
plot_shapes(rem, key="remedies")
plt.show()

# %% [markdown]
# **What to notice.**
#
# * **Initialisation** changes the factors of the product. For a sigmoid,
#   Xavier's variance is exactly $1/n$ between equal hidden widths and does not
#   help at all (see the errata below); larger
#   weights ($\mathcal N(0,1)$) help *this* net because they offset the ¼ of
#   $\sigma'$, at the price of saturation. Initialisation works best together
#   with an activation whose slope is 1 near 0.
# * **tanh + Xavier** and **ReLU + He** are the largest gains. This is also the
#   answer to question 2.9: $\tanh'(0) = 1$ while $\sigma'(0) = \tfrac14$, and tanh is
#   zero-centred, so its per-layer factor starts near 1 instead of near ¼.
# * **Clipping** leaves a vanishing gradient exactly as it was (same accuracy as
#   the baseline): it only caps large gradients.
# * **Residual connections** give the gradient an identity path; the first
#   layer's gradient goes up by orders of magnitude.
# * **Weight penalties** (L1/L2, max-norm) keep weights from growing, which
#   guards against *explosion* during training; like clipping, they do not
#   cure vanishing: the L2 row (gradient $+\lambda W$ at every step) stays at the
#   baseline. Chapter 08 measures what penalties are good for.
# * **Batch normalisation** (built in chapter 07, its last row) re-centres and
#   re-scales every layer's pre-activations, which keeps sigmoid units out of
#   saturation: the same sigmoid net and initialisation, with BN before every
#   sigmoid, is the best row of the table (with tanh + Xavier), and its first
#   layer's gradient at initialisation is about five orders of magnitude above
#   the baseline's (the accuracy is the evidence: with BN the first layer's
#   gradient also carries BN's $1/\sigma$ of that layer's pre-activation, so
#   across parametrisations it is not a pure measure of vanishing).
#
# > **Errata: "Xavier initialisation solves the sigmoid's vanishing gradient."**
# > The table says otherwise: "init: Xavier" ends at the baseline's chance
# > accuracy, with a first-layer gradient of the same order. Glorot and Bengio
# > derived their variance for a unit with slope 1 at 0 (tanh, linear):
# > $n\,\mathrm{Var}(W)\,f'(0)^2 = 1$. A sigmoid has $f'(0)=\tfrac14$, so the same
# > argument asks for 16× the variance ($s=4$, as in section 2.4), and its
# > outputs are not zero-centred either. Xavier is the right scale for tanh,
# > which is why "tanh + Xavier" works.
#
# ### Layer-wise pretraining and LSTM gating (prose)
#
# Before ReLU and good initialisations, Hinton and colleagues (2006) trained
# deep nets **greedily, one layer at a time**: train layer 1 unsupervised (as
# an RBM or an autoencoder that reconstructs its input), freeze it, train
# layer 2 on layer 1's codes, and so on; then fine-tune the whole stack with
# backprop. Each layer starts its supervised life at weights that already
# carry information about the input, instead of random weights whose
# gradient has vanished. The remedies above made this unnecessary for
# feed-forward nets.
#
# ```
#   x ──► [W1] ──► h1 ──► [W1ᵀ] ──► x̂      step 1: train W1 so that x̂ ≈ x
#         h1 ──► [W2] ──► h2 ──► [W2ᵀ] ──► ĥ1   step 2: train W2 on the codes h1
#   x ──► W1 ──► W2 ──► … ──► softmax        step 3: fine-tune everything with labels
# ```
#
# **LSTM gating** solves the same problem through time in a recurrent net.
# The cell state is updated additively, $c_t = f_t \odot c_{t-1} + i_t\odot \tilde c_t$,
# so along this direct path $\partial c_t/\partial c_{t-1} = \mathrm{diag}(f_t)$: when the forget gate
# $f_t$ is near 1, the gradient passes through many time steps almost
# unchanged, exactly like the identity path of a residual block (which is,
# in a sense, an LSTM with its gates stuck open).
#
# ## Exercises
#
# **E2.1 Predict the decay factor.** A ReLU net has all widths 128 and
# weights $\mathcal N(0, 1/128)$ (Xavier for equal widths). By what factor does
# the RMS of the signal change per layer? Give a number.

# %%
my_factor = None   # your prediction
ch02.check_decay_factor(my_factor)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# $\mathrm{Var}(z) = n\,\mathrm{Var}(W)\,\mathbb E[h^2] = \mathbb E[h^2]$, and a ReLU keeps
# half of $\mathbb E[z^2]$ (the positive half of a symmetric distribution), so
# $\mathbb E[h_{l}^2] = \tfrac12 \mathbb E[h_{l-1}^2]$ and the RMS changes by
# $\sqrt{1/2} \approx 0.7071$ per layer: `my_factor = np.sqrt(0.5)`. Compare the
# "ReLU, Xavier" row of the table in 2.3.
# </details>
#
# **E2.2 Clip by global norm.** Write `clip_grads(grads, max_norm)` that takes
# a list of gradient arrays and returns new arrays, rescaled together so that
# their global norm is at most `max_norm`, without modifying its input.

# %%
def clip_grads(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]   # not yet: this clips by value


ch02.check_clip_by_norm(clip_grads)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# ```python
# def clip_grads(grads, max_norm):
#     norm = np.sqrt(sum(np.sum(g * g) for g in grads))
#     factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
#     return [g * factor for g in grads]
# ```
# One norm over all arrays, one factor for all: the direction of the full
# gradient is kept. `dlcore.clipping.clip_by_global_norm` does the same in
# place on a model.
# </details>
#
# **E2.3 Keep a 30-layer tanh net alive.** Weights $\mathcal N(0, s^2/n)$, width
# 128. Choose $s$ so that the last layer's RMS is at least 0.1, at most 5% of
# units are saturated on average, and the 30-layer input-output Jacobian has a
# norm within a factor 10 of 1. Use the signal and Jacobian explorers above.

# %%
my_scale = None   # your s
ch02.check_tanh_scale(my_scale)

# %% [markdown]
# <details><summary>Show the answer</summary>
#
# Near 0, tanh is the identity, so each layer multiplies the RMS by about $s$:
# below 1 the signal dies geometrically ($0.9^{30} \approx 0.04$). Above 1 the
# signal grows until the curvature of tanh limits it, but the Jacobian's norm
# grows too: at $s = 1.3$ it is already above 10 after 30 layers while under
# 1% of the units saturate, so the gradient condition is the one that binds.
# The window is narrow, about $1 \le s \le 1.25$; $s = 1.1$ works. This "edge of chaos" is why the
# initialisation scale matters so much for deep tanh nets.
# </details>
#
# ## Summary
#
# * The gradient at layer 1 is a product of per-layer factors
#   $\mathrm{diag}(f')W$; depth turns any factor away from 1 into vanishing or
#   explosion, and the product's spectrum degenerates even when its norm is kept.
# * Per layer, $\lVert\delta^l\rVert \approx s\,\mathrm{RMS}(f'(z^l))\,\lVert\delta^{l+1}\rVert$: for a sigmoid
#   at $\mathrm{Var}(W)=1/n$ that is about ¼, measured 4–5× per layer.
# * Forward, the mean-field recursion predicts each layer's RMS: geometric for
#   ReLU ($\sqrt{n\mathrm{Var}(W)/2}$ per layer) and for small tanh weights, a slow
#   power law for tanh at $n\mathrm{Var}(W)=1$, a plateau in saturation for $\mathcal N(0,1)$.
# * Initialisation sets the factors at the start (He for ReLU, Xavier for
#   tanh, *not* for sigmoid); ReLU/tanh instead of sigmoid removes the ¼;
#   clipping caps explosions and does nothing for vanishing; residual
#   connections add an identity path (with branches scaled down); batch norm
#   (chapter 07) re-normalises every layer.
