#!/usr/bin/env python3
"""One entry point for everything; needs nothing but Python 3.10+ (no make, no conda).

    python3 tasks.py lab     # set up .venv if needed, open the book in JupyterLab
    python3 tasks.py test    # set up .venv if needed, run every test and every notebook (nbval)
    python3 tasks.py book    # re-execute every notebook and refresh the committed outputs
    python3 tasks.py bench   # benchmark every explorer and notebook against its budget
    python3 tasks.py bench --cold  # each chapter from a fresh kernel: kernel, imports, first calls, work
    python3 tasks.py setup   # only create/refresh the virtual environment
    python3 tasks.py lock    # re-resolve requirements-lock.txt (then: book, test, commit); --keep: no upgrades
    python3 tasks.py site    # the book as a static website, from the committed notebooks (build/site/html)
    python3 tasks.py browser # open every chapter in Chromium via JupyterLab, run it, move every explorer
    python3 tasks.py present 03  # for teachers: chapter 03's explorers as a page without code (Voilà)

Setup creates ``.venv`` next to this file, installs the exact versions of
``requirements-lock.txt`` (the versions the committed notebook outputs were
made with) and then the project itself (editable, no dependencies), and
registers a ``python3`` kernel *inside* the venv so notebooks run against the
venv's packages. A Python the lock cannot serve (older than 3.11.5) gets the
ranges of pyproject.toml instead, with a warning. Setup re-runs only when
pyproject.toml or the lock changed since the last successful setup.
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
LOCK = ROOT / "requirements-lock.txt"
#: the lock is resolved for every platform, for this Python and newer (see ``lock``)
LOCK_PYTHON = (3, 11, 5)
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
    h.update(LOCK.read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def setup() -> None:
    if STAMP.exists() and STAMP.read_text() == _fingerprint() and PY.exists():
        return
    if sys.version_info < (3, 10):
        sys.exit(f"dlbook needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        must(sys.executable, "-m", "venv", VENV)
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    must(*pip, "--upgrade", "pip")
    if sys.version_info >= LOCK_PYTHON and run(*pip, "-r", LOCK).returncode == 0:
        must(*pip, "--no-deps", "-e", ".")
    else:
        print(f"WARNING: requirements-lock.txt serves Python {'.'.join(map(str, LOCK_PYTHON))} and newer; "
              f"installing the ranges of pyproject.toml for Python {sys.version.split()[0]} instead. The book "
              "works, but a test may report numbers that differ from the committed outputs.", flush=True)
        must(*pip, "-e", ".[test]")
    # a kernelspec inside the venv, so notebooks execute with the venv's packages
    must(PY, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
         "--display-name", "Python 3 (dlbook)")
    _lab_settings()
    STAMP.write_text(_fingerprint())


#: JupyterLab settings for this venv's JupyterLab (``share/jupyter/lab/settings/overrides.json``).
#: ``saveState``: saving a notebook also saves its widgets' state, so an explorer reopened after
#: a save shows its last figure instead of "Error displaying widget: model not found".
LAB_SETTINGS = {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}


def _lab_settings() -> None:
    import json
    path = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.exists() else {}
    for plugin, values in LAB_SETTINGS.items():
        current.setdefault(plugin, {}).update(values)
    path.write_text(json.dumps(current, indent=2) + "\n")


def lock(extra) -> None:
    """Re-resolve requirements-lock.txt from pyproject.toml (newest versions the ranges allow), for
    every platform, and copy the direct dependencies' pins into environment.yml. Afterwards run
    ``python3 tasks.py book`` and ``python3 tasks.py test`` and commit the lock with the outputs.
    ``--keep``: keep every existing pin and only add what a new dependency needs (no upgrade)."""
    setup()
    must(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "uv")
    version = ".".join(map(str, LOCK_PYTHON))
    upgrade = [] if "--keep" in extra else ["--upgrade"]
    extra = [a for a in extra if a != "--keep"]
    must(BIN / "uv", "pip", "compile", "pyproject.toml", "--extra", "test", "--universal",
         "--python-version", version, "--no-header", "--no-annotate", *upgrade, "-o", LOCK, *extra)
    head = (f"# Exact versions for `python3 tasks.py setup` (Python {version}+, any platform).\n"
            "# The committed notebook outputs were made with these. Refresh: `python3 tasks.py lock`.\n")
    LOCK.write_text(head + "".join(l for l in LOCK.read_text().splitlines(keepends=True) if not l.startswith("#")))
    pins = lock_pins()
    lines = []
    for line in (ROOT / "environment.yml").read_text().splitlines():
        name = line.strip()[2:].split("=")[0].split(">")[0].split("<")[0].strip() if line.strip().startswith("- ") else ""
        if name in pins:                        # keep the indentation (a pip: sub-list is indented more)
            line = f"{line[:len(line) - len(line.lstrip())]}- {name}=={pins[name]}"
        lines.append(line)
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n")


def lock_pins() -> dict:
    """``{name: version}`` of requirements-lock.txt (names lower-case, ``_`` as ``-``)."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#")[0].split(";")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


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
    """``bench --cold [--chapters 00 02 ...]``: each chapter from a fresh kernel, split into kernel start,
    imports, first calls and work (scripts/cold_start.py) instead of the explorers and notebooks."""
    setup()
    if "--cold" in extra:
        sys.exit(run(PY, "scripts/cold_start.py", *[a for a in extra if a != "--cold"], env=_env()).returncode)
    sys.exit(run(PY, "scripts/bench.py", *extra, env=_env()).returncode)


def site(extra) -> None:
    """Build the website into build/site/html (git-ignored) and check it (scripts/site_build.py)."""
    setup()
    sys.exit(run(PY, "scripts/site_build.py", *extra, env=_env()).returncode)


def browser(extra) -> None:
    """The real-browser test (tests/browser/): JupyterLab headless + Debian's Chromium via Playwright."""
    setup()
    env = _env()
    env["DLBOOK_BROWSER"] = "1"
    sys.exit(run(PY, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-v", "tests/browser",
                 *extra, env=env).returncode)


def present(extra) -> None:
    """Presenter's mode: one chapter's explorers (all chapters' without a number) served by Voilà as a page
    without code cells, on a free port; prints the URL (``widgets/present.py``; ``--help`` for options)."""
    setup()
    os.chdir(ROOT)
    os.execve(str(PY), [str(PY), "-m", "widgets.present", *extra], _env())


def main(argv) -> None:
    cmds = {"setup": lambda _: setup(), "lab": lab, "test": test, "book": book, "bench": bench, "lock": lock,
            "site": site, "browser": browser, "present": present}
    if not argv or argv[0] not in cmds:
        print(__doc__)
        sys.exit(0 if not argv else 2)
    cmds[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
