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
# appears in red inside the explorer and the next move works again. Every
# explorer can be driven from code, and its settings saved and shared:
#
# ```python
# e = GradCheckExplorer()
# e.set(dtype="float32", h=1e-2)     # move the controls from code
# s = e.to_json()                    # share this string...
# GradCheckExplorer().from_json(s)   # ...and anyone gets the same picture
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
# | [03 Activation functions](03_activations.ipynb) | Why a nonlinearity, and which one? | sigmoid … GELU, Mish; dead ReLUs; zero-centred outputs |
# | [04 Cross-entropy and softmax](04_cross_entropy.ipynb) | Why does learning stall with the quadratic cost? | cross-entropy, log-sum-exp |
# | 05 Optimisers *(coming)* | Why does plain SGD crawl or zig-zag? | momentum, Adam & co., schedules, input normalisation |
# | 06 Batch size *(coming)* | What does the batch size change? | gradient noise, steps vs wall clock |
# | 07 Normalisation layers *(coming)* | What do BN, LN, GN, WN and LRN do? | statistics, train vs eval |
# | 08 Dropout and regularisation *(coming)* | Why does the model overfit? | L1/L2, dropout, early stopping |
# | 09 Internal covariate shift *(coming)* | Does BN work because it removes ICS? | a controlled experiment |
# | 10 Hyper-parameters *(coming)* | How to search well on a budget? | grid, random and model-based search |
#
# ## Question index
#
# Every question the source notes ask, and where the book answers it
# (section numbers refer to the chapter's notebook).
#
# | question | 问题（意译） | answered in |
# |---|---|---|
# | How does backprop compute each partial derivative, number by number? | 反向传播如何逐个算出偏导数？ | 01 §1.2–1.3 |
# | What does one gradient step change; what happens after many? | 一次更新改变了什么？多次迭代后呢？ | 01 §1.4, explorer *WorkedExample* |
# | How do we verify a backward pass (gradient checking, relative error)? | 如何验证反向传播（梯度检验、相对误差）？ | 01 §1.5, explorer *GradCheck* |
# | Why do gradients vanish or explode with depth? | 为什么梯度会随深度消失或爆炸？ | 02 |
# | Why do earlier layers learn more slowly than later ones? | 为什么靠前的层学得更慢？ | 02 |
# | What is the "degeneration" of a product of weight matrices? | 权重矩阵乘积的"退化"是什么？ | 02 |
# | How do initialisation (N(0,1), 0.02·randn, 1/√n, Xavier, He) help? | 各种初始化方法如何缓解梯度问题？ | 02 |
# | How do gradient clipping, weight penalties, residual connections and pretraining help? | 梯度裁剪、权重惩罚、残差连接、逐层预训练各起什么作用？ | 02 |
# | How many neurons per layer and how many layers? | 每层多少神经元、多少层？ | 02 |
# | Why do we need a nonlinear activation at all? | 为什么需要非线性激活函数？ | 03 |
# | What properties should an activation have, and how to choose one? | 激活函数应有哪些性质，如何选择？ | 03 |
# | Sigmoid, tanh, ReLU, Leaky/P/R-ReLU, ELU, SELU, GELU, softplus, Swish, SiLU, Mish, softmax: forms and derivatives? | 常见激活函数及其导数？ | 03 |
# | Why is ReLU "nonlinear"; what are dead ReLUs and sparsity? | ReLU 为什么是非线性的？什么是神经元死亡与稀疏性？ | 03 |
# | Why does tanh converge faster than sigmoid? | 为什么 tanh 比 sigmoid 收敛快？ | 03 |
# | Why does cross-entropy avoid the quadratic cost's slowdown? Derive it. | 交叉熵为何能避免平方代价的学习减速？推导之。 | 04 |
# | What are softmax and its gradient with cross-entropy (p − y)? | softmax 及其与交叉熵组合的梯度？ | 04 |
# | Why is cross-entropy non-negative and near 0 when right; how to compute it stably? | 交叉熵为何非负、预测正确时接近 0？如何数值稳定地计算？ | 04 |
# | Batch, stochastic and mini-batch gradient descent; momentum, Nesterov, Adagrad, Adadelta, RMSprop, Adam, Adamax, Nadam? | 各种梯度下降与优化器的更新规则？ | 05 |
# | Learning-rate schedules and decay parameters? | 学习率衰减策略与参数？ | 05 |
# | Why does normalising inputs speed up training; min-max, z-score, log scaling? | 为什么输入归一化能加速训练？ | 05 |
# | Why use batches; what does a larger batch gain and cost; are powers of two faster? | 为什么要用批次？增大批次的利弊？2 的幂更快吗？ | 06 |
# | How does batch norm work (train vs eval, backward, placement)? | 批归一化的算法、训练与推理、反向传播、位置？ | 07 |
# | Layer, instance, group and weight norm; local response normalisation? | 层归一化、实例归一化、组归一化、权重归一化、LRN？ | 07 |
# | Bias vs variance; L1 vs L2; early stopping; data augmentation; max-norm? | 偏差与方差；L1 与 L2；早停；数据增强；最大范数约束？ | 08 |
# | How does (inverted) dropout work, what keep-probability, and what are its drawbacks? | dropout 的原理、保留概率与缺点？ | 08 |
# | What is internal covariate shift; does BN work by reducing it? | 什么是内部协变量偏移？BN 是否因减少它而有效？ | 09 |
# | What is a hyper-parameter; grid vs random vs model-based search; the train/val/test protocol? | 什么是超参数？网格、随机与基于模型的搜索？ | 10 |
# | Convolution output size, parameter counts, pooling; transfer learning? | 卷积输出尺寸、参数量、池化；迁移学习？ | prose, in later chapters |
