"""Build the book's website from the committed notebooks (``python3 tasks.py site``).

    python scripts/site_build.py [OUT]        # default OUT: build/site (git-ignored); page: OUT/html/index.html

Steps: copy every committed ``book/NN_*.ipynb`` into ``OUT/src`` (nothing is executed), with
  - the preface as ``index.ipynb`` (the landing page: the bilingual question index) and a hidden
    table of contents listing the chapters, so every page has chapter navigation;
  - every explorer output reduced to the PNG figure it was saved with, followed by a line telling how
    to run it live (the widget's JavaScript would come from a CDN, and a static page cannot run it);
then run Sphinx (configuration: ``book/_site/conf.py``) with warnings as errors.
Sphinx + MyST-NB + sphinx-book-theme (the Jupyter Book 1 stack) are pure Python and build offline.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_check  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONF = BOOK / "_site"
PREFACE = "00_preface"
WIDGET = "application/vnd.jupyter.widget-view+json"
#: MathJax 3 (npm, pinned in book/_site/package-lock.json) copied into the site: the combined TeX
#: component and what it loads on demand (TeX extensions, CHTML fonts, menu, assistive MathML)
MATHJAX_JS = "mathjax/tex-mml-chtml.js"
MATHJAX_PARTS = ("input", "output", "ui", "a11y", "adaptors")
LIVE_NOTE = ("**Live explorer.** Above is the figure this explorer was saved with. To move its controls, "
             "open the chapter in JupyterLab (`python3 tasks.py lab`) and run it (*Run → Run All Cells*).")


def chapters() -> list[Path]:
    """The committed notebooks, preface first (discovered: a new chapter is on the site at once)."""
    return sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def _static_explorers(nb: dict) -> int:
    """Replace each explorer output by its saved PNG and a note on how to run it live; return how many."""
    n = 0
    for cell in nb["cells"]:
        outputs = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET not in data:
                outputs.append(out)
                continue
            n += 1
            out = copy.deepcopy(out)
            del out["data"][WIDGET]
            if "image/png" not in out["data"]:
                out["data"] = {"text/markdown": "*(This explorer was saved without a figure.)*"}
            outputs.append(out)
            outputs.append({"output_type": "display_data", "metadata": {},
                            "data": {"text/markdown": LIVE_NOTE, "text/plain": LIVE_NOTE}})
        if "outputs" in cell:
            cell["outputs"] = outputs
    nb.get("metadata", {}).pop("widgets", None)      # no widget state, hence no widget JavaScript
    return n


def _relink(text: str) -> str:
    return re.sub(rf"\b{PREFACE}\.ipynb", "index.ipynb", text)


def prepare(src: Path) -> dict:
    """Write the site's sources into ``src``; return ``{page: number of explorers}``."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    pages = chapters()
    names = [p.stem for p in pages]
    if PREFACE not in names:
        raise SystemExit(f"book/{PREFACE}.ipynb (the landing page) is missing")
    explorers = {}
    for path in pages:
        nb = json.loads(path.read_text(encoding="utf-8"))
        explorers[path.stem] = _static_explorers(nb)
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                src_text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                cell["source"] = _relink(src_text)
        name = path.stem
        if name == PREFACE:
            name = "index"
            toc = "\n".join(n for n in names if n != PREFACE)
            nb["cells"].append({"cell_type": "markdown", "metadata": {},
                                "source": f"```{{toctree}}\n:hidden:\n:maxdepth: 2\n\n{toc}\n```\n"})
        (src / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return explorers


def build(out: Path, python: str = sys.executable, quiet: bool = True) -> dict:
    """Prepare ``out/src`` and build ``out/html``; raise ``SystemExit`` with Sphinx's output on any
    warning. Returns ``{"explorers": {...}, "seconds": build time, "html": out/html}``."""
    t0 = time.perf_counter()
    src, html = out / "src", out / "html"
    explorers = prepare(src)
    if html.exists():
        shutil.rmtree(html)
    local_mathjax, why = site_check.node_packages()
    cmd = [python, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-E", "-n",
           "-c", str(CONF), "-d", str(out / "doctrees"), str(src), str(html)]
    if local_mathjax:         # a copy inside the site: pages typeset offline, no CDN
        cmd[-2:-2] = ["-D", f"mathjax_path={MATHJAX_JS}"]
    if quiet:
        cmd.insert(5, "-q")
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"sphinx-build failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    if local_mathjax:
        es5 = site_check.KATEX_DIR / "node_modules" / "mathjax" / "es5"
        dest = html / "_static" / "mathjax"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(es5 / "tex-mml-chtml.js", dest)
        for part in MATHJAX_PARTS:
            shutil.copytree(es5 / part, dest / part)
    return {"explorers": explorers, "seconds": time.perf_counter() - t0, "html": html,
            "warnings": r.stderr, "mathjax": "in the site" if local_mathjax else f"from its CDN ({why})"}


def page_names() -> list[str]:
    """The pages the site must have: ``index`` (the preface) and one per chapter."""
    return ["index" if p.stem == PREFACE else p.stem for p in chapters()]


def main(argv: list[str]) -> None:
    out = Path(argv[0]).resolve() if argv else ROOT / "build" / "site"
    res = build(out, quiet=False)
    names = page_names()
    print(f"site: {len(names)} pages, {sum(res['explorers'].values())} explorers shown as saved figures, "
          f"built in {res['seconds']:.1f} s")
    print(f"MathJax: {res['mathjax']}")
    math, why = site_check.node_packages()
    problems = site_check.check_all(res["html"], names, math=math)
    if not math:
        print(f"equations not checked: {why}")
    if problems:
        print("\n".join(["site problems:", *problems]))
        sys.exit(1)
    print(f"checked: pages, internal links, images, search index{', equations (KaTeX)' if math else ''}")
    print(f"open {res['html'] / 'index.html'}  (or: python3 -m http.server -d {res['html']})")


if __name__ == "__main__":
    main(sys.argv[1:])
