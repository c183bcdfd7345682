import numpy as np
import pytest

import dlcore
from dlcore import DivergenceError, fit, mlp, moons


def test_fit_learns_moons():
    ds = moons(n=400, noise=0.1, rng=0, dtype=np.float64)
    net = mlp([2, 16, 16, 2], activation="tanh", init="xavier", rng=0)
    h = fit(net, ds.X_train, ds.y_train, lr=0.3, epochs=150, batch_size=32, rng=0,
            val=(ds.X_val, ds.y_val), eval_every=100)
    assert h.evals[-1]["val_acc"] > 0.95
    assert np.mean(h.loss[-20:]) < 0.3 * np.mean(h.loss[:20])
    steps, acc = h.eval_series("val_acc")
    assert steps[0] == 100 and len(acc) == len(h.evals)


def test_same_seed_same_history_bitwise():
    ds = moons(n=200, rng=1, dtype=np.float64)
    runs = []
    for _ in range(2):
        net = mlp([2, 8, 2], rng=5)
        runs.append(fit(net, ds.X_train, ds.y_train, lr=0.1, steps=50, batch_size=16, rng=7).loss)
    assert runs[0] == runs[1]


def test_divergence_reports_step_layer_and_hint():
    ds = moons(n=200, rng=1, dtype=np.float64)
    net = mlp([2, 32, 32, 2], activation="relu", init="normal", init_kwargs={"std": 3.0}, rng=0)
    with pytest.raises(DivergenceError) as err:
        fit(net, ds.X_train, ds.y_train, loss="quadratic", lr=5.0, steps=500, batch_size=32, rng=0)
    d = err.value.divergence
    assert d.step > 1 and d.step < 500
    assert "learning rate" in d.hint
    assert f"step {d.step}" in str(err.value)
    assert d.where in ("loss", "forward", "gradient")
    h = fit(mlp([2, 32, 32, 2], activation="relu", init="normal", init_kwargs={"std": 3.0}, rng=0),
            ds.X_train, ds.y_train, loss="quadratic", lr=5.0, steps=500, batch_size=32, rng=0,
            on_divergence="stop")
    assert h.divergence.step == d.step and len(h.loss) == d.step


def test_divergence_names_the_layer_of_an_overflowing_forward():
    X = np.full((4, 2), 1e200)
    net = mlp([2, 3, 2], activation="relu", init="constant", init_kwargs={"value": 1e200}, rng=0)
    h = fit(net, X, np.array([0, 1, 0, 1]), steps=1, on_divergence="stop")
    assert h.divergence.step == 1 and h.divergence.layer == "0:Linear"
    assert "initial weights" in h.divergence.hint


def test_callbacks_and_diagnostics():
    ds = moons(n=200, rng=2, dtype=np.float64)
    net = mlp([2, 8, 8, 2], activation="sigmoid", init="xavier", rng=0)

    class StopAt:
        def __init__(self):
            self.seen = []

        def on_backward(self, state):
            self.seen.append(state.step)

        def on_step_end(self, state):
            if state.step == 7:
                state.stop = True

    cb = StopAt()
    h = fit(net, ds.X_train, ds.y_train, lr=0.5, steps=100, rng=0, callbacks=[cb], diagnostics=2)
    assert h.steps == 7 and cb.seen == list(range(1, 8))
    assert [d["step"] for d in h.diagnostics] == [2, 4, 6]
    rec = h.diagnostics[0]["layers"]
    assert rec[0]["kind"] == "param" and rec[0]["grad_norm"] > 0 and 0 < rec[0]["update_ratio"] < 1
    assert rec[1]["kind"] == "activation" and 0 <= rec[1]["saturated"] <= 1
    s, v = h.diag_series(0, "grad_norm")
    assert list(s) == [2, 4, 6] and np.all(v > 0)


def test_dead_relu_fraction_is_measured():
    net = mlp([2, 10, 2], activation="relu", bias=-100.0, rng=0)   # every unit dead
    X = np.random.default_rng(0).standard_normal((20, 2))
    out = net.forward(X)
    net.backward(np.ones_like(out))
    stats = dlcore.layer_stats(net)
    assert stats[1]["dead"] == 1.0


def test_bad_arguments():
    X, y = np.zeros((10, 2)), np.zeros(10, dtype=int)
    net = mlp([2, 2], rng=0)
    with pytest.raises(ValueError, match="exactly one of epochs= or steps="):
        fit(net, X, y)
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        fit(net, X, y[:9], steps=1)
    with pytest.raises(ValueError, match="learning rate must be a positive"):
        fit(net, X, y, steps=1, lr=-1)


def test_evaluate_quadratic_with_labels_uses_one_hot():
    net = mlp([2, 3], rng=0)
    X = np.random.default_rng(0).standard_normal((6, 2))
    res = dlcore.evaluate(net, X, np.array([0, 1, 2, 0, 1, 2]), loss="quadratic")
    assert 0 <= res["acc"] <= 1 and res["loss"] > 0


def test_progress_callback_reports_fractions():
    from dlcore.train import Progress
    ds = moons(n=100, rng=0, dtype=np.float64)
    seen = []
    fit(mlp([2, 4, 2], rng=0), ds.X_train, ds.y_train, steps=40, rng=0, callbacks=[Progress(seen.append, 40, every=10)])
    assert seen == [0.25, 0.5, 0.75, 1.0]


def test_nonfinite_gradient_inside_a_nested_module_is_found():
    from dlcore.divergence import find_nonfinite_grad as _find_nonfinite_grad, grads_finite as _grads_finite
    inner = dlcore.Sequential(dlcore.Linear(3, 3, rng=0), dlcore.get_activation("tanh"))
    net = dlcore.Sequential(dlcore.Linear(3, 3, rng=1), inner, dlcore.Linear(3, 2, rng=2))
    X = np.ones((2, 3))
    net.backward(np.ones_like(net.forward(X)))
    assert _grads_finite(net) and _find_nonfinite_grad(net) is None
    inner.layers[0].grads["W"][1, 1] = np.nan
    assert not _grads_finite(net)
    assert _find_nonfinite_grad(net) == "1:Sequential.0.W"


def test_eval_train_false_skips_the_training_set():
    ds = moons(n=100, rng=0, dtype=np.float64)
    h = fit(mlp([2, 4, 2], rng=0), ds.X_train, ds.y_train, steps=10, rng=0, val=(ds.X_val, ds.y_val),
            eval_train=False)
    assert "val_acc" in h.evals[-1] and "train_acc" not in h.evals[-1]
