"""Chapter 08's library: dropout (inverted and classic), penalties, max-norm, early stopping, augmentation."""
import numpy as np
import pytest

import dlcore
from dlcore import (AdamW, Adam, Dropout, EarlyStopping, MaxNorm, Penalty, SGD, check_module, dropout_mlp, fit,
                    max_norm_, mlp, penalty_value, rotate_images, set_dropout, shift_images)
from dlcore.augment import augment
from dlcore.experiments.common import digits_data


# -- dropout ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["inverted", "classic"])
def test_dropout_expectation_and_eval(mode):
    X = np.ones((4000, 50))
    d = Dropout(0.3, rng=0, mode=mode)
    Yt = d.forward(X, training=True)
    Ye = d.forward(X, training=False)
    kept = (Yt != 0).mean()
    assert abs(kept - 0.7) < 0.01
    if mode == "inverted":
        assert np.allclose(Yt[Yt != 0], 1 / 0.7) and np.array_equal(Ye, X)
        assert abs(Yt.mean() - 1.0) < 0.01                 # E[y] = x
    else:
        assert np.allclose(Yt[Yt != 0], 1.0) and np.allclose(Ye, 0.7 * X)
        assert abs(Yt.mean() - Ye.mean()) < 0.01           # E[y_train] = y_eval


@pytest.mark.parametrize("mode", ["inverted", "classic"])
def test_dropout_training_gradient_with_a_frozen_mask(mode):
    rng = np.random.default_rng(0)
    net = dlcore.Sequential(dlcore.Linear(5, 6, rng=1), dlcore.get_activation("tanh"), Dropout(0.4, rng=2, mode=mode),
                            dlcore.Linear(6, 3, rng=3))
    X = rng.standard_normal((7, 5))
    net.forward(X, training=True)
    net[2].freeze()
    report = check_module(net, X, rng=1, training=True)
    assert report.passed(1e-6), report.table()
    assert (net[2].mask == 0).any()                     # some units really were dropped


def test_dropout_p0_is_identity_and_rates_are_checked():
    X = np.arange(12.0).reshape(3, 4)
    d = Dropout(0.0, rng=0)
    assert np.array_equal(d.forward(X, training=True), X)
    assert np.array_equal(d.backward(np.ones_like(X)), np.ones_like(X))
    with pytest.raises(ValueError):
        Dropout(1.0)
    with pytest.raises(ValueError):
        Dropout(0.5, mode="scaled")


def test_dropout_mlp_same_weights_whatever_the_rate_and_set_dropout():
    a, b = dropout_mlp([64, 20, 10], 0.5, 0.2, rng=3), dropout_mlp([64, 20, 10], 0.1, 0.0, rng=3)
    Wa = [p.data for _, p in a.named_parameters()]
    Wb = [p.data for _, p in b.named_parameters()]
    assert all(np.array_equal(x, y) for x, y in zip(Wa, Wb))
    set_dropout(a, p=0.0)
    X = np.random.default_rng(0).random((5, 64))
    assert np.allclose(a.forward(X, training=True), a.forward(X, training=False))


def test_dropout_float32():
    d = Dropout(0.5, rng=0)
    Y = d.forward(np.ones((3, 4), np.float32), training=True)
    assert Y.dtype == np.float32 and d.backward(np.ones((3, 4), np.float32)).dtype == np.float32


# -- penalties ---------------------------------------------------------------------------------------------
def _data():
    X, y, Xv, yv = digits_data(100)
    return np.asarray(X, np.float64), np.asarray(y), np.asarray(Xv, np.float64), np.asarray(yv)


def _weights(net):
    return [p.data.copy() for _, p in net.named_parameters()]


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_l2_penalty_is_the_optimisers_coupled_weight_decay(opt):
    X, y, _, _ = _data()
    lam = 0.01
    a, b = mlp([64, 16, 10], rng=0), mlp([64, 16, 10], rng=0)
    lr = 0.1 if opt == "sgd" else 0.01
    fit(a, X, y, optimizer=opt, lr=lr, steps=30, batch_size=20, callbacks=[Penalty("l2", lam)])
    cls = SGD if opt == "sgd" else Adam
    fit(b, X, y, optimizer=cls(b, lr=lr, weight_decay=lam), steps=30, batch_size=20)
    assert all(np.allclose(u, v, rtol=1e-10, atol=1e-12) for u, v in zip(_weights(a), _weights(b)))


def test_decoupled_decay_differs_from_l2_with_adam_not_with_sgd():
    X, y, _, _ = _data()
    lam, lr = 0.05, 0.01
    l2, dec = mlp([64, 16, 10], rng=0), mlp([64, 16, 10], rng=0)
    fit(l2, X, y, optimizer=Adam(l2, lr=lr, weight_decay=lam), steps=50, batch_size=20)
    fit(dec, X, y, optimizer=AdamW(dec, lr=lr, weight_decay=lam), steps=50, batch_size=20)
    diff = max(np.abs(u - v).max() for u, v in zip(_weights(l2), _weights(dec)))
    assert diff > 1e-3


