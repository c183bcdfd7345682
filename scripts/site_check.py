"""Checks of the built website (used by tests/test_site.py and by ``python3 tasks.py site``).

Each ``check_*`` returns a list of problems (empty: fine):
  - ``check_pages``: every chapter became a page with its title, and no cell output failed to render;
  - ``check_links``: every internal link (href/src) points to a file that exists, and its #anchor to
    an id in that page;
  - ``check_images``: every <img> file exists and is a non-empty image;
  - ``check_math``: every equation parses in KaTeX (node + the katex npm package pinned in
    book/_site/package.json). The pages typeset with MathJax in the reader's browser, so a build never
    sees a LaTeX error; KaTeX is stricter than MathJax, so what it accepts MathJax shows;
  - ``check_search``: the search index holds English words and Chinese terms of the question index.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SITE_CONF = ROOT / "book" / "_site"
KATEX_DIR = ROOT / "build" / "katex"          # npm ci of book/_site/package.json (git-ignored)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.imgs, self.math = set(), [], [], []
        self._math_depth = 0          # inside an element with class "math"
        self._stack = []
        self._buf = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag in ("script",) and a.get("src"):
            self.links.append(a["src"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "title":
            self._in_title = True
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr", "source"):
            return
        classes = (a.get("class") or "").split()
        is_math = "math" in classes and tag in ("span", "div")
        self._stack.append(is_math)
        if is_math:
            if self._math_depth == 0:
                self._buf = []
            self._math_depth += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr", "source") or not self._stack:
            return
        if self._stack.pop():
            self._math_depth -= 1
            if self._math_depth == 0:
                self.math.append("".join(self._buf))

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._math_depth:
            self._buf.append(data)


def parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def pages(html: Path) -> dict[Path, _Page]:
    """The site's pages (not the theme's template fragments under _static/)."""
    return {p: parse(p) for p in sorted(html.rglob("*.html")) if "_static" not in p.relative_to(html).parts}


def check_pages(html: Path, expected: list[str]) -> list[str]:
    """``expected``: page names (``index`` for the preface, ``NN_topic`` for chapters)."""
    problems = []
    for name in expected:
        path = html / f"{name}.html"
        if not path.exists():
            problems.append(f"{name}: no page (the notebook did not render)")
            continue
        text = path.read_text(encoding="utf-8")
        body = re.sub(r"<script.*?</script>", "", text, flags=re.S)
        if "<h1" not in body:
            problems.append(f"{name}: no title (h1)")
        for bad in ("Error displaying widget", "Traceback (most recent call last)",
                    "application/vnd.jupyter.widget-view+json", "Could not render"):
            if bad in body:
                problems.append(f"{name}: page shows {bad!r}")
        if re.search(r"(?<![\\$])\$\$?[^$<>\n]+\$", re.sub(r"<(pre|code)\b.*?</\1>", "", body, flags=re.S)):
            m = re.search(r"(?<![\\$])\$\$?[^$<>\n]+\$", re.sub(r"<(pre|code)\b.*?</\1>", "", body, flags=re.S))
            problems.append(f"{name}: unrendered $...$ math: {m.group(0)[:80]!r}")
    return problems


def check_links(html: Path, parsed: dict | None = None) -> list[str]:
    parsed = parsed or pages(html)
    ids = {p.resolve(): pg.ids for p, pg in parsed.items()}
    problems = []
    for path, pg in parsed.items():
        for href in pg.links:
            u = urlsplit(href)
            if u.scheme or u.netloc or href.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (path.parent / unquote(u.path)).resolve() if u.path else path.resolve()
            where = f"{path.relative_to(html)}: link {href!r}"
            if not target.exists():
                problems.append(f"{where}: no file {target.relative_to(html.resolve()) if target.is_relative_to(html.resolve()) else target}")
            elif u.fragment and target.suffix == ".html" and target in ids and unquote(u.fragment) not in ids[target]:
                problems.append(f"{where}: no anchor #{u.fragment}")
    return problems


def check_images(html: Path, parsed: dict | None = None) -> list[str]:
    parsed = parsed or pages(html)
    problems = []
    for path, pg in parsed.items():
        for src in pg.imgs:
            u = urlsplit(src)
            if src.startswith("data:image/"):
                continue
            if u.scheme or u.netloc or not u.path:
                problems.append(f"{path.relative_to(html)}: image {src!r} is not a file of the site")
                continue
            f = (path.parent / unquote(u.path)).resolve()
            if not f.is_file() or f.stat().st_size < 100:
                problems.append(f"{path.relative_to(html)}: image {src!r} missing or empty")
            elif f.suffix == ".png" and f.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
                problems.append(f"{path.relative_to(html)}: image {src!r} is not a PNG")
    return problems


def equations(parsed: dict) -> list[tuple[str, str, bool]]:
    """``(page, tex, display)`` for every equation of the site (MathJax's delimiters removed)."""
    out = []
    for path, pg in parsed.items():
        for raw in pg.math:
            tex = raw.strip()
            display = True
            if tex.startswith("\\(") and tex.endswith("\\)"):
                tex, display = tex[2:-2], False
            elif tex.startswith("\\[") and tex.endswith("\\]"):
                tex = tex[2:-2]
            out.append((path.name, tex.strip(), display))
    return out


_KATEX_JS = r"""
const katex = require(process.env.KATEX_PATH);
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const errors = [];
for (const [page, tex, display] of items) {
  try { katex.renderToString(tex, {displayMode: display, throwOnError: true, strict: 'error',
                                   trust: false}); }
  catch (e) { errors.push([page, tex, String(e.message || e)]); }
}
process.stdout.write(JSON.stringify(errors));
"""


def node_packages() -> tuple[bool, str]:
    """Install book/_site/package.json's pinned packages (KaTeX, MathJax) into build/katex if needed
    (npm ci: versions and hashes from the committed package-lock.json). Returns (ok, reason)."""
    lock = json.loads((SITE_CONF / "package-lock.json").read_text())
    wanted = {k.split("node_modules/")[-1]: v["version"] for k, v in lock["packages"].items()
              if k.startswith("node_modules/") and k.count("node_modules/") == 1
              and k.split("/")[-1] in lock["packages"][""]["dependencies"]}

    def installed():
        for name, version in wanted.items():
            f = KATEX_DIR / "node_modules" / name / "package.json"
            if not f.exists() or json.loads(f.read_text())["version"] != version:
                return False
        return True

    if installed():
        return True, ""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return False, "node and npm are needed (KaTeX checks the equations; MathJax is copied into the site)"
    KATEX_DIR.mkdir(parents=True, exist_ok=True)
    for f in ("package.json", "package-lock.json"):
        shutil.copy(SITE_CONF / f, KATEX_DIR / f)
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=KATEX_DIR,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or not installed():
        return False, f"npm ci of book/_site/package.json failed: {r.stderr.strip()[-500:]}"
    return True, ""


katex_available = node_packages


def check_math(parsed: dict) -> list[str]:
    ok, reason = katex_available()
    if not ok:
        raise RuntimeError(reason)
    items = equations(parsed)
    env = dict(os.environ, KATEX_PATH=str(KATEX_DIR / "node_modules" / "katex"))
    r = subprocess.run([shutil.which("node"), "-e", _KATEX_JS], input=json.dumps(items), env=env,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"node failed: {r.stderr[-1000:]}")
    return [f"{page}: {msg}  in  {tex[:120]!r}" for page, tex, msg in json.loads(r.stdout)]


def search_terms(html: Path) -> set[str]:
    s = (html / "searchindex.js").read_text(encoding="utf-8")
    return set(json.loads(s[s.index("(") + 1:s.rindex(")")])["terms"])


def check_search(html: Path, english=("gradient", "softmax", "explor"), chinese=("梯度", "反向", "传播", "激活")) -> list[str]:
    terms = search_terms(html)
    return [f"search index lacks {t!r}" for t in (*english, *chinese) if t not in terms]


def check_all(html: Path, expected: list[str], math: bool = True) -> list[str]:
    parsed = pages(html)
    problems = check_pages(html, expected) + check_links(html, parsed) + check_images(html, parsed) + check_search(html)
    if math:
        problems += check_math(parsed)
    return problems
