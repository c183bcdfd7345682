"""Reference trajectories of PyTorch's optimisers, for ``tests/test_optim_reference.py`` (chapter 05).

Runs each ``torch.optim`` optimiser for ``STEPS`` steps, in float64, on two small fixed problems
from a fixed start, and writes the paths, the hyper-parameters and the versions used to
``tests/fixtures/optim_reference.json``. The test suite compares dlcore's optimisers with that
file and never needs torch. This script is run once by hand, in an environment that has torch
(not the project's venv: torch is no dependency of dlcore)::

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy
    /tmp/torchenv/bin/python scripts/optim_reference.py

Problems (gradients by autograd here; by hand-written NumPy formulas in the test):

* ``rosenbrock``: :math:`f(x, y) = (1-x)^2 + 100\\,(y-x^2)^2` from (-1.2, 1.0), gradients ~200;
* ``linreg``: :math:`f(w) = \\frac{1}{2n}\\lVert Xw - y\\rVert^2` with the 8x3 ``X`` and ``y`` below,
  from w = (0.5, -0.3, 0.8), gradients ~1.

The parameter is treated as a weight (PyTorch decays every parameter it is given; dlcore decays
parameters whose role is "weight", which the test declares).
"""
from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

STEPS = 20
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "optim_reference.json"

X = [[1.0, 0.5, -0.2], [0.3, -1.1, 0.7], [-0.6, 0.2, 1.3], [1.4, -0.4, 0.1],
     [-0.9, 1.2, -0.5], [0.2, 0.8, 0.9], [-1.3, -0.7, 0.4], [0.7, 0.1, -1.0]]
Y = [0.9, -1.2, 0.4, 1.5, -0.3, 1.1, -1.4, 0.2]
PROBLEMS = {
    "rosenbrock": {"start": [-1.2, 1.0], "f": "(1 - x)^2 + 100 (y - x^2)^2"},
    "linreg": {"start": [0.5, -0.3, 0.8], "f": "|X w - y|^2 / (2 n)", "X": X, "y": Y},
}

# name -> (torch class, keyword arguments shared by both problems, learning rate per problem)
CONFIGS = {
    "sgd": ("SGD", {}, {"rosenbrock": 1e-3, "linreg": 0.1}),
    "momentum": ("SGD", {"momentum": 0.9}, {"rosenbrock": 2e-4, "linreg": 0.05}),
    "momentum_dampened": ("SGD", {"momentum": 0.9, "dampening": 0.9}, {"rosenbrock": 2e-3, "linreg": 0.5}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}, {"rosenbrock": 2e-4, "linreg": 0.05}),
    "adagrad": ("Adagrad", {}, {"rosenbrock": 0.1, "linreg": 0.5}),
    "adagrad_init": ("Adagrad", {"initial_accumulator_value": 0.1}, {"rosenbrock": 0.1, "linreg": 0.5}),
    "rmsprop": ("RMSprop", {"alpha": 0.9}, {"rosenbrock": 0.01, "linreg": 0.05}),
    "rmsprop_eps": ("RMSprop", {"alpha": 0.9, "eps": 1e-2}, {"rosenbrock": 0.01, "linreg": 0.05}),
    "adadelta": ("Adadelta", {"rho": 0.9, "eps": 1e-6}, {"rosenbrock": 1.0, "linreg": 1.0}),
    "adadelta_lr": ("Adadelta", {"rho": 0.95, "eps": 1e-4}, {"rosenbrock": 5.0, "linreg": 5.0}),
    "adam": ("Adam", {}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "adam_eps": ("Adam", {"betas": (0.5, 0.9), "eps": 1e-2}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "adam_amsgrad": ("Adam", {"amsgrad": True}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "adam_l2": ("Adam", {"weight_decay": 0.1}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "adamw": ("AdamW", {"weight_decay": 0.1}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "adamax": ("Adamax", {}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "nadam": ("NAdam", {}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "nadam_constant": ("NAdam", {"momentum_decay": 1e4}, {"rosenbrock": 0.05, "linreg": 0.1}),
    "rprop": ("Rprop", {}, {"rosenbrock": 0.01, "linreg": 0.05}),
}


def loss(problem: str, w: torch.Tensor) -> torch.Tensor:
    if problem == "rosenbrock":
        x, y = w[0], w[1]
        return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(Y, dtype=torch.float64)
    r = Xt @ w - yt
    return (r @ r) / (2 * len(Y))


def run(problem: str, cls_name: str, kwargs: dict, lr: float) -> list:
    w = torch.tensor(PROBLEMS[problem]["start"], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([w], lr=lr, foreach=False, **kwargs)
    path = [w.detach().tolist()]
    for _ in range(STEPS):
        opt.zero_grad()
        loss(problem, w).backward()
        opt.step()
        path.append(w.detach().tolist())
    return path


def main() -> None:
    torch.set_default_dtype(torch.float64)
    runs = []
    for name, (cls_name, kwargs, lrs) in CONFIGS.items():
        for problem, lr in lrs.items():
            path = run(problem, cls_name, kwargs, lr)
            assert np.all(np.isfinite(path)), (name, problem)
            runs.append({"name": name, "problem": problem, "torch_class": cls_name,
                         "torch_kwargs": dict(kwargs, lr=lr), "path": path})
    out = {"description": "torch.optim trajectories, float64, written by scripts/optim_reference.py",
           "steps": STEPS, "problems": PROBLEMS,
           "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()},
           "runs": runs}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    head = json.dumps({k: v for k, v in out.items() if k != "runs"}, indent=1)[:-2]
    body = ",\n".join("  " + json.dumps(r) for r in runs)          # one run per line: small, diffable
    OUT.write_text(f'{head},\n "runs": [\n{body}\n ]\n}}\n')
    print(f"wrote {len(runs)} runs of {STEPS} steps to {OUT} (torch {torch.__version__}, python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
