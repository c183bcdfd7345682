"""The contract every layer of dlcore follows.

A :class:`Module` maps an input batch ``X`` to an output ``Y`` and back:

* ``forward(X, training=...)`` returns ``Y`` and remembers what the backward
  pass needs;
* ``backward(dY)`` takes :math:`\\partial L/\\partial Y` and returns
  :math:`\\partial L/\\partial X`, *adding* nothing anywhere else but
  ``self.grads`` (which it overwrites, one backward per forward);
* ``params`` and ``grads`` are dicts with the same keys (``"W"``, ``"b"``,
  ...) holding arrays of the same shapes; ``buffers`` holds state that is not
  learned by gradient descent (running statistics of a batch norm, say);
* ``training`` is the mode used when ``forward`` is called without the
  keyword; ``train()`` and ``eval()`` switch it.

No method mutates the caller's arrays. Randomness (initialisation, dropout
masks) comes only from a ``numpy.random.Generator`` handed to the module.

Every concrete module also provides ``example(rng, dtype)``, a classmethod
returning a small instance and an input shape. The contract test suite
(``tests/test_contract.py``) discovers all subclasses of :class:`Module`
and runs each example through gradient checking, mutation and determinism
checks, so a new layer is tested the moment it exists.
"""
from __future__ import annotations

import numpy as np

from .rng import as_generator  # noqa: F401  (re-exported: modules take rng= the dlcore way)

__all__ = ["Module", "Parameter", "ShapeError", "as_generator"]


from .errors import MissingMethod, ShapeError  # noqa: E402  (re-exported; an InvalidArgument, a ValueError)


class Parameter:
    """One learned array of a module, as :meth:`Module.named_parameters` yields it (like PyTorch's
    ``for name, p in model.named_parameters(): p.grad``): ``data`` (the array the module owns; update
    it in place), ``grad`` (from the last backward pass, or None) and ``role``: ``"weight"`` for a
    weight matrix (what weight decay shrinks), ``"bias"``, or another name a module declares."""
    __slots__ = ("module", "key")        # made on every named_parameters() call: keep it cheap

    def __init__(self, module: "Module", key: str):
        self.module, self.key = module, key

    @property
    def data(self) -> np.ndarray:
        return self.module.params[self.key]

    @property
    def grad(self) -> np.ndarray | None:
        return self.module.grads.get(self.key)

    @property
    def role(self) -> str:
        return self.module.param_role(self.key)

    shape = property(lambda self: self.data.shape)
    size = property(lambda self: self.data.size)
    dtype = property(lambda self: self.data.dtype)

    def __repr__(self):
        return f"Parameter({type(self.module).__name__}.{self.key}, shape={self.shape}, role={self.role!r})"


class Module:
    """Base class: see the module docstring for the contract."""

    #: roles of this module's parameters by key; undeclared ones are "weight" if 2-D or more, else "other"
    param_roles: dict[str, str] = {}

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.training: bool = True
        self.name: str = type(self).__name__

    # -- the contract -------------------------------------------------
    def forward(self, X: np.ndarray, training: bool | None = None) -> np.ndarray:
        raise MissingMethod(f"{type(self).__name__} does not define forward(X, training=None); "
                            "a dlcore Module must define forward and backward")

    def backward(self, dY: np.ndarray) -> np.ndarray:
        raise MissingMethod(f"{type(self).__name__} does not define backward(dY), so it cannot be trained "
                            "or gradient-checked; a dlcore Module must define forward and backward")

    @classmethod
    def example(cls, rng: np.random.Generator, dtype=np.float64):
        """A small instance and the input shape to test it on: ``(module, shape)``."""
        raise NotImplementedError(f"{cls.__name__} has no example(); the contract tests need one")

    # -- conveniences shared by all -----------------------------------
    def __call__(self, X, training: bool | None = None):
        return self.forward(X, training=training)

    def _mode(self, training: bool | None) -> bool:
        return self.training if training is None else bool(training)

    def train(self) -> "Module":
        """Switch this module (and its children) to training mode."""
        for m in self.modules():
            m.training = True
        return self

    def eval(self) -> "Module":
        """Switch this module (and its children) to evaluation mode."""
        for m in self.modules():
            m.training = False
        return self

    def children(self) -> list["Module"]:
        """Direct sub-modules (containers override this)."""
        return []

    def modules(self) -> list["Module"]:
        """This module and all its descendants, depth first."""
        out = [self]
        for c in self.children():
            out.extend(c.modules())
        return out

    def named_parameters(self, prefix: str = ""):
        """Yield ``(name, parameter)`` for every learned array, e.g. ``("0.W", p)`` with ``p.data``,
        ``p.grad`` and ``p.role`` (:class:`Parameter`), children after their parent, depth first."""
        for k in self.params:
            yield prefix + k, Parameter(self, k)
        for i, c in enumerate(self.children()):
            yield from c.named_parameters(f"{prefix}{i}.")

    def param_role(self, key: str) -> str:
        """The role of parameter ``key``: declared in ``param_roles``, else by shape."""
        return self.param_roles.get(key) or ("weight" if np.ndim(self.params[key]) >= 2 else "other")

    def zero_grad(self) -> None:
        for m in self.modules():
            for k, p in m.params.items():
                m.grads[k] = np.zeros_like(p)

    def n_params(self) -> int:
        return int(sum(p.size for _, p in self.named_parameters()))

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, keyed by dotted name."""
        out = {}
        for i, m in enumerate(self._flat_with_names()):
            name, mod = m
            for k, v in mod.params.items():
                out[f"{name}{k}"] = v.copy()
            for k, v in mod.buffers.items():
                out[f"{name}buffer.{k}"] = np.array(v, copy=True)
        return out

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays from :meth:`state_dict` output back in (shapes must match)."""
        for name, mod in self._flat_with_names():
            for store, pre in ((mod.params, ""), (mod.buffers, "buffer.")):
                for k in store:
                    key = f"{name}{pre}{k}"
                    if key not in state:
                        raise KeyError(f"state has no entry {key!r}")
                    v = np.asarray(state[key])
                    if np.shape(v) != np.shape(store[k]):
                        raise ShapeError(f"{key}: expected shape {np.shape(store[k])}, got {v.shape}")
                    store[k] = v.astype(np.asarray(store[k]).dtype, copy=True)

    def _flat_with_names(self, prefix: str = ""):
        yield prefix, self
        for i, c in enumerate(self.children()):
            yield from c._flat_with_names(f"{prefix}{i}.")

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"
