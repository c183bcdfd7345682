"""Benchmark every explorer and notebook of the book against its time budget.

    python scripts/bench.py [--repeat N] [--only NAME] [--no-notebooks]
                            [--module MOD ...] [--pixel-ratio R] [--json PATH]

Explorers: every concrete ``widgets.base.Explorer`` subclass defined in a
module of the ``widgets`` package (plus ``--module`` extras, dotted names or
.py paths) is built with its defaults (headless Agg), warmed up once, then
``set(**s)`` is timed ``repeat`` times cycling through ``bench_settings``
(default: min / middle / max of each control, one control at a time).
Each time includes compute, draw and PNG rendering (at the explorer's
``pixel_ratio``, 2: ``--pixel-ratio 1`` measures the old 1x rendering). Budget:
median wall time under ``BUDGETS_MS[kind]`` (30 ms analytic, 1000 ms
training). The CPU time of the process is reported next to it: on a machine
shared with other jobs the wall time includes waiting for a core, the CPU time
does not.

Notebooks: every ``book/**/*.ipynb`` is executed once with nbclient (kernel
python3, cwd = the notebook's folder); budget 30 s each.

Prints an aligned table and writes JSON (default ``.bench/bench.json``) with
the git commit, machine and versions so runs can be compared. This is a
report, not a test: it always exits 0.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import pkgutil
import platform
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET_MS = 30_000.0


def _import(spec: str):
    if spec.endswith(".py"):
        path = Path(spec).resolve()
        mod_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[path.stem] = module
        mod_spec.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def discover_explorers(extra_modules=()):
    """Concrete Explorer subclasses defined in widgets.* and in ``extra_modules``."""
    import widgets
    from widgets.discover import explorer_classes

    names = [f"widgets.{m.name}" for m in pkgutil.iter_modules(widgets.__path__)]
    return explorer_classes([*names, *(_import(m) for m in extra_modules)])


def settings_cycle(cls) -> list[dict]:
    if cls.bench_settings:
        return list(cls.bench_settings)
    return [{name: v} for name, c in cls.controls.items() for v in c.samples()]


def _stats(times_ms, budget_ms, errors=0, cpu_ms=None):
    median = float(np.median(times_ms))
    p90 = float(np.percentile(times_ms, 90))
    status = "ERROR" if errors else ("PASS" if median <= budget_ms else "OVER")
    cpu = None if cpu_ms is None else round(float(np.median(cpu_ms)), 3)
    return {"median_ms": round(median, 3), "p90_ms": round(p90, 3), "cpu_median_ms": cpu,
            "budget_ms": budget_ms, "status": status, "errors": errors, "n": len(times_ms)}


def bench_explorer(cls, repeat: int, pixel_ratio: float | None = None) -> dict:
    from widgets.base import BUDGETS_MS

    try:
        if pixel_ratio is not None:
            cls = type(cls.__name__, (cls,), {"pixel_ratio": pixel_ratio, "__module__": cls.__module__})
        explorer = cls()
        cycle = settings_cycle(cls)
        explorer.set(**cycle[0])  # warm-up
    except Exception as exc:  # a report, not a test: record and go on
        return {"kind": cls.kind, "median_ms": None, "p90_ms": None,
                "budget_ms": BUDGETS_MS[cls.kind], "status": "ERROR", "errors": 1,
                "error": f"{type(exc).__name__}: {exc}"}
    times, cpu, errors, last = [], [], 0, None
    for i in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        explorer.set(**cycle[i % len(cycle)])
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        if explorer.last_error:
            errors, last = errors + 1, explorer.last_error
    out = {"kind": cls.kind, **_stats(times, BUDGETS_MS[cls.kind], errors, cpu)}
    if last:
        out["error"] = last
    explorer.close()
    return out


def bench_notebook(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    out = {"kind": "notebook", **_stats([(time.perf_counter() - t0) * 1e3],
                                        NOTEBOOK_BUDGET_MS, int(error is not None))}
    if error:
        out["error"] = error
    return out


def _git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _table(items):
    rows = [("name", "kind", "median ms", "p90 ms", "CPU ms", "budget ms", "status")]
    for it in items:
        fmt = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
        rows.append((it["name"], it["kind"], fmt(it["median_ms"]), fmt(it["p90_ms"]),
                     fmt(it.get("cpu_median_ms")), f"{it['budget_ms']:.0f}", it["status"]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=20, help="timed updates per explorer")
    ap.add_argument("--only", help="only items whose name contains this text")
    ap.add_argument("--no-notebooks", action="store_true", help="skip executing book/*.ipynb")
    ap.add_argument("--module", action="append", default=[],
                    help="extra module (dotted name or .py path) to search for explorers")
    ap.add_argument("--pixel-ratio", type=float, default=None,
                    help="render explorers at this pixel density instead of their own (e.g. 1 to compare)")
    ap.add_argument("--json", default=str(ROOT / ".bench" / "bench.json"), help="report path")
    args = ap.parse_args(argv)

    if str(ROOT) not in sys.path:  # explorers and notebook kernels import dlcore/widgets from here
        sys.path.insert(0, str(ROOT))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])

    items = []
    for name, cls in discover_explorers(args.module):
        if args.only and args.only not in name:
            continue
        items.append({"name": name, **bench_explorer(cls, max(1, args.repeat), args.pixel_ratio)})
        print(f"  {name}: {items[-1]['status']}", file=sys.stderr, flush=True)
    if not args.no_notebooks:
        for path in sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                           if ".ipynb_checkpoints" not in p.parts):
            name = str(path.relative_to(ROOT))
            if args.only and args.only not in name:
                continue
            items.append({"name": name, **bench_notebook(path)})
            print(f"  {name}: {items[-1]['status']}", file=sys.stderr, flush=True)

    print(_table(items) if items else "nothing to benchmark (no explorers or notebooks found)")
    for it in items:
        if "error" in it:
            print(f"  {it['name']}: {it['error']}")
    count = {k: sum(it["status"] == k for it in items) for k in ("PASS", "OVER", "ERROR")}
    print(f"{count['PASS']} within budget, {count['OVER']} over"
          + (f", {count['ERROR']} failed" if count["ERROR"] else ""))

    report = {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("--no-optional-locks", "status", "--porcelain")),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine()},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "matplotlib": matplotlib.__version__},
        "repeat": args.repeat,
        "pixel_ratio": args.pixel_ratio,
        "items": items,
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"report written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
