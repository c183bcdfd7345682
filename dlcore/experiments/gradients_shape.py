"""Chapter 02, continued: the shape of a net and the remedies, measured on the digits.

* :func:`explode_and_clip`: too-large weights drive SGD to NaN; clipping keeps the same run stable.
* :func:`residual_vs_plain`: the same deep MLP with and without skip connections.
* :func:`width_for_params`, :func:`shape_comparison`: depth vs width at an equal
  parameter count, funnel vs constant width.
* :func:`remedies_table`: one deep sigmoid baseline, each remedy alone.

All train with plain SGD in float32 for a fixed number of steps and report
validation accuracy (mean and spread over seeds).
"""
from __future__ import annotations

import numpy as np

from ..cache import cached, freeze
from ..clipping import GradientClipper
from ..diagnostics import param_grad_norms, rms, trace
from ..layers import mlp
from ..losses import softmax_cross_entropy
from ..optim import SGD
from ..residual import residual_mlp
from ..rng import spawn
from ..train import fit
from .common import SEEDS, SEEDS10, digits_data, init_spec

__all__ = ["explode_and_clip", "clipping_over_seeds", "residual_vs_plain", "residual_over_seeds",
           "n_params_mlp", "width_for_params", "SHAPES", "shape_sizes", "shape_comparison", "REMEDIES",
           "remedies_table"]

# --------------------------------------------------------------- clipping
@cached(maxsize=64)
def explode_and_clip(clip: str = "none", threshold: float = 1.0, lr: float = 0.1, init_scale: float = 2.5,
                     depth: int = 8, width: int = 64, activation: str = "relu", steps: int = 200,
                     batch_size: int = 32, rng=0) -> dict:
    """Train a deep net started with too large weights; optionally clip its gradients.

    Weights :math:`\\mathcal N(0, s^2/n_{in})` with ``s = init_scale``: for ReLU each
    layer multiplies the signal by about :math:`s/\\sqrt2`, so the logits and the
    gradients are huge at the start and plain SGD jumps to inf/NaN.
    ``clip`` is ``"none"``, ``"value"`` or ``"norm"``
    (:mod:`dlcore.clipping`, threshold ``threshold``).

    Returns ``loss`` (steps run,), ``grad_norm`` (pre-clip global norm per
    step; the step that produced NaN has none), ``grad_norm_post``,
    ``divergence`` (None or a dict with ``step``, ``where``, ``layer``,
    ``message``), ``val_acc`` (NaN when diverged) and ``clipped_fraction``.
    """
    if clip not in ("none", "value", "norm"):
        raise ValueError(f"clip must be 'none', 'value' or 'norm', got {clip!r}")
    X, y, Xv, yv = digits_data()
    g_init, g_batch = spawn(rng, 2)
    net = mlp([X.shape[1]] + [int(width)] * int(depth) + [10], activation=activation, init="scaled_normal",
              init_kwargs={"scale": float(init_scale)}, rng=g_init, dtype=np.float32)
    cb = GradientClipper(clip, threshold)
    h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=batch_size, rng=g_batch, callbacks=[cb],
            val=(Xv, yv), on_divergence="stop", eval_train=False)
    d = h.divergence
    div = None if d is None else {"step": d.step, "where": d.where, "layer": d.layer, "message": str(d)}
    pre = np.asarray(h.extra.get("grad_norm_pre", []), dtype=float)
    post = np.asarray(h.extra.get("grad_norm_post", []), dtype=float)
    clipped = np.asarray(h.extra.get("clipped", []), dtype=bool)
    acc = float("nan") if d is not None else float(h.evals[-1]["val_acc"])
    return dict(loss=np.asarray(h.loss, dtype=float), grad_norm=pre, grad_norm_post=post,
                divergence=div, val_acc=acc, clipped_fraction=float(clipped.mean()) if clipped.size else 0.0)


def clipping_over_seeds(clip: str = "none", threshold: float = 1.0, lr: float = 0.1, init_scale: float = 2.5,
                        seeds: tuple = SEEDS, **kw) -> dict:
    """:func:`explode_and_clip` over several seeds (each seed: its own initial weights and mini-batches).

    Returns arrays over ``seeds``: ``diverged`` (bool), ``diverged_at`` (step, -1 if finite),
    ``val_acc`` (NaN when diverged), ``clipped_fraction``, ``first_grad_norm`` (the global norm
    of the first gradient, before any clipping).
    """
    if not seeds:
        raise ValueError("clipping_over_seeds needs at least one seed")
    runs = [explode_and_clip(clip, threshold, lr=lr, init_scale=init_scale, rng=int(s), **kw) for s in seeds]
    div = [r["divergence"] for r in runs]
    return freeze(dict(seeds=np.array(seeds, dtype=int), diverged=np.array([d is not None for d in div]),
                    diverged_at=np.array([-1 if d is None else d["step"] for d in div], dtype=int),
                    val_acc=np.array([r["val_acc"] for r in runs]),
                    clipped_fraction=np.array([r["clipped_fraction"] for r in runs]),
                    first_grad_norm=np.array([r["grad_norm"][0] for r in runs])))


