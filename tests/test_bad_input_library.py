"""Bad input to the library (issue 20, items 1 and 4): a clear dlcore error or a correct result,
never a silently wrong one.

Part (a): one test per case the issue lists for dlcore's builders, losses, training loop, data
loaders and gradient check; each asserts the error type and that the message names the argument
and the value given.

Part (b): hypothesis properties over the public API: for arbitrary input either the result
satisfies the function's invariants or a :class:`dlcore.errors.DlcoreError` with a non-empty
message is raised (never a bare NumPy/Python exception, never a hang: every example is small and
has a deadline). Examples per property (``max_examples``; the seed is fixed by ``derandomize``):

    validate scalars          300   (positive_int, nonneg_int, positive_float, nonneg_float,
                                     finite_float, fraction, boolean: 7 functions x the same inputs)
    validate arrays           200   (float_array, finite_data, class_labels, distributions)
    mlp / Linear builders     200
    get_activation / get_init 150
    losses                    200   (quadratic, bce_with_logits, softmax_cross_entropy)
    fit                       120   (tiny net, <= 8 rows, <= 6 steps)
    evaluate / predict        100
    load_csv on bytes         150   (arbitrary bytes and CSV-like text written to a tmp file)
    load_npz on bytes          60
    train_val_test_split      120
    check_module               60
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

import dlcore
from dlcore import (Linear, Module, check_module, evaluate, fit, get_activation, get_init, load_csv, load_npz,
                    mlp, predict)
from dlcore.errors import DataError, DlcoreError, InvalidArgument, InvalidType, MissingMethod, ShapeError
from dlcore.dataset import train_val_test_split
from dlcore.losses import bce_with_logits, quadratic, softmax_cross_entropy
from dlcore.train import LambdaCallback
from dlcore import validate as V

RNG = np.random.default_rng(0)
X8 = RNG.standard_normal((8, 2))
Y8 = np.array([0, 1, 2, 0, 1, 2, 0, 1])


def _net(sizes=(2, 3)):
    return mlp(list(sizes), rng=0)


def _says(exc, *parts):
    msg = str(exc.value)
    for p in parts:
        assert p in msg, f"{p!r} not in message: {msg}"


# --------------------------------------------------------------------------- (a) the cases
def test_mlp_float_sizes():
    with pytest.raises(InvalidType) as e:
        mlp([4.7, 3.2])
    _says(e, "sizes[0]", "4.7", "int")


def test_mlp_string_sizes():
    with pytest.raises(InvalidType) as e:
        mlp("43")
    _says(e, "sizes", "'43'")


def test_mlp_bool_width():
    with pytest.raises(InvalidType) as e:
        mlp([4, True, 3])
    _says(e, "sizes[1]", "True")


def test_linear_numpy_bool_and_numpy_int():
    with pytest.raises(InvalidType):
        Linear(np.bool_(True), 3, rng=0)
    assert Linear(np.int64(4), np.int32(3), rng=0).params["W"].shape == (4, 3)


def test_int_dtype_rejected():
    with pytest.raises(InvalidArgument) as e:
        mlp([4, 3], dtype=np.int64, rng=0)
    _says(e, "dtype", "int64", "floating")


def test_init_std_nan():
    with pytest.raises(InvalidArgument) as e:
        mlp([4, 3], init="normal", init_kwargs={"std": float("nan")}, rng=0)
    _says(e, "init_kwargs['std']", "nan")


def test_unknown_init_and_activation_suggest():
    with pytest.raises(InvalidArgument) as e:
        mlp([4, 3], init="hee", rng=0)
    _says(e, "initialiser", "'hee'", "Did you mean 'he'")
    with pytest.raises(InvalidArgument) as e:
        mlp([4, 3], activation="rleu", rng=0)          # checked even without a hidden layer
    _says(e, "activation", "'rleu'", "'relu'")
    with pytest.raises(InvalidType) as e:
        mlp([4, 3, 2], activation="leaky_relu", activation_kwargs={"slope": "0.1"}, rng=0)
    _says(e, "slope", "'0.1'")


def test_quadratic_label_minus_one():
    with pytest.raises(DataError) as e:
        fit(_net(), X8, np.array([0, 1, 2, -1, 1, 2, 0, 1]), loss="quadratic", steps=1)
    _says(e, "y", "-1", "0..2")


def test_integer_valued_float_labels_keep_accuracy():
    r = evaluate(_net(), X8, Y8.astype(float))
    assert "acc" in r and r == evaluate(_net(), X8, Y8)
    h = fit(_net(), X8, Y8.astype(float), steps=2)
    assert "train_acc" in h.evals[-1]


def test_epochs_negative():
    with pytest.raises(InvalidArgument) as e:
        fit(_net(), X8, Y8, epochs=-1)
    _says(e, "epochs", "-1")


def test_batch_size_float():
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, Y8, steps=1, batch_size=2.7)
    _says(e, "batch_size", "2.7")


def test_shuffle_string():
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, Y8, steps=1, shuffle="no")
    _says(e, "shuffle", "'no'")


def test_plain_function_callback_is_an_error_and_lambda_callback_works():
    def my_hook(state):
        pass
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, Y8, steps=1, callbacks=[my_hook])
    _says(e, "callbacks[0]", "my_hook", "LambdaCallback(on_step_end=fn)")
    seen = []
    fit(_net(), X8, Y8, steps=3, callbacks=[LambdaCallback(on_step_end=lambda s: seen.append(s.step))])
    assert seen == [1, 2, 3]
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, Y8, steps=1, callbacks=[object()])
    _says(e, "callbacks[0]", "object")


def test_soft_targets_must_be_distributions():
    Z = np.zeros((2, 2))
    with pytest.raises(DataError) as e:
        softmax_cross_entropy(Z, np.array([[1.0, 1.0], [0.5, 0.5]]))
    _says(e, "target", "sum to 1", "row 0 sums to 2")
    with pytest.raises(DataError) as e:
        softmax_cross_entropy(Z, np.array([[2.0, -1.0], [0.5, 0.5]]))
    _says(e, "non-negative", "-1")
    with pytest.raises(DataError):
        fit(_net((2, 2)), X8[:2], np.array([[1.0, 1.0], [0.5, 0.5]]), steps=1)


def test_eval_every_negative():
    with pytest.raises(InvalidArgument) as e:
        fit(_net(), X8, Y8, steps=1, eval_every=-3)
    _says(e, "eval_every", "-3")


def _csv(tmp_path, name, labels):
    p = tmp_path / name
    p.write_text("\n".join(f"{i * 0.1:.1f},{i % 3 * 0.5:.1f},{v}" for i, v in enumerate(labels)) + "\n")
    return p


def test_csv_labels_minus_one_zero(tmp_path):
    with pytest.raises(DataError) as e:
        load_csv(_csv(tmp_path, "a.csv", [-1, 0] * 5))
    _says(e, "a.csv", "-1..0", "task='regression'")
    assert load_csv(_csv(tmp_path, "a.csv", [-1, 0] * 5), task="regression").task == "regression"


def test_csv_label_1e30(tmp_path):
    with pytest.raises(DataError) as e:
        load_csv(_csv(tmp_path, "b.csv", [0, 1] * 5 + ["1e30"]))
    _says(e, "b.csv", "1e+30")
    with pytest.raises(DataError) as e:
        load_csv(_csv(tmp_path, "b.csv", [0, 1] * 5 + ["1e30"]), task="classification")
    _says(e, "1e+30", "10000")


def test_csv_labels_0_1000(tmp_path):
    with pytest.raises(DataError) as e:
        load_csv(_csv(tmp_path, "c.csv", [0, 1000] * 5))
    _says(e, "c.csv", "0..1000", "gaps")


def test_check_module_float32():
    with pytest.raises(InvalidArgument) as e:
        check_module(mlp([3, 2], rng=0, dtype=np.float32), np.ones((2, 3)))
    _says(e, "float32", "float64", "0.W")


def test_check_module_zero_rows():
    with pytest.raises(DataError) as e:
        check_module(mlp([3, 2], rng=0), np.ones((0, 3)))
    _says(e, "X", "empty", "(0, 3)")


def test_nan_in_X_is_a_data_error_before_training():
    X = X8.copy()
    X[3, 1] = np.nan
    seen = []
    with pytest.raises(DataError) as e:
        fit(_net(), X, Y8, steps=5, callbacks=[LambdaCallback(on_step_end=lambda s: seen.append(s.step))])
    _says(e, "X", "1 NaN or inf", "row 3, column 1")
    assert not seen and not isinstance(e.value, dlcore.DivergenceError)


def test_empty_X():
    with pytest.raises(DataError) as e:
        fit(_net(), np.zeros((0, 2)), np.zeros(0, int), steps=1)
    _says(e, "X", "empty")
    for loss in (quadratic, bce_with_logits, softmax_cross_entropy):
        with pytest.raises(DataError) as e:
            loss(np.zeros((0, 2)), np.zeros((0, 2)))
        _says(e, "empty")


def test_val_not_a_pair():
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, Y8, steps=1, val=X8)
    _says(e, "val", "pair (X, y)", "shape (8, 2)")


def test_y_none():
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, None, steps=1)
    _says(e, "y", "None")


def test_lr_string():
    with pytest.raises(InvalidType) as e:
        fit(_net(), X8, Y8, steps=1, lr="0.1")
    _says(e, "lr", "'0.1'", "without quotes")


def test_module_without_backward():
    class NoBackward(Module):
        def forward(self, X, training=None):
            return X
    with pytest.raises(MissingMethod) as e:
        fit(NoBackward(), X8, Y8, steps=1)
    _says(e, "NoBackward", "backward")
    with pytest.raises(NotImplementedError):
        NoBackward().backward(X8)


def test_load_csv_binary_utf16_latin1_directory(tmp_path):
    rows = "\n".join(f"{i * 0.1:.1f},{i % 2}" for i in range(12))
    b = tmp_path / "bin.csv"
    b.write_bytes(bytes(range(256)))
    with pytest.raises(DataError) as e:
        load_csv(b)
    _says(e, "bin.csv", "not a text file")
    u = tmp_path / "u16.csv"
    u.write_bytes(("x,y\n" + rows).encode("utf-16"))
    assert load_csv(u).n_classes == 2                      # UTF-16 with a BOM is read
    la = tmp_path / "l1.csv"
    la.write_bytes(("café,y\n" + rows).encode("latin-1"))
    with pytest.raises(DataError) as e:
        load_csv(la)
    _says(e, "l1.csv", "not UTF-8", "0xe9", "encoding='latin-1'")
    assert load_csv(la, encoding="latin-1").n_classes == 2
    with pytest.raises(DataError) as e:
        load_csv(tmp_path)
    _says(e, str(tmp_path), "is a directory")


def test_load_npz_on_text(tmp_path):
    p = tmp_path / "t.npz"
    p.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(DataError) as e:
        load_npz(p)
    _says(e, "t.npz", "not an .npz file", "load_csv")
    assert "pickle" not in str(e.value)


def test_errors_are_value_and_type_errors():
    assert issubclass(InvalidArgument, ValueError) and issubclass(DataError, ValueError)
    assert issubclass(InvalidType, TypeError) and issubclass(ShapeError, ValueError)
    assert issubclass(dlcore.DivergenceError, DlcoreError) and issubclass(dlcore.DivergenceError, FloatingPointError)


# --------------------------------------------------------------------------- (b) properties
ANY_SCALAR = st.one_of(
    st.integers(-10**30, 10**30), st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(), st.text(max_size=5), st.just(10**400), st.complex_numbers(max_magnitude=10),
    st.sampled_from([np.int64(3), np.int32(0), np.float32(0.5), np.float64(-1.0), np.bool_(True), np.float64("nan"),
                     np.array(2), np.array([1, 2]), [1], (2,), "0.1", "43", b"1"]))


def _dlcore_error(exc):
    assert isinstance(exc, DlcoreError), f"bare {type(exc).__name__}: {exc}"
    assert str(exc).strip()
    event(f"raised {type(exc).__name__}")


def _prop(n):
    return settings(max_examples=n, deadline=2000, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@_prop(300)
@given(ANY_SCALAR)
def test_prop_validate_scalars(v):
    checks = {
        "positive_int": (V.positive_int, lambda r: type(r) is int and r >= 1),
        "nonneg_int": (V.nonneg_int, lambda r: type(r) is int and r >= 0),
        "positive_float": (V.positive_float, lambda r: type(r) is float and math.isfinite(r) and r > 0),
        "nonneg_float": (V.nonneg_float, lambda r: type(r) is float and math.isfinite(r) and r >= 0),
        "finite_float": (V.finite_float, lambda r: type(r) is float and math.isfinite(r)),
        "fraction": (V.fraction, lambda r: type(r) is float and 0 <= r <= 1),
        "boolean": (V.boolean, lambda r: type(r) is bool),
    }
    for name, (fn, ok) in checks.items():
        try:
            r = fn("arg", v)
        except Exception as e:
            _dlcore_error(e)
            assert "arg" in str(e)
        else:
            event(f"accepted by {name}")
            assert ok(r), (name, v, r)
            if name.endswith("_int"):
                assert not isinstance(v, (bool, np.bool_, float, str)) and r == v


ARRAYS = st.one_of(
    st.lists(st.one_of(st.integers(-5, 5), st.floats(-1e6, 1e6), st.floats()), max_size=6),
    st.lists(st.lists(st.floats(-3, 3), min_size=0, max_size=3), max_size=4),     # possibly ragged
    st.lists(st.text(max_size=2), max_size=3), st.none(), st.text(max_size=3),
    st.integers(0, 5).map(lambda n: np.arange(n) % 3), st.sampled_from([np.zeros((0, 2)), np.array([1 + 2j]),
                                                                      np.array([True, False]), np.ones((2, 2, 2))]))


@_prop(200)
@given(ARRAYS, st.integers(1, 4))
def test_prop_validate_arrays(X, k):
    try:
        A = V.float_array("X", X)
    except Exception as e:
        _dlcore_error(e)
        return
    assert A.dtype.kind == "f" and A.size > 0
    event("float_array accepted")
    for fn, ok in ((lambda: V.finite_data("X", A), lambda r: np.isfinite(r).all()),
                   (lambda: V.class_labels("y", X, n_classes=k), lambda r: r.dtype == np.int64 and r.ndim == 1
                    and ((r >= 0) & (r < k)).all()),
                   (lambda: V.distributions("Y", A), lambda r: (r >= 0).all()
                    and np.allclose(r.sum(-1), 1, atol=1e-6))):
        try:
            r = fn()
        except Exception as e:
            _dlcore_error(e)
        else:
            assert ok(r)


SIZE = st.one_of(st.integers(-2, 6), st.floats(-2, 6), st.booleans(), st.text(max_size=2), st.none(),
                 st.sampled_from([np.int64(3), np.float64(2.0), np.bool_(False)]))
DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.int32, bool, "float64", "f4", "int8", "complex128",
                          "nonsense", None, object, np.float16])
ACTS = st.one_of(st.sampled_from(dlcore.activation_names()), st.text(max_size=6), st.none(), st.integers())
INITS = st.one_of(st.sampled_from(["he", "xavier", "normal", "uniform", "constant", "lecun", "zeros"]),
                  st.text(max_size=5), st.none())
KW_VAL = st.one_of(st.floats(allow_nan=True), st.integers(-3, 3), st.text(max_size=3), st.none(), st.booleans())
INIT_KW = st.one_of(st.none(), st.dictionaries(st.sampled_from(["std", "a", "value", "gain", "scale", "sd"]),
                                               KW_VAL, max_size=2), st.integers())


def _corrupt(data, valid: dict, bad: dict, k: int = 2) -> dict:
    """``valid`` with up to ``k`` of its entries replaced by a draw from ``bad`` (most examples keep
    most arguments valid, so the success path is exercised too, not only the first check to fail)."""
    keys = data.draw(st.sets(st.sampled_from(sorted(bad)), max_size=k), label="corrupted")
    return {**valid, **{key: data.draw(bad[key], label=key) for key in keys}}


@_prop(200)
@given(st.data())
def test_prop_mlp(data):
    valid = {"sizes": data.draw(st.lists(st.integers(1, 5), min_size=2, max_size=4), label="sizes"),
             "activation": data.draw(st.sampled_from(dlcore.activation_names()), label="activation"),
             "init": "he", "init_kwargs": None, "dtype": np.float64, "bias": 0.0}
    bad = {"sizes": st.one_of(st.lists(SIZE, max_size=4), SIZE, st.text(max_size=3)), "activation": ACTS,
           "init": INITS, "init_kwargs": INIT_KW, "dtype": DTYPES,
           "bias": st.one_of(st.floats(), st.integers(-2, 2), st.text(max_size=2))}
    kw = _corrupt(data, valid, bad)
    if kw["activation"] in ("prelu", "swish") and kw["dtype"] is not np.float64:
        kw["activation"] = "tanh"
    try:
        net = mlp(rng=0, **kw)
    except Exception as e:
        _dlcore_error(e)
        return
    event("built")
    sizes = kw["sizes"]
    lin = [l for l in net.layers if isinstance(l, Linear)]
    assert [l.n_in for l in lin] + [lin[-1].n_out] == [int(s) for s in sizes]
    assert all(type(s) is not bool and float(s) == int(s) and int(s) >= 1 for s in sizes)
    for l in lin:
        assert l.params["W"].dtype.kind == "f" and np.isfinite(l.params["W"]).all() and np.isfinite(l.params["b"]).all()
    Y = net.forward(np.ones((2, lin[0].n_in), dtype=l.params["W"].dtype))
    assert Y.shape == (2, lin[-1].n_out)


NAMES = st.sampled_from(dlcore.activation_names())


@_prop(150)
@given(st.one_of(NAMES, NAMES, NAMES, ACTS), st.dictionaries(st.sampled_from(["slope", "alpha", "beta", "temperature", "threshold", "lower", "upper",
                                              "approximate", "learn_beta", "bogus"]), KW_VAL, max_size=2),
       INITS, INIT_KW)
def test_prop_get_activation_and_init(name, params, init, init_kwargs):
    try:
        act = get_activation(name, **params)
    except Exception as e:
        _dlcore_error(e)
    else:
        Y = act.forward(np.linspace(-2, 2, 10).reshape(2, 5))
        assert Y.shape == (2, 5)
        event("activation built")
    try:
        fn = get_init(init, **(init_kwargs if isinstance(init_kwargs, dict) else {}))
        W = fn((3, 4), 3, 4, rng=0)
    except Exception as e:
        _dlcore_error(e)
    else:
        assert W.shape == (3, 4) and np.isfinite(W).all()
        event("init built")


# finite values up to 1e6 in size, and nan/inf: how the losses' arithmetic overflows for finite values
# near 1e308 is numerics, not input checking (the test config turns those RuntimeWarnings into errors)
FLOATS = st.floats(-1e6, 1e6)
NONFINITE = st.sampled_from([float("nan"), float("inf"), -float("inf")])
TARGETS = st.one_of(
    st.lists(st.one_of(st.integers(-2, 4), st.floats(-2, 4), NONFINITE), min_size=0, max_size=4),
    st.lists(st.lists(st.one_of(FLOATS, NONFINITE), min_size=1, max_size=3), min_size=1, max_size=4),
    st.none(), st.text(max_size=3))


def _targets(data, n, k, label="Y"):
    """Targets for n rows and k outputs: mostly valid for some loss (labels, one-hot, soft, 0/1,
    real values), sometimes arbitrary (TARGETS)."""
    mode = data.draw(st.sampled_from(["labels", "labels", "onehot", "soft", "binary", "real", "arbitrary"]),
                     label=f"{label} kind")
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n), label=label), dtype=np.int64)
    if mode == "labels":
        return labels
    if mode == "onehot":
        return np.eye(k)[labels]
    if mode == "soft":
        P = np.array(data.draw(st.lists(st.floats(0.01, 1), min_size=n * k, max_size=n * k))).reshape(n, k)
        return P / P.sum(1, keepdims=True)
    if mode == "binary":
        return np.array(data.draw(st.lists(st.floats(0, 1), min_size=n * k, max_size=n * k))).reshape(n, k)
    if mode == "real":
        return np.array(data.draw(st.lists(FLOATS, min_size=n * k, max_size=n * k))).reshape(n, k)
    return data.draw(TARGETS, label=label)


@_prop(200)
@given(st.integers(0, 3), st.integers(1, 3), st.data(), st.sampled_from(["mean", "mean", "sum", "avg", None]))
def test_prop_losses(n, k, data, reduction):
    Z = np.array(data.draw(st.lists(FLOATS, min_size=n * k, max_size=n * k)), dtype=float).reshape(n, k)
    Y = _targets(data, n, k)
    for loss in (quadratic, bce_with_logits, softmax_cross_entropy):
        try:
            value, grad = loss(Z, Y, reduction=reduction)
        except Exception as e:
            _dlcore_error(e)
        else:
            event(f"{loss.__name__} computed")
            assert math.isfinite(value) and np.isfinite(grad).all() and grad.shape == Z.shape
            A = np.asarray(Y)
            if loss is softmax_cross_entropy:
                assert value >= -1e-9
                assert (A.ndim == 2 and (A >= 0).all() and np.allclose(A.sum(1), 1)) or \
                    (A.ndim == 1 and np.all(A == np.round(A)) and A.min() >= 0 and A.max() < k)
            if loss is bce_with_logits:
                assert ((A >= 0) & (A <= 1)).all()


COUNT = st.one_of(st.integers(-2, 6), st.floats(-1, 4), st.booleans(), st.text(max_size=2), st.none(),
                  st.sampled_from([np.int64(2), np.bool_(True)]))
FIT_BAD = {
    "epochs": COUNT, "steps": COUNT, "batch_size": COUNT, "eval_every": COUNT,
    "lr": st.one_of(st.floats(allow_nan=True), st.text(max_size=3), st.none(), st.sampled_from([0.5, "0.1", -1])),
    "shuffle": st.one_of(st.text(max_size=2), st.none(), st.integers(0, 1), st.just(np.bool_(False))),
    "loss": st.sampled_from(["quadratic", "bce", "mse", "hinge", None, 3]),
    "val": st.sampled_from(["X", "pair", "triple", 3]),
    "callbacks": st.sampled_from([[lambda s: None], "cb", None, [LambdaCallback(on_eval=lambda s: None)], [object()]]),
    "rng": st.sampled_from([-1, 1.5, "0", None, np.random.default_rng(1)]),
    "X": st.sampled_from(["nan", "empty", "1d", "ints", "strings", "wide"]),
    "y": st.sampled_from(["none", "negative", "too big", "float", "soft", "short", "strings"]),
}


@_prop(120)
@given(st.integers(1, 8), st.data())
def test_prop_fit(n, data):
    X = np.array(data.draw(st.lists(st.floats(-5, 5), min_size=2 * n, max_size=2 * n), label="X")).reshape(n, 2)
    y = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n), label="y"))
    valid = {"epochs": None, "steps": data.draw(st.integers(1, 6), label="steps"), "batch_size": 4,
             "eval_every": None, "lr": 0.1, "shuffle": True, "loss": "cross_entropy", "val": None, "callbacks": (),
             "rng": 0, "X": "ok", "y": "ok"}
    kw = _corrupt(data, valid, FIT_BAD)
    if isinstance(kw["epochs"], (int, np.integer)) and not isinstance(kw["epochs"], bool) and kw["epochs"] > 2:
        kw["epochs"] = 2
    if isinstance(kw["steps"], (int, np.integer)) and not isinstance(kw["steps"], bool) and kw["steps"] > 6:
        kw["steps"] = 6
    X = {"ok": X, "nan": np.where(np.arange(X.size).reshape(X.shape) == 0, np.nan, X), "empty": X[:0],
         "1d": X[:, 0], "ints": np.round(X).astype(int), "strings": X.astype(str), "wide": np.c_[X, X]}[kw.pop("X")]
    y = {"ok": y, "none": None, "negative": y - 1, "too big": y + 3, "float": y.astype(float), "short": y[:-1],
         "soft": np.eye(3)[y] * 2, "strings": y.astype(str)}[kw.pop("y")]
    kw["val"] = {"X": X, "pair": (X, y), "triple": (X, y, y)}.get(kw["val"], kw["val"]) if kw["val"] is not None \
        else None
    try:
        h = fit(_net(), X, y, on_divergence="stop", **kw)
    except Exception as e:
        _dlcore_error(e)
        return
    event("trained")
    assert np.isfinite(X).all() and X.shape == (n, 2)
    assert (kw["epochs"] is None) != (kw["steps"] is None)
    assert h.steps >= 1 and len(h.loss) == h.steps
    if kw["steps"] is not None:
        assert h.steps == kw["steps"] or h.divergence is not None
    if h.divergence is None:
        assert np.isfinite(h.loss).all() and h.evals


@_prop(100)
@given(st.integers(0, 4), st.data(), st.sampled_from(["cross_entropy", "cross_entropy", "quadratic", "bce", "nope"]))
def test_prop_evaluate_predict(n, data, loss):
    X = np.array(data.draw(st.lists(st.floats(-5, 5), min_size=2 * n, max_size=2 * n)), dtype=float).reshape(n, 2)
    net = _net()
    out = predict(net, X)
    assert out.shape == (n, 3)
    y = _targets(data, n, 3, "y")
    try:
        r = evaluate(net, X, y, loss=loss)
    except Exception as e:
        _dlcore_error(e)
    else:
        event("evaluated")
        assert n >= 1 and math.isfinite(r["loss"])
        if "acc" in r:
            assert 0 <= r["acc"] <= 1 and np.asarray(y).ndim == 1


CELL_BAD = st.sampled_from(["", "nan", "inf", "1e30", "a", " 2 ", "1,5", '"3"', "é", "-1", "1000", "0.5"])


@st.composite
def csv_bytes(draw):
    """A numeric table (4-12 rows, 2-4 columns, last column labels 0..2), then up to two cells
    replaced by odd tokens, an optional header, and one of four encodings (or raw random bytes)."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=300))
    n, w = draw(st.integers(4, 12)), draw(st.integers(2, 4))
    rows = [[f"{draw(st.floats(-10, 10)):.3g}" for _ in range(w - 1)] + [str(draw(st.integers(0, 2)))]
            for _ in range(n)]
    for _ in range(draw(st.integers(0, 2))):
        rows[draw(st.integers(0, n - 1))][draw(st.integers(0, w - 1))] = draw(CELL_BAD)
    if draw(st.booleans()):
        rows.insert(0, [f"c{j}" for j in range(w - 1)] + ["y"])
    text = "\n".join(",".join(r) for r in rows)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"])), errors="replace")


