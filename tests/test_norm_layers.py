"""Chapter 07 library: batch, layer, group, instance, weight and local response normalisation.

The contract tests (tests/test_contract.py) gradient-check every layer's ``example``; here: the
conventions (running statistics, biased/unbiased variance), train vs eval, the identities between
the norms, the weight-norm identities, LRN against a direct loop, and the input checks.
"""
import numpy as np
import pytest

import dlcore
from dlcore import (BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm, LayerNorm, LocalResponseNorm, SGD,
                    WeightNormLinear, check_module)
from dlcore.errors import InvalidArgument, InvalidType, ShapeError
from dlcore.experiments.common import digits_data


def _x(shape, seed=100, loc=0.0, scale=1.0):
    return loc + scale * np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ BatchNorm: forward and statistics
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_training_normalises_each_feature_with_the_biased_variance(dtype):
    X = _x((50, 4), loc=3.0, scale=2.0).astype(dtype)
    bn = BatchNorm1d(4, eps=0.0 + 1e-12, dtype=dtype)
    Y = bn.forward(X, training=True)
    assert Y.dtype == dtype and bn.buffers["running_mean"].dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-10
    assert np.allclose(Y.mean(axis=0), 0, atol=tol)
    assert np.allclose(Y.var(axis=0), 1, atol=10 * tol)          # biased: var with ddof=0 is exactly 1


def test_batchnorm_eps_enters_the_normalisation():
    X = _x((8, 3))
    Y = BatchNorm1d(3, eps=0.5).forward(X, training=True)
    expect = (X - X.mean(0)) / np.sqrt(X.var(0) + 0.5)
    assert np.allclose(Y, expect, atol=1e-12)


def test_batchnorm_running_statistics_pytorch_convention():
    """running = (1 - momentum) running + momentum batch; the variance entering it is unbiased."""
    bn = BatchNorm1d(3, momentum=0.1)
    rm, rv = np.zeros(3), np.ones(3)
    for s in range(5):
        X = _x((6, 3), seed=s, loc=2.0, scale=3.0)
        bn.forward(X, training=True)
        rm = 0.9 * rm + 0.1 * X.mean(0)
        rv = 0.9 * rv + 0.1 * X.var(0, ddof=1)
        assert np.allclose(bn.buffers["running_mean"], rm, atol=1e-12)
        assert np.allclose(bn.buffers["running_var"], rv, atol=1e-12)
    # the biased variance would be measurably different at m = 6 (a factor 5/6 on the new term)
    assert not np.allclose(bn.buffers["running_var"], 0.9 ** 5 + sum(
        0.1 * 0.9 ** (4 - s) * _x((6, 3), seed=s, loc=2.0, scale=3.0).var(0) for s in range(5)), atol=1e-3)


def test_batchnorm2d_unbiased_count_is_batch_times_pixels():
    X = _x((2, 3, 2, 2), loc=1.0)
    bn = BatchNorm2d(3, momentum=1.0)                   # running = the last batch's statistics
    bn.forward(X, training=True)
    per_channel = X.transpose(1, 0, 2, 3).reshape(3, -1)      # m = N H W = 8 values per channel
    assert np.allclose(bn.buffers["running_mean"], per_channel.mean(1))
    assert np.allclose(bn.buffers["running_var"], per_channel.var(1, ddof=1))


def test_batchnorm2d_is_batchnorm1d_on_pixels_as_rows():
    X = _x((3, 4, 2, 5))
    rows = X.transpose(0, 2, 3, 1).reshape(-1, 4)
    b1, b2 = BatchNorm1d(4), BatchNorm2d(4)
    for b in (b1, b2):
        b.params["gamma"][:] = [1.0, 2.0, 0.5, -1.0]
        b.params["beta"][:] = [0.0, 1.0, -1.0, 0.3]
    Y2 = b2.forward(X, training=True)
    Y1 = b1.forward(rows, training=True)
    assert np.allclose(Y2.transpose(0, 2, 3, 1).reshape(-1, 4), Y1, atol=1e-12)
    dY = _x(X.shape, seed=1)
    dX2 = b2.backward(dY)
    dX1 = b1.backward(dY.transpose(0, 2, 3, 1).reshape(-1, 4))
    assert np.allclose(dX2.transpose(0, 2, 3, 1).reshape(-1, 4), dX1, atol=1e-12)
    assert np.allclose(b1.grads["gamma"], b2.grads["gamma"]) and np.allclose(b1.grads["beta"], b2.grads["beta"])