def _first_layer_profile(net, X, y):
    out = net.forward(X)
    _, d = softmax_cross_entropy(out, y)
    net.backward(d)
    return param_grad_norms(net, "W")[1]


@cached(maxsize=64)
def residual_vs_plain(depth: int = 20, width: int = 32, activation: str = "sigmoid", init: str = "xavier",
                      steps: int = 300, lr: float = 0.1, batch_size: int = 32, rng=0,
                      eval_every: int = 25, branch_scale: float = 1.0, kinds: tuple = ("plain", "residual")) -> dict:
    """A ``depth``-hidden-layer MLP with and without skip connections, from identical weights.

    The residual net is ``Linear -> f -> [x + f(xW + b)] * (depth - 1) -> Linear``
    (:func:`dlcore.residual.residual_mlp`); the plain net has exactly the same
    layers and initial weights, minus the ``x +``. Each block's Jacobian is
    :math:`I + \\mathrm{diag}(f')W^\\top` instead of :math:`\\mathrm{diag}(f')W^\\top`.
    ``branch_scale`` multiplies the initial weights of the residual branches only
    (the plain net keeps its weights): each block adds :math:`F(x)` to :math:`x`, so
    without it the second moment grows by at least :math:`\\times 2` per block for ReLU + He.

    Returns, for ``"plain"`` and ``"residual"`` (those of them in ``kinds``): ``grad_norms`` (depth + 1,)
    :math:`\\lVert\\partial L/\\partial W^l\\rVert` of every Linear at
    initialisation (500 training examples), ``rms`` (depth,) the RMS of each hidden
    representation (the input of the next layer) on the same examples, ``loss`` (steps run,),
    ``eval_steps``, ``val_acc`` (curves), ``final_acc`` (NaN if the run diverged) and
    ``diverged_at`` (the step, or None).
    """
    if int(depth) < 2:
        raise ValueError(f"depth must be >= 2 (one input layer plus residual blocks), got {depth}")
    if not (np.isfinite(branch_scale) and branch_scale > 0):
        raise ValueError(f"branch_scale must be a positive number, got {branch_scale}")
    if not kinds or set(kinds) - {"plain", "residual"}:
        raise ValueError(f"kinds must name 'plain' and/or 'residual', got {kinds!r}")
    X, y, Xv, yv = digits_data()
    name, kw = init_spec(init)
    out = {}
    streams = [g.bit_generator.seed_seq for g in spawn(rng, 2)]   # initial weights, batch order
    for kind in kinds:                              # each kind replays the same streams: identical weights, batches
        r_init, r_batch = (np.random.default_rng(q) for q in streams)
        if kind == "plain":
            net = mlp([X.shape[1]] + [int(width)] * int(depth) + [10], activation=activation, init=name,
                      init_kwargs=kw, rng=r_init, dtype=np.float32)
        else:
            net = residual_mlp(X.shape[1], int(width), int(depth) - 1, 10, activation=activation, init=name,
                               init_kwargs=kw, rng=r_init, dtype=np.float32, branch_scale=float(branch_scale))
        with np.errstate(over="ignore", invalid="ignore"):
            prof = _first_layer_profile(net, X[:500], y[:500])
            tr = trace(net)                                          # the forward pass just made
            hid = np.array([rms(t.output) for t in tr[:-1] if "W" not in t.layer.params])   # activations, blocks
        h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=batch_size, rng=r_batch, val=(Xv, yv),
                eval_every=eval_every, on_divergence="stop", eval_train=False)
        s, acc = h.eval_series("val_acc")
        d = h.divergence
        out[kind] = dict(grad_norms=prof, rms=hid, loss=np.asarray(h.loss, dtype=float), eval_steps=s,
                         val_acc=acc, final_acc=float(acc[-1]) if len(acc) and d is None else float("nan"),
                         diverged_at=None if d is None else int(d.step))
    return out


