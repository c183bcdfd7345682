"""JupyterLab headless + Debian's Chromium driven by Playwright, for tests/browser/test_chapters.py.

The server runs the venv's ``jupyter lab`` on a free port over a *copy* of book/ (a test that saves
notebooks must not touch the committed ones), with the venv's settings (``saveState``, written by
``tasks.py setup``) and its own empty user-settings, workspace and runtime folders. Chromium is
``/usr/bin/chromium`` (or $DLBOOK_CHROMIUM), never a downloaded browser.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("DLBOOK_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTEFACTS = ROOT / "build" / "browser"     # screenshots of failures (git-ignored)
TOKEN = "dlbook-browser-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server over a copy of book/ in ``workdir``."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = workdir / "jupyterlab.log"

    def start(self, timeout: float = 90) -> "Lab":
        # the notebooks only: with their .py pair beside them, jupytext refuses to open a notebook whose
        # .ipynb is more than 1 s newer than its .py (as after `tasks.py book`), which is not what we test
        book = self.dir / "book"
        book.mkdir()
        for nb in sorted((ROOT / "book").glob("*.ipynb")):
            shutil.copyfile(nb, book / nb.name)
        settings = self.dir / "user-settings"
        # no news pop-up over the notebook
        f = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        f.parent.mkdir(parents=True)
        f.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)          # the kernel must draw inline, not with Agg
        env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(self.dir / "ws"),
                   JUPYTER_RUNTIME_DIR=str(self.dir / "runtime"), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        cmd = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={self.port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={self.dir}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.open_browser=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.proc = subprocess.Popen(cmd, cwd=self.dir, env=env, stdout=open(self.log, "w"),
                                     stderr=subprocess.STDOUT)
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer in {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def shutdown_kernels(self):
        """Shut down every kernel (one chapter's kernel must not hold memory during the next)."""
        sessions = json.loads(urllib.request.urlopen(f"{self.url}/api/sessions?token={TOKEN}", timeout=10).read())
        for s in sessions:
            req = urllib.request.Request(f"{self.url}/api/sessions/{s['id']}?token={TOKEN}", method="DELETE")
            urllib.request.urlopen(req, timeout=30).read()

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/book/{name}?token={TOKEN}&reset"


def shutdown_kernels(lab: Lab):
    try:
        lab.shutdown_kernels()
    except OSError as e:
        print("could not shut down the kernels:", e)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


# --- in the page ---------------------------------------------------------------------------------

def open_notebook(page, lab: Lab, name: str, timeout_ms: int = 90_000):
    page.goto(lab.notebook_url(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)


def kernel_status(page) -> str:
    return page.evaluate("""() => {
        const el = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelStatus, '
                                         + '.jp-NotebookPanel .jp-KernelStatus');
        const bar = document.querySelector('#jp-main-statusbar');
        return (el ? (el.getAttribute('title') || el.getAttribute('aria-label') || el.className) : '') + ' | '
               + (bar ? bar.innerText.replace(/\\n/g, ' ') : '');
    }""")


def wait_kernel_idle(page, timeout_ms: int):
    page.wait_for_function("""() => {
        const bar = document.querySelector('#jp-main-statusbar');
        return bar && /\\| Idle/.test(bar.innerText.replace(/\\n/g, ' '));
    }""", timeout=timeout_ms, polling=250)


def command(page, label: str, menu: str):
    """Click ``menu`` in the menu bar, then the item ``label``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.wait_for_selector(".lm-Menu-content", timeout=10_000)
    item = page.locator(".lm-Menu-content .lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                        has_text=label).first
    item.click()


def run_all(page, timeout_ms: int):
    """Edit → Clear Outputs of All Cells, Run → Run All Cells, then wait until every code cell has run
    (a number in its prompt) or one has failed (JupyterLab then stops), and the kernel is idle."""
    command(page, "Clear Outputs of All Cells", "Edit")
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
                                     .every(p => !/\\[\\d+\\]/.test(p.textContent))""", timeout=30_000, polling=100)
    command(page, "Run All Cells", "Run")
    page.wait_for_function("""() => {
        const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
        const busy = prompts.some(p => p.textContent.includes('[*]'));
        const done = prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        const failed = !!document.querySelector('.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.stderr"]');
        const bar = document.querySelector('#jp-main-statusbar');
        return !busy && (done || failed) && bar && /\\| Idle/.test(bar.textContent.replace(/\\n/g, ' '));
    }""", timeout=timeout_ms, polling=250)


def problems(page) -> list[str]:
    """Outputs that show a widget error or a Python traceback."""
    return page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('.jp-NotebookPanel .jp-Cell').forEach((cell, i) => {
            cell.querySelectorAll('.jp-OutputArea-output').forEach(o => {
                const t = o.textContent || '';   // not innerText: off-screen cells are not laid out
                if (t.includes('Error displaying widget')) out.push(`cell ${i + 1}: Error displaying widget`);
                if (o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
                    && t.includes('Traceback')) out.push(`cell ${i + 1}: traceback on stderr: ${t.slice(0, 300)}`);
                if (o.querySelector('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')
                    || /Traceback \\(most recent call last\\)/.test(t))
                    out.push(`cell ${i + 1}: ${t.slice(0, 400)}`);
            });
        });
        return out;
    }""")


def explorers(page):
    """Locators of the explorers' outputs: a widget output holding an image and a control."""
    outs = page.locator(".jp-NotebookPanel .jp-OutputArea-output:has(.widget-image)")
    return [outs.nth(i) for i in range(outs.count())]


