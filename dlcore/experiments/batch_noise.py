"""Chapter 06: the noise of a mini-batch gradient, measured on the digits net.

A mini-batch gradient :math:`g_B = \\frac1B\\sum_{i\\in B} g_i` estimates the full
gradient :math:`G = \\frac1N\\sum_i g_i`. With the per-example covariance
:math:`\\Sigma = \\frac1N\\sum_i (g_i - G)(g_i - G)^\\top` (the *population* of the N
training examples),

* drawing the B examples **with replacement**: :math:`E\\lVert g_B - G\\rVert^2 = \\mathrm{tr}\\,\\Sigma / B`;
* **without replacement** (one shuffled epoch): the finite-population correction
  :math:`E\\lVert g_B - G\\rVert^2 = \\frac{N-B}{N-1}\\,\\mathrm{tr}\\,\\Sigma / B`, 0 at B = N.

Per-example gradients are exact (:func:`per_example_grads`: one forward and one
backward pass with the summed loss; the weight gradient of example i is the outer product
of the layer's input row and its output-gradient row), checked against the library's
batch gradient. The gradient noise scale of McCandlish et al. (2018),
:math:`B_{simple} = \\mathrm{tr}\\,\\Sigma/\\lVert G\\rVert^2`, is computed from them and from the
paper's two-batch-size estimator (:func:`noise_scale`).
"""
from __future__ import annotations

import numpy as np

from ..cache import cached
from ..diagnostics import trace
from ..layers import Linear, mlp
from ..losses import softmax_cross_entropy
from ..optim import get_optimizer
from ..rng import spawn
from .common import digits_data

__all__ = ["HIDDEN", "digits_net", "per_example_grads", "batch_grad", "gradient_state", "noise_vs_batch",
           "theory_noise", "noise_scale", "scatter_2d", "project_batches"]

#: the chapter's digits net: 64-HIDDEN-10, ReLU, He initialisation
HIDDEN = 32


def digits_net(rng, hidden: int = HIDDEN, dtype=np.float64):
    """The chapter's 64-hidden-10 ReLU net with He weights drawn from ``rng``."""
    return mlp([64, int(hidden), 10], activation="relu", init="he", rng=rng, dtype=dtype)


def per_example_grads(model, X, y) -> np.ndarray:
    """``(N, P)``: row i is the gradient of example i's loss (softmax cross-entropy) with respect to
    every parameter, in the order of ``model.named_parameters()`` (each flattened).

    One forward pass and one backward pass with the *summed* loss: the gradient that reaches a
    Linear layer's output, row i, is example i's own; its weight gradient is the outer product
    of the layer's input row (from :func:`dlcore.diagnostics.trace`) and that row.
    """
    t = trace(model, np.asarray(X), training=True)
    _, d = softmax_cross_entropy(t.output, np.asarray(y), reduction="sum")
    parts = {}
    for lt in reversed(list(t)):
        if isinstance(lt.layer, Linear):
            a = np.asarray(lt.input, dtype=np.float64)
            dd = np.asarray(d, dtype=np.float64)
            parts[id(lt.layer)] = {"W": (a[:, :, None] * dd[:, None, :]).reshape(len(a), -1), "b": dd}
        d = lt.layer.backward(d)
    cols = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            cols += [parts[id(layer)][k] for k in layer.params]
    return np.concatenate(cols, axis=1)


def batch_grad(model, X, y) -> np.ndarray:
    """The library's gradient of the *mean* loss over ``(X, y)``, flattened like :func:`per_example_grads`."""
    out = model.forward(np.asarray(X), training=True)
    _, d = softmax_cross_entropy(out, np.asarray(y))
    model.backward(d)
    return np.concatenate([p.grad.ravel().astype(np.float64) for _, p in model.named_parameters()])


@cached(maxsize=16)
def gradient_state(rng=0, steps: int = 0, lr: float = 0.1, batch_size: int = 32) -> dict:
    """Per-example gradients of the digits net after ``steps`` SGD steps (lr, batch_size, shuffled
    epochs) from He initialisation (``rng``: weights and batch order, two spawned streams).

    Returns ``G`` (N, P) per-example gradients over the 1079 training images, ``g`` (P,) their
    mean, ``trace`` :math:`\\mathrm{tr}\\,\\Sigma` (population, ddof 0), ``g2`` :math:`\\lVert g\\rVert^2`,
    ``b_simple`` = trace / g2, ``check`` (relative difference between the mean of the per-example
    gradients and the library's batch gradient), ``val_acc`` of the net.
    """
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"steps must be a non-negative int, got {steps!r}")
    init_rng, order_rng = spawn(rng, 2)
    X, y, Xv, yv = digits_data()
    net = digits_net(init_rng)
    X64 = X.astype(np.float64)
    if steps:
        opt = get_optimizer("sgd", net, lr=lr)
        done, N = 0, len(X)
        while done < steps:
            order = order_rng.permutation(N)
            for s in range(0, N, batch_size):
                if done >= steps:
                    break
                batch_grad(net, X64[order[s:s + batch_size]], y[order[s:s + batch_size]])
                opt.step()
                done += 1
    G = per_example_grads(net, X64, y)
    g = G.mean(axis=0)
    lib = batch_grad(net, X64, y)
    tr = float(np.sum((G - g) ** 2) / len(G))
    acc = float(np.mean(net.forward(Xv.astype(np.float64), training=False).argmax(1) == yv))
    return {"G": G, "g": g, "trace": tr, "g2": float(g @ g), "b_simple": tr / float(g @ g),
            "check": float(np.linalg.norm(g - lib) / np.linalg.norm(lib)), "val_acc": acc, "N": len(G)}