def residual_over_seeds(depth: int = 20, activation: str = "sigmoid", init: str = "xavier", steps: int = 300,
                        lr: float = 0.1, branch_scale: float = 1.0, seeds: tuple = SEEDS,
                        kinds: tuple = ("plain", "residual"), **kw) -> dict:
    """:func:`residual_vs_plain` over several seeds; for each kind in ``kinds`` arrays over ``seeds``:

    ``final_acc`` (NaN if diverged), ``diverged_at`` (step, -1 if finite), ``first_grad``
    (first layer's :math:`\\lVert\\partial L/\\partial W\\rVert` at init), ``grad_spread`` (largest /
    smallest layer's gradient norm at init), ``rms_growth`` (RMS of the last hidden representation /
    the first's, at init) and ``final_loss`` (mean mini-batch loss of the last 20 steps; NaN if diverged);
    and ``"runs"``: the :func:`residual_vs_plain` result of each seed (e.g. to plot one of them).
    """
    if not seeds:
        raise ValueError("residual_over_seeds needs at least one seed")
    runs = [residual_vs_plain(depth=depth, activation=activation, init=init, steps=steps, lr=lr,
                              branch_scale=branch_scale, rng=int(s), kinds=tuple(kinds), **kw) for s in seeds]
    out = {"runs": runs}
    for k in kinds:
        rs = [r[k] for r in runs]
        out[k] = dict(
            final_acc=np.array([r["final_acc"] for r in rs]),
            diverged_at=np.array([-1 if r["diverged_at"] is None else r["diverged_at"] for r in rs], dtype=int),
            first_grad=np.array([r["grad_norms"][0] for r in rs]),
            grad_spread=np.array([r["grad_norms"].max() / r["grad_norms"].min() for r in rs]),
            rms_growth=np.array([r["rms"][-1] / r["rms"][0] for r in rs]),
            final_loss=np.array([np.nan if r["diverged_at"] is not None else float(np.mean(r["loss"][-20:]))
                                 for r in rs]))
    return freeze(out)


# --------------------------------------------------------------- shapes
def n_params_mlp(sizes) -> int:
    """Weights plus biases of ``mlp(sizes)``: :math:`\\sum_l (n_{l-1}+1)\\,n_l`."""
    sizes = [int(s) for s in sizes]
    return int(sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])))


def width_for_params(n_params: int, depth: int, n_in: int = 64, n_out: int = 10) -> int:
    """The constant hidden width whose ``depth``-hidden-layer MLP has closest to ``n_params`` parameters.

    Solves :math:`(n_{in}+1)w + (d-1)(w+1)w + (w+1)n_{out} = P` for :math:`w`.
    """
    if depth < 1 or n_params <= 0:
        raise ValueError(f"need depth >= 1 and a positive parameter budget, got depth={depth}, n_params={n_params}")
    a, b, c = depth - 1, (n_in + 1) + (depth - 1) + n_out, n_out - n_params
    w = -c / b if a == 0 else (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)
    cands = [max(1, int(np.floor(w))), max(1, int(np.ceil(w)))]
    return min(cands, key=lambda k: abs(n_params_mlp([n_in] + [k] * depth + [n_out]) - n_params))


#: name -> (kind, depth): ``"constant"`` widths or a ``"funnel"`` halving each layer
SHAPES = {
    "wide 1 layer": ("constant", 1),
    "2 layers": ("constant", 2),
    "4 layers": ("constant", 4),
    "8 layers": ("constant", 8),
    "funnel 3 layers": ("funnel", 3),
    "constant 3 layers": ("constant", 3),
}


