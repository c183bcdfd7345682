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
# # Why are deep networks hard to train?
#
# *An interactive textbook that answers one question from every angle, and
# what each standard remedy really does.*
#
# Deep networks fail to train in a handful of recognisable ways: gradients that
# vanish or explode on their way down, units that saturate or die, costs that
# stall, steps that are too large or too noisy, statistics that drift. The
# popular interview notes answer each of these with a sentence. This book
# answers each with **a derivation, a test and an experiment you can move**,
# and it checks the notes' claims along the way (several of their formulas are
# wrong; every chapter has an *errata* box that shows the mistake by
# experiment).
#
# ## How to use this book
#
# **Two commands** do everything, on any machine with Python 3.10+:
#
# ```bash
# python3 tasks.py lab    # install what is needed into .venv, open this book
# python3 tasks.py test   # run every test, and re-run every notebook, comparing its outputs
# ```
#
# **Read first, run later.** Every notebook is stored with its outputs, so
# every figure and number is there before you run anything. Run a notebook
# (*Run → Run All Cells*) to bring its explorers to life.
#
# **Explorers.** Cells that start with `# NBVAL_IGNORE_OUTPUT` show a live
# explorer: sliders and menus above a figure. Cheap explorers follow the
# slider as you drag it; explorers that train a network update when you
# release it, with a progress bar when it takes more than a second. An error
# appears in red inside the explorer and the next move works again. A setting
# the explorer cannot draw as asked (a Leaky ReLU slope of 3: it must stay
# below 1) is moved to the nearest one it can, and a note under the figure
# says so. Every explorer can be driven from code, and its settings saved and
# shared; a value outside a slider's range, an unknown name or a damaged
# saved state is refused with a message that says what is allowed:
#
# ```python
# e = GradCheckExplorer()
# e.set(dtype="float32", h=1e-2)     # move the controls from code
# s = e.to_json()                    # share this string...
# GradCheckExplorer().from_json(s)   # ...and anyone gets the same picture
# e.set(h=0)   # SettingError: control 'h' (step h): got 0, expected a number in [1e-12, 0.1]
# ```
#
# **Exercises.** Each chapter ends with at least three. You write the answer
# in a cell; a `check_*` call says whether it is right and, if not, *what*
# is wrong ("your sigmoid derivative is off by 0.96 at x=4"). A worked answer
# is folded under **Show the answer**.
#
# **Everything is computed.** Every number the text quotes is printed by a
# cell above it; the test suite re-runs every notebook and fails if a number
# changes. The experiments are functions in the library `dlcore` (NumPy
# only), each with tests that assert the effect the chapter claims.
#
# **Book defaults.** The first code cell of every chapter calls `setup()` from
# `widgets.notebook`. It changes exactly what it prints here (for the running
# kernel only), and nothing else. It does *not* hide small numbers: a gradient
# of `1e-09` prints as `1e-09`, not as `0.`.

# %%
import numpy as np

from widgets.notebook import setup

setup(show=True)            # the chapters call setup() (some with another precision)
print(np.array([1e-9, 2e-9]), np.array([0.5, 0.25]))

# %% [markdown]
# ## The library in five lines

# %%
from dlcore import digits, fit, mlp

data = digits()                                   # the 8x8 digits that ship with scikit-learn: no download
net = mlp([64, 32, 10], activation="relu", init="he", rng=0, dtype="float32")
hist = fit(net, data.X_train, data.y_train, lr=0.1, epochs=10, batch_size=32, rng=0, val=(data.X_val, data.y_val))
print(data)
print(f"validation accuracy after 10 epochs: {hist.evals[-1]['val_acc']:.3f}  ({hist.steps} SGD steps)")

