"""The website (``python3 tasks.py site``) in Chromium: every page typesets all its equations with the
MathJax copied into the site (no CDN, no MathJax error box), and the search box finds English and
Chinese words of the question index."""
import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

import jlab_driver as d

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import site_build  # noqa: E402


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    res = site_build.build(tmp_path_factory.mktemp("site"))
    if res["mathjax"] != "in the site":
        pytest.fail(f"MathJax is not in the site: {res['mathjax']}")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(res["html"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def site_page(browser, request):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = context.new_page()
    failed_requests = []
    pg.on("requestfailed", lambda r: failed_requests.append(r.url))
    pg.failed_requests = failed_requests
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print("screenshot:", d.shot(pg, f"{request.node.name}-failure".replace("/", "_")))
    context.close()


@pytest.mark.parametrize("name", site_build.page_names())
def test_every_equation_typesets(site_url, site_page, name):
    pg = site_page
    pg.goto(f"{site_url}/{name}.html")
    if pg.locator(".math").count() == 0:        # Sphinx loads MathJax only on pages with equations
        return
    pg.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    pg.evaluate("() => MathJax.startup.promise")
    stats = pg.evaluate("""() => ({
        math: document.querySelectorAll('.math').length,
        typeset: document.querySelectorAll('.math mjx-container').length,
        errors: [...document.querySelectorAll('mjx-merror')].map(e => e.getAttribute('data-mjx-error')
                                                                   || e.textContent).slice(0, 5)})""")
    assert stats["errors"] == [], f"{name}: MathJax errors {stats['errors']}"
    assert stats["typeset"] == stats["math"], f"{name}: {stats}"
    assert not [u for u in pg.failed_requests if "127.0.0.1" in u], pg.failed_requests


@pytest.mark.parametrize("query", ["softmax", "gradient checking", "梯度", "反向传播", "神经元死亡"])
def test_search_box_finds_english_and_chinese(site_url, site_page, query):
    pg = site_page
    pg.goto(f"{site_url}/search.html?q={quote(query)}")
    pg.wait_for_function("""() => { const s = document.querySelector('#search-results .search-summary');
                                    return s && /found|did not match/.test(s.textContent); }""", timeout=30_000)
    summary = pg.inner_text("#search-results .search-summary")
    hits = pg.locator("#search-results ul.search li").count()
    assert hits >= 1, f"{query!r}: {summary}"