@_prop(150)
@given(csv_bytes(), st.sampled_from([None] * 5 + ["latin-1", "utf-8", "klingon"]),
       st.sampled_from([-1] * 6 + [0, 5, "y", 1.5, True]), st.sampled_from(["infer"] * 6 + [True, False, "yes"]),
       st.sampled_from([None, None, "classification", "regression"]))
def test_prop_load_csv_bytes(tmp_path_factory, raw, encoding, target, header, task):
    p = tmp_path_factory.mktemp("csv") / "f.csv"
    p.write_bytes(raw)
    kw = {"task": task} if task else {}
    try:
        ds = load_csv(p, target=target, header=header, encoding=encoding, **kw)
    except Exception as e:
        _dlcore_error(e)
        return
    event(f"loaded: {ds.task}")
    assert ds.X_train.ndim == 2 and len(ds.X_train) + len(ds.X_val) + len(ds.X_test) >= 5
    assert all(np.isfinite(a).all() for a in (ds.X_train, ds.X_val, ds.X_test, ds.y_train, ds.y_val, ds.y_test))
    if ds.task == "classification":
        labels = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
        assert labels.dtype == np.int64 and labels.min() >= 0 and labels.max() < V.MAX_CLASSES
        if task is None:
            assert set(labels.tolist()) == set(range(ds.n_classes))