def test_batchnorm_eval_uses_running_statistics_and_does_not_update_them():
    bn = BatchNorm1d(2, eps=1e-5)
    bn.params["gamma"][:] = [2.0, 0.5]
    bn.params["beta"][:] = [1.0, -1.0]
    bn.buffers["running_mean"][:] = [0.5, -2.0]
    bn.buffers["running_var"][:] = [4.0, 0.25]
    X = _x((5, 2))
    Y = bn.forward(X, training=False)
    expect = (X - [0.5, -2.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [2.0, 0.5] + [1.0, -1.0]
    assert np.allclose(Y, expect, atol=1e-12)
    assert np.array_equal(bn.buffers["running_mean"], [0.5, -2.0])
    # evaluation is row by row: a row's output does not depend on the other rows
    assert np.allclose(bn.forward(X[:1], training=False), Y[:1])
    # the eval backward is the fixed affine map's
    rep = check_module(bn, X, training=False)
    assert rep.passed(1e-7), rep.table()


def test_batchnorm_train_output_depends_on_the_batch_eval_does_not():
    bn = BatchNorm1d(3)
    X = _x((6, 3))
    a = bn.forward(X, training=True)[0]
    b = bn.forward(np.vstack([X[:1], _x((5, 3), seed=9)]), training=True)[0]
    assert not np.allclose(a, b)
    assert np.allclose(bn.forward(X, training=False)[0], bn.forward(X[:1], training=False)[0])


@pytest.mark.parametrize("cls,shape", [(BatchNorm1d, (1, 3)), (BatchNorm2d, (1, 3, 1, 1))])
def test_batchnorm_one_value_per_channel_in_training_is_an_error(cls, shape):
    bn = cls(3)
    with pytest.raises(InvalidArgument, match="Expected more than 1 value per channel when training"):
        bn.forward(np.ones(shape), training=True)
    bn.forward(np.ones(shape), training=False)                # evaluation takes a batch of 1
    BatchNorm2d(3).forward(_x((1, 3, 2, 1)), training=True)   # one image of 2 pixels is enough


def test_batchnorm_two_examples_give_plus_minus_one():
    """With m = 2 each feature normalises to -1 and +1 (up to eps), whatever the values."""
    Y = BatchNorm1d(3, eps=1e-12).forward(np.array([[0.0, 5.0, -1.0], [1.0, 7.0, 3.0]]), training=True)
    assert np.allclose(np.abs(Y), 1, atol=1e-6)


@pytest.mark.parametrize("cls,shape", [(BatchNorm1d, (7, 3)), (BatchNorm2d, (2, 3, 3, 2))])
def test_batchnorm_backward_compact_formula_matches_finite_differences(cls, shape):
    bn = cls(3)
    bn.params["gamma"][:] = [0.5, 1.5, -2.0]
    bn.params["beta"][:] = [0.1, 0.0, -0.3]
    rep = check_module(bn, _x(shape, loc=1.0, scale=2.0), training=True)
    assert rep.passed(1e-7), rep.table()


def test_batchnorm_gradient_sums_to_zero_and_is_orthogonal_to_xhat():
    """The input gradient of a training BN has zero sum and (with eps -> 0) zero projection on xhat, per feature."""
    bn = BatchNorm1d(4, eps=1e-12)
    X = _x((9, 4), scale=3.0)
    Y = bn.forward(X, training=True)
    dX = bn.backward(_x(Y.shape, seed=2))
    xhat = (X - X.mean(0)) / np.sqrt(X.var(0) + 1e-12)
    assert np.allclose(dX.sum(0), 0, atol=1e-12)
    assert np.allclose((dX * xhat).sum(0), 0, atol=1e-10)


def test_norm_parameters_are_not_weight_decayed():
    net = dlcore.Sequential(dlcore.Linear(3, 4, rng=0), BatchNorm1d(4), LayerNorm(4), GroupNorm(2, 4))
    roles = {n: p.role for n, p in net.named_parameters()}
    assert roles["1.gamma"] == roles["2.gamma"] == roles["3.gamma"] == "scale"
    assert roles["1.beta"] == roles["2.beta"] == "bias"
    assert roles["0.W"] == "weight"
    before = {n: p.data.copy() for n, p in net.named_parameters()}
    net.zero_grad()
    SGD(net, lr=0.1, weight_decay=0.5).step()            # zero gradients: only decay could move a parameter
    after = dict(net.named_parameters())
    assert not np.array_equal(after["0.W"].data, before["0.W"])
    for n in ("1.gamma", "1.beta", "2.gamma", "3.beta"):
        assert np.array_equal(after[n].data, before[n])


def test_batchnorm_state_dict_keeps_running_statistics():
    a = BatchNorm1d(2)
    a.forward(_x((5, 2), loc=4.0), training=True)
    b = BatchNorm1d(2)
    b.load_state_dict(a.state_dict())
    X = _x((3, 2), seed=5)
    assert np.array_equal(a.forward(X, training=False), b.forward(X, training=False))


# ------------------------------------------------------------------ LayerNorm, GroupNorm, InstanceNorm
def test_layernorm_normalises_each_example_independently():
    X = _x((4, 6), loc=2.0, scale=3.0)
    ln = LayerNorm(6)
    Y = ln.forward(X)
    assert np.allclose(Y.mean(1), 0, atol=1e-12) and np.allclose(Y.var(1), 1, atol=1e-4)
    assert np.allclose(ln.forward(X[2:3]), Y[2:3])
    assert np.array_equal(ln.forward(X, training=True), ln.forward(X, training=False))


def test_layernorm_gradient_on_images():
    ln = LayerNorm((2, 2, 3))
    ln.params["gamma"] = 1 + 0.2 * _x((2, 2, 3), seed=3)
    rep = check_module(ln, _x((3, 2, 2, 3)), training=True)
    assert rep.passed(1e-7), rep.table()


def _group_loop(X, G, eps):
    N, C = X.shape[:2]
    Y = np.empty_like(X)
    k = C // G
    for n in range(N):
        for g in range(G):
            block = X[n, g * k:(g + 1) * k]
            Y[n, g * k:(g + 1) * k] = (block - block.mean()) / np.sqrt(block.var() + eps)
    return Y


@pytest.mark.parametrize("G", [1, 2, 3, 6])
def test_groupnorm_matches_a_direct_loop(G):
    X = _x((3, 6, 2, 3), loc=1.0, scale=2.0)
    assert np.allclose(GroupNorm(G, 6).forward(X), _group_loop(X, G, 1e-5), atol=1e-12)
    rep = check_module(GroupNorm(G, 6), X, training=True)
    assert rep.passed(1e-7), rep.table()


def test_groupnorm_one_group_is_layernorm_and_c_groups_is_instancenorm():
    X = _x((4, 6, 3, 3), loc=-1.0, scale=2.0)
    dY = _x(X.shape, seed=1)
    pairs = [(GroupNorm(1, 6), LayerNorm((6, 3, 3))), (GroupNorm(6, 6), InstanceNorm(6))]
    for gn, other in pairs:
        assert np.allclose(gn.forward(X), other.forward(X), atol=1e-12)
        assert np.allclose(gn.backward(dY), other.backward(dY), atol=1e-12)
    assert np.allclose(pairs[1][0].grads["gamma"], pairs[1][1].grads["gamma"], atol=1e-12)


def test_groupnorm_does_not_depend_on_the_batch():
    X = _x((5, 4, 2, 2))
    gn = GroupNorm(2, 4)
    assert np.allclose(gn.forward(X)[1:2], gn.forward(X[1:2]))
    gn.forward(X[:1], training=True)                    # a batch of 1 is fine


def test_groupnorm_on_features():
    X = _x((3, 6))
    rep = check_module(GroupNorm(3, 6), X, training=True)
    assert rep.passed(1e-7), rep.table()


def test_affine_false_has_no_parameters():
    for m in (BatchNorm1d(3, affine=False), LayerNorm(3, affine=False), GroupNorm(1, 3, affine=False)):
        assert m.params == {} and m.grads == {}
        Y = m.forward(_x((4, 3)), training=True)
        m.backward(np.ones_like(Y))


# ------------------------------------------------------------------ weight normalisation
def test_weightnorm_effective_weights_have_norm_g():
    wn = WeightNormLinear(5, 3, rng=0)
    wn.params["g"][:] = [0.5, 2.0, -1.0]
    assert np.allclose(np.linalg.norm(wn.W, axis=0), [0.5, 2.0, 1.0])
    X = _x((4, 5))
    assert np.allclose(wn.forward(X), X @ wn.W + wn.params["b"])


def test_weightnorm_gradient_of_v_is_orthogonal_to_v():
    wn = WeightNormLinear(6, 4, rng=1)
    wn.params["g"][:] = [1.0, 2.0, 0.5, 3.0]
    Y = wn.forward(_x((10, 6)))
    wn.backward(_x(Y.shape, seed=2))
    v, gv = wn.params["v"], wn.grads["v"]
    cos = np.sum(v * gv, axis=0) / (np.linalg.norm(v, axis=0) * np.linalg.norm(gv, axis=0))
    assert np.all(np.abs(cos) < 1e-12)


def test_weightnorm_norm_of_v_never_decreases_under_gradient_descent():
    X, y, _, _ = digits_data(200)
    X = X.astype(np.float64)
    net = dlcore.Sequential(WeightNormLinear(64, 20, rng=0), dlcore.get_activation("tanh"), WeightNormLinear(20, 10, rng=1))
    opt = SGD(net, lr=0.5)
    norms = [np.linalg.norm(net[0].params["v"], axis=0)]
    for step in range(30):
        logits = net.forward(X, training=True)
        loss, dlogits = dlcore.softmax_cross_entropy(logits, y)
        net.backward(dlogits)
        opt.step()
        norms.append(np.linalg.norm(net[0].params["v"], axis=0))
    norms = np.array(norms)
    assert np.all(np.diff(norms, axis=0) >= -1e-12)
    assert np.all(norms[-1] > norms[0])                 # and it does grow


def test_weightnorm_data_dependent_init_standardises_preactivations():
    X = _x((100, 8), loc=1.0, scale=3.0)
    wn = WeightNormLinear(8, 5, rng=3).init_from_batch(X)
    Y = wn.forward(X)
    assert np.allclose(Y.mean(0), 0, atol=1e-12) and np.allclose(Y.std(0), 1, atol=1e-12)
    Y2 = WeightNormLinear(8, 5, rng=3).init_from_batch(X, init_scale=0.1).forward(X)
    assert np.allclose(Y2.std(0), 0.1)
    with pytest.raises(InvalidArgument, match="at least 2 rows"):
        wn.init_from_batch(X[:1])
    with pytest.raises(ShapeError):
        wn.init_from_batch(X[:, :3])


def test_weightnorm_gradient_check_after_init():
    wn = WeightNormLinear(4, 3, rng=5).init_from_batch(_x((20, 4)))
    rep = check_module(wn, _x((6, 4), seed=1))
    assert rep.passed(1e-7), rep.table()


# ------------------------------------------------------------------ local response normalisation
def _lrn_loop(A, n, alpha, beta, k):
    N, C = A.shape[:2]
    B = np.empty_like(A)
    for c in range(C):
        lo, hi = max(0, c - n // 2), min(C - 1, c + (n - 1) // 2)
        s = sum(A[:, j] ** 2 for j in range(lo, hi + 1))
        B[:, c] = A[:, c] / (k + alpha / n * s) ** beta
    return B


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 9])
def test_lrn_matches_a_direct_loop_and_its_gradient(n):
    A = _x((2, 6, 2, 3), scale=2.0)
    lrn = LocalResponseNorm(n, alpha=0.7, beta=0.75, k=1.5)
    assert np.allclose(lrn.forward(A), _lrn_loop(A, n, 0.7, 0.75, 1.5), atol=1e-12)
    rep = check_module(lrn, A)
    assert rep.passed(1e-7), rep.table()


def test_lrn_alexnet_parameters_convert_by_n():
    """AlexNet's k + alpha * sum (alpha = 1e-4, n = 5) is our alpha = 5e-4 (we divide by n)."""
    A = _x((1, 8, 3, 3), scale=40.0)
    ours = LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0).forward(A)
    s = np.stack([sum(A[:, j] ** 2 for j in range(max(0, c - 2), min(7, c + 2) + 1)) for c in range(8)], 1)
    assert np.allclose(ours, A / (2.0 + 1e-4 * s) ** 0.75, atol=1e-12)


