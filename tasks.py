#!/usr/bin/env python3
"""One entry point for everything; needs nothing but Python 3.10+ (no make, no conda).

    python3 tasks.py lab     # set up .venv if needed, open the book in JupyterLab
    python3 tasks.py test    # set up .venv if needed, run every test and every notebook (nbval)
    python3 tasks.py book    # re-execute every notebook and refresh the committed outputs
    python3 tasks.py bench   # benchmark every explorer and notebook against its budget
    python3 tasks.py setup   # only create/refresh the virtual environment

Setup creates ``.venv`` next to this file, installs the project (editable)
with its test extras, and registers a ``python3`` kernel *inside* the venv so
notebooks run against the venv's packages. It re-runs only when
pyproject.toml changed since the last successful setup.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".dlbook-installed"
BOOK = ROOT / "book"
FIRST_PAGE = "00_preface.ipynb"


def run(*cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=kw.pop("cwd", ROOT), **kw)


def must(*cmd, **kw):
    r = run(*cmd, **kw)
    if r.returncode != 0:
        sys.exit(r.returncode)


def _fingerprint() -> str:
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def setup() -> None:
    if STAMP.exists() and STAMP.read_text() == _fingerprint() and PY.exists():
        return
    if sys.version_info < (3, 10):
        sys.exit(f"dlbook needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        must(sys.executable, "-m", "venv", VENV)
    must(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--upgrade", "pip")
    must(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", ".[test]")
    # a kernelspec inside the venv, so notebooks execute with the venv's packages
    must(PY, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
         "--display-name", "Python 3 (dlbook)")
    STAMP.write_text(_fingerprint())


def _env():
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    # small matrices: one BLAS thread is faster, and pytest-xdist already uses both cores
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def lab(extra) -> None:
    setup()
    # default_url makes the printed URL (and the browser) open the first page
    args = [BIN / "jupyter", "lab", f"--LabApp.default_url=/lab/tree/book/{FIRST_PAGE}"]
    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        print("No display found: starting the server without a browser; open the URL it prints.", flush=True)
        args.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")      # containers and CI images often run as root
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    os.chdir(ROOT)
    os.execve(str(args[0]), [str(a) for a in args] + list(extra), env)


def test(extra) -> None:
    setup()
    notebooks = sorted(str(p.relative_to(ROOT)) for p in BOOK.glob("*.ipynb"))
    workers = "2" if (os.cpu_count() or 1) >= 2 else "1"
    cmd = [PY, "-m", "pytest", "-n", workers, "--dist", "loadscope", "--nbval",
           "--nbval-sanitize-with", "book/sanitize.cfg", "--nbval-cell-timeout", "300",
           "tests", *notebooks, *extra]
    sys.exit(run(*cmd, env=_env()).returncode)


def book(extra) -> None:
    setup()
    targets = [Path(a) for a in extra] or sorted(BOOK.glob("[0-9][0-9]_*.py"))
    for src in targets:
        src = (ROOT / src) if not src.is_absolute() else src
        must(BIN / "jupytext", "--set-kernel", "python3", "--execute", "--to", "ipynb",
             "--output", src.with_suffix(".ipynb"), src, env=_env(), cwd=BOOK)
    must(PY, "scripts/normalise_notebooks.py", *[str(t.with_suffix(".ipynb")) for t in targets])


def bench(extra) -> None:
    setup()
    sys.exit(run(PY, "scripts/bench.py", *extra, env=_env()).returncode)


def main(argv) -> None:
    cmds = {"setup": lambda _: setup(), "lab": lab, "test": test, "book": book, "bench": bench}
    if not argv or argv[0] not in cmds:
        print(__doc__)
        sys.exit(0 if not argv else 2)
    cmds[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
