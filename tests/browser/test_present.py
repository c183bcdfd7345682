"""The presenter's mode in a real browser (issue 18 item 4): for each chapter with explorers, start the
command a teacher runs (``python -m widgets.present NN --no-browser``, what ``python3 tasks.py present NN``
runs: Voilà over the chapter's presenter notebook, free port), open the page in Debian's Chromium, and check
  1. the page shows every explorer of the chapter, no code, no traceback and no widget error;
  2. every explorer: moving one control changes its figure (pixel difference);
  3. the page asked nothing of any host but the local server (no CDN: the page works offline).
It also checks that the error detector sees a traceback on a Voilà page. Page load and control-response
times are printed at the end. Run: ``python3 tasks.py browser -k present``."""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import jlab_driver as d
from widgets import present

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = [p.stem for p in present.chapters()]
READY_TIMEOUT_S = 120.0
CHANGE_TIMEOUT_S = 30.0
REPORT = []      # printed at the end of the run (tests/browser/conftest.py)


class Presenter:
    """``python -m widgets.present [chapter]`` on a free port, writing its notebooks to ``out``."""

    def __init__(self, chapter: str | None, out: Path):
        self.port = d.free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = out / "voila.log"
        cmd = [sys.executable, "-m", "widgets.present", *([chapter] if chapter else []), "--port", str(self.port),
               "--no-browser", "--out", str(out)]
        self.t0 = time.time()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> float:
        """Wait until the server answers and has started the page's preheated kernel; returns the seconds."""
        while time.time() - self.t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the presenter exited: {self.log.read_text()[-2000:]}")
            if "is filled with 1 kernel" in self.log.read_text():
                try:
                    urllib.request.urlopen(f"{self.url}voila/static/voila.js", timeout=2).read()
                    return time.time() - self.t0
                except OSError:
                    pass
            time.sleep(0.25)
        raise RuntimeError(f"the presenter was not ready in {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()            # Voilà shuts its kernels down on SIGTERM
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def problems(page) -> list[str]:
    """What a Voilà page shows when something went wrong: a traceback, a widget that could not be shown,
    Voilà's own error message, or an explorer's failed update."""
    text = page.evaluate("() => document.body.textContent || ''")   # not innerText: hidden parts count too
    needles = ["Traceback", "Error displaying widget", "There was an error when executing", "failed after",
               "Error: ", "Kernel error"]
    return [f"{n!r}: ...{text[max(0, text.find(n) - 200):text.find(n) + 300]}..." for n in needles if n in text]


def watch(explorer):
    """Record (``window.__dlbookFigureChanged``, page clock) the first time the explorer's figure changes."""
    explorer.locator(".widget-image").first.evaluate("""img => {
        window.__dlbookFigureChanged = null;
        new MutationObserver((_, obs) => { window.__dlbookFigureChanged = performance.now(); obs.disconnect(); })
            .observe(img, {attributes: true, attributeFilter: ['src']});
    }""")


def explorers(page):
    outs = page.locator("#rendered_cells .jp-OutputArea-output:has(.widget-image)")
    return [outs.nth(i) for i in range(outs.count())]


@pytest.fixture
def voila_page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    d.shot_if_failed(pg, request)
    context.close()


def _open(page, url: str, n_explorers: int) -> float:
    """Open the page and wait until all its explorers show their figure; returns the seconds it took."""
    t0 = time.time()
    page.goto(url, timeout=READY_TIMEOUT_S * 1000)    # Voilà answers once the page has run
    page.wait_for_function("""n => {
        const imgs = [...document.querySelectorAll('#rendered_cells .widget-image')];
        return imgs.length >= n && imgs.every(i => i.complete && i.naturalWidth > 0);
    }""", arg=n_explorers, timeout=READY_TIMEOUT_S * 1000, polling=100)
    return time.time() - t0


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_presenter_page_shows_and_moves_every_explorer(browser, voila_page, chapter, tmp_path):
    page = voila_page
    expected = present.explorer_cells(json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text()))
    server = Presenter(chapter[:2], tmp_path)
    try:
        t_ready = server.wait_ready()
        t_load = _open(page, server.url, len(expected))
        assert problems(page) == [], f"{chapter}: presenter page after loading"
        # text and outputs only: no code cell shows its source
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor").count() == 0
        title = page.locator("#rendered_cells h1").first.inner_text()
        assert title.startswith(chapter[:2]), title
        found = explorers(page)
        assert len(found) == len(expected), (len(found), [e["name"] for e in expected])
        body = page.evaluate("() => document.body.textContent")
        for e in expected:
            assert e["name"] in body, e["name"]
        report, times = [], []
        for i, (ex, e) in enumerate(zip(found, expected)):
            png = d.figure_png(ex)
            watch(ex)
            moved = d.move_one_control(ex)
            released = page.evaluate("() => performance.now()")
            change, secs = d.wait_changed(ex, png, CHANGE_TIMEOUT_S)
            first = page.evaluate("() => window.__dlbookFigureChanged")
            ms = None if first is None else max(0.0, first - released)
            times.append(ms if ms is not None else 1e3 * secs)
            report.append(f"{e['name']}: {moved}: {100 * change:.1f}% of pixels changed; new figure "
                          + ("during the drag" if ms == 0.0 else f"{ms:.0f} ms after the release")
                          + f", settled within {secs:.1f} s")
            if change <= 0.001:
                d.shot(page, f"present-{chapter}-explorer{i + 1}-unchanged")
            assert change > 0.001, f"{chapter}: {report[-1]}"
        assert problems(page) == [], f"{chapter}: presenter page after moving the explorers"
        outside = _outside(page.requests)
        assert outside == [], f"{chapter}: the page asked other hosts: {outside[:5]}"
        # the next visit gets the kernel Voilà preheated meanwhile: the page a teacher opens (or reloads)
        t_reload = _open(page, server.url, len(expected))
        assert problems(page) == [], f"{chapter}: presenter page after a reload"
        REPORT.append(f"present {chapter}: kernel started {t_ready:.1f} s after the command; page with its "
                      f"{len(found)} explorers shown in {t_load:.1f} s (first visit), {t_reload:.1f} s (reload, "
                      f"preheated kernel); new figure after a control's release: median "
                      f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms")
        REPORT.extend("    " + r for r in report)
    finally:
        server.stop()


def _outside(requests) -> list[str]:
    return [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]


def test_without_a_chapter_the_first_page_lists_every_chapter(browser, voila_page, tmp_path):
    """``present`` without a number: Voilà's list of the presenter pages, one per chapter, asking no
    other host (Voilà's base page links Font Awesome from a CDN; the dlbook template's page.html does not)."""
    server = Presenter(None, tmp_path)
    try:
        deadline = time.time() + READY_TIMEOUT_S
        while "running at" not in server.log.read_text():
            assert server.proc.poll() is None and time.time() < deadline, server.log.read_text()[-2000:]
            time.sleep(0.25)
        voila_page.goto(server.url, timeout=READY_TIMEOUT_S * 1000)
        for name in CHAPTERS:
            voila_page.get_by_text(f"{name}.ipynb").first.wait_for(timeout=30_000)
        assert problems(voila_page) == []
        assert _outside(voila_page.requests) == [], _outside(voila_page.requests)
    finally:
        server.stop()


def test_the_voila_checks_see_a_traceback(browser, voila_page, tmp_path):
    """The detector is not blind on a Voilà page: a planted cell that raises is reported."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": present.KERNEL},
          "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None,
                     "source": "print('ok')", "outputs": []},
                    {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": None,
                     "source": "raise ValueError('planted')", "outputs": []}]}
    path = tmp_path / "planted.ipynb"
    path.write_text(json.dumps(nb))
    port = d.free_port()
    cmd, env = present.voila_command(path, port)
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=open(tmp_path / "voila.log", "w"),
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + READY_TIMEOUT_S
        while "running at" not in (tmp_path / "voila.log").read_text():
            assert proc.poll() is None and time.time() < deadline, (tmp_path / "voila.log").read_text()[-2000:]
            time.sleep(0.25)
        voila_page.goto(f"http://127.0.0.1:{port}/", timeout=READY_TIMEOUT_S * 1000)
        voila_page.wait_for_function("() => (document.body.textContent || '').includes('planted')",
                                     timeout=READY_TIMEOUT_S * 1000, polling=200)
        found = problems(voila_page)
        assert any("Traceback" in p or "error when executing" in p for p in found), found
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
