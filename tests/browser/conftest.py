"""The real-browser test runs only when asked (``python3 tasks.py browser``, which sets DLBOOK_BROWSER=1;
``.ci/run`` runs it after the test suite): ``python3 tasks.py test`` does not collect it."""
import os
import sys

import pytest

if os.environ.get("DLBOOK_BROWSER") != "1":
    collect_ignore_glob = ["test_*.py"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can take a screenshot on failure."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def pytest_terminal_summary(terminalreporter):
    for name, title in (("test_chapters", "time and explorers per chapter"),
                        ("test_present", "presenter's mode (Voilà): load and response times per chapter")):
        mod = sys.modules.get(name)
        if mod is not None and getattr(mod, "REPORT", None):
            terminalreporter.section(f"browser test: {title}")
            for line in mod.REPORT:
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (never a downloaded browser), headless, driven by Playwright."""
    from pathlib import Path

    import jlab_driver as d
    from playwright.sync_api import sync_playwright
    if not Path(d.CHROMIUM).exists():
        pytest.fail(f"{d.CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = d.launch(p)
        yield b
        b.close()