def test_lrn_inhibits_a_channel_next_to_a_strong_one():
    A = np.zeros((1, 5, 1, 1))
    A[0, 2] = 1.0
    alone = LocalResponseNorm(3, alpha=1.0, beta=0.75).forward(A)[0, 2, 0, 0]
    A[0, 3] = 5.0                                         # a strong neighbour
    assert LocalResponseNorm(3, alpha=1.0, beta=0.75).forward(A)[0, 2, 0, 0] < 0.5 * alone


# ------------------------------------------------------------------ input checks
@pytest.mark.parametrize("make,exc,match", [
    (lambda: BatchNorm1d(0), InvalidArgument, "num_features"),
    (lambda: BatchNorm1d(3.0), InvalidType, "num_features"),
    (lambda: BatchNorm2d(True), InvalidType, "num_features"),
    (lambda: BatchNorm1d(3, momentum=1.5), InvalidArgument, "momentum"),
    (lambda: BatchNorm1d(3, momentum=-0.1), InvalidArgument, "momentum"),
    (lambda: BatchNorm1d(3, eps=0), InvalidArgument, "eps"),
    (lambda: BatchNorm1d(3, eps=float("nan")), InvalidArgument, "eps"),
    (lambda: BatchNorm1d(3, affine="yes"), InvalidType, "affine"),
    (lambda: BatchNorm1d(3, dtype=np.int32), InvalidArgument, "dtype"),
    (lambda: LayerNorm(0), InvalidArgument, "normalized_shape"),
    (lambda: LayerNorm(()), InvalidType, "normalized_shape"),
    (lambda: LayerNorm("4"), InvalidType, "normalized_shape"),
    (lambda: GroupNorm(4, 6), InvalidArgument, "must divide"),
    (lambda: GroupNorm(0, 6), InvalidArgument, "num_groups"),
    (lambda: InstanceNorm(-1), InvalidArgument, "num_channels"),
    (lambda: WeightNormLinear(0, 3, rng=0), InvalidArgument, "n_in"),
    (lambda: LocalResponseNorm(0), InvalidArgument, "size"),
    (lambda: LocalResponseNorm(3, alpha=-1), InvalidArgument, "alpha"),
    (lambda: LocalResponseNorm(3, k=0), InvalidArgument, "k"),
    (lambda: LocalResponseNorm(3, beta="1"), InvalidType, "beta"),
])
def test_construction_errors_name_the_argument(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("module,shape,match", [
    (BatchNorm1d(3), (4, 4), r"\(N, C\) with C=3, got \(4, 4\)"),
    (BatchNorm1d(3), (4, 3, 2, 2), r"\(N, C\) with C=3"),
    (BatchNorm2d(3), (4, 3), r"\(N, C, H, W\) with C=3"),
    (BatchNorm2d(3), (4, 2, 5, 5), r"C=3, got \(4, 2, 5, 5\)"),
    (LayerNorm((3, 4)), (2, 4, 3), r"\(N, \.\.\., 3, 4\)"),
    (LayerNorm(5), (5,), r"\(N, \.\.\., 5\)"),
    (GroupNorm(2, 4), (3, 6, 2, 2), r"C=4"),
    (InstanceNorm(3), (2, 3), r"\(N, C, H, W\) with C=3"),
    (WeightNormLinear(4, 2, rng=0), (3, 5), r"\(N, 4\)"),
    (LocalResponseNorm(3), (5,), r"\(N, C, \.\.\.\)"),
])
def test_wrong_input_shapes_are_shape_errors(module, shape, match):
    with pytest.raises(ShapeError, match=match):
        module.forward(np.zeros(shape))


def test_instancenorm_needs_more_than_one_pixel():
    with pytest.raises(InvalidArgument, match="more than 1 spatial element"):
        InstanceNorm(3).forward(np.zeros((4, 3, 1, 1)))


def test_backward_shape_is_checked():
    bn = BatchNorm1d(3)
    bn.forward(_x((4, 3)), training=True)
    with pytest.raises(ShapeError, match=r"dY must have shape \(4, 3\)"):
        bn.backward(np.zeros((4, 2)))


# ------------------------------------------------------------------ nets with a normalisation
from dlcore.norm_nets import norm_mlp  # noqa: E402


@pytest.mark.parametrize("norm", [None, "batch", "layer", "group", "weight"])
@pytest.mark.parametrize("placement", ["before", "after"])
def test_norm_mlp_gradient_check(norm, placement):
    net = norm_mlp([5, 6, 6, 3], "tanh", norm=norm, placement=placement, rng=0, groups=2)
    rep = check_module(net, _x((6, 5)), rng=1, training=True)
    for r in rep.results:
        # a bias right before a batch norm is cancelled by the mean: its gradient is exactly 0
        zero = np.abs(r.analytic).max() < 1e-12 and np.abs(r.numeric).max() < 1e-8
        assert r.rel_error < 1e-6 or (zero and norm == "batch" and placement == "before"), rep.table()


def test_norm_mlp_layout():
    names = lambda net: [type(l).__name__ for l in net.layers]   # noqa: E731
    assert names(norm_mlp([64, 100, 100, 10], "sigmoid", rng=0)) == [
        "Linear", "BatchNorm1d", "Sigmoid", "Linear", "BatchNorm1d", "Sigmoid", "Linear"]
    assert names(norm_mlp([4, 6, 2], "relu", placement="after", rng=0)) == ["Linear", "ReLU", "BatchNorm1d", "Linear"]
    assert names(norm_mlp([4, 6, 2], "relu", norm="weight", rng=0)) == ["WeightNormLinear", "ReLU", "Linear"]
    assert names(norm_mlp([4, 6, 2], "relu", norm="group", groups=4, rng=0))[1] == "GroupNorm"
    assert norm_mlp([4, 6, 2], norm="group", groups=4, rng=0)[1].num_groups == 3       # the largest divisor <= 4
    with pytest.raises(InvalidArgument, match="placement"):
        norm_mlp([4, 6, 2], placement="middle", rng=0)


def test_bn_sigmoid_net_learns_the_digits():
    """The BN paper's 3x100 sigmoid net with BN before each sigmoid: > 0.85 after 200 steps, 3 seeds."""
    X, y, Xv, yv = digits_data()
    for seed in (0, 1, 2):
        net = norm_mlp([64, 100, 100, 100, 10], "sigmoid", rng=seed, dtype=np.float32)
        dlcore.fit(net, X, y, lr=0.5, steps=200, batch_size=60, rng=seed)
        acc = dlcore.evaluate(net.eval(), Xv, yv)["acc"]
        assert acc > 0.85, (seed, acc)