def test_penalty_value_and_l1_gradient():
    net = mlp([3, 2], rng=0)
    W = net[0].params["W"]
    assert penalty_value(net, "l2", 2.0) == pytest.approx(np.sum(W ** 2))
    assert penalty_value(net, "l1", 0.5) == pytest.approx(0.5 * np.abs(W).sum())
    net.forward(np.ones((1, 3)))
    net.backward(np.zeros((1, 2)))

    class S:
        model, history = net, dlcore.History()
    Penalty("l1", 0.1).on_backward(S)
    assert np.allclose(net[0].grads["W"], 0.1 * np.sign(W)) and np.allclose(net[0].grads["b"], 0)


def test_l1_makes_weights_sparse_l2_small():
    X, y, _, _ = _data()
    nets = {k: mlp([64, 50, 10], rng=0) for k in ("none", "l1", "l2")}
    cbs = {"none": [], "l1": [Penalty("l1", 3e-3)], "l2": [Penalty("l2", 3e-2)]}
    for k, net in nets.items():
        fit(net, X, y, lr=0.1, steps=600, batch_size=20, callbacks=cbs[k])
    W = {k: np.abs(n[0].params["W"]) for k, n in nets.items()}
    assert (W["l1"] < 1e-2).mean() > 2 * (W["none"] < 1e-2).mean()
    assert np.sqrt((W["l2"] ** 2).sum()) < 0.8 * np.sqrt((W["none"] ** 2).sum())


# -- max-norm, early stopping -------------------------------------------------------------------------
def test_max_norm_clips_columns_only_when_too_long():
    net = mlp([4, 3], rng=0, init="normal", init_kwargs={"std": 3.0})
    W = net[0].params["W"]
    W[:, 0] = [0.1, 0, 0, 0]
    n = max_norm_(net, 1.0)
    norms = np.linalg.norm(W, axis=0)
    assert np.all(norms <= 1.0 + 1e-12) and norms[0] == pytest.approx(0.1) and n == 2
    X, y, _, _ = _data()
    net = mlp([64, 16, 10], rng=0)
    fit(net, X, y, lr=0.5, steps=40, batch_size=20, callbacks=[MaxNorm(0.5)])
    assert np.linalg.norm(net[0].params["W"], axis=0).max() <= 0.5 + 1e-9


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y, Xv, yv = _data()
    net = mlp([64, 100, 10], rng=0)
    snaps = {}

    class Snap:
        def on_eval(self, state):
            snaps[state.step] = state.model.state_dict()

    es = EarlyStopping("val_loss", patience=3)
    h = fit(net, X, y, lr=0.3, steps=3000, batch_size=20, val=(Xv, yv), eval_every=20, callbacks=[Snap(), es])
    assert es.stopped_step is not None and h.steps == es.stopped_step < 3000
    assert h.steps - es.best_step == 3 * 20
    best = snaps[es.best_step]
    assert all(np.array_equal(v, net.state_dict()[k]) for k, v in best.items())
    vals = [e["val_loss"] for e in h.evals if e["step"] <= es.stopped_step]
    assert es.best_value == pytest.approx(min(vals))
    assert h.extra["early_stopping"]["best_step"] == es.best_step
    with pytest.raises(KeyError, match="val="):
        fit(mlp([64, 10], rng=0), X, y, steps=2, eval_every=1, callbacks=[EarlyStopping()])


# -- augmentation -------------------------------------------------------------------------------------
def test_shift_and_rotate():
    X = np.zeros((1, 64)); X[0, 3 * 8 + 2] = 1.0
    assert shift_images(X, 1, -1).reshape(8, 8)[4, 1] == 1.0
    assert shift_images(X, 0, 0).tolist() == X.tolist()
    assert np.allclose(rotate_images(X, 0), X)
    r = rotate_images(X, 90).reshape(8, 8)
    assert r[5, 3] == pytest.approx(1.0)               # (y3, x2) -> (y5, x3): counter-clockwise on screen
    assert np.allclose(rotate_images(rotate_images(X, 90), -90), X)
    Xd, _, _, _ = digits_data(50)
    R = rotate_images(Xd, 10)
    assert R.dtype == np.float32 and R.shape == Xd.shape and 0.85 < R.sum() / Xd.sum() < 1.05


def test_augment_shapes_labels_and_determinism():
    X, y, _, _ = digits_data(30)
    A, b = augment(X, y, copies=3, rng=0)
    A2, _ = augment(X, y, copies=3, rng=0)
    assert A.shape == (120, 64) and np.array_equal(b, np.tile(y, 4)) and np.array_equal(A, A2)
    assert np.array_equal(A[:30], X) and not np.array_equal(A[30:60], X)
    with pytest.raises(ValueError):
        augment(X, y[:-1])
