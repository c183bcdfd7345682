"""The presenter's mode (widgets/present.py) without a browser: the presenter notebook of every chapter
holds exactly the chapter's explorers, in order, under the chapter's headings; the Voilà command serves it
as the teacher's page should be served. (tests/browser/test_present.py opens the pages in Chromium.)"""
import ast
import json
from pathlib import Path

import nbformat
import pytest

from widgets import present
from widgets.discover import explorer_classes

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = present.chapters()
NAMES = {cls.__name__ for _, cls in explorer_classes()}


def _code(src):
    return {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}


def _md(src):
    return {"cell_type": "markdown", "metadata": {}, "source": src}


def test_every_chapter_with_explorers_has_a_page():
    assert [p.stem[:2] for p in CHAPTERS][:6] == ["01", "02", "03", "04", "05", "06"]
    assert all(p.suffix == ".ipynb" for p in CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_the_page_holds_the_chapters_explorers_in_order(chapter):
    source = json.loads(chapter.read_text())
    shown = [c for c in source["cells"] if c["cell_type"] == "code" and "Explorer(" in "".join(c["source"])
             and "NBVAL_IGNORE_OUTPUT" in "".join(c["source"])]
    nb = present.presenter_notebook(chapter)
    code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    calls = code[1:]
    assert len(calls) == len(shown) > 0
    for call, cell in zip(calls, shown):
        assert call in "".join(cell["source"]) and "#" not in call   # the chapter's call, settings included
        name = ast.parse(call).body[0].value.func.id
        assert name in NAMES
        assert f"import" in code[0] and name in code[0]
    ast.parse("\n".join(code))                                # every code cell is valid Python
    assert "setup()" in code[0]
    text = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    number = int(chapter.stem[:2])
    assert text.startswith(f"# {chapter.stem[:2]} · ")
    sections = [l[3:] for l in text.splitlines() if l.startswith("## ")]
    assert sections and all(s.startswith(f"{number}.") for s in sections), sections
    lines = [l for l in text.splitlines() if l.startswith("**")]
    assert len(lines) == len(calls)
    for line in lines:
        assert "``" not in line and ":math:" not in line and ":data:" not in line, line
        assert line.rstrip().endswith((".", "?", "!", ")")), line
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_explorer_cells_takes_single_calls_only_and_tracks_headings():
    nb = {"cells": [
        _md("# 09 · A chapter\n\n## 9.1 First\n\ntext"),
        _code("# NBVAL_IGNORE_OUTPUT\nAExplorer()"),
        _code("x = BExplorer()"),                         # an assignment shows nothing
        _code("CExplorer()\nprint(1)"),                   # two statements: not an explorer cell
        _md("### Explorer: a sub-heading"),
        _code("DExplorer(seeds=2)   # a comment"),
        _md("## 9.2 Second"),
        _code("plot_x(r)"),
        _code("EExplorer(\n    epochs=3)"),
        _code("def broken(:"),
    ]}
    found = present.explorer_cells(nb)
    assert [f["name"] for f in found] == ["AExplorer", "DExplorer", "EExplorer"]
    assert [f["call"] for f in found] == ["AExplorer()", "DExplorer(seeds=2)", "EExplorer(\n    epochs=3)"]
    assert [(f["section"], f["heading"]) for f in found] == [
        ("9.1 First", "9.1 First"), ("9.1 First", "Explorer: a sub-heading"), ("9.2 Second", "9.2 Second")]


def test_first_sentence_is_plain_text():
    doc = ("Cost over (w, b) for ``mu`` = :math:`\\mu`, see :data:`~dlcore.x.SWEEP_LRS`. More text.\n\n"
           "Second paragraph.")
    assert present._first_sentence(doc) == "Cost over (w, b) for mu = \\mu, see SWEEP_LRS."
    assert present._first_sentence("No full stop") == "No full stop"
    assert present._first_sentence("") == ""


@pytest.mark.parametrize("key", ["3", "03", "03_activations", "book/03_activations.py",
                                 "book/03_activations.ipynb"])
def test_find_chapter(key, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert present.find_chapter(key) == ROOT / "book" / "03_activations.ipynb"


@pytest.mark.parametrize("key", ["99", "activations", "0"])
def test_find_chapter_says_what_exists(key):
    with pytest.raises(SystemExit, match="give its number or name, one of 01_backprop"):
        present.find_chapter(key)


def test_written_notebooks_are_valid(tmp_path):
    paths = present.write_presenters(CHAPTERS[:2], tmp_path)
    assert [p.name for p in paths] == [c.name for c in CHAPTERS[:2]]
    for p in paths:
        nbformat.validate(nbformat.read(p, as_version=4))


def test_voila_command(tmp_path):
    nb = tmp_path / "03_activations.ipynb"
    cmd, env = present.voila_command(nb, 12345)
    assert cmd[1] == str(nb) and "--port=12345" in cmd and "--Voila.ip=127.0.0.1" in cmd
    assert "--no-browser" in cmd and "--template=dlbook" in cmd and "--strip_sources=True" in cmd
    assert "--preheat_kernel=True" in cmd                      # one chapter: its page opens at once
    assert str(present.TEMPLATES) in env["JUPYTER_PATH"] and "MPLBACKEND" not in env
    cmd, _ = present.voila_command(tmp_path, 12345, browser=True)
    assert "--preheat_kernel=False" in cmd and "--no-browser" not in cmd


def test_the_template_drops_the_cdn_links_voila_has():
    """The dlbook template removes Voilà's two Font Awesome links by their exact text: if a new Voilà
    changes them, this fails (and the browser test would see the page ask the CDN)."""
    import re

    import jupyter_core.paths
    lab = next(Path(d) / "voila" / "templates" / "lab" / "index.html.j2" for d in jupyter_core.paths.jupyter_path()
               if (Path(d) / "voila" / "templates" / "lab" / "index.html.j2").exists())
    ours = present.TEMPLATES / "voila" / "templates" / "dlbook"
    assert json.loads((ours / "conf.json").read_text()) == {"base_template": "lab"}
    removed = re.findall(r"replace\('([^']+)', ''\)", (ours / "index.html.j2").read_text())
    text = lab.read_text()
    assert len(removed) == 2 and all(r in text for r in removed)
    for r in removed:
        text = text.replace(r, "")
    assert not re.search(r"""(href|src)=["']https?://""", text)
    # the other pages (the list of chapters, errors) are framed by page.html: ours is base/page.html
    # (blocks and all) without its one remote link, with lab/page.html's stylesheets
    base = (lab.parents[1] / "base" / "page.html").read_text()
    page = (ours / "page.html").read_text()
    blocks = lambda t: re.findall(r"{%-?\s*block (\w+)", t)               # noqa: E731
    assert blocks(page) == blocks(base) and "include_css(\"static/index.css\")" in page
    assert len(re.findall(r"""(href|src)=["']https?://""", base)) == 1
    assert not re.search(r"""(href|src)=["']https?://""", page)


def test_main_prints_the_url_and_execs_voila(tmp_path, monkeypatch, capsys):
    called = {}
    monkeypatch.setattr(present.os, "execve", lambda exe, args, env: called.update(exe=exe, args=args))
    monkeypatch.setattr(present.os, "chdir", lambda d: called.update(cwd=d))
    present.main(["3", "--port", "23456", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "http://127.0.0.1:23456/" in out and "03_activations.ipynb" in out
    assert called["args"][1] == str(tmp_path / "03_activations.ipynb") and "--port=23456" in called["args"]
    assert called["cwd"] == tmp_path and (tmp_path / "03_activations.ipynb").exists()


def test_no_browser_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert present._headless()