def shape_sizes(shape: str, n_params: int, n_in: int = 64, n_out: int = 10) -> list[int]:
    """Layer sizes of one of :data:`SHAPES` with about ``n_params`` parameters."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    kind, depth = SHAPES[shape]
    if kind == "constant":
        return [n_in] + [width_for_params(n_params, depth, n_in, n_out)] * depth + [n_out]
    best = None
    for w in range(4, 4096):
        sizes = [n_in] + [max(1, w // 2 ** i) for i in range(depth)] + [n_out]
        if best is None or abs(n_params_mlp(sizes) - n_params) < abs(n_params_mlp(best) - n_params):
            best = sizes
        if n_params_mlp(sizes) > n_params:
            break
    return best


@cached(maxsize=16)
def shape_comparison(shapes: tuple = tuple(SHAPES), n_params: int = 6000, steps: int = 400, lr: float = 0.03,
                     batch_size: int = 32, seeds: tuple = SEEDS, activation: str = "relu",
                     init: str = "he") -> dict:
    """Train each shape (equal parameter budget, same data, steps and learning rate) over several seeds.

    The default learning rate, 0.03, keeps the deepest (8-layer) ReLU net off the edge of stability: at 0.1
    its loss spikes and its accuracy depends on the seed and even on the CPU's BLAS kernel.

    Returns ``shapes`` (names), ``sizes`` (list of layer sizes), ``n_params`` (actual counts),
    ``acc`` (n_shapes, n_seeds) final validation accuracy, ``mean`` and ``std`` over seeds.
    """
    X, y, Xv, yv = digits_data()
    name, kw = init_spec(init)
    sizes = [shape_sizes(s, n_params, X.shape[1], 10) for s in shapes]
    acc = np.zeros((len(shapes), len(seeds)))
    for i, sz in enumerate(sizes):
        for j, seed in enumerate(seeds):
            g_init, g_batch = spawn(seed, 2)
            net = mlp(sz, activation=activation, init=name, init_kwargs=kw, rng=g_init, dtype=np.float32)
            h = fit(net, X, y, lr=lr, steps=int(steps), batch_size=batch_size, rng=g_batch, val=(Xv, yv),
                    on_divergence="stop", eval_train=False)
            acc[i, j] = np.nan if h.divergence else h.evals[-1]["val_acc"]
    return dict(shapes=list(shapes), sizes=sizes, n_params=np.array([n_params_mlp(s) for s in sizes]),
                acc=acc, mean=acc.mean(axis=1), std=acc.std(axis=1))


# --------------------------------------------------------------- remedies
#: remedy -> its settings: ``activation``, ``init`` (:data:`~.gradients.INITS`), ``clip`` (a global-norm
#: threshold or None), ``residual``, ``weight_decay`` (the L2 penalty :math:`\tfrac{\lambda}{2}\sum W^2` as
#: ``SGD(..., weight_decay=lambda)``) and ``lr`` (None: the table's learning rate). The baseline is a deep
#: sigmoid net at N(0, 1/n_in). ReLU + He runs at a smaller learning rate: at 0.1 this deep ReLU net is on
#: the edge of stability (its loss spikes, and whether a run derails depends on the seed and even on the
#: rounding of the CPU's BLAS kernel).
REMEDIES = {
    "baseline (sigmoid, N(0,1/n))": dict(activation="sigmoid", init="scaled"),
    "init: Xavier": dict(activation="sigmoid", init="xavier"),
    "init: N(0,1)": dict(activation="sigmoid", init="normal"),
    "tanh + Xavier": dict(activation="tanh", init="xavier"),
    "ReLU + He (lr 0.05)": dict(activation="relu", init="he", lr=0.05),
    "clip by norm 1": dict(activation="sigmoid", init="scaled", clip=1.0),
    "residual": dict(activation="sigmoid", init="scaled", residual=True),
    "L2 penalty 1e-3": dict(activation="sigmoid", init="scaled", weight_decay=1e-3),
}


@cached(maxsize=8)
def remedies_table(depth: int = 8, width: int = 32, steps: int = 300, lr: float = 0.1, batch_size: int = 32,
                   seeds: tuple = SEEDS, remedies: tuple = tuple(REMEDIES)) -> dict:
    """The same deep sigmoid baseline fixed by one remedy at a time; validation accuracy after ``steps``.

    Returns ``remedies`` (names), ``acc`` (n_remedies, n_seeds), ``mean``, ``std`` and
    ``first_grad`` (n_remedies,) the mean first-layer :math:`\\lVert\\partial L/\\partial W^1\\rVert`
    at initialisation.
    """
    X, y, Xv, yv = digits_data()
    acc = np.zeros((len(remedies), len(seeds)))
    first = np.zeros((len(remedies), len(seeds)))
    for i, r in enumerate(remedies):
        if r not in REMEDIES:
            raise ValueError(f"unknown remedy {r!r}; choose from {', '.join(REMEDIES)}")
        cfg = REMEDIES[r]
        act, clip = cfg["activation"], cfg.get("clip")
        name, kw = init_spec(cfg["init"])
        for j, seed in enumerate(seeds):
            g_init, g_batch = spawn(seed, 2)
            if cfg.get("residual"):
                net = residual_mlp(X.shape[1], width, depth - 1, 10, activation=act, init=name, init_kwargs=kw,
                                   rng=g_init, dtype=np.float32)
            else:
                net = mlp([X.shape[1]] + [width] * depth + [10], activation=act, init=name, init_kwargs=kw,
                          rng=g_init, dtype=np.float32)
            with np.errstate(over="ignore", invalid="ignore"):
                first[i, j] = _first_layer_profile(net, X[:500], y[:500])[0]
            cbs = [GradientClipper("norm", clip)] if clip else []
            opt = SGD(net, cfg.get("lr") or lr, weight_decay=cfg.get("weight_decay", 0.0))   # L2: g + lambda W on weights
            h = fit(net, X, y, optimizer=opt, steps=int(steps), batch_size=batch_size, rng=g_batch,
                    val=(Xv, yv), callbacks=cbs, on_divergence="stop", eval_train=False)
            acc[i, j] = np.nan if h.divergence else h.evals[-1]["val_acc"]
    return dict(remedies=list(remedies), acc=acc, mean=acc.mean(axis=1), std=acc.std(axis=1),
                     first_grad=first.mean(axis=1))