def theory_noise(trace_sigma: float, N: int, batch_sizes) -> dict:
    """:math:`\\mathrm{tr}\\,\\Sigma/B` (with replacement) and :math:`\\frac{N-B}{N-1}\\mathrm{tr}\\,\\Sigma/B` (without)."""
    B = np.asarray(batch_sizes, dtype=float)
    return {"with": trace_sigma / B, "without": (N - B) / (N - 1) * trace_sigma / B}


def _indices(gen, N, B, draws, replace):
    """``(draws, B)`` example indices of ``draws`` batches of size B (each row without repeats unless ``replace``)."""
    if replace:
        return gen.integers(0, N, (draws, B))
    if B * B <= N:                  # small batches: draw with replacement, redraw the rows with a repeat
        idx = gen.integers(0, N, (draws, B))
        while True:
            srt = np.sort(idx, axis=1)
            bad = np.nonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))[0]
            if bad.size == 0:
                return idx
            idx[bad] = gen.integers(0, N, (bad.size, B))
    keys = gen.random((draws, N))
    return np.argpartition(keys, B - 1, axis=1)[:, :B] if B < N else np.argsort(keys, axis=1)


def _counts(gen, N, B, draws, replace, dtype=np.float64):
    """``(draws, N)`` how often each example is in each of ``draws`` batches of size B."""
    idx = _indices(gen, N, B, draws, replace)
    flat = (np.arange(draws)[:, None] * N + idx).ravel()
    return np.bincount(flat, minlength=draws * N).reshape(draws, N).astype(dtype)


BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 540, 800, 1079)


@cached(maxsize=16)
def noise_vs_batch(rng=0, steps: int = 0, batch_sizes=BATCH_SIZES, draws: int = 200) -> dict:
    """Measured :math:`E\\lVert g_B - G\\rVert^2` (mean over ``draws`` batches) and mean cosine between
    :math:`g_B` and :math:`G`, with and without replacement, against the theory, for the net of
    :func:`gradient_state` (``rng``, ``steps``). The batches are drawn from a stream spawned from ``rng``.

    Returns ``B``, ``with``/``without`` (measured), ``with_sem``/``without_sem`` (standard errors),
    ``cos_with``/``cos_without``, ``theory_with``/``theory_without``, ``trace``, ``g2``, ``N``.
    """
    st = gradient_state(rng, steps)
    Gc = (st["G"] - st["g"]).astype(np.float32)      # float32 products: 7 digits, ample for a noise level
    N = st["N"]
    B = np.array(sorted({int(b) for b in batch_sizes}))
    if B[0] < 1 or B[-1] > N:
        raise ValueError(f"batch sizes must lie in [1, {N}], got {batch_sizes!r}")
    (gen,) = spawn(rng, 3)[2:]
    out = {k: np.zeros(len(B)) for k in ("with", "without", "with_sem", "without_sem", "cos_with", "cos_without")}
    g = st["g"]
    for j, b in enumerate(B):
        for mode, replace in (("with", True), ("without", False)):
            D = (_counts(gen, N, int(b), draws, replace, np.float32) @ Gc).astype(np.float64) / b   # g_B - G
            sq = np.sum(D * D, axis=1)
            out[mode][j], out[mode + "_sem"][j] = sq.mean(), sq.std(ddof=1) / np.sqrt(draws)
            gb = D + g
            out["cos_" + mode][j] = float(np.mean(gb @ g / (np.linalg.norm(gb, axis=1) * np.sqrt(st["g2"]))))
    th = theory_noise(st["trace"], N, B)
    return {"B": B, **out, "theory_with": th["with"], "theory_without": th["without"], "trace": st["trace"],
            "g2": st["g2"], "N": N}


