"""Chapter 07: BN, GN, LN and IN on the convolutional digits net as the batch shrinks (Wu & He 2018).

Every run sees the same number of examples (``epochs`` passes over the 1079 training digits) and
scales the learning rate linearly with the batch, ``lr = lr_ref * B / ref_batch`` (as Wu & He do,
after Goyal et al. 2017), so that only the batch's role in the normalisation changes from run to
run. ``fit(drop_last=True)`` skips each epoch's short last batch: at B = 2 the 1079 training digits
would leave a batch of one example, an error for BatchNorm1d in training.
BN's statistics come from the batch, the others' from one example, so only BN should care.
"""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from ..cache import cached
from ..norm_nets import NORMS, conv_net, norm_mlp
from ..rng import spawn
from ..train import evaluate, fit
from .common import digits_data

__all__ = ["BATCHES", "norm_batch_run", "norm_batch_sweep", "CONV_SWEEP_FILE", "CONV_SWEEP", "conv_sweep_table",
           "write_conv_sweep"]

#: the batch sizes of the sweep
BATCHES = (2, 4, 8, 16, 32, 64, 128)


@cached(maxsize=512)
def norm_batch_run(norm: str | None = "batch", batch_size: int = 32, rng=0, epochs: float = 4.0, lr_ref: float = 0.1,
                   ref_batch: int = 32, channels=(8, 16), groups: int = 4, arch: str = "conv") -> dict:
    """Train :func:`~dlcore.norm_nets.conv_net` (``arch="conv"``) or ``norm_mlp([64, 100, 100, 10], "relu")``
    (``arch="mlp"``: BN's statistics then come from the B examples alone, not B·H·W values; ``"instance"``
    is not available there) with ``norm`` (float32, plain SGD) for ``epochs`` passes at ``batch_size``. Returns ``val_acc`` (evaluation mode: BN uses its running averages), ``val_acc_batch``
    (BN only: the validation set in training mode, normalised with its own statistics, else equal),
    ``train_loss`` (evaluation mode), ``steps``, ``lr``, ``diverged`` and ``seconds`` (CPU time)."""
    X, y, Xv, yv = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    B = int(batch_size)
    lr = float(lr_ref) * B / int(ref_batch)
    steps = int(np.ceil(float(epochs) * len(X) / B))
    if arch == "conv":
        net = conv_net(norm, channels=tuple(channels), groups=groups, rng=init_rng, dtype=np.float32)
    elif arch == "mlp":
        net = norm_mlp([64, 100, 100, 10], "relu", norm=norm, groups=groups, rng=init_rng, dtype=np.float32)
    else:
        raise ValueError(f"arch must be 'conv' or 'mlp', got {arch!r}")
    t0 = time.process_time()
    h = fit(net, X, y, lr=lr, steps=steps, batch_size=B, rng=order_rng, on_divergence="stop", eval_train=False,
            drop_last=True)
    seconds = time.process_time() - t0
    diverged = h.divergence is not None
    net.eval()
    ev = evaluate(net, Xv, yv)
    tr = evaluate(net, X, y)
    if norm == "batch":
        acc_batch = float(np.mean(net.forward(Xv, training=True).argmax(1) == yv))
    else:
        acc_batch = float(ev["acc"])
    return {"val_acc": float(ev["acc"]), "val_acc_batch": acc_batch, "train_loss": float(tr["loss"]),
            "steps": steps, "lr": lr, "diverged": bool(diverged), "seconds": seconds}


def norm_batch_sweep(norms=(None, *NORMS), batches=BATCHES, seeds=(0, 1, 2, 3, 4), **settings) -> dict:
    """:func:`norm_batch_run` over ``norms`` × ``batches`` × ``seeds``: ``val_acc[norm]`` is an array
    ``(len(batches), len(seeds))`` (and ``val_acc_batch``, ``diverged`` alike), keyed by the norm's
    name (``"none"`` for None); ``batches``, ``seeds``."""
    out = {"batches": np.array(batches), "seeds": np.array(seeds)}
    for key in ("val_acc", "val_acc_batch", "diverged", "seconds"):
        out[key] = {}
    for norm in norms:
        name = "none" if norm is None else norm
        runs = [[norm_batch_run(norm, b, rng=s, **settings) for s in seeds] for b in batches]
        for key in ("val_acc", "val_acc_batch", "diverged", "seconds"):
            out[key][name] = np.array([[r[key] for r in row] for row in runs])
    return out


#: the stored conv-net sweep (too slow for the chapter's 30 s: about 100 s of CPU)
CONV_SWEEP_FILE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "ch07_conv_batch_sweep.json"
#: its settings: every norm and no norm, four batch sizes, five seeds, the conv net
CONV_SWEEP = {"norms": (None, *NORMS), "batches": (2, 8, 32, 128), "seeds": (0, 1, 2, 3, 4)}


def write_conv_sweep(path=None) -> dict:
    """Run :func:`norm_batch_sweep` with :data:`CONV_SWEEP` on the conv net and store ``val_acc``,
    ``val_acc_batch`` and ``diverged`` in ``path`` (default :data:`CONV_SWEEP_FILE`), with the NumPy
    version, the machine and the BLAS kernel variable it ran under. Run by hand when the protocol changes;
    ``tests/test_ch07_conv_sweep.py`` checks that fresh runs agree with the file."""
    import os
    sw = norm_batch_sweep(arch="conv", **CONV_SWEEP)
    data = {"settings": {"norms": ["none" if n is None else n for n in CONV_SWEEP["norms"]],
                         "batches": list(CONV_SWEEP["batches"]), "seeds": list(CONV_SWEEP["seeds"])},
            "made_with": {"numpy": np.__version__, "machine": platform.machine(),
                          "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(default)")}}
    for key in ("val_acc", "val_acc_batch", "diverged"):
        data[key] = {k: np.asarray(v).tolist() for k, v in sw[key].items()}
    Path(path or CONV_SWEEP_FILE).write_text(json.dumps(data, indent=1) + "\n")
    return data


@cached(maxsize=2)
def conv_sweep_table(path: str | None = None) -> dict:
    """The stored conv-net sweep (:func:`write_conv_sweep`): ``batches``, ``seeds``, and per norm name
    (``"none"`` for no norm) arrays ``val_acc[name]``, ``val_acc_batch[name]``, ``diverged[name]`` of shape
    ``(len(batches), len(seeds))``, in the layout of :func:`norm_batch_sweep`; ``made_with``."""
    data = json.loads(Path(path or CONV_SWEEP_FILE).read_text())
    out = {"batches": np.array(data["settings"]["batches"]), "seeds": np.array(data["settings"]["seeds"]),
           "made_with": data["made_with"]}
    for key in ("val_acc", "val_acc_batch", "diverged"):
        out[key] = {k: np.array(v) for k, v in data[key].items()}
    return out