@_prop(60)
@given(st.one_of(st.binary(max_size=200), st.just(b"PK\x03\x04junk"), st.just(b"\x93NUMPY\x01\x00")))
def test_prop_load_npz_bytes(tmp_path_factory, raw):
    p = tmp_path_factory.mktemp("npz") / "f.npz"
    p.write_bytes(raw)
    with pytest.raises(DlcoreError) as e:
        load_npz(p)
    assert str(e.value).strip()


@_prop(120)
@given(st.sampled_from(list(range(5, 16)) + [0, 1, 2, 3, 4]), st.data(),
       st.sampled_from([None] * 4 + ["classification", "regression", "other", 3]),
       st.sampled_from([(0.6, 0.2, 0.2)] * 6 + [(0.5, 0.5, 0.0), (1, 1, 1), "ab", (0.2, 0.2), None]))
def test_prop_split(n, data, task, fractions):
    mode = data.draw(st.sampled_from(["classes", "classes", "real", "arbitrary"]))
    if mode == "classes":
        y = np.array(data.draw(st.permutations(list(np.arange(n) % 3))),
                     dtype=data.draw(st.sampled_from([np.int64, np.float64])))
    elif mode == "real":
        y = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n)))
    else:
        y = np.array(data.draw(st.lists(st.one_of(st.integers(-2, 3), st.sampled_from([0.5, 1e30, 1000.0, np.nan])),
                                        min_size=n, max_size=n)))
    X = np.arange(2 * n, dtype=float).reshape(n, 2)
    try:
        ds = train_val_test_split(X, y, fractions=fractions, task=task, rng=0)
    except Exception as e:
        _dlcore_error(e)
        return
    event(f"split: {ds.task}")
    assert len(ds.X_train) + len(ds.X_val) + len(ds.X_test) == n
    if ds.task == "classification":
        labels = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
        assert labels.min() >= 0 and ds.n_classes == labels.max() + 1
        assert sorted(labels.tolist()) == sorted(y.astype(np.int64).tolist())


@_prop(60)
@given(st.sampled_from([1, 2, 3] * 3 + [0]), st.integers(1, 4), st.data(),
       st.sampled_from([np.float64] * 4 + [np.float32]),
       st.sampled_from([1e-6] * 6 + [0.0, -1e-6, float("nan"), float("inf"), "1e-6", None]))
def test_prop_check_module(n, d, data, dtype, h):
    X = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=n * d, max_size=n * d)), dtype=float).reshape(n, d)
    if n and data.draw(st.integers(0, 5)) == 0:
        X[0, 0] = np.inf
    net = mlp([d, 2], activation="tanh", rng=0, dtype=dtype)
    try:
        rep = check_module(net, X, h=h)
    except Exception as e:
        _dlcore_error(e)
        return
    event("checked")
    assert n >= 1 and dtype is np.float64 and np.isfinite(X).all()
    assert rep.results and all(r.analytic.shape == r.numeric.shape for r in rep.results)
    if h == 1e-6:
        assert rep.passed(1e-6)
