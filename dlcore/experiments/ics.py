"""Chapter 09: internal covariate shift, measured, with and without batch norm, and with noisy BN.

One training run (:func:`ics_run`) of a deep MLP on the digits (``Linear -> [BN | noisy BN] -> act``
per hidden layer, plain SGD) records, every ``every`` steps, on a fixed probe batch of training digits:

* the **input distribution of each hidden-to-hidden layer** (the activations it receives): per-unit
  mean and variance, and the distance :func:`~dlcore.noisy_norm.wasserstein1` between the probe's
  activations now and ``every`` steps earlier (averaged over units): ICS as Ioffe & Szegedy define it;
* **Santurkar et al.'s ICS**: for each layer :math:`i`, the gradient :math:`G` of its weights on this
  step's batch and the gradient :math:`G'` after the layers before it took this step's update
  (:math:`\\lVert G - G'\\rVert` and :math:`\\cos(G, G')`);
* the loss and validation accuracy (evaluation mode), and every step's batch loss;
* at ``checkpoints``, the **landscape along the gradient** (:func:`landscape`): the loss and the
  change of the gradient at :math:`\\theta - \\eta g` for the step sizes ``ETAS``.

Measurements run in training mode (batch statistics, noise drawn as in a training step) and leave the
net as they found it (parameters, running statistics); the training run is the same with or without
them except for the noise streams of noisy BN.
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..diagnostics import trace
from ..layers import Linear
from ..losses import softmax_cross_entropy
from ..noisy_norm import noisy_bn_mlp, wasserstein1
from ..norm_nets import norm_mlp
from ..optim import get_optimizer
from ..rng import spawn
from .common import batches, digits_data, matching_init, train_step

__all__ = ["NETS", "NET_LABELS", "ETAS", "SHOW", "SIZES", "ACTIVATION_RUNS", "make_net", "snapshot", "restore", "gradient_shift",
           "landscape", "ics_run", "ics_runs"]

#: the three nets compared
NETS = ("none", "batch", "noisy")
NET_LABELS = {"none": "no BN", "batch": "BN", "noisy": "noisy BN"}
#: the chapter's net: four hidden layers of 100
SIZES = (64, 100, 100, 100, 100, 10)
#: the units of each layer whose percentiles are recorded (``in_pct``)
SHOW = 8
#: step sizes of the landscape, as multiples of the training learning rate
ETAS = tuple(float(e) for e in np.geomspace(0.25, 16, 13))
#: the settings of :func:`ics_runs` for the chapter's ReLU nets (§9.2-9.5) and its sigmoid nets (§9.4)
ACTIVATION_RUNS = {"relu": {}, "sigmoid": {"activation": "sigmoid", "lr": 0.5, "checkpoints": ()}}


def make_net(kind: str, sizes=SIZES, activation: str = "relu", rng=0, n_mu: float = 1.0, n_sigma: float = 2.0,
             per_sample: bool = False):
    """The float32 net ``kind`` (one of :data:`NETS`); the same initial weights for the three kinds.
    ``per_sample``: noisy BN draws its noise per activation (the paper's) instead of per unit."""
    if kind not in NETS:
        raise ValueError(f"kind must be one of {NETS}, got {kind!r}")
    init = matching_init(activation)
    if kind == "noisy":
        return noisy_bn_mlp(list(sizes), activation, n_mu, n_sigma, init=init, rng=rng, dtype=np.float32,
                            per_sample=per_sample)
    return norm_mlp(list(sizes), activation, norm="batch" if kind == "batch" else None, init=init, rng=rng,
                    dtype=np.float32)


def snapshot(net) -> list:
    """Copies of every parameter and buffer of ``net`` (to :func:`restore` later)."""
    return [({k: v.copy() for k, v in m.params.items()}, {k: v.copy() for k, v in m.buffers.items()})
            for m in net.modules()]


def restore(net, snap, modules=None) -> None:
    """Put back the parameters and buffers of :func:`snapshot` (in place), of all modules or of the
    indices ``modules`` of ``net.modules()``."""
    for i, (m, (p, b)) in enumerate(zip(net.modules(), snap)):
        if modules is not None and i not in modules:
            continue
        for k, v in p.items():
            m.params[k][...] = v
        for k, v in b.items():
            m.buffers[k] = v.copy()


def _grads(net, X, y):
    value, d = softmax_cross_entropy(net.forward(X, training=True), y)
    net.backward(d, input_grad=False)
    return value, [p.grad.astype(np.float64).ravel() for _, p in net.named_parameters()]


def _linears(net):
    return [i for i, l in enumerate(net.layers) if isinstance(l, Linear)]


def _noise(net, redraw: bool):
    for m in net.modules():
        if hasattr(m, "redraw"):
            m.redraw = redraw


def _noisy(net):
    return [m for m in net.modules() if hasattr(m, "redraw")]


def gradient_shift(net, X, y, lr: float, fresh: bool = False) -> dict:
    """Santurkar et al.'s ICS of every Linear layer after the first, on the batch ``(X, y)``: ``G`` its
    weight gradient now, ``G'`` after every *earlier* layer took the SGD step ``-lr * grad`` (the layer
    itself and the later ones not). Returns ``diff`` :math:`\\lVert G-G'\\rVert`, ``rel``
    :math:`\\lVert G-G'\\rVert/\\lVert G\\rVert` and ``cos`` :math:`\\cos(G,G')`, one per layer. The net
    is left unchanged; noisy BN keeps one draw for all the passes (Santurkar's definition has no noise
    term: this measures the part of the shift that comes from the parameter update). With ``fresh``,
    also ``rel_fresh`` and ``cos_fresh``: ``G'`` after the update *and a fresh noise draw*, the gradient
    the next training step actually sees (the noise streams are put back afterwards, so a run is the
    same with or without ``fresh``)."""
    snap = snapshot(net)
    mods = net.modules()
    lin = _linears(net)
    noisy = _noisy(net)
    _noise(net, True)
    net.forward(X, training=True)
    _noise(net, False)
    _, _ = _grads(net, X, y)
    G = {i: net.layers[i].grads["W"].astype(np.float64).ravel().copy() for i in lin}
    steps = {id(m): {k: -lr * m.grads[k] for k in m.params} for m in mods}
    drawn = [(m.noise, m.rng.bit_generator.state) for m in noisy]
    out = {"diff": [], "rel": [], "cos": []}
    if fresh:
        out.update(rel_fresh=[], cos_fresh=[])
    for i in lin[1:]:
        for redraw in ((False, True) if fresh else (False,)):
            restore(net, snap)
            first = mods.index(net.layers[i])
            for j, m in enumerate(mods):
                if 0 < j < first:                       # the layers before layer i (0 is the Sequential)
                    for k in m.params:
                        m.params[k][...] = m.params[k] + steps[id(m)][k]
            if redraw:
                _noise(net, True)
                net.forward(X, training=True)
                _noise(net, False)
            _grads(net, X, y)
            g2 = net.layers[i].grads["W"].astype(np.float64).ravel()
            g = G[i]
            rel = float(np.linalg.norm(g - g2) / max(np.linalg.norm(g), 1e-30))
            cos = float(g @ g2 / max(np.linalg.norm(g) * np.linalg.norm(g2), 1e-30))
            if redraw:
                out["rel_fresh"].append(rel)
                out["cos_fresh"].append(cos)
                for m, (noise, state) in zip(noisy, drawn):
                    m.noise = noise
                    m.rng.bit_generator.state = state
            else:
                out["diff"].append(float(np.linalg.norm(g - g2)))
                out["rel"].append(rel)
                out["cos"].append(cos)
    restore(net, snap)
    _noise(net, True)
    return {k: np.array(v) for k, v in out.items()}


def landscape(net, X, y, etas) -> dict:
    """Along the gradient :math:`g` of the loss on ``(X, y)`` (training mode): ``loss[k]``
    :math:`= L(\\theta - \\eta_k g)`, ``gdiff[k]`` :math:`=\\lVert\\nabla L(\\theta-\\eta_k g)-g\\rVert`,
    ``beta[k]`` :math:`=` ``gdiff[k]`` :math:`/ \\lVert\\eta_k g\\rVert` (the gradient's change per unit
    of distance moved), ``loss0`` and ``gnorm``. The net is left unchanged; noisy BN keeps one draw."""
    snap = snapshot(net)
    _noise(net, True)
    net.forward(X, training=True)
    _noise(net, False)
    loss0, g = _grads(net, X, y)
    g = np.concatenate(g)
    params = [p for _, p in net.named_parameters()]
    base = [p.data.copy() for p in params]
    sizes = np.cumsum([0] + [p.size for p in params])
    gnorm = float(np.linalg.norm(g))
    loss, gdiff = [], []
    for eta in etas:
        for p, b, a, z in zip(params, base, sizes[:-1], sizes[1:]):
            p.data[...] = b - eta * g[a:z].reshape(b.shape)
        with np.errstate(over="ignore", invalid="ignore"):
            value, g2 = _grads(net, X, y)
        loss.append(float(value))
        gdiff.append(float(np.linalg.norm(np.concatenate(g2) - g)))
    restore(net, snap)
    _noise(net, True)
    etas = np.asarray(etas, float)
    gdiff = np.array(gdiff)
    return {"loss": np.array(loss), "gdiff": gdiff, "beta": gdiff / np.maximum(etas * gnorm, 1e-30),
            "loss0": float(loss0), "gnorm": gnorm}


@cached(maxsize=128)       # the chapter makes 65 runs: none evicted
def ics_run(kind: str = "batch", rng=0, steps: int = 300, lr: float = 0.1, batch_size: int = 64, every: int = 20,
            activation: str = "relu", sizes=SIZES, probe: int = 256, checkpoints=(0, 100, 300),
            n_mu: float = 1.0, n_sigma: float = 2.0, per_sample: bool = False) -> dict:
    """Train :func:`make_net` (``kind``) with SGD at ``lr`` for ``steps`` steps of ``batch_size`` on the 1079
    training digits (shuffled epochs, the last short batch skipped) and measure ICS along the way (module
    docstring). Records at steps ``rec_steps`` (0, every, 2 every, ..., steps):

    ``in_mean``/``in_var`` ``(records, layers, units)`` of the hidden-to-hidden layers' inputs on the probe,
    ``in_pct`` ``(records, layers, SHOW, 3)`` the 10th, 50th and 90th percentiles of the first ``SHOW`` units;
    ``drift`` ``(records, layers)``: W1 to the previous record (NaN at the first), ``drift0``: W1 to step 0;
    ``ics_diff``/``ics_rel``/``ics_cos`` ``(records, layers)`` (noisy BN's draw frozen), ``ics_rel_fresh``/
    ``ics_cos_fresh`` (after the update and a fresh draw; the same as the frozen ones without noise); ``val_acc``, ``probe_loss``; ``loss`` (each
    step's batch loss), ``diverged`` (the loss is not finite at the end); at ``checkpoints``: ``land_loss``/``land_gdiff``/``land_beta`` ``(checkpoints, etas)``,
    ``land_loss0``, ``land_gnorm``, with ``etas = lr * ETAS``.
    """
    X, y, Xv, yv = digits_data()
    init_rng, order_rng = spawn(rng, 2)
    net = make_net(kind, sizes, activation, init_rng, n_mu, n_sigma, per_sample)
    opt = get_optimizer("sgd", net, lr=lr)
    Xp, yp = X[:probe], y[:probe]
    lin = _linears(net)[1:]
    etas = lr * np.array(ETAS)
    stream = batches(len(X), batch_size, order_rng, drop_last=True)
    rec = {k: [] for k in ("in_mean", "in_var", "in_pct", "drift", "drift0", "ics_diff", "ics_rel", "ics_cos",
                           "ics_rel_fresh", "ics_cos_fresh", "val_acc", "probe_loss")}
    land = {k: [] for k in ("loss", "gdiff", "beta", "loss0", "gnorm")}
    first = prev = None
    losses = []
    checkpoints = tuple(int(c) for c in checkpoints)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # a net that diverges (large lr)
        for t in range(steps + 1):
            idx = next(stream)
            if t % every == 0 or t == steps:
                snap = snapshot(net)
                tr = trace(net, Xp, training=True)
                hs = [np.asarray(tr[i].input, np.float64) for i in lin]
                restore(net, snap)
                rec["in_mean"].append([h.mean(axis=0) for h in hs])
                rec["in_var"].append([h.var(axis=0) for h in hs])
                rec["in_pct"].append([np.percentile(h[:, :SHOW], (10, 50, 90), axis=0).T for h in hs])
                first = hs if first is None else first
                rec["drift0"].append([wasserstein1(a, b).mean() for a, b in zip(first, hs)])
                rec["drift"].append([np.nan] * len(hs) if prev is None else
                                    [wasserstein1(a, b).mean() for a, b in zip(prev, hs)])
                prev = hs
                gs = gradient_shift(net, X[idx], y[idx], lr, fresh=kind == "noisy")
                rec["ics_diff"].append(gs["diff"])
                for key in ("rel", "cos"):
                    rec[f"ics_{key}"].append(gs[key])
                    rec[f"ics_{key}_fresh"].append(gs.get(f"{key}_fresh", gs[key]))
                out = net.forward(Xv, training=False)
                rec["val_acc"].append(float(np.mean(out.argmax(1) == yv)))
                rec["probe_loss"].append(float(softmax_cross_entropy(net.forward(Xp, training=False), yp)[0]))
            if t in checkpoints:
                L = landscape(net, Xp, yp, etas)
                for k in land:
                    land[k].append(L[k])
            if t == steps:
                break
            losses.append(train_step(net, opt, X[idx], y[idx]))
    rec_steps = [t for t in range(steps + 1) if t % every == 0 or t == steps]
    out = {k: np.array(v, dtype=float) for k, v in rec.items()}
    out.update({f"land_{k}": np.array(v, dtype=float) for k, v in land.items()})
    out.update({"loss": np.array(losses, float), "rec_steps": np.array(rec_steps), "etas": etas,
                "checkpoints": np.array([c for c in checkpoints if c <= steps]), "layers": np.array(lin),
                "kind": kind, "diverged": not np.isfinite(rec["probe_loss"][-1])})
    return out


@cached(maxsize=16)
def ics_runs(kinds=NETS, seeds=(0, 1, 2, 3, 4), steps: int = 300, lr: float = 0.1, batch_size: int = 64,
             every: int = 20, activation: str = "relu", checkpoints=(0, 100, 300), n_mu: float = 1.0,
             n_sigma: float = 2.0, per_sample: bool = False) -> dict:
    """:func:`ics_run` for each of ``kinds`` over ``seeds`` (the other settings as there):
    ``{kind: over_seeds(...)}``, cached (each run is cached too)."""
    from .common import over_seeds
    settings = dict(steps=steps, lr=lr, batch_size=batch_size, every=every, activation=activation,
                    checkpoints=tuple(checkpoints), n_mu=n_mu, n_sigma=n_sigma, per_sample=per_sample)
    return {k: over_seeds(ics_run, seeds, kind=k, **settings) for k in kinds}
