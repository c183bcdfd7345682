"""Chapter 07: BN, GN, LN and IN on the convolutional digits net as the batch shrinks (Wu & He 2018).

Every run sees the same number of examples (``epochs`` passes over the 1079 training digits) and
scales the learning rate linearly with the batch, ``lr = lr_ref * B / ref_batch`` (as Wu & He do,
after Goyal et al. 2017), so that only the batch's role in the normalisation changes from run to
run. ``fit(drop_last=True)`` skips each epoch's short last batch: at B = 2 the 1079 training digits
would leave a batch of one example, an error for BatchNorm1d in training.
BN's statistics come from the batch, the others' from one example, so only BN should care.
"""
from __future__ import annotations

import time

import numpy as np

from ..cache import cached
from ..norm_nets import NORMS, conv_net, norm_mlp
from ..rng import spawn
from ..train import evaluate, fit
from .common import digits_data

__all__ = ["BATCHES", "norm_batch_run", "norm_batch_sweep"]

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
