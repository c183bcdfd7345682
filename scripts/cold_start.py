"""Cold start of the chapters: from a fresh kernel to the last output, and where the time goes.

    python scripts/cold_start.py [--only 02] [--chapters 00 01 ...] [--no-warm] [--json PATH]
    python3 tasks.py bench --cold [same options]

For each chapter notebook (default: every ``book/NN_*.ipynb``) a new ``python3`` kernel is started
(cwd = ``book/``, as in JupyterLab), every code cell is executed in order, and the time to the last
output is split into:

* **kernel**: starting the kernel until it answers;
* **imports**: the cells up to and including the one that calls ``setup()`` (the chapter's import
  cell), with the slowest modules of ``python -X importtime`` on that cell's imports in a fresh
  process (cumulative ms; ``self`` work done at import shows there too);
* **first calls**: what the same cells cost more the first time than when run again in the same
  kernel after ``dlcore.clear_caches()`` (the experiments computed again, but Matplotlib's font and
  mathtext set-up, lazily imported modules, code paths warmed once: paid again by nobody);
* **work**: the cells (after the imports) run again that way: the chapter's own computing and drawing.

Wall time and the kernel's CPU time (user + sys of the kernel process, ``psutil``) are printed for
each; on a shared machine the CPU time is the one that does not count waiting for a core. A report,
not a test: it always exits 0 unless a notebook fails.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
WARM_UP = ("import dlcore, matplotlib.pyplot as _plt\n"
           "dlcore.clear_caches()\n_plt.close('all')")


def _cpu(proc) -> float:
    t = proc.cpu_times()
    return t.user + t.system + t.children_user + t.children_system


def _import_cell_end(nb) -> int:
    """Index of the code cell that calls ``setup(`` (the chapter's imports end there), or the first code cell."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for i in code:
        if re.search(r"^\s*setup\(", nb.cells[i].source, re.M):
            return i
    return code[0] if code else -1


def import_profile(nb, top: int = 8) -> dict:
    """``python -X importtime`` of the import cell's ``import``/``from`` lines in a fresh process."""
    end = _import_cell_end(nb)
    lines = [ln for c in nb.cells[:end + 1] if c.cell_type == "code" for ln in c.source.splitlines()
             if re.match(r"\s*(import|from)\s", ln)]
    src, joined = [], ""
    for ln in lines:              # a parenthesised import spans lines: take whole statements
        joined += ln if not joined else " " + ln.strip()
        if joined.count("(") == joined.count(")"):
            src.append(joined)
            joined = ""
    code = "\n".join(src) or "pass"
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=BOOK, capture_output=True, text=True,
                       timeout=300)
    wall = time.perf_counter() - t0
    rows = []
    for ln in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", ln)
        if m:
            rows.append((m.group(4), int(m.group(1)) / 1e3, int(m.group(2)) / 1e3, len(m.group(3))))
    top_level = [r for r in rows if r[3] == 1]
    total = sum(r[2] for r in top_level)
    slow = sorted(top_level, key=lambda r: -r[2])[:top]
    self_heavy = sorted(rows, key=lambda r: -r[1])[:top]
    return {"process_s": round(wall, 3), "imports_ms": round(total, 1),
            "slowest": [(n, round(c, 1)) for n, _, c, _ in slow],
            "most_self": [(n, round(s, 1)) for n, s, _, _ in self_heavy], "error": r.returncode != 0}


def cold_run(path: Path, warm: bool = True) -> dict:
    import nbformat
    import psutil
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    end = _import_cell_end(nb)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    out = {"cells": []}
    t0 = time.perf_counter()
    with client.setup_kernel():
        out["kernel_s"] = time.perf_counter() - t0
        proc = psutil.Process(client.km.provisioner.process.pid)
        out["kernel_cpu_s"] = _cpu(proc)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            w, c = time.perf_counter(), _cpu(proc)
            client.execute_cell(cell, i)
            out["cells"].append({"index": i, "imports": i <= end, "wall_s": time.perf_counter() - w,
                                 "cpu_s": _cpu(proc) - c})
        out["total_s"] = time.perf_counter() - t0
        # what a browser receives and draws besides: outputs (figures) and widget models (explorers)
        out["output_bytes"] = sum(len(json.dumps(c.get("outputs", []))) for c in nb.cells if c.cell_type == "code")
        out["widget_state_bytes"] = len(json.dumps(nb.metadata.get("widgets", {})))
        for rec in out["cells"]:
            rec["first_line"] = next((ln for ln in nb.cells[rec["index"]].source.splitlines()
                                      if ln.strip() and not ln.lstrip().startswith("#")), "")[:60]
        if warm:
            nb.cells.append(nbformat.v4.new_code_cell(WARM_UP))
            client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
            for rec in out["cells"]:
                cell = nb.cells[rec["index"]]
                w, c = time.perf_counter(), _cpu(proc)
                client.execute_cell(cell, rec["index"])
                rec["warm_wall_s"], rec["warm_cpu_s"] = time.perf_counter() - w, _cpu(proc) - c
    return out


def summarise(run: dict) -> dict:
    cells = run["cells"]
    imp = [c for c in cells if c["imports"]]
    rest = [c for c in cells if not c["imports"]]
    s = {"kernel": (run["kernel_s"], run["kernel_cpu_s"]),
         "imports": (sum(c["wall_s"] for c in imp), sum(c["cpu_s"] for c in imp)),
         "total": (run["total_s"], run["kernel_cpu_s"] + sum(c["cpu_s"] for c in cells))}
    if rest and "warm_wall_s" in rest[0]:
        s["work"] = (sum(c["warm_wall_s"] for c in rest), sum(c["warm_cpu_s"] for c in rest))
        s["first_calls"] = (sum(c["wall_s"] for c in rest) - s["work"][0], sum(c["cpu_s"] for c in rest) - s["work"][1])
        slow = sorted(rest, key=lambda c: -(c["cpu_s"] - c["warm_cpu_s"]))[:3]
        s["first_call_cells"] = [(c["index"], round(c["cpu_s"] - c["warm_cpu_s"], 2)) for c in slow]
    else:
        s["work"] = (sum(c["wall_s"] for c in rest), sum(c["cpu_s"] for c in rest))
    s["heaviest_cells"] = [(c["index"], round(c["cpu_s"], 2), c.get("first_line", ""))
                           for c in sorted(rest, key=lambda c: -c["cpu_s"])[:3]]
    s["output_kb"] = (round(run.get("output_bytes", 0) / 1e3), round(run.get("widget_state_bytes", 0) / 1e3))
    return s


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chapters", nargs="*", help="chapter numbers (00 01 ...); default: every notebook")
    ap.add_argument("--only", help="only notebooks whose name contains this text")
    ap.add_argument("--no-warm", action="store_true", help="skip the second run (no first-call/work split)")
    ap.add_argument("--json", default=str(ROOT / ".bench" / "cold_start.json"), help="report path")
    args = ap.parse_args(argv)
    import nbformat
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    paths = sorted(p for p in BOOK.glob("[0-9][0-9]_*.ipynb")
                   if (not args.chapters or p.name[:2] in args.chapters) and (not args.only or args.only in p.name))
    rows, report, failed = [], {"load_before": _load(), "chapters": {}}, 0
    for path in paths:
        print(f"  {path.name} ...", file=sys.stderr, flush=True)
        try:
            run = cold_run(path, warm=not args.no_warm)
        except Exception as exc:                      # a report: name the failure and go on
            failed += 1
            print(f"  {path.name}: {type(exc).__name__}: {str(exc).strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        s = summarise(run)
        imp = import_profile(nbformat.read(path, as_version=4))
        report["chapters"][path.name] = {"run": run, "summary": s, "import_profile": imp}
        rows.append((path.name, s, imp))
    report["load_after"] = _load()
    fmt = lambda p: "-" if p is None else f"{p[0]:5.1f} / {p[1]:5.1f}"  # noqa: E731
    head = ("notebook", "kernel", "imports", "first calls", "work", "to last output")
    table = [head] + [(n, fmt(s["kernel"]), fmt(s["imports"]), fmt(s.get("first_calls")), fmt(s["work"]),
                       fmt(s["total"])) for n, s, _ in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    print(f"cold start, seconds wall / kernel CPU (load average {report['load_before']} before, "
          f"{report['load_after']} after)")
    for j, r in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print("\nimports (python -X importtime of each import cell, fresh process, cumulative ms):")
    for n, s, imp in rows:
        slow = ", ".join(f"{m} {ms:.0f}" for m, ms in imp["slowest"][:6])
        print(f"  {n}: {imp['imports_ms']:.0f} ms: {slow}")
        if s.get("first_call_cells"):
            print("    first calls, CPU s by cell: " + ", ".join(f"cell {i}: {t:.2f}" for i, t in s["first_call_cells"]))
        print("    heaviest cells, CPU s: " + "; ".join(f"cell {i} {t:.1f} ({ln})" for i, t, ln in s["heaviest_cells"]))
        print(f"    sent to the front end: outputs {s['output_kb'][0]} kB, widget models {s['output_kb'][1]} kB")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=float) + "\n")
    print(f"report written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