# %% [markdown]
# ## Chapter map
#
# | chapter | question | remedies and tools |
# |---|---|---|
# | [01 Backprop by hand](01_backprop.ipynb) | How is a gradient computed, and how do we know it is right? | chain rule on a 2-2-2 net; finite-difference gradient checking |
# | [02 Vanishing and exploding gradients](02_vanishing_exploding.ipynb) | Why does a deeper net train worse? | initialisation, ReLU, clipping, residual connections, pretraining |
# | [03 Activation functions](03_activations.ipynb) | Why a nonlinearity, and which one? | sigmoid … GELU, Mish, softmax; dead ReLUs; zero-centred outputs |
# | [04 Cross-entropy and softmax](04_cross_entropy.ipynb) | Why does learning stall with the quadratic cost? | cross-entropy, log-sum-exp |
# | [05 Optimisers, schedules and input normalisation](05_optimisers.ipynb) | Why does plain SGD crawl or zig-zag? | momentum, Adam & co., schedules, input normalisation |
# | [06 Batch size, measured](06_batch_size.ipynb) | How large should a batch be, and what does it change? | gradient noise, noise scale, steps and epochs to a target |
# | [07 Normalisation layers](07_normalisation.ipynb) | What do BN, LN, GN, WN and LRN do, and when does each fail? | batch statistics, train vs eval, BN's backward, batch size, weight norm, LRN |
# | [08 Dropout and regularisation](08_regularisation.ipynb) | Why does a net over-fit, and what does each remedy really do? | bias and variance, L1/L2 (and AdamW), max-norm, early stopping, augmentation, dropout: rate, ensemble, noisy cost |
# | [09 Internal covariate shift, measured](09_covariate_shift.ipynb) | Does BN work because it removes internal covariate shift? | layer-input drift (W1), gradient shift, noisy BN, loss and gradient along the gradient |
# | [10 Hyper-parameters, search and a practical recipe](10_hyperparameters.ipynb) | How to choose settings on a budget without fooling oneself? | grid, random and model-based (TPE) search; train/val/test; initial-loss, over-fit and LR range checks; conv arithmetic |
#
# ## Question index
#
# Every question the source notes ask, and where the book answers it
# (section numbers refer to the chapter's notebook).
#
# | question | 问题（意译） | answered in | live experiment |
# |---|---|---|---|
# | How does backprop compute each partial derivative, number by number? | 反向传播如何逐个算出偏导数？ | 01 §1.2–1.3 | printed tables |
# | What does one gradient step change; what happens after many? | 一次更新改变了什么？多次迭代后呢？ | 01 §1.4 | *WorkedExampleExplorer* |
# | How do we verify a backward pass (gradient checking, relative error)? | 如何验证反向传播（梯度检验、相对误差）？ | 01 §1.5 | *GradCheckExplorer* |
# | Why does backprop cost about two forward passes, while finite differences cost two per parameter? | 为什么反向传播只相当于约两次前向计算，而有限差分每个参数要两次？ | 01 §1.3 (BP1-BP4), §1.5 | printed counts |
# | Why do gradients shrink or grow geometrically with depth? | 为什么梯度会随深度成倍变小或变大？ | 02 §2.1 | *LayerSpeedExplorer* |
# | Do earlier layers learn more slowly, and by how much? | 靠前的层是否学得更慢、慢多少？ | 02 §2.2 | *LayerSpeedExplorer* |
# | How does the initialisation (N(0,1), 0.02·randn, scale/√n, Xavier, He) decide whether the signal survives? | 各种初始化怎样决定信号能否穿过多层？ | 02 §2.3 | *SignalExplorer* |
# | What is the "degeneration" of a product of weight matrices, and why is it faster for ReLU? | 权重矩阵连乘的"退化"是什么？为何 ReLU 更快？ | 02 §2.4 | *JacobianExplorer* |
# | How does a loss become NaN, and what do clipping by value and by norm do? | 损失怎样变成 NaN？按值、按范数裁剪各起什么作用？ | 02 §2.5 | *ClippingExplorer* |
# | Why do residual connections help? | 残差连接为何有效？ | 02 §2.6 | *ResidualExplorer* |
# | More layers or more neurons; a funnel or constant width? | 加层还是加神经元？漏斗形还是等宽？ | 02 §2.7 | `shape_comparison` |
# | Which remedy fixes which problem (init, ReLU, clipping, weight penalties, BN, residuals, pretraining, LSTM)? | 各种补救办法分别治什么问题？ | 02 §2.8 | remedies table |
# | Why do we need a nonlinear activation at all? | 为什么需要非线性激活函数？ | 03 §3.1 | *NonlinearExplorer* |
# | What properties should an activation have? | 激活函数应有哪些性质？ | 03 §3.2 | *FunctionExplorer* |
# | Sigmoid, tanh, ReLU, Leaky/P/R-ReLU, ELU, SELU, GELU, softplus, Swish, SiLU, Mish: forms and derivatives? | 常见激活函数及其导数？ | 03 §3.3 | *FunctionExplorer* |
# | Why is ReLU "nonlinear" though piecewise linear? | ReLU 分段线性，为何仍是非线性？ | 03 §3.4 | `why_nonlinear` |
# | What are dead ReLUs; is "derivative 0 for x < 0" an advantage? | 什么是神经元死亡？负半轴导数为 0 是优点吗？ | 03 §3.5 | *DeadReluExplorer* |
# | Why does tanh converge faster than sigmoid? | 为什么 tanh 比 sigmoid 收敛快？ | 03 §3.6 (and 02 §2.8) | *SpeedExplorer*, *ZigzagExplorer* |
# | How do units saturate during training? | 训练中神经元怎样饱和？ | 03 §3.7 | *SaturationExplorer* |
# | Softmax: definition, multi-class use, safe computation? | softmax 的定义、多分类用法与防溢出？ | 03 §3.8, 04 §4.4 | *SoftmaxExplorer* |
# | How to choose hidden and output activations; when is a linear one right? | 如何选择隐藏层与输出层激活？何时用线性？ | 03 §3.9 | exercise E3.4 |
# | Derive dC/dw for the quadratic cost and for cross-entropy; why does σ′ cancel? | 推导两种代价对 w 的导数；σ′ 为何约掉？ | 04 §4.1 | `check_derivations` |
# | Which cost would give ∂C/∂w = x(a − y)? (cross-entropy, derived backwards) | 哪种代价能使 ∂C/∂w = x(a − y)？ | 04 §4.1 | `cost_from_wanted_gradient` |
# | Why does learning stall from a saturated start with the quadratic cost but not with cross-entropy? | 饱和起点下平方代价为何学得慢而交叉熵不会？ | 04 §4.2 | *SingleNeuronExplorer* |
# | Why is cross-entropy a cost (non-negative, ~0 when right); its link to likelihood and KL? | 交叉熵为何能做代价？与最大似然、KL 的关系？ | 04 §4.3 | printed tables |
# | Softmax with cross-entropy: why is the gradient p − y? | softmax 配交叉熵的梯度为何是 p − y？ | 04 §4.4 | finite-difference check |
# | Which output/cost pairing works on a real task? Is the quadratic cost just a learning-rate problem? | 真实任务上哪种输出与代价搭配好？平方代价慢只是学习率问题吗？ | 04 §4.5 | *DigitsCostExplorer*, `tuned_comparison` |
# | Why compute cross-entropy from logits with log-sum-exp? | 为何用 logits 与 log-sum-exp 计算交叉熵？ | 04 §4.6 | stability sweep |
# | What do the two cost surfaces look like? | 两种代价的曲面长什么样？ | 04 §4.7 | *LandscapeExplorer* |
# | What do the update rules of GD, momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, Adamax, Nadam compute; do dlcore's match PyTorch's? | 各优化器的更新规则分别在算什么？与 PyTorch 一致吗？ | 05 §5.1 | `optimisers_reference.reference_table` |
# | Batch, stochastic and mini-batch gradient descent? | 批量、随机、小批量梯度下降有何区别？ | 05 §5.1, 06 §6.1–6.2 | `per_example_grads` |
# | Why does GD zig-zag in a narrow valley; what is the largest stable rate (2/L); how much faster is momentum (√κ)? | 为什么梯度下降在狭长山谷里走之字形？最大学习率为何是 2/L？动量能快多少？ | 05 §5.2 | *SurfaceExplorer*, `kappa_sweep` |
# | What does Nesterov's look-ahead change? | Nesterov 的"前瞻"改变了什么？ | 05 §5.2 | *SurfaceExplorer* |
# | Adagrad's shrinking step, Adam's first step and bias correction; when does a per-coordinate rate help? | Adagrad 步长为何越来越小？Adam 的第一步与偏差修正？按坐标调学习率何时有用？ | 05 §5.3 | `first_steps`, `aligned_vs_rotated` |
# | Do optimisers get stuck at saddle points; curved valleys (Rosenbrock); noisy gradients? | 优化器会卡在鞍点吗？弯曲山谷与噪声梯度下如何？ | 05 §5.4 | *SurfaceExplorer*, `escape_steps` |
# | Which optimiser is robust to its learning rate, and what is each one's best rate on a real net? | 哪个优化器对学习率不敏感？各自的最佳学习率是多少？ | 05 §5.5 | *SweepExplorer* |
# | Learning-rate schedules and their parameters (step, exponential, 1/t, cosine, warm-up); when does warm-up matter? | 学习率衰减策略与常用参数？预热何时有用？ | 05 §5.6 | *ScheduleExplorer*, *WarmupExplorer* |
# | Why does normalising inputs speed up training; min-max, z-score, log scaling? | 为什么输入归一化能加速训练？线性、标准化、对数归一化怎么选？ | 05 §5.7 | *NormalisationExplorer*, wine and diabetes tables |
# | Is the notes' Adadelta right; is RMSprop a special case of Adadelta; momentum's two forms? | 笔记中的 Adadelta 公式对吗？RMSprop 是 Adadelta 的特例吗？动量的两种写法？ | 05 §5.8 | `notes_adadelta_path`, exercise E5.4 |
# | Why use batches at all; what does a mini-batch gradient estimate? | 为什么需要批次？小批量梯度估计的是什么？ | 06 §6.1 | `per_example_grads` |
# | How noisy are full batch, B = 1 and mini-batches (noise ∝ 1/B, with or without replacement)? | 全批量、B=1、小批量的梯度噪声各有多大（∝ 1/B，有放回或无放回）？ | 06 §6.2 | `noise_vs_batch`, *NoiseScatterExplorer* |
# | Does a larger batch give a more accurate direction; does it stop changing beyond some size? | 批越大下降方向越准吗？大到一定程度就不再变化吗？ | 06 §6.3 | *NoiseScatterExplorer* |
# | Beyond which batch size does a larger batch stop saving steps (the gradient noise scale)? | 批大小超过多少后再加大也不能减少步数（梯度噪声尺度）？ | 06 §6.4–6.5 | `noise_scale`, `fit_noise_scale` |
# | What does a larger batch gain and cost: steps per epoch, epochs and time to a target; does a too small batch fail to converge? | 增大批次的利弊：每个 epoch 的步数、达到目标的 epoch 数与时间；批太小真的不收敛吗？ | 06 §6.5 | *BatchSweepExplorer* |
# | Are powers of two faster batch sizes? | 批大小取 2 的幂更快吗？ | 06 §6.6 | `matmul_throughput` |
# | With B = 1 on an elliptical error surface, does every example pull its own way? | B=1 时在椭圆误差面上每个样本各拉一个方向吗？ | 06 §6.7 | *PathsExplorer* |
# | Why does Rprop need the full batch? | 为什么 Rprop 只能用全批量？ | 06 §6.8 | `rprop_runs` |
# | Do very large batches generalise worse or over-fit? | 批过大是否泛化变差、更易过拟合？ | 06 §6.9 | `generalisation` |
# | Steps per epoch with and without drop_last? | 有无 drop_last 时每个 epoch 的步数？ | 06 E6.2 | exercise checker |
# | What does batch norm compute (mean, variance, normalise, scale and shift)? | BN 的计算流程（均值、方差、归一化、缩放平移）？ | 07 §7.1 | `bn_steps`, *BNStepsExplorer* |
# | Training vs inference: running averages, momentum, biased or unbiased variance, a batch of one? | 训练与推理有何不同：滑动平均、动量、有偏/无偏方差、批大小为 1？ | 07 §7.1 | `running_stats`, *BNStepsExplorer* |
# | What is batch norm's backward pass? | BN 的反向传播怎么推导？ | 07 §7.2, 07 E7.2 | `check_bn_backward` |
# | Why does BN speed up training and reduce vanishing gradients? | BN 为何能加快训练、缓解梯度消失？ | 07 §7.3 | `bn_paper_run` |
# | Does BN allow larger learning rates, and why? | BN 真的允许更大的学习率吗？为什么？ | 07 §7.4 | `lr_sweep` |
# | Should BN go before or after the nonlinearity? Why shuffle before training with BN? | BN 放在激活函数前还是后？为什么用 BN 要充分打乱数据？ | 07 §7.5 | `norm_run`, `sorted_bn_diagnosis` |
# | Layer, instance and group norm: what do they average over? BN vs GN as the batch shrinks? | LN、IN、GN 在哪些维度上归一化？批变小时 BN 与 GN 对比？ | 07 §7.6, 07 E7.3 | `norm_batch_sweep`, `conv_sweep_table`, `batch_dependence` |
# | Why is BN awkward in RNNs, and what was layer norm designed for? | 为什么 RNN 中不适合用 BN？LN 原本是为什么设计的？ | 07 §7.6 | text (Ba et al. 2016) |
# | Weight norm vs batch norm: batch dependence, noise, speed, initialisation? | 权重归一化与 BN 比较：依赖批、噪声、速度、初始化？ | 07 §7.7 | `wn_curves`, `wn_identities`, `step_cost` |
# | Does weight norm's data-dependent init need Adam; how does the step on v reach w, and why does the scale of v matter? | 权重归一化的数据相关初始化需要配合 Adam 吗？对 v 的更新如何传到 w？v 的尺度为何重要？ | 07 §7.7 | `wn_curves` (optimizer="adam", v_norm="g"), `wn_step_scale` |
# | What does local response normalisation do, with which parameters, and why was it dropped? | 局部响应归一化的作用与参数是什么？为何被 BN 取代？ | 07 §7.8 | `lrn_stack`, *LRNExplorer* |
# | What are bias and variance; how do model size and data size move them; is there double descent? | 偏差与方差是什么？模型大小与数据量如何影响？有双下降吗？ | 08 §8.1 | `capacity_sweep`, `data_sweep`, `random_features_sweep`, *BiasVarianceExplorer* |
# | Why regularise; what do L2, L1, max-norm, early stopping and augmentation do to a net that over-fits? | 为什么要正则化？L2、L1、max-norm、早停、数据增强各有什么作用？ | 08 §8.2 | `compare_methods`, *RegulariserExplorer* |
# | Why is L1 sparse and L2 small; is L2 the same as weight decay (Adam vs AdamW)? | 为什么 L1 稀疏、L2 让权重变小？L2 等于权重衰减吗（Adam 与 AdamW）？ | 08 §8.2, 08 E8.3 | `Penalty`, `adam_decay`, `check_l2_gradient` |
# | With Adam, does the best L2 coefficient or AdamW decay move with the learning rate; is AdamW better once both are tuned? | 用 Adam 时，L2 系数或 AdamW 衰减的最佳值随学习率变化吗？两者都调好后 AdamW 更好吗？ | 08 §8.2.1 | `adamw_sweep`, `ridge`, `adamw_sweep_table` |
# | How does (inverted) dropout work, and which factor goes where at test time? | dropout（反向 dropout）如何实现？测试时乘什么系数？ | 08 §8.3, 08 E8.1–E8.2 | `Dropout`, `scaling_check`, `check_inverted_dropout` |
# | Which keep-probability (0.5 hidden, 0.8 input); is 0.5 best because it makes the most sub-networks? | 保留概率怎么选？0.5 最好是因为子网络最多吗？ | 08 §8.4 | `rate_sweep`, `subnetworks` |
# | Why is dropout an ensemble; how good is the test-time scaling? | 为什么 dropout 相当于集成？测试时缩放的近似有多好？ | 08 §8.5 | `mc_depth_sweep` |
# | Does dropout shrink the weights like L2? | dropout 像 L2 一样压缩权重吗？ | 08 §8.6 | `matched_l2` |
# | Dropout's drawback: the cost is no longer monotone; how to debug? | dropout 的缺点：代价函数不再单调下降，如何调试？ | 08 §8.7 | `noisy_cost`, `set_dropout` |
# | Which remedy does a given learning curve call for? | 给定学习曲线该用哪种方法？ | 08 E8.4 | `check_regulariser_choice` |
# | What is internal covariate shift, and how is it measured? | 什么是内部协变量偏移？怎样度量？ | 09 §9.1, 09 E9.1 | `wasserstein1`, `gaussian_kl`, `gradient_shift` |
# | Do layer inputs drift during training, more in deeper layers; does BN keep them still? | 训练中各层输入分布会漂移吗？越深越严重吗？BN 能让它稳定吗？ | 09 §9.2 | `ics_run`, *DriftExplorer* |
# | How much does a layer's gradient change when the layers below update? | 下层更新后上层的梯度变化多大？ | 09 §9.3, 09 E9.3 | `gradient_shift` |
# | Does BN work because it removes ICS (BN with injected noise)? | BN 是因为消除了 ICS 才有效吗（注入噪声的 BN）？ | 09 §9.4, 09 §9.7 | `NoisyBatchNorm1d`, `ics_runs` |
# | Does BN make the loss landscape smoother (effective β-smoothness)? | BN 让损失曲面更平滑了吗（有效 β-光滑性）？ | 09 §9.5, 09 E9.2 | `landscape`, *LandscapeExplorer* |
# | Does BN let a net train at a larger learning rate, and does that survive injected shift? | BN 能让网络用更大的学习率训练吗？注入分布漂移后还成立吗？ | 09 §9.4 | `ics_runs(lr=1.0)` |
# | Why does the scale of the weights before BN not matter, and what does weight decay do to them (effective learning rate)? | 为什么 BN 之前那一层权重的尺度无关紧要？对它们做权重衰减起什么作用（有效学习率）？ | 09 §9.6, 09 E9.4 | `scale_invariance` |
# | If BN tolerates large learning rates, why does a BN net still fail at a very large one (lr 10)? | 既然 BN 能容忍大学习率，为什么学习率很大（如 10）时 BN 网络仍会训练失败？ | 09 §9.6 | `scale_invariance(lr=10)` |
# | What is a hyper-parameter, and do they all matter equally? | 什么是超参数？它们同样重要吗？ | 10 §10.1 | `importance`, `search_table` |
# | Why does random search beat grid search when few hyper-parameters matter? | 为什么只有少数超参数重要时随机搜索胜过网格搜索？ | 10 §10.2 | *IrrelevantAxisExplorer*, `irrelevant_axis` |
# | What does Bayesian (model-based) optimisation do; does it need many parameters of its own? | 贝叶斯（基于模型的）优化在做什么？它本身需要很多参数吗？ | 10 §10.3 | `search`, `tpe_suggest` |
# | Grid vs random vs model-based search under the same budget on a real net? | 同样预算下网格、随机、基于模型的搜索谁更好？ | 10 §10.4 | *SearchExplorer*, `search_curves` |
# | Successive halving / Hyperband: stop bad configurations early — better than random search at the same training steps; when does it drop the winner? | 逐次减半 / Hyperband：提前淘汰差的配置，同样训练步数下是否胜过随机搜索？何时会误删最优配置？ | 10 §10.4.1 | `successive_halving`, `hyperband`, `halving_curves` |
# | How to split train / validation / test; what leaks when the test set chooses? | 训练/验证/测试集如何分工？在测试集上挑选有何后果？ | 10 §10.5 | `selection_optimism` |
# | How to start: initial loss, over-fit a tiny subset, learning-rate range test, then scale up? | 如何起步：初始损失、先在小子集上过拟合、学习率区间测试、再扩大规模？ | 10 §10.6 | `initial_loss`, `overfit_tiny`, `lr_range_test` |
# | Convolution output size (W − F + 2P)/S + 1 when it is not whole; parameter counts; receptive field? | 卷积输出尺寸（不整除时怎么办）、参数量、感受野？ | 10 §10.7 | *ConvArithExplorer*, `output_size`, `stack` |
# | Max vs average pooling; does pooling reduce parameters? | 最大池化与平均池化；池化会减少参数吗？ | 10 §10.8 | *PoolingExplorer*, `pool_digit` |
# | Transfer learning: reuse the lower layers of a trained net? | 迁移学习：复用已训练网络的低层？ | 10 §10.9 | `transfer` |