@cached(maxsize=16)
def noise_scale(rng=0, steps: int = 0, b_small: int = 8, b_big: int = 256, pairs: int = 200) -> dict:
    """The gradient noise scale :math:`B_{simple} = \\mathrm{tr}\\,\\Sigma/\\lVert G\\rVert^2` two ways.

    ``exact``: from the per-example gradients. ``estimate``: McCandlish et al. (2018, appendix A.1)
    from batch gradients of two sizes only, drawn with replacement,
    :math:`|\\mathcal G|^2 = \\frac{B_{big}|g_{big}|^2 - B_{small}|g_{small}|^2}{B_{big}-B_{small}}` and
    :math:`\\mathcal S = \\frac{|g_{small}|^2 - |g_{big}|^2}{1/B_{small} - 1/B_{big}}` (unbiased for
    :math:`|G|^2` and :math:`\\mathrm{tr}\\,\\Sigma`), each averaged over ``pairs`` pairs, then
    :math:`\\mathcal S/|\\mathcal G|^2`. Also ``g2_est``, ``trace_est`` and the exact ``g2``, ``trace``.
    """
    if not (1 <= b_small < b_big):
        raise ValueError(f"need 1 <= b_small < b_big, got {b_small}, {b_big}")
    st = gradient_state(rng, steps)
    N, G = st["N"], st["G"]
    (gen,) = spawn(rng, 4)[3:]
    small = _counts(gen, N, b_small, pairs, True) @ G / b_small
    big = _counts(gen, N, b_big, pairs, True) @ G / b_big
    s2, b2 = np.sum(small ** 2, axis=1), np.sum(big ** 2, axis=1)
    g2_est = (b_big * b2 - b_small * s2) / (b_big - b_small)
    tr_est = (s2 - b2) / (1 / b_small - 1 / b_big)
    return {"exact": st["b_simple"], "estimate": float(tr_est.mean() / g2_est.mean()),
            "g2_est": float(g2_est.mean()), "trace_est": float(tr_est.mean()), "g2": st["g2"],
            "trace": st["trace"], "b_small": b_small, "b_big": b_big, "pairs": pairs}


@cached(maxsize=16)
def scatter_2d(rng=0, steps: int = 0) -> dict:
    """Two directions to look at batch gradients in: ``u`` = :math:`G/\\lVert G\\rVert` and ``v`` = the
    direction of largest per-example variance orthogonal to it (power iteration). ``Z`` (N, 2): every
    per-example gradient's coordinates (:math:`g_i\\cdot u, g_i\\cdot v`); ``center`` = G's (``|G|``, 0).
    A batch gradient's coordinates are the mean of its examples' rows of ``Z``."""
    st = gradient_state(rng, steps)
    G, g = st["G"], st["g"]
    u = g / np.linalg.norm(g)
    Gc = G - g
    Gc = Gc - np.outer(Gc @ u, u)
    (gen,) = spawn(rng, 5)[4:]
    v = gen.normal(size=G.shape[1])
    for _ in range(50):
        v = Gc.T @ (Gc @ v)
        v -= (v @ u) * u
        v /= np.linalg.norm(v)
    Z = np.c_[G @ u, G @ v]
    return {"Z": Z, "center": np.array([float(g @ u), float(g @ v)]), "N": len(G)}


@cached(maxsize=4)
def _permutations(n: int, draws: int, rng=0) -> np.ndarray:
    """``(draws, n)``: one random permutation of range(n) per row (``rng``: a stream spawned from it)."""
    (gen,) = spawn(rng, 6)[5:]
    return np.argsort(gen.random((int(draws), int(n))), axis=1)


def project_batches(scatter: dict, batch_size: int, draws: int = 300, replace: bool = False, rng=0) -> dict:
    """``draws`` batch gradients of size ``batch_size`` in the plane of :func:`scatter_2d`: ``points``
    (draws, 2), ``center``, ``mean_sq`` (their mean squared distance from the center, in the plane).

    Without replacement batch k is the first B entries of the k-th of ``draws`` fixed random
    permutations (:func:`_permutations`, computed once per ``rng``): a uniform random subset of size B,
    so moving a slider through B redraws in about a millisecond; the batches of different sizes are
    nested. With replacement each batch is drawn afresh from ``rng``."""
    from ..rng import as_generator
    Z, N = np.asarray(scatter["Z"]), scatter["N"]
    b = int(batch_size)
    if not 1 <= b <= N:
        raise ValueError(f"batch_size must lie in [1, {N}], got {batch_size!r}")
    if replace:
        pts = Z[as_generator(rng).integers(0, N, (int(draws), b))].mean(axis=1)
    else:
        P = _permutations(N, int(draws), rng) if not isinstance(rng, np.random.Generator) else \
            np.argsort(rng.random((int(draws), N)), axis=1)
        if b > N // 2:                     # the complement is smaller: batch sum = total - the rest
            pts = (Z.sum(axis=0) - Z[P[:, b:]].sum(axis=1)) / b
        else:
            pts = Z[P[:, :b]].mean(axis=1)
    return {"points": pts, "center": np.asarray(scatter["center"]),
            "mean_sq": float(np.mean(np.sum((pts - scatter["center"]) ** 2, axis=1))), "B": b}
