"""The contract every dlcore module keeps, checked for every module class dlcore has.

Classes are discovered from the package, so a layer added by a later chapter
is tested here the moment it exists (it must provide ``example``).
"""
import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pytest

import dlcore
from dlcore import Activation, Module, check_module

SKIP_PACKAGES = ("dlcore.experiments", "dlcore.exercises")


def _all_module_classes():
    for info in pkgutil.walk_packages(dlcore.__path__, "dlcore."):
        if not info.name.startswith(SKIP_PACKAGES):
            importlib.import_module(info.name)
    seen, out = set(), []

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            walk(sub)
            if sub.__module__.startswith(SKIP_PACKAGES) or sub.__name__.startswith("_"):
                continue
            if sub is Activation or inspect.isabstract(sub):
                continue
            if not sub.__module__.startswith("dlcore."):
                continue  # test-local subclasses
            out.append(sub)
    walk(Module)
    return sorted(out, key=lambda c: (c.__module__, c.__name__))


CLASSES = _all_module_classes()
ACT_CLASSES = [c for c in CLASSES if issubclass(c, Activation)]
IDS = [c.__name__ for c in CLASSES]


def test_discovery_finds_the_core():
    names = {c.__name__ for c in CLASSES}
    assert {"Linear", "Sequential", "Sigmoid", "Tanh", "ReLU", "Identity"} <= names


def _inputs(shape, rng, scale=1.5):
    X = scale * rng.standard_normal(shape)
    # keep off the kinks (ReLU at 0) by more than the finite-difference step
    X[np.abs(X) < 1e-3] = 1e-3
    return X


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_gradient_check_float64(cls):
    rng = np.random.default_rng(0)
    module, shape = cls.example(rng, np.float64)
    report = check_module(module, _inputs(shape, rng), rng=1, training=getattr(module, "gradcheck_training", True))
    assert report.passed(1e-6), f"{cls.__name__}\n{report.table()}"


@pytest.mark.parametrize("cls", ACT_CLASSES, ids=[c.__name__ for c in ACT_CLASSES])
def test_activation_large_inputs_gradient(cls):
    rng = np.random.default_rng(2)
    module, _ = cls.example(rng, np.float64)
    X = np.concatenate([np.linspace(-1000, 1000, 41), 3 * rng.standard_normal(40)]).reshape(9, 9)
    X[np.abs(X) < 1e-3] = 1e-3
    report = check_module(module, X, rng=3, training=getattr(module, "gradcheck_training", True))
    assert report.passed(1e-6), report.table()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ACT_CLASSES, ids=[c.__name__ for c in ACT_CLASSES])
