"""Chapter 05: how closely dlcore's optimisers follow PyTorch's ``torch.optim``, step by step.

``scripts/optim_reference.py`` ran each ``torch.optim`` optimiser once (float64, 20 steps, on a 2-D
Rosenbrock function and a 3-parameter linear regression) and stored the paths, with the versions
used, in ``tests/fixtures/optim_reference.json`` (the test suite compares against it in
``tests/test_optim_reference.py``). :func:`reference_table` repeats those runs with dlcore's classes
and reports, per optimiser, the largest difference after the first step and over the whole path,
so the chapter can print them (no torch needed).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..cache import cached
from ..module import Module
from ..optim import get_optimizer

__all__ = ["REFERENCE_FILE", "SETTINGS", "reference_table"]

#: where the fixture lives in the repository
REFERENCE_FILE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "optim_reference.json"

#: fixture run name -> (dlcore optimiser name, keywords that match torch's setting)
SETTINGS = {
    "sgd": ("sgd", {}), "momentum": ("momentum", {"momentum": 0.9}),
    "momentum_dampened": ("momentum", {"momentum": 0.9, "convention": "average", "first_velocity": "grad"}),
    "nesterov": ("nesterov", {"momentum": 0.9}), "adagrad": ("adagrad", {}),
    "adagrad_init": ("adagrad", {"initial_accumulator_value": 0.1}), "rmsprop": ("rmsprop", {"rho": 0.9}),
    "rmsprop_eps": ("rmsprop", {"rho": 0.9, "eps": 1e-2}), "adadelta": ("adadelta", {"rho": 0.9, "eps": 1e-6}),
    "adadelta_lr": ("adadelta", {"rho": 0.95, "eps": 1e-4}), "adam": ("adam", {}),
    "adam_eps": ("adam", {"betas": (0.5, 0.9), "eps": 1e-2}), "adam_amsgrad": ("adam", {"amsgrad": True}),
    "adam_l2": ("adam", {"weight_decay": 0.1}), "adamw": ("adamw", {"weight_decay": 0.1}),
    "adamax": ("adamax", {}), "nadam": ("nadam", {"momentum_decay": 0.004}), "nadam_constant": ("nadam", {}),
    "rprop": ("rprop", {}),
}


class _Vec(Module):
    param_roles = {"w": "weight"}          # torch decays every parameter

    def __init__(self, w):
        super().__init__()
        self.params = {"w": np.array(w, dtype=np.float64)}
        self.grads = {"w": np.zeros_like(self.params["w"])}


def _gradient(problems, problem, w):
    if problem == "rosenbrock":
        x, y = w
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    X, y = np.array(problems["linreg"]["X"]), np.array(problems["linreg"]["y"])
    return X.T @ (X @ w - y) / len(y)


@cached(maxsize=2)
def reference_table(path: str | None = None) -> dict:
    """Per fixture run ``(name, problem)``: ``first`` the largest |dlcore - torch| after step 1,
    ``worst`` over all steps, ``moved`` how far torch's point moved (so a difference of 1e-16 means
    something). Also ``versions`` (torch, numpy, python that made the fixture) and ``steps``."""
    data = json.loads(Path(path or REFERENCE_FILE).read_text())
    rows = {}
    for run in data["runs"]:
        name, kw = SETTINGS[run["name"]]
        pt = _Vec(data["problems"][run["problem"]]["start"])
        opt = get_optimizer(name, pt, lr=run["torch_kwargs"]["lr"], **kw)
        mine = [pt.params["w"].copy()]
        for _ in range(data["steps"]):
            pt.grads["w"] = _gradient(data["problems"], run["problem"], pt.params["w"])
            opt.step()
            mine.append(pt.params["w"].copy())
        theirs = np.array(run["path"])
        d = np.abs(np.array(mine) - theirs)
        rows[(run["name"], run["problem"])] = {"first": float(d[1].max()), "worst": float(d.max()),
                                               "moved": float(np.abs(theirs - theirs[0]).max())}
    return {"rows": rows, "versions": data["versions"], "steps": data["steps"]}
