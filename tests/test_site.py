"""The book's website (``python3 tasks.py site``): built once per run into a temporary folder from the
committed notebooks, with Sphinx warnings as errors. Fails on a notebook that did not render, a broken
internal link or anchor, a missing figure, an equation KaTeX cannot parse, a search index without the
question index's English and Chinese words, an explorer without its saved figure and the line telling
how to run it live, a worked answer that is not folded, or a page that would load MathJax from a CDN.
(One Sphinx build: about 6-10 s of CPU.)"""
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import site_build as site  # noqa: E402
import site_check as check  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    res = site.build(out)        # raises with Sphinx's output on any warning or error
    res["parsed"] = check.pages(res["html"])
    return res


def test_every_chapter_renders_with_its_title(built):
    names = site.page_names()
    assert names[0] == "index" and len(names) >= 2
    assert check.check_pages(built["html"], names) == []
    for path in site.chapters():
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = "".join(nb["cells"][0]["source"]).lstrip()
        title = first.splitlines()[0].lstrip("# ").strip()
        page = built["parsed"][built["html"] / f"{'index' if path.stem == site.PREFACE else path.stem}.html"]
        assert title.split()[-1] in page.title, (path.name, page.title)


def test_landing_page_is_the_question_index_with_chapter_navigation(built):
    index = (built["html"] / "index.html").read_text(encoding="utf-8")
    assert "Question index" in index and "问题" in index
    for name in site.page_names()[1:]:
        assert f'href="{name}.html"' in index, f"no link from the landing page to {name}"
    # every chapter page links to the previous and next page
    for name in site.page_names()[1:]:
        page = (built["html"] / f"{name}.html").read_text(encoding="utf-8")
        assert 'class="left-prev"' in page, name


def test_no_broken_internal_link(built):
    assert check.check_links(built["html"], built["parsed"]) == []


def test_every_figure_is_there(built):
    assert check.check_images(built["html"], built["parsed"]) == []
    n_png = sum(1 for p in site.chapters() for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
                for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    n_img = sum(1 for f, pg in built["parsed"].items() for s in pg.imgs if "_images/" in s)
    assert n_img >= n_png, f"{n_png} figures in the notebooks, {n_img} on the site"


def test_every_equation_parses(built):
    ok, why = check.katex_available()
    if not ok and not os.environ.get("CI"):
        pytest.skip(f"equations not checked: {why}")
    assert ok, why
    eqs = check.equations(built["parsed"])
    assert len(eqs) > 100
    assert check.check_math(built["parsed"]) == []


def test_search_finds_english_and_chinese_words(built):
    assert check.check_search(built["html"]) == []
    terms = check.search_terms(built["html"])
    # every Chinese question of the index can be found by any two neighbouring characters of it
    preface = (ROOT / "book" / f"{site.PREFACE}.py").read_text(encoding="utf-8")
    rows = re.findall(r"^# \| [^|]+ \| ([^|]*[\u4e00-\u9fff][^|]*) \|", preface, flags=re.M)
    assert len(rows) > 20
    for row in rows:
        for run in re.findall(r"[\u4e00-\u9fff]+", row):
            assert all(run[i:i + 2] in terms for i in range(len(run) - 1)), run


def test_explorers_show_their_saved_figure_and_how_to_run_them(built):
    for path in site.chapters():
        nb = json.loads(path.read_text(encoding="utf-8"))
        n = sum(1 for c in nb["cells"] for o in c.get("outputs", []) if site.WIDGET in o.get("data", {}))
        page = (built["html"] / f"{'index' if path.stem == site.PREFACE else path.stem}.html").read_text(encoding="utf-8")
        assert page.count("Live explorer.") == n, path.name
        assert built["explorers"][path.stem] == n
        # the note follows an image in the same cell output
        for m in re.finditer("Live explorer.", page):
            assert "<img" in page[max(0, m.start() - 3000):m.start()], path.name
        assert "widget-state+json" not in page and "@jupyter-widgets/html-manager" not in page


def test_worked_answers_are_folded(built):
    for path in site.chapters():
        nb = json.loads(path.read_text(encoding="utf-8"))
        n = sum("".join(c["source"]).count("<details>") for c in nb["cells"] if c["cell_type"] == "markdown")
        page = (built["html"] / f"{'index' if path.stem == site.PREFACE else path.stem}.html").read_text(encoding="utf-8")
        assert page.count("<details>") == n, path.name
        if path.stem != site.PREFACE:
            assert n >= 3, f"{path.name}: fewer than 3 folded answers"
        for block in re.findall(r"<details>(.*?)</details>", page, flags=re.S):
            assert "<summary>" in block and len(re.sub(r"<[^>]+>", "", block)) > 20


def test_the_checks_catch_what_they_are_for(tmp_path):
    """Each check fails on a page made to have its fault."""
    (tmp_path / "a.html").write_text(
        '<html><head><title>A</title></head><body><h1>A</h1><a href="b.html">b</a><a href="#nowhere">x</a>'
        '<img src="_images/missing.png"><span class="math notranslate nohighlight">\\(\\frac{1}{\\)</span>'
        '<p>Error displaying widget</p></body></html>')
    parsed = check.pages(tmp_path)
    assert len(check.check_links(tmp_path, parsed)) == 2
    assert len(check.check_images(tmp_path, parsed)) == 1
    assert any("Error displaying widget" in p for p in check.check_pages(tmp_path, ["a"]))
    assert check.check_pages(tmp_path, ["a", "b"])[-1].startswith("b: no page")
    if check.katex_available()[0]:
        assert len(check.check_math(parsed)) == 1


def test_pages_typeset_with_the_mathjax_inside_the_site(built):
    """No CDN: a reader offline (or CI) sees typeset equations. (tests/browser/test_site_pages.py
    checks in Chromium that every equation typesets without a MathJax error.)"""
    if built["mathjax"] != "in the site" and not os.environ.get("CI"):
        pytest.skip(f"MathJax {built['mathjax']}")
    assert built["mathjax"] == "in the site"
    assert (built["html"] / "_static" / site.MATHJAX_JS).is_file()
    for path, page in built["parsed"].items():
        assert not any("cdn." in link or "mathjax@" in link for link in page.links), path.name
        if page.math:
            assert f"_static/{site.MATHJAX_JS}" in page.links, path.name
