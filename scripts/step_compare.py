"""One training step of dlcore beside a hand-written NumPy loop and PyTorch (issue 19 items 3-4).

    python scripts/step_compare.py [--repeat N] [--torch] [--torch-python PATH] [--json PATH]

A step is forward, softmax cross-entropy, backward and a plain SGD update of an
MLP with ReLU hidden layers, on one fixed batch, with one BLAS/OpenMP thread.
Three implementations of the same step:

* ``hand``: the step written out in NumPy (what a reader would write; the floor);
* ``dlcore``: ``model.forward``, the loss, ``model.backward``, ``SGD.step``, the
  calls ``dlcore.train.fit`` makes each step;
* ``fit``: ``dlcore.train.fit`` itself over many steps (adds the divergence
  checks and the callbacks), against a hand loop that also shuffles each epoch,
  gathers each mini-batch by index and records each step's loss;
* ``torch`` (``--torch``): ``nn.Sequential`` of ``nn.Linear``/``nn.ReLU``,
  ``nn.CrossEntropyLoss``, ``optim.SGD``, ``zero_grad(set_to_none=True)``.

The machine is shared, so times are the process's CPU time (not the wall
time, which includes waiting for a core), and only ratios measured in the same
process are reported: the implementations are timed in turn, many rounds, and each ratio
is the median over rounds of (its time / the hand loop's time in that round).
PyTorch runs in its own process (it may live in another environment:
``--torch-python``), which times the hand loop too, so ``torch/hand`` is also a
same-process ratio; ``dlcore/torch`` is ``(dlcore/hand) / (torch/hand)``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: (layer sizes, batch): the book's two usual nets and a large one
CASES = (((64, 100, 100, 100, 10), 60), ((64, 30, 30, 30, 30, 10), 32), ((784, 512, 512, 10), 512))
DTYPES = ("float32", "float64")


def data(sizes, batch, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    return X, y, Ws


def hand_sgd_step(W, b, X, y, lr) -> float:
    """One SGD step of the ReLU MLP with weights ``W`` and biases ``b`` (updated in place) on the batch
    ``(X, y)``, written out in NumPy: what a reader would write. Returns the batch loss (fit records it)."""
    rows, n = np.arange(len(y)), len(y)
    hs = [X]
    for i in range(len(W)):
        z = hs[-1] @ W[i] + b[i]
        hs.append(np.maximum(z, 0) if i < len(W) - 1 else z)
    z = hs[-1] - hs[-1].max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[rows, y]).mean())
    p[rows, y] -= 1
    d = p / n
    for i in range(len(W) - 1, -1, -1):
        gw, gb = hs[i].T @ d, d.sum(axis=0)
        if i:
            d = (d @ W[i].T) * (hs[i] > 0)
        W[i] -= lr * gw
        b[i] -= lr * gb
    return loss


def hand_step_fn(sizes, batch, dtype, lr=0.01):
    X, y, Ws = data(sizes, batch, dtype)
    W = [w.copy() for w in Ws]
    b = [np.zeros(w.shape[1], dtype) for w in W]

    def step():
        step.loss = hand_sgd_step(W, b, X, y, lr)
    step.W, step.b = W, b
    return step


def dlcore_step_fn(sizes, batch, dtype, lr=0.01):
    from dlcore import SGD, mlp
    from dlcore.losses import UNCHECKED, softmax_cross_entropy

    loss = UNCHECKED[softmax_cross_entropy]            # what fit calls each step (arguments checked once, before)

    X, y, Ws = data(sizes, batch, dtype)
    model = mlp(list(sizes), activation="relu", rng=0, dtype=getattr(np, dtype))
    linears = [m for m in model.modules() if hasattr(m, "n_in")]
    for lin, w in zip(linears, Ws):
        lin.params["W"][...] = w
    T = np.eye(sizes[-1], dtype=dtype)[y]
    opt = SGD(model, lr=lr)
    params = list(model.named_parameters())

    def step():                                          # the calls fit makes each step
        out = model.forward(X, training=True)
        _, dout = loss(out, T)
        model.backward(dout, input_grad=False)          # the data need no gradient
        opt.step(params)
    step.W = [lin.params["W"] for lin in linears]
    step.b = [lin.params["b"] for lin in linears]
    return step


def hand_training_fn(sizes, batch, dtype, steps, lr=0.01):
    """``steps`` steps of a hand-written training loop over ``batch * 10`` examples, as ``fit`` runs them:
    a new permutation each epoch, the mini-batch gathered by index, the loss of each step recorded."""
    rng = np.random.default_rng(1)
    Xall = rng.standard_normal((batch * 10, sizes[0])).astype(dtype)
    yall = rng.integers(0, sizes[-1], batch * 10)
    _, _, Ws = data(sizes, batch, dtype)
    W = [w.copy() for w in Ws]
    b = [np.zeros(w.shape[1], dtype) for w in W]

    def train():
        losses, t, order_rng = [], 0, np.random.default_rng(0)   # the batch order fit(rng=0) draws
        while t < steps:
            order = order_rng.permutation(len(yall))
            for start in range(0, len(yall), batch):
                if t >= steps:
                    break
                idx = order[start:start + batch]
                losses.append(hand_sgd_step(W, b, Xall[idx], yall[idx], lr))
                t += 1
        return losses
    return train


def fit_fn(sizes, batch, dtype, steps, lr=0.01):
    """``dlcore.fit`` for ``steps`` steps on the same ``batch * 10`` examples (no evaluation: ``eval_train=False``)."""
    from dlcore import fit, mlp

    rng = np.random.default_rng(1)
    X = rng.standard_normal((batch * 10, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch * 10)
    model = mlp(list(sizes), activation="relu", rng=0, dtype=getattr(np, dtype))
    _, _, Ws = data(sizes, batch, dtype)
    for lin, w in zip([m for m in model.modules() if hasattr(m, "n_in")], Ws):
        lin.params["W"][...] = w
    return lambda: fit(model, X, y, lr=lr, steps=steps, batch_size=batch, rng=0, eval_train=False)


def timed(fn, k):
    """CPU seconds per call of the process (one thread everywhere): unlike the wall time it does not
    count the time spent waiting for a core that a neighbour holds."""
    t0 = time.process_time()
    for _ in range(k):
        fn()
    return (time.process_time() - t0) / k


def rounds(fns: dict, repeat: int, k: int) -> dict:
    """Time each fn (k calls) in turn, ``repeat`` rounds; median time and median ratio to ``hand``."""
    for fn in fns.values():
        timed(fn, max(1, k // 2))                      # warm-up
    t = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t[name].append(timed(fn, k))
    hand = np.array(t["hand"])
    out = {}
    for name, ts in t.items():
        ts = np.array(ts)
        r = ts / hand
        out[name] = {"median_us": float(np.median(ts) * 1e6), "ratio_to_hand": float(np.median(r)),
                     "ratio_q10": float(np.quantile(r, 0.1)), "ratio_q90": float(np.quantile(r, 0.9))}
    return out


def k_for(sizes, batch):
    flops = 6 * batch * sum(a * b for a, b in zip(sizes, sizes[1:]))
    return int(np.clip(2e8 / flops, 3, 200))          # ~ tens of ms per timing


TORCH_CHILD = r'''
import json, sys, time
import numpy as np, torch
sys.path.insert(0, {root!r})
from scripts.step_compare import hand_step_fn, data, rounds, k_for
torch.set_num_threads(1)
torch.set_num_interop_threads(1)
res = {{}}
for sizes, batch in {cases!r}:
    for dtype in {dtypes!r}:
        X, y, Ws = data(sizes, batch, dtype)
        tdt = getattr(torch, dtype)
        layers = []
        for i, w in enumerate(Ws):
            lin = torch.nn.Linear(w.shape[0], w.shape[1]).to(tdt)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w.T.copy()))
                lin.bias.zero_()
            layers.append(lin)
            if i < len(Ws) - 1:
                layers.append(torch.nn.ReLU())
        net = torch.nn.Sequential(*layers)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        lossf = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        def tstep():
            opt.zero_grad(set_to_none=True)
            lossf(net(Xt), yt).backward()
            opt.step()
        r = rounds({{"hand": hand_step_fn(sizes, batch, dtype), "torch": tstep}}, {repeat}, k_for(sizes, batch))
        res[f"{{'-'.join(map(str, sizes))}} B={{batch}} {{dtype}}"] = r["torch"] | {{"hand_us": r["hand"]["median_us"]}}
print(json.dumps({{"torch": torch.__version__, "results": res}}))
'''


def run_torch(python: str, repeat: int) -> dict:
    code = TORCH_CHILD.format(root=str(ROOT), cases=[(list(s), b) for s, b in CASES], dtypes=list(DTYPES),
                              repeat=repeat)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    p = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=3600)
    if p.returncode != 0:
        raise RuntimeError(f"the PyTorch run failed ({python}):\n{p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def find_torch_python(given: str | None) -> str | None:
    for py in filter(None, [given, sys.executable]):
        if subprocess.run([py, "-c", "import torch"], capture_output=True).returncode == 0:
            return py
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=15, help="rounds per case")
    ap.add_argument("--torch", action="store_true", help="also time PyTorch (an optional extra)")
    ap.add_argument("--torch-python", help="a Python with torch installed (default: this one)")
    ap.add_argument("--json", default=str(ROOT / ".bench" / "steps.json"))
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    threadpool_limits(1)
    results = {}
    for sizes, batch in CASES:
        for dtype in DTYPES:
            name = f"{'-'.join(map(str, sizes))} B={batch} {dtype}"
            r = rounds({"hand": hand_step_fn(sizes, batch, dtype), "dlcore": dlcore_step_fn(sizes, batch, dtype)},
                       args.repeat, k_for(sizes, batch))
            steps = max(20, k_for(sizes, batch))
            rf = rounds({"hand": hand_training_fn(sizes, batch, dtype, steps),
                         "fit": fit_fn(sizes, batch, dtype, steps)}, args.repeat, 1)
            r["fit"] = rf["fit"]
            results[name] = r
            print(f"  {name}: dlcore/hand {r['dlcore']['ratio_to_hand']:.2f} "
                  f"[{r['dlcore']['ratio_q10']:.2f}, {r['dlcore']['ratio_q90']:.2f}], "
                  f"fit/hand {r['fit']['ratio_to_hand']:.2f}, hand {r['hand']['median_us']:.0f} us",
                  file=sys.stderr, flush=True)
    report = {"numpy": np.__version__, "results": results}
    if args.torch:
        py = find_torch_python(args.torch_python)
        if py is None:
            print("PyTorch is not installed here: `.venv/bin/pip install torch` (CPU is enough) or pass "
                  "--torch-python /path/to/python-with-torch", file=sys.stderr)
            return 2
        tr = run_torch(py, args.repeat)
        report["torch"] = tr["torch"]
        for name, r in tr["results"].items():
            results[name]["torch"] = r
            results[name]["dlcore_vs_torch_speedup"] = r["ratio_to_hand"] / results[name]["dlcore"]["ratio_to_hand"]
    rows = [("net, batch, dtype", "hand CPU us", "dlcore/hand", "fit/hand", "torch/hand", "dlcore speed-up vs torch")]
    for name, r in results.items():
        t = r.get("torch")
        rows.append((name, f"{r['hand']['median_us']:.0f}", f"{r['dlcore']['ratio_to_hand']:.2f}",
                     f"{r['fit']['ratio_to_hand']:.2f}", "-" if t is None else f"{t['ratio_to_hand']:.2f}",
                     "-" if t is None else f"{r['dlcore_vs_torch_speedup']:.2f}x"))
    w = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(row)))
        if j == 0:
            print("  ".join("-" * x for x in w))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"report written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
