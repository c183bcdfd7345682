"""Presenter's mode for teachers (issue 18 item 4): a chapter's explorers on one page, without code.

``python3 tasks.py present 03`` (or ``python -m widgets.present 03``) writes a *presenter notebook* for
chapter 03 into ``build/present/`` (git-ignored; made anew each time, never committed) and serves it
with Voilà, which runs it in a kernel and shows its text and outputs only. The notebook is built from the
chapter's own notebook: its title, then for each explorer of the chapter (a code cell that is one call
``SomeExplorer(...)``, as the chapter makes it) the heading of the section it sits in, one line on what
it shows (the first sentence of the class's docstring) and that same call. Without a chapter it serves
every chapter's presenter page, listed on the first page.

The page loads nothing from the network: Voilà's ``lab`` template links Font Awesome from a CDN, so the
server uses the ``dlbook`` template beside this module (``present_templates/``), the same without it.
"""
from __future__ import annotations

import argparse
import ast
import inspect
import json
import os
import re
import socket
import sys
from pathlib import Path

__all__ = ["chapters", "find_chapter", "explorer_cells", "presenter_notebook", "write_presenters",
           "voila_command", "free_port", "main"]

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
OUT = ROOT / "build" / "present"
TEMPLATES = Path(__file__).resolve().parent / "present_templates"     # a Jupyter data dir: voila/templates/dlbook
KERNEL = {"name": "python3", "display_name": "Python 3 (dlbook)", "language": "python"}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _explorer_call(code: str) -> tuple[str, str] | None:
    """``(class name, call)`` if ``code`` is one expression ``SomeExplorer(...)`` (the call without comments)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id.endswith("Explorer"):
        return call.func.id, ast.get_source_segment(code, call)
    return None


def explorer_cells(nb: dict) -> list[dict]:
    """The chapter's explorers in order: ``{"name", "call", "section", "heading"}`` for each code cell that
    is one call of an Explorer class. ``section`` is the last ``##`` heading before it, ``heading`` the last
    ``##`` or ``###`` heading (they are equal when no ``###`` came after the ``##``)."""
    found, section, heading = [], "", ""
    for cell in nb["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            for line in text.splitlines():
                m = re.match(r"^(#{2,3})\s+(.*\S)", line)
                if m:
                    heading = m.group(2)
                    if len(m.group(1)) == 2:
                        section = heading
        elif cell["cell_type"] == "code":
            found_call = _explorer_call(text)
            if found_call:
                name, call = found_call
                found.append({"name": name, "call": call, "section": section, "heading": heading})
    return found


def _first_sentence(doc: str) -> str:
    """First sentence of a docstring, with reST markup (``x``, :math:`x`, :data:`~a.b`) made plain."""
    text = " ".join((doc or "").split("\n\n")[0].split())
    text = re.sub(r":\w+:`~?(?:[\w.]+\.)?([^`]+)`", r"\1", text)
    text = text.replace("``", "")
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def _classes(names, number: str) -> dict:
    """``{name: class}``, preferring the modules of chapter ``number`` (``widgets.chNN_*``)."""
    from widgets.discover import explorer_classes
    found = {}
    for dotted, cls in sorted(explorer_classes(), key=lambda nc: not nc[0].startswith(f"widgets.ch{number}_")):
        found.setdefault(cls.__name__, cls)
    missing = [n for n in names if n not in found]
    if missing:
        raise LookupError(f"explorers not found in widgets.*: {missing}")
    return {n: found[n] for n in names}


def chapters() -> list[Path]:
    """The book's chapter notebooks that show at least one explorer."""
    return [p for p in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")) if explorer_cells(_load(p))]


def find_chapter(key: str) -> Path:
    """A chapter notebook from ``3``, ``03``, ``03_activations``, or a path."""
    p = Path(key)
    if p.suffix in (".ipynb", ".py"):
        p = (p if p.is_absolute() else Path.cwd() / p).resolve().with_suffix(".ipynb")
        if p.exists() and explorer_cells(_load(p)):
            return p
        raise SystemExit(f"{key}: no such notebook, or it shows no explorer")
    stem = key.zfill(2) if key.isdigit() else key
    hits = [c for c in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")) if c.stem == stem or c.stem.startswith(stem + "_")]
    if len(hits) != 1 or not explorer_cells(_load(hits[0])):
        names = ", ".join(c.stem for c in chapters())
        raise SystemExit(f"no chapter {key!r} with explorers: give its number or name, one of {names}")
    return hits[0]


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": text}


def presenter_notebook(chapter: Path) -> dict:
    """The presenter notebook of ``chapter`` (an nbformat 4 notebook as a dict, ids added on writing)."""
    chapter = Path(chapter)
    nb = _load(chapter)
    cells = explorer_cells(nb)
    if not cells:
        raise LookupError(f"{chapter.name} shows no explorer")
    number = chapter.stem[:2]
    title = next((l[2:].strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                  for l in _source(c).splitlines() if l.startswith("# ")), chapter.stem)
    classes = _classes([c["name"] for c in cells], number)
    by_module: dict[str, list[str]] = {}
    for name, cls in classes.items():
        by_module.setdefault(cls.__module__, []).append(name)
    imports = "\n".join(f"from {m} import {', '.join(sorted(set(ns)))}" for m, ns in sorted(by_module.items()))
    out = [_md(f"# {title}\n\nThe {len(cells)} explorer{'s' * (len(cells) != 1)} of the chapter "
               f"(`book/{chapter.name}`). Explorers that compute a formula follow a slider as it moves; "
               "those that train networks update when it is released, with a progress bar."),
           _code(f"{imports}\nfrom widgets.notebook import setup\n\nsetup()")]
    section = heading = None
    for c in cells:
        text = []
        if c["section"] != section:
            text.append(f"## {c['section']}")
        if c["heading"] != c["section"] and c["heading"] != heading:
            text.append(f"### {c['heading']}")
        section, heading = c["section"], c["heading"]
        text.append(f"**{c['name']}**: {_first_sentence(inspect.getdoc(classes[c['name']]))}")
        out += [_md("\n\n".join(text)), _code(c["call"])]
    return {"nbformat": 4, "nbformat_minor": 5, "cells": out,
            "metadata": {"kernelspec": KERNEL, "language_info": {"name": "python"},
                         "dlbook": {"presenter_of": chapter.name}}}


def write_presenters(chaps, out: Path = OUT) -> list[Path]:
    """Write the presenter notebook of each chapter to ``out`` (same file name); returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for chapter in chaps:
        nb = presenter_notebook(chapter)
        for i, cell in enumerate(nb["cells"]):
            cell["id"] = f"present-{i}"
        path = out / Path(chapter).name
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_command(target: Path, port: int, browser: bool = False) -> tuple[list[str], dict]:
    """The command and environment that serve ``target`` (a notebook or a folder of them) with Voilà.

    One notebook is served with a *preheated* kernel: Voilà runs it as soon as it starts, so the page opens
    in 2-3 s instead of the 9-15 s its run takes, and runs the next one while it is open (a reload is as
    quick). A folder is not (a kernel of about 180 MB for each chapter, all computing at once on start)."""
    bin_dir = Path(sys.executable).parent
    preheat = Path(target).suffix == ".ipynb"
    cmd = [str(bin_dir / "voila"), str(target), f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
           "--template=dlbook", "--theme=light", "--show_tracebacks=True", "--strip_sources=True",
           f"--preheat_kernel={preheat}",
           # jupytext's JupyterLab extension has nothing to do on this page (and is built for JupyterLab 4.6,
           # newer than Voilà's own front end: the console warned about it)
           "--VoilaConfiguration.extension_denylist=jupyterlab-jupytext"]
    if not browser:
        cmd.append("--no-browser")
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)                      # the kernel draws inline, as in JupyterLab
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return cmd, env


def _headless() -> bool:
    if os.environ.get("CI"):
        return True
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python3 tasks.py present", description=(
        "Serve a chapter's explorers as a page without code (Voilà), for a teacher in class. Without a "
        "chapter: every chapter's page, listed on the first page."))
    ap.add_argument("chapter", nargs="?", help="number or name of a chapter, e.g. 03 or 03_activations")
    ap.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    ap.add_argument("--no-browser", action="store_true", help="do not open a browser (also when CI is set "
                    "or there is no display)")
    ap.add_argument("--out", type=Path, default=OUT, help=f"folder for the presenter notebooks (default: "
                    f"{OUT.relative_to(ROOT)})")
    args = ap.parse_args(argv)
    chaps = [find_chapter(args.chapter)] if args.chapter else chapters()
    out = args.out.resolve()
    paths = write_presenters(chaps, out)
    target = paths[0] if args.chapter else out
    port = args.port or free_port()
    browser = not (args.no_browser or _headless())
    cmd, env = voila_command(target, port, browser)
    print(f"presenter page{'s' * (len(paths) > 1)}: {', '.join(p.name for p in paths)} (in {out})\n"
          f"open http://127.0.0.1:{port}/  (stop with Ctrl+C)", flush=True)
    os.chdir(out)
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