def figure_png(explorer) -> bytes:
    img = explorer.locator(".widget-image").first
    img.scroll_into_view_if_needed()
    return img.screenshot(animations="disabled")


def pixel_change(a: bytes, b: bytes) -> float:
    """Fraction of pixels that differ between two screenshots (1.0 if their sizes differ)."""
    import numpy as np
    from PIL import Image
    x = np.asarray(Image.open(io.BytesIO(a)).convert("RGB"), dtype=np.int16)
    y = np.asarray(Image.open(io.BytesIO(b)).convert("RGB"), dtype=np.int16)
    if x.shape != y.shape:
        return 1.0
    return float((np.abs(x - y).max(axis=2) > 16).mean())


def move_one_control(explorer) -> str:
    """Drag the first slider's handle by a quarter of its track (towards the side with more room), or
    else choose another entry of the first dropdown. Returns what was moved."""
    # the first slider that is enabled (SignalExplorer's scale is disabled unless its init uses it)
    sliders = explorer.locator(".widget-slider:not(.mod-disabled):has(.noUi-target:not([disabled])), "
                               ".jupyter-widget-slider:not(.mod-disabled):has(.noUi-target:not([disabled]))")
    slider = sliders.first
    if slider.count():
        slider.scroll_into_view_if_needed()
        handle = slider.locator(".noUi-handle").first
        track = slider.locator(".noUi-target").first
        label = slider.locator(".widget-label").first.inner_text()
        readout = lambda: slider.locator(".widget-readout").first.inner_text()  # noqa: E731
        was = readout()
        h, t = handle.bounding_box(), track.bounding_box()
        x, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
        dx = t["width"] / 4 if x < t["x"] + t["width"] / 2 else -t["width"] / 4
        page = explorer.page
        page.mouse.move(x, y)
        page.mouse.down()
        for k in range(1, 6):
            page.mouse.move(x + dx * k / 5, y)
        page.mouse.up()
        return f"slider {label!r} dragged {was} -> {readout()}"
    select = explorer.locator(".widget-dropdown select").first
    if select.count():
        select.scroll_into_view_if_needed()
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        other = next(o for o in options if o != current)
        select.select_option(label=other)
        return f"dropdown {current!r} -> {other!r}"
    box = explorer.locator("input[type=checkbox]").first
    if box.count():
        box.click()
        return "checkbox"
    raise AssertionError("explorer has no slider, dropdown or checkbox")


def wait_changed(explorer, before: bytes, timeout_s: float) -> tuple[float, float]:
    """Poll the explorer's figure until it differs from ``before``; returns (fraction changed, seconds)."""
    t0 = time.time()
    change = 0.0
    while time.time() - t0 < timeout_s:
        time.sleep(0.25)
        change = pixel_change(before, figure_png(explorer))
        if change > 0.001:
            # wait for a training explorer to finish drawing: two equal screenshots in a row
            last = figure_png(explorer)
            for _ in range(40):
                time.sleep(0.25)
                now = figure_png(explorer)
                if now == last:
                    break
                last = now
            return pixel_change(before, last), time.time() - t0
    return change, time.time() - t0


def save(page):
    page.keyboard.press("Control+s")
    page.wait_for_function("""() => !document.querySelector('.jp-NotebookPanel .jp-mod-dirty')
                                     && !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')""",
                           timeout=30_000, polling=200)


def restart_kernel(page, timeout_ms: int = 60_000):
    """Kernel → Restart Kernel…, accept the dialog, wait until the new kernel is idle."""
    import re
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(r"^Restart Kernel…?$")).first.click()
    page.wait_for_selector(".jp-Dialog .jp-mod-accept", timeout=15_000).click()
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=15_000)
    wait_kernel_idle(page, timeout_ms)


def shot(page, name: str):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def shot_if_failed(page, request) -> None:
    """After a test: keep a screenshot of ``page`` in the artefacts if the test (``request.node``) failed;
    a dead page must not hide the real failure."""
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        try:
            print("screenshot:", shot(page, f"{request.node.name}-failure".replace("/", "_")))
        except Exception as e:
            print("no screenshot:", e)