def test_activation_finite_and_silent_at_extremes(cls, dtype):
    module, _ = cls.example(np.random.default_rng(0), dtype)
    X = np.array([[-1000, -100, -30, -1, 0, 1, 30, 100, 1000]], dtype=dtype)
    # underflow to 0 (e.g. exp(-1000)) is the right answer and stays allowed
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        Y = module.forward(X, training=False)
        dX = module.backward(np.ones_like(Y))
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(dX))
    assert Y.dtype == dtype and dX.dtype == dtype


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_no_mutation_of_caller_arrays(cls):
    rng = np.random.default_rng(4)
    module, shape = cls.example(rng, np.float64)
    X = _inputs(shape, rng)
    X0 = X.copy()
    Y = module.forward(X)
    dY = rng.standard_normal(Y.shape)
    dY0 = dY.copy()
    module.backward(dY)
    assert np.array_equal(X, X0), "forward/backward changed the input"
    assert np.array_equal(dY, dY0), "backward changed dY"


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_params_grads_buffers_contract(cls):
    rng = np.random.default_rng(5)
    module, shape = cls.example(rng, np.float64)
    for m in module.modules():
        assert set(m.params) == set(m.grads), f"{type(m).__name__}: params and grads keys differ"
        assert not set(m.params) & set(m.buffers), "a buffer shares a name with a parameter"
    Y = module.forward(_inputs(shape, rng))
    module.backward(np.ones_like(Y))
    for name, param in module.named_parameters():
        p, g = param.data, param.grad
        assert g is not None and g.shape == p.shape and g.dtype == p.dtype, name


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_train_eval_modes(cls):
    rng = np.random.default_rng(6)
    module, shape = cls.example(rng, np.float64)
    X = _inputs(shape, rng)
    module.eval()
    assert all(not m.training for m in module.modules())
    Ye1 = module.forward(X)
    Ye2 = module.forward(X)
    assert np.array_equal(Ye1, Ye2), "evaluation mode must be deterministic"
    module.forward(X, training=True)
    assert not module.training, "forward(training=...) must not change the mode"
    module.train()
    assert all(m.training for m in module.modules())
    Yt = module.forward(X)
    if not getattr(module, "stochastic", False) and not module.buffers:
        assert np.allclose(Yt, Ye1), "a deterministic module without buffers behaves the same in both modes"


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_determinism_under_a_seed(cls):
    outs = []
    for _ in range(2):
        rng = np.random.default_rng(7)
        module, shape = cls.example(rng, np.float64)
        X = _inputs(shape, rng)
        Y = module.forward(X, training=True)
        module.backward(np.ones_like(Y))
        outs.append((Y, [p.data.copy() for _, p in module.named_parameters()],
                     [p.grad.copy() for _, p in module.named_parameters()]))
    (Y1, P1, G1), (Y2, P2, G2) = outs
    assert np.array_equal(Y1, Y2)
    assert all(np.array_equal(a, b) for a, b in zip(P1, P2))
    assert all(np.array_equal(a, b) for a, b in zip(G1, G2))


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_float32_stays_float32(cls):
    rng = np.random.default_rng(8)
    module, shape = cls.example(rng, np.float32)
    X = _inputs(shape, rng).astype(np.float32)
    Y = module.forward(X)
    dX = module.backward(np.ones_like(Y))
    assert Y.dtype == np.float32 and dX.dtype == np.float32


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_backward_before_forward_is_a_clear_error(cls):
    module, shape = cls.example(np.random.default_rng(9), np.float64)
    with pytest.raises((RuntimeError, ValueError)):
        module.backward(np.ones(shape))


def test_activation_registry_errors():
    with pytest.raises(ValueError, match="unknown activation 'relu6'.*known:.*sigmoid"):
        dlcore.get_activation("relu6")
    with pytest.raises(ValueError, match="no parameter 'alpha'"):
        dlcore.get_activation("sigmoid", alpha=1)
    assert isinstance(dlcore.get_activation("TANH"), dlcore.activations.Tanh)


def test_relu_kink_convention():
    r = dlcore.get_activation("relu")
    assert r.derivative(np.array([0.0]))[0] == 0.0
    assert "ReLU'(0) = 0" in r.kink_convention


def test_linear_shape_errors_name_the_problem():
    lin = dlcore.Linear(3, 2, rng=0)
    with pytest.raises(dlcore.ShapeError, match=r"expects input of shape \(N, 3\), got \(4, 5\)"):
        lin.forward(np.zeros((4, 5)))
    with pytest.raises(dlcore.ShapeError, match="W must have shape"):
        dlcore.Linear(3, 2, W=np.zeros((2, 3)))


def test_linear_copies_given_weights():
    W = np.ones((2, 2))
    lin = dlcore.Linear(2, 2, W=W)
    lin.params["W"] -= 1
    assert np.all(W == 1)


def test_state_dict_roundtrip():
    a = dlcore.mlp([3, 4, 2], rng=0)
    b = dlcore.mlp([3, 4, 2], rng=1)
    b.load_state_dict(a.state_dict())
    X = np.random.default_rng(0).standard_normal((5, 3))
    assert np.array_equal(a.forward(X), b.forward(X))
